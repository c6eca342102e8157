"""Where training runs: the device, torch's generators and its threads.

Everything here reads or sets process-wide torch state on the estimators'
behalf, and gives it back as it found it.
"""

import contextlib
import functools
import os
import threading
import time

import torch

from ._torch import flop_counter

# Devices where torch has fused Adam, AdamW and SGD kernels.
FUSED_OPTIMIZER_DEVICES = {"cpu", "cuda", "mps"}


@contextlib.contextmanager
def intra_op_threads(n_threads: int | None):
    """Run the block on at most ``n_threads`` torch intra-op threads (None: as
    set), then restore the caller's setting."""
    before = torch.get_num_threads()
    if n_threads is None or n_threads >= before:
        yield
        return
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


# Floating-point operations of a training step (forward and backward) per
# intra-op thread that gains from it: below, a second thread slows the step
# down. Measured on 2 cores (benchmarks/run.py, case "threads"): dense and
# convolutional steps gain from a second thread from 20-30 million on, and
# lose up to a third below.
FLOPS_PER_THREAD = 15e6


def training_threads(flops_per_step) -> int:
    """Intra-op threads for training steps of ``flops_per_step()`` operations
    on the CPU: one per :data:`FLOPS_PER_THREAD` of work, at most the cores
    free now (on a loaded machine, threads that wait for busy cores at every
    kernel cost far more than they gain) and never more than torch's
    setting. The work is counted, and the free cores looked for, only when
    more than one thread is possible."""
    most = torch.get_num_threads()
    if most > 1:
        most = min(most, int(flops_per_step() // FLOPS_PER_THREAD))
    if most > 1:
        most = min(most, free_cores())
    return max(1, most)


def free_cores() -> int:
    """Cores of this process's CPU set that no other process runs on now.

    On Linux: the cores less the threads of other processes running or
    waiting to run (``/proc/loadavg``'s count of runnable threads less this
    process's own, which include torch's workers still spinning after their
    last parallel region), the fewest of three looks a millisecond apart, so
    that a thread passing through is not taken for load. Elsewhere the load
    average of the last minute stands in.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    try:
        others = []
        for look in range(3):
            if look:
                time.sleep(0.001)
            with open("/proc/loadavg") as loadavg:
                running = int(loadavg.read().split()[3].split("/")[0])
            others.append(running - own_running_threads())
        busy = min(others)
    except (OSError, IndexError, ValueError):
        try:
            busy = round(os.getloadavg()[0])
        except (AttributeError, OSError):
            busy = 0
    return max(1, cores - max(0, busy))


def own_running_threads() -> int:
    """This process's threads that are running or waiting to run (Linux:
    state ``R`` in ``/proc/self/task/*/stat``), the calling one included."""
    count = 0
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat") as stat:
                fields = stat.read()
        except OSError:  # the thread ended meanwhile
            continue
        count += fields[fields.rindex(")") + 2] == "R"
    return count


# Operations per sample counted by forward_flops, by module and input layout:
# the fits of a search or a cross-validation count their architecture once.
_COUNTED: dict = {}


def forward_flops(module, forward, X, n_samples: int) -> float | None:
    """Floating-point operations of ``forward(X)`` (which runs ``module``)
    per sample, ``X`` holding ``n_samples``: counted on one pass without
    gradients, once per architecture and input layout in a process; None
    where torch cannot count them."""
    key = (type(module), repr(module), _layout(X))
    if key not in _COUNTED:
        try:
            with torch.no_grad(), flop_counter() as count:
                forward(X)
        except Exception:  # the same forward fails in training, with its error
            return None
        if len(_COUNTED) >= 256:
            _COUNTED.clear()
        _COUNTED[key] = count.get_total_flops() / n_samples
    return _COUNTED[key]


def _layout(X):
    """What of a batch the operations per sample depend on: the shape of a
    sample and the dtype of each tensor, and the number of rows (a padded
    sequence is as long as its longest)."""
    if isinstance(X, torch.Tensor):
        return tuple(X.shape), X.dtype
    if isinstance(X, dict):
        return tuple((name, _layout(value)) for name, value in sorted(X.items()))
    if isinstance(X, tuple | list):
        return tuple(_layout(value) for value in X)
    return type(X).__name__


def resolve_device(device: str) -> torch.device:
    """Turn the ``device`` parameter into a ``torch.device`` that exists here.

    ``"auto"`` picks CUDA, then Apple's MPS, then the CPU.
    """
    # torch.accelerator.current_accelerator() would also pick XPU and others.
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", torch.cuda.current_device())
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(
            "device must be 'auto', 'cpu', 'cuda', 'cuda:<index>' or 'mps', "
            f"got {device!r}."
        ) from None
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested but CUDA is not available "
                "(torch.cuda.is_available() is False). Use device='auto' or 'cpu'."
            )
        index = resolved.index if resolved.index is not None else 0
        if index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r} was requested but only "
                f"{torch.cuda.device_count()} CUDA device(s) are visible."
            )
        return torch.device("cuda", index)
    if resolved.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ValueError(
                f"device={device!r} was requested but MPS is not available. "
                "Use device='auto' or 'cpu'."
            )
    elif resolved.type != "cpu":
        raise ValueError(
            "device must be 'auto', 'cpu', 'cuda', 'cuda:<index>' or 'mps', "
            f"got {device!r}."
        )
    return resolved


# Held by the blocks that run on torch's global generators (private_rng).
_GLOBAL_GENERATORS = threading.RLock()


@contextlib.contextmanager
def private_rng(device: torch.device, seed: int, state=None):
    """Run the block on torch's generators, seeded, then restore the caller's.

    Module initialisation, shuffling and dropout all draw from torch's global
    generators (the CPU's, and the GPU's for dropout there); forking them
    keeps ``fit`` from disturbing the user's random state. ``state`` (from a
    previous block) resumes the generators instead of seeding them, for
    ``partial_fit`` and ``warm_start``.

    The generators are the process's, shared by its threads: blocks in
    different threads take turns (a lock), so that each draws the sequence
    its seed gives, and restores what the caller had. Dropout and recurrent
    layers take no generator of their own, so training cannot avoid the
    global ones.

    Yields a callable returning the generators' state at that point.
    """
    if device.type == "cuda":
        index = device.index if device.index is not None else 0
        fork = torch.random.fork_rng(devices=[index], device_type="cuda")
        get_device_state = functools.partial(torch.cuda.get_rng_state, index)
        set_device_state = functools.partial(torch.cuda.set_rng_state, device=index)

        def seed_device(seed):
            with torch.cuda.device(index):
                torch.cuda.manual_seed(seed)

    elif device.type == "mps":
        fork = torch.random.fork_rng(devices=[0], device_type="mps")
        get_device_state, set_device_state = (
            torch.mps.get_rng_state,
            torch.mps.set_rng_state,
        )
        seed_device = torch.mps.manual_seed
    else:
        fork = torch.random.fork_rng(devices=[])
        get_device_state = set_device_state = seed_device = None

    with _GLOBAL_GENERATORS, fork:
        if state is None:
            torch.random.default_generator.manual_seed(seed)
            if seed_device is not None:
                seed_device(seed)
        else:
            torch.set_rng_state(state[0])
            if set_device_state is not None and state[1] is not None:
                set_device_state(state[1])

        def current_state():
            on_device = get_device_state() if get_device_state else None
            return torch.get_rng_state(), on_device

        yield current_state
