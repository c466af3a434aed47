"""``copy_rows``: rows loaded through PostgreSQL's COPY read back as the INSERT path stores
them, inside the caller's transaction, and a refused row leaves nothing.

Each Hypothesis example writes the same rows twice into one store's tables — once through
the append path's INSERT (``_bulk_insert``), once through ``copy_rows`` — each time in a
transaction that is read back and rolled back, so the examples share one schema.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dvcore import open_store
from dvcore.serialization import canonical_json
from dvcore.store.copy import BINARY_TYPES, copy_rows
from dvcore.store.dialect import _EVENT_COLUMNS, _FACT_COLUMNS, _bulk_insert

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("DVCORE_PG_URL"), reason="needs PostgreSQL (DVCORE_PG_URL)"
    ),
]

# The examples share the test's schema: every one rolls back what it wrote.
shared_schema = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

#: What COPY's text format, CSV habits or JSON might trip on; Vietnamese as it is typed.
AWKWARD = [
    "",
    " ",
    "\\",
    "\\N",
    "\\.",
    "\\x00",
    "\t",
    "\n",
    "\r\n",
    '"',
    "'",
    ",",
    "|",
    "NULL",
    "null",
    "Đối thoại với Nhân dân",
    "Ủy ban Mặt trận Tổ quốc",
    "Hải Phòng\tLê Chân\nphường",
    "e\u0301",  # a combining accent: stored as given, not normalised
    "\u200b\ufeff",
    "😀",
    '{"a": 1}',
    "'; DROP TABLE dv_events; --",
]

# Text PostgreSQL can hold: UTF-8 (no lone surrogate), and no NUL.
_char = st.characters(codec="utf-8", exclude_characters="\x00")


def texts(max_size: int) -> st.SearchStrategy[str]:
    """Awkward fixed strings or any text without NUL, at most ``max_size`` characters."""
    return st.one_of(
        st.sampled_from([s for s in AWKWARD if len(s) <= max_size]),
        st.text(_char, max_size=max_size),
    )


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts(40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts(12), inner, max_size=4),
    max_leaves=12,
)

offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
instants = st.datetimes(
    min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30), timezones=offsets
)
int4 = st.integers(-(2**31), 2**31 - 1)


@st.composite
def event_rows(draw: st.DrawFn) -> list[tuple[Any, ...]]:
    """``dv_events`` rows in ``_EVENT_COLUMNS`` order, as the append path binds them."""
    base = draw(st.integers(-(2**63), 2**63 - 100))
    rows = []
    for i in range(draw(st.integers(1, 6))):
        rows.append(
            (
                base + i,
                f"{i}{draw(texts(35))}"[:36],  # event_id: unique
                draw(texts(200)),
                i,  # (stream, version): unique
                draw(st.none() | texts(500).map(lambda s, i=i: f"{i}:{s}")),  # unique
                draw(texts(100)),
                draw(int4),
                draw(st.dates()),
                draw(texts(64)),
                draw(instants),
                draw(st.none() | texts(64)),
                canonical_json(draw(json_values)),
                draw(texts(64)),
            )
        )
    return rows


@st.composite
def fact_rows(draw: st.DrawFn) -> list[tuple[Any, ...]]:
    """``dv_facts`` rows in ``_FACT_COLUMNS`` order (NULLs where the table allows them)."""
    big = st.integers(-(2**63), 2**63 - 1)
    return [
        (
            draw(big),
            draw(big),
            draw(st.none() | big),
            draw(texts(100)),
            draw(texts(64)),
            draw(st.dates()),
            draw(st.none() | st.dates()),
            draw(texts(400)),
            draw(st.none() | texts(200)),
            draw(big),
        )
        for _ in range(draw(st.integers(1, 6)))
    ]


@pytest.fixture
def engine(store_url_factory: Callable[[str], str]) -> Iterator[sa.Engine]:
    """An engine on a fresh PostgreSQL store's schema (its tables made by open_store)."""
    url = store_url_factory("postgresql")
    open_store(url).close()
    eng = sa.create_engine(url)
    yield eng
    eng.dispose()


