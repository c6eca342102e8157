"""The code on the docs' developer and saving pages runs as written (the
Scaling out page's runs in test_cluster.py, on its clusters)."""

import pytest
from conftest import run_docs_page

# Each page trains its examples (the first runs scikit-learn's checks).
pytestmark = pytest.mark.slow


def test_adding_an_architecture(monkeypatch):
    module = run_docs_page("adding_an_architecture.rst", monkeypatch)
    assert module.ResidualMLPClassifier(width=4).get_params()["width"] == 4


def test_saving_sharing_and_deploying(monkeypatch, tmp_path):
    # Its files (digits.joblib, digits.skops, runs/) go to a fresh folder.
    # The MLflow block (``py``) is not run: the suite does not install MLflow.
    monkeypatch.chdir(tmp_path)
    module = run_docs_page("user_guide/saving.rst", monkeypatch)
    assert (tmp_path / "digits.skops").stat().st_size > 0
    assert list((tmp_path / "runs" / "digits").glob("events.out.tfevents.*"))
    assert module.untrusted == ["sknn._inputs.Rows", "sknn.mlp.MLPClassifier"]
