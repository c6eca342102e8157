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
called directly (:func:`sknn._torch.direct_kernel`), every step is torch's
own.
"""

import contextlib
import functools

import numpy as np
import scipy.optimize
import torch

from ._torch import (
    STEP_WRAPPER_MARKED,
    direct_kernel,
    foreach_add_,
    foreach_copy_,
    foreach_mul,
    step_hooked,
    unhooked,
)


def add_scaled_(tensors: list, others: list, scale) -> None:
    """``tensors[i] += scale * others[i]`` in place, in one multi-tensor kernel
    where torch has them; ``scale`` a number or a 0-d tensor."""
    if isinstance(scale, torch.Tensor):  # no device sync for a tensor scale
        foreach_add_(tensors, foreach_mul(others, scale))
    else:
        foreach_add_(tensors, others, alpha=scale)


def copy_all_(tensors: list, sources: list) -> None:
    """``tensors[i].copy_(sources[i])`` for every i, in one multi-tensor call
    where torch has it (no gradient is recorded)."""
    with torch.no_grad():
        if tensors:
            foreach_copy_(tensors, sources)


class _DirectFusedStep:
    """Mixin for ``torch.optim.Adam`` subclasses: the direct fused step.

    torch still wraps :meth:`step` in its profiler scope and runs the step
    hooks around it.
    """

    # torch's zero_grad does the same inside a profiler scope: 8 µs, not 0.3.
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
            return unhooked(super().step.__func__)(self, closure)
        _run_calls(calls)
        return None

    def prepared_step(self):
        """A :class:`_PreparedSteps` doing :meth:`step` (no closure) the
        direct way, batch after batch; None unless the direct step applies
        (as :meth:`step` decides; not before a first step)."""
        calls = self._direct_calls()
        return None if calls is None else _PreparedSteps(self, calls)

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


class _PreparedSteps:
    """The direct fused steps of one epoch, their arguments gathered once
    rather than at every step: valid while the groups' options and the
    optimizer's state stay as they are (between epochs, schedules change
    the learning rate). Call it once per batch, then :meth:`close`.

    The parameters of a group are stepped together, so their step counts
    are equal: one counter per group goes up at each step (torch's step adds
    1 to each parameter's, a kernel per parameter's count), which the kernel
    reads for every parameter, and :meth:`close` copies it to the others.
    """

    def __init__(self, optimizer, calls):
        self.optimizer = optimizer
        self.params = [args[0] for _, _, args, _ in calls]
        self.calls = []
        self.followers = []
        for kernel, steps, args, options in calls:
            if len({float(step) for step in steps}) == 1:
                lead, followers = steps[0], steps[1:]
                steps = [lead] * len(steps)
            else:  # counts that differ (parameters without gradients once)
                lead, followers = None, []
            self.calls.append((kernel, steps, lead, args[2:], options))
            self.followers.append((lead, followers))

    def __call__(self) -> None:
        grads = [[p.grad for p in group] for group in self.params]
        if any(g is None for group in grads for g in group):
            self.close()
            return self.optimizer.step()  # another set of gradients: torch decides
        with torch.no_grad():
            for (kernel, steps, lead, rest, options), params, fresh in zip(
                self.calls, self.params, grads, strict=True
            ):
                if lead is None:
                    foreach_add_(steps, 1)
                else:
                    lead.add_(1)
                kernel(params, fresh, *rest, steps, **options)
        return None

    def close(self) -> None:
        """Bring every parameter's step count to its group's."""
        with torch.no_grad():
            for lead, followers in self.followers:
                for step in followers:
                    step.copy_(lead)


def _run_calls(calls) -> None:
    """The fused kernels' calls gathered by ``_direct_calls``."""
    with torch.no_grad():
        for kernel, steps, args, options in calls:
            foreach_add_(steps, 1)
            kernel(*args, steps, **options)


class Adam(_DirectFusedStep, torch.optim.Adam):
    """``torch.optim.Adam`` with the direct fused step (see the module doc)."""


class AdamW(_DirectFusedStep, torch.optim.AdamW):
    """``torch.optim.AdamW`` with the direct fused step (see the module doc)."""


# torch.nn.utils.vector_to_parameters rebinds every parameter at each call.
@contextlib.contextmanager
def _flat_parameters(params: list):
    """Within the block, write a float64 vector into every parameter at once
    with the callable it yields, with the parameters' values as such a
    vector (``(write, start)``): the parameters are views of one flat
    tensor, so that each write is one copy (six small copies and a split
    cost as long as a small network's forward pass); afterwards each holds
    its own memory again. Parameters of several dtypes or devices are
    written one by one."""
    sizes = [p.numel() for p in params]
    with torch.no_grad():
        flat = torch.cat([p.reshape(-1) for p in params])
    shared = len({(p.dtype, p.device) for p in params}) == 1

    def write(x: np.ndarray) -> None:
        with torch.no_grad():
            flat.copy_(torch.from_numpy(x))
            if not shared:
                for param, value in zip(params, flat.split(sizes), strict=True):
                    param.copy_(value.view(param.shape))

    if shared:
        for param, value in zip(params, flat.split(sizes), strict=True):
            param.data = value.view(param.shape)
    try:
        yield write, flat.to("cpu", torch.float64).numpy().copy()
    finally:
        if shared:
            for param in params:
                param.data = param.data.clone()


