"""Reporting periods: read a period spec (``2023-9M``, ``2023-Q3``, …) into inclusive dates.

A period is a closed range of days with the spec it was read from. Named periods (years,
quarters, halves, cumulative months, months, terms) follow a cut-off convention:
``"calendar"`` (the default) or ``"decree09"`` (Decree 09/2019/NĐ-CP, data cut off on the
14th, so a month runs from the 15th of the month before to the 14th). Date ranges are taken
as written under either convention.
"""

from __future__ import annotations

import calendar
import datetime
import re
from typing import Literal, get_args

import attrs

from dvcore.errors import InputError, PeriodError
from dvcore.i18n import N_, _

__all__ = [
    "CUTOFFS",
    "VIETNAM",
    "Cutoff",
    "Period",
    "format_date",
    "format_date_short",
    "month_of",
    "parse_date",
    "parse_instant",
    "parse_period",
    "period_name",
    "year_of",
]

Cutoff = Literal["calendar", "decree09"]
"""How named periods are cut: calendar months, or months ending on the 14th (Decree 09)."""

CUTOFFS: tuple[Cutoff, ...] = get_args(Cutoff)
"""Every valid cut-off convention, in the order they are documented."""

_MIN_YEAR = 1900
_MAX_YEAR = 2200

_VALID_FORMS = N_(
    "2023 (a year), 2023-Q3 (a quarter), 2023-H1 (a half), "
    "2023-9M (1 January to the end of month 9), 2023-09 (a month), "
    "2020-2025 (a term), 2022-12-15..2023-06-14 (a date range)"
)
#: "a quarter number must be …", one message a kind: the kind's word is not translated alone
_NUMBER_RANGE = {
    "quarter": N_("a quarter number must be 1 to {top}, not {number}"),
    "half": N_("a half number must be 1 to {top}, not {number}"),
    "cumulative": N_("a cumulative month number must be 1 to {top}, not {number}"),
    "month": N_("a month number must be 1 to {top}, not {number}"),
}

_Kind = Literal["year", "quarter", "half", "cumulative", "month", "term"]

# ASCII digits only: ``\d`` would also accept other scripts' digits.
_ISO_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_PATTERNS: tuple[tuple[_Kind | Literal["range"], re.Pattern[str]], ...] = (
    ("year", re.compile(r"([0-9]{4})")),
    ("quarter", re.compile(r"([0-9]{4})-[Qq]([0-9]+)")),
    ("half", re.compile(r"([0-9]{4})-[Hh]([0-9]+)")),
    ("cumulative", re.compile(r"([0-9]{4})-([0-9]{1,2})[Mm]")),
    ("month", re.compile(r"([0-9]{4})-([0-9]{1,2})")),
    ("term", re.compile(r"([0-9]{4})-([0-9]{4})")),
    ("range", re.compile(rf"({_ISO_DATE})\s*\.\.\s*({_ISO_DATE})")),
)
_ISO_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_VN_DATE_RE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


def _check_cutoff(cutoff: object) -> Cutoff:
    for valid in CUTOFFS:
        if cutoff == valid:
            return valid
    raise PeriodError(
        _(
            "unknown cut-off {cutoff}: valid cut-offs are {valid}",
            cutoff=repr(cutoff),
            valid=", ".join(CUTOFFS),
        ),
        cutoff=cutoff,
    )


def _month_start(year: int, month: int, cutoff: Cutoff) -> datetime.date:
    """First day of named month ``year-month`` under ``cutoff``."""
    if cutoff == "calendar":
        return datetime.date(year, month, 1)
    if month == 1:
        return datetime.date(year - 1, 12, 15)
    return datetime.date(year, month - 1, 15)


def _month_end(year: int, month: int, cutoff: Cutoff) -> datetime.date:
    """Last day of named month ``year-month`` under ``cutoff``."""
    if cutoff == "calendar":
        return datetime.date(year, month, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, 14)


