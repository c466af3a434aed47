"""The command line speaks Vietnamese by default, English with ``--lang en``.

Other tests read English (tests/conftest.py sets ``DVCORE_LANG=en``); these remove it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from dvcore.cli import main
from dvcore.errors import Problem, ValidationError

NO_LANG = {"DVCORE_LANG": None}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def store(tmp_path: Path, runner: CliRunner) -> str:
    url = f"sqlite:///{tmp_path / 'dvcore.db'}"
    result = runner.invoke(main, ["--store", url, "init"], env=NO_LANG)
    assert result.exit_code == 0, result.output
    assert "kho dữ liệu sẵn sàng" in result.output
    return url


def test_help_is_vietnamese_by_default(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"], env=NO_LANG)
    assert result.exit_code == 0
    assert "Cách dùng:" in result.output
    assert "Tùy chọn:" in result.output
    assert "Ngôn ngữ hiển thị" in result.output
    assert "Tạo kho dữ liệu" in result.output  # init's short help, in the command list
    assert "Usage:" not in result.output


def test_lang_en_makes_help_english(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--lang", "en", "--help"], env=NO_LANG)
    assert result.exit_code == 0
    assert "Usage:" in result.output
    assert "Create the store (or upgrade its schema)." in result.output


def test_env_chooses_when_lang_is_not_given(runner: CliRunner) -> None:
    result = runner.invoke(main, ["snapshot", "--help"], env={"DVCORE_LANG": "en"})
    assert "The figures of a unit's subtree for a period." in result.output
    result = runner.invoke(main, ["snapshot", "--help"], env=NO_LANG)
    assert "Số liệu của một đơn vị" in result.output
    assert "Mã đơn vị." in result.output  # an option's help


def test_lang_beats_the_environment(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--lang", "vi", "--help"], env={"DVCORE_LANG": "en"})
    assert "Cách dùng:" in result.output


def test_bad_date_is_a_vietnamese_error(runner: CliRunner, store: str) -> None:
    result = runner.invoke(
        main, ["--store", store, "targets", "--unit", "HP", "--as-of", "31/02/2023"], env=NO_LANG
    )
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Lỗi: không đọc được ngày '31/02/2023'" in result.stderr
    assert "Traceback" not in result.output


def test_bad_period_is_a_vietnamese_error(runner: CliRunner, store: str) -> None:
    args = ["--store", store, "snapshot", "--unit", "HP", "--period", "2023-Q9"]
    result = runner.invoke(main, args, env=NO_LANG)
    assert result.exit_code == 2
    assert "Lỗi: không đọc được kỳ báo cáo '2023-Q9'" in result.stderr
    assert "số quý phải từ 1 đến 4, không phải 9" in result.stderr
    english = runner.invoke(main, ["--lang", "en", *args], env=NO_LANG)
    assert english.exit_code == 2
    assert "Error: cannot read period '2023-Q9'" in english.stderr


def test_unknown_unit_is_a_vietnamese_error(runner: CliRunner, store: str) -> None:
    args = ["--store", store, "snapshot", "--unit", "HP.XX", "--period", "2023"]
    result = runner.invoke(main, args, env=NO_LANG)
    assert result.exit_code == 2
    assert "Lỗi: không có đơn vị 'HP.XX'" in result.stderr
    english = runner.invoke(main, ["--lang", "en", *args], env=NO_LANG)
    assert "Error: unknown unit 'HP.XX'" in english.stderr


def test_click_usage_errors_are_vietnamese(runner: CliRunner) -> None:
    result = runner.invoke(main, ["snapshot"], env=NO_LANG)
    assert result.exit_code == 2
    assert "Lỗi: Thiếu tùy chọn '--unit'." in result.stderr


def test_problems_name_the_column_by_its_label(
    runner: CliRunner, store: str, tmp_path: Path
) -> None:
    import click

    @main.command("_raise_problems", hidden=True)
    def raise_problems() -> None:
        from dvcore.cli import _guard

        @_guard
        def run() -> None:
            raise ValidationError(
                [
                    Problem(
                        source="a.jsonl",
                        row=3,
                        field="data.participants",
                        message="x",
                        event_type="DialogueHeld",
                    ),
                    Problem(source="a.jsonl", row=4, field="occurred_on", message="y"),
                    Problem(source="b.csv", row=2, field="Số người", message="z"),
                ]
            )

        run()

    try:
        result = runner.invoke(main, ["_raise_problems"], env=NO_LANG)
        assert result.exit_code == 2
        assert "3 lỗi; chưa ghi gì:" in result.stderr
        assert "a.jsonl, hàng 3, cột 'Số người tham dự': x" in result.stderr
        assert "a.jsonl, hàng 4, cột 'Ngày': y" in result.stderr
        assert "b.csv, hàng 2, cột 'Số người': z" in result.stderr
        english = runner.invoke(main, ["--lang", "en", "_raise_problems"], env=NO_LANG)
        assert "a.jsonl, row 3, field 'data.participants': x" in english.stderr
    finally:
        main.commands.pop("_raise_problems", None)
    assert isinstance(main, click.Group)
