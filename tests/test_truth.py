"""The truth rule (issue 13, item 1): every figure a report prints comes from the events.

Three checks, over every report kind (periodic, term-commune, follow-up):

- **No data, no figure.** A store that holds only the units (their registration) gives
  reports with no figure in them. The text a reader sees — the document's header, body,
  footnotes and closing, as the context holds it and as the Markdown and Word exporters
  render it — may hold digits only where they name the report itself, never a quantity:

  * the numbers of the outline's headings (``II-``, ``3.``): structure, not figures;
  * the period: its own words (``9 tháng năm 2023``, ``3 tháng cuối năm 2023``, the
    summary's ``sơ kết công tác dân vận 9 tháng;``, ``nhiệm kỳ 2020 - 2025``) and its
    first and last days;
  * the document's date (``ngày 30 tháng 9 năm 2023``) and the cut-off the report speaks
    as of (``15/9/2023``): the instant the report is;
  * the names of the unit and its ancestors (a ``Phường 3`` is its name, not a count);
  * the document number when the caller gives one (without one it is the blank
    ``Số     -BC/…``, which holds no digit).

  :func:`allowed` lists exactly these strings; :func:`figures_left` removes them and
  returns whatever digits remain, which must be none.
- **Figures move with the data.** Hypothesis draws a set of facts for a commune and
  records it twice: as drawn, and doubled (every fact twice over, every reported value and
  attribute twice as large, the unit tree twice as wide). Every figure of the second
  report must be twice the first's at the same place in the same sentences; a percentage
  (a ratio) must stay the same. A figure the events do not make (a constant in a
  template) cannot pass.
- **An exact count carries no hedge**: no "gần", "trên", "khoảng", "hơn"… before a figure,
  in every report kind, on the demo data and on drawn data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dvcore import open_store
from dvcore._builtin import demo_run
from dvcore._builtin.markdown_export import render_markdown
from dvcore.periods import format_date
from dvcore.reports import build_context
from dvcore.reports.wording import (
    doc_date,
    next_text,
    period_text,
    short_date,
    summary_lines,
)

CITY, DISTRICT, COMMUNE = "CT", "CT.PD", "CT.PD.01"
PROVINCE = "HG"
#: (report kind, unit, period, as_of) for the drawn worlds. (The commune's own periodic
#: report lists its documents by number in a footnote: a list grows with the data rather
#: than doubling, so that report is checked by the no-data test only.)
REPORTS = (
    ("periodic", CITY, "2023-9M", None),
    ("term-commune", COMMUNE, "2020-2025", None),
    ("follow-up", CITY, "2023-9M", "2023-09-30"),
)
HEDGE = re.compile(
    r"\b(gần|trên|khoảng|hơn|xấp xỉ|chừng|ước|ước tính|trên dưới|ngót)[ \u00a0]+\d",
    re.IGNORECASE,
)


#: every test store records its events on this day, before any report is asked for
RECORDED = dt.datetime(2019, 1, 2, 8, 0, tzinfo=dt.UTC)


def ev(type_: str, day: str, unit: str, data: Mapping[str, Any], ref: str) -> dict[str, Any]:
    return {"type": type_, "occurred_on": day, "unit": unit, "data": dict(data), "source_ref": ref}


def units(copies: int = 1) -> list[dict[str, Any]]:
    """A city with ``copies`` districts of one commune each, and a lone province."""
    city = {"code": CITY, "name": "Thành phố Cần Thơ", "kind": "city"}
    province = {"code": PROVINCE, "name": "Tỉnh Hậu Giang", "kind": "province"}
    out = [
        ev("UnitRegistered", "2019-01-01", CITY, city, "u:CT"),
        ev("UnitRegistered", "2019-01-01", PROVINCE, province, "u:HG"),
    ]
    for i in range(copies):
        district = DISTRICT if i == 0 else f"{DISTRICT}{i}"
        commune = COMMUNE if i == 0 else f"{district}.01"
        out.append(
            ev("UnitRegistered", "2019-01-01", CITY,
               {"code": district, "name": f"Huyện Phong Điền {'ABCDEFGH'[i]}".replace(" A", ""),
                "kind": "district", "parent": CITY}, f"u:{district}")
        )  # fmt: skip
        out.append(
            ev("UnitRegistered", "2019-01-01", CITY,
               {"code": commune, "name": f"Xã Mỹ Khánh {'ABCDEFGH'[i]}".replace(" A", ""),
                "kind": "commune", "parent": district}, f"u:{commune}")
        )  # fmt: skip
    return out


def text_of(context: Mapping[str, Any]) -> str:
    """Everything a reader of the context sees: header, body, tables, footnotes, closing."""
    document = context["document"]
    parts = [
        document["superior"],
        document["issuer"],
        document["number_text"],
        document["place_date"],
        *document["summary_lines"],
    ]
    for block in context["blocks"]:
        if block["kind"] == "table":
            parts.append(" | ".join(block["columns"]))
            parts.extend(" | ".join(row) for row in block["rows"])
        else:
            parts.append(block["text"])
    parts.extend(n["text"] for n in context["footnotes"])
    parts.extend(document["recipients"])
    parts.extend(document["signature"]["lines"])
    parts.append(document["signature"]["name"])
    return "\n".join(parts)


def rendered(context: Mapping[str, Any], tmp: Path) -> Iterator[tuple[str, str]]:
    """The report as each exporter renders it: the context's text, Markdown, Word."""
    yield "context", text_of(context)
    yield "markdown", render_markdown(context)
    try:
        import docx
        from dvcore_docx import DocxExporter
    except ImportError:  # the Word plugin is a separate distribution
        return
    path = DocxExporter().export(dict(context), tmp / f"{context['report']}.docx")
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    yield "docx", "\n".join(texts)


