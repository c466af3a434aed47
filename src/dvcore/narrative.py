"""Narrative: the text of a report, by section of its outline.

A report's prose — assessments, directions, proposals — is not computed: a writer gives it.
It comes in two ways, both in one format, the *sections file* (``docs/reports.md``):

- the writer's own file, handed to ``dvcore export --sections``: an optional YAML front
  matter (the document's number, date, signer …) then one ``## <id>`` heading per section
  of the outline (``## II.1``, ``## V.2. Hạn chế và nguyên nhân``, ``## Phần thứ hai``)
  and its paragraphs (:func:`read_sections`, :func:`parse_sections`);
- a subordinate unit's own report for a period, imported (``dvcore import bao-cao.md
  --unit Q1 --period 2023-9M``) as one :class:`~dvcore.events.NarrativeSubmitted` event a
  section (:func:`narrative_events`, :class:`NarrativeChannel`), read back with
  :func:`read_narrative` for the unit above to compile.

The Markdown is read with markdown-it-py (CommonMark) and the front matter with PyYAML.
A paragraph is ``(style, text)``: style ``body``, ``bullet`` (a ``-``, ``*`` or ``+`` list
item) or ``subheading`` (``###`` and below); the text is one line, its whitespace runs
made single spaces, with ``**bold**`` and ``*italic*`` kept as written. An ordered list
item keeps its number (``1. Tiếp tục …`` is a body paragraph of that text).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from dvcore.errors import InputError, Problem
from dvcore.events import (
    SECTION_ID,
    Event,
    EventCorrected,
    EventRetracted,
    NarrativeReport,
    NarrativeSubmitted,
    Window,
)
from dvcore.i18n import _
from dvcore.periods import Period
from dvcore.serialization import structure_data
from dvcore.tables import Cover, unit_code

if TYPE_CHECKING:
    from dvcore.store.sql import Store

__all__ = [
    "META_KEYS",
    "NarrativeChannel",
    "Paragraph",
    "Sections",
    "narrative_events",
    "narrative_rows",
    "paragraphs_markdown",
    "parse_paragraphs",
    "parse_sections",
    "read_narrative",
    "read_narratives",
    "read_sections",
    "section_id",
    "section_order",
    "sections_error",
    "unreadable",
]

#: One paragraph: ``(style, text)``, style ``body``, ``bullet`` or ``subheading``.
Paragraph = tuple[str, str]

#: The front matter's keys: the document's details, and for a unit's own report, the
#: unit that sends it and the period (``unit``, ``period``).
META_KEYS = frozenset(
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
        "unit",
        "period",
        "report",
    }
)


class Sections:
    """What the writer writes: document details (front matter) and text under each heading.

    ``meta`` holds the front matter (``number``, ``superior``, ``issuer``, ``place``,
    ``date``, ``signature``, ``signer``, ``recipients``, ``request_number``,
    ``request_date``, ``unit``, ``period``), every value a text and ``recipients`` a list of
    texts; ``text`` maps a section id (``I``, ``II.1``, ``V.2``, ``P2``…) to its paragraphs,
    each ``(style, text)`` with style ``body``, ``bullet`` or ``subheading``; ``source``
    names the file; ``lines`` gives the line (or, in a Word file, the paragraph) where
    each section starts, 1-based.
    """

    def __init__(
        self,
        meta: Mapping[str, Any] | None = None,
        text: Mapping[str, list[Paragraph]] | None = None,
        source: str = "",
        lines: Mapping[str, int] | None = None,
    ) -> None:
        self.meta: dict[str, Any] = dict(meta or {})
        self.text: dict[str, list[Paragraph]] = {k: list(v) for k, v in (text or {}).items()}
        self.source = source
        self.lines: dict[str, int] = dict(lines or {})

    def __repr__(self) -> str:
        return f"Sections(source={self.source!r}, sections={list(self.text)!r})"


# --- section ids ------------------------------------------------------------------------------

_PARTS = (
    ("PHẦN THỨ NHẤT", "P1"),
    ("PHẦN THỨ HAI", "P2"),
    ("PHẦN THỨ BA", "P3"),
    ("PHẦN I", "P1"),
    ("PHẦN II", "P2"),
    ("PHẦN III", "P3"),
    ("PHAN2", "P2"),
    ("PART2", "P2"),
)
_LEADING_ID = re.compile(r"(P[1-9]|[IVX]+(?:\.[0-9]{1,2}){0,2})(?!\w)")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def section_id(heading: str) -> str | None:
    """The section id a heading starts with, or ``None``: ``"II.1. Công tác lãnh đạo"`` gives
    ``II.1``, ``"V- ĐÁNH GIÁ CHUNG"`` gives ``V``, ``"Phần thứ hai"`` gives ``P2``
    (``Phần thứ nhất`` ``P1``); case does not matter."""
    text = _nfc(heading).strip().upper()
    longest = sorted(_PARTS, key=lambda p: -len(p[0]))
    for words, part in longest:
        if text.startswith(words) and not text[len(words) : len(words) + 1].isalnum():
            return part
    found = _LEADING_ID.match(text)
    if found is None or SECTION_ID.fullmatch(found.group(1)) is None:
        return None
    return found.group(1)


_ROMAN = {"I": 1, "V": 5, "X": 10}


def section_order(section: str) -> tuple[int, ...]:
    """A sort key putting section ids in the outline's order: ``P1``, ``I``, ``II``,
    ``II.1`` … ``VI``, then ``P2``."""
    if section.startswith("P"):
        return (int(section[1:]) if section[1:].isdigit() else 9, 0)
    head, *numbers = section.split(".")
    value = 0
    for i, ch in enumerate(head):
        n = _ROMAN.get(ch, 0)
        value += -n if i + 1 < len(head) and _ROMAN.get(head[i + 1], 0) > n else n
    return (1, value, *(int(n) for n in numbers if n.isdigit()))


# --- the Markdown -----------------------------------------------------------------------------

_MD = MarkdownIt("commonmark")
_ESCAPED = re.compile(r"^\\([!-/:-@\[-`{-~])")
_ESCAPED_NUMBER = re.compile(r"^([0-9]{1,9})\\([.)])")


def _clean(text: str) -> str:
    """One line, single spaces, a leading Markdown escape undone (``\\- x`` is ``- x``)."""
    text = " ".join(_nfc(text).split())
    text = _ESCAPED_NUMBER.sub(r"\1\2", text, count=1)
    return _ESCAPED.sub(r"\1", text, count=1)


class _Block:
    """A block the Markdown holds: a section heading or a paragraph, with its line."""

    __slots__ = ("kind", "line", "text")

    def __init__(self, line: int, kind: str, text: str) -> None:
        self.line, self.kind, self.text = line, kind, text


def _blocks(source: str, offset: int = 0) -> Iterator[_Block]:
    """The blocks of ``source``; kinds ``title`` (``#``), ``section`` (``##``), ``body``,
    ``bullet``, ``subheading``. Lines count from ``offset + 1``."""
    tokens: list[Token] = _MD.parse(source)
    lists: list[bool] = []  # ordered?
    # each open list item: its first paragraph still to come?, that paragraph's style and
    # the marker text it keeps (an ordered item's "1.", a list's marker inside an item)
    items: list[dict[str, Any]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        line = offset + (token.map[0] + 1 if token.map else 1)
        kind = token.type
        if kind == "heading_open":
            text = _clean(tokens[i + 1].content)
            if token.markup in ("=", "-"):  # a setext underline: a paragraph, not a heading
                yield _Block(line, "body", text)
            elif token.tag == "h1":
                yield _Block(line, "title", text)
            elif token.tag == "h2":
                yield _Block(line, "section", text)
            else:
                yield _Block(line, "subheading", text)
            i += 3
            continue
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append(kind == "ordered_list_open")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            ordered = lists[-1]
            marker = f"{token.info}{token.markup} " if ordered else f"{token.markup} "
            if items and items[-1]["pending"]:  # "- 1. x": a list first in an item
                parent = items[-1]
                parent["pending"] = False
                style, prefix = parent["style"], parent["prefix"] + marker
            else:
                style, prefix = ("body", marker) if ordered else ("bullet", "")
            items.append({"pending": True, "style": style, "prefix": prefix})
        elif kind == "list_item_close":
            items.pop()
        elif kind == "paragraph_open":
            text = _clean(tokens[i + 1].content)
            if items and items[-1]["pending"]:
                item = items[-1]
                item["pending"] = False
                yield _Block(line, item["style"], item["prefix"] + text)
            elif text:
                yield _Block(line, "body", text)
            i += 3
            continue
        elif kind in ("code_block", "fence", "html_block"):
            # indented or fenced text is still text: its paragraphs, as written
            chunk: list[str] = []
            start = line
            for n, raw in enumerate([*token.content.split("\n"), ""]):
                if raw.strip():
                    if not chunk:
                        start = line + n + (1 if kind == "fence" else 0)
                    chunk.append(raw)
                elif chunk:
                    yield _Block(start, "body", " ".join(" ".join(chunk).split()))
                    chunk = []
        i += 1


def parse_paragraphs(text: str) -> list[Paragraph]:
    """The paragraphs of a section's Markdown (a ``NarrativeSubmitted`` text): the inverse
    of :func:`paragraphs_markdown`. A ``#`` or ``##`` heading in it is a sub-heading."""
    out: list[Paragraph] = []
    for block in _blocks(text):
        style = "subheading" if block.kind in ("title", "section") else block.kind
        if block.text:
            out.append((style, block.text))
    return out


_PREFIX = {"body": "", "bullet": "- ", "subheading": "### "}


def _markdown_one(style: str, text: str) -> str:
    prefix = _PREFIX.get(style, "")
    text = " ".join(text.split())
    plain = prefix + text
    # a leading "<" may open an HTML block that runs on over the paragraphs after it
    if not text.startswith("<") and parse_paragraphs(plain) == [(style, text)]:
        return plain
    number = re.match(r"^[0-9]{1,9}(?=[.)])", text)
    if number is not None:
        return f"{prefix}{number.group(0)}\\{text[number.end() :]}"
    if text[:1] and text[:1] in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~":
        return f"{prefix}\\{text}"
    return plain


def paragraphs_markdown(paragraphs: Iterable[Paragraph]) -> str:
    """A section's paragraphs as Markdown: blank lines between them, ``-`` and a space before
    a bullet, ``###`` and a space before a sub-heading, a backslash before a first character
    that would otherwise make the paragraph something else. :func:`parse_paragraphs` reads
    it back."""
    return "\n\n".join(_markdown_one(style, text) for style, text in paragraphs if text.strip())


# --- the sections file ------------------------------------------------------------------------


class _TextLoader(yaml.SafeLoader):
    """PyYAML's safe loader with every plain scalar a text: ``number: 08`` stays ``"08"``,
    ``date: 2023-09-20`` the text ``"2023-09-20"`` (a document's details are text)."""


_TextLoader.yaml_implicit_resolvers = {}


def sections_error(source: str, line: int | None, reason: str) -> InputError:
    """The error of a file whose sections cannot be read: it names the file and the line
    (``None``: the whole file), and carries ``file``, ``line`` and ``reason`` in its
    ``context`` (a channel turns them into a :class:`~dvcore.errors.Problem`)."""
    message = (
        _("{file}: {reason}", file=source, reason=reason)
        if line is None
        else _("{file}, line {line}: {reason}", file=source, line=line, reason=reason)
    )
    return InputError(message, file=source, line=line, reason=reason)


def unreadable(source: str, error: BaseException | str) -> InputError:
    """The error of a file that cannot be opened or decoded at all."""
    return sections_error(source, None, _("cannot read the file: {error}", error=str(error)))


_error = sections_error


def _front_matter(lines: Sequence[str], end: int, source: str) -> dict[str, Any]:
    """The front matter between line 1 and line ``end`` (0-based indices), as YAML."""
    text = "\n".join(lines[1:end])
    allowed = ", ".join(sorted(META_KEYS))
    try:
        loader = _TextLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 2) if mark is not None else 2
        raise _error(
            source, line, _("the front matter is not YAML: {problem}", problem=exc.problem or "")
        ) from exc
    except yaml.YAMLError as exc:
        raise _error(
            source, 2, _("the front matter is not YAML: {problem}", problem=str(exc))
        ) from exc
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise _error(
            source,
            node.start_mark.line + 2,
            _("expected 'key: value' with a key among {keys}", keys=allowed),
        )
    meta: dict[str, Any] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 2
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if key not in META_KEYS:
            raise _error(
                source, line, _("expected 'key: value' with a key among {keys}", keys=allowed)
            )
        if key in meta:
            raise _error(source, line, _("'{key}' is given twice", key=key))
        if isinstance(value_node, yaml.ScalarNode):
            value = _nfc(str(value_node.value)).strip()
            if value:
                meta[key] = value
            elif key == "recipients":
                meta[key] = []
        elif isinstance(value_node, yaml.SequenceNode) and all(
            isinstance(n, yaml.ScalarNode) for n in value_node.value
        ):
            meta[key] = [_nfc(str(n.value)).strip() for n in value_node.value]
        else:
            raise _error(source, line, _("'{key}' takes a text or a list of texts", key=key))
    return meta


