"""Monitoring exercises on the Django side: load, apply a rule from `fairwatch.privacy.exercises`,
save, record. Nothing here decides anything the rules do not; every step and every refusal goes
into the audit trail, and a refused look at identified data opens a breach for the DPO.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from fairwatch.audit import gate
from fairwatch.privacy import exercises as rules
from fairwatch.privacy.exercises import Actor, Assessment, NotAllowed, State, System
from fairwatch.roles import Role
from fairwatch.schools.models import Person, RoleAssignment, School
from fairwatch.schools.permissions import roles_at

from .models import Breach, Exercise, VaultEntry
from .pseudonyms import pseudonym_of, pseudonymiser

CLAUSE = "7.1"


# --- between the stored form and the rules -------------------------------------------------


def _assessment_to_json(a: Assessment) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(a):
        value = getattr(a, f.name)
        if isinstance(value, frozenset):
            value = sorted(value)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        out[f.name] = value
    return out


def _assessment_from_json(data: dict[str, Any]) -> Assessment:
    values: dict[str, Any] = dict(data)
    values["systems"] = frozenset(System(s) for s in data.get("systems", ()))
    values["viewers"] = frozenset(int(v) for v in data.get("viewers", ()))
    for name in ("window_start", "window_end"):
        if data.get(name):
            values[name] = dt.date.fromisoformat(data[name])
    known = {f.name for f in dataclasses.fields(Assessment)}
    return Assessment(**{k: v for k, v in values.items() if k in known})


def _rules_form(ex: Exercise) -> rules.Exercise:
    return rules.Exercise(
        id=ex.pk,
        requester=ex.requester_id,
        subject=ex.subject_id,
        headteachers=frozenset(ex.headteachers),
        assessment=_assessment_from_json(ex.assessment),
        state=State(ex.state),
        reviewed_by=ex.reviewed_by_id,
        approved_by=ex.approved_by_id,
        start=ex.start,
        end=ex.end,
        closed_at=ex.closed_at,
        purged_at=ex.purged_at,
        history=tuple(ex.history),
    )


def _store(ex: Exercise, form: rules.Exercise) -> None:
    ex.state = form.state.value
    ex.assessment = _assessment_to_json(form.assessment)
    ex.reviewed_by_id = form.reviewed_by
    ex.approved_by_id = form.approved_by
    ex.start, ex.end = form.start, form.end
    ex.closed_at, ex.purged_at = form.closed_at, form.purged_at
    ex.history = list(form.history)
    ex.save()


def actor_for(user: AbstractBaseUser, school: School) -> Actor:
    """The user as the rules see them: their person at the school and their roles there."""
    person = Person.objects.filter(school=school, user=user).first()
    if person is None:
        raise NotAllowed("you are not on this school's roster")
    return Actor(person.pk, roles_at(user, school))


def _headteachers(school: School) -> list[int]:
    return list(
        RoleAssignment.objects.filter(
            person__school=school, role=Role.HEADTEACHER, ended_at__isnull=True
        ).values_list("person_id", flat=True)
    )


# --- the steps -----------------------------------------------------------------------------


# Who may ask for an exercise: those a concern is raised with (7.5, 7.6) and those who handle
# it (the DPO, the HR adviser).
REQUESTERS = frozenset(
    {Role.HEADTEACHER, Role.CHAIR_OF_GOVERNORS, Role.DSL, Role.DPO, Role.HR_ADVISER}
)


def draft(user: AbstractBaseUser, school: School, subject: Person) -> Exercise:
    try:
        actor = actor_for(user, school)
        if not actor.roles & REQUESTERS:
            raise NotAllowed(
                "an exercise is asked for by the Headteacher, the Chair of Governors, the DSL, "
                "the DPO or the HR adviser"
            )
        if subject.school_id != school.pk:
            raise NotAllowed("the subject is not on this school's roster")
    except NotAllowed as refused:
        gate.record(
            user=user,
            action="exercise.draft",
            outcome="refused",
            school=school,
            object_type="person",
            object_id=str(subject.pk),
            clause=CLAUSE,
            detail={"why": str(refused)},
        )
        raise
    ex = Exercise.objects.create(
        school=school,
        requester_id=actor.person,
        subject=subject,
        headteachers=_headteachers(school),
        history=[f"drafted by {actor.person}"],
    )
    gate.record(
        user=user,
        action="exercise.draft",
        outcome="done",
        school=school,
        object_type="exercise",
        object_id=str(ex.pk),
        clause=CLAUSE,
    )
    return ex


def _step(
    user: AbstractBaseUser,
    ex: Exercise,
    action: str,
    apply: Callable[[rules.Exercise, Actor], rules.Exercise],
) -> Exercise:
    refused: NotAllowed | None = None
    with transaction.atomic():
        ex = Exercise.objects.select_for_update().get(pk=ex.pk)
        try:
            form = apply(_rules_form(ex), actor_for(user, ex.school))
        except NotAllowed as e:
            refused = e
        else:
            _store(ex, form)
            gate.record(
                user=user,
                action=f"exercise.{action}",
                outcome="done",
                school=ex.school,
                object_type="exercise",
                object_id=str(ex.pk),
                clause=CLAUSE,
                detail={"state": ex.state},
            )
    if refused is not None:  # recorded outside the step's transaction, which changed nothing
        gate.record(
            user=user,
            action=f"exercise.{action}",
            outcome="refused",
            school=ex.school,
            object_type="exercise",
            object_id=str(ex.pk),
            clause=CLAUSE,
            detail={"why": str(refused)},
        )
        raise refused
    return ex


def edit_assessment(user: AbstractBaseUser, ex: Exercise, assessment: Assessment) -> Exercise:
    return _step(user, ex, "edit", lambda e, a: rules.edit_assessment(e, a, assessment))


def complete_assessment(user: AbstractBaseUser, ex: Exercise) -> Exercise:
    return _step(user, ex, "complete", rules.complete_assessment)


def review(user: AbstractBaseUser, ex: Exercise) -> Exercise:
    return _step(user, ex, "review", rules.review)


def approve(
    user: AbstractBaseUser,
    ex: Exercise,
    start: dt.datetime,
    end: dt.datetime,
    *,
    max_days: int = rules.DEFAULT_DAYS,
) -> Exercise:
    return _step(
        user, ex, "approve", lambda e, a: rules.approve(e, a, start, end, max_days=max_days)
    )


def close(user: AbstractBaseUser, ex: Exercise, now: dt.datetime | None = None) -> Exercise:
    when = now or timezone.now()
    return _step(user, ex, "close", lambda e, a: rules.close(e, a, when))


# --- seeing identified activity --------------------------------------------------------------


def reveal(
    user: AbstractBaseUser,
    ex: Exercise,
    pseudonym: str,
    system: System,
    activity_at: dt.datetime,
    now: dt.datetime | None = None,
) -> str:
    """The identifier behind `pseudonym`, for a viewer of an active exercise looking at the
    subject's activity in scope. Anything else is refused: recorded in the audit trail and
    opened as a breach for the DPO."""
    now = now or timezone.now()
    school = ex.school
    try:
        actor = actor_for(user, school)
        decision = rules.may_see_identified(_rules_form(ex), actor, system, activity_at, now)
        why = decision.reason
        allowed = decision.allowed
        if allowed and pseudonym_of(school, ex.subject) != pseudonym:
            allowed, why = False, "the pseudonym is not the exercise's subject"
    except NotAllowed as refused:
        allowed, why = False, str(refused)
    detail = {"exercise": ex.pk, "system": system.value, "activity_at": activity_at.isoformat()}
    if not allowed:
        with transaction.atomic():
            entry = gate.record(
                user=user,
                action="monitoring.reveal",
                outcome="refused",
                school=school,
                object_type="pseudonym",
                object_id=pseudonym,
                clause="5.2",
                detail={**detail, "why": why},
            )
            Breach.objects.create(
                school=school,
                source=Breach.Source.REFUSED_ACCESS,
                what=f"{gate.actor_label(user)} tried to see identified monitoring data: {why}",
                found_at=now,
                exercise=ex,
                audit_seq=entry.seq,
            )
        raise NotAllowed(why)
    seal = VaultEntry.objects.get(school=school, pseudonym=pseudonym).seal
    gate.record(
        user=user,
        action="monitoring.reveal",
        outcome="allowed",
        school=school,
        object_type="pseudonym",
        object_id=pseudonym,
        clause=CLAUSE,
        detail=detail,
    )
    return pseudonymiser(school).unseal(seal, pseudonym)
