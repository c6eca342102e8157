"""ONNX export (sknn.onnx): skl2onnx's ``to_onnx`` converts every sknn
estimator but the table networks, alone or at the end of a Pipeline, and the
graph computes in onnxruntime what sknn computes: the same labels, and values
within 1e-5 in float32, for every option that changes the graph."""

import importlib
import pickle
import sys

import numpy as np
import onnxruntime
import pytest
import torch
from conftest import registry
from onnx import TensorProto
from skl2onnx import to_onnx
from skl2onnx.common.data_types import FloatTensorType
from sklearn.base import is_classifier, is_regressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sknn
import sknn.onnx
from sknn.modules._layers import ACTIVATIONS

ATOL = 1e-5
EXPORTED = (
    sknn.MLPClassifier,
    sknn.MLPRegressor,
    sknn.CNNClassifier,
    sknn.CNNRegressor,
    sknn.RNNClassifier,
    sknn.RNNRegressor,
    sknn.Autoencoder,
    sknn.CNNAutoencoder,
    sknn.SeriesClassifier,
    sknn.SeriesRegressor,
)
SMALL = dict(max_iter=5, random_state=0, device="cpu")


def run(onx, X):
    """The graph's outputs for X, in onnxruntime."""
    session = onnxruntime.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {session.get_inputs()[0].name: X})


def sknn_outputs(est, X) -> list:
    """What the graph must compute: labels and probabilities, values (one
    column per output), or codes."""
    if is_classifier(est):
        return [est.predict(X), est.predict_proba(X)]
    if is_regressor(est):
        return [est.predict(X).reshape(len(X), -1)]
    return [est.transform(X)]


def assert_parity(est, X, *more, dtype=np.float32):
    """Convert ``est`` (classifiers without zipmap) for samples like X, and
    check onnxruntime's outputs for X and each of ``more``, in ``dtype``,
    against sknn's. Returns the graph."""
    options = {"zipmap": False} if is_classifier(est) else None
    onx = to_onnx(est, np.asarray(X[:1], dtype=dtype), options=options)
    for samples in (X, *more):
        _assert_same_outputs(onx, est, samples, dtype)
    return onx


def _assert_same_outputs(onx, est, X, dtype):
    got = run(onx, np.asarray(X, dtype=dtype))
    expected = sknn_outputs(est, X)
    assert len(got) == len(expected)
    if is_classifier(est):
        np.testing.assert_array_equal(got[0], expected[0])
        got, expected = got[1:], expected[1:]
    for value, want in zip(got, expected, strict=True):
        assert value.dtype == np.float32
        assert value.shape == want.shape
        np.testing.assert_allclose(value, want, rtol=0, atol=ATOL)


def fit(est, X, y):
    return est.fit(X) if y is None else est.fit(X, y)


# --------------------------------------------------- every estimator, alone
def test_every_estimator_but_the_table_networks_is_registered():
    assert set(sknn.onnx.ESTIMATORS) == {
        *EXPORTED,
        sknn.TabularClassifier,
        sknn.TabularRegressor,
    }


EXPORTED_ENTRIES = registry(where=lambda entry: entry.cls in EXPORTED)


def test_the_exported_entries_are_the_ten_estimators():
    assert {param.values[0].cls for param in EXPORTED_ENTRIES} == set(EXPORTED)


@pytest.mark.parametrize("entry", EXPORTED_ENTRIES)
def test_parity_with_batch_norm_and_dropout(entry):
    X, y = entry.make_data()
    est = entry.estimator(normalization="batch", dropout=0.1, dtype="float64")
    est = entry.fit(est, X, y)
    before = [out.copy() for out in entry.outputs(est, X)]
    state = {k: v.clone() for k, v in est.module_.state_dict().items()}
    # Any number of samples: one, and more than the 120 of X.
    more = np.concatenate([X, entry.make_data(seed=1)[0]])
    onx = assert_parity(est, X, X[:1], more)
    # float32 throughout, whatever the model trained in (float64 here).
    assert next(est.module_.parameters()).dtype == torch.float64
    initializers = {t.data_type for t in onx.graph.initializer}
    assert TensorProto.DOUBLE not in initializers
    # The model is as it was: its weights and outputs.
    for name, value in est.module_.state_dict().items():
        assert torch.equal(value, state[name]), name
    for out, want in zip(entry.outputs(est, X), before, strict=True):
        np.testing.assert_array_equal(out, want)


