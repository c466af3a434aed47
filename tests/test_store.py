"""The store contract (dvcore.testing.store_contract) on every backend, and store opening.

``StoreContract`` runs once per backend: the ``store`` fixture of ``conftest.py`` is
SQLite, and PostgreSQL too when ``DVCORE_PG_URL`` is set.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, ClassVar, Literal

import attrs
import pytest
import sqlalchemy as sa

import dvcore
from dvcore.errors import InputError
from dvcore.events import DialogueHeld, Event, EventData
from dvcore.indicators import Contribution, Indicator
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


def test_a_key_twice_in_one_batch_is_compared_by_its_data(store: Any) -> None:
    """The second use of a key in one append is compared with the first by its data too
    (kept as the JSON text written until then): equal data is the same fact, other data
    under the same type, unit and day is refused, naming the row that used the key."""
    store.append(unit_events())
    head = store.head()

    def held(participants: int) -> Event:
        return Event(
            data=DialogueHeld(host="chairman", participants=participants),
            occurred_on=dt.date(2023, 3, 1),
            unit="HP",
            source_ref="k:data",
        )

    result = store.append([held(40), held(40)])
    assert (result.appended, result.positions) == (1, (head + 1, head + 1))
    assert result.duplicates == (("k:data", head + 1),)
    with pytest.raises(dvcore.ValidationError) as info:
        store.append([held(50), held(50)])  # stored with 40: both rows refused
    assert [(p.row, p.field) for p in info.value.problems] == [(1, "source_ref"), (2, "source_ref")]
    with pytest.raises(dvcore.ValidationError) as info:
        store.append(
            [
                attrs.evolve(held(40), source_ref="k:other"),
                attrs.evolve(held(41), source_ref="k:other"),
            ]
        )
    (problem,) = info.value.problems
    assert (problem.row, problem.field) == (2, "source_ref")
    assert "k:other" in problem.message
    assert "row 1 of" in problem.message
    assert store.head() == head + 1


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


def _rebuilt_rollups(store: Any, indicator: str | None = None) -> list[tuple[Any, ...]]:
    """Rebuild the projection; its rollup rows (of one indicator), in key order."""
    from dvcore.store import schema

    store.rebuild_projections()
    r = schema.rollups.c
    query = sa.select(schema.rollups).order_by(r.indicator, r.grain, r.start, r.unit, r.dims)
    if indicator is not None:
        query = query.where(r.indicator == indicator)
    with store.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]


def test_the_database_and_python_add_up_the_same_rollups(
    store: Any, demo_events: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Log-counted rollups written by the database (plain dimensions) and added up in
    Python from the database's groups are the same rows, on every backend."""
    from dvcore.store import projections

    store.append(demo_events)
    monkeypatch.setattr(projections, "_SCAN_FROM", 0)  # the scan a large type takes
    monkeypatch.setattr(projections, "_IN_SQL", frozenset({"sqlite", "postgresql"}))
    in_sql = _rebuilt_rollups(store)
    monkeypatch.setattr(projections, "_IN_SQL", frozenset())
    assert _rebuilt_rollups(store) == in_sql
    assert any(row[0] == "dialogue.count" for row in in_sql)


def _rollups(store: Any) -> list[tuple[Any, ...]]:
    """The rollup rows as the appends left them, in key order."""
    from dvcore.store import schema

    r = schema.rollups.c
    query = sa.select(schema.rollups).order_by(r.indicator, r.grain, r.start, r.unit, r.dims)
    with store.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query) if row.facts or row.value]


@pytest.mark.parametrize("in_sql", [True, False])
def test_rollups_appends_add_up_are_a_rebuilds(
    store: Any, demo_events: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, in_sql: bool
) -> None:
    """Appends add their log-counted events to the month, cut-off month and year rollups
    one by one in Python (a few) or group them in the database at their end (many): the
    same rows as a rebuild, on every backend, with dialogues retracted and corrected in a
    later append and in their own."""
    import uuid

    from dvcore.serialization import payload_json
    from dvcore.store import writer

    monkeypatch.setattr(writer, "_COUNT_IN_SQL", 0 if in_sql else 10**9)
    half = len(demo_events) // 2
    store.append(demo_events[:half])
    store.append(demo_events[half:])
    dialogues = list(store.read(types=["DialogueHeld"]))[:3]

    def dialogue(ev: Any, **data: Any) -> dict[str, Any]:
        return {
            "type": "DialogueHeld",
            "id": str(uuid.uuid4()),
            "occurred_on": ev.occurred_on.isoformat(),
            "unit": ev.unit,
            "data": {**json.loads(payload_json(ev.data)), **data},
        }

    def retracted(ev: dict[str, Any] | Any) -> dict[str, Any]:
        get = ev.get if isinstance(ev, dict) else lambda k: getattr(ev, k)
        return {
            "type": "EventRetracted",
            "occurred_on": str(get("occurred_on")),
            "unit": get("unit"),
            "data": {"event_id": str(get("id")), "reason": "trùng"},
        }

    new = [dialogue(d) for d in dialogues]
    store.append(
        [
            *new,
            retracted(new[0]),  # in its own append
            retracted(dialogues[0]),  # from an earlier one
            {
                "type": "EventCorrected",
                "occurred_on": dialogues[1].occurred_on.isoformat(),
                "unit": dialogues[1].unit,
                "data": {
                    "event_id": str(dialogues[1].id),
                    "reason": "sai",
                    "data": new[1]["data"] | {"participants": 7},
                },
            },
        ]
    )
    appended = _rollups(store)
    assert any(row[0] == "dialogue.count" and row[3] == "C" for row in appended)
    assert [row for row in _rebuilt_rollups(store) if row[5] or row[6]] == appended


