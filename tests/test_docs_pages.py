"""The code on the docs' developer pages runs as written."""

import re
import sys
import types
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _code_blocks(page: str) -> list[str]:
    text = (DOCS / page).read_text()
    blocks = re.findall(r"\.\. code-block:: python\n\n((?:    .*\n|\n)+)", text)
    return [re.sub(r"^    ", "", block, flags=re.M) for block in blocks]


@pytest.mark.parametrize("page", ["adding_an_architecture.rst"])
def test_the_pages_code_runs(page, monkeypatch):
    blocks = _code_blocks(page)
    assert len(blocks) >= 3
    # A module of its own, so that the page's classes pickle.
    module = types.ModuleType("sknn_docs_page")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    for block in blocks:
        exec(compile(block, page, "exec"), module.__dict__)
    assert module.ResidualMLPClassifier(width=4).get_params()["width"] == 4