def parse_sections(text: str, *, source: str = "") -> Sections:
    """Read a sections file's text (see :func:`read_sections`); ``source`` names it in
    errors."""
    where = source or "<sections>"
    lines = _nfc(text.removeprefix("\ufeff")).splitlines()
    meta: dict[str, Any] = {}
    start = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is None:
            raise _error(where, 1, _("the front matter has no closing '---'"))
        meta = _front_matter(lines, end, where)
        start = end + 1
    body: dict[str, list[Paragraph]] = {}
    starts: dict[str, int] = {}
    current: str | None = None
    for block in _blocks("\n".join(lines[start:]), offset=start):
        if block.kind == "title" and current is None:
            continue  # a document title above the first section
        if block.kind == "section":
            found = section_id(block.text)
            if found is None:
                raise _error(
                    where,
                    block.line,
                    _(
                        "'## {heading}' does not start with a section id (I, II.1 … V.2, "
                        "VI, P2, Phần thứ hai)",
                        heading=block.text,
                    ),
                )
            current = found
            body.setdefault(current, [])
            starts.setdefault(current, block.line)
            continue
        if current is None:
            raise _error(where, block.line, _("text before the first '## <id>' heading"))
        if block.kind == "title":
            raise _error(
                where,
                block.line,
                _("a '# ' heading inside a section: a section starts with '## <id>'"),
            )
        if block.text:
            body[current].append((block.kind, block.text))
    return Sections(meta, body, source=source, lines=starts)


