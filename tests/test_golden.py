"""The acceptance test of seed 001: Hai Phong's published 9-month figures of 2023 come out of
dvcore, through the Python API and the command line (DESIGN.md §2, issue 3's "Done when").

The demo data set (:mod:`dvcore._builtin.demo`) is recorded on 20/9/2023 at 10:00 in Hanoi,
the day the report was generated; late entries and corrections come weeks later and must
change the figures now, but not the report "as known at" 20/9/2023.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

import dvcore
from dvcore._builtin import demo
from dvcore.cli import main
from dvcore.indicators import format_number, format_percent, pad_count

HANOI = dt.timezone(dt.timedelta(hours=7))
RECORDED = dt.datetime(2023, 9, 20, 10, 0, tzinfo=HANOI)  # when the demo is recorded
REPORTED = "2023-09-20T17:00:00+07:00"  # the report "as known at 20/9/2023"
PG_URL = os.environ.get("DVCORE_PG_URL")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def _fresh_url(backend: str, tmp: Path, schemas: list[str]) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp / f'golden-{uuid.uuid4().hex[:8]}.db'}"
    assert PG_URL is not None
    schema = f"g_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine.dispose()
    schemas.append(schema)
    return f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"] if PG_URL else ["sqlite"])
def golden_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A store holding the demo data set, recorded on 20/9/2023 (shared: read only)."""
    schemas: list[str] = []
    url = _fresh_url(str(request.param), tmp_path_factory.mktemp("golden"), schemas)
    with dvcore.open_store(url, clock=Clock(RECORDED)) as store:
        store.append(demo.hai_phong_events(), actor="HP")
    yield url
    if schemas:
        engine = sa.create_engine(PG_URL)  # type: ignore[arg-type]
        with engine.begin() as conn:
            for schema in schemas:
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        engine.dispose()


@pytest.fixture
def golden(golden_url: str) -> Iterator[Any]:
    with dvcore.open_store(golden_url, create=False) as store:
        yield store


@pytest.fixture
def fresh(store: Any, clock: Any) -> Any:
    """A store of its own with the demo data set, for tests that record more."""
    clock.now = RECORDED
    store.append(demo.hai_phong_events(), actor="HP")
    return store


def cli(url: str, *args: str) -> Any:
    result = CliRunner().invoke(main, ["--store", url, *args])
    assert result.exit_code == 0, result.output
    return result


# --- the published figures -------------------------------------------------------------------


def test_dialogues_470_split_06_112_352(golden: Any) -> None:
    snap = golden.snapshot("HP", "2023-9M")
    assert snap.value("dialogue.count") == 470
    by_level = snap.by("dialogue.count", "level")
    assert by_level == {"city": 6, "district": 112, "commune": 352}
    assert [pad_count(by_level[k]) for k in ("city", "district", "commune")] == ["06", "112", "352"]
    assert snap.by("dialogue.count", "host").keys() <= {
        "party_secretary",
        "chairman",
        "standing_committee",
        "other",
    }
    assert sum(snap.by("dialogue.count", "host").values()) == 470


def test_models_2035_with_367_and_296(golden: Any) -> None:
    snap = golden.snapshot("HP", "2023-9M")
    assert snap.value("model.registered") == 2035
    assert format_number(snap.value("model.registered")) == "2.035"  # type: ignore[arg-type]
    fields = snap.by("model.registered", "field")
    assert (fields["ntm_model"], fields["urban"]) == (367, 296)
    assert sum(fields.values()) == 2035


def test_target_3b_as_of_15_september(golden: Any) -> None:
    results = {r.code: r for r in golden.targets("HP", "2023-09-15")}
    three_b = results["08-NQ/TU.3b"]
    assert three_b.numerator == 12
    assert three_b.denominator == 222  # live, not the 239 of the resolution
    assert three_b.plan == 22  # 10% of 222 = 22.2 → 22
    assert three_b.plan_completion == Decimal("0.545")
    assert three_b.met is False
    assert len(three_b.missing) == 222 - 12
    assert format_percent(three_b.numerator, three_b.plan) == "54,5%"
    assert three_b.to_dict()["plan_completion"] == 0.545
    # the other targets of the resolution (DEMO_FIGURES)
    assert results["08-NQ/TU.3a"].plan == demo.DEMO_FIGURES["target.08-NQ/TU.3a.plan"]
    assert results["08-NQ/TU.3a"].met is True
    one, two = results["08-NQ/TU.1"], results["08-NQ/TU.2"]
    assert (one.numerator, one.denominator, one.met) == (137, 137, True)
    assert (two.numerator, two.denominator, two.met) == (228, 233, False)
    assert len(two.missing) == 5
    assert [r.code for r in golden.targets("HP", "2023-09-15", resolution="08-NQ/TU")] == [
        "08-NQ/TU.1",
        "08-NQ/TU.2",
        "08-NQ/TU.3a",
        "08-NQ/TU.3b",
    ]


