"""The school's schedule for asking staff to read the policy and reminding them (issue 9),
for machines: read and change it, and send the emails that are due now. The same as the
schedule page and `fairwatch policy remind`, through `fairwatch.policy.reminders`, which asks
the gate (the Headteacher or the trust's administrator) and writes the audit trail.

Errors as in the other routers: 403 not allowed (recorded), 404 no such school for you, 422
input that cannot be taken (with `errors` by field).
"""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema, Status
from pydantic import Field

from fairwatch.policy import reminders

from .common import ErrorOut, InvalidOut, school_for

router = Router(tags=["policy"])

BASE = "/schools/{slug}/policy"
ERRORS = {403: ErrorOut, 404: ErrorOut, 422: InvalidOut}


class ScheduleLastRunOut(Schema):
    at: dt.datetime
    by: str = Field(description="who ran it: an account, or the daily scheduled run")
    version: int | None
    asked: int
    reminded: int


class ScheduleOut(Schema):
    deadline_days: int = Field(description="days staff have to read a new version")
    remind_every_days: int = Field(description="days between reminders; 0: no reminders")
    in_words: str = Field(description="what the schedule means, in words")
    last_run: ScheduleLastRunOut | None = Field(description="the last run; null if never")


class ScheduleIn(Schema):
    deadline_days: int = Field(
        description=f"days staff have to read a new version ({reminders.DEADLINE_DAYS[0]} to "
        f"{reminders.DEADLINE_DAYS[1]})"
    )
    remind_every_days: int = Field(
        description=f"days between reminders ({reminders.REMIND_EVERY_DAYS[0]} to "
        f"{reminders.REMIND_EVERY_DAYS[1]}; 0: no reminders)"
    )


class ReminderRunOut(Schema):
    school: str
    version: int | None = Field(description="the version staff were asked to read; null if none")
    asked: int = Field(description="emails asking someone for the first time")
    reminded: int = Field(description="reminders to those who have not yet read it")
    sent: int


def _schedule_out(found: reminders.Schedule) -> ScheduleOut:
    last = found.last_run
    return ScheduleOut(
        deadline_days=found.deadline_days,
        remind_every_days=found.remind_every_days,
        in_words=found.in_words,
        last_run=None
        if last is None
        else ScheduleLastRunOut(
            at=last.at,
            by=last.by,
            version=last.version,
            asked=last.asked,
            reminded=last.reminded,
        ),
    )


@router.get(f"{BASE}/schedule", response={200: ScheduleOut, **ERRORS})
def get_schedule(request, slug: str):
    """How long staff have to read a new version, how often they are reminded, and the last
    run (the Headteacher, or the trust's administrator)."""
    school = school_for(request, slug)
    return _schedule_out(reminders.schedule(request.user, school))


@router.put(f"{BASE}/schedule", response={200: ScheduleOut, **ERRORS})
def put_schedule(request, slug: str, payload: ScheduleIn):
    """Change the schedule (the Headteacher, or the trust's administrator)."""
    school = school_for(request, slug)
    try:
        reminders.update_settings(
            request.user, school, payload.deadline_days, payload.remind_every_days
        )
    except reminders.InvalidSchedule as e:
        return Status(422, InvalidOut(detail=str(e), errors=e.errors))
    return _schedule_out(reminders.schedule(request.user, school))


@router.post(f"{BASE}/reminders", response={200: ReminderRunOut, **ERRORS})
def send_reminders(request, slug: str):
    """Send the emails due now: asking those never asked, and reminding those due a
    reminder on the school's schedule. Sending again at once sends nothing more."""
    school = school_for(request, slug)
    summary = reminders.send_now(request.user, school)
    return ReminderRunOut(
        school=summary.school,
        version=summary.version,
        asked=summary.asked,
        reminded=summary.reminded,
        sent=summary.sent,
    )
