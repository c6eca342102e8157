"""Shared test data, and the registry of every public estimator.

Every fixture and every ``make_data`` builds fresh arrays, so a test may
modify what it gets without affecting another test.

The registry
------------
``REGISTRY`` holds one :class:`Entry` per estimator class of ``sknn.__all__``:
a small, fast configuration, a function making small data to fit, and what
kind of estimator it is. Tests of a concern shared by every estimator (bad
input, seeding, pickling, scikit-learn compatibility...) are parametrised
with :func:`registry`, which reads ``sknn.__all__`` itself: a new estimator
is covered by every such test the moment it is exported, and each of them
fails, naming it, until it has an entry here (``test_common.py`` also checks
that the registry and ``sknn.__all__`` agree).

Where an estimator legitimately differs from the others (how it counts
features, which methods give its outputs, which inputs it accepts), the
difference is written in its entry, never as a skip in a test.
"""

import inspect
import os
import re
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.base import BaseEstimator
from sklearn.datasets import (
    load_iris,
    make_classification,
    make_multilabel_classification,
    make_regression,
)
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import sknn

# The test networks are tiny: a second intra-op thread costs more in
# synchronisation than it saves, and makes run times hostage to machine load.
torch.set_num_threads(1)
if os.environ.get("PYTEST_XDIST_WORKER"):
    # One pytest-xdist worker per core (scripts/test.sh): NumPy's and SciPy's
    # BLAS, and OpenMP, take one thread each too, rather than a pool per core
    # in every worker.
    threadpool_limits(limits=1)


# ------------------------------------------------ tests on several processes
# Modules whose tests share a costly module-scoped fixture: one dask cluster
# and one Ray instance, one pair of torch.distributed processes, one run of
# the demo. Under pytest-xdist each runs whole on one worker, so that the
# fixture starts once per run.
SHARED_FIXTURE_MODULES = (
    "tests/test_cluster.py",
    "tests/test_distributed.py",
    "tests/test_examples.py",
)


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    """With ``-n`` (``--dist load``, scripts/test.sh), tests go one at a time
    to whichever worker is free, but for the modules of
    :data:`SHARED_FIXTURE_MODULES`, each sent whole, largest first.
    (xdist's own ``--dist loadgroup`` and ``xdist_group`` marks would say the
    same, but they group nothing under pytest 9.2: pytest-xdist issue 1386.)
    """
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixtureScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in SHARED_FIXTURE_MODULES else nodeid

    return SharedFixtureScheduling(config, log)


# ---------------------------------------------------------------- data sets
@pytest.fixture
def iris():
    """Iris, standardised: 150 samples, 4 features, 3 classes (0, 1, 2)."""
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture
def binary_data():
    """200 samples, 6 standardised features, classes 0 and 1, well separated."""
    X, y = make_classification(
        n_samples=200,
        n_features=6,
        n_informative=4,
        n_redundant=0,
        class_sep=2.0,
        random_state=0,
    )
    return StandardScaler().fit_transform(X), y


@pytest.fixture
def multilabel_data():
    """200 samples, 8 standardised features, a 3-column 0/1 indicator target."""
    X, Y = make_multilabel_classification(
        n_samples=200, n_features=8, n_classes=3, n_labels=2, random_state=0
    )
    return StandardScaler().fit_transform(X), Y


@pytest.fixture
def regression_data():
    """200 samples, 5 standardised features, one standardised target."""
    X, y = make_regression(
        n_samples=200, n_features=5, n_informative=5, noise=1.0, random_state=0
    )
    X = StandardScaler().fit_transform(X)
    return X, (y - y.mean()) / y.std()


@pytest.fixture
def multioutput_regression_data():
    """200 samples, 5 standardised features, three standardised targets."""
    X, Y = make_regression(
        n_samples=200,
        n_features=5,
        n_informative=5,
        n_targets=3,
        noise=1.0,
        random_state=0,
    )
    X = StandardScaler().fit_transform(X)
    return X, (Y - Y.mean(axis=0)) / Y.std(axis=0)


@pytest.fixture
def count_data():
    """200 samples, 4 features, non-negative Poisson counts with a log-linear mean."""
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(200, 4))
    y = rng.poisson(np.exp(X @ [1.0, -0.5, 0.5, 0.0])).astype(np.float64)
    return X, y


# ------------------------------------------------- small data per estimator
N_SAMPLES = 120


def _labelled(shape, seed):
    """Samples of ``shape``, three classes apart by the mean of their values."""
    rng = np.random.RandomState(seed)
    y = np.arange(N_SAMPLES) % 3
    X = rng.normal(size=(N_SAMPLES, *shape)) + 1.5 * (y - 1.0).reshape(
        -1, *[1] * len(shape)
    )
    return X, y


