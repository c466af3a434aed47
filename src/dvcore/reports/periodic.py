"""The periodic report (seed 000's outline, seed 001's wording), section by section."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from dvcore.events import DocumentIssued
from dvcore.indicators import Snapshot, format_number, format_percent
from dvcore.periods import Period
from dvcore.reports.blocks import Blocks
from dvcore.reports.compiled import Narrative
from dvcore.reports.figures import target_table
from dvcore.reports.follow_up import task_progress, task_rows
from dvcore.reports.reader import Reader
from dvcore.reports.sections import Sections
from dvcore.reports.wording import (
    ATTRIBUTE_WORDS,
    CASE_KINDS,
    DOCUMENT_KINDS,
    FIELDS,
    HOSTS,
    INSPECTION_KINDS,
    as_int,
    cap,
    committee_name,
    count_text,
    document_ref,
    document_word,
    in_parentheses,
    kind_name,
    level_parenthesis,
    level_words_for,
    lower_name,
    next_text,
    nfc,
    period_text,
    quote,
    ratio_text,
    short_date,
    sub_level,
    summary_lines,
    uncap,
    unit_word,
    window_text,
)
from dvcore.units import level_of


def missing_names(reader: Reader, codes: Iterable[str], day: dt.date) -> str:
    names = []
    for code in codes:
        if code in reader.tree:
            names.append(lower_name(reader.name(code, day)))
        elif reader.tree.has_establishment(code):
            names.append(reader.tree.establishment(code, day).name)
        else:
            names.append(code)
    return "; ".join(names)


def sub_words(reader: Reader, codes: Sequence[str], day: dt.date) -> tuple[str, str]:
    """(committees, unit words) of subordinate units: ("Quận ủy, Huyện ủy", "quận, huyện")."""
    committees: list[str] = []
    words: list[str] = []
    for code in codes:
        state = reader.tree.state(code, day)
        committee = committee_name(state.name, state.kind)
        word = unit_word(state.name, state.kind)
        if committee not in committees:
            committees.append(committee)
        if word not in words:
            words.append(word)
    return ", ".join(committees), ", ".join(words)


# --- the periodic report --------------------------------------------------------------------

#: The outline of seed 000: (id, level, number, title). Level 0 is a part.
PERIODIC_OUTLINE: tuple[tuple[str, int, str, str], ...] = (
    ("P1", 0, "Phần thứ nhất", "KẾT QUẢ CÔNG TÁC DÂN VẬN {PERIOD}"),
    ("I", 1, "I-", "ĐẶC ĐIỂM TÌNH HÌNH"),
    ("II", 1, "II-", "KẾT QUẢ CÔNG TÁC DÂN VẬN CỦA HỆ THỐNG CHÍNH TRỊ"),
    ("II.1", 2, "1.", "Công tác lãnh đạo, chỉ đạo của cấp ủy, tổ chức đảng"),
    (
        "II.2",
        2,
        "2.",
        "Kết quả công tác dân vận của các cơ quan nhà nước các cấp (Hội đồng nhân "
        "dân, Ủy ban nhân dân, các cơ quan tư pháp, lực lượng vũ trang)",
    ),
    (
        "II.3",
        2,
        "3.",
        "Kết quả công tác dân vận của Mặt trận Tổ quốc Việt Nam và các tổ chức "
        "chính trị - xã hội các cấp",
    ),
    ("II.4", 2, "4.", "Kết quả công tác dân vận đối với đồng bào theo tôn giáo"),
    ("II.5", 2, "5.", "Kết quả công tác dân vận với cộng đồng người Việt Nam ở nước ngoài"),
    ("III", 1, "III-", "PHONG TRÀO THI ĐUA “DÂN VẬN KHÉO”"),
    ("III.1", 2, "1.", "Công tác lãnh đạo, chỉ đạo"),
    ("III.2", 2, "2.", "Kết quả thực hiện phong trào thi đua “Dân vận khéo”"),
    ("III.3", 2, "3.", "Một số mô hình “Dân vận khéo” tiêu biểu tại địa phương"),
    ("III.4", 2, "4.", "Việc triển khai Cuộc thi tuyên truyền các mô hình “Dân vận khéo”"),
    ("IV", 1, "IV-", "KẾT QUẢ HOẠT ĐỘNG CỦA BAN DÂN VẬN CÁC CẤP"),
    (
        "IV.1",
        2,
        "1.",
        "Công tác tham mưu cấp ủy lãnh đạo, chỉ đạo triển khai thực hiện công tác dân vận",
    ),
    (
        "IV.2",
        2,
        "2.",
        "Công tác tham mưu, thực hiện nhiệm vụ cơ quan thường trực các ban chỉ "
        "đạo: Quy chế dân chủ, Công tác Tôn giáo - Dân tộc của cấp ủy",
    ),
    (
        "IV.3",
        2,
        "3.",
        "Công tác phối hợp với các địa phương, đơn vị triển khai thực hiện công tác dân vận",
    ),
    (
        "IV.4",
        2,
        "4.",
        "Công tác hướng dẫn, đôn đốc, kiểm tra, giám sát việc triển khai thực "
        "hiện các nhiệm vụ công tác dân vận",
    ),
    (
        "IV.5",
        2,
        "5.",
        "Công tác nắm bắt tình hình, tuyên truyền vận động Nhân dân thực hiện "
        "chủ trương của Đảng, chính sách, pháp luật của Nhà nước",
    ),
    ("V", 1, "V-", "ĐÁNH GIÁ CHUNG"),
    ("V.1", 2, "1.", "Ưu điểm"),
    ("V.2", 2, "2.", "Hạn chế và nguyên nhân"),
    ("VI", 1, "VI-", "ĐỀ XUẤT, KIẾN NGHỊ"),
    ("P2", 0, "Phần thứ hai", "PHƯƠNG HƯỚNG, NHIỆM VỤ TRỌNG TÂM CÔNG TÁC DÂN VẬN {NEXT}"),
)

#: How a few reported (``FigureReported``) indicators are worded, as seed 001 words them.
#: Others are stated as "<title>: <value> <unit label>" in section I.
REPORTED_PHRASES: Mapping[str, tuple[str, str]] = {
    "veterans.patrol_teams": (
        "II.3",
        "Hội Cựu chiến binh các cấp duy trì hoạt động {v} tổ, đội tuần tra{members}",
    ),
    "border.families_pledged": (
        "II.2",
        "Phối hợp vận động {v} gia đình cam kết “Không buôn "
        "bán, vận chuyển, tàng trữ trái phép pháo nổ, vũ khí, vật liệu "
        "nổ, công cụ hỗ trợ”",
    ),
}


#: Unit labels of reported indicators that measure rather than count: their values are
#: written as numbers ("48.250 m²"), not by the count rule ("04 điểm").
MEASURE_LABELS = frozenset(
    {"m²", "m2", "ha", "km", "km²", "m", "%", "đồng", "nghìn đồng", "triệu đồng", "tỷ đồng",
     "tấn", "kg", "lít", "giờ", "ngày"}
)  # fmt: skip

#: Reported indicators a section states in its own words (not in section I's list).
STATED_ELSEWHERE = frozenset({"one_stop.units"})


class Periodic:
    """The statements of the periodic report, section by section."""

    def __init__(
        self,
        reader: Reader,
        snapshot: Snapshot,
        as_of_snapshot: Snapshot,
        targets: Sequence[Any],
        target_rows: Sequence[dict[str, Any]],
        doc: Blocks,
        day: dt.date | None = None,
    ) -> None:
        self.r = reader
        self.snap = snapshot
        self.as_of_snap = as_of_snapshot
        self.targets = list(targets)
        self.rows = {row["code"]: row for row in target_rows}
        self.doc = doc
        tree = reader.tree
        self.end = reader.period.end
        #: the day the report speaks "as of": its own date, never after the period's end
        self.day = min(day, self.end) if day is not None else self.end
        state = tree.state(reader.unit, self.end)
        self.unit_state = state
        self.root_level = level_of(state.kind)
        self.level_words = level_words_for(state.kind)
        self.toan = f"toàn {unit_word(state.name, state.kind)}"
        self.committee = committee_name(state.name, state.kind)
        self.subtree = tree.subtree(reader.unit, self.end)

    # helpers
    def value(self, code: str) -> int:
        return as_int(self.snap.value(code)) if code in self.snap.figures else 0

    def by(self, code: str, dim: str) -> dict[str, Decimal | int]:
        return self.snap.by(code, dim) if code in self.snap.figures else {}

    def say(self, section: str, *segments: dict[str, Any] | str) -> None:
        self.doc.paragraph(section, list(segments))

    # --- I. ĐẶC ĐIỂM TÌNH HÌNH ---------------------------------------------------------------
    def section_i(self) -> None:
        tree = self.r.tree
        kinds = Counter(tree.kind(c) for c in self.subtree if c != self.r.unit)
        parts = []
        districts = kinds["district"] + kinds["town"]
        departments = kinds["department"]
        if departments and districts:
            parts.append(
                f"{count_text(departments + districts)} sở, ban, ngành, {self._district_words()} "
                f"({count_text(departments)} sở, ban, ngành; "
                f"{count_text(districts)} {self._district_words()})"
            )
        elif districts:
            parts.append(f"{count_text(districts)} {self._district_words()}")
        elif departments:
            parts.append(f"{count_text(departments)} sở, ban, ngành")
        communes = [(k, kinds[k]) for k in ("commune", "ward", "township") if kinds[k]]
        if len(communes) == 1:
            # one kind only: "05 xã", not "05 xã, phường, thị trấn (05 xã)"
            parts.append(f"{count_text(communes[0][1])} {kind_name(communes[0][0])}")
        elif communes:
            total = sum(n for _, n in communes)
            detail = ", ".join(
                f"{count_text(n)} {kind_name(k)}"
                for k, n in sorted(
                    communes, key=lambda kv: ("ward", "commune", "township").index(kv[0])
                )
            )
            parts.append(f"{count_text(total)} xã, phường, thị trấn ({detail})")
        if parts:
            self.say("I", f"{cap(self.toan)} có {' và '.join(parts)}.")
        using = self.value("establishment.using_land")
        if using:
            religions = Counter(
                tree.establishment(e, self.day).religion or "khác" for e in self._using_land_ids()
            )
            detail = "; ".join(
                f"{name} {count_text(n)} cơ sở" for name, n in religions.most_common()
            )
            self.say(
                "I",
                f"Trên địa bàn có {count_text(using)} cơ sở tôn giáo đang sử dụng "
                f"đất (đến ngày {short_date(self.day)})",
                self.doc.note(f"Theo tôn giáo: {detail}."),
                ".",
            )
        for fig in self.snap.figures:
            ind = self.snap.indicators.get(fig)
            if (
                ind is None
                or ind.source != "IndicatorDefined"
                or fig in REPORTED_PHRASES
                or fig in STATED_ELSEWHERE
            ):
                continue
            if fig == "veterans.patrol_members":
                continue
            value = self.snap.value(fig)
            if value is None or value == 0:
                continue
            label = f" {ind.unit_label}" if ind.unit_label else ""
            # a count ("4 điểm", "7 công trình") by the count rule; a measure (m², ha, %,
            # đồng…) or a fraction as the number it is
            counted = value == int(value) and nfc(ind.unit_label or "") not in MEASURE_LABELS
            shown = count_text(value) if counted else format_number(value)
            self.say("I", f"{ind.title}: {shown}{label}.")

    def _district_words(self) -> str:
        """What the district-level units below are called, by their names: ``quận,
        huyện`` in a city, ``huyện, thị xã, thành phố`` in a province."""
        tree = self.r.tree
        found = {
            unit_word(state.name, state.kind)
            for state in (tree.state(c, self.end) for c in self.subtree if c != self.r.unit)
            if state.kind in ("district", "town")
        }
        order = ("quận", "huyện", "thị xã", "thành phố")
        words = [w for w in order if w in found] + sorted(found - set(order))
        return ", ".join(words) or "quận, huyện"

    def _using_land_ids(self) -> list[str]:
        tree = self.r.tree
        members = tree.members(self.r.unit, self.r.period.start, self.day, "as-of")
        at_day = [m for m in members if m.end == self.day]
        return tree.establishments_using_land(at_day, self.day)

    # --- II.1 lãnh đạo, chỉ đạo --------------------------------------------------------------
    def section_ii_1(self) -> None:
        self._resolutions()
        self._sub_units_with(
            "document.sets_targets",
            "II.1",
            "{committees} đã xác định các chỉ tiêu cụ thể về công tác dân vận "
            "trong nghị quyết, chương trình công tác năm {year}",
        )
        self._sub_units_with(
            "dialogue.plan",
            "II.1",
            "{units} đã ban hành Kế hoạch đối thoại trực tiếp giữa người đứng "
            "đầu cấp ủy, chính quyền các cấp với Nhân dân",
        )
        self._dialogues()
        self._inspections()
        self._documents()

    def _resolutions(self) -> None:
        docs = {d.data.number: d for d in self.r.documents()}
        seen: set[str] = set()
        for t in self.targets:
            if t.resolution in seen:
                continue
            seen.add(t.resolution)
            of_set = [x for x in self.targets if x.resolution == t.resolution]
            numbers = {re.sub(r"[a-z]+$", "", x.code.rsplit(".", 1)[-1]) for x in of_set}
            doc = docs.get(t.resolution)
            ref = document_ref(doc) if doc is not None else f"Nghị quyết số {t.resolution}"
            titles = "; ".join(x.title if i == 0 else uncap(x.title) for i, x in enumerate(of_set))
            adopted = self._adopted_on(t.resolution)
            if adopted is not None and any(
                self._definition(x) is not None
                and self._definition(x).population == "establishments_using_land"
                for x in of_set
            ):
                # the resolution's own count, as seed 001 quotes it: "(tổng số 239 cơ sở)"
                members = self.r.tree.members(self.r.unit, adopted, adopted, "as-of")
                count = len(self.r.tree.establishments_using_land(members, adopted))
                titles += f" (tổng số {count_text(count)} cơ sở)"
            self.say(
                "II.1",
                f"{self.committee} đã xác định {count_text(len(numbers))} chỉ tiêu "
                f"về công tác dân vận trong {ref}",
                self.doc.note(titles + "."),
                ".",
            )

    def _sub_units_with(self, code: str, section: str, phrase: str) -> None:
        sub = sub_level(self.root_level)
        if sub is None or code not in self.snap.figures or not self.value(code):
            return
        population = [c for c in self.subtree if self.r.tree.level(c) == sub]
        if not population:
            return
        events = self.r.explain(code).events
        having = {e.unit for e in events if e.unit in set(population)}
        if not having:
            return
        committees, words = sub_words(self.r, population, self.end)
        text = phrase.format(
            committees=f"{len(having)}/{len(population)} {committees}",
            units=f"{len(having)}/{len(population)} {words}",
            year=self.r.period.end.year,
        )
        missing = [c for c in population if c not in having]
        segments: list[dict[str, Any] | str] = [text]
        if missing:
            segments.append(
                self.doc.note("Chưa có: " + missing_names(self.r, missing, self.end) + ".")
            )
        segments.append(".")
        self.say(section, *segments)

    def _dialogues(self) -> None:
        total = self.value("dialogue.count")
        if not total:
            return
        levels = level_parenthesis(
            self.by("dialogue.count", "level"), "cuộc", self.level_words, total
        )
        hosts = self.by("dialogue.count", "host")
        host_text = "; ".join(
            f"{HOSTS.get(k, k)} {count_text(as_int(v))} cuộc"
            for k, v in sorted(hosts.items(), key=lambda kv: -kv[1])
            if as_int(v) > 0
        )
        segments: list[dict[str, Any] | str] = [
            f"Tổ chức {count_text(total)} cuộc đối thoại giữa người đứng đầu cấp ủy, chính "
            f"quyền các cấp với Nhân dân{in_parentheses(levels)}"
        ]
        if host_text:
            segments.append(self.doc.note(f"Theo người chủ trì: {host_text}."))
        segments.append(".")
        self.say("II.1", *segments)
        for t in self.targets:
            if t.measure == "units_with" and t.indicator == "dialogue.count":
                row = self.rows[t.code]
                segs: list[dict[str, Any] | str] = [
                    f"Đến ngày {short_date(t.as_of)}, "
                    f"{ratio_text(t.numerator, t.denominator)} đơn vị "
                    f"({row['ratio_text']}) có người đứng đầu cấp ủy, chính quyền đối thoại "
                    f"trực tiếp với Nhân dân, {row['met_text']} chỉ tiêu {quote(t.title)}"
                ]
                if t.missing:
                    segs.append(f"; còn {count_text(len(t.missing))} đơn vị chưa tổ chức")
                    segs.append(self.doc.note(cap(missing_names(self.r, t.missing, t.as_of)) + "."))
                segs.append(".")
                self.say("II.1", *segs)

    def _inspections(self) -> None:
        total = self.value("inspection.count")
        if not total:
            return
        levels = level_parenthesis(
            self.by("inspection.count", "level"), "cuộc", self.level_words, total
        )
        kinds = self.by("inspection.count", "kind")
        detail = "; ".join(
            f"{count_text(as_int(v))} cuộc {INSPECTION_KINDS.get(k, k)}"
            for k, v in sorted(kinds.items())
            if as_int(v) > 0
        )
        segments: list[dict[str, Any] | str] = [
            f"Các cấp ủy đã tổ chức {count_text(total)} cuộc kiểm tra, giám sát về công tác "
            f"dân vận{in_parentheses(levels)}"
        ]
        if detail:
            segments.append(self.doc.note(f"Trong đó: {detail}."))
        segments.append(".")
        self.say("II.1", *segments)

    def _documents(self) -> None:
        total = self.value("document.count")
        if not total:
            return
        detail = "; ".join(
            f"{count_text(n)} {word}"
            for word, n in sorted(self._document_words().items(), key=lambda kv: -kv[1])
            if n > 0
        )
        own = [
            d
            for d in self.r.documents()
            if d.unit == self.r.unit and self.r.period.contains(d.occurred_on)
        ]
        note = f"Gồm: {detail}."
        if own:
            note += (
                " Của "
                + self.committee
                + ": "
                + "; ".join(document_ref(d) for d in sorted(own, key=lambda d: d.occurred_on))
                + "."
            )
        self.say(
            "II.1",
            f"Các cấp ủy, tổ chức đảng đã ban hành {count_text(total)} văn bản "
            "lãnh đạo, chỉ đạo về công tác dân vận",
            self.doc.note(note),
            ".",
        )

    def _document_words(self) -> Counter[str]:
        """The documents counted, by the kind their numbers say (:func:`document_word`).

        The events behind ``document.count``; when they do not add up to the figure (a
        correction the explanation does not list), the figure's own ``kind`` breakdown.
        """
        total = self.value("document.count")
        words: Counter[str] = Counter()
        for event in self.r.explain("document.count").events:
            data = event.data
            if isinstance(data, DocumentIssued):
                words[document_word(data.number, data.kind)] += 1
        if sum(words.values()) == total:
            return words
        words = Counter()
        for k, v in self.by("document.count", "kind").items():
            words[DOCUMENT_KINDS.get(k, k)] += as_int(v)
        return words

    # --- II.2 cơ quan nhà nước ---------------------------------------------------------------
    def section_ii_2(self) -> None:
        self._one_stop()
        visits = self.value("reception.visits")
        received = self.value("letters.received")
        if visits or received:
            reception_window = self._window("reception.visits") if visits else None
            letters_window = self._window("letters.received") if received else None
            sentences = []
            if visits:
                cases = self.by("reception.cases", "kind")
                detail = ", ".join(
                    f"{CASE_KINDS[k]} {count_text(as_int(cases.get(k)))} vụ việc"
                    for k in ("complaint", "denunciation", "petition")
                    if as_int(cases.get(k)) > 0
                )
                text = f"{self.toan} đã tiếp {count_text(visits)} lượt công dân"
                total_cases = self.value("reception.cases")
                if total_cases:
                    text += f" với {count_text(total_cases)} vụ việc{in_parentheses(detail)}"
                groups = self.value("reception.mass_groups")
                if groups:
                    text += f". Trong đó, số đoàn đông người {count_text(groups)} đoàn"
                    group_cases = self.value("reception.mass_group_cases")
                    if group_cases:
                        text += f" với {count_text(group_cases)} vụ việc"
                sentences.append(text)
            if received:
                text = f"tiếp nhận và xử lý {count_text(received)} đơn thư các loại"
                eligible = self.value("letters.eligible")
                if eligible:
                    text += f"; đơn đủ điều kiện xử lý {count_text(eligible)} đơn"
                in_jurisdiction = self.value("letters.in_jurisdiction")
                if in_jurisdiction:
                    text += (
                        "; đơn khiếu nại, tố cáo thuộc thẩm quyền giải quyết "
                        f"{count_text(in_jurisdiction)} đơn"
                    )
                resolved = self.value("letters.resolved")
                if resolved:
                    text += f"; đã giải quyết {count_text(resolved)} đơn"
                sentences.append(text)
            if reception_window is not None and (letters_window in (None, reception_window)):
                body = "; ".join(sentences) if visits else sentences[0]
                self.say("II.2", f"{reception_window}, {body}.")
            else:
                if visits and reception_window is not None:
                    self.say("II.2", f"{reception_window}, {sentences[0]}.")
                if received and letters_window is not None:
                    self.say("II.2", f"{letters_window}, {self.toan} đã {sentences[-1]}.")
        self._reported("II.2")

    def _window(self, code: str) -> str:
        events = self.r.explain(code).events
        windows = [e.data.window for e in events if getattr(e.data, "window", None)]
        if not windows:
            return f"Trong {period_text(self.r.period)}"
        return window_text(min(w.start for w in windows), max(w.end for w in windows))

    def _one_stop(self) -> None:
        """The units on the electronic one-stop system, against the units of the tree."""
        by_group = self.by("one_stop.units", "group")
        if not by_group:
            return
        kinds = Counter(self.r.tree.kind(c) for c in self.subtree if c != self.r.unit)
        totals = {
            "departments_districts": kinds["department"] + kinds["district"] + kinds["town"],
            "communes": kinds["commune"] + kinds["ward"] + kinds["township"],
        }
        names = {
            "departments_districts": f"sở, ban, ngành, {self._district_words()}",
            "communes": "xã, phường, thị trấn",
        }
        parts = [
            f"{ratio_text(as_int(by_group[g]), totals[g])} {names[g]}"
            for g in ("departments_districts", "communes")
            if g in by_group
        ]
        self.say(
            "II.2",
            "Hệ thống Một cửa điện tử và Dịch vụ công trực tuyến đã được triển khai, thống "
            f"nhất cho {', '.join(parts)}.",
        )

    def _reported(self, section: str) -> None:
        for code, (where, phrase) in REPORTED_PHRASES.items():
            if where != section or code not in self.snap.figures:
                continue
            value = self.snap.value(code)
            if not value:
                continue
            members = ""
            if (
                code == "veterans.patrol_teams"
                and self.snap.figures.get("veterans.patrol_members") is not None
            ):
                m = self.snap.value("veterans.patrol_members")
                if m:
                    members = f" với {count_text(m)} hội viên"
            self.say(section, phrase.format(v=count_text(value), members=members) + ".")

    # --- II.3 MTTQ ---------------------------------------------------------------------------
    def section_ii_3(self) -> None:
        sup, cri = self.value("supervision.count"), self.value("critique.count")
        if sup or cri:
            parts = []
            if sup:
                parts.append(f"{count_text(sup)} cuộc giám sát")
            if cri:
                parts.append(f"{count_text(cri)} cuộc phản biện xã hội")
            self.say(
                "II.3",
                "Mặt trận Tổ quốc Việt Nam và các tổ chức chính trị - xã hội các "
                f"cấp đã tổ chức {' và '.join(parts)}.",
            )
        self._reported("II.3")

    # --- II.4 tôn giáo -----------------------------------------------------------------------
    def section_ii_4(self) -> None:
        clauses: list[list[dict[str, Any] | str]] = []
        as_of = None
        for t in self.targets:
            if not t.indicator.startswith("land."):
                continue
            row = self.rows[t.code]
            as_of = t.as_of
            what = LAND_TARGET_PHRASES.get(t.indicator, "{n}/{d} cơ sở tôn giáo")
            text = what.format(
                n=count_text(t.numerator), d=count_text(t.denominator), ubnd=self._ubnd()
            )
            # what was counted in the indicator's words; the target in its resolution's
            clause: list[dict[str, Any] | str] = [
                f"đối với chỉ tiêu {quote(t.title)}, đã {text} "
                f"(đạt {row['completion_text']} kế hoạch năm)"
            ]
            if row["by_unit"]:
                some = [u for u in row["by_unit"] if u["counted"]]
                none = [u for u in row["by_unit"] if not u["counted"]]
                detail = "; ".join(
                    f"{lower_name(u['name'])} {ratio_text(u['counted'], u['population'])}"
                    for u in some
                )
                if none:
                    detail += ("; " if detail else "") + (
                        "chưa có cơ sở nào: "
                        + ", ".join(
                            f"{lower_name(u['name'])} ({count_text(u['population'])} cơ sở)"
                            for u in none
                        )
                    )
                clause.append(self.doc.note(f"Theo đơn vị: {detail}."))
            clauses.append(clause)
        stage_done = {t.indicator for t in self.targets}
        for code, phrase in LAND_STAGE_PHRASES:
            if code in stage_done:
                continue
            value = as_int(self.as_of_snap.value(code)) if code in self.as_of_snap.figures else 0
            if value:
                clauses.append([phrase.format(n=count_text(value), ubnd=self._ubnd())])
        if not clauses:
            return
        day = as_of or min(self.r.period.end, self.as_of_snap.period.end)
        segments: list[dict[str, Any] | str] = [f"Tính đến ngày {short_date(day)}, "]
        for i, clause in enumerate(clauses):
            if i:
                segments.append("; ")
            segments.extend(clause)
        segments.append(".")
        self.say("II.4", *segments)

    def _ubnd(self) -> str:
        return f"Ủy ban nhân dân {unit_word(self.unit_state.name, self.unit_state.kind)}"

    # --- III Dân vận khéo --------------------------------------------------------------------
    def section_iii_2(self) -> None:
        total = self.value("model.registered")
        if total:
            fields = self.by("model.registered", "field")
            main = [k for k in ("ntm_model", "urban") if as_int(fields.get(k))]
            text = (
                f"{cap(self.toan)} có {count_text(total)} mô hình “Dân vận khéo” "
                "được đăng ký xây dựng trên các lĩnh vực của đời sống xã hội"
            )
            segments: list[dict[str, Any] | str] = [text]
            if main:
                segments.append(
                    ". Trong đó có "
                    + ", ".join(
                        f"{count_text(as_int(fields[k]))} mô hình trong {FIELDS[k]}" for k in main
                    )
                )
            others = [k for k in fields if k not in main and as_int(fields[k])]
            levels = self.by("model.registered", "level")
            note = []
            if others:
                note.append(
                    "; ".join(
                        f"{count_text(as_int(fields[k]))} mô hình trong {FIELDS.get(k, k)}"
                        for k in sorted(others, key=lambda k: -fields[k])
                    )
                )
            if levels:
                by_level = level_parenthesis(levels, "mô hình", self.level_words, total)
                if by_level:
                    note.append("theo cấp: " + by_level)
            if note:
                segments.append(self.doc.note(cap("; ".join(note)) + "."))
            segments.append(".")
            self.say("III.2", *segments)
        for t in self.targets:
            if t.measure == "units_with" and t.indicator == "model.registered":
                self._model_target(t)
        recognized = self.value("model.recognized")
        if recognized:
            self.say("III.3", f"Có {count_text(recognized)} mô hình “Dân vận khéo” được công nhận.")

    def _model_target(self, t: Any) -> None:
        """``100% các xã xây dựng nông thôn mới kiểu mẫu và 100% các phường đều đăng ký…``."""
        target_def = self._definition(t)
        tree = self.r.tree
        members = list(t.counted) + list(t.missing)
        counted = set(t.counted)
        alternatives = list(target_def.population_filter) if target_def is not None else []
        groups: list[tuple[str, int, int]] = []
        for alt in alternatives or [None]:
            name = "đơn vị"
            if alt is not None:
                kinds = ", ".join(kind_name(k) for k in alt.kinds) or "đơn vị"
                attrs_text = " ".join(
                    ATTRIBUTE_WORDS.get(k, k) for k, v in alt.attributes.items() if v is True
                )
                name = f"{kinds} {attrs_text}".strip()
            inside = []
            for m in members:
                state = tree.state(m, t.as_of)
                if alt is None or (
                    (not alt.kinds or state.kind in alt.kinds)
                    and all(state.attributes.get(k) == v for k, v in alt.attributes.items())
                ):
                    inside.append(m)
            members = [m for m in members if m not in inside]
            if inside:
                n = sum(1 for m in inside if m in counted)
                groups.append((name, n, len(inside)))
        if not groups:
            return
        parts = [f"{format_percent(n, d)} các {name} ({ratio_text(n, d)})" for name, n, d in groups]
        verb = "đều" if all(n == d for _, n, d in groups) else ""
        text = (
            f"{' và '.join(parts)} {verb} đăng ký xây dựng các mô hình “Dân vận khéo”, "
            f"{'đạt' if t.met else 'chưa đạt'} chỉ tiêu {quote(t.title)}"
        ).replace("  ", " ")
        segments: list[dict[str, Any] | str] = [text]
        if t.missing:
            segments.append(
                self.doc.note("Chưa có mô hình: " + missing_names(self.r, t.missing, t.as_of) + ".")
            )
        segments.append(".")
        self.say("III.2", *segments)

    def _adopted_on(self, resolution: str) -> dt.date | None:
        for record in self.r.state.target_sets():
            if record.data.resolution == resolution and record.unit == self.r.unit:
                return record.adopted_on  # type: ignore[no-any-return]
        return None

    def _definition(self, t: Any) -> Any:
        for record in self.r.state.target_sets():
            if record.data.resolution != t.resolution:
                continue
            for d in record.data.targets:
                if d.code == t.code:
                    return d
        return None

    # --- IV.4 follow-up of conclusions --------------------------------------------------------
    def section_iv_4(self) -> None:
        tasks = task_rows(self.r, self.subtree, self.day)
        by_conclusion: dict[str, list[dict[str, Any]]] = {}
        for task in tasks:
            by_conclusion.setdefault(task["conclusion"], []).append(task)
        docs = {d.data.number: d for d in self.r.documents()}
        for conclusion, items in by_conclusion.items():
            done = sum(1 for t in items if t["status"] == "done")
            overdue = [t for t in items if t["overdue"]]
            doc = docs.get(conclusion)
            ref = document_ref(doc, with_title=False) if doc else f"Kết luận số {conclusion}"
            text = (
                f"Theo dõi, đôn đốc thực hiện {count_text(len(items))} nhiệm vụ theo {ref}: "
                + task_progress(len(items), done, len(overdue))
            )
            segments: list[dict[str, Any] | str] = [text]
            if overdue:
                segments.append(
                    self.doc.note(
                        "Quá hạn: "
                        + "; ".join(
                            f"{t['owner_name']} ({t['task_id']}. {t['text']}; {_due_words(t)})"
                            for t in overdue
                        )
                        + "."
                    )
                )
            segments.append(f" (đến ngày {short_date(self.day)}).")
            self.say("IV.4", *segments)


def _due_words(task: Mapping[str, Any]) -> str:
    """``hạn 15/9/2023``; a recurring task's missed report: ``chưa báo cáo, hạn trước ngày
    10/9/2023``."""
    if task["recurrence"] is not None and task["deadline"] is not None:
        return f"chưa báo cáo, hạn trước ngày {short_date(task['deadline'])}"
    return f"hạn {task['due_text']}"


LAND_TARGET_PHRASES: Mapping[str, str] = {
    "land.dossier_filed": "lập hồ sơ đăng ký đất đai cho {n}/{d} cơ sở tôn giáo",
    "land.dossier_submitted": "trình {ubnd} hồ sơ của {n}/{d} cơ sở tôn giáo",
    "land.right_recognized": "có quyết định công nhận quyền sử dụng đất cho {n}/{d} cơ sở tôn giáo",
    "land.certificate_issued": "cấp giấy chứng nhận quyền sử dụng đất cho {n}/{d} cơ sở tôn giáo",
}
LAND_STAGE_PHRASES: tuple[tuple[str, str], ...] = (
    ("land.dossier_filed", "đã lập hồ sơ đăng ký đất đai cho {n} cơ sở tôn giáo"),
    ("land.dossier_submitted", "đã trình {ubnd} hồ sơ của {n} cơ sở tôn giáo"),
    (
        "land.right_recognized",
        "{n} cơ sở tôn giáo đã được {ubnd} ban hành quyết định công nhận quyền sử dụng đất",
    ),
    ("land.certificate_issued", "{n} cơ sở tôn giáo đã được cấp giấy chứng nhận quyền sử dụng đất"),
)

SECTION_BUILDERS: Mapping[str, str] = {
    "I": "section_i",
    "II.1": "section_ii_1",
    "II.2": "section_ii_2",
    "II.3": "section_ii_3",
    "II.4": "section_ii_4",
    "III.2": "section_iii_2",
    "IV.4": "section_iv_4",
}


def periodic_blocks(
    reader: Reader,
    snapshot: Snapshot,
    sections: Sections,
    doc: Blocks,
    *,
    cut: dt.date,
    day: dt.date,
) -> tuple[list[str], list[Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """Write the periodic report's outline into ``doc``, each section's statements after
    the writer's text; return the summary lines, the targets, their rows and the tasks."""
    store, unit, per, when = reader.store, reader.unit, reader.period, reader.as_known_at
    tree = reader.tree
    targets: list[Any] = []
    if tree.exists(unit, cut):
        targets = store.targets(unit, cut, as_known_at=when)
    rows = target_table(reader, targets, unit)
    as_of_snapshot = snapshot
    if per.start <= cut < per.end:
        # the land pipeline is stated "as of" the cut-off, like the targets
        window = Period(
            spec=f"{per.start.isoformat()}..{cut.isoformat()}",
            start=per.start,
            end=cut,
            cutoff=per.cutoff,
        )
        as_of_snapshot = store.snapshot(unit, window, as_known_at=when)
    periodic = Periodic(reader, snapshot, as_of_snapshot, targets, rows, doc, day)
    nxt = next_text(per)
    narrative = Narrative(reader, [sid for sid, *_rest in PERIODIC_OUTLINE])
    for sid, level, number_, title in PERIODIC_OUTLINE:
        title = title.format(PERIOD=period_text(per).upper(), NEXT=nxt.upper())
        if level == 0:
            doc.part(sid, number_, title)
        else:
            doc.heading(sid, level, number_, title)
        leaf = (level == 0 and sid == "P2") or level == 2 or sid in ("I", "VI")
        narrative.write_own(doc, sid, sections.text, placeholder=leaf)
        builder = SECTION_BUILDERS.get(sid)
        if builder is not None:
            getattr(periodic, builder)()
        narrative.write_subordinates(doc, sid)
    tasks = task_rows(reader, tree.subtree(unit, per.end), day)
    doc.narrative_rows = narrative.rows()
    return summary_lines(per), targets, rows, tasks
