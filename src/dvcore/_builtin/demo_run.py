"""``dvcore demo``: record the Hai Phong demo data set and write its reports.

The data is recorded in sittings with the store's clock set to when each would have
happened — the 9-month data and three districts' own text on 20/9/2023, late entries on
5/10/2023, a commune's term data on 20/6/2025, the 2025 merge on 2/7/2025 — so the demo
shows "as known at" as well as the published figures. Then every report is written: the
periodic report of the city for the 9 months of 2023 as known on 20/9/2023 with every
installed exporter (Word, Excel, HTML, Markdown, JSON…), the term report 2020–2025 of one
commune and the follow-up of the city's conclusion in Word. An exporter whose plugin is
not installed is skipped with a note.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, cast

from dvcore._builtin import demo
from dvcore._open import open_store
from dvcore.indicators import format_number, format_percent, pad_count
from dvcore.narrative import Sections, narrative_events
from dvcore.periods import format_date, parse_period
from dvcore.store import Store

__all__ = [
    "REPORTED_AT",
    "TERM_COMMUNE",
    "demo_context",
    "open_demo_store",
    "record_demo",
    "run_demo",
    "term_events",
    "write_reports",
]

_VN = dt.timezone(dt.timedelta(hours=7))
#: When the 9-month report was generated: the instant the demo's first sitting records at.
REPORTED_AT = dt.datetime(2023, 9, 20, 10, 0, tzinfo=_VN)
_LATE_AT = dt.datetime(2023, 10, 5, 9, 0, tzinfo=_VN)
_TERM_AT = dt.datetime(2025, 6, 20, 9, 0, tzinfo=_VN)
_TERM_REPORT_AT = dt.datetime(2025, 6, 25, 17, 0, tzinfo=_VN)
_MERGE_AT = dt.datetime(2025, 7, 2, 9, 0, tzinfo=_VN)
_AS_OF = dt.date(2023, 9, 15)
#: The commune whose term report the demo writes (footnote 14 of seed 001 names it).
TERM_COMMUNE = "Xã Ngũ Lão"

#: The recipients of seed 001, the 9-month report.
_RECIPIENTS = [
    "Ban Dân vận Trung ương (để b/c),",
    "Thường trực Thành ủy (để b/c),",
    "Văn phòng Thành ủy,",
    "MTTQ, các tổ chức CT-XH TP,",
    "Quận ủy, huyện ủy, đảng ủy trực thuộc Thành ủy,",
    "BDV các quận ủy, huyện ủy,",
    "Các phòng Ban Dân vận TU,",
    "Lưu.",
]


class _Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def _commune_code(events: list[dict[str, Any]], name: str) -> tuple[str, str]:
    for e in events:
        if e["type"] == "UnitRegistered" and e["data"]["name"] == name:
            return str(e["data"]["code"]), str(e["data"]["parent"])
    raise LookupError(name)


def _ev(kind: str, day: str, unit: str, data: dict[str, Any], ref: str) -> dict[str, Any]:
    return {
        "type": kind,
        "occurred_on": day,
        "unit": unit,
        "data": data,
        "source_ref": f"demo:term:{ref}",
    }


def term_events(code: str, district: str) -> list[dict[str, Any]]:
    """A commune's facts over the 2020–2025 term, for the demo's term report (illustrative).

    Nothing is dated in 2023, so the 9-month figures of seed 001 are untouched. The
    commune's description goes into its attributes; the counts that no core event carries
    (voter meetings, one-stop procedures, reception sessions…) are declared with
    ``IndicatorDefined`` and reported with ``FigureReported``, under the codes that
    :data:`dvcore.reports.TERM_INDICATORS` reads.
    """
    events = [
        _ev(
            "UnitChanged",
            "2021-01-05",
            district,
            {
                "code": code,
                "attributes": {
                    "direction": "đông nam",
                    "borders_north": "xã Tam Hưng",
                    "borders_east": "xã Phả Lễ",
                    "borders_west": "xã Thủy Triều",
                    "borders_south": "sông Bạch Đằng",
                    "area_ha": 562,
                    "households": 2214,
                    "population": 8631,
                    "kinh_percent": 100,
                    "buddhist_followers": 1250,
                    "other_religion": "Công giáo",
                    "other_religion_followers": 940,
                    "party_cells": 17,
                    "party_members": 512,
                    "party_cells_rural": 11,
                    "party_cells_school": 3,
                    "party_cells_other": 1,
                },
            },
            "attributes",
        ),
    ]
    definitions = (
        ("voters.meetings_na", "Điểm tiếp xúc cử tri với đại biểu Quốc hội", "sum", "điểm"),
        (
            "voters.meetings_council",
            "Điểm tiếp xúc cử tri với đại biểu HĐND các cấp",
            "sum",
            "điểm",
        ),
        ("voters.attendance", "Lượt cử tri tham dự tiếp xúc", "sum", "lượt"),
        ("voters.opinions", "Ý kiến cử tri đã tổng hợp", "sum", "ý kiến"),
        ("council.supervisions", "Cuộc giám sát chuyên đề của HĐND", "sum", "cuộc"),
        ("admin.one_stop_procedures", "Thủ tục hành chính theo cơ chế một cửa", "last", "thủ tục"),
        ("reception.sessions", "Cuộc tiếp công dân của người đứng đầu", "sum", "cuộc"),
        ("reception.head_visits", "Lượt công dân người đứng đầu tiếp", "sum", "lượt"),
        ("training.attendance", "Lượt cán bộ dự tập huấn", "sum", "lượt"),
    )
    events += [
        _ev(
            "IndicatorDefined",
            "2021-01-01",
            demo.CITY,
            {"code": c, "title": t, "aggregation": a, "unit_label": u},
            f"indicator:{c}",
        )
        for c, t, a, u in definitions
    ]
    years = (
        ("2021-01-01", "2021-12-31"),
        ("2022-01-01", "2022-12-31"),
        ("2024-01-01", "2024-12-31"),
        ("2025-01-01", "2025-05-31"),
    )
    yearly = {
        "voters.meetings_na": 2,
        "voters.meetings_council": 6,
        "voters.attendance": 640,
        "voters.opinions": 38,
        "council.supervisions": 2,
        "training.attendance": 45,
    }
    for start, end in years:
        for c, value in yearly.items():
            events.append(
                _ev(
                    "FigureReported",
                    end,
                    code,
                    {"indicator": c, "value": value, "window": [start, end], "by": {}},
                    f"figure:{c}:{end}",
                )
            )
        for host, sessions, visits in (("party_secretary", 12, 40), ("chairman", 24, 95)):
            events.append(
                _ev(
                    "FigureReported",
                    end,
                    code,
                    {
                        "indicator": "reception.sessions",
                        "value": sessions,
                        "window": [start, end],
                        "by": {"host": host},
                    },
                    f"figure:sessions:{host}:{end}",
                )
            )
            events.append(
                _ev(
                    "FigureReported",
                    end,
                    code,
                    {
                        "indicator": "reception.head_visits",
                        "value": visits,
                        "window": [start, end],
                        "by": {"host": host},
                    },
                    f"figure:visits:{host}:{end}",
                )
            )
        events.append(
            _ev(
                "LettersReported",
                end,
                code,
                {
                    "window": [start, end],
                    "received": 21,
                    "eligible": 18,
                    "in_jurisdiction": 9,
                    "resolved": 8,
                },
                f"letters:{end}",
            )
        )
        events.append(
            _ev(
                "CitizenReceptionReported",
                end,
                code,
                {
                    "window": [start, end],
                    "visits": 135,
                    "cases_complaint": 4,
                    "cases_denunciation": 1,
                    "cases_petition": 52,
                },
                f"reception:{end}",
            )
        )
    events.append(
        _ev(
            "FigureReported",
            "2025-05-31",
            code,
            {
                "indicator": "admin.one_stop_procedures",
                "value": 118,
                "window": ["2025-01-01", "2025-05-31"],
                "by": {},
            },
            "figure:one-stop",
        )
    )
    for day, kind, topic in (
        ("2021-09-14", "SocialSupervisionHeld", "thực hiện chính sách an sinh xã hội"),
        ("2022-08-22", "SocialSupervisionHeld", "xây dựng nông thôn mới kiểu mẫu"),
        ("2024-10-03", "SocialSupervisionHeld", "cấp giấy chứng nhận quyền sử dụng đất"),
        ("2022-05-10", "SocialCritiqueHeld", "dự thảo quy hoạch sử dụng đất"),
        ("2024-04-18", "SocialCritiqueHeld", "dự thảo đề án chuyển đổi số"),
    ):
        events.append(_ev(kind, day, code, {"topic": topic}, f"{kind}:{day}"))
    for day, subject, topic in (
        ("2022-06-15", "Chi bộ thôn 1", "Việc thực hiện Quy chế công tác dân vận"),
        ("2022-11-08", "Chi bộ thôn 4", "Việc thực hiện dân chủ ở cơ sở"),
        ("2024-05-21", "Chi bộ Trường Tiểu học", "Việc thực hiện dân chủ ở cơ sở"),
        ("2024-09-12", "Đảng viên giữ chức trưởng thôn 2", "Việc tiếp dân, đối thoại"),
    ):
        events.append(
            _ev(
                "InspectionConducted",
                day,
                code,
                {"kind": "inspection", "subject": subject, "topic": topic},
                f"inspection:{day}",
            )
        )
    for day, unit, number, kind, title in (
        (
            "2021-03-12",
            code,
            "05-QĐ/ĐU",
            "regulation",
            "Quyết định ban hành Quy chế công tác dân vận của hệ thống chính trị xã",
        ),
        (
            "2022-03-15",
            code,
            "28/KH-UBND",
            "plan",
            "Kế hoạch triển khai thực hiện Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ "
            "tướng Chính phủ",
        ),
        (
            "2022-04-02",
            code,
            "41/QĐ-UBND",
            "plan",
            "Quyết định ban hành Kế hoạch phát động phong trào thi đua đẩy mạnh cải cách "
            "hành chính giai đoạn 2020 - 2025",
        ),
        (
            "2025-06-05",
            district,
            "1285-CV/HU",
            "official_letter",
            "Công văn về việc tổng kết công tác dân vận nhiệm kỳ 2020 - 2025",
        ),
    ):
        events.append(
            _ev(
                "DocumentIssued",
                day,
                unit,
                {"number": number, "kind": kind, "title": title, "sets_targets": False},
                f"document:{number}",
            )
        )
    return events


#: What three districts wrote in their own 9-month reports (their narrative, section by
#: section), which the city's draft compiles under its sections. The demo's own words.
_DISTRICT_NARRATIVE: dict[str, dict[str, list[tuple[str, str]]]] = {
    "HP.HB": {
        "I": [
            (
                "body",
                "Tình hình chính trị, trật tự an toàn xã hội trên địa bàn quận ổn định; "
                "Nhân dân tin tưởng, đồng thuận với chủ trương chỉnh trang đô thị của quận.",
            )
        ],
        "II.1": [
            (
                "body",
                "Ban Thường vụ Quận ủy chỉ đạo các chi bộ, đảng bộ trực thuộc đưa nội dung "
                "đối thoại với Nhân dân vào sinh hoạt chi bộ định kỳ.",
            )
        ],
        "V.2": [
            (
                "body",
                "Việc nắm bắt tâm tư, nguyện vọng của Nhân dân ở một số tổ dân phố có lúc "
                "chưa kịp thời.",
            )
        ],
    },
    "HP.NQ": {
        "II.1": [
            ("body", "Quận ủy tập trung lãnh đạo công tác dân vận trong giải phóng mặt bằng:"),
            ("bullet", "Giao ban công tác dân vận hằng tháng với các phường."),
            ("bullet", "Kiện toàn tổ dân vận ở các tổ dân phố."),
        ],
        "III.3": [
            (
                "body",
                "Mô hình “Tuyến phố văn minh” của phường Lạch Tray được Nhân dân hưởng ứng, "
                "được quận chọn để nhân rộng.",
            )
        ],
        "P2": [
            (
                "body",
                "Tiếp tục đối thoại với Nhân dân về các dự án chỉnh trang đô thị trên địa bàn.",
            )
        ],
    },
    "HP.TN": {
        "II.4": [
            (
                "body",
                "Huyện phối hợp với các xã hướng dẫn các cơ sở tôn giáo hoàn thiện hồ sơ đăng "
                "ký đất đai theo kế hoạch của Thành ủy.",
            )
        ],
        "V.1": [
            (
                "body",
                "Cấp ủy, chính quyền các xã quan tâm hơn đến việc tiếp xúc, đối thoại với "
                "Nhân dân.",
            )
        ],
    },
}


def district_narratives() -> list[Any]:
    """The districts' own texts for the 9 months of 2023 (``NarrativeSubmitted``), keyed
    as ``dvcore import`` of their reports would key them."""
    period = parse_period("2023-9M")
    events: list[Any] = []
    for unit, text in _DISTRICT_NARRATIVE.items():
        events.extend(narrative_events(Sections(text=text), unit=unit, window=period))
    return events


def record_demo(store: Store, clock: _Clock) -> dict[str, int]:
    """Append the sittings; returns how many events each appended."""
    counts = {}
    facts = demo.hai_phong_events()
    code, district = _commune_code(facts, TERM_COMMUNE)
    for name, at, events in (
        ("9 tháng 2023", REPORTED_AT, facts),
        ("nội dung báo cáo của 3 quận, huyện", REPORTED_AT, district_narratives()),
        ("nhập muộn", _LATE_AT, demo.late_entries()),
        ("nhiệm kỳ 2020-2025 của một xã", _TERM_AT, term_events(code, district)),
        ("sáp nhập 2025", _MERGE_AT, demo.merge_2025_events()),
    ):
        clock.now = at
        counts[name] = store.append(events, actor=demo.CITY, source=f"demo:{name}").appended
    return counts


def write_reports(
    store: Store,
    out_dir: Path,
    *,
    unit: str = demo.CITY,
    period: str = "2023-9M",
    as_of: dt.date = _AS_OF,
    as_known_at: dt.datetime | None = REPORTED_AT,
) -> tuple[list[Path], list[str]]:
    """Write every report into ``out_dir``: (the files written, one note per skipped one).

    The periodic report of ``unit`` for ``period`` goes out through every installed
    exporter; the Word exporter also writes the demo commune's term report and the follow-up
    of the city's conclusion.
    """
    from dvcore.registry import get_plugin_manager, plugin_exporters
    from dvcore.reports import build_context

    exporters = plugin_exporters(get_plugin_manager())
    written: list[Path] = []
    notes = [
        f"{name}: bỏ qua, chưa cài plugin dvcore-{name} (pip install dvcore-{name})"
        for name in ("docx", "xlsx", "html")
        if name not in exporters
    ]
    context = build_context(
        store,
        unit=unit,
        period=period,
        as_of=as_of,
        as_known_at=as_known_at,
        number="215-BC/BDVTU",
        signature="K/T TRƯỞNG BAN / PHÓ TRƯỞNG BAN",
        recipients=_RECIPIENTS,
        include_events="xlsx" in exporters,
    )
    for name, exporter in sorted(exporters.items()):
        # another plugin's exporter may share a suffix: its file carries its name
        plain = name in ("json", "markdown", "docx", "xlsx", "html")
        path = out_dir / (
            f"bao-cao-{period}{exporter.suffix}"
            if plain
            else f"bao-cao-{period}.{name}{exporter.suffix}"
        )
        written.append(exporter.export(context, path))
    if "docx" in exporters:
        docx = exporters["docx"]
        tree = store.state().tree
        code = next(c for c in tree.codes() if tree.state(c).name == TERM_COMMUNE)
        term = build_context(
            store,
            unit=code,
            period="2020-2025",
            report="term-commune",
            as_known_at=_TERM_REPORT_AT,
            number="18-BC/ĐU",
        )
        written.append(docx.export(term, out_dir / f"tong-ket-nhiem-ky-2020-2025-{code}.docx"))
        follow = build_context(
            store,
            unit=unit,
            period=period,
            report="follow-up",
            as_of=dt.date(2023, 9, 30),
            as_known_at=_LATE_AT,
            number="221-BC/BDVTU",
        )
        written.append(docx.export(follow, out_dir / f"theo-doi-ket-luan-{period}.docx"))
    return written, notes


def open_demo_store(url: str | None, *, cutoff: str = "calendar") -> tuple[Store, dict[str, int]]:
    """Open the store at ``url`` and record the demo's sittings into it, each at the instant
    it would have happened; returns the store (still on that scripted clock) and how many
    events each sitting appended. Tests and plugins' tests share their demo data this way.
    """
    clock = _Clock(REPORTED_AT)
    store = open_store(url, clock=clock, cutoff=cutoff)  # type: ignore[arg-type]
    try:
        counts = record_demo(store, clock)
    except BaseException:
        store.close()
        raise
    return store, counts


def demo_context(store: Store, **options: Any) -> dict[str, Any]:
    """The context of the demo's periodic report — Hai Phong, 9 months of 2023, targets as
    of 15/9/2023, as known when the report was made; ``options`` add to or override
    :func:`~dvcore.reports.build_context`'s arguments."""
    from dvcore.reports import build_context

    arguments: dict[str, Any] = {
        "unit": demo.CITY,
        "period": "2023-9M",
        "as_of": _AS_OF,
        "as_known_at": REPORTED_AT,
        "number": "215-BC/BDVTU",
        **options,
    }
    return cast("dict[str, Any]", build_context(store, **arguments))