@pytest.mark.parametrize("entry", EXPORTED_ENTRIES)
def test_parity_on_flat_rows_and_after_pickling(entry):
    X, y = entry.make_flat_data()
    est = entry.fit(entry.flat_estimator(), X, y)
    assert_parity(pickle.loads(pickle.dumps(est)), X)


# ------------------------------------------- the options that change graphs
def _labelled(n_samples=90, n_features=4, seed=0):
    rng = np.random.RandomState(seed)
    y = np.arange(n_samples) % 3
    X = rng.normal(size=(n_samples, n_features)) + (y - 1.0)[:, None]
    return X, y


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_mlp_activations(activation):
    X, y = _labelled()
    est = sknn.MLPClassifier((8, 6), activation=activation, **SMALL).fit(X, y)
    assert_parity(est, X)


def test_mlp_regressor_with_several_outputs_and_the_log_link():
    X, _ = _labelled()
    Y = np.column_stack([X[:, 0], X[:, 1] - X[:, 2]])
    est = sknn.MLPRegressor(
        hidden_layer_sizes=(8,), normalization="batch", **SMALL
    ).fit(X, Y)
    assert_parity(est, X)
    counts = np.random.RandomState(0).poisson(np.exp(0.5 * X[:, 0]))
    est = sknn.MLPRegressor(hidden_layer_sizes=(8,), loss="poisson", **SMALL)
    est.fit(X, counts)
    assert est.out_activation_ == "exp"
    assert_parity(est, X)


def _images(n_samples=60, shape=(1, 8, 8), seed=0):
    rng = np.random.RandomState(seed)
    y = np.arange(n_samples) % 3
    X = rng.normal(size=(n_samples, *shape)) + (y - 1.0).reshape(-1, 1, 1, 1)
    return X, y


@pytest.mark.parametrize(
    "params",
    [
        dict(normalization="batch", pooling="max", global_pool=True),
        dict(normalization="layer", pooling="mean", global_pool=False),
        dict(normalization="group", pooling="none", dropout=0.2),
        dict(padding="valid", stride=2, pooling="none", activation="gelu"),
        dict(kernel_size=(3, 1), pool_size=3, hidden_layer_sizes=(5,)),
    ],
    ids=["batch-max-global", "layer-avg", "group-none-dropout", "valid-stride", "k"],
)
def test_cnn_options(params):
    X, y = _images()
    est = sknn.CNNClassifier(filters=(4, 8), **params, **SMALL).fit(X, y)
    assert_parity(est, X)


def test_cnn_on_signals():
    rng = np.random.RandomState(0)
    y = np.arange(60) % 2
    X = rng.normal(size=(60, 2, 16)) + y.reshape(-1, 1, 1)  # two channels
    assert_parity(sknn.CNNClassifier(filters=(4,), **SMALL).fit(X, y), X)
    assert_parity(sknn.CNNRegressor(filters=(4,), **SMALL).fit(X, X.mean((1, 2))), X)


