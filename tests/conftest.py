"""Small, scaled float data sets shared by the test files.

Every fixture builds fresh arrays, so a test may modify what it gets without
affecting another test.
"""

import numpy as np
import pytest
import torch
from sklearn.datasets import (
    load_iris,
    make_classification,
    make_multilabel_classification,
    make_regression,
)
from sklearn.preprocessing import StandardScaler

# The test networks are tiny: a second intra-op thread costs more in
# synchronisation than it saves, and makes run times hostage to machine load.
torch.set_num_threads(1)


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
