"""The report context: every figure of a report computed once, for exporters to render.

:func:`build_context` asks the store for a unit's snapshot and targets (and, for the
periodic report, the same period a year earlier and the figures of each direct child unit),
turns them into the statements of a Party report worded as seed 001 words them, and returns
one plain ``dict``: the *context*. Exporters (Word, Excel, HTML, Markdown, JSON) only render
that dict; a user's own Word template (``--template``) receives the same dict. Every field
is documented in ``docs/reports.md``.

Three reports:

``periodic``
    the outline of seed 000 (Part 1, sections I–VI; Part 2) with the figures stated as in
    seed 001: "Tổ chức 470 cuộc đối thoại … (06 cuộc cấp thành phố; 112 cuộc cấp quận,
    huyện; 352 cuộc cấp xã, phường)", "hồ sơ của 12/222 cơ sở tôn giáo (đạt 54,5% kế hoạch
    năm)", breakdowns in footnotes.
``term-commune``
    seed 003's template for one commune over a term, every blank (``….``) filled from the
    events or with ``(chưa có số liệu)``.
``follow-up``
    the tasks of a conclusion (seed 004): owner, due date, status, overdue ones first.

Text that is not a figure — assessment, directions — comes from a *sections file* the user
writes (:func:`read_sections`); without it every heading stands with the visible
placeholder :data:`PLACEHOLDER`. dvcore never invents prose.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from dvcore._builtin.profiles import FormatProfile, get_profile, profile_for
from dvcore.errors import InputError, UnknownUnitError
from dvcore.events import DocumentIssued
from dvcore.indicators import Snapshot, format_number, format_percent
from dvcore.periods import Period, format_date, parse_date, parse_instant
from dvcore.units import UnitTree, level_of

__all__ = [
    "MISSING",
    "PLACEHOLDER",
    "REPORTS",
    "ReportKind",
    "Sections",
    "build_context",
    "committee_name",
    "kind_name",
    "period_text",
    "read_sections",
]

ReportKind = Literal["periodic", "term-commune", "follow-up"]
REPORTS: tuple[ReportKind, ...] = ("periodic", "term-commune", "follow-up")

#: What a heading without the user's text shows.
PLACEHOLDER = "[Nội dung do đơn vị bổ sung]"
#: What a blank of the term report shows when the store has nothing for it.
MISSING = "(chưa có số liệu)"

# --- words ----------------------------------------------------------------------------------

_KIND_NAMES: Mapping[str, str] = {
    "province": "tỉnh",
    "city": "thành phố",
    "district": "quận, huyện",
    "town": "thị xã",
    "commune": "xã",
    "ward": "phường",
    "township": "thị trấn",
    "department": "sở, ban, ngành",
    "armed_force": "lực lượng vũ trang",
    "mass_org": "Mặt trận Tổ quốc, tổ chức chính trị - xã hội",
    "village": "thôn, tổ dân phố",
}

#: Administrative prefixes a unit's name may start with, longest first.
_PREFIXES = ("thành phố", "thị trấn", "thị xã", "tỉnh", "quận", "huyện", "phường", "xã")

_COMMITTEES: Mapping[str, str] = {
    "tỉnh": "Tỉnh ủy",
    "thành phố": "Thành ủy",
    "quận": "Quận ủy",
    "huyện": "Huyện ủy",
    "thị xã": "Thị ủy",
}
_COMMITTEE_SYMBOLS: Mapping[str, str] = {
    "Tỉnh ủy": "TU",
    "Thành ủy": "TU",
    "Quận ủy": "QU",
    "Huyện ủy": "HU",
    "Thị ủy": "TU",
    "Đảng ủy": "ĐU",
}

_LEVEL_WORDS: Mapping[str, str] = {
    "city": "cấp thành phố",
    "district": "cấp quận, huyện",
    "commune": "cấp xã, phường",
    "other": "ở các sở, ban, ngành, đơn vị khác",
}
_PROVINCE_LEVEL_WORDS: Mapping[str, str] = {
    "city": "cấp tỉnh",
    "district": "cấp huyện",
    "commune": "cấp xã",
    "other": "ở các sở, ban, ngành, đơn vị khác",
}
_HOSTS: Mapping[str, str] = {
    "party_secretary": "Bí thư cấp ủy",
    "chairman": "Chủ tịch Ủy ban nhân dân",
    "standing_committee": "Thường trực cấp ủy",
    "other": "hình thức khác",
}
_FIELDS: Mapping[str, str] = {
    "ntm_model": "xây dựng nông thôn mới kiểu mẫu",
    "urban": "chỉnh trang, hiện đại hóa đô thị",
    "digital": "chuyển đổi số",
    "security": "bảo đảm an ninh, trật tự",
    "economy": "phát triển kinh tế",
    "culture_society": "văn hóa - xã hội",
    "other": "các lĩnh vực khác",
}
_CASE_KINDS: Mapping[str, str] = {
    "complaint": "khiếu nại",
    "denunciation": "tố cáo",
    "petition": "kiến nghị",
}
_INSPECTION_KINDS: Mapping[str, str] = {"inspection": "kiểm tra", "supervision": "giám sát"}
_DOCUMENT_KINDS: Mapping[str, str] = {
    "resolution": "nghị quyết",
    "directive": "chỉ thị",
    "plan": "kế hoạch",
    "official_letter": "công văn",
    "conclusion": "kết luận",
    "regulation": "quy định, quy chế",
    "notice": "thông báo",
    "report": "báo cáo",
    "circular": "thông tri",
    "decision": "quyết định",
    "guidance": "hướng dẫn",
    "programme": "chương trình",
}
#: The type code in a document's number says its kind (REFERENCES.md, Hướng dẫn
#: 36-HD/VPTW): ``984-QĐ/TU`` is a quyết định whatever the event's ``kind`` says.
_SYMBOL_WORDS: Mapping[str, str] = {
    "NQ": "nghị quyết",
    "CT": "chỉ thị",
    "KL": "kết luận",
    "QĐ": "quyết định",
    "QĐi": "quy định",
    "QC": "quy chế",
    "TT": "thông tri",
    "HD": "hướng dẫn",
    "CTr": "chương trình",
    "KH": "kế hoạch",
    "TB": "thông báo",
    "BC": "báo cáo",
    "CV": "công văn",
    "TTr": "tờ trình",
    "ĐA": "đề án",
    "PA": "phương án",
    "BB": "biên bản",
}
#: ``984-QĐ/TU`` (a Party document) or ``41/QĐ-UBND``, ``30/2020/NĐ-CP`` (a state one).
_PARTY_NUMBER = re.compile(r"^\s*\d+[a-z]?-([^\W\d_]+)/", re.UNICODE)
_STATE_NUMBER = re.compile(r"^\s*\d+/(?:\d{4}/)?([^\W\d_]+)-", re.UNICODE)
#: Words a document's title may start with: they become "<word> số <number>, ngày …".
_DOCUMENT_WORDS = (
    "Nghị quyết",
    "Chỉ thị",
    "Thông tri",
    "Kế hoạch",
    "Công văn",
    "Kết luận",
    "Quy định",
    "Quy chế",
    "Quyết định",
    "Thông báo",
    "Báo cáo",
    "Chương trình",
    "Hướng dẫn",
    "Đề án",
)
#: Attribute phrases in a target's population filter ("xã xây dựng nông thôn mới kiểu mẫu").
_ATTRIBUTE_WORDS: Mapping[str, str] = {"ntm_model": "xây dựng nông thôn mới kiểu mẫu"}

_DIMENSION_LABELS: Mapping[str, Mapping[str, str]] = {
    "host": _HOSTS,
    "field": _FIELDS,
}


def kind_name(kind: str) -> str:
    """A unit kind as Vietnamese names it: ``commune`` → ``xã``, ``district`` → ``quận, huyện``."""
    return _KIND_NAMES.get(kind, kind)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _prefix(name: str) -> str | None:
    lowered = _nfc(name).casefold()
    for prefix in _PREFIXES:
        if lowered.startswith(prefix + " "):
            return prefix
    return None


def _proper(name: str) -> str:
    prefix = _prefix(name)
    return name[len(prefix) + 1 :].strip() if prefix else name


def _lower_name(name: str) -> str:
    """``Xã Ngũ Lão`` → ``xã Ngũ Lão`` (the prefix lowered, as inside a sentence)."""
    prefix = _prefix(name)
    return f"{prefix} {_proper(name)}" if prefix else name


def _unit_word(name: str, kind: str) -> str:
    """What a unit calls itself in "toàn thành phố", "toàn huyện": its name's prefix."""
    return _prefix(name) or kind_name(kind)


def committee_name(name: str, kind: str) -> str:
    """The party committee of a unit: ``Thành ủy``, ``Huyện ủy``, ``Quận ủy``, ``Đảng ủy``…"""
    prefix = _prefix(name)
    if prefix is not None and prefix in _COMMITTEES:
        return _COMMITTEES[prefix]
    if kind == "province":
        return "Tỉnh ủy"
    if kind == "city":
        return "Thành ủy"
    if kind == "town":
        return "Thị ủy"
    return "Đảng ủy"


