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


def test_fit_transform_learns_and_publishes_transform_checks():
    est = CNNAutoencoder(input_shape=(1, 4, 4))
    kind = Samples.from_estimator(est)
    assert kind.input_shape == (1, 4, 4)
    X = np.arange(32.0).reshape(2, 16)
    converted, y = kind.fit_transform(est, X)
    assert y is None and converted.shape == (2, 1, 4, 4)
    assert est.input_shape_ == (1, 4, 4) and est.n_features_in_ == 16
    np.testing.assert_array_equal(kind.inverse_transform(converted), X)
    assert kind.transform(est, X.reshape(2, 4, 4))[0].shape == (2, 1, 4, 4)
    with pytest.raises(ValueError, match="fitted on samples of shape"):
        kind.transform(est, np.zeros((2, 3, 3)))


def test_sequences_learn_the_vocabulary_and_convert_to_ids():
    est = RNNClassifier(embedding_dim=2, padding_id=0)
    kind = Sequences.from_estimator(est)
    ids, _ = kind.fit_transform(est, [[3, 1, 0], [2, 2, 2]], [0, 1], multi_output=True)
    assert est.vocabulary_size_ == 4 and est.n_step_features_ == 1
    # Padding is 0 and unseen ids are 1 in the module's ids; tokens are id + 2.
    np.testing.assert_array_equal(ids, [[5, 3, 0], [4, 4, 4]])
    np.testing.assert_array_equal(kind.transform(est, [[9, 3]])[0], [[1, 5]])
