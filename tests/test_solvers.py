"""The solvers and their learning-rate schedules: every solver trains every
estimator; the schedules follow scikit-learn's rules."""

import warnings

import numpy as np
import pytest
from conftest import registry
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback

from sknn import MLPClassifier

RATES: dict = {}


class Recorder(Callback):
    """Records the learning rate after each epoch (once the estimator's own
    schedules have set it) in ``RATES[key]``: the estimator trains with a
    deep copy of each callback, so the record is kept outside it."""

    def __init__(self, key):
        self.key = key

    def on_epoch_end(self, net, **kwargs):
        RATES.setdefault(self.key, []).append(net.optimizer_.param_groups[0]["lr"])


def _rates(key):
    return RATES.pop(key, [])


# The solvers, with settings that learn the registry's data in 15 epochs.
SOLVERS = {
    "adam": {"solver": "adam"},
    "adamw": {"solver": "adamw"},
    "sgd": {"solver": "sgd", "learning_rate_init": 0.03, "batch_size": 20},
    "lbfgs": {"solver": "lbfgs"},
}


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("entry", registry())
def test_every_solver_learns(entry, solver):
    X, y = entry.make_data()
    X_test, y_test = entry.make_data(seed=1)
    est = entry.fit(entry.estimator(**SOLVERS[solver]), X, y)
    assert entry.score(est, X_test, y_test) >= entry.learnt_score(X_test, y_test)


@pytest.mark.parametrize("entry", registry())
def test_batch_size_larger_than_data_is_clipped_with_a_warning(entry):
    X, y = entry.make_data()
    est = entry.estimator(batch_size=1000, max_iter=2)
    with pytest.warns(UserWarning, match="batch_size` larger than sample size"):
        entry.fit(est, X, y)
    assert est.t_ == 2 * len(X)
    assert len(est.history_[-1, "batches"]) == 1  # one batch of every sample


@pytest.mark.parametrize("entry", registry())
def test_lbfgs_warns_when_it_does_not_converge(entry):
    """max_iter caps L-BFGS's iterations, max_fun its loss evaluations:
    reaching either warns, as in scikit-learn."""
    X, y = entry.make_data()
    est = entry.estimator(solver="lbfgs", max_iter=2)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        entry.fit(est, X, y)
    assert est.n_iter_ == 2
    est = entry.estimator(solver="lbfgs", max_iter=200, max_fun=5)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        entry.fit(est, X, y)
    assert est.n_iter_ <= 5


@pytest.mark.parametrize("limit", [{"max_iter": 3}, {"max_fun": 4}])
def test_lbfgs_warnings_are_scikit_learns(limit):
    """Word for word: scipy's reason and scikit-learn's advice."""
    from sklearn.neural_network import MLPRegressor as SklearnRegressor

    from sknn import MLPRegressor

    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 4))
    y = X @ rng.normal(size=4) + np.sin(3 * X[:, 0])
    messages = []
    for cls in (MLPRegressor, SklearnRegressor):
        with pytest.warns(ConvergenceWarning) as record:
            model = cls(solver="lbfgs", random_state=0, **limit).fit(X, y)
        # The iteration counts of two optimizers may differ at max_fun.
        messages.append(str(record[0].message).replace(str(model.n_iter_), "N", 1))
    assert messages[0] == messages[1]


@pytest.mark.parametrize(
    "status, n_iter, message",
    [
        (2, 37, "ABNORMAL: "),
        (1, 200, "STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT"),
        (1, 12, "STOP: TOTAL NO. OF F,G EVALUATIONS EXCEEDS LIMIT"),
    ],
)
def test_lbfgs_warning_is_scikit_learns_for_every_scipy_stop(status, n_iter, message):
    """L-BFGS is scipy's, as in scikit-learn: whatever scipy reports (a failed
    line search among them), the warning says it as scikit-learn does."""
    from scipy.optimize import OptimizeResult
    from sklearn.utils.optimize import _check_optimize_result

    from sknn._stopping import lbfgs_warning

    result = OptimizeResult(status=status, nit=n_iter, message=message)
    with pytest.warns(ConvergenceWarning) as record:
        _check_optimize_result("lbfgs", result, max_iter=200)
    report = {"status": status, "n_iter": n_iter, "message": message}
    assert lbfgs_warning(report, max_iter=200) == str(record[0].message)
    assert lbfgs_warning({**report, "status": 0}, max_iter=200) is None


