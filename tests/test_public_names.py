"""Public contracts: the protocols, the report context, and no private import outside core.

DESIGN.md §3: a plugin imports public names only, never a module whose name starts with
``_``. The guard reads every Python file under ``plugins/*/src`` and ``plugins/*/tests``
and every code line of the pages under ``docs/``; dvcore's own ``src/`` is exempt.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest

import dvcore
from dvcore import reports
from dvcore.registry import get_plugin_manager, plugin_exporters, plugin_input_channels
from dvcore.testing import demo

ROOT = Path(__file__).resolve().parents[1]

# `from dvcore.x import y` / `import dvcore.x` on a line of Markdown (code blocks, doctests)
_MD_IMPORT = re.compile(
    r"^\s*(?:>>>\s+|\.\.\.\s+)?(?:from\s+(?P<from>[\w.]+)\s+import\s|import\s+(?P<mods>[\w., ]+))"
)


def _private(module: str) -> bool:
    """A dvcore module whose dotted name has a part starting with ``_``.

    ``module`` may be ``package.name`` from ``from package import name``: it counts only
    when ``name`` is a module (``from dvcore import _builtin``), not a private object
    (``from dvcore.i18n import _``, the docs extension's ``_UPCASTERS``).
    """
    parts = module.split(".")
    if parts[0] != "dvcore" or not any(p.startswith("_") for p in parts):
        return False
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # an object of a module (the module is checked on its own)
        return False


def _python_imports(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:  # `from dvcore import _builtin` imports a module too
                yield node.lineno, f"{node.module}.{alias.name}"


def _markdown_imports(path: Path) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = _MD_IMPORT.match(line)
        if match is None:
            continue
        if match["from"]:
            yield number, match["from"]
            names = line.split(" import ", 1)[1]
            for name in re.findall(r"[A-Za-z_]\w*", names.split("#")[0]):
                if name != "as":
                    yield number, f"{match['from']}.{name}"
        else:
            for module in match["mods"].split(","):
                yield number, module.strip().split(" ")[0]


def _checked_files() -> list[Path]:
    files = [
        *ROOT.glob("plugins/*/src/**/*.py"),
        *ROOT.glob("plugins/*/tests/**/*.py"),
        *(p for p in ROOT.glob("docs/**/*") if p.suffix in (".py", ".md")),
    ]
    return sorted(p for p in files if "_build" not in p.parts)


def private_imports(files: list[Path]) -> list[str]:
    """``file:line module`` for every import of a private dvcore module in ``files``."""
    found = []
    for path in files:
        lines = _markdown_imports(path) if path.suffix == ".md" else _python_imports(path)
        for number, module in lines:
            if _private(module):
                found.append(f"{path.relative_to(ROOT).as_posix()}:{number} {module}")
    return found


def test_plugins_and_docs_import_public_dvcore_modules_only() -> None:
    files = _checked_files()
    assert any("plugins" in p.parts for p in files)
    assert any("docs" in p.parts for p in files)
    assert private_imports(files) == []


def test_the_guard_sees_private_imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    page = tmp_path / "page.md"
    page.write_text(
        "```python\nfrom dvcore._builtin.demo_run import build_store\n"
        "from dvcore import _builtin\n>>> import dvcore._builtin.demo as d\n"
        "from dvcore.reports import build_context\n```\n",
        encoding="utf-8",
    )
    module = tmp_path / "mod.py"
    module.write_text(
        "from dvcore._builtin import demo_run\nfrom dvcore.i18n import _\nimport dvcore.tables\n",
        encoding="utf-8",
    )
    assert private_imports([page, module]) == [
        "page.md:2 dvcore._builtin.demo_run",
        "page.md:3 dvcore._builtin",
        "page.md:4 dvcore._builtin.demo",
        "mod.py:1 dvcore._builtin",
        "mod.py:1 dvcore._builtin.demo_run",
    ]


def test_the_protocols_are_exported_and_the_builtins_satisfy_them() -> None:
    assert {"InputChannel", "Exporter"} <= set(dvcore.__all__)
    pm = get_plugin_manager(autoload=False)
    channels = plugin_input_channels(pm)
    exporters = plugin_exporters(pm)
    assert {"jsonl", "csv"} <= set(channels)
    assert {"json", "markdown"} <= set(exporters)
    assert all(isinstance(c, dvcore.InputChannel) for c in channels.values())
    assert all(isinstance(e, dvcore.Exporter) for e in exporters.values())
    assert not isinstance(object(), dvcore.Exporter)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dvcore.Store]:
    store, _counts = demo.open_demo_store(
        f"sqlite:///{tmp_path_factory.mktemp('reports') / 'demo.db'}"
    )
    try:
        yield store
    finally:
        store.close()


@pytest.mark.parametrize("report", reports.REPORT_KINDS)
def test_report_context_names_every_top_level_key(demo_store: dvcore.Store, report: str) -> None:
    unit, period = demo.CITY, "2023-9M"
    if report == "term-commune":
        tree = demo_store.state().tree
        unit = next(c for c in tree.codes() if tree.state(c).name == "Xã Ngũ Lão")
        period = "2020-2025"
    context = reports.build_context(
        demo_store, unit=unit, period=period, report=report, as_known_at=demo.REPORTED_AT
    )
    hints = typing.get_type_hints(reports.ReportContext)
    assert set(context) <= set(hints)
    assert reports.ReportContext.__required_keys__ <= set(context)
    assert context["report"] == report
    assert (report == "term-commune") == ("blanks" in context)


def test_build_context_is_the_documented_function() -> None:
    assert reports.build_context.__doc__
    assert "as_known_at" in reports.build_context.__doc__
    assert reports.__all__ == [
        "DIMENSION_LABELS",
        "MISSING",
        "PLACEHOLDER",
        "REPORTS",
        "REPORT_KINDS",
        "REPORT_KIND_LABELS",
        "ReportContext",
        "ReportKind",
        "Sections",
        "build_context",
        "committee_name",
        "count_text",
        "document_word",
        "has_data",
        "item_label",
        "kind_name",
        "level_label",
        "period_text",
        "read_sections",
    ]
