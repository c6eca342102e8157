"""Private torch and scikit-learn APIs: each works, or its public fallback
takes over with the same results."""

import ast
import importlib
import pathlib

import numpy as np
import pytest
import torch
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import _check_sample_weight
from torch import nn
from torch.optim.optimizer import register_optimizer_step_post_hook

import sknn
from sknn import MLPClassifier, _device, _optim, _sklearn, _torch
from sknn.modules._norm import WeightedBatchNorm1d, batch_weights


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


def _iris_params(**params):
    X, y = load_iris(return_X_y=True)
    params = dict(hidden_layer_sizes=(8,), alpha=0.01, batch_size=32) | params
    params |= dict(max_iter=10, random_state=0, device="cpu")
    return StandardScaler().fit_transform(X), y, params


def _same_model(ours, theirs):
    ours, theirs = ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("name", "args", "kwargs"),
    [
        ("add_", ([torch.arange(3.0), torch.ones(2, 2)],), {"alpha": 0.3}),
        ("add_", ([torch.arange(3.0), torch.ones(2, 2)],), {}),
        ("add_", (1,), {}),
        ("mul", (torch.tensor(0.3),), {}),
        ("mul", (2.5,), {}),
        ("copy_", ([torch.arange(3.0), torch.full((2, 2), 7.0)],), {}),
    ],
)
def test_multi_tensor_kernels_and_their_fallbacks_agree(name, args, kwargs):
    results = []
    for kernel in (
        getattr(torch, f"_foreach_{name}"),
        getattr(_torch, f"_foreach_{name.rstrip('_')}_fallback"),
    ):
        tensors = [torch.linspace(-1.0, 1.0, 3), torch.eye(2)]
        out = kernel(tensors, *args, **kwargs)
        results.append(out if name == "mul" else tensors)
    for got, want in zip(*results, strict=True):
        torch.testing.assert_close(got, want, rtol=0, atol=0)


def test_training_on_the_multi_tensor_fallbacks_gives_the_same_model(monkeypatch):
    # The L2 penalty's gradient (add_scaled_), Adam's direct steps (their step
    # counts) and each epoch's copy of the weights (copy_all_), one tensor
    # at a time.
    X, y, params = _iris_params(solver="adam")
    kernels = MLPClassifier(**params).fit(X, y)
    calls = []
    for name in ("foreach_add_", "foreach_mul", "foreach_copy_"):
        fallback = getattr(_torch, f"_{name.rstrip('_')}_fallback")

        def counted(*args, fallback=fallback, name=name, **kwargs):
            calls.append(name)
            return fallback(*args, **kwargs)

        monkeypatch.setattr(_optim, name, counted)
    fallbacks = MLPClassifier(**params).fit(X, y)
    assert {"foreach_add_", "foreach_copy_"} <= set(calls)
    _same_model(kernels, fallbacks)


def test_step_hooked_reads_what_torchs_public_hooks_and_profiler_set():
    optimizer = _optim.Adam([torch.zeros(2, requires_grad=True)], fused=True)
    assert not _torch.step_hooked(optimizer)
    with optimizer.register_step_pre_hook(lambda *args: None):
        assert _torch.step_hooked(optimizer)
    with optimizer.register_step_post_hook(lambda *args: None):
        assert _torch.step_hooked(optimizer)
    with register_optimizer_step_post_hook(lambda *args: None):
        assert _torch.step_hooked(optimizer)
    with torch.autograd.profiler.profile():
        assert _torch.step_hooked(optimizer)
    assert not _torch.step_hooked(optimizer)
    assert _torch._step_hooked_fallback(optimizer)


def test_training_as_if_hooked_gives_the_same_model(monkeypatch):
    # The fallback: every step through torch's wrapper (hooks and profiler).
    X, y, params = _iris_params(solver="adamw")
    unhooked = MLPClassifier(**params).fit(X, y)
    wrapped = []
    monkeypatch.setattr(
        _optim, "step_hooked", lambda optimizer: wrapped.append(1) or True
    )
    hooked = MLPClassifier(**params).fit(X, y)
    assert wrapped
    _same_model(unhooked, hooked)


def test_unhooked_is_torchs_step_without_its_hooks():
    optimizer = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=0.1)
    calls = []
    optimizer.register_step_pre_hook(lambda *args: calls.append("pre"))
    step = _torch.unhooked(type(optimizer).step)
    assert step is not type(optimizer).step
    step(optimizer)
    assert calls == []
    optimizer.step()
    assert calls == ["pre"]
    plain = torch.optim.SGD.step.__wrapped__
    assert _torch.unhooked(plain) is plain


@pytest.mark.parametrize("solver", ["adam", "adamw"])
def test_torchs_own_optimizers_give_the_same_model(solver, monkeypatch):
    # The fallback where torch's step wrapper is unmarked: torch's classes.
    X, y, params = _iris_params(solver=solver)
    ours = MLPClassifier(**params).fit(X, y)
    torch_class = torch.optim.AdamW if solver == "adamw" else torch.optim.Adam
    monkeypatch.setitem(_optim.SOLVERS, solver, torch_class)
    theirs = MLPClassifier(**params).fit(X, y)
    assert type(theirs.net_.optimizer_) is torch_class
    _same_model(ours, theirs)