@attrs.frozen(kw_only=True)
class _CallTaken(EventData):
    """A plugin's type: a call to the hotline, by channel."""

    type_name: ClassVar[str] = "CallTaken"
    channel: Literal["phone", "zalo"]


@attrs.frozen(kw_only=True)
class _VisitReceived(EventData):
    """A second plugin type that counts into the same indicator."""

    type_name: ClassVar[str] = "VisitReceived"
    channel: Literal["office", "home"]


def test_two_types_counted_into_one_indicator_add_up_in_one_pass(
    store_url: str, demo_events: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two log-counted types of one indicator: the database's one GROUP BY over the log
    (which groups by indicator, so PostgreSQL never updates a rollup twice in one
    statement) writes what Python adds up, on every backend, and a snapshot counts both."""
    from dvcore.indicators import CountEach
    from dvcore.serialization import EventTypes
    from dvcore.store import projections

    rule = CountEach("contacts.count", (("channel", "channel"),))
    contacts = Indicator(
        code="contacts.count",
        title="Contacts with citizens",
        dimensions=("channel",),
        extractors={"CallTaken": rule, "VisitReceived": rule},
    )
    types = EventTypes.core()
    types.add(_CallTaken)
    types.add(_VisitReceived)
    monkeypatch.setattr(projections, "_SCAN_FROM", 0)
    monkeypatch.setattr(projections, "_IN_SQL", frozenset({"sqlite", "postgresql"}))
    events = [
        {
            "type": kind,
            "occurred_on": f"2023-0{1 + i % 9}-1{i % 10}",
            "unit": "HP",
            "data": {"channel": channel},
        }
        for i, (kind, channel) in enumerate(
            [("CallTaken", "phone"), ("VisitReceived", "office"), ("CallTaken", "zalo")] * 7
        )
    ]
    with dvcore.open_store(store_url, event_types=types, indicators=[contacts]) as store:
        assert {"CallTaken", "VisitReceived"} <= set(store.log)
        store.append(demo_events)
        store.append(events)
        in_sql = _rebuilt_rollups(store, "contacts.count")
        assert sum(row[-1] for row in in_sql if row[3] == "Y") == 21
        assert store.snapshot("HP", "2023").value("contacts.count") == 21
        monkeypatch.setattr(projections, "_IN_SQL", frozenset())
        assert _rebuilt_rollups(store, "contacts.count") == in_sql


_ONE_MORE = {
    "type": "DialogueHeld",
    "occurred_on": "2023-05-05",
    "unit": "HP",
    "data": {"host": "chairman"},
    "source_ref": "test:one-more",
}


def _count_dialogues(data: Any) -> list[Contribution]:
    return [Contribution(indicator="test.dialogues")]


def test_a_projection_derived_by_other_rules_is_rebuilt_before_it_is_read(
    store_url: str, demo_events: list[dict[str, Any]]
) -> None:
    """A plugin that adds an extractor for dialogues makes them fact rows instead of facts
    read from the log: a store opened with it rebuilds the projection, and one opened
    without it again rebuilds it back, whoever appended in between."""
    extra = Indicator(
        code="test.dialogues",
        title="Dialogues, as a plugin counts them",
        extractors={"DialogueHeld": _count_dialogues},
    )
    with dvcore.open_store(store_url, plugins=False) as plain:
        plain.append(demo_events)
        dialogues = plain.snapshot("HP", "2023").value("dialogue.count")
    with dvcore.open_store(store_url, plugins=False, indicators=[extra]) as plugged:
        assert "DialogueHeld" not in plugged.log
        snap = plugged.snapshot("HP", "2023")
        assert snap.value("dialogue.count") == dialogues
        assert snap.value("test.dialogues") == dialogues
        plugged.append([_ONE_MORE])
    with dvcore.open_store(store_url, plugins=False) as plain:
        assert "DialogueHeld" in plain.log
        assert plain.snapshot("HP", "2023").value("dialogue.count") == dialogues + 1


def test_an_append_does_not_mark_a_stale_projection_current(
    store: Any, demo_events: list[dict[str, Any]]
) -> None:
    """After a migration (which forgets the projection's state) the fact rows may be of
    older rules: an append before any read must leave the projection to be rebuilt, not
    declare those rows current."""
    from dvcore.store import schema

    store.append(demo_events)
    window = "2023-05-01..2023-05-20"  # days, not whole months: read from the fact rows
    dialogues = store.snapshot("HP", window).value("dialogue.count") or 0
    with store.engine.begin() as conn:
        # a fact row an older dvcore wrote for a dialogue, and the migration's reset
        conn.execute(
            schema.facts.insert().values(
                position=1,
                source_position=1,
                indicator="dialogue.count",
                unit="HP",
                day=dt.date(2023, 5, 5),
                dims='{"host":"chairman"}',
                value=10**6,
            )
        )
        conn.execute(schema.projection_state.delete())
    store.append([_ONE_MORE])
    assert store.snapshot("HP", window).value("dialogue.count") == dialogues + 1
