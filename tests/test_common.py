"""Every scikit-learn estimator check, on every public sknn estimator: in a
small configuration, and with its defaults."""

import inspect
from pathlib import Path

import pytest
from conftest import REGISTRY, SHARED_FIXTURE_MODULES, public_estimators
from sklearn.base import BaseEstimator, clone
from sklearn.utils.estimator_checks import (
    estimator_checks_generator,
    parametrize_with_checks,
)

import sknn
import sknn.modules


def _public_estimators():
    """Every estimator class in the ``sknn`` namespace, found automatically."""
    return [
        obj
        for _, obj in inspect.getmembers(sknn, inspect.isclass)
        if issubclass(obj, BaseEstimator)
    ]


ESTIMATORS = _public_estimators()


def _exported_estimator_classes():
    """The classes named in ``sknn.__all__``, read from it directly."""
    exported = [getattr(sknn, name) for name in sknn.__all__]
    return {obj for obj in exported if inspect.isclass(obj)}


def test_checked_estimators_are_exactly_those_of_sknn_all():
    """An estimator exported but not checked, or checked but not exported,
    fails here."""
    exported = _exported_estimator_classes()
    assert set(ESTIMATORS) == exported
    assert {cls.__name__ for cls in ESTIMATORS} >= {
        "MLPClassifier",
        "MLPRegressor",
        "CNNClassifier",
        "CNNRegressor",
        "RNNClassifier",
        "RNNRegressor",
        "Autoencoder",
        "CNNAutoencoder",
    }
    # Every class in __all__ is an estimator; the rest of __all__ is metadata.
    assert all(issubclass(cls, BaseEstimator) for cls in exported)
    assert set(sknn.__all__) - {cls.__name__ for cls in exported} == {"__version__"}


def test_registry_has_an_entry_for_every_exported_estimator():
    """The registry of tests/conftest.py drives the tests of every shared
    concern (errors, seeding, pickling, compatibility): an estimator missing
    from it would silently escape them."""
    exported = _exported_estimator_classes()
    missing = sorted(cls.__name__ for cls in exported - set(REGISTRY))
    assert not missing, f"no registry entry in tests/conftest.py for {missing}"
    assert set(REGISTRY) == exported
    assert set(public_estimators()) == exported
    for cls, entry in REGISTRY.items():
        assert entry.cls is cls
        assert entry.kind in ("classifier", "regressor", "transformer")
        # The small configuration is made of real constructor parameters.
        assert set(entry.params) <= set(cls().get_params()), cls.__name__
        assert set(entry.flat_params) <= set(cls().get_params()), cls.__name__
        assert set(entry.random_params) <= set(cls().get_params()), cls.__name__


def test_the_modules_sent_whole_to_one_worker_exist():
    """conftest.py's scheduler sends these whole to one pytest-xdist worker
    by path: a renamed module would split silently, its fixture started on
    every worker."""
    root = Path(__file__).resolve().parent.parent
    for module in SHARED_FIXTURE_MODULES:
        assert (root / module).is_file(), module


# Every check on each estimator's small configuration (tests/conftest.py's
# registry: a few epochs of a tiny network), as scikit-learn runs its checks
# on a shrunk MLP of its own (``max_iter=100``, and parameters of its own for
# some checks: sklearn/utils/_test_common/instance_generator.py). The
# defaults are checked below.
SMALL = [entry.estimator() for entry in REGISTRY.values()]

# Parameters for one check on one estimator's small configuration, as
# scikit-learn gives its own MLPRegressor solver="sgd" for the sample-weight
# check: Adam divides by the root of its running squared gradients, which
# magnifies the float64 rounding that separates a weight of 2 from a repeated
# row (predictions 5e-7 apart after 25 epochs of the tiny CNN, 3e-4 relative,
# against the check's 1e-7); and 10 epochs of the tiny RNN leave R² below the
# check's 0.5 on its one-informative-feature regression (60, the
# RNNClassifier's default, pass).
CHECK_PARAMS = {
    (sknn.CNNRegressor, "check_sample_weight_equivalence_on_dense_data"): {
        "solver": "sgd"
    },
    (sknn.CNNRegressor, "check_sample_weight_equivalence_on_sparse_data"): {
        "solver": "sgd"
    },
    (sknn.RNNRegressor, "check_regressors_train"): {"max_iter": 60},
}


# Checks that compare two fits, or two orders or subsets of the rows, to
# float64's rounding (rtol 1e-7, atol 1e-7 or 1e-9): float32 arithmetic
# (machine epsilon 1.2e-7) cannot meet those tolerances, in sknn as in any
# float32 network, since one rounding differs when rows come in another
# batch or a weight of 2 replaces a repeated row. The networks that compute
# in float32 by default take them in float64, where what they test (weights
# are repetitions; a row's output does not depend on the others) is exact.
FLOAT64_CHECKS = {
    "check_sample_weight_equivalence_on_dense_data",
    "check_sample_weight_equivalence_on_sparse_data",
    "check_methods_subset_invariance",
    "check_methods_sample_order_invariance",
}


def _check_params(estimator, check) -> dict:
    """The parameters ``estimator`` takes for ``check`` (CHECK_PARAMS, and
    float64 for the checks of float64's rounding)."""
    name = check.func.__name__
    params = dict(CHECK_PARAMS.get((type(estimator), name), {}))
    if name in FLOAT64_CHECKS and estimator.dtype == "float32":
        params["dtype"] = "float64"
    return params


