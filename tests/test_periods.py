"""Tests of dvcore.periods: every spec form under both cut-offs, bad specs, and properties."""

from __future__ import annotations

import datetime
import itertools
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dvcore.errors import InputError, PeriodError
from dvcore.periods import (
    CUTOFFS,
    Cutoff,
    Period,
    month_of,
    parse_date,
    parse_period,
    period_name,
    year_of,
)
from dvcore.testing.strategies import cutoffs, date_ranges, named_specs, years


def d(text: str) -> date:
    return date.fromisoformat(text)


# spec as written, normalized spec, calendar (start, end), decree09 (start, end)
EXAMPLES = [
    ("2023", "2023", ("2023-01-01", "2023-12-31"), ("2022-12-15", "2023-12-14")),
    ("2023-Q1", "2023-Q1", ("2023-01-01", "2023-03-31"), ("2022-12-15", "2023-03-14")),
    ("2023-Q3", "2023-Q3", ("2023-07-01", "2023-09-30"), ("2023-06-15", "2023-09-14")),
    ("2023-q4", "2023-Q4", ("2023-10-01", "2023-12-31"), ("2023-09-15", "2023-12-14")),
    ("2023-H1", "2023-H1", ("2023-01-01", "2023-06-30"), ("2022-12-15", "2023-06-14")),
    ("2023-h2", "2023-H2", ("2023-07-01", "2023-12-31"), ("2023-06-15", "2023-12-14")),
    ("2023-9M", "2023-9M", ("2023-01-01", "2023-09-30"), ("2022-12-15", "2023-09-14")),
    ("2023-9m", "2023-9M", ("2023-01-01", "2023-09-30"), ("2022-12-15", "2023-09-14")),
    ("2023-3M", "2023-3M", ("2023-01-01", "2023-03-31"), ("2022-12-15", "2023-03-14")),
    (
        "2023-12M",
        "2023-12M",
        ("2023-01-01", "2023-12-31"),
        ("2022-12-15", "2023-12-14"),
    ),
    ("2023-01", "2023-01", ("2023-01-01", "2023-01-31"), ("2022-12-15", "2023-01-14")),
    ("2023-09", "2023-09", ("2023-09-01", "2023-09-30"), ("2023-08-15", "2023-09-14")),
    ("2023-9", "2023-09", ("2023-09-01", "2023-09-30"), ("2023-08-15", "2023-09-14")),
    ("2024-02", "2024-02", ("2024-02-01", "2024-02-29"), ("2024-01-15", "2024-02-14")),
    ("2023-02", "2023-02", ("2023-02-01", "2023-02-28"), ("2023-01-15", "2023-02-14")),
    (
        "2020-2025",
        "2020-2025",
        ("2020-01-01", "2025-12-31"),
        ("2019-12-15", "2025-12-14"),
    ),
    (
        "2022-12-15..2023-06-14",
        "2022-12-15..2023-06-14",
        ("2022-12-15", "2023-06-14"),
        ("2022-12-15", "2023-06-14"),
    ),
    (
        " 2023-03-01 .. 2023-03-01 ",
        "2023-03-01..2023-03-01",
        ("2023-03-01", "2023-03-01"),
        ("2023-03-01", "2023-03-01"),
    ),
    (
        "  2023-Q3\n",
        "2023-Q3",
        ("2023-07-01", "2023-09-30"),
        ("2023-06-15", "2023-09-14"),
    ),
]


@pytest.mark.parametrize(("text", "spec", "calendar", "decree09"), EXAMPLES)
def test_parse_period_examples(
    text: str, spec: str, calendar: tuple[str, str], decree09: tuple[str, str]
) -> None:
    for cutoff, (start, end) in (("calendar", calendar), ("decree09", decree09)):
        period = parse_period(text, cutoff)  # type: ignore[arg-type]
        assert period == Period(spec=spec, start=d(start), end=d(end), cutoff=cutoff)  # type: ignore[arg-type]


def test_default_cutoff_is_calendar() -> None:
    assert parse_period("2023-Q1") == parse_period("2023-Q1", "calendar")


BAD_SPECS = [
    "",
    "   ",
    "2023-Q5",
    "2023-Q0",
    "2023-H3",
    "2023-H0",
    "2023-13",
    "2023-00",
    "2023-0M",
    "2023-13M",
    "2025-2020",
    "2023-2023",
    "2023-02-30..2023-03-01",
    "2023-06-14..2022-12-15",
    "garbage",
    "23",
    "2023-",
    "2023-Q",
    "2023/Q3",
    "2023-123",
    "2023-9M9",
    "2023-01-01",
    "2023-1-1..2023-2-1",
    "1899",
    "2201",
    "1899-Q1",
    "2201-05",
    "1899-2001",
    "2000-2201",
    "1899-12-31..1900-01-05",
    "２０２３",  # full-width digits
]