def test_flop_counts_with_and_without_torchs_dispatch_mode_agree(monkeypatch):
    module = nn.Sequential(
        nn.Conv1d(2, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(24, 5)
    )
    X = torch.randn(7, 2, 8)
    counts = []
    for counter in (_torch.flop_counter, _torch._flop_counter_fallback):
        with torch.no_grad(), counter() as count:
            module(X)
        counts.append(count.get_total_flops())
    assert counts[0] == counts[1] == 7 * 2 * (4 * 6 * 2 * 3 + 24 * 5)
    _device._COUNTED.clear()
    monkeypatch.setattr(_device, "flop_counter", _torch._flop_counter_fallback)
    assert _device.forward_flops(module, module, X, 7) == counts[0] / 7
    _device._COUNTED.clear()


@pytest.mark.parametrize("layer", [nn.BatchNorm1d(3), nn.BatchNorm2d(3)])
@pytest.mark.parametrize("ndim", [1, 2, 3, 4, 5])
def test_batch_norm_input_check_and_its_fallback_agree(layer, ndim):
    X = torch.zeros((2,) + (3,) * (ndim - 1))
    outcomes = []
    for check in (
        _torch.check_batch_norm_input,
        _torch._check_batch_norm_input_fallback,
    ):
        try:
            check(layer, X)
            outcomes.append(None)
        except ValueError as error:
            outcomes.append(str(error))
    assert outcomes[0] == outcomes[1]


def test_weighted_batch_norm_refuses_what_torchs_refuses():
    layer = WeightedBatchNorm1d(3)
    with batch_weights([layer], torch.ones(2)):
        with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D"):
            layer(torch.zeros(2, 3, 2, 2))


# ------------------------------------------- no private torch name outside _torch


def _torch_private_uses(source: str, private_names: tuple) -> list:
    """The private torch names that ``source`` uses, as ``(line, name)``:
    imports from a private torch module or of a private name from torch;
    attributes starting with ``_`` reached from torch (``torch._x``, or
    through a name bound to a torch module or object); private attributes
    of torch's objects, on any object (``optimizer._optimizer_step_pre_hooks``)
    or as a string; private names of torch's modules as a string given
    with a torch module (``getattr(torch, "_fused_adam_")``); and any
    ``_foreach_*`` or ``_fused_*`` string."""
    namespace_names, object_names = private_names
    tree = ast.parse(source)
    aliases, found = set(), []

    def private(name: str) -> bool:
        return name.startswith("_") and not name.endswith("__")

    def root(node) -> str | None:
        while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
            node = node.func if isinstance(node, ast.Call) else node.value
        return node.id if isinstance(node, ast.Name) else None

    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "torch":
                    if any(map(private, parts)):
                        found.append((node.lineno, alias.name))
                    aliases.add(alias.asname or parts[0])
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            parts = (node.module or "").split(".")
            if parts[0] == "torch":
                for alias in node.names:
                    if any(map(private, [*parts, alias.name])):
                        found.append((node.lineno, f"{node.module}.{alias.name}"))
                    aliases.add(alias.asname or alias.name)
        elif isinstance(
            node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
        ):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):  # names bound to torch's objects
        if isinstance(node, ast.Assign) and root(node.value) in aliases:
            aliases |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and private(node.attr):
            if root(node.value) in aliases or node.attr in object_names:
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Call):
            with_torch = any(root(arg) in aliases for arg in node.args)
            for arg in node.args:
                if isinstance(arg, ast.Constant) and arg.value in namespace_names:
                    if with_torch:
                        found.append((node.lineno, arg.value))
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and (
                node.value in object_names
                or node.value.startswith(("_foreach_", "_fused_"))
            )
        ):
            found.append((node.lineno, node.value))
    return sorted(set(found))


def _private_names_of_torch() -> tuple:
    """The private names of torch's namespaces that sknn reaches (torch,
    its optimizers' and profiler's modules...), and the private attributes
    of the torch objects that it handles (optimizers, modules, batch
    normalisation, tensors, operators)."""
    namespaces = [
        torch,
        torch.nn,
        torch.nn.functional,
        torch.optim,
        *map(
            importlib.import_module,
            [
                "torch.optim.optimizer",
                "torch.autograd.profiler",
                "torch.utils.flop_counter",
            ],
        ),
    ]
    param = torch.zeros(1, requires_grad=True)
    objects = [
        torch.optim.Adam([param]),
        torch.optim.SGD([param]),
        nn.BatchNorm1d(2),
        nn.BatchNorm2d(2),
        nn.Linear(1, 1),
        param,
        torch.ops.aten.mm.default,
    ]

    def private(objects):
        names = set()
        for obj in objects:
            names |= set(dir(obj)) | set(getattr(obj, "__dict__", ()))
        return {
            name for name in names if name.startswith("_") and not name.endswith("__")
        }

    return private(namespaces), private(objects)


def test_the_scan_finds_each_kind_of_private_use():
    source = """
import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.optimizer import _global_optimizer_pre_hooks
from torch.utils._python_dispatch import TorchDispatchMode
torch._foreach_add_(a, b)
nn.modules._BatchNorm
torch.autograd.profiler._is_profiler_enabled
getattr(torch, "_fused_adam_", None)
optimizer._optimizer_step_pre_hooks
self._check_input_dim(X)
func._overloadpacket
profiler = torch.autograd.profiler
profiler._is_profiler_enabled
lookup(profiler, "_is_profiler_enabled")
"""
    found = {line for line, _ in _torch_private_uses(source, _private_names_of_torch())}
    assert sorted(found) == [*range(5, 14), 15, 16]


def test_no_module_but_sknn_torch_uses_a_private_torch_name():
    private_names = _private_names_of_torch()
    package = pathlib.Path(sknn.__file__).parent
    uses = {}
    for path in sorted(package.rglob("*.py")):
        found = _torch_private_uses(path.read_text(), private_names)
        uses[path.relative_to(package).as_posix()] = found
    assert len(uses["_torch.py"]) >= 10  # the scan sees them where they are
    elsewhere = {path: found for path, found in uses.items() if found}
    elsewhere.pop("_torch.py")
    assert elsewhere == {}, "use sknn._torch's names"
