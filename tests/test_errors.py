"""Bad input and bad parameters fail early with a clear message, and the
user's arrays are never modified."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from sknn import MLPClassifier, MLPRegressor

ESTIMATORS = [MLPClassifier, MLPRegressor]
FAST = dict(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=20, random_state=0)


def _data(cls, iris, regression_data):
    return iris if cls is MLPClassifier else regression_data


# -------------------------------------------------------------------- inputs
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_wrong_number_of_features_at_predict(cls, iris, regression_data):
    X, y = _data(cls, iris, regression_data)
    est = cls(**FAST).fit(X, y)
    n = X.shape[1]
    with pytest.raises(
        ValueError,
        match=f"X has {n - 1} features, but {cls.__name__} is expecting {n} "
        "features as input",
    ):
        est.predict(X[:, :-1])


def test_wrong_number_of_features_in_partial_fit(iris):
    X, y = iris
    clf = MLPClassifier((4,)).partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="X has 3 features, but MLPClassifier is"):
        clf.partial_fit(X[:, :3], y)


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize(
    "value, message", [(np.nan, "Input X contains NaN"), (np.inf, "infinity")]
)
def test_non_finite_X(cls, iris, regression_data, value, message):
    X, y = _data(cls, iris, regression_data)
    X = X.copy()
    X[3, 1] = value
    with pytest.raises(ValueError, match=message):
        cls(**FAST).fit(X, y)
    est = cls(**FAST).fit(np.nan_to_num(X, posinf=0.0), y)
    with pytest.raises(ValueError, match=message):
        est.predict(X)


def test_non_finite_y_for_regressor(regression_data):
    X, y = regression_data
    y = y.copy()
    y[5] = np.nan
    with pytest.raises(ValueError, match="Input y contains NaN"):
        MLPRegressor(**FAST).fit(X, y)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_empty_data(cls):
    with pytest.raises(ValueError, match=r"Found array with 0 sample\(s\)"):
        cls().fit(np.empty((0, 3)), np.empty(0))
    with pytest.raises(ValueError, match=r"0 feature\(s\)"):
        cls().fit(np.empty((5, 0)), np.arange(5) % 2)


def test_samples_mismatch(iris):
    X, y = iris
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        MLPClassifier().fit(X, y[:-1])


def test_sample_weight_of_wrong_length(iris):
    X, y = iris
    with pytest.raises(ValueError, match=r"sample_weight.shape == \(10,\)"):
        MLPClassifier().fit(X, y, sample_weight=np.ones(10))


def test_one_class_only(iris):
    X, _ = iris
    with pytest.raises(ValueError, match=r"at least 2 classes.*only one class: 'a'"):
        MLPClassifier().fit(X, np.full(len(X), "a"))


def test_continuous_target_for_classifier(regression_data):
    X, y = regression_data
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        MLPClassifier().fit(X, y)


def test_string_target_for_regressor(iris):
    X, y = iris
    with pytest.raises(ValueError, match="could not convert string to float"):
        MLPRegressor().fit(X, np.array(["a", "b", "c"])[y])


def test_poisson_needs_non_negative_targets(regression_data):
    X, y = regression_data
    with pytest.raises(ValueError, match="loss='poisson' needs non-negative targets"):
        MLPRegressor(loss="poisson").fit(X, y)


def test_early_stopping_needs_two_validation_samples(regression_data):
    X, y = regression_data
    reg = MLPRegressor(early_stopping=True, validation_fraction=0.01)
    with pytest.raises(ValueError, match="needs at least 2 validation samples"):
        reg.fit(X[:20], y[:20])


def test_early_stopping_needs_a_validation_sample_per_class(iris):
    """The classifier's held-out part is stratified: one sample of each class."""
    X, y = iris
    clf = MLPClassifier(early_stopping=True, validation_fraction=0.01)
    with pytest.raises(ValueError, match="greater or equal to the number of classes"):
        clf.fit(X[::5], y[::5])


def test_regressor_refuses_a_changed_number_of_targets(multioutput_regression_data):
    X, Y = multioutput_regression_data
    reg = MLPRegressor(hidden_layer_sizes=(4,)).partial_fit(X, Y)
    with pytest.raises(ValueError, match=r"y has 2 target\(s\).*fitted with 3"):
        reg.partial_fit(X, Y[:, :2])


def test_multilabel_target_after_labels_is_refused(iris):
    X, y = iris
    clf = MLPClassifier((4,)).partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="type of target changed"):
        clf.partial_fit(X, np.eye(3, dtype=int)[y])


