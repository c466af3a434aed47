"""Sphinx configuration for dvcore's documentation (furo, MyST Markdown, autodoc).

Built in CI with warnings as errors: ``nox -s docs`` runs
``sphinx-build -W --keep-going -b html docs docs/_build/html``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
# The reference documents dvcore itself: installed plugins must not add commands or types.
os.environ["DVCORE_DISABLE_PLUGIN_AUTOLOAD"] = "1"

import dvcore  # noqa: E402  (after the environment is set)

project = "dvcore"
author = "dvcore engineers"
copyright = "2026, dvcore engineers"
release = dvcore.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
    "dvcore_docs",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "Thumbs.db", ".DS_Store"]
language = "en"

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_preserve_defaults = True
# ``type[EventData]`` in a signature is looked up as "type", which Event.type and
# RecordedEvent.type both answer: Sphinx then warns that the reference is ambiguous
# (python.ref only: missing targets are never warned about without nitpicky mode).
suppress_warnings = ["ref.python"]

html_theme = "furo"
html_title = f"dvcore {release}"
html_static_path: list[str] = []
