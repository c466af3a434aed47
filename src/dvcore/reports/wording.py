"""How the reports word things: unit kinds and committees, counts, dates, periods, documents.

Built on :mod:`dvcore.periods` and :mod:`dvcore.indicators`' formatting functions; every
report module words its sentences with these, so one rule ("06", never "00"; "ngày
15/9/2023"; "Quyết định số 984-QĐ/TU") holds across the reports.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from dvcore.indicators import format_number
from dvcore.periods import Period, period_name

#: What a heading without the user's text shows.
PLACEHOLDER = "[Nội dung do đơn vị bổ sung]"
#: What a blank of the term report shows when the store has nothing for it.
MISSING = "(chưa có số liệu)"

# --- words ----------------------------------------------------------------------------------

KIND_NAMES: Mapping[str, str] = {
    "province": "tỉnh",
    "city": "thành phố",
    "district": "quận, huyện",
    "town": "thị xã",
    "commune": "xã",
    "ward": "phường",
    "township": "thị trấn",
    "department": "sở, ban, ngành",
    "armed_force": "lực lượng vũ trang",
    "mass_org": "Mặt trận Tổ quốc, tổ chức chính trị - xã hội",
    "village": "thôn, tổ dân phố",
}

#: Administrative prefixes a unit's name may start with, longest first.
PREFIXES = ("thành phố", "thị trấn", "thị xã", "tỉnh", "quận", "huyện", "phường", "xã")

COMMITTEES: Mapping[str, str] = {
    "tỉnh": "Tỉnh ủy",
    "thành phố": "Thành ủy",
    "quận": "Quận ủy",
    "huyện": "Huyện ủy",
    "thị xã": "Thị ủy",
}
COMMITTEE_SYMBOLS: Mapping[str, str] = {
    "Tỉnh ủy": "TU",
    "Thành ủy": "TU",
    "Quận ủy": "QU",
    "Huyện ủy": "HU",
    "Thị ủy": "TU",
    "Đảng ủy": "ĐU",
}

LEVEL_WORDS: Mapping[str, str] = {
    "city": "cấp thành phố",
    "district": "cấp quận, huyện",
    "commune": "cấp xã, phường",
    "other": "ở các sở, ban, ngành, đơn vị khác",
}
PROVINCE_LEVEL_WORDS: Mapping[str, str] = {
    "city": "cấp tỉnh",
    "district": "cấp huyện",
    "commune": "cấp xã",
    "other": "ở các sở, ban, ngành, đơn vị khác",
}
HOSTS: Mapping[str, str] = {
    "party_secretary": "Bí thư cấp ủy",
    "chairman": "Chủ tịch Ủy ban nhân dân",
    "standing_committee": "Thường trực cấp ủy",
    "other": "hình thức khác",
}
FIELDS: Mapping[str, str] = {
    "ntm_model": "xây dựng nông thôn mới kiểu mẫu",
    "urban": "chỉnh trang, hiện đại hóa đô thị",
    "digital": "chuyển đổi số",
    "security": "bảo đảm an ninh, trật tự",
    "economy": "phát triển kinh tế",
    "culture_society": "văn hóa - xã hội",
    "other": "các lĩnh vực khác",
}
CASE_KINDS: Mapping[str, str] = {
    "complaint": "khiếu nại",
    "denunciation": "tố cáo",
    "petition": "kiến nghị",
}
INSPECTION_KINDS: Mapping[str, str] = {"inspection": "kiểm tra", "supervision": "giám sát"}
DOCUMENT_KINDS: Mapping[str, str] = {
    "resolution": "nghị quyết",
    "directive": "chỉ thị",
    "plan": "kế hoạch",
    "official_letter": "công văn",
    "conclusion": "kết luận",
    "regulation": "quy định, quy chế",
    "notice": "thông báo",
    "report": "báo cáo",
    "circular": "thông tri",
    "decision": "quyết định",
    "guidance": "hướng dẫn",
    "programme": "chương trình",
}
#: The type code in a document's number says its kind (REFERENCES.md, Hướng dẫn
#: 36-HD/VPTW): ``984-QĐ/TU`` is a quyết định whatever the event's ``kind`` says.
SYMBOL_WORDS: Mapping[str, str] = {
    "NQ": "nghị quyết",
    "CT": "chỉ thị",
    "KL": "kết luận",
    "QĐ": "quyết định",
    "QĐi": "quy định",
    "QC": "quy chế",
    "TT": "thông tri",
    "HD": "hướng dẫn",
    "CTr": "chương trình",
    "KH": "kế hoạch",
    "TB": "thông báo",
    "BC": "báo cáo",
    "CV": "công văn",
    "TTr": "tờ trình",
    "ĐA": "đề án",
    "PA": "phương án",
    "BB": "biên bản",
}
#: ``984-QĐ/TU`` (a Party document) or ``41/QĐ-UBND``, ``30/2020/NĐ-CP`` (a state one).
PARTY_NUMBER = re.compile(r"^\s*\d+[a-z]?-([^\W\d_]+)/", re.UNICODE)
STATE_NUMBER = re.compile(r"^\s*\d+/(?:\d{4}/)?([^\W\d_]+)-", re.UNICODE)
#: Words a document's title may start with: they become "<word> số <number>, ngày …".
DOCUMENT_WORDS = (
    "Nghị quyết",
    "Chỉ thị",
    "Thông tri",
    "Kế hoạch",
    "Công văn",
    "Kết luận",
    "Quy định",
    "Quy chế",
    "Quyết định",
    "Thông báo",
    "Báo cáo",
    "Chương trình",
    "Hướng dẫn",
    "Đề án",
)
#: Attribute phrases in a target's population filter ("xã xây dựng nông thôn mới kiểu mẫu").
ATTRIBUTE_WORDS: Mapping[str, str] = {"ntm_model": "xây dựng nông thôn mới kiểu mẫu"}

WORDED_DIMENSIONS: Mapping[str, Mapping[str, str]] = {
    "host": HOSTS,
    "field": FIELDS,
}


def kind_name(kind: str) -> str:
    """A unit kind as Vietnamese names it: ``commune`` → ``xã``, ``district`` → ``quận, huyện``."""
    return KIND_NAMES.get(kind, kind)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def name_prefix(name: str) -> str | None:
    lowered = nfc(name).casefold()
    for prefix in PREFIXES:
        if lowered.startswith(prefix + " "):
            return prefix
    return None


def proper_name(name: str) -> str:
    prefix = name_prefix(name)
    return name[len(prefix) + 1 :].strip() if prefix else name


def lower_name(name: str) -> str:
    """``Xã Ngũ Lão`` → ``xã Ngũ Lão`` (the prefix lowered, as inside a sentence)."""
    prefix = name_prefix(name)
    return f"{prefix} {proper_name(name)}" if prefix else name


def unit_word(name: str, kind: str) -> str:
    """What a unit calls itself in "toàn thành phố", "toàn huyện": its name's prefix."""
    return name_prefix(name) or kind_name(kind)