class _FirstWeights(Callback):
    """Keep the module's weights as training begins."""

    def on_train_begin(self, net, **kwargs):
        self.weights_ = [p.detach().clone() for p in net.module_.parameters()]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_lbfgs_is_scipys_as_in_scikit_learn(iris):
    """sknn's L-BFGS is scipy's L-BFGS-B with scikit-learn's options: from
    the same weights, on the same float64 loss, it runs scikit-learn's
    iterations to scikit-learn's weights."""
    from sklearn.neural_network import MLPClassifier as SklearnClassifier
    from sklearn.preprocessing import StandardScaler

    from sknn import MLPClassifier

    X, y = iris
    X = StandardScaler().fit_transform(X)
    params = dict(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=30, random_state=0)
    ours = MLPClassifier(**params, callbacks=[_FirstWeights()]).fit(X, y)
    theirs = SklearnClassifier(**{**params, "max_iter": 1}).fit(X, y)  # its shapes
    first = dict(ours.net_.callbacks_)["_FirstWeights_0"].weights_
    theirs.coefs_ = [w.T.numpy().copy() for w in first[0::2]]
    theirs.intercepts_ = [b.numpy().copy() for b in first[1::2]]
    theirs.set_params(warm_start=True, max_iter=30).fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_ == 30
    assert ours.loss_ < 0.2
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-6)
    for ours_w, theirs_w in zip(ours.coefs_, theirs.coefs_, strict=True):
        np.testing.assert_allclose(ours_w, theirs_w, rtol=1e-4, atol=1e-6)


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
@pytest.mark.parametrize("entry", registry())
def test_invscaling_decays_the_learning_rate_with_samples_seen(entry):
    """After each epoch: learning_rate_init / (t + 1) ** power_t, with t the
    samples seen so far, across partial_fit calls too."""
    X, y = entry.make_data()
    est = entry.estimator(
        solver="sgd",
        learning_rate="invscaling",
        learning_rate_init=0.05,  # 0.5 blows the CNN regressor's weights up
        power_t=0.5,
        max_iter=4,
        batch_size=40,
        callbacks=[Recorder(entry.name)],
    )
    entry.fit(est, X, y)
    entry.partial_fit(est, X, y)
    rates = _rates(entry.name)
    n = len(X)
    assert rates == pytest.approx([0.05 / (k * n + 1) ** 0.5 for k in range(1, 6)])
    assert est.t_ == 5 * n


def test_sgd_constant_keeps_the_learning_rate(iris):
    X, y = iris
    clf = MLPClassifier((8,), solver="sgd", max_iter=4, callbacks=[Recorder("c")])
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    assert _rates("c") == [0.001] * 4


def test_adaptive_divides_the_learning_rate_until_it_is_tiny(iris):
    """sklearn's rule: lr /= 5 on each plateau; stop once it is at most 1e-6."""
    X, y = iris
    params = dict(solver="sgd", learning_rate_init=0.1, tol=1e3, n_iter_no_change=1)
    constant = MLPClassifier(
        (8,), random_state=0, callbacks=[Recorder("constant")], **params
    ).fit(X, y)
    adaptive = MLPClassifier(
        (8,),
        learning_rate="adaptive",
        random_state=0,
        callbacks=[Recorder("adaptive")],
        **params,
    ).fit(X, y)
    constant_rates, adaptive_rates = _rates("constant"), _rates("adaptive")
    assert set(constant_rates) == {0.1}
    # Divided by 5 at each plateau, down to at most 1e-6.
    divisions = sorted(set(adaptive_rates), reverse=True)
    assert divisions == pytest.approx([0.1 / 5**k for k in range(len(divisions))])
    assert divisions[-1] <= 1e-6 < divisions[-2]
    assert constant.n_iter_ < adaptive.n_iter_ < 200