def allowed(context: Mapping[str, Any]) -> list[str]:
    """The strings that may hold digits in a report with no data (the module docstring)."""
    per = context["period"]
    # the period's words: "9 tháng năm 2023", "3 tháng cuối năm 2023", "sơ kết … 9 tháng;"
    out = [period_text(per), next_text(per), *summary_lines(per)]
    if context.get("term_text"):
        out.append(str(context["term_text"]))
    days = {context["document"]["date"], per.start, per.end, context["as_of"]}
    for day in days:
        out += [format_date(day, document=True), short_date(day), doc_date(day)]
    if context["document"]["number"]:
        out.append(str(context["document"]["number"]))
    out.append(context["unit_name"])
    out += [a.upper() for a in out]
    return sorted(set(out), key=len, reverse=True)


#: A heading's number at the start of a line: "II-", "3.", "2.1.", as each renderer
#: writes it (Markdown may put "#" or "**" before it).
HEADING_NUMBER = re.compile(r"^[#*\s]*(?:[IVX]+[-.]|\d+(?:\.\d+)*\.)(?=\s)", re.MULTILINE)


def figures_left(text: str, context: Mapping[str, Any]) -> list[str]:
    for item in allowed(context):
        text = text.replace(item, " ")
    text = HEADING_NUMBER.sub(" ", text)
    # a document number placeholder "Số     -BC/ĐU" and Markdown's table rules hold no digit
    return re.findall(r"\S*\d\S*", text)


# --- no data, no figure ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    url = f"sqlite:///{tmp_path_factory.mktemp('truth') / 'empty.db'}"
    store = open_store(url, clock=lambda: RECORDED)
    store.append(units(), actor=CITY)
    yield store
    store.close()


