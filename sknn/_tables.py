"""Tables as they come: numeric, categorical and missing values, one kind of input.

:class:`Tables` takes a pandas DataFrame as it is (or a numpy array, or any
array-like), and learns in ``fit`` everything that turns it into the
network's input:

- **numeric columns** are centred on their median and divided by their
  interquartile range (half their range where that is 0), then softly clipped
  with ``x / sqrt(1 + (x / 3)**2)``, so that outliers cannot dominate. Missing
  values become the median (0 after centring), and a column that had missing
  values in ``fit`` gains a 0/1 indicator column;
- **categorical columns** (pandas ``category``, ``object``, ``string`` and
  ``bool`` dtypes, or the columns named by ``categorical_features``) with at
  most ``max_one_hot`` categories are one-hot encoded (two categories: one
  -1/+1 column); larger ones become integer codes for an embedding, with code
  0 for a missing value and 1 for a category ``fit`` never saw. Missing values
  of a one-hot column are a category of their own when ``fit`` saw any;
  unseen categories are all zeros.

The converted input is one float32 matrix: the numeric columns first (where
numeric embeddings apply), then indicators and one-hot columns, then the
codes. :class:`~sknn.modules.TabularMLP` reads it with the layout learnt here
(``layout_``, which the estimator builds its module for).
"""

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._inputs import InputKind, standard_container
from ._sklearn import check_sample_weight

# Codes of embedded categorical columns, ahead of the categories themselves.
MISSING_CODE = 0
UNKNOWN_CODE = 1

# What pandas' infer_dtype calls an object column of plain values only.
_PLAIN = {"string", "integer", "floating", "mixed-integer-float", "boolean", "empty"}

# Softly clip scaled values to about +-3: x / sqrt(1 + (x / 3)**2).
_CLIP = 3.0


@dataclass(frozen=True)
class TableLayout:
    """Where each part lies in the converted matrix, for the module.

    ``n_numeric`` scaled numeric columns come first, then ``n_dense -
    n_numeric`` indicator and one-hot columns, then one code column per
    embedded categorical column, of ``cardinalities[i]`` codes each.
    """

    n_numeric: int
    n_dense: int
    cardinalities: tuple[int, ...]


def _smooth_clip(x: np.ndarray) -> np.ndarray:
    return x / np.sqrt(1.0 + (x / _CLIP) ** 2)


def _is_missing(values: np.ndarray) -> np.ndarray:
    return np.asarray(pd.isna(values), dtype=bool)


def _sorted_categories(values: np.ndarray) -> np.ndarray:
    """Distinct values in a stable order: sorted where they compare, else by
    type and text (mixed types in one object column)."""
    unique = pd.unique(pd.Series(values, dtype=object))
    try:
        return np.array(sorted(unique), dtype=object)
    except TypeError:
        return np.array(sorted(unique, key=lambda v: (type(v).__name__, str(v))))


