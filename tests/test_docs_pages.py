"""The code on the docs' developer and saving pages runs as written."""

import os
import re
import secrets
import sys
import types
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _code_blocks(page: str) -> list[str]:
    text = (DOCS / page).read_text()
    blocks = re.findall(r"\.\. code-block:: python\n\n((?:    .*\n|\n)+)", text)
    return [re.sub(r"^    ", "", block, flags=re.M) for block in blocks]


def _run_page(page: str, monkeypatch) -> types.ModuleType:
    """Run a page's python code blocks in order, in a module of their own
    (so that the page's classes pickle); returns the module."""
    blocks = _code_blocks(page)
    assert len(blocks) >= 3
    module = types.ModuleType("sknn_docs_page")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    for block in blocks:
        exec(compile(block, page, "exec"), module.__dict__)
    return module


def test_adding_an_architecture(monkeypatch):
    module = _run_page("adding_an_architecture.rst", monkeypatch)
    assert module.ResidualMLPClassifier(width=4).get_params()["width"] == 4


def test_saving_sharing_and_deploying(monkeypatch, tmp_path):
    # Its files (digits.joblib, digits.skops, runs/) go to a fresh folder.
    # The MLflow block (``py``) is not run: the suite does not install MLflow.
    monkeypatch.chdir(tmp_path)
    module = _run_page("user_guide/saving.rst", monkeypatch)
    assert (tmp_path / "digits.skops").stat().st_size > 0
    assert list((tmp_path / "runs" / "digits").glob("events.out.tfevents.*"))
    assert module.untrusted == ["sknn._inputs.Rows", "sknn.mlp.MLPClassifier"]


def test_scaling_out(monkeypatch):
    # A LocalCluster of two worker processes, and a local Ray instance, started
    # and closed by the page. Ray as in test_cluster.py: no usage reports, and
    # its token in the environment (for the session: Ray's driver keeps the
    # first it read) rather than in ~/.ray.
    os.environ.setdefault("RAY_AUTH_TOKEN", secrets.token_hex(32))
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    for name in ("RAY_ADDRESS", "RAY_AUTH_MODE"):
        monkeypatch.delenv(name, raising=False)
    module = _run_page("user_guide/scaling.rst", monkeypatch)
    assert module.search.best_params_ == module.serial.best_params_
    assert module.on_ray.best_params_ == module.serial.best_params_