def test_07_rights_recognized(golden: Any) -> None:
    snap = golden.snapshot("HP", "2023-9M")
    assert pad_count(snap.value("land.right_recognized")) == "07"  # type: ignore[arg-type]
    assert snap.value("land.dossier_submitted") == 12
    assert snap.value("establishment.using_land") == 222
    assert golden.snapshot("HP", "2022-12-06..2022-12-06").value("establishment.using_land") == 239


def test_receptions_over_eight_months(golden: Any) -> None:
    snap = golden.snapshot("HP", "2023-01-01..2023-08-31")
    assert snap.value("reception.visits") == 2746
    assert snap.value("reception.cases") == 2300
    assert snap.by("reception.cases", "kind") == {
        "complaint": 155,
        "denunciation": 64,
        "petition": 2081,
    }
    assert [format_number(v) for v in (2746, 2300, 2081)] == ["2.746", "2.300", "2.081"]
    assert (snap.value("reception.mass_groups"), snap.value("reception.mass_group_cases")) == (
        158,
        152,
    )
    assert [snap.value(f"letters.{k}") for k in ("received", "eligible", "in_jurisdiction")] == [
        7337,
        5765,
        466,
    ]
    assert golden.snapshot("HP", "2023-8M").value("reception.visits") == 2746


def test_patrol_teams_1468_as_a_stock(golden: Any) -> None:
    snap = golden.snapshot("HP", "2023-9M")
    assert snap.value("veterans.patrol_teams") == 1468
    assert format_number(1468) == "1.468"
    assert snap.value("veterans.patrol_members") == 4782


def test_every_golden_figure(golden: Any) -> None:
    snap = golden.snapshot("HP", "2023-9M")
    for code in (
        "dialogue.count",
        "model.registered",
        "land.dossier_submitted",
        "land.right_recognized",
        "reception.visits",
        "reception.cases",
        "reception.mass_groups",
        "reception.mass_group_cases",
        "letters.received",
        "letters.eligible",
        "letters.in_jurisdiction",
        "inspection.count",
        "veterans.patrol_teams",
        "veterans.patrol_members",
        "border.families_pledged",
    ):
        assert snap.value(code) == demo.GOLDEN[code], code
    assert snap.by("document.sets_targets", "level")["district"] == 15
    assert snap.by("dialogue.plan", "level")["district"] == 14
    assert snap.value("letters.resolved") == demo.DEMO_FIGURES["letters.resolved"]
    assert snap.value("land.dossier_filed") == demo.DEMO_FIGURES["land.dossier_filed"]
    assert snap.value("land.certificate_issued") == 1


def test_a_conclusions_tasks_show_open_and_overdue(golden: Any) -> None:
    snap = golden.snapshot("HP", "2023-09")
    assert snap.value("task.open") == demo.DEMO_FIGURES["task.open@2023-09-30"] == 6
    assert snap.value("task.overdue") == demo.DEMO_FIGURES["task.overdue@2023-09-30"] == 2
    open_tasks = golden.explain("HP", "2023-09", "task.open")
    assigned = [e for e in open_tasks.events if e.type == "TaskAssigned"]
    assert len(assigned) == 6
    overdue = golden.explain("HP", "2023-09", "task.overdue")
    ids = sorted(e.data.task_id for e in overdue.events if e.type == "TaskAssigned")
    # 1.1 due 15/9 and not done; 2.2's monthly report due before 10/9 not sent
    assert ids == ["1.1", "2.2"]
    assert {e.type for e in open_tasks.events} <= {"TaskAssigned", "TaskReported"}
    # every owner's subtree carries the task: a body counts at its unit, a co-owner too
    assert golden.snapshot("HP.STNMT", "2023-09").value("task.overdue") == 1
    assert golden.snapshot("HP.BLV", "2023-09").value("task.open") == 1
    assert golden.snapshot("HP.BLV", "2023-09").value("task.overdue") == 0
    assert golden.snapshot("HP.HB", "2023-09").value("task.open") == 0


# --- provenance ------------------------------------------------------------------------------


