"""Concerns about staff and their cases (6.11, 7.3-7.6), for machines: the same steps as the
pages, through the same service (`fairwatch.concerns.services`), which asks the rules who may
see what and writes the audit trail. Nothing here queries a case for itself.

Errors are as in the other routers: 403 not allowed (recorded), 404 not there or not yours to
see, 409 a step that does not fit the case's state, 422 input that cannot be taken (with
`errors` by field). A case a caller may not see -- above all one they are a subject of -- is
a 404 with exactly the body of a ref that was never made.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import File, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from pydantic import Field

from fairwatch.cases.rules import Outcome, View
from fairwatch.concerns import services
from fairwatch.concerns.models import Case, Evidence
from fairwatch.concerns.services import InvalidConcern, Upload
from fairwatch.errors import WrongState
from fairwatch.schools.models import School
from fairwatch.schools.permissions import schools_for

from .common import ErrorOut, InvalidOut, PersonRef, invalid, school_for

router = Router(tags=["concerns about staff"])

BASE = "/concerns"
NOT_FOUND = "no such case"  # the same for a ref never made and a case you may not see
ID_MAX = 2**63 - 1  # the database's biggest id; a bigger one names nobody


SCHOOL = Query(
    "",
    description="the school's slug; it may be left out by someone who works at one school",
)


def _school(request: HttpRequest, slug: str) -> School:
    """The caller's school named by `?school=`, or their only school."""
    if slug:
        return school_for(request, slug)
    mine = schools_for(request.user)
    if len(mine) == 1:
        return mine[0]
    if not mine:
        raise HttpError(404, "no school for this account")
    raise HttpError(422, "You work at more than one school: say which with ?school= and its slug.")


ERRORS = {403: ErrorOut, 404: ErrorOut, 422: InvalidOut}
STEP_ERRORS = {**ERRORS, 409: ErrorOut}


# --- shapes ---------------------------------------------------------------------------------


class ReceiptOut(Schema):
    """What the person who raised a concern sees of it: that it was received, and whether it
    is open or closed. Never what was said, about whom, or the investigation."""

    view: Literal["receipt"] = "receipt"
    ref: str
    kind: str = Field(description="email, internet, social_media or cyberbullying")
    raised_at: dt.datetime
    status: Literal["open", "closed"]


class ClockOut(Schema):
    """The decision whether to refer to the LADO (the local-authority designated officer) is
    due one working day after the concern was raised, when a pupil may be involved."""

    due: dt.datetime
    words: str = Field(description='"due in 3 hours", "overdue by 1 day 2 hours"')
    overdue: bool


class OutcomeOut(Schema):
    value: str
    label: str
    reason: str
    closed_at: dt.datetime | None


class CaseSummaryOut(Schema):
    """A case in the list: enough to choose one. Open it (GET by ref) for the rest; that read
    is recorded under the case's ref."""

    view: Literal["case"] = "case"
    ref: str
    kind: str
    kind_label: str
    subjects: list[PersonRef]
    raised_at: dt.datetime
    pupil_involved: bool
    state: str = Field(description="raised, allegation, low_level or closed")
    triaged_as: str = Field(description='allegation or low_level; "" until triaged')
    lado: ClockOut | None
    outcome: OutcomeOut | None


class HrOut(Schema):
    adviser: str
    consulted_at: dt.datetime
    advice: str


class LadoDecisionOut(Schema):
    referred: bool | None
    reason: str
    decided_at: dt.datetime
    by: str


class EvidenceOut(Schema):
    id: int
    name: str
    size: int  # bytes
    content_type: str


class LinksOut(Schema):
    exercises: list[str]  # monitoring exercises' refs
    web_alerts: list[int]  # internet alerts' ids
    held_mail: list[str]  # held messages' ids


class StepOut(Schema):
    at: dt.datetime
    who: str
    role: str
    what: str


