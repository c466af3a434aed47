"""Issue 12: a re-sent report replaces what it corrects.

A unit's submission for a period, sent again, records exactly the difference for the
forms its files carry — rows gone retracted, rows changed under the same clerk key
corrected, new rows added, identical rows left alone — and a file merely re-saved
appends nothing. Run on every backend (the ``store`` fixture); the stateful Hypothesis
test at the end runs on SQLite, a fresh store per example.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
)

from dvcore import open_store
from dvcore._builtin.csv_channel import CsvChannel
from dvcore.errors import InputError, ValidationError
from dvcore.events import EventCorrected, EventRetracted
from dvcore.importing import import_files
from dvcore.store.submissions import review_submission

CHANNELS = {"csv": CsvChannel()}
DIALOGUE_HEADER = ("occurred_on", "unit", "source_ref", "host", "participants")
RECEPTION_HEADER = (
    "occurred_on",
    "unit",
    "window_from",
    "window_to",
    "visits",
    "cases_complaint",
    "cases_denunciation",
    "cases_petition",
)
CITY, DISTRICT, C1, C2 = "HP", "HP.D", "HP.D.01", "HP.D.02"
#: A small tree: a city, one district, two communes.
TREE = (
    (CITY, None, "city"),
    (DISTRICT, CITY, "district"),
    (C1, DISTRICT, "commune"),
    (C2, DISTRICT, "commune"),
)

Row = tuple[str, ...]


def unit_events() -> list[dict[str, Any]]:
    return [
        {
            "type": "UnitRegistered",
            "occurred_on": "2020-01-01",
            "unit": parent or code,
            "data": {
                "code": code,
                "name": f"Đơn vị {code}",
                "kind": kind,
                "parent": parent,
                "attributes": {},
            },
            "source_ref": f"tree:{code}",
        }
        for code, parent, kind in TREE
    ]


def at(clock: Any, instant: str) -> dt.datetime:
    """Set the store's clock to an ISO instant (Vietnam's time when none is given)."""
    when = dt.datetime.fromisoformat(instant)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone(dt.timedelta(hours=7)))
    clock.now = when.astimezone(dt.UTC)
    return clock.now


def write_table(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    bom: bool = False,
    sep: str = ",",
    crlf: bool = False,
    order: Sequence[int] | None = None,
) -> Path:
    """A clerk's CSV file: optionally with a BOM, semicolons, CRLF and rows reordered."""
    path.parent.mkdir(parents=True, exist_ok=True)
    end = "\r\n" if crlf else "\n"
    ordered = [rows[i] for i in order] if order is not None else list(rows)
    text = sep.join(header) + end + "".join(sep.join(r) + end for r in ordered)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def dialogues(path: Path, rows: Sequence[Row], **style: Any) -> Path:
    """``rows`` as (occurred_on, unit, source_ref, host, participants)."""
    return write_table(path, DIALOGUE_HEADER, rows, **style)


def submit(store: Any, paths: Sequence[Path], unit: str, period: str, **kw: Any) -> Any:
    return import_files(store, list(paths), CHANNELS, unit=unit, period=period, **kw)


def counts(diff: Any) -> tuple[int, int, int, int]:
    """(unchanged, corrected, retracted, added), as the command line prints them."""
    return (
        len(diff.unchanged) + len(diff.stored),
        len(diff.corrected),
        len(diff.retracted),
        len(diff.added),
    )


def figure(store: Any, unit: str, period: str, **kw: Any) -> dict[str, Any]:
    return store.snapshot(unit=unit, period=period, **kw).to_dict()["indicators"]["dialogue.count"]


def live_dialogues(
    store: Any, unit: str, period: str, as_known_at: str | None = None
) -> Counter[tuple[Any, ...]]:
    """The dialogue facts that count for ``unit`` itself over ``period``, (day, unit, host,
    participants) as a multiset: replayed from the log (originals, corrections,
    retractions), independently of the projections — the count must agree."""
    per = store.period(period)
    until = None if as_known_at is None else dt.datetime.fromisoformat(as_known_at)
    facts: dict[Any, tuple[Any, ...] | None] = {}
    for e in store.read(after=0):
        if until is not None and e.recorded_at > until:
            break
        if e.type == "DialogueHeld":
            facts[e.id] = (e.occurred_on, e.unit, e.data.host, e.data.participants)
        elif e.type == EventCorrected.type_name and facts.get(e.data.event_id) is not None:
            day, owner, _host, _p = facts[e.data.event_id]  # type: ignore[misc]
            facts[e.data.event_id] = (day, owner, e.data.data["host"], e.data.data["participants"])
        elif e.type == EventRetracted.type_name and e.data.event_id in facts:
            facts[e.data.event_id] = None
    live = Counter(
        (f[0].isoformat(), f[1], f[2], f[3])
        for f in facts.values()
        if f is not None and f[1] == unit and per.start <= f[0] <= per.end
    )
    value = store.snapshot(unit=unit, period=period, as_known_at=as_known_at).value(
        "dialogue.count"
    )
    assert value == sum(live.values())
    return live


