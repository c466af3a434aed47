"""Submissions and completeness: every imported file is recorded with its events, and
``dvcore submissions`` tells which subordinate units sent their figures, on time or late.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from dvcore import open_store
from dvcore._builtin.csv_channel import CsvChannel
from dvcore._builtin.demo import hai_phong_events
from dvcore.cli import main
from dvcore.errors import PeriodError, UnknownUnitError, ValidationError
from dvcore.importing import import_files
from dvcore.store.submissions import list_submissions, submission_report

CHANNELS = {"csv": CsvChannel()}
DISTRICTS = 15  # Hai Phong's districts: the city's children at district level


@pytest.fixture(autouse=True)
def _early_clock(clock: Any) -> None:
    """Units are recorded on 2/1/2023: a store never records earlier than its head."""
    at(clock, "2023-01-02")


def units() -> list[dict[str, Any]]:
    """The demo's unit tree (city, 15 districts, 217 communes, departments)."""
    return [e for e in hai_phong_events() if e["type"] == "UnitRegistered"]


def dialogues_file(directory: Path, unit: str, days: list[str], name: str = "") -> Path:
    """A CSV file of dialogues held by ``unit``'s head."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (name or f"DialogueHeld-{unit}.csv")
    rows = "".join(f"{day},{unit},Bí thư cấp ủy\n" for day in days)
    path.write_text("Ngày,Mã đơn vị,Người chủ trì\n" + rows, encoding="utf-8")
    return path


def at(clock: Any, day: str, hour: int = 9) -> None:
    """Set the store's clock to ``hour`` o'clock, Vietnam's time, on ``day``."""
    clock.now = dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+07:00").astimezone(dt.UTC)


def test_each_file_is_recorded_with_what_it_brought(store: Any, clock: Any, tmp_path: Path) -> None:
    store.append(units(), actor="HP")
    path = dialogues_file(tmp_path, "HP.HB", ["2023-03-01", "2023-04-02"])
    at(clock, "2023-07-03")
    result = import_files(store, [path], CHANNELS, actor="HP.HB", period="2023-6M")
    (sub,) = list_submissions(store)
    assert (sub.unit, sub.period, sub.period_start, sub.period_end) == (
        "HP.HB",
        "2023-6M",
        dt.date(2023, 1, 1),
        dt.date(2023, 6, 30),
    )
    assert (sub.channel, sub.file_name, sub.actor) == ("csv", path.name, "HP.HB")
    assert sub.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert sub.received_at == clock.now
    assert (sub.rows, sub.appended, sub.duplicates) == (2, 2, 0)
    # the rows, then the version itself (SubmissionReceived), which belongs to no file
    assert (sub.first_position, sub.last_position) == result.positions[:2]
    # Sent again: recorded again, bringing nothing new.
    clock.advance(days=1)
    import_files(store, [path], CHANNELS, unit="HP.HB", period="2023-6M")
    resent = list_submissions(store)[1]
    assert (resent.rows, resent.appended, resent.duplicates) == (2, 0, 2)
    assert (resent.first_position, resent.last_position) == (None, None)
    assert resent.actor is None


def test_several_files_are_counted_apart(store: Any, clock: Any, tmp_path: Path) -> None:
    store.append(units(), actor="HP")
    first = dialogues_file(tmp_path, "HP.HB", ["2023-03-01"])
    second = dialogues_file(tmp_path, "HP.LC", ["2023-03-02", "2023-03-03", "2023-03-04"])
    import_files(store, [first, second], CHANNELS, unit="HP", period="2023-6M")
    counts = {s.file_name: (s.rows, s.appended) for s in list_submissions(store)}
    assert counts == {first.name: (1, 1), second.name: (3, 3)}


def test_nothing_is_recorded_by_a_dry_run_or_a_refused_import(store: Any, tmp_path: Path) -> None:
    store.append(units(), actor="HP")
    good = dialogues_file(tmp_path, "HP.HB", ["2023-03-01"])
    import_files(store, [good], CHANNELS, unit="HP.HB", period="2023-6M", dry_run=True)
    bad = dialogues_file(tmp_path, "HP.NOPE", ["2023-03-01"])
    with pytest.raises(ValidationError):
        import_files(store, [good, bad], CHANNELS, unit="HP.HB", period="2023-6M")
    assert list_submissions(store) == []
    assert store.head() == len(units())


