"""The CSV channel: encodings, separators, headers, cell typing, problems, templates.

The channel passes the input channel contract (:mod:`dvcore.testing.contracts`) in the
encodings Excel writes — UTF-8 with a byte-order mark and Vietnamese headers, UTF-16
"Unicode text" with tabs, Windows-1258 with semicolons — and the cases below pin down
what the contract does not: how each kind of cell is read, what is refused and how the
problem is named.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dvcore._builtin.csv_channel import CsvChannel, decode
from dvcore._builtin.jsonl import JsonLinesChannel
from dvcore._builtin.labels import FIELD_LABELS, TYPE_LABELS, fold
from dvcore.errors import Problem
from dvcore.events import CORE_EVENT_TYPES, EventData
from dvcore.protocols import TableChannel
from dvcore.serialization import EventTypes, event_from_dict
from dvcore.tables import (
    DateStyle,
    Limits,
    event_type_from_name,
    parse_number,
    table_from_events,
    template_columns,
    unit_choice,
    unit_code,
)
from dvcore.testing.contracts import InputChannelContract

TYPES = EventTypes.core()


_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


def to_cp1258(text: str) -> bytes:
    """Text as Windows-1258 writes it: letters with their vowel marks precomposed
    (â, ê, ô, ơ, ư, ă), each tone a combining mark after its letter."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in _TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES)))
        out.append(tones)
    return "".join(out).encode("cp1258")


def write_csv(
    directory: Path,
    events: Sequence[Mapping[str, Any]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    labels: bool = False,
    dates: DateStyle = "iso",
    bom: bool = False,
) -> list[Path]:
    """One CSV file per event type that has events, in catalogue order."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for event_type in TYPES:
        header, rows = table_from_events(event_type, events, labels=labels, dates=dates)
        if not rows:
            continue
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        text = buffer.getvalue()
        raw = to_cp1258(text) if encoding == "cp1258" else text.encode(encoding)
        path = directory / f"{event_type.type_name}.csv"
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + raw)
        paths.append(path)
    return paths


class TestCsvUtf8Contract(InputChannelContract):
    """Excel's "CSV UTF-8": a byte-order mark, commas, Vietnamese headers and dates."""

    @pytest.fixture
    def channel(self) -> CsvChannel:
        return CsvChannel()

    def write_events(self, directory: Path, events: Sequence[Mapping[str, Any]]) -> list[Path]:
        return write_csv(directory, events, labels=True, dates="vietnamese", bom=True)


class TestCsvUtf16Contract(InputChannelContract):
    """Excel's "Unicode text": UTF-16 with its mark, tab-separated, field-name headers."""

    @pytest.fixture
    def channel(self) -> CsvChannel:
        return CsvChannel()

    def write_events(self, directory: Path, events: Sequence[Mapping[str, Any]]) -> list[Path]:
        return write_csv(directory, events, encoding="utf-16", delimiter="\t")


class TestCsvWindows1258Contract(InputChannelContract):
    """The Vietnamese code page, semicolons (Excel under a Vietnamese locale)."""

    @pytest.fixture
    def channel(self) -> CsvChannel:
        return CsvChannel()

    def write_events(self, directory: Path, events: Sequence[Mapping[str, Any]]) -> list[Path]:
        return write_csv(directory, events, encoding="cp1258", delimiter=";", labels=True)


class TestJsonLinesContract(InputChannelContract):
    """The built-in JSON Lines channel passes the same contract."""

    @pytest.fixture
    def channel(self) -> JsonLinesChannel:
        return JsonLinesChannel()

    def write_events(self, directory: Path, events: Sequence[Mapping[str, Any]]) -> list[Path]:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "events.jsonl"
        path.write_text(
            "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8"
        )
        return [path]


# --- helpers -------------------------------------------------------------------------------


def read(path: Path, channel: CsvChannel | None = None) -> list[tuple[int, Any]]:
    """Every ``(row, item)`` the channel reads from ``path``."""
    return list((channel or CsvChannel()).read(path, TYPES))


def items(pairs: list[tuple[int, Any]]) -> list[dict[str, Any]]:
    """The event dicts among ``pairs`` (asserting there is no problem)."""
    problems = [p for _r, p in pairs if isinstance(p, Problem)]
    assert problems == []
    return [i for _r, i in pairs]


def problems_of(pairs: list[tuple[int, Any]]) -> list[Problem]:
    """The problems among ``pairs``."""
    return [p for _r, p in pairs if isinstance(p, Problem)]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write a small CSV file."""
    path.write_bytes(text.encode(encoding))
    return path


def write_bytes(path: Path, raw: bytes) -> Path:
    """Write a file's bytes as they are."""
    path.write_bytes(raw)
    return path


# --- numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2.035", Decimal(2035)),
        ("2035", Decimal(2035)),
        ("54,5", Decimal("54.5")),
        ("54.5", Decimal("54.5")),
        ("1.234.567,5", Decimal("1234567.5")),
        ("1.234.567", Decimal(1234567)),
        ("0,234", Decimal("0.234")),
        ("1,2345", Decimal("1.2345")),
        ("-3", Decimal(-3)),
        ("2 035", Decimal(2035)),
        ("12,50", Decimal("12.5")),
    ],
)
def test_parse_number_reads_vietnamese_numbers(text: str, expected: Decimal) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("1,234", "ambiguous"),
        ("1,234,567", "ambiguous"),
        ("1,234.5", "English"),
        ("12.34.5", "not a number"),
        ("abc", "not a number"),
        ("", "not a number"),
        ("-", "not a number"),
        ("5%", "not a number"),
    ],
)
def test_parse_number_refuses_what_it_cannot_read_for_sure(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_number(text)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_whole_numbers_written_the_vietnamese_way_read_back(value: int) -> None:
    from dvcore.indicators import format_number

    assert parse_number(format_number(value)) == value


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=3, allow_nan=False))
def test_fractions_read_back_unless_ambiguous(value: Decimal) -> None:
    from dvcore.indicators import format_number

    text = format_number(value)
    whole, _, fraction = text.lstrip("-").partition(",")
    if len(fraction) == 3 and "." not in whole and whole != "0":
        with pytest.raises(ValueError, match="ambiguous"):
            parse_number(text)
    else:
        assert parse_number(text) == value


