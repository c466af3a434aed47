"""Tests of dvcore.events: the catalogue, and validation on construction."""

from __future__ import annotations

import datetime as dt
import os
import time
import typing
import uuid
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dvcore import events as ev
from dvcore.events import (
    CORE_EVENT_TYPES,
    CitizenReceptionReported,
    DialogueHeld,
    DialoguePlanIssued,
    DocumentIssued,
    Event,
    EventData,
    FigureReported,
    IndicatorDefined,
    InspectionConducted,
    LettersReported,
    ModelRegistered,
    PopulationFilter,
    TargetDefinition,
    TargetSetAdopted,
    TaskReported,
    UnitChanged,
    UnitRegistered,
    UnitsMerged,
    Window,
    new_event_id,
)
from dvcore.testing.store_contract import example_events
from dvcore.testing.strategies import event_data

# DESIGN.md §6, the JSON Lines table, in its order.
DESIGN_TYPES = [
    "UnitRegistered",
    "UnitChanged",
    "UnitsMerged",
    "UnitClosed",
    "EstablishmentRegistered",
    "EstablishmentChanged",
    "DialogueHeld",
    "DialoguePlanIssued",
    "ModelRegistered",
    "ModelRecognized",
    "LandDossierFiled",
    "LandDossierSubmitted",
    "LandUseRightRecognized",
    "LandCertificateIssued",
    "CitizenReceptionReported",
    "LettersReported",
    "InspectionConducted",
    "SocialSupervisionHeld",
    "SocialCritiqueHeld",
    "DocumentIssued",
    "NarrativeSubmitted",
    "IndicatorDefined",
    "FigureReported",
    "TargetSetAdopted",
    "TaskAssigned",
    "TaskReported",
    "EventRetracted",
    "EventCorrected",
    "SubmissionReceived",
    "SubmissionReviewed",
]

# Every enumerated field and the values DESIGN.md lists for it.
ENUMS: list[tuple[type[Any], str, set[str]]] = [
    (
        UnitRegistered,
        "kind",
        {
            "province",
            "city",
            "district",
            "town",
            "commune",
            "ward",
            "township",
            "department",
            "armed_force",
            "mass_org",
            "village",
        },
    ),
    (DialogueHeld, "host", {"party_secretary", "chairman", "standing_committee", "other"}),
    (
        ModelRegistered,
        "field",
        {"ntm_model", "urban", "digital", "security", "economy", "culture_society", "other"},
    ),
    (InspectionConducted, "kind", {"inspection", "supervision"}),
    (
        DocumentIssued,
        "kind",
        {
            "resolution",
            "directive",
            "plan",
            "official_letter",
            "conclusion",
            "regulation",
            "notice",
            "report",
            # issue 13: the kinds the Party issues (REFERENCES.md, 36-HD/VPTW)
            "circular",
            "decision",
            "guidance",
            "programme",
        },
    ),
    (IndicatorDefined, "aggregation", {"sum", "last", "max", "min"}),
    (TaskReported, "status", {"in_progress", "done"}),
    (TargetDefinition, "measure", {"count", "units_with"}),
    (TargetDefinition, "population", {"units", "establishments_using_land"}),
    (TargetDefinition, "rounding", {"half_up", "ceil", "floor"}),
]

COUNTS: list[tuple[type[EventData], str]] = [
    (DialogueHeld, "participants"),
    (DialogueHeld, "issues_raised"),
    (DialoguePlanIssued, "year"),
    (ModelRegistered, "year"),
    *[
        (CitizenReceptionReported, f)
        for f in (
            "visits",
            "cases_complaint",
            "cases_denunciation",
            "cases_petition",
            "mass_groups",
            "mass_group_cases",
        )
    ],
    *[(LettersReported, f) for f in ("received", "eligible", "in_jurisdiction", "resolved")],
]

W = Window(start=dt.date(2023, 1, 1), end=dt.date(2023, 8, 31))

#: One valid instance of every core data class.
VALID: dict[type[Any], Any] = {type(e.data): e.data for e in example_events()}


