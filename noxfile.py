"""Nox sessions for dvcore: ``nox -s tests`` is the README's second command and CI's.

Every session installs from ``pyproject.toml``: the core (with extras), every plugin
distribution that exists under ``plugins/dvcore-*/``, and the ``[dependency-groups]`` the
session needs, read with :func:`nox.project.dependency_groups`. Arguments after ``--`` are
passed to the session's tool (``nox -s tests -- -k store -x``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"  # nox.project.dependency_groups
# uv when it is installed (much faster), else the standard library's venv: nothing to add.
nox.options.default_venv_backend = "uv" if shutil.which("uv") else "venv"
nox.options.error_on_external_run = True
nox.options.sessions = ["tests", "lint", "typecheck", "docs"]

ROOT = Path(__file__).resolve().parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
PYTHON = "3.11"


def _plugins() -> list[str]:
    """The plugin distributions that exist: ``plugins/dvcore-*/`` with a pyproject.toml."""
    return sorted(
        f"./{p.parent.relative_to(ROOT).as_posix()}"
        for p in ROOT.glob("plugins/dvcore-*/pyproject.toml")
    )


def _groups(*names: str) -> tuple[str, ...]:
    """The requirements of ``[dependency-groups]`` ``names``."""
    return nox.project.dependency_groups(PYPROJECT, *names)


def _plugin_groups(*names: str) -> list[str]:
    """The requirements of the plugins' own ``[dependency-groups]`` ``names``, where they have them.

    A plugin's tests may need more than the core's (``openpyxl`` to read a workbook back):
    each plugin says so in its own pyproject.toml, as the core does.
    """
    requirements: list[str] = []
    for plugin in _plugins():
        pyproject = nox.project.load_toml(ROOT / plugin / "pyproject.toml")
        have = [n for n in names if n in pyproject.get("dependency-groups", {})]
        if have:
            requirements.extend(nox.project.dependency_groups(pyproject, *have))
    return requirements


def _install(session: nox.Session, extras: str, *groups: str) -> None:
    """Install the core with ``extras``, every plugin, and ``groups`` (the core's and the
    plugins'), in one resolve."""
    plugins = _plugins()
    session.log("plugins: " + (", ".join(plugins) if plugins else "none yet"))
    requirements = [*_groups(*groups), *_plugin_groups(*groups)]
    session.install(f".[{extras}]", *plugins, *dict.fromkeys(requirements))


def _check_unique_test_names(session: nox.Session, paths: list[str]) -> None:
    """Fail early when two test folders hold modules of one name.

    pytest's default import mode imports ``tests/test_x.py`` as the top-level module
    ``test_x``, so ``plugins/dvcore-a/tests/test_plugin.py`` and
    ``plugins/dvcore-b/tests/test_plugin.py`` collide. (``--import-mode=importlib``
    would allow it, but breaks tests that start processes running a test module's
    functions.)
    """
    seen: dict[str, str] = {}
    clashes: list[str] = []
    for folder in paths:
        for module in sorted((ROOT / folder).rglob("test_*.py")):
            if (module.parent / "__init__.py").exists():
                continue  # inside a package: imported by its full dotted name
            where = module.relative_to(ROOT).as_posix()
            if module.name in seen:
                clashes.append(f"{seen[module.name]} and {where}")
            else:
                seen[module.name] = where
    if clashes:
        session.error(
            "test modules must have unique names across tests/ and "
            "plugins/*/tests/ (prefix them with the plugin's name): " + "; ".join(clashes)
        )


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the test suite on SQLite, and on PostgreSQL too when DVCORE_PG_URL is set."""
    _install(session, "cli,postgresql", "test")
    if os.environ.get("DVCORE_PG_URL"):
        session.log("backends: SQLite and PostgreSQL (DVCORE_PG_URL)")
    else:
        session.log("backends: SQLite only (set DVCORE_PG_URL to add PostgreSQL)")
    paths = [
        "tests",
        *sorted(
            p.relative_to(ROOT).as_posix()
            for p in ROOT.glob("plugins/dvcore-*/tests")
            if p.is_dir()
        ),
    ]
    _check_unique_test_names(session, paths)
    # Paths among the arguments replace the default ones (nox -s tests -- tests/test_x.py).
    if any(Path(arg.split("::")[0]).exists() for arg in session.posargs):
        paths = []
    # One pytest worker per CPU (pytest-xdist): the suite waits on databases and on the
    # processes its concurrency tests start. `nox -s tests -- -n 0` runs in one process.
    # success_codes=[0]: pytest's 5 ("no tests ran") fails the session like any failure.
    session.run("pytest", "-n", "auto", *paths, *session.posargs, success_codes=[0])


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Check the code with ruff: lint rules and formatting."""
    session.install(*_groups("lint"))
    targets = session.posargs or ["."]
    session.run("ruff", "check", *targets)
    session.run("ruff", "format", "--check", *targets)


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """Type-check src/ and plugins/*/src/ with mypy --strict."""
    _install(session, "cli,postgresql", "typecheck")
    packages = [
        p.relative_to(ROOT).as_posix()
        for p in sorted(ROOT.glob("plugins/dvcore-*/src/*"))
        if (p / "__init__.py").is_file()
    ]
    session.run("mypy", "--strict", "src/dvcore", *packages, *session.posargs)


GENDOCS = "docs/_ext/dvcore_docs.py"


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Check the generated reference is current, then build the docs, warnings as errors."""
    # The docs describe the core alone (docs/conf.py turns plugin autoloading off); the
    # testing extra because the API reference documents dvcore.testing.
    session.install(".[cli,testing]", *_groups("docs"))
    # Fails, naming the pages, when docs/events.md, cli.md or api.md hold generated text
    # the code no longer gives: `nox -s gendocs` rewrites them.
    session.run("python", GENDOCS, "--check")
    out = ROOT / "docs" / "_build" / "html"
    session.run(
        "sphinx-build", "-W", "--keep-going", "-b", "html", "docs", str(out), *session.posargs
    )


@nox.session(python=PYTHON)
def gendocs(session: nox.Session) -> None:
    """Write the generated reference (event catalogue, CLI help, API summary) into docs/."""
    session.install(".[cli,testing]")
    session.run("python", GENDOCS, "--write", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Run bench/run.py: the performance goals, measured against plain sqlite3 and a peer."""
    script = ROOT / "bench" / "run.py"
    if not script.is_file():
        present = ", ".join(sorted(p.name for p in script.parent.glob("*.py"))) or "nothing"
        session.error(
            f"{script.relative_to(ROOT)} does not exist (bench/ holds: {present}): "
            "the bench session runs bench/run.py"
        )
    _install(session, "cli,postgresql", "bench")
    session.run("python", str(script), *session.posargs)


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """Install like the README's first command and run ``dvcore demo`` in a scratch folder."""
    _install(session, "cli")
    tmp = Path(session.create_tmp()).resolve()
    for old in (tmp / "dvcore.db", tmp / "dvcore.db-wal", tmp / "dvcore.db-shm"):
        old.unlink(missing_ok=True)
    shutil.rmtree(tmp / "dvcore-demo", ignore_errors=True)
    with session.chdir(tmp):
        # The default store (sqlite:///dvcore.db) lands in the scratch folder, not the repo.
        session.run(
            "dvcore",
            "demo",
            "--out",
            str(tmp / "dvcore-demo"),
            *session.posargs,
            env={"DVCORE_STORE": None},
        )
    written = sorted(p.name for p in (tmp / "dvcore-demo").iterdir())
    session.log(f"reports in {tmp / 'dvcore-demo'}: {', '.join(written) or 'none'}")
