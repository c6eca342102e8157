"""Fitted models pickled by sknn at commit 1242900 (before issue 30's renames),
with the outputs they gave, for tests/test_serialization.py."""
import pickle, sys, warnings
import numpy as np, pandas as pd
sys.path.insert(0, str(__import__("pathlib").Path(__file__).parents[2]))
warnings.simplefilter("ignore")
from conftest import REGISTRY
import sknn

out = str(__import__("pathlib").Path(__file__).parent) + "/"
extra = {
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
models = {}
for cls, entry in REGISTRY.items():
    est = entry.estimator(**extra[cls.__name__])
    X, y = entry.make_data()
    if entry.name.startswith("Tabular"):
        X = pd.DataFrame(X, columns=list("abcd"))
        X["colour"] = np.random.RandomState(0).choice(list("pqrst"), len(X))
    entry.fit(est, X, y)
    outputs = entry.outputs(est, X[:8] if not isinstance(X, pd.DataFrame) else X.iloc[:8])
    with open(out + f"{entry.name}.pkl", "wb") as f:
        pickle.dump({"model": est, "X": X[:8] if not isinstance(X, pd.DataFrame) else X.iloc[:8],
                     "outputs": outputs, "params": est.get_params(deep=False)}, f)
    print(entry.name, "ok")
