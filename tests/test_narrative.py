"""Issue 13, item 3: the units' own narrative (dvcore.narrative).

The sections file read with markdown-it-py and PyYAML (the cases of the hand-written reader
it replaces, and their errors with line numbers); ``NarrativeSubmitted``; a subordinate
unit's Markdown report imported as its narrative for a period, read back, and re-sent. The
store tests run on SQLite and, when ``DVCORE_PG_URL`` is set, PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dvcore import open_store
from dvcore._builtin.narrative_channel import MarkdownChannel
from dvcore.errors import FieldError, InputError, ValidationError
from dvcore.events import NarrativeSubmitted, Window
from dvcore.importing import import_files
from dvcore.narrative import (
    Sections,
    narrative_events,
    paragraphs_markdown,
    parse_paragraphs,
    parse_sections,
    read_narrative,
    read_sections,
    section_id,
    section_order,
)

CITY, Q1, Q2 = "HP", "HP.Q1", "HP.Q2"
CHANNELS = {"markdown": MarkdownChannel()}

V1 = """---
number: 45-BC/BDVQU
signer: Trần Thị Bình
---
# BÁO CÁO Kết quả công tác dân vận 9 tháng năm 2023

## I. Đặc điểm tình hình
Quận có 15 phường, **trên 200 nghìn** dân.

## II.1. Công tác lãnh đạo, chỉ đạo
Ban Thường vụ Quận ủy ban hành 03 văn bản
về công tác dân vận.

- Tổ chức 12 cuộc đối thoại.
- Hoàn thành *05 mô hình*.

## Phần thứ hai
### 1. Nhiệm vụ chung
Tiếp tục thực hiện Nghị quyết 08-NQ/TU.
"""

V2 = """---
number: 45-BC/BDVQU
---
## I. Đặc điểm tình hình
Quận có 15 phường, **trên 200 nghìn** dân.

## II.1. Công tác lãnh đạo, chỉ đạo
Ban Thường vụ Quận ủy ban hành 04 văn bản về công tác dân vận.