def read_sections(path: Path | str) -> Sections:
    """Read a sections file: Markdown with an optional YAML front matter between ``---``
    lines.

    The front matter's keys are :data:`META_KEYS`; a value is a text, ``recipients`` a list
    (``- item`` lines). The body is one ``## <id>`` heading per section (``## II.1`` or
    ``## II.1. Công tác lãnh đạo…``: the words after the id are ignored; ``## Phần thứ
    hai`` is ``P2``), then paragraphs separated by blank lines; ``- `` starts a bullet,
    ``### `` a sub-heading; ``**bold**`` and ``*italic*`` are kept. A ``# `` title above the
    first section is ignored. :class:`~dvcore.errors.InputError` names the file and line of
    anything it cannot read (its ``context`` holds ``file``, ``line`` and ``reason``).
    """
    file = Path(path)
    try:
        raw = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise unreadable(str(file), exc) from exc
    return parse_sections(raw, source=str(file))


# --- events -----------------------------------------------------------------------------------


def _window(window: Window | Period | tuple[dt.date, dt.date]) -> Window:
    if isinstance(window, Window):
        return window
    if isinstance(window, Period):
        return Window(start=window.start, end=window.end)
    start, end = window
    return Window(start=start, end=end)


def narrative_events(
    sections: Sections,
    *,
    unit: str,
    window: Window | Period | tuple[dt.date, dt.date],
    report: NarrativeReport = "periodic",
) -> list[Event]:
    """One :class:`~dvcore.events.NarrativeSubmitted` event for each section that has text,
    in the file's order: ``unit`` wrote it, over ``window`` (a window, a period, or a
    ``(start, end)`` pair), dated at the window's end.

    Each is keyed ``<unit>/narrative:<period>:<section>`` (the key the import gives it; a
    window that is no period: ``<from>..<to>`` for the period; a report other than the
    periodic one: ``<unit>/narrative:<report>:<period>:<section>``), so appending the same
    text again appends nothing. A changed text is a re-send: import it (:class:`NarrativeChannel`),
    which corrects what changed."""
    w = _window(window)
    spec = window.spec if isinstance(window, Period) else f"{w.start}..{w.end}"
    return [
        Event(
            data=NarrativeSubmitted(section=section, text=text, window=w, report=report),
            occurred_on=w.end,
            unit=unit,
            source_ref=f"{unit}/{_key(report, spec, section)}",
        )
        for section, paragraphs in sections.text.items()
        if (text := paragraphs_markdown(paragraphs))
    ]