class LBFGS(torch.optim.Optimizer):
    """scikit-learn's L-BFGS: scipy's L-BFGS-B minimising the closure's loss
    over all the parameters at once, as a torch optimizer.

    One :meth:`step` runs the whole minimisation, as scikit-learn's
    ``_fit_lbfgs`` does: at most ``max_iter`` iterations and ``max_eval``
    evaluations of the closure, stopping once no gradient value exceeds
    ``tolerance_grad`` (scipy's ``gtol``) or the loss stops decreasing
    (scipy's ``ftol``), with ``history_size`` corrections (``maxcor``). The
    iterations run in scipy's compiled code: torch's ``LBFGS`` does the same
    work in Python, a dozen small tensor operations per line-search trial,
    which on small data (200 rows, a (10, 10) network) took longer than the
    network's own forward and backward passes.

    The parameters travel to scipy as one float64 vector and back in their
    own dtype and device. After :meth:`step`, ``state["lbfgs"]`` holds
    scipy's ``n_iter``, ``func_evals``, ``status`` and ``message``; the
    parameters hold scipy's solution.
    """

    def __init__(
        self,
        params,
        lr: float = 1.0,
        max_iter: int = 200,
        max_eval: int = 15000,
        tolerance_grad: float = 1e-4,
        history_size: int = 10,
    ):
        defaults = dict(
            lr=lr,
            max_iter=max_iter,
            max_eval=max_eval,
            tolerance_grad=tolerance_grad,
            history_size=history_size,
        )
        super().__init__(params, defaults)

    def step(self, closure, penalty: float = 0.0, penalized=None):
        """Minimise ``closure()`` (which zeroes the gradients, computes the
        loss and back-propagates it), plus ``0.5 * penalty * ||W||^2`` over
        the parameters flagged in ``penalized`` (one bool per parameter, in
        order; None: all); returns the loss at the solution."""
        params = [p for group in self.param_groups for p in group["params"]]
        flags = [True] * len(params) if penalized is None else penalized
        # Frozen parameters (skorch's Freezer) stay out: neither the loss's
        # gradient nor the penalty's moves them.
        flags = [f for p, f in zip(params, flags, strict=True) if p.requires_grad]
        params = [p for p in params if p.requires_grad]
        options = self.param_groups[0]
        sizes = [p.numel() for p in params]
        mask = np.repeat(np.asarray(flags, dtype=bool), sizes)

        with _flat_parameters(params) as (write, start):

            def loss_and_gradient(x: np.ndarray):
                write(x)
                with torch.enable_grad():
                    loss = closure()
                grads = [
                    p.grad.reshape(-1) if p.grad is not None else p.new_zeros(n)
                    for p, n in zip(params, sizes, strict=True)
                ]
                gradient = torch.cat(grads).to("cpu", torch.float64).numpy()
                loss = float(loss)
                if penalty:
                    weights = x[mask]
                    loss += 0.5 * penalty * float(weights @ weights)
                    gradient[mask] += penalty * weights
                return loss, gradient

            result = scipy.optimize.minimize(
                loss_and_gradient,
                start,
                jac=True,
                method="L-BFGS-B",
                options={
                    "maxfun": options["max_eval"],
                    "maxiter": options["max_iter"],
                    "gtol": options["tolerance_grad"],
                    "maxcor": options["history_size"],
                },
            )
            write(result.x)
        self.state["lbfgs"] = {
            "n_iter": int(result.nit),
            "func_evals": int(result.nfev),
            "status": int(result.status),
            "message": str(result.message),
        }
        return torch.tensor(float(result.fun), dtype=params[0].dtype)


# The ``solver`` parameter's optimizers: torch's own Adam and AdamW where sknn
# cannot tell torch's step wrapper (see sknn._torch), which its step skips.
SOLVERS = {
    "adam": Adam if STEP_WRAPPER_MARKED else torch.optim.Adam,
    "adamw": AdamW if STEP_WRAPPER_MARKED else torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "lbfgs": LBFGS,
}


class BatchSteps:
    """``optimizer.step()`` for the batches of one epoch, without torch's
    wrapper around it (its profiler scope and hook dispatch, ~15 µs) when no
    step hook is registered and no profiler records: the prepared direct
    steps of :class:`Adam` and :class:`AdamW` (``prepared_step``) once the
    optimizer has its state (torch makes it at the first step of a fit,
    which goes through torch), or the optimizer's own step. Call it once per
    batch, then :meth:`close`.
    """

    def __init__(self, optimizer: torch.optim.Optimizer):
        self.optimizer = optimizer
        self.step = None  # prepared at the first batch, from its gradients

    def __call__(self) -> None:
        if self.step is None:
            self.step = self._prepare()
        if self.step is not None:
            self.step()
            return
        self.optimizer.step()
        self.step = self._prepare(first=False)

    def _prepare(self, first: bool = True):
        """How to step from now on: torch's ``step`` if hooks or a profiler
        listen, else the prepared direct step, else the unhooked step; None
        when the direct step waits for the state that torch's next step
        (the fit's ``first``) makes."""
        optimizer = self.optimizer
        if step_hooked(optimizer):
            return optimizer.step
        prepare = getattr(optimizer, "prepared_step", None)
        prepared = prepare() if prepare is not None else None
        if prepared is not None:
            return prepared
        if prepare is not None and first and not optimizer.state:
            return None  # the first step makes the state the direct step needs
        return functools.partial(unhooked(type(optimizer).step), optimizer)

    def close(self) -> None:
        close = getattr(self.step, "close", None)
        if close is not None:
            close()


def lbfgs_state(optimizer: LBFGS) -> dict:
    """scipy's report of the last L-BFGS run (``n_iter``, ``func_evals``,
    ``status``, ``message``); empty before one."""
    return optimizer.state.get("lbfgs", {})
