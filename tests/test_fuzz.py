"""Hostile input through the real import path: every case is refused cleanly or stored as
plain data, and a refusal writes nothing.

Files go through :func:`dvcore.tables.import_files` — what ``dvcore import``
runs — or through the command line itself (``CliRunner``). For every case:

- either the import is refused with :class:`~dvcore.errors.InputError` (a
  :class:`~dvcore.errors.ValidationError` lists its problems), the CLI exits 2 with a
  message and no traceback, and the store's head and head hash are unchanged;
- or it is stored, and every text arrives as the very text given (``=1+1`` stays a text,
  ``'; DROP TABLE dv_events; --`` is a title and the table is still there);
- never another exception type, and ``verify`` passes afterwards.

The Hypothesis tests run on SQLite; the fixed cases on every backend (PostgreSQL refuses
some texts SQLite keeps: NUL). Counts of examples are kept modest so the suite stays fast;
``HYPOTHESIS_PROFILE=thorough`` runs 1,000 examples a test.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import os
import unicodedata
import uuid
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from hypothesis import currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from dvcore import open_store
from dvcore._builtin.csv_channel import CsvChannel
from dvcore._builtin.jsonl import JsonLinesChannel
from dvcore.cli import main
from dvcore.errors import InputError, ValidationError
from dvcore.importing import import_files
from dvcore.tables import Limits

try:
    import xlsxwriter
    from dvcore_xlsx.channel import XlsxChannel
except ImportError:  # the plugin is not installed: its cases are skipped
    XlsxChannel = None  # type: ignore[assignment,misc]
    xlsxwriter = None

PG_URL = os.environ.get("DVCORE_PG_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
needs_xlsx = pytest.mark.skipif(XlsxChannel is None, reason="dvcore-xlsx is not installed")


def _channels(**override: Any) -> dict[str, Any]:
    channels: dict[str, Any] = {"jsonl": JsonLinesChannel(), "csv": CsvChannel()}
    if XlsxChannel is not None:
        channels["xlsx"] = XlsxChannel()
    channels.update(override)
    return channels


CHANNELS = _channels()

SEED: list[dict[str, Any]] = [
    {
        "type": "UnitRegistered",
        "occurred_on": "2020-01-01",
        "unit": "HP",
        "data": {"code": "HP", "name": "Hải Phòng", "kind": "city"},
    },
    {
        "type": "UnitRegistered",
        "occurred_on": "2020-01-01",
        "unit": "HP",
        "data": {"code": "HB", "name": "Hồng Bàng", "kind": "district", "parent": "HP"},
    },
    {
        "type": "UnitRegistered",
        "occurred_on": "2020-01-01",
        "unit": "HP",
        "data": {"code": "NQ", "name": "Ngô Quyền", "kind": "district", "parent": "HP"},
    },
    {
        "type": "IndicatorDefined",
        "occurred_on": "2020-01-01",
        "unit": "HP",
        "data": {"code": "fuzz.teams", "title": "Tổ tuần tra", "aggregation": "last"},
    },
    {
        "type": "EstablishmentRegistered",
        "occurred_on": "2020-01-01",
        "unit": "HB",
        "data": {"id": "E1", "name": "Chùa Dư Hàng", "religion": "Phật giáo", "uses_land": True},
    },
]

#: Valid events of many shapes, which the strategies below break in every way.
TEMPLATES: list[dict[str, Any]] = [
    {
        "type": "DialogueHeld",
        "occurred_on": "2023-03-30",
        "unit": "HB",
        "data": {"host": "chairman", "participants": 120, "title": "Đối thoại"},
    },
    {
        "type": "CitizenReceptionReported",
        "occurred_on": "2023-08-31",
        "unit": "HP",
        "data": {
            "window": ["2023-01-01", "2023-08-31"],
            "visits": 2746,
            "cases_complaint": 155,
            "cases_denunciation": 64,
            "cases_petition": 2081,
        },
    },
    {
        "type": "FigureReported",
        "occurred_on": "2023-09-14",
        "unit": "NQ",
        "data": {
            "indicator": "fuzz.teams",
            "value": 1468,
            "window": ["2023-01-01", "2023-09-14"],
            "by": {"kind": "patrol"},
        },
    },
    {
        "type": "UnitRegistered",
        "occurred_on": "2021-01-01",
        "unit": "HB",
        "data": {
            "code": "HB9",
            "name": "Phường 9",
            "kind": "ward",
            "parent": "HB",
            "attributes": {"ntm_model": True},
        },
    },
    {
        "type": "ModelRegistered",
        "occurred_on": "2023-05-01",
        "unit": "HB",
        "data": {"model_id": "M1", "name": "Dân vận khéo", "field": "urban", "year": 2023},
    },
    {
        "type": "TaskAssigned",
        "occurred_on": "2023-07-01",
        "unit": "HP",
        "data": {
            "task_id": "T1",
            "conclusion": "KL-01",
            "owner": "HB",
            "due": "2023-12-31",
            "text": "Báo cáo kết quả",
        },
    },
    {
        "type": "TargetSetAdopted",
        "occurred_on": "2022-12-06",
        "unit": "HP",
        "data": {
            "resolution": "08-NQ/TU",
            "targets": [
                {
                    "code": "08-NQ/TU.3b",
                    "title": "Hồ sơ đất",
                    "indicator": "land.dossier_submitted",
                    "measure": "count",
                    "population": "establishments_using_land",
                    "population_filter": [],
                    "threshold": 0.10,
                    "period": "2023",
                    "rounding": "half_up",
                }
            ],
        },
    },
    {
        "type": "LandDossierSubmitted",
        "occurred_on": "2023-09-01",
        "unit": "HB",
        "data": {"establishment_id": "E1"},
    },
    {
        "type": "DocumentIssued",
        "occurred_on": "2023-02-01",
        "unit": "HP",
        "data": {
            "number": "123-BC/BDVTU",
            "kind": "report",
            "title": "Báo cáo",
            "sets_targets": False,
        },
    },
]

#: Texts that have broken other software, and texts that look like code or numbers.
NASTY = [
    "'; DROP TABLE dv_events; --",
    "Robert'); DROP TABLE dv_events;--",
    "1' OR '1'='1",
    "=1+1",
    '=HYPERLINK("http://example.invalid","x")',
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "-1",
    "1e999",
    "-1e999",
    "NaN",
    "Infinity",
    "31/02/2023",
    "2023-02-31",
    "0/0/0",
    "\x00",
    "a\x00b",
    "\ud800",
    "\udfff",
    "\ufeff",
    "\u202e",
    "\u200b",
    "\r\n",
    "\\",
    '"',
    "<script>alert(1)</script>",
    "${jndi:ldap://x/a}",
    "%s%s%n",
    "../../etc/passwd",
    "Hải Phòng",
    "Ha\u0309i Pho\u0300ng",
    " ",
    "",
    "1,234",
    "2.035",
    "1.234.567,5",
    "0x10",
    "1_000",
    "١٢٣",
    "𝟙𝟚𝟛",
    "null",
    "true",
    "[]",
    "{}",
    "\t",
]

texts = st.one_of(
    st.sampled_from(NASTY), st.text(st.characters(), max_size=40), st.builds(lambda: "x" * 40_000)
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | texts,
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(texts, kids, max_size=3),
    max_leaves=8,
)


def _examples(n: int) -> int:
    """``n`` examples a test, or the profile's own count when it asks for more (thorough)."""
    profile = settings.default.max_examples
    return profile if profile > 100 else n


