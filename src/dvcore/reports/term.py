"""The term report of a commune: seed 003's outline, its figures from the events.

The template (``term_commune.txt``, its format described at its top and in
``docs/reports.md``) is written anew: it holds the outline, the sentences that state a
figure, and ``@`` where the writer's own text goes. :func:`term_blanks` fills its blanks
from the events; :func:`fill_term` keeps a sentence only when the events fill it, so that
nothing is printed that the data does not say.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from importlib import resources
from typing import Any

from dvcore.errors import InputError
from dvcore.indicators import format_number
from dvcore.periods import period_name
from dvcore.reports.blocks import Blocks
from dvcore.reports.compiled import Narrative
from dvcore.reports.reader import Reader
from dvcore.reports.sections import Sections
from dvcore.reports.wording import (
    CASE_KINDS,
    FIELDS,
    HOSTS,
    MISSING,
    as_int,
    cap,
    committee_name,
    count_text,
    doc_date,
    document_ref,
    document_word,
    kind_name,
    lower_name,
    nfc,
    unit_word,
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
    "villages": "số thôn, tổ dân phố (khi không có đơn vị kind village)",
    "kinh_percent": "tỷ lệ người Kinh (%)",
    "ethnic_minorities": "các dân tộc thiểu số (chỉ in khi tỷ lệ người Kinh dưới 100%)",
    "buddhist_followers": "số Phật tử",
    "other_religion": "tôn giáo thứ hai",
    "other_religion_followers": "số tín đồ tôn giáo thứ hai",
    "growth_percent": "tốc độ tăng giá trị sản xuất bình quân (%/năm)",
    "output_per_capita": "giá trị sản xuất bình quân đầu người (triệu đồng/năm)",
    "output_per_capita_increase": "mức tăng so với đầu nhiệm kỳ (triệu đồng)",
    "party_cells": "số chi bộ trực thuộc",
    "party_members": "số đảng viên",
    "party_cells_rural": "số chi bộ thôn (khu dân cư)",
    "party_cells_school": "số chi bộ trường học",
    "party_cells_police": "số chi bộ công an",
    "party_cells_military": "số chi bộ quân sự",
    "party_cells_other": "số chi bộ khác",
}
PERCENT_FIELDS = frozenset({"kinh_percent", "growth_percent", "mediation_percent"})
#: Blanks that are measures, written as numbers (``562``, ``93,6%``); every other number
#: blank is a count, written by :func:`count_text` (``06``), and a zero count is left out.
MEASURE_FIELDS = frozenset(
    {
        "area_ha",
        "kinh_percent",
        "growth_percent",
        "output_per_capita",
        "output_per_capita_increase",
        "clearance_area_m2",
        "mediation_percent",
    }
)

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
    "dialogues": ("dialogue.count", None),
    "inspections": ("inspection.count", None),
    "documents": ("document.count", None),
    "models_registered": ("model.registered", None),
    "models_recognized": ("model.recognized", None),
}

#: Blanks filled from ``DocumentIssued`` events: field → (whose, kinds, words in the title).
#: Each gives ``<field>_number``, ``<field>_date`` and ``<field>_ref`` (the document named
#: by the kind its number says, its number, date and title: :func:`document_ref`).
TERM_DOCUMENTS: Mapping[str, tuple[str, tuple[str, ...], str]] = {
    "dv_regulation": ("commune", ("regulation", "decision"), "quy chế công tác dân vận"),
    "ct33_plan": ("commune", ("plan",), "33/ct-ttg"),
    "reform_decision": (
        "commune",
        ("plan", "regulation", "decision", "notice", "directive"),
        "cải cách hành chính",
    ),
    "request": ("district", ("official_letter", "guidance", "plan"), "tổng kết công tác dân vận"),
}

#: The template's lines: ``#``/``##`` headings, ``@``, ``- ``, ``+ `` (term_commune.txt).
BLANK = re.compile(r"\{\{([a-z0-9_]+)\}\}")
SPAN = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)
HEADING = re.compile(r"^(#{1,2}) (\S+) (.*)$")


def load_term_template() -> list[str]:
    """The template's lines, comments and blank lines dropped."""
    text = (
        resources.files("dvcore.reports").joinpath("term_commune.txt").read_text(encoding="utf-8")
    )
    return [line for line in text.splitlines() if line.strip() and not line.startswith("%%")]