def test_an_unknown_unit_or_a_bad_period_is_refused(store: Any, tmp_path: Path) -> None:
    store.append(units(), actor="HP")
    path = dialogues_file(tmp_path, "HP.HB", ["2023-03-01"])
    with pytest.raises(UnknownUnitError, match=r"HP\.XYZ"):
        import_files(store, [path], CHANNELS, unit="HP.XYZ")
    with pytest.raises(PeriodError):
        import_files(store, [path], CHANNELS, unit="HP.HB", period="2023-H3")
    assert store.head() == len(units())


def test_the_reporting_rate_of_the_districts(store: Any, clock: Any, tmp_path: Path) -> None:
    store.append(units(), actor="HP")
    sends = [  # unit, period, day received (in order: the store's clock never goes back)
        ("HP.NQ", "2023-Q1", "2023-04-02"),  # only the first quarter: not the 6 months
        ("HP.SNV", "2023-6M", "2023-07-01"),  # a department
        ("HP.HB", "2023-6M", "2023-07-03"),
        ("HP.KA", "2023-9M", "2023-07-05"),  # a file for 9 months covers the 6
        ("HP.TN", "2023-6M", "2023-07-06"),
        ("HP.TN", "2023-6M", "2023-07-08"),
        ("HP.LC", "2023-6M", "2023-07-10"),
    ]
    for number, (unit, period, day) in enumerate(sends):
        at(clock, day, hour=23)
        path = dialogues_file(tmp_path / str(number), unit, ["2023-03-01"])
        import_files(store, [path], CHANNELS, unit=unit, period=period)
    report = submission_report(store, "HP", "2023-6M", deadline="5/7/2023")
    status = {u.code: u.status for u in report.units}
    assert len(status) == DISTRICTS
    assert {c: s for c, s in status.items() if s != "missing"} == {
        "HP.HB": "on_time",
        "HP.KA": "on_time",
        "HP.LC": "late",
        "HP.TN": "late",
    }
    assert (report.expected, report.sent, report.on_time, report.late) == (15, 4, 2, 2)
    assert "HP.NQ" in report.missing
    assert report.rate == pytest.approx(4 / 15, abs=1e-4)
    tn = next(u for u in report.units if u.code == "HP.TN")
    assert len(tn.submissions) == 2
    assert tn.received_at == dt.datetime(2023, 7, 6, 16, 0, tzinfo=dt.UTC)
    data = report.to_dict()
    assert data["period"] == {"spec": "2023-6M", "start": "2023-01-01", "end": "2023-06-30"}
    assert (data["deadline"], data["sent"], data["on_time_rate"]) == ("2023-07-05", 4, 0.1333)
    everyone = submission_report(store, "HP", "2023-6M", all_children=True)
    assert everyone.expected == 37
    assert {u.code for u in everyone.units if u.status == "received"} == {
        "HP.HB",
        "HP.KA",
        "HP.LC",
        "HP.TN",
        "HP.SNV",
    }


def test_a_unit_that_does_not_exist_then_is_refused(store: Any) -> None:
    store.append(units(), actor="HP")
    with pytest.raises(UnknownUnitError):
        submission_report(store, "HP.XYZ", "2023-6M")
    with pytest.raises(UnknownUnitError):
        submission_report(store, "HP", "2019")  # the tree starts on 1/1/2020


