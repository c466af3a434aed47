"""Format profiles: how a Party document is laid out, as versioned settings.

A profile is the page, fonts and conventions of one guidance on Party documents. The
default is Hướng dẫn 36-HD/VPTW (2018) of the Central Party Office: A4, margins top 20,
bottom 20, left 30, right 15 mm; Times New Roman 13–14 pt; the header "ĐẢNG CỘNG SẢN VIỆT
NAM"; "Số 123-BC/BDVTU" without a colon; the place-and-date line in italics with a leading
zero for days below 10 and for months 1 and 2; "Nơi nhận:" bottom left in 11 pt; page
numbers from page 2, centred at the top.

A newer guidance (05-HD/VPTW, 2026) is reported to replace it. Its content is not verified
here, so its profile repeats the 2018 values and says so (``verified=False``); it exists so
that a document dated after it takes effect is matched to it by :func:`profile_for`, and
so that its values can be corrected in one place. An older provincial handbook's margins
(25/25/35/15 mm) are a third profile, chosen only by name.

Exporters read every layout value from the profile; none is a constant of an exporter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from dvcore.errors import InputError

__all__ = [
    "DEFAULT_PROFILE",
    "PROFILES",
    "FormatProfile",
    "get_profile",
    "profile_for",
]


@attrs.frozen(kw_only=True)
class FormatProfile:
    """The layout of a Party document under one guidance (sizes in mm and points)."""

    name: str
    #: the guidance it follows, as a reader would cite it
    guidance: str
    #: the first document date it applies to (``None``: only chosen by name)
    valid_from: dt.date | None
    #: whether the values were checked against the published guidance
    verified: bool = True
    page_width_mm: float = 210.0
    page_height_mm: float = 297.0
    margin_top_mm: float = 20.0
    margin_bottom_mm: float = 20.0
    margin_left_mm: float = 30.0
    margin_right_mm: float = 15.0
    font: str = "Times New Roman"
    #: the body text (13–14 pt)
    body_pt: float = 14.0
    #: the header lines ("ĐẢNG CỘNG SẢN VIỆT NAM", the issuing body)
    header_pt: float = 14.0
    #: the document type in the title ("BÁO CÁO", 15–16 pt, bold)
    title_pt: float = 16.0
    #: the summary under the title (bold)
    summary_pt: float = 14.0
    #: footnotes
    footnote_pt: float = 12.0
    #: "Nơi nhận:" and its items
    recipients_pt: float = 11.0
    #: the signature block
    signature_pt: float = 14.0
    #: the page number at the top of pages 2 onwards
    page_number_pt: float = 14.0
    #: first-line indent of body paragraphs
    first_line_indent_mm: float = 10.0
    #: space after a body paragraph
    paragraph_after_pt: float = 6.0
    #: line spacing of the body, as a multiple of single
    line_spacing: float = 1.0
    party_header: str = "ĐẢNG CỘNG SẢN VIỆT NAM"
    #: what stands before the document number: "Số " (Party) — state documents write "Số: "
    number_prefix: str = "Số "
    recipients_label: str = "Nơi nhận:"


PROFILES: Mapping[str, FormatProfile] = MappingProxyType(
    {
        "36-HD/VPTW-2018": FormatProfile(
            name="36-HD/VPTW-2018",
            guidance="Hướng dẫn số 36-HD/VPTW, ngày 03/4/2018 của Văn phòng Trung ương Đảng",
            valid_from=dt.date(2018, 4, 3),
        ),
        "05-HD/VPTW-2026": FormatProfile(
            name="05-HD/VPTW-2026",
            guidance="Hướng dẫn số 05-HD/VPTW (2026) của Văn phòng Trung ương Đảng "
            "(chưa đối chiếu: dùng các giá trị của Hướng dẫn 36-HD/VPTW)",
            # The date it takes effect is not verified: the start of 2026 is assumed.
            valid_from=dt.date(2026, 1, 1),
            verified=False,
        ),
        "tinh-25-25-35-15": FormatProfile(
            name="tinh-25-25-35-15",
            guidance="Sổ tay công tác văn phòng cấp ủy của một tỉnh (lề 25/25/35/15 mm)",
            valid_from=None,
            margin_top_mm=25.0,
            margin_bottom_mm=25.0,
            margin_left_mm=35.0,
            margin_right_mm=15.0,
        ),
    }
)
"""Every profile, by name."""

DEFAULT_PROFILE = "36-HD/VPTW-2018"
"""The profile of a document dated before any dated profile applies, or when none is asked."""


def get_profile(name: str) -> FormatProfile:
    """The profile called ``name``; :class:`~dvcore.errors.InputError` names the known ones."""
    try:
        return PROFILES[name]
    except KeyError:
        raise InputError(
            f"unknown format profile '{name}'; known: {', '.join(sorted(PROFILES))}",
            profile=name,
        ) from None


def profile_for(day: dt.date) -> FormatProfile:
    """The dated profile in force on ``day``: the latest whose ``valid_from`` is on or before it."""
    dated = sorted(
        (p for p in PROFILES.values() if p.valid_from is not None),
        key=lambda p: p.valid_from or dt.date.min,
    )
    chosen = PROFILES[DEFAULT_PROFILE]
    for profile in dated:
        if profile.valid_from is not None and profile.valid_from <= day:
            chosen = profile
    return chosen