@pytest.mark.parametrize(
    ("report", "unit", "period", "options"),
    [
        ("periodic", COMMUNE, "2023-9M", {}),
        ("periodic", PROVINCE, "2023-9M", {}),
        ("periodic", PROVINCE, "2023", {"as_of": "2023-06-30", "date": "2023-07-05"}),
        ("term-commune", COMMUNE, "2020-2025", {}),
        ("term-commune", COMMUNE, "2020-2025", {"as_known_at": "2025-06-25T17:00+07:00"}),
        ("follow-up", CITY, "2023-9M", {"as_of": "2023-09-30"}),
        ("follow-up", COMMUNE, "2023", {}),
    ],
)
def test_a_unit_with_no_data_gets_a_report_with_no_figure(
    empty_store: Any,
    tmp_path: Path,
    report: str,
    unit: str,
    period: str,
    options: dict[str, Any],
) -> None:
    context = build_context(empty_store, unit=unit, period=period, report=report, **options)
    for renderer, text in rendered(context, tmp_path):
        assert figures_left(text, context) == [], (report, renderer)


def test_the_number_given_is_the_only_figure_in_the_header(
    empty_store: Any, tmp_path: Path
) -> None:
    context = build_context(
        empty_store, unit=COMMUNE, period="2020-2025", report="term-commune", number="18-BC/ĐU"
    )
    assert context["document"]["number_text"] == "Số 18-BC/ĐU"
    assert figures_left(text_of(context), context) == []


def test_subordinate_units_are_figures_the_tree_makes(empty_store: Any) -> None:
    """The units below a unit are data (UnitRegistered events): counted, with the count rule."""
    context = build_context(empty_store, unit=CITY, period="2023-9M")
    # the district-level units are named by their own names: a "Huyện" is a huyện
    assert "Toàn thành phố có 01 huyện và 01 xã." in text_of(context)


def test_a_commune_committee_keeps_its_place_word(empty_store: Any) -> None:
    context = build_context(empty_store, unit=COMMUNE, period="2023-9M")
    assert context["document"]["superior"] == "ĐẢNG ỦY XÃ MỸ KHÁNH"
    city = build_context(empty_store, unit=CITY, period="2023-9M")
    assert city["document"]["superior"] == "THÀNH ỦY CẦN THƠ"


# --- figures move with the data -------------------------------------------------------------

HOSTS = ("party_secretary", "chairman")
FIELDS = ("digital", "economy", "security", "other")
DOC_KINDS = (("QĐ", "decision"), ("KH", "plan"), ("CV", "official_letter"))
REPORTED = {
    "voters.meetings_na": ("Điểm tiếp xúc cử tri với đại biểu Quốc hội", "điểm"),
    "voters.meetings_council": ("Điểm tiếp xúc cử tri với đại biểu HĐND", "điểm"),
    "voters.attendance": ("Lượt cử tri tham dự", "lượt"),
    "council.supervisions": ("Cuộc giám sát chuyên đề của HĐND", "cuộc"),
    "training.attendance": ("Lượt cán bộ dự tập huấn", "lượt"),
    "reception.sessions": ("Cuộc tiếp công dân của người đứng đầu", "cuộc"),
    "clearance.projects": ("Công trình giải phóng mặt bằng", "công trình"),
    "clearance.area_m2": ("Diện tích giải phóng mặt bằng", "m²"),
}
ATTRIBUTES = ("households", "population", "party_cells", "party_members", "area_ha")


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, Any]:
    """How many facts of each kind the commune has in January–September 2023."""
    small = st.integers(0, 6)
    return {
        "dialogues": draw(st.lists(st.sampled_from(HOSTS), max_size=6)),
        "models": draw(st.lists(st.sampled_from(FIELDS), max_size=6)),
        "inspections": draw(st.lists(st.booleans(), max_size=5)),  # True: a party member
        "supervisions": draw(small),
        "critiques": draw(small),
        "documents": draw(st.lists(st.sampled_from(DOC_KINDS), max_size=4)),
        "establishments": draw(st.lists(st.booleans(), max_size=4)),  # True: dossier filed
        "reception": draw(st.none() | st.tuples(*[st.integers(0, 60)] * 5)),
        "letters": draw(st.none() | st.tuples(*[st.integers(0, 40)] * 4)),
        "reported": draw(
            st.dictionaries(st.sampled_from(sorted(REPORTED)), st.integers(1, 400), max_size=5)
        ),
        "attributes": draw(
            st.dictionaries(st.sampled_from(ATTRIBUTES), st.integers(1, 5000), max_size=5)
        ),
        "kinh_percent": draw(st.none() | st.sampled_from([100, 92, 75])),
    }


