"""Tests of dvcore.reports: the report context, its wording and its sections file.

The demo data set is recorded once per backend (SQLite, and PostgreSQL when DVCORE_PG_URL
is set), as ``dvcore demo`` records it; the tests read the contexts built from it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from dvcore._builtin import demo_run
from dvcore._builtin.profiles import PROFILES, get_profile, profile_for
from dvcore.errors import InputError, UnknownUnitError
from dvcore.periods import parse_period
from dvcore.reports import (
    MISSING,
    PLACEHOLDER,
    build_context,
    committee_name,
    count_text,
    document_word,
    kind_name,
    period_text,
    read_sections,
)

PG_URL = os.environ.get("DVCORE_PG_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
REPORTED_AT = demo_run.REPORTED_AT
AS_OF = dt.date(2023, 9, 15)

#: Every figure of DESIGN.md §2, in seed 001's wording.
GOLDEN_PHRASES = (
    "Tổ chức 470 cuộc đối thoại giữa người đứng đầu cấp ủy, chính quyền các cấp với Nhân dân "
    "(06 cuộc cấp thành phố; 112 cuộc cấp quận, huyện; 352 cuộc cấp xã, phường)",
    "2.035 mô hình “Dân vận khéo” được đăng ký xây dựng trên các lĩnh vực của đời sống xã "
    "hội. Trong đó có 367 mô hình trong xây dựng nông thôn mới kiểu mẫu, 296 mô hình trong "
    "chỉnh trang, hiện đại hóa đô thị",
    "Tính đến ngày 15/9/2023",
    "hồ sơ của 12/222 cơ sở tôn giáo (đạt 54,5% kế hoạch năm)",
    "07 cơ sở tôn giáo đã được Ủy ban nhân dân thành phố ban hành quyết định công nhận quyền "
    "sử dụng đất",
    "Trong 8 tháng năm 2023, toàn thành phố đã tiếp 2.746 lượt công dân với 2.300 vụ việc "
    "(khiếu nại 155 vụ việc, tố cáo 64 vụ việc, kiến nghị 2.081 vụ việc). Trong đó, số đoàn "
    "đông người 158 đoàn với 152 vụ việc; tiếp nhận và xử lý 7.337 đơn thư các loại; đơn đủ "
    "điều kiện xử lý 5.765 đơn; đơn khiếu nại, tố cáo thuộc thẩm quyền giải quyết 466 đơn",
    "15/15 Quận ủy, Huyện ủy đã xác định các chỉ tiêu cụ thể về công tác dân vận trong nghị "
    "quyết, chương trình công tác năm 2023",
    "14/15 quận, huyện đã ban hành Kế hoạch đối thoại trực tiếp giữa người đứng đầu cấp ủy, "
    "chính quyền các cấp với Nhân dân",
    "76 cuộc kiểm tra, giám sát về công tác dân vận",
    "Hệ thống Một cửa điện tử và Dịch vụ công trực tuyến đã được triển khai, thống nhất cho "
    "35/35 sở, ban, ngành, quận, huyện, 217/217 xã, phường, thị trấn",
    "Hội Cựu chiến binh các cấp duy trì hoạt động 1.468 tổ, đội tuần tra với 4.782 hội viên",
    "35 sở, ban, ngành, quận, huyện",
    "217 xã, phường, thị trấn",
    "Thành ủy đã xác định 03 chỉ tiêu về công tác dân vận trong Nghị quyết số 08-NQ/TU, ngày "
    "06/12/2022 về “Mục tiêu, nhiệm vụ, giải pháp năm 2023”",
    "(tổng số 239 cơ sở)",
    "100% các xã xây dựng nông thôn mới kiểu mẫu (71/71) và 100% các phường (66/66) đều đăng "
    "ký xây dựng các mô hình “Dân vận khéo”",
)


def _url(backend: str, tmp: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp / 'demo.db'}"
        return
    assert PG_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def demo_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """The demo data set as ``dvcore demo`` records it (four sittings, scripted clock)."""
    urls = _url(str(request.param), tmp_path_factory.mktemp("report"))
    url = next(urls)
    store, _counts = demo_run.open_demo_store(url)
    yield store
    store.close()
    for _ in urls:
        pass


@pytest.fixture(scope="module")
def periodic(demo_store: Any) -> dict[str, Any]:
    return build_context(
        demo_store,
        unit="HP",
        period="2023-9M",
        as_of=AS_OF,
        as_known_at=REPORTED_AT,
        number="215-BC/BDVTU",
    )


def text_of(context: dict[str, Any]) -> str:
    body = "\n".join(b["text"] for b in context["blocks"] if "text" in b)
    notes = "\n".join(n["text"] for n in context["footnotes"])
    return body + "\n" + notes


# --- the periodic report -------------------------------------------------------------------


def test_every_golden_figure_in_the_seed_wording(periodic: dict[str, Any]) -> None:
    text = text_of(periodic)
    missing = [phrase for phrase in GOLDEN_PHRASES if phrase not in text]
    assert missing == []


def test_outline_of_seed_000(periodic: dict[str, Any]) -> None:
    headings = [b["text"] for b in periodic["blocks"] if b["kind"] in ("heading", "part")]
    expected = [
        "Phần thứ nhất: KẾT QUẢ CÔNG TÁC DÂN VẬN 9 THÁNG NĂM 2023",
        "I- ĐẶC ĐIỂM TÌNH HÌNH",
        "II- KẾT QUẢ CÔNG TÁC DÂN VẬN CỦA HỆ THỐNG CHÍNH TRỊ",
        "III- PHONG TRÀO THI ĐUA “DÂN VẬN KHÉO”",
        "IV- KẾT QUẢ HOẠT ĐỘNG CỦA BAN DÂN VẬN CÁC CẤP",
        "V- ĐÁNH GIÁ CHUNG",
        "VI- ĐỀ XUẤT, KIẾN NGHỊ",
        "Phần thứ hai: PHƯƠNG HƯỚNG, NHIỆM VỤ TRỌNG TÂM CÔNG TÁC DÂN VẬN 3 THÁNG CUỐI NĂM 2023",
    ]
    assert [h for h in headings if h in expected] == expected
    sections = [b["section"] for b in periodic["blocks"] if b["kind"] == "heading"]
    assert sections[:8] == ["I", "II", "II.1", "II.2", "II.3", "II.4", "II.5", "III"]
    assert periodic["document"]["summary_lines"] == [
        "sơ kết công tác dân vận 9 tháng;",
        "phương hướng, nhiệm vụ trọng tâm 3 tháng cuối năm 2023",
    ]


def test_without_a_sections_file_every_leaf_heading_shows_the_placeholder(
    periodic: dict[str, Any],
) -> None:
    blocks = periodic["blocks"]
    leaves = {
        "I",
        "II.1",
        "II.2",
        "II.3",
        "II.4",
        "II.5",
        "III.1",
        "III.2",
        "III.3",
        "III.4",
        "IV.1",
        "IV.2",
        "IV.3",
        "IV.4",
        "IV.5",
        "V.1",
        "V.2",
        "VI",
        "P2",
    }
    with_placeholder = {
        b["section"]
        for b in blocks
        if b["kind"] == "paragraph" and b["source"] == "placeholder" and b["text"] == PLACEHOLDER
    }
    # the demo's districts wrote under some sections: their text stands there instead
    written = {row["section"] for row in periodic["narrative"]}
    assert written == {"I", "II.1", "II.4", "III.3", "V.1", "V.2", "P2"}
    assert with_placeholder == leaves - written
    # no prose comes from anywhere but the figures, the units' narrative and the placeholders
    assert {b["source"] for b in blocks if b["kind"] == "paragraph"} == {
        "figure",
        "narrative",
        "placeholder",
    }


def test_footnotes_are_numbered_and_each_referred_to_once(periodic: dict[str, Any]) -> None:
    numbers = [n["number"] for n in periodic["footnotes"]]
    assert numbers == list(range(1, len(numbers) + 1))
    refs = [
        s["note"]
        for b in periodic["blocks"]
        if b["kind"] == "paragraph"
        for s in b["segments"]
        if "note" in s
    ]
    assert refs == numbers
    breakdown = next(
        n["text"] for n in periodic["footnotes"] if n["text"].startswith("Theo người chủ trì")
    )
    assert re.search(r"Bí thư cấp ủy \d+ cuộc", breakdown)


def test_figures_targets_and_year_earlier(periodic: dict[str, Any]) -> None:
    assert periodic["figure"]["dialogue.count"]["value"] == 470
    assert periodic["figure"]["model.registered"]["value_text"] == "2.035"
    levels = {i["key"]: i["value"] for i in periodic["figure"]["dialogue.count"]["by"]["level"]}
    assert levels == {"city": 6, "district": 112, "commune": 352}
    rows = {t["code"]: t for t in periodic["target_rows"]}
    assert (
        rows["08-NQ/TU.3b"]["numerator"],
        rows["08-NQ/TU.3b"]["denominator"],
        rows["08-NQ/TU.3b"]["plan"],
        rows["08-NQ/TU.3b"]["completion_text"],
    ) == (12, 222, 22, "54,5%")
    by_unit = rows["08-NQ/TU.2"]["by_unit"]
    assert sum(u["counted"] for u in by_unit) == 228
    assert sum(u["population"] for u in by_unit) == 233
    assert periodic["previous"]["period_spec"] == "2022-9M"
    assert periodic["previous"]["figure"]["dialogue.count"]["value"] == 0
    names = [u["name"] for u in periodic["units_table"]]
    assert names[0] == "Thành phố Hải Phòng"
    assert "Huyện Thủy Nguyên" in names
    assert sum(u["values"]["dialogue.count"] for u in periodic["units_table"][1:]) == 470 - 6
    assert len(periodic["units"]) == 255


def test_as_known_at_keeps_the_report_as_generated(
    demo_store: Any, periodic: dict[str, Any]
) -> None:
    now = build_context(
        demo_store, unit="HP", period="2023-9M", as_of=AS_OF, children=False, compare=False
    )
    assert periodic["figure"]["dialogue.count"]["value"] == 470
    assert now["figure"]["dialogue.count"]["value"] == 473
    assert "hồ sơ của 13/222 cơ sở tôn giáo (đạt 59,1% kế hoạch năm)" in text_of(now)


def test_the_events_behind_the_figures(demo_store: Any) -> None:
    context = build_context(
        demo_store,
        unit="HP.TN",
        period="2023-9M",
        as_of=AS_OF,
        as_known_at=REPORTED_AT,
        include_events=True,
        children=False,
    )
    dialogue = [e for e in context["events"] if "dialogue.count" in e["indicators"]]
    assert len(dialogue) == context["figure"]["dialogue.count"]["value"]
    assert len({e["position"] for e in context["events"]}) == len(context["events"])
    limited = build_context(
        demo_store,
        unit="HP.TN",
        period="2023-9M",
        include_events=True,
        max_events=5,
        children=False,
        compare=False,
    )
    assert len(limited["events"]) == 5
    assert limited["events_truncated"]


# --- document details, sections file ---------------------------------------------------------


def test_document_header_defaults(periodic: dict[str, Any]) -> None:
    document = periodic["document"]
    assert document["superior"] == "THÀNH ỦY HẢI PHÒNG"
    assert document["issuer"] == "BAN DÂN VẬN"
    assert document["number_text"] == "Số 215-BC/BDVTU"  # no colon (36-HD/VPTW)
    assert document["place_date"] == "Hải Phòng, ngày 20 tháng 9 năm 2023"
    assert document["recipients"][-1].startswith("Lưu")
    assert periodic["profile_name"] == "36-HD/VPTW-2018"


def test_sections_file_fills_headings_and_the_document(demo_store: Any, tmp_path: Path) -> None:
    path = tmp_path / "noi-dung.md"
    path.write_text(
        "---\n"
        "number: 215-BC/BDVTU\n"
        "date: 05/02/2024\n"
        "signature: K/T TRƯỞNG BAN / PHÓ TRƯỞNG BAN\n"
        "signer: Nguyễn Văn A\n"
        "recipients:\n"
        "  - Ban Dân vận Trung ương (để b/c),\n"
        "  - Thường trực Thành ủy (để b/c),\n"
        "---\n"
        "## V.1. Ưu điểm\n"
        "Các cấp ủy lãnh đạo, chỉ đạo **toàn diện** công tác dân vận.\n"
        "\n"
        "- Chính quyền các cấp quan tâm công tác an sinh xã hội.\n"
        "## P2\n"
        "### 1. Nhiệm vụ chung\n"
        "Tập trung đôn đốc thực hiện *03 chỉ tiêu*.\n",
        encoding="utf-8",
    )
    context = build_context(
        demo_store,
        unit="HP",
        period="2023-9M",
        as_of=AS_OF,
        sections=path,
        children=False,
        compare=False,
    )
    v1 = [b for b in context["blocks"] if b.get("section") == "V.1" and b["kind"] == "paragraph"]
    # the writer's text, then what a district wrote under the same section
    assert [(b["source"], b["style"], b["text"]) for b in v1] == [
        ("user", "body", "Các cấp ủy lãnh đạo, chỉ đạo toàn diện công tác dân vận."),
        ("user", "bullet", "Chính quyền các cấp quan tâm công tác an sinh xã hội."),
        ("narrative", "body", "Huyện Thủy Nguyên:"),
        (
            "narrative",
            "body",
            "Cấp ủy, chính quyền các xã quan tâm hơn đến việc tiếp xúc, đối thoại với Nhân dân.",
        ),
    ]
    assert {"text": "toàn diện", "bold": True} in v1[0]["segments"]
    p2 = [
        b for b in context["blocks"] if b.get("section") == "P2" and b.get("source") != "narrative"
    ]
    assert [b["kind"] for b in p2] == ["part", "heading", "paragraph"]
    assert PLACEHOLDER not in [b["text"] for b in p2]
    document = context["document"]
    assert document["signature"] == {
        "mode": "K/T",
        "lines": ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"],
        "name": "Nguyễn Văn A",
    }
    assert document["recipients"] == [
        "Ban Dân vận Trung ương (để b/c),",
        "Thường trực Thành ủy (để b/c),",
        "Lưu.",
    ]
    assert document["date_text"] == "ngày 05 tháng 02 năm 2024"  # leading zeros, month 1-2


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("---\nnumero: 1\n---\n## I\nx\n", 2),
        ("## I\nx\n", None),
        ("Lời mở đầu\n## I\nx\n", 1),
        ("---\nnumber: 1\n## I\n", 1),
    ],
)
def test_bad_sections_files_name_the_line(tmp_path: Path, text: str, line: int | None) -> None:
    path = tmp_path / "s.md"
    path.write_text(text, encoding="utf-8")
    if line is None:
        assert read_sections(path).text == {"I": [("body", "x")]}
        return
    with pytest.raises(InputError, match=rf"s\.md, line {line}:"):
        read_sections(path)


def test_a_committee_never_signs_kt(demo_store: Any) -> None:
    with pytest.raises(InputError, match="never signs K/T"):
        build_context(
            demo_store,
            unit="HP",
            period="2023-9M",
            signature="K/T BAN THƯỜNG VỤ / PHÓ BÍ THƯ",
            children=False,
        )
    context = build_context(
        demo_store,
        unit="HP",
        period="2023-9M",
        children=False,
        compare=False,
        signature="T/M BAN THƯỜNG VỤ / PHÓ BÍ THƯ",
    )
    assert context["document"]["signature"]["lines"] == ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ"]


def test_bad_input(demo_store: Any) -> None:
    with pytest.raises(UnknownUnitError):
        build_context(demo_store, unit="NOPE", period="2023-9M")
    with pytest.raises(InputError, match="unknown report"):
        build_context(demo_store, unit="HP", period="2023-9M", report="annual")
    with pytest.raises(InputError, match="unknown format profile"):
        build_context(demo_store, unit="HP", period="2023-9M", profile="A5")
    with pytest.raises(InputError, match="not an instant"):
        build_context(demo_store, unit="HP", period="2023-9M", as_known_at="20/9/2023 10:00")


def test_naive_instant_is_vietnam_time(demo_store: Any) -> None:
    # the library's one rule (dvcore.periods.parse_instant): no offset means UTC+7
    naive = build_context(demo_store, unit="HP", period="2023-9M", as_known_at="2099-09-20T10:00")
    aware = build_context(
        demo_store, unit="HP", period="2023-9M", as_known_at="2099-09-20T10:00+07:00"
    )
    assert naive["as_known_at"] == aware["as_known_at"]


# --- the term report of a commune -------------------------------------------------------------


@pytest.fixture(scope="module")
def term(demo_store: Any) -> dict[str, Any]:
    tree = demo_store.state().tree
    code = next(c for c in tree.codes() if tree.state(c).name == demo_run.TERM_COMMUNE)
    return build_context(
        demo_store,
        unit=code,
        period="2020-2025",
        report="term-commune",
        as_known_at="2025-06-25T17:00+07:00",
        number="18-BC/ĐU",
    )


def test_term_report_leaves_no_blank(term: dict[str, Any]) -> None:
    text = text_of(term)
    assert "…" not in text
    assert "...." not in text
    assert "{{" not in text
    assert not re.search(r"\s{3,}", text)
    assert term["document"]["superior"] == "ĐẢNG BỘ HUYỆN THỦY NGUYÊN"
    assert term["document"]["issuer"] == "ĐẢNG ỦY XÃ NGŨ LÃO"
    assert term["document"]["summary"] == "Tổng kết công tác dân vận nhiệm kỳ 2020 - 2025"


def test_term_blanks_come_from_the_events(term: dict[str, Any]) -> None:
    blanks = {k: v["value"] for k, v in term["blanks"].items()}
    assert blanks["request_number"] == "1285-CV/HU"
    assert blanks["request_date"] == "05/6/2025"
    assert blanks["area_ha"] == "562"
    assert blanks["population"] == "8.631"
    assert blanks["kinh_percent"] == "100%"
    assert blanks["dv_regulation_number"] == "05-QĐ/ĐU"
    assert blanks["ct33_plan_number"] == "28/KH-UBND"
    # counts by the one rule of the reports (06, never 00)
    assert blanks["supervisions"] == "03"
    assert blanks["critiques"] == "02"
    assert blanks["voter_meetings_na"] == "08"  # 2 a year over four reports
    assert blanks["secretary_sessions"] == "48"
    assert blanks["reception_visits"] == "540"
    assert blanks["letters_pending"] == "04"  # 36 in jurisdiction − 32 resolved
    assert blanks["inspected_organisations"] == "03"
    assert blanks["inspected_members"] == "01"
    assert blanks["democracy_inspections"] == "02"
    assert blanks["growth_percent"] == MISSING
    assert blanks["mediation_percent"] == MISSING
    assert not term["blanks"]["growth_percent"]["filled"]
    text = text_of(term)
    assert (
        "Thực hiện Công văn số 1285-CV/HU, ngày 05/6/2025 của Ban Thường vụ Huyện ủy về việc "
        "tổng kết công tác dân vận nhiệm kỳ 2020 - 2025, Đảng ủy xã Ngũ Lão báo cáo"
    ) in text
    assert (
        "Ủy ban Mặt trận Tổ quốc Việt Nam và các tổ chức chính trị - xã hội của xã đã tổ chức "
        "03 cuộc giám sát và 02 cuộc phản biện xã hội."
    ) in text
    # an unfilled blank is never printed: its sentence is left out
    assert MISSING not in text
    assert "Tốc độ tăng giá trị sản xuất" not in text


def test_term_report_of_a_unit_that_is_not_a_commune(demo_store: Any) -> None:
    with pytest.raises(InputError, match="for a commune"):
        build_context(demo_store, unit="HP.TN", period="2020-2025", report="term-commune")


def test_term_report_without_events_says_so(demo_store: Any) -> None:
    context = build_context(
        demo_store,
        unit="HP.HB.01",
        period="2020-2025",
        report="term-commune",
        as_known_at=REPORTED_AT,
    )
    filled = {k for k, v in context["blanks"].items() if v["filled"]}
    assert filled == {
        "term",
        "commune_name",
        "commune_lower",
        "unit_word",
        "village_word",
        "district_lower",
        "district_committee",
        # the commune's 2023 dialogues and models fall within the term; its establishments
        "establishments",
        "establishment_religions",
        "dialogues",
        "dialogue_hosts",
        "models_registered",
        "model_fields",
    }
    text = text_of(context)
    assert "…" not in text
    assert MISSING not in text


# --- the follow-up report --------------------------------------------------------------------


def test_follow_up_keeps_the_conclusions_numbers(demo_store: Any) -> None:
    context = build_context(
        demo_store,
        unit="HP",
        period="2023-9M",
        report="follow-up",
        as_of="2023-09-30",
        as_known_at="2023-10-05T09:00+07:00",
    )
    tasks = context["tasks"]
    assert [t["task_id"] for t in tasks] == ["1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3"]
    assert [t["task_id"] for t in tasks if t["overdue"]] == ["1.1", "2.2"]
    assert tasks[0]["status_text"].endswith("(quá hạn 15 ngày)")
    table = next(b for b in context["blocks"] if b["kind"] == "table")
    assert table["columns"][:5] == ["TT", "Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn", "Tình trạng"]
    assert [row[0] for row in table["rows"]] == ["1", *[t["task_id"] for t in tasks[:5]], "2",
                                                 *[t["task_id"] for t in tasks[5:]]]  # fmt: skip
    assert context["document"]["summary"] == (
        "kết quả thực hiện các nhiệm vụ theo Kết luận số 565-KL/TU, ngày 25/7/2023 của Ban "
        "Thường vụ Thành ủy"
    )
    assert (
        "có 08 nhiệm vụ được giao: 02 nhiệm vụ đã hoàn thành; 06 nhiệm vụ chưa hoàn "
        "thành, trong đó 02 nhiệm vụ quá hạn"
    ) in text_of(context)


# --- words, periods, profiles ----------------------------------------------------------------


def test_kind_names_and_committees() -> None:
    assert [
        kind_name(k)
        for k in ("commune", "ward", "township", "district", "town", "city", "province")
    ] == ["xã", "phường", "thị trấn", "quận, huyện", "thị xã", "thành phố", "tỉnh"]
    assert committee_name("Huyện Thủy Nguyên", "district") == "Huyện ủy"
    assert committee_name("Quận Lê Chân", "district") == "Quận ủy"
    assert committee_name("Thị xã Đức Phổ", "town") == "Thị ủy"
    assert committee_name("Thành phố Hải Phòng", "city") == "Thành ủy"
    assert committee_name("Phường Hạ Lý", "ward") == "Đảng ủy"


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        ("2023-9M", "9 tháng năm 2023"),
        ("2023-6M", "6 tháng đầu năm 2023"),
        ("2023-H1", "6 tháng đầu năm 2023"),
        ("2023-Q3", "quý III năm 2023"),
        ("2023-09", "tháng 9 năm 2023"),
        ("2023", "năm 2023"),
        ("2020-2025", "nhiệm kỳ 2020 - 2025"),
        ("2023-01-05..2023-02-14", "từ ngày 5/1/2023 đến ngày 14/2/2023"),
    ],
)
def test_period_text(spec: str, text: str) -> None:
    assert period_text(parse_period(spec)) == text


def test_profiles() -> None:
    default = get_profile("36-HD/VPTW-2018")
    assert (
        default.margin_top_mm,
        default.margin_bottom_mm,
        default.margin_left_mm,
        default.margin_right_mm,
    ) == (20, 20, 30, 15)
    assert (default.page_width_mm, default.page_height_mm) == (210, 297)
    assert default.font == "Times New Roman"
    assert 13 <= default.body_pt <= 14
    assert default.number_prefix == "Số "
    assert default.recipients_pt == 11
    older = get_profile("tinh-25-25-35-15")
    assert (
        older.margin_top_mm,
        older.margin_bottom_mm,
        older.margin_left_mm,
        older.margin_right_mm,
    ) == (25, 25, 35, 15)
    assert profile_for(dt.date(2023, 9, 20)).name == "36-HD/VPTW-2018"
    assert profile_for(dt.date(2026, 3, 1)).name == "05-HD/VPTW-2026"
    assert profile_for(dt.date(2010, 1, 1)).name == "36-HD/VPTW-2018"
    assert not PROFILES["05-HD/VPTW-2026"].verified


# --- issue 13, item 2: quotes come from the data -------------------------------------------

_SHORT_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")
_LONG_DATE = re.compile(r"ngày (\d{1,2}) tháng (\d{1,2}) năm (\d{4})")


def _dates_in(text: str) -> list[dt.date]:
    found = [dt.date(int(y), int(m), int(d)) for d, m, y in _SHORT_DATE.findall(text)]
    found += [dt.date(int(y), int(m), int(d)) for d, m, y in _LONG_DATE.findall(text)]
    return found


def test_no_date_after_the_report_date(demo_store: Any) -> None:
    """Known at 20/9/2023 with no cut-off, a 9-month report says nothing "as of" 30/9."""
    context = build_context(demo_store, unit="HP", period="2023-9M", as_known_at=REPORTED_AT)
    day = REPORTED_AT.date()
    assert context["document"]["date"] == day
    assert context["as_of"] == day
    text = text_of(context) + "\n" + context["document"]["place_date"]
    dates = _dates_in(text)
    assert dates, "the report states dates"
    assert [d for d in dates if d > day] == []
    assert f"Đến ngày {day.day}/{day.month}/{day.year}, " in text
    assert "30/9/2023" not in text


def test_a_cut_off_after_the_report_date_is_refused(demo_store: Any) -> None:
    with pytest.raises(InputError, match="after the report's date"):
        build_context(
            demo_store,
            unit="HP",
            period="2023-9M",
            as_of="2023-09-30",
            as_known_at=REPORTED_AT,
        )


def test_target_sentences_quote_the_targets_titles(
    demo_store: Any, periodic: dict[str, Any]
) -> None:
    """Each target is worded by its ``TargetSetAdopted`` title, not by text in code."""
    titles = [
        t.title
        for event in demo_store.read(types=["TargetSetAdopted"])
        if event.unit == "HP"
        for t in event.data.targets
    ]
    assert len(titles) == 4
    body = [b["text"] for b in periodic["blocks"] if "text" in b]
    for title in titles:
        quoted = "“" + title.replace("“", "‘").replace("”", "’") + "”"
        assert [p for p in body if "chỉ tiêu " + quoted in p], title
    dialogue = next(p for p in body if "đối thoại trực tiếp với Nhân dân, " in p)
    assert (
        "100% người đứng đầu cấp ủy, chính quyền các cấp đối thoại trực tiếp với Nhân dân "
        "theo quy định" in dialogue
    )


def test_documents_are_named_by_the_kind_their_number_says(periodic: dict[str, Any]) -> None:
    text = text_of(periodic)
    assert "Thông tri số 08-TT/TU, ngày 03/01/2023" in text
    assert "Quyết định số 984-QĐ/TU, ngày 24/4/2023 về Quy chế phối hợp" in text
    assert "Quy chế số 984-QĐ/TU" not in text
    # the breakdown counts the thông tri and the quyết định as such, not as a chỉ thị
    note = next(n["text"] for n in periodic["footnotes"] if n["text"].startswith("Gồm:"))
    breakdown = note.split(".")[0]
    assert "01 thông tri" in breakdown
    assert "01 quyết định" in breakdown
    assert "chỉ thị" not in breakdown
    assert "quy chế" not in breakdown


@pytest.mark.parametrize(
    ("number", "kind", "word"),
    [
        ("984-QĐ/TU", "regulation", "quyết định"),
        ("08-TT/TU", "directive", "thông tri"),
        ("11-QĐi/TW", "decision", "quy định"),
        ("05-HD/BDVTW", "official_letter", "hướng dẫn"),
        ("12-CTr/TU", "plan", "chương trình"),
        ("41/QĐ-UBND", "plan", "quyết định"),
        ("30/2020/NĐ-CP", "regulation", "quy định, quy chế"),
        ("số 7", "circular", "thông tri"),
        ("15", "guidance", "hướng dẫn"),
        ("16", "programme", "chương trình"),
        ("17", "decision", "quyết định"),
    ],
)
def test_document_word(number: str, kind: str, word: str) -> None:
    assert document_word(number, kind) == word


def test_counts_follow_one_rule() -> None:
    assert [count_text(n) for n in (0, 1, 6, 9, 10, 112, 2035)] == [
        "0",
        "01",
        "06",
        "09",
        "10",
        "112",
        "2.035",
    ]


def test_one_level_holding_the_whole_count_is_said_once(periodic: dict[str, Any]) -> None:
    text = text_of(periodic)
    assert "76 cuộc kiểm tra, giám sát về công tác dân vận (đều ở cấp quận, huyện)" in text
    assert "(76 cuộc cấp quận, huyện)" not in text
