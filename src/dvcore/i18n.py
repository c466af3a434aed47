"""Messages in the reader's language: gettext catalogs for Vietnamese and English.

Every text a clerk reads (command-line help, progress, import results, errors, review)
is written in the code as an English message id, marked with :func:`_`, and translated
through the catalogs under ``dvcore/locale/`` (built with Babel). The language is
:func:`set_language`'s, else ``$DVCORE_LANG``, else Vietnamese.

Placeholders are named and filled after translation, so a translator may move them::

    _("unknown unit '{code}'", code="HP.XX")

The catalogs are ``dvcore/locale/<lang>/LC_MESSAGES/dvcore.po``, compiled to ``.mo`` files
that are committed next to them (a test fails when the two disagree): an install needs no
Babel. ``docs/cli.md`` says how to extract and translate new messages.
"""

from __future__ import annotations

import functools
import gettext as _gettext
import os
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "Language",
    "_",
    "_n",
    "gettext",
    "language",
    "ngettext",
    "set_language",
]

#: The gettext domain of dvcore's catalogs.
DOMAIN = "dvcore"
#: Where the catalogs are: ``LOCALE_DIR/<lang>/LC_MESSAGES/dvcore.mo``.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

Language = Literal["vi", "en"]
#: The languages dvcore speaks; the first is the default.
LANGUAGES: tuple[Language, ...] = ("vi", "en")

_chosen: Language | None = None


def set_language(lang: str | None) -> None:
    """Choose the language of messages (``None``: back to ``$DVCORE_LANG`` or Vietnamese)."""
    global _chosen
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    _chosen = lang


def language() -> Language:
    """The language messages are in now."""
    if _chosen is not None:
        return _chosen
    env = os.environ.get("DVCORE_LANG", "").strip().lower()[:2]
    return env if env in LANGUAGES else LANGUAGES[0]


@functools.cache
def _translations(lang: Language) -> _gettext.NullTranslations:
    # fallback=True: a missing catalog (a broken install) shows the English message ids
    return _gettext.translation(DOMAIN, str(LOCALE_DIR), languages=[lang], fallback=True)


def gettext(message: str, /) -> str:
    """``message`` in the current language, as it is (no placeholders filled)."""
    return _translations(language()).gettext(message)


def ngettext(singular: str, plural: str, count: int, /) -> str:
    """The singular or plural of a message in the current language, as it is."""
    return _translations(language()).ngettext(singular, plural, count)


def _(message: str, /, **values: Any) -> str:
    """``message`` in the current language, its ``{placeholders}`` filled from ``values``."""
    text = gettext(message)
    return text.format(**values) if values else text


def _n(singular: str, plural: str, count: int, /, **values: Any) -> str:
    """The singular or plural of a message for ``count``, its placeholders filled from
    ``values`` and ``count``."""
    return ngettext(singular, plural, count).format(count=count, **values)


def N_(message: str, /) -> str:
    """Mark ``message`` for the catalogs without translating it: it is translated later,
    where it is shown (command-line help, stored when click reads the decorators)."""
    return message