def _doc_date(day: dt.date) -> str:
    """A date in a document reference: ``06/12/2022``, ``27/4/2023``, ``03/01/2023``."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{day.day:02d}/{month}/{day.year}"


def _short_date(day: dt.date) -> str:
    return f"{day.day}/{day.month}/{day.year}"


def _superscript(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _roman(number: int) -> str:
    return ("I", "II", "III", "IV")[number - 1]


def _cap(text: str) -> str:
    """The first letter in capitals, the rest untouched (``str.capitalize`` lowers names)."""
    return text[:1].upper() + text[1:]


def _uncap(text: str) -> str:
    return text[:1].lower() + text[1:]


def _int(value: Decimal | int | None) -> int:
    return 0 if value is None else int(value)


def _num(value: Decimal | int | float | None) -> str:
    return "—" if value is None else format_number(value)


def count_text(value: Decimal | int) -> str:
    """A count in prose, by the one rule of the reports: ``06``, ``112``, ``2.035``, ``0``.

    Counts from 1 to 9 take a leading zero (REFERENCES.md); nothing reads ``00``: a
    sentence leaves a zero out or says "không có", and a table writes ``0``.
    """
    if value == 0:
        return "0"
    if value == int(value) and 0 < value < 10:
        return f"{int(value):02d}"
    return format_number(value)


def _ratio_text(numerator: int, denominator: int) -> str:
    """``03/06``, ``228/233``; a zero numerator stays ``0`` (``0/05``), never ``00``."""
    return f"{count_text(numerator)}/{count_text(denominator)}"


def _quote(text: str) -> str:
    """``“text”``, with the quotes inside it turned to single ones."""
    inner = _nfc(text).replace("“", "‘").replace("”", "’")
    return f"“{inner}”"


# --- periods --------------------------------------------------------------------------------

_SPECS = (
    ("year", re.compile(r"^(\d{4})$")),
    ("quarter", re.compile(r"^(\d{4})-Q([1-4])$")),
    ("half", re.compile(r"^(\d{4})-H([12])$")),
    ("cumulative", re.compile(r"^(\d{4})-(\d{1,2})M$")),
    ("month", re.compile(r"^(\d{4})-(\d{2})$")),
    ("term", re.compile(r"^(\d{4})-(\d{4})$")),
)


def _named(period: Period) -> tuple[str, int, int]:
    for kind, pattern in _SPECS:
        match = pattern.match(period.spec)
        if match:
            return kind, int(match.group(1)), int(match.group(2)) if match.lastindex == 2 else 0
    return "range", period.start.year, period.end.year


def period_text(period: Period) -> str:
    """A period as a report names it: ``9 tháng năm 2023``, ``6 tháng đầu năm 2023``, …"""
    kind, year, n = _named(period)
    if kind == "year" or (kind == "cumulative" and n == 12):
        return f"năm {year}"
    if kind == "quarter":
        return f"quý {_roman(n)} năm {year}"
    if kind == "half":
        return f"6 tháng {'đầu' if n == 1 else 'cuối'} năm {year}"
    if kind == "cumulative":
        return f"6 tháng đầu năm {year}" if n == 6 else f"{n} tháng năm {year}"
    if kind == "month":
        return f"tháng {n} năm {year}"
    if kind == "term":
        return f"nhiệm kỳ {year} - {n}"
    return f"từ ngày {_short_date(period.start)} đến ngày {_short_date(period.end)}"


def _next_text(period: Period) -> str:
    """The period the directions of Part 2 are for: ``3 tháng cuối năm 2023`` after 9M."""
    kind, year, n = _named(period)
    if kind == "year" or (kind == "cumulative" and n == 12):
        return f"năm {year + 1}"
    if kind == "cumulative" or (kind == "half" and n == 1):
        months = 6 if kind == "half" else 12 - n
        return f"{months} tháng cuối năm {year}"
    if kind == "half":
        return f"6 tháng đầu năm {year + 1}"
    if kind == "quarter":
        return f"quý {_roman(n + 1)} năm {year}" if n < 4 else f"quý I năm {year + 1}"
    if kind == "month":
        return f"tháng {n + 1} năm {year}" if n < 12 else f"tháng 1 năm {year + 1}"
    return "thời gian tới"


def _summary_lines(period: Period) -> list[str]:
    """The summary under "BÁO CÁO", as seeds 000 and 001 write it."""
    kind, year, n = _named(period)
    nxt = _next_text(period)
    if kind == "year" or (kind == "cumulative" and n == 12):
        return [f"tổng kết công tác dân vận năm {year};", f"phương hướng, nhiệm vụ {nxt}"]
    if kind == "cumulative":
        what = "6 tháng đầu năm" if n == 6 else f"{n} tháng"
        return [f"sơ kết công tác dân vận {what};", f"phương hướng, nhiệm vụ trọng tâm {nxt}"]
    if kind == "half":
        return [
            f"sơ kết công tác dân vận 6 tháng {'đầu' if n == 1 else 'cuối'} năm;",
            f"phương hướng, nhiệm vụ trọng tâm {nxt}",
        ]
    if kind in ("quarter", "month"):
        return [
            f"công tác dân vận {period_text(period)};",
            f"phương hướng, nhiệm vụ trọng tâm {nxt}",
        ]
    return [f"công tác dân vận {period_text(period)}"]


def _window_text(start: dt.date, end: dt.date) -> str:
    """How seed 001 names a reporting window: ``Trong 8 tháng năm 2023``."""
    next_day = end + dt.timedelta(days=1)
    if start == dt.date(start.year, 1, 1) and end.year == start.year and next_day.day == 1:
        months = end.month
        return f"Năm {start.year}" if months == 12 else f"Trong {months} tháng năm {start.year}"
    return f"Từ ngày {_short_date(start)} đến ngày {_short_date(end)}"


# --- the sections file ----------------------------------------------------------------------


class Sections:
    """What the user writes: document details (front matter) and text under each heading.

    ``meta`` holds the front matter (``number``, ``superior``, ``issuer``, ``place``,
    ``date``, ``signature``, ``signer``, ``recipients``, ``request_number``,
    ``request_date``); ``text`` maps a heading id (``I``, ``II.1``, ``V.2``, ``P2``…) to
    its paragraphs, each ``(style, text)`` with style ``body``, ``bullet`` or ``subheading``.
    """

    def __init__(
        self,
        meta: Mapping[str, Any] | None = None,
        text: Mapping[str, list[tuple[str, str]]] | None = None,
        source: str = "",
    ) -> None:
        self.meta: dict[str, Any] = dict(meta or {})
        self.text: dict[str, list[tuple[str, str]]] = {k: list(v) for k, v in (text or {}).items()}
        self.source = source


_META_KEYS = frozenset(
    {
        "number",
        "superior",
        "issuer",
        "place",
        "date",
        "signature",
        "signer",
        "recipients",
        "request_number",
        "request_date",
    }
)


def _section_id(token: str) -> str:
    token = token.strip().rstrip(".-:)").upper()
    aliases = {"PHẦN THỨ HAI": "P2", "PHAN2": "P2", "PART2": "P2"}
    return aliases.get(token, token)


def read_sections(path: Path | str) -> Sections:
    """Read a sections file: Markdown with an optional front matter between ``---`` lines.

    The front matter is ``key: value`` lines; a list is ``key:`` followed by ``- item``
    lines. The body is one ``## <id>`` heading per section (``## II.1`` or ``## II.1.
    Công tác lãnh đạo…``: the words after the id are ignored), then paragraphs separated by
    blank lines; a line starting ``- `` is a bullet, ``### `` a sub-heading; ``**bold**``
    and ``*italic*`` are kept. :class:`~dvcore.errors.InputError` names the file and line
    of anything it cannot read.
    """
    file = Path(path)
    try:
        raw = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{file}: cannot read the sections file: {exc}", file=str(file)) from exc
    lines = _nfc(raw).splitlines()
    meta: dict[str, Any] = {}
    start = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is None:
            raise InputError(
                f"{file}, line 1: the front matter has no closing '---'", file=str(file), line=1
            )
        key: str | None = None
        for number in range(1, end):
            line = lines[number]
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            item = re.match(r"^\s+-\s+(.*)$", line) or re.match(r"^-\s+(.*)$", line)
            if item and key is not None and isinstance(meta.get(key), list):
                meta[key].append(item.group(1).strip())
                continue
            pair = re.match(r"^([A-Za-z_]+)\s*:\s*(.*)$", line)
            if not pair or pair.group(1) not in _META_KEYS:
                raise InputError(
                    f"{file}, line {number + 1}: expected 'key: value' with a key among "
                    f"{', '.join(sorted(_META_KEYS))}",
                    file=str(file),
                    line=number + 1,
                )
            key, value = pair.group(1), pair.group(2).strip()
            meta[key] = [] if value == "" else value.strip('"')
        start = end + 1
    text: dict[str, list[tuple[str, str]]] = {}
    current: str | None = None
    paragraph: list[str] = []
    style = "body"

    def flush() -> None:
        nonlocal paragraph, style
        if paragraph and current is not None:
            text.setdefault(current, []).append((style, " ".join(paragraph)))
        paragraph, style = [], "body"

    for number in range(start, len(lines)):
        line = lines[number].rstrip()
        heading = re.match(r"^##\s+(\S+)", line)
        if heading and not line.startswith("###"):
            flush()
            current = _section_id(heading.group(1))
            text.setdefault(current, [])
            continue
        if not line.strip():
            flush()
            continue
        if current is None:
            raise InputError(
                f"{file}, line {number + 1}: text before the first '## <id>' heading",
                file=str(file),
                line=number + 1,
            )
        if line.startswith("### "):
            flush()
            text[current].append(("subheading", line[4:].strip()))
            continue
        if line.startswith("- "):
            flush()
            style = "bullet"
            paragraph.append(line[2:].strip())
            continue
        paragraph.append(line.strip())
    flush()
    return Sections(meta, text, source=str(file))


_INLINE = re.compile(r"\*\*(.+?)\*\*|\*(.+?)\*")


def _inline(text: str) -> list[dict[str, Any]]:
    """``**bold**`` and ``*italic*`` into segments."""
    out: list[dict[str, Any]] = []
    pos = 0
    for match in _INLINE.finditer(text):
        if match.start() > pos:
            out.append({"text": text[pos : match.start()]})
        if match.group(1) is not None:
            out.append({"text": match.group(1), "bold": True})
        else:
            out.append({"text": match.group(2), "italic": True})
        pos = match.end()
    if pos < len(text):
        out.append({"text": text[pos:]})
    return out


# --- the document being built ---------------------------------------------------------------


class _Builder:
    """Collects blocks and footnotes in document order."""

    def __init__(self) -> None:
        self.blocks: list[dict[str, Any]] = []
        self.footnotes: list[dict[str, Any]] = []

    def note(self, text: str) -> dict[str, Any]:
        """A footnote; returns the segment that refers to it."""
        number = len(self.footnotes) + 1
        self.footnotes.append({"number": number, "text": text})
        return {"note": number}

    def heading(self, section: str, level: int, number: str, title: str) -> None:
        text = f"{number} {title}".strip()
        self.blocks.append(
            {
                "kind": "heading",
                "section": section,
                "level": level,
                "number": number,
                "title": title,
                "text": text,
            }
        )

    def part(self, section: str, label: str, title: str) -> None:
        self.blocks.append(
            {
                "kind": "part",
                "section": section,
                "label": label,
                "title": title,
                "text": f"{label}: {title}",
            }
        )

    def paragraph(
        self,
        section: str,
        segments: Sequence[dict[str, Any] | str],
        *,
        source: str = "figure",
        style: str = "body",
    ) -> None:
        segs = [{"text": s} if isinstance(s, str) else s for s in segments]
        plain = "".join(s.get("text", "") for s in segs)
        refs = "".join(
            str(s["text"]) if "text" in s else _superscript(int(s["note"])) for s in segs
        )
        self.blocks.append(
            {
                "kind": "paragraph",
                "section": section,
                "source": source,
                "style": style,
                "segments": segs,
                "text": plain,
                "text_with_refs": refs,
            }
        )

    def table(
        self, section: str, columns: list[str], rows: list[list[str]], widths: list[float]
    ) -> None:
        self.blocks.append(
            {
                "kind": "table",
                "section": section,
                "columns": columns,
                "rows": rows,
                "widths": widths,
            }
        )

    def user_text(self, section: str, paragraphs: Sequence[tuple[str, str]]) -> None:
        for style, text in paragraphs:
            if style == "subheading":
                self.heading(section, 3, "", text)
            else:
                self.paragraph(section, _inline(text), source="user", style=style)

    def placeholder(self, section: str) -> None:
        self.paragraph(section, [{"text": PLACEHOLDER, "italic": True}], source="placeholder")


# --- the store, read once -------------------------------------------------------------------


class _AcceptedOnly:
    """A store whose figures count only the rows of accepted submissions: every snapshot,
    target and explanation a report asks for is asked with ``accepted_only=True``."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def snapshot(self, *args: Any, **kwargs: Any) -> Any:
        return self._store.snapshot(*args, accepted_only=True, **kwargs)

    def targets(self, *args: Any, **kwargs: Any) -> Any:
        return self._store.targets(*args, accepted_only=True, **kwargs)

    def explain(self, *args: Any, **kwargs: Any) -> Any:
        return self._store.explain(*args, accepted_only=True, **kwargs)