## V.2
Còn hạn chế trong giải quyết đơn thư.
"""


def _units() -> list[dict[str, Any]]:
    tree = ((CITY, None, "city"), (Q1, CITY, "district"), (Q2, CITY, "district"))
    return [
        {
            "type": "UnitRegistered",
            "occurred_on": "2020-01-01",
            "unit": parent or code,
            "data": {"code": code, "name": f"Quận {code}", "kind": kind, "parent": parent},
            "source_ref": f"tree:{code}",
        }
        for code, parent, kind in tree
    ]


@pytest.fixture
def tree_store(store: Any) -> Any:
    store.append(_units())
    return store


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the sections file ------------------------------------------------------------------------


def test_the_sections_file_of_the_report_docs(tmp_path: Path) -> None:
    # tests/test_report_context.py::test_sections_file_fills_headings_and_the_document
    path = _write(
        tmp_path,
        "noi-dung.md",
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
    )
    sections = read_sections(path)
    assert sections.source == str(path)
    assert sections.meta == {
        "number": "215-BC/BDVTU",
        "date": "05/02/2024",
        "signature": "K/T TRƯỞNG BAN / PHÓ TRƯỞNG BAN",
        "signer": "Nguyễn Văn A",
        "recipients": ["Ban Dân vận Trung ương (để b/c),", "Thường trực Thành ủy (để b/c),"],
    }
    assert sections.text == {
        "V.1": [
            ("body", "Các cấp ủy lãnh đạo, chỉ đạo **toàn diện** công tác dân vận."),
            ("bullet", "Chính quyền các cấp quan tâm công tác an sinh xã hội."),
        ],
        "P2": [
            ("subheading", "1. Nhiệm vụ chung"),
            ("body", "Tập trung đôn đốc thực hiện *03 chỉ tiêu*."),
        ],
    }
    assert sections.lines == {"V.1": 10, "P2": 14}


def test_front_matter_values_are_text() -> None:
    sections = parse_sections(
        "---\nnumber: 08\ndate: 2023-09-20\nsigner: 'Lê Văn C'\nrecipients:\n---\n## II\nx\n"
    )
    # a document's details are text: "08" is not 8, a date stays as written
    assert sections.meta == {"number": "08", "date": "2023-09-20", "signer": "Lê Văn C",
                             "recipients": []}  # fmt: skip
    assert parse_sections("---\nunit: HP.Q1\nperiod: 2023-9M\n---\n").meta == {
        "unit": "HP.Q1",
        "period": "2023-9M",
    }


def test_paragraphs_lists_and_headings() -> None:
    sections = parse_sections(
        "# Báo cáo\n"  # a title above the first section
        "## ii.1\n"
        "Dòng một\n   dòng   hai.\n\n"
        "* sao\n+ cộng\n- 1. số trong gạch\n\n"
        "1. Tiếp tục quán triệt.\n"
        "2) Thứ hai.\n\n"
        "#### Tiêu đề nhỏ\n"
        "    thụt lề\n\n"
        "> trích dẫn\n\n"
        "---\n"
        "## II- KẾT QUẢ\nz\n"
        "## Phần thứ nhất\n"
        "## PHẦN THỨ HAI: PHƯƠNG HƯỚNG\nw\n"
    )
    assert sections.text == {
        "II.1": [
            ("body", "Dòng một dòng hai."),
            ("bullet", "sao"),
            ("bullet", "cộng"),
            ("bullet", "1. số trong gạch"),
            ("body", "1. Tiếp tục quán triệt."),
            ("body", "2) Thứ hai."),
            ("subheading", "Tiêu đề nhỏ"),
            ("body", "thụt lề"),
            ("body", "trích dẫn"),
        ],
        "II": [("body", "z")],
        "P1": [],
        "P2": [("body", "w")],
    }


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # the hand-written reader's cases (tests/test_report_context.py)
        ("---\nnumero: 1\n---\n## I\nx\n", 2),
        ("## I\nx\n", None),
        ("Lời mở đầu\n## I\nx\n", 1),
        ("---\nnumber: 1\n## I\n", 1),
        # and the new reader's
        ("---\nnumber: [a\n---\n## I\nx\n", 2),
        ("---\nnumber: 1\nsigner: A\nnumber: 2\n---\n", 4),
        ("---\nsigner:\n  name: A\n---\n", 2),
        ("---\n- a\n---\n", 2),
        ("\n\n## Ưu điểm\nx\n", 3),
        ("## I\nx\n\n# Tiêu đề\n", 4),
        ("---\nsigner: A\n---\n\nđoạn\n## I\n", 5),
    ],
)
def test_bad_sections_files_name_the_line(tmp_path: Path, text: str, line: int | None) -> None:
    path = _write(tmp_path, "s.md", text)
    if line is None:
        assert read_sections(path).text == {"I": [("body", "x")]}
        return
    with pytest.raises(InputError, match=rf"s\.md, line {line}:") as caught:
        read_sections(path)
    assert caught.value.context["line"] == line


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "s.md"
    path.write_bytes(b"## I\n\xff\xfe")
    with pytest.raises(InputError, match=r"s\.md: cannot read the file"):
        read_sections(path)


@pytest.mark.parametrize(
    ("heading", "found"),
    [
        ("II.1. Công tác lãnh đạo", "II.1"),
        ("II.1", "II.1"),
        ("v.2 Hạn chế", "V.2"),
        ("VI- ĐỀ XUẤT", "VI"),
        ("Phần thứ hai", "P2"),
        ("PHẦN THỨ NHẤT: KẾT QUẢ", "P1"),
        ("P2", "P2"),
        ("Ưu điểm", None),
        ("In addition", None),
        ("IIII", None),
        ("Vì vậy", None),
    ],
)
def test_section_ids(heading: str, found: str | None) -> None:
    assert section_id(heading) == found


def test_section_order() -> None:
    ids = ["P2", "VI", "II.10", "II.2", "I", "IV.1", "P1", "III", "V.2", "IX"]
    assert sorted(ids, key=section_order) == [
        "P1", "I", "II.2", "II.10", "III", "IV.1", "V.2", "VI", "IX", "P2"
    ]  # fmt: skip


# --- the event ----------------------------------------------------------------------------------

W = Window(start=dt.date(2023, 1, 1), end=dt.date(2023, 9, 30))


@pytest.mark.parametrize("section", ["I", "II.1", "V.2", "VI", "P2", "III.4", "II.1.3"])
def test_narrative_sections(section: str) -> None:
    assert NarrativeSubmitted(section=section, text="x", window=W).section == section


@pytest.mark.parametrize("section", ["", "ii.1", "II.", "Ưu điểm", "P", "IIII", "II.0", 2])
def test_narrative_refuses_a_bad_section(section: Any) -> None:
    with pytest.raises(FieldError, match="section"):
        NarrativeSubmitted(section=section, text="x", window=W)


def test_narrative_needs_text_and_a_window() -> None:
    with pytest.raises(FieldError, match="text"):
        NarrativeSubmitted(section="I", text="  ", window=W)
    with pytest.raises(FieldError, match="window"):
        NarrativeSubmitted(section="I", text="x", window=("2023-01-01", "2023-09-30"))  # type: ignore[arg-type]


def test_narrative_events() -> None:
    sections = parse_sections(V1)
    events = narrative_events(sections, unit=Q1, window=W)
    assert [e.data.section for e in events] == ["I", "II.1", "P2"]  # type: ignore[attr-defined]
    assert {e.unit for e in events} == {Q1}
    assert {e.occurred_on for e in events} == {W.end}
    ii1 = events[1].data
    assert isinstance(ii1, NarrativeSubmitted)
    assert ii1.text == (
        "Ban Thường vụ Quận ủy ban hành 03 văn bản về công tác dân vận.\n\n"
        "- Tổ chức 12 cuộc đối thoại.\n\n"
        "- Hoàn thành *05 mô hình*."
    )
    assert ii1.window == W
    assert narrative_events(sections, unit=Q1, window=(W.start, W.end))[0].data == events[0].data
    assert [e.source_ref for e in events] == [
        f"{Q1}/narrative:2023-01-01..2023-09-30:{s}" for s in ("I", "II.1", "P2")
    ]


def test_appending_a_narrative_again_appends_nothing(tree_store: Any) -> None:
    store = tree_store
    period = store.period("2023-9M")
    sections = parse_sections(V1)
    events = narrative_events(sections, unit=Q1, window=period)
    # the key the import gives the same section
    assert events[0].source_ref == f"{Q1}/narrative:2023-9M:I"
    assert store.append(events).appended == 3
    assert store.append(narrative_events(sections, unit=Q1, window=period)).appended == 0
    with pytest.raises(ValidationError, match="stored already with other content"):
        store.append(
            narrative_events(Sections(text={"I": [("body", "khác")]}), unit=Q1, window=period)
        )
    assert read_narrative(store, Q1, period)["I"] == [
        ("body", "Quận có 15 phường, **trên 200 nghìn** dân.")
    ]


# --- paragraphs round trip ------------------------------------------------------------------

_WORD = st.text(
    st.sampled_from(
        list("aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạếềểễệốồổỗộứừửữự0123456789")
        + list(".,;:%()/\"'!?–-+*#>_[]<&|=~`\\")
    ),
    min_size=1,
    max_size=8,
)
_TEXTS = (
    st.lists(_WORD, min_size=1, max_size=6)
    .map(" ".join)
    .filter(
        lambda t: not t.endswith("#")  # an ATX heading's closing '#'s are not text
    )
)
_PARAGRAPHS = st.lists(
    st.tuples(st.sampled_from(["body", "bullet", "subheading"]), _TEXTS), min_size=1, max_size=5
)


@given(paragraphs=_PARAGRAPHS)
def test_paragraphs_markdown_round_trip(paragraphs: list[tuple[str, str]]) -> None:
    assert parse_paragraphs(paragraphs_markdown(paragraphs)) == paragraphs


@given(paragraphs=_PARAGRAPHS)
def test_a_parsed_text_reads_back_the_same(paragraphs: list[tuple[str, str]]) -> None:
    # what the parser makes of any Markdown, written again, reads back the same
    once = parse_paragraphs(paragraphs_markdown(paragraphs))
    assert parse_paragraphs(paragraphs_markdown(once)) == once


# --- the store ------------------------------------------------------------------------------


def test_read_narrative_honours_windows_retractions_and_corrections(
    tree_store: Any, clock: Any
) -> None:
    store = tree_store
    q3 = Window(start=dt.date(2023, 7, 1), end=dt.date(2023, 9, 30))
    h1 = Window(start=dt.date(2023, 1, 1), end=dt.date(2023, 6, 30))
    later = Window(start=dt.date(2023, 10, 1), end=dt.date(2023, 12, 31))
    store.append(
        narrative_events(Sections(text={"II.1": [("body", "Quý ba.")]}), unit=Q1, window=q3)
    )
    store.append(
        narrative_events(
            Sections(text={"II.1": [("body", "Sáu tháng.")], "V.1": [("bullet", "Ưu")]}),
            unit=Q1,
            window=h1,
        )
    )
    store.append(
        narrative_events(Sections(text={"I": [("body", "Quý bốn.")]}), unit=Q1, window=later)
    )
    store.append(narrative_events(Sections(text={"I": [("body", "Của Q2.")]}), unit=Q2, window=q3))
    got = read_narrative(store, Q1, "2023-9M")
    assert got == {
        "II.1": [("body", "Sáu tháng."), ("body", "Quý ba.")],  # the windows' order
        "V.1": [("bullet", "Ưu")],
    }
    assert list(got) == ["II.1", "V.1"]
    known = store.head()
    clock.advance(hours=1)
    (v1,) = [e for e in store.read(types=["NarrativeSubmitted"]) if e.data.section == "V.1"]
    (q3_event,) = [
        e for e in store.read(types=["NarrativeSubmitted"]) if e.data.window == q3 and e.unit == Q1
    ]
    store.append(
        [
            {
                "type": "EventRetracted",
                "unit": Q1,
                "occurred_on": "2023-06-30",
                "data": {"event_id": str(v1.id), "reason": "gửi nhầm"},
            },
            {
                "type": "EventCorrected",
                "unit": Q1,
                "occurred_on": "2023-09-30",
                "data": {
                    "event_id": str(q3_event.id),
                    "data": {
                        "section": "II.2",
                        "text": "Quý ba, **sửa**.",
                        "window": ["2023-07-01", "2023-09-30"],
                    },
                    "reason": "sửa",
                },
            },
        ]
    )
    assert read_narrative(store, Q1, store.period("2023-9M")) == {
        "II.1": [("body", "Sáu tháng.")],
        "II.2": [("body", "Quý ba, **sửa**.")],
    }
    at = next(e for e in store.read(after=known - 1)).recorded_at  # before the corrections
    assert read_narrative(store, Q1, "2023-9M", as_known_at=at) == got
    assert read_narrative(store, Q2, "2023-Q3") == {"I": [("body", "Của Q2.")]}
    assert read_narrative(store, CITY, "2023-9M") == {}


# --- importing a unit's Markdown report ---------------------------------------------------------


def _import(store: Any, path: Path, **kw: Any) -> Any:
    return import_files(store, [path], CHANNELS, **kw)


def test_import_a_report_and_resend_it(tree_store: Any, tmp_path: Path, clock: Any) -> None:
    store = tree_store
    first = _import(store, _write(tmp_path, "bao-cao.md", V1), unit=Q1, period="2023-9M")
    assert first.submission is not None
    assert (first.submission.version, len(first.submission.added)) == (1, 3)
    assert read_narrative(store, Q1, "2023-9M") == {
        "I": [("body", "Quận có 15 phường, **trên 200 nghìn** dân.")],
        "II.1": [
            ("body", "Ban Thường vụ Quận ủy ban hành 03 văn bản về công tác dân vận."),
            ("bullet", "Tổ chức 12 cuộc đối thoại."),
            ("bullet", "Hoàn thành *05 mô hình*."),
        ],
        "P2": [
            ("subheading", "1. Nhiệm vụ chung"),
            ("body", "Tiếp tục thực hiện Nghị quyết 08-NQ/TU."),
        ],
    }
    events = [e for e in store.read(types=["NarrativeSubmitted"])]
    assert {e.unit for e in events} == {Q1}
    assert {e.source_ref for e in events} == {
        f"{Q1}/narrative:2023-9M:{s}" for s in ("I", "II.1", "P2")
    }
    # the same file again: nothing recorded
    again = _import(store, tmp_path / "bao-cao.md", unit=Q1, period="2023-9M")
    assert again.submission is not None
    assert not again.submission.changed
    # version 2: I unchanged, II.1 corrected, P2 gone, V.2 new
    clock.advance(days=1)
    second = _import(store, _write(tmp_path, "bao-cao-2.md", V2), unit=Q1, period="2023-9M")
    diff = second.submission
    assert diff is not None
    assert (diff.version, len(diff.unchanged), len(diff.corrected), len(diff.retracted),
            len(diff.added)) == (2, 1, 1, 1, 1)  # fmt: skip
    assert read_narrative(store, Q1, "2023-9M") == {
        "I": [("body", "Quận có 15 phường, **trên 200 nghìn** dân.")],
        "II.1": [("body", "Ban Thường vụ Quận ủy ban hành 04 văn bản về công tác dân vận.")],
        "V.2": [("body", "Còn hạn chế trong giải quyết đơn thư.")],
    }
    types = [e.type for e in store.read(types=["EventCorrected", "EventRetracted"])]
    assert sorted(types) == ["EventCorrected", "EventRetracted"]
    # version 1 still reads as it was known before the re-send
    v1_at = next(iter(store.read(types=["SubmissionReceived"]))).recorded_at
    assert "P2" in read_narrative(store, Q1, "2023-9M", as_known_at=v1_at)


def test_the_front_matter_declares_the_submission(tree_store: Any, tmp_path: Path) -> None:
    path = _write(
        tmp_path, "q2.md", "---\nunit: HP.Q2 — Quận Hai\nperiod: 2023-Q3\n---\n## VI\nĐề nghị.\n"
    )
    result = _import(tree_store, path)
    assert result.submission is not None
    assert (result.submission.unit, result.submission.period) == (Q2, "2023-Q3")
    assert read_narrative(tree_store, Q2, "2023-Q3") == {"VI": [("body", "Đề nghị.")]}
    with pytest.raises(InputError, match=r"front matter declares the unit 'HP\.Q2'"):
        _import(tree_store, path, unit=Q1)


def test_a_narrative_needs_its_unit_and_period(tree_store: Any, tmp_path: Path) -> None:
    path = _write(tmp_path, "bao-cao.md", V1)
    with pytest.raises(ValidationError, match=r"bao-cao\.md: a narrative is a unit's text"):
        _import(tree_store, path)
    with pytest.raises(ValidationError, match="a narrative is a unit's text"):
        _import(tree_store, path, unit=Q1)
    bad = _write(tmp_path, "bad.md", "## I\nx\n## Ưu điểm\ny\n")
    with pytest.raises(ValidationError, match=r"bad\.md, row 3: '## Ưu điểm'"):
        _import(tree_store, bad, unit=Q1, period="2023-9M")
    empty = _write(tmp_path, "empty.md", "---\nsigner: A\n---\n")
    with pytest.raises(ValidationError, match="no section of the outline"):
        _import(tree_store, empty, unit=Q1, period="2023-9M")
    assert list(tree_store.read(types=["NarrativeSubmitted"])) == []


_SECTION_IDS = st.sampled_from(["I", "II.1", "II.2", "III.3", "IV.5", "V.1", "V.2", "VI", "P2"])
_FILES = st.dictionaries(_SECTION_IDS, _PARAGRAPHS, min_size=1, max_size=4)


def _sections_file(text: dict[str, list[tuple[str, str]]]) -> str:
    return "\n\n".join(f"## {s}\n\n{paragraphs_markdown(p)}" for s, p in text.items()) + "\n"


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(versions=st.lists(_FILES, min_size=1, max_size=3))
def test_sections_events_read_back_and_resends_leave_the_latest(
    tmp_path_factory: pytest.TempPathFactory, versions: list[dict[str, list[tuple[str, str]]]]
) -> None:
    folder = tmp_path_factory.mktemp("narrative")
    with open_store(f"sqlite:///{folder / 'store.db'}") as store:
        store.append(_units())
        for n, text in enumerate(versions, start=1):
            path = _write(folder, f"v{n}.md", _sections_file(text))
            sections = read_sections(path)
            assert sections.text == text  # the file reads back as written
            _import(store, path, unit=Q1, period="2023-9M")
            expected = {s: text[s] for s in sorted(text, key=section_order)}
            assert read_narrative(store, Q1, "2023-9M") == expected


# --- the command line -----------------------------------------------------------------------


def run(store_url: str, *args: str) -> Result:
    return CliRunner().invoke(main_cli(), ["--store", store_url, "--lang", "en", *args])


def main_cli() -> Any:
    from dvcore.cli import main

    return main


def test_import_and_resend_through_the_cli(store_url: str, tmp_path: Path) -> None:
    units = tmp_path / "units.jsonl"
    units.write_text("\n".join(json.dumps(u) for u in _units()) + "\n", encoding="utf-8")
    assert run(store_url, "init").exit_code == 0
    assert run(store_url, "import", str(units)).exit_code == 0
    path = _write(tmp_path, "bao-cao.md", V1)
    first = run(store_url, "import", str(path), "--unit", Q1, "--period", "2023-9M")
    assert first.exit_code == 0, first.output
    assert "recorded version 1 of HP.Q1's submission for 2023-9M" in first.output
    assert "0 unchanged, 0 corrected, 0 retracted, 3 added" in first.output
    path.write_text(V2, encoding="utf-8")
    second = run(store_url, "import", str(path), "--unit", Q1, "--period", "2023-9M")
    assert second.exit_code == 0, second.output
    assert "1 unchanged, 1 corrected, 1 retracted, 1 added" in second.output
    with open_store(store_url, create=False) as store:
        got = read_narrative(store, Q1, "2023-9M")
    assert list(got) == ["I", "II.1", "V.2"]
    # without a unit and a period: exit 2, nothing written
    bare = run(store_url, "import", str(path))
    assert bare.exit_code == 2
    assert "a narrative is a unit's text for a period" in bare.output
    bad = _write(tmp_path, "bad.md", "Lời mở đầu\n## I\nx\n")
    refused = run(store_url, "import", str(bad), "--unit", Q1, "--period", "2023-9M")
    assert refused.exit_code == 2
    assert "bad.md, row 1: text before the first '## <id>' heading" in refused.output