def committee_name(name: str, kind: str) -> str:
    """The party committee of a unit: ``Thành ủy``, ``Huyện ủy``, ``Quận ủy``, ``Đảng ủy``…"""
    prefix = name_prefix(name)
    if prefix is not None and prefix in COMMITTEES:
        return COMMITTEES[prefix]
    if kind == "province":
        return "Tỉnh ủy"
    if kind == "city":
        return "Thành ủy"
    if kind == "town":
        return "Thị ủy"
    return "Đảng ủy"


def doc_date(day: dt.date) -> str:
    """A date in a document reference: ``06/12/2022``, ``27/4/2023``, ``03/01/2023``."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{day.day:02d}/{month}/{day.year}"


def short_date(day: dt.date) -> str:
    return f"{day.day}/{day.month}/{day.year}"


def superscript(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def roman(number: int) -> str:
    return ("I", "II", "III", "IV")[number - 1]


def cap(text: str) -> str:
    """The first letter in capitals, the rest untouched (``str.capitalize`` lowers names)."""
    return text[:1].upper() + text[1:]


def uncap(text: str) -> str:
    return text[:1].lower() + text[1:]


def as_int(value: Decimal | int | None) -> int:
    return 0 if value is None else int(value)


def num_text(value: Decimal | int | float | None) -> str:
    return "—" if value is None else format_number(value)


def count_text(value: Decimal | int) -> str:
    """A count in prose, by the one rule of the reports: ``06``, ``112``, ``2.035``, ``0``.

    Counts from 1 to 9 take a leading zero (REFERENCES.md); nothing reads ``00``: a
    sentence leaves a zero out or says "không có", and a table writes ``0``.
    """
    if value == 0:
        return "0"
    if value == int(value) and 0 < value < 10:
        return f"{int(value):02d}"
    return format_number(value)


def ratio_text(numerator: int, denominator: int) -> str:
    """``03/06``, ``228/233``; a zero numerator stays ``0`` (``0/05``), never ``00``."""
    return f"{count_text(numerator)}/{count_text(denominator)}"


def quote(text: str) -> str:
    """``“text”``, with the quotes inside it turned to single ones."""
    inner = nfc(text).replace("“", "‘").replace("”", "’")
    return f"“{inner}”"


# --- periods --------------------------------------------------------------------------------


def period_text(period: Period) -> str:
    """A period as a report names it: ``9 tháng năm 2023``, ``6 tháng đầu năm 2023``, …"""
    kind, year, n = period_name(period)
    if kind == "year" or (kind == "cumulative" and n == 12):
        return f"năm {year}"
    if kind == "quarter":
        return f"quý {roman(n)} năm {year}"
    if kind == "half":
        return f"6 tháng {'đầu' if n == 1 else 'cuối'} năm {year}"
    if kind == "cumulative":
        return f"6 tháng đầu năm {year}" if n == 6 else f"{n} tháng năm {year}"
    if kind == "month":
        return f"tháng {n} năm {year}"
    if kind == "term":
        return f"nhiệm kỳ {year} - {n}"
    return f"từ ngày {short_date(period.start)} đến ngày {short_date(period.end)}"


def next_text(period: Period) -> str:
    """The period the directions of Part 2 are for: ``3 tháng cuối năm 2023`` after 9M."""
    kind, year, n = period_name(period)
    if kind == "year" or (kind == "cumulative" and n == 12):
        return f"năm {year + 1}"
    if kind == "cumulative" or (kind == "half" and n == 1):
        months = 6 if kind == "half" else 12 - n
        return f"{months} tháng cuối năm {year}"
    if kind == "half":
        return f"6 tháng đầu năm {year + 1}"
    if kind == "quarter":
        return f"quý {roman(n + 1)} năm {year}" if n < 4 else f"quý I năm {year + 1}"
    if kind == "month":
        return f"tháng {n + 1} năm {year}" if n < 12 else f"tháng 1 năm {year + 1}"
    return "thời gian tới"


def summary_lines(period: Period) -> list[str]:
    """The summary under "BÁO CÁO", as seeds 000 and 001 write it."""
    kind, year, n = period_name(period)
    nxt = next_text(period)
    if kind == "year" or (kind == "cumulative" and n == 12):
        return [f"tổng kết công tác dân vận năm {year};", f"phương hướng, nhiệm vụ {nxt}"]
    if kind == "cumulative":
        what = "6 tháng đầu năm" if n == 6 else f"{n} tháng"
        return [f"sơ kết công tác dân vận {what};", f"phương hướng, nhiệm vụ trọng tâm {nxt}"]
    if kind == "half":
        return [
            f"sơ kết công tác dân vận 6 tháng {'đầu' if n == 1 else 'cuối'} năm;",
            f"phương hướng, nhiệm vụ trọng tâm {nxt}",
        ]
    if kind in ("quarter", "month"):
        return [
            f"công tác dân vận {period_text(period)};",
            f"phương hướng, nhiệm vụ trọng tâm {nxt}",
        ]
    return [f"công tác dân vận {period_text(period)}"]


def window_text(start: dt.date, end: dt.date) -> str:
    """How seed 001 names a reporting window: ``Trong 8 tháng năm 2023``."""
    next_day = end + dt.timedelta(days=1)
    if start == dt.date(start.year, 1, 1) and end.year == start.year and next_day.day == 1:
        months = end.month
        return f"Năm {start.year}" if months == 12 else f"Trong {months} tháng năm {start.year}"
    return f"Từ ngày {short_date(start)} đến ngày {short_date(end)}"


def level_words_for(root_kind: str) -> Mapping[str, str]:
    return PROVINCE_LEVEL_WORDS if root_kind == "province" else LEVEL_WORDS


def dimension_label(dimension: str, key: str, level_words: Mapping[str, str]) -> str:
    if dimension == "level":
        return level_words.get(key, key)
    if dimension == "kind":
        return CASE_KINDS.get(key) or INSPECTION_KINDS.get(key) or DOCUMENT_KINDS.get(key) or key
    return WORDED_DIMENSIONS.get(dimension, {}).get(key, key)


def document_word(number: str, kind: str) -> str:
    """The kind of a document as its number's type code says it, else as its ``kind`` does.

    ``("984-QĐ/TU", "regulation")`` → ``quyết định``; ``("08-TT/TU", "directive")`` →
    ``thông tri``; ``("12/KH", "plan")`` → ``kế hoạch``.
    """
    number = nfc(number)
    for pattern in (PARTY_NUMBER, STATE_NUMBER):
        match = pattern.match(number)
        if match is not None and match.group(1) in SYMBOL_WORDS:
            return SYMBOL_WORDS[match.group(1)]
    return DOCUMENT_KINDS.get(kind, "văn bản")


def document_ref(doc: Any, *, with_title: bool = True) -> str:
    """``Nghị quyết số 08-NQ/TU, ngày 06/12/2022 về “…”`` from a DocumentIssued event.

    The kind word follows the number's type code (:func:`document_word`); a title that
    starts with that word continues it, one that names another document follows "về".
    """
    data = doc.data
    title = nfc((data.title or "").strip())
    kind_word = cap(document_word(data.number, data.kind).split(",")[0])
    head = f"{kind_word} số {data.number}, ngày {doc_date(doc.occurred_on)}"
    if not with_title or not title:
        return head
    if title.casefold().startswith(kind_word.casefold() + " "):
        return f"{head} {title[len(kind_word) :].strip()}"
    if any(title.startswith(w + " ") for w in DOCUMENT_WORDS):
        return f"{head} về {title}"
    return f"{head}: {title}"


def level_parenthesis(
    by_level: Mapping[str, Decimal | int],
    unit_word: str,
    level_words: Mapping[str, str],
    total: Decimal | int | None = None,
) -> str:
    """``06 cuộc cấp thành phố; 112 cuộc cấp quận, huyện; 352 cuộc cấp xã, phường``.

    When one level holds the whole ``total`` the count is not repeated: ``đều ở cấp quận,
    huyện``. No level at all gives ``""``.
    """
    levels = [
        (lv, as_int(by_level[lv]))
        for lv in ("city", "district", "commune", "other")
        if as_int(by_level.get(lv)) > 0
    ]
    if len(levels) == 1 and total is not None and levels[0][1] == as_int(total):
        words = level_words[levels[0][0]]
        return f"đều {words}" if words.startswith("ở ") else f"đều ở {words}"
    return "; ".join(f"{count_text(n)} {unit_word} {level_words[lv]}" for lv, n in levels)


def in_parentheses(text: str) -> str:
    return f" ({text})" if text else ""


def sub_level(root_level: str) -> str | None:
    return {"city": "district", "district": "commune"}.get(root_level)


#: How a body of a unit (:data:`dvcore.events.TaskBody`) is named before its unit's words.
BODY_WORDS: Mapping[str, str] = {
    "people_council": "Thường trực HĐND",
    "people_committee": "UBND",
    "fatherland_front": "Ủy ban MTTQ Việt Nam",
    "front_and_unions": "Mặt trận Tổ quốc và các tổ chức chính trị - xã hội",
}


def body_name(body: str | None, name: str, kind: str, *, own: bool = False) -> str:
    """The name of a body of a unit, as a task's owner: ``UBND huyện Thủy Nguyên``,
    ``Huyện ủy Thủy Nguyên``, ``Ban Dân vận Thành ủy``; ``own`` (the report's own unit)
    leaves the proper name out: ``UBND thành phố``, ``Ban Thường vụ Thành ủy``. Without a
    body, the unit's name."""
    if body is None:
        return name
    committee = committee_name(name, kind)
    if committee == "Đảng ủy":
        party = f"Đảng ủy {unit_word(name, kind) if own else lower_name(name)}"
    else:
        party = committee if own else f"{committee} {proper_name(name)}"
    if body == "party_committee":
        return party
    if body == "standing_committee":
        return f"Ban Thường vụ {party}"
    if body == "mass_mobilization":
        return f"Ban Dân vận {party}"
    place = unit_word(name, kind) if own else lower_name(name)
    return f"{BODY_WORDS.get(body, body)} {place}"


def recurrence_text(rule: str) -> str:
    """A recurring due rule in words: ``monthly:10`` → ``Trước ngày 10 hằng tháng``,
    ``quarterly`` → ``Hằng quý``, ``yearly`` → ``Hằng năm``."""
    if rule == "quarterly":
        return "Hằng quý"
    if rule == "yearly":
        return "Hằng năm"
    return f"Trước ngày {rule.partition(':')[2]} hằng tháng"


def task_number_key(task_id: str) -> tuple[tuple[int, int | str], ...]:
    """Sorts a conclusion's task numbers as it numbers them: 1.2 before 1.10, 2 after 1.9."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in task_id.split("."))
