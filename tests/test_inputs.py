"""The input seam: one object per kind of input, chosen by ``_input_type``."""

import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import OneHotEncoder

from sknn import CNNAutoencoder, MLPClassifier, RNNClassifier
from sknn._inputs import InputKind, Rows, Samples
from sknn._sequences import Sequences
from sknn.modules import MLP


class Categories(InputKind):
    """A kind of input the library does not have: columns of categories,
    one-hot encoded (unknown categories: all zeros)."""

    check_kwargs = {"dtype": None}  # strings pass validation as they are
    published = ("n_inputs_",)

    def _learn(self, X):
        self.encoder_ = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
        self.n_inputs_ = self.encoder_.fit_transform(X).shape[1]

    def _convert(self, X):
        return self.encoder_.transform(X)


class CategoryClassifier(MLPClassifier):
    _input_type = Categories

    def _build_module(self):
        return MLP(self.n_inputs_, self.n_outputs_, (8,))


def test_a_new_kind_of_input_is_a_new_object():
    rng = np.random.RandomState(0)
    colours = rng.choice(["red", "green", "blue"], size=150)
    X = pd.DataFrame({"colour": colours, "shape": rng.choice(["o", "x"], 150)})
    y = colours == "red"
    clf = CategoryClassifier(solver="lbfgs", random_state=0).fit(X, y)
    assert clf.n_features_in_ == 2 and clf.n_inputs_ == 5
    assert list(clf.feature_names_in_) == ["colour", "shape"]
    assert clf.score(X, y) == 1.0
    unseen = pd.DataFrame({"colour": ["red", "pink"], "shape": ["o", "o"]})
    assert clf.predict(unseen).tolist() == [True, False]
    with pytest.raises(ValueError, match="Feature names seen at fit time, yet now"):
        clf.predict(X[["colour"]])


def test_each_estimator_names_its_kind():
    assert MLPClassifier._input_type is Rows
    assert CNNAutoencoder._input_type is Samples
    assert RNNClassifier._input_type is Sequences


def test_a_kind_learns_and_converts_without_the_estimator():
    """One way: the kind is given X and returns what it learnt; the estimator
    publishes it."""
    kind = Samples(input_shape=(1, 4, 4), name="CNNAutoencoder")
    X = np.arange(32.0).reshape(2, 16)
    learnt = kind.fit(X)
    assert learnt == {"input_shape_": (1, 4, 4), "n_features_in_": 16}
    converted = kind.transform(X)
    assert converted.shape == (2, 1, 4, 4)
    np.testing.assert_array_equal(kind.inverse_transform(converted), X)
    assert kind.transform(X.reshape(2, 4, 4)).shape == (2, 1, 4, 4)
    with pytest.raises(ValueError, match="CNNAutoencoder was fitted on samples of"):
        kind.transform(np.zeros((2, 3, 3)))


def test_the_estimator_publishes_what_its_kind_learnt():
    X = np.arange(32.0).reshape(2, 16)
    est = CNNAutoencoder(input_shape=(1, 4, 4), filters=(2,), max_iter=1).fit(X)
    assert est.input_shape_ == (1, 4, 4) and est.n_features_in_ == 16
    assert est._input.learnt() == {"input_shape_": (1, 4, 4), "n_features_in_": 16}


def test_sequences_learn_the_vocabulary_and_convert_to_ids():
    kind = Sequences(embedding_dim=2, padding_id=0, name="RNNClassifier")
    X = kind.prepare([[3, 1, 0], [2, 2, 2]], fitting=True)
    assert kind.fit(X)["vocabulary_size_"] == 4
    assert kind.n_step_features_ == 1
    # Padding is 0 and unseen ids are 1 in the module's ids; tokens are id + 2.
    np.testing.assert_array_equal(kind.transform(X), [[5, 3, 0], [4, 4, 4]])
    later = kind.prepare([[9, 3]], fitting=False)
    np.testing.assert_array_equal(kind.transform(later), [[1, 5]])


def test_the_kinds_take_the_parameters_they_name():
    for cls, estimator in [
        (Samples, CNNAutoencoder(input_shape=(1, 4, 4))),
        (Sequences, RNNClassifier(embedding_dim=3, padding_id=0)),
    ]:
        kind = estimator._make_input()
        assert type(kind) is cls
        for name in cls.parameters:
            assert getattr(kind, name) == getattr(estimator, name)
        assert kind.name == type(estimator).__name__


def test_no_kind_of_input_reads_or_sets_the_estimator():
    """The seam's rule, checked on the code (not the comments): no name
    ``estimator`` in a kind's code, nor scikit-learn's estimator validation
    or tags (which read and set attributes on the estimator)."""
    import ast
    import inspect

    import sknn._inputs
    import sknn._sequences
    import sknn._tables

    for module in (sknn._inputs, sknn._sequences, sknn._tables):
        names = {
            node.id if isinstance(node, ast.Name) else node.arg
            for node in ast.walk(ast.parse(inspect.getsource(module)))
            if isinstance(node, ast.Name | ast.arg)
        }
        found = names & {"estimator", "validate_data", "get_tags", "check_X_y"}
        assert not found, (module.__name__, found)
