"""The term report of a commune: seed 003's outline, every blank filled from the events."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from importlib import resources
from typing import Any

from dvcore.errors import InputError
from dvcore.indicators import format_number
from dvcore.reports.blocks import Blocks
from dvcore.reports.reader import Reader
from dvcore.reports.sections import Sections
from dvcore.reports.wording import (
    MISSING,
    as_int,
    committee_name,
    doc_date,
    kind_name,
    lower_name,
    named_period,
    nfc,
)
from dvcore.units import level_of

#: Blanks filled from the commune's attributes (``UnitRegistered``/``UnitChanged``), by key.
TERM_ATTRIBUTES: Mapping[str, str] = {
    "direction": "phía của xã trong huyện (đông, tây bắc…)",
    "borders_north": "giáp phía bắc",
    "borders_east": "giáp phía đông",
    "borders_west": "giáp phía tây",
    "borders_south": "giáp phía nam",
    "area_ha": "diện tích tự nhiên (ha)",
    "households": "số hộ",
    "population": "số nhân khẩu",
    "villages": "số thôn dân cư (khi không có đơn vị kind village)",
    "kinh_percent": "tỷ lệ người Kinh (%)",
    "ethnic_minorities": "các dân tộc thiểu số",
    "buddhist_followers": "số Phật tử",
    "other_religion": "tôn giáo thứ hai",
    "other_religion_followers": "số tín đồ tôn giáo thứ hai",
    "growth_percent": "tốc độ tăng giá trị sản xuất bình quân (%)",
    "output_per_capita": "giá trị sản xuất bình quân đầu người (triệu đồng)",
    "output_per_capita_increase": "mức tăng so với năm 2020 (triệu đồng)",
    "party_cells": "số chi bộ trực thuộc",
    "party_members": "số đảng viên",
    "party_cells_rural": "số chi bộ nông thôn",
    "party_cells_school": "số chi bộ trường học",
    "party_cells_other": "số chi bộ khác",
}
PERCENT_FIELDS = frozenset({"kinh_percent", "growth_percent", "mediation_percent"})

#: Blanks filled from indicators over the term: field → (indicator, dimension key or None).
#: The non-core codes are declared with ``IndicatorDefined`` and fed by ``FigureReported``.
TERM_INDICATORS: Mapping[str, tuple[str, tuple[str, str] | None]] = {
    "voter_meetings_na": ("voters.meetings_na", None),
    "voter_meetings_council": ("voters.meetings_council", None),
    "voter_attendance": ("voters.attendance", None),
    "voter_opinions": ("voters.opinions", None),
    "council_supervisions": ("council.supervisions", None),
    "one_stop_procedures": ("admin.one_stop_procedures", None),
    "clearance_projects": ("clearance.projects", None),
    "clearance_area_m2": ("clearance.area_m2", None),
    "reception_sessions": ("reception.sessions", None),
    "secretary_sessions": ("reception.sessions", ("host", "party_secretary")),
    "chairman_sessions": ("reception.sessions", ("host", "chairman")),
    "secretary_visits": ("reception.head_visits", ("host", "party_secretary")),
    "chairman_visits": ("reception.head_visits", ("host", "chairman")),
    "reception_visits": ("reception.visits", None),
    "reception_cases": ("reception.cases", None),
    "letters_received": ("letters.received", None),
    "letters_complaint": ("letters.complaint", None),
    "letters_denunciation": ("letters.denunciation", None),
    "letters_resolved": ("letters.resolved", None),
    "mediation_percent": ("mediation.success_percent", None),
    "training_attendance": ("training.attendance", None),
    "supervisions": ("supervision.count", None),
    "critiques": ("critique.count", None),
}

#: Blanks filled from ``DocumentIssued`` events: field → (whose, kinds, words in the title).
TERM_DOCUMENTS: Mapping[str, tuple[str, tuple[str, ...], str]] = {
    "dv_regulation": ("commune", ("regulation",), "quy chế công tác dân vận"),
    "ct33_plan": ("commune", ("plan",), "33/ct-ttg"),
    "reform_decision": (
        "commune",
        ("plan", "regulation", "notice", "directive"),
        "cải cách hành chính",
    ),
    "request": ("district", ("official_letter",), "tổng kết công tác dân vận"),
}


def load_term_template() -> list[str]:
    text = (
        resources.files("dvcore.reports").joinpath("term_commune.txt").read_text(encoding="utf-8")
    )
    return [line for line in text.splitlines() if line.strip() and not line.startswith("%%")]


BLANK = re.compile(r"\{\{([a-z0-9_]+)\}\}")


def attribute_text(field: str, value: Any) -> str | None:
    if value is None or isinstance(value, bool) or value == "":
        return None
    text = format_number(value) if isinstance(value, int | float | Decimal) else str(value)
    if field in PERCENT_FIELDS and not text.endswith("%"):
        text += "%"
    return text


def term_blanks(
    reader: Reader, term_text: str, doc_meta: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Every blank of the term template: ``{field: {"value", "filled", "source"}}``."""
    tree = reader.tree
    period = reader.period
    day = period.end
    unit = reader.unit
    state = tree.state(unit, day)
    parent = state.parent
    parent_state = tree.state(parent, day) if parent and parent in tree else None
    blanks: dict[str, dict[str, Any]] = {}

    def put(field: str, value: str | None, source: str) -> None:
        blanks[field] = {
            "value": value if value is not None else MISSING,
            "filled": value is not None,
            "source": source,
        }

    put("term", term_text, "period")
    put("commune_name", state.name, "unit")
    put("commune_lower", lower_name(state.name), "unit")
    put("district_lower", lower_name(parent_state.name) if parent_state else None, "unit")
    put(
        "district_committee",
        committee_name(parent_state.name, parent_state.kind) if parent_state else None,
        "unit",
    )
    for field in TERM_ATTRIBUTES:
        put(field, attribute_text(field, state.attributes.get(field)), f"attribute {field}")
    villages = [c for c in reader.children(unit, day) if tree.kind(c) == "village"]
    if villages:
        put("villages", format_number(len(villages)), "units of kind village")
    snap = reader.store.snapshot(unit, period, as_known_at=reader.as_known_at)
    for field, (code, dim) in TERM_INDICATORS.items():
        value: str | None = None
        if code in snap.figures:
            if dim is not None:
                got = snap.by(code, dim[0]).get(dim[1])
                value = None if got is None else format_number(got)
            elif reader.explain(code).events:
                raw = snap.value(code)
                value = None if raw is None else format_number(raw)
        if value is not None and field in PERCENT_FIELDS:
            value += "%"
        source = f"indicator {code}" + (f" ({dim[0]}={dim[1]})" if dim else "")
        put(field, value, source)
    pending = None
    if blanks["letters_resolved"]["filled"] and "letters.in_jurisdiction" in snap.figures:
        pending = as_int(snap.value("letters.in_jurisdiction")) - as_int(
            snap.value("letters.resolved")
        )
    put(
        "letters_pending",
        format_number(pending) if pending is not None and pending >= 0 else None,
        "letters.in_jurisdiction − letters.resolved",
    )
    inspections = [e for e in reader.explain("inspection.count").events]
    subjects = {str(e.data.subject or "").strip() for e in inspections if e.data.subject}
    members = {s for s in subjects if s.casefold().startswith(("đảng viên", "đồng chí"))}
    organisations = subjects - members
    put(
        "inspected_organisations",
        format_number(len(organisations)) if organisations else None,
        "inspection.count: distinct subjects that are party organisations",
    )
    put(
        "inspected_members",
        format_number(len(members)) if members else None,
        "inspection.count: distinct subjects naming a party member",
    )
    democracy = {
        str(e.data.subject or e.id)
        for e in inspections
        if "dân chủ" in nfc(str(e.data.topic or "")).casefold()
    }
    put(
        "democracy_inspections",
        format_number(len(democracy)) if democracy else None,
        "inspection.count: distinct subjects of inspections on grassroots democracy",
    )
    documents = [d for d in reader.documents() if d.occurred_on <= max(day, doc_meta["date"])]
    for field, (whose, kinds, words) in TERM_DOCUMENTS.items():
        owner = unit if whose == "commune" else parent
        found = [
            d
            for d in documents
            if d.unit == owner
            and d.data.kind in kinds
            and words in nfc(d.data.title or "").casefold()
        ]
        found.sort(key=lambda d: (d.occurred_on, d.position))
        doc = found[-1] if found else None
        put(f"{field}_number", doc.data.number if doc else None, f"DocumentIssued ({words})")
        put(
            f"{field}_date",
            doc_date(doc.occurred_on) if doc else None,
            f"DocumentIssued ({words})",
        )
    for key in ("request_number", "request_date"):
        if not blanks[key]["filled"] and doc_meta.get(key):
            put(key, str(doc_meta[key]), "sections file")
    return blanks


