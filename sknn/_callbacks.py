"""The user's callbacks in a fit: named, checked, and fresh for every fit
and clone, sharing only the resources they hold (a TensorBoard writer, an
open file), never what they learn."""

from collections import Counter

from sklearn.base import clone
from skorch.callbacks import Callback, PassthroughScoring

from ._engine import default_callbacks


def fresh_callback(callback: Callback) -> Callback:
    """A new callback with ``callback``'s parameters, as ``clone`` makes it,
    so that fits never share what callbacks learn. A parameter that cannot
    be copied is a resource the user hands every fit (skorch's TensorBoard
    ``SummaryWriter``, a logger, an open file): the copy shares it."""
    params = {}
    for name, value in callback.get_params(deep=False).items():
        try:
            params[name] = clone(value, safe=False)
        except Exception:  # what copying a resource raises varies (TypeError...)
            params[name] = value
    return type(callback)(**params)


def fresh_callbacks(callbacks):
    """The ``callbacks`` parameter as ``clone`` copies it, but with
    :func:`fresh_callback`: resources are shared, not copied."""
    if not isinstance(callbacks, list):
        return clone(callbacks, safe=False)
    fresh = []
    for item in callbacks:
        if isinstance(item, Callback):
            item = fresh_callback(item)
        elif (
            isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Callback)
        ):
            item = (item[0], fresh_callback(item[1]))
        else:
            item = clone(item, safe=False)
        fresh.append(item)
    return fresh


def user_callbacks(callbacks) -> list:
    """The ``callbacks`` parameter as (name, callback) pairs, each callback
    fresh (:func:`fresh_callback`), so that fits never share state."""
    named = []
    for i, item in enumerate(callbacks or []):
        if isinstance(item, tuple) and (len(item) != 2 or not isinstance(item[0], str)):
            raise TypeError(
                "callbacks must be a list of skorch callbacks or (name, callback) "
                f"tuples with a str name, got {item!r} at position {i}."
            )
        name, callback = item if isinstance(item, tuple) else (None, item)
        if isinstance(callback, type) and issubclass(callback, Callback):
            raise TypeError(
                f"callbacks holds the class {callback.__name__} at position {i}, "
                f"not a callback: pass an instance, {callback.__name__}()."
            )
        if not isinstance(callback, Callback):
            raise TypeError(
                "callbacks must be a list of skorch callbacks or (name, callback) "
                f"tuples, got {type(callback).__name__} at position {i}."
            )
        _check_passthrough(callback, i)
        name = name or f"{type(callback).__name__}_{i}"
        named.append((name, fresh_callback(callback)))
    return named


def _check_passthrough(callback: Callback, position: int) -> None:
    """Refuse a ``PassthroughScoring`` of validation batches: sknn scores
    held-out data in one pass per epoch (``valid_score``) and records no
    validation batch, so skorch's callback would raise a ``KeyError`` on
    ``valid_batch_size`` (or record nothing)."""
    if not isinstance(callback, PassthroughScoring) or callback.on_train:
        return
    raise ValueError(
        f"callbacks holds PassthroughScoring({callback.name!r}) at position "
        f"{position}, which averages a score of the validation batches "
        "(on_train=False); sknn records none: it scores the held-out data in "
        "one pass per epoch. The history already holds 'train_loss' per epoch "
        "and, with early_stopping=True, 'valid_score'. To average a score of "
        "the training batches, pass on_train=True."
    )


def check_callback_names(callbacks: list, parameter) -> None:
    """Each callback's name once among a net's ``callbacks``, which hold the
    ``callbacks`` parameter's: skorch would refuse the net, naming none of
    the callbacks sknn adds itself."""
    names = [name for name, _ in default_callbacks() + callbacks]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        user = Counter(name for name, _ in user_callbacks(parameter))
        reserved = sorted((Counter(names) - user).keys())
        raise ValueError(
            f"callbacks holds more than one callback named {twice}; sknn "
            f"names its own {reserved}. Give yours other names, as "
            "(name, callback) tuples."
        )
