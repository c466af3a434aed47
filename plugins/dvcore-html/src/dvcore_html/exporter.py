"""The HTML exporter: one self-contained page (``lang="vi"``, inline CSS, inline SVG).

The page holds the document's header, the targets with their progress in each direct child
unit, the figures by level and by field beside the same period a year earlier, every
indicator, the child units' main figures, and the report's text with its footnotes. It
loads nothing: no script, no stylesheet, no font, no image from anywhere.

Every label the reader sees is Vietnamese: an indicator by its title, a level, a dimension
and a breakdown key by their Vietnamese words. The year before is compared only where it
holds data: a year with none has no column and no chart series, an indicator it has none
for shows "—", never 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from html import escape
from pathlib import Path
from typing import Any

import attrs

from dvcore.indicators import format_number
from dvcore.periods import VIETNAM, format_date_short
from dvcore.reports import DIMENSION_LABELS, has_data, item_label

__all__ = ["HtmlExporter", "render_html", "vietnam_time"]

_CSS = """
body{font-family:"Times New Roman",Times,serif;margin:0;background:#f4f5f7;color:#111}
main{max-width:960px;margin:0 auto;background:#fff;padding:24px 40px 48px}
.head{display:grid;grid-template-columns:42% 58%;text-align:center;font-size:15px}
.head .rule{width:45%;margin:2px auto 10px;border-top:1px solid #000}
.head .date{font-style:italic}
h1{text-align:center;font-size:22px;margin:24px 0 4px}
.summary{text-align:center;font-weight:bold}
.known{text-align:center;font-style:italic;font-size:14px;color:#444}
h2{font-size:18px;border-bottom:2px solid #1f4e79;padding-bottom:4px;margin-top:32px}
h3{font-size:16px;margin:16px 0 6px}
table{border-collapse:collapse;width:100%;font-size:14px;margin:8px 0 16px}
th,td{border:1px solid #c8ccd2;padding:4px 6px;vertical-align:top}
th{background:#dde5f0;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.bar{background:#e5e7eb;height:10px;min-width:80px;position:relative}
.bar span{position:absolute;left:0;top:0;bottom:0;background:#1f4e79}
.met{color:#2e7d32;font-weight:bold}.short{color:#c62828;font-weight:bold}
figure{margin:8px 0 20px}figure svg{max-width:100%;height:auto}
article p{text-align:justify;text-indent:1cm;margin:4px 0;font-size:16px}
article p.placeholder{color:#8a6d00;background:#fff7d6}
.part{text-align:center;font-weight:bold;margin-top:16px}
.notes{font-size:13px;border-top:1px solid #999;margin-top:16px}
.closing{display:grid;grid-template-columns:50% 50%;margin-top:24px}
.closing ul{list-style:none;padding:0;font-size:12px;margin:4px 0}
.closing .sign{text-align:center;font-weight:bold}
"""


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _n(value: Any) -> str:
    return "—" if value is None else _e(format_number(value))


def _rows(cells: Iterable[Iterable[str]]) -> str:
    return "".join("<tr>" + "".join(row) + "</tr>" for row in cells)


def vietnam_time(instant: dt.datetime) -> str:
    """An instant as Vietnam's clock reads it (UTC+7): ``20/9/2023 10:00``."""
    local = instant.astimezone(VIETNAM) if instant.tzinfo is not None else instant
    return f"{format_date_short(local.date())} {local:%H:%M}"


def _header(context: Mapping[str, Any]) -> str:
    d = context["document"]
    left = [
        f"<div>{_e(d['superior'])}</div>" if d.get("superior") else "",
        f"<div><b>{_e(d['issuer'])}</b></div>",
        "<div>*</div>",
        f"<div>{_e(d['number_text'])}</div>",
    ]
    right = [
        f"<div><b>{_e(d['party_header'])}</b></div>",
        '<div class="rule"></div>',
        f'<div class="date">{_e(d["place_date"])}</div>',
    ]
    summary = "<br>".join(_e(line) for line in d["summary_lines"])
    known = context.get("as_known_at")
    when = (
        f'<p class="known">Số liệu như đã ghi nhận đến {_e(vietnam_time(known))}</p>'
        if isinstance(known, dt.datetime)
        else ""
    )
    return (
        f'<header class="head"><div>{"".join(left)}</div><div>{"".join(right)}</div>'
        f'</header><h1>{_e(d["type"])}</h1><p class="summary">{summary}</p>{when}'
    )


def _targets(context: Mapping[str, Any]) -> str:
    rows = context.get("target_rows") or []
    if not rows:
        return ""
    body = []
    for t in rows:
        completion = float(t["plan_completion"] or 0)
        width = min(100.0, completion * 100)
        status = f'<span class="{"met" if t["met"] else "short"}">{_e(t["met_text"])}</span>'
        body.append(
            [
                f"<td>{_e(t['code'])}</td>",
                f"<td>{_e(t['title'])}</td>",
                f'<td class="n">{t["numerator"]}/{t["denominator"]}</td>',
                f'<td class="n">{_e(t["plan"])}</td>',
                f'<td class="n">{_e(t["completion_text"])}</td>',
                f'<td><div class="bar"><span style="width:{width:.1f}%"></span></div></td>',
                f"<td>{status}</td>",
            ]
        )
    charts = []
    for t in rows:
        units = [u for u in t["by_unit"] if u["population"]]
        if len(units) < 2:
            continue
        charts.append(
            "<figure>"
            + _charts().progress_chart(
                f"{t['code']}: tỷ lệ theo đơn vị (ngưỡng {t['threshold_text']})",
                [u["name"] for u in units],
                [float(u["ratio"] or 0) for u in units],
                float(t["threshold"]),
            )
            + "</figure>"
        )
    head = (
        "<tr><th>Mã</th><th>Chỉ tiêu</th><th>Kết quả</th><th>Kế hoạch</th>"
        "<th>Đạt % KH</th><th>Tiến độ</th><th></th></tr>"
    )
    return (
        f"<section><h2>Chỉ tiêu (tính đến ngày {_e(context['as_of_text'])})</h2>"
        f"<table>{head}{_rows(body)}</table>"
        f"<h3>Tiến độ chỉ tiêu theo đơn vị</h3>{''.join(charts)}</section>"
    )


def _previous(context: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The year before, when it holds data for at least one indicator."""
    previous: Mapping[str, Any] | None = context.get("previous")
    if previous is None or not any(has_data(f) for f in previous["figure"].values()):
        return None
    return previous


def _breakdowns(context: Mapping[str, Any]) -> str:
    previous = _previous(context)
    prev = previous["figure"] if previous else {}
    charts = []
    for fig in context["figures"]:
        for dimension in ("level", "field"):
            items = fig["by"].get(dimension) or []
            if not items or not fig["value"]:
                continue
            labels = [item_label(dimension, i, context) for i in items]
            current = [float(i["value"]) for i in items]
            before: list[float | None] | None = None
            if has_data(prev.get(fig["code"])):
                old = {
                    i["key"]: float(i["value"]) for i in prev[fig["code"]]["by"].get(dimension, [])
                }
                before = [old.get(i["key"]) for i in items]
            what = f"theo {DIMENSION_LABELS[dimension]}"
            charts.append(
                "<figure>"
                + _charts().bar_chart(
                    f"{fig['title']} {what}",
                    labels,
                    current,
                    before,
                    current_label=context["period_text"],
                    previous_label=f"Cùng kỳ {previous['period_text']}" if previous else "",
                )
                + "</figure>"
            )
    if not charts:
        return ""
    return f"<section><h2>Số liệu theo cấp và lĩnh vực</h2>{''.join(charts)}</section>"


def _figures(context: Mapping[str, Any]) -> str:
    previous = _previous(context)
    prev = previous["figure"] if previous else {}
    head = "<tr><th>Chỉ số</th><th>Đơn vị tính</th><th>" + _e(context["period_text"]) + "</th>"
    if previous:
        head += f"<th>Cùng kỳ {_e(previous['period_text'])}</th>"
    head += "<th>Chi tiết</th></tr>"
    body = []
    for fig in context["figures"]:
        detail = "; ".join(
            f"{_e(item_label(dim, i, context))} {_n(i['value'])}"
            for dim, items in fig["by"].items()
            for i in items
        )
        row = [
            f"<td>{_e(fig['title'])}</td>",
            f"<td>{_e(fig['unit_label'])}</td>",
            f'<td class="n">{_n(fig["value"])}</td>',
        ]
        if previous:
            old = prev.get(fig["code"])
            value = old["value"] if old is not None and has_data(old) else None
            row.append(f'<td class="n">{_n(value)}</td>')
        row.append(f"<td>{detail}</td>")
        body.append(row)
    return f"<section><h2>Các chỉ số</h2><table>{head}{_rows(body)}</table></section>"


_UNIT_COLUMNS = (
    "dialogue.count",
    "model.registered",
    "inspection.count",
    "land.dossier_submitted",
    "reception.visits",
)


def _units(context: Mapping[str, Any]) -> str:
    units = context.get("units_table") or []
    if len(units) < 2:
        return ""
    figure = context["figure"]
    codes = [c for c in _UNIT_COLUMNS if c in figure]
    head = (
        "<tr><th>Đơn vị</th>"
        + "".join(f"<th>{_e(figure[c]['title'])}</th>" for c in codes)
        + "</tr>"
    )
    body = [
        [f"<td>{_e(u['name'])}</td>"]
        + [f'<td class="n">{_n(u["values"].get(c))}</td>' for c in codes]
        for u in units
    ]
    return f"<section><h2>Đơn vị trực thuộc</h2><table>{head}{_rows(body)}</table></section>"


def _segments(segments: Iterable[Mapping[str, Any]]) -> str:
    out = []
    for seg in segments:
        if "note" in seg:
            out.append(f'<sup><a href="#fn{seg["note"]}">{seg["note"]}</a></sup>')
            continue
        text = _e(seg.get("text", ""))
        if seg.get("bold"):
            text = f"<b>{text}</b>"
        if seg.get("italic"):
            text = f"<i>{text}</i>"
        out.append(text)
    return "".join(out)


def _article(context: Mapping[str, Any]) -> str:
    out = ["<article><h2>Nội dung báo cáo</h2>"]
    for block in context["blocks"]:
        kind = block["kind"]
        if kind == "part":
            out.append(f'<p class="part">{_e(block["label"])}<br>{_e(block["title"])}</p>')
        elif kind == "heading":
            out.append(f"<h3>{_e(block['text'])}</h3>")
        elif kind == "paragraph":
            css = ' class="placeholder"' if block.get("source") == "placeholder" else ""
            bullet = "- " if block.get("style") == "bullet" else ""
            out.append(f"<p{css}>{bullet}{_segments(block['segments'])}</p>")
        elif kind == "table":
            head = "<tr>" + "".join(f"<th>{_e(c)}</th>" for c in block["columns"]) + "</tr>"
            groups = set(block.get("group_rows") or ())
            body = [
                [
                    f"<th>{_e(row[0])}</th>",
                    f'<th colspan="{len(row) - 1}" style="text-align:left">{_e(row[1])}</th>',
                ]
                if i in groups and len(row) > 2
                else [f"<td>{_e(c)}</td>" for c in row]
                for i, row in enumerate(block["rows"])
            ]
            out.append(f"<table>{head}{_rows(body)}</table>")
    d = context["document"]
    recipients = "".join(f"<li>- {_e(r)}</li>" for r in d["recipients"])
    sign = "<br>".join(_e(line) for line in d["signature"]["lines"])
    name = f"<br><br><br>{_e(d['signature']['name'])}" if d["signature"].get("name") else ""
    out.append(
        f'<div class="closing"><div><b><i><u>{_e(context["profile"].recipients_label)}'
        f'</u></i></b><ul>{recipients}</ul></div><div class="sign">{sign}{name}</div>'
        "</div>"
    )
    if context["footnotes"]:
        out.append(
            '<div class="notes">'
            + "".join(
                f'<p id="fn{n["number"]}"><sup>{n["number"]}</sup> {_e(n["text"])}</p>'
                for n in context["footnotes"]
            )
            + "</div>"
        )
    out.append("</article>")
    return "".join(out)


def render_html(context: Mapping[str, Any]) -> str:
    """The report context as one self-contained HTML page."""
    title = f"{context['document']['type']} {context['document']['summary']}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><main>",
        _header(context),
        _targets(context),
        _breakdowns(context),
        _figures(context),
        _units(context),
        _article(context),
        "</main></body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _charts() -> Any:
    # matplotlib loads only when a page is drawn, not whenever dvcore starts
    from dvcore_html import charts

    return charts


@attrs.frozen
class HtmlExporter:
    """Writes a report as one self-contained HTML file (``.html``)."""

    name: str = "html"
    suffix: str = ".html"

    def export(self, context: Mapping[str, Any], path: Path) -> Path:
        """Render ``context`` to ``path``; returns the path written."""
        path.write_text(render_html(context), encoding="utf-8")
        return path
