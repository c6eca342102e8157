"""``alpha`` applies to the same parameters in every estimator and solver: the
weights (2+ dimensions), never biases or normalisation parameters."""

import numpy as np
import pytest
import torch
from conftest import registry

from sknn import MLPRegressor, RNNRegressor


def test_adamws_decay_never_shrinks_the_intercepts():
    # With zero inputs the best model is an output bias of 5. A decay that
    # reached the biases would pull it towards 0 (measured: predictions 3
    # below the target); on the weights alone the bias is free to sit at 5.
    X, y = np.zeros((200, 12)), np.full(200, 5.0)
    est = MLPRegressor(
        hidden_layer_sizes=(8,), solver="adamw", alpha=1.0, learning_rate_init=0.02
    )
    est.set_params(batch_size=20, max_iter=60, random_state=0, device="cpu")
    est.fit(X, y)
    np.testing.assert_allclose(est.predict(X[:5]), 5.0, atol=0.1)


def test_decay_covers_embeddings_and_recurrent_weights():
    rng = np.random.RandomState(0)
    X, y = rng.randint(0, 6, size=(120, 5)), rng.normal(size=120)
    fits = {
        alpha: RNNRegressor(hidden_size=4, embedding_dim=3, solver="adamw")
        .set_params(alpha=alpha, max_iter=40, random_state=0, device="cpu")
        .fit(X, y)
        for alpha in (0.0, 2.0)
    }

    def norm(alpha, name):
        return torch.linalg.norm(dict(fits[alpha].module_.named_parameters())[name])

    for name in ("embedding.weight", "rnn.weight_ih_l0", "rnn.weight_hh_l0"):
        assert norm(2.0, name) < norm(0.0, name), name


@pytest.mark.parametrize("solver", ["adam", "adamw"])
@pytest.mark.parametrize("entry", registry())
def test_penalty_and_decay_apply_to_the_same_parameters(entry, solver):
    # The L2 penalty (adam) and AdamW's decay cover exactly the parameters of
    # 2 or more dimensions, in every estimator.
    est = entry.estimator(solver=solver, alpha=0.1, max_iter=2)
    entry.fit(est, *entry.make_data())
    weights = {id(p) for p in est.module_.parameters() if p.ndim > 1}
    assert weights and len(weights) < len(list(est.module_.parameters()))
    if solver == "adam":
        covered = {id(p) for p in est.net_._penalized_weights()}
    else:
        groups = est.net_.optimizer_.param_groups
        covered = {id(p) for g in groups if g["weight_decay"] for p in g["params"]}
    assert covered == weights
