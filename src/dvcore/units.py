"""Units over time: the organisation tree as of any date, merges and closures, establishments.

The tree is folded from ``UnitRegistered``, ``UnitChanged``, ``UnitsMerged`` and
``UnitClosed`` events by the day they take effect (``occurred_on``), so a change recorded
late still lands on its day. A unit exists from the day it is registered up to the day
before it is merged away or closed. Religious establishments are folded the same way from
``EstablishmentRegistered`` and ``EstablishmentChanged``: they are where the land target's
denominator comes from.

Two views of a unit's subtree over a period (:meth:`UnitTree.members`):

``as-of``
    each unit counts for the days it was inside the subtree: history stays on the units
    as they were (a ward merged away on 1/7/2025 reports its first half on its own);
``current``
    the tree after every change: a merged-away unit's whole history counts for its
    successor, a closed unit's for the parent it had when it closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal

import attrs

from dvcore.errors import UnknownUnitError
from dvcore.events import (
    AttributeValue,
    EstablishmentChanged,
    EstablishmentRegistered,
    EventData,
    UnitChanged,
    UnitClosed,
    UnitKind,
    UnitRegistered,
    UnitsMerged,
)
from dvcore.i18n import _

__all__ = [
    "LEVELS",
    "Establishment",
    "Member",
    "TreeMode",
    "UnitState",
    "UnitTree",
    "level_of",
]

TreeMode = Literal["as-of", "current"]

#: The ``level`` dimension of each unit kind.
LEVELS: Mapping[str, str] = {
    "province": "city",
    "city": "city",
    "district": "district",
    "town": "district",
    "commune": "commune",
    "ward": "commune",
    "township": "commune",
}

UNIT_EVENT_TYPES = frozenset({"UnitRegistered", "UnitChanged", "UnitsMerged", "UnitClosed"})
ESTABLISHMENT_EVENT_TYPES = frozenset({"EstablishmentRegistered", "EstablishmentChanged"})

_END = dt.date.max


def level_of(kind: str) -> str:
    """The reporting level of a unit kind: ``city``, ``district``, ``commune`` or ``other``."""
    return LEVELS.get(kind, "other")


@attrs.frozen(kw_only=True)
class UnitState:
    """A unit as it stands on one day."""

    code: str
    name: str
    kind: UnitKind
    parent: str | None
    attributes: Mapping[str, AttributeValue] = attrs.field(hash=False)

    @property
    def level(self) -> str:
        """The reporting level of the unit's kind."""
        return level_of(self.kind)


@attrs.frozen(kw_only=True)
class Member:
    """A unit that counts for a subtree from ``start`` to ``end`` (inclusive)."""

    unit: str
    start: dt.date
    end: dt.date


@attrs.frozen(kw_only=True)
class Establishment:
    """A religious establishment as it stands on one day."""

    id: str
    name: str
    religion: str | None
    uses_land: bool
    unit: str


@attrs.define
class _UnitRecord:
    registered: UnitRegistered
    registered_on: dt.date
    changes: list[tuple[dt.date, int, UnitChanged]] = attrs.field(factory=list)
    ended_on: dt.date | None = None  # first day the unit no longer exists
    successor: str | None = None


@attrs.define
class _EstablishmentRecord:
    registered: EstablishmentRegistered
    registered_on: dt.date
    unit: str
    position: int
    changes: list[tuple[dt.date, int, EstablishmentChanged]] = attrs.field(factory=list)