def explained(
    store: Any, unit: str, period: str, **kw: Any
) -> tuple[Any, Counter[tuple[Any, ...]]]:
    """``explain``'s value and the facts its entries list (a correction by its data)."""
    found = store.explain(unit=unit, period=period, indicator="dialogue.count", **kw)
    facts: Counter[tuple[Any, ...]] = Counter()
    for e in found.events:
        data = e.data.data if e.type == EventCorrected.type_name else attrs.asdict(e.data)
        facts[(e.occurred_on.isoformat(), e.unit, data["host"], data["participants"])] += 1
    return found, facts


def as_facts(rows: Sequence[Row]) -> Counter[tuple[Any, ...]]:
    return Counter((d, u, host, int(p) if p else None) for d, u, _ref, host, p in rows)


def events_of(store: Any, type_name: str) -> list[Any]:
    return [e for e in store.read(after=0) if e.type == type_name]


@pytest.fixture
def tree(store: Any, clock: Any) -> None:
    """The store holds the small tree, recorded on 2/1/2023."""
    at(clock, "2023-01-02T09:00")
    store.append(unit_events(), actor=CITY)


# --- the clerk's story, rows without source_ref ------------------------------------------------

V1: list[Row] = [
    ("2023-07-03", C1, "", "chairman", "10"),
    ("2023-07-03", C1, "", "chairman", "10"),  # the same dialogue twice: two dialogues
    ("2023-08-01", C1, "", "party_secretary", "20"),
    ("2023-08-15", C1, "", "other", "5"),
    ("2023-09-01", C1, "", "chairman", "7"),
]
#: v1 with the second 3/7 dialogue deleted, 15/8 changed (host), 10/9 added
V2: list[Row] = [
    ("2023-07-03", C1, "", "chairman", "10"),
    ("2023-08-01", C1, "", "party_secretary", "20"),
    ("2023-08-15", C1, "", "standing_committee", "5"),
    ("2023-09-01", C1, "", "chairman", "7"),
    ("2023-09-10", C1, "", "other", "30"),
]


def test_the_clerks_story_without_source_ref(
    tree: None, store: Any, clock: Any, tmp_path: Path
) -> None:
    at(clock, "2023-10-02T09:00")
    first = submit(store, [dialogues(tmp_path / "v1" / "DialogueHeld.csv", V1)], C1, "2023-Q3")
    diff = first.submission
    assert (diff.version, diff.previous) == (1, None)
    assert counts(diff) == (0, 0, 0, 5)
    assert len(set(diff.added)) == 5  # two identical rows: two keys
    v1_figure = figure(store, C1, "2023-Q3")
    assert v1_figure["value"] == 5
    assert v1_figure["by"]["host"] == {"chairman": 3, "party_secretary": 1, "other": 1}

    # Between v1 and v2: the report the district printed that day.
    between = "2023-10-03T09:00:00+07:00"
    at(clock, between)
    printed = json.dumps(store.snapshot(unit=C1, period="2023-Q3", as_known_at=between).to_dict())
    printed_district = json.dumps(
        store.snapshot(unit=DISTRICT, period="2023-Q3", as_known_at=between).to_dict()
    )

    at(clock, "2023-10-05T09:00")
    head = store.head()
    second = submit(store, [dialogues(tmp_path / "v2" / "DialogueHeld.csv", V2)], C1, "2023-Q3")
    diff = second.submission
    assert (diff.version, diff.previous) == (2, 1)
    # 3/7 (the second), 15/8 (its old content) retracted; 15/8 (new) and 10/9 added
    assert counts(diff) == (3, 0, 2, 2)
    assert second.appended == 2 + 2 + 1  # retractions, rows, the version itself
    assert store.head() == head + 5
    now = figure(store, C1, "2023-Q3")
    assert now["value"] == 5
    assert now["by"]["host"] == {
        "chairman": 2,
        "party_secretary": 1,
        "standing_committee": 1,
        "other": 1,
    }
    assert live_dialogues(store, C1, "2023-Q3") == as_facts(V2)
    # explain lists exactly the current facts, for the commune and the district above it
    for unit in (C1, DISTRICT):
        found, facts = explained(store, unit, "2023-Q3")
        assert (found.value, facts) == (5, as_facts(V2))
    assert store.snapshot(unit=DISTRICT, period="2023-Q3").value("dialogue.count") == 5

    # v1 re-saved by another program: BOM, semicolons, CRLF, rows in another order.
    at(clock, "2023-10-06T09:00")
    head = store.head()
    resaved_v2 = dialogues(
        tmp_path / "v2b" / "DialogueHeld.csv",
        V2,
        bom=True,
        sep=";",
        crlf=True,
        order=[4, 2, 0, 3, 1],
    )
    again = submit(store, [resaved_v2], C1, "2023-Q3")
    assert again.appended == 0
    assert store.head() == head
    assert counts(again.submission) == (5, 0, 0, 0)
    assert again.submission.version == 2  # no new version
    assert len(store.state().submission_versions(C1, "2023-Q3")) == 2

    # As known between v1 and v2: v1's figures, byte for byte the report printed then.
    assert figure(store, C1, "2023-Q3", as_known_at=between) == v1_figure
    assert (
        json.dumps(store.snapshot(unit=C1, period="2023-Q3", as_known_at=between).to_dict())
        == printed
    )
    assert (
        json.dumps(store.snapshot(unit=DISTRICT, period="2023-Q3", as_known_at=between).to_dict())
        == printed_district
    )
    assert live_dialogues(store, C1, "2023-Q3", as_known_at=between) == as_facts(V1)
    assert store.verify().ok