class _Reader:
    """The store questions one report asks, each asked once."""

    def __init__(self, store: Any, unit: str, period: Period, as_known_at: Any) -> None:
        self.store = store
        self.unit = unit
        self.period = period
        self.as_known_at = as_known_at
        self.state = store.state(
            store.position_at(as_known_at) if as_known_at is not None else None
        )
        self.tree: UnitTree = self.state.tree
        self._documents: list[Any] | None = None

    def explain(self, indicator: str, unit: str | None = None, period: Period | None = None) -> Any:
        return self.store.explain(
            unit or self.unit, period or self.period, indicator, as_known_at=self.as_known_at
        )

    def documents(self) -> list[Any]:
        """Every ``DocumentIssued`` known at the instant (raw: corrections not applied)."""
        if self._documents is None:
            upto = (
                self.store.position_at(self.as_known_at) if self.as_known_at is not None else None
            )
            self._documents = list(self.store.read(types=["DocumentIssued"], upto=upto))
        return self._documents

    def name(self, code: str, day: dt.date | None = None) -> str:
        if code not in self.tree:
            return code
        return str(self.tree.state(code, day).name)

    def children(self, code: str, day: dt.date) -> list[str]:
        """The units whose parent is ``code`` on ``day``, in registration order."""
        return [
            c
            for c in self.tree.codes()
            if self.tree.exists(c, day) and self.tree.state(c, day).parent == code
        ]

    def child_of(self, root: str, code: str, day: dt.date) -> str | None:
        """The direct child of ``root`` whose subtree holds ``code`` on ``day``."""
        if code not in self.tree:
            return None
        chain = [code, *self.tree.ancestors(code, day)]
        for below, above in itertools.pairwise(chain):
            if above == root:
                return below
        return None


# --- context pieces -------------------------------------------------------------------------


def _level_words(root_kind: str) -> Mapping[str, str]:
    return _PROVINCE_LEVEL_WORDS if root_kind == "province" else _LEVEL_WORDS


def _dimension_label(dimension: str, key: str, level_words: Mapping[str, str]) -> str:
    if dimension == "level":
        return level_words.get(key, key)
    if dimension == "kind":
        return _CASE_KINDS.get(key) or _INSPECTION_KINDS.get(key) or _DOCUMENT_KINDS.get(key) or key
    return _DIMENSION_LABELS.get(dimension, {}).get(key, key)


def _figures(snapshot: Snapshot, level_words: Mapping[str, str]) -> list[dict[str, Any]]:
    out = []
    for code, fig in snapshot.figures.items():
        ind = snapshot.indicators.get(code)
        by = {
            dim: [
                {
                    "key": key,
                    "label": _dimension_label(dim, key, level_words),
                    "value": value,
                    "value_text": _num(value),
                }
                for key, value in sorted(keys.items(), key=lambda kv: (-kv[1], kv[0]))
            ]
            for dim, keys in sorted(fig.by.items())
        }
        out.append(
            {
                "code": code,
                "title": ind.title if ind is not None else code,
                "unit_label": ind.unit_label if ind is not None else "",
                "stock": bool(ind is not None and ind.is_stock),
                "value": fig.value,
                "value_text": _num(fig.value),
                "by": by,
            }
        )
    return out


def document_word(number: str, kind: str) -> str:
    """The kind of a document as its number's type code says it, else as its ``kind`` does.

    ``("984-QĐ/TU", "regulation")`` → ``quyết định``; ``("08-TT/TU", "directive")`` →
    ``thông tri``; ``("12/KH", "plan")`` → ``kế hoạch``.
    """
    number = _nfc(number)
    for pattern in (_PARTY_NUMBER, _STATE_NUMBER):
        match = pattern.match(number)
        if match is not None and match.group(1) in _SYMBOL_WORDS:
            return _SYMBOL_WORDS[match.group(1)]
    return _DOCUMENT_KINDS.get(kind, "văn bản")


def _document_ref(doc: Any, *, with_title: bool = True) -> str:
    """``Nghị quyết số 08-NQ/TU, ngày 06/12/2022 về “…”`` from a DocumentIssued event.

    The kind word follows the number's type code (:func:`document_word`); a title that
    starts with that word continues it, one that names another document follows "về".
    """
    data = doc.data
    title = _nfc((data.title or "").strip())
    kind_word = _cap(document_word(data.number, data.kind).split(",")[0])
    head = f"{kind_word} số {data.number}, ngày {_doc_date(doc.occurred_on)}"
    if not with_title or not title:
        return head
    if title.casefold().startswith(kind_word.casefold() + " "):
        return f"{head} {title[len(kind_word) :].strip()}"
    if any(title.startswith(w + " ") for w in _DOCUMENT_WORDS):
        return f"{head} về {title}"
    return f"{head}: {title}"


def _missing_names(reader: _Reader, codes: Iterable[str], day: dt.date) -> str:
    names = []
    for code in codes:
        if code in reader.tree:
            names.append(_lower_name(reader.name(code, day)))
        elif reader.tree.has_establishment(code):
            names.append(reader.tree.establishment(code, day).name)
        else:
            names.append(code)
    return "; ".join(names)


def _target_rows(reader: _Reader, targets: Sequence[Any], root: str) -> list[dict[str, Any]]:
    """Targets as plain rows, with their progress in each direct child unit."""
    rows = []
    tree = reader.tree
    for t in targets:
        day = t.as_of
        groups: dict[str, list[int]] = {}

        def place(
            member: str, counted: bool, day: dt.date = day, groups: dict[str, list[int]] = groups
        ) -> None:
            where = member
            if tree.has_establishment(member):
                where = tree.establishment(member, day).unit
            child = reader.child_of(root, where, day) or root
            slot = groups.setdefault(child, [0, 0])
            slot[1] += 1
            if counted:
                slot[0] += 1

        if t.counted or t.missing:
            for member in t.counted:
                place(member, True)
            for member in t.missing:
                place(member, False)
        order = {code: i for i, code in enumerate(reader.children(root, day))}
        by_unit = [
            {
                "code": code,
                "name": reader.name(code, day),
                "counted": c,
                "population": p,
                "ratio": (Decimal(c) / p) if p else None,
                "ratio_text": format_percent(c, p) if p else "—",
            }
            for code, (c, p) in sorted(groups.items(), key=lambda kv: order.get(kv[0], len(order)))
        ]
        completion = t.plan_completion
        rows.append(
            {
                "code": t.code,
                "title": t.title,
                "resolution": t.resolution,
                "indicator": t.indicator,
                "measure": t.measure,
                "period_spec": t.period.spec,
                "as_of": t.as_of,
                "numerator": t.numerator,
                "denominator": t.denominator,
                "threshold": t.threshold,
                "threshold_text": format_percent(t.threshold * 100, 100),
                "plan": t.plan,
                "ratio": t.ratio,
                "ratio_text": format_percent(t.numerator, t.denominator) if t.denominator else "—",
                "plan_completion": completion,
                "completion_text": format_percent(t.numerator, t.plan) if t.plan else "—",
                "met": t.met,
                "met_text": "đạt" if t.met else "chưa đạt",
                "missing": list(t.missing),
                "missing_count": len(t.missing),
                "by_unit": by_unit,
            }
        )
    return rows


def _level_parenthesis(
    by_level: Mapping[str, Decimal | int],
    unit_word: str,
    level_words: Mapping[str, str],
    total: Decimal | int | None = None,
) -> str:
    """``06 cuộc cấp thành phố; 112 cuộc cấp quận, huyện; 352 cuộc cấp xã, phường``.

    When one level holds the whole ``total`` the count is not repeated: ``đều ở cấp quận,
    huyện``. No level at all gives ``""``.
    """
    levels = [
        (lv, _int(by_level[lv]))
        for lv in ("city", "district", "commune", "other")
        if _int(by_level.get(lv)) > 0
    ]
    if len(levels) == 1 and total is not None and levels[0][1] == _int(total):
        words = level_words[levels[0][0]]
        return f"đều {words}" if words.startswith("ở ") else f"đều ở {words}"
    return "; ".join(f"{count_text(n)} {unit_word} {level_words[lv]}" for lv, n in levels)


def _in_parentheses(text: str) -> str:
    return f" ({text})" if text else ""


def _sub_level(root_level: str) -> str | None:
    return {"city": "district", "district": "commune"}.get(root_level)


def _sub_words(reader: _Reader, codes: Sequence[str], day: dt.date) -> tuple[str, str]:
    """(committees, unit words) of subordinate units: ("Quận ủy, Huyện ủy", "quận, huyện")."""
    committees: list[str] = []
    words: list[str] = []
    for code in codes:
        state = reader.tree.state(code, day)
        committee = committee_name(state.name, state.kind)
        word = _unit_word(state.name, state.kind)
        if committee not in committees:
            committees.append(committee)
        if word not in words:
            words.append(word)
    return ", ".join(committees), ", ".join(words)


# --- the periodic report --------------------------------------------------------------------