# --- labels and headers ------------------------------------------------------------------------


def test_every_core_field_has_a_vietnamese_label_unique_in_its_table() -> None:
    for event_type in CORE_EVENT_TYPES:
        assert event_type.type_name in TYPE_LABELS
        labels = FIELD_LABELS[event_type.type_name]
        fields = {a.name for a in event_type.__attrs_attrs__}  # type: ignore[attr-defined]
        assert set(labels) == fields, event_type.type_name
        headers = [fold(c.label) for c in template_columns(event_type)]
        assert len(headers) == len(set(headers)), event_type.type_name


def test_fold_forgives_tone_placement_and_case_but_not_a_missing_tone() -> None:
    assert fold("hòa") == fold("hoà")
    assert fold("Ủy ban") == fold("uỷ  BAN")
    assert fold("Thủy") == fold("thuỷ")
    assert fold(unicodedata.normalize("NFD", "Hòa")) == fold("hoà")
    assert fold("hòa") != fold("hoa")


@pytest.mark.parametrize("event_type", CORE_EVENT_TYPES, ids=lambda t: t.type_name)
def test_the_template_headers_of_every_type_read_back(
    event_type: type[EventData], tmp_path: Path
) -> None:
    (path,) = CsvChannel().template(tmp_path / f"{event_type.type_name}.csv", [event_type])
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert read(path) == []  # a header and no rows: nothing, and no problem


def test_headers_by_name_label_or_variant_spelling(tmp_path: Path) -> None:
    path = write(
        tmp_path / "DialogueHeld.csv",
        'NGÀY,mã đơn vị,Người chủ trì,data.participants,"Số ý kiến,  kiến nghị "\n'
        "30/3/2023,HP.HB,Chủ tịch UBND,120,3\n",
    )
    (item,) = items(read(path))
    assert item["occurred_on"] == "2023-03-30"
    assert item["unit"] == "HP.HB"
    assert item["data"] == {"host": "chairman", "participants": 120, "issues_raised": 3}


