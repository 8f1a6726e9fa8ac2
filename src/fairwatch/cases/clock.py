"""The working-day clock of a case that may involve a pupil (7.6): the decision whether to
refer it to the local-authority designated officer is due within one working day. Working
days are school days: Saturdays, Sundays and the school's closure dates do not count.

One working day from a moment is the same time on the next working day; a concern raised on
a day that does not count starts its clock at the start of the next working day, so it is due
at the end of that day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from zoneinfo import ZoneInfo


def is_working_day(day: dt.date, closures: Collection[dt.date]) -> bool:
    return day.weekday() < 5 and day not in closures


def next_working_day(day: dt.date, closures: Collection[dt.date]) -> dt.date:
    """The first working day after `day`."""
    day += dt.timedelta(days=1)
    for _ in range(3660):  # ten years of closures is not a school calendar
        if is_working_day(day, closures):
            return day
        day += dt.timedelta(days=1)
    raise ValueError("no working day in the next ten years: check the closure dates")


def deadline(
    start: dt.datetime, closures: Collection[dt.date], *, days: int = 1, tz: str = "Europe/London"
) -> dt.datetime:
    """When `days` working days from `start` (an aware time) run out, as an aware time in `tz`
    (wall-clock: a change of summer time does not move it)."""
    if start.tzinfo is None:
        raise ValueError("start must be an aware time")
    zone = ZoneInfo(tz)
    local = start.astimezone(zone)
    day, at = local.date(), local.time().replace(tzinfo=None)
    if not is_working_day(day, closures):
        day = next_working_day(day, closures)  # the clock starts at the start of this day
        for _ in range(days - 1):
            day = next_working_day(day, closures)
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), zone)  # its end
    for _ in range(days):
        day = next_working_day(day, closures)
    return dt.datetime.combine(day, at, zone)


def time_left(due: dt.datetime, now: dt.datetime) -> str:
    """ "due in 3 hours", "overdue by 1 day 2 hours", in plain words."""
    gap = due - now
    late = gap < dt.timedelta(0)
    gap = abs(gap)
    days, hours = gap.days, gap.seconds // 3600
    minutes = (gap.seconds % 3600) // 60
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if not days and not hours:
        parts.append(f"{max(minutes, 1)} minute{'s' if minutes != 1 else ''}")
    words = " ".join(parts)
    return f"overdue by {words}" if late else f"due in {words}"
