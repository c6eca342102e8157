"""Sample and class weights weigh samples in the loss, for every public
estimator (see the registry in conftest.py); what weights do to an MLP's
predictions is in test_mlp_classifier.py."""

import numpy as np
import pytest
from conftest import registry


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
@pytest.mark.parametrize("entry", registry())
def test_zero_sample_weight_equals_dropping_rows(entry, solver):
    X, y = entry.make_data()
    weight = np.where(np.arange(len(X)) % 4 == 0, 0.0, 1.0)  # of every class
    keep = weight > 0
    params = dict(
        solver=solver,
        # batch_size="auto" is min(200, n_samples): one full batch either way, so
        # both fits take the same steps (in batches of 32, the rows of weight 0
        # would change which rows share a batch).
        batch_size="auto",
        shuffle=False,
        # Compared to float64's rounding: in float32 (the CNNs' default) the
        # summed losses round apart by 1e-6 in a few epochs.
        dtype="float64",
    )
    weighted = entry.fit(entry.estimator(**params), X, y, sample_weight=weight)
    dropped = entry.fit(
        entry.estimator(**params), X[keep], None if y is None else y[keep]
    )
    # lbfgs amplifies rounding differences over its iterations (its line
    # search may even take another number of them): compare loosely.
    atol = 1e-6 if solver == "adam" else 1e-2
    if solver == "adam":
        assert weighted.n_iter_ == dropped.n_iter_
    for a, b in zip(entry.values(weighted, X), entry.values(dropped, X), strict=True):
        np.testing.assert_allclose(a, b, atol=atol, rtol=atol)


@pytest.mark.parametrize("entry", registry())
def test_sample_weight_changes_the_model(entry):
    """Weights reach the loss: weighting half the samples ten times gives
    another network than no weights. Without the L2 penalty (scaled by the
    weighted batch size, as in scikit-learn) only relative weights count:
    uniform weights give the unweighted network. (Not quite with batch
    normalisation: its running variance, unbiased, counts a weight of 3 as
    three samples, as the sample-weight check asks.)"""
    X, y = entry.make_data()
    params = dict(alpha=0.0, normalization=None, dtype="float64")  # as above
    plain = entry.fit(entry.estimator(**params), X, y)
    uniform = entry.fit(
        entry.estimator(**params), X, y, sample_weight=np.full(len(X), 3.0)
    )
    weight = np.where(np.arange(len(X)) < len(X) // 2, 10.0, 1.0)
    weighted = entry.fit(entry.estimator(**params), X, y, sample_weight=weight)
    for a, b in zip(entry.values(uniform, X), entry.values(plain, X), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    changed = entry.values(weighted, X)[0]
    assert not np.allclose(changed, entry.values(plain, X)[0], atol=1e-3)


@pytest.mark.parametrize("entry", registry(kind="classifier"))
def test_class_weight_dict_equals_sample_weight(entry):
    X, y = entry.make_data()
    class_weight = {0: 1.0, 1: 4.0, 2: 0.5}
    by_class = entry.estimator(class_weight=class_weight).fit(X, y)
    by_sample = entry.estimator().fit(
        X, y, sample_weight=np.array([class_weight[c] for c in y])
    )
    np.testing.assert_allclose(
        by_class.predict_proba(X), by_sample.predict_proba(X), atol=1e-6
    )
    # Both multiply: class weights times sample weights.
    weight = np.linspace(0.5, 1.5, len(y))
    both = entry.estimator(class_weight=class_weight).fit(X, y, sample_weight=weight)
    product = entry.estimator().fit(
        X, y, sample_weight=weight * np.array([class_weight[c] for c in y])
    )
    np.testing.assert_allclose(
        both.predict_proba(X), product.predict_proba(X), atol=1e-6
    )
