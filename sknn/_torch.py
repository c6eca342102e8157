"""torch's private APIs that sknn uses, gathered in one module.

torch may rename, move or drop a private name in any release. Each one is
looked up here, and only here, once at import, and a public fallback takes
over where torch no longer has it: sknn then runs, only slower. No use
lacks a fallback, so none raises. :data:`MISSING` lists the names this
torch lacks (none on torch 2.13); a test says so, so that an upgrade that
drops one fails there, by name and with :data:`TORCH_VERSION`. What this
torch has decides (and, for the fused kernels, what they compute), not a
comparison of versions: no use here changes between the releases sknn
admits, and such a check also holds for releases to come.

What each gives, and its fallback:

- ``torch._foreach_add_``, ``_foreach_mul``, ``_foreach_copy_``
  (:func:`foreach_add_`, :func:`foreach_mul`, :func:`foreach_copy_`): one
  kernel for a list of tensors, where torch otherwise launches one per
  tensor (the L2 penalty's gradient, the optimizers' step counts, the
  copies of the best epoch). Fallback: the same, one tensor at a time.
- ``torch._fused_adam_``, ``torch._fused_adamw_`` (:func:`direct_kernel`):
  the kernels that torch's fused Adam and AdamW call, called directly by
  :mod:`sknn._optim` to skip ~100 µs of Python per step. A check steps
  them once per process against torch's own step. Fallback: torch's step.
- ``torch.optim.optimizer._global_optimizer_pre_hooks`` and ``_post_hooks``,
  ``Optimizer._optimizer_step_pre_hooks`` and ``_post_hooks``,
  ``torch.autograd.profiler._is_profiler_enabled`` (:func:`step_hooked`):
  whether torch's wrapper around ``step`` has work to do. Fallback: it
  has (torch's ``step`` runs, wrapper and all).
- The ``hooked`` mark that torch sets on that wrapper (:func:`unhooked`):
  which ``step`` is the wrapper, to call what it wraps. Fallback: sknn's
  :class:`~sknn._optim.Adam` and ``AdamW`` never step directly, and
  the ``solver`` parameter takes torch's own classes.
- ``torch.utils._python_dispatch.TorchDispatchMode`` and
  ``torch.utils.flop_counter.flop_registry`` (not in that module's
  ``__all__``) (:func:`flop_counter`): torch's formulas for the operations
  of a forward pass, without ``FlopCounterMode``'s per-module breakdown.
  Fallback: ``FlopCounterMode``, ten times slower, with the same count.
- ``_BatchNorm._check_input_dim`` (:func:`check_batch_norm_input`): the
  dimensions torch's batch-normalisation layers accept, with its messages.
  Fallback: the same check and messages here.
"""

import functools
import types

import torch
import torch.autograd.profiler
import torch.optim.optimizer as _optimizer_module
import torch.utils.flop_counter
from torch import nn
from torch.torch_version import TorchVersion

TORCH_VERSION = TorchVersion(torch.__version__)


_missing: list = []  # the names this torch lacks


def _lookup(owner, name: str):
    """``owner.name`` (``owner`` a module or a class), or None, noted."""
    value = getattr(owner, name, None)
    if value is None:
        where = owner.__name__
        if not isinstance(owner, types.ModuleType):
            where = f"{owner.__module__}.{owner.__qualname__}"
        _missing.append(f"{where}.{name}")
    return value


# ---------------------------------------------------------- multi-tensor kernels


def _foreach_add_fallback(tensors: list, other, *, alpha=1) -> None:
    """Public stand-in for ``torch._foreach_add_``: ``other`` a list of
    tensors (added times ``alpha``) or one number."""
    if isinstance(other, list | tuple):
        for tensor, value in zip(tensors, other, strict=True):
            tensor.add_(value, alpha=alpha)
    else:
        for tensor in tensors:
            tensor.add_(other)