def _count(outcome: str) -> None:
    if currently_in_test_context():  # shown by --hypothesis-show-statistics
        event(outcome)


class Target:
    """A store under attack, and the one way every case is judged."""

    def __init__(self, url: str, directory: Path) -> None:
        self.url = url
        self.directory = directory
        self.store = open_store(url)
        self.store.append(SEED)

    def state(self) -> tuple[int, str]:
        from dvcore.store.chain import _head

        with self.store.engine.connect() as conn:
            head, chain_hash, _at = _head(conn)
        return head, chain_hash

    def path(self, name: str, content: bytes) -> Path:
        path = self.directory / name
        path.write_bytes(content)
        return path

    def attempt(
        self, paths: Sequence[Path], channels: Mapping[str, Any] = CHANNELS, **options: Any
    ) -> tuple[str, Any]:
        """Import ``paths``: ``("refused", error)`` or ``("stored", result)``; any other
        exception fails the test."""
        before = self.state()
        refusal: InputError | None = None
        try:
            result = import_files(self.store, list(paths), channels, **options)
        except InputError as exc:
            refusal = exc
        if refusal is not None:
            assert refusal.message.strip()
            if isinstance(refusal, ValidationError):
                assert refusal.problems
                assert all(p.message.strip() and p.source for p in refusal.problems)
            assert self.state() == before, "a refused import wrote something"
            _count("refused")
            return "refused", refusal
        assert self.state()[0] == before[0] + result.appended
        _count("stored" if result.appended else "nothing new")
        return "stored", result

    def cli(self, *args: str, plugins: bool = False) -> tuple[int, str]:
        """Run ``dvcore``; ``plugins`` loads installed plugins (the xlsx channel)."""
        before = self.state()
        env = {"DVCORE_DISABLE_PLUGIN_AUTOLOAD": "0"} if plugins else {}
        result = CliRunner().invoke(
            main, ["--store", self.url, *args], env=env, catch_exceptions=False
        )
        assert "Traceback" not in result.output
        assert result.exit_code in (0, 2), result.output
        if result.exit_code == 2:
            assert result.output.startswith("Error: "), result.output
            assert self.state() == before
        return result.exit_code, result.output

    def stored_since(self, head: int) -> list[Any]:
        return list(self.store.read(after=head))

    def check(self) -> None:
        report = self.store.verify()
        assert report.ok, report.reason
        with self.store.engine.connect() as conn:
            assert sa.inspect(conn).has_table("dv_events")


