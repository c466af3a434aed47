"""The follow-up report: the tasks of a conclusion, their owners, deadlines and status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from dvcore.reports.blocks import Blocks
from dvcore.reports.reader import Reader
from dvcore.reports.sections import Sections
from dvcore.reports.wording import committee_name, count_text, document_ref, short_date


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


def task_rows(
    reader: Reader, units: Iterable[str], day: dt.date, conclusion: str | None = None
) -> list[dict[str, Any]]:
    """The tasks owned in ``units`` as of ``day``: overdue first, then open, then done."""
    tree = reader.tree
    inside = set(units)
    out = []
    for task in reader.state.tasks():
        data = task.data
        if task.assigned_on > day or (conclusion is not None and data.conclusion != conclusion):
            continue
        owner = data.owner
        if owner not in inside and (owner not in tree or tree.carrier_on(owner, day) not in inside):
            continue
        status = task.status_on(day)
        reports = [(on, s) for on, _p, s in task.reports if on <= day]
        done_on = next((on for on, s in reports if s == "done"), None)
        overdue = status != "done" and data.due is not None and data.due < day
        late = done_on is not None and data.due is not None and done_on > data.due
        status_text = STATUS_TEXT[status]
        if late:
            status_text = "Hoàn thành chậm so với thời hạn"
        if overdue and data.due is not None:
            status_text += f" (quá hạn {(day - data.due).days} ngày)"
        notes = [r for r in task_notes(reader, task) if r[0] <= day]
        out.append(
            {
                "task_id": data.task_id,
                "conclusion": data.conclusion,
                "owner": owner,
                "owner_name": reader.name(owner, day),
                "text": data.text,
                "assigned_on": task.assigned_on,
                "due": data.due,
                "due_text": short_date(data.due) if data.due else "—",
                "status": status,
                "status_text": status_text,
                "overdue": overdue,
                "days_overdue": (day - data.due).days if overdue and data.due else 0,
                "done_on": done_on,
                "note": notes[-1][1] if notes else "",
            }
        )
    rank = {True: 0, False: 1}
    out.sort(
        key=lambda t: (
            rank[t["overdue"]],
            t["status"] == "done",
            t["due"] or dt.date.max,
            t["task_id"],
        )
    )
    return out


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
    doc.heading("I", 1, "I-", "KẾT QUẢ THỰC HIỆN")
    if sections.text.get("I"):
        doc.user_text("I", sections.text["I"])
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
    doc.table(
        "I",
        ["TT", "Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn", "Tình trạng", "Ghi chú"],
        [
            [str(i), t["text"], t["owner_name"], t["due_text"], t["status_text"], t["note"]]
            for i, t in enumerate(tasks, start=1)
        ],
        [10, 52, 28, 25, 30, 30],
    )
    doc.heading("II", 1, "II-", "ĐỀ XUẤT, KIẾN NGHỊ")
    if sections.text.get("II"):
        doc.user_text("II", sections.text["II"])
    else:
        doc.placeholder("II")
    return summary, tasks