def _named_month(day: datetime.date, cutoff: Cutoff) -> tuple[int, int]:
    """The (year, month) of the named month that contains ``day``."""
    if cutoff == "decree09" and day.day >= 15:
        if day.month == 12:
            return day.year + 1, 1
        return day.year, day.month + 1
    return day.year, day.month


def _check_year(year: int, what: str) -> None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise PeriodError(
            _(
                "{what} falls in year {year}, outside the years dvcore handles ({first} to {last})",
                what=what,
                year=year,
                first=_MIN_YEAR,
                last=_MAX_YEAR,
            ),
            year=year,
        )


@attrs.frozen(kw_only=True)
class _Named:
    """A named period before it is cut into dates: its kind, year and number."""

    kind: _Kind
    year: int
    number: int = 0  # the quarter, half, month, or N of a cumulative NM
    last_year: int = 0  # the last year of a term

    @property
    def spec(self) -> str:
        if self.kind == "year":
            return f"{self.year}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        if self.kind == "half":
            return f"{self.year}-H{self.number}"
        if self.kind == "cumulative":
            return f"{self.year}-{self.number}M"
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        return f"{self.year}-{self.last_year}"

    def month_span(self) -> tuple[int, int, int, int]:
        """(first year, first month, last year, last month) of the named months covered."""
        y, n = self.year, self.number
        if self.kind == "year":
            return y, 1, y, 12
        if self.kind == "quarter":
            return y, 3 * n - 2, y, 3 * n
        if self.kind == "half":
            return y, 6 * n - 5, y, 6 * n
        if self.kind == "cumulative":
            return y, 1, y, n
        if self.kind == "month":
            return y, n, y, n
        return y, 1, self.last_year, 12

    def previous_year(self) -> _Named:
        last_year = self.last_year - 1 if self.kind == "term" else 0
        return attrs.evolve(self, year=self.year - 1, last_year=last_year)

    def to_period(self, cutoff: Cutoff) -> Period:
        y1, m1, y2, m2 = self.month_span()
        return Period(
            spec=self.spec,
            start=_month_start(y1, m1, cutoff),
            end=_month_end(y2, m2, cutoff),
            cutoff=cutoff,
        )


def _range_spec(start: datetime.date, end: datetime.date) -> str:
    return f"{start.isoformat()}..{end.isoformat()}"