def fill_term(doc: Blocks, blanks: Mapping[str, Mapping[str, Any]]) -> None:
    section = "I"
    for line in load_term_template():
        style, text, level = "body", line, 0
        for marker, lv in (("#### ", 3), ("## ", 2), ("# ", 1)):
            if line.startswith(marker):
                text, level = line[len(marker) :], lv
                break
        if level == 0 and line.startswith("- "):
            style, text = "bullet", line[2:]
        segments: list[dict[str, Any]] = []
        pos = 0
        for match in BLANK.finditer(text):
            if match.start() > pos:
                segments.append({"text": text[pos : match.start()]})
            blank = blanks[match.group(1)]
            segment: dict[str, Any] = {"text": blank["value"], "field": match.group(1)}
            if not blank["filled"]:
                segment["italic"] = True
            segments.append(segment)
            pos = match.end()
        if pos < len(text):
            segments.append({"text": text[pos:]})
        plain = "".join(s["text"] for s in segments)
        if level:
            number, _, title = plain.partition(" ")
            if level == 1:
                section = number.rstrip(".-")
            if level == 3:
                doc.heading(section, 3, "", plain)
            else:
                doc.heading(section, level, number, title)
        else:
            doc.paragraph(section, segments, source="template", style=style)


def term_blocks(
    reader: Reader, sections: Sections, doc: Blocks, *, day: dt.date
) -> tuple[list[str], dict[str, dict[str, Any]], str]:
    """Write the term report of a commune into ``doc``; return the summary lines, the
    blanks and the term's years ("2020 - 2025")."""
    per, unit = reader.period, reader.unit
    end_state = reader.tree.state(unit, per.end)
    if level_of(end_state.kind) != "commune":
        raise InputError(
            f"the term report is for a commune, ward or township; '{unit}' "
            f"is a {kind_name(end_state.kind)}",
            unit=unit,
        )
    kind, first, last = named_period(per)
    term = f"{first} - {last}" if kind == "term" else (f"{per.start.year} - {per.end.year}")
    summary = [f"Tổng kết công tác dân vận nhiệm kỳ {term}"]
    meta = {**sections.meta, "date": day}
    blanks = term_blanks(reader, term, meta)
    fill_term(doc, blanks)
    return summary, blanks, term
