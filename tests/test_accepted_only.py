"""``--accepted-only``: only the rows of accepted submissions count (DHIS2's "hide
unapproved data"), and rows sent outside any submission.

Two wards of Hồng Bàng district send their third quarter; the district reviews them. Every
accepted-only figure is held to a full replay of the log without the other wards' rows
(:func:`expected`), computed here from the keys the test knows, not from the store's rule.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dvcore._builtin.csv_channel import CsvChannel
from dvcore._builtin.demo import hai_phong_events
from dvcore.cli import main
from dvcore.importing import import_files
from dvcore.indicators import compute_snapshot
from dvcore.store.accepted import base_key, unaccepted_positions
from dvcore.store.projections import MemoryFacts, replay
from dvcore.store.submissions import review_submission

CHANNELS = {"csv": CsvChannel()}
DISTRICT, A, B = "HP.HB", "HP.HB.01", "HP.HB.03"
Q3 = "2023-Q3"
HOSTS = {"party_secretary": "Bí thư cấp ủy", "chairman": "Chủ tịch UBND"}


def units() -> list[dict[str, Any]]:
    """The city, Hồng Bàng and two of its wards (from the demo's tree)."""
    wanted = {"HP", DISTRICT, A, B}
    return [
        e
        for e in hai_phong_events()
        if e["type"] == "UnitRegistered" and e["data"]["code"] in wanted
    ]


def at(clock: Any, day: str, hour: int = 9) -> None:
    """Set the store's clock to ``hour`` o'clock, Vietnam's time, on ``day``."""
    clock.now = dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+07:00").astimezone(dt.UTC)


def send(store: Any, directory: Path, unit: str, rows: Iterable[tuple[str, str, str]]) -> None:
    """``unit`` sends its third quarter: dialogues ``(key, day, host)``."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"DialogueHeld-{unit}.csv"
    lines = "".join(f"{key},{day},{unit},{HOSTS[host]}\n" for key, day, host in rows)
    path.write_text("Mã nguồn,Ngày,Mã đơn vị,Người chủ trì\n" + lines, encoding="utf-8")
    import_files(store, [path], CHANNELS, unit=unit, period=Q3)


def review(store: Any, unit: str, accept: bool = True) -> None:
    review_submission(
        store, unit, Q3, actor=DISTRICT, accept=accept, reason=None if accept else "thiếu số liệu"
    )


def figures(store: Any, **kwargs: Any) -> dict[str, Any]:
    return dict(store.snapshot(DISTRICT, Q3, **kwargs).to_dict()["indicators"])


def expected(store: Any, counted: set[str], when: dt.datetime | None = None) -> dict[str, Any]:
    """A full replay of the log (as known at ``when``) without the rows of the wards not in
    ``counted``, nor the corrections and retractions of those rows."""
    known = store.position_at(when) if when is not None else store.head()
    log = list(store.read(upto=known))
    wards = {A, B}
    dropped = {ev.id for ev in log if ev.type == "DialogueHeld" and ev.unit in wards - counted}
    kept = [
        ev
        for ev in log
        if ev.id not in dropped and getattr(ev.data, "event_id", None) not in dropped
    ]
    replayed = replay(kept, store.extractors, store.types)
    inds = list(store.indicators(replayed.state).values())
    snap = compute_snapshot(
        replayed.state, MemoryFacts(replayed.facts), inds, DISTRICT, store.period(Q3), "as-of", when
    )
    return dict(snap.to_dict()["indicators"])


def count(store: Any, **kwargs: Any) -> Any:
    return store.snapshot(DISTRICT, Q3, **kwargs).value("dialogue.count")


@pytest.fixture
def two_wards(store: Any, clock: Any, tmp_path: Path) -> Any:
    """A sends 3 dialogues, B sends 2; nothing reviewed yet."""
    at(clock, "2023-01-02")
    store.append(units(), actor="HP")
    at(clock, "2023-10-03")
    send(
        store,
        tmp_path / "a1",
        A,
        [
            ("a1", "2023-07-05", "party_secretary"),
            ("a2", "2023-08-05", "chairman"),
            ("a3", "2023-09-05", "party_secretary"),
        ],
    )
    send(
        store,
        tmp_path / "b1",
        B,
        [("b1", "2023-07-10", "chairman"), ("b2", "2023-08-10", "chairman")],
    )
    return store


def test_the_review_command_decides_what_counts(two_wards: Any, store_url: str, clock: Any) -> None:
    store = two_wards
    assert count(store) == 5
    assert count(store, accepted_only=True) == 0  # nothing accepted yet
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "--store",
            store_url,
            "--actor",
            DISTRICT,
            "review",
            "--unit",
            A,
            "--period",
            Q3,
            "--accept",
        ],
    )
    assert result.exit_code == 0, result.output
    assert count(store) == 5
    assert count(store, accepted_only=True) == 3
    assert store.snapshot(DISTRICT, Q3, accepted_only=True).by("dialogue.count", "host") == {
        "party_secretary": 2,
        "chairman": 1,
    }
    assert figures(store, accepted_only=True) == expected(store, {A})
    assert figures(store) == expected(store, {A, B})


def test_snapshot_command_accepted_only_json(two_wards: Any, store_url: str) -> None:
    review(two_wards, A)
    runner = CliRunner()
    args = [
        "--store",
        store_url,
        "snapshot",
        "--unit",
        DISTRICT,
        "--period",
        Q3,
        "--format",
        "json",
    ]
    plain = runner.invoke(main, args)
    assert plain.exit_code == 0, plain.output
    plain_data = json.loads(plain.output)
    assert "accepted_only" not in plain_data
    assert plain_data["indicators"]["dialogue.count"]["value"] == 5
    only = runner.invoke(main, [*args, "--accepted-only"])
    assert only.exit_code == 0, only.output
    data = json.loads(only.output)
    assert data["accepted_only"] is True
    assert list(data) == ["unit", "period", "as_known_at", "accepted_only", "indicators"]
    assert data["indicators"]["dialogue.count"]["value"] == 3
    assert data["indicators"] == expected(two_wards, {A})
    assert {k: v for k, v in data.items() if k not in ("accepted_only", "indicators")} == {
        k: v for k, v in plain_data.items() if k != "indicators"
    }


def test_a_returned_submission_does_not_count(two_wards: Any, clock: Any) -> None:
    store = two_wards
    at(clock, "2023-10-05")
    review(store, A)
    review(store, B, accept=False)
    assert count(store) == 5
    assert count(store, accepted_only=True) == 3
    assert figures(store, accepted_only=True) == expected(store, {A})


def test_a_resend_after_acceptance_waits_for_its_own_acceptance(
    two_wards: Any, clock: Any, tmp_path: Path
) -> None:
    store = two_wards
    at(clock, "2023-10-05")
    review(store, A)
    review(store, B)
    accepted_both = clock.now
    assert count(store, accepted_only=True) == 5
    # A sends again: a2's host corrected, a3 dropped (retracted), a4 added
    at(clock, "2023-10-07")
    send(
        store,
        tmp_path / "a2",
        A,
        [
            ("a1", "2023-07-05", "party_secretary"),
            ("a2", "2023-08-05", "party_secretary"),
            ("a4", "2023-09-20", "chairman"),
        ],
    )
    types = [e.type for e in store.read(after=store.position_at(accepted_both))]
    assert {"EventCorrected", "EventRetracted", "DialogueHeld"} <= set(types)
    assert count(store) == 5
    assert count(store, accepted_only=True) == 2  # only B: A is 'received' again
    assert figures(store, accepted_only=True) == expected(store, {B})
    at(clock, "2023-10-08")
    review(store, A)
    assert count(store, accepted_only=True) == 5
    assert store.snapshot(DISTRICT, Q3, accepted_only=True).by("dialogue.count", "host") == {
        "party_secretary": 2,
        "chairman": 3,
    }
    assert figures(store, accepted_only=True) == expected(store, {A, B}) == figures(store)
    # as known before the acceptances: nothing counted; after them: both, as then
    before = dt.datetime(2023, 10, 4, tzinfo=dt.UTC)
    assert count(store, as_known_at=before) == 5
    assert count(store, accepted_only=True, as_known_at=before) == 0
    assert figures(store, accepted_only=True, as_known_at=before) == expected(store, set(), before)
    assert count(store, accepted_only=True, as_known_at=accepted_both) == 5
    assert figures(store, accepted_only=True, as_known_at=accepted_both) == expected(
        store, {A, B}, accepted_both
    )
    resent = dt.datetime(2023, 10, 7, 12, tzinfo=dt.UTC)
    assert figures(store, accepted_only=True, as_known_at=resent) == expected(store, {B}, resent)


def test_a_row_sent_again_after_its_retraction_follows_its_base_key(
    two_wards: Any, clock: Any, tmp_path: Path
) -> None:
    store = two_wards
    rows = [("a1", "2023-07-05", "party_secretary"), ("a2", "2023-08-05", "chairman")]
    at(clock, "2023-10-04")
    send(store, tmp_path / "a2", A, rows[:1])  # a2 and a3 retracted
    send(store, tmp_path / "a3", A, rows)  # a2 again, under 'HP.HB.01/a2~~2'
    refs = {e.source_ref for e in store.read() if e.type == "DialogueHeld"}
    assert f"{A}/a2~~2" in refs
    assert base_key(f"{A}/a2~~2") == f"{A}/a2"
    assert count(store, accepted_only=True) == 0
    review(store, A)
    assert count(store, accepted_only=True) == 2
    assert figures(store, accepted_only=True) == expected(store, {A})


def test_rows_outside_any_submission_and_structural_events_count(
    two_wards: Any, clock: Any
) -> None:
    store = two_wards
    at(clock, "2023-10-05")
    store.append(
        [
            {
                "type": "DialogueHeld",
                "occurred_on": "2023-08-15",
                "unit": B,
                "data": {"host": "chairman"},
                "source_ref": "free:1",
            }
        ],
        actor=B,
    )
    assert count(store) == 6
    assert count(store, accepted_only=True) == 1  # no submission holds 'free:1'
    left_out = unaccepted_positions(store.read())
    assert all(e.type == "DialogueHeld" for e in store.read() if e.position in left_out)
    assert len(left_out) == 5


def test_explain_and_export_count_the_same(two_wards: Any, tmp_path: Path, store_url: str) -> None:
    review(two_wards, A)
    exp = two_wards.explain(DISTRICT, Q3, "dialogue.count", accepted_only=True)
    assert exp.value == 3
    assert {e.unit for e in exp.events} == {A}
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        main,
        [
            "--store",
            store_url,
            "export",
            "--exporter",
            "json",
            "--unit",
            DISTRICT,
            "--period",
            Q3,
            "-o",
            str(out),
            "--accepted-only",
        ],
    )
    assert result.exit_code == 0, result.output
    exported = json.loads(out.read_text(encoding="utf-8"))["snapshot"]["indicators"]
    assert exported["dialogue.count"]["value"] == 3
    assert exported == expected(two_wards, {A})
    from dvcore.reports import build_context

    context = build_context(two_wards, unit=DISTRICT, period=Q3, accepted_only=True)
    assert context["accepted_only"] is True
    assert context["snapshot"].value("dialogue.count") == 3
    assert (
        build_context(two_wards, unit=DISTRICT, period=Q3)["snapshot"].value("dialogue.count") == 5
    )
