"""Sphinx configuration of the sknn documentation.

Build with ``bash scripts/docs.sh`` (or ``sphinx-build -W --keep-going -b html
docs docs/_build/html``). The build is fully offline: no intersphinx
inventories are downloaded; references to scikit-learn, PyTorch and skorch
objects are turned into links to their online documentation by
:func:`resolve_external_reference` instead.
"""

import os
import re
import sys
from pathlib import Path

# Document the sknn of this checkout, whatever else is installed.
DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

import sknn  # noqa: E402

sys.path.insert(0, str(DOCS))
import api_lists  # noqa: E402

# The API reference lists what sknn and sknn.modules export (__all__).
api_lists.write()

# -- Project -----------------------------------------------------------------
project = "sknn"
author = "The sknn developers"
copyright = "The sknn developers"
release = sknn.__version__
version = ".".join(release.split(".")[:2])

# -- General -----------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
default_role = "literal"
pygments_style = "sphinx"

# autodoc / autosummary: API pages are generated into docs/generated/
# (git-ignored) from the templates in _templates/.
autosummary_generate = True
autodoc_typehints = "none"  # numpydoc renders the types of the docstrings
# An undocumented override (MLP.forward) would show torch's generic docstring.
autodoc_inherit_docstrings = False
autodoc_member_order = "groupwise"
add_module_names = False

# numpydoc: the class templates list the methods themselves.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# sphinx-gallery: every file of examples/ is listed; only plot_*.py files run
# (the default filename_pattern), so long demos such as compare_estimators.py
# appear with their code but are not executed at build time.
sphinx_gallery_conf = {
    "examples_dirs": [str(DOCS.parent / "examples")],
    "gallery_dirs": [str(DOCS / "auto_examples")],
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "backreferences_dir": str(DOCS / "gen_modules" / "backreferences"),
    "doc_module": ("sknn",),
    "download_all_examples": False,
    "remove_config_comments": True,
    "plot_gallery": True,
    "abort_on_example_error": True,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    # No sg_execution_times.rst pages: build timings are not documentation.
    "write_computation_times": False,
}

# Examples import matplotlib without a display.
os.environ.setdefault("MPLBACKEND", "Agg")

# -- HTML ----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sknn {release}"
html_static_path = []
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {
    "index": [],
    "getting_started": [],
}


# -- Offline links to scikit-learn, PyTorch and skorch -------------------------
def _sklearn_url(target: str) -> str | None:
    # scikit-learn documents every public object on the page of the function
    # or class itself: generated/sklearn.module.Class.html#sklearn.module.Class.meth
    parts = target.split(".")
    for i, part in enumerate(parts[1:], start=1):
        if part[:1].isupper():
            page = ".".join(parts[: i + 1])
            return f"https://scikit-learn.org/stable/modules/generated/{page}.html#{target}"
    if len(parts) >= 3:
        return f"https://scikit-learn.org/stable/modules/generated/{target}.html"
    return None


def _torch_url(target: str) -> str | None:
    parts = target.split(".")
    for i, part in enumerate(parts[1:], start=1):
        if part[:1].isupper():
            page = ".".join(parts[: i + 1])
            return (
                f"https://docs.pytorch.org/docs/stable/generated/{page}.html#{target}"
            )
    return None


_SKORCH_PAGES = {
    "skorch.NeuralNet": "net.html#skorch.net.NeuralNet",
    "skorch.History": "history.html#skorch.history.History",
    "skorch.history.History": "history.html#skorch.history.History",
}


def _skorch_url(target: str) -> str | None:
    base = "https://skorch.readthedocs.io/en/stable/"
    if target in _SKORCH_PAGES:
        return base + _SKORCH_PAGES[target]
    parts = target.split(".")
    if len(parts) >= 3 and parts[1] == "callbacks":
        return f"{base}callbacks.html#skorch.callbacks.{parts[2]}"
    return None


_RESOLVERS = {"sklearn": _sklearn_url, "torch": _torch_url, "skorch": _skorch_url}

# Labels of scikit-learn's user guide that the docstrings sknn inherits from
# scikit-learn (score, get_metadata_routing, set_*_request) refer to.
_SKLEARN_LABELS = {
    "metadata_routing": "metadata_routing.html",
    "accuracy_score": "modules/model_evaluation.html#accuracy-score",
    "r2_score": "modules/model_evaluation.html#r2-score",
}


def resolve_external_reference(app, env, node, contnode):
    """Link ``sklearn.*``, ``torch.*`` and ``skorch.*`` Python references, and
    the scikit-learn labels and glossary terms of inherited docstrings, online.

    Stands in for intersphinx, which would download the projects' inventories
    at build time.
    """
    from docutils import nodes

    target = node.get("reftarget", "")
    if node.get("refdomain") == "std":
        url = None
        if node.get("reftype") == "ref" and target in _SKLEARN_LABELS:
            url = "https://scikit-learn.org/stable/" + _SKLEARN_LABELS[target]
        elif node.get("reftype") == "term" and "of sklearn." in (node.source or ""):
            slug = "-".join(target.lower().split())
            url = f"https://scikit-learn.org/stable/glossary.html#term-{slug}"
    elif node.get("refdomain") != "py":
        return None
    elif node.get("reftype") == "mod" and target.startswith("sklearn."):
        url = f"https://scikit-learn.org/stable/api/{target}.html"
    else:
        resolver = _RESOLVERS.get(target.split(".")[0])
        url = resolver(target) if resolver else None
    if url is None:
        return None
    reference = nodes.reference("", "", internal=False, refuri=url, reftitle=target)
    reference.append(contnode)
    return reference


# Methods inherited from scikit-learn (``set_output``...) refer to pages of
# scikit-learn's own documentation by label, which this offline build does
# not have: keep a link's text, or name scikit-learn's documentation.
_SKLEARN_TITLED_REF = re.compile(r":ref:`([^`<]+?)\s*<[^`>]+>`")
_SKLEARN_BARE_REF = re.compile(r":ref:`[^`]+`")


def unlink_sklearn_refs(app, what, name, obj, options, lines):
    if getattr(obj, "__module__", "").startswith("sklearn"):
        for i, line in enumerate(lines):
            line = _SKLEARN_TITLED_REF.sub(r"\1 (scikit-learn)", line)
            lines[i] = _SKLEARN_BARE_REF.sub("scikit-learn's documentation", line)


def setup(app):
    app.connect("missing-reference", resolve_external_reference)
    app.connect("autodoc-process-docstring", unlink_sklearn_refs)

