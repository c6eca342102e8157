"""How validated arrays become tensors and batches.

The arrays are converted to tensors once per ``fit`` call; batches are slices
of those tensors, never a per-row ``Dataset.__getitem__`` plus collate.
"""

import math
import warnings

import numpy as np
import scipy.sparse as sp
import torch


def all_finite(tensors: torch.Tensor | list) -> bool:
    """Whether every value of a tensor, or of a list of tensors, is finite.

    One tensor on the CPU is read by NumPy, which for a few rows costs a
    third of torch's two kernels and read-back; several take one reduction
    over them all (the largest magnitude) and one read.
    """
    if isinstance(tensors, torch.Tensor):
        if tensors.device.type == "cpu" and tensors.dtype in (
            torch.float32,
            torch.float64,
        ):
            return bool(np.isfinite(tensors.detach().numpy()).all())
        return bool(torch.isfinite(tensors).all())
    tensors = [t.detach() for t in tensors]
    if not tensors:
        return True
    largest = torch.nn.utils.get_total_norm(tensors, math.inf, foreach=True)
    return math.isfinite(largest.item())


def to_tensor(array, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """Convert a numpy array to a tensor on ``device``, copying at most once.

    Never returns a view of the caller's memory that training could write to:
    ``torch.as_tensor`` shares memory only when no conversion is needed, and
    the tensors built here are only read.
    """
    array = np.asarray(array)
    if not array.dtype.isnative:  # torch reads native byte order only
        array = array.astype(array.dtype.newbyteorder("="))
    array = _no_negative_strides(array)
    if array.flags.writeable:
        tensor = torch.from_numpy(array)
    else:
        tensor = _read_only(array)
    if tensor.dtype == dtype and device.type == "cpu":
        return tensor
    return tensor.to(device=device, dtype=dtype)


def _no_negative_strides(array: np.ndarray) -> np.ndarray:
    """``array``, or the same values with no negative stride, which torch
    does not take (``X[::-1]``, ``X[:, ::-1]``, ``X[..., ::-1]``).

    Along an axis of one value the stride is never used: its sign is dropped
    without a copy (``X[::-1]`` of one row is C-contiguous for NumPy, yet
    keeps its negative stride). Any other reversed axis is copied.
    """
    strides = array.strides
    if all(s >= 0 for s in strides):
        return array
    if any(s < 0 and n > 1 for s, n in zip(strides, array.shape, strict=True)):
        return array.copy()
    return np.lib.stride_tricks.as_strided(
        array,
        strides=[abs(s) for s in strides],
        writeable=array.flags.writeable,
    )


def _read_only(array: np.ndarray) -> torch.Tensor:
    """A tensor sharing the memory of a read-only array (a memmap opened
    with ``mmap_mode="r"``, larger than memory): no copy of the data.

    torch warns that it does not support non-writable tensors, because
    writing to one would be undefined: the tensors built here are only read.
    The warning is torch's once per process; it is silenced on the first
    share only (``catch_warnings`` changes the process's filters).
    """
    global _WARNED
    if _WARNED:
        return torch.from_numpy(array)
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message="The given NumPy array is not writable",
            category=UserWarning,
        )
        tensor = torch.from_numpy(array)
    _WARNED = True
    return tensor


_WARNED = False


# Up to this size, the training data is copied once per epoch in shuffled
# order, so that batches are slices; above it, each batch is gathered, so that
# memory holds the data once.
PRESHUFFLE_MAX_BYTES = 16 * 2**20


# Values of a sparse matrix densified at once outside training batches (in
# predict's chunks, in the held-out scoring): 64 MiB of float32.
DENSE_CHUNK_VALUES = 2**24


