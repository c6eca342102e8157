"""Parameters shared by the estimators, declared once: constraints and checks.

Each constraint list below is the one place where a shared parameter's valid
values are written; the estimators combine them into their
``_parameter_constraints``.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

from ._optim import SOLVERS
from ._sklearn import Hidden, Interval, Options, StrOptions
from ._warnings import warn
from .modules import ACTIVATIONS
from .modules._layers import NORMALIZATIONS, POOLINGS


def positive_ints(name: str, values) -> tuple[int, ...]:
    """``values`` (an int or a sequence of ints) as a tuple of positive ints;
    a ValueError naming the parameter otherwise."""
    values = (values,) if isinstance(values, Integral) else tuple(values)
    if any(not isinstance(v, Integral) or v <= 0 for v in values):
        raise ValueError(f"{name} must be positive integers, got {values}.")
    return tuple(int(v) for v in values)


POSITIVE_INT = [Interval(Integral, 1, None, closed="left")]

# Widths of layers (hidden_layer_sizes, filters): an int or a sequence of
# positive ints. The estimators check the values inside sequences with
# positive_ints before training (BaseNeuralEstimator._check_params).
LAYER_SIZE = Interval(Integral, 1, None, closed="left")
LAYER_SIZES = ["array-like", LAYER_SIZE]

# The default of a renamed parameter's old name: set to anything else, it
# still works, with a FutureWarning naming the new one (scikit-learn's way).
DEPRECATED = "deprecated"


@dataclass(frozen=True)
class Renamed:
    """A parameter renamed ``old`` -> ``new``: the old name keeps working,
    its values converted by ``convert``, until release ``removed``."""

    old: str
    new: str
    convert: Callable = lambda value: value
    since: str = "0.1"
    removed: str = "0.3"

    def warn(self, value) -> None:
        warn(
            f"`{self.old}` was renamed `{self.new}` in {self.since} and will be "
            f"removed in {self.removed}: use {self.new}={self.convert(value)!r} "
            f"instead of {self.old}={value!r}.",
            FutureWarning,
        )


#: ``batch_norm=True`` of the MLPs, the autoencoder and the RNNs is
#: ``normalization="batch"``, the name the CNNs use for all normalisations.
BATCH_NORM = Renamed(
    "batch_norm", "normalization", lambda value: "batch" if value else None
)

#: Values renamed, by parameter: the old value -> the new.
RENAMED_VALUES = {"pooling": {"avg": "mean"}}

NORMALIZATION = [StrOptions(set(NORMALIZATIONS)), None]

# The layers every architecture has around its own part.
NETWORK_CONSTRAINTS = {
    "hidden_layer_sizes": LAYER_SIZES,
    "activation": [StrOptions(set(ACTIVATIONS))],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "normalization": NORMALIZATION,
    "batch_norm": ["boolean", Hidden(StrOptions({DEPRECATED}))],
}

CONV_CONSTRAINTS = {
    "filters": LAYER_SIZES,
    "kernel_size": POSITIVE_INT,
    "pooling": [StrOptions({*POOLINGS, "avg"}, deprecated={"avg"})],
    "pool_size": POSITIVE_INT,
    "normalization": NORMALIZATION,
    "input_shape": ["array-like", None],
}

# The parameters of every sequence model (sknn/_sequences.py reads them; their
# docs: sknn._docs.SEQUENCE_PARAMETERS).
SEQUENCE_CONSTRAINTS = {
    "embedding_dim": [*POSITIVE_INT, None],
    "padding_id": [Integral, None],
    "input_shape": ["array-like", None],
}

# The float dtype the network computes in (None: the input's, as
# scikit-learn); read by BaseNeuralEstimator._compute_dtype.
DTYPE = [StrOptions({"float32", "float64"}), None]

CLASS_WEIGHT = [dict, StrOptions({"balanced"}), None]

REGRESSION_LOSS = [StrOptions({"squared_error", "absolute_error", "huber", "poisson"})]

# The training parameters of every estimator (BaseNeuralEstimator.__init__).
TRAINING_CONSTRAINTS = {
    "solver": [StrOptions(set(SOLVERS))],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "batch_size": [StrOptions({"auto"}), *POSITIVE_INT],
    "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "power_t": [Interval(Real, 0, None, closed="left")],
    "max_iter": POSITIVE_INT,
    "shuffle": ["boolean"],
    "random_state": ["random_state"],
    "tol": [Interval(Real, 0, None, closed="left")],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "nesterovs_momentum": ["boolean"],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "epsilon": [Interval(Real, 0, None, closed="neither")],
    "n_iter_no_change": [*POSITIVE_INT, Options(Real, {np.inf})],
    "max_fun": POSITIVE_INT,
    "device": [str],
    "dtype": DTYPE,
    "callbacks": [list, None],
    "progress_bar": ["boolean"],
    "distributed": ["boolean"],
}


def store_parameters(estimator, arguments: dict) -> None:
    """Set each argument of the estimator's ``__init__`` on it, under its own
    name and unchanged, from that ``__init__``'s ``locals()``: scikit-learn's
    rule for ``__init__``, written once."""
    for name in inspect.signature(type(estimator).__init__).parameters:
        if name != "self":
            setattr(estimator, name, arguments[name])


def resolve_renamed(estimator, renamed: tuple[Renamed, ...], *, warning: bool) -> dict:
    """The values of ``estimator``'s renamed parameters under their new names,
    taken from the old names where those are set (with a FutureWarning when
    ``warning``); a ValueError where both names are set."""
    values = {}
    defaults = inspect.signature(type(estimator).__init__).parameters
    for rename in renamed:
        old, new = getattr(estimator, rename.old), getattr(estimator, rename.new)
        if isinstance(old, str) and old == DEPRECATED:
            continue
        if new != defaults[rename.new].default:
            raise ValueError(
                f"Both `{rename.old}` and `{rename.new}` are set; `{rename.old}` "
                f"was renamed `{rename.new}`: set only {rename.new}."
            )
        if warning:
            rename.warn(old)
        values[rename.new] = rename.convert(old)
    for name, spellings in RENAMED_VALUES.items():
        value = values.get(name, getattr(estimator, name, None))
        if isinstance(value, str) and value in spellings:
            if warning:
                warn(
                    f"{name}={value!r} was renamed {name}={spellings[value]!r} in "
                    "0.1 and will be removed in 0.3: use the new name.",
                    FutureWarning,
                )
            values[name] = spellings[value]
    return values
