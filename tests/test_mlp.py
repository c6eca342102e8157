"""What users rely on from sknn's MLPs: targets, labels, solvers, attributes,
stopping rules, incremental training, weights, logging, callbacks, devices."""

import warnings

import numpy as np
import pytest
import torch
from sklearn import neural_network
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import mean_poisson_deviance, r2_score
from skorch.callbacks import Callback, LRScheduler
from skorch.history import History

from sknn import MLPClassifier, MLPRegressor
from sknn.modules import ACTIVATIONS, MLP


class EpochCounter(Callback):
    """A user callback that counts the epochs it sees."""

    def __init__(self, n_epochs=0):
        self.n_epochs = n_epochs

    def on_epoch_end(self, net, **kwargs):
        self.n_epochs += 1


def _expected_auto_device() -> str:
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def _param_device(estimator) -> torch.device:
    return next(estimator.module_.parameters()).device


# --------------------------------------------------------------------- targets
def test_binary_classification(binary_data):
    X, y = binary_data
    clf = MLPClassifier((16,), solver="lbfgs", random_state=0).fit(X, y)
    assert clf.score(X, y) >= 0.95
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    assert clf.n_outputs_ == 1
    assert clf.out_activation_ == "logistic"
    assert clf.predict_proba(X).shape == (200, 2)


def test_multiclass_classification(iris):
    X, y = iris
    clf = MLPClassifier((16,), solver="lbfgs", random_state=0).fit(X, y)
    assert clf.score(X, y) >= 0.97
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.n_outputs_ == 3
    assert clf.out_activation_ == "softmax"
    assert clf.predict_proba(X).shape == (150, 3)


def test_multilabel_indicator_target(multilabel_data):
    X, Y = multilabel_data
    clf = MLPClassifier((32,), solver="lbfgs", max_iter=300, random_state=0)
    clf.fit(X, Y)
    pred = clf.predict(X)
    assert pred.shape == Y.shape
    assert set(np.unique(pred)) <= {0, 1}
    assert (pred == Y).mean() >= 0.9  # per-label (Hamming) accuracy
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.n_outputs_ == 3
    assert clf.out_activation_ == "logistic"
    proba = clf.predict_proba(X)
    assert proba.shape == Y.shape
    # One independent probability per label, consistent with predict.
    np.testing.assert_array_equal(proba > 0.5, pred.astype(bool))


@pytest.mark.parametrize(
    "labels",
    [
        np.array(["setosa", "versicolor", "virginica"]),
        np.array(["b", "a", "c"], dtype=object),
        np.array([30, -1, 7]),
        np.array([3.0, -1.0, 7.0]),
        np.array([10, 20]),
        np.array(["no", "yes"]),
        np.array([False, True]),
    ],
    ids=["str", "object", "int", "float", "int-binary", "str-binary", "bool"],
)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_predict_returns_original_labels(iris, labels):
    """predict returns the user's labels, of the user's type, not indices."""
    X, y = iris
    if len(labels) == 2:
        X, y = X[y < 2], y[y < 2]
    y_labels = labels[y]
    clf = MLPClassifier((16,), solver="lbfgs", random_state=0).fit(X, y_labels)
    np.testing.assert_array_equal(clf.classes_, np.unique(labels))
    pred = clf.predict(X)
    ref = neural_network.MLPClassifier((2,), max_iter=1).fit(X, y_labels)
    assert pred.dtype == ref.predict(X).dtype
    assert set(pred) <= set(labels)
    assert np.mean(pred == y_labels) >= 0.95


@pytest.mark.parametrize("n_classes", [2, 3])
def test_predict_proba_rows_sum_to_one_in_classes_order(iris, n_classes):
    X, y = iris
    X, y = X[y < n_classes], y[y < n_classes]
    # Labels whose sorted order differs from their order of appearance.
    labels = np.array(["zebra", "ant", "moose"])[y]
    clf = MLPClassifier((16,), solver="lbfgs", random_state=0).fit(X, labels)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), n_classes)
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))
    # Column j is the probability of classes_[j]: high on the samples of that class.
    for j, label in enumerate(clf.classes_):
        assert proba[labels == label, j].mean() > 0.8


