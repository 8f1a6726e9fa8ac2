"""The breach register (5.2): anyone reports a breach; the DPO lists, assesses and closes them.

The rules, the gate and the audit entries are in `fairwatch.monitoring.breaches`.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from fairwatch.monitoring import breaches
from fairwatch.monitoring.breaches import InvalidBreach
from fairwatch.monitoring.models import Breach
from fairwatch.schools.models import Person, School

from .common import ErrorOut, InvalidOut, PersonRef, invalid, school_for

router = Router(tags=["breaches"])


class BreachOut(Schema):
    id: int
    source: str
    what: str
    found_at: dt.datetime
    report_by: dt.datetime  # 72 hours after it was found
    seconds_left: int  # until report_by; negative when past it
    countdown: str  # in words: "2 days 5 hours left", "overdue by 3 hours", "not reportable"
    overdue: bool  # past report_by with the ICO question still open
    people_affected: str
    risk: str  # low, medium, high; empty until assessed
    reportable: bool | None  # to the ICO; null until decided
    actions: str
    ico_reported_at: dt.datetime | None
    ico_reference: str
    state: str  # open or closed
    reported_by: PersonRef | None
    reported_at: dt.datetime
    exercise: str | None  # the monitoring exercise of a refused access (its ref)
    audit_seq: int | None  # the audit entry that recorded the refused access
    closed_at: dt.datetime | None
    closed_by: PersonRef | None
    closure_note: str


class ReportIn(Schema):
    what: str
    found_at: dt.datetime | None = None  # now when left out; UK time if it has no offset
    people_affected: str = ""


class UpdateIn(Schema):
    """Only the fields sent are changed."""

    risk: str | None = None
    reportable: bool | None = None
    actions: str | None = None
    people_affected: str | None = None
    ico_reported_at: dt.datetime | None = None
    ico_reference: str | None = None
    found_at: dt.datetime | None = None  # breaches reported by hand only


class CloseIn(Schema):
    note: str


class ReopenIn(Schema):
    reason: str


ERRORS = {403: ErrorOut, 404: ErrorOut, 422: InvalidOut}


def _ref(person: Person | None) -> PersonRef | None:
    return PersonRef(id=person.pk, display_name=person.display_name) if person else None


def _out(b: Breach, now: dt.datetime | None = None) -> BreachOut:
    countdown = breaches.time_left(b, now or timezone.now())
    return BreachOut(
        id=b.pk,
        source=b.source,
        what=b.what,
        found_at=b.found_at,
        report_by=b.report_by,
        seconds_left=int(countdown.left.total_seconds()),
        countdown=countdown.words,
        overdue=countdown.overdue,
        people_affected=b.people_affected,
        risk=b.risk,
        reportable=b.reportable,
        actions=b.actions,
        ico_reported_at=b.ico_reported_at,
        ico_reference=b.ico_reference,
        state="closed" if b.closed_at else "open",
        reported_by=_ref(b.reported_by),
        reported_at=b.reported_at,
        exercise=b.exercise.ref if b.exercise_id else None,
        audit_seq=b.audit_seq,
        closed_at=b.closed_at,
        closed_by=_ref(b.closed_by),
        closure_note=b.closure_note,
    )


def _breach(request: HttpRequest, school: School, breach_id: int) -> Breach:
    try:
        return breaches.get(request.user, school, breach_id)
    except Breach.DoesNotExist:
        raise HttpError(404, "no such breach") from None


@router.get("/schools/{slug}/breaches", response={200: list[BreachOut], **ERRORS})
def list_breaches(request, slug: str, state: str = "open"):
    """The breach register (DPO): open ones first, soonest deadline first; state is open,
    closed or all."""
    school = school_for(request, slug)
    try:
        found = breaches.register(request.user, school, state=state)
    except InvalidBreach as e:
        return invalid(e)
    now = timezone.now()
    return [_out(b, now) for b in found]


@router.post("/schools/{slug}/breaches", response={201: BreachOut, **ERRORS})
def report_breach(request, slug: str, payload: ReportIn):
    """Report a breach (any member of staff). The reply is the report as recorded."""
    school = school_for(request, slug)
    try:
        breach = breaches.report(
            request.user,
            school,
            what=payload.what,
            found_at=payload.found_at or timezone.now(),
            people_affected=payload.people_affected,
        )
    except InvalidBreach as e:
        return invalid(e)
    return Status(201, _out(breach))


@router.get("/schools/{slug}/breaches/{breach_id}", response={200: BreachOut, **ERRORS})
def get_breach(request, slug: str, breach_id: int):
    return _out(_breach(request, school_for(request, slug), breach_id))


@router.patch("/schools/{slug}/breaches/{breach_id}", response={200: BreachOut, **ERRORS})
def update_breach(request, slug: str, breach_id: int, payload: UpdateIn):
    """The DPO's assessment. Send only the fields to change; null clears a date or sets
    reportable back to undecided."""
    breach = _breach(request, school_for(request, slug), breach_id)
    try:
        breach = breaches.update(request.user, breach, **payload.model_dump(exclude_unset=True))
    except InvalidBreach as e:
        return invalid(e)
    return _out(breach)


@router.post("/schools/{slug}/breaches/{breach_id}/close", response={200: BreachOut, **ERRORS})
def close_breach(request, slug: str, breach_id: int, payload: CloseIn):
    """Close a breach once its risk and reporting are decided."""
    breach = _breach(request, school_for(request, slug), breach_id)
    try:
        breach = breaches.close(request.user, breach, note=payload.note)
    except InvalidBreach as e:
        return invalid(e)
    return _out(breach)


@router.post("/schools/{slug}/breaches/{breach_id}/reopen", response={200: BreachOut, **ERRORS})
def reopen_breach(request, slug: str, breach_id: int, payload: ReopenIn):
    breach = _breach(request, school_for(request, slug), breach_id)
    try:
        breach = breaches.reopen(request.user, breach, payload.reason)
    except InvalidBreach as e:
        return invalid(e)
    return _out(breach)
