"""Sphinx configuration of the cxsim documentation (MyST markdown, executed examples, furo)."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "_ext"))

import cxsim  # noqa: E402

project = "cxsim"
author = "cxsim developers"
copyright = "2026, cxsim developers"
release = version = cxsim.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
]

# --- sources
# The command line is documented by its --help (reference/cli.md), not by API pages.
exclude_patterns = ["_build", "_templates", "**.ipynb_checkpoints", "jupyter_execute",
                    "reference/generated/cxsim.cli.*", "reference/generated/cxsim.configs*"]
templates_path = ["_templates"]
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist", "attrs_inline"]
myst_heading_anchors = 3

# --- executed examples: every code cell runs when the docs build; an error fails the build
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 600
nb_execution_show_tb = True
nb_render_markdown_format = "myst"
nb_merge_streams = True

# --- API pages from the docstrings (Google style)
autosummary_generate = True
autosummary_imported_members = False
# Packages list their modules (their public names are documented where they are defined, once);
# modules document what they define. The command line is documented by its --help
# (reference/cli), not here. See _templates/autosummary/module.rst.
autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_mock_imports = ["solara", "ipyvuetify", "ipyvue", "ray"]
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
napoleon_attr_annotations = False  # types stay in the signatures; `np.object_` is no link target
# Docstrings write absolute values as |x| (e.g. "largest |affect|"): render them as text.
rst_prolog = "\n".join(f".. |{word}| replace:: \\|{word}\\|" for word in ("affect",))

# --- no network at build time
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}

# --- HTML
html_theme = "furo"
html_title = f"cxsim {release}"
html_static_path = ["_static"]