def run_demo(url: str | None, out_dir: Path, *, cutoff: str = "calendar") -> list[str]:
    """Record the demo into the store at ``url`` and write its reports; returns a summary."""
    store, counts = open_demo_store(url, cutoff=cutoff)
    try:
        written, skipped = write_reports(store, out_dir)
        then = store.snapshot(demo.CITY, "2023-9M", as_known_at=REPORTED_AT)
        now = store.snapshot(demo.CITY, "2023-9M")
        target = next(
            t
            for t in store.targets(demo.CITY, _AS_OF, as_known_at=REPORTED_AT)
            if t.code == "08-NQ/TU.3b"
        )
        level = then.by("dialogue.count", "level")
        field = then.by("model.registered", "field")
        lines = [
            "đã ghi: " + "; ".join(f"{k} {format_number(v)} sự kiện" for k, v in counts.items()),
            f"kho: {store.engine.url.render_as_string(hide_password=True)} "
            f"({format_number(store.head())} sự kiện)",
            f"Hải Phòng, 9 tháng 2023, như đã biết {format_date(REPORTED_AT.date())}:",
            f"  {format_number(then.value('dialogue.count') or 0)} cuộc đối thoại "
            f"({pad_count(int(level.get('city', 0)))} cuộc cấp thành phố; "
            f"{pad_count(int(level.get('district', 0)))} cuộc cấp quận, huyện; "
            f"{pad_count(int(level.get('commune', 0)))} cuộc cấp xã, phường)",
            f"  {format_number(then.value('model.registered') or 0)} mô hình "
            f"\u201cDân vận khéo\u201d ({format_number(field.get('ntm_model', 0))} "
            f"nông thôn mới kiểu mẫu, {format_number(field.get('urban', 0))} chỉnh trang đô thị)",
            f"  hồ sơ của {target.numerator}/{target.denominator} cơ sở tôn giáo "
            f"(đạt {format_percent(target.numerator, target.plan)} kế hoạch năm)",
            f"  nay (sau khi nhập muộn): {format_number(now.value('dialogue.count') or 0)} "
            "cuộc đối thoại",
            "báo cáo: " + ", ".join(str(p) for p in written),
            *skipped,
        ]
        return lines
    finally:
        store.close()
