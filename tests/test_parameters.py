"""The estimators' shared parameters mean the same everywhere: the same
defaults (but for the deliberate differences listed here, each with its
reason), and the same accepted forms."""

import inspect
from collections import defaultdict

import pytest
from conftest import assert_same_module, public_estimators, registry

from sknn import MLPClassifier

# Deliberate differences of default: parameter -> {estimator: (default,
# reason)}. A parameter listed here must list every estimator that has it,
# and its defaults must really differ; any other parameter that two
# estimators share has one default.
_TABLES = "chosen by the tabular defaults study (user guide, Tables)"
_SIGNALS = "chosen by the CNN and RNN defaults study (benchmarks/defaults.py)"
SKLEARN_MLP = {
    name: param.default
    for name, param in inspect.signature(MLPClassifier).parameters.items()
}
_TABLE_TRAINING = {
    "activation": "silu",
    "solver": "adamw",
    "alpha": 0.01,
    "learning_rate_init": 0.002,
    "max_iter": 100,
    "early_stopping": "auto",
    "validation_fraction": 0.2,
    "beta_2": 0.95,
    "n_iter_no_change": 16,
}
_CNN_TRAINING = {
    "batch_size": 32,
    "learning_rate": "cosine",
    "max_iter": 60,
    "n_iter_no_change": 20,
}
_RNN_TRAINING = {
    "batch_size": 32,
    "learning_rate_init": 0.002,
    "max_iter": 60,
    "early_stopping": "auto",
    "n_iter_no_change": 20,
}
# In 60 epochs the regressor underfits scikit-learn's check_regressors_train.
_RNN_REGRESSOR_TRAINING = {**_RNN_TRAINING, "max_iter": 100}
_SERIES = "chosen by the series defaults study (benchmarks/series_defaults.py)"
_SERIES_TRAINING = {"solver": "lbfgs", "alpha": 10.0, "max_iter": 500}
_SERIES_REGRESSOR_TRAINING = {**_SERIES_TRAINING, "alpha": 3000.0}
# estimator -> (its studied training defaults, why); the others: none.
_STUDIED = {cls.__name__: ({}, "scikit-learn's default") for cls in public_estimators()}
_STUDIED.update(
    {
        "TabularClassifier": (_TABLE_TRAINING, _TABLES),
        "TabularRegressor": (_TABLE_TRAINING, _TABLES),
        "CNNClassifier": (_CNN_TRAINING, _SIGNALS),
        "CNNRegressor": (_CNN_TRAINING, _SIGNALS),
        "RNNClassifier": (_RNN_TRAINING, _SIGNALS),
        "RNNRegressor": (_RNN_REGRESSOR_TRAINING, _SIGNALS),
        "SeriesClassifier": (_SERIES_TRAINING, _SERIES),
        "SeriesRegressor": (_SERIES_REGRESSOR_TRAINING, _SERIES),
    }
)

