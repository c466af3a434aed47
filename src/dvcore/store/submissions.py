"""Submissions and completeness: which units sent their figures, when, and which did not.

Every file ``dvcore import`` reads is recorded as a submission — the submitting unit, the
period the file covers, the channel, the file's name and SHA-256, the actor, the instant
the store received it (the store's clock, the same ``recorded_at`` its events get) and
what it brought (rows, events appended, duplicates, positions) — in the transaction that
appends its events: a file is recorded if and only if its events are. A dry run records
nothing.

:func:`submission_report` answers DHIS2's "reporting rate" from when files actually
arrived rather than from a "complete" button: for a unit and a period, which of its
direct subordinate units sent a file covering the period, on time or late against a
deadline, and which sent nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs
from sqlalchemy import Connection, select

from dvcore.errors import InputError, UnknownUnitError
from dvcore.periods import Period, parse_date
from dvcore.store import schema

if TYPE_CHECKING:
    from dvcore.store.sql import Store
    from dvcore.units import UnitTree

__all__ = [
    "VIETNAM",
    "Submission",
    "SubmissionInfo",
    "SubmissionReport",
    "UnitStatus",
    "list_submissions",
    "record_submissions",
    "render_report",
    "review_submission",
    "submission_infos",
    "submission_report",
    "tap_sources",
]

#: Vietnam's time (UTC+7, no daylight saving): a deadline is the end of that day there.
VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")

Status = Literal["on_time", "late", "received", "missing"]


@attrs.frozen(kw_only=True)
class SubmissionInfo:
    """What an import knows of one file before reading it: recorded with its counts.

    ``source`` is the name the file's rows carry into :meth:`Store.import_rows
    <dvcore.store.Store.import_rows>` (its path), ``file_name`` the name recorded.
    """

    source: str
    file_name: str
    sha256: str
    channel: str
    unit: str | None = None
    period: Period | None = None
    actor: str | None = None
    #: the unit was named explicitly (``--unit``): it must be registered once the import's
    #: own events are in (an import may register it)
    check_unit: bool = False
    #: rows of the file the import found stored already and did not hand to the store
    #: (counted with the file's rows and duplicates)
    stored: int = 0


@attrs.frozen(kw_only=True)
class Submission:
    """A recorded submission: one file, as the store received it."""

    id: int
    unit: str | None
    period: str | None
    period_start: dt.date | None
    period_end: dt.date | None
    channel: str
    file_name: str
    sha256: str
    actor: str | None
    received_at: dt.datetime
    rows: int
    appended: int
    duplicates: int
    first_position: int | None
    last_position: int | None

    def covers(self, period: Period) -> bool:
        """Whether the file's period contains ``period`` (a 9-month file covers 6 months)."""
        return (
            self.period_start is not None
            and self.period_end is not None
            and self.period_start <= period.start
            and self.period_end >= period.end
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "unit": self.unit,
            "period": self.period,
            "channel": self.channel,
            "file_name": self.file_name,
            "sha256": self.sha256,
            "actor": self.actor,
            "received_at": self.received_at.isoformat(),
            "rows": self.rows,
            "appended": self.appended,
            "duplicates": self.duplicates,
            "first_position": self.first_position,
            "last_position": self.last_position,
        }


# --- recording ----------------------------------------------------------------------------


def submission_infos(
    store: Store,
    files: Sequence[tuple[Path, str]],
    *,
    unit: str | None = None,
    actor: str | None = None,
    period: str | Period | None = None,
) -> list[SubmissionInfo]:
    """The submissions an import of ``files`` (path, channel name) will record.

    The submitting unit is ``unit`` (which must be registered, by the time the import's
    own events are in) or else ``actor``; the period is read under the store's cut-off.
    Raises :class:`~dvcore.errors.InputError` for a bad period.
    """
    per = store.period(period) if period is not None else None
    out = []
    for path, channel in files:
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        out.append(
            SubmissionInfo(
                source=str(path),
                file_name=path.name,
                sha256=digest.hexdigest(),
                channel=channel,
                unit=unit or actor,
                period=per,
                actor=actor,
                check_unit=unit is not None,
            )
        )
    return out


def tap_sources(
    rows: Iterable[tuple[str, int, Any]], sources: list[str]
) -> Iterator[tuple[str, int, Any]]:
    """Pass ``rows`` through, noting each row's source in ``sources`` (in order)."""
    for row in rows:
        sources.append(row[0])
        yield row


def record_submissions(
    conn: Connection,
    infos: Sequence[SubmissionInfo],
    sources: Sequence[str],
    positions: Sequence[int],
    head: int,
    received_at: dt.datetime,
    tree: UnitTree | None = None,
    *,
    write: bool = True,
) -> None:
    """Insert one row per file, with what its rows did: ``positions[i]`` is the position
    of the ``i``-th row (its original's for a duplicate), ``head`` the log's head before
    the import, ``tree`` the unit tree with the import's events in. Called inside the
    import's transaction, before it commits; ``write=False`` (a dry run) only checks.

    Raises :class:`~dvcore.errors.UnknownUnitError` for a submitting unit named
    explicitly that is not registered.
    """
    for info in infos:
        if info.check_unit and tree is not None and info.unit not in tree:
            raise UnknownUnitError(str(info.unit), f"unknown unit '{info.unit}' (--unit)")
    if not write:
        return
    if len(sources) != len(positions):  # pragma: no cover - import_rows guarantees it
        raise InputError("the import's rows and positions do not match")
    stats: dict[str, list[Any]] = {info.source: [0, 0, 0, None, None] for info in infos}
    seen: set[int] = set()
    for source, position in zip(sources, positions, strict=True):
        entry = stats.setdefault(source, [0, 0, 0, None, None])
        entry[0] += 1
        if position <= head or position in seen:
            entry[2] += 1
            continue
        seen.add(position)
        entry[1] += 1
        if entry[3] is None:
            entry[3] = position
        entry[4] = position
    rows = []
    for info in infos:
        count, appended, duplicates, first, last = stats[info.source]
        count += info.stored
        duplicates += info.stored
        rows.append(
            {
                "unit": info.unit,
                "period": None if info.period is None else info.period.spec,
                "period_start": None if info.period is None else info.period.start,
                "period_end": None if info.period is None else info.period.end,
                "channel": info.channel,
                "file_name": info.file_name[-500:],
                "sha256": info.sha256,
                "actor": info.actor,
                "received_at": received_at,
                "rows": count,
                "appended": appended,
                "duplicates": duplicates,
                "first_position": first,
                "last_position": last,
            }
        )
    if rows:
        conn.execute(schema.submissions.insert(), rows)


# --- review -------------------------------------------------------------------------------


def review_submission(
    store: Store,
    unit: str,
    period: str | Period,
    *,
    actor: str | None,
    accept: bool,
    reason: str | None = None,
) -> int:
    """Record ``actor``'s review of ``unit``'s submission for ``period``: accepted, or
    returned with ``reason``. Returns the version reviewed.

    Only a unit above ``unit`` may review (``actor`` is required); the submission must
    exist. A re-send after a return is ``received`` again, and may be reviewed again.
    Raises :class:`~dvcore.errors.InputError` otherwise.
    """
    from dvcore.events import SubmissionReviewed
    from dvcore.i18n import _

    per = store.period(period)
    if actor is None:
        raise InputError(_("a review is recorded by a unit above the one reviewed: give --actor"))
    state = store.state()
    tree = state.tree
    tree.check_exists(unit, per.end)
    if actor not in tree or actor not in tree.ancestors(unit, per.end):
        raise InputError(
            _(
                "'{actor}' is not above '{unit}': only a unit above it may review its submission",
                actor=actor,
                unit=unit,
            )
        )
    versions = state.submission_versions(unit, per.spec)
    if not versions:
        raise InputError(
            _("'{unit}' has sent no submission for {period}", unit=unit, period=per.spec)
        )
    if not accept and not (reason or "").strip():
        raise InputError(_("a returned submission needs a reason (--reason)"))
    version = versions[-1][1].version
    data = SubmissionReviewed(
        unit=unit,
        period=per.spec,
        decision="accepted" if accept else "returned",
        version=version,
        reason=reason,
    )
    from dvcore.events import Event

    store.append([Event(data=data, occurred_on=per.end, unit=actor)], actor=actor)
    return version


# --- reading ------------------------------------------------------------------------------


def list_submissions(store: Store, units: Iterable[str] | None = None) -> list[Submission]:
    """Recorded submissions, oldest first (only those of ``units`` when given)."""
    t = schema.submissions
    stmt = select(t).order_by(t.c.received_at, t.c.id)
    if units is not None:
        stmt = stmt.where(t.c.unit.in_(sorted(set(units))))
    with store._read() as conn:
        return [
            Submission(
                id=int(r.id),
                unit=r.unit,
                period=r.period,
                period_start=r.period_start,
                period_end=r.period_end,
                channel=r.channel,
                file_name=r.file_name,
                sha256=r.sha256,
                actor=r.actor,
                received_at=r.received_at,
                rows=r.rows,
                appended=r.appended,
                duplicates=r.duplicates,
                first_position=r.first_position,
                last_position=r.last_position,
            )
            for r in conn.execute(stmt)
        ]


@attrs.frozen(kw_only=True)
class UnitStatus:
    """One subordinate unit in a completeness report.

    ``status``: ``on_time`` or ``late`` against the deadline (by the first file that
    covers the period), ``received`` when no deadline was given, ``missing`` when no file
    covering the period arrived.
    """

    code: str
    name: str
    kind: str
    status: Status
    received_at: dt.datetime | None
    submissions: tuple[Submission, ...]
    #: ``received``, ``returned`` or ``accepted`` (``None``: no submission declared)
    review: str | None = None
    #: how many versions of the submission arrived
    versions: int = 0
    #: when the first and the last version arrived
    first_arrival: dt.datetime | None = None
    last_arrival: dt.datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "unit": self.code,
            "name": self.name,
            "kind": self.kind,
            "status": self.status,
            "review": self.review,
            "versions": self.versions,
            "first_arrival": None if self.first_arrival is None else self.first_arrival.isoformat(),
            "last_arrival": None if self.last_arrival is None else self.last_arrival.isoformat(),
            "received_at": None if self.received_at is None else self.received_at.isoformat(),
            "files": [s.to_dict() for s in self.submissions],
        }


def _fraction(part: int, whole: int) -> float | None:
    if whole == 0:
        return None
    return float((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")))


@attrs.frozen(kw_only=True)
class SubmissionReport:
    """Completeness of one unit's subordinates for one period: DHIS2's reporting rate,
    from when files arrived."""

    unit: str
    period: Period
    deadline: dt.date | None
    units: tuple[UnitStatus, ...]

    @property
    def expected(self) -> int:
        """How many units should have sent a file."""
        return len(self.units)

    @property
    def sent(self) -> int:
        """How many did (on time or not)."""
        return sum(1 for u in self.units if u.status != "missing")

    @property
    def on_time(self) -> int:
        """How many sent by the deadline (all that sent, without one)."""
        return sum(1 for u in self.units if u.status in ("on_time", "received"))

    @property
    def late(self) -> int:
        """How many sent after the deadline."""
        return sum(1 for u in self.units if u.status == "late")

    @property
    def missing(self) -> list[str]:
        """The codes of the units that sent nothing: what the committee acts on."""
        return [u.code for u in self.units if u.status == "missing"]

    @property
    def rate(self) -> float | None:
        """``sent / expected`` as a fraction (``None`` when no unit is expected)."""
        return _fraction(self.sent, self.expected)

    @property
    def on_time_rate(self) -> float | None:
        """``on_time / expected`` as a fraction."""
        return _fraction(self.on_time, self.expected)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``dvcore submissions --format json``."""
        return {
            "unit": self.unit,
            "period": self.period.to_dict(),
            "deadline": None if self.deadline is None else self.deadline.isoformat(),
            "expected": self.expected,
            "sent": self.sent,
            "on_time": self.on_time,
            "late": self.late,
            "missing": self.missing,
            "rate": self.rate,
            "on_time_rate": self.on_time_rate,
            "units": [u.to_dict() for u in self.units],
        }


#: The levels whose units are expected to report by default: the administrative tiers.
REPORTING_LEVELS = frozenset({"district", "commune"})


def submission_report(
    store: Store,
    unit: str,
    period: str | Period,
    *,
    deadline: dt.date | str | None = None,
    all_children: bool = False,
    tz: dt.tzinfo = VIETNAM,
) -> SubmissionReport:
    """Which direct subordinates of ``unit`` sent a file covering ``period``, and when.

    The subordinates are ``unit``'s children on the period's last day: those of district
    or commune level (districts, towns, communes, wards, townships), or every child with
    ``all_children``. A file counts for a child when the child is its submitting unit and
    its period contains ``period``. With a ``deadline``, a child is ``on_time`` when its
    first such file arrived by the end of that day in ``tz`` (Vietnam's time by default),
    else ``late``.
    """
    per = store.period(period)
    day = deadline if isinstance(deadline, dt.date) or deadline is None else parse_date(deadline)
    tree = store.state().tree
    tree.check_exists(unit, per.end)
    children = [
        code
        for code in sorted(tree.codes())
        if code != unit
        and tree.exists(code, per.end)
        and tree.state(code, per.end).parent == unit
        and (all_children or tree.level(code) in REPORTING_LEVELS)
    ]
    by_unit: dict[str, list[Submission]] = {}
    for sub in list_submissions(store, children):
        if sub.unit is not None and sub.covers(per):
            by_unit.setdefault(sub.unit, []).append(sub)
    folded = store.state()
    arrivals = _arrivals(
        store, [pos for c in children for pos in _version_positions(folded, c, per)]
    )
    statuses = []
    for code in children:
        files = tuple(by_unit.get(code, ()))
        positions = _version_positions(folded, code, per)
        times = [arrivals[p] for p in positions if p in arrivals]
        spec = _covering_spec(folded, code, per)
        first = times[0] if times else (files[0].received_at if files else None)
        status: Status
        if first is None:
            status = "missing"
        elif day is None:
            status = "received"
        else:
            status = "on_time" if first.astimezone(tz).date() <= day else "late"
        state = tree.state(code, per.end)
        statuses.append(
            UnitStatus(
                code=code,
                name=state.name,
                kind=state.kind,
                status=status,
                received_at=first,
                submissions=files,
                review=None if spec is None else folded.submission_review(code, spec),
                versions=len(positions),
                first_arrival=times[0] if times else None,
                last_arrival=times[-1] if times else None,
            )
        )
    return SubmissionReport(unit=unit, period=per, deadline=day, units=tuple(statuses))


def _covering_spec(state: Any, unit: str, period: Period) -> str | None:
    """The period spec of ``unit``'s declared submission that covers ``period``: the same
    spec when it was sent, else the latest covering one."""
    best: tuple[int, str] | None = None
    for (code, spec), history in state.submissions.items():
        if code != unit:
            continue
        received = [(pos, d) for pos, d in history if hasattr(d, "window")]
        if not received:
            continue
        pos, data = received[-1]
        if data.window.start <= period.start and data.window.end >= period.end:
            if spec == period.spec:
                return str(spec)
            if best is None or pos > best[0]:
                best = (pos, str(spec))
    return None if best is None else best[1]


def _version_positions(state: Any, unit: str, period: Period) -> list[int]:
    spec = _covering_spec(state, unit, period)
    if spec is None:
        return []
    return [pos for pos, _data in state.submission_versions(unit, spec)]


def _arrivals(store: Store, positions: Sequence[int]) -> dict[int, dt.datetime]:
    """When the store recorded each of these positions."""
    out: dict[int, dt.datetime] = {}
    e = schema.events.c
    with store._read() as conn:
        for i in range(0, len(positions), 900):
            for pos, at in conn.execute(
                select(e.position, e.recorded_at).where(e.position.in_(positions[i : i + 900]))
            ):
                out[int(pos)] = at
    return out


def _status_word(status: str) -> str:
    from dvcore.i18n import _

    return {
        "on_time": _("on time"),
        "late": _("late"),
        "received": _("sent"),
        "missing": _("not sent"),
    }[status]


def _review_word(review: str | None) -> str:
    from dvcore.i18n import _

    if review is None:
        return ""
    return {"received": _("received"), "accepted": _("accepted"), "returned": _("returned")}[review]


def render_report(report: SubmissionReport, tz: dt.tzinfo = VIETNAM) -> Any:
    """The report as a ``rich`` table, in the reader's language (what ``dvcore
    submissions`` shows)."""
    from rich.table import Table

    from dvcore.i18n import _
    from dvcore.indicators import format_percent

    title = f"{report.unit} · {report.period.spec} ({report.period.start:%d/%m/%Y}–" + (
        f"{report.period.end:%d/%m/%Y})"
    )
    if report.deadline is not None:
        title += " · " + _("due {day}", day=f"{report.deadline:%d/%m/%Y}")
    table = Table(title=title)
    numeric = (_("versions"), _("files"), _("events"))
    for column in (
        _("code"),
        _("unit"),
        _("status"),
        _("review"),
        _("first sent"),
        _("last sent"),
        *numeric,
    ):
        table.add_column(column, justify="right" if column in numeric else "left")

    def when(at: dt.datetime | None) -> str:
        return "" if at is None else f"{at.astimezone(tz):%d/%m/%Y %H:%M}"

    for unit in report.units:
        table.add_row(
            unit.code,
            unit.name,
            _status_word(unit.status),
            _review_word(unit.review),
            when(unit.first_arrival or unit.received_at),
            when(unit.last_arrival),
            str(unit.versions),
            str(len(unit.submissions)),
            str(sum(s.appended for s in unit.submissions)),
        )
    expected = report.expected
    if expected:
        caption = _(
            "sent {sent}/{expected} ({share})",
            sent=report.sent,
            expected=expected,
            share=format_percent(report.sent, expected),
        )
        if report.deadline is not None:
            caption += "; " + _(
                "on time {on_time}/{expected} ({share})",
                on_time=report.on_time,
                expected=expected,
                share=format_percent(report.on_time, expected),
            )
        if report.missing:
            caption += "; " + _("not sent: {units}", units=", ".join(report.missing))
        table.caption = caption
    else:
        table.caption = _("no unit has to send")
    return table