def test_unknown_duplicate_and_missing_columns_are_named_once(tmp_path: Path) -> None:
    path = write(
        tmp_path / "DialogueHeld.csv",
        "occurred_on,unit,host,Chủ trì hội nghị,host\n2023-03-30,HP,chairman,x,y\n",
    )
    found = problems_of(read(path))
    assert {(p.row, p.field) for p in found} == {(1, "Chủ trì hội nghị"), (1, "host")}
    assert "unknown column" in found[0].message
    missing = write(tmp_path / "LettersReported.csv", "Ngày,unit,received\n2023-03-30,HP,5\n")
    (problem,) = problems_of(read(missing))
    assert problem.row == 1
    assert "window_from" in problem.message
    assert "window_to" in problem.message


# --- cells ---------------------------------------------------------------------------------


def test_cells_are_typed_by_the_event_class(tmp_path: Path) -> None:
    path = write(
        tmp_path / "UnitRegistered-2023.csv",
        "Ngày,Mã đơn vị,Mã đơn vị đăng ký,Tên đơn vị,Loại đơn vị,Mã đơn vị cấp trên,"
        "attributes.ntm_model,Thuộc tính.population\n"
        "1/1/2020,HP,HP.X,Xã Hòa Bình,commune,HP,có,5000\n"
        "01/01/2020,HP,HP.Y,Phường Lê Lợi,Phường,HP,không,\n"
        "2020-01-01,HP,HP.Z,Xã An Hòa,Xã,HP,,\n",
    )
    rows = items(read(path))
    assert [r["data"].get("attributes", {}) for r in rows] == [
        {"ntm_model": True, "population": 5000},
        {"ntm_model": False},
        {},
    ]
    assert [r["data"]["kind"] for r in rows] == ["commune", "ward", "commune"]
    assert {r["occurred_on"] for r in rows} == {"2020-01-01"}


def test_windows_lists_booleans_numbers_and_json(tmp_path: Path) -> None:
    reception = write(
        tmp_path / "CitizenReceptionReported.csv",
        "occurred_on;unit;Từ ngày;Đến ngày;visits;cases_petition\n"
        '31/8/2023;HP;1/1/2023;31/08/2023;2.746;"2.081"\n',
    )
    (item,) = items(read(reception))
    assert item["data"] == {
        "window": ["2023-01-01", "2023-08-31"],
        "visits": 2746,
        "cases_petition": 2081,
    }
    merged = write(
        tmp_path / "UnitsMerged.csv",
        "occurred_on,unit,sources,into\n2025-07-01,HP,HP.A; HP.B ;HP.C;,HP.N\n",
    )
    assert items(read(merged))[0]["data"] == {"sources": ["HP.A", "HP.B", "HP.C"], "into": "HP.N"}
    figure = write(
        tmp_path / "FigureReported.csv",
        "occurred_on,unit,indicator,value,window_from,window_to,by.kind\n"
        '2023-09-14,HP,x.rate,"54,5",2023-01-01,2023-09-14,a\n',
    )
    assert items(read(figure))[0]["data"]["value"] == "54.5"
    document = write(
        tmp_path / "DocumentIssued.csv",
        "occurred_on,unit,number,kind,sets_targets\n"
        "2022-12-06,HP,08-NQ/TU,Nghị quyết,Có\n2022-12-07,HP,09-KH/TU,plan,0\n",
    )
    assert [i["data"]["sets_targets"] for i in items(read(document))] == [True, False]
    targets = write(
        tmp_path / "TargetSetAdopted.csv",
        'occurred_on,unit,resolution,targets\n2022-12-06,HP,08-NQ/TU,"[{""code"": ""a""}]"\n',
    )
    assert items(read(targets))[0]["data"]["targets"] == [{"code": "a"}]


