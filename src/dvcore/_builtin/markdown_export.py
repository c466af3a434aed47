"""The Markdown exporter: a report context as one Markdown document (CommonMark + GFM).

The header is a two-column table (the issuing body left, "ĐẢNG CỘNG SẢN VIỆT NAM" and the
place-and-date line right), headings keep the report's numbering (``I-``, ``1.``), figure
breakdowns are footnotes (``[^1]``), the follow-up report's tasks a table; "Nơi nhận:" and
the signature close the document. Everything comes from the context
(:func:`dvcore.reports.build_context`): this module computes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

__all__ = ["MarkdownExporter", "render_markdown"]

_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_LIST_START = re.compile(r"^(\s*)([-+#>]|\d+)([.)]?)(\s)")


def _unlist(match: re.Match[str]) -> str:
    indent, marker, delimiter, space = match.groups()
    if marker.isdigit():  # "1." → "1\." (a backslash before a digit would show)
        return f"{indent}{marker}\\{delimiter}{space}" if delimiter else match.group(0)
    return f"{indent}\\{marker}{delimiter}{space}"


def _escape(text: str, *, table: bool = False, block: bool = True) -> str:
    out = _SPECIAL.sub(r"\\\1", text)
    if block:  # a paragraph that starts like a list item or a heading must stay a paragraph
        out = _LIST_START.sub(_unlist, out)
    return out.replace("\n", "<br>") if table else out


def _segments(segments: Iterable[Mapping[str, Any]]) -> str:
    parts = []
    for seg in segments:
        if "note" in seg:
            parts.append(f"[^{seg['note']}]")
            continue
        text = _escape(str(seg.get("text", "")))
        if not text:
            continue
        if seg.get("bold"):
            text = f"**{text}**"
        if seg.get("italic"):
            text = f"*{text}*"
        parts.append(text)
    return "".join(parts)


def _header(document: Mapping[str, Any]) -> list[str]:
    left = []
    if document.get("superior"):
        left.append(_escape(document["superior"], table=True))
    left.append(f"**{_escape(document['issuer'], table=True)}**")
    left.append("\\*")
    left.append(_escape(document["number_text"], table=True))
    right = [
        f"**{_escape(document['party_header'], table=True)}**",
        "",
        f"*{_escape(document['place_date'], table=True)}*",
    ]
    return [f"| {'<br>'.join(left)} | {'<br>'.join(right)} |", "|:---:|:---:|", ""]


def render_markdown(context: Mapping[str, Any]) -> str:
    """The report context as Markdown text."""
    document = context["document"]
    lines = _header(document)
    lines.append(f"# {_escape(document['type'])}")
    lines.append("")
    lines.append("**" + "<br>".join(_escape(s) for s in document["summary_lines"]) + "**")
    lines.append("")
    for block in context["blocks"]:
        kind = block["kind"]
        if kind == "part":
            lines += [f"## {_escape(block['label'])}: {_escape(block['title'])}", ""]
        elif kind == "heading":
            level = {1: "###", 2: "####"}.get(block["level"], "#####")
            lines += [f"{level} {_escape(block['text'], block=False)}", ""]
        elif kind == "paragraph":
            text = _segments(block["segments"])
            lines += [f"- {text}" if block.get("style") == "bullet" else text, ""]
        elif kind == "table":
            lines.append("| " + " | ".join(_escape(c, table=True) for c in block["columns"]) + " |")
            lines.append("|" + "|".join("---" for _ in block["columns"]) + "|")
            groups = set(block.get("group_rows") or ())
            for i, row in enumerate(block["rows"]):
                cells = [_escape(str(c), table=True) for c in row]
                if i in groups:  # a group's number and title, in bold (no spans in Markdown)
                    cells = [f"**{c}**" if c else c for c in cells]
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
    profile = context["profile"]
    lines += ["---", "", f"**{_escape(profile.recipients_label)}**", ""]
    lines += [f"- {_escape(item)}" for item in document["recipients"]]
    lines.append("")
    signature = document["signature"]
    lines.append("<br>".join(f"**{_escape(line)}**" for line in signature["lines"]))
    if signature.get("name"):
        lines += ["", f"**{_escape(signature['name'])}**"]
    lines.append("")
    for note in context["footnotes"]:
        lines.append(f"[^{note['number']}]: {_escape(note['text'])}")
    if context["footnotes"]:
        lines.append("")
    return "\n".join(lines)


@attrs.frozen
class MarkdownExporter:
    """Writes the report as a Markdown file (``.md``)."""

    name: str = "markdown"
    suffix: str = ".md"

    def export(self, context: Mapping[str, Any], path: Path) -> Path:
        """Render ``context`` to ``path``; returns the path written."""
        path.write_text(render_markdown(context), encoding="utf-8")
        return path
