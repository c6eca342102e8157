"""RNNClassifier and RNNRegressor: shapes, variable length, tokens, errors,
pipelines and searches, and the accuracy that order-dependent tasks need."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import (
    StratifiedKFold,
    cross_val_score,
    train_test_split,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from sknn import RNNClassifier, RNNRegressor
from sknn.modules import RNN

SMALL = dict(hidden_size=8, max_iter=3, random_state=0)


def _variable_length(n, n_features=2, seed=0, min_length=2, max_length=9):
    rng = np.random.RandomState(seed)
    lengths = rng.randint(min_length, max_length + 1, n)
    X = [rng.normal(size=(length, n_features)) for length in lengths]
    y = np.array([x[:, 0].sum() > 0 for x in X], dtype=int)
    return X, y


def _nan_padded(sequences):
    length = max(len(s) for s in sequences)
    padded = np.full((len(sequences), length, sequences[0].shape[1]), np.nan)
    for row, sequence in zip(padded, sequences, strict=True):
        row[: len(sequence)] = sequence
    return padded


# ------------------------------------------------------------------ shapes
@pytest.mark.parametrize(
    "shape, input_shape, n_step_features, n_features_in",
    [
        ((30, 12), None, 1, 12),  # one univariate sequence per row
        ((30, 12, 3), None, 3, 3),  # steps x features
        ((30, 12), (4, 3), 3, 12),  # flat rows of 4 steps x 3 features
        ((30, 12), (12,), 1, 12),
    ],
)
def test_sequence_shapes(shape, input_shape, n_step_features, n_features_in):
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=shape), np.arange(shape[0]) % 2
    clf = RNNClassifier(input_shape=input_shape, **SMALL).fit(X, y)
    assert clf.n_step_features_ == n_step_features
    assert clf.n_features_in_ == n_features_in
    assert clf.module_.rnn.input_size == n_step_features
    assert clf.predict(X).shape == (shape[0],)


def test_3d_input_predicts_sequences_of_any_length():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(40, 10, 2)), np.arange(40) % 2
    clf = RNNClassifier(**SMALL).fit(X, y)
    assert clf.predict(rng.normal(size=(5, 25, 2))).shape == (5,)
    assert clf.predict(rng.normal(size=(5, 3, 2))).shape == (5,)


def test_flat_rows_with_input_shape_equal_3d_input():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(60, 6, 2)), np.arange(60) % 2
    seq = RNNClassifier(**SMALL).fit(X, y)
    flat = RNNClassifier(input_shape=(6, 2), **SMALL).fit(X.reshape(60, 12), y)
    np.testing.assert_allclose(
        seq.predict_proba(X), flat.predict_proba(X.reshape(60, 12)), rtol=1e-6
    )


# --------------------------------------------------------- variable length
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("pooling", ["last", "mean", "max", "attention"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_padding_never_changes_a_prediction(cell, pooling, bidirectional):
    X, y = _variable_length(60)
    clf = RNNClassifier(
        cell=cell,
        pooling=pooling,
        bidirectional=bidirectional,
        num_layers=2,
        **SMALL,
    ).fit(X, y)
    short = X[0][:3]
    alone = clf.predict_proba([short])
    # Batched with longer sequences, as a list and as NaN-padded arrays.
    batch = [short, np.ones((30, 2)), X[1]]
    np.testing.assert_allclose(clf.predict_proba(batch)[:1], alone, atol=1e-6)
    np.testing.assert_allclose(
        clf.predict_proba(_nan_padded(batch))[:1], alone, atol=1e-6
    )
    np.testing.assert_allclose(
        clf.predict_proba(short[np.newaxis]), alone, atol=1e-6
    )  # no padding at all: the unpacked path


def test_list_and_nan_padded_input_train_the_same_model():
    X, y = _variable_length(80)
    from_list = RNNClassifier(**SMALL).fit(X, y)
    from_array = RNNClassifier(**SMALL).fit(_nan_padded(X), y)
    np.testing.assert_array_equal(
        from_list.predict_proba(X), from_array.predict_proba(_nan_padded(X))
    )


def test_univariate_sequences_of_different_lengths():
    rng = np.random.RandomState(0)
    X = [rng.normal(size=n) for n in rng.randint(1, 12, 50)]
    y = np.array([x.mean() > 0 for x in X])
    clf = RNNClassifier(**SMALL).fit(X, y)
    assert clf.n_step_features_ == 1
    assert clf.predict([np.ones(40), np.ones(1)]).shape == (2,)


def test_partial_fit_and_warm_start_on_variable_length_sequences():
    X, y = _variable_length(40)
    clf = RNNClassifier(**SMALL).partial_fit(X, y, classes=[0, 1])
    clf.partial_fit(_nan_padded(X), y).partial_fit(X[:10], y[:10])
    assert len(clf.loss_curve_) == 3
    clf.set_params(warm_start=True).fit(X, y)
    assert len(clf.loss_curve_) == 3 + SMALL["max_iter"]
    with pytest.raises(ValueError, match=r"fitted on sequences of 2 feature"):
        clf.partial_fit([x[:, :1] for x in X], y)


def test_variable_length_through_cross_val_score():
    X, y = _variable_length(300, seed=1)
    X_object = np.empty(len(X), dtype=object)
    X_object[:] = X
    scores = cross_val_score(
        RNNClassifier(batch_size=32, max_iter=30, random_state=0), X_object, y, cv=3
    )
    assert scores.min() > 0.8
    # (Grid searches, over any parameter: test_compat.py, for every estimator.)


def test_variable_length_through_a_pipeline():
    X, y = _variable_length(200, seed=2)
    # A step that accepts variable-length sequences: scale every value.
    scale = FunctionTransformer(lambda seqs: [s * 10.0 for s in seqs])
    model = make_pipeline(scale, RNNClassifier(batch_size=32, max_iter=30))
    model.set_params(rnnclassifier__random_state=0).fit(X, y)
    assert model.score(X, y) > 0.8


# ------------------------------------------------------------------ tokens
def _token_order_task(n, seed=0, length=10, vocabulary=6):
    """Token sequences; class 1 when the first 1 comes before the first 2."""
    rng = np.random.RandomState(seed)
    X = rng.randint(0, vocabulary, size=(n, length))
    first = lambda x, token: list(x).index(token) if token in x else length  # noqa: E731
    y = np.array([first(x, 1) < first(x, 2) for x in X], dtype=int)
    return X, y


@pytest.mark.slow
def test_token_sequences_with_an_embedding():
    X, y = _token_order_task(1200)
    clf = RNNClassifier(embedding_dim=8, hidden_size=32, batch_size=32, max_iter=40)
    clf.set_params(random_state=0).fit(X[:1000], y[:1000])
    assert clf.vocabulary_size_ == 6
    assert clf.module_.embedding.num_embeddings == 6 + 2
    assert clf.score(X[1000:], y[1000:]) >= 0.95


@pytest.mark.parametrize("padding_id", [0, 7])
def test_token_padding_id_pads(padding_id):
    """Steps of padding_id are padding, not tokens: not in the vocabulary, and
    a sequence gives the same result with or without them."""
    rng = np.random.RandomState(0)
    X = rng.randint(1, 5, size=(40, 6))  # tokens 1 to 4
    X[::2, 4:] = padding_id  # every other sequence padded to 6 steps
    y = np.arange(40) % 2
    clf = RNNClassifier(embedding_dim=4, padding_id=padding_id, **SMALL).fit(X, y)
    assert clf.vocabulary_size_ == 5  # one more than the largest token, 4
    np.testing.assert_array_equal(
        clf.predict_proba([X[0, :4]]), clf.predict_proba(X[:1])
    )
    # Without padding_id the same ids are tokens: of the vocabulary, and read.
    plain = RNNClassifier(embedding_dim=4, **SMALL).fit(X, y)
    assert plain.vocabulary_size_ == max(5, padding_id + 1)
    assert not np.allclose(plain.predict_proba([X[0, :4]]), plain.predict_proba(X[:1]))


def _zero_embedding_at(module, step):
    """A forward hook on ``module.embedding`` zeroing the vectors of one step."""

    def hook(layer, inputs, output):
        output = output.clone()
        output[:, step] = 0.0
        return output

    return module.embedding.register_forward_hook(hook)


def test_unseen_token_ids_embed_as_zeros():
    """Ids never seen in training are embedded as zeros at prediction: all
    alike, and as a step whose embedding is zero."""
    rng = np.random.RandomState(0)
    X = rng.randint(0, 6, size=(60, 6))  # tokens 0 to 5
    y = np.array([list(x).count(1) > 1 for x in X], dtype=int)
    clf = RNNClassifier(embedding_dim=4, **SMALL).fit(X, y)
    assert clf.vocabulary_size_ == 6
    unseen = clf.predict_proba([[1, 2, 99, 3, 4, 1]])
    np.testing.assert_array_equal(unseen, clf.predict_proba([[1, 2, 50, 3, 4, 1]]))
    np.testing.assert_array_equal(unseen, clf.predict_proba([[1, 2, 6, 3, 4, 1]]))
    assert not np.allclose(unseen, clf.predict_proba([[1, 2, 5, 3, 4, 1]]))

    # The module (sknn.modules.RNN: id 0 pads, 1 is the unseen token, token t
    # is id t + 2) has a zero embedding row for unseen tokens after training
    # (the other rows are not),
    module = clf.module_
    assert torch.count_nonzero(module.embedding.weight[1]) == 0
    assert torch.count_nonzero(module.embedding.weight[2:]) > 0
    # and the sequence scores as the module fed a zero embedding at that step
    # (whichever known token is there).
    known = torch.tensor([[1, 2, 5, 3, 4, 1]]) + 2
    handle = _zero_embedding_at(module.eval(), step=2)
    try:
        with torch.no_grad():
            raw = module(known)
    finally:
        handle.remove()
    # (A binary classifier has one logit: the probability of classes_[1].)
    np.testing.assert_allclose(
        unseen[:, 1], torch.sigmoid(raw.double())[:, 0].numpy(), rtol=1e-12
    )
    # Training on goes on with the row at zero, also on sequences with ids
    # the first fit did not see (the vocabulary is the first fit's).
    clf.partial_fit(X, y)
    clf.partial_fit(np.where(X == 5, 9, X), y)
    assert torch.count_nonzero(clf.module_.embedding.weight[1]) == 0
    np.testing.assert_array_equal(
        clf.predict_proba([[1, 2, 99, 3, 4, 1]]),
        clf.predict_proba([[1, 2, 9, 3, 4, 1]]),
    )


def test_token_errors():
    y = np.arange(4) % 2
    with pytest.raises(ValueError, match=r"integers >= 0.*got \[0\.5"):
        RNNClassifier(embedding_dim=4, **SMALL).fit([[1, 0.5], [1, 2]] * 2, y)
    with pytest.raises(ValueError, match="one token id per time step"):
        RNNClassifier(embedding_dim=4, **SMALL).fit(np.ones((4, 3, 2)), y)


# ------------------------------------------------------------------ errors
def test_unreadable_shapes_and_bad_padding():
    y = np.arange(4) % 2
    with pytest.raises(ValueError, match="expects sequences of shape"):
        RNNClassifier(**SMALL).fit(np.zeros((4, 2, 2, 2)), y)
    with pytest.raises(ValueError, match=r"input_shape=\(5, 2\).*\(12,\)"):
        RNNClassifier(input_shape=(5, 2), **SMALL).fit(np.zeros((4, 12)), y)
    X = np.zeros((4, 5, 2))
    X[0, 1] = np.nan  # a padded step before a real one
    with pytest.raises(ValueError, match=r"\(padding\) before the end of sequence 0"):
        RNNClassifier(**SMALL).fit(X, y)
    X = np.zeros((4, 5, 2))
    X[2, 4, 0] = np.nan  # a missing value, not a padded step
    with pytest.raises(ValueError, match="NaN in some but not all features"):
        RNNClassifier(**SMALL).fit(X, y)
    X = np.zeros((4, 5, 2))
    X[3] = np.nan
    with pytest.raises(ValueError, match="sequence 3 with no time step"):
        RNNClassifier(**SMALL).fit(X, y)
    with pytest.raises(ValueError, match=r"all be 1D \(length_i,\) or all 2D"):
        RNNClassifier(**SMALL).fit([np.zeros(3), np.zeros((4, 2))] * 2, y)
    with pytest.raises(ValueError, match="same n_features"):
        RNNClassifier(**SMALL).fit([np.zeros((3, 1)), np.zeros((4, 2))] * 2, y)


def test_user_arrays_are_not_modified():
    X, y = _variable_length(30)
    copies = [x.copy() for x in X]
    padded = _nan_padded(X)
    padded_copy = padded.copy()
    RNNClassifier(**SMALL).fit(X, y).predict(padded)
    for x, copy in zip(X, copies, strict=True):
        np.testing.assert_array_equal(x, copy)
    np.testing.assert_array_equal(padded, padded_copy)


# ---------------------------------------------------------------- training
def test_gradient_clipping_bounds_every_step(monkeypatch):
    norms = []
    clip = torch.nn.utils.clip_grad_norm_

    def record(parameters, max_norm, **kwargs):
        parameters = list(parameters)
        clip(parameters, max_norm, **kwargs)
        norms.append(torch.nn.utils.get_total_norm([p.grad for p in parameters]))

    monkeypatch.setattr(torch.nn.utils, "clip_grad_norm_", record)
    rng = np.random.RandomState(0)
    X, y = 100 * rng.normal(size=(40, 10)), 100 * rng.normal(size=40)
    RNNRegressor(clip_grad_norm=0.5, **SMALL).fit(X, y)
    assert len(norms) == 6  # two steps per epoch of 40 samples (batches of 32)
    assert max(norms) <= 0.5 + 1e-6
    norms.clear()
    RNNRegressor(clip_grad_norm=None, **SMALL).fit(X, y)
    assert norms == []


# ---------------------------------------------------------------- accuracy
def _order_task(n, length=48, seed=0):
    """A spike and a 3-step plateau, of random signs, a few steps apart at a
    random place in noise; class 1 when the spike comes first.

    Both classes hold the same events at the same places in distribution:
    only their order differs, which no single position and no linear or
    low-order combination of positions shows.
    """
    rng = np.random.RandomState(seed)
    X = 0.3 * rng.normal(size=(n, length))
    y = rng.randint(0, 2, n)
    for row, label in zip(X, y, strict=True):
        gap = rng.randint(1, 4)
        start = rng.randint(0, length - 3 - gap)
        spike, plateau = (start, start + gap + 1) if label else (start + gap + 2, start)
        row[spike] += 3.0 * rng.choice([-1, 1])
        row[plateau : plateau + 3] += 1.5 * rng.choice([-1, 1])
    return X, y


@pytest.mark.figures
def test_order_matters_rnn_beats_tree_and_svm():
    X, y = _order_task(2000)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    rnn = RNNClassifier(random_state=0).fit(X_train, y_train)
    tree = DecisionTreeClassifier(random_state=0).fit(X_train, y_train)
    svm = SVC().fit(X_train, y_train)
    assert rnn.score(X_test, y_test) >= 0.95  # measured: 1.000
    assert tree.score(X_test, y_test) < 0.6  # 0.542
    assert svm.score(X_test, y_test) < 0.66  # 0.622


@pytest.mark.figures
def test_digits_row_by_row_reach_098_in_5_fold_cv_with_the_defaults():
    """The defaults study's figure (benchmarks/defaults.py, digits-rows):
    0.983 in float32; 0.959 with the defaults before it."""
    X, y = load_digits(return_X_y=True)
    X = (X / 16).reshape(-1, 8, 8).astype(np.float32)  # 8 steps of 8 pixels
    scores = cross_val_score(
        RNNClassifier(random_state=0),
        X,
        y,
        cv=StratifiedKFold(5, shuffle=True, random_state=0),
    )
    print(f"digits row by row, 5-fold accuracy: {scores.mean():.4f}")
    assert scores.mean() >= 0.98


@pytest.mark.figures
def test_forecasting_beats_a_linear_regression():
    rng = np.random.RandomState(0)
    t = np.arange(1600)
    # A noisy square wave: the next values depend on the phase, which a
    # linear function of the window only approximates.
    series = np.sign(np.sin(t / 8)) + 0.2 * rng.normal(size=t.size)
    windows = np.lib.stride_tricks.sliding_window_view(series, 24 + 3)
    X, y = windows[:, :24], windows[:, 24:]  # 3 steps ahead
    split = 1200
    rnn = RNNRegressor(random_state=0).fit(X[:split], y[:split])
    linear = LinearRegression().fit(X[:split], y[:split])
    assert rnn.predict(X[split:]).shape == (len(X) - split, 3)
    # measured: 0.914 against 0.904
    assert rnn.score(X[split:], y[split:]) > linear.score(X[split:], y[split:])


def test_the_module_alone():
    net = RNN(n_features=2, n_outputs=3, pooling="attention", bidirectional=True)
    X = torch.randn(4, 7, 2)
    X[0, 3:] = torch.nan
    out = net(X)
    assert out.shape == (4, 3)
    assert torch.isfinite(out).all()
    with pytest.raises(ValueError, match="cell must be one of"):
        RNN(2, 3, cell="transformer")