class CaseOut(Schema):
    """A case, for someone it goes to."""

    view: Literal["case"] = "case"
    ref: str
    kind: str = Field(description="email, internet, social_media or cyberbullying")
    kind_label: str
    what: str
    happened_on: dt.date
    pupil_involved: bool
    subjects: list[PersonRef]
    raised_at: dt.datetime
    raised_by: str
    state: str = Field(description="raised, allegation, low_level or closed")
    triaged_as: str = Field(description='allegation or low_level; "" until triaged')
    routed_to: list[str] = Field(description="the names of those the case goes to now")
    because: str = Field(description="why it goes to them, in plain words")
    lado: ClockOut | None = Field(description="the LADO decision's clock, while it is awaited")
    lado_decision: LadoDecisionOut | None
    hr_consultation: HrOut | None
    missing: list[str] = Field(description="what must be recorded before an outcome can be")
    outcome: OutcomeOut | None
    evidence: list[EvidenceOut]
    links: LinksOut
    chronology: list[StepOut]


class ListOut(Schema):
    """`cases`: the cases the caller handles (never one about them), open first with the LADO
    decision soonest due, then newest. `raised`: the concerns the caller raised, as receipts,
    newest first. A case the caller both raised and handles is in both."""

    cases: list[CaseSummaryOut]
    raised: list[ReceiptOut]


class RegisterCaseOut(Schema):
    ref: str
    raised_at: dt.datetime
    kind: str
    state: str
    outcome: str | None = Field(description="the outcome's value once closed")
    outcome_label: str


class RegisterEntryOut(Schema):
    person: PersonRef
    concerns: list[RegisterCaseOut]  # oldest first, so a pattern reads in order


class RaiseIn(Schema):
    """Every field is needed; one left out comes back as a 422 naming it."""

    kind: str = Field("", description="email, internet, social_media or cyberbullying")
    what: str = Field("", description="what happened, in your words")
    happened_on: dt.date | None = Field(None, description="your best guess will do")
    subjects: list[int] = Field(
        [], description="the people (ids, as in the staff list) the concern is about"
    )
    pupil_involved: bool | None = Field(None, description="whether a pupil may be involved")


class TriageIn(Schema):
    to: str = Field("", description="allegation (may meet the harm threshold) or low_level")


class HrIn(Schema):
    adviser: str = Field("", description="who the HR adviser was, and their service if outside")
    consulted_at: dt.datetime | None = Field(None, description="UK time if it has no offset")
    advice: str = ""


class LadoIn(Schema):
    referred: bool | None = Field(None, description="whether it is referred to the LADO")
    reason: str = ""


class LinkIn(Schema):
    """One of the three: what to link to the case (each must be one you may see yourself)."""

    exercise: str = Field("", description="a monitoring exercise's ref, about a subject")
    web_alert: int | None = Field(None, description="an internet alert's id")
    held_mail: str = Field("", description="a held message's id")


class ExerciseIn(Schema):
    subject: int = Field(0, description="the id of the case's subject it is about")


class OpenedExerciseOut(Schema):
    ref: str  # the new exercise's; its assessment's concern is filled in from the case
    state: str


class OutcomeIn(Schema):
    outcome: str = Field("", description=", ".join(o.value for o in Outcome) + " (least first)")
    reason: str = ""


# --- turning cases into answers -------------------------------------------------------------


def _id(value: int | None) -> int | None:
    """An id as given; one too big for the database names nobody (0)."""
    return None if value is None else value if 0 < value <= ID_MAX else 0


def _clean(text: str) -> str:
    return (text or "").replace("\x00", "")  # the database refuses NUL in text


def _ref(ref: str) -> str:
    return _clean(ref).strip().upper()


def _receipt(case: Case) -> ReceiptOut:
    return ReceiptOut(
        ref=case.ref,
        kind=case.kind,
        raised_at=case.raised_at,
        status="open" if case.is_open else "closed",
    )


def _subjects(case: Case) -> list[PersonRef]:
    return [PersonRef(id=p.pk, display_name=p.display_name) for p in case.subjects.all()]