def test_an_empty_cell_is_null_and_an_empty_row_is_skipped(tmp_path: Path) -> None:
    path = write(
        tmp_path / "DialogueHeld.csv",
        "occurred_on,unit,host,participants,title\n"
        "2023-03-30,HP,other,,\n,,,,\n\n2023-03-31,HP,other, ,Đối thoại\n",
    )
    rows = read(path)
    assert [r for r, _i in rows] == [2, 5]
    assert [i["data"] for _r, i in rows] == [
        {"host": "other"},
        {"host": "other", "title": "Đối thoại"},
    ]


def test_every_bad_cell_is_a_problem_with_row_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path / "DialogueHeld.csv",
        "Ngày,unit,host,Số người tham dự,issues_raised\n"
        "31/02/2023,HP,chairman,10,1\n"
        "2023-03-01,HP,mayor,1,234,5\n"
        '2023-03-02,HP,chairman,"1,234",\n'
        "2023-03-03,,chairman,12.5,\n"
        "2023-03-04,HP,other,7,2\n",
    )
    pairs = read(path)
    found = [(p.row, p.field, p.message) for p in problems_of(pairs)]
    assert [(r, f) for r, f, _m in found] == [
        (2, "Ngày"),
        (3, "host"),
        (3, "F"),  # the stray "5" of 1,234,5 stands in column F, which has no header
        (4, "Số người tham dự"),
        (5, "unit"),
        (5, "Số người tham dự"),
    ]
    assert "no day 31 in month 2" in found[0][2]
    assert "not one of" in found[1][2]
    assert "chairman" in found[1][2]
    assert "ambiguous" in found[3][2]
    assert "required" in found[4][2]
    assert "whole number" in found[5][2]
    assert [r for r, i in pairs if not isinstance(i, Problem)] == [6]
    assert str(problems_of(pairs)[0]).startswith(f"{path}, row 2, field 'Ngày': ")


def test_a_row_keeps_its_source_ref_and_gets_none_from_the_file(tmp_path: Path) -> None:
    # The import derives a key from the row's meaning: the channel adds none of its own
    # (no hash of the file's bytes, no row number), so the same rows re-saved read the same.
    text = "occurred_on,unit,host,source_ref\n2023-03-30,HP,other,\n2023-03-30,HP,other,mine\n"
    first = items(read(write(tmp_path / "DialogueHeld.csv", text)))
    other = items(read(write(tmp_path / "DialogueHeld-copy.csv", "\n" + text + "\n")))
    assert "source_ref" not in first[0]
    assert first[1]["source_ref"] == "mine"
    assert first == other


def test_the_same_rows_re_saved_read_the_same(tmp_path: Path) -> None:
    # Excel under a Vietnamese locale re-saves with semicolons, "CSV UTF-8" adds a BOM,
    # Windows ends lines with CRLF: none of it changes a single event.
    rows = [
        ["Ngày", "Mã đơn vị", "Người chủ trì", "Số người tham dự", "Nội dung đối thoại"],
        ["30/3/2023", "HP.LC — Xã Lê Chân", "Chủ tịch UBND", "1.200", "Đất đai; môi trường"],
        ["31/3/2023", "HP.LC", "other", "", 'Nói "thẳng", rõ'],
    ]

    def saved(name: str, delimiter: str, newline: str, prefix: bytes, encoding: str) -> Path:
        buffer = io.StringIO(newline="")
        csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
        text = buffer.getvalue()
        raw = to_cp1258(text) if encoding == "cp1258" else text.encode(encoding)
        return write_bytes(tmp_path / f"DialogueHeld-{name}.csv", prefix + raw)

    original = items(read(saved("original", ",", "\n", b"", "utf-8")))
    assert original[0]["unit"] == "HP.LC"
    assert original[0]["data"]["participants"] == 1200
    for variant in (
        saved("bom", ",", "\n", b"\xef\xbb\xbf", "utf-8"),
        saved("semicolons", ";", "\n", b"", "utf-8"),
        saved("crlf", ",", "\r\n", b"", "utf-8"),
        saved("all-three", ";", "\r\n", b"\xef\xbb\xbf", "utf-8"),
        saved("cp1258", ";", "\r\n", b"", "cp1258"),
        saved("utf16", "\t", "\r\n", b"", "utf-16"),
    ):
        assert items(read(variant)) == original, variant.name
        assert CsvChannel().form(variant, TYPES) == ["DialogueHeld"]