@pytest.mark.parametrize("n_classes", [2, 3])
def test_predict_log_proba_is_log_of_predict_proba(iris, n_classes):
    X, y = iris
    X, y = X[y < n_classes], y[y < n_classes]
    clf = MLPClassifier((16,), solver="lbfgs", random_state=0).fit(X, y)
    log_proba = clf.predict_log_proba(X)
    assert log_proba.shape == (len(X), n_classes)
    assert np.all(log_proba <= 0)
    np.testing.assert_allclose(np.exp(log_proba), clf.predict_proba(X), rtol=1e-6)


def test_single_output_regression_predicts_1d(regression_data):
    X, y = regression_data
    reg = MLPRegressor(hidden_layer_sizes=(32,), solver="lbfgs", random_state=0).fit(
        X, y
    )
    pred = reg.predict(X)
    assert pred.shape == (200,)
    assert r2_score(y, pred) >= 0.95
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
    X, Y = multioutput_regression_data
    reg = MLPRegressor(hidden_layer_sizes=(32,), solver="lbfgs", random_state=0).fit(
        X, Y
    )
    pred = reg.predict(X)
    assert pred.shape == (200, 3)
    assert reg.n_outputs_ == 3
    assert r2_score(Y, pred) >= 0.95
    assert reg.score(X, Y) == pytest.approx(r2_score(Y, pred))


# ------------------------------------------------------- solvers and training
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "params",
    [
        {"solver": "adam", "learning_rate_init": 0.01},
        {"solver": "adamw", "learning_rate_init": 0.01},
        {"solver": "sgd", "learning_rate_init": 0.1},
        {"solver": "lbfgs"},
    ],
    ids=lambda p: p["solver"],
)
def test_every_solver_learns(iris, params):
    X, y = iris
    clf = MLPClassifier((16,), max_iter=100, random_state=0, **params).fit(X, y)
    assert clf.score(X, y) >= 0.95


def test_batch_size_larger_than_data_is_clipped_with_a_warning(iris):
    X, y = iris
    clf = MLPClassifier((8,), batch_size=1000, max_iter=2, random_state=0)
    with pytest.warns(UserWarning, match="batch_size` larger than sample size"):
        clf.fit(X, y)
    assert clf.t_ == 2 * len(X)


