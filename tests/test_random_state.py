"""random_state makes fits reproducible and keeps the user's global RNGs untouched."""

import numpy as np
import pytest
import torch

from sknn import MLPClassifier, MLPRegressor

# Every source of randomness: initialisation, shuffling, dropout, the
# early-stopping split, and each solver's path.
CONFIGS = {
    "adam": {},
    "shuffle-off": {"shuffle": False},
    "dropout": {"dropout": 0.3},
    "batch_norm": {"batch_norm": True},
    "early_stopping": {"early_stopping": True},
    "sgd": {"solver": "sgd"},
    "lbfgs": {"solver": "lbfgs"},
}


def _fit(cls, data, **params):
    X, y = data
    params = {"hidden_layer_sizes": (8,), "max_iter": 10, **params}
    return cls(**params).fit(X, y)


def _data(cls, iris, regression_data):
    return iris if cls is MLPClassifier else regression_data


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize("config", CONFIGS)
def test_same_seed_same_model(cls, config, iris, regression_data):
    data = _data(cls, iris, regression_data)
    a = _fit(cls, data, random_state=0, **CONFIGS[config])
    b = _fit(cls, data, random_state=0, **CONFIGS[config])
    for coef_a, coef_b in zip(
        a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True
    ):
        np.testing.assert_array_equal(coef_a, coef_b)
    np.testing.assert_array_equal(a.predict(data[0]), b.predict(data[0]))
    assert a.n_iter_ == b.n_iter_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_random_state_instance_is_reproducible(iris):
    a = _fit(MLPClassifier, iris, dropout=0.2, random_state=np.random.RandomState(3))
    b = _fit(MLPClassifier, iris, dropout=0.2, random_state=np.random.RandomState(3))
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])
    np.testing.assert_array_equal(a.predict_proba(iris[0]), b.predict_proba(iris[0]))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("config", ["adam", "dropout", "lbfgs"])
def test_different_seeds_different_models(iris, config):
    a = _fit(MLPClassifier, iris, random_state=0, **CONFIGS[config])
    b = _fit(MLPClassifier, iris, random_state=1, **CONFIGS[config])
    assert not np.allclose(a.coefs_[0], b.coefs_[0])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_result_does_not_depend_on_global_seeds(iris):
    # The legacy global RNG is the very thing under test here.
    np.random.seed(1)  # noqa: NPY002
    torch.manual_seed(1)
    a = _fit(MLPClassifier, iris, dropout=0.2, random_state=0)
    np.random.seed(2)  # noqa: NPY002
    torch.manual_seed(2)
    b = _fit(MLPClassifier, iris, dropout=0.2, random_state=0)
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("config", ["adam", "dropout", "early_stopping", "lbfgs"])
def test_fit_and_predict_leave_global_rngs_unchanged(iris, config):
    X, y = iris
    np.random.seed(42)  # noqa: NPY002
    torch.manual_seed(42)
    numpy_state = np.random.get_state()  # noqa: NPY002
    torch_state = torch.get_rng_state()

    clf = _fit(MLPClassifier, iris, random_state=0, **CONFIGS[config])
    clf.predict_proba(X)
    if config in ("adam", "dropout"):  # the configs partial_fit accepts
        clf.partial_fit(X, y)

    after = np.random.get_state()  # noqa: NPY002
    assert after[0] == numpy_state[0]
    np.testing.assert_array_equal(after[1], numpy_state[1])
    assert after[2:] == numpy_state[2:]
    assert torch.equal(torch.get_rng_state(), torch_state)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_torch_rng_unchanged_even_without_random_state(iris):
    """random_state=None draws its seed from numpy's global RNG (as sklearn),
    but torch's global generator is still left alone."""
    torch.manual_seed(7)
    torch_state = torch.get_rng_state()
    _fit(MLPClassifier, iris, dropout=0.2, random_state=None)
    assert torch.equal(torch.get_rng_state(), torch_state)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_no_random_state_gives_different_models(iris):
    a = _fit(MLPClassifier, iris)
    b = _fit(MLPClassifier, iris)
    assert not np.allclose(a.coefs_[0], b.coefs_[0])
