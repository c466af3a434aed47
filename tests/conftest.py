"""Shared fixtures: a store on every backend, a settable clock, Hypothesis profiles.

``store`` runs a test against SQLite (a file in tmp_path) and, when ``DVCORE_PG_URL`` is
set, against PostgreSQL too, each test in a schema of its own that is dropped afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings

os.environ.setdefault("DVCORE_DISABLE_PLUGIN_AUTOLOAD", "1")
# Tests read messages in English (the command line's default is Vietnamese): set here, at
# import, so the processes tests start inherit it too. tests/test_cli_i18n.py removes it
# where Vietnamese is the point.
os.environ["DVCORE_LANG"] = "en"

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough", deadline=None, max_examples=1000, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default")
)

PG_URL = os.environ.get("DVCORE_PG_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


class Clock:
    """A clock tests set by hand: ``clock.now = …`` or ``clock.advance(days=1)``."""

    def __init__(self, now: dt.datetime | None = None) -> None:
        self.now = now or dt.datetime(2023, 9, 20, 3, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    """A settable clock, starting 20/9/2023 10:00 in Hanoi."""
    return Clock()


def _pg_schema_url(schema: str) -> str:
    assert PG_URL is not None
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture
def store_url_factory(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Make fresh store URLs on a backend: ``factory("sqlite")`` or ``factory("postgresql")``."""
    schemas: list[str] = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / f'store-{uuid.uuid4().hex[:8]}.db'}"
        schema = f"t_{uuid.uuid4().hex[:12]}"
        engine = sa.create_engine(PG_URL)  # type: ignore[arg-type]
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        engine.dispose()
        schemas.append(schema)
        return _pg_schema_url(schema)

    yield make
    if schemas:
        engine = sa.create_engine(PG_URL)  # type: ignore[arg-type]
        with engine.begin() as conn:
            for schema in schemas:
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each store backend in turn (PostgreSQL only when DVCORE_PG_URL is set)."""
    return str(request.param)


@pytest.fixture
def store_url(backend: str, store_url_factory: Callable[[str], str]) -> str:
    """A fresh, empty store URL on the current backend."""
    return store_url_factory(backend)


@pytest.fixture
def store(store_url: str, clock: Clock) -> Iterator[Any]:
    """A fresh store on the current backend, with the settable clock."""
    from dvcore import open_store

    s = open_store(store_url, clock=clock)
    yield s
    s.close()


@pytest.fixture
def demo_events() -> list[dict[str, Any]]:
    """The Hai Phong 2023 demo data set (seed 001)."""
    from dvcore._builtin import demo

    return demo.hai_phong_events()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The slow tests first (a stable sort, so the rest keeps its order).

    Under ``pytest -n auto`` a long test collected last runs alone at the end while the
    other workers idle (the killed-import tests take minutes); started first, it runs
    beside the many short ones.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