def test_an_empty_or_header_only_file_reads_no_rows_and_tells_its_form(tmp_path: Path) -> None:
    header_only = write(tmp_path / "DialogueHeld.csv", "\ufeffNgày;Mã đơn vị;Người chủ trì\r\n")
    blank = write(tmp_path / "ModelRegistered.csv", "\r\n ,\r\n")
    empty = write(tmp_path / "TaskAssigned.csv", "")
    channel = CsvChannel()
    for path in (header_only, blank, empty):
        assert read(path) == []
    assert channel.form(header_only, TYPES) == ["DialogueHeld"]
    assert channel.form(blank, TYPES) == []
    assert channel.form(empty, TYPES) == []
    assert channel.configured(event_type="LettersReported").form(header_only, TYPES) == [
        "LettersReported"
    ]
    assert channel.form(write(tmp_path / "notes.csv", "a,b\n"), TYPES) == []  # no type
    assert isinstance(channel, TableChannel)


def test_a_unit_cell_may_name_the_unit_after_its_code(tmp_path: Path) -> None:
    path = write(
        tmp_path / "TaskAssigned.csv",
        "occurred_on,unit,task_id,conclusion,owner,due,text\n"
        "2023-07-01,HP — Thành phố Hải Phòng,T1,KL-01,HP.LC – Xã Lê Chân,2023-12-31,Báo cáo\n"
        "2023-07-01,HP - Hải Phòng,T2,KL-01,HP.LC,2023-12-31,Báo cáo - kết quả\n",
    )
    first, second = items(read(path))
    assert (first["unit"], first["data"]["owner"]) == ("HP", "HP.LC")
    assert (second["unit"], second["data"]["owner"]) == ("HP", "HP.LC")
    assert second["data"]["text"] == "Báo cáo - kết quả"  # not a unit column: kept whole
    assert unit_code("HP.LC — Xã Lê Chân") == "HP.LC"
    assert unit_code(unit_choice("HP.LC", "Xã Lê Chân")) == "HP.LC"
    assert unit_code("HP.LC") == "HP.LC"
    assert unit_code("HP-LC") == "HP-LC"  # a hyphen inside a code is not a separator


def test_the_type_column_must_agree(tmp_path: Path) -> None:
    path = write(
        tmp_path / "DialogueHeld.csv",
        "type,occurred_on,unit,host\nDialogueHeld,2023-03-30,HP,other\n"
        "ModelRegistered,2023-03-30,HP,other\n",
    )
    pairs = read(path)
    assert isinstance(pairs[0][1], dict)
    assert "holds DialogueHeld events" in problems_of(pairs)[0].message


