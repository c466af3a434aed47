"""``dvcore import`` through the CSV channel, ``dvcore template``, ``dvcore plugins``.

As a new user would: the demo data set (seed 001) split into one CSV file per event type
imports — in whatever order the shell lists the files — and gives the figures the JSON
Lines give; a CSV with a bad date in row 31 and an unknown unit in row 40 is refused with
both problems named, and nothing written.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from dvcore import open_store
from dvcore._builtin.demo import hai_phong_events
from dvcore.cli import main
from dvcore.importing import SYSTEM_TYPES
from dvcore.serialization import EventTypes
from dvcore.tables import table_from_events

TYPES = EventTypes.core()

DEMO_EVENTS = len(hai_phong_events())


def run(store_url: str, *args: str, actor: str | None = None) -> Result:
    """Run the command line against ``store_url``."""
    head = ["--store", store_url] + (["--actor", actor] if actor else [])
    return CliRunner().invoke(main, [*head, *args], catch_exceptions=False)


def write_csv_files(
    directory: Path, events: Sequence[Mapping[str, Any]], labels: bool = True
) -> list[Path]:
    """The events as one CSV file per type, Vietnamese headers and dates (a clerk's)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for event_type in TYPES:
        header, rows = table_from_events(event_type, events, labels=labels, dates="vietnamese")
        if rows:
            buffer = io.StringIO(newline="")
            writer = csv.writer(buffer)
            writer.writerow(header)
            writer.writerows(["" if v is None else v for v in row] for row in rows)
            path = directory / f"{event_type.type_name}.csv"
            path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
            paths.append(path)
    return paths


def write_jsonl(path: Path, events: Sequence[Mapping[str, Any]]) -> Path:
    """The events as JSON Lines."""
    path.write_text(
        "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8"
    )
    return path


def head_of(store_url: str) -> int:
    """How many events the store holds."""
    store = open_store(store_url)
    try:
        return store.head()
    finally:
        store.close()


@pytest.fixture
def csv_files(tmp_path: Path) -> list[Path]:
    """The demo data set as a clerk's CSV files."""
    return write_csv_files(tmp_path / "csv", hai_phong_events())


def test_csv_files_give_the_figures_of_json_lines(
    csv_files: list[Path], tmp_path: Path, store_url_factory: Any, backend: str
) -> None:
    jsonl_url, csv_url = store_url_factory(backend), store_url_factory(backend)
    jsonl = write_jsonl(tmp_path / "demo.jsonl", hai_phong_events())
    assert run(jsonl_url, "import", str(jsonl)).exit_code == 0
    # The shell lists files alphabetically: CitizenReceptionReported before the units.
    result = run(csv_url, "import", *sorted(str(p) for p in csv_files), actor="HP")
    assert result.exit_code == 0, result.output
    assert f"appended {DEMO_EVENTS} events, 0 already stored" in result.output
    for args in (
        ["snapshot", "--unit", "HP", "--period", "2023-9M"],
        ["snapshot", "--unit", "HP.TN", "--period", "2023-H1"],
        ["targets", "--unit", "HP", "--as-of", "15/9/2023"],
    ):
        expected = run(jsonl_url, *args, "--format", "json")
        got = run(csv_url, *args, "--format", "json")
        assert got.exit_code == 0
        assert json.loads(got.stdout) == json.loads(expected.stdout)
    again = run(csv_url, "import", *map(str, csv_files))
    assert f"appended 0 events, {DEMO_EVENTS} already stored" in again.output


def test_a_bad_date_in_row_31_and_an_unknown_unit_in_row_40_are_both_refused(
    tmp_path: Path, store_url: str
) -> None:
    events = hai_phong_events()
    dialogues = [i for i, e in enumerate(events) if e["type"] == "DialogueHeld"]
    events[dialogues[29]] = {**events[dialogues[29]], "occurred_on": "2023-02-30"}
    events[dialogues[38]] = {**events[dialogues[38]], "unit": "HP.XX"}
    paths = write_csv_files(tmp_path / "csv", events)
    result = run(store_url, "import", *map(str, paths))
    assert result.exit_code == 2
    dialogue_csv = str(tmp_path / "csv" / "DialogueHeld.csv")
    assert "2 problems; nothing was written" in result.stderr
    assert f"{dialogue_csv}, row 31, field 'Ngày': cannot read date '2023-02-30'" in result.stderr
    assert f"{dialogue_csv}, row 40, field 'unit': unknown unit 'HP.XX'" in result.stderr
    assert "Traceback" not in result.output
    assert head_of(store_url) == 0


def test_problems_of_every_file_are_reported_at_once(tmp_path: Path, store_url: str) -> None:
    events = hai_phong_events()
    first = {e["type"]: i for i, e in reversed(list(enumerate(events)))}
    events[first["ModelRegistered"]]["data"]["field"] = "sports"
    events[first["LettersReported"]]["data"]["received"] = "nhiều"
    paths = write_csv_files(tmp_path / "csv", events, labels=False)
    result = run(store_url, "import", *map(str, paths))
    assert result.exit_code == 2
    assert "ModelRegistered.csv, row 2, field 'field': 'sports' is not one of" in result.stderr
    assert "LettersReported.csv, row 2, field 'received': 'nhiều' is not a number" in (
        result.stderr
    )
    assert head_of(store_url) == 0


def test_dry_run_says_what_would_be_appended_and_writes_nothing(
    csv_files: list[Path], store_url: str
) -> None:
    result = run(store_url, "import", "--dry-run", *map(str, csv_files), actor="HP")
    assert result.exit_code == 0
    assert f"would append {DEMO_EVENTS} events, 0 already stored" in result.output
    assert "recorded" not in result.output
    assert head_of(store_url) == 0


def test_json_lines_and_csv_in_one_import(tmp_path: Path, store_url: str) -> None:
    events = hai_phong_events()
    units = [e for e in events if e["type"] == "UnitRegistered"]
    dialogues = [e for e in events if e["type"] == "DialogueHeld"]
    (dialogue_csv,) = write_csv_files(tmp_path / "csv", dialogues)
    result = run(
        store_url, "import", str(dialogue_csv), str(write_jsonl(tmp_path / "u.jsonl", units))
    )
    assert result.exit_code == 0, result.output
    assert f"appended {len(units) + len(dialogues)} events" in result.output


def test_the_type_option_reads_a_file_whose_name_does_not_say_it(
    tmp_path: Path, store_url: str
) -> None:
    units = write_jsonl(tmp_path / "units.jsonl", hai_phong_events()[:3])
    odd = tmp_path / "doi-thoai-quy-3.csv"
    odd.write_text("Ngày,Mã đơn vị,Người chủ trì\n14/8/2023,HP,Bí thư cấp ủy\n", encoding="utf-8")
    refused = run(store_url, "import", str(units), str(odd))
    assert refused.exit_code == 2
    assert "does not say its event type" in refused.stderr
    accepted = run(store_url, "import", "--type", "DialogueHeld", str(odd))
    assert accepted.exit_code == 2  # the units are not there: the refusal wrote nothing
    both = run(store_url, "import", "--channel", "csv", "--type", "DialogueHeld", str(odd))
    assert "unknown unit 'HP'" in both.stderr
    assert run(store_url, "import", str(units)).exit_code == 0
    assert run(store_url, "import", "--type", "DialogueHeld", str(odd)).exit_code == 0
    assert head_of(store_url) == 4


def test_a_file_no_channel_reads_is_refused(tmp_path: Path, store_url: str) -> None:
    path = tmp_path / "bao-cao.docx"
    path.write_bytes(b"PK")
    result = run(store_url, "import", str(path))
    assert result.exit_code == 2
    assert "no channel reads '.docx' files" in result.stderr


# --- template and plugins --------------------------------------------------------------------


def test_template_writes_csv_tables_that_read_back(tmp_path: Path, store_url: str) -> None:
    result = run(store_url, "template", "--channel", "csv", "-o", str(tmp_path / "mau"))
    assert result.exit_code == 0
    written = sorted((tmp_path / "mau").glob("*.csv"))
    assert {p.stem for p in written} == set(TYPES.by_name) - SYSTEM_TYPES
    one = tmp_path / "doi-thoai.csv"
    result = run(
        store_url, "template", "--channel", "csv", "--type", "DialogueHeld", "-o", str(one)
    )
    assert result.output == f"wrote {one}\n"
    header = one.read_text(encoding="utf-8-sig").strip()
    assert header == (
        "Ngày,Mã đơn vị,Mã nguồn,Người chủ trì,Đối tượng đối thoại,"
        'Số người tham dự,"Số ý kiến, kiến nghị",Nội dung đối thoại'
    )
    units = write_jsonl(tmp_path / "units.jsonl", hai_phong_events()[:1])
    with one.open("a", encoding="utf-8") as fh:
        fh.write('30/3/2023,HP,,Chủ tịch UBND,,"1.250",,\n')
    result = run(store_url, "import", "--type", "DialogueHeld", str(units), str(one))
    assert result.exit_code == 0, result.output


def test_template_refuses_unknown_channels_and_types(tmp_path: Path, store_url: str) -> None:
    result = run(store_url, "template", "--channel", "pdf", "-o", str(tmp_path))
    assert result.exit_code == 2
    assert "unknown channel 'pdf'" in result.stderr
    result = run(
        store_url, "template", "--channel", "csv", "--type", "Dialogue", "-o", str(tmp_path)
    )
    assert result.exit_code == 2
    assert "unknown event type 'Dialogue'" in result.stderr


def test_template_without_a_store_creates_none(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nothing.db'}"
    result = run(
        url, "template", "--channel", "csv", "--type", "DialogueHeld", "-o", str(tmp_path / "x.csv")
    )
    assert result.exit_code == 0
    assert not (tmp_path / "nothing.db").exists()


def test_plugins_lists_the_channels_with_who_provides_them(store_url: str) -> None:
    result = run(store_url, "plugins")
    assert result.exit_code == 0
    lines = [" ".join(line.replace("│", " ").split()) for line in result.output.splitlines()]
    assert "channel csv dvcore" in lines
    assert "channel jsonl dvcore" in lines
    assert "event type DialogueHeld dvcore" in lines
