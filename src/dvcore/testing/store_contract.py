"""The store contract: test cases every dvcore store backend must pass.

Subclass :class:`StoreContract` in a test module and provide two fixtures:

``clock``
    a callable returning a timezone-aware instant, whose ``now`` attribute the tests set
    (see :class:`SettableClock`);
``store``
    a fresh, empty :class:`dvcore.store.Store` opened with ``clock=clock``.

::

    from dvcore.testing.store_contract import StoreContract

    class TestMyBackend(StoreContract):
        pass

dvcore runs it on SQLite and PostgreSQL (``tests/test_store.py``). The cases cover the
append/read round trip of every core event type, gap-free positions and per-stream
versions, optimistic concurrency, idempotency, the store's clock, validation that needs
the store (all or nothing, every problem at once), upcasting on read, the hash chain, and
that the log is never updated or deleted. Tampering tests edit rows with plain SQL on the
store's engine: they need a SQL backend.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, Protocol

import pytest
import sqlalchemy as sa

from dvcore.errors import ConcurrencyError, DvcoreError, InputError, ValidationError
from dvcore.events import (
    CORE_EVENT_TYPES,
    CitizenReceptionReported,
    DialogueHeld,
    DialoguePlanIssued,
    DocumentIssued,
    EstablishmentChanged,
    EstablishmentRegistered,
    Event,
    EventCorrected,
    EventData,
    EventRetracted,
    FigureReported,
    IndicatorDefined,
    InspectionConducted,
    LandCertificateIssued,
    LandDossierFiled,
    LandDossierSubmitted,
    LandUseRightRecognized,
    LettersReported,
    ModelRecognized,
    ModelRegistered,
    NarrativeSubmitted,
    SocialCritiqueHeld,
    SocialSupervisionHeld,
    SubmissionReceived,
    SubmissionReviewed,
    SubmissionRows,
    SubmittedFile,
    TargetDefinition,
    TargetSetAdopted,
    TaskAssigned,
    TaskReported,
    UnitChanged,
    UnitClosed,
    UnitRegistered,
    UnitsMerged,
    Window,
)
from dvcore.store import Store
from dvcore.store import schema as dv_schema

__all__ = ["SettableClock", "StoreContract", "example_events", "unit_events"]

_D = dt.date


class SettableClock(Protocol):
    """The ``clock`` fixture: called by the store, set by the tests through ``now``."""

    now: dt.datetime

    def __call__(self) -> dt.datetime:
        """The current instant (timezone-aware)."""
        ...


def _ev(
    data: EventData, on: dt.date, unit: str, ref: str | None = None, stream: str | None = None
) -> Event:
    return Event(data=data, occurred_on=on, unit=unit, source_ref=ref, stream=stream)


def unit_events() -> list[Event]:
    """A small unit tree: city ``HP``, district ``HP.D1`` and four commune-level units."""
    day = _D(2020, 1, 1)
    return [
        _ev(
            UnitRegistered(code="HP", name="Thành phố Hải Phòng", kind="city"), day, "HP", "unit:HP"
        ),
        _ev(
            UnitRegistered(code="HP.D1", name="Huyện An Lão", kind="district", parent="HP"),
            day,
            "HP.D1",
            "unit:HP.D1",
        ),
        _ev(
            UnitRegistered(
                code="HP.D1.C1",
                name="Xã Quang Trung",
                kind="commune",
                parent="HP.D1",
                attributes={"ntm_model": True},
            ),
            day,
            "HP.D1.C1",
            "unit:HP.D1.C1",
        ),
        _ev(
            UnitRegistered(code="HP.D1.C2", name="Xã Quang Hưng", kind="commune", parent="HP.D1"),
            day,
            "HP.D1.C2",
            "unit:HP.D1.C2",
        ),
        _ev(
            UnitRegistered(
                code="HP.D1.C3", name="Thị trấn An Lão", kind="township", parent="HP.D1"
            ),
            day,
            "HP.D1.C3",
            "unit:HP.D1.C3",
        ),
        _ev(
            UnitRegistered(code="HP.D1.C4", name="Xã Tân Dân", kind="commune", parent="HP.D1"),
            day,
            "HP.D1.C4",
            "unit:HP.D1.C4",
        ),
    ]


def example_events() -> list[Event]:
    """One valid event of every core type (after :func:`unit_events`, in this order).

    The dialogue of ``HP.D1.C2`` is retracted, the district's dialogue corrected; two
    communes merge into ``HP.D1.C1`` and one closes on 2024-07-01, after every other event.
    """
    window = Window(start=_D(2023, 1, 1), end=_D(2023, 8, 31))
    dialogue = _ev(
        DialogueHeld(
            host="party_secretary",
            audience="Nhân dân xã",
            participants=120,
            issues_raised=14,
            title="Đối thoại về giải phóng mặt bằng",
        ),
        _D(2023, 3, 30),
        "HP.D1",
        "ex:dialogue",
    )
    doomed = _ev(
        DialogueHeld(host="chairman", participants=40),
        _D(2023, 4, 2),
        "HP.D1.C2",
        "ex:dialogue-doomed",
    )
    target = TargetDefinition(
        code="08-NQ/TU.2",
        title="100% người đứng đầu đối thoại",
        indicator="dialogue.units_with",
        measure="units_with",
        population="units",
        threshold=Decimal(1),
        period="2023",
    )
    return [
        *unit_events(),
        _ev(
            UnitChanged(code="HP.D1.C1", name="Xã Quang Trung (mới)"),
            _D(2021, 1, 1),
            "HP.D1",
            "ex:unit-changed",
        ),
        _ev(
            EstablishmentRegistered(id="E1", name="Chùa Hoa Linh", religion="Phật giáo"),
            _D(2021, 5, 1),
            "HP.D1.C1",
            "ex:est",
        ),
        _ev(
            EstablishmentChanged(id="E1", name="Chùa Hoa Linh Tự"),
            _D(2022, 1, 1),
            "HP.D1.C1",
            "ex:est-changed",
        ),
        dialogue,
        _ev(DialoguePlanIssued(year=2023, document="KH-12"), _D(2023, 1, 20), "HP.D1", "ex:plan"),
        _ev(
            ModelRegistered(
                model_id="M1",
                name="Dân vận khéo xây dựng NTM kiểu mẫu",
                field="ntm_model",
                year=2023,
            ),
            _D(2023, 2, 1),
            "HP.D1.C1",
            "ex:model",
        ),
        _ev(
            ModelRecognized(model_id="M1", level="district"),
            _D(2023, 6, 1),
            "HP.D1.C1",
            "ex:model-recognized",
        ),
        _ev(LandDossierFiled(establishment_id="E1"), _D(2023, 2, 10), "HP.D1.C1", "ex:land1"),
        _ev(LandDossierSubmitted(establishment_id="E1"), _D(2023, 3, 10), "HP.D1.C1", "ex:land2"),
        _ev(LandUseRightRecognized(establishment_id="E1"), _D(2023, 5, 10), "HP.D1.C1", "ex:land3"),
        _ev(
            LandCertificateIssued(establishment_id="E1", certificate_no="CS 01234"),
            _D(2023, 8, 10),
            "HP.D1.C1",
            "ex:land4",
        ),
        _ev(
            CitizenReceptionReported(
                window=window,
                visits=2746,
                cases_complaint=155,
                cases_denunciation=64,
                cases_petition=2081,
                mass_groups=158,
                mass_group_cases=152,
            ),
            _D(2023, 8, 31),
            "HP",
            "ex:reception",
        ),
        _ev(
            LettersReported(
                window=window, received=7337, eligible=5765, in_jurisdiction=466, resolved=400
            ),
            _D(2023, 8, 31),
            "HP",
            "ex:letters",
        ),
        _ev(
            InspectionConducted(kind="inspection", subject="Đảng ủy xã", topic="Dân vận"),
            _D(2023, 5, 5),
            "HP.D1",
            "ex:inspection",
        ),
        _ev(
            SocialSupervisionHeld(topic="Giám sát dân chủ ở cơ sở"),
            _D(2023, 4, 4),
            "HP",
            "ex:supervision",
        ),
        _ev(
            SocialCritiqueHeld(topic="Phản biện dự thảo nghị quyết"),
            _D(2023, 4, 5),
            "HP",
            "ex:critique",
        ),
        _ev(
            DocumentIssued(
                number="08-NQ/TU",
                kind="resolution",
                title="Nghị quyết về công tác dân vận",
                sets_targets=True,
            ),
            _D(2022, 12, 6),
            "HP",
            "ex:document",
        ),
        _ev(
            NarrativeSubmitted(
                section="II.1",
                text="Các cấp ủy quan tâm lãnh đạo công tác dân vận.\n\n"
                "- Tổ chức 12 cuộc đối thoại.",
                window=window,
            ),
            _D(2023, 8, 31),
            "HP.D1",
            "ex:narrative",
        ),
        _ev(
            IndicatorDefined(
                code="veterans.patrol_teams",
                title="Tổ tuần tra cựu chiến binh",
                aggregation="last",
                unit_label="tổ",
            ),
            _D(2023, 1, 1),
            "HP",
            "ex:indicator",
        ),
        _ev(
            FigureReported(
                indicator="veterans.patrol_teams",
                value=Decimal(1468),
                window=window,
                by={"kind": "patrol"},
            ),
            _D(2023, 8, 31),
            "HP.D1",
            "ex:figure",
        ),
        # (mypy's attrs plugin types a converter=tuple parameter as Iterable[_T_co])
        _ev(
            TargetSetAdopted(resolution="08-NQ/TU", targets=(target,)),
            _D(2022, 12, 6),
            "HP",
            "ex:targets",
        ),
        _ev(
            TaskAssigned(
                task_id="T1",
                conclusion="05-KL/TU",
                owner="HP.D1",
                due=_D(2023, 12, 31),
                text="Tổ chức đối thoại",
            ),
            _D(2023, 6, 15),
            "HP",
            "ex:task",
        ),
        _ev(
            TaskReported(task_id="T1", status="in_progress", note="Đã xây dựng kế hoạch"),
            _D(2023, 7, 15),
            "HP.D1",
            "ex:task-reported",
        ),
        doomed,
        _ev(
            EventRetracted(event_id=doomed.id, reason="Báo cáo trùng"),
            _D(2023, 4, 3),
            "HP.D1.C2",
            "ex:retracted",
        ),
        _ev(
            EventCorrected(
                event_id=dialogue.id,
                data={"host": "chairman", "participants": 150},
                reason="Sai người chủ trì",
            ),
            _D(2023, 4, 1),
            "HP.D1",
            "ex:corrected",
        ),
        _ev(
            SubmissionReceived(
                period="2023-Q1",
                window=Window(start=_D(2023, 1, 1), end=_D(2023, 3, 31)),
                version=1,
                files=(SubmittedFile(name="DialogueHeld.csv", sha256="0" * 64, channel="csv"),),
                rows=(SubmissionRows(type="DialogueHeld", keys=("HP.D1:1",)),),
                added=1,
            ),
            _D(2023, 3, 31),
            "HP.D1",
            "ex:submission",
        ),
        _ev(
            SubmissionReviewed(unit="HP.D1", period="2023-Q1", decision="accepted", version=1),
            _D(2023, 4, 5),
            "HP",
            "ex:reviewed",
        ),
        _ev(
            UnitsMerged(sources=("HP.D1.C2", "HP.D1.C3"), into="HP.D1.C1"),
            _D(2024, 7, 1),
            "HP.D1",
            "ex:merged",
        ),
        _ev(UnitClosed(code="HP.D1.C4"), _D(2024, 7, 1), "HP.D1", "ex:closed"),
    ]


def _dialogue(unit: str, on: dt.date, ref: str | None = None, **kw: Any) -> Event:
    return _ev(DialogueHeld(host=kw.pop("host", "chairman"), **kw), on, unit, ref)


def _fields(problems: Any) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.field) for p in problems]


# A statement that changes or removes rows of the log (the log only ever gains rows).
_CHANGES_LOG = re.compile(
    r"\b(UPDATE|DELETE\s+FROM|REPLACE\s+INTO|INSERT\s+OR\s+REPLACE\s+INTO|TRUNCATE(\s+TABLE)?"
    r"|DROP\s+TABLE|ALTER\s+TABLE)\s+(ONLY\s+)?([\w\"]+\.)?\"?dv_events\"?(?![\w])",
    re.IGNORECASE,
)
_INSERTS = re.compile(r"\bINSERT\s+INTO\s+([\w\"]+\.)?\"?dv_\w+", re.I)
_UPDATES_FACTS = re.compile(r"\bUPDATE\s+([\w\"]+\.)?\"?dv_facts\"?(?![\w])", re.I)


@contextmanager
def _statements(engine: sa.Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine sends to the database inside the block."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def _forbid_changes(store: Store) -> None:
    """Database triggers that make any UPDATE or DELETE of the log fail, whoever sends it."""
    with store.engine.begin() as conn:
        if store.dialect == "sqlite":
            for op in ("UPDATE", "DELETE"):
                conn.exec_driver_sql(
                    f"CREATE TRIGGER dv_events_no_{op.lower()} BEFORE {op} ON dv_events "
                    "BEGIN SELECT RAISE(ABORT, 'dv_events is append-only'); END"
                )
        elif store.dialect == "postgresql":
            conn.exec_driver_sql(
                "CREATE FUNCTION dv_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'dv_events is append-only'; END $$"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER dv_events_no_change BEFORE UPDATE OR DELETE ON dv_events "
                "FOR EACH ROW EXECUTE FUNCTION dv_events_append_only()"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER dv_events_no_truncate BEFORE TRUNCATE ON dv_events "
                "FOR EACH STATEMENT EXECUTE FUNCTION dv_events_append_only()"
            )


def _tamper(store: Store, position: int, **values: Any) -> None:
    t = dv_schema.events
    with store.engine.begin() as conn:
        conn.execute(t.update().where(t.c.position == position).values(**values))


class StoreContract:
    """Contract test cases for a store backend; see the module docstring for the fixtures."""

    # --- round trip ---------------------------------------------------------------------

    def test_examples_cover_the_catalogue(self) -> None:
        """The examples hold one event of every core type, and all of them."""
        assert {type(e.data) for e in example_events()} == set(CORE_EVENT_TYPES)

    def test_round_trip_of_every_core_type(self, store: Store, clock: SettableClock) -> None:
        """Every core event type reads back as appended, with the store's envelope."""
        events = example_events()
        result = store.append(events, actor="HP")
        n = len(events)
        assert result.appended == n
        assert result.positions == tuple(range(1, n + 1))
        assert result.duplicates == ()
        assert result.head == n == store.head()
        recorded = list(store.read())
        assert [r.position for r in recorded] == list(range(1, n + 1))
        for event, r in zip(events, recorded, strict=True):
            assert r.id == event.id
            assert r.type == event.type == type(event.data).type_name
            assert type(r.data) is type(event.data)
            assert r.data == event.data
            assert r.unit == event.unit
            assert r.occurred_on == event.occurred_on
            assert r.source_ref == event.source_ref
            assert r.stream == event.stream_name
            assert r.schema_version == type(event.data).schema_version
            assert r.actor == "HP"
            assert r.recorded_at == clock.now
            assert store.get(event.id) == r
        assert store.get(uuid.uuid4()) is None
        assert store.verify().ok

    def test_round_trip_of_json_lines_dicts(self, store: Store) -> None:
        """Dicts in the JSON Lines shape are read into the same events."""
        store.append(unit_events())
        raw = {
            "type": "LettersReported",
            "occurred_on": "2023-08-31",
            "unit": "HP",
            "data": {
                "window": ["2023-01-01", "2023-08-31"],
                "received": 7337,
                "eligible": 5765,
                "in_jurisdiction": 466,
                "resolved": 0,
            },
            "source_ref": "json:letters",
        }
        result = store.append([raw])
        (r,) = store.read(after=result.head - 1)
        assert r.data == LettersReported(
            window=Window(start=_D(2023, 1, 1), end=_D(2023, 8, 31)),
            received=7337,
            eligible=5765,
            in_jurisdiction=466,
            resolved=0,
        )
        assert r.source_ref == "json:letters"

    def test_one_at_a_time_gives_the_same_log(self, store: Store) -> None:
        """Appending the examples one by one numbers them 1..n as one batch does."""
        events = example_events()
        for i, event in enumerate(events, start=1):
            assert store.append([event]).positions == (i,)
        assert [r.id for r in store.read()] == [e.id for e in events]
        assert store.verify().ok

    # --- positions, streams, versions -----------------------------------------------------

    def test_positions_have_no_gaps_whatever_fails(self, store: Store) -> None:
        """Refused, dry-run and duplicate appends leave no hole in the positions."""
        store.append(unit_events())
        store.append([_dialogue("HP", _D(2023, 1, 5), "a")])
        with pytest.raises(ValidationError):
            store.append([_dialogue("HP", _D(2023, 1, 6)), _dialogue("NOPE", _D(2023, 1, 6))])
        store.append([_dialogue("HP", _D(2023, 1, 7))], dry_run=True)
        with pytest.raises(ConcurrencyError):
            store.append([_dialogue("HP", _D(2023, 1, 8))], expected_version=0)
        store.append([_dialogue("HP", _D(2023, 1, 5), "a")])  # a duplicate
        with pytest.raises(ValidationError):  # the same key with other content
            store.append([_dialogue("HP", _D(2023, 1, 9), "a")])
        store.append([_dialogue("HP", _D(2023, 1, 10), "b")])
        positions = [r.position for r in store.read()]
        assert positions == list(range(1, len(unit_events()) + 3))
        assert store.verify().ok

    def test_stream_versions_count_per_stream(self, store: Store) -> None:
        """Each stream numbers its own events 1, 2, 3 … in position order."""
        store.append(example_events())
        store.append(
            [_ev(DialoguePlanIssued(year=2024), _D(2024, 1, 2), "HP", None, stream="plans")]
        )
        store.append(
            [_ev(DialoguePlanIssued(year=2025), _D(2025, 1, 2), "HP.D1", None, stream="plans")]
        )
        versions: dict[str, list[int]] = {}
        for r in store.read():
            versions.setdefault(r.stream, []).append(r.version)
        assert versions["plans"] == [1, 2]
        assert versions["HP"] == list(range(1, len(versions["HP"]) + 1))
        for stream, seen in versions.items():
            assert seen == list(range(1, len(seen) + 1)), stream
        assert len(versions["HP.D1"]) > 3

    def test_expected_version(self, store: Store) -> None:
        """The right expected version appends; a stale one raises ConcurrencyError."""
        store.append(unit_events())  # stream HP is at version 1
        result = store.append([_dialogue("HP", _D(2023, 2, 1))], expected_version=1)
        assert result.appended == 1
        head = store.head()
        with pytest.raises(ConcurrencyError) as info:
            store.append([_dialogue("HP", _D(2023, 2, 2))], expected_version=1)
        assert (info.value.stream, info.value.expected, info.value.actual) == ("HP", 1, 2)
        assert store.head() == head
        assert store.append([_dialogue("HP", _D(2023, 2, 2))], expected_version=2).appended == 1
        # a new stream is at version 0
        new = _ev(DialoguePlanIssued(year=2023), _D(2023, 1, 1), "HP", stream="fresh")
        assert store.append([new], expected_version=0).appended == 1

    def test_expected_version_mapping(self, store: Store) -> None:
        """A mapping stream → version checks every stream; one conflict refuses the batch."""
        store.append(unit_events())
        batch = [_dialogue("HP", _D(2023, 2, 1)), _dialogue("HP.D1", _D(2023, 2, 1))]
        assert store.append(batch, expected_version={"HP": 1, "HP.D1": 1}).appended == 2
        head = store.head()
        again = [_dialogue("HP", _D(2023, 2, 3)), _dialogue("HP.D1", _D(2023, 2, 3))]
        with pytest.raises(ConcurrencyError) as info:
            store.append(again, expected_version={"HP": 2, "HP.D1": 1})
        assert info.value.stream == "HP.D1"
        assert store.head() == head
        # a stream the batch does not touch is checked too (a guard on another stream)
        with pytest.raises(ConcurrencyError):
            store.append(
                [_dialogue("HP", _D(2023, 2, 4))], expected_version={"HP": 2, "HP.D1.C1": 0}
            )
        assert store.head() == head
        result = store.append(
            [_dialogue("HP", _D(2023, 2, 4))], expected_version={"HP": 2, "HP.D1.C1": 1}
        )
        assert result.appended == 1

    def test_expected_version_as_one_number_needs_one_stream(self, store: Store) -> None:
        """One number for a batch over two streams is a usage error, and writes nothing."""
        store.append(unit_events())
        head = store.head()
        with pytest.raises(InputError):
            store.append(
                [_dialogue("HP", _D(2023, 2, 1)), _dialogue("HP.D1", _D(2023, 2, 1))],
                expected_version=1,
            )
        assert store.head() == head

    # --- idempotency ------------------------------------------------------------------------

    def test_source_ref_appends_once_and_reports_the_original(self, store: Store) -> None:
        """A stored key with the same content appends nothing; the result names the original
        position. The same key with other content is refused, naming the key and the event."""
        store.append(unit_events())
        first = store.append(
            [_dialogue("HP", _D(2023, 3, 1), "k:a"), _dialogue("HP.D1", _D(2023, 3, 1), "k:b")]
        )
        a, b = first.positions
        head = store.head()
        again = store.append(
            [_dialogue("HP.D1", _D(2023, 3, 1), "k:b"), _dialogue("HP", _D(2023, 3, 1), "k:a")]
        )
        assert again.appended == 0
        assert again.positions == (b, a)
        assert again.duplicates == (("k:b", b), ("k:a", a))
        assert again.recorded_at is None
        assert store.head() == head == again.head
        with pytest.raises(ValidationError) as info:
            store.append([_dialogue("HP", _D(2023, 3, 9), "k:a")])
        (problem,) = info.value.problems
        assert problem.field == "source_ref"
        assert "k:a" in problem.message
        assert str(next(store.read(after=a - 1)).id) in problem.message
        assert store.head() == head

    def test_source_ref_twice_in_one_batch(self, store: Store) -> None:
        """The second use of a key in one batch, with the same content, reports the first
        one's position; with other content it is refused."""
        store.append(unit_events())
        head = store.head()
        result = store.append(
            [
                _dialogue("HP", _D(2023, 3, 1), "k:x"),
                _dialogue("HP.D1", _D(2023, 3, 2), "k:y"),
                _dialogue("HP", _D(2023, 3, 1), "k:x"),
            ]
        )
        assert result.appended == 2
        assert result.positions == (head + 1, head + 2, head + 1)
        assert result.duplicates == (("k:x", head + 1),)
        assert store.head() == head + 2
        with pytest.raises(ValidationError) as info:
            store.append(
                [_dialogue("HP", _D(2023, 3, 4), "k:z"), _dialogue("HP", _D(2023, 3, 5), "k:z")]
            )
        assert [(p.row, p.field) for p in info.value.problems] == [(2, "source_ref")]
        assert store.head() == head + 2

    def test_same_event_id_appends_once(self, store: Store) -> None:
        """An event without a key is recognised by its id."""
        store.append(unit_events())
        event = _dialogue("HP", _D(2023, 3, 1))
        (pos,) = store.append([event]).positions
        result = store.append([event])
        assert (result.appended, result.positions) == (0, (pos,))
        assert result.duplicates == ((str(event.id), pos),)

    # --- the store's clock --------------------------------------------------------------------

    def test_recorded_at_comes_from_the_store_clock(
        self, store: Store, clock: SettableClock
    ) -> None:
        """recorded_at is the clock's instant in UTC, the same for a whole append."""
        clock.now = dt.datetime(
            2023, 9, 20, 17, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=7))
        )
        result = store.append(unit_events())
        expected = dt.datetime(2023, 9, 20, 10, 30, 15, 123456, tzinfo=dt.UTC)
        assert result.recorded_at == expected
        for r in store.read():
            assert r.recorded_at == expected
            assert r.recorded_at.utcoffset() == dt.timedelta(0)

    def test_recorded_at_is_never_the_callers(self, store: Store) -> None:
        """An input that carries recorded_at is refused, naming the field."""
        store.append(unit_events())
        head = store.head()
        raw = {
            "type": "DialogueHeld",
            "occurred_on": "2023-03-30",
            "unit": "HP",
            "data": {"host": "chairman"},
            "recorded_at": "2020-01-01T00:00:00+00:00",
        }
        with pytest.raises(ValidationError) as info:
            store.append([raw])
        assert _fields(info.value.problems) == [(1, "recorded_at")]
        assert store.head() == head

    def test_recorded_at_never_goes_backwards(self, store: Store, clock: SettableClock) -> None:
        """When the clock steps back, new events keep the last recorded_at."""
        late = clock.now
        store.append(unit_events())
        clock.now = late - dt.timedelta(days=3)
        result = store.append([_dialogue("HP", _D(2023, 3, 1))])
        assert result.recorded_at == late
        clock.now = late + dt.timedelta(seconds=1)
        store.append([_dialogue("HP", _D(2023, 3, 2))])
        stamps = [r.recorded_at for r in store.read()]
        assert stamps == sorted(stamps)
        assert stamps[-1] == late + dt.timedelta(seconds=1)
        assert store.position_at(late) == store.head() - 1

    def test_a_naive_clock_is_refused(self, store: Store, clock: SettableClock) -> None:
        """A clock without a timezone is an error, and nothing is written."""
        clock.now = dt.datetime(2023, 9, 20, 10, 0)
        with pytest.raises(DvcoreError):
            store.append(unit_events())
        assert store.head() == 0

    # --- validation that needs the store ----------------------------------------------------

    def test_unknown_unit_is_refused_and_nothing_written(self, store: Store) -> None:
        """One unknown unit refuses the whole batch, naming the row and the field."""
        store.append(unit_events())
        head = store.head()
        batch = [
            _ev(
                UnitRegistered(code="HP.D2", name="Huyện Tiên Lãng", kind="district", parent="HP"),
                _D(2020, 1, 1),
                "HP.D2",
            ),
            _dialogue("HP.D2", _D(2023, 3, 1)),
            _dialogue("HP.X9", _D(2023, 3, 1)),
        ]
        with pytest.raises(ValidationError) as info:
            store.append(batch)
        assert _fields(info.value.problems) == [(3, "unit")]
        assert "HP.X9" in info.value.problems[0].message
        assert "row 3" in str(info.value)
        assert "'unit'" in str(info.value)
        assert store.head() == head
        # the refused batch's unit was not kept, not even in memory
        with pytest.raises(ValidationError):
            store.append([_dialogue("HP.D2", _D(2023, 3, 1))])
        assert store.head() == head

    def test_every_bad_row_is_reported(self, store: Store) -> None:
        """A batch with several bad rows reports all of them, in row order."""
        store.append(unit_events())
        head = store.head()
        batch: list[Event | Mapping[str, Any]] = [
            _dialogue("HP", _D(2023, 3, 1)),
            _dialogue("NOPE", _D(2023, 3, 1)),
            {
                "type": "DialogueHeld",
                "occurred_on": "2023-02-30",
                "unit": "HP",
                "data": {"host": "chairman"},
            },
            _dialogue("HP", _D(2023, 3, 1)),
            {
                "type": "DialogueHeld",
                "occurred_on": "2023-03-01",
                "unit": "HP",
                "data": {"host": "king"},
            },
            {
                "type": "LettersReported",
                "occurred_on": "2023-03-01",
                "unit": "HP",
                "data": {"window": ["2023-03-01", "2023-01-01"], "received": 1},
            },
            {
                "type": "DialogueHeld",
                "occurred_on": "2023-03-01",
                "unit": "HP",
                "data": {"host": "chairman", "participants": -3},
            },
        ]
        with pytest.raises(ValidationError) as info:
            store.append(batch)
        rows = [p.row or 0 for p in info.value.problems]
        assert rows == sorted(rows)
        assert set(rows) == {2, 3, 5, 6, 7}
        fields = dict(_fields(info.value.problems))
        assert fields[2] == "unit"
        assert fields[3] == "occurred_on"
        assert fields[5] == "data.host"
        assert store.head() == head

    def test_event_objects_are_validated_like_dicts(self, store: Store) -> None:
        """What the store could not read back is refused on the way in, for objects too:
        a NUL in a text, a type the store does not know."""

        class Unknown(EventData):
            type_name = "NotInstalled"

        store.append(unit_events())
        head = store.head()
        batch = [
            _dialogue("HP", _D(2023, 3, 1), title="a\x00b"),
            _ev(Unknown(), _D(2023, 3, 1), "HP"),
            _dialogue("HP", _D(2023, 3, 1), "ref\x00"),
        ]
        with pytest.raises(ValidationError) as info:
            store.append(batch)
        assert _fields(info.value.problems) == [(1, "data.title"), (2, "type"), (3, "source_ref")]
        assert store.head() == head
        assert list(store.read(after=head)) == []

    def test_dry_run_writes_nothing(self, store: Store, clock: SettableClock) -> None:
        """A dry run validates and numbers, then writes nothing."""
        events = example_events()
        result = store.append(events, dry_run=True)
        assert result.dry_run
        assert result.appended == len(events)
        assert result.positions == tuple(range(1, len(events) + 1))
        assert result.head == 0 == store.head()
        assert list(store.read()) == []
        with pytest.raises(ValidationError):  # the dry run's units were not kept
            store.append([_dialogue("HP", _D(2023, 3, 1))], dry_run=True)
        assert store.append(events).positions == result.positions

    def test_dry_run_reports_problems(self, store: Store) -> None:
        """A dry run of a bad batch raises the same problems."""
        with pytest.raises(ValidationError) as info:
            store.append([_dialogue("HP", _D(2023, 3, 1))], dry_run=True)
        assert _fields(info.value.problems) == [(1, "unit")]

    def test_unit_registered_earlier_in_the_batch(self, store: Store) -> None:
        """A unit registered earlier in the same batch is known; one registered later
        is not."""
        assert store.append([*unit_events(), _dialogue("HP.D1.C1", _D(2023, 3, 1))]).appended
        head = store.head()
        late = [
            _dialogue("HP.D3", _D(2023, 3, 1)),
            _ev(
                UnitRegistered(code="HP.D3", name="Huyện Vĩnh Bảo", kind="district", parent="HP"),
                _D(2020, 1, 1),
                "HP.D3",
            ),
        ]
        with pytest.raises(ValidationError) as info:
            store.append(late)
        assert _fields(info.value.problems) == [(1, "unit")]
        assert store.head() == head

    def test_event_before_its_unit_was_registered(self, store: Store) -> None:
        """A fact dated before its unit existed is refused."""
        store.append(unit_events())
        with pytest.raises(ValidationError) as info:
            store.append([_dialogue("HP", _D(2019, 12, 31))])
        assert _fields(info.value.problems) == [(1, "unit")]

    def test_event_after_its_unit_was_merged_or_closed(self, store: Store) -> None:
        """Facts of a merged or closed unit are refused from the day it ended."""
        store.append(example_events())  # C2, C3 merged into C1, C4 closed on 2024-07-01
        head = store.head()
        ok = store.append(
            [_dialogue("HP.D1.C2", _D(2024, 6, 30)), _dialogue("HP.D1.C4", _D(2024, 6, 30))]
        )
        assert ok.appended == 2
        with pytest.raises(ValidationError) as info:
            store.append(
                [
                    _dialogue("HP.D1.C2", _D(2024, 7, 1)),
                    _dialogue("HP.D1.C3", _D(2024, 8, 1)),
                    _dialogue("HP.D1.C4", _D(2024, 7, 2)),
                    _dialogue("HP.D1.C1", _D(2024, 7, 2)),
                ]
            )
        problems = info.value.problems
        assert _fields(problems) == [(1, "unit"), (2, "unit"), (3, "unit")]
        assert "merged" in problems[0].message
        assert "HP.D1.C1" in problems[0].message
        assert "closed" in problems[2].message
        assert store.head() == head + 2

    def test_correction_with_data_invalid_for_the_target(self, store: Store) -> None:
        """A correction is validated against the corrected event's type."""
        store.append(unit_events())
        target = _dialogue("HP", _D(2023, 3, 1))
        store.append([target])
        head = store.head()
        bad = [
            _ev(
                EventCorrected(event_id=target.id, data={"host": "king"}, reason="x"),
                _D(2023, 3, 2),
                "HP",
            ),
            _ev(
                EventCorrected(
                    event_id=target.id, data={"host": "chairman", "participants": "5"}, reason="x"
                ),
                _D(2023, 3, 2),
                "HP",
            ),
            _ev(
                EventCorrected(
                    event_id=target.id, data={"host": "chairman", "seats": 5}, reason="x"
                ),
                _D(2023, 3, 2),
                "HP",
            ),
        ]
        with pytest.raises(ValidationError) as info:
            store.append(bad)
        assert _fields(info.value.problems) == [
            (1, "data.data.host"),
            (2, "data.data.participants"),
            (3, "data.data.seats"),
        ]
        assert store.head() == head

    def test_corrections_name_an_original_of_their_unit(self, store: Store) -> None:
        """A correction must name a stored event, not a correction, for the same unit."""
        store.append(unit_events())
        target = _dialogue("HP", _D(2023, 3, 1))
        retraction = _ev(EventRetracted(event_id=target.id, reason="trùng"), _D(2023, 3, 2), "HP")
        store.append([target, retraction])
        head = store.head()
        bad = [
            _ev(EventRetracted(event_id=uuid.uuid4(), reason="x"), _D(2023, 3, 2), "HP"),
            _ev(EventRetracted(event_id=retraction.id, reason="x"), _D(2023, 3, 2), "HP"),
            _ev(EventRetracted(event_id=target.id, reason="x"), _D(2023, 3, 2), "HP.D1"),
        ]
        with pytest.raises(ValidationError) as info:
            store.append(bad)
        assert _fields(info.value.problems) == [
            (1, "data.event_id"),
            (2, "data.event_id"),
            (3, "unit"),
        ]
        assert store.head() == head

    def test_corrections_change_the_figures(self, store: Store) -> None:
        """A retraction stops an event counting; a correction counts the new data."""
        store.append(example_events())
        snap = store.snapshot("HP", "2023")
        # the district's dialogue (corrected) counts; the commune's (retracted) does not
        assert snap.value("dialogue.count") == 1
        assert snap.by("dialogue.count", "host") == {"chairman": 1}

    # --- reading ----------------------------------------------------------------------------

    def test_read_after_upto_and_types(self, store: Store) -> None:
        """read() tails by position and filters by type."""
        store.append(example_events())
        head = store.head()
        assert [r.position for r in store.read(after=head - 2)] == [head - 1, head]
        assert list(store.read(after=head)) == []
        assert [r.position for r in store.read(after=2, upto=4)] == [3, 4]
        dialogues = list(store.read(types=["DialogueHeld"]))
        assert [type(r.data) for r in dialogues] == [DialogueHeld, DialogueHeld]
        assert [r.position for r in store.read(batch_size=3)] == list(range(1, head + 1))

    def test_stored_v1_dialogue_reads_as_v2(self, store: Store, clock: SettableClock) -> None:
        """A DialogueHeld stored at schema version 1 is upcast on read (upcast_v1_v2)."""
        from dvcore.store.chain import _row_hash

        store.append(unit_events())
        t = dv_schema.events
        with store.engine.begin() as conn:
            head, prev = conn.execute(
                sa.select(t.c.position, t.c.hash).order_by(t.c.position.desc()).limit(1)
            ).one()
            row: dict[str, Any] = {
                "position": head + 1,
                "event_id": str(uuid.uuid4()),
                "stream": "HP.D1",
                "version": 2,
                "source_ref": "v1:dialogue",
                "type": "DialogueHeld",
                "schema_version": 1,
                "occurred_on": _D(2021, 5, 4),
                "unit": "HP.D1",
                "recorded_at": clock.now.astimezone(dt.UTC),
                "actor": None,
                "payload": {"chair": "bi_thu", "participants": 80, "title": "Đối thoại"},
            }
            row["hash"] = _row_hash(prev, row)
            conn.execute(t.insert().values(**row))
        (r,) = store.read(after=head)
        assert r.data == DialogueHeld(host="party_secretary", participants=80, title="Đối thoại")
        assert type(r.data).schema_version == 2
        assert r.schema_version == 1  # the row as stored: never rewritten
        assert store.verify().ok
        snap = store.snapshot("HP", "2021")
        assert snap.by("dialogue.count", "host") == {"party_secretary": 1}

    # --- the log is append-only ----------------------------------------------------------------

    def test_the_log_is_never_updated_or_deleted(self, store: Store, clock: SettableClock) -> None:
        """A full workload sends no UPDATE or DELETE to dv_events (triggers also refuse any)."""
        _forbid_changes(store)
        with _statements(store.engine) as seen:
            store.append(example_events(), actor="HP")
            clock.now += dt.timedelta(hours=1)
            more = [
                _dialogue("HP.D1.C1", _D(2023, 9, 1), "w:1"),
                _dialogue("HP.D1.C1", _D(2023, 9, 2), "w:2"),
            ]
            store.append(more)
            original = next(iter(store.read(types=["ModelRegistered"])))
            store.append(
                [
                    _ev(
                        EventCorrected(
                            event_id=original.id,
                            data={
                                "model_id": "M1",
                                "name": "Mô hình",
                                "field": "urban",
                                "year": 2023,
                            },
                            reason="Sai lĩnh vực",
                        ),
                        _D(2023, 9, 3),
                        "HP.D1.C1",
                    ),
                    _ev(
                        EventRetracted(event_id=more[0].id, reason="trùng"),
                        _D(2023, 9, 3),
                        "HP.D1.C1",
                    ),
                ]
            )
            store.append(more)  # duplicates
            with pytest.raises(ValidationError):
                store.append([_dialogue("NOPE", _D(2023, 9, 4))])
            store.append([_dialogue("HP", _D(2023, 9, 4))], dry_run=True)
            with pytest.raises(ConcurrencyError):
                store.append([_dialogue("HP", _D(2023, 9, 4))], expected_version=0)
            before = store.snapshot("HP", "2023-9M")
            store.snapshot("HP", "2023", as_known_at=clock.now - dt.timedelta(minutes=30))
            store.explain("HP", "2023", "dialogue.count")
            store.targets("HP", "2023-12-31")
            store.rebuild_projections()
            after = store.snapshot("HP", "2023-9M")
            report = store.verify()
            events = list(store.read())
        assert report.ok
        assert report.checked == len(events) == store.head()
        assert before.to_dict() == after.to_dict()
        assert after.by("model.registered", "field") == {"urban": 1}
        changes = [s for s in seen if _CHANGES_LOG.search(s)]
        assert changes == []
        # the listener saw the store's writes: rows inserted, the projection updated (on
        # PostgreSQL the log's rows go through COPY, which no statement event shows)
        assert any(_INSERTS.search(s) for s in seen)
        assert any(_UPDATES_FACTS.search(s) for s in seen)

    def test_the_guard_sees_a_change(self, store: Store) -> None:
        """The statement pattern of the append-only test matches real changes."""
        store.append(unit_events())
        t = dv_schema.events
        with _statements(store.engine) as seen, store.engine.begin() as conn:
            conn.execute(t.update().where(t.c.position == 1).values(actor="x"))
            conn.execute(t.delete().where(t.c.position == 2))
        assert len([s for s in seen if _CHANGES_LOG.search(s)]) == 2

    # --- the hash chain -------------------------------------------------------------------------

    def test_verify_passes_on_an_untouched_log(self, store: Store) -> None:
        """An untouched log verifies, and so does an empty one."""
        empty = store.verify()
        assert empty.ok
        assert empty.checked == 0
        store.append(example_events())
        store.append([_dialogue("HP", _D(2023, 3, 1))])
        report = store.verify()
        assert report.ok
        assert report.checked == store.head()
        assert report.first_bad is None
        assert store.verify_or_raise().ok

    @pytest.mark.parametrize(
        ("column", "value"),
        [
            ("payload", {"host": "party_secretary", "participants": 1200}),
            ("occurred_on", _D(2023, 3, 31)),
            ("unit", "HP.D1.C1"),
            ("recorded_at", dt.datetime(2023, 9, 19, tzinfo=dt.UTC)),
            ("actor", "HP.D1"),
            ("source_ref", "forged"),
            ("type", "SocialSupervisionHeld"),
        ],
    )
    def test_verify_detects_an_edited_row(self, store: Store, column: str, value: Any) -> None:
        """Editing any column of one stored row is detected at that row."""
        events = example_events()
        store.append(events)
        position = next(i for i, e in enumerate(events, start=1) if e.source_ref == "ex:dialogue")
        if column == "type":  # a payload the other type reads, so only the hash can tell
            _tamper(store, position, type=value, payload={"topic": None})
        else:
            _tamper(store, position, **{column: value})
        report = store.verify()
        assert not report.ok
        assert report.first_bad == position
        assert report.checked == position - 1
        assert str(position) in (report.reason or "")
        with pytest.raises(DvcoreError) as info:
            store.verify_or_raise()
        assert info.value.context["position"] == position

    def test_verify_detects_a_rehashed_edit_at_the_next_row(self, store: Store) -> None:
        """An edit that recomputes its own row's hash breaks the chain at the next row."""
        from dvcore.store.chain import _row_hash

        store.append(example_events())
        t = dv_schema.events
        with store.engine.begin() as conn:
            prev = conn.execute(sa.select(t.c.hash).where(t.c.position == 7)).scalar_one()
            row = dict(conn.execute(sa.select(t).where(t.c.position == 8)).one()._mapping)
        row["payload"] = {**row["payload"], "name": "Chùa giả"}
        _tamper(store, 8, payload=row["payload"], hash=_row_hash(prev, row))
        report = store.verify()
        assert (report.ok, report.first_bad) == (False, 9)

    def test_verify_detects_a_deleted_row(self, store: Store) -> None:
        """A row removed from the middle of the log leaves a gap that verify names."""
        store.append(example_events())
        t = dv_schema.events
        with store.engine.begin() as conn:
            conn.execute(t.delete().where(t.c.position == 5))
        report = store.verify()
        assert not report.ok
        assert report.first_bad == 5
        assert "missing" in (report.reason or "")