def _make_target(backend: str, directory: Path) -> tuple[Target, Callable[[], None]]:
    if backend == "sqlite":
        target = Target(f"sqlite:///{directory / 'fuzz.db'}", directory)
        return target, target.store.close
    assert PG_URL is not None
    schema = f"fz_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    target = Target(f"{PG_URL}{sep}options=-csearch_path%3D{schema}", directory)

    def drop() -> None:
        target.store.close()
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        engine.dispose()

    return target, drop


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """A SQLite store for the Hypothesis tests (one per module: examples share it)."""
    target, close = _make_target("sqlite", tmp_path_factory.mktemp("fuzz"))
    yield target
    target.check()
    close()


@pytest.fixture(scope="module", params=BACKENDS)
def target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    """A store on each backend for the fixed cases."""
    made, close = _make_target(str(request.param), tmp_path_factory.mktemp("hostile"))
    yield made
    made.check()
    close()


def _lines(events: Sequence[Any], ensure_ascii: bool = False) -> bytes:
    text = "".join(json.dumps(e, ensure_ascii=ensure_ascii) + "\n" for e in events)
    return text.encode("utf-8", "surrogatepass")


# --- JSON Lines, random ---------------------------------------------------------------------


@st.composite
def hostile_events(draw: st.DrawFn) -> Any:
    """A valid event with up to four of its fields replaced, added or removed."""
    item: Any = copy.deepcopy(draw(st.sampled_from(TEMPLATES)))
    for _ in range(draw(st.integers(0, 4))):
        inside = isinstance(item.get("data"), dict) and draw(st.booleans())
        where = item["data"] if inside else item
        action = draw(st.sampled_from(["replace", "replace", "add", "delete"]))
        if action == "add" or not where:
            where[draw(texts)] = draw(json_values)
        elif action == "replace":
            where[draw(st.sampled_from(sorted(where)))] = draw(json_values)
        else:
            del where[draw(st.sampled_from(sorted(where)))]
    if draw(st.integers(0, 9)) == 0:
        item = draw(json_values)  # not even an object
    return item


def _assert_texts_kept(target: Target, head: int, given: Sequence[Any]) -> None:
    """Every text field of every stored event is the text the file gave."""
    # A clerk's key is stored as UNIT/key; a row without one is keyed by its meaning
    # (type, unit, date, data), so it is found by its type, unit and date.
    by_ref = {
        f"{g.get('unit')}/{g.get('source_ref')}": g
        for g in given
        if isinstance(g, dict) and isinstance(g.get("source_ref"), str)
    }
    by_meaning: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for g in given:
        if isinstance(g, dict) and not isinstance(g.get("source_ref"), str):
            by_meaning.setdefault((g.get("type"), g.get("unit")), []).append(g)
    for recorded in target.stored_since(head):
        ref = recorded.source_ref or ""
        original = by_ref.get(ref)
        if original is None and ref.startswith("="):
            candidates = by_meaning.get((recorded.type, recorded.unit), [])
            original = next(
                (
                    c
                    for c in candidates
                    if str(c.get("occurred_on", ""))[:10] == recorded.occurred_on.isoformat()
                ),
                candidates[0] if candidates else None,
            )
        assert isinstance(original, dict)
        for key, value in original["data"].items():
            kept = getattr(recorded.data, key)
            if isinstance(kept, str):  # a text field (dates and choices are typed)
                assert kept == value


@given(content=st.binary(max_size=2048))
@settings(max_examples=_examples(100))
def test_jsonl_random_bytes(fuzzed: Target, content: bytes) -> None:
    fuzzed.attempt([fuzzed.path("random.jsonl", content)])


@given(events=st.lists(hostile_events(), min_size=1, max_size=4), ascii_only=st.booleans())
@settings(max_examples=_examples(100))
def test_jsonl_broken_events(fuzzed: Target, events: list[Any], ascii_only: bool) -> None:
    head = fuzzed.state()[0]
    outcome, _ = fuzzed.attempt([fuzzed.path("events.jsonl", _lines(events, ascii_only))])
    if outcome == "stored":
        _assert_texts_kept(fuzzed, head, events)


