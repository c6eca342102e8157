"""Warnings that point at the user's line, not at sknn's or scikit-learn's.

A warning raised deep in a fit (a deprecated parameter, a convergence
warning) is shown with the file and line of the frame it names: with a fixed
``stacklevel`` that is the frame of scikit-learn's ``fit`` wrapper, or of a
``Pipeline`` step. :func:`warn` names the first frame outside sknn,
scikit-learn and skorch instead (``warnings.warn``'s ``skip_file_prefixes``
does this from Python 3.12 on; sknn supports 3.11).
"""

import inspect
import os
import warnings

import sklearn
import skorch

_LIBRARIES = tuple(
    os.path.dirname(path) + os.sep
    for path in (__file__, sklearn.__file__, skorch.__file__)
)


def warn(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` naming the first caller outside sknn, scikit-learn
    and skorch (the user's code, or a library such as joblib that called)."""
    frame, level = inspect.currentframe().f_back, 2  # 1: this function
    while frame is not None and frame.f_code.co_filename.startswith(_LIBRARIES):
        frame, level = frame.f_back, level + 1
    del frame  # frames refer to their locals: no cycle kept alive
    warnings.warn(message, category, stacklevel=level)