def _target(**kw: Any) -> TargetDefinition:
    base: dict[str, Any] = {
        "code": "T1",
        "title": "t",
        "indicator": "dialogue.count",
        "measure": "count",
        "population": "units",
        "threshold": Decimal("0.1"),
        "period": "2023",
    }
    return TargetDefinition(**{**base, **kw})


# --- the catalogue ---------------------------------------------------------------------


def test_catalogue_is_the_design_table() -> None:
    assert [t.type_name for t in CORE_EVENT_TYPES] == DESIGN_TYPES


@pytest.mark.parametrize("cls", CORE_EVENT_TYPES, ids=lambda c: c.type_name)
def test_wire_name_and_version_are_class_variables(cls: type[EventData]) -> None:
    fields = {f.name for f in attrs.fields(cls)}
    assert "type_name" not in fields
    assert "schema_version" not in fields
    assert isinstance(cls.schema_version, int)
    assert cls.schema_version >= 1
    assert cls.__doc__
    assert cls.__name__ == cls.type_name  # today; the wire name never comes from it


def test_dialogue_is_at_schema_version_2() -> None:
    assert DialogueHeld.schema_version == 2


@pytest.mark.parametrize(
    ("cls", "field", "values"), ENUMS, ids=[f"{c.__name__}.{f}" for c, f, _v in ENUMS]
)
def test_enumerations_are_the_designs(cls: type[Any], field: str, values: set[str]) -> None:
    hints = typing.get_type_hints(cls, vars(ev))
    assert set(typing.get_args(hints[field])) == values


@given(data=event_data())
def test_data_is_frozen_and_keyword_only(data: EventData) -> None:
    name = attrs.fields(type(data))[0].name
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(data, name, None)
    with pytest.raises(TypeError):
        type(data)(*attrs.astuple(data, recurse=False))


def test_event_envelope() -> None:
    data = DialogueHeld(host="chairman")
    event = Event(data=data, occurred_on=dt.date(2023, 3, 30), unit="HP")
    assert event.type == "DialogueHeld"
    assert event.stream_name == "HP"
    assert isinstance(event.id, uuid.UUID)
    assert Event(data=data, occurred_on=dt.date(2023, 3, 30), unit="HP").id != event.id
    assert attrs.evolve(event, stream="plans").stream_name == "plans"


# --- validation on construction ----------------------------------------------------------


@pytest.mark.parametrize(("cls", "field"), COUNTS, ids=[f"{c.__name__}.{f}" for c, f in COUNTS])
@given(
    data=st.data(),
    bad=st.integers(max_value=-1)
    | st.booleans()
    | st.floats()
    | st.just("5")
    | st.just(Decimal(5)),
)
def test_counts_are_non_negative_whole_numbers(
    cls: type[EventData], field: str, data: st.DataObject, bad: Any
) -> None:
    valid = data.draw(event_data(cls))
    with pytest.raises((TypeError, ValueError)):
        attrs.evolve(valid, **{field: bad})


@pytest.mark.parametrize(("cls", "field"), COUNTS, ids=[f"{c.__name__}.{f}" for c, f in COUNTS])
def test_zero_is_a_count(cls: type[EventData], field: str) -> None:
    zeros = {field: 0, **({"eligible": 0} if cls is LettersReported else {})}
    assert getattr(attrs.evolve(VALID[cls], **zeros), field) == 0


@given(a=st.dates(), b=st.dates())
def test_a_window_never_runs_backwards(a: dt.date, b: dt.date) -> None:
    if b < a:
        with pytest.raises(ValueError, match="backwards"):
            Window(start=a, end=b)
    else:
        assert Window(start=a, end=b).end >= a


@pytest.mark.parametrize(
    ("cls", "field", "values"), ENUMS, ids=[f"{c.__name__}.{f}" for c, f, _v in ENUMS]
)
def test_enumerations_take_only_their_values(cls: type[Any], field: str, values: set[str]) -> None:
    valid: Any = _target() if cls is TargetDefinition else VALID[cls]
    for value in sorted(values):
        assert getattr(attrs.evolve(valid, **{field: value}), field) == value
    for bad in ("", "Chairman", "bí thư", None, 1):
        with pytest.raises((TypeError, ValueError)):
            attrs.evolve(valid, **{field: bad})