@pytest.mark.parametrize("spec", BAD_SPECS)
@pytest.mark.parametrize("cutoff", CUTOFFS)
def test_bad_specs(spec: str, cutoff: Cutoff) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(spec, cutoff)
    message = str(info.value)
    assert message.startswith(f"cannot read period '{spec}': valid forms are ")
    for example in (
        "2023 (a year)",
        "2023-Q3 (a quarter)",
        "2023-H1 (a half)",
        "2023-9M (1 January to the end of month 9)",
        "2023-09 (a month)",
        "2020-2025 (a term)",
        "2022-12-15..2023-06-14 (a date range)",
    ):
        assert example in message
    assert info.value.context["spec"] == spec
    assert isinstance(info.value, ValueError)


def test_bad_spec_message_says_why() -> None:
    with pytest.raises(PeriodError, match="quarter number must be 1 to 4, not 5"):
        parse_period("2023-Q5")
    with pytest.raises(PeriodError, match="2023-02-30 is not a day of the calendar"):
        parse_period("2023-02-30..2023-03-01")


def test_non_text_spec() -> None:
    with pytest.raises(PeriodError, match="must be text"):
        parse_period(2023)  # type: ignore[arg-type]


@pytest.mark.parametrize("cutoff", ["", "Calendar", "decree", "decree9", None])
def test_bad_cutoff(cutoff: object) -> None:
    with pytest.raises(PeriodError, match="valid cut-offs are calendar, decree09"):
        parse_period("2023", cutoff)  # type: ignore[arg-type]
    with pytest.raises(PeriodError):
        month_of(date(2023, 1, 1), cutoff)  # type: ignore[arg-type]


def test_period_checks_its_dates() -> None:
    with pytest.raises(PeriodError, match="ends"):
        Period(spec="x", start=date(2023, 2, 1), end=date(2023, 1, 31), cutoff="calendar")
    with pytest.raises(PeriodError):
        Period(spec="x", start=date(2023, 1, 1), end=date(2023, 1, 31), cutoff="other")  # type: ignore[arg-type]


def test_contains_days_overlaps_to_dict() -> None:
    q1 = parse_period("2023-Q1", "decree09")
    assert q1.contains(date(2022, 12, 15))
    assert q1.contains(date(2023, 3, 14))
    assert not q1.contains(date(2022, 12, 14))
    assert not q1.contains(date(2023, 3, 15))
    assert q1.days == 17 + 31 + 28 + 14
    assert parse_period("2024").days == 366
    assert parse_period("2023-01-05..2023-01-05").days == 1
    assert q1.to_dict() == {
        "spec": "2023-Q1",
        "start": "2022-12-15",
        "end": "2023-03-14",
    }
    assert parse_period("2023-9M").to_dict() == {
        "spec": "2023-9M",
        "start": "2023-01-01",
        "end": "2023-09-30",
    }
    q2 = parse_period("2023-Q2", "decree09")
    assert not q1.overlaps(q2)
    assert q1.overlaps(parse_period("2023-03-14..2023-03-20"))
    assert parse_period("2023-03-14..2023-03-20").overlaps(q1)
    assert not q1.overlaps(parse_period("2023-03-15..2023-03-20"))
    assert q1.overlaps(q1)
    assert parse_period("2023").overlaps(q2)


def test_months_and_quarters_examples() -> None:
    assert [p.spec for p in parse_period("2023-H1").months()] == [
        f"2023-{m:02d}" for m in range(1, 7)
    ]
    assert [p.spec for p in parse_period("2023-9M", "decree09").quarters()] == [
        "2023-Q1",
        "2023-Q2",
        "2023-Q3",
    ]
    rng = parse_period("2022-12-15..2023-06-14", "decree09")
    assert [p.spec for p in rng.quarters()] == ["2023-Q1", "2023-Q2"]
    assert len(rng.months()) == 6
    term = parse_period("2020-2025")
    assert len(term.months()) == 72
    assert len(term.quarters()) == 24
    assert term.quarters()[4].spec == "2021-Q1"
    assert parse_period("2023-09").months() == [parse_period("2023-09")]
    assert [p.spec for p in parse_period("2023-11-01..2024-02-29").months()] == [
        "2023-11",
        "2023-12",
        "2024-01",
        "2024-02",
    ]


