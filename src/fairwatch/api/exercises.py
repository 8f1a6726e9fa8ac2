"""Monitoring exercises (7.1–7.3) and activity data, for machines: the same steps as the pages,
through the same service (which applies the rules and writes the audit trail)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import AwareDatetime

from fairwatch.audit import gate
from fairwatch.monitoring import activity, exercises
from fairwatch.monitoring.models import ActivityEvent, Exercise
from fairwatch.privacy.exercises import (
    Assessment,
    Invalid,
    NotAllowed,
    State,
    System,
    WrongState,
)
from fairwatch.schools.models import Person

from .common import ErrorOut, school_for

router = Router(tags=["monitoring exercises"])


class AssessmentIn(Schema):
    concern: str = ""
    evidence: str = ""
    purpose: str = ""
    necessity: str = ""
    alternatives: str = ""
    systems: list[System] = []
    data_categories: str = ""
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    viewers: list[int] = []
    effect_on_employee: str = ""
    effect_on_third_parties: str = ""
    article8_balance: str = ""
    hr_consulted: str = ""
    retention_days: int | None = None


class AssessmentOut(AssessmentIn):
    missing: list[str]


class ExerciseOut(Schema):
    ref: str
    state: State
    subject_id: int
    subject: str
    requester_id: int
    approver_role: str
    reviewed_by_id: int | None
    approved_by_id: int | None
    start: dt.datetime | None
    end: dt.datetime | None
    closed_at: dt.datetime | None
    purged_at: dt.datetime | None
    extends: str | None
    assessment: AssessmentOut
    history: list[str]


class DraftIn(Schema):
    subject_id: int


class ApproveIn(Schema):
    start: AwareDatetime  # with its zone: "2026-03-02T09:00:00+00:00"
    end: AwareDatetime


class ActivityOut(Schema):
    occurred_at: dt.datetime
    system: str
    category: str
    summary: str
    count: int


class IdentifiedOut(Schema):
    exercise: str
    identifier: str
    rows: list[ActivityOut]


class OverviewOut(Schema):
    since: dt.datetime
    until: dt.datetime
    events: int
    by_system: list[dict]
    by_category: list[dict]
    by_pseudonym: list[dict]


RESPONSES = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _out(ex: Exercise) -> ExerciseOut:
    form = exercises.rules_form(ex)
    a = form.assessment
    return ExerciseOut(
        ref=ex.ref,
        state=State(ex.state),
        subject_id=ex.subject_id,
        subject=ex.subject.display_name,
        requester_id=ex.requester_id,
        approver_role=form.approver_role.value,
        reviewed_by_id=ex.reviewed_by_id,
        approved_by_id=ex.approved_by_id,
        start=ex.start,
        end=ex.end,
        closed_at=ex.closed_at,
        purged_at=ex.purged_at,
        extends=ex.extends.ref if ex.extends_id else None,
        assessment=AssessmentOut(
            **{
                f: getattr(a, f)
                for f in AssessmentIn.model_fields
                if f not in ("systems", "viewers")
            },
            systems=sorted(a.systems),
            viewers=sorted(a.viewers),
            missing=a.missing(),
        ),
        history=list(ex.history),
    )


def _found(request: HttpRequest, slug: str, ref: str) -> Exercise:
    school = school_for(request, slug)
    try:
        return exercises.refresh(exercises.get_visible(request.user, school, ref))
    except Exercise.DoesNotExist:
        raise HttpError(404, "no such exercise") from None


def _step(fn) -> ExerciseOut:
    try:
        return _out(fn())
    except WrongState as e:
        raise HttpError(409, str(e)) from None
    except Invalid as e:
        raise HttpError(422, str(e)) from None
    except NotAllowed as e:
        raise HttpError(403, str(e)) from None


@router.get("/schools/{slug}/exercises", response={200: list[ExerciseOut], 404: ErrorOut})
def list_exercises(request, slug: str):
    """The exercises the caller has a part in; never one about the caller."""
    school = school_for(request, slug)
    return [_out(ex) for ex in exercises.visible(request.user, school, detail={"via": "api"})]


@router.post("/schools/{slug}/exercises", response={201: ExerciseOut, **RESPONSES})
def draft_exercise(request, slug: str, body: DraftIn):
    """Start a draft exercise about a member of staff (its requester is the caller)."""
    school = school_for(request, slug)
    subject = Person.objects.filter(
        school=school, pk=body.subject_id, kind__in=[Person.Kind.STAFF, Person.Kind.VOLUNTEER]
    ).first()
    if subject is None:
        raise HttpError(404, "no member of staff with that id at this school")
    try:
        return Status(201, _out(exercises.draft(request.user, school, subject)))
    except NotAllowed as e:
        raise HttpError(403, str(e)) from None


@router.get("/schools/{slug}/exercises/{ref}", response={200: ExerciseOut, **RESPONSES})
def get_exercise(request, slug: str, ref: str):
    """One exercise, with what its assessment still lacks (404 for anyone outside it)."""
    ex = _found(request, slug, ref)
    exercises.record(
        request.user,
        ex.school,
        "exercise.view",
        "allowed",
        ex.ref,
        purpose=gate.Purpose.MONITORING,
        detail={"via": "api"},
    )
    return _out(ex)


@router.put(
    "/schools/{slug}/exercises/{ref}/assessment",
    response={200: ExerciseOut, **RESPONSES},
)
def put_assessment(request, slug: str, ref: str, body: AssessmentIn):
    """Save the privacy impact assessment of a draft (whole, as the form does)."""
    ex = _found(request, slug, ref)
    data = body.dict()
    assessment = Assessment(
        **{**data, "systems": frozenset(body.systems), "viewers": frozenset(body.viewers)}
    )
    return _step(lambda: exercises.edit_assessment(request.user, ex, assessment))


@router.post("/schools/{slug}/exercises/{ref}/complete", response={200: ExerciseOut, **RESPONSES})
def complete(request, slug: str, ref: str):
    ex = _found(request, slug, ref)
    return _step(lambda: exercises.complete_assessment(request.user, ex))


@router.post("/schools/{slug}/exercises/{ref}/review", response={200: ExerciseOut, **RESPONSES})
def review(request, slug: str, ref: str):
    ex = _found(request, slug, ref)
    return _step(lambda: exercises.review(request.user, ex))


@router.post("/schools/{slug}/exercises/{ref}/approve", response={200: ExerciseOut, **RESPONSES})
def approve(request, slug: str, ref: str, body: ApproveIn):
    ex = _found(request, slug, ref)
    return _step(lambda: exercises.approve(request.user, ex, body.start, body.end))


@router.post("/schools/{slug}/exercises/{ref}/close", response={200: ExerciseOut, **RESPONSES})
def close(request, slug: str, ref: str):
    ex = _found(request, slug, ref)
    return _step(lambda: exercises.close(request.user, ex))


@router.post("/schools/{slug}/exercises/{ref}/extend", response={201: ExerciseOut, **RESPONSES})
def extend(request, slug: str, ref: str):
    """Draft an extension: a new exercise with the same assessment, to be approved afresh."""
    ex = _found(request, slug, ref)
    try:
        return Status(201, _out(exercises.extend(request.user, ex)))
    except NotAllowed as e:
        raise HttpError(403, str(e)) from None


@router.get(
    "/schools/{slug}/exercises/{ref}/activity",
    response={200: IdentifiedOut, 403: ErrorOut, 404: ErrorOut},
)
def identified_activity(request, slug: str, ref: str):
    """The subject's activity by name, for a viewer of the active exercise. Any other caller
    is refused, and the refusal opens a breach for the DPO (5.2)."""
    school = school_for(request, slug)
    ex = Exercise.objects.filter(school=school, ref=ref).first()
    if ex is None:
        raise HttpError(404, "no such exercise")
    try:
        seen = activity.identified(request.user, ex)
    except NotAllowed as e:
        try:
            exercises.get_visible(request.user, school, ref)
        except Exercise.DoesNotExist:
            raise HttpError(404, "no such exercise") from None
        raise HttpError(403, str(e)) from None
    return IdentifiedOut(
        exercise=ex.ref,
        identifier=seen.identifier,
        rows=[_activity_out(r) for r in seen.rows],
    )


def _activity_out(r: ActivityEvent) -> ActivityOut:
    return ActivityOut(
        occurred_at=r.occurred_at,
        system=r.system,
        category=r.category,
        summary=r.summary,
        count=r.count,
    )


@router.get(
    "/schools/{slug}/activity",
    response={200: OverviewOut, 403: ErrorOut, 404: ErrorOut},
    tags=["activity"],
)
def activity_overview(request, slug: str, days: int = 30):
    """Totals by system, category and pseudonym: no names."""
    if not 1 <= days <= 366:
        raise HttpError(422, "days must be between 1 and 366")
    view = activity.overview(request.user, school_for(request, slug), days=days)
    return OverviewOut(**view.__dict__)


class PseudonymTotalsOut(Schema):
    pseudonym: str
    since: dt.datetime
    until: dt.datetime
    by_category: list[dict]
    by_day: list[dict]


@router.get(
    "/schools/{slug}/activity/{pseudonym}",
    response={200: PseudonymTotalsOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    tags=["activity"],
)
def activity_of_pseudonym(request, slug: str, pseudonym: str, days: int = 30):
    """One pseudonym's totals by category and by day (no names, no single events)."""
    if not 1 <= days <= 366:
        raise HttpError(422, "days must be between 1 and 366")
    totals = activity.of_pseudonym(
        request.user, school_for(request, slug), pseudonym[:40], days=days
    )
    return PseudonymTotalsOut(**totals.__dict__)
