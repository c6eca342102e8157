"""Bad input and bad parameters fail early with a clear message, and the
user's arrays are never modified: every public estimator (see the registry
in conftest.py)."""

import numpy as np
import pytest
from conftest import registry
from sklearn.exceptions import NotFittedError

CLASSIFIERS = registry(kind="classifier")
REGRESSORS = registry(kind="regressor")
SUPERVISED = registry(kind=("classifier", "regressor"))


def _with_value(X, value, position=(3, 1)):
    """A copy of X with ``value`` at one place of its flat rows (for the
    RNNs: in one feature of one time step)."""
    X = X.copy()
    X.reshape(len(X), -1)[position] = value
    return X


# -------------------------------------------------------------------- inputs
@pytest.mark.parametrize("entry", registry())
def test_wrong_number_of_features_at_predict(entry):
    X, y = entry.make_flat_data()
    est = entry.fit(entry.flat_estimator(), X, y)
    n = X.shape[1]
    with pytest.raises(
        ValueError,
        match=f"X has {n - 1} features, but {entry.name} is expecting {n} "
        "features as input",
    ):
        getattr(est, entry.first_method)(X[:, :-1])


@pytest.mark.parametrize("entry", registry())
def test_samples_of_the_wrong_shape_at_predict(entry):
    """Samples of the estimator's own layout (images, sequences...) that do
    not fit the fitted shape are refused with the estimator's message."""
    X, y = entry.make_data()
    est = entry.fit(entry.estimator(), X, y)
    for method in entry.methods:
        with pytest.raises(ValueError, match=entry.wrong_shape_message):
            getattr(est, method)(entry.wrong_shape(X))


@pytest.mark.parametrize("entry", registry())
def test_wrong_number_of_features_in_partial_fit(entry):
    X, y = entry.make_flat_data()
    est = entry.partial_fit(entry.flat_estimator(), X, y)
    n = X.shape[1]
    with pytest.raises(
        ValueError, match=f"X has {n - 1} features, but {entry.name} is expecting"
    ):
        entry.partial_fit(est, X[:, :-1], y)


@pytest.mark.parametrize("entry", registry())
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_X(entry, value):
    X, y = entry.make_data()
    message = entry.nan_message if np.isnan(value) else "Input X contains infinity"
    if message is None:  # NaN is a missing value: read, never an error
        est = entry.fit(entry.estimator(), _with_value(X, value), y)
        for out in entry.values(est, _with_value(X, value)):
            assert np.isfinite(out).all()
        return
    with pytest.raises(ValueError, match=message):
        entry.fit(entry.estimator(), _with_value(X, value), y)
    est = entry.fit(entry.estimator(), X, y)
    # At prediction, n-d samples (images, sequences) are checked without
    # naming X: "Input contains NaN" (reported as an inconsistency).
    message = message.replace("Input X", "Input( X)?")
    for method in entry.methods:
        with pytest.raises(ValueError, match=message):
            getattr(est, method)(_with_value(X, value))


@pytest.mark.parametrize("entry", REGRESSORS)
def test_non_finite_y_for_regressor(entry):
    X, y = entry.make_data()
    y[5] = np.nan
    with pytest.raises(ValueError, match="Input y contains NaN"):
        entry.estimator().fit(X, y)


@pytest.mark.parametrize("entry", registry())
def test_empty_data(entry):
    y_empty = None if entry.kind == "transformer" else np.empty(0)
    with pytest.raises(ValueError, match=r"Found array with 0 sample\(s\)"):
        entry.fit(entry.estimator(), np.empty((0, 3)), y_empty)
    y_five = None if entry.kind == "transformer" else np.arange(5) % 2
    with pytest.raises(ValueError, match=r"0 feature\(s\)"):
        entry.fit(entry.estimator(), np.empty((5, 0)), y_five)


@pytest.mark.parametrize("entry", SUPERVISED)
def test_samples_mismatch(entry):
    X, y = entry.make_data()
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        entry.estimator().fit(X, y[:-1])