@pytest.mark.parametrize(
    ("spec", "cutoff", "method"),
    [
        ("2022-12-15..2023-06-14", "calendar", "months"),
        ("2023-01-01..2023-06-30", "decree09", "months"),
        ("2023-01-01..2023-01-30", "calendar", "months"),
        ("2023-01-02..2023-01-31", "calendar", "months"),
        ("2023-09", "calendar", "quarters"),
        ("2023-8M", "calendar", "quarters"),
        ("2023-02-01..2023-04-30", "calendar", "quarters"),
        ("2023-01-01..2023-03-31", "decree09", "quarters"),
    ],
)
def test_not_whole(spec: str, cutoff: Cutoff, method: str) -> None:
    with pytest.raises(PeriodError, match="not a whole number of"):
        getattr(parse_period(spec, cutoff), method)()


@pytest.mark.parametrize(
    ("spec", "earlier"),
    [
        ("2023-9M", "2022-9M"),
        ("2023", "2022"),
        ("2023-Q3", "2022-Q3"),
        ("2023-H2", "2022-H2"),
        ("2023-09", "2022-09"),
        ("2020-2025", "2019-2024"),
        ("2024-02", "2023-02"),
        ("2022-12-15..2023-06-14", "2021-12-15..2022-06-14"),
        ("2024-02-29..2024-03-31", "2023-02-28..2023-03-31"),
        ("2024-01-01..2024-02-29", "2023-01-01..2023-02-28"),
    ],
)
@pytest.mark.parametrize("cutoff", CUTOFFS)
def test_previous_year(spec: str, earlier: str, cutoff: Cutoff) -> None:
    assert parse_period(spec, cutoff).previous_year() == parse_period(earlier, cutoff)


def test_previous_year_of_a_hand_built_period_shifts_dates() -> None:
    period = Period(spec="custom", start=date(2023, 1, 1), end=date(2023, 3, 31), cutoff="calendar")
    assert period.previous_year() == parse_period("2022-01-01..2022-03-31")


def test_previous_year_out_of_range() -> None:
    with pytest.raises(PeriodError, match="1899"):
        parse_period("1900").previous_year()
    with pytest.raises(PeriodError, match="1899"):
        parse_period("1900-01-01..1900-02-01").previous_year()


@pytest.mark.parametrize(
    ("day", "cutoff", "month", "year"),
    [
        ("2023-01-01", "calendar", "2023-01", "2023"),
        ("2023-01-31", "calendar", "2023-01", "2023"),
        ("2023-12-31", "calendar", "2023-12", "2023"),
        ("2023-01-14", "decree09", "2023-01", "2023"),
        ("2023-01-15", "decree09", "2023-02", "2023"),
        ("2022-12-15", "decree09", "2023-01", "2023"),
        ("2023-12-14", "decree09", "2023-12", "2023"),
        ("2023-12-15", "decree09", "2024-01", "2024"),
        ("2023-12-31", "decree09", "2024-01", "2024"),
    ],
)
def test_month_of_and_year_of(day: str, cutoff: Cutoff, month: str, year: str) -> None:
    assert month_of(d(day), cutoff) == parse_period(month, cutoff)
    assert year_of(d(day), cutoff) == parse_period(year, cutoff)