def _targets(shape, seed):
    """Samples of ``shape``, a target that is the mean of their values."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(N_SAMPLES, *shape))
    y = X.reshape(N_SAMPLES, -1).mean(axis=1) * 3.0
    return X, y + 0.1 * rng.normal(size=N_SAMPLES)


def _waves(shape, seed):
    """Series of ``shape`` (channels, length): noisy waves of a random phase
    and a frequency of 0.5 to 2 cycles over each series, shifted by a random
    level, and the frequency."""
    rng = np.random.RandomState(seed)
    channels, length = shape
    frequency = rng.uniform(0.5, 2.0, size=N_SAMPLES)
    phase = rng.uniform(0, 2 * np.pi, size=(N_SAMPLES, channels, 1))
    t = np.linspace(0, 2 * np.pi, length)
    X = np.sin(frequency[:, None, None] * t + phase)
    X += rng.normal(size=(N_SAMPLES, 1, 1)) + 0.1 * rng.normal(size=X.shape)
    return X, frequency


def _waves_labelled(shape, seed):
    """:func:`_waves` in three classes of frequency (slow, medium, fast)."""
    X, frequency = _waves(shape, seed)
    return X, np.digitize(frequency, [1.0, 1.5])


def _waves_targets(shape, seed):
    """:func:`_waves`, the target their frequency (centred, times 3, plus
    noise: of either sign, as the other targets)."""
    X, frequency = _waves(shape, seed)
    rng = np.random.RandomState(seed + 1)
    return X, 3.0 * (frequency - 1.25) + 0.1 * rng.normal(size=N_SAMPLES)


def _low_rank(shape, seed):
    """Samples of ``shape`` near a 2D subspace: two codes reconstruct them."""
    basis = np.random.RandomState(0).normal(size=(2, int(np.prod(shape))))
    rng = np.random.RandomState(seed)
    codes = rng.normal(size=(N_SAMPLES, 2))
    X = codes @ basis + 0.05 * rng.normal(size=(N_SAMPLES, basis.shape[1]))
    return X.reshape(N_SAMPLES, *shape), None


# The estimators' small configurations: a few epochs of a tiny network, at a
# learning rate that learns the data above in that time (the convolutions
# take a few more epochs, which cost them little). Pinned to the CPU:
# bit-for-bit equal refits are a CPU promise (cuDNN's convolutions and
# float32 arithmetic on accelerators are not deterministic); test_device.py
# runs every estimator on the accelerators.
_COMMON = dict(max_iter=10, learning_rate_init=0.03, random_state=0, device="cpu")
# A constant learning rate, as the MLPs': the shared tests count the epochs
# that end in scikit-learn's ConvergenceWarning, which a cosine schedule,
# ending by design, does not give (tests/test_training_extras.py tests it).
_CNN = dict(
    _COMMON, filters=(4,), hidden_layer_sizes=(), max_iter=15, learning_rate="constant"
)
_RNN = dict(hidden_size=6, **_COMMON)
_MLP = dict(hidden_layer_sizes=(8,), **_COMMON)
# Two ensemble members; without the held-out split of the defaults, so that
# all the rows train, as for the other estimators (test_tabular.py tests the
# defaults).
_TABULAR = dict(_MLP, n_ensemble=2, early_stopping=False)


# Fitted attributes every estimator documents; supervised ones add theirs.
COMMON_ATTRIBUTES = (
    "n_features_in_",
    "n_iter_",
    "t_",
    "loss_",
    "loss_curve_",
    "validation_scores_",
    "module_",
    "history_",
)
SUPERVISED_ATTRIBUTES = ("n_outputs_", "out_activation_", "best_loss_")


def _as_3d(X):
    return X.reshape(len(X), 2, -1)


def _narrower_samples(X):
    return X[..., :-1]


@dataclass(frozen=True)
class Entry:
    """How the tests build, feed and read one public estimator.

    cls, kind
        The estimator class; "classifier", "regressor" or "transformer"
        (the autoencoders: they fit X alone, y=None, and ``transform``).
    params
        A small, fast configuration (constructor keyword arguments).
    sample_shape, make
        Shape of one sample of the estimator's own data, and ``make(shape,
        seed)`` giving (X, y) of such samples (y None for transformers).
    n_features_in
        ``n_features_in_`` after a fit on them: the CNNs count the values of
        a sample, the RNNs the features of a time step.
    flat_params
        The parameters with which it reads the same samples as flat rows (as
        a scaler or a DataFrame gives them): the CNNs' and RNNs'
        ``input_shape``.
    wrong_shape, wrong_shape_message
        ``wrong_shape(X)``: samples the fitted estimator must refuse, with
        that error (rows: a 3D array; images and sequences: another shape).
    nan_message
        The error for a NaN in X (to the RNNs NaN marks padding: a NaN in one
        feature of a time step is an error of its own); None where NaN is a
        missing value the estimator reads (the table networks).
    accepts_sparse
        Whether X may be sparse (the autoencoders reconstruct dense samples).
    random_params
        Parameters adding the estimator's own randomness (augmentation,
        denoising, sampled codes, dropout between recurrent layers).
    extra_attributes
        Its own public fitted attributes, besides the shared ones.
    frame_dtype
        The float dtype a DataFrame's numbers train in on the CPU (the table
        networks: float32; the others: the frame's own, float64 here).
    lacks
        Parameters of the other estimators that this one does not have (the
        table networks have no ``normalization``): :meth:`estimator` leaves
        them out of the configurations of shared tests.
    """

    cls: type
    kind: str
    params: dict
    sample_shape: tuple
    make: Callable
    n_features_in: int
    flat_params: dict = field(default_factory=dict)
    wrong_shape: Callable = _as_3d
    wrong_shape_message: str = "Found array with dim 3"
    nan_message: str | None = "Input X contains NaN"
    accepts_sparse: bool = True
    random_params: dict = field(default_factory=dict)
    extra_attributes: tuple = ()
    frame_dtype: type = np.float64
    lacks: tuple = ()

    @property
    def name(self) -> str:
        return self.cls.__name__

    @property
    def fitted_attributes(self) -> tuple:
        """Public fitted attributes: absent before fit, present after."""
        supervised = () if self.kind == "transformer" else SUPERVISED_ATTRIBUTES
        classes = ("classes_",) if self.kind == "classifier" else ()
        return COMMON_ATTRIBUTES + supervised + classes + self.extra_attributes

    def estimator(self, **params):
        """A fresh estimator of the small configuration, updated by ``params``
        (but for those it ``lacks``)."""
        params = {k: v for k, v in params.items() if k not in self.lacks}
        return self.cls(**{**self.params, **params})

    def flat_estimator(self, **params):
        """As :meth:`estimator`, reading flat rows of the samples."""
        return self.estimator(**self.flat_params, **params)

    def make_data(self, seed=0):
        """Fresh (X, y) of the estimator's own layout; y is None for transformers."""
        return self.make(self.sample_shape, seed)

    def make_flat_data(self, seed=0):
        """The same samples as :meth:`make_data`, as flat rows."""
        X, y = self.make_data(seed)
        return X.reshape(len(X), -1), y

    def fit(self, estimator, X, y, **kwargs):
        """``estimator.fit``, without y for transformers."""
        if y is None:
            return estimator.fit(X, **kwargs)
        return estimator.fit(X, y, **kwargs)

    def partial_fit(self, estimator, X, y, **kwargs):
        """``estimator.partial_fit``; a classifier's first call passes ``classes``."""
        if y is None:
            return estimator.partial_fit(X, **kwargs)
        if self.kind == "classifier" and not hasattr(estimator, "classes_"):
            kwargs["classes"] = np.unique(y)
        return estimator.partial_fit(X, y, **kwargs)

    @property
    def methods(self) -> tuple:
        """The methods that give the estimator's outputs for X."""
        return {
            "classifier": ("predict", "predict_proba", "predict_log_proba"),
            "regressor": ("predict",),
            "transformer": ("transform", "score_samples"),
        }[self.kind]

    @property
    def first_method(self) -> str:
        return self.methods[0]

    def outputs(self, estimator, X) -> list:
        """Every output of the fitted estimator for X, as arrays (transformers
        add the reconstruction of the codes)."""
        out = [getattr(estimator, method)(X) for method in self.methods]
        if self.kind == "transformer":
            out.append(estimator.inverse_transform(out[0]))
        return out

    def values(self, estimator, X) -> list:
        """The outputs that are numbers, not labels (to compare to a tolerance)."""
        out = self.outputs(estimator, X)
        return out[1:] if self.kind == "classifier" else out

    def score(self, estimator, X, y):
        return estimator.score(X) if y is None else estimator.score(X, y)

    def learnt_score(self, X, y) -> float:
        """A ``score`` only a model that learnt reaches (the small
        configurations do, on held-out ``make_data`` samples): 0.3 above the
        majority class's share, R² 0.5, or 80% of the error of reconstructing
        every sample as the mean sample."""
        if self.kind == "classifier":
            return np.bincount(y).max() / len(y) + 0.3
        if self.kind == "regressor":
            return 0.5
        flat = X.reshape(len(X), -1)
        return -0.8 * float(np.mean((flat - flat.mean(axis=0)) ** 2))