def _clock(clock: services.Clock | None) -> ClockOut | None:
    if clock is None:
        return None
    return ClockOut(due=clock.due, words=clock.words, overdue=clock.overdue)


def _outcome(case: Case) -> OutcomeOut | None:
    if not case.outcome:
        return None
    return OutcomeOut(
        value=case.outcome,
        label=case.outcome_label,
        reason=case.outcome_reason,
        closed_at=case.closed_at,
    )


def _summary(case: Case, closed: set[dt.date]) -> CaseSummaryOut:
    return CaseSummaryOut(
        ref=case.ref,
        kind=case.kind,
        kind_label=case.get_kind_display(),
        subjects=_subjects(case),
        raised_at=case.raised_at,
        pupil_involved=case.pupil_involved,
        state=case.state,
        triaged_as=case.triaged_as,
        lado=_clock(services.lado_clock(case, closed)),
        outcome=_outcome(case),
    )


def _case_out(request: HttpRequest, case: Case) -> CaseOut:
    """A case the caller has read through the service (`get`, `lookup` or a step)."""
    school = case.school
    routing = services.routing_of(case)
    hr = None
    if case.hr_consulted_at is not None:
        hr = HrOut(
            adviser=case.hr_adviser, consulted_at=case.hr_consulted_at, advice=case.hr_advice
        )
    lado = None
    if case.lado_decided_at is not None:
        lado = LadoDecisionOut(
            referred=case.lado_referred,
            reason=case.lado_reason,
            decided_at=case.lado_decided_at,
            by=services.name_of(school, case.lado_decided_by),
        )
    return CaseOut(
        ref=case.ref,
        kind=case.kind,
        kind_label=case.get_kind_display(),
        what=case.what,
        happened_on=case.happened_on,
        pupil_involved=case.pupil_involved,
        subjects=_subjects(case),
        raised_at=case.raised_at,
        raised_by=services.name_of(school, case.raised_by),
        state=case.state,
        triaged_as=case.triaged_as,
        routed_to=services.handler_names(case, routing),
        because=routing.because if routing else "",
        lado=_clock(services.lado_clock(case)),
        lado_decision=lado,
        hr_consultation=hr,
        missing=services.missing(case),
        outcome=_outcome(case),
        evidence=[
            EvidenceOut(id=e.pk, name=e.name, size=e.size, content_type=e.content_type)
            for e in case.evidence.only("id", "name", "size", "content_type")
        ],
        links=LinksOut(
            exercises=sorted(case.exercises.values_list("ref", flat=True)),
            web_alerts=sorted(case.web_alerts.values_list("pk", flat=True)),
            held_mail=sorted(case.held_messages.values_list("spool_id", flat=True)),
        ),
        chronology=[
            StepOut(at=s.at, who=s.who, role=s.role, what=s.what)
            for s in services.chronology(request.user, case)
        ],
    )


def _handled(request: HttpRequest, school: School, ref: str) -> Case:
    """A case the caller handles; 404 otherwise (recorded by the service)."""
    try:
        return services.get(request.user, school, _ref(ref))
    except Case.DoesNotExist:
        raise HttpError(404, NOT_FOUND) from None


def _step(request: HttpRequest, school: str, ref: str, step) -> CaseOut | Status:
    """Take a step on a case: its fields' problems are a 422, a wrong state a 409."""
    case = _handled(request, _school(request, school), ref)
    try:
        case = step(case)
    except InvalidConcern as e:
        return invalid(e)
    except WrongState as e:
        raise HttpError(409, str(e)) from None
    except Case.DoesNotExist:
        raise HttpError(404, NOT_FOUND) from None
    return _case_out(request, case)


# --- the routes (the register's literal path before the ref's) -------------------------------