def test_a_resaved_first_version_appends_nothing(
    tree: None, store: Any, clock: Any, tmp_path: Path
) -> None:
    at(clock, "2023-10-02T09:00")
    submit(store, [dialogues(tmp_path / "a" / "DialogueHeld.csv", V1)], C1, "2023-Q3")
    head = store.head()
    at(clock, "2023-10-03T09:00")
    resaved = dialogues(
        tmp_path / "b" / "DialogueHeld-q3.csv",
        V1,
        bom=True,
        sep=";",
        crlf=True,
        order=[3, 1, 4, 0, 2],
    )
    result = submit(store, [resaved], C1, "2023-Q3")
    assert (result.appended, store.head()) == (0, head)
    assert counts(result.submission) == (5, 0, 0, 0)
    assert figure(store, C1, "2023-Q3")["value"] == 5
    # a dry run says the same and writes nothing
    dry = submit(store, [resaved], C1, "2023-Q3", dry_run=True)
    assert (counts(dry.submission), store.head()) == ((5, 0, 0, 0), head)


# --- the same with the clerk's source_ref --------------------------------------------------------

R1: list[Row] = [
    ("2023-07-03", C1, "1", "chairman", "10"),
    ("2023-07-20", C1, "2", "chairman", "10"),
    ("2023-08-01", C1, "3", "party_secretary", "20"),
    ("2023-08-15", C1, "4", "other", "5"),
    ("2023-09-01", C1, "5", "chairman", "7"),
]
#: ref 3 changed (host, participants), ref 4 deleted, ref 5 moved to another day, ref 6 new
R2: list[Row] = [
    ("2023-07-03", C1, "1", "chairman", "10"),
    ("2023-07-20", C1, "2", "chairman", "10"),
    ("2023-08-01", C1, "3", "standing_committee", "25"),
    ("2023-09-02", C1, "5", "chairman", "7"),
    ("2023-09-10", C1, "6", "other", "30"),
]


def test_the_clerks_story_with_source_ref(
    tree: None, store: Any, clock: Any, tmp_path: Path
) -> None:
    at(clock, "2023-10-02T09:00")
    first = submit(store, [dialogues(tmp_path / "v1" / "DialogueHeld.csv", R1)], C1, "2023-Q3")
    assert counts(first.submission) == (0, 0, 0, 5)
    assert set(first.submission.added) == {f"{C1}/{n}" for n in "12345"}
    originals = {e.source_ref: e for e in store.read(after=0) if e.type == "DialogueHeld"}
    between = "2023-10-03T09:00:00+07:00"
    at(clock, between)
    printed = json.dumps(store.snapshot(unit=C1, period="2023-Q3", as_known_at=between).to_dict())

    at(clock, "2023-10-05T09:00")
    second = submit(store, [dialogues(tmp_path / "v2" / "DialogueHeld.csv", R2)], C1, "2023-Q3")
    diff = second.submission
    assert set(diff.unchanged) == {f"{C1}/1", f"{C1}/2"}
    assert set(diff.retracted) == {f"{C1}/4"}
    assert set(diff.added) == {f"{C1}/6"}
    assert f"{C1}/3" in diff.corrected
    # the moved row is one of the changed ones, counted once
    keys = [*diff.unchanged, *diff.corrected, *diff.retracted, *diff.added, *diff.stored]
    assert sorted(keys) == sorted(set(keys))
    assert f"{C1}/5" in keys

    # ref 3: corrected in place (same event, EventCorrected naming it)
    corrections = events_of(store, EventCorrected.type_name)
    assert [c.data.event_id for c in corrections] == [originals[f"{C1}/3"].id]
    assert corrections[0].data.data["host"] == "standing_committee"
    assert corrections[0].data.data["participants"] == 25
    # ref 4 retracted, ref 5 (new date) retracted and added again under a new generation
    retracted = {r.data.event_id for r in events_of(store, EventRetracted.type_name)}
    assert retracted == {originals[f"{C1}/4"].id, originals[f"{C1}/5"].id}
    added = [
        e for e in store.read(after=0) if e.type == "DialogueHeld" and e.source_ref not in originals
    ]
    assert sorted((e.occurred_on.isoformat(), e.data.participants) for e in added) == [
        ("2023-09-02", 7),
        ("2023-09-10", 30),
    ]
    assert all(e.source_ref.startswith(f"{C1}/") for e in added)

    assert live_dialogues(store, C1, "2023-Q3") == as_facts(R2)
    assert figure(store, C1, "2023-Q3")["by"]["host"] == {
        "chairman": 3,
        "standing_committee": 1,
        "other": 1,
    }
    assert (
        json.dumps(store.snapshot(unit=C1, period="2023-Q3", as_known_at=between).to_dict())
        == printed
    )
    assert live_dialogues(store, C1, "2023-Q3", as_known_at=between) == as_facts(R1)

    # re-saved v2 appends nothing
    at(clock, "2023-10-06T09:00")
    head = store.head()
    again = submit(
        store,
        [
            dialogues(
                tmp_path / "v2b" / "DialogueHeld.csv",
                R2,
                bom=True,
                sep=";",
                crlf=True,
                order=[4, 3, 2, 1, 0],
            )
        ],
        C1,
        "2023-Q3",
    )
    assert (again.appended, store.head(), counts(again.submission)) == (0, head, (5, 0, 0, 0))
    # and going back to v1 restores v1's facts (ref 4 counts again)
    at(clock, "2023-10-07T09:00")
    back = submit(store, [dialogues(tmp_path / "v3" / "DialogueHeld.csv", R1)], C1, "2023-Q3")
    assert back.submission.version == 3
    assert live_dialogues(store, C1, "2023-Q3") == as_facts(R1)
    assert store.verify().ok


