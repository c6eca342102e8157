"""The optimizers the estimators train with (``solver``), and torch's fused
Adam and AdamW with their per-step Python work trimmed.

A fused optimizer updates every parameter in one kernel, but ``step()`` still
runs ~100 µs of Python before it: profiler scopes, hook dispatch, grouping
the tensors by device and dtype, re-reading the state of each parameter.
On small batches that is as long as the forward and backward passes
together. :class:`Adam` and :class:`AdamW` are torch's classes, with the same
state, ``state_dict`` and results; when a step is the plain case (dense
gradients on one device and dtype, no closure, no AMSGrad or ``maximize``,
state made by a first step) they call the fused kernel directly, and otherwise
hand the step to torch unchanged. torch's wrapper around ``step`` still runs
the step hooks and the profiler scope. Where this torch's kernels cannot be
called directly (:func:`direct_kernel`), every step is torch's own.
"""

import functools

import torch

# torch's multi-tensor kernels: private names, public fallbacks below.
_foreach_add_ = getattr(torch, "_foreach_add_", None)
_foreach_mul = getattr(torch, "_foreach_mul", None)


def add_scaled_(tensors: list, others: list, scale) -> None:
    """``tensors[i] += scale * others[i]`` in place, in one multi-tensor kernel
    where torch has them; ``scale`` a number or a 0-d tensor."""
    if _foreach_add_ is None or _foreach_mul is None:
        for tensor, other in zip(tensors, others, strict=True):
            tensor.add_(other * scale)
    elif isinstance(scale, torch.Tensor):  # no device sync for a tensor scale
        _foreach_add_(tensors, _foreach_mul(others, scale))
    else:
        _foreach_add_(tensors, others, alpha=scale)


@functools.cache
def direct_kernel(decoupled: bool):
    """torch's fused Adam (``decoupled``: AdamW) kernel, if this torch has it
    and calling it directly gives what torch's own fused step gives; else
    None, and the optimizers step through torch's own ``step``.

    The kernels are private (``torch._fused_adam_``, ``torch._fused_adamw_``):
    a release may rename them or change their arguments. One check per
    process, two steps on three values, tells.
    """
    kernel = getattr(torch, "_fused_adamw_" if decoupled else "_fused_adam_", None)
    if kernel is None or _foreach_add_ is None:
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


def _unhooked(step):
    """torch's ``step`` without the wrapper that runs the step hooks and the
    profiler scope (torch sets ``hooked`` on it), which ours already ran."""
    return step.__wrapped__ if getattr(step, "hooked", False) else step


class _DirectFusedStep:
    """Mixin for ``torch.optim.Adam`` subclasses: the direct fused step.

    torch still wraps :meth:`step` in its profiler scope and runs the step
    hooks around it.
    """

    def zero_grad(self, set_to_none: bool = True) -> None:
        if not set_to_none:
            return super().zero_grad(set_to_none=False)
        for group in self.param_groups:
            for param in group["params"]:
                param.grad = None
        return None

    def step(self, closure=None):
        calls = None if closure is not None else self._direct_calls()
        if calls is None:
            return _unhooked(super().step.__func__)(self, closure)
        with torch.no_grad():
            for kernel, steps, args, options in calls:
                _foreach_add_(steps, 1)
                kernel(*args, steps, **options)
        return None

    def _direct_calls(self) -> list | None:
        """The fused-kernel call of each group, or None unless every group is
        the plain case and has its state (torch makes it on the first step)."""
        calls = []
        for group in self.param_groups:
            # torch >= 2.5 marks AdamW's groups; before, AdamW is its own class.
            decoupled = isinstance(self, torch.optim.AdamW) or group.get(
                "decoupled_weight_decay", False
            )
            kernel = direct_kernel(bool(decoupled))
            if (
                kernel is None
                or not group.get("fused")
                or group["amsgrad"]
                or group["maximize"]
                or group["differentiable"]
                or group["capturable"]
                or isinstance(group["lr"], torch.Tensor)
            ):
                return None
            params = [p for p in group["params"] if p.grad is not None]
            if not params:
                continue
            states = [self.state.get(p) for p in params]
            device, dtype = params[0].device, params[0].dtype
            for param, state in zip(params, states, strict=True):
                if (
                    not state
                    or param.grad.is_sparse
                    or param.device != device
                    or param.dtype != dtype
                    or param.is_complex()
                ):
                    return None
            beta1, beta2 = group["betas"]
            args = (
                params,
                [p.grad for p in params],
                [state["exp_avg"] for state in states],
                [state["exp_avg_sq"] for state in states],
                [],  # AMSGrad's maxima: unused
            )
            options = {
                "amsgrad": False,
                "lr": group["lr"],
                "beta1": beta1,
                "beta2": beta2,
                "weight_decay": group["weight_decay"],
                "eps": group["eps"],
                "maximize": False,
                "grad_scale": None,
                "found_inf": None,
            }
            calls.append((kernel, [s["step"] for s in states], args, options))
        return calls


class Adam(_DirectFusedStep, torch.optim.Adam):
    """``torch.optim.Adam`` with the direct fused step (see the module doc)."""


class AdamW(_DirectFusedStep, torch.optim.AdamW):
    """``torch.optim.AdamW`` with the direct fused step (see the module doc)."""


# The ``solver`` parameter's optimizers.
SOLVERS = {
    "adam": Adam,
    "adamw": AdamW,
    "sgd": torch.optim.SGD,
    "lbfgs": torch.optim.LBFGS,
}


def lbfgs_state(optimizer: torch.optim.LBFGS) -> dict:
    """L-BFGS's counters (``n_iter``, ``func_evals``), kept with its first
    parameter."""
    return optimizer.state[optimizer.param_groups[0]["params"][0]]