def _key(report: str, spec: str, section: str) -> str:
    if report == "periodic":
        return f"narrative:{spec}:{section}"
    return f"narrative:{report}:{spec}:{section}"


def narrative_rows(
    sections: Sections, *, unit: str, period: Period
) -> list[tuple[int, dict[str, Any]]]:
    """The events of :func:`narrative_events` as an input channel yields them: ``(line,
    event dict)`` in the JSON Lines shape, each keyed ``narrative:<period>:<section>`` so a
    re-sent report corrects its sections' texts in place. The front matter's ``report:``
    (default ``periodic``) says which report's outline the sections are of."""
    window = [period.start.isoformat(), period.end.isoformat()]
    report = str(sections.meta.get("report") or "periodic").strip()
    rows = []
    for section, paragraphs in sections.text.items():
        text = paragraphs_markdown(paragraphs)
        if not text:
            continue
        rows.append(
            (
                sections.lines.get(section, 0),
                {
                    "type": NarrativeSubmitted.type_name,
                    "occurred_on": period.end.isoformat(),
                    "unit": unit,
                    "source_ref": _key(report, period.spec, section),
                    "data": {"section": section, "text": text, "window": window, "report": report},
                },
            )
        )
    return rows


def read_narrative(
    store: Store,
    unit: str,
    period: Period | str,
    *,
    as_known_at: dt.datetime | str | None = None,
    report: NarrativeReport = "periodic",
) -> dict[str, list[Paragraph]]:
    """``unit``'s own narrative for ``period``, as the store holds it now (or as known at
    ``as_known_at``): section id → paragraphs, sections in the outline's order.

    It is read from the :class:`~dvcore.events.NarrativeSubmitted` events of ``unit`` whose
    window lies inside the period and that are written for ``report``, retracted ones left
    out and corrected ones as corrected;
    the texts of several windows (the quarters of a 9-month period) follow each other in
    their windows' order.
    """
    return read_narratives(store, [unit], period, as_known_at=as_known_at, report=report).get(
        unit, {}
    )