@pytest.mark.parametrize("cls", [UnitRegistered, ModelRegistered, IndicatorDefined])
def test_required_texts_are_not_blank(cls: type[EventData]) -> None:
    valid = VALID[cls]
    name = "code" if cls is not ModelRegistered else "model_id"
    for bad in ("", "   ", None, 5):
        with pytest.raises((TypeError, ValueError)):
            attrs.evolve(valid, **{name: bad})


def test_letters_eligible_within_received() -> None:
    LettersReported(window=W, received=10, eligible=10)
    with pytest.raises(ValueError, match="eligible"):
        LettersReported(window=W, received=10, eligible=11)


def test_unit_changed_must_change_something() -> None:
    with pytest.raises(ValueError, match="at least one"):
        UnitChanged(code="HP.D1")
    assert UnitChanged(code="HP.D1", attributes={}).attributes == {}


@pytest.mark.parametrize(("sources", "into"), [((), "A"), (("A", "B"), "A"), (("B", "B"), "A")])
def test_units_merged_needs_distinct_sources_other_than_into(
    sources: tuple[str, ...], into: str
) -> None:
    with pytest.raises(ValueError, match=r"sources|into"):
        UnitsMerged(sources=sources, into=into)  # type: ignore[arg-type]


def test_merged_sources_become_a_tuple() -> None:
    merged = UnitsMerged(sources=["A", "B"], into="C")  # type: ignore[arg-type]
    assert merged.sources == ("A", "B")


def test_target_sets_hold_distinct_codes() -> None:
    with pytest.raises(ValueError, match="share one code"):
        TargetSetAdopted(resolution="08-NQ/TU", targets=(_target(), _target()))  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [Decimal("-0.01"), Decimal("1.01"), 0.5, None])
def test_threshold_is_a_decimal_fraction(bad: Any) -> None:
    with pytest.raises(ValueError, match="threshold"):
        _target(threshold=bad)


def test_population_filter_kinds() -> None:
    assert PopulationFilter(kinds=["commune"]).kinds == ("commune",)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unit kind"):
        PopulationFilter(kinds=("hamlet",))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad",
    [Decimal("NaN"), Decimal("Infinity"), Decimal("0.0000001"), Decimal(10) ** 12, 5, 5.0, "5"],
)
def test_figure_values_are_exact_and_bounded(bad: Any) -> None:
    with pytest.raises(ValueError, match="value"):
        FigureReported(indicator="x", value=bad, window=W)


def test_figure_values_take_six_places() -> None:
    assert FigureReported(indicator="x", value=Decimal("-12.000001"), window=W).value


@pytest.mark.parametrize("unit", ["", "  ", "X" * 65])
def test_event_unit_is_a_code(unit: str) -> None:
    with pytest.raises(ValueError, match="unit"):
        Event(data=DialogueHeld(host="other"), occurred_on=dt.date(2023, 1, 1), unit=unit)


@pytest.mark.parametrize("ref", ["", "x" * 513])
def test_event_source_ref_length(ref: str) -> None:
    with pytest.raises(ValueError, match="source_ref"):
        Event(
            data=DialogueHeld(host="other"),
            occurred_on=dt.date(2023, 1, 1),
            unit="HP",
            source_ref=ref,
        )


def test_new_event_ids_are_version_7_in_time_order_and_never_repeat() -> None:
    before = time.time_ns() // 1_000_000
    ids = [new_event_id() for _ in range(5000)]  # past one 4 KiB pool of random bytes
    after = time.time_ns() // 1_000_000
    assert len(set(ids)) == len(ids)
    assert {i.version for i in ids} == {7}
    assert {i.variant for i in ids} == {uuid.RFC_4122}
    stamps = [i.int >> 80 for i in ids]  # RFC 9562: the first 48 bits, Unix milliseconds
    assert before <= min(stamps)
    assert max(stamps) <= after
    # in order to the 4096th of a millisecond (the 12 bits after the version)
    assert [i.int >> 64 for i in ids] == sorted(i.int >> 64 for i in ids)
    # the 62 random bits differ from id to id
    assert len({i.int & ((1 << 62) - 1) for i in ids}) == len(ids)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_does_not_reuse_its_parents_random_bytes() -> None:
    new_event_id()  # the parent holds an unused pool now
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: send the next id and leave at once
        os.write(write, new_event_id().bytes)
        os._exit(0)
    os.close(write)
    child = uuid.UUID(bytes=os.read(read, 16))
    os.waitpid(pid, 0)
    os.close(read)
    random_bits = (1 << 62) - 1  # the time differs anyway: compare the random part
    assert child.int & random_bits != new_event_id().int & random_bits


