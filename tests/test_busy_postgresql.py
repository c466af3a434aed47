"""A PostgreSQL writer waits for another no longer than the busy timeout, then says so."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from dvcore import open_store
from dvcore.errors import StoreBusyError
from dvcore.store.dialect import _PG_LOCK_KEY

pytestmark = pytest.mark.skipif(
    not os.environ.get("DVCORE_PG_URL"), reason="needs PostgreSQL (DVCORE_PG_URL)"
)


def test_a_stuck_writer_makes_the_next_one_busy_not_hung(
    store_url_factory: object,
) -> None:
    url = store_url_factory("postgresql")  # type: ignore[operator]
    store = open_store(url, busy_timeout=0.5)
    store.append(
        [
            {
                "type": "UnitRegistered",
                "occurred_on": "2020-01-01",
                "unit": "HP",
                "data": {"code": "HP", "name": "HP", "kind": "city"},
            }
        ]
    )
    holder = sa.create_engine(url)
    try:
        with holder.connect() as conn, conn.begin():
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_LOCK_KEY)))
            with pytest.raises(StoreBusyError, match="busy"):
                store.append(
                    [
                        {
                            "type": "DialogueHeld",
                            "occurred_on": "2023-01-02",
                            "unit": "HP",
                            "data": {"host": "chairman"},
                        }
                    ]
                )
        assert store.head() == 1
        assert (
            store.append(
                [
                    {
                        "type": "DialogueHeld",
                        "occurred_on": "2023-01-02",
                        "unit": "HP",
                        "data": {"host": "chairman"},
                    }
                ]
            ).appended
            == 1
        )
    finally:
        holder.dispose()
        store.close()