@router.post(BASE, response={201: ReceiptOut, **ERRORS})
def raise_concern(request, payload: RaiseIn, school: str = SCHOOL):
    """Raise a concern about one or more colleagues (any member of staff). It goes to those
    the rules name -- the Headteacher; the Chair of Governors when the Headteacher is a
    subject; the DSL as well when a pupil may be involved -- and the answer is your receipt.
    To give files with it, use the web form (the API adds evidence to a case for those who
    handle it)."""
    school = _school(request, school)
    try:
        case = services.raise_concern(
            request.user,
            school,
            kind=payload.kind,
            what=_clean(payload.what),
            happened_on=payload.happened_on,
            subjects=[i if 0 < i <= ID_MAX else 0 for i in payload.subjects],
            pupil_involved=payload.pupil_involved,
        )
    except InvalidConcern as e:
        return invalid(e)
    return Status(201, _receipt(case))


@router.get(BASE, response={200: ListOut, **ERRORS})
def list_concerns(
    request,
    school: str = SCHOOL,
    state: str = Query("open", description="open, closed or all (of the cases you handle)"),
    q: str = Query("", description="words to find in the ref, what happened or a name"),
):
    """The cases you handle (`cases`, searched with `q` and chosen by `state`) and the
    concerns you raised (`raised`, as receipts). A case about you is never in either."""
    school = _school(request, school)
    try:
        cases = services.visible(request.user, school, state=_clean(state), q=_clean(q))
    except InvalidConcern as e:
        return invalid(e)
    closed = services.closures_for(school, cases)
    return ListOut(
        cases=[_summary(c, closed) for c in cases],
        raised=[_receipt(c) for c in services.receipts(request.user, school)],
    )


@router.get(BASE + "/low-level-register", response={200: list[RegisterEntryOut], **ERRORS})
def low_level_register(request, school: str = SCHOOL):
    """Low-level concerns by member of staff, most first (the Headteacher and the DSL; 403
    for anyone else). Never an entry about the reader."""
    school = _school(request, school)
    return [
        RegisterEntryOut(
            person=PersonRef(id=e.person.pk, display_name=e.person.display_name),
            concerns=[
                RegisterCaseOut(
                    ref=c.ref,
                    raised_at=c.raised_at,
                    kind=c.kind,
                    state=c.state,
                    outcome=c.outcome or None,
                    outcome_label=c.outcome_label,
                )
                for c in e.cases
            ],
        )
        for e in services.low_level_register(request.user, school)
    ]


@router.get(
    BASE + "/{ref}",
    response={
        200: Annotated[CaseOut | ReceiptOut, Field(discriminator="view")],
        **ERRORS,
    },
)
def get_concern(request, ref: str, school: str = SCHOOL):
    """One case. For someone it goes to, the case (`view` "case"); for the person who raised
    it, their receipt (`view` "receipt"); for anyone else, a subject above all, 404 -- the same
    as a ref that was never made. Each look is recorded."""
    school = _school(request, school)
    try:
        case, seen = services.lookup(request.user, school, _ref(ref))
    except Case.DoesNotExist:
        raise HttpError(404, NOT_FOUND) from None
    if seen is View.CASE:
        return _case_out(request, case)
    return _receipt(case)


@router.post(BASE + "/{ref}/triage", response={200: CaseOut, **STEP_ERRORS})
def triage(request, ref: str, payload: TriageIn, school: str = SCHOOL):
    """Mark a raised case an allegation that may meet the harm threshold, or a low-level
    concern (which goes on the low-level register)."""
    return _step(request, school, ref, lambda c: services.triage(request.user, c, payload.to))


@router.post(BASE + "/{ref}/hr-consultation", response={200: CaseOut, **STEP_ERRORS})
def hr_consultation(request, ref: str, payload: HrIn, school: str = SCHOOL):
    """Record the consultation with the HR adviser (7.3): who, when and their advice. A
    second one replaces the first on the case; the trail keeps both."""
    return _step(
        request,
        school,
        ref,
        lambda c: services.record_hr(
            request.user,
            c,
            adviser=_clean(payload.adviser),
            consulted_at=payload.consulted_at,
            advice=_clean(payload.advice),
        ),
    )