@attrs.frozen(kw_only=True)
class Period:
    """A closed range of days, ``start`` to ``end`` both inclusive, with the spec it came from.

    ``cutoff`` is the convention the spec was read under; it matters for :meth:`months`,
    :meth:`quarters` and :meth:`previous_year`, and a date range keeps its dates under either.
    Build periods with :func:`parse_period`, :func:`month_of` or :func:`year_of`.
    """

    spec: str
    start: datetime.date
    end: datetime.date
    cutoff: Cutoff

    def __attrs_post_init__(self) -> None:
        _check_cutoff(self.cutoff)
        if self.end < self.start:
            raise PeriodError(
                _(
                    "period '{spec}' ends ({end}) before it starts ({start})",
                    spec=self.spec,
                    end=self.end.isoformat(),
                    start=self.start.isoformat(),
                ),
                spec=self.spec,
                start=self.start,
                end=self.end,
            )

    def contains(self, day: datetime.date) -> bool:
        """Whether ``day`` falls within the period, ends included."""
        return self.start <= day <= self.end

    def overlaps(self, other: Period) -> bool:
        """Whether the two periods share at least one day."""
        return self.start <= other.end and other.start <= self.end

    @property
    def days(self) -> int:
        """How many days the period covers, both ends included."""
        return (self.end - self.start).days + 1

    def to_dict(self) -> dict[str, str]:
        """The period as ``{"spec", "start", "end"}`` with ISO dates, as JSON output shows it."""
        return {
            "spec": self.spec,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }

    def months(self) -> list[Period]:
        """The named months (under this period's cut-off) that make up the period, in order.

        Raises :class:`~dvcore.errors.PeriodError` when the period does not start at the
        start of a month and end at the end of one.
        """
        y, m = _named_month(self.start, self.cutoff)
        last = _named_month(self.end, self.cutoff)
        if (
            _month_start(y, m, self.cutoff) != self.start
            or _month_end(*last, self.cutoff) != self.end
        ):
            raise self._not_whole(
                N_(
                    "period '{spec}' ({start} to {end}) is not a whole number of months "
                    "under the {cutoff} cut-off"
                )
            )
        result: list[Period] = []
        while (y, m) <= last:
            result.append(_Named(kind="month", year=y, number=m).to_period(self.cutoff))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return result

    def quarters(self) -> list[Period]:
        """The quarters (under this period's cut-off) that make up the period, in order.

        Raises :class:`~dvcore.errors.PeriodError` when the period does not start at the
        start of a quarter and end at the end of one.
        """
        y, m = _named_month(self.start, self.cutoff)
        last_y, last_m = _named_month(self.end, self.cutoff)
        if (
            m % 3 != 1
            or last_m % 3 != 0
            or _month_start(y, m, self.cutoff) != self.start
            or _month_end(last_y, last_m, self.cutoff) != self.end
        ):
            raise self._not_whole(
                N_(
                    "period '{spec}' ({start} to {end}) is not a whole number of quarters "
                    "under the {cutoff} cut-off"
                )
            )
        q, last_q = (m + 2) // 3, last_m // 3
        result: list[Period] = []
        while (y, q) <= (last_y, last_q):
            result.append(_Named(kind="quarter", year=y, number=q).to_period(self.cutoff))
            y, q = (y + 1, 1) if q == 4 else (y, q + 1)
        return result

    def previous_year(self) -> Period:
        """The same period one year earlier: ``2023-9M`` gives ``2022-9M``.

        A date range has both dates moved back a year, 29 February becoming 28 February.
        """
        named = _read_named(self.spec)
        if named is not None and named.to_period(self.cutoff) == self:
            earlier = named.previous_year()
            _check_year(earlier.year, _("the year before period '{spec}'", spec=self.spec))
            return earlier.to_period(self.cutoff)
        start, end = _year_earlier(self.start), _year_earlier(self.end)
        _check_year(start.year, _("the year before period '{spec}'", spec=self.spec))
        return Period(spec=_range_spec(start, end), start=start, end=end, cutoff=self.cutoff)

    def _not_whole(self, message: str) -> PeriodError:
        return PeriodError(
            _(
                message,
                spec=self.spec,
                start=self.start.isoformat(),
                end=self.end.isoformat(),
                cutoff=self.cutoff,
            ),
            spec=self.spec,
            cutoff=self.cutoff,
        )


def _year_earlier(day: datetime.date) -> datetime.date:
    if day.month == 2 and day.day == 29:
        return datetime.date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


class _BadSpec(Exception):
    """Why a spec that matched a form's shape still cannot be read."""


def _read_named(spec: str) -> _Named | None:
    """The named period ``spec`` denotes, None when it is a date range or unreadable."""
    try:
        parsed = _read(spec.strip())
    except _BadSpec:
        return None
    return parsed if isinstance(parsed, _Named) else None


def period_name(period: Period) -> tuple[str, int, int]:
    """What kind of named period ``period`` is, and its numbers, read from its spec by the
    one parser of specs: ``("cumulative", 2023, 9)`` for ``2023-9M``, ``("quarter", 2023,
    3)``, ``("year", 2023, 0)``, ``("term", 2020, 2025)``; a date range gives ``("range",
    <first year>, <last year>)``."""
    named = _read_named(period.spec)
    if named is None:
        return "range", period.start.year, period.end.year
    second = named.last_year if named.kind == "term" else named.number
    return named.kind, named.year, second