def test_explain_lists_exactly_the_events_behind_a_figure(golden: Any) -> None:
    explained = golden.explain("HP", "2023-9M", "dialogue.count")
    assert explained.value == 470
    assert len(explained.events) == 470
    assert {e.type for e in explained.events} == {"DialogueHeld"}
    in_period = {
        e.id
        for e in golden.read(types=["DialogueHeld"])
        if dt.date(2023, 1, 1) <= e.occurred_on <= dt.date(2023, 9, 30)
    }
    assert {e.id for e in explained.events} == in_period
    land = golden.explain("HP", "2023-9M", "land.dossier_submitted")
    assert land.value == 12
    assert len(land.events) == 12
    assert {e.type for e in land.events} == {"LandDossierSubmitted"}
    assert len({e.data.establishment_id for e in land.events}) == 12
    district = golden.explain("HP.TN", "2023-9M", "dialogue.count")
    assert len(district.events) == golden.snapshot("HP.TN", "2023-9M").value("dialogue.count")
    assert all(e.unit.startswith("HP.TN") for e in district.events)


# --- late entries, corrections and "as known at" -------------------------------------------


def snapshot_json(store: Any, **kw: Any) -> str:
    return json.dumps(store.snapshot("HP", "2023-9M", **kw).to_dict(), ensure_ascii=False)


def test_late_entries_and_corrections_change_now_but_not_the_report(fresh: Any, clock: Any) -> None:
    report = snapshot_json(fresh, as_known_at=REPORTED)
    assert json.loads(report)["as_known_at"] == "2023-09-20T10:00:00+00:00"
    end_of_day = snapshot_json(fresh, as_known_at="2023-09-20")  # a bare date: its end
    assert json.loads(end_of_day)["indicators"] == json.loads(report)["indicators"]
    dialogue = next(e for e in fresh.read(types=["DialogueHeld"]))
    reception = next(e for e in fresh.read(types=["CitizenReceptionReported"]))
    clock.now = dt.datetime(2023, 10, 2, 9, 0, tzinfo=HANOI)
    fresh.append(demo.late_entries(), actor="HP")
    clock.now = dt.datetime(2023, 10, 3, 9, 0, tzinfo=HANOI)
    fresh.append(
        [
            {
                "type": "EventRetracted",
                "occurred_on": dialogue.occurred_on.isoformat(),
                "unit": dialogue.unit,
                "data": {"event_id": str(dialogue.id), "reason": "trùng"},
            },
            {
                "type": "EventCorrected",
                "occurred_on": reception.occurred_on.isoformat(),
                "unit": reception.unit,
                "data": {
                    "event_id": str(reception.id),
                    "reason": "số liệu sai",
                    "data": {
                        "window": [
                            d.isoformat()
                            for d in (reception.data.window.start, reception.data.window.end)
                        ],
                        "visits": reception.data.visits + 10,
                    },
                },
            },
        ],
        actor="HP",
    )
    now = fresh.snapshot("HP", "2023-9M")
    assert now.value("dialogue.count") == demo.DEMO_FIGURES["late.dialogue.count"] - 1
    assert now.value("land.dossier_submitted") == demo.DEMO_FIGURES["late.land.dossier_submitted"]
    assert now.value("reception.visits") == 2746 + 10
    assert now.value("reception.cases") == 0 + 2300 - (
        reception.data.cases_complaint
        + reception.data.cases_denunciation
        + reception.data.cases_petition
    )
    # the report of 20/9/2023, regenerated: byte for byte
    assert snapshot_json(fresh, as_known_at=REPORTED) == report
    assert snapshot_json(fresh, as_known_at="2023-09-20") == end_of_day
    # in between: the late entries but not the corrections
    between = fresh.snapshot("HP", "2023-9M", as_known_at="2023-10-02T12:00:00+07:00")
    assert between.value("dialogue.count") == demo.DEMO_FIGURES["late.dialogue.count"]
    # targets too
    then = {r.code: r for r in fresh.targets("HP", "2023-09-15", as_known_at=REPORTED)}
    assert then["08-NQ/TU.3b"].numerator == 12
    assert then["08-NQ/TU.2"].numerator == 228
    later = {r.code: r for r in fresh.targets("HP", "2023-09-15")}
    assert later["08-NQ/TU.3b"].numerator == 13
    assert later["08-NQ/TU.2"].numerator == demo.DEMO_FIGURES["late.target.08-NQ/TU.2.numerator"]
    # and explain follows: the retracted dialogue is gone, the correction shows
    explained = fresh.explain("HP", "2023-9M", "dialogue.count")
    assert dialogue.id not in {e.id for e in explained.events}
    assert len(explained.events) == 472
    back_then = fresh.explain("HP", "2023-9M", "dialogue.count", as_known_at=REPORTED)
    assert dialogue.id in {e.id for e in back_then.events}
    assert len(back_then.events) == 470
    visits = fresh.explain("HP", "2023-9M", "reception.visits")
    # one entry per fact: the corrected report by its correction, its chain from the original
    assert {e.type for e in visits.events} == {"CitizenReceptionReported", "EventCorrected"}
    assert reception.id in {chain[0].id for chain in visits.chains}
    assert reception.id not in {e.id for e in visits.events}


