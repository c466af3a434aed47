"""A missing plugin doesn't lock the store (issue 14, item 6).

An event of a type no installed plugin provides reads back as :class:`UnknownEventData`
with its raw payload; a warning names the type once; snapshots of the core indicators
and ``verify`` still work.
"""

from __future__ import annotations

import typing
import warnings
from typing import Any

import attrs
import pytest

from dvcore import open_store
from dvcore.events import EventData, UnknownEventData
from dvcore.serialization import EventTypes


@attrs.frozen(kw_only=True)
class Volunteered(EventData):
    """A plugin's type, installed when the store is first opened, missing later."""

    type_name: typing.ClassVar[str] = "Volunteered"
    hours: int


def _with_plugin() -> EventTypes:
    types = EventTypes.core()
    types.add(Volunteered)
    return types


def _line(type_: str, unit: str, data: dict[str, Any], ref: str) -> dict[str, Any]:
    return {
        "type": type_,
        "occurred_on": "2023-03-30",
        "unit": unit,
        "data": data,
        "source_ref": ref,
    }


def test_an_unknown_type_reads_back_raw(store_url: str, clock: Any) -> None:
    first = open_store(store_url, clock=clock, plugins=False, event_types=_with_plugin())
    try:
        first.append(
            [
                _line(
                    "UnitRegistered", "HP", {"code": "HP", "name": "Hải Phòng", "kind": "city"}, "u"
                ),
                _line("Volunteered", "HP", {"hours": 12}, "v"),
                _line("DialogueHeld", "HP", {"host": "chairman", "participants": 40}, "d"),
            ],
            actor="HP",
        )
    finally:
        first.close()

    again = open_store(store_url, clock=clock, plugins=False, event_types=EventTypes.core())
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            events = list(again.read())
            by_type = {e.type: e for e in events}
            assert again.get(by_type["Volunteered"].id).data == by_type["Volunteered"].data
            list(again.read())
        data = by_type["Volunteered"].data
        assert isinstance(data, UnknownEventData)
        assert (data.type_name, dict(data.payload)) == ("Volunteered", {"hours": 12})
        named = [w for w in caught if "Volunteered" in str(w.message)]
        assert len(named) == 1, [str(w.message) for w in caught]

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            snap = again.snapshot(unit="HP", period="2023")
            assert snap.value("dialogue.count") == 1
            assert again.verify().ok
    finally:
        again.close()


def test_an_unknown_type_is_refused_as_input(store: Any) -> None:
    from dvcore import ValidationError

    unit = _line("UnitRegistered", "A", {"code": "A", "name": "A", "kind": "commune"}, "u")
    with pytest.raises(ValidationError, match="Volunteered"):
        store.append([unit, _line("Volunteered", "A", {"hours": 1}, "v")], actor="A")
