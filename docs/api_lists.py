"""The API reference's lists of estimators and network modules, derived from
``sknn.__all__`` and ``sknn.modules.__all__``: ``docs/conf.py`` writes them
into ``api.rst`` before each build, and ``tests/test_docs_pages.py`` checks
that the committed ``api.rst`` is current, so that a new estimator or module
is listed by exporting it."""

import inspect
import re
from pathlib import Path

from sklearn.base import BaseEstimator
from torch import nn

import sknn
import sknn.modules

API = Path(__file__).with_name("api.rst")


def _block(module, template: str, kind: type) -> str:
    names = [
        name
        for name in module.__all__
        if inspect.isclass(getattr(module, name))
        and issubclass(getattr(module, name), kind)
    ]
    items = "".join(f"   {name}\n" for name in names)
    return (
        ".. autosummary::\n"
        "   :toctree: generated/\n"
        f"   :template: {template}\n"
        "   :nosignatures:\n\n"
        f"{items}"
    )


LISTS = {
    "sknn.__all__": lambda: _block(sknn, "estimator.rst", BaseEstimator),
    "sknn.modules.__all__": lambda: _block(sknn.modules, "module_class.rst", nn.Module),
}


def current(text: str) -> str:
    """``text`` (api.rst) with each list between its ``.. begin <name>`` and
    ``.. end <name>`` comments written anew."""
    for name, block in LISTS.items():
        pattern = re.compile(
            rf"(\.\. begin {re.escape(name)}\n\n).*?(\n\.\. end {re.escape(name)}\n)",
            re.S,
        )
        if not pattern.search(text):
            raise ValueError(f"api.rst has no '.. begin {name}' ... '.. end' block")
        text = pattern.sub(lambda m, b=block(): m.group(1) + b + m.group(2), text)
    return text


def write() -> None:
    """Bring api.rst up to date (docs/conf.py, before each build)."""
    text = API.read_text()
    updated = current(text)
    if updated != text:
        API.write_text(updated)