@given(title=texts, audience=texts, code=texts, ascii_only=st.booleans())
@settings(max_examples=_examples(100))
def test_jsonl_hostile_texts_are_refused_or_kept(
    fuzzed: Target, title: str, audience: str, code: str, ascii_only: bool
) -> None:
    events = [
        {**TEMPLATES[0], "data": {**TEMPLATES[0]["data"], "title": title, "audience": audience}},
        {**TEMPLATES[3], "data": {**TEMPLATES[3]["data"], "code": code, "name": title}},
    ]
    head = fuzzed.state()[0]
    outcome, _ = fuzzed.attempt([fuzzed.path("texts.jsonl", _lines(events, ascii_only))])
    if outcome == "stored":
        _assert_texts_kept(fuzzed, head, events)


@given(data=st.data())
@settings(max_examples=_examples(100))
def test_jsonl_mutated_bytes(fuzzed: Target, data: st.DataObject) -> None:
    content = bytearray(_lines(TEMPLATES[:3]))
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(content) - 1))
        op = data.draw(st.sampled_from(["flip", "insert", "delete"]))
        byte = data.draw(st.integers(0, 255))
        if op == "flip":
            content[at] = byte
        elif op == "insert":
            content.insert(at, byte)
        else:
            del content[at]
    fuzzed.attempt([fuzzed.path("mutated.jsonl", bytes(content))])


@given(content=st.binary(max_size=512))
@settings(max_examples=_examples(25))
def test_cli_random_bytes(fuzzed: Target, content: bytes) -> None:
    fuzzed.cli("import", str(fuzzed.path("cli.jsonl", content)))


# --- CSV, random ----------------------------------------------------------------------------

HEADER = ["occurred_on", "unit", "host", "participants", "title"]
DATES = st.one_of(
    st.sampled_from(
        [
            "30/3/2023",
            "2023-03-30",
            "31/02/2023",
            "29/02/2023",
            "0/1/2023",
            "30/13/2023",
            "45000",
            "",
        ]
    ),
    texts,
)
COUNTS = st.one_of(
    st.sampled_from(
        ["", "12", "-3", "2.035", "1,234", "1e999", "NaN", "3,5", "99999999999999999999999"]
    ),
    texts,
)


@st.composite
def csv_rows(draw: st.DrawFn) -> list[list[str]]:
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        rows.append(
            [
                draw(DATES),
                draw(st.sampled_from(["HB", "HP", "NQ", "XX"]) | texts),
                draw(st.sampled_from(["chairman", "Chủ tịch", "party_secretary"]) | texts),
                draw(COUNTS),
                draw(texts),
            ]
        )
    return rows


def _csv(rows: Sequence[Sequence[str]], encoding: str, delimiter: str) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows([HEADER, *rows])
    text = buffer.getvalue()
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass")
    if encoding == "utf-16":
        return text.encode("utf-16", "surrogatepass")
    return text.encode(encoding, "surrogatepass")


@given(content=st.binary(max_size=2048))
@settings(max_examples=_examples(100))
def test_csv_random_bytes(fuzzed: Target, content: bytes) -> None:
    fuzzed.attempt([fuzzed.path("DialogueHeld.csv", content)])


@given(
    rows=csv_rows(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
@settings(max_examples=_examples(100))
def test_csv_hostile_cells(
    fuzzed: Target, rows: list[list[str]], encoding: str, delimiter: str
) -> None:
    head = fuzzed.state()[0]
    path = fuzzed.path("DialogueHeld.csv", _csv(rows, encoding, delimiter))
    outcome, _ = fuzzed.attempt([path])
    if outcome != "stored":
        return
    stored = {r.source_ref: r for r in fuzzed.stored_since(head)}
    for number, row in enumerate(rows, start=2):
        recorded = next(
            (r for ref, r in stored.items() if ref and ref.endswith(f":{number}")), None
        )
        if recorded is not None:
            cell = unicodedata.normalize("NFC", row[4].strip()) or None
            assert recorded.data.title == cell  # a formula, SQL, a number: the text, kept


# --- xlsx, random -----------------------------------------------------------------------------


def _workbook(path: Path, rows: Sequence[Sequence[Any]], sheet: str = "DialogueHeld") -> Path:
    book = xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    ws = book.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            elif isinstance(value, dt.date):
                ws.write_datetime(
                    r,
                    c,
                    dt.datetime.combine(value, dt.time()),
                    book.add_format({"num_format": "dd/mm/yyyy"}),
                )
            elif value is not None:
                ws.write_string(r, c, value)
    book.close()
    return path


XLSX_TEXTS = st.one_of(
    st.sampled_from([t for t in NASTY if not any("\ud800" <= c <= "\udfff" for c in t)]),
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.just("x" * 32_767),
)
XLSX_CELLS = st.one_of(
    XLSX_TEXTS,
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)),
    st.none(),
)


