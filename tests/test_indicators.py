"""Indicators through the store: every core code, flows, stocks, extremes, windows, the land
pipeline, tasks, dimensions and the cut-off conventions (DESIGN.md §4 and §6)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from dvcore._builtin import demo
from dvcore.indicators import CORE_INDICATORS

Event = dict[str, Any]


def ev(type_name: str, day: str, unit: str, **data: Any) -> Event:
    return {"type": type_name, "occurred_on": day, "unit": unit, "data": data}


def unit(code: str, kind: str, parent: str | None) -> Event:
    return ev(
        "UnitRegistered",
        "2020-01-01",
        parent or code,
        code=code,
        name=f"Đơn vị {code}",
        kind=kind,
        parent=parent,
        attributes={},
    )


TREE = [
    unit("C", "city", None),
    unit("C.A", "district", "C"),
    unit("C.B", "town", "C"),
    unit("C.A.1", "commune", "C.A"),
    unit("C.A.2", "ward", "C.A"),
    unit("C.B.1", "township", "C.B"),
    unit("C.S", "department", "C"),
]


def defined(code: str, aggregation: str, at: str = "C") -> Event:
    return ev(
        "IndicatorDefined",
        "2023-01-01",
        at,
        code=code,
        title=f"Chỉ số {code}",
        aggregation=aggregation,
        unit_label="tổ",
    )


def figure(code: str, unit_code: str, value: Any, window: tuple[str, str], **by: str) -> Event:
    return ev(
        "FigureReported",
        window[1],
        unit_code,
        indicator=code,
        value=value,
        window=list(window),
        by=by,
    )


def value(store: Any, unit_code: str, period: str, code: str, **kw: Any) -> Any:
    return store.snapshot(unit_code, period, **kw).value(code)


# Every core code of DESIGN.md §6 with the dimensions its `by` must break down into.
CORE_CODES = {
    "dialogue.count": {"level", "host"},
    "dialogue.units_with": {"level"},
    "model.registered": {"field", "level"},
    "establishment.using_land": set(),
    "land.dossier_filed": set(),
    "land.dossier_submitted": set(),
    "land.right_recognized": set(),
    "land.certificate_issued": set(),
    "reception.visits": set(),
    "reception.mass_groups": set(),
    "reception.cases": {"kind"},
    "letters.received": set(),
    "letters.eligible": set(),
    "letters.in_jurisdiction": set(),
    "letters.resolved": set(),
    "inspection.count": {"kind"},
    "supervision.count": set(),
    "critique.count": set(),
    "document.count": {"kind"},
    "task.open": set(),
    "task.overdue": set(),
}


def test_every_core_indicator_appears_zero_where_nothing_counts(store: Any) -> None:
    store.append(
        [
            *TREE,
            defined("x.stock", "last"),
            defined("x.flow", "sum"),
            defined("x.peak", "max"),
            defined("x.low", "min"),
        ]
    )
    snap = store.snapshot("C", "2023")
    out = snap.to_dict()["indicators"]
    for code, dims in CORE_CODES.items():
        assert out[code]["value"] == 0, code
        assert dims <= set(out[code]["by"]), code
        assert all(keys == {} for keys in out[code]["by"].values()), code
    # every core indicator, not just those of §6, and in the catalogue's order
    assert list(out)[: len(CORE_INDICATORS)] == [i.code for i in CORE_INDICATORS]
    # a stock (or an extreme) with no value is null, a flow is 0
    assert out["x.stock"] == {"value": None, "by": {}}
    assert out["x.peak"]["value"] is None
    assert out["x.low"]["value"] is None
    assert out["x.flow"]["value"] == 0
    assert snap.value("x.stock") is None


def test_flows_add_across_time_and_units(store: Any) -> None:
    days = {
        "C": ["2023-01-05"],
        "C.A": ["2023-02-01", "2023-05-05"],
        "C.A.1": ["2023-03-31", "2023-04-01", "2023-12-31"],
        "C.A.2": ["2023-07-07"],
        "C.B.1": ["2023-10-10", "2024-01-01"],
        "C.S": ["2023-06-30"],
    }
    store.append(
        [
            *TREE,
            *(
                ev("DialogueHeld", day, code, host="chairman")
                for code, ds in days.items()
                for day in ds
            ),
        ]
    )
    quarters = [value(store, "C", f"2023-Q{q}", "dialogue.count") for q in range(1, 5)]
    assert quarters == [3, 3, 1, 2]
    assert value(store, "C", "2023", "dialogue.count") == 9
    months = [value(store, "C", f"2023-{m:02d}", "dialogue.count") for m in range(1, 13)]
    assert sum(months) == 9
    assert value(store, "C", "2023-H1", "dialogue.count") == sum(quarters[:2])
    assert value(store, "C", "2023-9M", "dialogue.count") == sum(quarters[:3])
    parts = [value(store, code, "2023", "dialogue.count") for code in ("C.A", "C.B", "C.S")]
    assert parts == [6, 1, 1]
    assert value(store, "C", "2023", "dialogue.count") == 1 + sum(parts)
    assert value(store, "C.A.1", "2023", "dialogue.count") == 3
    assert value(store, "C", "2020-2025", "dialogue.count") == 10
    assert value(store, "C.A", "2023-03-31..2023-04-01", "dialogue.count") == 2


# --- stocks -----------------------------------------------------------------------------


def test_a_stock_takes_the_latest_value_in_time_per_unit_and_adds_across_units(
    store: Any,
) -> None:
    q1 = ("2023-01-01", "2023-03-31")
    m8 = ("2023-01-01", "2023-08-31")
    store.append(
        [
            *TREE,
            defined("veterans.teams", "last"),
            figure("veterans.teams", "C.A", 10, q1),
            figure("veterans.teams", "C.B", 7, q1),
            # the later report of C.A is recorded first: time, not recording order, decides
            figure("veterans.teams", "C.A", 12, m8),
        ]
    )
    store.append([figure("veterans.teams", "C.A", 11, ("2023-05-01", "2023-05-31"))])
    assert value(store, "C", "2023-Q1", "veterans.teams") == 10 + 7
    assert value(store, "C", "2023-H1", "veterans.teams") == 11 + 7
    assert value(store, "C", "2023-9M", "veterans.teams") == 12 + 7
    # a stock carries forward into periods without a report, but not backwards
    assert value(store, "C", "2023-Q4", "veterans.teams") == 12 + 7
    assert value(store, "C", "2024", "veterans.teams") == 12 + 7
    assert value(store, "C", "2022", "veterans.teams") is None
    assert value(store, "C.A", "2023", "veterans.teams") == 12
    assert value(store, "C.A.1", "2023", "veterans.teams") is None
    # the sum of the reports is not the figure
    assert value(store, "C", "2023", "veterans.teams") != 10 + 7 + 12 + 11


def test_a_stock_reported_twice_for_one_day_takes_the_later_record(store: Any) -> None:
    q1 = ("2023-01-01", "2023-03-31")
    store.append([*TREE, defined("s", "last"), figure("s", "C.A", 5, q1)])
    store.append([figure("s", "C.A", 8, q1)])
    assert value(store, "C", "2023", "s") == 8


def test_a_stock_with_dimensions_takes_the_latest_per_key(store: Any) -> None:
    store.append(
        [
            *TREE,
            defined("members", "last"),
            figure("members", "C.A", 30, ("2023-01-01", "2023-03-31"), sex="nam"),
            figure("members", "C.A", 20, ("2023-01-01", "2023-03-31"), sex="nữ"),
            figure("members", "C.A", 33, ("2023-04-01", "2023-06-30"), sex="nam"),
            figure("members", "C.B", 4, ("2023-04-01", "2023-06-30"), sex="nữ"),
        ]
    )
    snap = store.snapshot("C", "2023")
    assert snap.value("members") == 33 + 20 + 4
    assert snap.by("members", "sex") == {"nam": 33, "nữ": 24}


def test_a_merge_adds_the_stocks_of_the_merged_units(store: Any) -> None:
    q1 = ("2025-01-01", "2025-03-31")
    store.append(
        [
            unit("P", "province", None),
            unit("P.D", "district", "P"),
            unit("P.D.W1", "ward", "P.D"),
            unit("P.D.W2", "ward", "P.D"),
            unit("P.D.W3", "ward", "P.D"),
            defined("teams", "last", at="P"),
            figure("teams", "P.D.W1", 10, q1),
            figure("teams", "P.D.W2", 5, q1),
            figure("teams", "P.D.W3", 2, q1),
            unit("P.N", "ward", "P"),
        ]
    )
    store.append([ev("UnitsMerged", "2025-07-01", "P", sources=["P.D.W1", "P.D.W2"], into="P.N")])
    for tree in ("as-of", "current"):
        # not the last value of one of them (DHIS2), but their sum
        assert value(store, "P", "2025", "teams", tree=tree) == 17
        assert value(store, "P.N", "2025-H2", "teams", tree=tree) == 15
        assert value(store, "P", "2026", "teams", tree=tree) == 17
    assert value(store, "P.D", "2025-H1", "teams") == 17
    assert value(store, "P.D", "2025", "teams") == 2  # the merged wards left the district
    # once the new ward reports, its value replaces theirs
    store.append([figure("teams", "P.N", 14, ("2025-07-01", "2025-09-30"))])
    assert value(store, "P", "2025-Q3", "teams") == 14 + 2
    assert value(store, "P", "2025-08", "teams") == 15 + 2
    assert value(store, "P", "2025-Q2", "teams") == 17
    explained = store.explain("P", "2025", "teams")
    assert sorted(e.unit for e in explained.events) == ["P.D.W3", "P.N"]
    assert sorted(e.unit for e in store.explain("P", "2025-08", "teams").events) == [
        "P.D.W1",
        "P.D.W2",
        "P.D.W3",
    ]


def test_demo_patrol_teams_are_a_stock(store: Any) -> None:
    events = demo.hai_phong_events()
    store.append(events)
    reported = sum(
        e["data"]["value"]
        for e in events
        if e["type"] == "FigureReported" and e["data"]["indicator"] == "veterans.patrol_teams"
    )
    assert reported > 1468
    snap = store.snapshot("HP", "2023-9M")
    assert snap.value("veterans.patrol_teams") == demo.GOLDEN["veterans.patrol_teams"] == 1468
    assert snap.value("veterans.patrol_members") == 4782
    assert snap.value("border.families_pledged") == 1446  # a sum: both reports count


def test_establishments_using_land_are_a_stock_at_the_period_end(store: Any) -> None:
    store.append(
        [
            *TREE,
            ev(
                "EstablishmentRegistered",
                "2023-02-01",
                "C.A.1",
                id="E1",
                name="Chùa Một",
                religion="Phật giáo",
                uses_land=True,
            ),
            ev(
                "EstablishmentRegistered",
                "2023-05-01",
                "C.B.1",
                id="E2",
                name="Nhà thờ Hai",
                religion="Công giáo",
                uses_land=True,
            ),
            ev(
                "EstablishmentRegistered",
                "2023-02-01",
                "C.A.2",
                id="E3",
                name="Chùa Ba",
                uses_land=False,
            ),
            ev("EstablishmentChanged", "2023-08-01", "C.A.1", id="E1", uses_land=False),
            ev("EstablishmentChanged", "2023-09-01", "C.A.2", id="E3", uses_land=True),
        ]
    )
    expected = {"2023-Q1": 1, "2023-Q2": 2, "2023-Q3": 2, "2022": 0, "2023-08": 1}
    for period, count in expected.items():
        assert value(store, "C", period, "establishment.using_land") == count, period
    assert value(store, "C.A", "2023-Q2", "establishment.using_land") == 1
    assert value(store, "C.A", "2023", "establishment.using_land") == 1
    assert value(store, "C.B", "2023", "establishment.using_land") == 1


# --- extremes ---------------------------------------------------------------------------


def test_max_and_min_across_time_and_units(store: Any) -> None:
    events = [*TREE, defined("peak", "max"), defined("low", "min")]
    for code in ("peak", "low"):
        events += [
            figure(code, "C.A", 5, ("2023-01-01", "2023-01-31")),
            figure(code, "C.A", 9, ("2023-02-01", "2023-02-28")),
            figure(code, "C.B", "2.5", ("2023-02-01", "2023-02-28")),
            figure(code, "C.B", 7, ("2023-05-01", "2023-05-31")),
        ]
    store.append(events)
    assert value(store, "C", "2023", "peak") == 9
    assert value(store, "C", "2023", "low") == Decimal("2.5")
    assert store.snapshot("C", "2023").to_dict()["indicators"]["low"]["value"] == 2.5
    assert value(store, "C", "2023-Q2", "peak") == 7
    assert value(store, "C", "2023-Q2", "low") == 7
    assert value(store, "C.A", "2023", "low") == 5
    assert value(store, "C", "2023-Q3", "peak") is None


# --- the window rule ----------------------------------------------------------------------


def test_a_windowed_figure_counts_where_its_whole_window_lies(store: Any) -> None:
    straddling = ["2023-03-15", "2023-04-14"]
    store.append(
        [
            *TREE,
            defined("flow", "sum"),
            figure("flow", "C.A", 100, ("2023-03-15", "2023-04-14")),
            ev(
                "CitizenReceptionReported",
                "2023-04-14",
                "C.A",
                window=straddling,
                visits=40,
                cases_complaint=1,
                cases_denunciation=2,
                cases_petition=3,
                mass_groups=1,
                mass_group_cases=1,
            ),
            ev(
                "LettersReported",
                "2023-04-14",
                "C.A",
                window=straddling,
                received=9,
                eligible=8,
                in_jurisdiction=7,
                resolved=6,
            ),
            # recorded on a day that differs from the window's end: the window decides
            ev(
                "CitizenReceptionReported",
                "2023-07-02",
                "C.B",
                window=["2023-06-01", "2023-06-30"],
                visits=5,
            ),
        ]
    )
    # 15/3–14/4 lies in no calendar quarter: it counts in neither, and in the year
    q1 = store.snapshot("C", "2023-Q1")
    q2 = store.snapshot("C", "2023-Q2")
    assert (q1.value("flow"), q2.value("flow")) == (0, 0)
    assert (q1.value("reception.visits"), q2.value("reception.visits")) == (0, 5)
    assert value(store, "C", "2023-H1", "reception.visits") == 45
    assert value(store, "C", "2023-Q3", "reception.visits") == 0
    # counted whole, never split and never twice
    assert value(store, "C", "2023", "flow") == 100
    assert value(store, "C", "2023-03", "flow") == 0
    assert value(store, "C", "2023-04", "flow") == 0
    # under the decree-09 cut-off the window is month 4 (15/3–14/4) and lies in Q2 (C.B's
    # June, 1/6–30/6, does not: Q2 ends on 14/6)
    assert value(store, "C", "2023-04", "flow", cutoff="decree09") == 100
    assert value(store, "C", "2023-Q1", "flow", cutoff="decree09") == 0
    q2 = store.snapshot("C", "2023-Q2", cutoff="decree09")
    assert (q2.value("flow"), q2.value("reception.visits")) == (100, 40)
    assert q2.by("reception.cases", "kind") == {"complaint": 1, "denunciation": 2, "petition": 3}
    assert q2.value("reception.cases") == 6
    assert q2.value("letters.received") == 9
    assert q2.value("letters.resolved") == 6


def test_a_window_ending_on_the_15th_lies_in_no_decree09_month(store: Any) -> None:
    store.append(
        [*TREE, defined("flow", "sum"), figure("flow", "C.A", 3, ("2023-03-01", "2023-03-15"))]
    )
    assert value(store, "C", "2023-03", "flow") == 3
    assert value(store, "C", "2023-03", "flow", cutoff="decree09") == 0
    assert value(store, "C", "2023-04", "flow", cutoff="decree09") == 0
    assert value(store, "C", "2023-H1", "flow", cutoff="decree09") == 3


# --- the land pipeline ----------------------------------------------------------------------


def test_land_pipeline_counts_establishments_reaching_a_stage_once(store: Any) -> None:
    establishments = [
        ev(
            "EstablishmentRegistered",
            "2022-06-01",
            code,
            id=est,
            name=f"Chùa {est}",
            uses_land=True,
        )
        for est, code in (("E1", "C.A.1"), ("E2", "C.A.2"), ("E3", "C.B.1"))
    ]
    store.append(
        [
            *TREE,
            *establishments,
            ev("LandDossierFiled", "2023-02-10", "C.A.1", establishment_id="E1"),
            ev("LandDossierFiled", "2023-05-10", "C.A.1", establishment_id="E1"),  # again
            ev("LandDossierFiled", "2023-05-20", "C.A.2", establishment_id="E2"),
            ev("LandDossierFiled", "2022-11-30", "C.B.1", establishment_id="E3"),
            ev("LandDossierFiled", "2023-01-30", "C.B.1", establishment_id="E3"),  # again
            ev("LandDossierSubmitted", "2023-06-01", "C.A.1", establishment_id="E1"),
            ev("LandUseRightRecognized", "2023-08-01", "C.A.1", establishment_id="E1"),
            ev(
                "LandCertificateIssued",
                "2023-09-01",
                "C.A.1",
                establishment_id="E1",
                certificate_no="CS 001",
            ),
        ]
    )
    assert value(store, "C", "2023-Q1", "land.dossier_filed") == 1  # E1 only
    assert value(store, "C", "2023-Q2", "land.dossier_filed") == 1  # E2 only
    assert value(store, "C", "2023", "land.dossier_filed") == 2  # not 4
    assert value(store, "C", "2022", "land.dossier_filed") == 1  # E3
    assert value(store, "C", "2022-2023", "land.dossier_filed") == 3
    assert value(store, "C.A", "2023", "land.dossier_filed") == 2
    assert value(store, "C.B", "2023", "land.dossier_filed") == 0
    snap = store.snapshot("C", "2023")
    assert [
        snap.value(f"land.{s}")
        for s in ("dossier_submitted", "right_recognized", "certificate_issued")
    ] == [1, 1, 1]
    assert value(store, "C", "2023-Q3", "land.dossier_submitted") == 0
    explained = store.explain("C", "2023", "land.dossier_filed")
    assert [e.occurred_on.isoformat() for e in explained.events] == ["2023-02-10", "2023-05-20"]


def test_retracting_the_first_record_makes_the_next_one_count(store: Any) -> None:
    first = {
        **ev("LandDossierFiled", "2023-02-10", "C.A.1", establishment_id="E1"),
        "id": "6a0a3f4e-3d1b-4c8e-9a51-0c2d7c3b9e11",
    }
    store.append(
        [
            *TREE,
            ev(
                "EstablishmentRegistered",
                "2022-06-01",
                "C.A.1",
                id="E1",
                name="Chùa Một",
                uses_land=True,
            ),
            first,
            ev("LandDossierFiled", "2023-05-10", "C.A.1", establishment_id="E1"),
        ]
    )
    assert value(store, "C", "2023-Q1", "land.dossier_filed") == 1
    store.append(
        [ev("EventRetracted", "2023-02-10", "C.A.1", event_id=first["id"], reason="nhầm ngày")]
    )
    assert value(store, "C", "2023-Q1", "land.dossier_filed") == 0
    assert value(store, "C", "2023-Q2", "land.dossier_filed") == 1


# --- tasks ------------------------------------------------------------------------------------


def test_open_and_overdue_tasks_as_of_the_period_end(store: Any) -> None:
    def task(task_id: str, owner: str, due: str | None, day: str = "2023-03-01") -> Event:
        return ev(
            "TaskAssigned",
            day,
            "C",
            task_id=task_id,
            conclusion="01-KL/TU",
            owner=owner,
            due=due,
            text="Thực hiện kết luận",
        )

    store.append(
        [
            *TREE,
            task("t1", "C.A", "2023-04-30"),
            task("t2", "C.A.1", "2023-06-30"),
            task("t3", "C.B", None),
            task("t4", "C.S", "2023-03-31", day="2023-03-15"),
            task("t5", "C.A", "2023-12-31", day="2023-07-01"),
            ev("TaskReported", "2023-05-15", "C.A", task_id="t1", status="in_progress"),
            ev("TaskReported", "2023-06-10", "C.A", task_id="t1", status="done"),
            ev("TaskReported", "2023-04-15", "C.S", task_id="t4", status="done"),
        ]
    )

    def tasks(code: str, period: str) -> tuple[Any, Any]:
        snap = store.snapshot(code, period)
        return snap.value("task.open"), snap.value("task.overdue")

    assert tasks("C", "2023-02") == (0, 0)
    assert tasks("C", "2023-03") == (4, 0)  # due 31/3 is not past due on 31/3
    assert tasks("C", "2023-04") == (3, 0)  # t4 done on 15/4; t1 due on 30/4
    assert tasks("C", "2023-05") == (3, 1)  # t1 in progress and past due
    assert tasks("C", "2023-H1") == (2, 0)  # t1 done; t2 due today
    assert tasks("C", "2023-Q3") == (3, 1)  # t2 overdue, t3 without due, t5
    assert tasks("C.A", "2023-Q3") == (2, 1)  # t2 (at its commune), t5
    assert tasks("C.A.1", "2023-Q3") == (1, 1)
    assert tasks("C.B", "2023-Q3") == (1, 0)
    assert tasks("C.S", "2023-Q3") == (0, 0)
    # a quarter that closed before the reports still shows the tasks as they stood then
    assert tasks("C", "2023-Q1") == (4, 0)


# --- dimensions ---------------------------------------------------------------------------


def test_by_dimensions(store: Any) -> None:
    store.append(
        [
            *TREE,
            ev("DialogueHeld", "2023-03-01", "C", host="party_secretary"),
            ev("DialogueHeld", "2023-03-02", "C.A", host="chairman"),
            ev("DialogueHeld", "2023-03-03", "C.B", host="chairman"),
            ev("DialogueHeld", "2023-03-04", "C.A.1", host="standing_committee"),
            ev("DialogueHeld", "2023-03-05", "C.A.2", host="other"),
            ev("DialogueHeld", "2023-03-06", "C.B.1", host="chairman"),
            ev("DialogueHeld", "2023-03-07", "C.S", host="chairman"),
            ev(
                "ModelRegistered",
                "2023-02-01",
                "C.A.1",
                model_id="M1",
                name="Mô hình 1",
                field="ntm_model",
            ),
            ev(
                "ModelRegistered",
                "2023-02-01",
                "C.A.2",
                model_id="M2",
                name="Mô hình 2",
                field="urban",
            ),
            ev(
                "ModelRegistered",
                "2023-02-01",
                "C.A.2",
                model_id="M3",
                name="Mô hình 3",
                field="urban",
            ),
            ev(
                "ModelRegistered",
                "2023-02-01",
                "C.S",
                model_id="M4",
                name="Mô hình 4",
                field="digital",
            ),
            ev("InspectionConducted", "2023-04-01", "C.A", kind="inspection"),
            ev("InspectionConducted", "2023-04-02", "C.A", kind="supervision"),
            ev("InspectionConducted", "2023-04-03", "C", kind="supervision"),
            ev(
                "DocumentIssued",
                "2023-01-10",
                "C",
                number="08-NQ/TU",
                kind="resolution",
                sets_targets=True,
            ),
            ev("DocumentIssued", "2023-01-11", "C.A", number="01-KH/HU", kind="plan"),
            ev(
                "DocumentIssued",
                "2023-01-12",
                "C.B",
                number="02-NQ/TXU",
                kind="resolution",
                sets_targets=True,
            ),
            ev("SocialSupervisionHeld", "2023-05-01", "C.A.1", topic="Giám sát"),
            ev("SocialCritiqueHeld", "2023-05-01", "C.B", topic="Phản biện"),
        ]
    )
    snap = store.snapshot("C", "2023")
    assert snap.by("dialogue.count", "level") == {
        "city": 1,
        "district": 2,
        "commune": 3,
        "other": 1,
    }
    assert snap.by("dialogue.count", "host") == {
        "party_secretary": 1,
        "chairman": 4,
        "standing_committee": 1,
        "other": 1,
    }
    assert snap.by("dialogue.units_with", "level") == {
        "city": 1,
        "district": 2,
        "commune": 3,
        "other": 1,
    }
    assert snap.value("dialogue.units_with") == 7
    assert snap.by("model.registered", "field") == {"ntm_model": 1, "urban": 2, "digital": 1}
    assert snap.by("model.registered", "level") == {"commune": 3, "other": 1}
    assert snap.by("inspection.count", "kind") == {"inspection": 1, "supervision": 2}
    assert snap.value("inspection.count") == 3
    assert snap.by("document.count", "kind") == {"resolution": 2, "plan": 1}
    assert snap.value("document.sets_targets") == 2
    assert snap.value("supervision.count") == 1
    assert snap.value("critique.count") == 1
    # breakdowns add up to the value
    for code, dim in (
        ("dialogue.count", "level"),
        ("dialogue.count", "host"),
        ("model.registered", "field"),
        ("inspection.count", "kind"),
        ("document.count", "kind"),
    ):
        assert sum(snap.by(code, dim).values()) == snap.value(code)
    # the JSON shape sorts the keys
    assert list(snap.to_dict()["indicators"]["dialogue.count"]["by"]) == ["host", "level"]
    # a district's subtree
    district = store.snapshot("C.A", "2023")
    assert district.by("dialogue.count", "level") == {"district": 1, "commune": 2}
    assert district.by("model.registered", "field") == {"ntm_model": 1, "urban": 2}


# --- the cut-off conventions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "period", "calendar", "decree09"),
    [
        ("2023-09-14", "2023-9M", 1, 1),
        ("2023-09-20", "2023-9M", 1, 0),
        ("2023-09-20", "2023-Q4", 0, 1),
        ("2022-12-20", "2023-Q1", 0, 1),
        ("2022-12-20", "2022-Q4", 1, 0),
        ("2022-12-20", "2023", 0, 1),
        ("2022-12-14", "2023", 0, 0),
        ("2023-12-15", "2023", 1, 0),
        ("2023-12-15", "2024-01", 0, 1),
        ("2023-06-14", "2023-H1", 1, 1),
        ("2023-06-15", "2023-H1", 1, 0),
    ],
)
def test_decree09_cutoff(store: Any, day: str, period: str, calendar: int, decree09: int) -> None:
    store.append([*TREE, ev("DialogueHeld", day, "C.A.1", host="chairman")])
    assert value(store, "C", period, "dialogue.count") == calendar
    assert value(store, "C", period, "dialogue.count", cutoff="calendar") == calendar
    assert value(store, "C", period, "dialogue.count", cutoff="decree09") == decree09


def test_a_store_opened_with_decree09_uses_it_by_default(store_url: str, clock: Any) -> None:
    from dvcore import open_store

    with open_store(store_url, clock=clock, cutoff="decree09") as store:
        store.append([*TREE, ev("DialogueHeld", "2022-12-20", "C.A.1", host="chairman")])
        snap = store.snapshot("C", "2023-Q1")
        assert snap.value("dialogue.count") == 1
        assert snap.to_dict()["period"] == {
            "spec": "2023-Q1",
            "start": "2022-12-15",
            "end": "2023-03-14",
        }
        assert value(store, "C", "2023-Q1", "dialogue.count", cutoff="calendar") == 0