# ------------------------------------------------------ non-finite weights
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_non_finite_weights_raise_scikit_learns_error(solver, kind):
    """Inputs near the float maximum blow the weights up: scikit-learn's
    error, word for word, never a model that predicts NaN. (Adam's
    normalised steps keep the classifier's weights finite there.)"""
    from sklearn.neural_network import MLPClassifier as SklearnClassifier
    from sklearn.neural_network import MLPRegressor as SklearnRegressor

    from sknn import MLPClassifier, MLPRegressor

    rng = np.random.RandomState(0)
    X, y = rng.rand(60, 4) * 1e300, np.arange(60) % 3
    ours = MLPClassifier if kind == "classifier" else MLPRegressor
    theirs = SklearnClassifier if kind == "classifier" else SklearnRegressor
    with pytest.raises(ValueError) as sklearns:  # sgd diverges there too
        theirs(solver="sgd", max_iter=5, random_state=0).fit(X, y)
    model = ours(solver=solver, max_iter=5, random_state=0)
    if (kind, solver) == ("classifier", "adam"):
        model.fit(X, y)
        assert all(np.isfinite(c).all() for c in model.coefs_)
        assert np.isfinite(model.predict_proba(X)).all()
        return
    with pytest.raises(ValueError) as error:
        model.fit(X, y)
    assert str(error.value) == str(sklearns.value)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_diverging_loss_with_early_stopping_keeps_the_best_weights():
    """As scikit-learn since its issue 29504: no error, the best epoch's
    weights; diverged epochs score NaN and never count as the best."""
    from sknn import MLPRegressor

    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 5)) * 10
    y = X @ rng.normal(size=5)
    reg = MLPRegressor(
        solver="sgd", learning_rate_init=0.2, early_stopping=True, max_iter=20,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    scores = reg.validation_scores_
    assert np.isnan(scores[-1]) and np.isfinite(scores[0])
    assert reg.best_validation_score_ == max(s for s in scores if not np.isnan(s))
    assert np.isfinite(reg.predict(X)).all()
    assert all(np.isfinite(c).all() for c in reg.coefs_)


def _fit_recording(model, X, y) -> list:
    """``model.fit(X, y)``; the ConvergenceWarnings it gave."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        model.fit(X, y)
    return [w for w in record if issubclass(w.category, ConvergenceWarning)]


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
def test_lbfgs_max_fun_as_in_scikit_learns_test(activation):
    """scikit-learn's test_lbfgs_regression_maxfun with sknn: max_fun=10
    bounds the iterations, and sknn warns exactly where scikit-learn,
    started from the same weights, warns (scipy's L-BFGS-B counts the
    evaluations for both).

    scikit-learn's test expects a warning for every activation, as its own
    initial weights of random_state=1 give. With the identity the loss is a
    least-squares one: from sknn's initial weights (or scikit-learn's of
    random_state=0 or 3) L-BFGS reaches its minimum within 10 evaluations,
    and neither warns."""
    from sklearn.datasets import make_regression
    from sklearn.linear_model import LinearRegression
    from sklearn.neural_network import MLPRegressor as SklearnRegressor
    from sklearn.preprocessing import scale

    from sknn import MLPRegressor

    X, y = make_regression(
        n_samples=200, n_features=10, bias=20.0, noise=100.0, random_state=7
    )
    y = scale(y)
    params = dict(
        solver="lbfgs",
        hidden_layer_sizes=50,
        tol=0.0,
        max_iter=150,
        max_fun=10,
        shuffle=True,
        random_state=1,
        activation=activation,
    )
    ours = MLPRegressor(**params, callbacks=[_FirstWeights()])
    our_warnings = _fit_recording(ours, X, y)
    assert ours.n_iter_ <= 10
    theirs = SklearnRegressor(**{**params, "max_iter": 1})
    _fit_recording(theirs, X, y)  # its shapes
    first = dict(ours.net_.callbacks_)["_FirstWeights_0"].weights_
    theirs.coefs_ = [w.T.numpy().copy() for w in first[0::2]]
    theirs.intercepts_ = [b.numpy().copy() for b in first[1::2]]
    their_warnings = _fit_recording(
        theirs.set_params(warm_start=True, max_iter=150), X, y
    )
    assert ours.n_iter_ == theirs.n_iter_
    assert [str(w.message) for w in our_warnings] == [
        str(w.message) for w in their_warnings
    ]
    if activation == "identity" and not our_warnings:
        # Converged: the least-squares minimum, not a stop at max_fun.
        least_squares = LinearRegression().fit(X, y)
        minimum = 0.5 * np.mean((y - least_squares.predict(X)) ** 2)
        assert ours.loss_ == pytest.approx(minimum, rel=1e-3)
    else:
        assert len(our_warnings) == 1  # as scikit-learn's test expects
        # scipy's words: "TOTAL NO. OF F,G EVALUATIONS EXCEEDS LIMIT" (1.10:
        # "TOTAL NO. of f AND g ...").
        assert "EVALUATIONS EXCEEDS LIMIT" in str(our_warnings[0].message)
