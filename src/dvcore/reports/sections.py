"""The sections file: the writer's own text under each heading of a report."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dvcore.errors import InputError
from dvcore.reports.wording import nfc


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
    }
)


def section_id(token: str) -> str:
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
    lines = nfc(raw).splitlines()
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
            if not pair or pair.group(1) not in META_KEYS:
                raise InputError(
                    f"{file}, line {number + 1}: expected 'key: value' with a key among "
                    f"{', '.join(sorted(META_KEYS))}",
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
            current = section_id(heading.group(1))
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


INLINE = re.compile(r"\*\*(.+?)\*\*|\*(.+?)\*")


def inline_segments(text: str) -> list[dict[str, Any]]:
    """``**bold**`` and ``*italic*`` into segments."""
    out: list[dict[str, Any]] = []
    pos = 0
    for match in INLINE.finditer(text):
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