def test_predict_in_chunks_matches_row_by_row():
    """Long inputs are predicted chunk by chunk, with the same results."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(5000, 3))
    y = (X[:, 0] > 0).astype(int)
    clf = MLPClassifier((4,), solver="lbfgs", max_iter=20, random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (5000, 2)
    np.testing.assert_allclose(proba[-100:], clf.predict_proba(X[-100:]))
    np.testing.assert_array_equal(clf.predict(X)[:100], clf.predict(X[:100]))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "params",
    [
        {"learning_rate": "constant", "learning_rate_init": 0.1},
        {"learning_rate": "invscaling", "learning_rate_init": 1.0, "power_t": 0.25},
        {"learning_rate": "adaptive", "learning_rate_init": 0.1},
    ],
    ids=lambda p: p["learning_rate"],
)
def test_every_sgd_learning_rate_schedule_learns(iris, params):
    X, y = iris
    clf = MLPClassifier((16,), solver="sgd", max_iter=100, random_state=0, **params)
    assert clf.fit(X, y).score(X, y) >= 0.95


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_invscaling_decays_the_learning_rate_with_samples_seen(iris):
    X, y = iris
    clf = MLPClassifier(
        (8,),
        solver="sgd",
        learning_rate="invscaling",
        learning_rate_init=0.5,
        power_t=0.5,
        max_iter=5,
        random_state=0,
    ).fit(X, y)
    lr = clf.net_.optimizer_.param_groups[0]["lr"]
    assert lr == pytest.approx(0.5 / (clf.t_ + 1) ** 0.5)


def test_adaptive_divides_the_learning_rate_until_it_is_tiny(iris):
    """sklearn's rule: lr /= 5 on each plateau; stop once it is at most 1e-6."""
    X, y = iris
    params = dict(solver="sgd", learning_rate_init=0.1, tol=1e3, n_iter_no_change=1)
    constant = MLPClassifier((8,), random_state=0, **params).fit(X, y)
    adaptive = MLPClassifier((8,), learning_rate="adaptive", random_state=0, **params)
    adaptive.fit(X, y)
    assert constant.net_.optimizer_.param_groups[0]["lr"] == 0.1
    assert adaptive.net_.optimizer_.param_groups[0]["lr"] <= 1e-6
    assert constant.n_iter_ < adaptive.n_iter_ < 200


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_every_activation_learns(iris, activation):
    X, y = iris
    clf = MLPClassifier((16,), activation=activation, solver="lbfgs", random_state=0)
    assert clf.fit(X, y).score(X, y) >= 0.95
    assert clf.module_.activation == activation


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_dropout_trains_and_is_off_at_prediction(iris):
    X, y = iris
    clf = MLPClassifier(
        (32,), dropout=0.3, learning_rate_init=0.01, max_iter=100, random_state=0
    ).fit(X, y)
    assert any(isinstance(m, torch.nn.Dropout) for m in clf.module_.modules())
    assert clf.score(X, y) >= 0.93
    # Dropout is only active while training: predictions are deterministic.
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_batch_norm_trains_and_predicts_single_rows(iris):
    X, y = iris
    clf = MLPClassifier(
        (16,), batch_norm=True, learning_rate_init=0.01, max_iter=100, random_state=0
    ).fit(X, y)
    assert any(isinstance(m, torch.nn.BatchNorm1d) for m in clf.module_.modules())
    assert clf.score(X, y) >= 0.95
    # Running statistics at prediction: one row is scored like in a batch (to
    # float32 rounding on a GPU, where a single row takes other kernels).
    np.testing.assert_allclose(
        clf.predict_proba(X[:1]), clf.predict_proba(X)[:1], rtol=1e-5
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_dropout_and_batch_norm_together_in_regression(regression_data):
    X, y = regression_data
    reg = MLPRegressor(
        hidden_layer_sizes=(32,),
        dropout=0.1,
        batch_norm=True,
        learning_rate_init=0.01,
        max_iter=100,
        random_state=0,
    ).fit(X, y)
    assert reg.score(X, y) >= 0.9


# ---------------------------------------------------------- regression losses
def test_poisson_loss_on_counts(count_data):
    X, y = count_data
    reg = MLPRegressor("poisson", (16,), solver="lbfgs", random_state=0).fit(X, y)
    assert reg.out_activation_ == "exp"
    pred = reg.predict(X)
    assert np.all(pred > 0)
    baseline = mean_poisson_deviance(y, np.full_like(y, y.mean()))
    assert mean_poisson_deviance(y, pred) < 0.7 * baseline


@pytest.mark.parametrize("loss", ["squared_error", "huber", "absolute_error"])
def test_every_regression_loss_fits(regression_data, loss):
    X, y = regression_data
    reg = MLPRegressor(loss, (32,), solver="lbfgs", random_state=0).fit(X, y)
    assert reg.score(X, y) >= 0.95


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


# --------------------------------------------------------- fitted attributes
def _fit_pair(kind, data, **params):
    sk_cls, sknn_cls = {
        "classifier": (neural_network.MLPClassifier, MLPClassifier),
        "regressor": (neural_network.MLPRegressor, MLPRegressor),
    }[kind]
    X, y = data
    return sk_cls(**params).fit(X, y), sknn_cls(**params).fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "kind, data_fixture",
    [
        ("classifier", "binary_data"),
        ("classifier", "iris"),
        ("classifier", "multilabel_data"),
        ("regressor", "regression_data"),
        ("regressor", "multioutput_regression_data"),
    ],
)
def test_fitted_attributes_match_sklearn(kind, data_fixture, request):
    """Names, types and shapes of the fitted attributes are sklearn's."""
    data = request.getfixturevalue(data_fixture)
    ref, est = _fit_pair(kind, data, hidden_layer_sizes=(7, 5), max_iter=5)

    assert est.n_features_in_ == ref.n_features_in_
    assert est.n_layers_ == ref.n_layers_ == 4
    assert est.n_outputs_ == ref.n_outputs_
    assert est.out_activation_ == ref.out_activation_
    if kind == "classifier":
        np.testing.assert_array_equal(est.classes_, ref.classes_)
    assert isinstance(est.coefs_, list) and isinstance(est.intercepts_, list)
    assert [c.shape for c in est.coefs_] == [c.shape for c in ref.coefs_]
    assert [b.shape for b in est.intercepts_] == [b.shape for b in ref.intercepts_]
    assert all(isinstance(c, np.ndarray) for c in est.coefs_ + est.intercepts_)

    assert est.n_iter_ == ref.n_iter_ == 5
    assert len(est.loss_curve_) == est.n_iter_
    assert est.loss_ == pytest.approx(est.loss_curve_[-1])
    assert est.best_loss_ == pytest.approx(min(est.loss_curve_))
    assert est.validation_scores_ is None and ref.validation_scores_ is None
    assert est.best_validation_score_ is None and ref.best_validation_score_ is None
    assert est.t_ == ref.t_ == 5 * len(data[0])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "hidden_layer_sizes", [10, [5, 3], np.array([6]), ()], ids=repr
)
def test_hidden_layer_sizes_forms_like_sklearn(iris, hidden_layer_sizes):
    """An int, a list, an array or () (no hidden layer) give sklearn's layers."""
    ref, est = _fit_pair(
        "classifier", iris, hidden_layer_sizes=hidden_layer_sizes, max_iter=2
    )
    assert est.n_layers_ == ref.n_layers_
    assert [c.shape for c in est.coefs_] == [c.shape for c in ref.coefs_]


