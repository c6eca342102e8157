"""How a fitted estimator is saved: as numpy arrays and plain Python values.

A fitted estimator's net (module, optimizer, callbacks, history) is torch
objects. Pickled as they are, they carry the device they were trained on (a
model from a CUDA machine would not load on a CPU-only one), more copies of
the weights (the optimizer refers to them, callbacks copy them) and the
held-out rows of early stopping. :func:`net_state` keeps what makes the
model: the module's state, once, as numpy arrays; the optimizer's moments
where ``partial_fit`` resumes from them; the history; the callbacks'
counters. On load the estimator rebuilds its net from that state and its
parameters (:class:`SavedNet`), on the device it was
trained on where this machine has it, else on the CPU (:func:`load_device`).

The same state serves pickle, joblib, ``copy.deepcopy`` and skops, whose safe
format takes such values only.
"""

import itertools
import pickle
import warnings

import numpy as np
import torch
from skorch.history import History

from ._device import private_rng
from ._engine import samples_seen
from ._params import DEPRECATED

# The layout of the saved state; a file written in another raises a clear
# error instead of loading wrongly.
STATE_VERSION = 1

_SCALARS = (bool, int, float, str, type(None))


class _Dropped:
    """What :func:`plain` makes of a value that is not plain."""


_DROPPED = _Dropped()