def _shape_message(fitted, got):
    """The CNNs' error for samples of shape ``got``, fitted on ``fitted``."""
    values = int(np.prod(fitted))
    fitted, got = (", ".join(map(str, shape)) for shape in (fitted, got))
    return (
        rf"fitted on samples of shape \({fitted}\) \({values} values\), got "
        rf"samples of shape \({got}\)"
    )


_MLP_ATTRIBUTES = ("coefs_", "intercepts_", "n_layers_")


# Grey images and sequences, as the CNNs and RNNs read them.
_IMAGES = dict(
    n_features_in=36,  # values per sample
    flat_params={"input_shape": (1, 6, 6)},
    wrong_shape=_narrower_samples,
    wrong_shape_message=_shape_message((1, 6, 6), (6, 5)),
    extra_attributes=("input_shape_",),
)
_SEQUENCES = dict(
    n_features_in=2,  # features per time step
    flat_params={"input_shape": (5, 2)},
    wrong_shape=lambda X: X[..., :1],
    wrong_shape_message=r"fitted on sequences of 2 feature\(s\) per time step",
    nan_message="NaN in some but not all features of a time step",
    random_params={"num_layers": 2},
    extra_attributes=("n_step_features_",),
)

# Tables: NaN is a missing value; sparse matrices are refused.
_TABLES = dict(
    n_features_in=4,
    nan_message=None,
    accepts_sparse=False,
    random_params={"dropout": 0.3},
    extra_attributes=("is_categorical_", "categories_"),
    frame_dtype=np.float32,
    lacks=("normalization",),
)

