"""Reasonable adjustments to reading the policy (clause 2): an accessible format, or more time.

A member of staff or volunteer asks about the version they must read; the Headteacher
answers. What was asked may reveal a disability or a private circumstance, so only the
person and the Headteacher see it: every other role is refused by the gate (and recorded),
the audit entries carry no detail of what was asked, and the emails carry a link only.

This module is the only code that reads or writes `Adjustment`. Agreeing more time gives
that one person their own deadline for the version (`agreed_deadline`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fairwatch.audit import gate
from fairwatch.errors import FieldErrors, WrongState, unstorable_fields
from fairwatch.monitoring.notify import link_mail, role_addresses
from fairwatch.roles import Role
from fairwatch.schools.models import Person, School
from fairwatch.schools.permissions import Action, may

from . import store
from .models import Adjustment, PolicyVersion
from .store import User

OBJECT_TYPE = "policy_adjustment"
DETAIL_MAX = 2000
ANSWER_MAX = 2000
MORE_TIME_MAX_DAYS = 90  # the furthest day someone may ask for, from today
DEADLINE_MAX_DAYS = 365  # the furthest deadline the Headteacher may agree, from today
ID_MAX = 2**63 - 1  # the database's biggest id; a bigger one names nothing

Kind = Adjustment.Kind
Status = Adjustment.Status


class InvalidAdjustment(FieldErrors):
    """A request or an answer that cannot be taken (one message per field)."""


class AlreadyAnswered(WrongState):
    """Answering a request that has already been answered."""


def _clean(text: object) -> str:
    """Text as given, trimmed (what cannot be stored is refused by `unstorable_fields`, not
    silently changed)."""
    return text.strip() if isinstance(text, str) else ""


def _is_day(value: object) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _record(
    user: User, school: School, step: str, object_id: str, detail: dict, role: str = ""
) -> None:
    # Only what was done, never what was asked: the trail is read by others (the DPO).
    gate.record(
        user=user,
        action=step,
        outcome="done",
        school=school,
        role=role,
        object_type=OBJECT_TYPE,
        object_id=object_id,
        purpose=gate.Purpose.SCHOOL_ADMIN,
        clause="2",
        detail=detail,
    )


def _link(url_name: str) -> str:
    return settings.SITE_URL + reverse(url_name)


# --- asking -----------------------------------------------------------------------------


def asker(user: User, school: School) -> Person:
    """The signed-in member of staff or volunteer, who may ask; anyone else is refused
    (recorded, `gate.Refused`)."""
    person = store.me(user, school)
    if person is None:
        gate.refuse(
            user,
            school,
            "policy.adjustment.ask",
            object_type=OBJECT_TYPE,
            purpose=gate.Purpose.SCHOOL_ADMIN,
            clause="2",
            why=f"Only staff and volunteers at {school.name} ask for adjustments to reading "
            "its policy.",
        )
    return person


def ask(
    user: User, school: School, kind: str, detail: str, wanted_by: dt.date | None = None
) -> Adjustment:
    """Ask for an adjustment to reading the version one must read (`store.to_read`).

    Raises gate.Refused (recorded) for someone not on the school's staff list, and
    InvalidAdjustment naming each field that cannot be taken: the kind, what is needed, the
    day more time is wanted until, or an open request of the same kind already waiting.
    The Headteacher is emailed a link, nothing of what was asked.
    """
    person = asker(user, school)
    row = store.to_read(school)
    if row is None:
        raise InvalidAdjustment(
            {"version": "There is no version of the policy for you to read at the moment."}
        )
    detail = _clean(detail)
    errors = ask_problems(kind, detail, wanted_by)
    if errors:
        raise InvalidAdjustment(errors)
    with transaction.atomic():
        # One open request per kind: asking twice at once must not make two.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        errors = _already(person, row, kind)
        if errors:
            raise InvalidAdjustment(errors)
        made = Adjustment.objects.create(
            school=school,
            person=person,
            version=row,
            kind=kind,
            detail=detail,
            wanted_by=wanted_by if kind == Kind.TIME else None,
        )
        _record(user, school, "policy.adjustment.ask", str(made.pk), {"version": row.number})
    link_mail(
        role_addresses(school, Role.HEADTEACHER),
        "a request for a reasonable adjustment",
        [
            "A member of staff has asked for a reasonable adjustment to reading the staff "
            "policy (policy clause 2).",
            "Please read it and answer it in Fairwatch.",
        ],
        _link("policy_adjustments"),
    )
    return made


def ask_problems(kind: object, detail: str, wanted_by: object) -> dict[str, str]:
    """What is wrong with a request's fields, by field (none: it can be taken, unless one of
    the same kind is already waiting). Pages use it to name every problem at once."""
    errors: dict[str, str] = {}
    if kind not in Kind.values:
        errors["kind"] = "Choose what you need: an accessible format, or more time."
    if not detail:
        errors["detail"] = (
            "Say what you need, for example large print, a screen-reader friendly copy, or "
            "that you are on leave until a date."
        )
    elif len(detail) > DETAIL_MAX:
        errors["detail"] = f"Keep this to {DETAIL_MAX} characters or fewer."
    errors.update(unstorable_fields(detail=detail))
    if kind == Kind.TIME:
        today = timezone.localdate()
        latest = today + dt.timedelta(days=MORE_TIME_MAX_DAYS)
        if wanted_by is None or not _is_day(wanted_by):
            errors["wanted_by"] = "Give the date you need more time until."
        elif wanted_by <= today:
            errors["wanted_by"] = "Give a date after today."
        elif wanted_by > latest:
            errors["wanted_by"] = (
                f"Give a date within {MORE_TIME_MAX_DAYS} days, by "
                f"{store.plain_day(latest)} at the latest. If you need longer, say so in what you "
                "need."
            )
    return errors


def _already(person: Person, row: PolicyVersion, kind: str) -> dict[str, str]:
    if kind == Kind.TIME and store.covering(person, row.school, row) is not None:
        return {
            "kind": f"You have already acknowledged version {row.number}, so there is no "
            "deadline to move."
        }
    waiting = Adjustment.objects.filter(
        person=person, version=row, kind=kind, status=Status.ASKED
    ).exists()
    if waiting:
        words = Kind(kind).label.lower()
        return {
            "kind": f"You have already asked for {words} for version {row.number}. Wait for "
            "the answer, or see your requests."
        }
    return {}


# --- one's own ----------------------------------------------------------------------------


def _related(qs):
    return qs.select_related("person", "version", "answered_by")


def mine(user: User, school: School) -> list[Adjustment]:
    """The signed-in person's own requests at the school, newest first (none for someone
    not on the staff list). Everyone may see their own: no gate."""
    person = store.me(user, school)
    if person is None:
        return []
    return list(_related(Adjustment.objects.filter(school=school, person=person)))


def my_count(user: User, school: School) -> int:
    """How many requests the signed-in person has made at the school."""
    person = store.me(user, school)
    return 0 if person is None else Adjustment.objects.filter(person=person).count()


def my_one(user: User, school: School, adjustment_id: int) -> Adjustment:
    """One of the signed-in person's own requests; Adjustment.DoesNotExist for any other."""
    person = store.me(user, school)
    if person is None or not 0 < adjustment_id <= ID_MAX:
        raise Adjustment.DoesNotExist
    return _related(Adjustment.objects.filter(school=school, person=person)).get(pk=adjustment_id)