@pytest.mark.parametrize(
    "kind, target",
    [
        ("classifier", "multiclass"),
        ("classifier", "binary"),
        ("classifier", "multilabel"),
        ("regressor", "squared_error"),
        ("regressor", "poisson"),
    ],
)
def test_convex_case_reaches_sklearns_optimum(iris, count_data, kind, target):
    """Without hidden layers the problem is convex (a penalised GLM): both
    libraries must reach the same minimum of the same loss, which checks that
    the losses and the L2 penalty are scaled exactly as sklearn's."""
    X, y = iris
    params = dict(hidden_layer_sizes=(), solver="lbfgs", alpha=1.0, tol=1e-10)
    params.update(max_iter=2000, random_state=0)
    if target == "binary":
        y = (y > 0).astype(int)
    elif target == "multilabel":
        y = np.eye(3, dtype=int)[y]
    elif target == "squared_error":
        y = X[:, 0] - 2 * X[:, 1] + 0.1 * np.sin(10 * X[:, 2])
        params["loss"] = "squared_error"
    elif target == "poisson":
        X, y = count_data
        params["loss"] = "poisson"
    ref, est = _fit_pair(kind, (X, y), **params)
    assert est.loss_ == pytest.approx(ref.loss_, rel=1e-6)
    np.testing.assert_allclose(est.coefs_[0], ref.coefs_[0], atol=5e-3)
    method = "predict_proba" if kind == "classifier" else "predict"
    np.testing.assert_allclose(
        getattr(est, method)(X), getattr(ref, method)(X), atol=1e-3
    )


def test_coefs_are_the_layers_of_the_network(iris):
    """coefs_[i] @ ... reproduces predict_proba: same order and orientation."""
    X, y = iris
    clf = MLPClassifier((7, 5), solver="lbfgs", max_iter=50, random_state=0)
    clf.fit(X, y)
    hidden = X
    for W, b in zip(clf.coefs_[:-1], clf.intercepts_[:-1], strict=True):
        hidden = np.maximum(hidden @ W + b, 0)
    logits = hidden @ clf.coefs_[-1] + clf.intercepts_[-1]
    proba = np.exp(logits - logits.max(axis=1, keepdims=True))
    proba /= proba.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(proba, clf.predict_proba(X), rtol=1e-5, atol=1e-8)


def test_lbfgs_has_sklearns_attributes(iris):
    """lbfgs sets no per-epoch curves, exactly like sklearn."""
    X, y = iris
    ref, est = _fit_pair(
        "classifier", (X, y), hidden_layer_sizes=(8,), solver="lbfgs", max_iter=50
    )
    for name in [
        "loss_curve_",
        "best_loss_",
        "validation_scores_",
        "best_validation_score_",
    ]:
        assert hasattr(est, name) == hasattr(ref, name), name
    assert est.n_iter_ <= 50
    assert est.loss_ < 0.5


