"""Autoencoder: a transformer where PCA is used, with reconstruction, anomaly
scores and denoising."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC

from sknn import Autoencoder, CNNAutoencoder

SMALL = dict(hidden_layer_sizes=(16,), max_iter=5, random_state=0)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16, y, test_size=0.25, random_state=0, stratify=y)


def test_methods_and_shapes():
    X = np.random.RandomState(0).normal(size=(60, 6))
    ae = Autoencoder(n_components=3, **SMALL).fit(X)
    codes = ae.transform(X)
    assert codes.shape == (60, 3)
    assert ae.inverse_transform(codes).shape == (60, 6)
    np.testing.assert_allclose(ae.fit_transform(X), codes, rtol=1e-12)
    scores = ae.score_samples(X)
    assert scores.shape == (60,) and (scores <= 0).all()
    reconstruction = ae.inverse_transform(codes)
    np.testing.assert_allclose(-scores, ((X - reconstruction) ** 2).mean(1))
    assert ae.score(X) == pytest.approx(scores.mean())
    assert list(ae.get_feature_names_out()) == [
        "autoencoder0",
        "autoencoder1",
        "autoencoder2",
    ]
    assert [
        m.out_features for m in ae.module_.encoder if hasattr(m, "out_features")
    ] == [16, 3]
    assert [
        m.out_features for m in ae.module_.decoder if hasattr(m, "out_features")
    ] == [16, 6]


def test_set_output_pandas_names_the_code_columns():
    frame = pd.DataFrame(np.random.RandomState(0).rand(30, 4), columns=list("abcd"))
    ae = Autoencoder(n_components=2, **SMALL).set_output(transform="pandas")
    codes = ae.fit_transform(frame)
    assert list(codes.columns) == ["autoencoder0", "autoencoder1"]
    assert list(ae.feature_names_in_) == list("abcd")


def test_binary_crossentropy_reconstructs_in_the_unit_interval():
    X = np.random.RandomState(0).rand(50, 8)
    ae = Autoencoder(loss="binary_crossentropy", **SMALL).fit(X)
    reconstruction = ae.inverse_transform(ae.transform(X))
    assert (reconstruction > 0).all() and (reconstruction < 1).all()
    with pytest.raises(ValueError, match=r"values from -1 to 1\. Scale X to \[0, 1\]"):
        Autoencoder(loss="binary_crossentropy", **SMALL).fit(
            np.linspace(-1, 1, 20)[:, None]
        )


def test_inverse_transform_takes_codes_only():
    X = np.random.RandomState(0).rand(20, 4)
    ae = Autoencoder(n_components=2, **SMALL).fit(X)
    with pytest.raises(ValueError, match=r"codes of 2 values \(n_components\), got 4"):
        ae.inverse_transform(X)
    with pytest.raises(ValueError, match="decoder_layer_sizes must be positive"):
        Autoencoder(decoder_layer_sizes=(4, 0)).fit(X)


def test_grid_search_over_n_components_of_a_pipeline(digits):
    X, _, y, _ = digits
    X, y = X[:400], y[:400]
    pipeline = make_pipeline(
        Autoencoder(max_iter=30, random_state=0), LogisticRegression(max_iter=500)
    )
    search = GridSearchCV(pipeline, {"autoencoder__n_components": [4, 12]}, cv=2)
    search.fit(X, y)
    assert search.best_params_ == {"autoencoder__n_components": 12}
    # The codes' accuracy on each held-out fold (cross_val_score itself runs
    # for every estimator in test_compat.py). measured: 0.670 and 0.665 with
    # 4 components, 0.790 and 0.760 with 12 (30 epochs on 200 rows)
    results = search.cv_results_
    for fold in ("split0_test_score", "split1_test_score"):
        four, twelve = results[fold]
        assert twelve > 0.7
        assert twelve > four + 0.05


@pytest.mark.figures
@pytest.mark.parametrize("n_components", [8, 16])
def test_reconstructs_digits_better_than_pca(digits, n_components):
    X_train, X_test, _, _ = digits
    ae = Autoencoder(n_components=n_components, random_state=0).fit(X_train)
    pca = PCA(n_components=n_components).fit(X_train)

    def error(model):
        return np.mean((model.inverse_transform(model.transform(X_test)) - X_test) ** 2)

    # measured: 0.0129 vs 0.0246 at 8, 0.0076 vs 0.0115 at 16
    assert error(ae) < error(pca)


@pytest.mark.figures
@pytest.mark.parametrize("n_components, margin", [(8, 0.0), (16, 0.01)])
def test_codes_classify_about_as_well_as_pca_codes(digits, n_components, margin):
    X_train, X_test, y_train, y_test = digits
    ae = make_pipeline(Autoencoder(n_components=n_components, random_state=0), SVC())
    pca = make_pipeline(PCA(n_components=n_components), SVC())
    # measured: 0.969 vs 0.956 at 8, 0.984 vs 0.989 at 16 (seeds 1, 2: 0.971
    # and 0.967 at 8, 0.980 and 0.984 at 16)
    ae_score = ae.fit(X_train, y_train).score(X_test, y_test)
    assert ae_score >= pca.fit(X_train, y_train).score(X_test, y_test) - margin


@pytest.mark.figures
def test_denoising_beats_pca_on_noisy_digits(digits):
    X_train, X_test, _, _ = digits
    rng = np.random.RandomState(0)
    noisy = np.clip(X_test + 0.3 * rng.normal(size=X_test.shape), 0, 1)
    dae = Autoencoder(n_components=16, noise="gaussian", noise_level=0.3)
    dae.set_params(random_state=0).fit(X_train)
    pca = PCA(n_components=16).fit(X_train)

    def error(model):
        return np.mean((model.inverse_transform(model.transform(noisy)) - X_test) ** 2)

    assert error(dae) < error(pca)  # measured: 0.0202 vs 0.0269


@pytest.mark.figures
def test_anomaly_scores_separate_the_trained_digit(digits):
    X_train, X_test, y_train, y_test = digits
    ae = Autoencoder(n_components=8, random_state=0).fit(X_train[y_train == 8])
    # measured: 0.985 for 8 (1.000 for 0 and for 1)
    assert roc_auc_score(y_test == 8, ae.score_samples(X_test)) >= 0.95


def test_variational_codes_are_the_means_and_beta_pulls_them_to_the_prior(digits):
    X_train, X_test, _, _ = digits
    vae = Autoencoder(n_components=4, variational=True, max_iter=30, random_state=0)
    vae.fit(X_train)
    codes = vae.transform(X_test)
    np.testing.assert_array_equal(codes, vae.transform(X_test))  # no sampling
    assert vae.module_.encoder[-1].out_features == 8  # means and log variances
    assert vae.inverse_transform(codes).shape == X_test.shape
    strong = Autoencoder(
        n_components=4, variational=True, beta=20.0, max_iter=30, random_state=0
    ).fit(X_train)
    weak = Autoencoder(
        n_components=4, variational=True, beta=0.05, max_iter=30, random_state=0
    ).fit(X_train)
    # The KL term pulls the codes towards the standard normal prior...
    assert (
        np.abs(strong.transform(X_test)).mean() < np.abs(weak.transform(X_test)).mean()
    )
    # ...at the cost of reconstruction.
    assert strong.score(X_test) < weak.score(X_test)


@pytest.mark.figures
def test_variational_with_binary_crossentropy(digits):
    X_train, X_test, _, _ = digits
    vae = Autoencoder(
        n_components=8, variational=True, loss="binary_crossentropy", random_state=0
    ).fit(X_train)
    reconstruction = vae.inverse_transform(vae.transform(X_test))
    assert ((reconstruction > 0) & (reconstruction < 1)).all()
    assert -vae.score(X_test) < 0.04  # measured: 0.0270


def test_early_stopping_scores_held_out_reconstruction(digits):
    X_train, _, _, _ = digits
    ae = Autoencoder(n_components=8, early_stopping=True, max_iter=40, random_state=0)
    ae.fit(X_train, sample_weight=np.ones(len(X_train)))
    scores = ae.validation_scores_
    assert len(scores) == ae.n_iter_
    assert max(scores) < 0  # negated reconstruction errors
    assert scores[-1] > scores[0]


@pytest.mark.parametrize("cls", [Autoencoder, CNNAutoencoder])
def test_variational_autoencoders_stop_early_on_held_out_data(cls):
    X = np.random.RandomState(0).uniform(size=(120, 16))
    ae = cls(n_components=2, variational=True, early_stopping=True)
    ae.set_params(max_iter=8, random_state=0, device="cpu")
    if cls is CNNAutoencoder:
        ae.set_params(filters=(4,), input_shape=(1, 4, 4))
    ae.fit(X)
    scores = ae.validation_scores_
    assert len(scores) == ae.n_iter_ and all(s < 0 for s in scores)
    assert ae.best_validation_score_ == max(scores)


def test_scores_of_a_dataframe_warn_about_nothing():
    X = pd.DataFrame(np.random.RandomState(0).normal(size=(60, 4)))
    ae = Autoencoder(n_components=2, max_iter=3, random_state=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ae.score_samples(X).shape == (60,)
