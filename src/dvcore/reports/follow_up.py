"""The follow-up report: the tasks of a conclusion, their owners, deadlines and status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from dvcore.reports.blocks import Blocks
from dvcore.reports.compiled import Narrative
from dvcore.reports.reader import Reader
from dvcore.reports.sections import Sections
from dvcore.reports.wording import (
    body_name,
    committee_name,
    count_text,
    document_ref,
    recurrence_text,
    short_date,
    task_number_key,
)
from dvcore.tasks import is_overdue, latest_due, next_due, owner_units, parse_owner


def task_progress(total: int, done: int, overdue: int) -> str:
    """``02 nhiệm vụ đã hoàn thành; 04 nhiệm vụ chưa hoàn thành, trong đó 02 nhiệm vụ quá
    hạn``, with no zero said: ``cả 06 nhiệm vụ đã hoàn thành``, ``các nhiệm vụ đều chưa hoàn
    thành``."""
    late = f", trong đó {count_text(overdue)} nhiệm vụ quá hạn" if overdue else ""
    if done == total:
        return f"cả {count_text(total)} nhiệm vụ đã hoàn thành"
    if done == 0:
        return f"các nhiệm vụ đều chưa hoàn thành{late}"
    return (
        f"{count_text(done)} nhiệm vụ đã hoàn thành; {count_text(total - done)} nhiệm vụ "
        f"chưa hoàn thành{late}"
    )


STATUS_TEXT: Mapping[str, str] = {
    "done": "Đã hoàn thành",
    "in_progress": "Đang thực hiện",
    "open": "Chưa báo cáo kết quả",
}


def task_group(task_id: str) -> str | None:
    """The group a task's number names: its first part when that is a number (``2.3`` →
    ``2``); ``None`` for a task number without one (``t4``, ``5``)."""
    first, dot, _rest = task_id.partition(".")
    return first if dot and first.isdigit() else None


def owner_name(reader: Reader, owner: str, day: dt.date) -> str:
    """An owner as the report names it: a unit's name, or a body of a unit (``UBND huyện
    Thủy Nguyên``; of the report's own unit without its proper name, ``UBND thành phố``)."""
    found = parse_owner(owner)
    tree = reader.tree
    if found.unit not in tree:
        return owner
    if found.body is None:
        return reader.name(found.unit, day)
    state = tree.state(found.unit, day)
    return body_name(found.body, state.name, state.kind, own=found.unit == reader.unit)


def _deadline(task: Any, day: dt.date, overdue: bool) -> tuple[dt.date | None, str]:
    """The due day that matters on ``day`` and the words of the deadline column."""
    data = task.data
    if data.recurrence is None:
        return data.due, short_date(data.due) if data.due else "—"
    rule_text = recurrence_text(data.recurrence)
    latest, _previous = latest_due(task, day)
    if overdue and latest is not None:
        return latest, rule_text
    return next_due(data.recurrence, max(day, task.assigned_on)), rule_text


def task_rows(
    reader: Reader, units: Iterable[str], day: dt.date, conclusion: str | None = None
) -> list[dict[str, Any]]:
    """The tasks owned in ``units`` as of ``day``, as their conclusions number them: by
    conclusion (in the order they were first assigned), then by number (1.2 before 1.10).

    A task with several owners is listed once, when one of them is in ``units``."""
    tree = reader.tree
    inside = set(units)
    out = []
    titles: dict[tuple[str, str], str] = {}
    for task in reader.state.tasks():
        data = task.data
        group = task_group(data.task_id)
        if group is not None and data.group and (data.conclusion, group) not in titles:
            titles[data.conclusion, group] = data.group
        if task.assigned_on > day or (conclusion is not None and data.conclusion != conclusion):
            continue
        units_of = owner_units(data)
        if not any(
            u in inside or (u in tree and tree.carrier_on(u, day) in inside) for u in units_of
        ):
            continue
        status = task.status_on(day)
        reports = [(on, s) for on, _p, s in task.reports if on <= day]
        done_on = next((on for on, s in reports if s == "done"), None)
        overdue = is_overdue(task, day)
        due_day, due_text = _deadline(task, day, overdue)
        recurring = data.recurrence is not None
        late = not recurring and done_on is not None and data.due is not None and done_on > data.due
        status_text = STATUS_TEXT[status]
        if late:
            status_text = "Hoàn thành chậm so với thời hạn"
        days_overdue = 0
        if overdue and due_day is not None:
            if recurring:  # due "before" its day: late on the day itself
                days_overdue = (day - due_day).days + 1
                status_text += f" (chưa báo cáo, hạn trước ngày {short_date(due_day)})"
            else:
                days_overdue = (day - due_day).days
                status_text += f" (quá hạn {days_overdue} ngày)"
        notes = [r for r in task_notes(reader, task) if r[0] <= day]
        names = [owner_name(reader, o, day) for o in data.owners]
        out.append(
            {
                "task_id": data.task_id,
                "conclusion": data.conclusion,
                "group": group,
                "group_title": "",
                "owner": data.owner,
                "owners": list(data.owners),
                "owner_name": "; ".join(names),
                "owner_names": names,
                "text": data.text,
                "assigned_on": task.assigned_on,
                "due": data.due,
                "recurrence": data.recurrence,
                "deadline": due_day,
                "due_text": due_text,
                "status": status,
                "status_text": status_text,
                "overdue": overdue,
                "days_overdue": days_overdue,
                "done_on": done_on,
                "note": notes[-1][1] if notes else "",
            }
        )
    order = {c: i for i, c in enumerate(dict.fromkeys(t["conclusion"] for t in out))}
    for t in out:
        if t["group"] is not None:
            t["group_title"] = titles.get((t["conclusion"], t["group"]), "")
    out.sort(key=lambda t: (order[t["conclusion"]], task_number_key(t["task_id"])))
    return out


