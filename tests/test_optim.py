"""sknn's Adam/AdamW: torch's fused optimizers with a direct step, same results."""

import copy
import pickle

import pytest
import torch

from sknn import _optim
from sknn.modules import MLP


def _train(optimizer_class, steps=6, lr_change_at=3, **options):
    torch.manual_seed(0)
    module = MLP(5, 3, (7, 4))
    optimizer = optimizer_class(module.parameters(), lr=0.01, **options)
    X = torch.randn(20, 5)
    for step in range(steps):
        if step == lr_change_at:  # as the adaptive and invscaling rates do
            optimizer.param_groups[0]["lr"] = 0.002
        optimizer.zero_grad()
        module(X).square().mean().backward()
        optimizer.step()
    return module, optimizer


@pytest.mark.parametrize(
    "fast, reference, options",
    [
        (_optim.Adam, torch.optim.Adam, {"fused": True}),
        (_optim.Adam, torch.optim.Adam, {"fused": True, "weight_decay": 0.01}),
        (_optim.AdamW, torch.optim.AdamW, {"fused": True, "weight_decay": 0.1}),
        (_optim.Adam, torch.optim.Adam, {"fused": True, "amsgrad": True}),
        (_optim.Adam, torch.optim.Adam, {"fused": False}),
        (_optim.AdamW, torch.optim.AdamW, {"betas": (0.5, 0.9), "maximize": True}),
    ],
)
def test_the_same_weights_and_state_as_torch(fast, reference, options):
    module, optimizer = _train(fast, **options)
    expected_module, expected_optimizer = _train(reference, **options)
    for param, expected in zip(
        module.parameters(), expected_module.parameters(), strict=True
    ):
        torch.testing.assert_close(param, expected, rtol=0, atol=0)
    state, expected_state = (
        optimizer.state_dict()["state"],
        expected_optimizer.state_dict()["state"],
    )
    assert state.keys() == expected_state.keys()
    for key, values in state.items():
        for name, value in values.items():
            torch.testing.assert_close(value, expected_state[key][name], rtol=0, atol=0)


def test_a_state_dict_moves_between_torch_and_sknn_optimizers():
    module, optimizer = _train(torch.optim.Adam, fused=True)
    expected_module = copy.deepcopy(module)
    expected = torch.optim.Adam(expected_module.parameters(), lr=0.01, fused=True)
    expected.load_state_dict(copy.deepcopy(optimizer.state_dict()))
    fast = _optim.Adam(module.parameters(), lr=0.01, fused=True)
    fast.load_state_dict(copy.deepcopy(optimizer.state_dict()))
    X = torch.randn(8, 5)
    for opt, net in [(fast, module), (expected, expected_module)]:
        opt.zero_grad()
        net(X).sum().backward()
        opt.step()
    for param, reference in zip(
        module.parameters(), expected_module.parameters(), strict=True
    ):
        torch.testing.assert_close(param, reference, rtol=0, atol=0)


def test_step_hooks_closures_and_zeroing_still_work():
    module, optimizer = _train(_optim.Adam, fused=True)
    calls = []
    optimizer.register_step_pre_hook(lambda *args: calls.append("pre"))
    optimizer.register_step_post_hook(lambda *args: calls.append("post"))
    X = torch.randn(4, 5)

    def closure():
        optimizer.zero_grad()
        loss = module(X).sum()
        loss.backward()
        return loss

    loss = optimizer.step(closure)
    assert isinstance(loss, torch.Tensor)
    assert calls == ["pre", "post"]
    optimizer.zero_grad(set_to_none=False)
    assert all(torch.count_nonzero(p.grad) == 0 for p in module.parameters())
    optimizer.zero_grad()
    assert all(p.grad is None for p in module.parameters())


def test_a_parameter_without_gradient_keeps_its_value():
    module, optimizer = _train(_optim.Adam, fused=True)
    frozen = module.linear_layers[0].weight.detach().clone()
    optimizer.zero_grad()
    module.linear_layers[-1](torch.randn(3, 4)).sum().backward()  # last layer only
    optimizer.step()
    torch.testing.assert_close(module.linear_layers[0].weight, frozen, rtol=0, atol=0)


def test_optimizers_pickle():
    _, optimizer = _train(_optim.AdamW, fused=True)
    restored = pickle.loads(pickle.dumps(optimizer))
    assert type(restored) is _optim.AdamW
    torch.testing.assert_close(
        restored.state_dict()["state"][0]["exp_avg"],
        optimizer.state_dict()["state"][0]["exp_avg"],
    )


def test_plain_steps_do_not_go_through_torch_step(monkeypatch):
    module, optimizer = _train(_optim.Adam, fused=True)

    def torch_step(*args, **kwargs):
        raise AssertionError("torch's step was called")

    monkeypatch.setattr(torch.optim.Adam, "step", torch_step)
    before = [p.detach().clone() for p in module.parameters()]
    optimizer.zero_grad()
    module(torch.randn(4, 5)).sum().backward()
    optimizer.step()
    assert all(
        not torch.equal(p, b) for p, b in zip(module.parameters(), before, strict=True)
    )