def test_module_and_history_types(iris):
    X, y = iris
    clf = MLPClassifier((8,), max_iter=3, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    assert isinstance(clf.module_, torch.nn.Module)
    assert isinstance(clf.module_, MLP)
    assert isinstance(clf.history_, History)
    assert len(clf.history_) == clf.n_iter_ == 3
    assert clf.history_[:, "train_loss"] == pytest.approx(clf.loss_curve_)


# ----------------------------------------------------------- stopping rules
def test_early_stopping_stops_before_max_iter(binary_data):
    X, y = binary_data
    clf = MLPClassifier(
        (16,),
        early_stopping=True,
        batch_size=16,
        learning_rate_init=0.01,
        n_iter_no_change=5,
        max_iter=300,
        random_state=0,
    ).fit(X, y)
    assert clf.n_iter_ < 300
    assert len(clf.validation_scores_) == clf.n_iter_ == len(clf.loss_curve_)
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_validation_score_ >= 0.85
    assert clf.best_loss_ is None
    assert clf.score(X, y) >= 0.9


def test_early_stopping_in_regression(regression_data):
    X, y = regression_data
    reg = MLPRegressor(
        hidden_layer_sizes=(16,),
        early_stopping=True,
        batch_size=16,
        learning_rate_init=0.01,
        n_iter_no_change=5,
        max_iter=300,
        random_state=0,
    ).fit(X, y)
    assert reg.n_iter_ < 300
    assert reg.best_validation_score_ == max(reg.validation_scores_)
    assert reg.best_validation_score_ >= 0.8  # R² on the held-out part


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("n_iter_no_change", [1, 3])
def test_n_iter_no_change_stops_like_sklearn(iris, n_iter_no_change, early_stopping):
    """With a tol no epoch can meet, training stops after the same number of
    epochs as sklearn: the first epoch, then n_iter_no_change + 1 misses."""
    X, y = iris
    with warnings.catch_warnings():
        # Stopping on a plateau is convergence: no ConvergenceWarning.
        warnings.simplefilter("error", ConvergenceWarning)
        ref, est = _fit_pair(
            "classifier",
            (X, y),
            hidden_layer_sizes=(8,),
            tol=1e3,
            n_iter_no_change=n_iter_no_change,
            early_stopping=early_stopping,
            random_state=0,
        )
    assert est.n_iter_ == ref.n_iter_ == n_iter_no_change + 2


def test_convergence_warning_at_max_iter(iris):
    X, y = iris
    clf = MLPClassifier((8,), max_iter=3, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(3\) reached"):
        clf.fit(X, y)
    assert clf.n_iter_ == 3


def test_convergence_warning_lbfgs(iris):
    X, y = iris
    reg = MLPClassifier((8,), solver="lbfgs", max_iter=2, random_state=0)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        reg.fit(X, y)


def test_convergence_warning_when_lbfgs_reaches_max_fun(iris):
    """max_fun caps lbfgs' loss evaluations; reaching it warns, as in sklearn."""
    X, y = iris
    clf = MLPClassifier((8,), solver="lbfgs", max_fun=5, random_state=0)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        clf.fit(X, y)
    assert clf.n_iter_ <= 5


# ------------------------------------------------ warm_start and partial_fit
def test_warm_start_continues_training(iris):
    X, y = iris
    clf = MLPClassifier((8,), max_iter=5, warm_start=True, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    first_curve = list(clf.loss_curve_)
    first_coefs = clf.coefs_
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    # As scikit-learn: n_iter_ counts this call's epochs, the curve goes on.
    assert clf.n_iter_ == 5
    assert len(clf.loss_curve_) == 10
    assert clf.loss_curve_[:5] == pytest.approx(first_curve)
    # It went on from the weights it had: the loss kept decreasing.
    assert clf.loss_curve_[5] < first_curve[0]
    assert not np.allclose(clf.coefs_[0], first_coefs[0])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_refit_without_warm_start_starts_over(iris):
    X, y = iris
    clf = MLPClassifier((8,), max_iter=5, random_state=0)
    first = clf.fit(X, y).loss_curve_
    second = clf.fit(X, y).loss_curve_
    assert clf.n_iter_ == 5
    assert second == pytest.approx(first)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_warm_start_refuses_fewer_classes(iris):
    X, y = iris
    clf = MLPClassifier((8,), max_iter=2, warm_start=True, random_state=0)
    clf.fit(X, y)
    with pytest.raises(ValueError, match="warm_start can only be used where `y` has"):
        clf.fit(X[y < 2], y[y < 2])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_warm_start_refuses_new_classes(iris):
    X, y = iris
    clf = MLPClassifier((8,), max_iter=2, warm_start=True, random_state=0)
    clf.fit(X[y < 2], y[y < 2])
    with pytest.raises(ValueError, match="classes"):
        clf.fit(X, y)


def test_partial_fit_runs_one_epoch_per_call(iris):
    X, y = iris
    clf = MLPClassifier((8,), random_state=0)
    for call in range(1, 4):
        clf.partial_fit(X, y, classes=[0, 1, 2])
        assert len(clf.loss_curve_) == call
        assert clf.n_iter_ == 1  # as scikit-learn: the epochs of this call
        assert clf.t_ == call * len(X)


def test_partial_fit_learns_from_mini_batches(iris):
    X, y = iris
    rng = np.random.RandomState(0)
    clf = MLPClassifier((16,), learning_rate_init=0.01, random_state=0)
    for _ in range(40):
        batch = rng.choice(len(X), size=50, replace=False)
        clf.partial_fit(X[batch], y[batch], classes=np.unique(y))
    assert clf.score(X, y) >= 0.9


def test_partial_fit_regressor(regression_data):
    X, y = regression_data
    reg = MLPRegressor(
        hidden_layer_sizes=(16,), learning_rate_init=0.01, random_state=0
    )
    for _ in range(30):
        reg.partial_fit(X, y)
    assert len(reg.loss_curve_) == 30
    assert reg.score(X, y) >= 0.8


def test_partial_fit_classes_may_be_missing_from_a_batch(iris):
    X, y = iris
    clf = MLPClassifier((8,), random_state=0)
    clf.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.predict_proba(X).shape == (150, 3)
    clf.partial_fit(X[y == 2], y[y == 2])
    assert len(clf.loss_curve_) == 2


def test_partial_fit_requires_classes_on_first_call(iris):
    X, y = iris
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        MLPClassifier().partial_fit(X, y)


def test_partial_fit_refuses_early_stopping(iris):
    X, y = iris
    clf = MLPClassifier(early_stopping=True)
    with pytest.raises(ValueError, match="early_stopping"):
        clf.partial_fit(X, y, classes=[0, 1, 2])


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_partial_fit_refuses_lbfgs(iris, cls):
    """As scikit-learn's MLPs: with L-BFGS, partial_fit does not exist."""
    X, y = iris
    model = cls(solver="lbfgs")
    assert not hasattr(model, "partial_fit")
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as info:
        kwargs = {"classes": [0, 1, 2]} if cls is MLPClassifier else {}
        model.partial_fit(X, y, **kwargs)
    assert "stochastic solver" in str(info.value.__cause__)


def test_partial_fit_refuses_labels_outside_classes(iris):
    X, y = iris
    with pytest.raises(ValueError, match=r"labels \[2\] that are not in classes"):
        MLPClassifier().partial_fit(X, y, classes=[0, 1])
    clf = MLPClassifier().partial_fit(X[y < 2], y[y < 2], classes=[0, 1])
    with pytest.raises(ValueError, match=r"`y` has classes not in `self\.classes_`"):
        clf.partial_fit(X, y)


# ------------------------------------------------------------------ weights
def _overlapping_binary():
    """Two overlapping classes with equal counts: weights tip the balance."""
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(-0.5, 1, size=(100, 2)), rng.normal(0.5, 1, size=(100, 2))]
    return X, np.r_[np.zeros(100, dtype=int), np.ones(100, dtype=int)]


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_zero_sample_weight_equals_dropping_rows(binary_data, solver):
    X, y = binary_data
    weight = np.ones(len(y))
    weight[::3] = 0
    keep = weight > 0
    params = dict(
        hidden_layer_sizes=(8,),
        solver=solver,
        # batch_size="auto" is min(200, n_samples): one full batch either way, so
        # both fits take the same steps.
        shuffle=False,
        max_iter=30,
        random_state=0,
    )
    weighted = MLPClassifier(**params).fit(X, y, sample_weight=weight)
    dropped = MLPClassifier(**params).fit(X[keep], y[keep])
    # lbfgs amplifies rounding differences over its iterations: compare loosely.
    atol = 1e-6 if solver == "adam" else 1e-2
    np.testing.assert_allclose(
        weighted.predict_proba(X), dropped.predict_proba(X), atol=atol
    )


def test_zero_sample_weight_equals_dropping_rows_regressor(regression_data):
    X, y = regression_data
    weight = np.where(np.arange(len(y)) % 4 == 0, 0.0, 1.0)
    keep = weight > 0
    params = dict(hidden_layer_sizes=(8,), shuffle=False, max_iter=30, random_state=0)
    with pytest.warns(ConvergenceWarning):
        weighted = MLPRegressor(**params).fit(X, y, sample_weight=weight)
    with pytest.warns(ConvergenceWarning):
        dropped = MLPRegressor(**params).fit(X[keep], y[keep])
    np.testing.assert_allclose(weighted.predict(X), dropped.predict(X), atol=1e-6)


def test_sample_weight_shifts_predictions_to_heavy_class():
    X, y = _overlapping_binary()
    params = dict(hidden_layer_sizes=(8,), solver="lbfgs", random_state=0)
    plain = MLPClassifier(**params).fit(X, y)
    heavy_ones = MLPClassifier(**params).fit(X, y, sample_weight=np.where(y, 10, 1))
    assert heavy_ones.predict(X).mean() > plain.predict(X).mean() + 0.1


def test_class_weight_dict_shifts_predictions_and_equals_sample_weight():
    X, y = _overlapping_binary()
    params = dict(hidden_layer_sizes=(8,), solver="lbfgs", random_state=0)
    plain = MLPClassifier(**params).fit(X, y)
    weighted = MLPClassifier(class_weight={0: 1, 1: 10}, **params).fit(X, y)
    assert weighted.predict(X).mean() > plain.predict(X).mean() + 0.1
    by_sample = MLPClassifier(**params).fit(X, y, sample_weight=np.where(y, 10, 1))
    np.testing.assert_allclose(
        weighted.predict_proba(X), by_sample.predict_proba(X), atol=1e-6
    )


def test_class_weight_balanced_raises_minority_recall():
    X, y = _overlapping_binary()
    keep = np.r_[np.arange(0, 100, 5), np.arange(100, 200)]  # 20 zeros, 100 ones
    X, y = X[keep], y[keep]
    params = dict(hidden_layer_sizes=(8,), solver="lbfgs", random_state=0)
    plain = MLPClassifier(**params).fit(X, y)
    balanced = MLPClassifier(class_weight="balanced", **params).fit(X, y)
    minority = y == 0
    plain_recall = np.mean(plain.predict(X[minority]) == 0)
    balanced_recall = np.mean(balanced.predict(X[minority]) == 0)
    assert balanced_recall > plain_recall + 0.1


# ----------------------------------------------------------------- logging
def test_verbose_prints_sklearns_iteration_lines(iris, capsys):
    X, y = iris
    clf = MLPClassifier((8,), max_iter=3, verbose=True, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.strip()]
    assert len(lines) == 3
    for i, (line, loss) in enumerate(zip(lines, clf.loss_curve_, strict=True)):
        assert line.startswith(f"Iteration {i + 1}, loss = ")
        assert float(line.split("=")[1]) == pytest.approx(loss, abs=1e-7)


def test_verbose_prints_validation_score_with_early_stopping(iris, capsys):
    X, y = iris
    clf = MLPClassifier((8,), max_iter=2, verbose=True, early_stopping=True)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    out = capsys.readouterr().out
    assert out.count("Validation score:") == 2
    assert "Iteration 2, loss = " in out


def test_silent_by_default(iris, capsys):
    X, y = iris
    with pytest.warns(ConvergenceWarning):
        MLPClassifier((8,), max_iter=2).fit(X, y)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_verbose_2_shows_a_progress_bar(iris, capsys):
    X, y = iris
    clf = MLPClassifier((8,), max_iter=2, verbose=2, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    captured = capsys.readouterr()
    assert "Iteration 2, loss = " in captured.out
    assert "it/s" in captured.err  # tqdm's bar
    assert clf.n_iter_ == 2


# ---------------------------------------------------------------- callbacks
def test_user_lr_scheduler_is_used_and_not_mutated(iris):
    X, y = iris
    scheduler = LRScheduler(policy="StepLR", step_size=1, gamma=0.5)
    clf = MLPClassifier(
        (8,),
        solver="sgd",
        learning_rate_init=0.1,
        max_iter=4,
        callbacks=[scheduler],
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    assert clf.history_[:, "event_lr"] == pytest.approx([0.1, 0.05, 0.025, 0.0125])
    assert not hasattr(scheduler, "lr_scheduler_")  # the fit used a copy
    assert clf.callbacks[0] is scheduler


def test_user_callback_is_cloned_per_fit(iris):
    X, y = iris
    counter = EpochCounter()
    clf = MLPClassifier((8,), max_iter=3, callbacks=[("counter", counter)])
    for _ in range(2):
        with pytest.warns(ConvergenceWarning):
            clf.fit(X, y)
        used = dict(clf.net_.callbacks_)["counter"]
        assert used is not counter
        assert used.n_epochs == 3  # a fresh copy each fit, not cumulative
    assert counter.n_epochs == 0


def test_unnamed_user_callback_runs(iris):
    X, y = iris
    clf = MLPClassifier((8,), max_iter=2, callbacks=[EpochCounter()])
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    counters = [cb for _, cb in clf.net_.callbacks_ if isinstance(cb, EpochCounter)]
    assert [c.n_epochs for c in counters] == [2]


# ------------------------------------------------------------------- device
def test_cpu_device(iris):
    X, y = iris
    clf = MLPClassifier((8,), solver="lbfgs", device="cpu", random_state=0)
    assert clf.fit(X, y).score(X, y) >= 0.95
    assert _param_device(clf).type == "cpu"


def test_auto_device_picks_the_best_available(iris):
    X, y = iris
    clf = MLPClassifier((8,), solver="lbfgs", max_iter=20, random_state=0)
    assert clf.device == "auto"
    clf.fit(X, y)
    assert _param_device(clf).type == _expected_auto_device()
    assert isinstance(clf.predict(X), np.ndarray)


@pytest.mark.parametrize("device", ["tpu", "gpu", "cuda:x", "meta", ""])
def test_invalid_device_raises(iris, device):
    X, y = iris
    with pytest.raises(ValueError, match="device must be 'auto', 'cpu', 'cuda'"):
        MLPClassifier(device=device).fit(X, y)


@pytest.mark.parametrize("device", ["cuda", "cuda:0"])
def test_cuda_without_cuda_raises(iris, device, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    X, y = iris
    with pytest.raises(ValueError, match="CUDA is not available"):
        MLPClassifier(device=device).fit(X, y)


def test_mps_without_mps_raises(iris, monkeypatch):
    mps = getattr(torch.backends, "mps", None)
    if mps is not None:
        monkeypatch.setattr(mps, "is_available", lambda: False)
    X, y = iris
    with pytest.raises(ValueError, match="MPS is not available"):
        MLPClassifier(device="mps").fit(X, y)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_trains_and_predicts_on_cuda(iris, cls):
    X, y = iris
    est = cls(hidden_layer_sizes=(16,), solver="lbfgs", device="cuda", random_state=0)
    est.fit(X, y)
    assert _param_device(est).type == "cuda"
    pred = est.predict(X)
    assert isinstance(pred, np.ndarray)
    assert est.score(X, y) >= 0.9
    assert all(isinstance(c, np.ndarray) for c in est.coefs_)
