"""Targets (DESIGN.md §5) through the store: measures, populations, rounding, the window."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from dvcore.errors import InputError, UnknownUnitError
from dvcore.targets import plan_for

Event = dict[str, Any]


def ev(type_name: str, day: str, unit: str, **data: Any) -> Event:
    return {"type": type_name, "occurred_on": day, "unit": unit, "data": data}


def unit(code: str, kind: str, parent: str | None, **attributes: Any) -> Event:
    return ev(
        "UnitRegistered",
        "2020-01-01",
        parent or code,
        code=code,
        name=f"Đơn vị {code}",
        kind=kind,
        parent=parent,
        attributes=attributes,
    )


# A city, an urban district with three wards, a rural district with four communes (two
# building model new-style rural areas) and a township.
TREE = [
    unit("C", "city", None),
    unit("C.U", "district", "C"),
    unit("C.R", "district", "C"),
    unit("C.U.1", "ward", "C.U"),
    unit("C.U.2", "ward", "C.U"),
    unit("C.U.3", "ward", "C.U"),
    unit("C.R.1", "commune", "C.R", ntm_model=True),
    unit("C.R.2", "commune", "C.R", ntm_model=True),
    unit("C.R.3", "commune", "C.R", ntm_model=False),
    unit("C.R.4", "commune", "C.R"),
    unit("C.R.5", "township", "C.R"),
    unit("C.S", "department", "C"),
]


def target(
    code: str,
    indicator: str,
    measure: str,
    population: str,
    threshold: float,
    population_filter: list[dict[str, Any]] | None = None,
    period: str = "2023",
    rounding: str = "half_up",
) -> dict[str, Any]:
    return {
        "code": code,
        "title": f"Chỉ tiêu {code}",
        "indicator": indicator,
        "measure": measure,
        "population": population,
        "population_filter": population_filter or [],
        "threshold": threshold,
        "period": period,
        "rounding": rounding,
    }


def adopt(day: str, resolution: str, *targets: dict[str, Any], unit_code: str = "C") -> Event:
    return ev("TargetSetAdopted", day, unit_code, resolution=resolution, targets=list(targets))


def model(code: str, day: str, model_id: str, field: str = "urban") -> Event:
    return ev(
        "ModelRegistered", day, code, model_id=model_id, name=f"Mô hình {model_id}", field=field
    )


def establishment(est: str, code: str, day: str = "2022-01-01", uses_land: bool = True) -> Event:
    return ev(
        "EstablishmentRegistered",
        day,
        code,
        id=est,
        name=f"Cơ sở {est}",
        religion="Phật giáo",
        uses_land=uses_land,
    )


def submitted(est: str, code: str, day: str) -> Event:
    return ev("LandDossierSubmitted", day, code, establishment_id=est)


def one(store: Any, as_of: str, unit_code: str = "C", **kw: Any) -> Any:
    (result,) = store.targets(unit_code, as_of, **kw)
    return result


MODEL_TARGET = target(
    "08.1",
    "model.registered",
    "units_with",
    "units",
    1.0,
    [{"kinds": ["commune"], "attributes": {"ntm_model": True}}, {"kinds": ["ward"]}],
    rounding="ceil",
)


def test_units_with_a_population_filter_of_alternatives(store: Any) -> None:
    store.append(
        [
            *TREE,
            adopt("2022-12-06", "08-NQ/TU", MODEL_TARGET),
            model("C.U.1", "2023-02-01", "M1"),
            model("C.U.1", "2023-02-02", "M2"),  # a second model counts the ward once
            model("C.U.2", "2023-03-01", "M3"),
            model("C.R.1", "2023-04-01", "M4", "ntm_model"),
            model("C.R.3", "2023-04-01", "M5", "ntm_model"),  # not in the population
            model("C.R.5", "2023-04-01", "M6"),  # a township: not in the population
            model("C.U", "2023-04-01", "M7"),  # the district itself: not in the population
            model("C.U.3", "2022-12-31", "M8"),  # before the target's period
            model("C.R.2", "2023-09-16", "M9", "ntm_model"),  # after the cut-off
        ]
    )
    result = one(store, "2023-09-15")
    assert result.numerator == 3  # C.U.1, C.U.2, C.R.1
    assert result.denominator == 5  # 3 wards + 2 ntm communes
    assert result.plan == 5
    assert result.met is False
    assert result.missing == ("C.R.2", "C.U.3")
    assert result.counted == ("C.R.1", "C.U.1", "C.U.2")
    assert result.ratio == Decimal("0.6")
    assert result.plan_completion == Decimal("0.6")
    later = one(store, "2023-12-31")
    assert (later.numerator, later.missing) == (4, ("C.U.3",))
    # the unit's subtree only
    store.append([adopt("2023-01-05", "05-NQ/HU", MODEL_TARGET, unit_code="C.U")])
    district = one(store, "2023-12-31", unit_code="C.U")
    assert (district.numerator, district.denominator, district.missing) == (2, 3, ("C.U.3",))


def test_units_with_counts_a_units_own_facts_only(store: Any) -> None:
    everyone = [{"kinds": ["city", "district", "commune", "ward", "township"]}]
    store.append(
        [
            *TREE,
            adopt(
                "2023-01-01",
                "R",
                target(
                    "dialogue",
                    "dialogue.count",
                    "units_with",
                    "units",
                    1.0,
                    everyone,
                    rounding="ceil",
                ),
            ),
            ev("DialogueHeld", "2023-03-01", "C.R.1", host="chairman"),
            ev("DialogueHeld", "2023-03-01", "C.S", host="chairman"),  # not in the population
        ]
    )
    result = one(store, "2023-12-31")
    assert result.denominator == 11
    assert result.numerator == 1  # C.R.1 counts for itself, not for C.R or C
    assert "C.R" in result.missing
    assert "C" in result.missing
    assert len(result.missing) == 10


def test_a_population_filter_on_attributes_alone(store: Any) -> None:
    store.append(
        [
            *TREE,
            adopt(
                "2023-01-01",
                "R",
                target(
                    "ntm",
                    "model.registered",
                    "units_with",
                    "units",
                    0.5,
                    [{"attributes": {"ntm_model": False}}],
                ),
            ),
            model("C.R.3", "2023-03-01", "M1"),
        ]
    )
    result = one(store, "2023-12-31")
    assert (result.numerator, result.denominator, result.plan) == (1, 1, 1)
    assert result.met is True
    assert result.missing == ()


LAND_TARGET = target("08.3b", "land.dossier_submitted", "count", "establishments_using_land", 0.10)


@pytest.fixture
def land(store: Any) -> Any:
    """22 establishments using land, 2 not; dossiers of 3 submitted in 2023."""
    events = [*TREE, adopt("2022-12-06", "08-NQ/TU", LAND_TARGET)]
    homes = ["C.U.1", "C.U.2", "C.R.1", "C.R.2", "C.R.5"]
    for i in range(22):
        events.append(establishment(f"E{i:02d}", homes[i % len(homes)]))
    events += [
        establishment("N1", "C.R.3", uses_land=False),
        establishment("N2", "C.R.4", uses_land=False),
        submitted("E00", "C.U.1", "2023-03-01"),
        submitted("E01", "C.U.2", "2023-06-01"),
        submitted("E01", "C.U.2", "2023-07-01"),  # again: counts once
        submitted("E02", "C.R.1", "2023-09-15"),
        submitted("E03", "C.R.2", "2022-11-01"),  # before the period
        submitted("E04", "C.R.5", "2023-09-16"),  # after the cut-off
    ]
    store.append(events)
    return store


def test_count_over_establishments_using_land(land: Any) -> None:
    result = one(land, "2023-09-15")
    assert result.numerator == 3
    assert result.denominator == 22
    assert result.plan == 2  # 10% of 22 = 2.2 → 2
    assert result.plan_completion == Decimal("1.5")
    assert result.met is True
    assert len(result.missing) == 19
    assert "E03" in result.missing  # reached the stage before the target's period
    assert {"E00", "E01", "E02"}.isdisjoint(result.missing)
    assert {"N1", "N2"}.isdisjoint(result.missing)
    assert one(land, "2023-09-14").numerator == 2
    assert one(land, "2023-12-31").numerator == 4


def test_the_denominator_is_live_as_of_the_cutoff(land: Any) -> None:
    land.append(
        [
            ev("EstablishmentChanged", "2023-05-01", "C.U.1", id="E05", uses_land=False),
            ev("EstablishmentChanged", "2023-10-01", "C.U.1", id="E10", uses_land=False),
            ev("EstablishmentChanged", "2023-06-01", "C.R.3", id="N1", uses_land=True),
            establishment("E99", "C.R.4", day="2023-09-20"),
        ]
    )
    assert one(land, "2023-04-30").denominator == 22
    assert one(land, "2023-09-15").denominator == 22 - 1 + 1
    assert one(land, "2023-12-31").denominator == 22 - 2 + 1 + 1
    rural = land.targets("C", "2023-09-15")[0]
    assert "N1" in rural.missing
    assert "E05" not in rural.missing


@pytest.mark.parametrize(
    ("threshold", "denominator", "rounding", "plan"),
    [
        ("0.10", 222, "half_up", 22),
        ("0.10", 222, "ceil", 23),
        ("0.10", 222, "floor", 22),
        ("0.40", 222, "half_up", 89),
        ("0.40", 222, "floor", 88),
        ("0.10", 225, "half_up", 23),
        ("0.10", 225, "floor", 22),
        ("0.10", 225, "ceil", 23),
        ("0.10", 220, "ceil", 22),
        ("1", 137, "ceil", 137),
        ("0", 50, "ceil", 0),
        ("0.5", 0, "half_up", 0),
    ],
)
def test_plan_for(threshold: str, denominator: int, rounding: str, plan: int) -> None:
    assert plan_for(Decimal(threshold), denominator, rounding) == plan


@pytest.mark.parametrize(
    ("rounding", "plan", "met"), [("half_up", 3, False), ("floor", 2, True), ("ceil", 3, False)]
)
def test_rounding_reaches_the_result(store: Any, rounding: str, plan: int, met: bool) -> None:
    events = [
        *TREE,
        adopt(
            "2023-01-01",
            "R",
            target(
                "t",
                "land.dossier_submitted",
                "count",
                "establishments_using_land",
                0.1,
                rounding=rounding,
            ),
        ),
    ]
    events += [establishment(f"E{i}", "C.U.1") for i in range(25)]  # 10% of 25 = 2.5
    events += [submitted(f"E{i}", "C.U.1", "2023-02-01") for i in range(2)]
    store.append(events)
    result = one(store, "2023-12-31")
    assert (result.plan, result.met) == (plan, met)
    assert result.plan_completion == (Decimal(2) / plan).quantize(Decimal("0.001"))


def test_a_flow_count_target_and_its_window(store: Any) -> None:
    store.append(
        [
            *TREE,
            adopt(
                "2023-01-01",
                "R",
                target(
                    "visits",
                    "reception.visits",
                    "count",
                    "units",
                    0.5,
                    [{"kinds": ["ward"]}],
                    period="2023-H1",
                ),
            ),
            ev(
                "CitizenReceptionReported",
                "2023-03-31",
                "C.U.1",
                window=["2023-01-01", "2023-03-31"],
                visits=1,
            ),
            ev(
                "CitizenReceptionReported",
                "2023-06-30",
                "C.U",
                window=["2023-04-01", "2023-06-30"],
                visits=1,
            ),
            ev(
                "CitizenReceptionReported",
                "2023-07-31",
                "C.U",
                window=["2023-07-01", "2023-07-31"],
                visits=5,
            ),
        ]
    )
    assert one(store, "2023-05-01").numerator == 1
    result = one(store, "2023-12-31")  # the window stops at the period's end
    assert (result.numerator, result.denominator, result.plan, result.met) == (2, 3, 2, True)
    assert result.missing == ()  # a count of a flow names no population members


def test_targets_adopted_later_or_elsewhere_are_not_evaluated(store: Any) -> None:
    store.append(
        [
            *TREE,
            adopt("2023-01-01", "A", MODEL_TARGET),
            adopt("2023-06-01", "B", LAND_TARGET),
            adopt("2023-01-01", "D", LAND_TARGET, unit_code="C.R"),
        ]
    )
    assert [r.code for r in store.targets("C", "2023-05-31")] == ["08.1"]
    assert [r.code for r in store.targets("C", "2023-06-01")] == ["08.1", "08.3b"]
    assert [r.resolution for r in store.targets("C", "2023-06-01")] == ["A", "B"]
    assert [r.code for r in store.targets("C", "2023-06-01", resolution="B")] == ["08.3b"]
    assert [r.adopted_by for r in store.targets("C.R", "2023-06-01")] == ["C.R"]
    with pytest.raises(InputError, match="no resolution 'Z'"):
        store.targets("C", "2023-06-01", resolution="Z")
    with pytest.raises(UnknownUnitError):
        store.targets("C.X", "2023-06-01")
    assert store.targets("C.U", "2023-06-01") == []


def test_an_empty_population_or_plan(store: Any) -> None:
    store.append([*TREE, adopt("2023-01-01", "R", LAND_TARGET)])
    result = one(store, "2023-12-31")
    assert (result.numerator, result.denominator, result.plan) == (0, 0, 0)
    assert result.ratio is None
    assert result.plan_completion is None
    assert result.met is True
    assert result.to_dict()["ratio"] is None


def test_a_cutoff_before_the_period_counts_nothing(land: Any) -> None:
    result = one(land, "2022-12-31")
    assert result.numerator == 0
    assert result.denominator == 22
    assert result.met is False


def test_to_dict_is_the_json_shape(land: Any) -> None:
    result = one(land, "2023-09-15")
    out = result.to_dict()
    assert list(out) == [
        "code",
        "title",
        "numerator",
        "denominator",
        "ratio",
        "threshold",
        "plan",
        "plan_completion",
        "met",
        "missing",
    ]
    assert out["ratio"] == 0.136
    assert out["threshold"] == 0.1
    assert out["plan_completion"] == 1.5
    assert out["missing"] == list(result.missing)


def test_a_retracted_target_set_is_not_evaluated(store: Any) -> None:
    adopted = {
        **adopt("2023-01-01", "R", LAND_TARGET),
        "id": "3f8e3e9a-6a8f-4f0e-8f6a-1d1c3b7a2e55",
    }
    store.append([*TREE, adopted])
    assert len(store.targets("C", "2023-12-31")) == 1
    store.append([ev("EventRetracted", "2023-01-01", "C", event_id=adopted["id"], reason="nhầm")])
    assert store.targets("C", "2023-12-31") == []