@parametrize_with_checks(SMALL)
def test_sklearn_compatible_estimator(estimator, check):
    params = _check_params(estimator, check)
    if params:
        # A copy: the other checks of this estimator share the instance.
        estimator = clone(estimator).set_params(**params)
    check(estimator)


# The defaults pass every check too (the promise of the README): the checks of
# what training gives, which the configuration decides, run on every default
# estimator here. The others check how input is read and validated, which
# no parameter of these changes, and pass above. What a default configuration
# adds to the small one (a held-out split for early stopping, batch and
# weight normalisation, ensembles, learning-rate schedules, batch sizes that
# depend on the data) meets here: fitting one sample, one feature or one
# class; learning the checks' data; weights that equal repeated rows; the
# same model from the same seed, in any row order, in a pipeline or on a
# subset; labels and targets in every format; n_iter_; pickling.
# The others are marked ``exhaustive``: ``bash scripts/test.sh -m exhaustive``
# runs them on the defaults (CI does, with the figures).
DEFAULT_TRAINING_CHECKS = {
    "check_classifiers_train",
    "check_regressors_train",
    "check_transformer_general",
    "check_sample_weight_equivalence_on_dense_data",
    "check_fit_idempotent",
    "check_methods_subset_invariance",
    "check_methods_sample_order_invariance",
    "check_pipeline_consistency",
    "check_fit2d_1sample",
    "check_fit2d_1feature",
    "check_classifiers_one_label",
    "check_classifiers_one_label_sample_weights",
    "check_classifiers_classes",
    "check_class_weight_classifiers",
    "check_classifiers_multilabel_representation_invariance",
    "check_supervised_y_2d",
    "check_regressor_multioutput",
    "check_non_transformer_estimators_n_iter",
    "check_transformer_n_iter",
    "check_estimators_pickle",
}


def _check_id(estimator, check) -> str:
    """The id scikit-learn gives a check: the estimator, the check's function
    and the keywords of its variant, e.g.
    ``MLPClassifier-check_classifiers_train(readonly_memmap=True)``."""
    keywords = ",".join(f"{k}={v}" for k, v in check.keywords.items())
    name = check.func.__name__ + (f"({keywords})" if keywords else "")
    return f"{type(estimator).__name__}-{name}"


def _default_checks():
    """Every check of every default estimator: those of training, and (marked
    ``exhaustive``) the others."""
    params = []
    for cls in ESTIMATORS:
        for estimator, check in estimator_checks_generator(
            cls(random_state=0), legacy=True
        ):
            # The read-only memmap and float32 variants of a check vary how
            # its input comes, not the training.
            training = (
                check.func.__name__ in DEFAULT_TRAINING_CHECKS and not check.keywords
            )
            marks = () if training else (pytest.mark.exhaustive,)
            params.append(
                pytest.param(
                    estimator, check, id=_check_id(estimator, check), marks=marks
                )
            )
    return params


DEFAULT_CHECKS = _default_checks()


@pytest.mark.slow
@pytest.mark.parametrize("estimator, check", DEFAULT_CHECKS)
def test_the_defaults_pass_the_check(estimator, check):
    if check.func.__name__ in FLOAT64_CHECKS and estimator.dtype == "float32":
        estimator = clone(estimator).set_params(dtype="float64")
    check(estimator)


def test_every_default_training_check_is_a_real_check():
    """A misspelt name would drop its check from the defaults' run unseen."""
    found = {check.func.__name__ for _, check in (p.values for p in DEFAULT_CHECKS)}
    assert found >= DEFAULT_TRAINING_CHECKS, DEFAULT_TRAINING_CHECKS - found
    assert {type(p.values[0]) for p in DEFAULT_CHECKS} == set(ESTIMATORS)
    # Each estimator meets the training checks that apply to it.
    for cls in ESTIMATORS:
        names = {
            p.values[1].func.__name__
            for p in DEFAULT_CHECKS
            if type(p.values[0]) is cls and not p.marks
        }
        assert names >= {"check_fit_idempotent", "check_fit2d_1sample"}, cls


def _documented_objects():
    """Public classes of sknn, and the public estimator methods written in sknn
    (scikit-learn's own, like ``score``, keep their docs; torch modules keep
    torch's ``forward``)."""
    modules = [getattr(sknn.modules, name) for name in sknn.modules.__all__]
    objects = [(cls.__name__, cls) for cls in modules if inspect.isclass(cls)]
    for cls in ESTIMATORS:
        objects.append((cls.__name__, cls))
        for name, member in inspect.getmembers(cls, inspect.isfunction):
            if not name.startswith("_") and member.__module__.startswith("sknn"):
                objects.append((f"{cls.__name__}.{name}", member))
    return objects


@pytest.mark.parametrize(
    "name, obj", _documented_objects(), ids=[n for n, _ in _documented_objects()]
)
def test_public_api_has_numpydoc_examples(name, obj):
    doc = inspect.getdoc(obj) or ""
    assert "Examples\n--------" in doc, f"{name} has no Examples section"
    assert ">>> " in doc, f"{name} has no runnable example"