@pytest.mark.parametrize("entry", registry())
def test_sample_weight_of_wrong_length(entry):
    X, y = entry.make_data()
    with pytest.raises(ValueError, match=r"sample_weight.shape == \(10,\)"):
        entry.fit(entry.estimator(), X, y, sample_weight=np.ones(10))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("entry", CLASSIFIERS)
def test_one_class_only(entry):
    """As scikit-learn's MLPClassifier: it trains, predicts its one class, and
    predict_proba has two columns (scikit-learn's binary shape)."""
    X, _ = entry.make_data()
    est = entry.estimator().fit(X, np.full(len(X), "a"))
    assert est.classes_.tolist() == ["a"]
    assert (est.predict(X) == "a").all()
    proba = est.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_allclose(np.exp(est.predict_log_proba(X)), proba)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_one_class_is_scikit_learns():
    from sklearn.neural_network import MLPClassifier as SklearnMLP

    from sknn import MLPClassifier

    X = np.random.RandomState(0).normal(size=(20, 3))
    y = np.full(20, 7)
    ours, theirs = (cls(max_iter=5).fit(X, y) for cls in (MLPClassifier, SklearnMLP))
    assert ours.predict(X).tolist() == theirs.predict(X).tolist()
    assert ours.predict_proba(X).shape == theirs.predict_proba(X).shape
    assert ours.classes_.tolist() == theirs.classes_.tolist() == [7]


@pytest.mark.parametrize("entry", CLASSIFIERS)
def test_continuous_target_for_classifier(entry):
    X, _ = entry.make_data()
    y = np.random.RandomState(0).normal(size=len(X))
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        entry.estimator().fit(X, y)


@pytest.mark.parametrize("entry", REGRESSORS)
def test_string_target_for_regressor(entry):
    X, _ = entry.make_data()
    with pytest.raises(ValueError, match="could not convert string to float"):
        entry.estimator().fit(X, np.array(["a", "b", "c"])[np.arange(len(X)) % 3])


@pytest.mark.parametrize("entry", REGRESSORS)
def test_poisson_needs_non_negative_targets(entry):
    X, y = entry.make_data()
    with pytest.raises(ValueError, match="loss='poisson' needs non-negative targets"):
        entry.estimator(loss="poisson").fit(X, y)


@pytest.mark.parametrize("entry", registry(kind=("regressor", "transformer")))
def test_early_stopping_needs_two_validation_samples(entry):
    """(A classifier's stratified split needs more: see the next test.)"""
    X, y = entry.make_data()
    est = entry.estimator(early_stopping=True, validation_fraction=0.01)
    message = (
        r"^The validation set is too small. Increase 'validation_fraction' or the "
        r"size of your dataset. Early stopping needs at least 2 validation "
        r"samples and 1 training sample, but validation_fraction=0.01 of 20 "
        r"samples gives 1 and 19.$"
    )
    with pytest.raises(ValueError, match=message):  # scikit-learn's, then more
        entry.fit(est, X[:20], None if y is None else y[:20])


@pytest.mark.parametrize("entry", registry())
def test_early_stopping_on_one_sample_says_the_validation_set_is_too_small(entry):
    """Not the split's "the resulting train set will be empty": scikit-learn's
    message first, for every estimator."""
    X, y = entry.make_data()
    est = entry.estimator(early_stopping=True)
    with pytest.raises(ValueError, match=r"^The validation set is too small"):
        entry.fit(est, X[:1], None if y is None else y[:1])


@pytest.mark.parametrize("entry", CLASSIFIERS)
def test_early_stopping_needs_a_validation_sample_per_class(entry):
    """The classifier's held-out part is stratified: one sample of each class."""
    X, y = entry.make_data()
    est = entry.estimator(early_stopping=True, validation_fraction=0.05)
    with pytest.raises(ValueError, match="greater or equal to the number of classes"):
        est.fit(X[:30], y[:30])  # 2 held out, for 3 classes