def test_a_keyed_row_moved_to_another_unit_stops_counting_there(
    tree: None, store: Any, clock: Any, tmp_path: Path
) -> None:
    """The district's file: its ref 1 was the first commune's dialogue, is the second's."""
    at(clock, "2023-10-02T09:00")
    for n, unit in enumerate((C1, C2, C1)):
        clock.advance(days=1)
        rows = [("2023-07-01", unit, "1", "chairman", "10")]
        diff = submit(
            store, [dialogues(tmp_path / str(n) / "DialogueHeld.csv", rows)], DISTRICT, "2023-Q3"
        ).submission
        assert diff.version == n + 1
        assert live_dialogues(store, unit, "2023-Q3") == as_facts(rows)
        other = C2 if unit == C1 else C1
        assert live_dialogues(store, other, "2023-Q3") == Counter()
        assert store.snapshot(unit=DISTRICT, period="2023-Q3").value("dialogue.count") == 1
    assert len(events_of(store, EventRetracted.type_name)) == 2
    assert store.verify().ok


def test_explain_lists_a_corrected_fact_once(
    tree: None, store: Any, clock: Any, tmp_path: Path
) -> None:
    at(clock, "2023-10-02T09:00")
    submit(store, [dialogues(tmp_path / "v1" / "DialogueHeld.csv", R1)], C1, "2023-Q3")
    at(clock, "2023-10-05T09:00")
    submit(store, [dialogues(tmp_path / "v2" / "DialogueHeld.csv", R2)], C1, "2023-Q3")
    found, facts = explained(store, C1, "2023-Q3")
    assert (found.value, facts) == (5, as_facts(R2))
    entries = found.to_dict()["events"]
    assert len(entries) == 5
    (corrected,) = [e for e in entries if e["occurred_on"] == "2023-08-01"]
    assert corrected["type"] == EventCorrected.type_name
    assert [link["type"] for link in corrected["chain"]] == ["DialogueHeld", "EventCorrected"]


def test_two_communes_with_the_same_refs_are_both_counted(
    tree: None, store: Any, clock: Any, tmp_path: Path
) -> None:
    at(clock, "2023-10-02T09:00")
    for commune in (C1, C2):
        rows = [(f"2023-07-0{n}", commune, str(n), "chairman", "10") for n in (1, 2, 3)]
        result = submit(
            store, [dialogues(tmp_path / commune / "DialogueHeld.csv", rows)], commune, "2023-Q3"
        )
        assert counts(result.submission) == (0, 0, 0, 3)
        assert set(result.submission.added) == {f"{commune}/{n}" for n in (1, 2, 3)}
    assert store.snapshot(unit=DISTRICT, period="2023-Q3").value("dialogue.count") == 6
    assert store.snapshot(unit=C1, period="2023-Q3").value("dialogue.count") == 3
    assert store.snapshot(unit=C2, period="2023-Q3").value("dialogue.count") == 3


def test_one_fact_sent_by_two_units_without_refs_counts_once(
    tree: None, store: Any, clock: Any, tmp_path: Path
) -> None:
    """The district's dialogue in two communes' files: a row's key is its meaning (its unit
    included), so the same fact sent twice is one fact; each commune's version lists it."""
    at(clock, "2023-10-02T09:00")
    row = [("2023-07-01", DISTRICT, "", "chairman", "10")]
    diffs = [
        submit(store, [dialogues(tmp_path / c / "DialogueHeld.csv", row)], c, "2023-Q3").submission
        for c in (C1, C2)
    ]
    assert [counts(d) for d in diffs] == [(0, 0, 0, 1), (1, 0, 0, 0)]
    assert store.snapshot(unit=DISTRICT, period="2023-Q3").value("dialogue.count") == 1
    for commune in (C1, C2):
        ((_pos, version),) = store.state().submission_versions(commune, "2023-Q3")
        assert [len(r.keys) for r in version.rows] == [1]


def test_a_submission_declared_by_its_actor_keys_refs_in_the_actors_name(
    tree: None, store: Any, clock: Any, tmp_path: Path
) -> None:
    at(clock, "2023-10-02T09:00")
    mine = [("2023-07-01", C1, "9", "chairman", "10")]
    submit(store, [dialogues(tmp_path / "c1" / "DialogueHeld.csv", mine)], C1, "2023-Q3")
    # the district's file, a row of the commune under the district's own ref "9"
    theirs = [("2023-07-05", C1, "9", "other", "3")]
    path = dialogues(tmp_path / "d" / "DialogueHeld.csv", theirs)
    first = import_files(store, [path], CHANNELS, actor=DISTRICT, period="2023-Q3")
    assert first.submission.unit == DISTRICT
    assert first.submission.added == (f"{DISTRICT}/9",)
    assert store.snapshot(unit=C1, period="2023-Q3").value("dialogue.count") == 2
    # the same submission, declared with --unit: the same keys, nothing to record
    again = import_files(store, [path], CHANNELS, unit=DISTRICT, actor=DISTRICT, period="2023-Q3")
    assert counts(again.submission) == (1, 0, 0, 0)