def plain(value, *, tensors: bool = True):
    """``value`` as plain values: tensors as numpy arrays (with ``tensors``;
    else they are dropped), numpy scalars as Python's, in lists, tuples and
    dicts; ``_DROPPED`` where anything else (an object) is found."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy() if tensors else _DROPPED
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (np.ndarray, *_SCALARS)):
        return value
    if type(value) in (list, tuple, History):
        items = [plain(item, tensors=tensors) for item in value]
        if any(item is _DROPPED for item in items):
            return _DROPPED
        return tuple(items) if type(value) is tuple else items
    if isinstance(value, dict):  # state dicts are OrderedDicts
        items = {key: plain(item, tensors=tensors) for key, item in value.items()}
        if any(
            item is _DROPPED or not isinstance(key, (str, int))
            for key, item in items.items()
        ):
            return _DROPPED
        return items
    return _DROPPED


def _as_tensors(value):
    """The inverse of :func:`plain` for torch's state dicts: arrays back to
    tensors (on the CPU; ``load_state_dict`` moves them), copied: an
    optimizer keeps the tensors it loads, which must not be those of the
    model saved (``copy.copy`` hands the arrays over unserialised)."""
    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.array(value))
    if type(value) is list:
        return [_as_tensors(item) for item in value]
    if type(value) is tuple:
        return tuple(_as_tensors(item) for item in value)
    if type(value) is dict:
        return {key: _as_tensors(item) for key, item in value.items()}
    return value


def _columns(rows: list) -> dict:
    """Dicts as columns, ``{key: {"rows": indices, "values": values}}``, the
    values of a key as one numpy array where they are all numbers of one
    type: a history of thousands of batches saves as a few arrays (skops
    writes every Python value apart)."""
    columns = {}
    for i, row in enumerate(rows):
        for key, value in row.items():
            indices, values = columns.setdefault(key, ([], []))
            indices.append(i)
            values.append(value)
    saved = {}
    for key, (indices, values) in columns.items():
        kinds = {type(value) for value in values}
        if key == "batches":
            counts = [len(value) for value in values]
            batches = list(itertools.chain.from_iterable(values))
            values = {"counts": np.array(counts), **_columns(batches)}
        elif len(kinds) == 1 and kinds <= {bool, int, float}:
            values = np.array(values)
        saved[key] = {"rows": np.array(indices, dtype=np.int64), "values": values}
    return saved


def _rows(columns: dict, n_rows: int) -> list:
    """The dicts that :func:`_columns` saved."""
    rows = [{} for _ in range(n_rows)]
    for key, column in columns.items():
        values = column["values"]
        if key == "batches":
            counts = values["counts"]
            batches = _rows(
                {k: v for k, v in values.items() if k != "counts"}, int(counts.sum())
            )
            starts = np.cumsum(counts) - counts
            values = [
                batches[start : start + n]
                for start, n in zip(starts.tolist(), counts.tolist(), strict=True)
            ]
        elif isinstance(values, np.ndarray):
            values = values.tolist()
        for i, value in zip(column["rows"].tolist(), values, strict=True):
            rows[i][key] = value
    return rows


def callback_state(callback) -> dict:
    """A callback's fitted attributes (``name_``) that are plain values:
    counters, best scores. Tensors (copies of the weights) and objects
    (schedulers, writers) are left out: callbacks make them anew."""
    state = {}
    for name, value in vars(callback).items():
        if name.endswith("_") and not name.startswith("_"):
            value = plain(value, tensors=False)
            if value is not _DROPPED:
                state[name] = value
    return state


def net_state(net, *, optimizer: bool) -> dict:
    """The plain state of a fitted net; with ``optimizer``, the optimizer's
    (the moments that ``partial_fit`` resumes from)."""
    return {
        "version": STATE_VERSION,
        "device": str(net.device),
        "batch_size": net.batch_size,
        "dtype": str(next(net.module_.parameters()).dtype).removeprefix("torch."),
        "module": plain(net.module_.state_dict()),
        "criterion": plain(net.criterion_.state_dict()),
        "optimizer": plain(net.optimizer_.state_dict()) if optimizer else None,
        "history": {
            "n_epochs": len(net.history),
            "columns": _columns(plain(list(net.history), tensors=False)),
        },
        "callbacks": {name: callback_state(cb) for name, cb in net.callbacks_},
    }


def saved_history(state: dict) -> History:
    """The history that :func:`net_state` saved."""
    history = state["history"]
    return History(_rows(history["columns"], history["n_epochs"]))


def load_net_state(net, state: dict, history: History) -> None:
    """Put a :func:`net_state` and its :func:`saved_history` into a net
    built and initialised as the one it came from."""
    net.module_.load_state_dict(_as_tensors(state["module"]))
    net.criterion_.load_state_dict(_as_tensors(state["criterion"]))
    if state["optimizer"] is not None:
        net.optimizer_.load_state_dict(_as_tensors(state["optimizer"]))
    net.history_ = history
    saved = state["callbacks"]
    if list(saved) != [name for name, _ in net.callbacks_]:
        # Saved after fit(early_stopping=True): the held-out scoring is not
        # rebuilt, and partial_fit would have started the callbacks afresh.
        return
    for name, callback in net.callbacks_:
        for attribute, value in saved[name].items():
            setattr(callback, attribute, value)


def check_state_version(state: dict, estimator_name: str) -> None:
    if state.get("version") != STATE_VERSION:
        raise ValueError(
            f"This {estimator_name} was saved in state layout "
            f"{state.get('version')!r}, which this sknn does not read (it reads "
            f"layout {STATE_VERSION}). Load it with the sknn release that saved "
            "it."
        )


def available(device: torch.device) -> bool:
    """Whether this machine has ``device``."""
    if device.type == "cuda":
        index = device.index if device.index is not None else 0
        return torch.cuda.is_available() and index < torch.cuda.device_count()
    if device.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        return mps is not None and mps.is_available()
    return device.type == "cpu"


def load_device(saved: str, estimator_name: str, parameter: str) -> torch.device:
    """The device a saved model loads on: the one it was trained on, or the
    CPU, with a warning, where this machine does not have it."""
    device = torch.device(saved)
    if available(device):
        return device
    further = (
        ""
        if parameter in ("auto", "cpu")
        else f" To train it further, set device='cpu' or 'auto' (it is {parameter!r})."
    )
    warnings.warn(
        f"This {estimator_name} was trained on {saved}, which this machine does "
        f"not have: it was loaded on the CPU, where it predicts and trains as "
        f"before.{further}",
        UserWarning,
        stacklevel=4,
    )
    return torch.device("cpu")


def unpicklable_callback(callbacks):
    """The first callback of a ``callbacks`` parameter that cannot be pickled
    (it holds a resource: a TensorBoard writer, an open file), with pickle's
    error; None when all can."""
    for item in callbacks or []:
        callback = item[1] if isinstance(item, tuple) else item
        try:
            pickle.dumps(callback)
        except Exception as error:  # what pickling a resource raises varies
            return callback, error
    return None


def check_picklable_callbacks(callbacks, estimator_name: str) -> None:
    """A clear error, rather than pickle's, when the ``callbacks`` parameter
    holds a callback that cannot be saved."""
    found = unpicklable_callback(callbacks)
    if found is not None:
        callback, error = found
        raise TypeError(
            f"This {estimator_name} cannot be saved: its callbacks parameter "
            f"holds {type(callback).__name__}, which holds a resource that cannot "
            f"be ({error}). The trained model does not need it: remove it before "
            "saving, with set_params(callbacks=None)."
        )


def _rename_saved(values: dict, cls) -> None:
    """Parameters saved under names since renamed (``cls._renamed``), moved
    to the new names in place: models saved before a rename load as they
    were (a new name's value comes from the old; the old is unset)."""
    for rename in getattr(cls, "_renamed", ()):
        if rename.old in values and rename.new not in values:
            values[rename.new] = rename.convert(values[rename.old])
            values[rename.old] = DEPRECATED


# Parameters added since models were first saved, with the value under which
# a model saved without them behaves as it did: dtype=None computes in the
# input's dtype, as every estimator did before it had the parameter.
_ADDED = {"dtype": None}


class SavedNet:
    """The saving of an estimator's fitted net (a mixin of
    :class:`sknn._base.BaseNeuralEstimator`): pickle, joblib, ``copy`` and
    skops get its plain state (:func:`net_state`), and loading rebuilds the
    net from it with the estimator's own ``_build_module`` and ``_make_net``."""

    def __getstate__(self):
        """What pickle, joblib, ``copy`` and skops save: the parameters and
        the fitted attributes, with the net as plain state (numpy arrays and
        Python values, ``sknn/_saving.py``): the weights once, no training
        data, and the optimizer's moments for stochastic solvers, from which
        ``partial_fit`` resumes."""
        name = type(self).__name__
        check_picklable_callbacks(self.callbacks, name)
        state = dict(super().__getstate__())  # may be the instance's own dict
        net = state.pop("net_", None)
        built_with = state.pop("_net_params", None)
        if net is None:
            return state
        saved = net_state(net, optimizer=built_with["solver"] != "lbfgs")
        # Parameters set since the net was built: it is rebuilt as it was,
        # but for callbacks holding resources, which the user has taken out.
        if unpicklable_callback(built_with["callbacks"]) is not None:
            built_with = {**built_with, "callbacks": self.callbacks}
        saved["params"] = {
            key: value
            for key, value in built_with.items()
            if getattr(self, key) is not value
        }
        state["_net_state"] = saved
        state["_rng_state"] = plain(self._rng_state)
        return state

    def __setstate__(self, state):
        saved = state.pop("_net_state", None)
        _rename_saved(state, type(self))
        for name, value in _ADDED.items():
            state.setdefault(name, value)
        if "_input" in state:
            # Saved before the input kinds returned what they learnt: the
            # private parts of it (a table's layout) were read from the kind.
            for name, value in state["_input"].learnt().items():
                state.setdefault(name, value)
        if saved is not None:
            _rename_saved(saved["params"], type(self))
        super().__setstate__(state)
        if saved is not None:
            check_state_version(saved, type(self).__name__)
            self._rebuild_net(saved)

    def _rebuild_net(self, saved: dict) -> None:
        """The fitted net again, from its saved state and the parameters it
        was built with, on the device it was trained on or on the CPU."""
        now = self.get_params(deep=False)
        device = load_device(saved["device"], type(self).__name__, self.device)
        vars(self).update(saved["params"])
        try:
            # Its initial weights are overwritten: draw them off the user's
            # generators.
            with private_rng(torch.device("cpu"), 0):
                module = self._build_module()
            history = saved_history(saved)
            dtype = getattr(torch, saved["dtype"])
            net = self._make_net(
                module, saved["batch_size"], device, dtype, None, samples_seen(history)
            )
            net.initialize()
            load_net_state(net, saved, history)
        finally:
            vars(self).update(now)
        self.net_ = net
        self._net_params = {**now, **saved["params"]}
        cpu_state, device_state = self._rng_state
        self._rng_state = (
            torch.from_numpy(cpu_state.copy()),
            None
            if device_state is None or device.type == "cpu"
            else torch.from_numpy(device_state.copy()),
        )