class Tables(InputKind):
    """A table of numeric and categorical columns with missing values.

    Parameters
    ----------
    categorical_features : "from_dtype", array-like of str, int or bool, or None
        Which columns are categorical. ``"from_dtype"``: those of pandas
        ``category``, ``object``, ``string`` or ``bool`` dtype (in a numpy
        object array, columns that are not all numbers). Otherwise the names
        or indices of the categorical columns, or a boolean mask over the
        columns, which also makes integer-coded columns categorical. None:
        none beyond the non-numeric ones.
    max_one_hot : int
        Categorical columns with at most this many categories are one-hot
        encoded; larger ones are embedded.
    dtype : "float32", "float64" or None
        The estimator's ``dtype``, the float dtype its network computes in.
    """

    parameters = ("categorical_features", "max_one_hot", "dtype")
    no_graph = (
        "its graph would have to take a DataFrame's columns apart and encode "
        "categories and missing values as fit learnt them"
    )
    published = ("is_categorical_", "categories_")
    weighted = True

    def __init__(
        self, categorical_features="from_dtype", max_one_hot=8, dtype=None, **kind
    ):
        super().__init__(**kind)
        self.categorical_features = categorical_features
        self.max_one_hot = max_one_hot
        self.dtype = dtype

    def learnt(self) -> dict:
        # The layout the estimator builds its module for, kept private.
        return {**super().learnt(), "_table_layout": self.layout_}

    # ------------------------------------------------------------ validation
    def prepare(self, X, *, fitting):
        X = standard_container(X, self.name)
        if sp.issparse(X):
            raise TypeError(
                f"Sparse data was passed to {self.name}, which takes dense tables "
                "(a DataFrame or an array). Pass X.toarray(), or use "
                "MLPClassifier / MLPRegressor, which take sparse input."
            )
        if not isinstance(X, pd.DataFrame | np.ndarray):
            try:
                X = np.asarray(X, dtype=object if _has_text(X) else None)
            except ValueError:  # ragged
                raise ValueError(
                    f"{self.name} takes a 2D table (n_samples, n_features), but "
                    "the rows given have different lengths. Give every row one "
                    "value per column (NaN or None where a value is missing)."
                ) from None
        if _plain_numbers(X):
            return X
        if X.ndim != 2:
            raise ValueError(
                f"{self.name} expects a 2D table of shape (n_samples, n_features), "
                f"got an array of shape {X.shape}. Reshape a single feature with "
                "X.reshape(-1, 1), a single sample with X.reshape(1, -1)."
            )
        if X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(
                f"Found array with {X.shape[0]} sample(s) and {X.shape[1]} "
                f"feature(s) (shape={X.shape}) while a minimum of 1 of each is "
                f"required by {self.name}."
            )
        return X

    def check_kwargs_for(self, X, *, fitting):
        if _plain_numbers(X):
            # Plain numeric arrays (in pipelines, in scikit-learn's checks):
            # scikit-learn's own validation and messages (complex numbers:
            # "Complex data not supported").
            return self._check_kwargs()
        # Tables of columns: the feature names and counts, as scikit-learn
        # records and checks them; _convert reads the values column by column.
        return {"skip_check_array": True}

    def _check_kwargs(self) -> dict:
        return {**super()._check_kwargs(), "ensure_all_finite": "allow-nan"}

    # --------------------------------------------------------------- columns
    def _columns(self, X):
        """(name, values) of each column: a Series of a DataFrame, or a numpy
        array."""
        if isinstance(X, pd.DataFrame):
            return [(str(name), X.iloc[:, j]) for j, name in enumerate(X.columns)]
        return [(str(j), X[:, j]) for j in range(X.shape[1])]

    def _user_categorical(self, X) -> np.ndarray:
        """The mask of ``categorical_features`` when it names columns."""
        n_columns = X.shape[1]
        spec = self.categorical_features
        if spec is None or (isinstance(spec, str) and spec == "from_dtype"):
            return np.zeros(n_columns, dtype=bool)
        spec = np.asarray(spec)
        if spec.dtype == bool:
            if spec.shape != (n_columns,):
                raise ValueError(
                    f"categorical_features as a boolean mask needs one value per "
                    f"column ({n_columns}), got {spec.shape[0]}."
                )
            return spec.copy()
        mask = np.zeros(n_columns, dtype=bool)
        names = list(map(str, X.columns)) if isinstance(X, pd.DataFrame) else None
        for item in spec.ravel().tolist():
            if isinstance(item, str):
                if names is None or item not in names:
                    raise ValueError(
                        f"categorical_features names column {item!r}, which X does "
                        f"not have{'' if names is None else f' (it has {names})'}. "
                        "Name the columns of a DataFrame, or give column indices."
                    )
                mask[names.index(item)] = True
            elif isinstance(item, numbers.Integral) and -n_columns <= item < n_columns:
                mask[item] = True
            else:
                raise ValueError(
                    f"categorical_features must hold column names, indices below "
                    f"{n_columns}, or be a boolean mask; got {item!r}."
                )
        return mask

    def _kind_of(self, name, values) -> str:
        """ "numeric" or "categorical", from the column's dtype; a TypeError
        for dtypes a network cannot read."""
        dtype = values.dtype
        if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(dtype):
            return "categorical"
        if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(
            dtype
        ):
            return "numeric"
        is_object = dtype == np.dtype(object)
        if pd.api.types.is_string_dtype(dtype) and not is_object:
            return "categorical"
        if is_object:
            present = np.asarray(values, dtype=object)[~_is_missing(values)]
            numbers_only = all(
                isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_)
                for v in present
            )
            return "numeric" if numbers_only and present.size else "categorical"
        raise TypeError(
            f"{self.name} cannot read column {name!r} of dtype {dtype}. Convert it "
            "to numbers (dates: e.g. df[col].dt.year, or the days since a start "
            "date) or to strings or a pandas category, or drop it."
        )

    # -------------------------------------------------------------- learning
    def _learn(self, X, sample_weight=None) -> None:
        # Rows of zero weight teach nothing (as if removed), and a weight of 2
        # counts as a repeated row: quantiles, categories and missing values
        # are learnt from the weighted rows.
        self.dtype_ = self._float_dtype(X)
        weight = check_sample_weight(sample_weight, X, dtype=np.float64)
        kept = np.flatnonzero(weight > 0)
        if kept.size < len(weight):
            X = X.iloc[kept] if isinstance(X, pd.DataFrame) else X[kept]
            weight = weight[kept]
        columns = self._columns(X)
        forced = self._user_categorical(X)
        kinds = [
            "categorical" if force else self._kind_of(name, values)
            for (name, values), force in zip(columns, forced, strict=True)
        ]
        self.is_categorical_ = np.array([k == "categorical" for k in kinds])
        numeric_columns, categorical_columns = self._split(X)
        numeric = [self._numeric(values, weight) for _, values in numeric_columns]
        self.center_ = np.array([c for c, _, _ in numeric], dtype=np.float64)
        self.scale_ = np.array([s for _, s, _ in numeric], dtype=np.float64)
        self.indicated_ = np.array([m for _, _, m in numeric], dtype=bool)
        self.categories_ = []
        self.missing_seen_ = []
        for name, values in categorical_columns:
            values = self._categorical_values(name, values)
            missing = _is_missing(values)
            self.categories_.append(_sorted_categories(values[~missing]))
            self.missing_seen_.append(bool(missing.any()))
        sizes = [len(c) for c in self.categories_]
        self.one_hot_ = np.array([n <= self.max_one_hot for n in sizes], dtype=bool)
        n_numeric = len(numeric)
        n_dense = (
            n_numeric
            + int(self.indicated_.sum())
            + sum(self._one_hot_width(i) for i in np.flatnonzero(self.one_hot_))
        )
        self.layout_ = TableLayout(
            n_numeric=n_numeric,
            n_dense=n_dense,
            cardinalities=tuple(
                n + 2 for n, hot in zip(sizes, self.one_hot_, strict=True) if not hot
            ),
        )

    def _float_dtype(self, X):
        """The dtype of the converted table: float64 when the network
        computes in float64 (``dtype``), so that values are not rounded to
        float32 on the way; otherwise float32 for DataFrames (tables train
        fast) and the dtype of float arrays (as scikit-learn's estimators,
        e.g. behind a scaler in a Pipeline), which the network computes in
        with ``dtype=None``."""
        if self.dtype == "float64":
            return np.float64
        if isinstance(X, np.ndarray) and X.dtype in (np.float32, np.float64):
            return X.dtype.type
        return np.float32

    def _split(self, X):
        """The (name, values) of the numeric columns, and of the categorical
        ones, as ``fit`` read them."""
        columns = self._columns(X)
        numeric = [columns[j] for j in np.flatnonzero(~self.is_categorical_)]
        categorical = [columns[j] for j in np.flatnonzero(self.is_categorical_)]
        return numeric, categorical

    @staticmethod
    def _numeric(values, weight):
        """(centre, scale, has missing values) of a training column."""
        x = _as_float(values)
        known = ~np.isnan(x)
        present = x[known]
        if present.size == 0:
            return 0.0, 1.0, True
        q25, median, q75 = weighted_quantiles(present, weight[known], (0.25, 0.5, 0.75))
        scale = q75 - q25
        if scale <= 0:
            scale = (present.max() - present.min()) / 2
        return (
            float(median),
            float(scale) if scale > 0 else 1.0,
            bool(present.size < x.size),
        )

    def _one_hot_width(self, i) -> int:
        n = len(self.categories_[i]) + self.missing_seen_[i]
        return 1 if n <= 2 else n

    def _categorical_values(self, name, values) -> np.ndarray:
        """A categorical column as an object array; a TypeError for values
        that are no category (dicts, lists...), which only object columns
        can hold."""
        typed = getattr(values, "dtype", None) != np.dtype(object)
        values = np.asarray(values, dtype=object)
        if typed or pd.api.types.infer_dtype(values, skipna=True) in _PLAIN:
            # category, string, bool, numbers (pandas' scan, in C): nothing to
            # check; only mixed object columns may hold dicts, lists...
            return values
        for value in values:
            if not (
                isinstance(value, str | numbers.Number | np.bool_ | bool)
                or value is None
                or value is pd.NA
                or value is pd.NaT
            ):
                raise TypeError(
                    f"{self.name} reads column {name!r} as categorical, but it holds "
                    f"a {type(value).__name__} value ({value!r}): categorical values "
                    "must be strings, numbers or booleans (the argument must be a "
                    "string or a number)."
                )
        return values

    # ------------------------------------------------------------ converting
    def _convert(self, X):
        dtype = self.dtype_
        if isinstance(X, np.ndarray) and X.dtype.kind in "biuf":
            X = X.astype(object) if self.is_categorical_.any() else X
        numeric, categorical = self._split(X)
        for name, values in numeric:
            if (
                values.dtype.kind not in "biuf"
                and self._kind_of(name, values) != "numeric"
            ):
                raise ValueError(
                    f"Column {name!r} was numeric in fit, but now holds values that "
                    "are not numbers. Pass the same columns, of the same types, as "
                    "in fit."
                )
        x = np.column_stack([_as_float(v) for _, v in numeric]) if numeric else None
        parts = []
        if x is not None:
            if np.isinf(x).any():
                column = numeric[np.isinf(x).any(axis=0).argmax()][0]
                raise ValueError(
                    f"Input X contains infinity in column {column!r}. Replace "
                    "infinite values with finite ones or NaN (missing)."
                )
            missing = np.isnan(x)
            scaled = _smooth_clip((x - self.center_) / self.scale_)
            scaled[missing] = 0.0
            parts += [scaled, missing[:, self.indicated_]]
        codes = []
        for i, (name, values) in enumerate(categorical):
            values = self._categorical_values(name, values)
            missing = _is_missing(values)
            index = pd.Index(self.categories_[i]).get_indexer(
                pd.Series(values, dtype=object).where(~missing, None)
            )
            index[missing] = -1
            if self.one_hot_[i]:
                parts.append(self._one_hot(i, index, missing))
            else:
                code = np.where(index >= 0, index + 2, UNKNOWN_CODE)
                codes.append(np.where(missing, MISSING_CODE, code))
        if codes:
            parts.append(np.column_stack(codes))
        n_rows = len(X)
        return (
            np.column_stack(
                [np.asarray(p, dtype=dtype).reshape(n_rows, -1) for p in parts]
            )
            if parts
            else np.zeros((n_rows, 0), dtype=dtype)
        )

    def _one_hot(self, i, index, missing) -> np.ndarray:
        n = len(self.categories_[i])
        if self.missing_seen_[i]:
            index = np.where(missing, n, index)
            n += 1
        if n <= 2:  # one column: -1 / +1, 0 for unseen
            return np.select([index == 0, index == 1], [-1.0, 1.0], 0.0)
        hot = np.zeros((len(index), n), dtype=np.float32)
        known = index >= 0
        hot[np.flatnonzero(known), index[known]] = 1.0
        return hot


