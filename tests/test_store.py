"""The store contract (dvcore.testing.store_contract) on every backend, and store opening.

``StoreContract`` runs once per backend: the ``store`` fixture of ``conftest.py`` is
SQLite, and PostgreSQL too when ``DVCORE_PG_URL`` is set.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import dvcore
from dvcore.errors import InputError
from dvcore.store import default_url
from dvcore.testing.store_contract import StoreContract, example_events, unit_events


class TestSqlStore(StoreContract):
    """The contract on the backend of the ``store`` fixture."""


def test_backend_of_the_fixture(store: Any, backend: str) -> None:
    assert store.dialect == backend


def test_reopened_store_keeps_its_log(store_url: str, clock: Any) -> None:
    events = example_events()
    with dvcore.open_store(store_url, clock=clock) as first:
        first.append(events)
        head_hash = first.verify().head_hash
    with dvcore.open_store(store_url, clock=clock, create=False) as again:
        assert again.head() == len(events)
        assert again.verify().head_hash == head_hash
        assert [r.id for r in again.read()] == [e.id for e in events]
        # the state is folded again from the log: the units are known
        assert again.append([*unit_events()]).appended == 0


def test_open_without_create_needs_a_store(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="dvcore init"):
        dvcore.open_store(f"sqlite:///{tmp_path / 'none.db'}", create=False)


@pytest.mark.parametrize("url", ["mysql://u@h/db", "nonsense"])
def test_other_databases_are_refused(url: str) -> None:
    with pytest.raises(InputError):
        dvcore.open_store(url)


def test_default_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DVCORE_STORE", raising=False)
    assert default_url() == "sqlite:///dvcore.db"
    monkeypatch.setenv("DVCORE_STORE", "sqlite:////tmp/x.db")
    assert default_url() == "sqlite:////tmp/x.db"


def test_sqlite_store_is_in_wal_mode(store_url_factory: Any) -> None:
    with dvcore.open_store(store_url_factory("sqlite")) as store, store.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_the_database_and_python_add_up_the_same_rollups(
    store: Any, demo_events: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Log-counted rollups written by the database (plain dimensions) and added up in
    Python from the database's groups are the same rows, on every backend."""
    from dvcore.store import projections, schema

    store.append(demo_events)

    def rollups() -> list[tuple[Any, ...]]:
        store.rebuild_projections()
        r = schema.rollups.c
        with store.engine.connect() as conn:
            return [
                tuple(row)
                for row in conn.execute(
                    sa.select(schema.rollups).order_by(
                        r.indicator, r.grain, r.start, r.unit, r.dims
                    )
                )
            ]

    monkeypatch.setattr(projections, "_SCAN_FROM", 0)  # the scan a large type takes
    in_sql = rollups()
    monkeypatch.setattr(projections, "_IN_SQL", False)
    assert rollups() == in_sql
    assert any(row[0] == "dialogue.count" for row in in_sql)
