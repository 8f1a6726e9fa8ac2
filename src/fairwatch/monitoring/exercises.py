"""Monitoring exercises on the Django side: load, apply a rule from `fairwatch.privacy.exercises`,
save, record. Nothing here decides anything the rules do not; every step and every refusal goes
into the audit trail, and a refused look at identified data opens a breach for the DPO.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any, NoReturn

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fairwatch.audit import gate
from fairwatch.audit.models import AuditEntry
from fairwatch.privacy import exercises as rules
from fairwatch.privacy.exercises import Actor, Assessment, Invalid, NotAllowed, State, System
from fairwatch.roles import Role
from fairwatch.schools.models import Person, RoleAssignment, School
from fairwatch.schools.permissions import roles_at

from .models import Breach, Exercise, VaultEntry
from .pseudonyms import pseudonym_of, pseudonymiser
from .school_settings import settings_for

CLAUSE = "7.1"
REPEATS_WITHIN = dt.timedelta(hours=24)  # a refused attempt repeated within this joins its breach


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


def store(ex: Exercise, form: rules.Exercise) -> None:
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


# Who may ask for an exercise: those a concern is raised with (7.5, 7.6) and the HR adviser
# who handles it. Not the DPO, who reviews the assessment and so must not have written it.
REQUESTERS = frozenset({Role.HEADTEACHER, Role.CHAIR_OF_GOVERNORS, Role.DSL, Role.HR_ADVISER})


def draft(user: AbstractBaseUser, school: School, subject: Person) -> Exercise:
    try:
        actor = actor_for(user, school)
        if not actor.roles & REQUESTERS:
            raise NotAllowed(
                "an exercise is asked for by the Headteacher, the Chair of Governors, the DSL "
                "or the HR adviser"
            )
        if subject.school_id != school.pk:
            raise NotAllowed("the subject is not on this school's roster")
        if subject.pk == actor.person:
            raise NotAllowed("nobody asks for an exercise about themselves")
        if subject.kind not in (Person.Kind.STAFF, Person.Kind.VOLUNTEER):
            raise NotAllowed("exercises are about members of staff or volunteers")
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
    record(user, school, "exercise.draft", "done", ex.ref)
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
            store(ex, form)
            record(
                user, ex.school, f"exercise.{action}", "done", ex.ref, detail={"state": ex.state}
            )
    if refused is not None:  # recorded outside the step's transaction, which changed nothing
        record(
            user, ex.school, f"exercise.{action}", "refused", ex.ref, detail={"why": str(refused)}
        )
        raise refused
    return ex


TEXT_MAX = 5000  # characters in one answer


def _check_assessment(ex: Exercise, assessment: Assessment) -> Assessment:
    """What the rules cannot know: the school's limits and roster. Raises Invalid."""
    longest = settings_for(ex.school).extract_retention_days
    cleaned = {}
    for f in dataclasses.fields(Assessment):
        value = getattr(assessment, f.name)
        if isinstance(value, str):
            if "\x00" in value:
                raise Invalid(f"the answer to {f.name.replace('_', ' ')} holds a NUL character")
            if len(value) > TEXT_MAX:
                raise Invalid(
                    f"keep the answer to {f.name.replace('_', ' ')} to {TEXT_MAX} characters"
                )
            cleaned[f.name] = value.strip()
    if assessment.retention_days is not None and not 1 <= assessment.retention_days <= longest:
        raise Invalid(f"this school keeps identified extracts from 1 to {longest} days")
    if ex.subject_id in assessment.viewers:
        raise NotAllowed("the subject cannot see their own monitoring")
    staff = set(
        Person.objects.filter(
            school=ex.school,
            pk__in=assessment.viewers,
            kind__in=[Person.Kind.STAFF, Person.Kind.VOLUNTEER],
            status=Person.Status.CURRENT,
        ).values_list("pk", flat=True)
    )
    if unknown := sorted(assessment.viewers - staff):
        raise Invalid(
            "viewers must be current members of staff at this school; not: "
            + ", ".join(str(pk) for pk in unknown)
        )
    return dataclasses.replace(assessment, **cleaned)


def edit_assessment(user: AbstractBaseUser, ex: Exercise, assessment: Assessment) -> Exercise:
    def apply(e: rules.Exercise, a: Actor) -> rules.Exercise:
        rules.edit_assessment(e, a, assessment)  # who and when first, then what
        return rules.edit_assessment(e, a, _check_assessment(ex, assessment))

    return _step(user, ex, "edit", apply)


