"""The code on the docs' developer and saving pages runs as written (the
Scaling out page's runs in test_cluster.py, on its clusters)."""

import pytest
from conftest import DOCS, run_docs_page

import sknn

# Each page trains its examples (the first runs scikit-learn's checks).
pytestmark = pytest.mark.slow


def test_adding_an_architecture(monkeypatch):
    module = run_docs_page("adding_an_architecture.rst", monkeypatch)
    assert module.ResidualMLPClassifier(width=4).get_params()["width"] == 4
    # The sequence architecture learnt token ids of any length.
    assert module.clf.vocabulary_size_ == 10
    assert module.clf.score(module.sequences[300:], module.mentions_7[300:]) > 0.9


def test_saving_sharing_and_deploying(monkeypatch, tmp_path):
    # Its files (digits.joblib, digits.skops, runs/) go to a fresh folder.
    # The MLflow block (``py``) is not run: the suite does not install MLflow.
    monkeypatch.chdir(tmp_path)
    module = run_docs_page("user_guide/saving.rst", monkeypatch)
    assert (tmp_path / "digits.skops").stat().st_size > 0
    assert list((tmp_path / "runs" / "digits").glob("events.out.tfevents.*"))
    assert module.untrusted == ["sknn._inputs.Rows", "sknn.mlp.MLPClassifier"]


def test_the_api_reference_lists_every_export():
    """docs/api.rst lists the estimators of ``sknn.__all__`` and the modules
    of ``sknn.modules.__all__``: the docs build writes the lists
    (docs/api_lists.py); this fails when the committed page lags."""
    import sys

    sys.path.insert(0, str(DOCS))
    import api_lists

    text = api_lists.API.read_text()
    assert api_lists.current(text) == text, (
        "docs/api.rst does not list what sknn exports: run "
        "`python -c 'import api_lists; api_lists.write()'` in docs/ (the docs "
        "build does it)."
    )
    for name in sknn.__all__:
        if name != "__version__":
            assert f"   {name}\n" in text