#: The outline of seed 000: (id, level, number, title). Level 0 is a part.
PERIODIC_OUTLINE: tuple[tuple[str, int, str, str], ...] = (
    ("P1", 0, "Phần thứ nhất", "KẾT QUẢ CÔNG TÁC DÂN VẬN {PERIOD}"),
    ("I", 1, "I-", "ĐẶC ĐIỂM TÌNH HÌNH"),
    ("II", 1, "II-", "KẾT QUẢ CÔNG TÁC DÂN VẬN CỦA HỆ THỐNG CHÍNH TRỊ"),
    ("II.1", 2, "1.", "Công tác lãnh đạo, chỉ đạo của cấp ủy, tổ chức đảng"),
    (
        "II.2",
        2,
        "2.",
        "Kết quả công tác dân vận của các cơ quan nhà nước các cấp (Hội đồng nhân "
        "dân, Ủy ban nhân dân, các cơ quan tư pháp, lực lượng vũ trang)",
    ),
    (
        "II.3",
        2,
        "3.",
        "Kết quả công tác dân vận của Mặt trận Tổ quốc Việt Nam và các tổ chức "
        "chính trị - xã hội các cấp",
    ),
    ("II.4", 2, "4.", "Kết quả công tác dân vận đối với đồng bào theo tôn giáo"),
    ("II.5", 2, "5.", "Kết quả công tác dân vận với cộng đồng người Việt Nam ở nước ngoài"),
    ("III", 1, "III-", "PHONG TRÀO THI ĐUA “DÂN VẬN KHÉO”"),
    ("III.1", 2, "1.", "Công tác lãnh đạo, chỉ đạo"),
    ("III.2", 2, "2.", "Kết quả thực hiện phong trào thi đua “Dân vận khéo”"),
    ("III.3", 2, "3.", "Một số mô hình “Dân vận khéo” tiêu biểu tại địa phương"),
    ("III.4", 2, "4.", "Việc triển khai Cuộc thi tuyên truyền các mô hình “Dân vận khéo”"),
    ("IV", 1, "IV-", "KẾT QUẢ HOẠT ĐỘNG CỦA BAN DÂN VẬN CÁC CẤP"),
    (
        "IV.1",
        2,
        "1.",
        "Công tác tham mưu cấp ủy lãnh đạo, chỉ đạo triển khai thực hiện công tác dân vận",
    ),
    (
        "IV.2",
        2,
        "2.",
        "Công tác tham mưu, thực hiện nhiệm vụ cơ quan thường trực các ban chỉ "
        "đạo: Quy chế dân chủ, Công tác Tôn giáo - Dân tộc của cấp ủy",
    ),
    (
        "IV.3",
        2,
        "3.",
        "Công tác phối hợp với các địa phương, đơn vị triển khai thực hiện công tác dân vận",
    ),
    (
        "IV.4",
        2,
        "4.",
        "Công tác hướng dẫn, đôn đốc, kiểm tra, giám sát việc triển khai thực "
        "hiện các nhiệm vụ công tác dân vận",
    ),
    (
        "IV.5",
        2,
        "5.",
        "Công tác nắm bắt tình hình, tuyên truyền vận động Nhân dân thực hiện "
        "chủ trương của Đảng, chính sách, pháp luật của Nhà nước",
    ),
    ("V", 1, "V-", "ĐÁNH GIÁ CHUNG"),
    ("V.1", 2, "1.", "Ưu điểm"),
    ("V.2", 2, "2.", "Hạn chế và nguyên nhân"),
    ("VI", 1, "VI-", "ĐỀ XUẤT, KIẾN NGHỊ"),
    ("P2", 0, "Phần thứ hai", "PHƯƠNG HƯỚNG, NHIỆM VỤ TRỌNG TÂM CÔNG TÁC DÂN VẬN {NEXT}"),
)

#: How a few reported (``FigureReported``) indicators are worded, as seed 001 words them.
#: Others are stated as "<title>: <value> <unit label>" in section I.
_REPORTED_PHRASES: Mapping[str, tuple[str, str]] = {
    "veterans.patrol_teams": (
        "II.3",
        "Hội Cựu chiến binh các cấp duy trì hoạt động {v} tổ, đội tuần tra{members}",
    ),
    "border.families_pledged": (
        "II.2",
        "Phối hợp vận động {v} gia đình cam kết “Không buôn "
        "bán, vận chuyển, tàng trữ trái phép pháo nổ, vũ khí, vật liệu "
        "nổ, công cụ hỗ trợ”",
    ),
}


#: Reported indicators a section states in its own words (not in section I's list).
_STATED_ELSEWHERE = frozenset({"one_stop.units"})