@needs_xlsx
@given(rows=st.lists(st.lists(XLSX_CELLS, min_size=5, max_size=5), min_size=1, max_size=4))
@settings(max_examples=_examples(60))
def test_xlsx_hostile_cells(fuzzed: Target, rows: list[list[Any]]) -> None:
    fuzzed.attempt([_workbook(fuzzed.directory / "cells.xlsx", [HEADER, *rows])])


@needs_xlsx
@given(content=st.binary(max_size=2048))
@settings(max_examples=_examples(50))
def test_xlsx_random_bytes(fuzzed: Target, content: bytes) -> None:
    fuzzed.attempt([fuzzed.path("random.xlsx", content)])


@needs_xlsx
@given(data=st.data())
@settings(max_examples=_examples(60))
def test_xlsx_mutated_bytes(fuzzed: Target, data: st.DataObject) -> None:
    base = fuzzed.directory / "base.xlsx"
    if not base.exists():  # once: XlsxWriter stamps the time into every workbook
        _workbook(base, [HEADER, ["30/3/2023", "HB", "chairman", 12, "=1+1"]])
    content = bytearray(base.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        content[data.draw(st.integers(0, len(content) - 1))] = data.draw(st.integers(0, 255))
    fuzzed.attempt([fuzzed.path("mutated.xlsx", bytes(content))])


# --- fixed cases, through the command line, on every backend -------------------------------


def _event(**data: Any) -> dict[str, Any]:
    return {
        "type": "DialogueHeld",
        "occurred_on": "2023-03-30",
        "unit": "HB",
        "data": {"host": "chairman", **data},
    }


def _raw(line: str) -> bytes:
    return (line + "\n").encode("utf-8", "surrogatepass")


REFUSED_JSONL: dict[str, bytes] = {
    "garbage": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "invalid-utf8": b'{"type": "DialogueHeld", "unit": "H\xc3\x28"}\n',
    "overlong-utf8": b'{"type": "DialogueHeld", "unit": "\xc0\xafHB"}\n',
    "raw-nul": b'{"type": "DialogueHeld", "unit": "HB\x00"}\n',
    "escaped-nul": _raw(json.dumps(_event(title="a\x00b"))),
    "nul-in-unit": _raw(json.dumps({**_event(), "unit": "HB\x00"})),
    "nul-in-source-ref": _raw(json.dumps({**_event(), "source_ref": "x\x00"})),
    "lone-surrogate": _raw(json.dumps(_event(title="\ud800"))),
    "surrogate-key": _raw(json.dumps({**_event(), "\udc00": 1})),
    "2mb-line": _raw(json.dumps(_event(title="x" * 2_000_000))),
    "deep-nesting": _raw('{"type": "DialogueHeld", "data": ' + "[" * 100_000 + "]" * 100_000 + "}"),
    "deep-object": _raw(
        '{"type": "DialogueHeld", "data": ' + '{"a":' * 50_000 + "1" + "}" * 50_000 + "}"
    ),
    "1e999": _raw(json.dumps(_event()).replace('"chairman"', '"chairman", "issues_raised": 1e999')),
    "-1e999": _raw(json.dumps(_event()).replace('"chairman"', '"chairman", "audience": -1e999')),
    "NaN": _raw(json.dumps(_event(participants=float("nan")))),
    "Infinity": _raw(json.dumps(_event(participants=float("inf")))),
    "float-count": _raw(json.dumps(_event(participants=12.5))),
    "string-count": _raw(json.dumps(_event(participants="12"))),
    "negative-count": _raw(json.dumps(_event(participants=-5))),
    "negative-visits": _raw(
        json.dumps(
            {
                "type": "CitizenReceptionReported",
                "occurred_on": "2023-08-31",
                "unit": "HP",
                "data": {"window": ["2023-01-01", "2023-08-31"], "visits": -2746},
            }
        )
    ),
    "5000-digits": _raw(
        json.dumps(_event()).replace('"chairman"', '"chairman", "participants": ' + "9" * 5000)
    ),
    "huge-count": _raw(json.dumps(_event(participants=10**30))),
    "31-02-2023-vietnamese": _raw(json.dumps({**_event(), "occurred_on": "31/02/2023"})),
    "2023-02-31": _raw(json.dumps({**_event(), "occurred_on": "2023-02-31"})),
    "year-0": _raw(json.dumps({**_event(), "occurred_on": "0000-01-01"})),
    "figure-NaN-text": _raw(
        json.dumps(
            {
                "type": "FigureReported",
                "occurred_on": "2023-09-14",
                "unit": "NQ",
                "data": {
                    "indicator": "fuzz.teams",
                    "value": "NaN",
                    "window": ["2023-01-01", "2023-09-14"],
                },
            }
        )
    ),
    "figure-1e999-text": _raw(
        json.dumps(
            {
                "type": "FigureReported",
                "occurred_on": "2023-09-14",
                "unit": "NQ",
                "data": {
                    "indicator": "fuzz.teams",
                    "value": "1e999",
                    "window": ["2023-01-01", "2023-09-14"],
                },
            }
        )
    ),
    "threshold-NaN": _raw(
        json.dumps(
            {
                **TEMPLATES[6],
                "data": {
                    **TEMPLATES[6]["data"],
                    "targets": [{**TEMPLATES[6]["data"]["targets"][0], "threshold": "NaN"}],
                },
            }
        )
    ),
    "unknown-type": _raw(json.dumps({**_event(), "type": "DROP TABLE dv_events"})),
    "unknown-unit": _raw(json.dumps({**_event(), "unit": "'; DROP TABLE dv_events; --"})),
    "unknown-field": _raw(json.dumps({**_event(), "password": "x"})),
    "null-line": b"null\n",
    "array-line": b"[1, 2]\n",
    "string-line": b'"DialogueHeld"\n',
    "10000-bad-lines": b"{}\n" * 10_000,
    "good-then-bad": _raw(json.dumps(_event(title="tốt"))) + b"{\n",
}

STORED_JSONL: dict[str, str] = {
    "sql-title": "'; DROP TABLE dv_events; --",
    "sql-title-2": "Robert'); DROP TABLE dv_events;--",
    "formula": "=1+1",
    "formula-link": '=HYPERLINK("http://example.invalid","x")',
    "dde": "+cmd|' /C calc'!A0",
    "html": "<script>alert(1)</script>",
    "jndi": "${jndi:ldap://x/a}",
    "bidi": "\u202egnp.exe",
    "bom": "\ufeffĐối thoại",
    "emoji": "🙂 đối thoại 𝟙𝟚𝟛",
}


@pytest.mark.parametrize("case", sorted(REFUSED_JSONL))
def test_jsonl_hostile_file_is_refused(target: Target, case: str) -> None:
    code, output = target.cli("import", str(target.path(f"{case}.jsonl", REFUSED_JSONL[case])))
    assert code == 2
    assert "nothing was written" in output or "Error: " in output


@pytest.mark.parametrize("case", sorted(STORED_JSONL))
def test_jsonl_hostile_text_is_stored_as_text(target: Target, case: str) -> None:
    text = STORED_JSONL[case]
    head = target.state()[0]
    line = _event(title=text, audience=text, source_ref=f"text:{case}")
    line["source_ref"] = line["data"].pop("source_ref")
    code, output = target.cli("import", str(target.path(f"{case}.jsonl", _lines([line]))))
    assert code == 0, output
    [recorded] = target.stored_since(head)
    assert recorded.data.title == text
    assert recorded.data.audience == text
    target.check()


def test_a_refused_import_of_many_files_writes_none_of_them(target: Target) -> None:
    good = target.path("good.jsonl", _lines([_event(title=f"t{n}") for n in range(100)]))
    bad = target.path("bad.jsonl", REFUSED_JSONL["negative-count"])
    code, output = target.cli("import", str(good), str(bad))
    assert code == 2
    assert "bad.jsonl, row 1, field 'data.participants'" in output


def test_the_line_and_line_count_limits_are_settings(target: Target) -> None:
    channel = JsonLinesChannel(max_line_bytes=200, max_lines=3)
    channels = _channels(jsonl=channel)
    long_line = target.path("long.jsonl", _lines([_event(title="x" * 300)]))
    outcome, error = target.attempt([long_line], channels)
    assert outcome == "refused"
    assert "longer than 200 bytes" in str(error)
    many = target.path("many.jsonl", _lines([_event(title=f"n{n}") for n in range(4)]))
    outcome, error = target.attempt([many], channels)
    assert outcome == "refused"
    assert "more than 3 lines" in str(error)
    assert JsonLinesChannel().max_line_bytes == 1_000_000  # the defaults: safe, and generous
    assert JsonLinesChannel().max_lines == 10_000_000


# --- CSV, fixed -------------------------------------------------------------------------------


def _csv_file(target: Target, name: str, *rows: str, header: str = ",".join(HEADER)) -> Path:
    return target.path(name, ("\n".join([header, *rows]) + "\n").encode("utf-8"))


REFUSED_CSV: dict[str, tuple[str, ...]] = {
    "31-02-2023": ("31/02/2023,HB,chairman,12,x",),
    "negative-count": ("30/3/2023,HB,chairman,-5,x",),
    "ambiguous-number": ('30/3/2023,HB,chairman,"1,234",x',),
    "1e999": ("30/3/2023,HB,chairman,1e999,x",),
    "NaN": ("30/3/2023,HB,chairman,NaN,x",),
    "nul-cell": ("30/3/2023,HB,chairman,12,a\x00b",),
    "sql-unit": ("30/3/2023,'; DROP TABLE dv_events; --,chairman,12,x",),
    "too-long-cell": ("30/3/2023,HB,chairman,12," + "x" * 40_000,),
}


@pytest.mark.parametrize("case", sorted(REFUSED_CSV))
def test_csv_hostile_row_is_refused(target: Target, case: str) -> None:
    path = _csv_file(target, "DialogueHeld.csv", "30/3/2023,HB,chairman,1,ok", *REFUSED_CSV[case])
    code, output = target.cli("import", str(path))
    assert code == 2, output
    assert "DialogueHeld.csv" in output


def test_csv_formula_and_sql_stay_text(target: Target) -> None:
    head = target.state()[0]
    path = _csv_file(
        target,
        "DialogueHeld.csv",
        "30/3/2023,HB,chairman,1,=1+1",
        "30/3/2023,HB,chairman,2,'; DROP TABLE dv_events; --",
        "30/3/2023,HB,chairman,3,@SUM(A1:A9)",
        '30/3/2023,HB,chairman,4,"=HYPERLINK(""http://x"")"',
    )
    code, output = target.cli("import", str(path))
    assert code == 0, output
    titles = [e.data.title for e in target.stored_since(head)]
    assert titles == [
        "=1+1",
        "'; DROP TABLE dv_events; --",
        "@SUM(A1:A9)",
        '=HYPERLINK("http://x")',
    ]
    target.check()


def test_csv_unclosed_quote_is_read_as_text(target: Target) -> None:
    head = target.state()[0]
    path = _csv_file(target, "DialogueHeld.csv", '30/3/2023,HB,chairman,1,"never closed')
    code, output = target.cli("import", str(path))
    assert code == 0, output
    assert [e.data.title for e in target.stored_since(head)] == ["never closed"]


def test_csv_rows_and_cells_limits_are_settings(target: Target) -> None:
    channels = _channels(csv=CsvChannel(limits=Limits(max_rows=3, max_cell_chars=50)))
    rows = [f"30/3/2023,HB,chairman,{n},r{n}" for n in range(4)]
    outcome, error = target.attempt([_csv_file(target, "DialogueHeld.csv", *rows)], channels)
    assert outcome == "refused"
    assert "more than 3 rows" in str(error)
    long = _csv_file(target, "DialogueHeld.csv", "30/3/2023,HB,chairman,1," + "y" * 51)
    outcome, error = target.attempt([long], channels)
    assert outcome == "refused"
    assert "more than 50 characters" in str(error)


# --- xlsx, fixed ------------------------------------------------------------------------------

_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
    'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_BOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.'
    'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.'
    'org/officeDocument/2006/relationships"><sheets><sheet name="DialogueHeld" sheetId="1"'
    ' r:id="rId1"/></sheets></workbook>'
)
_BOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
    '"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"'
    ' Target="worksheets/sheet1.xml"/></Relationships>'
)


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _header_row() -> str:
    return (
        '<row r="1">'
        + "".join(_cell(f"{chr(65 + i)}1", h) for i, h in enumerate(HEADER))
        + "</row>"
    )


