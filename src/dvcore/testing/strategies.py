"""Hypothesis strategies for dvcore and its plugin authors.

Periods under both cut-offs, unit trees, and events of every core type that are valid
against a given unit tree, in the JSON Lines shape that :meth:`dvcore.Store.append`
takes::

    from hypothesis import given, strategies as st
    from dvcore.testing import temporary_store
    from dvcore.testing import strategies as dvst

    @given(data=st.data())
    def test_my_exporter(data):
        tree = data.draw(dvst.unit_trees())
        with temporary_store() as store:  # a fresh store for every example
            store.append(list(tree.events))
            store.append(data.draw(dvst.core_events(tree)))
            ...

``docs/testing.md`` runs a complete example. Every strategy is deterministic given
Hypothesis' draws, so failures shrink and replay. Event ids never repeat within one test
case, however many batches are drawn: every id comes from :func:`event_ids`, which keeps
the ids it gave in a :func:`hypothesis.strategies.shared` pool of that test case.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import attrs
from hypothesis import strategies as st

from dvcore.periods import CUTOFFS, Cutoff, Period, parse_period

__all__ = [
    "CORE_TYPE_NAMES",
    "DEFINED_INDICATORS",
    "UnitTreeSpec",
    "core_events",
    "cutoffs",
    "data_for",
    "date_ranges",
    "event_ids",
    "named_specs",
    "period_specs",
    "periods",
    "section_ids",
    "unit_trees",
    "vietnamese_texts",
    "windows",
    "years",
]

JsonEvent = dict[str, Any]

# --- event ids ---------------------------------------------------------------------------


class _IdPool:
    """The event ids given so far in one test case (one pool per test case: shared)."""

    def __init__(self) -> None:
        self.used: set[uuid.UUID] = set()

    def fresh(self, candidate: uuid.UUID) -> uuid.UUID:
        """``candidate``, or (when given already) an id derived from it that was not."""
        tries = 0
        while candidate in self.used:
            tries += 1
            candidate = uuid.uuid5(candidate, str(tries))
        self.used.add(candidate)
        return candidate


# st.shared draws the pool once per test case and hands every draw the same object; a new
# test case (example) starts with an empty pool, so replays and shrinks stay deterministic.
_ID_POOL: st.SearchStrategy[_IdPool] = st.shared(
    st.builds(_IdPool), key="dvcore.testing.strategies.event-ids"
)


@st.composite
def event_ids(draw: st.DrawFn) -> uuid.UUID:
    """A version-4 event id no other draw of this strategy gave in the same test case.

    Separate draws (two batches of :func:`core_events`, two lists of
    :data:`event_envelopes`) never share an id, even when Hypothesis shrinks them to the
    same UUIDs: a repeated one is replaced by an id derived from it.
    """
    return draw(_ID_POOL).fresh(draw(st.uuids(version=4)))


# --- periods ------------------------------------------------------------------------------

#: Either cut-off convention: ``calendar`` or ``decree09``.
cutoffs: st.SearchStrategy[Cutoff] = st.sampled_from(CUTOFFS)

#: Years that every period form accepts.
years: st.SearchStrategy[int] = st.integers(min_value=1990, max_value=2100)

#: Named period specs in their normalized spelling: years, quarters, halves, cumulative
#: months, months and terms.
named_specs: st.SearchStrategy[str] = st.one_of(
    years.map(str),
    st.builds(lambda y, q: f"{y}-Q{q}", years, st.integers(1, 4)),
    st.builds(lambda y, h: f"{y}-H{h}", years, st.integers(1, 2)),
    st.builds(lambda y, n: f"{y}-{n}M", years, st.integers(1, 12)),
    st.builds(lambda y, m: f"{y}-{m:02d}", years, st.integers(1, 12)),
    st.builds(lambda y, k: f"{y}-{y + k}", years, st.integers(1, 10)),
)

#: Closed date ranges ``start..end`` within the supported years.
date_ranges: st.SearchStrategy[str] = st.builds(
    lambda a, b: f"{min(a, b).isoformat()}..{max(a, b).isoformat()}",
    st.dates(date(1990, 1, 1), date(2100, 12, 31)),
    st.dates(date(1990, 1, 1), date(2100, 12, 31)),
)

#: Any period spec: named or a date range.
period_specs: st.SearchStrategy[str] = st.one_of(named_specs, date_ranges)


def periods(
    cutoff: Cutoff | None = None,
    specs: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Period]:
    """Periods parsed from ``specs`` (default :data:`period_specs`) under ``cutoff``
    (default: either cut-off, drawn)."""
    chosen = cutoffs if cutoff is None else st.just(cutoff)
    return st.builds(parse_period, specs if specs is not None else period_specs, chosen)


# --- texts and windows --------------------------------------------------------------------

_TEXTS = (
    "Đối thoại với Nhân dân về giải phóng mặt bằng",
    "Xây dựng nông thôn mới kiểu mẫu",
    "Chỉnh trang, hiện đại hóa đô thị",
    "Tiếp công dân định kỳ",
    "Công tác dân vận chính quyền",
    "Giám sát việc thực hiện dân chủ ở cơ sở",
    "Phản biện dự thảo nghị quyết",
    "Hội Cựu chiến binh",
    "Chuyển đổi số",
    "Ủy ban Mặt trận Tổ quốc",
)

#: Short Vietnamese texts (Unicode NFC), for titles, topics and notes.
vietnamese_texts: st.SearchStrategy[str] = st.sampled_from(_TEXTS)

#: Section ids of a report's outline, as ``NarrativeSubmitted.section`` takes them.
section_ids: st.SearchStrategy[str] = st.sampled_from(
    ["P1", "I", "II", "II.1", "II.5", "III.4", "IV.1", "V.1", "V.2", "VI", "P2", "II.1.2"]
)


@st.composite
def windows(draw: st.DrawFn, first: date, last: date) -> list[str]:
    """A window ``[from, to]`` (ISO dates) inside ``first``..``last``."""
    a = draw(st.dates(first, last))
    b = draw(st.dates(first, last))
    return [min(a, b).isoformat(), max(a, b).isoformat()]


# --- unit trees -----------------------------------------------------------------------------

_PREFIX = {
    "province": "Tỉnh",
    "city": "Thành phố",
    "district": "Huyện",
    "town": "Thị xã",
    "commune": "Xã",
    "ward": "Phường",
    "township": "Thị trấn",
    "department": "Sở",
    "mass_org": "Hội",
    "armed_force": "Đồn Biên phòng",
}
_PROPER = (
    "An Lão",
    "Hồng Bàng",
    "Thủy Nguyên",
    "Kiến Thụy",
    "Đồ Sơn",
    "Lê Chân",
    "Ngũ Lão",
    "Vĩnh Bảo",
    "Cát Hải",
    "Tiên Lãng",
    "Đằng Hải",
    "Quán Toan",
)


@attrs.frozen(kw_only=True)
class UnitTreeSpec:
    """A unit tree drawn by :func:`unit_trees`: its ``UnitRegistered`` events and its codes.

    ``districts`` are the root's district-level children, ``communes`` the commune-level
    units under them, ``others`` the departments and mass organisations under the root.
    Append :attr:`events` before any event that names a unit.
    """

    root: str
    districts: tuple[str, ...]
    communes: tuple[str, ...]
    others: tuple[str, ...]
    kinds: Mapping[str, str] = attrs.field(hash=False)
    parents: Mapping[str, str | None] = attrs.field(hash=False)
    attributes: Mapping[str, Mapping[str, Any]] = attrs.field(hash=False)
    registered_on: date
    events: tuple[JsonEvent, ...] = attrs.field(hash=False)

    @property
    def codes(self) -> tuple[str, ...]:
        """Every unit code, parents before children."""
        return (self.root, *self.districts, *self.others, *self.communes)

    def children(self, code: str) -> tuple[str, ...]:
        """The units registered directly under ``code``."""
        return tuple(c for c in self.codes if self.parents[c] == code)


@st.composite
def unit_trees(
    draw: st.DrawFn,
    *,
    root: str = "T",
    min_districts: int = 1,
    max_districts: int = 3,
    min_communes: int = 1,
    max_communes: int = 4,
    max_others: int = 2,
    registered_on: date = date(2020, 1, 1),
) -> UnitTreeSpec:
    """A unit tree: a city or province, its districts with their commune-level units, and a
    few departments or mass organisations, all registered on ``registered_on``.

    Codes are ``T``, ``T.D1``, ``T.D1.C1``, ``T.O1``; commune-level units draw a kind
    (commune, ward, township) and communes an ``ntm_model`` attribute.
    """
    kinds: dict[str, str] = {root: draw(st.sampled_from(["city", "province"]))}
    parents: dict[str, str | None] = {root: None}
    attributes: dict[str, dict[str, Any]] = {root: {}}
    districts: list[str] = []
    communes: list[str] = []
    others: list[str] = []
    for d in range(1, draw(st.integers(min_districts, max_districts)) + 1):
        code = f"{root}.D{d}"
        districts.append(code)
        kinds[code] = draw(st.sampled_from(["district", "town"]))
        parents[code] = root
        attributes[code] = {}
        for c in range(1, draw(st.integers(min_communes, max_communes)) + 1):
            sub = f"{code}.C{c}"
            communes.append(sub)
            kinds[sub] = draw(st.sampled_from(["commune", "ward", "township"]))
            parents[sub] = code
            attributes[sub] = {"ntm_model": draw(st.booleans())} if kinds[sub] == "commune" else {}
    for o in range(1, draw(st.integers(0, max_others)) + 1):
        code = f"{root}.O{o}"
        others.append(code)
        kinds[code] = draw(st.sampled_from(["department", "mass_org", "armed_force"]))
        parents[code] = root
        attributes[code] = {}
    day = registered_on.isoformat()
    events = tuple(
        {
            "type": "UnitRegistered",
            "occurred_on": day,
            "unit": parents[code] or code,
            "data": {
                "code": code,
                "name": f"{_PREFIX[kinds[code]]} {draw(st.sampled_from(_PROPER))}",
                "kind": kinds[code],
                "parent": parents[code],
                "attributes": attributes[code],
            },
        }
        for code in (root, *districts, *others, *communes)
    )
    return UnitTreeSpec(
        root=root,
        districts=tuple(districts),
        communes=tuple(communes),
        others=tuple(others),
        kinds=kinds,
        parents=parents,
        attributes=attributes,
        registered_on=registered_on,
        events=events,
    )


# --- event data without references ------------------------------------------------------

#: Indicators that :func:`core_events` declares with ``IndicatorDefined``, by aggregation.
DEFINED_INDICATORS: Mapping[str, str] = {
    "test.flow": "sum",
    "test.stock": "last",
    "test.peak": "max",
    "test.low": "min",
}

_OPT_COUNT = st.none() | st.integers(0, 500)


def _dialogue(draw: st.DrawFn, first: date, last: date) -> dict[str, Any]:
    return {
        "host": draw(
            st.sampled_from(["party_secretary", "chairman", "standing_committee", "other"])
        ),
        "audience": draw(st.none() | vietnamese_texts),
        "participants": draw(_OPT_COUNT),
        "issues_raised": draw(_OPT_COUNT),
        "title": draw(st.none() | vietnamese_texts),
    }


def _counts(draw: st.DrawFn, names: Sequence[str], first: date, last: date) -> dict[str, Any]:
    out: dict[str, Any] = {"window": draw(windows(first, last))}
    for name in names:
        out[name] = draw(st.integers(0, 300))
    return out


def _letters_data(draw: st.DrawFn, first: date, last: date) -> dict[str, Any]:
    received = draw(st.integers(0, 300))
    eligible = draw(st.integers(0, received))
    in_jurisdiction = draw(st.integers(0, eligible))
    return {
        "window": draw(windows(first, last)),
        "received": received,
        "eligible": eligible,
        "in_jurisdiction": in_jurisdiction,
        "resolved": draw(st.integers(0, in_jurisdiction)),
    }


_RECEPTION = (
    "visits",
    "cases_complaint",
    "cases_denunciation",
    "cases_petition",
    "mass_groups",
    "mass_group_cases",
)

_DataMaker = Callable[[st.DrawFn, date, date], dict[str, Any]]

_SIMPLE: dict[str, _DataMaker] = {
    "DialogueHeld": _dialogue,
    "DialoguePlanIssued": lambda draw, first, last: {
        "year": last.year,
        "document": draw(st.none() | st.just("KH-01")),
    },
    "CitizenReceptionReported": lambda draw, first, last: _counts(draw, _RECEPTION, first, last),
    "LettersReported": _letters_data,
    "InspectionConducted": lambda draw, first, last: {
        "kind": draw(st.sampled_from(["inspection", "supervision"])),
        "subject": draw(st.none() | vietnamese_texts),
        "topic": draw(st.none() | vietnamese_texts),
    },
    "SocialSupervisionHeld": lambda draw, first, last: {
        "topic": draw(st.none() | vietnamese_texts)
    },
    "SocialCritiqueHeld": lambda draw, first, last: {"topic": draw(st.none() | vietnamese_texts)},
    "DocumentIssued": lambda draw, first, last: {
        "number": f"{draw(st.integers(1, 999)):02d}-"
        f"{draw(st.sampled_from(['NQ', 'CT', 'KH', 'KL', 'QC', 'TB', 'BC', 'CV']))}/T",
        "kind": draw(
            st.sampled_from(
                [
                    "resolution",
                    "directive",
                    "plan",
                    "official_letter",
                    "conclusion",
                    "regulation",
                    "notice",
                    "report",
                ]
            )
        ),
        "title": draw(st.none() | vietnamese_texts),
        "sets_targets": draw(st.booleans()),
    },
    "NarrativeSubmitted": lambda draw, first, last: {
        "section": draw(section_ids),
        "text": draw(vietnamese_texts),
        "window": draw(windows(first, last)),
    },
}


def data_for(type_name: str, first: date, last: date) -> st.SearchStrategy[dict[str, Any]]:
    """The ``data`` of an event of a type that names no other record (dialogues, plans,
    receptions, letters, inspections, supervision, critique, documents); windows fall
    inside ``first``..``last``."""
    maker = _SIMPLE[type_name]

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        return maker(draw, first, last)

    return build()


#: Every core event type :func:`core_events` can produce (UnitRegistered comes from the
#: tree, and from merges into a new unit).
CORE_TYPE_NAMES: tuple[str, ...] = (
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
)

_LAND = (
    "LandDossierFiled",
    "LandDossierSubmitted",
    "LandUseRightRecognized",
    "LandCertificateIssued",
)


# --- events valid against a tree ----------------------------------------------------------


class _Builder:
    """Keeps what :func:`core_events` has drawn so far, so each event it adds is valid."""

    def __init__(self, draw: st.DrawFn, tree: UnitTreeSpec, first: date, last: date) -> None:
        self.draw = draw
        self.tree = tree
        self.first = max(first, tree.registered_on)
        self.last = last
        self.events: list[JsonEvent] = []
        # code → last day it may carry events (merges and closures end units)
        self.until: dict[str, date] = {c: last for c in tree.codes}
        self.since: dict[str, date] = {c: self.first for c in tree.codes}
        self.parents: dict[str, str | None] = dict(tree.parents)
        self.establishments: dict[str, tuple[str, date]] = {}  # id → (unit, registered)
        self.models: dict[str, tuple[str, date]] = {}
        self.tasks: dict[str, tuple[str, date]] = {}  # id → (owner, assigned)
        self.defined: set[str] = set()
        self.correctable: list[int] = []  # indexes of events a correction may name
        self.endings: list[JsonEvent] = []
        self.involved: set[str] = set()  # units a planned merge or closure names

    def next_id(self) -> str:
        return str(self.draw(event_ids()))

    def add(
        self, type_name: str, day: date, unit: str, data: dict[str, Any], correctable: bool = False
    ) -> JsonEvent:
        event = {
            "id": self.next_id(),
            "type": type_name,
            "occurred_on": day.isoformat(),
            "unit": unit,
            "data": data,
        }
        if correctable:
            self.correctable.append(len(self.events))
        self.events.append(event)
        return event

    def living(self, codes: Sequence[str] | None = None) -> list[str]:
        pool = self.tree.codes if codes is None else codes
        return [c for c in pool if self.since[c] <= self.until[c]]

    def day_in(self, unit: str, after: date | None = None) -> date | None:
        lo = max(self.since[unit], after or self.since[unit])
        hi = self.until[unit]
        if lo > hi:
            return None
        return self.draw(st.dates(lo, hi))

    def unit_and_day(self, codes: Sequence[str] | None = None) -> tuple[str, date] | None:
        pool = self.living(codes)
        if not pool:
            return None
        unit = self.draw(st.sampled_from(pool))
        day = self.day_in(unit)
        return None if day is None else (unit, day)

    # --- one event of a type ------------------------------------------------------------

    def simple(self, type_name: str) -> None:
        picked = self.unit_and_day()
        if picked is None:
            return
        unit, day = picked
        data = _SIMPLE[type_name](self.draw, self.since[unit], day)
        self.add(type_name, day, unit, data, correctable=True)

    def establishment(self) -> str | None:
        picked = self.unit_and_day([*self.tree.districts, *self.tree.communes])
        if picked is None:
            return None
        unit, day = picked
        est = f"EST-{len(self.establishments) + 1}"
        self.add(
            "EstablishmentRegistered",
            day,
            unit,
            {
                "id": est,
                "name": f"Chùa {self.draw(st.sampled_from(_PROPER))}",
                "religion": self.draw(st.sampled_from(["Phật giáo", "Công giáo", None])),
                "uses_land": self.draw(st.booleans() | st.just(True)),
            },
        )
        self.establishments[est] = (unit, day)
        return est

    def pick_establishment(self) -> tuple[str, str, date] | None:
        if not self.establishments and self.establishment() is None:
            return None
        est = self.draw(st.sampled_from(sorted(self.establishments)))
        unit, registered = self.establishments[est]
        day = self.day_in(unit, after=registered)
        return None if day is None else (est, unit, day)

    def establishment_changed(self) -> None:
        picked = self.pick_establishment()
        if picked is not None:
            est, unit, day = picked
            self.add(
                "EstablishmentChanged",
                day,
                unit,
                {"id": est, "uses_land": self.draw(st.booleans())},
            )

    def land(self, type_name: str) -> None:
        picked = self.pick_establishment()
        if picked is not None:
            est, unit, day = picked
            data: dict[str, Any] = {"establishment_id": est}
            if type_name == "LandCertificateIssued":
                data["certificate_no"] = self.draw(st.none() | st.just("CS 01234"))
            self.add(type_name, day, unit, data, correctable=True)

    def model(self) -> str | None:
        picked = self.unit_and_day()
        if picked is None:
            return None
        unit, day = picked
        model_id = f"DVK-{len(self.models) + 1:04d}"
        field = self.draw(
            st.sampled_from(
                ["ntm_model", "urban", "digital", "security", "economy", "culture_society", "other"]
            )
        )
        self.add(
            "ModelRegistered",
            day,
            unit,
            {
                "model_id": model_id,
                "name": self.draw(vietnamese_texts),
                "field": field,
                "year": day.year,
            },
            correctable=True,
        )
        self.models[model_id] = (unit, day)
        return model_id

    def model_recognized(self) -> None:
        if not self.models and self.model() is None:
            return
        model_id = self.draw(st.sampled_from(sorted(self.models)))
        unit, registered = self.models[model_id]
        day = self.day_in(unit, after=registered)
        if day is not None:
            self.add(
                "ModelRecognized",
                day,
                unit,
                {"model_id": model_id, "level": self.draw(st.sampled_from(["city", "district"]))},
                correctable=True,
            )

    def indicator_defined(self, code: str | None = None) -> str:
        code = code or self.draw(st.sampled_from(sorted(DEFINED_INDICATORS)))
        self.add(
            "IndicatorDefined",
            self.first,
            self.tree.root,
            {
                "code": code,
                "title": self.draw(vietnamese_texts),
                "aggregation": DEFINED_INDICATORS[code],
                "unit_label": None,
            },
        )
        self.defined.add(code)
        return code

    def figure(self) -> None:
        code = (
            self.draw(st.sampled_from(sorted(self.defined)))
            if self.defined
            else self.indicator_defined()
        )
        picked = self.unit_and_day()
        if picked is None:
            return
        unit, day = picked
        window = self.draw(windows(self.since[unit], day))
        by = self.draw(st.sampled_from([{}, {"kind": "a"}, {"kind": "b"}]))
        self.add(
            "FigureReported",
            date.fromisoformat(window[1]),
            unit,
            {
                "indicator": code,
                "value": self.draw(st.integers(0, 2000)),
                "window": window,
                "by": by,
            },
            correctable=True,
        )

    def target_set(self) -> None:
        unit = self.draw(
            st.sampled_from(self.living([self.tree.root, *self.tree.districts]) or [self.tree.root])
        )
        day = self.day_in(unit)
        if day is None:
            return
        targets = [
            {
                "code": "T.1",
                "title": "Đơn vị có mô hình",
                "indicator": "model.registered",
                "measure": "units_with",
                "population": "units",
                "population_filter": [
                    {"kinds": ["commune"], "attributes": {"ntm_model": True}},
                    {"kinds": ["ward"], "attributes": {}},
                ],
                "threshold": 1.0,
                "period": str(day.year),
                "rounding": "ceil",
            },
            {
                "code": "T.2",
                "title": "Hồ sơ đất đai",
                "indicator": self.draw(
                    st.sampled_from(["land.dossier_filed", "land.dossier_submitted"])
                ),
                "measure": "count",
                "population": "establishments_using_land",
                "population_filter": [],
                "threshold": self.draw(st.sampled_from([0.1, 0.4, 0.5])),
                "period": str(day.year),
                "rounding": self.draw(st.sampled_from(["half_up", "ceil", "floor"])),
            },
        ]
        self.add(
            "TargetSetAdopted",
            day,
            unit,
            {"resolution": f"{len(self.events):02d}-NQ/T", "targets": targets},
            correctable=True,
        )

    def task(self) -> str | None:
        picked = self.unit_and_day()
        if picked is None:
            return None
        owner, day = picked
        task_id = f"KL-{len(self.tasks) + 1}"
        due = self.draw(st.none() | st.dates(day, self.last))
        self.add(
            "TaskAssigned",
            day,
            self.tree.root,
            {
                "task_id": task_id,
                "conclusion": "01-KL/T",
                "owner": owner,
                "due": None if due is None else due.isoformat(),
                "text": self.draw(vietnamese_texts),
            },
            correctable=True,
        )
        self.tasks[task_id] = (owner, day)
        return task_id

    def task_reported(self) -> None:
        if not self.tasks and self.task() is None:
            return
        task_id = self.draw(st.sampled_from(sorted(self.tasks)))
        owner, assigned = self.tasks[task_id]
        day = self.day_in(owner, after=assigned)
        if day is not None:
            self.add(
                "TaskReported",
                day,
                owner,
                {
                    "task_id": task_id,
                    "status": self.draw(st.sampled_from(["in_progress", "done"])),
                    "note": self.draw(st.none() | vietnamese_texts),
                },
                correctable=True,
            )

    def correction(self, retract: bool) -> None:
        if not self.correctable:
            return
        index = self.draw(st.sampled_from(self.correctable))
        original = self.events[index]
        self.correctable.remove(index)
        if retract:
            data: dict[str, Any] = {"event_id": original["id"], "reason": "Báo cáo trùng"}
            self.add(
                "EventRetracted",
                date.fromisoformat(original["occurred_on"]),
                original["unit"],
                data,
            )
            return
        corrected = dict(original["data"])
        type_name = original["type"]
        if type_name in _SIMPLE:
            day = date.fromisoformat(original["occurred_on"])
            corrected = _SIMPLE[type_name](self.draw, self.since[original["unit"]], day)
            if "window" in original["data"]:
                corrected["window"] = original["data"]["window"]
        elif type_name == "FigureReported":
            corrected["value"] = self.draw(st.integers(0, 2000))
        self.add(
            "EventCorrected",
            date.fromisoformat(original["occurred_on"]),
            original["unit"],
            {"event_id": original["id"], "data": corrected, "reason": "Số liệu sai"},
        )

    def unit_changed(self) -> None:
        choice = self.draw(st.sampled_from(["move", "rename", "attributes"]))
        picked = self.unit_and_day(self.tree.communes)
        if picked is None:
            return
        code, day = picked
        data: dict[str, Any] = {"code": code}
        if choice == "move":
            targets = [d for d in self.tree.districts if d != self.parents[code]]
            if not targets:
                return
            data["parent"] = self.draw(st.sampled_from(targets))
        elif choice == "rename":
            data["name"] = f"Phường {self.draw(st.sampled_from(_PROPER))}"
        else:
            data["attributes"] = {"ntm_model": self.draw(st.booleans())}
        self.add("UnitChanged", day, self.parents[code] or code, data)

    def ending(self, merge: bool) -> None:
        """Plan a merge or closure of commune-level units; its event is added last."""
        pool = [c for c in self.living(self.tree.communes) if c not in self.involved]
        if len(pool) < (2 if merge else 1) or self.first >= self.last:
            return
        day = self.draw(st.dates(self.first + timedelta(days=1), self.last))
        if merge:
            sources = self.draw(
                st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True)
            )
            rest = [c for c in pool if c not in sources]
            if not rest:
                return
            into = self.draw(st.sampled_from(rest))
            self.involved.update([*sources, into])
            for code in sources:
                self.until[code] = min(self.until[code], day - timedelta(days=1))
            self.endings.append(
                {
                    "id": self.next_id(),
                    "type": "UnitsMerged",
                    "occurred_on": day.isoformat(),
                    "unit": self.tree.root,
                    "data": {"sources": sources, "into": into},
                }
            )
        else:
            code = self.draw(st.sampled_from(pool))
            self.involved.add(code)
            self.until[code] = min(self.until[code], day - timedelta(days=1))
            self.endings.append(
                {
                    "id": self.next_id(),
                    "type": "UnitClosed",
                    "occurred_on": day.isoformat(),
                    "unit": self.tree.root,
                    "data": {"code": code},
                }
            )

    def one(self, type_name: str) -> None:
        if type_name in _SIMPLE:
            self.simple(type_name)
        elif type_name == "EstablishmentRegistered":
            self.establishment()
        elif type_name == "EstablishmentChanged":
            self.establishment_changed()
        elif type_name in _LAND:
            self.land(type_name)
        elif type_name == "ModelRegistered":
            self.model()
        elif type_name == "ModelRecognized":
            self.model_recognized()
        elif type_name == "IndicatorDefined":
            self.indicator_defined()
        elif type_name == "FigureReported":
            self.figure()
        elif type_name == "TargetSetAdopted":
            self.target_set()
        elif type_name == "TaskAssigned":
            self.task()
        elif type_name == "TaskReported":
            self.task_reported()
        elif type_name in ("EventRetracted", "EventCorrected"):
            self.correction(retract=type_name == "EventRetracted")
        elif type_name == "UnitChanged":
            self.unit_changed()
        elif type_name in ("UnitsMerged", "UnitClosed"):
            self.ending(merge=type_name == "UnitsMerged")
        else:
            raise ValueError(f"core_events cannot make a {type_name}")


@st.composite
def core_events(
    draw: st.DrawFn,
    tree: UnitTreeSpec,
    first: date = date(2023, 1, 1),
    last: date = date(2023, 12, 31),
    *,
    types: Sequence[str] = CORE_TYPE_NAMES,
    min_size: int = 0,
    max_size: int = 30,
    every_type: bool = False,
) -> list[JsonEvent]:
    """A batch of events valid against ``tree`` once its :attr:`UnitTreeSpec.events` are
    stored, dated ``first``..``last`` (JSON Lines dicts, each with an ``id``).

    Events name only what exists: land stages an establishment registered earlier in the
    batch (registered on demand), ``FigureReported`` an indicator of
    :data:`DEFINED_INDICATORS` declared earlier, ``TaskReported`` an assigned task,
    retractions and corrections an earlier event of the batch (for its unit). Merges and
    closures of commune-level units come last and end their units on a day after every
    event the batch gives them. ``every_type`` makes every type of ``types`` appear (as
    far as the tree allows: a merge needs two living commune-level units).
    """
    unknown = set(types) - set(CORE_TYPE_NAMES)
    if unknown:
        raise ValueError(f"core_events cannot make {sorted(unknown)}")
    builder = _Builder(draw, tree, first, last)
    planned = list(
        draw(st.lists(st.sampled_from(list(types)), min_size=min_size, max_size=max_size))
    )
    if every_type:
        planned = [*types, *planned]
    # Plan the endings first, so every other event falls inside its unit's life.
    for type_name in planned:
        if type_name in ("UnitsMerged", "UnitClosed"):
            builder.one(type_name)
    for type_name in planned:
        if type_name not in ("UnitsMerged", "UnitClosed"):
            builder.one(type_name)
    return [*builder.events, *builder.endings]


# --- event data objects, for round trips ------------------------------------------------
# Every core data class built directly (attrs objects, not JSON Lines dicts), over the
# whole range its validators accept: the cattrs converter must carry each one unchanged.
# (Imported here, not at the top: this part was added to the module after the rest.)

import typing  # noqa: E402
from decimal import Decimal  # noqa: E402

from dvcore.events import (  # noqa: E402
    CORE_EVENT_TYPES,
    TASK_BODIES,
    Aggregation,
    CitizenReceptionReported,
    DialogueHeld,
    DialoguePlanIssued,
    DocumentIssued,
    DocumentKind,
    EstablishmentChanged,
    EstablishmentRegistered,
    Event,
    EventCorrected,
    EventData,
    EventRetracted,
    FigureReported,
    Host,
    IndicatorDefined,
    InspectionConducted,
    InspectionKind,
    LandCertificateIssued,
    LandDossierFiled,
    LandDossierSubmitted,
    LandUseRightRecognized,
    LettersReported,
    Measure,
    ModelField,
    ModelRecognized,
    ModelRegistered,
    NarrativeSubmitted,
    Population,
    PopulationFilter,
    Rounding,
    SocialCritiqueHeld,
    SocialSupervisionHeld,
    SubmissionReceived,
    SubmissionReviewed,
    SubmissionRows,
    SubmittedFile,
    TargetDefinition,
    TargetSetAdopted,
    TaskAssigned,
    TaskReported,
    TaskStatus,
    UnitChanged,
    UnitClosed,
    UnitKind,
    UnitRegistered,
    UnitsMerged,
    Window,
)

# Any text a store accepts: every character but NUL (PostgreSQL cannot hold it in a text).
_CHARS: st.SearchStrategy[str] = st.characters(codec="utf-8", exclude_characters="\x00")
_ANY_TEXT: st.SearchStrategy[str] = st.text(_CHARS, max_size=30)
_SOME_TEXT: st.SearchStrategy[str] = st.text(_CHARS, min_size=1, max_size=30).filter(
    lambda s: bool(s.strip())
)
_OPT_TEXT: st.SearchStrategy[str | None] = st.none() | _ANY_TEXT
#: A task's owner: a unit code, or a unit code and one of its bodies.
_TASK_OWNERS: st.SearchStrategy[str] = st.builds(
    lambda code, body: f"{code}:{body}" if body else code,
    _SOME_TEXT.filter(lambda s: ":" not in s),
    st.none() | st.sampled_from(TASK_BODIES),
)
_COUNTS: st.SearchStrategy[int] = st.integers(min_value=0, max_value=10**12 - 1)
_OPT_COUNTS: st.SearchStrategy[int | None] = st.none() | _COUNTS
_DATES: st.SearchStrategy[date] = st.dates(date(1945, 9, 2), date(2100, 12, 31))
_SCALARS: st.SearchStrategy[Any] = st.none() | st.booleans() | st.integers() | _ANY_TEXT


def _literal(alias: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(typing.get_args(alias))


@st.composite
def _windows_obj(draw: st.DrawFn) -> Window:
    a, b = draw(_DATES), draw(_DATES)
    return Window(start=min(a, b), end=max(a, b))


_ATTRIBUTES: st.SearchStrategy[dict[str, Any]] = st.dictionaries(
    _ANY_TEXT, st.none() | st.booleans() | st.integers() | _ANY_TEXT, max_size=4
)
_FIGURE_VALUES: st.SearchStrategy[Decimal] = st.decimals(
    min_value=Decimal(-(10**12)) + Decimal("0.000001"),
    max_value=Decimal(10**12) - Decimal("0.000001"),
    places=6,
    allow_nan=False,
    allow_infinity=False,
) | st.integers(-(10**12) + 1, 10**12 - 1).map(Decimal)


@st.composite
def _unit_changed(draw: st.DrawFn) -> UnitChanged:
    name, parent = draw(_OPT_TEXT), draw(_OPT_TEXT)
    attributes = draw(st.none() | _ATTRIBUTES)
    if name is None and parent is None and attributes is None:
        name = draw(_SOME_TEXT)
    return UnitChanged(code=draw(_SOME_TEXT), name=name, parent=parent, attributes=attributes)


@st.composite
def _units_merged(draw: st.DrawFn) -> UnitsMerged:
    codes = draw(st.lists(_SOME_TEXT, min_size=2, max_size=5, unique=True))
    # (through builds: mypy cannot type the converter=tuple parameter of the class)
    return draw(st.builds(UnitsMerged, sources=st.just(codes[1:]), into=st.just(codes[0])))


@st.composite
def _letters(draw: st.DrawFn) -> LettersReported:
    received = draw(_COUNTS)
    return LettersReported(
        window=draw(_windows_obj()),
        received=received,
        eligible=draw(st.integers(0, received)),
        in_jurisdiction=draw(_COUNTS),
        resolved=draw(_COUNTS),
    )


_POPULATION_FILTERS: st.SearchStrategy[PopulationFilter] = st.builds(
    PopulationFilter,
    kinds=st.lists(_literal(UnitKind), max_size=3).map(tuple),
    attributes=_ATTRIBUTES,
)
_TARGETS: st.SearchStrategy[TargetDefinition] = st.builds(
    TargetDefinition,
    code=_SOME_TEXT,
    title=_SOME_TEXT,
    indicator=_SOME_TEXT,
    measure=_literal(Measure),
    population=_literal(Population),
    population_filter=st.lists(_POPULATION_FILTERS, max_size=2).map(tuple),
    threshold=st.decimals(min_value=0, max_value=1, places=4),
    period=_SOME_TEXT,
    rounding=_literal(Rounding),
)
_CORRECTED: st.SearchStrategy[dict[str, Any]] = st.dictionaries(
    _SOME_TEXT, _SCALARS | st.lists(_SCALARS, max_size=3), max_size=5
)

#: A strategy for every core event data class: instances over the whole range that the
#: class's validators accept (any text, counts up to 2⁵³, six-place decimals, ...).
EVENT_DATA: Mapping[type[EventData], st.SearchStrategy[EventData]] = {
    UnitRegistered: st.builds(
        UnitRegistered,
        code=_SOME_TEXT,
        name=_SOME_TEXT,
        kind=_literal(UnitKind),
        parent=_OPT_TEXT,
        attributes=_ATTRIBUTES,
    ),
    UnitChanged: _unit_changed(),
    UnitsMerged: _units_merged(),
    UnitClosed: st.builds(UnitClosed, code=_SOME_TEXT),
    EstablishmentRegistered: st.builds(
        EstablishmentRegistered,
        id=_SOME_TEXT,
        name=_SOME_TEXT,
        religion=_OPT_TEXT,
        uses_land=st.booleans(),
    ),
    EstablishmentChanged: st.builds(
        EstablishmentChanged,
        id=_SOME_TEXT,
        name=_OPT_TEXT,
        religion=_OPT_TEXT,
        uses_land=st.none() | st.booleans(),
        unit=_OPT_TEXT,
    ),
    DialogueHeld: st.builds(
        DialogueHeld,
        host=_literal(Host),
        audience=_OPT_TEXT,
        participants=_OPT_COUNTS,
        issues_raised=_OPT_COUNTS,
        title=_OPT_TEXT,
    ),
    DialoguePlanIssued: st.builds(
        DialoguePlanIssued, year=st.integers(1945, 2100), document=_OPT_TEXT
    ),
    ModelRegistered: st.builds(
        ModelRegistered,
        model_id=_SOME_TEXT,
        name=_SOME_TEXT,
        field=_literal(ModelField),
        year=st.none() | st.integers(1945, 2100),
    ),
    ModelRecognized: st.builds(ModelRecognized, model_id=_SOME_TEXT, level=_SOME_TEXT),
    LandDossierFiled: st.builds(LandDossierFiled, establishment_id=_SOME_TEXT),
    LandDossierSubmitted: st.builds(LandDossierSubmitted, establishment_id=_SOME_TEXT),
    LandUseRightRecognized: st.builds(LandUseRightRecognized, establishment_id=_SOME_TEXT),
    LandCertificateIssued: st.builds(
        LandCertificateIssued, establishment_id=_SOME_TEXT, certificate_no=_OPT_TEXT
    ),
    CitizenReceptionReported: st.builds(
        CitizenReceptionReported,
        window=_windows_obj(),
        visits=_COUNTS,
        cases_complaint=_COUNTS,
        cases_denunciation=_COUNTS,
        cases_petition=_COUNTS,
        mass_groups=_COUNTS,
        mass_group_cases=_COUNTS,
    ),
    LettersReported: _letters(),
    InspectionConducted: st.builds(
        InspectionConducted, kind=_literal(InspectionKind), subject=_OPT_TEXT, topic=_OPT_TEXT
    ),
    SocialSupervisionHeld: st.builds(SocialSupervisionHeld, topic=_OPT_TEXT),
    SocialCritiqueHeld: st.builds(SocialCritiqueHeld, topic=_OPT_TEXT),
    DocumentIssued: st.builds(
        DocumentIssued,
        number=_SOME_TEXT,
        kind=_literal(DocumentKind),
        title=_OPT_TEXT,
        sets_targets=st.booleans(),
    ),
    NarrativeSubmitted: st.builds(
        NarrativeSubmitted, section=section_ids, text=_SOME_TEXT, window=_windows_obj()
    ),
    IndicatorDefined: st.builds(
        IndicatorDefined,
        code=_SOME_TEXT,
        title=_SOME_TEXT,
        aggregation=_literal(Aggregation),
        unit_label=_OPT_TEXT,
    ),
    FigureReported: st.builds(
        FigureReported,
        indicator=_SOME_TEXT,
        value=_FIGURE_VALUES,
        window=_windows_obj(),
        by=st.dictionaries(_ANY_TEXT, _ANY_TEXT, max_size=3),
    ),
    TargetSetAdopted: st.builds(
        TargetSetAdopted,
        resolution=_SOME_TEXT,
        targets=st.lists(_TARGETS, max_size=3, unique_by=lambda t: t.code).map(tuple),
    ),
    TaskAssigned: st.builds(
        TaskAssigned,
        task_id=_SOME_TEXT,
        conclusion=_SOME_TEXT,
        owner=_TASK_OWNERS,
        due=st.none() | _DATES,
        text=_SOME_TEXT,
        co_owners=st.lists(_TASK_OWNERS, max_size=3, unique=True).map(tuple),
        group=_OPT_TEXT,
    ).filter(lambda t: t.owner not in t.co_owners)
    | st.builds(
        TaskAssigned,
        task_id=_SOME_TEXT,
        conclusion=_SOME_TEXT,
        owner=_TASK_OWNERS,
        recurrence=st.sampled_from(["quarterly", "yearly"])
        | st.integers(1, 28).map(lambda n: f"monthly:{n}"),
        text=_SOME_TEXT,
    ),
    TaskReported: st.builds(
        TaskReported,
        task_id=_SOME_TEXT,
        status=_literal(TaskStatus),
        note=_OPT_TEXT,
        conclusion=_OPT_TEXT,
    ),
    EventRetracted: st.builds(EventRetracted, event_id=st.uuids(), reason=_SOME_TEXT),
    EventCorrected: st.builds(
        EventCorrected, event_id=st.uuids(), data=_CORRECTED, reason=_SOME_TEXT
    ),
    SubmissionReceived: st.builds(
        SubmissionReceived,
        period=_SOME_TEXT,
        window=_windows_obj(),
        version=st.integers(1, 50),
        files=st.lists(
            st.builds(SubmittedFile, name=_SOME_TEXT, sha256=_SOME_TEXT, channel=_SOME_TEXT),
            max_size=3,
        ),
        rows=st.lists(
            st.builds(SubmissionRows, type=_SOME_TEXT, keys=st.lists(_SOME_TEXT, max_size=4)),
            max_size=3,
        ),
        added=st.integers(0, 10_000),
        corrected=st.integers(0, 10_000),
        retracted=st.integers(0, 10_000),
        unchanged=st.integers(0, 10_000),
    ),
    SubmissionReviewed: st.one_of(
        st.builds(
            SubmissionReviewed,
            unit=_SOME_TEXT,
            period=_SOME_TEXT,
            decision=st.just("accepted"),
            version=st.integers(1, 50),
            reason=_OPT_TEXT,
        ),
        st.builds(
            SubmissionReviewed,
            unit=_SOME_TEXT,
            period=_SOME_TEXT,
            decision=st.just("returned"),
            version=st.integers(1, 50),
            reason=_SOME_TEXT,
        ),
    ),
}


def event_data(event_type: type[EventData] | None = None) -> st.SearchStrategy[EventData]:
    """Data objects of ``event_type`` (a core class), or of any core type when ``None``."""
    if event_type is None:
        return st.one_of([EVENT_DATA[t] for t in CORE_EVENT_TYPES])
    return EVENT_DATA[event_type]


#: Event envelopes (:class:`dvcore.events.Event`) around any core data, with or without an
#: idempotency key and a stream name. Their ids come from :func:`event_ids`: no two
#: envelopes of one test case share one.
event_envelopes: st.SearchStrategy[Event] = st.builds(
    Event,
    data=event_data(),
    occurred_on=_DATES,
    unit=st.text(_CHARS, min_size=1, max_size=64).filter(lambda s: bool(s.strip())),
    source_ref=st.none() | st.text(_CHARS, min_size=1, max_size=60),
    id=event_ids(),
    stream=st.none() | st.text(_CHARS, min_size=1, max_size=60),
)

__all__ += ["EVENT_DATA", "event_data", "event_envelopes"]