def _read(conn: sa.Connection, table: str, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """Every row, with each JSON value as its stored text too, ordered by every column."""
    jsons = [f"{c}::text" for c in columns if c == "payload"]
    cols = ", ".join([*columns, *jsons])
    order = ", ".join(str(i) for i in range(1, len(columns) + len(jsons) + 1))
    return [tuple(r) for r in conn.exec_driver_sql(f"SELECT {cols} FROM {table} ORDER BY {order}")]


def _through_insert(engine: sa.Engine, table: str, columns: Sequence[str], rows: Any) -> Any:
    with engine.connect() as conn, conn.begin() as tx:
        _bulk_insert(conn, table, columns, rows)
        stored = _read(conn, table, columns)
        tx.rollback()
    return stored


def _through_copy(engine: sa.Engine, table: str, columns: Sequence[str], rows: Any) -> Any:
    with engine.connect() as conn, conn.begin() as tx:
        assert copy_rows(conn, table, columns, iter(rows)) == len(rows)
        stored = _read(conn, table, columns)
        tx.rollback()
    return stored


def _count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())


@shared_schema
@given(rows=event_rows())
def test_events_copied_read_back_as_inserted(engine: sa.Engine, rows: list[Any]) -> None:
    inserted = _through_insert(engine, "dv_events", _EVENT_COLUMNS, rows)
    copied = _through_copy(engine, "dv_events", _EVENT_COLUMNS, rows)
    assert copied == inserted
    # and both are what was given: every text as it was, the same days and instants (the
    # payload is JSONB's reading of the text, numbers as numeric: compared above)
    assert [r[:11] for r in copied] == [r[:11] for r in rows]  # rows come in position order


@shared_schema
@given(rows=fact_rows())
def test_facts_copied_read_back_as_inserted(engine: sa.Engine, rows: list[Any]) -> None:
    inserted = _through_insert(engine, "dv_facts", _FACT_COLUMNS, rows)
    assert _through_copy(engine, "dv_facts", _FACT_COLUMNS, rows) == inserted


