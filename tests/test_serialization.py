"""Tests of dvcore.serialization: the one converter, the JSON Lines shape, upcasters.

The round trip is a Hypothesis property over every core event type, with the strategies of
dvcore.testing.strategies. That a v1 row in the store reads back as v2 is a store contract
case (dvcore.testing.store_contract, ``test_stored_v1_dialogue_reads_as_v2``).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dvcore.events import (
    CORE_EVENT_TYPES,
    DialogueHeld,
    Event,
    EventData,
    FigureReported,
    LettersReported,
    RecordedEvent,
    Window,
)
from dvcore.serialization import (
    EventTypes,
    canonical_json,
    converter,
    event_from_dict,
    event_to_dict,
    payload_json,
    recorded_to_dict,
    register_upcaster,
    structure_data,
    unstructure_data,
    upcast,
    upcast_v1_v2,
)
from dvcore.testing.strategies import EVENT_DATA, event_data, event_envelopes

TYPES = EventTypes.core()


def test_every_core_type_has_a_strategy() -> None:
    assert set(EVENT_DATA) == set(CORE_EVENT_TYPES)


@pytest.mark.parametrize("cls", CORE_EVENT_TYPES, ids=lambda c: c.type_name)
@given(data=st.data())
def test_round_trip_of_every_type(cls: type[EventData], data: st.DataObject) -> None:
    """structure(unstructure(x)) == x, directly and through the stored JSON text."""
    x = data.draw(event_data(cls))
    raw = converter.unstructure(x)
    assert converter.structure(raw, cls) == x
    stored = json.loads(canonical_json(raw))
    assert stored == raw
    back, errors = structure_data(cls, stored)
    assert errors == []
    assert back == x
    assert type(back) is cls


@given(event=event_envelopes)
def test_round_trip_of_the_json_lines_shape(event: Event) -> None:
    wire = json.loads(canonical_json(event_to_dict(event)))
    back, problems = event_from_dict(wire, TYPES)
    assert problems == []
    assert back == event


@given(data=event_data())
def test_unstructured_data_is_plain_json(data: EventData) -> None:
    raw = unstructure_data(data)

    def plain(value: Any) -> bool:
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return value is None or isinstance(value, str | int | bool)

    assert plain(raw)


# --- the fast path for flat types -----------------------------------------------------------

# What a flat payload may be changed into: each must either give exactly the converter's
# object or be left to the converter (which then names the problem).
_MUTATIONS: list[Any] = [None, "", "x", "\x00", "\ud800", 0, -1, 1.5, True, "2023-02-30", [], {}]


def _converter_result(cls: type[EventData], payload: Any) -> EventData | None:
    try:
        out: EventData = converter.structure(payload, cls)
    except Exception:
        return None
    return out


@pytest.mark.parametrize("cls", CORE_EVENT_TYPES, ids=lambda c: c.type_name)
@given(data=st.data())
def test_the_fast_path_builds_what_the_converter_builds(
    cls: type[EventData], data: st.DataObject
) -> None:
    """For valid payloads and for payloads with one field changed, dropped or added,
    ``structure_data`` (which tries the fast path first) agrees with the strict converter:
    the same object, or a refusal."""
    raw = converter.unstructure(data.draw(event_data(cls)))
    payload = dict(raw)
    change = data.draw(st.sampled_from(["none", "set", "drop", "add"]))
    names = sorted(payload)
    if change == "set" and names:
        payload[data.draw(st.sampled_from(names))] = data.draw(st.sampled_from(_MUTATIONS))
    elif change == "drop" and names:
        del payload[data.draw(st.sampled_from(names))]
    elif change == "add":
        payload[data.draw(st.sampled_from(["extra", *names]))] = "x"
    expected = _converter_result(cls, payload)
    got, errors = structure_data(cls, payload)
    assert got == expected
    assert (errors == []) == (expected is not None)
    if got is not None:
        assert type(got) is cls


_ENVELOPE_MUTATIONS: list[Any] = [None, "", " ", "x", "\x00", 5, True, "2023-13-01", [], {}]


@given(event=event_envelopes, data=st.data())
def test_the_fast_envelope_reads_what_the_full_path_reads(
    event: Event, data: st.DataObject
) -> None:
    """A plain line (a dict) takes a fast path; a mapping of another class takes the full
    one. With one envelope field changed, dropped or added, both agree: the same event
    (but for the fresh id each gives a line without one), or a refusal."""
    raw = json.loads(canonical_json(event_to_dict(event)))
    del raw["id"]
    change = data.draw(st.sampled_from(["none", "set", "drop", "add"]))
    keys = ["type", "occurred_on", "unit", "source_ref", "stream", "data", "id"]
    if change == "set":
        raw[data.draw(st.sampled_from(keys))] = data.draw(st.sampled_from(_ENVELOPE_MUTATIONS))
    elif change == "drop":
        raw.pop(data.draw(st.sampled_from(keys)), None)
    elif change == "add":
        raw["extra"] = 1
    fast, fast_problems = event_from_dict(raw, TYPES)
    full, full_problems = event_from_dict(MappingProxyType(raw), TYPES)
    assert (fast is None) == (full is None)
    assert bool(fast_problems) == bool(full_problems)
    if fast is not None and full is not None:
        assert attrs.evolve(fast, id=full.id) == full


@given(data=event_data())
def test_payload_json_is_the_canonical_text(data: EventData) -> None:
    """The store keeps and hashes ``payload_json``: for flat types it is written directly,
    and must be exactly the canonical JSON of the unstructured data."""
    assert payload_json(data) == canonical_json(unstructure_data(data))


# --- strict structuring -----------------------------------------------------------------


@pytest.mark.parametrize("bad", ["5", 5.0, True, None, [5]])
def test_counts_must_be_json_integers(bad: Any) -> None:
    data, errors = structure_data(DialogueHeld, {"host": "chairman", "participants": bad})
    if bad is None:  # participants is optional
        assert errors == []
        assert data == DialogueHeld(host="chairman")
    else:
        assert data is None
        assert [path for path, _m in errors] == ["data.participants"]


def test_unknown_and_missing_fields_are_named() -> None:
    _data, errors = structure_data(DialogueHeld, {"participants": 3, "chair": "bi_thu"})
    assert sorted(path for path, _m in errors) == ["data.chair", "data.host"]
    _data, errors = structure_data(DialogueHeld, {"participants": 3})
    assert errors == [("data.host", "is required")]


def test_enum_errors_list_the_choices() -> None:
    _data, errors = structure_data(DialogueHeld, {"host": "king"})
    ((path, message),) = errors
    assert path == "data.host"
    assert "party_secretary" in message
    assert "king" in message


def test_nested_errors_name_the_path() -> None:
    _data, errors = structure_data(
        LettersReported, {"window": ["2023-01-01", "2023-13-01"], "received": 1}
    )
    assert [path for path, _m in errors] == ["data.window"]


def test_windows_read_as_pairs_or_objects() -> None:
    w = Window(start=dt.date(2023, 1, 1), end=dt.date(2023, 8, 31))
    for raw in (["2023-01-01", "2023-08-31"], {"from": "2023-01-01", "to": "2023-08-31"}):
        data, errors = structure_data(LettersReported, {"window": raw, "received": 1})
        assert errors == []
        assert data == LettersReported(window=w, received=1)
    assert converter.unstructure(w) == ["2023-01-01", "2023-08-31"]


@pytest.mark.parametrize(
    ("raw", "value", "wire"),
    [
        (12, Decimal(12), 12),
        ("1.50", Decimal("1.5"), "1.5"),
        (0.1, Decimal("0.1"), "0.1"),
        ("-0.000001", Decimal("-0.000001"), "-0.000001"),
        ("1E+3", Decimal(1000), 1000),
    ],
)
def test_decimals_are_exact(raw: Any, value: Decimal, wire: Any) -> None:
    data, errors = structure_data(
        FigureReported, {"indicator": "x", "value": raw, "window": ["2023-01-01", "2023-01-31"]}
    )
    assert errors == []
    assert isinstance(data, FigureReported)
    assert data.value == value
    assert unstructure_data(data)["value"] == wire


def test_canonical_json() -> None:
    text = canonical_json({"b": 1, "a": {"y": "Đối thoại", "x": [1, 2]}})
    assert text == '{"a":{"x":[1,2],"y":"Đối thoại"},"b":1}'


# --- the envelope ---------------------------------------------------------------------------


def test_envelope_problems_are_all_named() -> None:
    raw = {
        "type": "Nope",
        "occurred_on": "2023-02-30",
        "unit": "",
        "source_ref": "",
        "colour": "red",
    }
    event, problems = event_from_dict(raw, TYPES, source="f.jsonl", row=7)
    assert event is None
    assert {(p.row, p.field) for p in problems} == {
        (7, "colour"),
        (7, "type"),
        (7, "occurred_on"),
        (7, "unit"),
        (7, "source_ref"),
    }
    assert all(p.source == "f.jsonl" for p in problems)
    unknown_type = next(p for p in problems if p.field == "type")
    assert "DialogueHeld" in unknown_type.message  # lists the known types


def test_envelope_must_be_an_object() -> None:
    _event, problems = event_from_dict(["DialogueHeld"], TYPES)
    assert [p.field for p in problems] == [None]


def test_recorded_to_dict() -> None:
    recorded = RecordedEvent(
        position=3,
        id=uuid.UUID(int=1),
        stream="HP",
        version=2,
        type="DialogueHeld",
        schema_version=2,
        occurred_on=dt.date(2023, 3, 30),
        unit="HP",
        recorded_at=dt.datetime(2023, 9, 20, 3, tzinfo=dt.UTC),
        actor=None,
        source_ref="r",
        data=DialogueHeld(host="chairman"),
        hash="0" * 64,
    )
    out = recorded_to_dict(recorded)
    assert out["recorded_at"] == "2023-09-20T03:00:00+00:00"
    assert out["data"]["host"] == "chairman"
    assert json.loads(json.dumps(out)) == out


# --- upcasting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chair", "host"),
    [
        ("bi_thu", "party_secretary"),
        ("chu_tich", "chairman"),
        ("thuong_truc", "standing_committee"),
        ("pho_bi_thu", "other"),
        (None, "other"),
    ],
)
def test_upcast_v1_v2_maps_the_chair(chair: str | None, host: str) -> None:
    v1: dict[str, Any] = {"participants": 80, "title": "Đối thoại"}
    if chair is not None:
        v1["chair"] = chair
    v2 = upcast_v1_v2(v1)
    assert v2 == {"participants": 80, "title": "Đối thoại", "host": host}
    assert "chair" in v1 or chair is None  # the input is not changed
    data, errors = structure_data(DialogueHeld, v2)
    assert errors == []
    assert data == DialogueHeld(host=host, participants=80, title="Đối thoại")  # type: ignore[arg-type]


def test_upcast_walks_the_chain() -> None:
    payload = {"chair": "chu_tich"}
    assert upcast("DialogueHeld", 1, payload, 2) == {"host": "chairman"}
    assert upcast("DialogueHeld", 2, {"host": "other"}, 2) == {"host": "other"}
    with pytest.raises(ValueError, match="no upcaster"):
        upcast("DialogueHeld", 0, payload, 2)


def test_one_upcaster_per_step() -> None:
    register_upcaster("DialogueHeld", 1, upcast_v1_v2)  # the same one again: fine
    with pytest.raises(ValueError, match="already"):
        register_upcaster("DialogueHeld", 1, lambda p: p)


def test_event_types_refuse_two_classes_of_one_name() -> None:
    types = EventTypes.core()

    class Impostor(EventData):
        type_name = "DialogueHeld"

    with pytest.raises(ValueError, match="two event types"):
        types.add(Impostor)
    assert "DialogueHeld" in types
    assert types.get("Nope") is None
    assert len(list(types)) == len(CORE_EVENT_TYPES)