def _data_row(r: int, title: str) -> str:
    values = ["30/3/2023", "HB", "chairman", "7", title]
    return (
        f'<row r="{r}">'
        + "".join(_cell(f"{chr(65 + i)}{r}", v) for i, v in enumerate(values))
        + "</row>"
    )


def _raw_workbook(path: Path, rows: str, doctype: str = "", tail: str = "") -> Path:
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<worksheet xmlns="http://schemas.'
        f'openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData>'
        f"{tail}</worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _BOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _BOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)
XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


@needs_xlsx
def test_xlsx_dimension_bomb_is_refused_before_it_is_read(target: Target) -> None:
    # Two cells, 2 KB: read as a dense range it would be 16,384 × 1,048,576 cells.
    rows = (
        _header_row()
        + _data_row(2, "x")
        + '<row r="1048576">'
        + _cell("XFD1048576", "far away")
        + "</row>"
    )
    path = _raw_workbook(target.directory / "far.xlsx", rows)
    assert path.stat().st_size < 4096
    code, output = target.cli("import", str(path), plugins=True)
    assert code == 2
    assert "span more than 10000000 cells" in output


@needs_xlsx
def test_xlsx_zip_bomb_is_refused_by_its_unpacked_size(target: Target) -> None:
    # 64 MB of XML in a file of a few dozen kilobytes; the limit is set low to keep it fast.
    padding = "<!--" + " " * (64 * 1024 * 1024) + "-->"
    path = _raw_workbook(
        target.directory / "zipbomb.xlsx", _header_row() + _data_row(2, "x"), tail=padding
    )
    assert path.stat().st_size < 200_000
    channels = _channels(xlsx=XlsxChannel(max_unpacked_bytes=16 * 1024 * 1024))
    outcome, error = target.attempt([path], channels)
    assert outcome == "refused"
    assert "unpacks to" in str(error)
    assert "more than the limit of 16777216" in str(error)


