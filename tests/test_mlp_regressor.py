"""MLPRegressor: single and multi-output targets, its losses, and its
architecture options on regression."""

import numpy as np
import pytest
from sklearn.metrics import mean_poisson_deviance, r2_score

from sknn import MLPRegressor


def _split(X, y):
    """The first 150 samples to train on, the last 50 to score on."""
    return X[:150], X[150:], y[:150], y[150:]


# --------------------------------------------------------------------- targets
def test_single_output_regression_predicts_1d(regression_data):
    X, X_test, y, y_test = _split(*regression_data)
    reg = MLPRegressor(hidden_layer_sizes=(32,), solver="lbfgs", random_state=0).fit(
        X, y
    )
    pred = reg.predict(X_test)
    assert pred.shape == (50,)
    assert r2_score(y_test, pred) >= 0.95
    assert reg.n_outputs_ == 1
    assert reg.out_activation_ == "identity"


def test_column_target_predicts_1d_like_sklearn(regression_data):
    """y of shape (n, 1) gives 1D predictions, as sklearn's MLPRegressor."""
    X, y = regression_data
    reg = MLPRegressor(
        hidden_layer_sizes=(8,), solver="lbfgs", max_iter=50, random_state=0
    )
    assert reg.fit(X, y.reshape(-1, 1)).predict(X).shape == (200,)


def test_multi_output_regression(multioutput_regression_data):
    X, X_test, Y, Y_test = _split(*multioutput_regression_data)
    reg = MLPRegressor(hidden_layer_sizes=(32,), solver="lbfgs", random_state=0).fit(
        X, Y
    )
    pred = reg.predict(X_test)
    assert pred.shape == (50, 3)
    assert reg.n_outputs_ == 3
    assert r2_score(Y_test, pred) >= 0.95
    assert reg.score(X_test, Y_test) == pytest.approx(r2_score(Y_test, pred))


# --------------------------------------------------------- architecture
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_dropout_and_batch_norm_together_in_regression(regression_data):
    X, X_test, y, y_test = _split(*regression_data)
    reg = MLPRegressor(
        hidden_layer_sizes=(32,),
        dropout=0.1,
        normalization="batch",
        learning_rate_init=0.01,
        max_iter=100,
        random_state=0,
    ).fit(X, y)
    assert reg.score(X_test, y_test) >= 0.9


# ---------------------------------------------------------- regression losses
def test_poisson_loss_on_counts(count_data):
    X, X_test, y, y_test = _split(*count_data)
    reg = MLPRegressor("poisson", (16,), random_state=0).fit(X, y)
    assert reg.out_activation_ == "exp"
    pred = reg.predict(X_test)
    assert np.all(pred > 0)
    # Against predicting the training mean for every held-out sample; the true
    # mean, exp(X @ w), scores 0.76 of it on these 50 (0.78 reached).
    baseline = mean_poisson_deviance(y_test, np.full_like(y_test, y.mean()))
    assert mean_poisson_deviance(y_test, pred) < 0.85 * baseline


@pytest.mark.parametrize("loss", ["squared_error", "huber", "absolute_error"])
def test_every_regression_loss_fits(regression_data, loss):
    X, X_test, y, y_test = _split(*regression_data)
    reg = MLPRegressor(loss, (32,), solver="lbfgs", random_state=0).fit(X, y)
    assert reg.score(X_test, y_test) >= 0.95


@pytest.mark.parametrize("loss", ["huber", "absolute_error"])
def test_robust_losses_resist_outliers(regression_data, loss):
    """With a few huge outliers, huber/absolute_error fit the clean points better."""
    X, y = regression_data
    y_dirty = y.copy()
    y_dirty[:10] += 50.0
    params = dict(hidden_layer_sizes=(16,), solver="lbfgs", random_state=0)
    robust = MLPRegressor(loss, **params).fit(X, y_dirty)
    squared = MLPRegressor("squared_error", **params).fit(X, y_dirty)
    clean = slice(10, None)
    robust_error = np.median(np.abs(robust.predict(X[clean]) - y[clean]))
    squared_error = np.median(np.abs(squared.predict(X[clean]) - y[clean]))
    assert robust_error < squared_error


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("fit_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("predict_dtype", [np.float32, np.float64])
def test_predictions_come_in_scikit_learns_dtype(fit_dtype, predict_dtype):
    """float32 for float32 input to a float32 fit, float64 otherwise."""
    from sklearn.neural_network import MLPRegressor as SklearnMLP

    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(40, 3)), rng.normal(size=40)
    dtypes = [
        cls(max_iter=3, random_state=0)
        .fit(X.astype(fit_dtype), y)
        .predict(X.astype(predict_dtype))
        .dtype
        for cls in (MLPRegressor, SklearnMLP)
    ]
    assert dtypes[0] == dtypes[1]