@pytest.mark.parametrize(
    "labels, named", [([True, False], "[False]"), (["a", "b"], "['b']")]
)
def test_a_class_too_rare_to_split_is_named_as_the_user_gave_it(labels, named):
    """scikit-learn's error of the stratified split, with the user's labels
    (not their codes: 1.0, 0.0)."""
    from sknn import MLPClassifier

    X = np.random.RandomState(0).normal(size=(30, 3))
    y = np.array([labels[0]] * 29 + [labels[1]])
    with pytest.raises(ValueError) as error:
        MLPClassifier(early_stopping=True, max_iter=2).fit(X, y)
    assert str(error.value).startswith("The least populated classes in y have only")
    assert str(error.value).endswith(f"Classes with too few members are: {named}")


def test_a_class_too_rare_to_split_comes_before_a_small_validation_set():
    """scikit-learn's test_early_stopping_stratified with sknn: on four rows,
    the class of one row is the error, in scikit-learn's words, as from
    scikit-learn's MLP (whose split raises it before its size check). The
    class is named as the user gave it, 1; scikit-learn names its boolean
    code, 'True'."""
    from sklearn.neural_network import MLPClassifier as SklearnClassifier

    from sknn import MLPClassifier, MLPRegressor

    X = [[1, 2], [2, 3], [3, 4], [4, 5]]
    y = [0, 0, 0, 1]
    message = (
        r"The least populated classes in y have only 1 member.*Classes with "
        r"too few members are: \[{}\]$"
    )
    with pytest.raises(ValueError, match=message.format("1")):
        MLPClassifier(early_stopping=True).fit(X, y)
    # scikit-learn's recent words (1.7.0's: "the least populated class in y
    # has only 1 member", naming none).
    with pytest.raises(ValueError, match=r"The least populated class(es)? in y"):
        SklearnClassifier(early_stopping=True).fit(X, y)
    # Two rows a class: fewer held-out rows than classes, as scikit-learn says.
    with pytest.raises(ValueError, match=r"test_size = 1 should be greater or"):
        MLPClassifier(early_stopping=True).fit(X, [0, 0, 1, 1])
    with pytest.raises(ValueError, match=r"test_size = 1 should be greater or"):
        SklearnClassifier(early_stopping=True).fit(X, [0, 0, 1, 1])
    # Nothing to stratify: the held-out row is too few, in sknn's words.
    with pytest.raises(ValueError, match=r"validation set is too small.* 1 and 3\."):
        MLPRegressor(early_stopping=True).fit(X, [0.0, 1.0, 2.0, 3.0])


@pytest.mark.parametrize("entry", REGRESSORS)
def test_regressor_refuses_a_changed_number_of_targets(entry):
    X, y = entry.make_data()
    Y = np.c_[y, -y, 2 * y]
    est = entry.estimator().partial_fit(X, Y)
    assert est.n_outputs_ == 3
    with pytest.raises(ValueError, match=r"y has 2 target\(s\).*fitted with 3"):
        est.partial_fit(X, Y[:, :2])


@pytest.mark.parametrize("entry", CLASSIFIERS)
def test_multilabel_target_after_labels_is_refused(entry):
    X, y = entry.make_data()
    est = entry.estimator().partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="type of target changed"):
        est.partial_fit(X, np.eye(3, dtype=int)[y])


# ---------------------------------------------------------------- parameters
# Parameters every estimator has, and the message of a bad value.
SHARED_INVALID_PARAMETERS = [
    ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes must be positive"),
    ({"hidden_layer_sizes": (8, -2)}, "hidden_layer_sizes must be positive"),
    # Refused by the parameter constraints (an int must be positive) or, where
    # an int is read as one layer, by the check of the sizes.
    ({"hidden_layer_sizes": 0}, "hidden_layer_sizes(' parameter| must be positive)"),
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
    ({"normalization": "instance"}, "'normalization' parameter"),
    ({"device": "tpu"}, "device must be 'auto', 'cpu', 'cuda'.*got 'tpu'"),
    ({"device": 0}, "'device' parameter"),
    ({"callbacks": "print"}, "'callbacks' parameter"),
]