# Series of 2 channels: 3D X counts channels; NaN pads the ends of shorter
# series; the flat rows are univariate series, as a scaler gives them.
_SERIES = dict(
    n_features_in=2,
    wrong_shape=lambda X: X[:, :1],
    wrong_shape_message=r"fitted on series of 2 channel\(s\), got 1",
    nan_message="NaN in some but not all channels of a step",
    accepts_sparse=False,
    random_params={"dropout": 0.3, "hidden_layer_sizes": (8,)},
    extra_attributes=("n_channels_",),
    lacks=("normalization",),
)
# Adam for a few epochs, as the other small configurations (the shared tests
# count epochs; test_series.py tests the defaults' L-BFGS), on 168 kernel
# features, at a smaller step: at 0.03, float32 and float64 fits of the
# waves below ended 0.02 apart in probability. The classifier's penalty
# (10) for the classifier; a light one for the regressor (its default, 3000,
# is L-BFGS's on 10,000 features; at 10, its held-out R² after 15
# partial_fit steps was 0.37, against 0.91 at 0.01).
_SERIES_PARAMS = dict(
    _COMMON, n_kernel_features=168, learning_rate_init=0.01, solver="adam", alpha=10.0
)

REGISTRY = {
    entry.cls: entry
    for entry in [
        Entry(
            sknn.MLPClassifier,
            "classifier",
            _MLP,
            (4,),
            _labelled,
            n_features_in=4,
            extra_attributes=_MLP_ATTRIBUTES,
        ),
        Entry(
            sknn.MLPRegressor,
            "regressor",
            _MLP,
            (4,),
            _targets,
            n_features_in=4,
            extra_attributes=_MLP_ATTRIBUTES,
        ),
        Entry(
            sknn.CNNClassifier,
            "classifier",
            _CNN,
            (6, 6),  # grey images
            _labelled,
            **_IMAGES,
            random_params={"random_shift": 1, "random_flip": True},
        ),
        Entry(
            sknn.CNNRegressor,
            "regressor",
            dict(_CNN, max_iter=25),  # 15 epochs: R² barely 0.5 in 3-fold CV
            (2, 4, 4),  # two-channel images
            _targets,
            n_features_in=32,
            flat_params={"input_shape": (2, 4, 4)},
            wrong_shape=_narrower_samples,
            wrong_shape_message=_shape_message((2, 4, 4), (2, 4, 3)),
            random_params={"random_shift": 1},
            extra_attributes=("input_shape_",),
        ),
        Entry(sknn.RNNClassifier, "classifier", _RNN, (5, 2), _labelled, **_SEQUENCES),
        Entry(sknn.RNNRegressor, "regressor", _RNN, (5, 2), _targets, **_SEQUENCES),
        Entry(
            sknn.TabularClassifier,
            "classifier",
            _TABULAR,
            (4,),
            _labelled,
            **_TABLES,
        ),
        Entry(sknn.TabularRegressor, "regressor", _TABULAR, (4,), _targets, **_TABLES),
        Entry(
            sknn.SeriesClassifier,
            "classifier",
            _SERIES_PARAMS,
            (2, 12),
            _waves_labelled,
            **_SERIES,
        ),
        Entry(
            sknn.SeriesRegressor,
            "regressor",
            dict(_SERIES_PARAMS, alpha=0.01),
            (2, 12),
            _waves_targets,
            **_SERIES,
        ),
        Entry(
            sknn.Autoencoder,
            "transformer",
            dict(n_components=2, hidden_layer_sizes=(8,), **_COMMON),
            (6,),
            _low_rank,
            n_features_in=6,
            accepts_sparse=False,
            random_params={"noise": "gaussian", "variational": True},
        ),
        Entry(
            sknn.CNNAutoencoder,
            "transformer",
            # Without pooling, 15 epochs reconstruct well (test_cnn_autoencoder.py
            # has the pooling and up-sampling).
            dict(_COMMON, n_components=2, filters=(4,), pooling="none", max_iter=15),
            (6, 6),  # grey images
            _low_rank,
            **_IMAGES,
            accepts_sparse=False,
            random_params={"noise": "mask", "noise_level": 0.2, "variational": True},
        ),
    ]
}


