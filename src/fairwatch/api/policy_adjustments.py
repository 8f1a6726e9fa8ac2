"""Reasonable adjustments to reading the policy (clause 2), for machines: asking for an
accessible format or more time, listing requests (the Headteacher: all of them; anyone else:
their own), and the Headteacher's answer. The same as the pages, through the same service
(`fairwatch.policy.adjustments`), which asks the gate and writes the audit trail.

Errors are as in the other policy routes: 403 not allowed (recorded), 404 not there, 409
already answered, 422 input that cannot be taken (with `errors` by field).
"""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from fairwatch.policy import adjustments
from fairwatch.policy.adjustments import AlreadyAnswered, InvalidAdjustment
from fairwatch.policy.models import Adjustment

from .common import ErrorOut, InvalidOut, PersonRef, invalid, school_for

router = Router(tags=["policy"])

BASE = "/schools/{slug}/policy/adjustments"
ERRORS = {403: ErrorOut, 404: ErrorOut, 422: InvalidOut}


class AdjustmentAskIn(Schema):
    kind: str = Field(description="format (an accessible format) or time (more time)")
    detail: str = Field(
        description="what you need, in your words (up to 2000 characters); only you and the "
        "Headteacher see it"
    )
    wanted_by: dt.date | None = Field(
        None, description="for more time: the day you need until (after today, within 90 days)"
    )


class AdjustmentAnswerIn(Schema):
    agreed: bool
    answer: str = Field(description="how the format will be provided, or why not")
    deadline: dt.date | None = Field(
        None,
        description="agreeing more time: the person's new deadline (default: the day they "
        "asked for; not before today); ignored otherwise",
    )


class AdjustmentOut(Schema):
    id: int
    person: PersonRef
    version: int
    kind: str = Field(description="format or time")
    detail: str
    wanted_by: dt.date | None
    asked_at: dt.datetime
    status: str = Field(description="asked, agreed or declined")
    answer: str
    answered_at: dt.datetime | None
    deadline: dt.date | None = Field(description="agreed more time: the person's own deadline")


def _out(item: Adjustment) -> AdjustmentOut:
    return AdjustmentOut(
        id=item.pk,
        person=PersonRef(id=item.person.pk, display_name=item.person.display_name),
        version=item.version.number,
        kind=item.kind,
        detail=item.detail,
        wanted_by=item.wanted_by,
        asked_at=item.asked_at,
        status=item.status,
        answer=item.answer,
        answered_at=item.answered_at,
        deadline=item.deadline,
    )


@router.post(BASE, response={201: AdjustmentOut, **ERRORS})
def ask(request, slug: str, payload: AdjustmentAskIn):
    """Ask for a reasonable adjustment to reading the version you must read: an accessible
    format, or more time (staff and volunteers). One open request per kind. The Headteacher
    is emailed a link, nothing of what you wrote."""
    school = school_for(request, slug)
    try:
        made = adjustments.ask(
            request.user, school, payload.kind, payload.detail, payload.wanted_by
        )
    except InvalidAdjustment as e:
        return invalid(e)
    return Status(201, _out(made))


@router.get(BASE, response={200: list[AdjustmentOut], **ERRORS})
def list_adjustments(request, slug: str):
    """The Headteacher: every request at the school, waiting ones first (recorded). Anyone
    else: their own requests."""
    school = school_for(request, slug)
    if adjustments.may_answer(request.user, school):
        return [_out(item) for item in adjustments.all_for(request.user, school)]
    return [_out(item) for item in adjustments.mine(request.user, school)]


@router.post(
    f"{BASE}/{{adjustment_id}}/answer", response={200: AdjustmentOut, 409: ErrorOut, **ERRORS}
)
def answer(request, slug: str, adjustment_id: int, payload: AdjustmentAnswerIn):
    """Answer a waiting request (the Headteacher). Agreeing more time moves that person's
    deadline for the version. The person is emailed a link, nothing of the answer."""
    school = school_for(request, slug)
    try:
        item = adjustments.answer(
            request.user,
            school,
            adjustment_id,
            payload.agreed,
            payload.answer,
            payload.deadline,
        )
    except Adjustment.DoesNotExist:
        raise HttpError(
            404, f"no request for an adjustment {adjustment_id} at {school.name}"
        ) from None
    except AlreadyAnswered as e:
        raise HttpError(409, str(e)) from None
    except InvalidAdjustment as e:
        return invalid(e)
    return _out(item)