def task_table(tasks: Sequence[Mapping[str, Any]]) -> tuple[list[list[str]], list[int]]:
    """The follow-up table's rows, the conclusion's numbers as given, and which rows are
    group rows (``["1", "Nhiệm vụ chung", "", …]``: a group with a title in the data)."""
    rows: list[list[str]] = []
    groups: list[int] = []
    seen: set[tuple[str, str]] = set()
    for t in tasks:
        key = (t["conclusion"], t["group"])
        if t["group"] is not None and t["group_title"] and key not in seen:
            seen.add(key)
            groups.append(len(rows))
            rows.append([t["group"], t["group_title"], "", "", "", ""])
        rows.append(
            [t["task_id"], t["text"], t["owner_name"], t["due_text"], t["status_text"], t["note"]]
        )
    return rows, groups


def task_notes(reader: Reader, task: Any) -> list[tuple[dt.date, str]]:
    notes = []
    for on, position, _status in task.reports:
        # the report as it stands (a correction replaces its note): the state knows it
        data = reader.state._effective(position)
        note = getattr(data, "note", None)
        if note:
            notes.append((on, str(note)))
    return notes


def follow_up_blocks(
    reader: Reader,
    sections: Sections,
    doc: Blocks,
    *,
    cut: dt.date,
    conclusion: str | None = None,
) -> tuple[list[str], list[dict[str, Any]]]:
    """Write the follow-up report into ``doc``; return the summary lines and the tasks."""
    tree, unit, per = reader.tree, reader.unit, reader.period
    tasks = task_rows(
        reader,
        tree.subtree(unit, min(cut, per.end)) if tree.exists(unit, min(cut, per.end)) else [unit],
        cut,
        conclusion,
    )
    docs = {d.data.number: d for d in reader.documents()}
    conclusions = list(dict.fromkeys(t["conclusion"] for t in tasks))
    refs = []
    for c in conclusions:
        d = docs.get(c)
        if d is not None:
            issuing = tree.state(d.unit, d.occurred_on) if d.unit in tree else None
            whose = (
                f" của Ban Thường vụ {committee_name(issuing.name, issuing.kind)}"
                if issuing
                else ""
            )
            refs.append(document_ref(d, with_title=False) + whose)
        else:
            refs.append(f"Kết luận số {c}")
    summary = (
        ["kết quả thực hiện các nhiệm vụ theo " + "; ".join(refs)]
        if refs
        else ["kết quả thực hiện các nhiệm vụ theo kết luận"]
    )
    narrative = Narrative(reader, ["I", "II"], report="follow-up")
    doc.heading("I", 1, "I-", "KẾT QUẢ THỰC HIỆN")
    narrative.write_own(doc, "I", sections.text, placeholder=False)
    done = sum(1 for t in tasks if t["status"] == "done")
    overdue = sum(1 for t in tasks if t["overdue"])
    doc.paragraph(
        "I",
        [
            f"Tính đến ngày {short_date(cut)}, có {count_text(len(tasks))} nhiệm vụ được "
            f"giao: {task_progress(len(tasks), done, overdue)}."
            if tasks
            else f"Tính đến ngày {short_date(cut)}, không có nhiệm vụ nào được giao."
        ],
    )
    if tasks:  # no table of headers only: the sentence above says there is no task
        rows, groups = task_table(tasks)
        doc.table(
            "I",
            ["TT", "Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn", "Tình trạng", "Ghi chú"],
            rows,
            [10, 48, 30, 28, 30, 26],
            groups=groups,
        )
    # what the owners wrote of their tasks, each named, in the tree's order
    narrative.write_subordinates(doc, "I")
    doc.heading("II", 1, "II-", "ĐỀ XUẤT, KIẾN NGHỊ")
    narrative.write_own(doc, "II", sections.text)
    narrative.write_subordinates(doc, "II")
    doc.narrative_rows = narrative.rows()
    return summary, tasks