def weighted_quantiles(values, weight, quantiles) -> np.ndarray:
    """Quantiles of ``values`` with rows weighted by ``weight``, by the inverse
    of the empirical distribution (numpy's ``"inverted_cdf"``): integer weights
    give the quantiles of the rows repeated that many times."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weight[order])
    targets = np.asarray(quantiles) * cumulative[-1]
    # The first value whose cumulative weight reaches the target (with a
    # relative tolerance for the rounding of float sums).
    index = np.searchsorted(cumulative, targets * (1 - 1e-12), side="left")
    return values[order][np.minimum(index, len(values) - 1)]


def _as_float(values) -> np.ndarray:
    """A numeric column as float64, missing values (None, pd.NA) as NaN."""
    if isinstance(values, pd.Series):
        return values.astype("float64").to_numpy(dtype=np.float64, na_value=np.nan)
    values = np.asarray(values)
    if values.dtype == object:
        values = np.where(_is_missing(values), np.nan, values)
    return values.astype(np.float64)


def _has_text(X) -> bool:
    """Whether nested lists hold strings (they then stay objects)."""
    try:
        return any(isinstance(v, str) for row in X for v in row)
    except TypeError:
        return False


def _plain_numbers(X) -> bool:
    """Whether X is a plain numeric array, validated as scikit-learn's
    estimators validate it."""
    return isinstance(X, np.ndarray) and X.dtype.kind in "biufc"