@pytest.mark.parametrize("entry", registry())
@pytest.mark.parametrize(
    "params, message",
    SHARED_INVALID_PARAMETERS,
    ids=[f"{k}={v!r}" for (p, _) in SHARED_INVALID_PARAMETERS for k, v in p.items()],
)
def test_invalid_parameter(entry, params, message):
    X, y = entry.make_data()
    if set(params) & set(entry.lacks):  # not one of its parameters at all
        assert not set(params) & set(entry.cls().get_params())
        return
    with pytest.raises(ValueError, match=message):
        entry.fit(entry.estimator(**params), X, y)


@pytest.mark.parametrize(
    "entry", registry(where=lambda e: "loss" in e.cls().get_params())
)
def test_invalid_loss(entry):
    X, y = entry.make_data()
    with pytest.raises(ValueError, match=r"'loss' parameter .* must be a str among"):
        entry.fit(entry.estimator(loss="hinge"), X, y)


@pytest.mark.parametrize("entry", CLASSIFIERS)
def test_invalid_class_weight(entry):
    X, y = entry.make_data()
    with pytest.raises(ValueError, match="'class_weight' parameter"):
        entry.estimator(class_weight="inverse").fit(X, y)


@pytest.mark.parametrize("entry", registry())
def test_callback_that_is_not_a_skorch_callback(entry):
    X, y = entry.make_data()
    with pytest.raises(TypeError, match="callbacks must be a list of skorch callbacks"):
        entry.fit(entry.estimator(callbacks=[print]), X, y)


@pytest.mark.parametrize("entry", registry())
def test_partial_fit_validates_parameters(entry):
    X, y = entry.make_data()
    with pytest.raises(ValueError, match="'alpha' parameter"):
        entry.partial_fit(entry.estimator(alpha=-1), X, y)


@pytest.mark.parametrize("entry", CLASSIFIERS)
def test_class_weight_balanced_in_partial_fit(entry):
    X, y = entry.make_data()
    est = entry.estimator(class_weight="balanced")
    with pytest.raises(ValueError, match="'balanced' is not supported by partial_fit"):
        est.partial_fit(X, y, classes=[0, 1, 2])


# ---------------------------------------------------------------- not fitted
@pytest.mark.parametrize("entry", registry())
def test_predict_before_fit(entry):
    X, y = entry.make_data()
    est = entry.estimator()
    calls = [(method, (X,)) for method in entry.methods]
    calls.append(("score", (X,) if y is None else (X, y)))
    if entry.kind == "transformer":
        calls.append(("inverse_transform", (np.zeros((3, est.n_components)),)))
    for method, args in calls:
        with pytest.raises(NotFittedError, match=f"This {entry.name} instance is not"):
            getattr(est, method)(*args)


@pytest.mark.parametrize("entry", registry())
def test_fitted_attributes_absent_before_fit_present_after(entry):
    X, y = entry.make_data()
    est = entry.estimator()
    assert entry.fitted_attributes  # the entry lists them
    for name in entry.fitted_attributes:
        assert not hasattr(est, name), name
    entry.fit(est, X, y)
    for name in entry.fitted_attributes:
        assert hasattr(est, name), name
    assert est.n_features_in_ == entry.n_features_in


# --------------------------------------------------- user data is read only
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("entry", registry())
def test_user_arrays_are_not_modified(entry, dtype, early_stopping):
    X, y = entry.make_data()
    X = X.astype(dtype)
    if entry.kind == "regressor":
        y = y.astype(dtype)
    weight = np.linspace(0.5, 2.0, len(X)).astype(dtype)
    X_copy, weight_copy = X.copy(), weight.copy()
    y_copy = None if y is None else y.copy()

    est = entry.estimator(
        normalization="batch",
        dropout=0.2,
        max_iter=3,
        early_stopping=early_stopping,
        batch_size=50,
    )
    entry.fit(est, X, y, sample_weight=weight)
    if not early_stopping:
        entry.partial_fit(est, X, y, sample_weight=weight)
    outputs = entry.outputs(est, X)
    assert all(len(out) == len(X) for out in outputs)

    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(weight, weight_copy)
    if y is not None:
        np.testing.assert_array_equal(y, y_copy)
