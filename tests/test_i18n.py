"""The message catalogs: every marked message translated, each .mo what its .po says.

The catalogs' source is ``src/dvcore/locale/<lang>/LC_MESSAGES/dvcore.po``; the compiled
``.mo`` files are committed next to them, so an install needs no Babel. These tests fail
when a message is added without a Vietnamese translation, or a .po is edited and not
compiled (docs/cli.md, "Languages", has the commands).
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pytest

from dvcore import i18n
from dvcore.i18n import _, _n, set_language

babel = pytest.importorskip("babel")
from babel.messages.catalog import Catalog  # noqa: E402 (after the importorskip)
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir  # noqa: E402
from babel.messages.mofile import read_mo, write_mo  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

SRC = Path(i18n.__file__).resolve().parent
#: what babel.cfg and the documented ``pybabel extract -k _n:1,2`` say
KEYWORDS = {**DEFAULT_KEYWORDS, "_n": (1, 2)}
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([a-z]+\)s")


def _catalog(lang: str) -> Catalog:
    with (SRC / "locale" / lang / "LC_MESSAGES" / "dvcore.po").open("rb") as f:
        return read_po(f, locale=lang)


def _marked() -> set[str | tuple[str, ...]]:
    """Every message id marked in src/dvcore, extracted as pybabel extract does."""
    found: set[str | tuple[str, ...]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(SRC), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def _messages(catalog: Catalog) -> dict[object, object]:
    return {
        m.id if isinstance(m.id, str) else tuple(m.id): (
            m.string if isinstance(m.string, str) else tuple(m.string)
        )
        for m in catalog
        if m.id
    }


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_marked_message_is_translated(lang: str) -> None:
    translated = {k for k, v in _messages(_catalog(lang)).items() if v and all(v)}
    missing = sorted(map(str, _marked() - translated))
    assert not missing, (
        f"messages without a translation in {lang}/LC_MESSAGES/dvcore.po "
        "(see docs/cli.md, 'Languages'): " + "; ".join(missing)
    )


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_each_mo_file_is_its_po_file_compiled(lang: str) -> None:
    po = _catalog(lang)
    with (SRC / "locale" / lang / "LC_MESSAGES" / "dvcore.mo").open("rb") as f:
        mo = read_mo(f)
    compiled = io.BytesIO()
    write_mo(compiled, po)
    compiled.seek(0)
    assert _messages(mo) == _messages(read_mo(compiled)), (
        f"{lang}/LC_MESSAGES/dvcore.mo is not its .po compiled: run pybabel compile "
        "(docs/cli.md, 'Languages')"
    )


def test_translations_keep_placeholders_and_are_nfc() -> None:
    for msgid, text in _messages(_catalog("vi")).items():
        ids = (msgid,) if isinstance(msgid, str) else msgid
        texts = (text,) if isinstance(text, str) else text
        for translated in texts:
            assert isinstance(translated, str)
            assert unicodedata.normalize("NFC", translated) == translated, msgid
            assert set(PLACEHOLDER.findall(translated)) == set(PLACEHOLDER.findall(ids[-1])), msgid


def test_english_catalog_is_the_message_ids() -> None:
    for msgid, text in _messages(_catalog("en")).items():
        assert text == msgid


def test_messages_follow_the_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DVCORE_LANG", raising=False)
    try:
        set_language(None)
        assert _("unknown unit '{code}'", code="HP.XX") == "không có đơn vị 'HP.XX'"
        set_language("en")
        assert _("unknown unit '{code}'", code="HP.XX") == "unknown unit 'HP.XX'"
        assert _n(
            "{count} problem; nothing was written:", "{count} problems; nothing was written:", 2
        ) == ("2 problems; nothing was written:")
        set_language("vi")
        assert _n(
            "{count} problem; nothing was written:", "{count} problems; nothing was written:", 2
        ) == ("2 lỗi; chưa ghi gì:")
        monkeypatch.setenv("DVCORE_LANG", "en")
        set_language(None)
        assert _("yes") == "yes"
    finally:
        set_language(None)