def test_the_report_through_the_command_line_is_byte_identical(
    fresh: Any, clock: Any, store_url: str
) -> None:
    args = [
        "snapshot",
        "--unit",
        "HP",
        "--period",
        "2023-9M",
        "--as-known-at",
        REPORTED,
        "--format",
        "json",
    ]
    before = cli(store_url, *args).output
    clock.now = dt.datetime(2023, 10, 2, 9, 0, tzinfo=HANOI)
    fresh.append(demo.late_entries(), actor="HP")
    assert cli(store_url, *args).output == before
    assert json.loads(before)["indicators"]["dialogue.count"]["value"] == 470
    now = json.loads(
        cli(store_url, "snapshot", "--unit", "HP", "--period", "2023-9M", "--format", "json").output
    )
    assert now["indicators"]["dialogue.count"]["value"] == 473


# --- the command line ------------------------------------------------------------------------


def test_golden_figures_through_the_command_line(golden: Any, golden_url: str) -> None:
    snap = json.loads(
        cli(
            golden_url, "snapshot", "--unit", "HP", "--period", "2023-9M", "--format", "json"
        ).output
    )
    assert snap == golden.snapshot("HP", "2023-9M").to_dict()
    figures = snap["indicators"]
    assert figures["dialogue.count"] == {
        "value": 470,
        "by": {
            "host": figures["dialogue.count"]["by"]["host"],
            "level": {"city": 6, "commune": 352, "district": 112},
        },
    }
    assert figures["model.registered"]["value"] == 2035
    assert figures["model.registered"]["by"]["field"]["ntm_model"] == 367
    assert figures["model.registered"]["by"]["field"]["urban"] == 296
    assert figures["land.right_recognized"]["value"] == 7
    assert figures["veterans.patrol_teams"]["value"] == 1468
    eight = json.loads(
        cli(
            golden_url,
            "snapshot",
            "--unit",
            "HP",
            "--period",
            "2023-01-01..2023-08-31",
            "--format",
            "json",
        ).output
    )["indicators"]
    assert eight["reception.visits"]["value"] == 2746
    assert eight["reception.cases"] == {
        "value": 2300,
        "by": {"kind": {"complaint": 155, "denunciation": 64, "petition": 2081}},
    }
    targets = json.loads(
        cli(
            golden_url, "targets", "--unit", "HP", "--as-of", "15/9/2023", "--format", "json"
        ).output
    )
    assert targets["as_of"] == "2023-09-15"
    three_b = next(t for t in targets["targets"] if t["code"] == "08-NQ/TU.3b")
    assert {
        k: three_b[k] for k in ("numerator", "denominator", "plan", "plan_completion", "met")
    } == {"numerator": 12, "denominator": 222, "plan": 22, "plan_completion": 0.545, "met": False}
    table = cli(golden_url, "targets", "--unit", "HP", "--as-of", "2023-09-15").output
    assert "54,5%" in table
    explained = json.loads(
        cli(
            golden_url,
            "explain",
            "--unit",
            "HP",
            "--period",
            "2023-9M",
            "--indicator",
            "land.dossier_submitted",
            "--format",
            "json",
        ).output
    )
    assert explained["value"] == 12
    assert len(explained["events"]) == 12
    assert {e["type"] for e in explained["events"]} == {"LandDossierSubmitted"}
    dialogues = json.loads(
        cli(
            golden_url,
            "explain",
            "--unit",
            "HP",
            "--period",
            "2023-9M",
            "--indicator",
            "dialogue.count",
            "--format",
            "json",
        ).output
    )
    assert len(dialogues["events"]) == 470
    table = cli(golden_url, "snapshot", "--unit", "HP", "--period", "2023-9M").output
    assert "2.035" in table
    assert "1.468" in table


def test_the_2025_merge_on_the_demo(fresh: Any, clock: Any) -> None:
    clock.now = dt.datetime(2025, 12, 31, 9, 0, tzinfo=HANOI)
    fresh.append(demo.merge_2025_events(), actor="HP")
    as_of = fresh.snapshot("HP", "2025")
    current = fresh.snapshot("HP", "2025", tree="current")
    assert as_of.to_dict()["indicators"] == current.to_dict()["indicators"]
    assert fresh.snapshot(demo.MERGED_WARD, "2025", tree="current").value("dialogue.count") == 9
    assert fresh.snapshot(demo.MERGED_WARD, "2025").value("dialogue.count") == 3
    # the 2023 report does not move
    assert fresh.snapshot("HP", "2023-9M").value("dialogue.count") == 470
    assert fresh.snapshot("HP", "2023-9M", tree="current").value("dialogue.count") == 470