def chunk_rows(X, rows: int) -> int:
    """Rows per chunk of ``X`` for passes outside training: ``rows``, fewer
    for a sparse ``X`` so wide that as many dense rows would exceed
    :data:`DENSE_CHUNK_VALUES` (with room for a last chunk that
    :class:`BatchLoader` merges into the one before it, a quarter more)."""
    if not sp.issparse(X):
        return rows
    return max(1, min(rows, 4 * DENSE_CHUNK_VALUES // (5 * max(1, X.shape[1]))))


class ArrayDataset(torch.utils.data.Dataset):
    """Training data held as whole tensors (or a sparse matrix for ``X``).

    Indexing with a slice or an index tensor returns a whole batch at once:
    ``(X, y)``, or ``({"X": X, "sample_weight": w}, y)`` with sample weights.

    Parameters
    ----------
    X : torch.Tensor or scipy.sparse matrix of shape (n_samples, ...)
        Inputs. A sparse matrix stays sparse and is densified batch by batch.
    y : torch.Tensor of shape (n_samples, ...)
        Encoded targets.
    sample_weight : torch.Tensor of shape (n_samples,) or None
        Per-sample weights, or None for equal weights.
    dtype : torch.dtype
        The floating dtype the module computes in (used to densify sparse rows).
    rows : torch.Tensor of shape (n_samples,) or None
        The rows of ``X`` the dataset holds, in order (None: all of them),
        when ``X`` holds more (the training part of an early-stopping split,
        with ``X`` the user's memory); ``y`` and ``sample_weight`` hold those
        rows only.
    """

    def __init__(self, X, y, sample_weight=None, *, dtype=torch.float32, rows=None):
        self.X = X
        self.y = y
        self.sample_weight = sample_weight
        self.dtype = dtype
        self.rows = rows

    def __len__(self) -> int:
        return self.y.shape[0]

    @property
    def nbytes(self) -> int:
        """Memory the inputs of these rows take (their non-zero values, when
        sparse)."""
        if sp.issparse(self.X):
            return self.X.data.nbytes * len(self) // max(1, self.X.shape[0])
        return self.X.element_size() * self.X[0].nelement() * len(self)

    def take(self, index: torch.Tensor) -> "ArrayDataset":
        """A copy holding the rows ``index``, in that order."""
        X, y = self._inputs(index), self.y[index]
        weight = None if self.sample_weight is None else self.sample_weight[index]
        return ArrayDataset(X, y, weight, dtype=self.dtype)

    def _inputs(self, index):
        """The inputs of the rows ``index`` (sparse rows stay sparse)."""
        if self.rows is not None:
            index = self.rows[index]
        if sp.issparse(self.X) and torch.is_tensor(index):
            index = index.cpu().numpy()
        return self.X[index]

    def share(self, index, batch: slice | torch.Tensor):
        """This process's rows ``index`` of the global ``batch`` (both slices,
        or index tensors) in a distributed fit: ``({"X": X, "sample_weight":
        w, "batch_weight": n}, y)``, where ``n`` repeats, once per row, the
        whole batch's (weighted) size, by which the loss of the rows is
        divided (see :mod:`sknn._distributed`)."""
        X, y = self[index]
        if self.sample_weight is None:
            size = len(batch) if torch.is_tensor(batch) else batch.stop - batch.start
            X = {"X": X}
            total = torch.full((len(y),), size, dtype=self.dtype, device=y.device)
        else:  # summed on the device, read by nobody until the loss
            total = self.sample_weight[batch].sum().expand(len(y))
        X["batch_weight"] = total
        return X, y

    def __getitem__(self, index):
        X = self._inputs(index)
        if sp.issparse(X):
            X = torch.from_numpy(X.toarray()).to(self.y.device, self.dtype)
        if self.sample_weight is None:
            return X, self.y[index]
        # skorch's convention for sample weights: a dict X, which the engine
        # unpacks (see TrainingNet.infer and TrainingNet.get_loss).
        return {"X": X, "sample_weight": self.sample_weight[index]}, self.y[index]


class BatchLoader:
    """Iterate over an :class:`ArrayDataset` in mini-batches of tensor slices.

    Drop-in for the ``torch.utils.data.DataLoader`` that skorch would build: it
    takes the dataset and ``batch_size``/``shuffle`` keywords and yields the
    dataset's batches.

    A last batch smaller than a quarter of ``batch_size`` (or of one row) is
    merged into the one before it: a handful of rows gives batch norm noisy
    statistics (one row none at all) and the epoch its noisiest step.

    With a ``group`` (a :class:`~sknn._distributed.ProcessGroup`: a
    distributed fit), the batches are global: each is split into one share
    per process, of which this process yields its own
    (:meth:`ArrayDataset.share`), in an order rank 0 draws; a last batch
    is merged unless every share gets at least two rows.
    """

    def __init__(
        self,
        dataset: ArrayDataset,
        batch_size: int,
        shuffle: bool = False,
        group=None,
    ):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.group = group

    def _bounds(self) -> list[tuple[int, int]]:
        n = len(self.dataset)
        starts = list(range(0, n, self.batch_size))
        parts = 1 if self.group is None else self.group.size
        if len(starts) > 1 and n - starts[-1] < max(2 * parts, self.batch_size // 4):
            starts.pop()
        ends = [*starts[1:], n]
        return list(zip(starts, ends, strict=True))

    def __len__(self) -> int:
        return len(self._bounds())

    def __iter__(self):
        dataset, group = self.dataset, self.group
        if self.shuffle:
            # Drawn from torch's global generator, which the estimator seeds
            # (and restores) around training; in a distributed fit, rank 0's
            # (the processes' generators also feed their own dropout).
            order = torch.randperm(len(dataset))
            if group is not None:
                order = group.broadcast_order(order)
            if sp.issparse(dataset.X) or dataset.nbytes > PRESHUFFLE_MAX_BYTES:
                # Gather each batch: no copy of the whole data.
                order = order.to(dataset.y.device)
                for start, end in self._bounds():
                    if group is None:
                        yield dataset[order[start:end]]
                        continue
                    first, last = group.share(start, end)
                    yield dataset.share(order[first:last], order[start:end])
                return
            # Small data: one shuffled copy per epoch, then batches are
            # contiguous slices, cheaper than a gather each.
            dataset = dataset.take(order.to(dataset.y.device))
        for start, end in self._bounds():
            if group is None:
                yield dataset[start:end]
                continue
            first, last = group.share(start, end)
            yield dataset.share(slice(first, last), slice(start, end))