@needs_xlsx
def test_xlsx_repeated_rows_bomb_is_refused(target: Target) -> None:
    # OpenDocument: one row repeated a million times, a value in each of 200 columns.
    cells = "".join(
        f'<table:table-cell office:value-type="string"><text:p>c{i}</text:p></table:table-cell>'
        for i in range(200)
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office='
        '"urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:'
        'names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:'
        'opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table '
        f'table:name="DialogueHeld"><table:table-row table:number-rows-repeated='
        f'"1000000">{cells}</table:table-row><table:table-row>{cells}</table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    path = target.directory / "bomb.ods"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        z.writestr("content.xml", content)
    code, output = target.cli("import", str(path), plugins=True)
    assert code == 2
    assert "span more than 10000000 cells" in output


@needs_xlsx
@pytest.mark.parametrize(
    ("name", "doctype", "title"),
    [
        ("billion-laughs", BILLION_LAUGHS, "&lol9;"),
        ("external-entity", XXE, "&xxe;"),
    ],
)
def test_xlsx_entities_are_never_expanded(
    target: Target, name: str, doctype: str, title: str
) -> None:
    path = _raw_workbook(
        target.directory / f"{name}.xlsx", _header_row() + _data_row(2, title), doctype=doctype
    )
    code, output = target.cli("import", str(path), plugins=True)
    assert code == 2
    assert "root:" not in output
    assert "lollol" not in output


@needs_xlsx
def test_xlsx_formula_text_and_sql_stay_text(target: Target) -> None:
    head = target.state()[0]
    path = _workbook(
        target.directory / "text.xlsx",
        [
            HEADER,
            # rows no other test of this store writes: a row's key is its meaning
            ["30/3/2023", "HB", "chairman", 1001, "=1+1"],
            ["30/3/2023", "HB", "chairman", 1002, "'; DROP TABLE dv_events; --"],
            ["30/3/2023", "HB", "chairman", 1003, "+cmd|' /C calc'!A0"],
        ],
    )
    code, output = target.cli("import", str(path), plugins=True)
    assert code == 0, output
    assert [e.data.title for e in target.stored_since(head)] == [
        "=1+1",
        "'; DROP TABLE dv_events; --",
        "+cmd|' /C calc'!A0",
    ]
    target.check()


@needs_xlsx
def test_xlsx_formula_cell_gives_its_saved_value_never_evaluated(target: Target) -> None:
    head = target.state()[0]
    path = target.directory / "formula.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("DialogueHeld")
    ws.write_row(0, 0, HEADER)
    ws.write_row(1, 0, ["30/3/2023", "HB", "chairman", 5])
    ws.write_formula(1, 4, '=CONCATENATE("a","b")', None, "giá trị đã lưu")
    book.close()
    code, output = target.cli("import", str(path), plugins=True)
    assert code == 0, output
    [recorded] = target.stored_since(head)
    assert recorded.data.title == "giá trị đã lưu"


@needs_xlsx
def test_xlsx_rows_and_cells_limits_are_settings(target: Target) -> None:
    rows = [HEADER, *(["30/3/2023", "HB", "chairman", n, f"r{n}"] for n in range(6))]
    path = _workbook(target.directory / "rows.xlsx", rows)
    outcome, error = target.attempt([path], _channels(xlsx=XlsxChannel(limits=Limits(max_rows=3))))
    assert outcome == "refused"
    assert "more than 3 rows" in str(error)
    outcome, error = target.attempt([path], _channels(xlsx=XlsxChannel(max_cells=30)))
    assert outcome == "refused"
    assert "span more than 30 cells" in str(error)
    assert XlsxChannel().max_cells == 10_000_000
    assert XlsxChannel().max_unpacked_bytes == 512 * 1024 * 1024
