"""A bare install works: ``pip install dvcore`` gives a working ``dvcore`` command.

The ``dvcore`` console script's module must import with the core dependencies alone
(issue 14, item 7): these tests read the declared dependencies from ``pyproject.toml``
and check every third-party module ``dvcore.cli`` imports comes from one of them (or
from what they need in turn).
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def _project() -> dict[str, object]:
    with PYPROJECT.open("rb") as f:
        project: dict[str, object] = tomllib.load(f)["project"]
    return project


def _core_requirements() -> list[Requirement]:
    deps = _project()["dependencies"]
    assert isinstance(deps, list)
    return [Requirement(d) for d in deps]


def _closure(names: set[str]) -> set[str]:
    """The distributions ``names`` need, with what those need in turn (no extras)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for line in requires:
            req = Requirement(line)
            if req.marker is not None and not req.marker.evaluate({"extra": ""}):
                continue
            todo.append(req.name)
    return seen


def test_click_and_rich_are_core_dependencies() -> None:
    names = {canonicalize_name(r.name) for r in _core_requirements()}
    assert {"click", "rich"} <= names


def test_cli_extra_still_installs() -> None:
    # the README's first command is `pip install ".[cli]"`: the extra must stay
    extras = _project()["optional-dependencies"]
    assert isinstance(extras, dict)
    assert "cli" in extras


def test_console_script_module_imports_with_core_dependencies_only() -> None:
    scripts = _project()["scripts"]
    assert isinstance(scripts, dict)
    module = scripts["dvcore"].split(":")[0]
    env = {**os.environ, "DVCORE_DISABLE_PLUGIN_AUTOLOAD": "1"}
    code = (
        f"import sys, {module}\n"
        "print('\\n'.join(sorted({m.split('.')[0] for m in list(sys.modules)})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    imported = set(out.stdout.split())
    distributions = importlib.metadata.packages_distributions()
    allowed = _closure({r.name for r in _core_requirements()}) | {"dvcore"}
    outside: dict[str, list[str]] = {}
    for top in sorted(imported):
        if top in sys.stdlib_module_names or top.startswith("_") or top == "dvcore":
            continue
        dists = {canonicalize_name(d) for d in distributions.get(top, [])}
        if not dists or dists & allowed:
            continue
        outside[top] = sorted(dists)
    assert not outside, f"{module} imports modules outside the core dependencies: {outside}"