def public_estimators() -> list[type]:
    """The estimator classes that ``sknn.__all__`` exports, in its order."""
    exported = [getattr(sknn, name) for name in sknn.__all__]
    return [
        obj
        for obj in exported
        if inspect.isclass(obj) and issubclass(obj, BaseEstimator)
    ]


class MissingEntry:
    """Stands for an exported estimator without a registry entry: any use of
    it fails the test, naming the estimator."""

    def __init__(self, cls):
        self.cls = cls
        self.name = cls.__name__

    def __getattr__(self, name):
        pytest.fail(
            f"{self.name} is in sknn.__all__ but has no entry in "
            "tests/conftest.py's REGISTRY: add one."
        )


def registry(kind=None, where=None):
    """``pytest.param`` of each exported estimator's registry entry, id'd by
    its class name, for ``@pytest.mark.parametrize("entry", registry())``.

    ``kind`` (a string or a tuple of them) and ``where`` (a predicate on the
    entry) select entries; an exported estimator without an entry is always
    selected, so that every test using the registry fails for it.
    """
    kinds = (kind,) if isinstance(kind, str) else kind
    params = []
    for cls in public_estimators():
        entry = REGISTRY.get(cls)
        if entry is None:
            params.append(pytest.param(MissingEntry(cls), id=cls.__name__))
            continue
        if kinds is not None and entry.kind not in kinds:
            continue
        if where is not None and not where(entry):
            continue
        params.append(pytest.param(entry, id=entry.name))
    return params


def module_state(estimator) -> dict:
    """A copy of the fitted module's parameters and buffers, on the CPU."""
    return {
        k: v.detach().cpu().clone() for k, v in estimator.module_.state_dict().items()
    }


def assert_same_module(a, b):
    """The two fitted estimators hold bit-for-bit the same network."""
    state_a, state_b = module_state(a), module_state(b)
    assert state_a.keys() == state_b.keys()
    for name, value in state_a.items():
        torch.testing.assert_close(value, state_b[name], rtol=0, atol=0, msg=name)


def assert_same_outputs(entry, a, b, X):
    """The two fitted estimators give bit-for-bit the same outputs for X."""
    for out_a, out_b in zip(entry.outputs(a, X), entry.outputs(b, X), strict=True):
        np.testing.assert_array_equal(out_a, out_b)


DOCS = Path(__file__).resolve().parent.parent / "docs"


def _code_blocks(page: str) -> list[str]:
    text = (DOCS / page).read_text()
    blocks = re.findall(r"\.\. code-block:: python\n\n((?:    .*\n|\n)+)", text)
    return [re.sub(r"^    ", "", block, flags=re.M) for block in blocks]


def run_docs_page(page: str, monkeypatch) -> types.ModuleType:
    """Run the ``python`` code blocks of a page of ``docs/`` in order, in a
    module of their own (so that the page's classes pickle); returns the
    module. (Blocks marked ``py`` are shown, not run.)"""
    blocks = _code_blocks(page)
    assert len(blocks) >= 3
    module = types.ModuleType("sknn_docs_page")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    for block in blocks:
        exec(compile(block, page, "exec"), module.__dict__)
    return module
