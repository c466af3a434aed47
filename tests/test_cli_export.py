"""Tests of ``dvcore export`` and of ``dvcore demo`` writing every report."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dvcore._builtin import demo_run
from dvcore.cli import main


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'demo.db'}"
    store, _counts = demo_run.open_demo_store(url)
    store.close()
    return url


def run(store_url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--store", store_url, *args], catch_exceptions=False)


def test_export_markdown(store_url: str, tmp_path: Path) -> None:
    out = tmp_path / "bao-cao.md"
    result = run(
        store_url,
        "export",
        "--exporter",
        "markdown",
        "--unit",
        "HP",
        "--period",
        "2023-9M",
        "--as-of",
        "15/9/2023",
        "--as-known-at",
        "2023-09-20T10:00+07:00",
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    text = out.read_text(encoding="utf-8")
    assert "hồ sơ của 12/222 cơ sở tôn giáo (đạt 54,5% kế hoạch năm)" in text
    assert "Tổ chức 470 cuộc đối thoại" in text
    assert list(tmp_path.iterdir()) == [out]  # no partial file left behind


def test_export_json_into_a_directory(store_url: str, tmp_path: Path) -> None:
    result = run(
        store_url,
        "export",
        "--exporter",
        "json",
        "--unit",
        "HP",
        "--period",
        "2023-9M",
        "--as-known-at",
        "2023-09-20T10:00+07:00",
        "-o",
        str(tmp_path),
    )
    assert result.exit_code == 0, result.output
    written = tmp_path / "bao-cao-HP-2023-9M.json"
    document = json.loads(written.read_text(encoding="utf-8"))
    assert document["snapshot"]["indicators"]["dialogue.count"]["value"] == 470


def test_export_the_other_reports(store_url: str, tmp_path: Path) -> None:
    sections = tmp_path / "s.md"
    sections.write_text(
        "---\nnumber: 221-BC/BDVTU\n---\n## II\nĐề nghị gia hạn.\n", encoding="utf-8"
    )
    out = tmp_path / "theo-doi.md"
    result = run(
        store_url,
        "export",
        "--exporter",
        "markdown",
        "--report",
        "follow-up",
        "--unit",
        "HP",
        "--period",
        "2023-9M",
        "--as-of",
        "2023-09-30",
        "--sections",
        str(sections),
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "Số 221-BC/BDVTU" in text
    assert "Đề nghị gia hạn." in text
    out = tmp_path / "tong-ket.md"
    result = run(
        store_url,
        "export",
        "--exporter",
        "markdown",
        "--report",
        "term-commune",
        "--unit",
        "HP.TN.26",
        "--period",
        "2020-2025",
        "--profile",
        "tinh-25-25-35-15",
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert "ĐẢNG ỦY XÃ NGŨ LÃO" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--exporter", "pdf"], "unknown exporter 'pdf'"),
        (["--unit", "NOPE"], "unknown unit 'NOPE'"),
        (["--period", "2023-Q5"], "2023-Q5"),
        (["--as-of", "31/2/2023"], "31/2/2023"),
        (["--as-known-at", "hôm qua"], "is not an instant"),
        # a naive instant is Vietnam's time (docs/cli.md, "Instants"): not a refusal
        (["--as-known-at", "20/9/2023 10:00"], "is not an instant"),
        (["--template", "{tmp}/none.docx"], "no such template"),
        (["--sections", "{tmp}/none.md"], "no such sections file"),
        (["--template", "{tmp}/t.docx"], "takes no --template"),
        (["--profile", "A5"], "unknown format profile 'A5'"),
        (["--report", "term-commune"], "for a commune"),
        (["-o", "{tmp}/no/such/dir/x.md"], "no such directory"),
        (["--sections", "{tmp}/bad.md"], "bad.md, line 2"),
        (["--signature", "x"], "No such option"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    store_url: str, tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "t.docx").write_bytes(b"not a template")
    (tmp_path / "bad.md").write_text("---\nnumero: 1\n---\n", encoding="utf-8")
    before = sorted(tmp_path.iterdir())
    options = {
        "--exporter": "markdown",
        "--unit": "HP",
        "--period": "2023-9M",
        "-o": str(tmp_path / "out.md"),
    }
    extra: list[str] = []
    for flag, value in zip(args[::2], args[1::2], strict=True):
        value = value.replace("{tmp}", str(tmp_path))
        if flag in options:
            options[flag] = value
        else:
            extra += [flag, value]
    flat = [item for pair in options.items() for item in pair]
    result = CliRunner().invoke(main, ["--store", store_url, "export", *flat, *extra])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert sorted(tmp_path.iterdir()) == before


def test_demo_without_plugins_writes_the_core_reports_and_says_what_it_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DVCORE_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main, ["--store", f"sqlite:///{tmp_path / 'd.db'}", "demo"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    out = tmp_path / "dvcore-demo"
    assert sorted(p.name for p in out.iterdir()) == ["bao-cao-2023-9M.json", "bao-cao-2023-9M.md"]
    for name in ("docx", "xlsx", "html"):
        assert f"{name}: bỏ qua, chưa cài plugin dvcore-{name}" in result.output
    assert (
        "470 cuộc đối thoại (06 cuộc cấp thành phố; 112 cuộc cấp quận, huyện; 352 cuộc "
        "cấp xã, phường)" in result.output
    )


@pytest.mark.skipif(
    any(importlib.util.find_spec(m) is None for m in ("dvcore_docx", "dvcore_xlsx", "dvcore_html")),
    reason="the docx, xlsx and html plugins are not installed",
)
def test_demo_writes_every_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DVCORE_DISABLE_PLUGIN_AUTOLOAD", "0")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["--store", f"sqlite:///{tmp_path / 'd.db'}", "demo", "--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "bỏ qua" not in result.output
    names = {p.name for p in out.iterdir()}
    assert {
        "bao-cao-2023-9M.docx",
        "bao-cao-2023-9M.xlsx",
        "bao-cao-2023-9M.html",
        "bao-cao-2023-9M.md",
        "bao-cao-2023-9M.json",
        "tong-ket-nhiem-ky-2020-2025-HP.TN.26.docx",
        "theo-doi-ket-luan-2023-9M.docx",
    } <= names
    markdown = (out / "bao-cao-2023-9M.md").read_text(encoding="utf-8")
    assert "# BÁO CÁO" in markdown  # not overwritten by another plugin's .md exporter
