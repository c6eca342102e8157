"""Warnings that point at the user's line, not at sknn's or scikit-learn's.

A warning raised deep in a fit (a deprecated parameter, a convergence
warning, a divergence) is shown with the file and line of the frame it
names: with a fixed ``stacklevel`` that is a frame of scikit-learn's ``fit``
wrapper, of a ``Pipeline`` or of a subclass's hook, depending on the path.
:func:`user_stacklevel` names the first frame outside the packages between
the user and sknn instead (``warnings.warn``'s ``skip_file_prefixes`` does
this from Python 3.12 on; sknn supports 3.11).
"""

import inspect
import os
import warnings

import joblib
import sklearn
import skorch

# The packages between the user's line and sknn's warnings: sknn itself,
# scikit-learn (a Pipeline, cross_validate, the fit wrappers), skorch (the
# training loop, its callbacks) and joblib (their parallel loops).
_NOT_THE_USER = tuple(
    os.path.dirname(path) + os.sep
    for path in (__file__, sklearn.__file__, skorch.__file__, joblib.__file__)
)


def user_stacklevel() -> int:
    """The ``stacklevel`` at which ``warnings.warn``, called by the caller
    of this function, names the first frame outside sknn, scikit-learn,
    skorch and joblib: the user's line, however many frames lie between."""
    frame = inspect.currentframe().f_back  # the caller: stacklevel 1
    level = 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(
        _NOT_THE_USER
    ):
        frame = frame.f_back
        level += 1
    del frame  # a frame refers to its locals: keep no cycle alive
    return level


def warn(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` naming the user's line (:func:`user_stacklevel`)."""
    warnings.warn(message, category, stacklevel=user_stacklevel())