def test_text_is_nfc(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Nhân dân xã Hòa Bình")
    path = write(
        tmp_path / "DialogueHeld.csv",
        f"occurred_on,unit,host,audience\n2023-03-30,HP,other,{decomposed}\n",
    )
    assert items(read(path))[0]["data"]["audience"] == "Nhân dân xã Hòa Bình"


# --- the file: type, encoding, limits ----------------------------------------------------------


def test_the_event_type_comes_from_the_name_or_the_option(tmp_path: Path) -> None:
    assert event_type_from_name("DialogueHeld-2023-q3", TYPES) is not None
    assert event_type_from_name("dialogueheld_hp", TYPES).type_name == "DialogueHeld"  # type: ignore[union-attr]
    assert event_type_from_name("DialogueHeldX", TYPES) is None
    assert event_type_from_name("LandDossierFiled", TYPES).type_name == "LandDossierFiled"  # type: ignore[union-attr]
    text = "occurred_on,unit,host\n2023-03-30,HP,other\n"
    odd = write(tmp_path / "doi-thoai.csv", text)
    (problem,) = problems_of(read(odd))
    assert "does not say its event type" in problem.message
    assert problem.row is None
    assert items(read(odd, CsvChannel().configured(event_type="DialogueHeld")))
    (unknown,) = problems_of(read(odd, CsvChannel(event_type="Nope")))
    assert "unknown event type 'Nope'" in unknown.message


@pytest.mark.parametrize(
    ("prefix", "encoding", "expected"),
    [
        (b"", "utf-8", "utf-8"),
        (b"\xef\xbb\xbf", "utf-8", "utf-8"),
        (b"\xff\xfe", "utf-16-le", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be", "utf-16-be"),
        (b"", "cp1258", "cp1258"),
    ],
)
def test_decode_finds_the_encoding(prefix: bytes, encoding: str, expected: str) -> None:
    text = "Ngày,Tên\n30/3/2023,Đối thoại với Nhân dân phường Hòa Nghĩa\n"
    raw = prefix + (to_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    decoded, found = decode(raw)
    assert (decoded, found) == (text, expected)


def test_a_file_in_no_known_encoding_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "DialogueHeld.csv"
    path.write_bytes(b"occurred_on,unit,host\n2023-03-30,HP,\x81\x8d\n")
    (problem,) = problems_of(read(path))
    assert "UTF-8" in problem.message


def test_limits_refuse_oversized_tables_and_cells(tmp_path: Path) -> None:
    rows = "".join(f"2023-03-{d:02d},HP,other\n" for d in range(1, 6))
    path = write(tmp_path / "DialogueHeld.csv", "occurred_on,unit,host\n" + rows)
    pairs = read(path, CsvChannel(limits=Limits(max_rows=3)))
    assert len([i for _r, i in pairs if isinstance(i, dict)]) == 3
    assert "more than 3 rows" in problems_of(pairs)[-1].message
    long = write(
        tmp_path / "DialogueHeld-long.csv",
        f"occurred_on,unit,host,title\n2023-03-30,HP,other,{'x' * 50}\n",
    )
    (problem,) = problems_of(read(long, CsvChannel(limits=Limits(max_cell_chars=40))))
    assert problem.field == "title"
    assert "more than 40 characters" in problem.message


def test_a_value_without_a_header_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "DialogueHeld.csv", "occurred_on,unit,host,\n2023-03-30,HP,other,x\n")
    (problem,) = problems_of(read(path))
    assert problem.row == 2
    assert problem.field == "D"
    assert "column D holds a value but has no header in row 1" in problem.message
    assert "'host'" in problem.message  # the header to its left: a merged cell looks so


def test_read_items_are_events_the_store_accepts(tmp_path: Path) -> None:
    path = write(
        tmp_path / "DialogueHeld.csv",
        "occurred_on,unit,host,participants\n30/3/2023,HP,Bí thư cấp ủy,1.200\n",
    )
    (item,) = items(read(path))
    json.dumps(item)  # JSON-ready
    event, problems = event_from_dict(item, TYPES)
    assert problems == []
    assert event is not None
    assert event.occurred_on == dt.date(2023, 3, 30)
    assert event.data.participants == 1200  # type: ignore[attr-defined]


# --- the template --------------------------------------------------------------------------------


def test_the_csv_template_writes_one_file_per_type(tmp_path: Path) -> None:
    chosen = [t for t in CORE_EVENT_TYPES if t.type_name in ("DialogueHeld", "LettersReported")]
    written = CsvChannel().template(tmp_path / "mau", chosen)
    assert [p.name for p in written] == ["DialogueHeld.csv", "LettersReported.csv"]
    header = written[1].read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("Ngày,Mã đơn vị,Mã nguồn,Từ ngày,Đến ngày,Đơn thư tiếp nhận")
    one = CsvChannel().template(tmp_path / "doi-thoai.csv", chosen[:1])
    assert one == [tmp_path / "doi-thoai.csv"]
