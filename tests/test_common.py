"""Every scikit-learn estimator check, on every public sknn estimator."""

import inspect

import pytest
from conftest import REGISTRY, public_estimators
from sklearn.base import BaseEstimator
from sklearn.utils.estimator_checks import parametrize_with_checks

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


@parametrize_with_checks([cls(random_state=0) for cls in ESTIMATORS])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


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
