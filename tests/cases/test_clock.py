"""The LADO decision's clock: one working day, skipping weekends and the school's closure
dates (7.6)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairwatch.cases.clock import deadline, is_working_day, time_left

LONDON = ZoneInfo("Europe/London")


def at(y, m, d, h=0, mi=0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=LONDON)


def test_friday_afternoon_is_due_on_monday_afternoon():
    assert deadline(at(2026, 11, 27, 15, 30), set()) == at(2026, 11, 30, 15, 30)


def test_a_closure_date_on_monday_moves_it_to_tuesday():
    closures = {dt.date(2026, 11, 30)}
    assert deadline(at(2026, 11, 27, 15, 30), closures) == at(2026, 12, 1, 15, 30)


def test_raised_at_the_weekend_it_is_due_at_the_end_of_the_next_working_day():
    assert deadline(at(2026, 11, 28, 10), set()) == at(2026, 12, 1, 0, 0)  # end of Monday
    closures = {dt.date(2026, 11, 30)}
    assert deadline(at(2026, 11, 28, 10), closures) == at(2026, 12, 2, 0, 0)  # end of Tuesday


def test_across_the_christmas_closure():
    closures = {dt.date(2026, 12, 21) + dt.timedelta(days=i) for i in range(15)}
    assert deadline(at(2026, 12, 18, 12), closures) == at(2027, 1, 5, 12)


def test_the_clock_keeps_wall_time_across_the_change_of_summer_time():
    assert deadline(at(2026, 10, 23, 9), set()) == at(2026, 10, 26, 9)


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="aware"):
        deadline(dt.datetime(2026, 11, 27, 9), set())


@settings(max_examples=300, deadline=None)
@given(
    start=st.datetimes(dt.datetime(2024, 1, 1), dt.datetime(2030, 12, 31)),
    closures=st.sets(st.dates(dt.date(2024, 1, 1), dt.date(2031, 1, 31)), max_size=60),
)
def test_one_working_day_is_never_less_and_skips_only_days_that_do_not_count(start, closures):
    begun = start.replace(tzinfo=LONDON)
    due = deadline(begun, closures)
    assert due > begun
    first = begun.date()
    skipped = [first + dt.timedelta(days=i) for i in range(1, (due.date() - first).days)]
    if is_working_day(first, closures):
        assert is_working_day(due.date(), closures)
        assert due.timetz().replace(tzinfo=None) == begun.timetz().replace(tzinfo=None)
        assert not any(is_working_day(d, closures) for d in skipped)
    else:
        assert due.time() == dt.time(0, 0)
        working = [d for d in skipped if is_working_day(d, closures)]
        assert len(working) == 1 and working[0] == due.date() - dt.timedelta(days=1)


def test_time_left_in_plain_words():
    now = at(2026, 11, 27, 9)
    assert time_left(at(2026, 11, 27, 12), now) == "due in 3 hours"
    assert time_left(at(2026, 11, 26, 7), now) == "overdue by 1 day 2 hours"
    assert time_left(at(2026, 11, 27, 9, 20), now) == "due in 20 minutes"