def read_narratives(
    store: Store,
    units: Iterable[str],
    period: Period | str,
    *,
    as_known_at: dt.datetime | str | None = None,
    report: NarrativeReport = "periodic",
) -> dict[str, dict[str, list[Paragraph]]]:
    """The narrative of each of ``units`` for ``period`` (as :func:`read_narrative`), read
    in one pass over the log: unit → section id → paragraphs; a unit that wrote nothing is
    left out."""
    per = store.period(period) if isinstance(period, str) else period
    wanted = set(units)
    upto = None if as_known_at is None else store.position_at(as_known_at)
    found = [
        e for e in store.read(types=[NarrativeSubmitted.type_name], upto=upto) if e.unit in wanted
    ]
    named = store.corrections_of({e.id: e.unit for e in found}, upto=upto) if found else {}
    current: list[tuple[dt.date, dt.date, int, str, NarrativeSubmitted]] = []
    for event in found:
        data: Any = event.data
        for later in named.get(event.id, []):
            if isinstance(later.data, EventRetracted):
                data = None
            elif isinstance(later.data, EventCorrected) and data is not None:
                corrected, _errors = structure_data(NarrativeSubmitted, dict(later.data.data))
                data = corrected if corrected is not None else data
        if not isinstance(data, NarrativeSubmitted):
            continue
        if data.report == report and per.start <= data.window.start and data.window.end <= per.end:
            current.append((data.window.start, data.window.end, event.position, event.unit, data))
    texts: dict[str, dict[str, list[Paragraph]]] = {}
    for _start, _end, _position, unit, data in sorted(current, key=lambda c: c[:3]):
        texts.setdefault(unit, {}).setdefault(data.section, []).extend(parse_paragraphs(data.text))
    return {
        unit: {s: sections[s] for s in sorted(sections, key=section_order)}
        for unit, sections in texts.items()
    }