def _sequences(n_samples=60, n_steps=6, n_features=2, seed=0, ragged=False):
    """Sequences whose class is their mean; ``ragged``: a third of them end
    early, NaN padding them to ``n_steps``."""
    rng = np.random.RandomState(seed)
    y = np.arange(n_samples) % 3
    X = rng.normal(size=(n_samples, n_steps, n_features)) + (y - 1.0)[:, None, None]
    if ragged:
        X[::3, n_steps // 2 :] = np.nan
        X[1::6, 1:] = np.nan  # and some of a single step
    return X, y


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_rnn_cells_and_directions(cell, bidirectional):
    X, y = _sequences()
    params = dict(cell=cell, bidirectional=bidirectional, hidden_size=5)
    assert_parity(sknn.RNNClassifier(**params, **SMALL).fit(X, y), X)


@pytest.mark.parametrize("pooling", ["last", "mean", "max", "attention"])
def test_rnn_poolings_on_sequences_of_variable_length(pooling):
    # Padding stays out of the exported recurrence (ONNX's sequence_lens),
    # as packing keeps it out in torch: exact in both directions, and for
    # the last step's state.
    X, y = _sequences(ragged=True)
    params = dict(pooling=pooling, hidden_size=5, num_layers=2, dropout=0.1)
    est = sknn.RNNClassifier(**params, **SMALL).fit(X, y)
    assert_parity(est, X)


def test_rnn_graph_takes_sequences_of_its_length_padded():
    # The graph's sequences have the example's length: shorter ones are
    # padded to it, longer ones refused.
    X, y = _sequences()
    est = sknn.RNNClassifier(hidden_size=5, **SMALL).fit(X, y)
    onx = to_onnx(est, X[:1].astype(np.float32), options={"zipmap": False})
    shorter = X[:, :4]
    padded = np.concatenate([shorter, np.full((len(X), 2, 2), np.nan)], axis=1)
    labels, probabilities = run(onx, padded.astype(np.float32))
    np.testing.assert_array_equal(labels, est.predict(shorter))
    np.testing.assert_allclose(
        probabilities, est.predict_proba(shorter), rtol=0, atol=ATOL
    )
    with pytest.raises(onnxruntime.capi.onnxruntime_pybind11_state.InvalidArgument):
        run(onx, shorter.astype(np.float32))
    # A free time axis is refused, saying how to size it.
    free = [("X", FloatTensorType([None, None, 2]))]
    with pytest.raises(ValueError, match=r"got the shape \[None, None, 2\]"):
        to_onnx(est, initial_types=free)


def test_rnn_regressor_with_a_dense_head_on_variable_length():
    X, _ = _sequences(ragged=True)
    target = np.nanmean(X, axis=(1, 2))
    est = sknn.RNNRegressor(
        cell="lstm",
        hidden_size=5,
        hidden_layer_sizes=(4,),
        normalization="batch",
        **SMALL,
    ).fit(X, target)
    assert_parity(est, X)


def _token_ids(n_samples=60, n_steps=7, seed=0):
    """Token ids 1..9, sequences of 2 to 7 tokens padded with 0; the class
    is whether token 3 occurs."""
    rng = np.random.RandomState(seed)
    ids = rng.randint(1, 10, size=(n_samples, n_steps))
    lengths = rng.randint(2, n_steps + 1, size=n_samples)
    ids[np.arange(n_steps) >= lengths[:, None]] = 0
    return ids, (ids == 3).any(axis=1).astype(int)


def test_rnn_token_ids_with_an_embedding():
    ids, y = _token_ids()
    est = sknn.RNNClassifier(embedding_dim=4, padding_id=0, hidden_size=5, **SMALL).fit(
        ids, y
    )
    # Ids unseen in fit are unknown tokens, in the graph as in sknn.
    unseen = ids.copy()
    unseen[:, 0] = 42
    assert_parity(est, ids, unseen, dtype=np.int64)


def test_rnn_token_ids_padded_with_nan():
    ids, y = _token_ids()
    padded = np.where(ids == 0, np.nan, ids)
    est = sknn.RNNClassifier(embedding_dim=4, hidden_size=5, **SMALL).fit(padded, y)
    assert_parity(est, padded)


@pytest.mark.parametrize(
    "params",
    [
        dict(hidden_layer_sizes=(), normalization="batch"),
        dict(hidden_layer_sizes=(8, 6), activation="tanh", dropout=0.1),
        dict(variational=True, noise="gaussian"),
    ],
    ids=["linear-batch-norm", "deep-dropout", "variational"],
)
def test_autoencoder_options(params):
    X = np.random.RandomState(0).normal(size=(80, 6))
    assert_parity(sknn.Autoencoder(n_components=3, **params, **SMALL).fit(X), X)


@pytest.mark.parametrize(
    "params",
    [
        dict(pooling="max", normalization="batch"),
        dict(pooling="mean", hidden_layer_sizes=(6,), variational=True),
    ],
    ids=["max-batch", "avg-variational"],
)
def test_cnn_autoencoder_options(params):
    X = np.random.RandomState(0).normal(size=(40, 1, 8, 8))
    est = sknn.CNNAutoencoder(n_components=3, filters=(4, 4), **params, **SMALL)
    assert_parity(est.fit(X), X)


# -------------------------------------------------- classifiers' outputs
def test_zipmap_by_default_gives_a_dictionary_per_sample():
    X, y = _labelled()
    est = sknn.MLPClassifier((8,), **SMALL).fit(X, y + 10)
    X32 = X.astype(np.float32)
    labels, probabilities = run(to_onnx(est, X32[:1]), X32)
    np.testing.assert_array_equal(labels, est.predict(X))
    assert [sorted(row) for row in probabilities] == [[10, 11, 12]] * len(X)
    table = np.array([[row[c] for c in est.classes_] for row in probabilities])
    np.testing.assert_allclose(table, est.predict_proba(X), rtol=0, atol=ATOL)


def test_zipmap_columns_gives_an_output_per_class():
    X, y = _labelled()
    est = sknn.MLPClassifier((8,), **SMALL).fit(X, y)
    X32 = X.astype(np.float32)
    onx = to_onnx(est, X32[:1], options={"zipmap": "columns"})
    labels, *columns = run(onx, X32)
    np.testing.assert_array_equal(labels, est.predict(X))
    assert len(columns) == 3
    np.testing.assert_allclose(
        np.column_stack(columns), est.predict_proba(X), rtol=0, atol=ATOL
    )


def test_string_labels_of_a_binary_classifier():
    X, y = _labelled()
    words = np.where(y == 1, "spam", "ham")
    est = sknn.MLPClassifier((8,), **SMALL).fit(X, words)
    assert_parity(est, X)
    X32 = X.astype(np.float32)
    labels, probabilities = run(to_onnx(est, X32[:1]), X32)
    assert set(labels) <= {"ham", "spam"}
    assert sorted(probabilities[0]) == ["ham", "spam"]


def test_nocl_gives_class_indices():
    X, y = _labelled()
    est = sknn.MLPClassifier((8,), **SMALL).fit(X, np.array(["a", "b", "c"])[y])
    X32 = X.astype(np.float32)
    onx = to_onnx(est, X32[:1], options={"zipmap": False, "nocl": True})
    indices, probabilities = run(onx, X32)
    assert indices.dtype == np.int64
    np.testing.assert_array_equal(est.classes_[indices], est.predict(X))
    np.testing.assert_allclose(probabilities, est.predict_proba(X), rtol=0, atol=ATOL)


def test_float_labels_holding_integers_export_as_integers():
    X, y = _labelled()
    est = sknn.MLPClassifier((8,), **SMALL).fit(X, y.astype(float))
    onx = assert_parity(est, X)
    assert onx.graph.output[0].type.tensor_type.elem_type == TensorProto.INT64


# ---------------------------------------------------- pipelines and inputs
def test_pipeline_ending_in_an_sknn_estimator_in_double():
    X, y = _labelled()
    X = X * 10 + 3
    pipe = make_pipeline(StandardScaler(), sknn.MLPClassifier((8,), **SMALL))
    pipe.fit(X, y)
    onx = to_onnx(pipe, X[:1], options={"zipmap": False})  # float64 input
    labels, probabilities = run(onx, X)
    assert probabilities.dtype == np.float64
    np.testing.assert_array_equal(labels, pipe.predict(X))
    np.testing.assert_allclose(probabilities, pipe.predict_proba(X), rtol=0, atol=ATOL)


def test_pipeline_in_double_ending_in_a_float32_network():
    """The CNNs compute in float32 by default: fed float64 (a scaler's
    output), the graph takes float64 and gives float64 probabilities, as
    sknn's pipeline does, and the same labels."""
    X, y = _labelled(n_features=16)
    pipe = make_pipeline(
        StandardScaler(),
        sknn.CNNClassifier((4,), hidden_layer_sizes=(), input_shape=(1, 4, 4), **SMALL),
    )
    pipe.fit(X, y)
    assert next(pipe[-1].module_.parameters()).dtype == torch.float32
    onx = to_onnx(pipe, X[:1], options={"zipmap": False})  # float64 input
    labels, probabilities = run(onx, X)
    assert probabilities.dtype == pipe.predict_proba(X).dtype == np.float64
    np.testing.assert_array_equal(labels, pipe.predict(X))
    np.testing.assert_allclose(probabilities, pipe.predict_proba(X), rtol=0, atol=ATOL)


def test_pipeline_of_an_autoencoder_and_a_regressor():
    X = np.random.RandomState(0).normal(size=(80, 6))
    y = X[:, 0] - X[:, 1]
    pipe = make_pipeline(
        StandardScaler(),
        sknn.Autoencoder(n_components=3, **SMALL),
        sknn.MLPRegressor(hidden_layer_sizes=(6,), **SMALL),
    ).fit(X, y)
    X32 = X.astype(np.float32)
    (values,) = run(to_onnx(pipe, X32[:1]), X32)
    np.testing.assert_allclose(values.ravel(), pipe.predict(X), rtol=0, atol=ATOL)


def test_graph_input_name_and_type_can_be_given():
    X, _ = _labelled()
    est = sknn.MLPRegressor(hidden_layer_sizes=(8,), **SMALL).fit(X, X[:, 0])
    onx = to_onnx(est, initial_types=[("features", FloatTensorType([None, 4]))])
    assert [i.name for i in onx.graph.input] == ["features"]
    session = onnxruntime.InferenceSession(onx.SerializeToString())
    (values,) = session.run(None, {"features": X.astype(np.float32)})
    np.testing.assert_allclose(values.ravel(), est.predict(X), rtol=0, atol=ATOL)


# ------------------------------------------------------------- refusals
@pytest.mark.parametrize("entry", registry(where=lambda e: e.cls not in EXPORTED))
def test_table_networks_say_they_have_no_export(entry):
    X, y = entry.make_data()
    est = entry.fit(entry.estimator(), X, y)
    with pytest.raises(TypeError, match=f"{entry.name} has no ONNX export yet"):
        to_onnx(est, X[:1].astype(np.float32))


def test_multilabel_classifiers_are_refused(multilabel_data):
    X, Y = multilabel_data
    est = sknn.MLPClassifier((8,), **SMALL).fit(X, Y)
    with pytest.raises(ValueError, match="fitted on multilabel targets"):
        to_onnx(est, X[:1].astype(np.float32))


def test_opsets_older_than_torchs_exporter_are_refused():
    X, y = _labelled()
    est = sknn.MLPClassifier((8,), **SMALL).fit(X, y)
    with pytest.raises(ValueError, match=r"opset 18 or later.*target_opset=18"):
        to_onnx(est, X[:1].astype(np.float32), target_opset=17)
    assert_parity(est, X)  # the default opset is recent enough


def test_importing_without_the_onnx_extra_says_how_to_install_it(monkeypatch):
    monkeypatch.delitem(sys.modules, "sknn.onnx")
    monkeypatch.setitem(sys.modules, "skl2onnx", None)
    with pytest.raises(ImportError, match=r'pip install "sknn\[onnx\]"'):
        importlib.import_module("sknn.onnx")


def test_every_series_pooling_exports():
    """MultiRocket's poolings (the longest stretch as a scatter-add, which
    ONNX has) run in the graph as in sknn, NaN padding included."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 40)).cumsum(axis=1)
    y = (X[:, -1] > X[:, 0]).astype(int)
    est = sknn.SeriesClassifier(
        n_kernel_features=672, pooling=("ppv", "mpv", "mipv", "lspv"), **SMALL
    ).fit(X, y)
    padded = X.copy()
    padded[:10, 30:] = np.nan
    assert_parity(est, X, padded)