# --- a key held with other content ----------------------------------------------------------------


def test_a_key_with_other_content_outside_a_resend_is_refused(
    tree: None, store: Any, clock: Any, tmp_path: Path
) -> None:
    at(clock, "2023-10-02T09:00")
    submit(store, [dialogues(tmp_path / "q3" / "DialogueHeld.csv", R1)], C1, "2023-Q3")
    head = store.head()
    before = json.dumps(store.snapshot(unit=CITY, period="2023").to_dict())
    other = [("2023-08-01", C1, "3", "chairman", "99")]
    attempts = [
        # another period's submission by the same unit
        lambda: submit(
            store, [dialogues(tmp_path / "9m" / "DialogueHeld.csv", other)], C1, "2023-9M"
        ),
        # a plain import in the unit's name (no period: no submission)
        lambda: import_files(
            store, [dialogues(tmp_path / "plain" / "DialogueHeld.csv", other)], CHANNELS, unit=C1
        ),
        lambda: import_files(
            store, [dialogues(tmp_path / "act" / "DialogueHeld.csv", other)], CHANNELS, actor=C1
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as caught:
            attempt()
        (problem,) = caught.value.problems
        assert problem.field == "source_ref"
        assert "'3'" in problem.message
        assert problem.row == 2
        assert problem.source.endswith("DialogueHeld.csv")
        assert store.head() == head
    assert json.dumps(store.snapshot(unit=CITY, period="2023").to_dict()) == before
    assert store.verify().ok


def test_one_key_for_two_rows_of_a_file_is_refused(
    tree: None, store: Any, clock: Any, tmp_path: Path
) -> None:
    at(clock, "2023-10-02T09:00")
    rows = [("2023-07-01", C1, "7", "chairman", "10"), ("2023-07-02", C1, "7", "chairman", "11")]
    with pytest.raises(ValidationError) as caught:
        submit(store, [dialogues(tmp_path / "DialogueHeld.csv", rows)], C1, "2023-Q3")
    assert [p.field for p in caught.value.problems] == ["source_ref"]
    assert store.head() == len(TREE)


def test_a_row_repeated_with_its_key_is_counted_once(
    tree: None, store: Any, clock: Any, tmp_path: Path
) -> None:
    at(clock, "2023-10-02T09:00")
    rows = [("2023-07-01", C1, "7", "chairman", "10"), ("2023-07-01", C1, "7", "chairman", "10")]
    first = submit(store, [dialogues(tmp_path / "a" / "DialogueHeld.csv", rows)], C1, "2023-Q3")
    assert store.snapshot(unit=C1, period="2023-Q3").value("dialogue.count") == 1
    assert first.appended == 1 + 1  # the row, the version
    at(clock, "2023-10-03T09:00")
    again = submit(store, [dialogues(tmp_path / "b" / "DialogueHeld.csv", rows)], C1, "2023-Q3")
    assert (first.submission.added, again.submission.unchanged) == ((f"{C1}/7",), (f"{C1}/7",))


# --- forms: what a re-send says about the types it carries, and no others -------------------------


def reception(path: Path, rows: Sequence[Row]) -> Path:
    return write_table(path, RECEPTION_HEADER, rows)


def test_a_header_only_form_retracts_its_rows_and_other_forms_are_left_alone(
    tree: None, store: Any, clock: Any, tmp_path: Path
) -> None:
    at(clock, "2023-10-02T09:00")
    visits = [("2023-09-30", C1, "2023-07-01", "2023-09-30", "12", "1", "0", "3")]
    v1 = tmp_path / "v1"
    submit(
        store,
        [
            dialogues(v1 / "DialogueHeld.csv", V2),
            reception(v1 / "CitizenReceptionReported.csv", visits),
        ],
        C1,
        "2023-Q3",
    )
    snap = store.snapshot(unit=C1, period="2023-Q3")
    assert (snap.value("dialogue.count"), snap.value("reception.visits")) == (5, 12)

    # v2: only the reception form, changed; the dialogues are left alone
    at(clock, "2023-10-03T09:00")
    more = [("2023-09-30", C1, "2023-07-01", "2023-09-30", "15", "1", "0", "3")]
    diff = submit(
        store, [reception(tmp_path / "v2" / "CitizenReceptionReported.csv", more)], C1, "2023-Q3"
    ).submission
    assert diff.forms == ("CitizenReceptionReported",)
    assert counts(diff) == (0, 0, 1, 1)
    snap = store.snapshot(unit=C1, period="2023-Q3")
    assert (snap.value("dialogue.count"), snap.value("reception.visits")) == (5, 15)

    # v3: the dialogue form with its header and no rows: "none held"
    at(clock, "2023-10-04T09:00")
    result = submit(store, [dialogues(tmp_path / "v3" / "DialogueHeld.csv", [])], C1, "2023-Q3")
    assert counts(result.submission) == (0, 0, 5, 0)
    assert result.submission.version == 3
    snap = store.snapshot(unit=C1, period="2023-Q3")
    assert (snap.value("dialogue.count"), snap.value("reception.visits")) == (0, 15)
    # the version lists both forms: the empty one, and the reception one it left alone
    (_pos, latest) = store.state().submission_versions(C1, "2023-Q3")[-1]
    rows = {r.type: r.keys for r in latest.rows}
    assert rows["DialogueHeld"] == ()
    assert len(rows["CitizenReceptionReported"]) == 1

    # the empty form again: nothing more
    head = store.head()
    again = submit(store, [dialogues(tmp_path / "v4" / "DialogueHeld.csv", [])], C1, "2023-Q3")
    assert (again.appended, store.head()) == (0, head)
    assert store.verify().ok


def test_a_header_only_file_outside_a_submission_is_refused(
    tree: None, store: Any, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError):
        import_files(store, [dialogues(tmp_path / "DialogueHeld.csv", [])], CHANNELS, actor=C1)
    assert store.head() == len(TREE)


def test_rows_dated_outside_the_period_are_refused(
    tree: None, store: Any, clock: Any, tmp_path: Path
) -> None:
    at(clock, "2023-10-02T09:00")
    rows = [*V1, ("2023-06-30", C1, "", "chairman", "4")]
    with pytest.raises(ValidationError) as caught:
        submit(store, [dialogues(tmp_path / "DialogueHeld.csv", rows)], C1, "2023-Q3")
    (problem,) = caught.value.problems
    assert (problem.field, problem.row) == ("occurred_on", 7)
    assert store.head() == len(TREE)


# --- nested periods -------------------------------------------------------------------------------


def test_a_nine_month_submission_repeating_the_quarter_appends_only_its_new_rows(
    tree: None, store: Any, clock: Any, tmp_path: Path
) -> None:
    at(clock, "2023-10-02T09:00")
    q3 = [*V1, *R1]  # with and without refs
    submit(store, [dialogues(tmp_path / "q3" / "DialogueHeld.csv", q3)], C1, "2023-Q3")
    head = store.head()
    earlier = [
        ("2023-02-01", C1, "", "chairman", "10"),
        ("2023-05-05", C1, "h1", "other", "3"),
    ]
    at(clock, "2023-10-03T09:00")
    nine = submit(
        store,
        [
            dialogues(
                tmp_path / "9m" / "DialogueHeld.csv",
                [*earlier, *q3],
                bom=True,
                order=[11, 0, 5, 2, 7, 1, 9, 3, 10, 4, 6, 8],
            )
        ],
        C1,
        "2023-9M",
    )
    diff = nine.submission
    assert (diff.version, diff.previous) == (1, None)
    assert counts(diff) == (10, 0, 0, 2)
    assert set(diff.stored) | set(diff.unchanged) == set(
        k
        for _p, v in store.state().submission_versions(C1, "2023-Q3")
        for r in v.rows
        for k in r.keys
    )
    assert nine.appended == 2 + 1
    assert store.head() == head + 3
    assert store.snapshot(unit=C1, period="2023-9M").value("dialogue.count") == 12
    assert store.snapshot(unit=C1, period="2023-Q3").value("dialogue.count") == 10
    assert store.snapshot(unit=CITY, period="2023").value("dialogue.count") == 12


# --- registration rows ----------------------------------------------------------------------------

UNIT_HEADER = ("occurred_on", "unit", "code", "name", "kind", "parent")


def test_a_registration_the_store_holds_is_no_error(
    tree: None, store: Any, clock: Any, tmp_path: Path
) -> None:
    at(clock, "2023-10-02T09:00")
    same = [("2020-01-01", DISTRICT, C1, f"Đơn vị {C1}", "commune", DISTRICT)]
    folder = tmp_path / "same"
    result = submit(
        store,
        [
            write_table(folder / "UnitRegistered.csv", UNIT_HEADER, same),
            dialogues(folder / "DialogueHeld.csv", V1),
        ],
        C1,
        "2023-Q3",
    )
    diff = result.submission
    assert len(diff.added) == 5
    assert len(diff.stored) == 1
    assert not diff.retracted
    assert not diff.corrected
    assert [e.type for e in store.read(after=len(TREE))].count("UnitRegistered") == 0
    assert result.appended == 5 + 1

    other = [("2020-01-01", DISTRICT, C1, "Xã Mới", "commune", DISTRICT)]
    head = store.head()
    with pytest.raises(ValidationError) as caught:
        submit(
            store,
            [write_table(tmp_path / "other" / "UnitRegistered.csv", UNIT_HEADER, other)],
            C1,
            "2023-Q3",
        )
    (problem,) = caught.value.problems
    assert "UnitChanged" in problem.message
    assert problem.row == 2
    assert store.head() == head


# --- stateful: any sequence of sends, re-sends, re-saves and reviews ------------------------------

COMMUNES = (C1, C2)
PERIODS = {
    "2023-Q3": (dt.date(2023, 7, 1), dt.date(2023, 9, 30)),
    "2023-9M": (dt.date(2023, 1, 1), dt.date(2023, 9, 30)),
}
HOSTS = ("party_secretary", "chairman", "standing_committee", "other")
REFS = ("1", "2", "3", "a")
#: a few days of each period (few, so that rows repeat)
DAYS = {
    "2023-Q3": ("2023-07-01", "2023-08-15", "2023-09-30"),
    "2023-9M": ("2023-01-01", "2023-04-30", "2023-07-01", "2023-08-15"),
}

ModelKey = tuple[Any, ...]
Content = tuple[str, str, int]  # day, host, participants


def _row_strategy(period: str) -> st.SearchStrategy[tuple[str | None, Content]]:
    return st.tuples(
        st.one_of(st.none(), st.sampled_from(REFS)),
        st.tuples(
            st.sampled_from(DAYS[period]), st.sampled_from(HOSTS[:2]), st.sampled_from((5, 6))
        ),
    )


class Resending(RuleBasedStateMachine):
    """A model of the store's dialogue facts: key → content, the latest statement wins."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="dvcore-resend-"))
        self.clock = _Clock(dt.datetime(2023, 1, 2, 2, 0, tzinfo=dt.UTC))
        self.store = open_store(f"sqlite:///{self.folder / 'store.db'}", clock=self.clock)
        self.store.append(unit_events(), actor=CITY)
        self.alive: dict[tuple[str, ModelKey], Content] = {}
        #: (unit, period) → the keys of its latest version (one per row)
        self.latest: dict[tuple[str, str], list[ModelKey]] = {}
        self.latest_rows: dict[tuple[str, str], list[tuple[str | None, Content]]] = {}
        self.review: dict[tuple[str, str], str] = {}
        self.last_ok: tuple[Path, str, str, list[tuple[str | None, Content]]] | None = None
        self.sends = 0

    def teardown(self) -> None:
        self.store.close()
        for path in sorted(self.folder.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        self.folder.rmdir()

    # -- the model ------------------------------------------------------------------------------

    @staticmethod
    def keys_of(rows: Sequence[tuple[str | None, Content]]) -> list[ModelKey]:
        seen: Counter[Content] = Counter()
        keys: list[ModelKey] = []
        for ref, content in rows:
            if ref is not None:
                keys.append(("ref", ref))
            else:
                keys.append(("row", content, seen[content]))
                seen[content] += 1
        return keys

    def predict(
        self, unit: str, period: str, rows: Sequence[tuple[str | None, Content]]
    ) -> tuple[bool, dict[tuple[str, ModelKey], Content | None], tuple[int, int, int, int]]:
        """(refused, the facts after, (unchanged, corrected, retracted, added))."""
        keys = self.keys_of(rows)
        by_key: dict[ModelKey, Content] = {}
        for key, (_ref, content) in zip(keys, rows, strict=True):
            if by_key.setdefault(key, content) != content:
                return True, {}, (0, 0, 0, 0)  # one clerk key, two contents
        previous = set(self.latest.get((unit, period), ()))
        after: dict[tuple[str, ModelKey], Content | None] = {}
        unchanged = corrected = added = 0
        for key in dict.fromkeys(keys):
            content = by_key[key]
            now = self.alive.get((unit, key))
            if now == content:
                unchanged += 1
            elif now is None:
                added += 1
                after[(unit, key)] = content
            elif key in previous:
                corrected += 1
                after[(unit, key)] = content
            else:
                return True, {}, (0, 0, 0, 0)
        retracted = 0
        for key in previous - set(keys):
            if (unit, key) in self.alive:
                retracted += 1
                after[(unit, key)] = None
        return False, after, (unchanged, corrected, retracted, added)

    def write(
        self, rows: Sequence[tuple[str | None, Content]], unit: str, style: dict[str, Any]
    ) -> Path:
        self.sends += 1
        table = [(day, unit, ref or "", host, str(p)) for ref, (day, host, p) in rows]
        return dialogues(self.folder / str(self.sends) / "DialogueHeld.csv", table, **style)

    def send(
        self, unit: str, period: str, rows: list[tuple[str | None, Content]], path: Path
    ) -> None:
        self.clock.advance(hours=1)
        refused, after, expected = self.predict(unit, period, rows)
        head = self.store.head()
        versions = len(self.store.state().submission_versions(unit, period))
        if refused:
            for dry_run in (True, False):
                with pytest.raises(ValidationError):
                    submit(self.store, [path], unit, period, dry_run=dry_run)
            assert self.store.head() == head
            return
        dry = submit(self.store, [path], unit, period, dry_run=True).submission
        assert self.store.head() == head
        result = submit(self.store, [path], unit, period)
        diff = result.submission
        assert counts(dry) == counts(diff)  # a dry run says what the import does
        assert (dry.version, dry.previous) == (diff.version, diff.previous)
        # distinct keys: a row repeated with its clerk key is one row (see
        # test_a_row_repeated_with_its_key_is_counted_once for the counts)
        got = (
            len(set(diff.unchanged) | set(diff.stored)),
            len(set(diff.corrected)),
            len(set(diff.retracted)),
            len(set(diff.added)),
        )
        assert got == expected, (got, expected, rows)
        for key, content in after.items():
            if content is None:
                del self.alive[key]
            else:
                self.alive[key] = content
        old = self.latest.get((unit, period))
        keys = self.keys_of(rows)
        recorded = len(self.store.state().submission_versions(unit, period)) - versions
        # nothing new is recorded unless the rows change, or the submission was returned
        # (a re-send after a return is a new version, received again)
        same = old is not None and set(old) == set(keys) and not any(expected[1:])
        returned = self.review.get((unit, period)) == "returned"
        assert recorded == (0 if same and not returned else 1)
        if recorded:
            self.review[(unit, period)] = "received"
        else:
            assert result.appended == 0
            assert self.store.head() == head
        self.latest[(unit, period)] = list(dict.fromkeys(keys))
        self.latest_rows[(unit, period)] = list(rows)
        self.last_ok = (path, unit, period, rows)

    # -- the rules ------------------------------------------------------------------------------

    @rule(data=st.data(), unit=st.sampled_from(COMMUNES), period=st.sampled_from(sorted(PERIODS)))
    def submit_a_table(self, data: st.DataObject, unit: str, period: str) -> None:
        """A new table, or the last version of (unit, period) with rows kept, changed,
        deleted and added."""
        rows: list[tuple[str | None, Content]] = []
        base = self.last_ok[3] if self.last_ok and self.last_ok[1:3] == (unit, period) else []
        if base and data.draw(st.booleans(), label="edit the last version"):
            for ref, content in base:
                action = data.draw(st.sampled_from(("keep", "keep", "drop", "change")), label="row")
                if action == "keep":
                    rows.append((ref, content))
                elif action == "change":
                    rows.append((ref, data.draw(_row_strategy(period), label="changed")[1]))
        elif self.alive and data.draw(st.booleans(), label="reuse stored rows"):
            # rows the store holds already, from any submission of the unit
            mine = [(k, c) for (u, k), c in self.alive.items() if u == unit]
            lo, hi = PERIODS[period]
            fitting = [(k, c) for k, c in mine if lo <= dt.date.fromisoformat(c[0]) <= hi]
            if fitting:
                picked = data.draw(st.lists(st.sampled_from(fitting), max_size=4), label="reused")
                rows.extend((k[1] if k[0] == "ref" else None, c) for k, c in picked)
        rows.extend(data.draw(st.lists(_row_strategy(period), max_size=5), label="new rows"))
        self.send(unit, period, rows, self.write(rows, unit, {}))

    @precondition(lambda self: self.last_ok is not None)
    @rule(
        seed=st.integers(0, 1000),
        bom=st.booleans(),
        sep=st.sampled_from((",", ";")),
        crlf=st.booleans(),
    )
    def resave_the_last_file(self, seed: int, bom: bool, sep: str, crlf: bool) -> None:
        assert self.last_ok is not None
        _path, unit, period, rows = self.last_ok
        order = list(range(len(rows)))
        random.Random(seed).shuffle(order)
        path = self.write(rows, unit, {"bom": bom, "sep": sep, "crlf": crlf, "order": order})
        head = self.store.head()
        returned = self.review.get((unit, period)) == "returned"
        self.send(unit, period, rows, path)
        if not returned:  # a re-saved file appends nothing (after a return: a new version)
            assert self.store.head() == head
        else:
            assert self.store.head() == head + 1

    @rule(
        unit=st.sampled_from(COMMUNES),
        period=st.sampled_from(sorted(PERIODS)),
        accept=st.booleans(),
    )
    def review_it(self, unit: str, period: str, accept: bool) -> None:
        self.clock.advance(hours=1)
        if (unit, period) not in self.latest:
            with pytest.raises(InputError):
                review_submission(
                    self.store, unit, period, actor=DISTRICT, accept=accept, reason="thiếu số liệu"
                )
            return
        review_submission(
            self.store, unit, period, actor=DISTRICT, accept=accept, reason="thiếu số liệu"
        )
        self.review[(unit, period)] = "accepted" if accept else "returned"

    # -- what must always hold ------------------------------------------------------------------

    @invariant()
    def the_store_holds_the_latest_statements(self) -> None:
        for unit in COMMUNES:
            for period, (lo, hi) in PERIODS.items():
                expected = Counter(
                    (c[0], unit, c[1], c[2])
                    for (u, _k), c in self.alive.items()
                    if u == unit and lo <= dt.date.fromisoformat(c[0]) <= hi
                )
                assert live_dialogues(self.store, unit, period) == expected
                snap = self.store.snapshot(unit=unit, period=period)
                assert snap.value("dialogue.count") == sum(expected.values())

    @invariant()
    def the_review_is_the_latest_word(self) -> None:
        state = self.store.state()
        for (unit, period), review in self.review.items():
            assert state.submission_review(unit, period) == review

    @invariant()
    def disjoint_periods_hold_their_latest_version(self) -> None:
        """A unit that sent one period only: its live facts are the rows of that
        submission's latest version (a row with a clerk key once)."""
        for unit in COMMUNES:
            sent = [p for (u, p) in self.latest if u == unit]
            if len(sent) != 1:
                continue
            rows = self.latest_rows[(unit, sent[0])]
            stated = dict(zip(self.keys_of(rows), (c for _r, c in rows), strict=True))
            expected = Counter((c[0], unit, c[1], c[2]) for c in stated.values())
            assert live_dialogues(self.store, unit, "2023") == expected


class _Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


TestResending = Resending.TestCase
TestResending.settings = settings(
    max_examples=25,
    stateful_step_count=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
