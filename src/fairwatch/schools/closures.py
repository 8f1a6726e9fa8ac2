"""A school's closure dates (holidays, training days): what the working-day clock of a case
skips (`fairwatch.cases.clock`)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from .models import Closure, School

LONGEST = 366  # days: a longer "closure" is a typing mistake


def add(school: School, first_day: dt.date, last_day: dt.date | None, name: str = "") -> Closure:
    """Record that the school is closed from `first_day` to `last_day` (one day when None).
    ValidationError naming the field for days the wrong way round or a span over a year."""
    last_day = last_day or first_day
    if last_day < first_day:
        raise ValidationError({"last_day": "The last day is before the first day."})
    if (last_day - first_day).days >= LONGEST:
        raise ValidationError({"last_day": f"A closure is at most {LONGEST} days long."})
    return Closure.objects.create(
        school=school, first_day=first_day, last_day=last_day, name=name.strip()[:120]
    )


def dates(school: School, since: dt.date, until: dt.date) -> set[dt.date]:
    """Every closed day from `since` to `until`, both included."""
    out: set[dt.date] = set()
    for c in Closure.objects.filter(school=school, last_day__gte=since, first_day__lte=until):
        day = max(c.first_day, since)
        while day <= min(c.last_day, until):
            out.add(day)
            day += dt.timedelta(days=1)
    return out