def world_events(world: Mapping[str, Any], scale: int) -> list[dict[str, Any]]:
    """The drawn facts, recorded ``scale`` times over (the tree ``scale`` times as wide)."""
    events = units(scale)
    day = "2023-05-10"
    window = ["2023-01-01", "2023-09-30"]
    attributes = {k: v * scale for k, v in world["attributes"].items()}
    if world["kinh_percent"] is not None:
        attributes["kinh_percent"] = world["kinh_percent"]
        if world["kinh_percent"] < 100:
            attributes["ethnic_minorities"] = "Khmer, Hoa"
    if attributes:
        events.append(
            ev("UnitChanged", "2021-01-05", CITY, {"code": COMMUNE, "attributes": attributes}, "a")
        )
    for code, (title, label) in REPORTED.items():
        events.append(
            ev("IndicatorDefined", "2019-01-01", CITY,
               {"code": code, "title": title, "aggregation": "sum", "unit_label": label},
               f"i:{code}")
        )  # fmt: skip
    for code, value in world["reported"].items():
        events.append(
            ev("FigureReported", "2023-09-30", COMMUNE,
               {"indicator": code, "value": value * scale, "window": window, "by": {}}, f"f:{code}")
        )  # fmt: skip
    if world["reception"] is not None:
        visits, complaint, denunciation, petition, groups = (v * scale for v in world["reception"])
        events.append(
            ev("CitizenReceptionReported", "2023-09-30", COMMUNE,
               {"window": window, "visits": visits, "cases_complaint": complaint,
                "cases_denunciation": denunciation, "cases_petition": petition,
                "mass_groups": groups}, "reception")
        )  # fmt: skip
    if world["letters"] is not None:
        received, eligible, jurisdiction, resolved = sorted(
            (v * scale for v in world["letters"]), reverse=True
        )
        events.append(
            ev("LettersReported", "2023-09-30", COMMUNE,
               {"window": window, "received": received, "eligible": eligible,
                "in_jurisdiction": jurisdiction, "resolved": resolved}, "letters")
        )  # fmt: skip
    for copy in range(scale):
        tag = f"c{copy}"
        for i, host in enumerate(world["dialogues"]):
            events.append(ev("DialogueHeld", day, COMMUNE, {"host": host}, f"d:{tag}:{i}"))
        for i, field in enumerate(world["models"]):
            events.append(
                ev("ModelRegistered", day, COMMUNE,
                   {"model_id": f"m-{tag}-{i}", "name": f"Mô hình {tag}-{i}", "field": field},
                   f"m:{tag}:{i}")
            )  # fmt: skip
        for i, member in enumerate(world["inspections"]):
            subject = f"{'Đảng viên' if member else 'Chi bộ'} {tag}-{i}"
            topic = "Việc thực hiện dân chủ ở cơ sở" if i % 2 else "Việc tiếp dân"
            events.append(
                ev("InspectionConducted", day, COMMUNE,
                   {"kind": "inspection", "subject": subject, "topic": topic}, f"in:{tag}:{i}")
            )  # fmt: skip
        for i in range(world["supervisions"]):
            events.append(ev("SocialSupervisionHeld", day, COMMUNE, {}, f"s:{tag}:{i}"))
        for i in range(world["critiques"]):
            events.append(ev("SocialCritiqueHeld", day, COMMUNE, {}, f"c:{tag}:{i}"))
        for i, (symbol, kind) in enumerate(world["documents"]):
            events.append(
                ev("DocumentIssued", day, COMMUNE,
                   {"number": f"{copy * 10 + i + 1}-{symbol}/ĐU", "kind": kind,
                    "title": "Văn bản về công tác dân vận"}, f"doc:{tag}:{i}")
            )  # fmt: skip
        for i, filed in enumerate(world["establishments"]):
            ident = f"E-{tag}-{i}"
            events.append(
                ev("EstablishmentRegistered", "2020-01-01", COMMUNE,
                   {"id": ident, "name": f"Chùa {tag}-{i}", "religion": "Phật giáo"}, f"e:{ident}")
            )  # fmt: skip
            if filed:
                events.append(
                    ev("LandDossierFiled", day, COMMUNE, {"establishment_id": ident}, f"l:{ident}")
                )
    return events