def attribute_text(field: str, value: Any) -> str | None:
    """An attribute's value as the report writes it, or None when it says nothing."""
    if value is None or isinstance(value, bool) or value == "":
        return None
    if isinstance(value, int | float | Decimal):
        if field in MEASURE_FIELDS:
            text = format_number(value)
        elif value <= 0:
            return None
        else:
            text = count_text(Decimal(str(value)) if isinstance(value, float) else value)
    else:
        text = nfc(str(value)).strip()
        if not text:
            return None
    if field in PERCENT_FIELDS and not text.endswith("%"):
        text += "%"
    return text


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    try:
        return Decimal(str(value).replace("%", "").replace(",", ".").strip())
    except ArithmeticError:
        return None


def _joined(parts: Sequence[str]) -> str | None:
    """``a``, ``a và b``, ``a, b và c``; None for nothing."""
    parts = [p for p in parts if p]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return f"{', '.join(parts[:-1])} và {parts[-1]}"


def term_blanks(
    reader: Reader, term_text: str, doc_meta: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Every blank of the term template: ``{field: {"value", "filled", "source"}}``.

    An unfilled blank's value is :data:`~dvcore.reports.wording.MISSING`; the report never
    prints it (its sentence is left out), but the context keeps it for templates of one's
    own.
    """
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

    def got(field: str) -> str | None:
        blank = blanks.get(field)
        return str(blank["value"]) if blank is not None and blank["filled"] else None

    word = unit_word(state.name, state.kind)
    put("term", term_text, "period")
    put("commune_name", state.name, "unit")
    put("commune_lower", lower_name(state.name), "unit")
    put("unit_word", word, "unit kind and name")
    put("village_word", "thôn" if state.kind == "commune" else "tổ dân phố", "unit kind")
    put("district_lower", lower_name(parent_state.name) if parent_state else None, "unit")
    put(
        "district_committee",
        committee_name(parent_state.name, parent_state.kind) if parent_state else None,
        "unit",
    )
    attributes = state.attributes
    for field in TERM_ATTRIBUTES:
        put(field, attribute_text(field, attributes.get(field)), f"attribute {field}")
    villages = [c for c in reader.children(unit, day) if tree.kind(c) == "village"]
    if villages:
        put("villages", count_text(len(villages)), "units of kind village")

    # composed from the attributes: each part only when its attribute says something
    borders = [
        f"phía {side} giáp {got(f'borders_{key}')}"
        for key, side in (("north", "bắc"), ("east", "đông"), ("south", "nam"), ("west", "tây"))
        if got(f"borders_{key}")
    ]
    put("borders", "; ".join(borders) or None, "attributes borders_*")
    residents = [
        f"{got('households')} hộ" if got("households") else "",
        f"{got('population')} nhân khẩu" if got("population") else "",
    ]
    put(
        "residents",
        " với ".join(p for p in residents if p) or None,
        "attributes households, population",
    )
    kinh = _number(attributes.get("kinh_percent"))
    minority = Decimal(100) - kinh if kinh is not None and 0 <= kinh < 100 else None
    put(
        "minority_percent",
        f"{format_number(minority)}%" if minority is not None else None,
        "100 − attribute kinh_percent",
    )
    if minority is None:
        # the minorities are named only where the data says there are some
        put("ethnic_minorities", None, "attribute ethnic_minorities (when kinh_percent < 100)")
    religions = []
    if got("buddhist_followers"):
        religions.append(f"{got('buddhist_followers')} Phật tử")
    if got("other_religion") and got("other_religion_followers"):
        religions.append(f"{got('other_religion_followers')} tín đồ {got('other_religion')}")
    put("religions", _joined(religions), "attributes buddhist_followers, other_religion*")
    inside = set(tree.subtree(unit, day))
    by_religion: dict[str, int] = {}
    for est in tree.establishments(day):
        if tree.carrier_on(est.unit, day) in inside:
            name = nfc(est.religion or "").strip() or "khác"
            by_religion[name] = by_religion.get(name, 0) + 1
    total = sum(by_religion.values())
    put(
        "establishments",
        count_text(total) if total else None,
        "EstablishmentRegistered in the commune's subtree",
    )
    ordered = sorted(by_religion.items(), key=lambda kv: (kv[0] == "khác", -kv[1], kv[0]))
    put(
        "establishment_religions",
        None
        if not ordered or ordered == [("khác", total)]
        else f"đều là cơ sở {ordered[0][0]}"
        if len(ordered) == 1
        else ", ".join(
            f"{count_text(n)} cơ sở {name if name != 'khác' else 'tôn giáo khác'}"
            for name, n in ordered
        ),
        "EstablishmentRegistered: religion",
    )
    cell_words = (
        ("party_cells_rural", "chi bộ thôn" if state.kind == "commune" else "chi bộ khu dân cư"),
        ("party_cells_school", "chi bộ trường học"),
        ("party_cells_police", "chi bộ công an"),
        ("party_cells_military", "chi bộ quân sự"),
        ("party_cells_other", "chi bộ khác"),
    )
    put(
        "party_cell_kinds",
        "; ".join(f"{got(f)} {w}" for f, w in cell_words if got(f)) or None,
        "attributes party_cells_*",
    )

    snap = reader.store.snapshot(unit, period, as_known_at=reader.as_known_at)
    for field, (code, dim) in TERM_INDICATORS.items():
        value: str | None = None
        raw: Any = None
        if code in snap.figures:
            if dim is not None:
                raw = snap.by(code, dim[0]).get(dim[1])
            elif reader.explain(code).events:
                raw = snap.value(code)
        if raw is not None:
            if field in MEASURE_FIELDS:
                value = format_number(raw)
                if field in PERCENT_FIELDS:
                    value += "%"
            elif raw > 0:
                value = count_text(raw)
        source = f"indicator {code}" + (f" ({dim[0]}={dim[1]})" if dim else "")
        put(field, value, source)
    pending = None
    if blanks["letters_resolved"]["filled"] and "letters.in_jurisdiction" in snap.figures:
        pending = as_int(snap.value("letters.in_jurisdiction")) - as_int(
            snap.value("letters.resolved")
        )
    put(
        "letters_pending",
        count_text(pending) if pending is not None and pending > 0 else None,
        "letters.in_jurisdiction − letters.resolved",
    )

    # composed from the indicators
    meetings = [
        f"{got('voter_meetings_na')} điểm tiếp xúc cử tri với đại biểu Quốc hội"
        if got("voter_meetings_na")
        else "",
        f"{got('voter_meetings_council')} điểm tiếp xúc cử tri với đại biểu Hội đồng nhân "
        "dân các cấp"
        if got("voter_meetings_council")
        else "",
    ]
    put("voter_meetings", _joined(meetings), "voters.meetings_na, voters.meetings_council")
    hosts = []
    heads = {"party_secretary": "Bí thư Đảng ủy", "chairman": f"Chủ tịch Ủy ban nhân dân {word}"}
    for key, who in (("secretary", heads["party_secretary"]), ("chairman", heads["chairman"])):
        sessions, visits = got(f"{key}_sessions"), got(f"{key}_visits")
        if sessions and visits:
            hosts.append(f"{who} chủ trì {sessions} cuộc, tiếp {visits} lượt công dân")
        elif sessions:
            hosts.append(f"{who} chủ trì {sessions} cuộc")
    put(
        "reception_by_host",
        "; ".join(hosts) or None,
        "reception.sessions, reception.head_visits by host",
    )
    put(
        "case_kinds",
        _by_kind(snap, "reception.cases", CASE_KINDS, "vụ việc"),
        "reception.cases by kind",
    )
    letters = [
        f"khiếu nại {got('letters_complaint')} đơn" if got("letters_complaint") else "",
        f"tố cáo {got('letters_denunciation')} đơn" if got("letters_denunciation") else "",
    ]
    put(
        "letter_kinds",
        ", ".join(p for p in letters if p) or None,
        "letters.complaint, letters.denunciation",
    )
    front = [
        f"{got('supervisions')} cuộc giám sát" if got("supervisions") else "",
        f"{got('critiques')} cuộc phản biện xã hội" if got("critiques") else "",
    ]
    put("front_activities", _joined(front), "supervision.count, critique.count")
    put(
        "dialogue_hosts",
        _by_kind(
            snap,
            "dialogue.count",
            {**HOSTS, **heads},
            "cuộc",
            dim="host",
            single="đều do {} chủ trì",
        ),
        "dialogue.count by host",
    )
    put(
        "model_fields",
        _by_kind(snap, "model.registered", FIELDS, "mô hình", dim="field", joiner="trong "),
        "model.registered by field",
    )
    kinds: dict[str, int] = {}
    for event in reader.explain("document.count").events:
        kind_word = document_word(event.data.number, event.data.kind).split(",")[0]
        kinds[kind_word] = kinds.get(kind_word, 0) + 1
    put(
        "document_kinds",
        "; ".join(f"{count_text(n)} {w}" for w, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
        if kinds and sum(kinds.values()) == as_int(snap.value("document.count"))
        else None,
        "document.count: the kinds its documents' numbers say",
    )

    inspections = list(reader.explain("inspection.count").events)
    subjects = {nfc(str(e.data.subject)).strip() for e in inspections if e.data.subject}
    members = {s for s in subjects if s.casefold().startswith(("đảng viên", "đồng chí"))}
    organisations = subjects - members
    put(
        "inspected_organisations",
        count_text(len(organisations)) if organisations else None,
        "inspection.count: distinct subjects that are party organisations",
    )
    put(
        "inspected_members",
        count_text(len(members)) if members else None,
        "inspection.count: distinct subjects naming a party member",
    )
    put(
        "inspected",
        _joined(
            [
                f"{got('inspected_organisations')} tổ chức đảng" if organisations else "",
                f"{got('inspected_members')} đảng viên" if members else "",
            ]
        ),
        "inspection.count: distinct subjects",
    )
    democracy = {
        nfc(str(e.data.subject or e.id)).strip()
        for e in inspections
        if "dân chủ" in nfc(str(e.data.topic or "")).casefold()
    }
    put(
        "democracy_inspections",
        count_text(len(democracy)) if democracy else None,
        "inspection.count: distinct subjects of inspections on grassroots democracy",
    )

    documents = [d for d in reader.documents() if d.occurred_on <= max(day, doc_meta["date"])]
    for field, (whose, doc_kinds, words) in TERM_DOCUMENTS.items():
        owner = unit if whose == "commune" else parent
        found = [
            d
            for d in documents
            if d.unit == owner
            and d.data.kind in doc_kinds
            and words in nfc(d.data.title or "").casefold()
        ]
        found.sort(key=lambda d: (d.occurred_on, d.position))
        doc = found[-1] if found else None
        source = f"DocumentIssued ({words})"
        put(f"{field}_number", doc.data.number if doc else None, source)
        put(f"{field}_date", doc_date(doc.occurred_on) if doc else None, source)
        ref = document_ref(doc, with_title=field != "request") if doc else None
        put(f"{field}_ref", ref, source)
    for key in ("request_number", "request_date"):
        if not blanks[key]["filled"] and doc_meta.get(key):
            put(key, str(doc_meta[key]), "sections file")
    if not blanks["request_ref"]["filled"] and blanks["request_number"]["filled"]:
        number = str(blanks["request_number"]["value"])
        ref = f"{cap(document_word(number, 'official_letter').split(',')[0])} số {number}"
        if blanks["request_date"]["filled"]:
            ref += f", ngày {blanks['request_date']['value']}"
        put("request_ref", ref, "sections file")
    return blanks


def _by_kind(
    snap: Any,
    code: str,
    words: Mapping[str, str],
    noun: str,
    *,
    dim: str = "kind",
    joiner: str = "",
    single: str = "",
) -> str | None:
    """A figure's breakdown in words, largest first: ``khiếu nại 04 vụ việc, tố cáo 01 vụ
    việc`` (``noun`` after the count when ``joiner`` is set: ``03 mô hình trong …``)."""
    if code not in snap.figures:
        return None
    by = {k: as_int(v) for k, v in snap.by(code, dim).items() if as_int(v) > 0}
    if not by:
        return None
    # largest first, "other" last; one key holding the whole figure is said once
    ordered = sorted(by.items(), key=lambda kv: (kv[0] == "other", -kv[1], kv[0]))
    if len(ordered) == 1 and ordered[0][1] == as_int(snap.value(code)):
        key = ordered[0][0]
        if single:
            return single.format(words.get(key, key))
        return f"đều {joiner}{words.get(key, key)}" if joiner else f"đều là {words.get(key, key)}"
    if joiner:
        return "; ".join(f"{count_text(n)} {noun} {joiner}{words.get(k, k)}" for k, n in ordered)
    return ", ".join(f"{words.get(k, k)} {count_text(n)} {noun}" for k, n in ordered)


def _fill_line(text: str, blanks: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]] | None:
    """A template line as segments, or None when the line is left out (term_commune.txt)."""

    def filled(part: str) -> bool:
        return all(blanks[name]["filled"] for name in BLANK.findall(part))

    outside = SPAN.sub("", text)
    names = BLANK.findall(text)
    if not filled(outside):
        return None
    spans = list(SPAN.finditer(text))
    kept = [filled(m.group(1)) for m in spans]
    if names and not BLANK.findall(outside) and not any(kept):
        return None
    pieces: list[str] = []
    pos = 0
    for match, keep in zip(spans, kept, strict=True):
        pieces.append(text[pos : match.start()])
        if keep:
            pieces.append(match.group(1))
        pos = match.end()
    pieces.append(text[pos:])
    line = "".join(pieces)
    segments: list[dict[str, Any]] = []
    pos = 0
    for match in BLANK.finditer(line):
        if match.start() > pos:
            segments.append({"text": line[pos : match.start()]})
        segments.append({"text": str(blanks[match.group(1)]["value"]), "field": match.group(1)})
        pos = match.end()
    if pos < len(line):
        segments.append({"text": line[pos:]})
    return segments


def term_sections() -> list[str]:
    """The sections where the writer's text goes (an ``@`` under their heading), in
    order: ``I.1``, ``I.2``, ``II.1`` … ``V``. Narrative sent under another id (``I``,
    ``II.4.1``) is placed in the nearest of them (:class:`Narrative`)."""
    out: list[str] = []
    top = section = ""
    for line in load_term_template():
        heading = HEADING.match(line)
        if heading is not None:
            number = heading.group(2).rstrip(".-")
            if len(heading.group(1)) == 1:
                top = section = number
            else:
                section = f"{top}.{number}"
        elif line.strip() == "@" and section not in out:
            out.append(section)
    return out


def fill_term(
    doc: Blocks,
    blanks: Mapping[str, Mapping[str, Any]],
    sections: Sections,
    narrative: Narrative,
) -> None:
    """Write the template into ``doc``: headings; where ``@`` stands, the writer's text
    (the sections file, else the unit's own narrative), else the placeholder, then what
    the direct subordinates wrote; and each sentence the events fill."""
    section = ""
    top = ""
    last: dict[str, Any] | None = None  # the paragraph a "+ " line continues
    for line in load_term_template():
        heading = HEADING.match(line)
        if heading is not None:
            marks, number, title = heading.groups()
            segments = _fill_line(title, blanks) or [{"text": BLANK.sub("", title)}]
            title_text = "".join(s["text"] for s in segments)
            if len(marks) == 1:
                top = number.rstrip(".-")
                section = top
            else:
                section = f"{top}.{number.rstrip('.-')}"
            doc.heading(section, len(marks), number, title_text)
            last = None
            continue
        if line.strip() == "@":
            narrative.write_own(doc, section, sections.text)
            narrative.write_subordinates(doc, section)
            last = None
            continue
        style, text, joins = "body", line, False
        if line.startswith("- "):
            style, text = "bullet", line[2:]
        elif line.startswith("+ "):
            text, joins = line[2:], True
        kept = _fill_line(text, blanks)
        if kept is None:
            continue
        if joins and last is not None:
            last["segments"].append({"text": " "})
            last["segments"].extend(kept)
            last["text"] = "".join(s.get("text", "") for s in last["segments"])
            last["text_with_refs"] = last["text"]
            continue
        kept[0]["text"] = cap(kept[0]["text"])
        doc.paragraph(section, kept, source="template", style=style)
        last = doc.blocks[-1]


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
    kind, first, last = period_name(per)
    term = f"{first} - {last}" if kind == "term" else (f"{per.start.year} - {per.end.year}")
    summary = [f"Tổng kết công tác dân vận nhiệm kỳ {term}"]
    meta = {**sections.meta, "date": day}
    blanks = term_blanks(reader, term, meta)
    narrative = Narrative(reader, term_sections(), report="term-commune")
    fill_term(doc, blanks, sections, narrative)
    doc.narrative_rows = narrative.rows()
    return summary, blanks, term