def complete_assessment(user: AbstractBaseUser, ex: Exercise) -> Exercise:
    return _step(user, ex, "complete", rules.complete_assessment)


def review(user: AbstractBaseUser, ex: Exercise) -> Exercise:
    return _step(user, ex, "review", rules.review)


def approve(user: AbstractBaseUser, ex: Exercise, start: dt.datetime, end: dt.datetime) -> Exercise:
    """Approve from `start` to `end`, within the school's longest exercise."""
    max_days = settings_for(ex.school).max_days
    return _step(
        user, ex, "approve", lambda e, a: rules.approve(e, a, start, end, max_days=max_days)
    )


def close(user: AbstractBaseUser, ex: Exercise, now: dt.datetime | None = None) -> Exercise:
    when = now or timezone.now()
    return _step(user, ex, "close", lambda e, a: rules.close(e, a, when))


def extend(user: AbstractBaseUser, ex: Exercise, now: dt.datetime | None = None) -> Exercise:
    """Ask to go on past the end: a new draft with the same assessment, which needs its own
    review and approval (7.1). The new one starts where the old one ends."""
    ex = refresh(ex, now)
    form = _rules_form(ex)
    actor = None
    try:
        actor = actor_for(user, ex.school)
        if ex.state not in (State.APPROVED, State.ACTIVE):
            raise NotAllowed(f"only an approved or active exercise is extended, not {ex.state}")
        if actor.person != ex.requester_id:
            raise NotAllowed("the person who asked for the exercise asks for its extension")
    except NotAllowed as refused:
        record(user, ex.school, "exercise.extend", "refused", ex.ref, detail={"why": str(refused)})
        raise
    window_end = form.assessment.window_end
    assessment = dataclasses.replace(
        form.assessment,
        window_end=max(window_end, (ex.end or timezone.now()).date()) if window_end else None,
    )
    new = Exercise.objects.create(
        school=ex.school,
        requester_id=ex.requester_id,
        subject_id=ex.subject_id,
        headteachers=_headteachers(ex.school),
        assessment=_assessment_to_json(assessment),
        extends=ex,
        history=[f"drafted by {actor.person} to extend exercise {ex.ref}"],
    )
    record(user, ex.school, "exercise.extend", "done", new.ref, detail={"extends": ex.ref})
    return new


def refresh(ex: Exercise, now: dt.datetime | None = None) -> Exercise:
    """Store what time has done to the exercise (active at its start, closed at its end),
    recorded as the server's own step."""
    now = now or timezone.now()
    form = rules.at(_rules_form(ex), now)
    if form.state.value == ex.state:
        return ex
    with transaction.atomic():
        ex = Exercise.objects.select_for_update().get(pk=ex.pk)
        form = rules.at(_rules_form(ex), now)
        if form.state.value != ex.state:
            was = ex.state
            store(ex, form)
            record(
                None,
                ex.school,
                "exercise.time",
                "done",
                ex.ref,
                detail={"from": was, "to": ex.state},
            )
    return ex


# --- who knows of an exercise ----------------------------------------------------------------


def visible(
    user: AbstractBaseUser, school: School, *, detail: dict[str, Any] | None = None
) -> list[Exercise]:
    """The exercises `user` has a part in at `school`, newest first, as time has moved them;
    never one about them. A list that names any is recorded."""
    try:
        actor = actor_for(user, school)
    except NotAllowed:
        return []
    now = timezone.now()
    found = Exercise.objects.filter(school=school).exclude(subject_id=actor.person)
    found = found.select_related("subject", "requester").order_by("-created_at", "-pk")
    shown = [refresh(ex, now) for ex in found if rules.may_see_exercise(_rules_form(ex), actor)]
    if shown:
        record(
            user,
            school,
            "exercise.list",
            "allowed",
            ",".join(ex.ref for ex in shown),
            purpose=gate.Purpose.MONITORING,
            detail=detail,
        )
    return shown


def get_visible(user: AbstractBaseUser, school: School, ref: str) -> Exercise:
    """One exercise the user has a part in; Exercise.DoesNotExist otherwise, so that one they
    may not know of looks the same as one that does not exist. Either refusal is recorded."""
    ex = (
        Exercise.objects.filter(school=school, ref=ref)
        .select_related("subject", "requester", "reviewed_by", "approved_by", "school")
        .first()
    )
    actor = None
    if ex is not None:
        try:
            actor = actor_for(user, school)
        except NotAllowed:
            actor = None
    if ex is None or actor is None or not rules.may_see_exercise(_rules_form(ex), actor):
        record(user, school, "exercise.view", "refused", ref[:12], purpose=gate.Purpose.MONITORING)
        raise Exercise.DoesNotExist(f"no exercise {ref}")
    return ex