class _Periodic:
    """The statements of the periodic report, section by section."""

    def __init__(
        self,
        reader: _Reader,
        snapshot: Snapshot,
        as_of_snapshot: Snapshot,
        targets: Sequence[Any],
        target_rows: Sequence[dict[str, Any]],
        doc: _Builder,
        day: dt.date | None = None,
    ) -> None:
        self.r = reader
        self.snap = snapshot
        self.as_of_snap = as_of_snapshot
        self.targets = list(targets)
        self.rows = {row["code"]: row for row in target_rows}
        self.doc = doc
        tree = reader.tree
        self.end = reader.period.end
        #: the day the report speaks "as of": its own date, never after the period's end
        self.day = min(day, self.end) if day is not None else self.end
        state = tree.state(reader.unit, self.end)
        self.unit_state = state
        self.root_level = level_of(state.kind)
        self.level_words = _level_words(state.kind)
        self.toan = f"toàn {_unit_word(state.name, state.kind)}"
        self.committee = committee_name(state.name, state.kind)
        self.subtree = tree.subtree(reader.unit, self.end)

    # helpers
    def value(self, code: str) -> int:
        return _int(self.snap.value(code)) if code in self.snap.figures else 0

    def by(self, code: str, dim: str) -> dict[str, Decimal | int]:
        return self.snap.by(code, dim) if code in self.snap.figures else {}

    def say(self, section: str, *segments: dict[str, Any] | str) -> None:
        self.doc.paragraph(section, list(segments))

    # --- I. ĐẶC ĐIỂM TÌNH HÌNH ---------------------------------------------------------------
    def section_i(self) -> None:
        tree = self.r.tree
        kinds = Counter(tree.kind(c) for c in self.subtree if c != self.r.unit)
        parts = []
        districts = kinds["district"] + kinds["town"]
        departments = kinds["department"]
        if departments and districts:
            parts.append(
                f"{format_number(departments + districts)} sở, ban, ngành, quận, huyện "
                f"({format_number(departments)} sở, ban, ngành; "
                f"{format_number(districts)} quận, huyện)"
            )
        elif districts:
            parts.append(f"{format_number(districts)} quận, huyện")
        communes = [(k, kinds[k]) for k in ("commune", "ward", "township") if kinds[k]]
        if communes:
            total = sum(n for _, n in communes)
            detail = ", ".join(
                f"{format_number(n)} {kind_name(k)}"
                for k, n in sorted(
                    communes, key=lambda kv: ("ward", "commune", "township").index(kv[0])
                )
            )
            parts.append(f"{format_number(total)} xã, phường, thị trấn ({detail})")
        if parts:
            self.say("I", f"{_cap(self.toan)} có {' và '.join(parts)}.")
        using = self.value("establishment.using_land")
        if using:
            religions = Counter(
                tree.establishment(e, self.day).religion or "khác" for e in self._using_land_ids()
            )
            detail = "; ".join(
                f"{name} {count_text(n)} cơ sở" for name, n in religions.most_common()
            )
            self.say(
                "I",
                f"Trên địa bàn có {format_number(using)} cơ sở tôn giáo đang sử dụng "
                f"đất (đến ngày {_short_date(self.day)})",
                self.doc.note(f"Theo tôn giáo: {detail}."),
                ".",
            )
        for fig in self.snap.figures:
            ind = self.snap.indicators.get(fig)
            if (
                ind is None
                or ind.source != "IndicatorDefined"
                or fig in _REPORTED_PHRASES
                or fig in _STATED_ELSEWHERE
            ):
                continue
            if fig == "veterans.patrol_members":
                continue
            value = self.snap.value(fig)
            if value is None or value == 0:
                continue
            label = f" {ind.unit_label}" if ind.unit_label else ""
            self.say("I", f"{ind.title}: {format_number(value)}{label}.")

    def _using_land_ids(self) -> list[str]:
        tree = self.r.tree
        members = tree.members(self.r.unit, self.r.period.start, self.day, "as-of")
        at_day = [m for m in members if m.end == self.day]
        return tree.establishments_using_land(at_day, self.day)

    # --- II.1 lãnh đạo, chỉ đạo --------------------------------------------------------------
    def section_ii_1(self) -> None:
        self._resolutions()
        self._sub_units_with(
            "document.sets_targets",
            "II.1",
            "{committees} đã xác định các chỉ tiêu cụ thể về công tác dân vận "
            "trong nghị quyết, chương trình công tác năm {year}",
        )
        self._sub_units_with(
            "dialogue.plan",
            "II.1",
            "{units} đã ban hành Kế hoạch đối thoại trực tiếp giữa người đứng "
            "đầu cấp ủy, chính quyền các cấp với Nhân dân",
        )
        self._dialogues()
        self._inspections()
        self._documents()

    def _resolutions(self) -> None:
        docs = {d.data.number: d for d in self.r.documents()}
        seen: set[str] = set()
        for t in self.targets:
            if t.resolution in seen:
                continue
            seen.add(t.resolution)
            of_set = [x for x in self.targets if x.resolution == t.resolution]
            numbers = {re.sub(r"[a-z]+$", "", x.code.rsplit(".", 1)[-1]) for x in of_set}
            doc = docs.get(t.resolution)
            ref = _document_ref(doc) if doc is not None else f"Nghị quyết số {t.resolution}"
            titles = "; ".join(x.title if i == 0 else _uncap(x.title) for i, x in enumerate(of_set))
            adopted = self._adopted_on(t.resolution)
            if adopted is not None and any(
                self._definition(x) is not None
                and self._definition(x).population == "establishments_using_land"
                for x in of_set
            ):
                # the resolution's own count, as seed 001 quotes it: "(tổng số 239 cơ sở)"
                members = self.r.tree.members(self.r.unit, adopted, adopted, "as-of")
                count = len(self.r.tree.establishments_using_land(members, adopted))
                titles += f" (tổng số {format_number(count)} cơ sở)"
            self.say(
                "II.1",
                f"{self.committee} đã xác định {count_text(len(numbers))} chỉ tiêu "
                f"về công tác dân vận trong {ref}",
                self.doc.note(titles + "."),
                ".",
            )

    def _sub_units_with(self, code: str, section: str, phrase: str) -> None:
        sub = _sub_level(self.root_level)
        if sub is None or code not in self.snap.figures or not self.value(code):
            return
        population = [c for c in self.subtree if self.r.tree.level(c) == sub]
        if not population:
            return
        events = self.r.explain(code).events
        having = {e.unit for e in events if e.unit in set(population)}
        if not having:
            return
        committees, words = _sub_words(self.r, population, self.end)
        text = phrase.format(
            committees=f"{len(having)}/{len(population)} {committees}",
            units=f"{len(having)}/{len(population)} {words}",
            year=self.r.period.end.year,
        )
        missing = [c for c in population if c not in having]
        segments: list[dict[str, Any] | str] = [text]
        if missing:
            segments.append(
                self.doc.note("Chưa có: " + _missing_names(self.r, missing, self.end) + ".")
            )
        segments.append(".")
        self.say(section, *segments)

    def _dialogues(self) -> None:
        total = self.value("dialogue.count")
        if not total:
            return
        levels = _level_parenthesis(
            self.by("dialogue.count", "level"), "cuộc", self.level_words, total
        )
        hosts = self.by("dialogue.count", "host")
        host_text = "; ".join(
            f"{_HOSTS.get(k, k)} {count_text(_int(v))} cuộc"
            for k, v in sorted(hosts.items(), key=lambda kv: -kv[1])
            if _int(v) > 0
        )
        segments: list[dict[str, Any] | str] = [
            f"Tổ chức {count_text(total)} cuộc đối thoại giữa người đứng đầu cấp ủy, chính "
            f"quyền các cấp với Nhân dân{_in_parentheses(levels)}"
        ]
        if host_text:
            segments.append(self.doc.note(f"Theo người chủ trì: {host_text}."))
        segments.append(".")
        self.say("II.1", *segments)
        for t in self.targets:
            if t.measure == "units_with" and t.indicator == "dialogue.count":
                row = self.rows[t.code]
                segs: list[dict[str, Any] | str] = [
                    f"Đến ngày {_short_date(t.as_of)}, "
                    f"{_ratio_text(t.numerator, t.denominator)} đơn vị "
                    f"({row['ratio_text']}) có người đứng đầu cấp ủy, chính quyền đối thoại "
                    f"trực tiếp với Nhân dân, {row['met_text']} chỉ tiêu {_quote(t.title)}"
                ]
                if t.missing:
                    segs.append(f"; còn {count_text(len(t.missing))} đơn vị chưa tổ chức")
                    segs.append(
                        self.doc.note(_cap(_missing_names(self.r, t.missing, t.as_of)) + ".")
                    )
                segs.append(".")
                self.say("II.1", *segs)

    def _inspections(self) -> None:
        total = self.value("inspection.count")
        if not total:
            return
        levels = _level_parenthesis(
            self.by("inspection.count", "level"), "cuộc", self.level_words, total
        )
        kinds = self.by("inspection.count", "kind")
        detail = "; ".join(
            f"{count_text(_int(v))} cuộc {_INSPECTION_KINDS.get(k, k)}"
            for k, v in sorted(kinds.items())
            if _int(v) > 0
        )
        segments: list[dict[str, Any] | str] = [
            f"Các cấp ủy đã tổ chức {count_text(total)} cuộc kiểm tra, giám sát về công tác "
            f"dân vận{_in_parentheses(levels)}"
        ]
        if detail:
            segments.append(self.doc.note(f"Trong đó: {detail}."))
        segments.append(".")
        self.say("II.1", *segments)

    def _documents(self) -> None:
        total = self.value("document.count")
        if not total:
            return
        detail = "; ".join(
            f"{count_text(n)} {word}"
            for word, n in sorted(self._document_words().items(), key=lambda kv: -kv[1])
            if n > 0
        )
        own = [
            d
            for d in self.r.documents()
            if d.unit == self.r.unit and self.r.period.contains(d.occurred_on)
        ]
        note = f"Gồm: {detail}."
        if own:
            note += (
                " Của "
                + self.committee
                + ": "
                + "; ".join(_document_ref(d) for d in sorted(own, key=lambda d: d.occurred_on))
                + "."
            )
        self.say(
            "II.1",
            f"Các cấp ủy, tổ chức đảng đã ban hành {count_text(total)} văn bản "
            "lãnh đạo, chỉ đạo về công tác dân vận",
            self.doc.note(note),
            ".",
        )

    def _document_words(self) -> Counter[str]:
        """The documents counted, by the kind their numbers say (:func:`document_word`).

        The events behind ``document.count``; when they do not add up to the figure (a
        correction the explanation does not list), the figure's own ``kind`` breakdown.
        """
        total = self.value("document.count")
        words: Counter[str] = Counter()
        for event in self.r.explain("document.count").events:
            data = event.data
            if isinstance(data, DocumentIssued):
                words[document_word(data.number, data.kind)] += 1
        if sum(words.values()) == total:
            return words
        words = Counter()
        for k, v in self.by("document.count", "kind").items():
            words[_DOCUMENT_KINDS.get(k, k)] += _int(v)
        return words

    # --- II.2 cơ quan nhà nước ---------------------------------------------------------------
    def section_ii_2(self) -> None:
        self._one_stop()
        visits = self.value("reception.visits")
        received = self.value("letters.received")
        if visits or received:
            reception_window = self._window("reception.visits") if visits else None
            letters_window = self._window("letters.received") if received else None
            sentences = []
            if visits:
                cases = self.by("reception.cases", "kind")
                detail = ", ".join(
                    f"{_CASE_KINDS[k]} {format_number(_int(cases.get(k)))} vụ việc"
                    for k in ("complaint", "denunciation", "petition")
                )
                text = (
                    f"{self.toan} đã tiếp {format_number(visits)} lượt công dân với "
                    f"{format_number(self.value('reception.cases'))} vụ việc ({detail})"
                )
                groups = self.value("reception.mass_groups")
                if groups:
                    text += (
                        f". Trong đó, số đoàn đông người {format_number(groups)} đoàn với "
                        f"{format_number(self.value('reception.mass_group_cases'))} vụ việc"
                    )
                sentences.append(text)
            if received:
                text = (
                    f"tiếp nhận và xử lý {format_number(received)} đơn thư các loại; đơn đủ "
                    f"điều kiện xử lý {format_number(self.value('letters.eligible'))} đơn; "
                    "đơn khiếu nại, tố cáo thuộc thẩm quyền giải quyết "
                    f"{format_number(self.value('letters.in_jurisdiction'))} đơn"
                )
                resolved = self.value("letters.resolved")
                if resolved:
                    text += f"; đã giải quyết {format_number(resolved)} đơn"
                sentences.append(text)
            if reception_window is not None and (letters_window in (None, reception_window)):
                body = "; ".join(sentences) if visits else sentences[0]
                self.say("II.2", f"{reception_window}, {body}.")
            else:
                if visits and reception_window is not None:
                    self.say("II.2", f"{reception_window}, {sentences[0]}.")
                if received and letters_window is not None:
                    self.say("II.2", f"{letters_window}, {self.toan} đã {sentences[-1]}.")
        self._reported("II.2")

    def _window(self, code: str) -> str:
        events = self.r.explain(code).events
        windows = [e.data.window for e in events if getattr(e.data, "window", None)]
        if not windows:
            return f"Trong {period_text(self.r.period)}"
        return _window_text(min(w.start for w in windows), max(w.end for w in windows))

    def _one_stop(self) -> None:
        """The units on the electronic one-stop system, against the units of the tree."""
        by_group = self.by("one_stop.units", "group")
        if not by_group:
            return
        kinds = Counter(self.r.tree.kind(c) for c in self.subtree if c != self.r.unit)
        totals = {
            "departments_districts": kinds["department"] + kinds["district"] + kinds["town"],
            "communes": kinds["commune"] + kinds["ward"] + kinds["township"],
        }
        names = {
            "departments_districts": "sở, ban, ngành, quận, huyện",
            "communes": "xã, phường, thị trấn",
        }
        parts = [
            f"{format_number(_int(by_group[g]))}/{format_number(totals[g])} {names[g]}"
            for g in ("departments_districts", "communes")
            if g in by_group
        ]
        self.say(
            "II.2",
            "Hệ thống Một cửa điện tử và Dịch vụ công trực tuyến đã được triển khai, thống "
            f"nhất cho {', '.join(parts)}.",
        )

    def _reported(self, section: str) -> None:
        for code, (where, phrase) in _REPORTED_PHRASES.items():
            if where != section or code not in self.snap.figures:
                continue
            value = self.snap.value(code)
            if not value:
                continue
            members = ""
            if (
                code == "veterans.patrol_teams"
                and self.snap.figures.get("veterans.patrol_members") is not None
            ):
                m = self.snap.value("veterans.patrol_members")
                if m:
                    members = f" với {format_number(m)} hội viên"
            self.say(section, phrase.format(v=format_number(value), members=members) + ".")

    # --- II.3 MTTQ ---------------------------------------------------------------------------
    def section_ii_3(self) -> None:
        sup, cri = self.value("supervision.count"), self.value("critique.count")
        if sup or cri:
            parts = []
            if sup:
                parts.append(f"{format_number(sup)} cuộc giám sát")
            if cri:
                parts.append(f"{format_number(cri)} cuộc phản biện xã hội")
            self.say(
                "II.3",
                "Mặt trận Tổ quốc Việt Nam và các tổ chức chính trị - xã hội các "
                f"cấp đã tổ chức {', '.join(parts)}.",
            )
        self._reported("II.3")

    # --- II.4 tôn giáo -----------------------------------------------------------------------
    def section_ii_4(self) -> None:
        clauses: list[list[dict[str, Any] | str]] = []
        as_of = None
        for t in self.targets:
            if not t.indicator.startswith("land."):
                continue
            row = self.rows[t.code]
            as_of = t.as_of
            what = _LAND_TARGET_PHRASES.get(t.indicator, "{n}/{d} cơ sở tôn giáo")
            text = what.format(
                n=count_text(t.numerator), d=count_text(t.denominator), ubnd=self._ubnd()
            )
            # what was counted in the indicator's words; the target in its resolution's
            clause: list[dict[str, Any] | str] = [
                f"đối với chỉ tiêu {_quote(t.title)}, đã {text} "
                f"(đạt {row['completion_text']} kế hoạch năm)"
            ]
            if row["by_unit"]:
                some = [u for u in row["by_unit"] if u["counted"]]
                none = [u for u in row["by_unit"] if not u["counted"]]
                detail = "; ".join(
                    f"{_lower_name(u['name'])} {_ratio_text(u['counted'], u['population'])}"
                    for u in some
                )
                if none:
                    detail += ("; " if detail else "") + (
                        "chưa có cơ sở nào: "
                        + ", ".join(
                            f"{_lower_name(u['name'])} ({count_text(u['population'])} cơ sở)"
                            for u in none
                        )
                    )
                clause.append(self.doc.note(f"Theo đơn vị: {detail}."))
            clauses.append(clause)
        stage_done = {t.indicator for t in self.targets}
        for code, phrase in _LAND_STAGE_PHRASES:
            if code in stage_done:
                continue
            value = _int(self.as_of_snap.value(code)) if code in self.as_of_snap.figures else 0
            if value:
                clauses.append([phrase.format(n=count_text(value), ubnd=self._ubnd())])
        if not clauses:
            return
        day = as_of or min(self.r.period.end, self.as_of_snap.period.end)
        segments: list[dict[str, Any] | str] = [f"Tính đến ngày {_short_date(day)}, "]
        for i, clause in enumerate(clauses):
            if i:
                segments.append("; ")
            segments.extend(clause)
        segments.append(".")
        self.say("II.4", *segments)

    def _ubnd(self) -> str:
        return f"Ủy ban nhân dân {_unit_word(self.unit_state.name, self.unit_state.kind)}"

    # --- III Dân vận khéo --------------------------------------------------------------------
    def section_iii_2(self) -> None:
        total = self.value("model.registered")
        if total:
            fields = self.by("model.registered", "field")
            main = [k for k in ("ntm_model", "urban") if _int(fields.get(k))]
            text = (
                f"{_cap(self.toan)} có {format_number(total)} mô hình “Dân vận khéo” "
                "được đăng ký xây dựng trên các lĩnh vực của đời sống xã hội"
            )
            segments: list[dict[str, Any] | str] = [text]
            if main:
                segments.append(
                    ". Trong đó có "
                    + ", ".join(
                        f"{format_number(_int(fields[k]))} mô hình trong {_FIELDS[k]}" for k in main
                    )
                )
            others = [k for k in fields if k not in main and _int(fields[k])]
            levels = self.by("model.registered", "level")
            note = []
            if others:
                note.append(
                    "; ".join(
                        f"{format_number(_int(fields[k]))} mô hình trong {_FIELDS.get(k, k)}"
                        for k in sorted(others, key=lambda k: -fields[k])
                    )
                )
            if levels:
                by_level = _level_parenthesis(levels, "mô hình", self.level_words, total)
                if by_level:
                    note.append("theo cấp: " + by_level)
            if note:
                segments.append(self.doc.note(_cap("; ".join(note)) + "."))
            segments.append(".")
            self.say("III.2", *segments)
        for t in self.targets:
            if t.measure == "units_with" and t.indicator == "model.registered":
                self._model_target(t)
        recognized = self.value("model.recognized")
        if recognized:
            self.say(
                "III.3", f"Có {format_number(recognized)} mô hình “Dân vận khéo” được công nhận."
            )

    def _model_target(self, t: Any) -> None:
        """``100% các xã xây dựng nông thôn mới kiểu mẫu và 100% các phường đều đăng ký…``."""
        target_def = self._definition(t)
        tree = self.r.tree
        members = list(t.counted) + list(t.missing)
        counted = set(t.counted)
        alternatives = list(target_def.population_filter) if target_def is not None else []
        groups: list[tuple[str, int, int]] = []
        for alt in alternatives or [None]:
            name = "đơn vị"
            if alt is not None:
                kinds = ", ".join(kind_name(k) for k in alt.kinds) or "đơn vị"
                attrs_text = " ".join(
                    _ATTRIBUTE_WORDS.get(k, k) for k, v in alt.attributes.items() if v is True
                )
                name = f"{kinds} {attrs_text}".strip()
            inside = []
            for m in members:
                state = tree.state(m, t.as_of)
                if alt is None or (
                    (not alt.kinds or state.kind in alt.kinds)
                    and all(state.attributes.get(k) == v for k, v in alt.attributes.items())
                ):
                    inside.append(m)
            members = [m for m in members if m not in inside]
            if inside:
                n = sum(1 for m in inside if m in counted)
                groups.append((name, n, len(inside)))
        if not groups:
            return
        parts = [
            f"{format_percent(n, d)} các {name} ({_ratio_text(n, d)})" for name, n, d in groups
        ]
        verb = "đều" if all(n == d for _, n, d in groups) else ""
        text = (
            f"{' và '.join(parts)} {verb} đăng ký xây dựng các mô hình “Dân vận khéo”, "
            f"{'đạt' if t.met else 'chưa đạt'} chỉ tiêu {_quote(t.title)}"
        ).replace("  ", " ")
        segments: list[dict[str, Any] | str] = [text]
        if t.missing:
            segments.append(
                self.doc.note(
                    "Chưa có mô hình: " + _missing_names(self.r, t.missing, t.as_of) + "."
                )
            )
        segments.append(".")
        self.say("III.2", *segments)

    def _adopted_on(self, resolution: str) -> dt.date | None:
        for record in self.r.state.target_sets():
            if record.data.resolution == resolution and record.unit == self.r.unit:
                return record.adopted_on  # type: ignore[no-any-return]
        return None

    def _definition(self, t: Any) -> Any:
        for record in self.r.state.target_sets():
            if record.data.resolution != t.resolution:
                continue
            for d in record.data.targets:
                if d.code == t.code:
                    return d
        return None

    # --- IV.4 follow-up of conclusions --------------------------------------------------------
    def section_iv_4(self) -> None:
        tasks = _tasks(self.r, self.subtree, self.day)
        by_conclusion: dict[str, list[dict[str, Any]]] = {}
        for task in tasks:
            by_conclusion.setdefault(task["conclusion"], []).append(task)
        docs = {d.data.number: d for d in self.r.documents()}
        for conclusion, items in by_conclusion.items():
            done = sum(1 for t in items if t["status"] == "done")
            overdue = [t for t in items if t["overdue"]]
            doc = docs.get(conclusion)
            ref = _document_ref(doc, with_title=False) if doc else f"Kết luận số {conclusion}"
            text = (
                f"Theo dõi, đôn đốc thực hiện {count_text(len(items))} nhiệm vụ theo {ref}: "
                + _task_progress(len(items), done, len(overdue))
            )
            segments: list[dict[str, Any] | str] = [text]
            if overdue:
                segments.append(
                    self.doc.note(
                        "Quá hạn: "
                        + "; ".join(
                            f"{t['owner_name']} ({t['text']}; hạn {t['due_text']})" for t in overdue
                        )
                        + "."
                    )
                )
            segments.append(f" (đến ngày {_short_date(self.day)}).")
            self.say("IV.4", *segments)