def _foreach_mul_fallback(tensors: list, scale) -> list:
    """Public stand-in for ``torch._foreach_mul``."""
    return [tensor * scale for tensor in tensors]


def _foreach_copy_fallback(tensors: list, sources: list) -> None:
    """Public stand-in for ``torch._foreach_copy_``."""
    for tensor, source in zip(tensors, sources, strict=True):
        tensor.copy_(source)


foreach_add_ = _lookup(torch, "_foreach_add_") or _foreach_add_fallback
foreach_mul = _lookup(torch, "_foreach_mul") or _foreach_mul_fallback
foreach_copy_ = _lookup(torch, "_foreach_copy_") or _foreach_copy_fallback

# -------------------------------------------------------- fused Adam and AdamW

fused_adam_ = _lookup(torch, "_fused_adam_")
fused_adamw_ = _lookup(torch, "_fused_adamw_")


# ------------------------------------------------ what torch's step wrapper does

_global_pre_hooks = _lookup(_optimizer_module, "_global_optimizer_pre_hooks")
_global_post_hooks = _lookup(_optimizer_module, "_global_optimizer_post_hooks")
_profiler = torch.autograd.profiler  # its flag is read at each call: it changes
if not hasattr(_profiler, "_is_profiler_enabled"):
    _missing.append("torch.autograd.profiler._is_profiler_enabled")


class _Probe(torch.optim.SGD):
    """Made once: torch wraps the ``step`` of an optimizer's class at its
    first instance, and marks the wrapper."""


_probe = _Probe([torch.zeros(1, requires_grad=True)])
_STEP_HOOKS = ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks")
for _name in _STEP_HOOKS:
    if not hasattr(_probe, _name):
        _missing.append(f"torch.optim.Optimizer.{_name}")
#: Whether torch marks the wrapper (``hooked``) that it puts around ``step``.
STEP_WRAPPER_MARKED = bool(getattr(_Probe.step, "hooked", False)) and hasattr(
    _Probe.step, "__wrapped__"
)
if not STEP_WRAPPER_MARKED:
    _missing.append("torch.optim.Optimizer.step.hooked")


def _step_hooked_fallback(optimizer: torch.optim.Optimizer) -> bool:
    """Public stand-in for :func:`step_hooked`: torch's wrapper may have work."""
    return True


def step_hooked(optimizer: torch.optim.Optimizer) -> bool:
    """Whether torch's wrapper around ``optimizer.step`` has work to do: a
    step hook registered (on ``optimizer`` or for all optimizers) or a
    profiler recording."""
    return bool(
        optimizer._optimizer_step_pre_hooks
        or optimizer._optimizer_step_post_hooks
        or _global_pre_hooks
        or _global_post_hooks
        or _profiler._is_profiler_enabled
    )


if (
    _global_pre_hooks is None
    or _global_post_hooks is None
    or not hasattr(_profiler, "_is_profiler_enabled")
    or not all(hasattr(_probe, name) for name in _STEP_HOOKS)
):
    step_hooked = _step_hooked_fallback


def unhooked(step):
    """torch's ``step`` without the wrapper that runs the step hooks and the
    profiler scope (torch marks it ``hooked``); ``step`` itself if not
    wrapped, or where torch does not mark its wrapper."""
    return step.__wrapped__ if getattr(step, "hooked", False) else step


