"""What a saved model weighs: pickle, skops and ONNX files over the weights.

An MLPClassifier((64,)) on the digits (1,347 training rows, 64 features, 10
classes; 30 epochs, early stopping on), with each solver: L-BFGS keeps no
optimizer state, SGD its momentum (one more copy of the weights), Adam its
two moments (two more). The weights are ``module_``'s parameters and buffers,
in the dtype they trained in (float64: the digits' dtype).

Usage::

    python benchmarks/file_sizes.py

Results go to stdout as a table and to ``benchmarks/results/file_sizes.json``;
docs/user_guide/saving.rst quotes them.
"""

import io
import json
import pickle
import warnings
from pathlib import Path

import numpy as np
import skops.io
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

import sknn

RESULTS = Path(__file__).resolve().parent / "results" / "file_sizes.json"


def weights_bytes(model) -> int:
    state = model.module_.state_dict()
    return sum(t.numel() * t.element_size() for t in state.values())


def onnx_bytes(model, X) -> int | None:
    try:
        from skl2onnx import to_onnx

        import sknn.onnx  # noqa: F401  (registers the converters)
    except ImportError:
        return None
    return len(to_onnx(model, X[:1].astype(np.float32)).SerializeToString())


def measure(solver: str, X, y) -> dict:
    model = sknn.MLPClassifier(
        (64,), solver=solver, max_iter=30, early_stopping=True, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    buffer = io.BytesIO()
    skops.io.dump(model, buffer)
    weights = weights_bytes(model)
    row = {
        "solver": solver,
        "weights_bytes": weights,
        "pickle_bytes": len(pickle.dumps(model)),
        "skops_bytes": len(buffer.getvalue()),
        "onnx_bytes": onnx_bytes(model, X),  # float32 weights
        "training_bytes": X.nbytes,
    }
    for name in ("pickle", "skops", "onnx"):
        if row[f"{name}_bytes"] is not None:
            row[f"{name}_ratio"] = round(row[f"{name}_bytes"] / weights, 2)
    return row


def main() -> list[dict]:
    X, y = load_digits(return_X_y=True)
    X_train, _, y_train, _ = train_test_split(X / 16, y, random_state=0)
    rows = [measure(solver, X_train, y_train) for solver in ("lbfgs", "sgd", "adam")]
    print(f"{'solver':8}{'weights':>10}{'pickle':>16}{'skops':>16}{'onnx':>16}")
    for row in rows:
        cells = [f"{row['solver']:8}", f"{row['weights_bytes']:>10,}"]
        for name in ("pickle", "skops", "onnx"):
            size = row[f"{name}_bytes"]
            cells.append(
                f"{'-':>16}"
                if size is None
                else f"{size:>9,} {row[f'{name}_ratio']:>5.2f}x"
            )
        print("".join(cells))
    RESULTS.write_text(json.dumps(rows, indent=2) + "\n")
    return rows


if __name__ == "__main__":
    main()