@shared_schema
@given(
    values=st.lists(
        st.tuples(
            texts(60),
            st.none() | st.integers(-(10**30), 10**30),
            st.none() | st.dates(),
            st.none() | instants,
            json_values.map(canonical_json),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_text_format_copy_reads_back_as_inserted(engine: sa.Engine, values: list[Any]) -> None:
    # A numeric column has no binary form here: the whole COPY goes in the text format,
    # where a backslash, a tab or "\N" in a value must be escaped, never taken as syntax.
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS probe (id bigint PRIMARY KEY, label text NOT NULL,"
            " amount numeric, day date, at timestamptz, doc jsonb NOT NULL)"
        )
    rows = [(i, *v) for i, v in enumerate(values)]
    columns = ("id", "label", "amount", "day", "at", "doc")
    with engine.connect() as conn, conn.begin() as tx:
        marks = ", ".join(["%s"] * 5 + ["%s::jsonb"])
        conn.exec_driver_sql(f"INSERT INTO probe ({', '.join(columns)}) VALUES ({marks})", rows)
        inserted = [tuple(r) for r in conn.exec_driver_sql("SELECT *, doc::text FROM probe")]
        tx.rollback()
    with engine.connect() as conn, conn.begin() as tx:
        assert copy_rows(conn, "probe", columns, rows) == len(rows)
        copied = [tuple(r) for r in conn.exec_driver_sql("SELECT *, doc::text FROM probe")]
        tx.rollback()
    assert sorted(copied) == sorted(inserted)


def test_the_stores_tables_are_copied_in_binary(engine: sa.Engine) -> None:
    # The hot path's tables use only column types copy_rows sends in the binary format.
    with engine.connect() as conn:
        types = conn.exec_driver_sql(
            "SELECT DISTINCT t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
            " WHERE a.attrelid IN ('dv_events'::regclass, 'dv_facts'::regclass)"
            " AND a.attnum > 0 AND NOT a.attisdropped"
        ).scalars()
        assert set(types) <= set(BINARY_TYPES)


def _event(position: int, source_ref: str | None) -> tuple[Any, ...]:
    return (
        position,
        f"id-{position}",
        f"HP/DialogueHeld/{position}",
        1,
        source_ref,
        "DialogueHeld",
        1,
        dt.date(2023, 9, 20),
        "HP",
        dt.datetime(2023, 9, 20, 3, tzinfo=dt.UTC),
        None,
        '{"host":"chairman","title":"Đối thoại"}',
        "0" * 64,
    )


def test_a_rolled_back_copy_leaves_nothing(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        with conn.begin() as tx:
            rows = (_event(p, f"ref:{p}") for p in range(1, 5001))
            assert copy_rows(conn, "dv_events", _EVENT_COLUMNS, rows) == 5000
            assert conn.exec_driver_sql("SELECT count(*) FROM dv_events").scalar_one() == 5000
            tx.rollback()
        # the connection is usable again, and commits what it is asked to
        with conn.begin():
            assert copy_rows(conn, "dv_events", _EVENT_COLUMNS, [_event(1, "ref:1")]) == 1
    assert _count(engine, "dv_events") == 1


def test_a_unique_violation_raises_and_leaves_nothing(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        copy_rows(conn, "dv_events", _EVENT_COLUMNS, [_event(1, "ref:dup")])
    for clash in (
        [_event(2, "ref:2"), _event(3, "ref:dup")],  # with a committed row
        [_event(2, "ref:2"), _event(3, "ref:3"), _event(4, "ref:3")],  # within the copy
        [_event(2, "ref:2"), _event(1, "ref:x")],  # the primary key
    ):
        with pytest.raises(sa.exc.IntegrityError, match="duplicate key"), engine.begin() as conn:
            copy_rows(conn, "dv_events", _EVENT_COLUMNS, clash)
        assert _count(engine, "dv_events") == 1


def test_an_error_in_the_rows_aborts_the_copy(engine: sa.Engine) -> None:
    def rows() -> Iterator[tuple[Any, ...]]:
        yield _event(1, "ref:1")
        raise RuntimeError("the channel failed")

    with pytest.raises(RuntimeError, match="the channel failed"), engine.begin() as conn:
        copy_rows(conn, "dv_events", _EVENT_COLUMNS, rows())
    assert _count(engine, "dv_events") == 0


def test_wrong_values_are_refused(engine: sa.Engine) -> None:
    bad_payload = (*_event(1, None)[:11], {"not": "text"}, "0" * 64)
    with pytest.raises(TypeError, match="JSON text"), engine.begin() as conn:
        copy_rows(conn, "dv_events", _EVENT_COLUMNS, [bad_payload])
    with pytest.raises(ValueError, match="no column nope"), engine.begin() as conn:
        copy_rows(conn, "dv_events", ("position", "nope"), [(1, 2)])
    with pytest.raises(sa.exc.DataError), engine.begin() as conn:
        copy_rows(conn, "dv_events", _EVENT_COLUMNS, [(*_event(1, None)[:11], '{"a":', "h")])
    assert _count(engine, "dv_events") == 0


def test_no_rows_no_statement(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        assert copy_rows(conn, "no_such_table", ("x",), []) == 0
        assert not conn.in_transaction()


def test_only_postgresql(tmp_path: Any) -> None:
    sqlite = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(ValueError, match="PostgreSQL"), sqlite.connect() as conn:
        copy_rows(conn, "t", ("x",), [(1,)])
    sqlite.dispose()