@functools.cache
def direct_kernel(decoupled: bool):
    """torch's fused Adam (``decoupled``: AdamW) kernel, if this torch has it
    and calling it directly gives what torch's own fused step gives; else
    None, and the optimizers step through torch's own ``step``.

    The kernels are private (``torch._fused_adam_``, ``torch._fused_adamw_``):
    a release may rename them or change their arguments. One check per
    process, two steps on three values, tells.
    """
    kernel = fused_adamw_ if decoupled else fused_adam_
    if kernel is None or not STEP_WRAPPER_MARKED:
        return None
    # The reference: torch's single-tensor step, which calls no fused kernel.
    optimizer_class = torch.optim.AdamW if decoupled else torch.optim.Adam
    options = {"lr": 0.1, "weight_decay": 0.1, "eps": 1e-8}
    reference = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    optimizer = optimizer_class(
        [reference], betas=(0.9, 0.99), foreach=False, fused=False, **options
    )
    ours, moments = reference.detach().clone(), [torch.zeros(3), torch.zeros(3)]
    step = torch.zeros(())
    try:
        for grad in ([0.5, -1.0, 2.0], [-0.3, 0.2, 1.0]):
            reference.grad = torch.tensor(grad)
            optimizer.step()
            step += 1
            kernel(
                [ours], [torch.tensor(grad)], [moments[0]], [moments[1]], [], [step],
                amsgrad=False, beta1=0.9, beta2=0.99, maximize=False,
                grad_scale=None, found_inf=None, **options,
            )  # fmt: skip
    except (TypeError, RuntimeError):  # other arguments, or no CPU kernel
        return None
    agrees = torch.allclose(ours, reference.detach(), rtol=1e-5, atol=1e-7)
    return kernel if agrees else None


# -------------------------------------------------------------- counting flops

try:
    from torch.utils._python_dispatch import TorchDispatchMode
except ImportError:
    TorchDispatchMode = None
    _missing.append("torch.utils._python_dispatch.TorchDispatchMode")
_flop_registry = _lookup(torch.utils.flop_counter, "flop_registry")

if TorchDispatchMode is not None and _flop_registry is not None:

    class _FlopCount(TorchDispatchMode):
        """Sum the floating-point operations of the torch operators run
        inside, by torch's own formulas (those of FlopCounterMode), without
        FlopCounterMode's per-module breakdown, which costs ten times more."""

        def __init__(self):
            super().__init__()
            self.flops = 0

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            out = func(*args, **kwargs)
            formula = _flop_registry.get(func.overloadpacket)
            if formula is not None:
                self.flops += formula(*args, **kwargs, out_val=out)
            return out

        def get_total_flops(self) -> int:
            return self.flops

else:
    _FlopCount = None


def _flop_counter_fallback():
    """Public stand-in for :func:`flop_counter`: torch's FlopCounterMode."""
    return torch.utils.flop_counter.FlopCounterMode(display=False)


def flop_counter():
    """A context manager counting the floating-point operations of the torch
    operators run inside; its ``get_total_flops()`` gives their sum."""
    return _FlopCount() if _FlopCount is not None else _flop_counter_fallback()


# ------------------------------------------------------- batch normalisation


def _check_batch_norm_input_fallback(layer: nn.Module, X: torch.Tensor) -> None:
    """Public stand-in for ``_BatchNorm._check_input_dim``, with its messages."""
    if isinstance(layer, nn.BatchNorm1d):
        dims = (2, 3)
    elif isinstance(layer, nn.BatchNorm2d):
        dims = (4,)
    else:
        dims = (5,)
    if X.dim() not in dims:
        expected = " or ".join(f"{d}D" for d in dims)
        raise ValueError(f"expected {expected} input (got {X.dim()}D input)")


if all(
    _lookup(layer, "_check_input_dim") is not None
    for layer in (nn.BatchNorm1d, nn.BatchNorm2d)
):

    def check_batch_norm_input(layer: nn.Module, X: torch.Tensor) -> None:
        """Raise torch's error where batch-normalisation ``layer`` does not
        take ``X``'s dimensions."""
        layer._check_input_dim(X)

else:
    check_batch_norm_input = _check_batch_norm_input_fallback

#: The private names of torch used here that this torch lacks.
MISSING = tuple(_missing)
del _probe, _Probe, _name

__all__ = [
    "MISSING",
    "STEP_WRAPPER_MARKED",
    "TORCH_VERSION",
    "check_batch_norm_input",
    "direct_kernel",
    "flop_counter",
    "foreach_add_",
    "foreach_copy_",
    "foreach_mul",
    "step_hooked",
    "unhooked",
]
