"""The docs hold what they promise: generated reference blocks are current, and the
example of docs/testing.md runs."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "docs" / "_ext" / "dvcore_docs.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dvcore_docs_generator", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_blocks_are_replaced_between_their_markers() -> None:
    docs = _generator()
    text = "before\n<!-- generated: api -->\nold\n<!-- end generated -->\nafter\n"
    assert docs.regenerate(text, "api", "new") == (
        "before\n<!-- generated: api -->\n\nnew\n\n<!-- end generated -->\nafter\n"
    )


def test_the_check_names_a_stale_page(tmp_path: Path) -> None:
    docs = _generator()
    for name in ("events.md", "cli.md", "api.md"):
        text = (ROOT / "docs" / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text, encoding="utf-8")
    cli = tmp_path / "cli.md"
    cli.write_text(cli.read_text(encoding="utf-8").replace("## `dvcore", "## `dv", 1))
    assert set(docs.stale_pages(tmp_path)) == {cli}


def test_the_committed_reference_is_current() -> None:
    # (nox -s docs checks it too, before Sphinx runs: CI fails on a stale page)
    run = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr


def test_the_testing_page_example_runs() -> None:
    page = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", page, flags=re.DOTALL | re.MULTILINE)
    assert len(blocks) == 1
    namespace: dict[str, Any] = {"__name__": "docs_testing_example"}
    exec(compile(blocks[0], "docs/testing.md", "exec"), namespace)
    tests = [f for name, f in namespace.items() if name.startswith("test_")]
    assert tests
    for test in tests:
        test()