def test_submissions_command(tmp_path: Path, store_url: str) -> None:
    runner = CliRunner()
    unit_file = tmp_path / "units.jsonl"
    unit_file.write_text(
        "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in units()), encoding="utf-8"
    )
    assert runner.invoke(main, ["--store", store_url, "import", str(unit_file)]).exit_code == 0
    sent = dialogues_file(tmp_path, "HP.HB", ["2023-03-01"])
    result = runner.invoke(
        main, ["--store", store_url, "--actor", "HP.HB", "import", "--period", "2023-6M", str(sent)]
    )
    assert result.exit_code == 0, result.output
    assert "recorded version 1 of HP.HB's submission for 2023-6M" in result.output
    result = runner.invoke(
        main,
        [
            "--store",
            store_url,
            "submissions",
            "--unit",
            "HP",
            "--period",
            "2023-6M",
            "--deadline",
            "2099-12-31",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["expected"], data["sent"], data["on_time"]) == (15, 1, 1)
    (hb,) = [u for u in data["units"] if u["unit"] == "HP.HB"]
    assert (hb["status"], hb["files"][0]["file_name"]) == ("on_time", sent.name)
    table = runner.invoke(
        main,
        [
            "--store",
            store_url,
            "--lang",
            "vi",
            "submissions",
            "--unit",
            "HP",
            "--period",
            "2023-6M",
            "--deadline",
            "1/7/2023",
        ],
    )
    assert table.exit_code == 0
    assert "muộn" in table.output
    assert "chưa gửi" in table.output
    assert "đã gửi 1/15 (6,7%); đúng hạn 0/15 (0%)" in " ".join(table.output.split())
    bad = runner.invoke(
        main, ["--store", store_url, "submissions", "--unit", "HP", "--period", "2023-H3"]
    )
    assert bad.exit_code == 2


def test_a_store_at_the_first_schema_gets_the_submissions_table(tmp_path: Path) -> None:
    from dvcore.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    upgrade(engine, "dv0001")
    assert not sa.inspect(engine).has_table("dv_submissions")
    engine.dispose()
    store = open_store(url)
    try:
        assert sa.inspect(store.engine).has_table("dv_submissions")
        assert list_submissions(store) == []
    finally:
        store.close()


def test_the_submitting_unit_may_be_registered_by_the_import_itself(
    store: Any, tmp_path: Path
) -> None:
    path = tmp_path / "UnitRegistered.csv"
    path.write_text(
        "Ngày,Mã đơn vị,Mã đơn vị đăng ký,Tên đơn vị,Loại đơn vị\n"
        "1/1/2020,HP,HP,Thành phố Hải Phòng,Thành phố\n",
        encoding="utf-8",
    )
    import_files(store, [path], CHANNELS, unit="HP", dry_run=True)
    import_files(store, [path], CHANNELS, unit="HP")
    (sub,) = list_submissions(store)
    assert (sub.unit, sub.appended, sub.period) == ("HP", 1, None)


def _receptions(directory: Path, rows: list[tuple[str, str, int]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "CitizenReceptionReported.csv"
    body = "".join(f"{end},HP.HB,{start},{end},{visits}\n" for start, end, visits in rows)
    path.write_text("occurred_on,unit,window_from,window_to,visits\n" + body, encoding="utf-8")
    return path


def test_an_import_lists_where_reports_over_windows_disagree(
    store: Any, clock: Any, tmp_path: Path
) -> None:
    """A quarter's report, then monthly reports (sent later, in the 9-month submission)
    that add up to another figure: the months stand, and the import says so."""
    store.append(units(), actor="HP")
    at(clock, "2023-10-03")
    quarter = _receptions(tmp_path / "q3", [("2023-07-01", "2023-09-30", 30)])
    first = import_files(store, [quarter], CHANNELS, unit="HP.HB", period="2023-Q3")
    assert first.disagreements == ()
    at(clock, "2023-10-10")
    months = _receptions(
        tmp_path / "9m",
        [
            ("2023-07-01", "2023-07-31", 10),
            ("2023-08-01", "2023-08-31", 10),
            ("2023-09-01", "2023-09-30", 12),
        ],
    )
    second = import_files(store, [months], CHANNELS, unit="HP.HB", period="2023-9M")
    (visits,) = [d for d in second.disagreements if d.indicator == "reception.visits"]
    assert visits.reason == "parts"
    assert (visits.stood_value, visits.dropped_value) == (32 * 10**6, 30 * 10**6)
    assert store.snapshot("HP.HB", "2023-Q3").value("reception.visits") == 32
    # the command line prints it
    result = CliRunner().invoke(
        main,
        [
            "--store",
            str(store.engine.url),
            "--lang",
            "en",
            "import",
            str(months),
            "--unit",
            "HP.HB",
            "--period",
            "2023-9M",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "note: reception.visits of HP.HB: 01/07/2023–31/07/2023" in result.output
    assert "01/07/2023–30/09/2023 gives 30 and is not counted" in result.output