class UnitTree:
    """The organisation tree and its establishments, folded from unit and establishment events.

    Feed events in position order with :meth:`apply`; ask with :meth:`state`,
    :meth:`exists`, :meth:`members`. The tree only checks what it needs to stay coherent;
    the store validates events before they are applied (:meth:`check`).
    """

    def __init__(self) -> None:
        self._units: dict[str, _UnitRecord] = {}
        self._establishments: dict[str, _EstablishmentRecord] = {}
        self._change_days: set[dt.date] = set()
        self._members_cache: dict[tuple[str, dt.date, dt.date, str], tuple[Member, ...]] = {}
        self.position = 0

    # --- folding ------------------------------------------------------------------------

    def apply(self, data: EventData, occurred_on: dt.date, unit: str, position: int) -> None:
        """Fold one event into the tree (events of other types are ignored)."""
        self.position = max(self.position, position)
        if isinstance(data, UnitRegistered):
            self._units[data.code] = _UnitRecord(registered=data, registered_on=occurred_on)
        elif isinstance(data, UnitChanged):
            self._units[data.code].changes.append((occurred_on, position, data))
            self._units[data.code].changes.sort(key=lambda c: (c[0], c[1]))
        elif isinstance(data, UnitsMerged):
            for source in data.sources:
                rec = self._units[source]
                rec.ended_on = occurred_on
                rec.successor = data.into
        elif isinstance(data, UnitClosed):
            self._units[data.code].ended_on = occurred_on
        elif isinstance(data, EstablishmentRegistered):
            self._establishments[data.id] = _EstablishmentRecord(
                registered=data, registered_on=occurred_on, unit=unit, position=position
            )
            return
        elif isinstance(data, EstablishmentChanged):
            self._establishments[data.id].changes.append((occurred_on, position, data))
            self._establishments[data.id].changes.sort(key=lambda c: (c[0], c[1]))
            return
        else:
            return
        self._change_days.add(occurred_on)
        self._members_cache.clear()

    def copy(self) -> UnitTree:
        """An independent copy (for validating a batch without touching this tree)."""
        other = UnitTree()
        other._units = {k: attrs.evolve(v, changes=list(v.changes)) for k, v in self._units.items()}
        other._establishments = {
            k: attrs.evolve(v, changes=list(v.changes)) for k, v in self._establishments.items()
        }
        other._change_days = set(self._change_days)
        other.position = self.position
        return other

    # --- questions about units ----------------------------------------------------------

    def __contains__(self, code: object) -> bool:
        return code in self._units

    def codes(self) -> Iterator[str]:
        """Every unit code ever registered."""
        return iter(self._units)

    def registered_on(self, code: str) -> dt.date:
        """The day a unit was registered."""
        return self._record(code).registered_on

    def ended_on(self, code: str) -> dt.date | None:
        """The first day a unit no longer exists (merged away or closed), or ``None``."""
        return self._record(code).ended_on

    def successor(self, code: str) -> str | None:
        """The unit a merged-away unit continues in, or ``None``."""
        return self._record(code).successor

    def exists(self, code: str, day: dt.date) -> bool:
        """Whether the unit exists on ``day``."""
        rec = self._units.get(code)
        if rec is None or day < rec.registered_on:
            return False
        return rec.ended_on is None or day < rec.ended_on

    def state(self, code: str, day: dt.date | None = None) -> UnitState:
        """The unit as it stands on ``day`` (``None``: after every change)."""
        rec = self._record(code)
        reg = rec.registered
        name, parent, attributes = reg.name, reg.parent, dict(reg.attributes)
        for on, _pos, change in rec.changes:
            if day is not None and on > day:
                break
            if change.name is not None:
                name = change.name
            if change.parent is not None:
                parent = change.parent
            if change.attributes is not None:
                attributes.update(change.attributes)
        return UnitState(code=code, name=name, kind=reg.kind, parent=parent, attributes=attributes)

    def kind(self, code: str) -> str:
        """The unit's kind (kinds never change)."""
        return self._record(code).registered.kind

    def level(self, code: str) -> str:
        """The unit's reporting level."""
        return level_of(self.kind(code))

    def ancestors(self, code: str, day: dt.date | None = None) -> list[str]:
        """The unit's parents upwards, nearest first, as the tree stands on ``day``."""
        out: list[str] = []
        seen = {code}
        parent = self.state(code, day).parent
        while parent is not None and parent in self._units and parent not in seen:
            out.append(parent)
            seen.add(parent)
            parent = self.state(parent, day).parent
        return out

    def resolve_current(self, code: str) -> str | None:
        """The unit that carries ``code``'s history in the current tree, or ``None``.

        A merged-away unit resolves to its successor (followed through later merges), a
        closed unit to the parent it had when it closed.
        """
        seen: set[str] = set()
        current: str | None = code
        while current is not None and current not in seen:
            seen.add(current)
            rec = self._units.get(current)
            if rec is None:
                return None
            if rec.ended_on is None:
                return current
            current = rec.successor if rec.successor is not None else self.state(current).parent
        return None

    def check_exists(self, code: str, day: dt.date) -> None:
        """Raise :class:`UnknownUnitError` unless the unit exists on ``day``."""
        rec = self._units.get(code)
        if rec is None:
            raise UnknownUnitError(code)
        if day < rec.registered_on:
            raise UnknownUnitError(
                code,
                _(
                    "unit '{code}' was registered on {registered}, after {day}",
                    code=code,
                    registered=rec.registered_on.isoformat(),
                    day=day.isoformat(),
                ),
            )
        if rec.ended_on is not None and day >= rec.ended_on:
            ended_on = rec.ended_on.isoformat()
            message = (
                _(
                    "unit '{code}' was merged into '{successor}' on {day}",
                    code=code,
                    successor=rec.successor,
                    day=ended_on,
                )
                if rec.successor
                else _("unit '{code}' was closed on {day}", code=code, day=ended_on)
            )
            raise UnknownUnitError(code, message, ended=True)

    def members(
        self, code: str, start: dt.date, end: dt.date, mode: TreeMode = "as-of"
    ) -> tuple[Member, ...]:
        """The units whose figures count for ``code``'s subtree from ``start`` to ``end``."""
        key = (code, start, end, mode)
        cached = self._members_cache.get(key)
        if cached is None:
            cached = (
                self._members_current(code, start, end)
                if mode == "current"
                else (self._members_as_of(code, start, end))
            )
            self._members_cache[key] = cached
        return cached

    def _members_as_of(self, code: str, start: dt.date, end: dt.date) -> tuple[Member, ...]:
        # Between two days on which some unit event takes effect the tree is constant, so
        # compute the subtree once per segment and join each unit's adjacent segments.
        cuts = sorted(d for d in self._change_days if start < d <= end)
        bounds = [start, *cuts]
        spans: dict[str, list[list[dt.date]]] = {}
        for i, seg_start in enumerate(bounds):
            seg_end = bounds[i + 1] - dt.timedelta(days=1) if i + 1 < len(bounds) else end
            for unit in self._subtree_on(code, seg_start):
                runs = spans.setdefault(unit, [])
                if runs and runs[-1][1] + dt.timedelta(days=1) == seg_start:
                    runs[-1][1] = seg_end
                else:
                    runs.append([seg_start, seg_end])
        return tuple(Member(unit=u, start=a, end=b) for u, runs in spans.items() for a, b in runs)

    def _subtree_on(self, code: str, day: dt.date) -> list[str]:
        if not self.exists(code, day):
            return []
        children: dict[str, list[str]] = {}
        for other in self._units:
            if other == code or not self.exists(other, day):
                continue
            parent = self.state(other, day).parent
            if parent is not None:
                children.setdefault(parent, []).append(other)
        out = [code]
        stack = [code]
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in out:
                    out.append(child)
                    stack.append(child)
        return out

    def _members_current(self, code: str, start: dt.date, end: dt.date) -> tuple[Member, ...]:
        if code not in self._units:
            raise UnknownUnitError(code)
        top = self.resolve_current(code)
        if top != code:
            raise UnknownUnitError(
                code,
                _(
                    "unit '{code}' is not in the current tree; its history is carried by '{top}'",
                    code=code,
                    top=top,
                )
                if top
                else _("unit '{code}' is not in the current tree", code=code),
            )
        out: list[Member] = []
        for other in self._units:
            carrier = self.resolve_current(other)
            if carrier is None:
                continue
            if carrier == code or code in self.ancestors(carrier):
                out.append(Member(unit=other, start=start, end=end))
        return tuple(out)

    def subtree(self, code: str, day: dt.date) -> list[str]:
        """The units of ``code``'s subtree on ``day`` (``code`` first)."""
        return self._subtree_on(code, day)

    # --- establishments -----------------------------------------------------------------

    def has_establishment(self, establishment_id: str) -> bool:
        """Whether an establishment with this id was registered."""
        return establishment_id in self._establishments

    def establishment(self, establishment_id: str, day: dt.date | None = None) -> Establishment:
        """An establishment as it stands on ``day`` (``None``: after every change)."""
        rec = self._establishments[establishment_id]
        reg = rec.registered
        values: dict[str, Any] = {
            "id": reg.id,
            "name": reg.name,
            "religion": reg.religion,
            "uses_land": reg.uses_land,
            "unit": rec.unit,
        }
        for on, _pos, change in rec.changes:
            if day is not None and on > day:
                break
            for field in ("name", "religion", "uses_land", "unit"):
                value = getattr(change, field)
                if value is not None:
                    values[field] = value
        return Establishment(**values)

    def establishments(self, day: dt.date) -> Iterator[Establishment]:
        """Every establishment registered on or before ``day``, as it stands that day."""
        for est_id, rec in self._establishments.items():
            if rec.registered_on <= day:
                yield self.establishment(est_id, day)

    def establishments_using_land(self, members: Iterable[Member], day: dt.date) -> list[str]:
        """Ids of the establishments using land on ``day`` that stand in one of ``members``."""
        inside = {m.unit for m in members if m.start <= day <= m.end}
        return sorted(
            e.id
            for e in self.establishments(day)
            if e.uses_land and self.carrier_on(e.unit, day) in inside
        )

    def establishment_positions(self, ids: Iterable[str], day: dt.date) -> set[int]:
        """Positions of the events that make these establishments what they are on ``day``."""
        out: set[int] = set()
        for est_id in ids:
            rec = self._establishments[est_id]
            out.add(rec.position)
            out.update(pos for on, pos, _c in rec.changes if on <= day)
        return out

    def carrier_on(self, code: str, day: dt.date) -> str:
        """The unit that stands for ``code`` on ``day``: itself while it exists, else the
        unit it was merged into (or, when closed, its last parent), followed onwards."""
        seen: set[str] = set()
        current = code
        while current not in seen:
            seen.add(current)
            rec = self._units.get(current)
            if rec is None or rec.ended_on is None or day < rec.ended_on:
                return current
            nxt = rec.successor or self.state(current).parent
            if nxt is None:
                return current
            current = nxt
        return current

    def _record(self, code: str) -> _UnitRecord:
        rec = self._units.get(code)
        if rec is None:
            raise UnknownUnitError(code)
        return rec
