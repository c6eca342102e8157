"""Private torch and scikit-learn APIs: each works, or its public fallback
takes over with the same results."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import _check_sample_weight

from sknn import MLPClassifier, _optim, _sklearn, _torch


def test_this_torch_has_every_private_name_sknn_uses():
    # A torch release that drops one fails here, by name: sknn then runs on
    # the public fallback, slower.
    assert _torch.MISSING == (), f"torch {_torch.TORCH_VERSION} lacks them"
    assert _torch.STEP_WRAPPER_MARKED


@pytest.mark.parametrize("decoupled", [False, True])
def test_this_torch_has_callable_fused_kernels(decoupled):
    name = "_fused_adamw_" if decoupled else "_fused_adam_"
    assert _optim.direct_kernel(decoupled) is getattr(torch, name)


def test_a_kernel_giving_other_results_is_not_called_directly(monkeypatch):
    # A kernel that takes the arguments but computes something else (as a
    # changed kernel might) fails the check and is never used.
    def wrong_kernel(params, grads, *args, **kwargs):
        torch._foreach_add_(params, 1.0)

    monkeypatch.setattr(_torch, "fused_adam_", wrong_kernel)
    _optim.direct_kernel.cache_clear()
    try:
        assert _optim.direct_kernel(False) is None
    finally:
        monkeypatch.undo()
        _optim.direct_kernel.cache_clear()
    assert _optim.direct_kernel(False) is torch._fused_adam_


@pytest.mark.parametrize("kernel", [lambda *args: None, None])
def test_a_kernel_with_other_arguments_or_none_is_not_called_directly(
    kernel, monkeypatch
):
    monkeypatch.setattr(_torch, "fused_adamw_", kernel)
    _optim.direct_kernel.cache_clear()
    try:
        assert _optim.direct_kernel(True) is None
    finally:
        monkeypatch.undo()
        _optim.direct_kernel.cache_clear()


@pytest.mark.parametrize("solver", ["adam", "adamw"])
def test_fallback_to_torchs_fused_step_gives_the_same_model(solver, monkeypatch):
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    params = dict(hidden_layer_sizes=(8,), solver=solver, alpha=0.01, batch_size=32)
    params |= dict(max_iter=10, random_state=0, device="cpu")
    torch_steps = []
    torch_step = torch.optim.Adam.step

    def counted_step(self, *args, **kwargs):
        torch_steps.append(1)
        return torch_step(self, *args, **kwargs)

    _optim.direct_kernel(solver == "adamw")  # its check steps torch's Adam
    monkeypatch.setattr(torch.optim.Adam, "step", counted_step)
    direct = MLPClassifier(**params).fit(X, y)
    assert len(torch_steps) == 1  # torch's own first step makes the state
    torch_steps.clear()
    monkeypatch.setattr(_optim, "direct_kernel", lambda decoupled: None)
    fallback = MLPClassifier(**params).fit(X, y)
    assert len(torch_steps) == 50  # 10 epochs of 5 batches, all torch's own
    for ours, theirs in zip(direct.coefs_, fallback.coefs_, strict=True):
        np.testing.assert_array_equal(ours, theirs)


def test_sample_weight_fallback_matches_scikit_learn():
    X = np.zeros((4, 2))
    for weight in (None, 2.0, [1, 2, 3, 4], np.array([0.5, 0.0, 1.0, 3.0])):
        np.testing.assert_array_equal(
            _sklearn._check_sample_weight_fallback(weight, X),
            _check_sample_weight(weight, X, dtype=np.float64),
        )
    with pytest.raises(ValueError, match=r"sample_weight.shape == \(3,\)"):
        _sklearn._check_sample_weight_fallback([1, 2, 3], X)


def test_fit_context_fallback_validates_parameters():
    class Fitted(MLPClassifier):
        @_sklearn._fit_context_fallback(prefer_skip_nested_validation=True)
        def fit(self, X, y):
            return "fitted"

    X, y = np.zeros((4, 2)), [0, 1, 0, 1]
    assert Fitted(max_iter=3).fit(X, y) == "fitted"
    with pytest.raises(ValueError, match="The 'max_iter' parameter of Fitted"):
        Fitted(max_iter=0).fit(X, y)


@pytest.mark.parametrize("scale", [0.25, torch.tensor(0.25)])
def test_multi_tensor_add_and_its_fallback_agree(scale, monkeypatch):
    def added():
        tensors = [torch.ones(3), torch.zeros(2, 2)]
        _optim.add_scaled_(tensors, [torch.arange(3.0), torch.ones(2, 2)], scale)
        return tensors

    expected = [torch.tensor([1.0, 1.25, 1.5]), torch.full((2, 2), 0.25)]
    for kernels in ("torch's", "fallback"):
        if kernels == "fallback":
            monkeypatch.setattr(_optim, "foreach_add_", _torch._foreach_add_fallback)
            monkeypatch.setattr(_optim, "foreach_mul", _torch._foreach_mul_fallback)
        for got, want in zip(added(), expected, strict=True):
            torch.testing.assert_close(got, want, rtol=0, atol=0)
