"""Tests of dvcore-html: one self-contained page, SVG charts, and headless Chromium.

The page must load nothing from anywhere (no script, stylesheet, font or image), say
``lang="vi"``, draw its charts as inline SVG, and render in Chromium: a test takes a
headless screenshot (Debian's ``chromium``, installed with apt-get when missing) and checks
it is a PNG with something drawn on it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from dvcore_html import HtmlExporter, render_html
from dvcore_html import plugin as html_plugin

from dvcore.registry import get_plugin_manager, plugin_exporters
from dvcore.testing import demo
from dvcore.testing.contracts import ExporterContract


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    store, _counts = demo.open_demo_store(
        f"sqlite:///{tmp_path_factory.mktemp('html') / 'demo.db'}"
    )
    yield store
    store.close()


@pytest.fixture(scope="module")
def context(demo_store: Any) -> dict[str, Any]:
    return demo.demo_context(demo_store)


@pytest.fixture(scope="module")
def page(context: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return HtmlExporter().export(context, tmp_path_factory.mktemp("page") / "bao-cao.html")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_registered_through_the_entry_point() -> None:
    exporters = plugin_exporters(get_plugin_manager(autoload=True))
    assert isinstance(exporters["html"], HtmlExporter)


def test_self_contained(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(html)
    tags = parser.tags
    assert tags[0] == ("html", {"lang": "vi"})
    names = {t for t, _ in tags}
    assert not names & {"script", "link", "img", "iframe", "object", "embed"}
    for _tag, attrs in tags:
        for key in ("src", "href", "xlink:href"):
            value = attrs.get(key)
            assert value is None or value.startswith("#"), (key, value)
    assert not re.search(r"https?://(?!www\.w3\.org/)", html)  # only SVG namespaces
    assert "@import" not in html
    assert all(u.startswith("#") for u in re.findall(r"url\(([^)]*)\)", html))
    assert html.count("<svg") >= 6
    assert '<meta charset="utf-8">' in html


def test_charts_and_tables(context: dict[str, Any], page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    for target in context["target_rows"]:
        assert f"{target['code']}: tỷ lệ theo đơn vị" in html
    assert "Cuộc đối thoại của người đứng đầu với Nhân dân theo cấp" in html
    assert "Mô hình “Dân vận khéo” đăng ký theo lĩnh vực" in html
    assert "Cùng kỳ 9 tháng năm 2022" in html
    assert "12/222" in html
    assert "54,5%" in html
    assert "Huyện Thủy Nguyên" in html
    assert "Tổ chức 470 cuộc đối thoại" in html
    assert html.count('class="placeholder"') == 19


def test_text_is_escaped(context: dict[str, Any]) -> None:
    crafted = {
        **context,
        "blocks": [
            {
                "kind": "paragraph",
                "section": "I",
                "source": "user",
                "style": "body",
                "text": "",
                "segments": [{"text": "<script>alert(1)</script>"}],
            }
        ],
    }
    html = render_html(crafted)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _chromium() -> str:
    found = shutil.which("chromium")
    if found:
        return found
    if os.name != "posix" or os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip("chromium is missing and cannot be installed here (apt-get as root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, capture_output=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", "chromium"], check=True, env=env, capture_output=True
    )
    found = shutil.which("chromium")
    assert found, "apt-get installed chromium but it is still missing"
    return found


def test_renders_in_headless_chromium(page: Path, tmp_path: Path) -> None:
    chromium = _chromium()
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1200,1600",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    with Image.open(shot) as image:
        assert image.size == (1200, 1600)
        colors = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
        assert len(colors) > 50  # text, bars and charts, not a blank page
        gray = image.convert("L")
        dark = sum(gray.histogram()[:128])
        assert dark > 0.005 * image.size[0] * image.size[1]


class TestHtmlContract(ExporterContract):
    """The cases every exporter passes (dvcore.testing.contracts), for the HTML exporter."""

    plugin = html_plugin
    report_kinds = ("periodic", "follow-up")

    @pytest.fixture
    def exporter(self) -> HtmlExporter:
        return HtmlExporter()
