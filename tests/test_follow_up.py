"""The follow-up report (issue 13, item 4): a conclusion's tasks as it numbers and groups them,
owned by bodies of units and by several owners, due once or by a recurring rule; its Word
table's header row repeats on every page, and no count reads "00"."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn
from hypothesis import given, settings
from hypothesis import strategies as st

import dvcore
from dvcore.cli import main
from dvcore.errors import ValidationError
from dvcore.events import TaskAssigned, TaskReported
from dvcore.reports import build_context
from dvcore.serialization import payload_json, structure_data
from dvcore.store.projections import TaskRecord
from dvcore.tasks import due_days, is_overdue, parse_owner

Event = dict[str, Any]
REFS = itertools.count(1)


def ev(type_name: str, day: str, unit: str, **data: Any) -> Event:
    return {
        "type": type_name,
        "occurred_on": day,
        "unit": unit,
        "data": data,
        "source_ref": f"fu:{next(REFS)}",
    }


def unit(code: str, name: str, kind: str, parent: str | None) -> Event:
    return ev(
        "UnitRegistered", "2020-01-01", parent or code, code=code, name=name, kind=kind,
        parent=parent,
    )  # fmt: skip


TREE = [
    unit("T", "Thị xã Đức Phổ", "town", None),
    unit("T.A", "Phường Phổ Minh", "ward", "T"),
    unit("T.B", "Xã Phổ Châu", "commune", "T"),
    unit("T.MT", "Ủy ban Mặt trận Tổ quốc Việt Nam thị xã", "mass_org", "T"),
    unit("T.LL", "Ban Chỉ huy Quân sự thị xã", "armed_force", "T"),
]
KL = "15-KL/TU"


def task(task_id: str, owner: str, text: str, **more: Any) -> Event:
    return ev(
        "TaskAssigned", "2023-07-17", "T", task_id=task_id, conclusion=KL, owner=owner,
        text=text, **more,
    )  # fmt: skip


TASKS = [
    ev("DocumentIssued", "2023-07-17", "T", number=KL, kind="conclusion", title="Kết luận"),
    task("1.10", "T:standing_committee", "Tổng kết năm", due="2023-12-31", group="Nhiệm vụ chung"),
    task("1.2", "T:mass_mobilization", "Rà soát văn bản", due="2023-08-31"),
    task("1.5", "T:party_committee", "Đối thoại", recurrence="quarterly", group="Nhiệm vụ chung"),
    task(
        "2.3",
        "T:front_and_unions",
        "Tuyên truyền",
        co_owners=["T.MT", "T.A:party_committee"],
        due="2023-12-31",
        group="Nhiệm vụ cụ thể",
    ),
    task("2.2", "T:people_committee", "Báo cáo tháng", recurrence="monthly:10"),
    task("2.1", "T:people_council", "Giám sát", due="2023-09-30"),
    ev("TaskReported", "2023-08-20", "T", task_id="1.2", status="done", note="Xong"),
    ev("TaskReported", "2023-08-09", "T", task_id="2.2", status="in_progress"),
    ev("TaskReported", "2023-09-05", "T", task_id="2.2", status="in_progress"),
]


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('fu') / 'fu.db'}"
    store = dvcore.open_store(url)
    store.append([*TREE, *TASKS], actor="T")
    store.close()
    return url


@pytest.fixture(scope="module")
def store(store_url: str) -> Any:
    s = dvcore.open_store(store_url)
    yield s
    s.close()


def follow_up(store: Any, as_of: str = "2023-10-05", **more: Any) -> dict[str, Any]:
    return dict(
        build_context(
            store, unit="T", period="2023", report="follow-up", as_of=as_of, date=as_of, **more
        )
    )


def text_of(context: dict[str, Any]) -> str:
    parts = [b.get("text", "") for b in context["blocks"]]
    for b in context["blocks"]:
        if b["kind"] == "table":
            parts += [" ".join(b["columns"]), *(" | ".join(r) for r in b["rows"])]
    return "\n".join([*parts, *context["document"]["summary_lines"]])


def test_numbers_kept_and_grouped_under_their_first_part(store: Any) -> None:
    context = follow_up(store)
    assert [t["task_id"] for t in context["tasks"]] == ["1.2", "1.5", "1.10", "2.1", "2.2", "2.3"]
    assert {t["task_id"]: t["group_title"] for t in context["tasks"]} == {
        "1.2": "Nhiệm vụ chung",  # the group's title, though this task gives none
        "1.5": "Nhiệm vụ chung",
        "1.10": "Nhiệm vụ chung",
        "2.1": "Nhiệm vụ cụ thể",
        "2.2": "Nhiệm vụ cụ thể",
        "2.3": "Nhiệm vụ cụ thể",
    }
    table = next(b for b in context["blocks"] if b["kind"] == "table")
    assert [r[0] for r in table["rows"]] == ["1", "1.2", "1.5", "1.10", "2", "2.1", "2.2", "2.3"]
    assert table["group_rows"] == [0, 4]
    assert table["rows"][0][:2] == ["1", "Nhiệm vụ chung"]
    assert table["rows"][4][:2] == ["2", "Nhiệm vụ cụ thể"]


def test_owners_named_as_bodies_and_several(store: Any) -> None:
    tasks = {t["task_id"]: t for t in follow_up(store)["tasks"]}
    assert tasks["1.10"]["owner_name"] == "Ban Thường vụ Thị ủy"
    assert tasks["1.2"]["owner_name"] == "Ban Dân vận Thị ủy"
    assert tasks["1.5"]["owner_name"] == "Thị ủy"
    assert tasks["2.1"]["owner_name"] == "Thường trực HĐND thị xã"
    assert tasks["2.2"]["owner_name"] == "UBND thị xã"
    assert tasks["2.3"]["owner_names"] == [
        "Mặt trận Tổ quốc và các tổ chức chính trị - xã hội thị xã",
        "Ủy ban Mặt trận Tổ quốc Việt Nam thị xã",
        "Đảng ủy phường Phổ Minh",
    ]
    assert tasks["2.3"]["owners"] == ["T:front_and_unions", "T.MT", "T.A:party_committee"]
    # a co-owner's unit carries the task: the ward's report lists it, once
    ward = build_context(store, unit="T.A", period="2023", report="follow-up", date="2023-10-05")
    assert [t["task_id"] for t in ward["tasks"]] == ["2.3"]
    assert store.snapshot("T.A", "2023-Q3").value("task.open") == 1


def test_recurring_deadlines_in_the_report(store: Any) -> None:
    tasks = {t["task_id"]: t for t in follow_up(store)["tasks"]}
    monthly = tasks["2.2"]
    # due days 10/8, 10/9, 10/10: on 5/10 the latest is 10/9, and the report of 5/9 (after
    # 10/8) answers it; on 12/10 nothing answers 10/10
    assert monthly["due_text"] == "Trước ngày 10 hằng tháng"
    assert not monthly["overdue"]
    assert monthly["deadline"] == dt.date(2023, 10, 10)
    later = {t["task_id"]: t for t in follow_up(store, as_of="2023-10-12")["tasks"]}
    assert later["2.2"]["overdue"]
    assert later["2.2"]["deadline"] == dt.date(2023, 10, 10)
    assert later["2.2"]["status_text"].endswith("(chưa báo cáo, hạn trước ngày 10/10/2023)")
    quarterly = tasks["1.5"]
    assert quarterly["due_text"] == "Hằng quý"
    assert quarterly["overdue"]  # due before 1/10 for the third quarter, no report at all
    assert store.snapshot("T", "2023-10").value("task.overdue") == 3  # 1.5, 2.1, 2.2 by 31/10


def test_no_double_zero_when_nothing_is_overdue(store: Any) -> None:
    context = follow_up(store, as_of="2023-08-25")
    text = text_of(context)
    assert not re.search(r"\b00\b", text)
    assert (
        "có 06 nhiệm vụ được giao: 01 nhiệm vụ đã hoàn thành; 05 nhiệm vụ chưa hoàn thành." in text
    )


def test_task_ids_are_per_conclusion(store_url: str, tmp_path: Path) -> None:
    s = dvcore.open_store(f"sqlite:///{tmp_path / 'two.db'}")
    s.append([*TREE, *TASKS], actor="T")
    s.append(
        [ev("TaskAssigned", "2023-12-20", "T", task_id="1.2", conclusion="20-KL/TU",
            owner="T.B:people_committee", text="Nhiệm vụ mới", due="2024-03-31")],
        actor="T",
    )  # fmt: skip
    with pytest.raises(ValidationError, match="conclusion"):
        s.append([ev("TaskReported", "2024-01-05", "T.B", task_id="1.2", status="done")])
    s.append(
        [ev("TaskReported", "2024-01-05", "T.B", task_id="1.2", status="done",
            conclusion="20-KL/TU")]
    )  # fmt: skip
    context = build_context(s, unit="T", period="2024-01", report="follow-up")
    statuses = {(t["conclusion"], t["task_id"]): t["status"] for t in context["tasks"]}
    assert statuses[("20-KL/TU", "1.2")] == "done"
    assert statuses[(KL, "1.2")] == "done"  # done in August, its own
    s.close()


def test_every_owners_unit_must_exist(store: Any) -> None:
    bad = task("3.1", "T:people_committee", "Nhiệm vụ", co_owners=["T.ZZ:party_committee"])
    with pytest.raises(ValidationError) as refused:
        store.append([bad], actor="T")
    assert "data.co_owners[0]" in str(refused.value)
    assert "T.ZZ" in str(refused.value)


def test_an_owner_is_a_unit_or_a_body_of_one() -> None:
    assert parse_owner("HP.TN:people_committee") == parse_owner("HP.TN:people_committee")
    assert parse_owner("HP.TN:people_committee").unit == "HP.TN"
    assert parse_owner("HP.MTTQ").body is None
    base = {"task_id": "1.1", "conclusion": KL, "text": "x"}
    with pytest.raises(ValidationError, match="owner"):
        TaskAssigned(owner="HP:people", **base)
    with pytest.raises(ValidationError, match="recurrence"):
        TaskAssigned(owner="HP", recurrence="weekly", **base)
    with pytest.raises(ValidationError, match="recurrence"):
        TaskAssigned(owner="HP", recurrence="monthly:31", **base)
    with pytest.raises(ValidationError, match="recurrence"):
        TaskAssigned(owner="HP", recurrence="yearly", due=dt.date(2023, 12, 31), **base)
    with pytest.raises(ValidationError, match="co_owners"):
        TaskAssigned(owner="HP", co_owners=["HP"], **base)
    old, problems = structure_data(
        TaskAssigned,
        {"task_id": "t1", "conclusion": KL, "owner": "HP", "due": "2023-05-01", "text": "x"},
    )  # an event written before owners, rules and groups still reads
    assert problems == []
    assert isinstance(old, TaskAssigned)
    assert old.owners == ("HP",)
    assert old.recurrence is None
    # and keeps its canonical text: the same row sent again is the same event
    assert payload_json(old) == (
        '{"conclusion":"15-KL/TU","due":"2023-05-01","owner":"HP","task_id":"t1","text":"x"}'
    )
    report, _problems = structure_data(TaskReported, {"task_id": "t1", "status": "done"})
    assert report is not None
    assert payload_json(report) == '{"note":null,"status":"done","task_id":"t1"}'


# --- the overdue rule of recurring tasks, against days walked one by one --------------------

RULES = st.sampled_from(["quarterly", "yearly"]) | st.integers(1, 28).map(lambda n: f"monthly:{n}")
DAYS = st.dates(dt.date(2022, 1, 1), dt.date(2025, 12, 31))


def walked_due_days(rule: str, after: dt.date, until: dt.date) -> list[dt.date]:
    out = []
    day = after + dt.timedelta(days=1)
    while day <= until:
        if rule.startswith("monthly:"):
            hit = day.day == int(rule.partition(":")[2])
        elif rule == "quarterly":
            hit = day.day == 1 and day.month in (1, 4, 7, 10)
        else:
            hit = (day.month, day.day) == (1, 1)
        if hit:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


@settings(max_examples=300, deadline=None)
@given(
    rule=RULES,
    assigned=DAYS,
    offset=st.integers(0, 500),
    report_offsets=st.lists(st.integers(0, 600), max_size=6),
)
def test_recurring_overdue_iff_the_latest_due_day_has_no_report_since_the_one_before(
    rule: str, assigned: dt.date, offset: int, report_offsets: list[int]
) -> None:
    day = assigned + dt.timedelta(days=offset)
    reports = sorted((assigned + dt.timedelta(days=o), i, "in_progress")
                     for i, o in enumerate(report_offsets))  # fmt: skip
    record = TaskRecord(
        position=1,
        assigned_on=assigned,
        data=TaskAssigned(task_id="1.1", conclusion=KL, owner="T", recurrence=rule, text="x"),
        reports=tuple(reports),
    )
    walked = walked_due_days(rule, assigned, day)
    assert due_days(rule, assigned, day) == walked
    if not walked:
        expected = False
    else:
        latest, previous = walked[-1], (walked[-2] if len(walked) > 1 else None)
        assert latest <= day
        expected = not any(
            on <= day and (previous is None or on > previous) for on, _i, _s in reports
        )
    assert is_overdue(record, day) == expected


# --- no "00" anywhere, whatever the tasks ---------------------------------------------------

TASK_SETS = st.lists(
    st.tuples(
        st.sampled_from(["T", "T:people_committee", "T.MT", "T.A:party_committee"]),
        st.one_of(
            st.dates(dt.date(2023, 7, 18), dt.date(2024, 3, 1)).map(lambda d: ("due", d)),
            RULES.map(lambda r: ("recurrence", r)),
        ),
        st.lists(
            st.tuples(
                st.dates(dt.date(2023, 7, 17), dt.date(2024, 3, 1)),
                st.sampled_from(["in_progress", "done"]),
            ),
            max_size=3,
        ),
    ),
    max_size=12,
)


@settings(max_examples=25, deadline=None)
@given(tasks=TASK_SETS, as_of=st.dates(dt.date(2023, 7, 17), dt.date(2024, 3, 1)))
def test_no_count_reads_00(tasks: list[Any], as_of: dt.date, tmp_path_factory: Any) -> None:
    s = dvcore.open_store(f"sqlite:///{tmp_path_factory.mktemp('zz') / 'z.db'}")
    events = [*TREE]
    for n, (owner, (kind, value), reports) in enumerate(tasks, start=1):
        task_id = f"{1 + n % 2}.{n}"
        when = value.isoformat() if kind == "due" else value
        events.append(task(task_id, owner, f"Nhiệm vụ {n}", **{kind: when}))
        for day, status in reports:
            events.append(ev("TaskReported", day.isoformat(), "T", task_id=task_id, status=status))
    s.append(events, actor="T")
    context = build_context(
        s, unit="T", period="2023", report="follow-up", as_of=min(as_of, dt.date(2023, 12, 31)),
        date=as_of,
    )  # fmt: skip
    text = text_of(context)
    assert not re.search(r"(?<![\d/.,])00(?![\d/])", text), text
    s.close()


# --- Word: the table's header row repeats; end to end through the command line ---------------


def test_docx_header_row_repeats_end_to_end(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("dvcore_docx")
    monkeypatch.setenv("DVCORE_DISABLE_PLUGIN_AUTOLOAD", "0")  # the docx exporter is a plugin
    out = tmp_path / "theo-doi.docx"
    result = CliRunner().invoke(
        main,
        ["--store", store_url, "export", "--exporter", "docx", "--unit", "T",
         "--period", "2023", "--report", "follow-up", "--as-of", "2023-10-05", "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out))
    tables = [t for t in document.tables if t.style is not None and t.style.name == "Table Grid"]
    (table,) = tables
    first = table.rows[0]._tr
    assert first.trPr is not None
    assert first.trPr.find(qn("w:tblHeader")) is not None
    assert all(
        r._tr.trPr is None or r._tr.trPr.find(qn("w:tblHeader")) is None for r in table.rows[1:]
    )
    assert [c.text for c in first.iter(qn("w:t"))][:2] == ["TT", "Nhiệm vụ"]
    # a group row: the number, then the title in one cell spanning the other columns
    group = table.rows[1]
    cells = group._tr.findall(qn("w:tc"))
    assert len(cells) == 2
    span = cells[1].find(qn("w:tcPr")).find(qn("w:gridSpan"))
    assert span is not None
    assert span.get(qn("w:val")) == "5"
    assert "".join(t.text for t in cells[1].iter(qn("w:t"))) == "Nhiệm vụ chung"
    # a group row never ends a page apart from its first task
    assert all(p.paragraph_format.keep_with_next for c in group.cells for p in c.paragraphs)
    body = "\n".join(
        "".join(t.text for t in r._tr.iter(qn("w:t"))) for r in table.rows
    ) + "\n".join(p.text for p in document.paragraphs)
    assert "1.10" in body
    assert "UBND thị xã" in body
    assert not re.search(r"\b00\b", body)


def test_a_follow_up_without_tasks_has_no_empty_table(store: Any) -> None:
    store.append(
        [
            {
                "type": "UnitRegistered",
                "occurred_on": "2020-01-01",
                "unit": "HP",
                "data": {"code": "HP", "name": "Thành phố Hải Phòng", "kind": "city"},
                "source_ref": "tree:HP",
            }
        ]
    )
    context = build_context(store, unit="HP", period="2023-9M", report="follow-up")
    assert [b for b in context["blocks"] if b["kind"] == "table"] == []
    assert "không có nhiệm vụ nào được giao" in " ".join(
        b.get("text", "") for b in context["blocks"]
    )