# --- for the Headteacher ----------------------------------------------------------------


def _check(user: User, school: School, object_id: str) -> str:
    return gate.check(
        user,
        school,
        Action.ANSWER_ADJUSTMENTS,
        purpose=gate.Purpose.SCHOOL_ADMIN,
        object_type=OBJECT_TYPE,
        object_id=object_id,
    )


def waiting(user: User, school: School) -> list[Adjustment]:
    """Requests waiting for an answer, oldest first (the Headteacher; gated and recorded)."""
    _check(user, school, "waiting")
    qs = Adjustment.objects.filter(school=school, status=Status.ASKED).order_by("asked_at", "pk")
    return list(_related(qs))


def all_for(user: User, school: School) -> list[Adjustment]:
    """Every request at the school: those waiting first (oldest first), then the answered
    ones, most recently answered first (the Headteacher; gated and recorded)."""
    _check(user, school, "all")
    rows = list(_related(Adjustment.objects.filter(school=school)))
    open_ = sorted((r for r in rows if r.status == Status.ASKED), key=lambda r: (r.asked_at, r.pk))
    done = sorted(
        (r for r in rows if r.status != Status.ASKED),
        key=lambda r: (r.answered_at or r.asked_at, r.pk),
        reverse=True,
    )
    return open_ + done