def rules_form(ex: Exercise) -> rules.Exercise:
    """The exercise as the rules see it (for pages that show what is missing or next)."""
    return _rules_form(ex)


def assessment_of(ex: Exercise) -> Assessment:
    return _assessment_from_json(ex.assessment)


# --- seeing identified activity --------------------------------------------------------------


def refuse(
    user: AbstractBaseUser | None,
    school: School,
    why: str,
    now: dt.datetime,
    *,
    exercise: Exercise | None = None,
    pseudonym: str = "",
    detail: dict[str, Any] | None = None,
) -> NoReturn:
    """A refused look at identified monitoring data: recorded in the audit trail, opened as a
    breach for the DPO (5.2), then raised. Attempts by the same person at the same thing while
    that breach is open and under a day old are added to it (each is still in the trail), so
    that reloading a page cannot flood the register or the DPO's inbox."""
    what = f"{gate.actor_label(user)} tried to see identified monitoring data: {why}"
    with transaction.atomic():
        open_one = (
            Breach.objects.select_for_update()
            .filter(
                school=school,
                source=Breach.Source.REFUSED_ACCESS,
                exercise=exercise,
                what__startswith=what,
                closed_at__isnull=True,
                found_at__gt=now - REPEATS_WITHIN,
            )
            .order_by("-found_at", "-pk")
            .first()
        )
        entry = gate.record(
            user=user,
            action="monitoring.reveal",
            outcome="refused",
            school=school,
            purpose=gate.Purpose.MONITORING,
            object_type="pseudonym" if pseudonym else "exercise",
            object_id=pseudonym or (exercise.ref if exercise else ""),
            clause="5.2",
            detail={
                **(detail or {}),
                "why": why,
                **({"breach": open_one.pk} if open_one else {}),
            },
        )
        if open_one is not None:
            open_one.actions = (
                f"{open_one.actions}\nTried again at {now:%Y-%m-%d %H:%M %Z} "
                f"(audit entry #{entry.seq})."
            ).strip()
            open_one.save(update_fields=["actions"])
        else:
            breach = Breach.objects.create(
                school=school,
                source=Breach.Source.REFUSED_ACCESS,
                what=what,
                found_at=now,
                exercise=exercise,
                audit_seq=entry.seq,
            )
            from .breaches import notify_dpo  # breaches imports nothing of this module's

            notify_dpo(breach)
    raise NotAllowed(why)


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
    detail = {"exercise": ex.ref, "system": system.value, "activity_at": activity_at.isoformat()}
    if not allowed:
        refuse(user, school, why, now, exercise=ex, pseudonym=pseudonym, detail=detail)
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


def hidden_from(user: AbstractBaseUser, school: School) -> Q:
    """The audit entries that would tell `user` of an exercise about them (a DPO reading the
    trail): those naming such an exercise, its breaches, or the user's own pseudonym."""
    person = Person.objects.filter(school=school, user=user).first()
    if person is None:
        return Q(pk__in=[])
    refs = list(
        Exercise.objects.filter(school=school, subject=person).values_list("ref", flat=True)
    )
    if not refs:
        return Q(pk__in=[])
    breach_ids = [
        str(pk) for pk in Breach.objects.filter(exercise__ref__in=refs).values_list("pk", flat=True)
    ]
    hide = Q(object_type="pseudonym", object_id=pseudonym_of(school, person))
    hide |= Q(object_type="breach", object_id__in=breach_ids)
    for ref in refs:  # also lists of refs, as "exercise.list" writes them
        hide |= Q(object_type="exercise", object_id__contains=ref)
    return hide


def record(
    user: AbstractBaseUser | None,
    school: School,
    action: str,
    outcome: str,
    ref: str,
    *,
    purpose: str = "",
    clause: str = CLAUSE,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """One audit entry about an exercise, named by its ref."""
    return gate.record(
        user=user,
        action=action,
        outcome=outcome,
        school=school,
        purpose=purpose,
        object_type="exercise",
        object_id=ref,
        clause=clause,
        detail=detail,
    )