@router.post(BASE + "/{ref}/lado-decision", response={200: CaseOut, **STEP_ERRORS})
def lado_decision(request, ref: str, payload: LadoIn, school: str = SCHOOL):
    """Record whether the case is referred to the LADO (the local-authority designated
    officer), and why; once, and only when a pupil may be involved (7.6)."""
    return _step(
        request,
        school,
        ref,
        lambda c: services.record_lado(
            request.user, c, referred=payload.referred, reason=_clean(payload.reason)
        ),
    )


@router.post(BASE + "/{ref}/outcome", response={200: CaseOut, **STEP_ERRORS})
def outcome(request, ref: str, payload: OutcomeIn, school: str = SCHOOL):
    """Record the outcome and its reason, and close the case (7.4). Triage, the HR
    consultation and, with a pupil, the LADO decision come first (409 until they are). The
    person who raised it is told it is closed."""
    return _step(
        request,
        school,
        ref,
        lambda c: services.record_outcome(
            request.user, c, outcome=_clean(payload.outcome), reason=_clean(payload.reason)
        ),
    )


@router.post(BASE + "/{ref}/evidence", response={200: CaseOut, **STEP_ERRORS})
def add_evidence(request, ref: str, files: File[list[UploadedFile]], school: str = SCHOOL):
    """Add files to a case (multipart, one or more under `files`), for those it goes to.
    Each file up to 10 MB, up to 10 on a case."""
    limit = services.FILE_MAX + 1  # enough to tell a file is too big without reading it all
    given = [
        Upload(
            name=_clean(f.name or "file"),
            content_type=_clean(f.content_type or ""),
            content=f.read(limit),
        )
        for f in files
    ]
    return _step(request, school, ref, lambda c: services.add_evidence(request.user, c, given))


@router.get(
    BASE + "/{ref}/evidence/{file_id}",
    response={403: ErrorOut, 404: ErrorOut},
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file, as an attachment",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def evidence_file(request, ref: str, file_id: int, school: str = SCHOOL):
    """One evidence file of a case, for those it goes to; each download is recorded."""
    school = _school(request, school)
    try:
        found = services.evidence_file(
            request.user, school, _ref(ref), file_id if 0 < file_id <= ID_MAX else 0
        )
    except (Case.DoesNotExist, Evidence.DoesNotExist):
        raise HttpError(404, NOT_FOUND) from None
    response = HttpResponse(bytes(found.content), content_type=services.download_type(found))
    response["Content-Disposition"] = content_disposition_header(True, found.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@router.post(BASE + "/{ref}/links", response={200: CaseOut, **STEP_ERRORS})
def link(request, ref: str, payload: LinkIn, school: str = SCHOOL):
    """Link a monitoring exercise about a subject, an internet alert or held mail to the
    case; each is read through its own gate, so only one you may see yourself."""
    return _step(
        request,
        school,
        ref,
        lambda c: services.link(
            request.user,
            c,
            exercise=_clean(payload.exercise),
            web_alert=_id(payload.web_alert),
            held_mail=_clean(payload.held_mail),
        ),
    )


@router.post(BASE + "/{ref}/exercise", response={201: OpenedExerciseOut, **STEP_ERRORS})
def open_exercise(request, ref: str, payload: ExerciseIn, school: str = SCHOOL):
    """Draft a monitoring exercise about one of the case's subjects (7.1), with the concern
    part of its assessment filled in from the case, and link it. It then goes through the
    exercise's own steps (/api/v1/schools/{slug}/exercises)."""
    case = _handled(request, _school(request, school), ref)
    try:
        ex = services.open_exercise(request.user, case, _id(payload.subject) or 0)
    except InvalidConcern as e:
        return invalid(e)
    except WrongState as e:
        raise HttpError(409, str(e)) from None
    except Case.DoesNotExist:
        raise HttpError(404, NOT_FOUND) from None
    return Status(201, OpenedExerciseOut(ref=ex.ref, state=ex.state))
