"""Tests of dvcore._builtin.demo: the demo data set reproduces seed 001's published figures.

Every figure is counted directly from the returned dicts, in plain Python, without a store:
these tests pin the data set itself, whatever the store does with it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from dvcore._builtin import demo

Event = dict[str, Any]

NINE_MONTHS = ("2023-01-01", "2023-09-15")  # "Tính đến ngày 15/9/2023"
AS_OF = "2023-09-30"
LEVEL = {
    "city": "city",
    "province": "city",
    "district": "district",
    "town": "district",
    "commune": "commune",
    "ward": "commune",
    "township": "commune",
}
DISTRICT_NAMES = {
    "Quận Hồng Bàng",
    "Quận Ngô Quyền",
    "Quận Lê Chân",
    "Quận Hải An",
    "Quận Kiến An",
    "Quận Đồ Sơn",
    "Quận Dương Kinh",
    "Huyện Thủy Nguyên",
    "Huyện An Dương",
    "Huyện An Lão",
    "Huyện Kiến Thụy",
    "Huyện Tiên Lãng",
    "Huyện Vĩnh Bảo",
    "Huyện Cát Hải",
    "Huyện Bạch Long Vĩ",
}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ENVELOPE = {"type", "occurred_on", "unit", "data", "source_ref"}


@pytest.fixture(scope="module")
def events() -> list[Event]:
    return demo.hai_phong_events()


@pytest.fixture(scope="module")
def late() -> list[Event]:
    return demo.late_entries()


@pytest.fixture(scope="module")
def merge() -> list[Event]:
    return demo.merge_2025_events()


# ---- counting helpers ------------------------------------------------------------------


def of_type(events: list[Event], kind: str) -> list[Event]:
    return [e for e in events if e["type"] == kind]


def in_window(event: Event, window: tuple[str, str] = NINE_MONTHS) -> bool:
    day: str = event["occurred_on"]
    return window[0] <= day <= window[1]


def units_of(events: list[Event]) -> dict[str, dict[str, Any]]:
    return {e["data"]["code"]: e["data"] for e in of_type(events, "UnitRegistered")}


def using_land(events: list[Event], as_of: str) -> set[str]:
    using: dict[str, bool] = {}
    for e in events:
        if e["occurred_on"] > as_of:
            continue
        kind, data = e["type"], e["data"]
        if kind == "EstablishmentRegistered" or (
            kind == "EstablishmentChanged" and "uses_land" in data
        ):
            using[data["id"]] = data["uses_land"]
    return {i for i, flag in using.items() if flag}


def stage(events: list[Event], kind: str, among: set[str] | None = None) -> set[str]:
    reached = {e["data"]["establishment_id"] for e in of_type(events, kind) if in_window(e)}
    return reached if among is None else reached & among


def total(events: list[Event], kind: str, key: str) -> int:
    return sum(e["data"][key] for e in of_type(events, kind))


def latest_sum(events: list[Event], indicator: str) -> int:
    latest: dict[str, tuple[str, int]] = {}
    for e in of_type(events, "FigureReported"):
        if e["data"]["indicator"] == indicator:
            end = e["data"]["window"][1]
            if e["unit"] not in latest or end >= latest[e["unit"]][0]:
                latest[e["unit"]] = (end, e["data"]["value"])
    return sum(value for _, value in latest.values())


def plan(threshold: str, denominator: int, rounding: str) -> int:
    mode = {"half_up": ROUND_HALF_UP, "ceil": ROUND_CEILING}[rounding]
    return int((Decimal(threshold) * denominator).quantize(Decimal(1), rounding=mode))


def per_mille(numerator: int, denominator: int) -> int:
    ratio = Decimal(numerator * 1000) / denominator
    return int(ratio.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def units_with(events: list[Event], kind: str, population: set[str]) -> set[str]:
    return {e["unit"] for e in of_type(events, kind) if in_window(e)} & population


def target_populations(events: list[Event]) -> dict[str, set[str]]:
    units = units_of(events)
    target1 = {
        c
        for c, u in units.items()
        if u["kind"] == "ward"
        or (u["kind"] == "commune" and u["attributes"].get("ntm_model") is True)
    }
    target2 = {c for c, u in units.items() if u["kind"] in LEVEL}
    return {"08-NQ/TU.1": target1, "08-NQ/TU.2": target2}


def open_tasks(events: list[Event], as_of: str) -> tuple[int, int]:
    assigned = {
        e["data"]["task_id"]: {**e["data"], "_assigned_on": e["occurred_on"]}
        for e in of_type(events, "TaskAssigned")
        if e["occurred_on"] <= as_of
    }
    done = {
        e["data"]["task_id"]
        for e in of_type(events, "TaskReported")
        if e["occurred_on"] <= as_of and e["data"]["status"] == "done"
    }
    still_open = {i: t for i, t in assigned.items() if i not in done}
    reported = defaultdict(list)
    for e in of_type(events, "TaskReported"):
        if e["occurred_on"] <= as_of:
            reported[e["data"]["task_id"]].append(e["occurred_on"])
    return len(still_open), sum(
        1 for i, t in still_open.items() if task_overdue(t, reported[i], as_of)
    )


def task_overdue(task: dict[str, Any], reports: list[str], as_of: str) -> bool:
    """A one-off task past its date; a recurring one whose latest due day on or before
    ``as_of`` has no report since the due day before (days walked one by one)."""
    if task.get("recurrence") is None:
        return task["due"] is not None and task["due"] < as_of
    return recurring_overdue(task["recurrence"], task["_assigned_on"], reports, as_of)


def recurring_overdue(rule: str, assigned_on: str, reports: list[str], as_of: str) -> bool:
    due_days = []
    day = dt.date.fromisoformat(assigned_on) + dt.timedelta(days=1)
    end = dt.date.fromisoformat(as_of)
    while day <= end:
        if (
            (rule.startswith("monthly:") and day.day == int(rule[8:]))
            or (rule == "quarterly" and day.day == 1 and day.month in (1, 4, 7, 10))
            or (rule == "yearly" and (day.month, day.day) == (1, 1))
        ):
            due_days.append(day.isoformat())
        day += dt.timedelta(days=1)
    if not due_days:
        return False
    previous = due_days[-2] if len(due_days) > 1 else ""
    return not any(previous < r <= as_of for r in reports)


def golden_figures(events: list[Event]) -> dict[str, int]:
    """Every key of demo.GOLDEN, counted from the events."""
    units = units_of(events)
    kinds = Counter(u["kind"] for u in units.values())
    dialogues = [e for e in of_type(events, "DialogueHeld") if in_window(e)]
    by_level = Counter(LEVEL[units[e["unit"]]["kind"]] for e in dialogues)
    models = [e for e in of_type(events, "ModelRegistered") if in_window(e)]
    by_field = Counter(e["data"]["field"] for e in models)
    live = using_land(events, "2023-09-15")
    submitted = len(stage(events, "LandDossierSubmitted", live))
    plan_3b = plan("0.10", len(live), "half_up")
    reception = "CitizenReceptionReported"
    cases = {
        k: total(events, reception, f"cases_{k}") for k in ("complaint", "denunciation", "petition")
    }
    district_codes = {c for c, u in units.items() if u["kind"] == "district"}
    setting_targets = {
        e["unit"]
        for e in of_type(events, "DocumentIssued")
        if e["data"]["sets_targets"]
        and e["unit"] in district_codes
        and e["occurred_on"].startswith("2023")
    }
    plans = {
        e["unit"]
        for e in of_type(events, "DialoguePlanIssued")
        if e["unit"] in district_codes and e["data"]["year"] == 2023
    }
    inspections = [
        e
        for e in of_type(events, "InspectionConducted")
        if in_window(e) and e["unit"] in district_codes
    ]
    border = [
        e
        for e in of_type(events, "FigureReported")
        if e["data"]["indicator"] == "border.families_pledged" and in_window(e)
    ]
    return {
        "units.department_and_district": kinds["department"] + kinds["district"],
        "units.commune_level": kinds["commune"] + kinds["ward"] + kinds["township"],
        "establishment.using_land@2022-12-06": len(using_land(events, "2022-12-06")),
        "establishment.using_land@2023-09-15": len(live),
        "model.registered": len(models),
        "model.registered.ntm_model": by_field["ntm_model"],
        "model.registered.urban": by_field["urban"],
        "dialogue.count": len(dialogues),
        "dialogue.count.city": by_level["city"],
        "dialogue.count.district": by_level["district"],
        "dialogue.count.commune": by_level["commune"],
        "land.dossier_submitted": submitted,
        "land.right_recognized": len(stage(events, "LandUseRightRecognized", live)),
        "target.08-NQ/TU.3b.plan": plan_3b,
        "target.08-NQ/TU.3b.plan_completion_per_mille": per_mille(submitted, plan_3b),
        "reception.visits": total(events, reception, "visits"),
        "reception.cases": sum(cases.values()),
        **{f"reception.cases.{k}": v for k, v in cases.items()},
        "reception.mass_groups": total(events, reception, "mass_groups"),
        "reception.mass_group_cases": total(events, reception, "mass_group_cases"),
        "letters.received": total(events, "LettersReported", "received"),
        "letters.eligible": total(events, "LettersReported", "eligible"),
        "letters.in_jurisdiction": total(events, "LettersReported", "in_jurisdiction"),
        "document.sets_targets.district": len(setting_targets),
        "dialogue_plan.district": len(plans),
        "inspection.count": len(inspections),
        "veterans.patrol_teams": latest_sum(events, "veterans.patrol_teams"),
        "veterans.patrol_members": latest_sum(events, "veterans.patrol_members"),
        "border.families_pledged": sum(e["data"]["value"] for e in border),
    }


def demo_figures(events: list[Event], late: list[Event]) -> dict[str, int]:
    """Every key of demo.DEMO_FIGURES, counted from the events."""
    units = units_of(events)
    live = using_land(events, "2023-09-15")
    populations = target_populations(events)
    everything = [*events, *late]
    task_open, task_overdue = open_tasks(events, AS_OF)
    return {
        "units.ntm_model": sum(1 for u in units.values() if u["attributes"].get("ntm_model")),
        "land.dossier_filed": len(stage(events, "LandDossierFiled", live)),
        "target.08-NQ/TU.3a.plan": plan("0.40", len(live), "half_up"),
        "land.certificate_issued": len(stage(events, "LandCertificateIssued", live)),
        "letters.resolved": total(events, "LettersReported", "resolved"),
        "target.08-NQ/TU.1.numerator": len(
            units_with(events, "ModelRegistered", populations["08-NQ/TU.1"])
        ),
        "target.08-NQ/TU.1.denominator": len(populations["08-NQ/TU.1"]),
        "target.08-NQ/TU.2.numerator": len(
            units_with(events, "DialogueHeld", populations["08-NQ/TU.2"])
        ),
        "target.08-NQ/TU.2.denominator": len(populations["08-NQ/TU.2"]),
        "task.assigned": len(of_type(events, "TaskAssigned")),
        "task.open@2023-09-30": task_open,
        "task.overdue@2023-09-30": task_overdue,
        "late.dialogue.count": sum(1 for e in of_type(everything, "DialogueHeld") if in_window(e)),
        "late.land.dossier_submitted": len(stage(everything, "LandDossierSubmitted", live)),
        "late.target.08-NQ/TU.2.numerator": len(
            units_with(everything, "DialogueHeld", populations["08-NQ/TU.2"])
        ),
    }


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


# ---- the golden figures ----------------------------------------------------------------


def test_every_golden_figure_is_reproduced(events: list[Event]) -> None:
    assert golden_figures(events) == dict(demo.GOLDEN)


def test_the_seed_figures_by_value() -> None:
    # A few figures spelled out, so that an edit of GOLDEN cannot pass silently.
    assert demo.GOLDEN["dialogue.count"] == 470 == 6 + 112 + 352
    assert demo.GOLDEN["model.registered"] == 2035
    assert demo.GOLDEN["reception.cases"] == 2300 == 155 + 64 + 2081
    assert demo.GOLDEN["establishment.using_land@2023-09-15"] == 222
    assert demo.GOLDEN["target.08-NQ/TU.3b.plan_completion_per_mille"] == 545  # 54,5%
    assert demo.GOLDEN["veterans.patrol_teams"] == 1468
    assert demo.GOLDEN["veterans.patrol_members"] == 4782


def test_every_demo_figure_is_reproduced(events: list[Event], late: list[Event]) -> None:
    assert demo_figures(events, late) == dict(demo.DEMO_FIGURES)


def test_targets_of_resolution_08(events: list[Event]) -> None:
    (adopted,) = of_type(events, "TargetSetAdopted")
    assert adopted["unit"] == demo.CITY
    assert adopted["occurred_on"] == "2022-12-06"
    assert adopted["data"]["resolution"] == "08-NQ/TU"
    targets = {t["code"]: t for t in adopted["data"]["targets"]}
    assert list(targets) == ["08-NQ/TU.1", "08-NQ/TU.2", "08-NQ/TU.3a", "08-NQ/TU.3b"]
    keys = {
        "code",
        "title",
        "indicator",
        "measure",
        "population",
        "population_filter",
        "threshold",
        "period",
        "rounding",
    }
    assert all(set(t) == keys for t in targets.values())
    assert targets["08-NQ/TU.1"]["population_filter"] == [
        {"kinds": ["commune"], "attributes": {"ntm_model": True}},
        {"kinds": ["ward"]},
    ]
    expected = {
        "08-NQ/TU.1": ("units_with", "model.registered", "units", "1.0", "ceil"),
        "08-NQ/TU.2": ("units_with", "dialogue.count", "units", "1.0", "ceil"),
        "08-NQ/TU.3a": (
            "count",
            "land.dossier_filed",
            "establishments_using_land",
            "0.4",
            "half_up",
        ),
        "08-NQ/TU.3b": (
            "count",
            "land.dossier_submitted",
            "establishments_using_land",
            "0.1",
            "half_up",
        ),
    }
    for code, (measure, indicator, population, threshold, rounding) in expected.items():
        t = targets[code]
        assert (t["measure"], t["indicator"], t["population"], t["rounding"]) == (
            measure,
            indicator,
            population,
            rounding,
        )
        assert Decimal(json.dumps(t["threshold"])) == Decimal(threshold)
        assert t["period"] == "2023"
    (document,) = [
        e for e in of_type(events, "DocumentIssued") if e["data"]["number"] == "08-NQ/TU"
    ]
    assert document["occurred_on"] == "2022-12-06"
    assert document["data"]["sets_targets"]


def test_target_1_is_met_and_target_2_shows_missing_units(events: list[Event]) -> None:
    populations = target_populations(events)
    with_model = units_with(events, "ModelRegistered", populations["08-NQ/TU.1"])
    assert with_model == populations["08-NQ/TU.1"]  # 100% of wards and NTM communes
    assert plan("1.0", len(populations["08-NQ/TU.1"]), "ceil") == len(with_model)
    with_dialogue = units_with(events, "DialogueHeld", populations["08-NQ/TU.2"])
    missing = populations["08-NQ/TU.2"] - with_dialogue
    units = units_of(events)
    assert len(missing) == 5
    assert all(LEVEL[units[c]["kind"]] == "commune" for c in missing)


def test_land_targets(events: list[Event]) -> None:
    live = using_land(events, "2023-09-15")
    assert plan("0.40", len(live), "half_up") == 89  # 40% of 222 = 88.8
    assert len(stage(events, "LandDossierFiled", live)) >= 89  # target 3a met
    assert plan("0.10", len(live), "half_up") == 22  # 10% of 222 = 22.2
    assert len(stage(events, "LandDossierSubmitted", live)) == 12  # 3b not met: 12/22
    # The 239 of the resolution is not the denominator: 17 stopped using land in 2023.
    assert len(using_land(events, "2022-12-06")) - len(live) == 17


def test_stock_figures_count_their_latest_value_not_the_sum(events: list[Event]) -> None:
    for indicator, published in (
        ("veterans.patrol_teams", 1468),
        ("veterans.patrol_members", 4782),
    ):
        reports = [
            e for e in of_type(events, "FigureReported") if e["data"]["indicator"] == indicator
        ]
        assert latest_sum(events, indicator) == published
        assert sum(e["data"]["value"] for e in reports) > published
        assert {e["unit"] for e in reports} == {
            c for c, u in units_of(events).items() if u["kind"] == "district"
        }
    defined = {e["data"]["code"]: e["data"] for e in of_type(events, "IndicatorDefined")}
    assert defined["veterans.patrol_teams"]["aggregation"] == "last"
    assert defined["veterans.patrol_members"]["aggregation"] == "last"
    assert defined["border.families_pledged"]["aggregation"] == "sum"
    assert {e["data"]["indicator"] for e in of_type(events, "FigureReported")} <= set(defined)


def test_tasks_of_the_conclusion(events: list[Event]) -> None:
    units = units_of(events)
    (conclusion,) = [
        e for e in of_type(events, "DocumentIssued") if e["data"]["kind"] == "conclusion"
    ]
    tasks = of_type(events, "TaskAssigned")
    # seed 004's shape: numbers 1.1… and 2.1… under two titled groups
    assert [t["data"]["task_id"] for t in tasks] == [
        "1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3"
    ]  # fmt: skip
    assert {t["data"]["group"] for t in tasks} == {"Nhiệm vụ chung", "Nhiệm vụ cụ thể"}
    for task in tasks:
        assert task["unit"] == demo.CITY
        assert task["data"]["conclusion"] == conclusion["data"]["number"]
        for owner in [task["data"]["owner"], *task["data"]["co_owners"]]:
            assert owner.partition(":")[0] in units
        assert (task["data"]["due"] is None) != (task["data"]["recurrence"] is None)
        assert task["data"]["due"] is None or ISO_DATE.match(task["data"]["due"])
    assert any(t["data"]["co_owners"] for t in tasks)  # several owners
    assert any(":" in t["data"]["owner"] for t in tasks)  # bodies of units
    assert {t["data"]["recurrence"] for t in tasks} >= {"monthly:10", "quarterly"}
    task_ids = {t["data"]["task_id"] for t in tasks}
    assert {e["data"]["task_id"] for e in of_type(events, "TaskReported")} <= task_ids
    still_open, overdue = open_tasks(events, AS_OF)
    assert still_open > 0
    assert overdue >= 1


def test_city_dialogues_from_the_seed(events: list[Event]) -> None:
    city = [e for e in of_type(events, "DialogueHeld") if e["unit"] == demo.CITY]
    days = {e["occurred_on"]: e["data"] for e in city}
    assert {"2023-03-30", "2023-05-27", "2023-08-19"} <= set(days)  # footnotes 2-4
    assert days["2023-03-30"]["issues_raised"] == 14  # "14 nhóm ý kiến, kiến nghị"
    hosts = Counter(e["data"]["host"] for e in of_type(events, "DialogueHeld"))
    assert hosts["party_secretary"] > 0
    assert hosts["chairman"] > 0
    keys = {"host", "audience", "participants", "issues_raised", "title"}
    assert all(set(e["data"]) == keys for e in of_type(events, "DialogueHeld"))


# ---- the unit tree -----------------------------------------------------------------------


def test_unit_tree(events: list[Event]) -> None:
    units = units_of(events)
    assert units[demo.CITY]["kind"] == "city"
    assert units[demo.CITY]["parent"] is None
    assert units[demo.CITY]["name"] == "Thành phố Hải Phòng"
    districts = {c: u for c, u in units.items() if u["kind"] == "district"}
    assert {u["name"] for u in districts.values()} == DISTRICT_NAMES
    assert all(u["parent"] == demo.CITY for u in districts.values())
    assert all(re.fullmatch(r"HP\.[A-Z]{2,3}", c) for c in districts)
    communes = {c: u for c, u in units.items() if LEVEL.get(u["kind"]) == "commune"}
    assert len(communes) == 217
    for code, unit in communes.items():
        parent = districts[unit["parent"]]
        assert re.fullmatch(re.escape(unit["parent"]) + r"\.\d{2}", code)
        if parent["name"].startswith("Quận"):
            assert unit["kind"] == "ward"
            assert unit["name"].startswith("Phường ")
        else:
            assert unit["kind"] in {"commune", "township"}
        if unit["attributes"].get("ntm_model"):
            assert unit["kind"] == "commune"
    departments = [u for u in units.values() if u["kind"] == "department"]
    assert len(departments) == 20
    assert all(u["parent"] == demo.CITY for u in departments)
    assert "Sở Tài nguyên và Môi trường" in {u["name"] for u in departments}
    assert len({u["name"] for u in departments}) == 20
    names_by_parent = defaultdict(list)
    for unit in units.values():
        names_by_parent[unit["parent"]].append(unit["name"])
    assert all(len(set(v)) == len(v) for v in names_by_parent.values())


def test_units_are_registered_before_use(events: list[Event]) -> None:
    registered: set[str] = set()
    for e in events:
        if e["type"] == "UnitRegistered":
            data = e["data"]
            assert data["code"] not in registered
            if data["parent"] is None:
                assert e["unit"] == data["code"]
            else:
                assert data["parent"] in registered
                assert e["unit"] == data["parent"]
            assert isinstance(data["attributes"], dict)
            registered.add(data["code"])
        else:
            assert e["unit"] in registered, e
        if e["type"] == "TaskAssigned":
            for owner in [e["data"]["owner"], *e["data"]["co_owners"]]:
                assert owner.partition(":")[0] in registered


def test_establishments_are_registered_before_use_and_stages_in_order(
    events: list[Event],
) -> None:
    where: dict[str, str] = {}
    seen: dict[str, list[tuple[str, str]]] = defaultdict(list)
    order = [
        "LandDossierFiled",
        "LandDossierSubmitted",
        "LandUseRightRecognized",
        "LandCertificateIssued",
    ]
    for e in events:
        if e["type"] == "EstablishmentRegistered":
            assert e["data"]["id"] not in where
            where[e["data"]["id"]] = e["unit"]
        elif e["type"] == "EstablishmentChanged":
            assert where[e["data"]["id"]] == e["unit"]
        elif e["type"] in order:
            ident = e["data"]["establishment_id"]
            assert where[ident] == e["unit"]
            seen[ident].append((e["type"], e["occurred_on"]))
    assert len(where) == 239
    religions = Counter(e["data"]["religion"] for e in of_type(events, "EstablishmentRegistered"))
    assert set(religions) <= {"Phật giáo", "Công giáo", "Tin lành"}
    units = units_of(events)
    assert all(LEVEL[units[u]["kind"]] == "commune" for u in where.values())
    for stages in seen.values():
        kinds = [k for k, _ in stages]
        assert kinds == order[: len(kinds)], kinds  # each stage once, in pipeline order
        days = [d for _, d in stages]
        assert days == sorted(days)
        assert len(set(days)) == len(days)
    stopped = {e["data"]["id"] for e in of_type(events, "EstablishmentChanged")}
    assert not stopped & set(seen)  # no dossier for an establishment no longer using land
    assert all(
        "2023-01-01" <= e["occurred_on"] < "2023-09-15"
        for e in of_type(events, "EstablishmentChanged")
    )


# ---- shapes, dates, determinism ----------------------------------------------------------


def test_envelope_and_json(events: list[Event], late: list[Event], merge: list[Event]) -> None:
    for e in [*events, *late, *merge]:
        assert set(e) == ENVELOPE
        assert isinstance(e["data"], dict)
        assert json.loads(json.dumps(e, ensure_ascii=False)) == e


def test_source_refs_are_unique(events: list[Event], late: list[Event], merge: list[Event]) -> None:
    refs = [e["source_ref"] for e in [*events, *late, *merge]]
    assert all(isinstance(r, str) and r.startswith("demo:") for r in refs)
    duplicates = [r for r, n in Counter(refs).items() if n > 1]
    assert duplicates == []


def test_dates_are_iso_and_in_range(
    events: list[Event], late: list[Event], merge: list[Event]
) -> None:
    def check(e: Event, first: str, last: str) -> None:
        day = e["occurred_on"]
        assert ISO_DATE.match(day)
        assert dt.date.fromisoformat(day).isoformat() == day
        assert first <= day <= last, e

    for e in events:
        check(e, "2020-01-01", "2023-12-31")
        window = e["data"].get("window")
        if window is not None:
            assert len(window) == 2
            assert window[0] <= window[1] == e["occurred_on"]
            assert all(ISO_DATE.match(d) for d in window)
    flows = {
        "DialogueHeld",
        "ModelRegistered",
        "LandDossierFiled",
        "LandDossierSubmitted",
        "LandUseRightRecognized",
        "LandCertificateIssued",
        "InspectionConducted",
    }
    for e in events:
        if e["type"] in flows:
            check(e, "2023-01-01", "2023-09-14")  # same under calendar and decree-09 9M
    for e in late:
        check(e, "2023-01-01", "2023-09-14")
    for e in merge:
        check(e, "2025-01-01", "2025-12-31")


def test_counts_are_non_negative_integers_and_consistent(events: list[Event]) -> None:
    for e in of_type(events, "CitizenReceptionReported"):
        d = e["data"]
        numbers = [v for k, v in d.items() if k != "window"]
        assert all(type(v) is int and v >= 0 for v in numbers)
        cases = d["cases_complaint"] + d["cases_denunciation"] + d["cases_petition"]
        assert cases <= d["visits"]
        assert d["mass_group_cases"] <= d["mass_groups"]
        assert d["window"] == ["2023-01-01", "2023-08-31"]
    for e in of_type(events, "LettersReported"):
        d = e["data"]
        assert all(type(v) is int and v >= 0 for k, v in d.items() if k != "window")
        assert d["resolved"] <= d["in_jurisdiction"] <= d["eligible"] <= d["received"]
    members: dict[tuple[str, str], int] = {}
    teams: dict[tuple[str, str], int] = {}
    for e in of_type(events, "FigureReported"):
        value = e["data"]["value"]
        assert type(value) is int
        assert value >= 0
        key = (e["unit"], e["data"]["window"][1])
        if e["data"]["indicator"] == "veterans.patrol_teams":
            teams[key] = value
        elif e["data"]["indicator"] == "veterans.patrol_members":
            members[key] = value
    assert teams.keys() == members.keys()
    assert all(teams[k] >= 1 and members[k] >= teams[k] for k in teams)
    for e in of_type(events, "DialogueHeld"):
        assert e["data"]["participants"] > 0
        assert e["data"]["issues_raised"] >= 0


def test_vietnamese_text_is_nfc(events: list[Event], late: list[Event], merge: list[Event]) -> None:
    for text in strings([*events, *late, *merge]):
        assert unicodedata.is_normalized("NFC", text), text
    source = Path(demo.__file__).read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", source)


def test_deterministic_and_fresh() -> None:
    first = demo.hai_phong_events()
    first[0]["data"]["name"] = "changed"
    first.pop()
    assert demo.hai_phong_events() != first
    assert demo.hai_phong_events() == demo.hai_phong_events()
    assert demo.late_entries() == demo.late_entries()
    assert demo.merge_2025_events() == demo.merge_2025_events()


def test_events_other_than_units_are_in_date_order(events: list[Event]) -> None:
    first_fact = next(i for i, e in enumerate(events) if e["type"] != "UnitRegistered")
    assert all(e["type"] == "UnitRegistered" for e in events[:first_fact])
    assert all(e["type"] != "UnitRegistered" for e in events[first_fact:])
    days = [e["occurred_on"] for e in events[first_fact:]]
    assert days == sorted(days)


# ---- late entries and the 2025 merger ----------------------------------------------------


def test_late_entries(events: list[Event], late: list[Event]) -> None:
    units = units_of(events)
    assert late
    assert all(e["unit"] in units for e in late)
    assert Counter(e["type"] for e in late)["DialogueHeld"] == 3
    held_before = {e["unit"] for e in of_type(events, "DialogueHeld")}
    for e in of_type(late, "DialogueHeld"):
        assert LEVEL[units[e["unit"]]["kind"]] == "commune"
        assert e["unit"] not in held_before
    filed = stage(events, "LandDossierFiled")
    submitted = stage(events, "LandDossierSubmitted")
    for e in of_type(late, "LandDossierSubmitted"):
        ident = e["data"]["establishment_id"]
        assert ident in filed
        assert ident not in submitted
    assert {e["source_ref"] for e in late}.isdisjoint(e["source_ref"] for e in events)


def test_merge_2025(events: list[Event], merge: list[Event]) -> None:
    units = units_of(events)
    (merged,) = of_type(merge, "UnitsMerged")
    assert merged["occurred_on"] == "2025-07-01"
    sources, into = merged["data"]["sources"], merged["data"]["into"]
    assert into == demo.MERGED_WARD
    assert tuple(sources) == demo.MERGED_WARD_SOURCES
    assert len(sources) == 3
    assert all(units[s]["kind"] == "ward" for s in sources)
    (district,) = {units[s]["parent"] for s in sources}
    assert units[district]["name"].startswith("Quận")
    position = {e["source_ref"]: i for i, e in enumerate(merge)}
    (registered,) = of_type(merge, "UnitRegistered")
    assert registered["data"]["code"] == into
    assert registered["data"]["kind"] == "ward"
    assert registered["data"]["parent"] in units
    assert registered["occurred_on"] == "2025-07-01"
    assert position[registered["source_ref"]] < position[merged["source_ref"]]
    for e in of_type(merge, "DialogueHeld"):
        if e["unit"] in sources:
            assert "2025-01-01" <= e["occurred_on"] <= "2025-06-30"
        else:
            assert e["unit"] == into
            assert "2025-07-01" <= e["occurred_on"] <= "2025-12-31"
            assert position[registered["source_ref"]] < position[e["source_ref"]]
    assert {e["unit"] for e in of_type(merge, "DialogueHeld")} == {*sources, into}
