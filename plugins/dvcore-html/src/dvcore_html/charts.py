"""SVG charts drawn with matplotlib's object API (``Figure`` and ``FigureCanvasSVG``).

No pyplot: each chart is its own :class:`~matplotlib.figure.Figure`, drawn on its own SVG
canvas and returned as an ``<svg>`` element to inline in the page. Text stays text
(``svg.fonttype`` ``none``) so the page is small and the browser's font shows Vietnamese.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import matplotlib
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from dvcore.indicators import format_number

__all__ = ["bar_chart", "progress_chart"]

_CURRENT = "#1f4e79"
_PREVIOUS = "#a6a6a6"
_MET = "#2e7d32"
_SHORT = "#c62828"
_HEAD = re.compile(r"^.*?(<svg\b)", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)


def _svg(fig: Figure) -> str:
    FigureCanvasSVG(fig)  # the figure's own SVG canvas: no pyplot, no global figure
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "dvcore"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "dvcore"})
    # the XML prologue and the RDF metadata block (namespace URIs only) are not needed inline
    return _METADATA.sub("", _HEAD.sub(r"\1", buffer.getvalue(), count=1), count=1)


def _number_axis(axis: object) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: format_number(v, 0)))  # type: ignore[attr-defined]


def bar_chart(
    title: str,
    labels: Sequence[str],
    current: Sequence[float],
    previous: Sequence[float | None] | None = None,
    *,
    current_label: str = "",
    previous_label: str = "",
) -> str:
    """Horizontal bars, one per label; the year-earlier value beside each when given.

    A ``None`` in ``previous`` (no data that year) draws no bar there, never a 0.
    """
    height = max(2.2, 0.45 * len(labels) + 1.2)
    fig = Figure(figsize=(7.5, height), dpi=96)
    ax = fig.add_subplot()
    positions = list(range(len(labels)))
    width = 0.4 if previous is not None else 0.7
    shift = width / 2 if previous is not None else 0.0
    bars = ax.barh(
        [p - shift for p in positions],
        current,
        height=width,
        color=_CURRENT,
        label=current_label or None,
    )
    if previous is not None:
        known = [(p, v) for p, v in zip(positions, previous, strict=True) if v is not None]
        ax.barh(
            [p + shift for p, _v in known],
            [v for _p, v in known],
            height=width,
            color=_PREVIOUS,
            label=previous_label or None,
        )
        ax.legend(loc="lower right", fontsize=8, frameon=False)
    for bar, value in zip(bars, current, strict=True):
        ax.annotate(
            format_number(value),
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(positions, labels=list(labels), fontsize=9)
    ax.invert_yaxis()
    _number_axis(ax.xaxis)
    ax.set_title(title, fontsize=11, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return _svg(fig)


def progress_chart(
    title: str, labels: Sequence[str], ratios: Sequence[float], threshold: float
) -> str:
    """One bar per unit: the share of its population the target counts, against the threshold."""
    height = max(2.2, 0.32 * len(labels) + 1.2)
    fig = Figure(figsize=(7.5, height), dpi=96)
    ax = fig.add_subplot()
    positions = list(range(len(labels)))
    colors = [_MET if r >= threshold else _SHORT for r in ratios]
    ax.barh(positions, [r * 100 for r in ratios], height=0.6, color=colors)
    ax.axvline(threshold * 100, color="#333333", linestyle="--", linewidth=1)
    for pos, ratio in zip(positions, ratios, strict=True):
        ax.annotate(
            format_number(ratio * 100, 1) + "%",
            (ratio * 100, pos),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
        )
    ax.set_yticks(positions, labels=list(labels), fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, max(105.0, max((r * 100 for r in ratios), default=0) + 10))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{format_number(v, 0)}%"))
    ax.set_title(title, fontsize=10, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return _svg(fig)