def _task_progress(total: int, done: int, overdue: int) -> str:
    """``02 nhiệm vụ đã hoàn thành; 04 nhiệm vụ chưa hoàn thành, trong đó 02 nhiệm vụ quá
    hạn``, with no zero said: ``cả 06 nhiệm vụ đã hoàn thành``, ``các nhiệm vụ đều chưa hoàn
    thành``."""
    late = f", trong đó {count_text(overdue)} nhiệm vụ quá hạn" if overdue else ""
    if done == total:
        return f"cả {count_text(total)} nhiệm vụ đã hoàn thành"
    if done == 0:
        return f"các nhiệm vụ đều chưa hoàn thành{late}"
    return (
        f"{count_text(done)} nhiệm vụ đã hoàn thành; {count_text(total - done)} nhiệm vụ "
        f"chưa hoàn thành{late}"
    )


_LAND_TARGET_PHRASES: Mapping[str, str] = {
    "land.dossier_filed": "lập hồ sơ đăng ký đất đai cho {n}/{d} cơ sở tôn giáo",
    "land.dossier_submitted": "trình {ubnd} hồ sơ của {n}/{d} cơ sở tôn giáo",
    "land.right_recognized": "có quyết định công nhận quyền sử dụng đất cho {n}/{d} cơ sở tôn giáo",
    "land.certificate_issued": "cấp giấy chứng nhận quyền sử dụng đất cho {n}/{d} cơ sở tôn giáo",
}
_LAND_STAGE_PHRASES: tuple[tuple[str, str], ...] = (
    ("land.dossier_filed", "đã lập hồ sơ đăng ký đất đai cho {n} cơ sở tôn giáo"),
    ("land.dossier_submitted", "đã trình {ubnd} hồ sơ của {n} cơ sở tôn giáo"),
    (
        "land.right_recognized",
        "{n} cơ sở tôn giáo đã được {ubnd} ban hành quyết định công nhận quyền sử dụng đất",
    ),
    ("land.certificate_issued", "{n} cơ sở tôn giáo đã được cấp giấy chứng nhận quyền sử dụng đất"),
)

_SECTION_BUILDERS: Mapping[str, str] = {
    "I": "section_i",
    "II.1": "section_ii_1",
    "II.2": "section_ii_2",
    "II.3": "section_ii_3",
    "II.4": "section_ii_4",
    "III.2": "section_iii_2",
    "IV.4": "section_iv_4",
}


# --- tasks (follow-up) ----------------------------------------------------------------------

_STATUS_TEXT: Mapping[str, str] = {
    "done": "Đã hoàn thành",
    "in_progress": "Đang thực hiện",
    "open": "Chưa báo cáo kết quả",
}


def _tasks(
    reader: _Reader, units: Iterable[str], day: dt.date, conclusion: str | None = None
) -> list[dict[str, Any]]:
    """The tasks owned in ``units`` as of ``day``: overdue first, then open, then done."""
    tree = reader.tree
    inside = set(units)
    out = []
    for task in reader.state.tasks():
        data = task.data
        if task.assigned_on > day or (conclusion is not None and data.conclusion != conclusion):
            continue
        owner = data.owner
        if owner not in inside and (owner not in tree or tree.carrier_on(owner, day) not in inside):
            continue
        status = task.status_on(day)
        reports = [(on, s) for on, _p, s in task.reports if on <= day]
        done_on = next((on for on, s in reports if s == "done"), None)
        overdue = status != "done" and data.due is not None and data.due < day
        late = done_on is not None and data.due is not None and done_on > data.due
        status_text = _STATUS_TEXT[status]
        if late:
            status_text = "Hoàn thành chậm so với thời hạn"
        if overdue and data.due is not None:
            status_text += f" (quá hạn {(day - data.due).days} ngày)"
        notes = [r for r in _task_notes(reader, task) if r[0] <= day]
        out.append(
            {
                "task_id": data.task_id,
                "conclusion": data.conclusion,
                "owner": owner,
                "owner_name": reader.name(owner, day),
                "text": data.text,
                "assigned_on": task.assigned_on,
                "due": data.due,
                "due_text": _short_date(data.due) if data.due else "—",
                "status": status,
                "status_text": status_text,
                "overdue": overdue,
                "days_overdue": (day - data.due).days if overdue and data.due else 0,
                "done_on": done_on,
                "note": notes[-1][1] if notes else "",
            }
        )
    rank = {True: 0, False: 1}
    out.sort(
        key=lambda t: (
            rank[t["overdue"]],
            t["status"] == "done",
            t["due"] or dt.date.max,
            t["task_id"],
        )
    )
    return out


