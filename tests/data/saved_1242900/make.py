"""Fitted models pickled by sknn at commit 1242900 (before issue 30's renames),
with the outputs they gave, for tests/test_deprecations.py. Run from a
checkout of that commit, in the environment of the lowest versions
(``.venv-lowest-3.11``: numpy 1.24, scikit-learn 1.7.0), since numpy 2 reads
numpy 1's pickles and not the reverse:
``python tests/data/saved_1242900/make.py``."""

import pickle
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[1]))  # tests/, for conftest's registry
from conftest import REGISTRY  # noqa: E402

# Non-default values of the parameters issue 30 renamed.
EXTRA = {
    "MLPClassifier": dict(batch_norm=True),
    "MLPRegressor": dict(batch_norm=True),
    "CNNClassifier": dict(pooling="avg"),
    "CNNRegressor": dict(normalization="batch"),
    "RNNClassifier": dict(batch_norm=True, hidden_layer_sizes=(4,), pooling="mean"),
    "RNNRegressor": dict(pooling="mean"),
    "TabularClassifier": dict(embedding_dim=3, max_one_hot=2),
    "TabularRegressor": dict(embedding_dim=3, max_one_hot=2),
    "Autoencoder": dict(batch_norm=True),
    "CNNAutoencoder": dict(pooling="avg", filters=(4,)),
}

if __name__ == "__main__":
    warnings.simplefilter("ignore")
    for cls, entry in REGISTRY.items():
        est = entry.estimator(**EXTRA[cls.__name__])
        X, y = entry.make_data()
        if entry.name.startswith("Tabular"):
            X = pd.DataFrame(X, columns=list("abcd"))
            X["colour"] = np.random.RandomState(0).choice(list("pqrst"), len(X))
        entry.fit(est, X, y)
        head = X.iloc[:8] if isinstance(X, pd.DataFrame) else X[:8]
        saved = {
            "model": est,
            "X": head,
            "outputs": entry.outputs(est, head),
            "params": est.get_params(deep=False),
        }
        with open(HERE / f"{entry.name}.pkl", "wb") as file:
            pickle.dump(saved, file)