#: a whole number as the reports write it (2.035; 06) or a percentage (54,5%)
NUMBER = re.compile(r"\d+(?:\.\d{3})*(?:,\d+)?%?")
#: a date in a document reference or a due date: data, not a quantity
DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b")


def numbers_and_skeleton(text: str, context: Mapping[str, Any]) -> tuple[list[str], str]:
    for item in allowed(context):
        text = text.replace(item, " ")
    text = HEADING_NUMBER.sub(" ", text)
    text = DATE.sub(" ", text)
    return NUMBER.findall(text), NUMBER.sub("#", text)


def _value(token: str) -> float:
    return float(token.rstrip("%").replace(".", "").replace(",", "."))


def _contexts(world: Mapping[str, Any], scale: int, path: Path) -> list[dict[str, Any]]:
    store = open_store(f"sqlite:///{path}", clock=lambda: RECORDED)
    try:
        store.append(world_events(world, scale), actor=CITY)
        return [
            dict(build_context(store, unit=u, period=p, report=r, as_of=a, compare=False))
            for r, u, p, a in REPORTS
        ]
    finally:
        store.close()


@settings(max_examples=12)
@given(world=worlds())
def test_every_figure_moves_with_the_data(
    world: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    tmp = tmp_path_factory.mktemp("move")
    once = _contexts(world, 1, tmp / "once.db")
    twice = _contexts(world, 2, tmp / "twice.db")
    for (report, unit, _p, _a), a, b in zip(REPORTS, once, twice, strict=True):
        numbers_a, skeleton_a = numbers_and_skeleton(text_of(a), a)
        numbers_b, skeleton_b = numbers_and_skeleton(text_of(b), b)
        # the same sentences, with the figures in the same places
        assert skeleton_a == skeleton_b, (report, unit)
        for x, y in zip(numbers_a, numbers_b, strict=True):
            if x.endswith("%"):
                assert x == y, (report, unit, x, y)  # a ratio does not move
            else:
                assert _value(y) == 2 * _value(x), (report, unit, x, y)
        assert not HEDGE.search(text_of(a)), report


def test_the_drawn_figures_are_the_events_sums(tmp_path: Path) -> None:
    """One world by hand: the figures are the events' counts, not only proportional to them."""
    world = {
        "dialogues": ["party_secretary"] * 3 + ["chairman"] * 2,
        "models": ["digital", "economy"],
        "inspections": [False, True, False],
        "supervisions": 4,
        "critiques": 1,
        "documents": [("QĐ", "decision"), ("KH", "plan")],
        "establishments": [True, False],
        "reception": (130, 4, 1, 52, 0),
        "letters": (21, 18, 9, 8),
        "reported": {"voters.meetings_na": 2, "clearance.projects": 3, "clearance.area_m2": 1250},
        "attributes": {"households": 2214, "area_ha": 562},
        "kinh_percent": 92,
    }
    periodic, term, _follow = (text_of(c) for c in _contexts(world, 1, tmp_path / "w.db"))
    for phrase in (
        "đã tổ chức 05 cuộc đối thoại trực tiếp với Nhân dân (Bí thư Đảng ủy 03 cuộc, Chủ tịch "
        "Ủy ban nhân dân xã 02 cuộc)",
        "02 mô hình “Dân vận khéo” được đăng ký xây dựng",
        "kiểm tra, giám sát 02 tổ chức đảng và 01 đảng viên",
        "04 cuộc giám sát và 01 cuộc phản biện xã hội",
        "đã tiếp 130 lượt công dân với 57 vụ việc (kiến nghị 52 vụ việc, khiếu nại 04 vụ việc, "
        "tố cáo 01 vụ việc)",
        "Đã tiếp nhận 21 đơn; đã giải quyết 08 đơn, còn 01 đơn thuộc thẩm quyền",
        "02 điểm tiếp xúc cử tri với đại biểu Quốc hội",
        "tổng diện tích 1.250 m²",
        "Toàn xã có 2.214 hộ",
        "Diện tích tự nhiên của xã là 562 ha",
        "Người Kinh chiếm 92% dân số; đồng bào các dân tộc thiểu số chiếm 8%, gồm các dân tộc "
        "Khmer, Hoa",
        "02 văn bản về công tác dân vận (01 quyết định; 01 kế hoạch)",
    ):
        assert phrase in term, phrase
    for phrase in (
        "Điểm tiếp xúc cử tri với đại biểu Quốc hội: 02 điểm.",  # a count: the count rule
        "Diện tích giải phóng mặt bằng: 1.250 m².",  # a measure: the number
        "Tổ chức 05 cuộc đối thoại",
        "02 cơ sở tôn giáo đang sử dụng đất",
        "đã lập hồ sơ đăng ký đất đai cho 01 cơ sở tôn giáo",
        "toàn thành phố đã tiếp 130 lượt công dân với 57 vụ việc (khiếu nại 04 vụ việc, tố cáo "
        "01 vụ việc, kiến nghị 52 vụ việc)",
    ):
        assert phrase in periodic, phrase


# --- no hedge on an exact count -------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    store, _counts = demo_run.open_demo_store(
        f"sqlite:///{tmp_path_factory.mktemp('truth-demo') / 'demo.db'}"
    )
    yield store
    store.close()