def _read(text: str) -> _Named | tuple[datetime.date, datetime.date]:
    """Read a stripped spec; raises _BadSpec (with a reason, or none) when it cannot."""
    for kind, pattern in _PATTERNS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        if kind == "range":
            start = _iso_date(match.group(1))
            end = _iso_date(match.group(2))
            if end < start:
                raise _BadSpec(
                    _(
                        "the range ends ({end}) before it starts ({start})",
                        end=end.isoformat(),
                        start=start.isoformat(),
                    )
                )
            return start, end
        year = _spec_year(match.group(1))
        if kind == "year":
            return _Named(kind="year", year=year)
        if kind == "term":
            last_year = _spec_year(match.group(2))
            if last_year <= year:
                raise _BadSpec(
                    _("a term's last year must come after its first ({year})", year=year)
                )
            return _Named(kind="term", year=year, last_year=last_year)
        number = int(match.group(2))
        top = {"quarter": 4, "half": 2, "cumulative": 12, "month": 12}[kind]
        if not 1 <= number <= top:
            raise _BadSpec(_(_NUMBER_RANGE[kind], top=top, number=number))
        return _Named(kind=kind, year=year, number=number)
    raise _BadSpec()


def _spec_year(text: str) -> int:
    year = int(text)
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise _BadSpec(
            _(
                "years must be {first} to {last}, not {year}",
                first=_MIN_YEAR,
                last=_MAX_YEAR,
                year=year,
            )
        )
    return year


def _iso_date(text: str) -> datetime.date:
    # The range pattern has already checked the YYYY-MM-DD shape.
    year = _spec_year(text[:4])
    month, day = int(text[5:7]), int(text[8:10])
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise _BadSpec(_("{text} is not a day of the calendar", text=text)) from None


def parse_period(spec: str, cutoff: Cutoff = "calendar") -> Period:
    """Read a period spec into a :class:`Period`, its named forms cut under ``cutoff``.

    The forms are ``2023`` (a year), ``2023-Q3`` (a quarter), ``2023-H1`` (a half),
    ``2023-9M`` (1 January to the end of month 9), ``2023-09`` (a month), ``2020-2025``
    (a term) and ``2022-12-15..2023-06-14`` (a closed date range, never shifted). Raises
    :class:`~dvcore.errors.PeriodError` naming the spec and listing the valid forms.
    """
    checked = _check_cutoff(cutoff)
    if not isinstance(spec, str):
        raise PeriodError(
            _(
                "a period spec must be text, not {kind}: valid forms are {forms}",
                kind=type(spec).__name__,
                forms=_(_VALID_FORMS),
            ),
            spec=spec,
        )
    try:
        parsed = _read(spec.strip())
    except _BadSpec as bad:
        reason = f"; {bad}" if bad.args else ""
        raise PeriodError(
            _(
                "cannot read period '{spec}': valid forms are {forms}",
                spec=spec,
                forms=_(_VALID_FORMS),
            )
            + reason,
            spec=spec,
        ) from None
    if isinstance(parsed, _Named):
        return parsed.to_period(checked)
    start, end = parsed
    return Period(spec=_range_spec(start, end), start=start, end=end, cutoff=checked)


def parse_date(text: str) -> datetime.date:
    """Read a date written ISO-style (``2023-03-30``) or Vietnamese-style (``30/3/2023``).

    Raises :class:`~dvcore.errors.InputError` for anything else, including days that do
    not exist (``31/02/2023``).
    """
    if not isinstance(text, str):
        raise InputError(_("a date must be text, not {kind}", kind=type(text).__name__), text=text)
    stripped = text.strip()
    if match := _ISO_DATE_RE.fullmatch(stripped):
        year, month, day = (int(g) for g in match.groups())
    elif match := _VN_DATE_RE.fullmatch(stripped):
        day, month, year = (int(g) for g in match.groups())
    else:
        raise InputError(
            _("cannot read date '{text}': write it as 2023-03-30 or 30/3/2023", text=text),
            text=text,
        )
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise InputError(
            _(
                "cannot read date '{text}': there is no day {day} in month {month} of {year}",
                text=text,
                day=day,
                month=month,
                year=year,
            ),
            text=text,
        ) from None


