"""A report's document details: header blocks, number, place and date, recipients, signature."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from dvcore.errors import InputError
from dvcore.periods import format_date
from dvcore.reports.reader import Reader
from dvcore.reports.sections import Sections
from dvcore.reports.wording import COMMITTEE_SYMBOLS, committee_name, proper_name


def signature_block(text: str | Sequence[str], signer: str | None) -> dict[str, Any]:
    # "K/T TRƯỞNG BAN / PHÓ TRƯỞNG BAN": lines split on " / " (K/T, T/M keep their slash)
    parts = re.split(r"\s+/\s+", text) if isinstance(text, str) else list(text)
    lines = [str(p).strip() for p in parts if str(p).strip()]
    mode = None
    if lines:
        match = re.match(r"^(T/M|K/T|T/L|TM\.|KT\.|TL\.)\s", lines[0])
        mode = match.group(1) if match else None
    if mode == "K/T":
        whom = lines[0][4:].upper()
        committee_words = (
            "BAN THƯỜNG VỤ",
            "BAN CHẤP HÀNH",
            "ĐẢNG ỦY",
            "THÀNH ỦY",
            "TỈNH ỦY",
            "HUYỆN ỦY",
            "QUẬN ỦY",
            "THỊ ỦY",
            "CHI ỦY",
            "CẤP ỦY",
        )
        if any(w in whom for w in committee_words):
            raise InputError(
                f"signature '{' / '.join(lines)}': a committee never signs K/T "
                "(write T/M for a collective)",
                signature=lines[0],
            )
    return {"mode": mode, "lines": lines, "name": signer or ""}


def document_details(
    report: str,
    reader: Reader,
    sections: Sections,
    options: Mapping[str, Any],
    summary: list[str],
    day: dt.date,
) -> dict[str, Any]:
    tree = reader.tree
    state = tree.state(
        reader.unit,
        min(reader.period.end, day)
        if tree.exists(reader.unit, min(reader.period.end, day))
        else reader.period.end,
    )
    committee = committee_name(state.name, state.kind)
    meta = {**sections.meta, **{k: v for k, v in options.items() if v is not None}}
    if report == "term-commune":
        parent = state.parent
        parent_state = (
            tree.state(parent, reader.period.end) if parent is not None and parent in tree else None
        )
        superior = f"ĐẢNG BỘ {parent_state.name.upper()}" if parent_state else ""
        issuer = f"ĐẢNG ỦY {state.name.upper()}"
        symbol = "BC/ĐU"
        signature: str | list[str] = ["T/M ĐẢNG ỦY", "BÍ THƯ"]
        parent_committee = (
            committee_name(parent_state.name, parent_state.kind)
            if parent_state
            else "cấp ủy cấp trên"
        )
        recipients = [
            f"Ban Thường vụ {parent_committee} (để b/c),",
            f"Ban Dân vận {parent_committee},",
            "Lưu VP.",
        ]
        doc_type = "BÁO CÁO"
    else:
        # "THÀNH ỦY HẢI PHÒNG", "HUYỆN ỦY THỦY NGUYÊN"; a commune's committee keeps its
        # place word: "ĐẢNG ỦY XÃ NGŨ LÃO", never "ĐẢNG ỦY NGŨ LÃO"
        place = state.name if committee == "Đảng ủy" else proper_name(state.name)
        superior = f"{committee} {place}".upper()
        issuer = "BAN DÂN VẬN"
        symbol = f"BC/BDV{COMMITTEE_SYMBOLS.get(committee, 'ĐU')}"
        signature = ["TRƯỞNG BAN"]
        recipients = [f"Thường trực {committee} (để b/c),", "Lưu."]
        doc_type = "BÁO CÁO"
    superior = str(meta.get("superior", superior))
    issuer = str(meta.get("issuer", issuer))
    number = meta.get("number")
    if number is not None and not str(number).strip():
        number = None
    number_text = f"Số {number}" if number else f"Số     -{symbol}"
    place = str(meta.get("place", proper_name(state.name)))
    items = meta.get("recipients", recipients)
    if isinstance(items, str):
        items = [items]
    items = [str(i).strip().lstrip("-").strip() for i in items if str(i).strip()]
    if not items or not items[-1].startswith("Lưu"):
        items.append("Lưu.")
    sig = signature_block(meta.get("signature", signature), meta.get("signer"))
    return {
        "party_header": "ĐẢNG CỘNG SẢN VIỆT NAM",
        "superior": superior,
        "issuer": issuer,
        "number": number,
        "symbol": symbol,
        "number_text": number_text,
        "place": place,
        "date": day,
        "date_text": format_date(day, document=True),
        "place_date": f"{place}, {format_date(day, document=True)}",
        "type": doc_type,
        "summary_lines": summary,
        "summary": " ".join(summary),
        "recipients": items,
        "signature": sig,
    }
