"""Issue 13, item 3: a report compiles its subordinates' narrative under its sections.

The city's periodic report places, under each section, the city's own text, its figures,
then each district's text for the period, named and in the tree's order; a placeholder
stands only where nobody wrote. Runs on SQLite and, with ``DVCORE_PG_URL``, PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dvcore.importing import import_files
from dvcore.narrative import NarrativeChannel, Sections, narrative_events
from dvcore.reports import PLACEHOLDER, build_context

CITY, Q1, Q2, Q3 = "HP", "HP.Q1", "HP.Q2", "HP.Q3"
NAMES = {
    CITY: ("Thành phố Hải Phòng", "city", None),
    Q1: ("Quận Hồng Bàng", "district", CITY),
    Q2: ("Quận Lê Chân", "district", CITY),
    Q3: ("Huyện Cát Hải", "district", CITY),
}


def _units() -> list[dict[str, Any]]:
    return [
        {
            "type": "UnitRegistered",
            "occurred_on": "2020-01-01",
            "unit": parent or code,
            "data": {"code": code, "name": name, "kind": kind, "parent": parent},
            "source_ref": f"tree:{code}",
        }
        for code, (name, kind, parent) in NAMES.items()
    ]


def _send(store: Any, unit: str, text: dict[str, list[tuple[str, str]]], window: str) -> None:
    period = store.period(window)
    store.append(narrative_events(Sections(text=text), unit=unit, window=period))


def _blocks(context: Any, section: str) -> list[dict[str, Any]]:
    return [b for b in context["blocks"] if b["section"] == section]


@pytest.fixture
def city(store: Any) -> Any:
    store.append(_units())
    # Q2 is registered after Q1 in the tree but sends first: the tree's order wins
    _send(store, Q2, {"II.1": [("body", "Lê Chân đối thoại ở 15 phường.")]}, "2023-Q3")
    _send(
        store,
        Q1,
        {
            "II.1": [("body", "Hồng Bàng ban hành kế hoạch."), ("bullet", "Đối thoại 12 cuộc.")],
            "II.1.2": [("body", "Một mục con của Hồng Bàng.")],
            "P2": [("subheading", "Nhiệm vụ"), ("body", "Tiếp tục **đối thoại**.")],
        },
        "2023-Q3",
    )
    # outside the 9 months: not in the report
    _send(store, Q3, {"II.1": [("body", "Cát Hải, quý bốn.")]}, "2023-Q4")
    return store


def test_the_city_draft_holds_its_districts_narrative(city: Any) -> None:
    context = build_context(city, unit=CITY, period="2023-9M", date="2023-10-05")
    texts = [(b.get("unit"), b["text"]) for b in _blocks(context, "II.1")]
    # the placeholder goes: somebody wrote under II.1
    assert PLACEHOLDER not in [t for _u, t in texts]
    narrative = [(u, t) for u, t in texts if u is not None]
    assert narrative == [
        (Q1, "Quận Hồng Bàng:"),
        (Q1, "Hồng Bàng ban hành kế hoạch."),
        (Q1, "Đối thoại 12 cuộc."),
        # a section the outline lacks goes under the nearest one it belongs to
        (Q1, "Một mục con của Hồng Bàng."),
        (Q2, "Quận Lê Chân:"),
        (Q2, "Lê Chân đối thoại ở 15 phường."),
    ]
    bullet = next(b for b in _blocks(context, "II.1") if b["text"] == "Đối thoại 12 cuộc.")
    assert (bullet["style"], bullet["source"]) == ("bullet", "narrative")
    p2 = _blocks(context, "P2")
    assert [b["text"] for b in p2 if b.get("unit") == Q1] == [
        "Quận Hồng Bàng:",
        "Nhiệm vụ",
        "Tiếp tục đối thoại.",
    ]
    assert {"text": "đối thoại", "bold": True} in p2[-1]["segments"]
    # a section nobody wrote keeps its placeholder
    assert [b["text"] for b in _blocks(context, "II.2")][-1] == PLACEHOLDER
    assert "Cát Hải, quý bốn." not in {b["text"] for b in context["blocks"]}
    assert [(r["section"], r["unit"]) for r in context["narrative"]] == [
        ("II.1", Q1),
        ("II.1", Q2),
        ("P2", Q1),
    ]


def test_the_unit_own_narrative_stands_when_no_sections_file(city: Any) -> None:
    district = build_context(city, unit=Q1, period="2023-9M", date="2023-10-05")
    own = [b["text"] for b in _blocks(district, "II.1") if b.get("source") == "user"]
    assert own == [
        "Hồng Bàng ban hành kế hoạch.",
        "Đối thoại 12 cuộc.",
        "Một mục con của Hồng Bàng.",
    ]
    # the sections file, when given, is the writer's text instead
    written = Sections(text={"II.1": [("body", "Bản của người viết.")]})
    district = build_context(city, unit=Q1, period="2023-9M", date="2023-10-05", sections=written)
    assert [b["text"] for b in _blocks(district, "II.1") if b.get("source") == "user"] == [
        "Bản của người viết."
    ]


def test_a_re_sent_narrative_replaces_the_earlier_in_the_draft(store: Any, tmp_path: Path) -> None:
    store.append(_units())
    channels = {"markdown": NarrativeChannel()}
    report = tmp_path / "le-chan.md"

    def send(text: str) -> None:
        report.write_text(text, encoding="utf-8")
        import_files(store, [report], channels, unit=Q2, period="2023-9M")

    send("## II.1\nLê Chân đối thoại ở 15 phường.\n\n## V.1\nƯu điểm của Lê Chân.\n")
    before = {b["text"] for b in build_context(store, unit=CITY, period="2023-9M")["blocks"]}
    assert {"Lê Chân đối thoại ở 15 phường.", "Ưu điểm của Lê Chân."} <= before
    send("## II.1\nLê Chân, bản sửa.\n")
    after = build_context(store, unit=CITY, period="2023-9M")
    texts = {b["text"] for b in after["blocks"]}
    assert "Lê Chân, bản sửa." in texts
    assert not {"Lê Chân đối thoại ở 15 phường.", "Ưu điểm của Lê Chân."} & texts
    # V.1 has nobody's text now: its placeholder is back
    assert [b["text"] for b in _blocks(after, "V.1")] == ["1. Ưu điểm", PLACEHOLDER]


def test_each_report_compiles_the_narrative_written_for_it(store: Any) -> None:
    """A section id means another thing in each outline: a district's 'I' for the periodic
    report is no part of the follow-up report's 'I', nor a term report's."""
    store.append(_units())
    _send(store, Q1, {"I": [("body", "Tình hình của Hồng Bàng.")]}, "2023-Q3")
    period = store.period("2023-9M")
    follow = Sections(
        text={
            "I": [("body", "Hồng Bàng đã xong nhiệm vụ 1.2.")],
            "II": [("body", "Đề nghị gia hạn nhiệm vụ 2.1.")],
        }
    )
    store.append(narrative_events(follow, unit=Q1, window=period, report="follow-up"))
    periodic = build_context(store, unit=CITY, period="2023-9M", date="2023-10-05")
    follow_up = build_context(
        store, unit=CITY, period="2023-9M", date="2023-10-05", report="follow-up"
    )
    periodic_texts = {b["text"] for b in periodic["blocks"]}
    follow_texts = [(b["section"], b["text"]) for b in follow_up["blocks"] if b.get("unit")]
    assert "Tình hình của Hồng Bàng." in periodic_texts
    assert "Hồng Bàng đã xong nhiệm vụ 1.2." not in periodic_texts
    assert follow_texts == [
        ("I", "Quận Hồng Bàng:"),
        ("I", "Hồng Bàng đã xong nhiệm vụ 1.2."),
        ("II", "Quận Hồng Bàng:"),
        ("II", "Đề nghị gia hạn nhiệm vụ 2.1."),
    ]
    # somebody wrote under II: no placeholder there
    assert PLACEHOLDER not in [b["text"] for b in _blocks(follow_up, "II")]


def test_the_front_matter_says_which_report_a_narrative_is_for(store: Any, tmp_path: Path) -> None:
    store.append(_units())
    report = tmp_path / "theo-doi.md"
    report.write_text(
        "---\nreport: follow-up\n---\n## I\nĐã xong nhiệm vụ 1.1.\n", encoding="utf-8"
    )
    import_files(store, [report], {"markdown": NarrativeChannel()}, unit=Q1, period="2023-9M")
    [event] = list(store.read(types=["NarrativeSubmitted"]))
    assert (event.data.report, event.source_ref) == (
        "follow-up",
        f"{Q1}/narrative:follow-up:2023-9M:I",
    )
    periodic = build_context(store, unit=CITY, period="2023-9M", date="2023-10-05")
    assert "Đã xong nhiệm vụ 1.1." not in {b["text"] for b in periodic["blocks"]}