# ---------------------------------------------------------------- parameters
@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize(
    "params, message",
    [
        ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes must be positive"),
        ({"hidden_layer_sizes": (8, -2)}, "hidden_layer_sizes must be positive"),
        ({"hidden_layer_sizes": 0}, "'hidden_layer_sizes' parameter"),
        ({"solver": "foo"}, "'solver' parameter .* must be a str among"),
        ({"activation": "swish"}, "'activation' parameter"),
        ({"alpha": -1}, "'alpha' parameter .* must be a float in the range"),
        ({"dropout": 1.5}, "'dropout' parameter"),
        ({"dropout": 1.0}, "'dropout' parameter"),
        ({"learning_rate": "cyclic"}, "'learning_rate' parameter"),
        ({"learning_rate_init": 0.0}, "'learning_rate_init' parameter"),
        ({"max_iter": 0}, "'max_iter' parameter"),
        ({"batch_size": 0}, "'batch_size' parameter"),
        ({"momentum": 1.5}, "'momentum' parameter"),
        ({"validation_fraction": 1.0}, "'validation_fraction' parameter"),
        ({"beta_1": 1.0}, "'beta_1' parameter"),
        ({"n_iter_no_change": 0}, "'n_iter_no_change' parameter"),
        ({"batch_norm": "yes"}, "'batch_norm' parameter"),
        ({"device": "tpu"}, "device must be 'auto', 'cpu', 'cuda'.*got 'tpu'"),
        ({"device": 0}, "'device' parameter"),
        ({"callbacks": "print"}, "'callbacks' parameter"),
    ],
)
def test_invalid_parameter(cls, iris, regression_data, params, message):
    X, y = _data(cls, iris, regression_data)
    with pytest.raises(ValueError, match=message):
        cls(**params).fit(X, y)


def test_invalid_class_weight(iris):
    X, y = iris
    with pytest.raises(ValueError, match="'class_weight' parameter"):
        MLPClassifier(class_weight="inverse").fit(X, y)


def test_invalid_regression_loss(regression_data):
    X, y = regression_data
    with pytest.raises(ValueError, match=r"'loss' parameter .* must be a str among"):
        MLPRegressor(loss="hinge").fit(X, y)


def test_callback_that_is_not_a_skorch_callback(iris):
    X, y = iris
    with pytest.raises(TypeError, match="callbacks must be a list of skorch callbacks"):
        MLPClassifier(callbacks=[print]).fit(X, y)


def test_partial_fit_validates_parameters(iris):
    X, y = iris
    with pytest.raises(ValueError, match="'alpha' parameter"):
        MLPClassifier(alpha=-1).partial_fit(X, y, classes=[0, 1, 2])


def test_class_weight_balanced_in_partial_fit(iris):
    X, y = iris
    clf = MLPClassifier(class_weight="balanced")
    with pytest.raises(ValueError, match="'balanced' is not supported by partial_fit"):
        clf.partial_fit(X, y, classes=[0, 1, 2])


# ---------------------------------------------------------------- not fitted
@pytest.mark.parametrize(
    "cls, method",
    [
        (MLPClassifier, "predict"),
        (MLPClassifier, "predict_proba"),
        (MLPClassifier, "predict_log_proba"),
        (MLPClassifier, "score"),
        (MLPRegressor, "predict"),
        (MLPRegressor, "score"),
    ],
)
def test_predict_before_fit(cls, method, iris):
    X, y = iris
    args = (X, y) if method == "score" else (X,)
    with pytest.raises(NotFittedError, match=f"This {cls.__name__} instance is not"):
        getattr(cls(), method)(*args)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_fitted_attributes_absent_before_fit(cls):
    est = cls()
    for name in ["coefs_", "intercepts_", "n_iter_", "loss_", "module_", "history_"]:
        assert not hasattr(est, name), name


# --------------------------------------------------- user data is read only
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_user_arrays_are_not_modified(
    cls, dtype, early_stopping, iris, regression_data
):
    X, y = _data(cls, iris, regression_data)
    X = X.astype(dtype)
    if cls is MLPRegressor:
        y = y.astype(dtype)
    weight = np.linspace(0.5, 2.0, len(y)).astype(dtype)
    X_copy, y_copy, weight_copy = X.copy(), y.copy(), weight.copy()

    est = cls(
        hidden_layer_sizes=(8,),
        batch_norm=True,
        dropout=0.2,
        max_iter=3,
        early_stopping=early_stopping,
        random_state=0,
    )
    est.fit(X, y, sample_weight=weight)
    if not early_stopping:
        est.partial_fit(X, y, sample_weight=weight)
    est.predict(X)
    if cls is MLPClassifier:
        est.predict_proba(X)

    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)
    np.testing.assert_array_equal(weight, weight_copy)
