"""Data-parallel training over ``torch.distributed`` (``distributed=True``).

Every process of the default process group calls ``fit`` with the same data;
the engine trains one model across them:

- each global batch (``batch_size`` rows, drawn in one order that rank 0
  draws and broadcasts each epoch) is split into contiguous shares, one per
  process;
- each process's loss is its rows' share of the batch's mean, ``sum(l_i *
  w_i) / n`` with ``n`` the whole batch's (weighted) size, which it knows
  since it holds all the rows; scaled by the number of processes, so that
  the mean that :class:`~torch.nn.parallel.DistributedDataParallel` takes of
  the gradients is the gradient of the whole batch's loss;
- the L2 penalty's gradient (``alpha * W / n``) is added once, after the
  averaging, as on one process;
- the losses recorded per batch are summed across the processes once per
  epoch, and the held-out scores averaged, so that every process takes the
  same stopping decisions (``n_iter_no_change``, early stopping,
  divergence) at the same epoch.

Batch statistics (batch normalisation) are each process's own, as in
DistributedDataParallel by default; the running statistics are rank 0's,
broadcast before each training pass and once training ends.
Dropout draws differ between the processes (their generators are seeded
``seed + rank``); everything else matches one process trained on the same
global batches.
"""

import dataclasses
import os

import torch

try:
    import torch.distributed as dist
except ImportError:  # pragma: no cover - a torch built without it
    dist = None


def _initialized() -> bool:
    return dist is not None and dist.is_available() and dist.is_initialized()


@dataclasses.dataclass(frozen=True)
class ProcessGroup:
    """The default process group, as a fit over it sees it.

    ``rank`` and ``size`` are this process's rank and the number of
    processes; ``device`` is where the group's collectives take their
    tensors (CUDA for NCCL, else the CPU).
    """

    rank: int
    size: int
    device: torch.device

    @classmethod
    def current(cls, estimator) -> "ProcessGroup":
        """The initialised default group, or a ValueError saying how to
        start one."""
        if not _initialized():
            raise ValueError(
                f"{type(estimator).__name__}(distributed=True) trains one model "
                "across the processes of torch.distributed's default process "
                "group, but no process group is initialised in this process. "
                "Launch the script with torchrun (e.g. `torchrun "
                "--nproc-per-node 2 train.py`) and call "
                "torch.distributed.init_process_group() before fit, or set "
                "distributed=False."
            )
        backend = dist.get_backend()
        if backend == "nccl":
            device = torch.device("cuda", torch.cuda.current_device())
        else:
            device = torch.device("cpu")
        return cls(dist.get_rank(), dist.get_world_size(), device)

    def broadcast_seed(self, seed: int) -> int:
        """Rank 0's ``seed``, on every process."""
        value = torch.tensor([seed], dtype=torch.int64, device=self.device)
        dist.broadcast(value, src=0)
        return int(value.item())

    def broadcast_order(self, order: torch.Tensor) -> torch.Tensor:
        """Rank 0's permutation of the rows, on every process (on
        ``order``'s device)."""
        shared = order.to(self.device)
        dist.broadcast(shared, src=0)
        return shared.to(order.device)

    def sum(self, values: torch.Tensor) -> torch.Tensor:
        """The sum of ``values`` over the processes (a new tensor)."""
        shared = values.detach().to(self.device, copy=True)
        dist.all_reduce(shared, op=dist.ReduceOp.SUM)
        return shared.to(values.device)

    def mean(self, value: float) -> float:
        """The mean of a float over the processes."""
        total = self.sum(torch.tensor([value], dtype=torch.float64))
        return float(total.item()) / self.size

    def share(self, start: int, end: int) -> tuple[int, int]:
        """This process's contiguous share of the rows ``start:end``: the
        shares differ by at most one row."""
        n = end - start
        first = start + n * self.rank // self.size
        return first, start + n * (self.rank + 1) // self.size

    def broadcast_buffers(self, module: torch.nn.Module) -> None:
        """Rank 0's buffers of ``module`` (normalisation statistics), on every
        process: DistributedDataParallel broadcasts them before each forward
        pass, so that the last pass leaves each process its own."""
        for buffer in module.buffers():
            shared = buffer.to(self.device)
            dist.broadcast(shared, src=0)
            if shared is not buffer:
                buffer.copy_(shared)

    def wrap(self, module: torch.nn.Module, device: torch.device):
        """``module`` in a :class:`~torch.nn.parallel.DistributedDataParallel`
        (which broadcasts rank 0's parameters and buffers now, and averages
        the gradients in each backward pass)."""
        device_ids = [device.index] if device.type == "cuda" else None
        return torch.nn.parallel.DistributedDataParallel(module, device_ids=device_ids)


def rank_0() -> bool:
    """Whether this process is rank 0 of the default process group, or in
    none: whether a distributed fit prints here."""
    return not _initialized() or dist.get_rank() == 0


def local_device(device: str) -> str:
    """The ``device`` a process of a distributed fit trains on: with
    ``"auto"`` and CUDA, the process's own GPU (torchrun's ``LOCAL_RANK``,
    else the current device); else as given."""
    if device != "auto" or not torch.cuda.is_available():
        return device
    local_rank = os.environ.get("LOCAL_RANK")
    if local_rank is None:
        return device
    return f"cuda:{int(local_rank) % torch.cuda.device_count()}"
