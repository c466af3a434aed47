"""The reporting commands of the command line: snapshot, targets, explain (DESIGN.md §6).

The JSON they print is a contract scripts rely on: its keys are checked exactly. Bad input
exits 2 with a message and no traceback; ``targets --check`` exits 1 when a target is
not met.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from dvcore.cli import main

Event = dict[str, Any]


REFS = itertools.count(1)


def ev(type_name: str, day: str, unit: str, **data: Any) -> Event:
    return {
        "type": type_name,
        "occurred_on": day,
        "unit": unit,
        "data": data,
        "source_ref": f"cli:{type_name}:{next(REFS)}",
    }


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


EVENTS = [
    unit("C", "city", None),
    unit("C.A", "district", "C"),
    unit("C.A.1", "commune", "C.A", ntm_model=True),
    unit("C.A.2", "ward", "C.A"),
    unit("C.N", "ward", "C"),
    ev("DialogueHeld", "2022-12-20", "C.A.1", host="chairman"),
    ev("DialogueHeld", "2023-03-30", "C", host="party_secretary"),
    ev("DialogueHeld", "2023-09-14", "C.A", host="chairman"),
    ev("DialogueHeld", "2023-09-20", "C.A.2", host="chairman"),
    ev("ModelRegistered", "2023-02-01", "C.A.2", model_id="M1", name="Mô hình", field="urban"),
    ev(
        "EstablishmentRegistered",
        "2022-01-01",
        "C.A.1",
        id="E1",
        name="Chùa Một",
        religion="Phật giáo",
        uses_land=True,
    ),
    ev("LandDossierSubmitted", "2023-05-05", "C.A.1", establishment_id="E1"),
    ev(
        "TargetSetAdopted",
        "2022-12-06",
        "C",
        resolution="08-NQ/TU",
        targets=[
            {
                "code": "08.1",
                "title": "Phường có mô hình",
                "indicator": "model.registered",
                "measure": "units_with",
                "population": "units",
                "population_filter": [{"kinds": ["ward"]}],
                "threshold": 1.0,
                "period": "2023",
                "rounding": "ceil",
            },
            {
                "code": "08.3b",
                "title": "Hồ sơ đất đai",
                "indicator": "land.dossier_submitted",
                "measure": "count",
                "population": "establishments_using_land",
                "population_filter": [],
                "threshold": 0.1,
                "period": "2023",
                "rounding": "half_up",
            },
        ],
    ),
    ev(
        "TargetSetAdopted",
        "2022-12-07",
        "C",
        resolution="09-NQ/TU",
        targets=[
            {
                "code": "09.1",
                "title": "Đối thoại",
                "indicator": "dialogue.count",
                "measure": "units_with",
                "population": "units",
                "population_filter": [],
                "threshold": 0.5,
                "period": "2023",
                "rounding": "floor",
            },
        ],
    ),
]
MERGE = [ev("UnitsMerged", "2024-01-01", "C", sources=["C.A.2"], into="C.N")]

SNAPSHOT_KEYS = ["unit", "period", "as_known_at", "indicators"]
TARGETS_KEYS = ["unit", "as_of", "targets"]
TARGET_KEYS = [
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
EXPLAIN_KEYS = ["unit", "period", "indicator", "value", "events", "disagreements"]
EVENT_KEYS = ["id", "type", "unit", "occurred_on", "recorded_at", "source_ref", "chain"]


@pytest.fixture
def url(store: Any, store_url: str, clock: Any) -> str:
    """A store with a small tree and its facts, recorded on 20/9/2023."""
    store.append(EVENTS)
    return store_url


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--store", url, *args])


def ok_json(url: str, *args: str) -> Any:
    result = run(url, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def failed(result: Result, code: int) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return str(result.output)


# --- the JSON shapes ------------------------------------------------------------------------


def test_snapshot_json_shape(url: str, store: Any) -> None:
    out = ok_json(url, "snapshot", "--unit", "C", "--period", "2023")
    assert list(out) == SNAPSHOT_KEYS
    assert out["unit"] == "C"
    assert out["period"] == {"spec": "2023", "start": "2023-01-01", "end": "2023-12-31"}
    assert out["as_known_at"] is None
    for code, figure in out["indicators"].items():
        assert list(figure) == ["value", "by"], code
        assert figure["value"] is None or isinstance(figure["value"], int | float), code
        for dim, keys in figure["by"].items():
            assert isinstance(dim, str)
            assert all(
                isinstance(k, str) and isinstance(v, int | float) for k, v in keys.items()
            ), code
    assert out["indicators"]["dialogue.count"] == {
        "value": 3,
        "by": {
            "host": {"chairman": 2, "party_secretary": 1},
            "level": {"city": 1, "commune": 1, "district": 1},
        },
    }
    assert out == json.loads(json.dumps(store.snapshot("C", "2023").to_dict()))


def test_targets_json_shape(url: str) -> None:
    out = ok_json(url, "targets", "--unit", "C", "--as-of", "2023-09-15")
    assert list(out) == TARGETS_KEYS
    assert (out["unit"], out["as_of"]) == ("C", "2023-09-15")
    assert [t["code"] for t in out["targets"]] == ["08.1", "08.3b", "09.1"]
    for target in out["targets"]:
        assert list(target) == TARGET_KEYS
    wards, land, dialogues = out["targets"]
    assert wards == {
        "code": "08.1",
        "title": "Phường có mô hình",
        "numerator": 1,
        "denominator": 2,
        "ratio": 0.5,
        "threshold": 1.0,
        "plan": 2,
        "plan_completion": 0.5,
        "met": False,
        "missing": ["C.N"],
    }
    assert {
        k: land[k]
        for k in (
            "numerator",
            "denominator",
            "ratio",
            "threshold",
            "plan",
            "plan_completion",
            "met",
        )
    } == {
        "numerator": 1,
        "denominator": 1,
        "ratio": 1.0,
        "threshold": 0.1,
        "plan": 0,
        "plan_completion": None,
        "met": True,
    }
    assert (dialogues["numerator"], dialogues["denominator"], dialogues["plan"]) == (2, 5, 2)
    one = ok_json(url, "targets", "--unit", "C", "--as-of", "15/9/2023", "--resolution", "09-NQ/TU")
    assert [t["code"] for t in one["targets"]] == ["09.1"]


def test_explain_json_shape(url: str, store: Any) -> None:
    out = ok_json(
        url, "explain", "--unit", "C", "--period", "2023-9M", "--indicator", "dialogue.count"
    )
    assert list(out) == EXPLAIN_KEYS
    assert out["unit"] == "C"
    assert out["period"] == {"spec": "2023-9M", "start": "2023-01-01", "end": "2023-09-30"}
    assert out["indicator"] == "dialogue.count"
    assert out["value"] == 3
    assert [e["occurred_on"] for e in out["events"]] == ["2023-03-30", "2023-09-14", "2023-09-20"]
    for event in out["events"]:
        assert list(event) == EVENT_KEYS
        assert event["type"] == "DialogueHeld"
        assert event["source_ref"].startswith("cli:DialogueHeld")
        recorded = dt.datetime.fromisoformat(event["recorded_at"])
        assert recorded == dt.datetime(2023, 9, 20, 3, 0, tzinfo=dt.UTC)
        assert store.get(event["id"]).unit == event["unit"]
    assert out["disagreements"] == []  # no reports over windows here


# --- options ---------------------------------------------------------------------------------


def test_tree_current(url: str, store: Any, clock: Any) -> None:
    clock.advance(days=200)
    store.append(MERGE)
    args = ("snapshot", "--unit", "C.N", "--period", "2023")
    assert ok_json(url, *args)["indicators"]["dialogue.count"]["value"] == 0
    current = ok_json(url, *args, "--tree", "current")
    assert current["indicators"]["dialogue.count"]["value"] == 1
    explained = ok_json(
        url,
        "explain",
        "--unit",
        "C.N",
        "--period",
        "2023",
        "--indicator",
        "dialogue.count",
        "--tree",
        "current",
    )
    assert [e["unit"] for e in explained["events"]] == ["C.A.2"]
    message = failed(
        run(url, "snapshot", "--unit", "C.A.2", "--period", "2023", "--tree", "current"), 2
    )
    assert "C.N" in message
    failed(run(url, "snapshot", "--unit", "C", "--period", "2023", "--tree", "later"), 2)


def test_as_known_at(url: str, store: Any, clock: Any) -> None:
    clock.advance(days=10)
    store.append([ev("DialogueHeld", "2023-06-01", "C.A.1", host="other")])
    args = ("snapshot", "--unit", "C", "--period", "2023")
    assert ok_json(url, *args)["indicators"]["dialogue.count"]["value"] == 4
    then = ok_json(url, *args, "--as-known-at", "2023-09-20T12:00:00+07:00")
    assert then["as_known_at"] == "2023-09-20T05:00:00+00:00"
    assert then["indicators"]["dialogue.count"]["value"] == 3
    # before anything was recorded, not even the unit was known
    assert "unknown unit 'C'" in failed(run(url, *args, "--as-known-at", "2023-09-19"), 2)
    explained = ok_json(
        url,
        "explain",
        "--unit",
        "C",
        "--period",
        "2023",
        "--indicator",
        "dialogue.count",
        "--as-known-at",
        "2023-09-20T12:00:00+07:00",
    )
    assert explained["value"] == 3
    assert len(explained["events"]) == 3
    targets = ok_json(
        url,
        "targets",
        "--unit",
        "C",
        "--as-of",
        "2023-12-31",
        "--as-known-at",
        "2023-09-20T05:00:00Z",
    )
    assert targets["targets"][2]["numerator"] == 3
    now = ok_json(url, "targets", "--unit", "C", "--as-of", "2023-12-31")
    assert now["targets"][2]["numerator"] == 4  # C.A.1's dialogue was recorded later
    message = failed(run(url, *args, "--as-known-at", "yesterday"), 2)
    assert "'yesterday' is not an instant" in message


def test_cutoff_decree09_is_a_global_option(url: str) -> None:
    args = ("snapshot", "--unit", "C", "--period", "2023-9M")
    calendar = ok_json(url, *args)
    assert calendar["period"] == {"spec": "2023-9M", "start": "2023-01-01", "end": "2023-09-30"}
    assert calendar["indicators"]["dialogue.count"]["value"] == 3
    result = CliRunner().invoke(
        main, ["--store", url, "--cutoff", "decree09", *args, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    decree = json.loads(result.output)
    assert decree["period"] == {"spec": "2023-9M", "start": "2022-12-15", "end": "2023-09-14"}
    # 20/12/2022 falls in 2023 and 20/9/2023 does not; 14/9/2023 counts under both
    assert decree["indicators"]["dialogue.count"]["value"] == 3
    assert decree["indicators"]["dialogue.count"]["by"]["level"] == {
        "city": 1,
        "commune": 1,
        "district": 1,
    }
    q1 = CliRunner().invoke(
        main,
        [
            "--store",
            url,
            "--cutoff",
            "decree09",
            "snapshot",
            "--unit",
            "C",
            "--period",
            "2023-Q1",
            "--format",
            "json",
        ],
    )
    assert json.loads(q1.output)["indicators"]["dialogue.count"]["value"] == 1  # 20/12/2022
    assert (
        ok_json(url, "snapshot", "--unit", "C", "--period", "2023-Q1")["indicators"][
            "dialogue.count"
        ]["value"]
        == 1
    )  # 30/3/2023
    failed(CliRunner().invoke(main, ["--store", url, "--cutoff", "decree", *args]), 2)


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("period", ["2023-Q5", "2023/09", "9M-2023", ""])
@pytest.mark.parametrize("command", ["snapshot", "explain"])
def test_a_bad_period_exits_2_and_lists_the_valid_forms(
    url: str, period: str, command: str
) -> None:
    extra = ["--indicator", "dialogue.count"] if command == "explain" else []
    message = failed(run(url, command, "--unit", "C", "--period", period, *extra), 2)
    assert f"cannot read period '{period}'" in message
    for form in (
        "2023 (a year)",
        "2023-Q3 (a quarter)",
        "2023-H1 (a half)",
        "2023-9M (1 January to the end of month 9)",
        "2023-09 (a month)",
        "2020-2025 (a term)",
        "2022-12-15..2023-06-14 (a date range)",
    ):
        assert form in message


@pytest.mark.parametrize(
    "args",
    [
        ["snapshot", "--unit", "X", "--period", "2023"],
        ["snapshot", "--unit", "X", "--period", "2023", "--tree", "current"],
        ["targets", "--unit", "X", "--as-of", "2023-09-15"],
        ["explain", "--unit", "X", "--period", "2023", "--indicator", "dialogue.count"],
    ],
)
def test_an_unknown_unit_exits_2(url: str, args: list[str]) -> None:
    message = failed(run(url, *args), 2)
    assert "unknown unit 'X'" in message


def test_other_bad_input_exits_2(url: str) -> None:
    assert "unknown indicator 'nope'" in failed(
        run(url, "explain", "--unit", "C", "--period", "2023", "--indicator", "nope"), 2
    )
    assert "cannot read date" in failed(
        run(url, "targets", "--unit", "C", "--as-of", "31/02/2023"), 2
    )
    assert "no resolution 'Z'" in failed(
        run(url, "targets", "--unit", "C", "--as-of", "2023-09-15", "--resolution", "Z"), 2
    )
    assert "did not exist" in failed(run(url, "snapshot", "--unit", "C", "--period", "2019"), 2)


def test_targets_check(url: str, store: Any) -> None:
    args = ("targets", "--unit", "C", "--as-of", "2023-09-15")
    # 08.1 is not met (one of two wards has a model): --check fails
    result = run(url, *args, "--check")
    assert result.exit_code == 1, result.output
    assert "08.1" in result.output  # the table is printed all the same
    assert run(url, *args).exit_code == 0
    failing = run(url, *args, "--check", "--format", "json")
    assert failing.exit_code == 1
    assert [t["met"] for t in json.loads(failing.output)["targets"]] == [False, True, True]
    # only the resolution whose targets are met
    assert run(url, *args, "--check", "--resolution", "09-NQ/TU").exit_code == 0
    store.append(
        [
            ev(
                "ModelRegistered",
                "2023-03-01",
                "C.N",
                model_id="M2",
                name="Mô hình hai",
                field="urban",
            )
        ]
    )
    assert run(url, *args, "--check").exit_code == 0


def test_cutoff_is_also_an_option_of_the_reporting_commands(tmp_path: Path) -> None:
    """DESIGN §6 puts ``--cutoff`` on ``snapshot``; the global option stays too."""
    url = f"sqlite:///{tmp_path / 'c.db'}"
    events = tmp_path / "e.jsonl"
    events.write_text(
        "\n".join(
            json.dumps(e, ensure_ascii=False)
            for e in [
                {
                    "type": "UnitRegistered",
                    "occurred_on": "2020-01-01",
                    "unit": "HP",
                    "data": {"code": "HP", "name": "HP", "kind": "city"},
                },
                {
                    "type": "DialogueHeld",
                    "occurred_on": "2022-12-20",
                    "unit": "HP",
                    "data": {"host": "chairman"},
                },
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    assert runner.invoke(main, ["--store", url, "import", str(events)]).exit_code == 0
    query = ["snapshot", "--unit", "HP", "--period", "2023-Q1", "--format", "json"]

    def dialogues(args: list[str]) -> Any:
        result = runner.invoke(main, ["--store", url, *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)["indicators"]["dialogue.count"]["value"]

    # 20/12/2022 is in 2023-Q1 only under Decree 09's 15th-to-14th months.
    assert dialogues([*query, "--cutoff", "decree09"]) == 1
    assert dialogues(["--cutoff", "decree09", *query]) == 1
    assert dialogues(query) == 0