# --- construction errors name the field (issue 14, item 4) --------------------------------


@pytest.mark.parametrize(
    ("build", "path"),
    [
        (lambda: ev.DialogueHeld(host="mayor"), "data.host"),
        (lambda: ev.DialogueHeld(host="other", participants=-1), "data.participants"),
        (lambda: ev.DialogueHeld(host="other", participants="5"), "data.participants"),
        (lambda: ev.DialogueHeld(), "data.host"),
        (lambda: ev.DialogueHeld(host="other", mayor=1), "data.mayor"),
        (
            lambda: ev.TaskAssigned(task_id="t", conclusion="c", owner="o", text="x", due="2023"),
            "data.due",
        ),
        (
            lambda: ev.UnitRegistered(code="A", name="A", kind="commune", attributes=5),
            "data.attributes",
        ),
        (lambda: ev.LettersReported(window="2023-Q1"), "data.window"),
        (lambda: ev.Window(start="2023-01-01", end=dt.date(2023, 2, 1)), "start"),
        (lambda: ev.Window(start=dt.date(2023, 2, 1), end=dt.date(2023, 1, 1)), "end"),
        (
            lambda: ev.Event(data=ev.UnitClosed(code="A"), occurred_on="May", unit="A"),
            "occurred_on",
        ),
        (
            lambda: ev.Event(
                data=ev.UnitClosed(code="A"), occurred_on=dt.datetime(2023, 5, 1), unit="A"
            ),
            "occurred_on",
        ),
        (
            lambda: ev.Event(
                data=ev.UnitClosed(code="A"), occurred_on=dt.date(2023, 5, 1), unit=""
            ),
            "unit",
        ),
        (lambda: ev.Event(data={"code": "A"}, occurred_on=dt.date(2023, 5, 1), unit="A"), "data"),
        (
            lambda: ev.Event(
                data=ev.UnitClosed(code="A"), occurred_on="2023-05-01", unit="A", id="x"
            ),
            "id",
        ),
    ],
)
def test_a_bad_field_raises_a_validation_error_naming_it(build: Any, path: str) -> None:
    from dvcore import ValidationError
    from dvcore.errors import FieldError

    with pytest.raises(ValidationError) as info:
        build()
    error = info.value
    assert isinstance(error, ValueError)
    assert isinstance(error, FieldError)
    assert [p.field for p in error.problems] == [path]
    assert f"'{path}'" in str(error)


def test_event_converts_its_envelope_when_built() -> None:
    event = ev.Event(
        data=ev.UnitClosed(code="A"),
        occurred_on="2023-05-01",
        unit="A",
        id="0190a0a0-0000-7000-8000-000000000000",
    )
    assert event.occurred_on == dt.date(2023, 5, 1)
    assert event.id == uuid.UUID("0190a0a0-0000-7000-8000-000000000000")


def test_a_plugin_type_names_its_bad_fields_too() -> None:
    from dvcore import ValidationError

    @attrs.frozen(kw_only=True)
    class Volunteered(ev.EventData):
        type_name: typing.ClassVar[str] = "Volunteered"
        hours: int = attrs.field(validator=attrs.validators.ge(0))

    with pytest.raises(ValidationError, match=r"data\.hours"):
        Volunteered(hours=-1)


def test_structuring_still_names_the_field_path() -> None:
    from dvcore.serialization import EventTypes, event_from_dict

    _event, problems = event_from_dict(
        {
            "type": "DialogueHeld",
            "occurred_on": "2023-05-01",
            "unit": "A",
            "data": {"host": "other", "participants": -3},
        },
        EventTypes.core(),
    )
    assert [p.field for p in problems] == ["data.participants"]
