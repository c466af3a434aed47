"""Tests of dvcore-html: one self-contained page, SVG charts, and headless Chromium.

The page must load nothing from anywhere (no script, stylesheet, font or image), say
``lang="vi"``, draw its charts as inline SVG, and render in Chromium: a test takes a
headless screenshot (Debian's ``chromium``, installed with apt-get when missing) and checks
it is a PNG with something drawn on it.

Everything a reader sees is Vietnamese (no code such as ``city``, ``host``, ``periodic`` or
``dialogue.count`` in the text, the tables or the charts), an instant is Vietnam's time, and
the year before is compared only where it holds data: the demo has none for 2022 (no column,
no chart series), a small store has some (a column, "—" for the indicators without).
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

from dvcore import open_store
from dvcore.registry import get_plugin_manager, plugin_exporters
from dvcore.reports import build_context
from dvcore.testing import Clock, demo
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
    assert "Cùng kỳ" not in html  # the demo holds no data for 2022
    assert "12/222" in html
    assert "54,5%" in html
    assert "Huyện Thủy Nguyên" in html
    assert "Tổ chức 470 cuộc đối thoại" in html
    # 19 leaf sections, 7 of them written by the demo's districts
    assert html.count('class="placeholder"') == 12


class _Text(HTMLParser):
    """The text a reader sees: every text node (SVG labels included), no style sheet."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if not self._style and data.strip():
            self.parts.append(data.strip())


def _visible(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


# Codes a reader must never see: levels, unit kinds, dimensions and their keys, report kinds.
_CODES = re.compile(
    r"\b(city|district|commune|communes|other|host|field|kind|level|group|activity|periodic"
    r"|departments_districts|party_secretary|chairman|ntm_model|units_with)\b"
)


def test_a_reader_sees_no_code(context: dict[str, Any], page: Path) -> None:
    texts = _visible(page.read_text(encoding="utf-8"))
    codes = set(context["figure"])
    for text in texts:
        assert not _CODES.search(text), text
        assert not any(code in text for code in codes), text
    joined = "\n".join(texts)
    assert "Xã, phường, thị trấn" in joined  # the one-stop figure's groups
    assert "Sở, ban, ngành, quận, huyện" in joined
    assert "cấp thành phố" in joined


def test_times_are_vietnam_time(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", html)
    assert "+00:00" not in html
    # REPORTED_AT is 20/9/2023 10:00 in Vietnam (03:00 UTC)
    assert "Số liệu như đã ghi nhận đến 20/9/2023 10:00" in html


def _units(*codes: tuple[str, str, str | None]) -> list[dict[str, Any]]:
    kinds = {0: "city", 1: "district", 2: "commune"}
    return [
        {
            "type": "UnitRegistered",
            "occurred_on": "2022-01-01",
            "unit": "X",
            "data": {"code": code, "name": name, "kind": kinds[code.count(".")], "parent": up},
        }
        for code, name, up in codes
    ]


def _dialogue(unit: str, day: str) -> dict[str, Any]:
    return {
        "type": "DialogueHeld",
        "occurred_on": day,
        "unit": unit,
        "data": {"host": "chairman", "title": "Đối thoại", "audience": "Nhân dân"},
    }


@pytest.fixture(scope="module")
def prior_context(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A city with dialogues in 2022 and 2023, and models registered in 2023 only."""
    path = tmp_path_factory.mktemp("prior") / "x.db"
    store = open_store(f"sqlite:///{path}", clock=Clock(demo.REPORTED_AT))
    try:
        store.append(
            [
                *_units(
                    ("X", "Thành phố X", None),
                    ("X.1", "Quận Một", "X"),
                    ("X.1.a", "Phường A", "X.1"),
                ),
                _dialogue("X.1", "2022-03-01"),
                _dialogue("X.1.a", "2022-04-01"),
                _dialogue("X.1.a", "2023-03-01"),
                _dialogue("X.1", "2023-03-02"),
                {
                    "type": "ModelRegistered",
                    "occurred_on": "2023-05-01",
                    "unit": "X.1.a",
                    "data": {"model_id": "M1", "name": "Mô hình", "field": "digital"},
                },
            ],
            actor="X",
        )
        return build_context(store, unit="X", period="2023")
    finally:
        store.close()


def _row(html: str, title: str) -> list[str]:
    match = re.search(r"<tr><td>" + re.escape(title) + r"</td>(.*?)</tr>", html)
    assert match, title
    return re.findall(r"<td[^>]*>(.*?)</td>", match.group(1))


def test_no_zero_for_a_year_without_data(prior_context: dict[str, Any]) -> None:
    html = render_html(prior_context)
    figure = prior_context["figure"]
    assert "<th>Cùng kỳ năm 2022</th>" in html
    # unit, this year, the year before, details
    assert _row(html, figure["dialogue.count"]["title"])[1:3] == ["2", "2"]
    # models were first registered in 2023: the year before has no figure, not 0
    assert _row(html, figure["model.registered"]["title"])[1:3] == ["1", "—"]
    charts = re.findall(r"<figure>(.*?)</figure>", html, re.S)
    by_title = {next(t for t in _visible(c) if " theo " in t): c for c in charts if "<svg" in c}
    dialogue = by_title[f"{figure['dialogue.count']['title']} theo cấp"]
    model = by_title[f"{figure['model.registered']['title']} theo lĩnh vực"]
    assert "Cùng kỳ năm 2022" in _visible(dialogue)  # a series for the year before
    assert "Cùng kỳ năm 2022" not in _visible(model)  # none where it had no data
    for text in _visible(html):
        assert not _CODES.search(text), text


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
