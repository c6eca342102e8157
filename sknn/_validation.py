"""Clear errors for inputs that scikit-learn's validation passes on to
Python or narwhals, whose errors would name neither the input nor a fix
(scikit-learn's own MLP fails the same way): integers too large for a
float64, and DataFrame columns of one name."""

import contextlib

import numpy as np
import pandas as pd


def check_unique_columns(X, name: str) -> None:
    """A pandas DataFrame X names each column once: narwhals, through which
    scikit-learn reads DataFrames, raises its ``DuplicateError`` otherwise."""
    if not isinstance(X, pd.DataFrame) or X.columns.is_unique:
        return
    counts = X.columns.value_counts()
    twice = {column: int(n) for column, n in counts.items() if n > 1}
    shown = ", ".join(f"{column!r} {n} times" for column, n in twice.items())
    raise ValueError(
        f"{name} takes a DataFrame whose columns have one name each, got "
        f"{shown[:300]}. Rename the columns (X.columns = [...]) or drop the "
        "repeated ones."
    )


@contextlib.contextmanager
def float_overflow(name: str, X, y=None):
    """Within the block, Python's ``OverflowError`` from converting an
    integer beyond float64's range (an object array holding ``10**400``)
    becomes a ValueError naming where the integer is in X or y."""
    try:
        yield
    except OverflowError as error:
        where = _find_huge(X, "X") or _find_huge(y, "y") or "X or y"
        raise ValueError(
            f"{name} reads numbers as float64, but {where} holds an integer too "
            f"large for one (float64 ends near 1.8e308; Python: {error}). Scale "
            "such values down (divide them, or take their logarithm) or clip "
            "them before fitting or predicting."
        ) from error


def _find_huge(values, label: str) -> str | None:
    """Where the first value beyond float64's range is in ``values`` (an
    array-like or a DataFrame), as ``X[3, 0]`` or ``X's column 'a', row
    3``; None if none is found."""
    if isinstance(values, pd.DataFrame):
        for j, column in enumerate(values.columns):
            found = _find_huge(values.iloc[:, j].to_numpy(dtype=object), label)
            if found is not None:
                row = found.removeprefix(f"{label}[").removesuffix("]")
                return f"{label}'s column {column!r}, row {row},"
        return None
    if values is None or isinstance(values, str):
        return None
    try:
        array = np.asarray(values, dtype=object)
    except ValueError:  # ragged nested lists
        return None
    for index, value in np.ndenumerate(array):
        try:
            float(value)
        except OverflowError:
            return f"{label}[{', '.join(map(str, index))}]"
        except (TypeError, ValueError):
            continue
    return None