def test_month_of_defaults_to_calendar_and_checks_years() -> None:
    assert month_of(date(2023, 5, 20)) == parse_period("2023-05")
    assert year_of(date(2023, 5, 20)) == parse_period("2023")
    with pytest.raises(PeriodError):
        month_of(date(2200, 12, 20), "decree09")
    with pytest.raises(PeriodError):
        year_of(date(1899, 6, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-03-30", date(2023, 3, 30)),
        ("30/3/2023", date(2023, 3, 30)),
        ("30/03/2023", date(2023, 3, 30)),
        ("1/1/2024", date(2024, 1, 1)),
        (" 15/9/2023 ", date(2023, 9, 15)),
        ("29/02/2024", date(2024, 2, 29)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "31/02/2023",
        "29/02/2023",
        "2023-02-30",
        "2023-13-01",
        "32/1/2023",
        "30/3/23",
        "2023/03/30",
        "20230330",
        "30-3-2023",
        "2023-3-30",
        "30.3.2023",
        "tomorrow",
        "0000-01-01",
    ],
)
def test_parse_date_rejects(text: str) -> None:
    with pytest.raises(InputError, match=f"cannot read date '{text}'") as info:
        parse_date(text)
    assert not isinstance(info.value, PeriodError)
    assert info.value.context["text"] == text


# Properties -------------------------------------------------------------------------


def assert_tiles(parts: list[Period], whole: Period) -> None:
    """The parts are contiguous, do not overlap, and cover exactly the whole."""
    assert parts[0].start == whole.start
    assert parts[-1].end == whole.end
    for before, after in itertools.pairwise(parts):
        assert after.start == before.end + datetime.timedelta(days=1)
        assert not before.overlaps(after)
    assert sum(p.days for p in parts) == whole.days


@given(year=years, cutoff=cutoffs)
def test_quarters_tile_the_year(year: int, cutoff: Cutoff) -> None:
    whole = parse_period(str(year), cutoff)
    quarters = [parse_period(f"{year}-Q{q}", cutoff) for q in range(1, 5)]
    assert_tiles(quarters, whole)
    assert whole.quarters() == quarters


@given(year=years, cutoff=cutoffs)
def test_months_tile_the_year(year: int, cutoff: Cutoff) -> None:
    whole = parse_period(str(year), cutoff)
    months = [parse_period(f"{year}-{m:02d}", cutoff) for m in range(1, 13)]
    assert_tiles(months, whole)
    assert whole.months() == months


@given(year=years, quarter=st.integers(1, 4), cutoff=cutoffs)
def test_months_tile_each_quarter(year: int, quarter: int, cutoff: Cutoff) -> None:
    whole = parse_period(f"{year}-Q{quarter}", cutoff)
    months = [parse_period(f"{year}-{m}", cutoff) for m in range(3 * quarter - 2, 3 * quarter + 1)]
    assert_tiles(months, whole)
    assert whole.months() == months
    assert whole.quarters() == [whole]


@given(year=years, cutoff=cutoffs)
def test_halves_tile_the_year(year: int, cutoff: Cutoff) -> None:
    halves = [parse_period(f"{year}-H{h}", cutoff) for h in (1, 2)]
    assert_tiles(halves, parse_period(str(year), cutoff))
    assert halves[0].quarters() == [parse_period(f"{year}-Q{q}", cutoff) for q in (1, 2)]


@given(year=years, n=st.integers(1, 12), cutoff=cutoffs)
def test_cumulative_ends_with_month_n(year: int, n: int, cutoff: Cutoff) -> None:
    cumulative = parse_period(f"{year}-{n}M", cutoff)
    assert cumulative.start == parse_period(str(year), cutoff).start
    assert cumulative.end == parse_period(f"{year}-{n:02d}", cutoff).end
    assert len(cumulative.months()) == n


@given(year=years, cutoff=cutoffs)
def test_every_day_in_exactly_one_month(year: int, cutoff: Cutoff) -> None:
    whole = parse_period(str(year), cutoff)
    months = whole.months()
    day = whole.start
    while day <= whole.end:
        holding = [m for m in months if m.contains(day)]
        assert len(holding) == 1
        assert month_of(day, cutoff) == holding[0]
        assert year_of(day, cutoff) == whole
        day += datetime.timedelta(days=1)


@given(spec=st.one_of(named_specs, date_ranges), cutoff=cutoffs)
def test_round_trip(spec: str, cutoff: Cutoff) -> None:
    period = parse_period(spec, cutoff)
    assert period.spec == spec
    assert parse_period(period.spec, cutoff) == period
    earlier = period.previous_year()
    assert parse_period(earlier.spec, cutoff) == earlier
    assert earlier.end < period.end


@given(day=st.dates(date(1990, 1, 1), date(2100, 12, 31)), cutoff=cutoffs)
def test_parse_date_and_month_of_any_day(day: date, cutoff: Cutoff) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day.day}/{day.month}/{day.year}") == day
    assert parse_date(f"{day.day:02d}/{day.month:02d}/{day.year}") == day
    assert month_of(day, cutoff).contains(day)
    assert year_of(day, cutoff).contains(day)


@pytest.mark.parametrize(
    ("spec", "name"),
    [
        ("2023", ("year", 2023, 0)),
        ("2023-Q3", ("quarter", 2023, 3)),
        ("2023-q3", ("quarter", 2023, 3)),
        ("2023-H2", ("half", 2023, 2)),
        ("2023-9M", ("cumulative", 2023, 9)),
        ("2023-9", ("month", 2023, 9)),
        ("2023-09", ("month", 2023, 9)),
        ("2020-2025", ("term", 2020, 2025)),
        ("2022-12-15..2023-06-14", ("range", 2022, 2023)),
    ],
)
def test_period_name_reads_the_spec_as_parse_period_does(
    spec: str, name: tuple[str, int, int]
) -> None:
    assert period_name(parse_period(spec)) == name


@given(named_specs, cutoffs)
def test_period_name_names_every_named_spec(spec: str, cutoff: Cutoff) -> None:
    kind, year, _number = period_name(parse_period(spec, cutoff))
    assert kind != "range"
    assert str(year) == spec[:4]