def _task_notes(reader: _Reader, task: Any) -> list[tuple[dt.date, str]]:
    notes = []
    for on, position, _status in task.reports:
        # the report as it stands (a correction replaces its note): the state knows it
        data = reader.state._effective(position)
        note = getattr(data, "note", None)
        if note:
            notes.append((on, str(note)))
    return notes


# --- the term report of a commune -----------------------------------------------------------

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
_PERCENT_FIELDS = frozenset({"kinh_percent", "growth_percent", "mediation_percent"})

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


def _load_term_template() -> list[str]:
    text = (
        resources.files("dvcore._builtin")
        .joinpath("report_term_commune.txt")
        .read_text(encoding="utf-8")
    )
    return [line for line in text.splitlines() if line.strip() and not line.startswith("%%")]


_FIELD = re.compile(r"\{\{([a-z0-9_]+)\}\}")


def _attribute_text(field: str, value: Any) -> str | None:
    if value is None or isinstance(value, bool) or value == "":
        return None
    text = format_number(value) if isinstance(value, int | float | Decimal) else str(value)
    if field in _PERCENT_FIELDS and not text.endswith("%"):
        text += "%"
    return text


def _term_blanks(
    reader: _Reader, term_text: str, doc_meta: Mapping[str, Any]
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
    put("commune_lower", _lower_name(state.name), "unit")
    put("district_lower", _lower_name(parent_state.name) if parent_state else None, "unit")
    put(
        "district_committee",
        committee_name(parent_state.name, parent_state.kind) if parent_state else None,
        "unit",
    )
    for field in TERM_ATTRIBUTES:
        put(field, _attribute_text(field, state.attributes.get(field)), f"attribute {field}")
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
        if value is not None and field in _PERCENT_FIELDS:
            value += "%"
        source = f"indicator {code}" + (f" ({dim[0]}={dim[1]})" if dim else "")
        put(field, value, source)
    pending = None
    if blanks["letters_resolved"]["filled"] and "letters.in_jurisdiction" in snap.figures:
        pending = _int(snap.value("letters.in_jurisdiction")) - _int(snap.value("letters.resolved"))
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
        if "dân chủ" in _nfc(str(e.data.topic or "")).casefold()
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
            and words in _nfc(d.data.title or "").casefold()
        ]
        found.sort(key=lambda d: (d.occurred_on, d.position))
        doc = found[-1] if found else None
        put(f"{field}_number", doc.data.number if doc else None, f"DocumentIssued ({words})")
        put(
            f"{field}_date",
            _doc_date(doc.occurred_on) if doc else None,
            f"DocumentIssued ({words})",
        )
    for key in ("request_number", "request_date"):
        if not blanks[key]["filled"] and doc_meta.get(key):
            put(key, str(doc_meta[key]), "sections file")
    return blanks


def _fill_term(doc: _Builder, blanks: Mapping[str, Mapping[str, Any]]) -> None:
    section = "I"
    for line in _load_term_template():
        style, text, level = "body", line, 0
        for marker, lv in (("#### ", 3), ("## ", 2), ("# ", 1)):
            if line.startswith(marker):
                text, level = line[len(marker) :], lv
                break
        if level == 0 and line.startswith("- "):
            style, text = "bullet", line[2:]
        segments: list[dict[str, Any]] = []
        pos = 0
        for match in _FIELD.finditer(text):
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


# --- document details -----------------------------------------------------------------------


def _signature(text: str | Sequence[str], signer: str | None) -> dict[str, Any]:
    # "K/T TRƯỞNG BAN / PHÓ TRƯỞNG BAN": lines split on " / " (K/T, T/M keep their slash)
    parts = re.split(r"\s+/\s+", text) if isinstance(text, str) else list(text)
    lines = [str(p).strip() for p in parts if str(p).strip()]
    mode = None
    if lines:
        match = re.match(r"^(T/M|K/T|T/L|TM\.|KT\.|TL\.)\s", lines[0])
        mode = match.group(1) if match else None
    if mode == "K/T":
        whom = lines[0][4:].upper()
        committee_words = (
            "BAN THƯỜNG VỤ",
            "BAN CHẤP HÀNH",
            "ĐẢNG ỦY",
            "THÀNH ỦY",
            "TỈNH ỦY",
            "HUYỆN ỦY",
            "QUẬN ỦY",
            "THỊ ỦY",
            "CHI ỦY",
            "CẤP ỦY",
        )
        if any(w in whom for w in committee_words):
            raise InputError(
                f"signature '{' / '.join(lines)}': a committee never signs K/T "
                "(write T/M for a collective)",
                signature=lines[0],
            )
    return {"mode": mode, "lines": lines, "name": signer or ""}


def _document(
    report: ReportKind,
    reader: _Reader,
    sections: Sections,
    options: Mapping[str, Any],
    summary: list[str],
    day: dt.date,
) -> dict[str, Any]:
    tree = reader.tree
    state = tree.state(
        reader.unit,
        min(reader.period.end, day)
        if tree.exists(reader.unit, min(reader.period.end, day))
        else reader.period.end,
    )
    committee = committee_name(state.name, state.kind)
    meta = {**sections.meta, **{k: v for k, v in options.items() if v is not None}}
    if report == "term-commune":
        parent = state.parent
        parent_state = (
            tree.state(parent, reader.period.end) if parent is not None and parent in tree else None
        )
        superior = f"ĐẢNG BỘ {parent_state.name.upper()}" if parent_state else ""
        issuer = f"ĐẢNG ỦY {state.name.upper()}"
        symbol = "BC/ĐU"
        signature: str | list[str] = ["T/M ĐẢNG ỦY", "BÍ THƯ"]
        parent_committee = (
            committee_name(parent_state.name, parent_state.kind)
            if parent_state
            else "cấp ủy cấp trên"
        )
        recipients = [
            f"Ban Thường vụ {parent_committee} (để b/c),",
            f"Ban Dân vận {parent_committee},",
            "Lưu VP.",
        ]
        doc_type = "BÁO CÁO"
    else:
        superior = f"{committee} {_proper(state.name)}".upper()
        issuer = "BAN DÂN VẬN"
        symbol = f"BC/BDV{_COMMITTEE_SYMBOLS.get(committee, 'ĐU')}"
        signature = ["TRƯỞNG BAN"]
        recipients = [f"Thường trực {committee} (để b/c),", "Lưu."]
        doc_type = "BÁO CÁO"
    superior = str(meta.get("superior", superior))
    issuer = str(meta.get("issuer", issuer))
    number = meta.get("number")
    if number is not None and not str(number).strip():
        number = None
    number_text = f"Số {number}" if number else f"Số     -{symbol}"
    place = str(meta.get("place", _proper(state.name)))
    items = meta.get("recipients", recipients)
    if isinstance(items, str):
        items = [items]
    items = [str(i).strip().lstrip("-").strip() for i in items if str(i).strip()]
    if not items or not items[-1].startswith("Lưu"):
        items.append("Lưu.")
    sig = _signature(meta.get("signature", signature), meta.get("signer"))
    return {
        "party_header": "ĐẢNG CỘNG SẢN VIỆT NAM",
        "superior": superior,
        "issuer": issuer,
        "number": number,
        "symbol": symbol,
        "number_text": number_text,
        "place": place,
        "date": day,
        "date_text": format_date(day, document=True),
        "place_date": f"{place}, {format_date(day, document=True)}",
        "type": doc_type,
        "summary_lines": summary,
        "summary": " ".join(summary),
        "recipients": items,
        "signature": sig,
    }


def _as_date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return parse_date(value)


def _instant(value: dt.datetime | str | None) -> dt.datetime | None:
    # None is "now"; anything else follows the library's one rule (dvcore.periods.parse_instant)
    return None if value is None else parse_instant(value)


# --- the public function --------------------------------------------------------------------


