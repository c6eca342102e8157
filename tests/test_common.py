"""Every scikit-learn estimator check, on every public sknn estimator."""

import inspect

import pytest
from sklearn.base import BaseEstimator
from sklearn.utils.estimator_checks import parametrize_with_checks

import sknn


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


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_every_public_method_has_an_example(cls):
    assert "Examples" in cls.__doc__, f"{cls.__name__} has no Examples section"