def waiting_count(user: User, school: School) -> int:
    """How many requests wait for the viewer to answer (a number for the home page; nobody
    named). 0 for anyone who may not answer them: asked of the permissions without writing
    a refusal, since every member of staff opens the home page."""
    if not may(user, Action.ANSWER_ADJUSTMENTS, school):
        return 0
    return Adjustment.objects.filter(school=school, status=Status.ASKED).count()


def may_answer(user: User, school: School) -> bool:
    """Whether the viewer answers requests (to choose what a page shows; reads stay gated)."""
    return may(user, Action.ANSWER_ADJUSTMENTS, school)


def answer(
    user: User,
    school: School,
    adjustment_id: int,
    agreed: bool,
    answer_text: str,
    deadline: dt.date | None = None,
) -> Adjustment:
    """The Headteacher's answer to a waiting request (gated and recorded).

    Agreeing more time gives the person their own deadline for that version: ``deadline``,
    by default the day they asked for; it cannot be before today. A deadline given with any
    other answer is not kept. Raises Adjustment.DoesNotExist for no such request at the
    school, AlreadyAnswered for one answered before, InvalidAdjustment naming each field.
    The person is emailed a link, nothing of the answer.
    """
    # An id past the database's range names nothing, and is too long for the audit trail.
    in_range = isinstance(adjustment_id, int) and 0 < adjustment_id <= ID_MAX
    role = _check(user, school, str(adjustment_id) if in_range else "out of range")
    if not in_range:
        raise Adjustment.DoesNotExist
    answer_text = _clean(answer_text)
    with transaction.atomic():
        row = (
            Adjustment.objects.select_for_update(of=("self",))
            .select_related("person", "version")
            .get(school=school, pk=adjustment_id)
        )
        if row.status != Status.ASKED:
            when = store.plain_day(timezone.localdate(row.answered_at)) if row.answered_at else ""
            raise AlreadyAnswered(
                f"This request was already answered{' on ' + when if when else ''}: "
                f"{row.get_status_display().lower()}."
            )
        more_time = agreed is True and row.kind == Kind.TIME
        if more_time and deadline is None:
            deadline = row.wanted_by
        errors = _answer_problems(agreed, answer_text, more_time, deadline)
        if errors:
            raise InvalidAdjustment(errors)
        row.status = Status.AGREED if agreed else Status.DECLINED
        row.answer = answer_text
        row.answered_by = user
        row.answered_at = timezone.now()
        row.deadline = deadline if more_time else None
        row.save(update_fields=["status", "answer", "answered_by", "answered_at", "deadline"])
        detail = {
            "version": row.version.number,
            "agreed": bool(agreed),
            "deadline": row.deadline.isoformat() if row.deadline else None,
        }
        _record(user, school, "policy.adjustment.answer", str(row.pk), detail, role)
    link_mail(
        [row.person.email],
        "your request for a reasonable adjustment has been answered",
        [
            "The Headteacher has answered your request for a reasonable adjustment to "
            "reading the staff policy (policy clause 2).",
        ],
        _link("policy_adjustments_mine"),
    )
    return row


def _answer_problems(
    agreed: object, answer_text: str, more_time: bool, deadline: object
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not isinstance(agreed, bool):
        errors["agreed"] = "Choose whether you agree to the request."
    if not answer_text:
        errors["answer"] = (
            "Write your answer: how and when the format will be provided, or the new "
            "deadline; or why it cannot be agreed."
        )
    elif len(answer_text) > ANSWER_MAX:
        errors["answer"] = f"Keep the answer to {ANSWER_MAX} characters or fewer."
    errors.update(unstorable_fields(answer=answer_text))
    if more_time:
        today = timezone.localdate()
        latest = today + dt.timedelta(days=DEADLINE_MAX_DAYS)
        if deadline is None or not _is_day(deadline):
            errors["deadline"] = "Give the new deadline for reading the policy."
        elif deadline < today:
            errors["deadline"] = "The new deadline cannot be before today."
        elif deadline > latest:
            errors["deadline"] = f"Give a deadline within a year, by {store.plain_day(latest)}."
    return errors


# --- deadlines ----------------------------------------------------------------------------


def deadline_of(person: Person, row: PolicyVersion) -> dt.date | None:
    """The day the person must have read the version by, as the school's schedule and any
    agreed more time make it (`fairwatch.policy.reminders.deadline_for`)."""
    from .reminders import deadline_for  # (reminders reads adjustments' rows)

    return deadline_for(person, row)
