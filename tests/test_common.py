"""Every scikit-learn estimator check, on every public sknn estimator."""

import inspect

import pytest
from sklearn.base import BaseEstimator
from sklearn.utils.estimator_checks import parametrize_with_checks

import sknn
import sknn.modules


def _public_estimators():
    """Every estimator class that ``sknn`` exports, found automatically."""
    return [
        obj
        for _, obj in inspect.getmembers(sknn, inspect.isclass)
        if issubclass(obj, BaseEstimator)
    ]


ESTIMATORS = _public_estimators()


def test_estimators_are_found():
    names = {cls.__name__ for cls in ESTIMATORS}
    assert {"MLPClassifier", "MLPRegressor"} <= names


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