DIFFERENT_DEFAULTS = {
    "hidden_layer_sizes": {
        # scikit-learn's MLPs' default, which the drop-ins keep.
        "MLPClassifier": ((100,), "the whole network: sklearn's default"),
        "MLPRegressor": ((100,), "the whole network: sklearn's default"),
        # The dense head after the convolutions (flattened feature maps).
        "CNNClassifier": ((128,), "the dense head after the convolutions"),
        "CNNRegressor": ((128,), "the dense head after the convolutions"),
        # The recurrent state summarises the sequence: the output layer reads
        # it directly (chosen by benchmarks/rnn_defaults.py).
        "RNNClassifier": ((), "no head: the output reads the recurrent state"),
        "RNNRegressor": ((), "no head: the output reads the recurrent state"),
        # The encoder's hidden layers, mirrored by the decoder; 512 units were
        # chosen on the digits (user guide).
        "Autoencoder": ((512,), "the encoder's layers, chosen on the digits"),
        # Dense layers between the feature maps and the code: none, the
        # convolutions do the encoding.
        "CNNAutoencoder": ((), "no dense layers between the maps and the code"),
        # The table networks: chosen on the tabular dev suite (user guide).
        "TabularClassifier": ((256, 256), _TABLES),
        "TabularRegressor": ((256, 256), _TABLES),
        # A linear layer reads the random-kernel features, as MiniRocket's
        # ridge model.
        "SeriesClassifier": ((), "a linear model of the kernel features"),
        "SeriesRegressor": ((), "a linear model of the kernel features"),
    },
    # The table networks, the CNNs and the RNNs are no drop-ins: their
    # training defaults are those their studies chose, the others keep
    # scikit-learn's MLP's.
    **{
        name: {
            cls: (
                studied.get(name, SKLEARN_MLP[name]),
                reason if name in studied else "scikit-learn's default",
            )
            for cls, (studied, reason) in _STUDIED.items()
        }
        for name in sorted({n for studied, _ in _STUDIED.values() for n in studied})
        if name in SKLEARN_MLP
    },
    # Three blocks won on the dev series; the convolutional autoencoder keeps
    # two, mirrored by its decoder.
    "filters": {
        "CNNClassifier": ((32, 64, 128), _SIGNALS),
        "CNNRegressor": ((32, 64, 128), _SIGNALS),
        "CNNAutoencoder": ((32, 64), "the encoder's blocks, mirrored by the decoder"),
    },
    # Batch normalisation won on the dev series; the convolutional
    # autoencoder reconstructs the digits better without it (user guide);
    # the dense networks keep scikit-learn's MLP's (which has none).
    "normalization": {
        "CNNClassifier": ("batch", _SIGNALS),
        "CNNRegressor": ("batch", _SIGNALS),
        "CNNAutoencoder": (None, "none: batch statistics raise its error"),
        **{
            name: (None, "none, as scikit-learn's MLP")
            for name in (
                "MLPClassifier",
                "MLPRegressor",
                "RNNClassifier",
                "RNNRegressor",
                "Autoencoder",
            )
        },
    },
    "label_smoothing": {
        "CNNClassifier": (0.1, _SIGNALS),
        "RNNClassifier": (0.1, _SIGNALS),
        "TabularClassifier": (0.0, _TABLES),
        "SeriesClassifier": (0.0, "0.1 lost on the series dev suite"),
    },
    # float32, as PyTorch and Keras, for the networks no one expects to
    # compute as scikit-learn (float64 convolutions took about 3 times as
    # long on the digits: benchmarks/defaults.py --timing); the drop-ins
    # and the dense autoencoder keep scikit-learn's input dtype.
    "dtype": {
        **{
            name: ("float32", "float32: several times faster, same accuracy")
            for name in (
                "CNNClassifier",
                "CNNRegressor",
                "CNNAutoencoder",
                "RNNClassifier",
                "RNNRegressor",
                "TabularClassifier",
                "TabularRegressor",
            )
        },
        **{
            name: (None, "the input's dtype, as scikit-learn")
            for name in ("MLPClassifier", "MLPRegressor", "Autoencoder")
        },
        # Their convolutions compute in float32 whatever the dtype; the
        # trained linear layer, cheap, in the input's.
        **{
            name: (None, "kernels in float32 anyway; the linear layer as sklearn")
            for name in ("SeriesClassifier", "SeriesRegressor")
        },
    },
    # How outputs pool over the steps: a max for the CNNs and the RNNs; the
    # series networks' fixed kernels pool as MiniRocket's features do.
    "pooling": {
        **{
            name: ("max", "the study's default for trained layers")
            for name in (
                "CNNAutoencoder",
                "CNNClassifier",
                "CNNRegressor",
                "RNNClassifier",
                "RNNRegressor",
            )
        },
        **{
            name: ("ppv", "MiniRocket's proportion of positive values")
            for name in ("SeriesClassifier", "SeriesRegressor")
        },
    },
    # Token embeddings of the RNNs: None reads numbers, not token ids; the
    # table networks' old name of categorical_embedding_dim, deprecated.
    "embedding_dim": {
        "RNNClassifier": (None, "None: the sequences hold numbers, not token ids"),
        "RNNRegressor": (None, "None: the sequences hold numbers, not token ids"),
        "TabularClassifier": ("deprecated", "renamed categorical_embedding_dim"),
        "TabularRegressor": ("deprecated", "renamed categorical_embedding_dim"),
    },
}


def _defaults():
    """parameter -> {estimator name: default}, read from the signatures."""
    defaults = defaultdict(dict)
    for cls in public_estimators():
        for name, param in inspect.signature(cls).parameters.items():
            defaults[name][cls.__name__] = param.default
    return defaults


SHARED = sorted(name for name, per_class in _defaults().items() if len(per_class) > 1)


def test_the_estimators_share_their_training_parameters():
    """What is compared below: the training and runtime parameters at least."""
    assert {
        "solver",
        "alpha",
        "batch_size",
        "learning_rate_init",
        "max_iter",
        "random_state",
        "early_stopping",
        "device",
        "callbacks",
        "hidden_layer_sizes",
        "activation",
        "dropout",
        "normalization",
    } <= set(SHARED)


@pytest.mark.parametrize("name", SHARED)
def test_a_shared_parameter_has_one_default(name):
    per_class = _defaults()[name]
    if name in DIFFERENT_DEFAULTS:
        allowed = DIFFERENT_DEFAULTS[name]
        assert set(allowed) == set(per_class), (
            f"DIFFERENT_DEFAULTS[{name!r}] must list exactly the estimators that "
            f"have it: {sorted(per_class)}"
        )
        for cls_name, default in per_class.items():
            expected, reason = allowed[cls_name]
            assert reason
            assert default == expected, (cls_name, default, expected)
        assert len({repr(default) for default in per_class.values()}) > 1, (
            f"the defaults of {name!r} agree now: drop it from DIFFERENT_DEFAULTS"
        )
        return
    values = {repr(default) for default in per_class.values()}
    assert len(values) == 1, f"{name!r} has different defaults: {per_class}"


def test_the_allow_list_names_shared_parameters_only():
    for name in DIFFERENT_DEFAULTS:
        assert name in SHARED, name


@pytest.mark.parametrize(
    "entry",
    registry(where=lambda e: "hidden_layer_sizes" in e.cls().get_params()),
)
def test_an_int_hidden_layer_sizes_is_one_layer(entry):
    """hidden_layer_sizes=8 means one hidden layer of 8 units, as in
    scikit-learn's MLPs, wherever the parameter exists."""
    X, y = entry.make_data()
    as_int = entry.fit(entry.estimator(hidden_layer_sizes=8), X, y)
    as_tuple = entry.fit(entry.estimator(hidden_layer_sizes=(8,)), X, y)
    assert_same_module(as_int, as_tuple)
    assert entry.outputs(as_int, X)[0].shape == entry.outputs(as_tuple, X)[0].shape
    assert as_int.get_params()["hidden_layer_sizes"] == 8