def month_of(day: datetime.date, cutoff: Cutoff = "calendar") -> Period:
    """The named month that contains ``day`` under ``cutoff``.

    Under ``"decree09"`` 20 January 2023 falls in ``2023-02`` (15 January to 14 February).
    """
    checked = _check_cutoff(cutoff)
    year, month = _named_month(day, checked)
    _check_year(year, _("the month containing {day}", day=day.isoformat()))
    return _Named(kind="month", year=year, number=month).to_period(checked)


def year_of(day: datetime.date, cutoff: Cutoff = "calendar") -> Period:
    """The named year that contains ``day`` under ``cutoff``.

    Under ``"decree09"`` 20 December 2023 falls in ``2024`` (15 December 2023 onwards).
    """
    checked = _check_cutoff(cutoff)
    year, _month = _named_month(day, checked)
    _check_year(year, _("the year containing {day}", day=day.isoformat()))
    return _Named(kind="year", year=year).to_period(checked)


def format_date(day: datetime.date, *, document: bool = False) -> str:
    """A date in words: ``ngày 15 tháng 9 năm 2023``.

    ``document=True`` gives the form of a document's place-and-date line (Hướng dẫn
    36-HD/VPTW): a leading zero for days below 10 and for months 1 and 2 only —
    ``ngày 05 tháng 02 năm 2023``.
    """
    if document:
        d = f"{day.day:02d}"
        m = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    else:
        d, m = str(day.day), str(day.month)
    return f"ngày {d} tháng {m} năm {day.year}"


def format_date_short(day: datetime.date) -> str:
    """A date as prose abbreviates it: ``15/9/2023``."""
    return f"{day.day}/{day.month}/{day.year}"


#: Vietnam's time (UTC+7, no daylight saving): the zone of a naive instant or a bare date.
VIETNAM = datetime.timezone(datetime.timedelta(hours=7), "ICT")

_BARE_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def parse_instant(value: datetime.datetime | datetime.date | str) -> datetime.datetime:
    """An instant (for ``as_known_at``, ``--as-known-at``) as an aware datetime in UTC.

    The one rule of the whole library, for texts and Python objects alike:

    - an instant with an offset (``2023-09-20T17:00:00+07:00``, ``…Z``) is that instant;
    - a naive instant (``2023-09-20T17:00``, or a naive ``datetime``) is Vietnam's time,
      UTC+7 (:data:`VIETNAM`), never UTC nor the machine's zone;
    - a bare date (``2023-09-20``, or a ``date``) is the **end** of that day in Vietnam,
      ``23:59:59.999999+07:00``: a report "as known on 20/9/2023" counts all that was
      recorded that day.

    ``None`` is not an instant: where an API takes ``as_known_at=None`` it means "now"
    (everything recorded), and this function is not called. A text in any other form
    raises :class:`~dvcore.errors.InputError`.
    """
    if isinstance(value, str):
        text = value.strip()
        if _BARE_DATE.match(text):
            try:
                day = datetime.date.fromisoformat(text)
            except ValueError:
                day = None
            if day is not None:
                return parse_instant(day)
        try:
            parsed = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise InputError(
                _(
                    "'{value}' is not an instant: use ISO 8601, e.g. 2023-09-20T17:00:00+07:00"
                    " (without an offset, Vietnam's time)",
                    value=value,
                ),
                value=value,
            ) from None
        return parse_instant(parsed)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            value = value.replace(tzinfo=VIETNAM)
        return value.astimezone(datetime.UTC)
    if isinstance(value, datetime.date):
        end = datetime.datetime.combine(value, datetime.time.max, tzinfo=VIETNAM)
        return end.astimezone(datetime.UTC)
    raise InputError(
        _("{value} is not an instant: give a datetime or an ISO 8601 text", value=repr(value)),
        value=value,
    )