def build_context(
    store: Any,
    *,
    unit: str,
    period: str | Period,
    as_of: dt.date | str | None = None,
    as_known_at: dt.datetime | str | None = None,
    report: ReportKind | str = "periodic",
    sections: Sections | Path | str | None = None,
    profile: str | FormatProfile | None = None,
    number: str | None = None,
    superior: str | None = None,
    issuer: str | None = None,
    place: str | None = None,
    date: dt.date | str | None = None,
    signature: str | Sequence[str] | None = None,
    signer: str | None = None,
    recipients: Sequence[str] | None = None,
    conclusion: str | None = None,
    children: bool = True,
    compare: bool = True,
    include_events: bool = False,
    max_events: int = 1_000_000,
    accepted_only: bool = False,
) -> dict[str, Any]:
    """Compute every figure of one report once, and return the context exporters render.

    :param unit: the unit reported on (its subtree).
    :param period: a period spec (``2023-9M``, ``2020-2025``…) or a :class:`Period`.
    :param as_of: the targets' cut-off date (default: the period's last day).
    :param as_known_at: the figures as the store knew them at this instant.
    :param report: ``periodic``, ``term-commune`` or ``follow-up``.
    :param sections: the user's sections file (:func:`read_sections`), or a path to one.
    :param profile: a format profile's name (default: the one in force on the document's date).
    :param number: the document number, e.g. ``215-BC/BDVTU`` (default: a blank to fill).
    :param date: the document's date (default: the day of ``as_known_at``, else today).
    :param signature: e.g. ``"K/T TRƯỞNG BAN / PHÓ TRƯỞNG BAN"`` or ``"T/M BAN THƯỜNG VỤ /
        PHÓ BÍ THƯ"``; a committee never signs K/T (:class:`InputError`).
    :param conclusion: for ``follow-up``, only this conclusion's tasks.
    :param children: also compute the figures of each direct child unit (Excel, HTML).
    :param compare: also compute the same period a year earlier (periodic).
    :param include_events: also list the events behind the figures (Excel), at most
        ``max_events``.
    :param accepted_only: count only the rows of accepted submissions (and rows sent
        outside any submission), as ``Store.snapshot`` does; slower.
    :returns: the context, documented field by field in ``docs/reports.md``.
    """
    if report not in REPORTS:
        raise InputError(f"unknown report '{report}'; known: {', '.join(REPORTS)}", report=report)
    when = _instant(as_known_at)
    per: Period = store.period(period)
    if accepted_only:
        store = _AcceptedOnly(store)
    if isinstance(sections, Path | str):
        sections = read_sections(sections)
    sections = sections or Sections()
    reader = _Reader(store, unit, per, when)
    tree = reader.tree
    if unit not in tree:
        raise UnknownUnitError(unit)
    doc_day = (
        _as_date(date)
        or _as_date(sections.meta.get("date"))
        or (when.date() if when else dt.date.today())
    )
    # No date after the report's own: "as of" is the cut-off asked for, else the report's
    # date (the as-known-at day), else the period's end when the report comes later.
    report_day = min(per.end, doc_day)
    cut = _as_date(as_of) or report_day
    if cut > doc_day:
        raise InputError(
            f"the cut-off {cut.isoformat()} is after the report's date {doc_day.isoformat()}",
            as_of=cut.isoformat(),
        )
    if isinstance(profile, FormatProfile):
        chosen = profile
    elif profile:
        chosen = get_profile(profile)
    else:
        chosen = profile_for(doc_day)
    snapshot = store.snapshot(unit, per, as_known_at=when)
    end_state = tree.state(unit, per.end)
    level_words = _level_words(end_state.kind)
    doc = _Builder()
    options = {
        "number": number,
        "superior": superior,
        "issuer": issuer,
        "place": place,
        "signature": signature,
        "signer": signer,
        "recipients": list(recipients) if recipients is not None else None,
    }
    context: dict[str, Any] = {
        "report": report,
        "unit": unit,
        "unit_name": end_state.name,
        "unit_kind": end_state.kind,
        "unit_kind_name": kind_name(end_state.kind),
        "unit_level": level_of(end_state.kind),
        "committee": committee_name(end_state.name, end_state.kind),
        "period": per,
        "period_spec": per.spec,
        "period_start": per.start,
        "period_end": per.end,
        "period_text": period_text(per),
        "as_of": cut,
        "as_of_text": _short_date(cut),
        "as_known_at": when,
        "as_known_at_text": when.isoformat() if when else "",
        "accepted_only": accepted_only,
        "snapshot": snapshot,
        "figures": _figures(snapshot, level_words),
        "profile": chosen,
        "profile_name": chosen.name,
        "placeholder": PLACEHOLDER,
        "missing_text": MISSING,
        "sections_file": sections.source,
    }
    context["figure"] = {f["code"]: f for f in context["figures"]}
    targets: list[Any] = []
    if report == "periodic":
        if tree.exists(unit, cut):
            targets = store.targets(unit, cut, as_known_at=when)
        rows = _target_rows(reader, targets, unit)
        as_of_snapshot = snapshot
        if per.start <= cut < per.end:
            # the land pipeline is stated "as of" the cut-off, like the targets
            window = Period(
                spec=f"{per.start.isoformat()}..{cut.isoformat()}",
                start=per.start,
                end=cut,
                cutoff=per.cutoff,
            )
            as_of_snapshot = store.snapshot(unit, window, as_known_at=when)
        periodic = _Periodic(reader, snapshot, as_of_snapshot, targets, rows, doc, report_day)
        nxt = _next_text(per)
        for sid, level, number_, title in PERIODIC_OUTLINE:
            title = title.format(PERIOD=period_text(per).upper(), NEXT=nxt.upper())
            if level == 0:
                doc.part(sid, number_, title)
            else:
                doc.heading(sid, level, number_, title)
            leaf = (level == 0 and sid == "P2") or level == 2 or sid in ("I", "VI")
            user = sections.text.get(sid)
            if user:
                doc.user_text(sid, user)
            elif leaf:
                doc.placeholder(sid)
            builder = _SECTION_BUILDERS.get(sid)
            if builder is not None:
                getattr(periodic, builder)()
        summary = _summary_lines(per)
        context["targets"] = targets
        context["target_rows"] = rows
        context["tasks"] = _tasks(reader, tree.subtree(unit, per.end), report_day)
    elif report == "term-commune":
        if level_of(end_state.kind) != "commune":
            raise InputError(
                f"the term report is for a commune, ward or township; '{unit}' "
                f"is a {kind_name(end_state.kind)}",
                unit=unit,
            )
        kind, first, last = _named(per)
        term = f"{first} - {last}" if kind == "term" else (f"{per.start.year} - {per.end.year}")
        summary = [f"Tổng kết công tác dân vận nhiệm kỳ {term}"]
        meta = {**sections.meta, "date": doc_day}
        blanks = _term_blanks(reader, term, meta)
        _fill_term(doc, blanks)
        context["blanks"] = blanks
        context["term_text"] = term
        context["targets"] = []
        context["target_rows"] = []
        context["tasks"] = []
    else:
        tasks = _tasks(
            reader,
            tree.subtree(unit, min(cut, per.end))
            if tree.exists(unit, min(cut, per.end))
            else [unit],
            cut,
            conclusion,
        )
        docs = {d.data.number: d for d in reader.documents()}
        conclusions = list(dict.fromkeys(t["conclusion"] for t in tasks))
        refs = []
        for c in conclusions:
            d = docs.get(c)
            if d is not None:
                issuing = tree.state(d.unit, d.occurred_on) if d.unit in tree else None
                whose = (
                    f" của Ban Thường vụ {committee_name(issuing.name, issuing.kind)}"
                    if issuing
                    else ""
                )
                refs.append(_document_ref(d, with_title=False) + whose)
            else:
                refs.append(f"Kết luận số {c}")
        summary = (
            ["kết quả thực hiện các nhiệm vụ theo " + "; ".join(refs)]
            if refs
            else ["kết quả thực hiện các nhiệm vụ theo kết luận"]
        )
        doc.heading("I", 1, "I-", "KẾT QUẢ THỰC HIỆN")
        if sections.text.get("I"):
            doc.user_text("I", sections.text["I"])
        done = sum(1 for t in tasks if t["status"] == "done")
        overdue = sum(1 for t in tasks if t["overdue"])
        doc.paragraph(
            "I",
            [
                f"Tính đến ngày {_short_date(cut)}, có {count_text(len(tasks))} nhiệm vụ được "
                f"giao: {_task_progress(len(tasks), done, overdue)}."
                if tasks
                else f"Tính đến ngày {_short_date(cut)}, không có nhiệm vụ nào được giao."
            ],
        )
        doc.table(
            "I",
            ["TT", "Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn", "Tình trạng", "Ghi chú"],
            [
                [str(i), t["text"], t["owner_name"], t["due_text"], t["status_text"], t["note"]]
                for i, t in enumerate(tasks, start=1)
            ],
            [10, 52, 28, 25, 30, 30],
        )
        doc.heading("II", 1, "II-", "ĐỀ XUẤT, KIẾN NGHỊ")
        if sections.text.get("II"):
            doc.user_text("II", sections.text["II"])
        else:
            doc.placeholder("II")
        context["targets"] = []
        context["target_rows"] = []
        context["tasks"] = tasks
    context["document"] = _document(report, reader, sections, options, summary, doc_day)
    context["blocks"] = doc.blocks
    context["footnotes"] = doc.footnotes
    context["units"] = (
        [_unit_row(reader, code, per.end) for code in tree.subtree(unit, per.end)]
        if tree.exists(unit, per.end)
        else []
    )
    context["units_table"] = (
        _units_table(store, reader, snapshot, unit, per, when)
        if children and report == "periodic"
        else []
    )
    previous = None
    if compare and report == "periodic":
        try:
            before = per.previous_year()
            prev = store.snapshot(unit, before, as_known_at=when)
            previous = {
                "period_spec": before.spec,
                "period_text": period_text(before),
                "period_start": before.start,
                "period_end": before.end,
                "snapshot": prev,
                "figures": _figures(prev, level_words),
            }
            previous["figure"] = {f["code"]: f for f in previous["figures"]}
        except InputError:
            previous = None
    context["previous"] = previous
    context["events"], context["events_truncated"] = (
        _events(store, reader, snapshot, max_events) if include_events else ([], False)
    )
    return context


def _unit_row(reader: _Reader, code: str, day: dt.date) -> dict[str, Any]:
    state = reader.tree.state(code, day)
    return {
        "code": code,
        "name": state.name,
        "kind": state.kind,
        "kind_name": kind_name(state.kind),
        "level": level_of(state.kind),
        "parent": state.parent or "",
        "attributes": dict(state.attributes),
    }


def _units_table(
    store: Any,
    reader: _Reader,
    snapshot: Snapshot,
    unit: str,
    per: Period,
    when: dt.datetime | None,
) -> list[dict[str, Any]]:
    """The report unit and each direct child unit (at the period's end) with its figures."""
    out = []

    def row(code: str, snap: Snapshot) -> dict[str, Any]:
        state = reader.tree.state(code, per.end)
        return {
            "code": code,
            "name": state.name,
            "kind": state.kind,
            "kind_name": kind_name(state.kind),
            "level": level_of(state.kind),
            "values": {c: f.value for c, f in snap.figures.items()},
        }

    out.append(row(unit, snapshot))
    for child in reader.children(unit, per.end):
        try:
            snap = store.snapshot(child, per, as_known_at=when)
        except UnknownUnitError:
            continue
        out.append(row(child, snap))
    return out


def _events(
    store: Any, reader: _Reader, snapshot: Snapshot, limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """The events behind every non-empty figure, each once, with the figures it feeds."""
    import json

    from dvcore.serialization import unstructure_data

    seen: dict[int, dict[str, Any]] = {}
    truncated = False
    for code, fig in snapshot.figures.items():
        ind = snapshot.indicators.get(code)
        if not fig.value or (
            ind is not None and ind.kind == "units_with" and ind.base in snapshot.figures
        ):
            continue
        for e in reader.explain(code).events:
            entry = seen.get(e.position)
            if entry is None:
                if len(seen) >= limit:
                    truncated = True
                    continue
                entry = {
                    "position": e.position,
                    "id": str(e.id),
                    "type": e.type,
                    "unit": e.unit,
                    "unit_name": reader.name(e.unit, e.occurred_on),
                    "occurred_on": e.occurred_on,
                    "recorded_at": e.recorded_at,
                    "actor": e.actor or "",
                    "source_ref": e.source_ref or "",
                    "indicators": [],
                    "data": json.dumps(
                        unstructure_data(e.data), ensure_ascii=False, sort_keys=True, default=str
                    ),
                }
                seen[e.position] = entry
            entry["indicators"].append(code)
    return [seen[p] for p in sorted(seen)], truncated