# --- input channels ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class NarrativeChannel:
    """An input channel for a unit's own report: a file whose sections become
    :class:`~dvcore.events.NarrativeSubmitted` events for the submitting unit and period.

    The built-in ``markdown`` channel reads sections files (``.md``); a plugin reads another
    format by overriding :meth:`parse` (dvcore-docx reads Word files). The import tells the
    channel the submission (``dvcore import --unit --period``, or ``unit:`` and ``period:``
    in the front matter, which :meth:`cover` declares) through :meth:`for_submission`;
    without one, :meth:`read` yields a problem and nothing is imported.
    """

    name: str = "markdown"
    suffixes: tuple[str, ...] = (".md", ".markdown")
    unit: str | None = None
    period: Period | None = None

    def parse(self, path: Path) -> Sections:
        """The file's sections (raise :class:`~dvcore.errors.InputError` with ``line`` and
        ``reason`` in its context when it cannot be read)."""
        return read_sections(path)

    def for_submission(self, *, unit: str | None, period: Period | None) -> NarrativeChannel:
        """The channel reading for ``unit``'s submission for ``period``."""
        return attrs.evolve(self, unit=unit, period=period)

    def form(self, path: Path, types: Any = None) -> list[str]:
        """The one form a narrative carries: a file with no section says "no text"."""
        return [NarrativeSubmitted.type_name]

    def cover(self, path: Path) -> Cover | None:
        """The unit and period the front matter declares (``unit:``, ``period:``), if any."""
        try:
            sections = self.parse(path)
        except InputError:
            return None  # read() says what is wrong with it
        unit, period = sections.meta.get("unit"), sections.meta.get("period")
        if not isinstance(unit, str) and not isinstance(period, str):
            return None
        return Cover(
            unit=unit_code(unit) if isinstance(unit, str) else None,  # "HP.NQ — Quận …"
            period=period if isinstance(period, str) else None,
            source=str(path),
            sheet="",
        )

    def read(self, path: Path, types: Any = None) -> Iterator[tuple[int, dict[str, Any] | Problem]]:
        """``(line, event dict)`` for every section with text, or the problems."""
        try:
            sections = self.parse(path)
        except InputError as exc:
            line = exc.context.get("line")
            yield (
                line or 0,
                Problem(
                    source=str(path),
                    row=line,
                    field=None,
                    message=str(exc.context.get("reason") or exc.message),
                ),
            )
            return
        if self.unit is None or self.period is None:
            yield (
                0,
                Problem(
                    source=str(path),
                    row=None,
                    field=None,
                    message=_(
                        "a narrative is a unit's text for a period: say whose and which "
                        "(--unit and --period, or 'unit:' and 'period:' in the front matter)"
                    ),
                ),
            )
            return
        if not sections.text:
            yield (
                0,
                Problem(
                    source=str(path),
                    row=None,
                    field=None,
                    message=_("the file holds no section of the outline ('## <id>' headings)"),
                ),
            )
            return
        yield from narrative_rows(sections, unit=self.unit, period=self.period)