@pytest.mark.parametrize(
    "arguments",
    [
        {"unit": "HP", "period": "2023-9M", "as_of": "2023-09-15",
         "as_known_at": demo_run.REPORTED_AT},
        {"unit": "HP.TN.26", "period": "2020-2025", "report": "term-commune",
         "as_known_at": "2025-06-25T17:00+07:00"},
        {"unit": "HP", "period": "2023-9M", "report": "follow-up", "as_of": "2023-09-30"},
        {"unit": "HP.TN", "period": "2023-9M", "as_of": "2023-09-15"},
    ],
)  # fmt: skip
def test_an_exact_count_carries_no_hedge(
    demo_store: Any, tmp_path: Path, arguments: dict[str, Any]
) -> None:
    context = build_context(demo_store, **arguments)
    for renderer, text in rendered(context, tmp_path):
        found = [m.group(0) for m in HEDGE.finditer(text)]
        assert found == [], (arguments.get("report", "periodic"), renderer)


def test_the_hedge_pattern_finds_hedges() -> None:
    for hedge in ("gần 24 điểm", "trên 2.560 lượt", "khoảng 30 cuộc", "hơn 75 cuộc"):
        assert HEDGE.search(hedge), hedge
    for plain in ("Trên địa bàn có 12 cơ sở", "Hơn nữa, 03 cuộc", "24 điểm"):
        assert not HEDGE.search(plain), plain


def test_every_pair_of_worlds_differs_only_in_figures() -> None:
    """The doubled world's names: its extra units are named apart (" B"), no digit added."""
    names = [e["data"]["name"] for e in units(2) if e["type"] == "UnitRegistered"]
    assert not any(re.search(r"\d", n) for n in names)
    assert len(set(names)) == len(names)
