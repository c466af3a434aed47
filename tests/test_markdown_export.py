"""Tests of the Markdown exporter (dvcore._builtin.markdown_export)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dvcore._builtin import demo_run
from dvcore._builtin.markdown_export import MarkdownExporter, render_markdown
from dvcore.registry import get_plugin_manager, plugin_exporters
from dvcore.reports import PLACEHOLDER, build_context


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    store, _counts = demo_run.open_demo_store(
        f"sqlite:///{tmp_path_factory.mktemp('md') / 'demo.db'}"
    )
    yield store
    store.close()


@pytest.fixture(scope="module")
def context(demo_store: Any) -> dict[str, Any]:
    return demo_run.demo_context(
        demo_store, signature="K/T TRƯỞNG BAN / PHÓ TRƯỞNG BAN", children=False, compare=False
    )


def test_registered_as_a_builtin() -> None:
    exporters = plugin_exporters(get_plugin_manager(autoload=False))
    assert isinstance(exporters["markdown"], MarkdownExporter)
    assert exporters["markdown"].suffix == ".md"


def test_document_parts(context: dict[str, Any], tmp_path: Path) -> None:
    path = MarkdownExporter().export(context, tmp_path / "bao-cao.md")
    text = path.read_text(encoding="utf-8")
    assert text.startswith(
        "| THÀNH ỦY HẢI PHÒNG<br>**BAN DÂN VẬN**<br>\\*<br>Số 215-BC/BDVTU |"
        " **ĐẢNG CỘNG SẢN VIỆT NAM**<br><br>*Hải Phòng, ngày 20 tháng 9 năm "
        "2023* |"
    )
    assert "\n# BÁO CÁO\n" in text
    assert "### I- ĐẶC ĐIỂM TÌNH HÌNH" in text
    assert "#### 1. Công tác lãnh đạo, chỉ đạo của cấp ủy, tổ chức đảng" in text
    assert "**Nơi nhận:**" in text
    assert "\n- Lưu.\n" in text
    assert "**K/T TRƯỞNG BAN**<br>**PHÓ TRƯỞNG BAN**" in text
    assert f"*\\[{PLACEHOLDER[1:-1]}\\]*" in text


def test_figures_and_footnotes(context: dict[str, Any]) -> None:
    text = render_markdown(context)
    assert (
        "Tổ chức 470 cuộc đối thoại giữa người đứng đầu cấp ủy, chính quyền các cấp với "
        "Nhân dân (06 cuộc cấp thành phố; 112 cuộc cấp quận, huyện; 352 cuộc cấp xã, "
        "phường)[^"
    ) in text
    assert "hồ sơ của 12/222 cơ sở tôn giáo (đạt 54,5% kế hoạch năm)" in text
    refs = re.findall(r"\[\^(\d+)\](?!:)", text)
    defs = re.findall(r"^\[\^(\d+)\]: ", text, flags=re.M)
    assert refs == defs == [str(n["number"]) for n in context["footnotes"]]


def test_markdown_special_characters_are_escaped(context: dict[str, Any]) -> None:
    crafted = dict(context)
    crafted["blocks"] = [
        {
            "kind": "paragraph",
            "section": "I",
            "source": "user",
            "style": "body",
            "text": "",
            "segments": [{"text": "1. *không* phải danh sách [x](y) | a_b"}],
        }
    ]
    crafted["footnotes"] = []
    text = render_markdown(crafted)
    assert "1\\. \\*không\\* phải danh sách \\[x\\](y) \\| a\\_b" in text


def test_term_and_follow_up_reports(demo_store: Any) -> None:
    tree = demo_store.state().tree
    code = next(c for c in tree.codes() if tree.state(c).name == demo_run.TERM_COMMUNE)
    term = render_markdown(
        build_context(demo_store, unit=code, period="2020-2025", report="term-commune")
    )
    assert "Tổng kết công tác dân vận nhiệm kỳ 2020 - 2025" in term
    assert "…" not in term
    follow = render_markdown(
        build_context(
            demo_store, unit="HP", period="2023-9M", report="follow-up", as_of="2023-09-30"
        )
    )
    assert "| TT | Nhiệm vụ | Đơn vị chủ trì | Thời hạn | Tình trạng | Ghi chú |" in follow
    assert "quá hạn 15 ngày" in follow
    assert "| **1** | **Nhiệm vụ chung** |" in follow  # the conclusion's groups, in bold


def test_no_zero_padded_as_00(context: dict[str, Any]) -> None:
    """Issue 13: small counts are padded ("06 cuộc") and nothing reads "00"."""
    text = render_markdown(context)
    assert re.findall(r"(?<![\d.,:])00(?!\d)", text) == []
    assert "chưa có cơ sở nào: quận Hải An (02 cơ sở)" in text
    assert "Tin lành 06 cơ sở" in text


def test_follow_up_says_no_zero(demo_store: Any) -> None:
    from dvcore.reports.follow_up import task_progress as _task_progress

    assert "00" not in _task_progress(6, 0, 0)
    assert _task_progress(6, 6, 0) == "cả 06 nhiệm vụ đã hoàn thành"
    assert _task_progress(6, 2, 0) == "02 nhiệm vụ đã hoàn thành; 04 nhiệm vụ chưa hoàn thành"
    assert (
        _task_progress(6, 0, 2) == "các nhiệm vụ đều chưa hoàn thành, trong đó 02 nhiệm vụ quá hạn"
    )
    text = render_markdown(
        build_context(
            demo_store, unit="HP", period="2023-9M", report="follow-up", as_of="2023-09-30"
        )
    )
    assert re.findall(r"(?<![\d.,:])00(?!\d)", text) == []
