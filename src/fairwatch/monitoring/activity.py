"""Activity data: written as pseudonyms, read as pseudonyms and totals, and by name only
inside an approved exercise (7.1–7.3) or under the recorded basis of systematic monitoring
(7.2.1). Every read goes through the gate and is on the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max, Min, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from fairwatch.audit import gate
from fairwatch.privacy import exercises as rules
from fairwatch.privacy.exercises import NotAllowed, System
from fairwatch.roles import Role
from fairwatch.schools.models import Person, RoleAssignment, School
from fairwatch.schools.permissions import Action, roles_at

from . import exercises
from .models import ActivityEvent, Exercise, Extract, SystematicBasis, VaultEntry
from .pseudonyms import identifier_of, pseudonym_of, pseudonymise, pseudonymiser


@dataclass(frozen=True)
class Event:
    """One piece of activity as an importer hands it over, before pseudonymisation."""

    identifier: str  # the person's email or MIS id, as the log names them
    system: System
    occurred_at: dt.datetime
    summary: str
    category: str = ""
    count: int = 1
    source: str = ""


def record(school: School, events: Iterable[Event]) -> int:
    """Store activity with each person replaced by their pseudonym; the identifier itself is
    kept only sealed in the vault. Returns how many events were stored."""
    events = list(events)
    if not events:
        return 0
    names = pseudonymise(school, [e.identifier for e in events])
    ActivityEvent.objects.bulk_create(
        [
            ActivityEvent(
                school=school,
                pseudonym=name,
                system=e.system.value,
                occurred_at=e.occurred_at,
                category=e.category[:64],
                summary=e.summary[:300],
                count=e.count,
                source=e.source[:64],
            )
            for name, e in zip(names, events, strict=True)
        ],
        batch_size=1000,
    )
    return len(events)


# --- pseudonyms and totals ---------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    since: dt.datetime
    until: dt.datetime
    events: int
    by_system: list[dict[str, Any]]
    by_category: list[dict[str, Any]]
    by_pseudonym: list[dict[str, Any]]


def overview(
    user: AbstractBaseUser, school: School, *, days: int = 30, now: dt.datetime | None = None
) -> Overview:
    """Totals of the last `days` days, by system, by category and by pseudonym."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    gate.check(
        user,
        school,
        Action.VIEW_ACTIVITY,
        purpose=gate.Purpose.MONITORING,
        object_type="activity",
        detail={"view": "overview", "days": days},
    )
    qs = ActivityEvent.objects.filter(school=school, occurred_at__gte=since, occurred_at__lte=now)
    by_system = list(qs.values("system").annotate(n=Sum("count")).order_by("-n", "system"))
    by_category = list(
        qs.values("system", "category").annotate(n=Sum("count")).order_by("-n", "category")[:20]
    )
    by_pseudonym = list(
        qs.values("pseudonym")
        .annotate(n=Sum("count"), first=Min("occurred_at"), last=Max("occurred_at"))
        .order_by("-n", "pseudonym")[:25]
    )
    total = qs.aggregate(n=Sum("count"))["n"] or 0
    return Overview(since, now, total, by_system, by_category, by_pseudonym)


@dataclass(frozen=True)
class PseudonymTotals:
    pseudonym: str
    since: dt.datetime
    until: dt.datetime
    by_category: list[dict[str, Any]]  # system, category, n
    by_day: list[dict[str, Any]]  # day, n


def of_pseudonym(
    user: AbstractBaseUser,
    school: School,
    pseudonym: str,
    *,
    days: int = 30,
    now: dt.datetime | None = None,
) -> PseudonymTotals:
    """One pseudonym's totals by category and by day: still no name, and no single event, so
    that someone who learnt who is behind it in an exercise cannot read on past its scope."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    gate.check(
        user,
        school,
        Action.VIEW_ACTIVITY,
        purpose=gate.Purpose.MONITORING,
        object_type="pseudonym",
        object_id=pseudonym,
        detail={"days": days},
    )
    qs = ActivityEvent.objects.filter(
        school=school, pseudonym=pseudonym, occurred_at__gte=since, occurred_at__lte=now
    )
    by_category = list(
        qs.values("system", "category").annotate(n=Sum("count")).order_by("-n", "category")
    )
    by_day = [
        {"day": row["day"], "n": row["n"]}
        for row in qs.annotate(day=TruncDate("occurred_at"))
        .values("day")
        .annotate(n=Sum("count"))
        .order_by("day")
    ]
    return PseudonymTotals(pseudonym, since, now, by_category, by_day)


# --- by name, inside an exercise ----------------------------------------------------------------


@dataclass(frozen=True)
class Identified:
    exercise: Exercise
    identifier: str
    pseudonym: str
    rows: list[ActivityEvent]
    extract: Extract


def _row(e: ActivityEvent) -> dict[str, Any]:
    return {
        "occurred_at": e.occurred_at.isoformat(),
        "system": e.system,
        "category": e.category,
        "summary": e.summary,
        "count": e.count,
    }


def identified(user: AbstractBaseUser, ex: Exercise, now: dt.datetime | None = None) -> Identified:
    """The subject's activity by name, for a viewer of the active exercise: only the systems
    in scope and the dates in the window. The look is recorded, and what was seen is kept as
    the viewer's extract until the exercise's retention runs out. Anyone else is refused, and
    the refusal opens a breach (5.2)."""
    now = now or timezone.now()
    ex = exercises.refresh(ex, now)
    school = ex.school
    form = exercises.rules_form(ex)
    a = form.assessment
    try:
        actor = exercises.actor_for(user, school)
    except NotAllowed as e:
        exercises.refuse(user, school, str(e), now, exercise=ex)
    systems = sorted(a.systems) or [System.EMAIL]
    probe = dt.datetime.combine(a.window_start or now.date(), dt.time(12))
    probe = timezone.make_aware(probe) if timezone.is_naive(probe) else probe
    for system in systems:
        decision = rules.may_see_identified(form, actor, system, probe, now)
        if not decision:
            exercises.refuse(
                user, school, decision.reason, now, exercise=ex, detail={"exercise": ex.ref}
            )
    assert a.window_start is not None and a.window_end is not None  # an active one has them
    pseudonym = pseudonym_of(school, ex.subject)
    vaulted = VaultEntry.objects.filter(school=school, pseudonym=pseudonym).first()
    identifier = (
        pseudonymiser(school).unseal(vaulted.seal, pseudonym)
        if vaulted
        else identifier_of(ex.subject)
    )
    rows = list(
        ActivityEvent.objects.filter(
            school=school,
            pseudonym=pseudonym,
            system__in=[s.value for s in systems],
            occurred_at__date__gte=a.window_start,
            occurred_at__date__lte=a.window_end,
        ).order_by("occurred_at", "pk")
    )
    with transaction.atomic():
        extract, _ = Extract.objects.update_or_create(
            exercise=ex,
            made_by_id=actor.person,
            defaults={"identifier": identifier, "rows": [_row(r) for r in rows]},
        )
        exercises.record(
            user,
            school,
            "monitoring.reveal",
            "allowed",
            ex.ref,
            purpose=gate.Purpose.MONITORING,
            detail={"rows": len(rows), "systems": [s.value for s in systems]},
        )
    return Identified(ex, identifier, pseudonym, rows, extract)


# --- by name, under systematic monitoring (7.2.1) -----------------------------------------------


def basis_in_force(school: School) -> SystematicBasis | None:
    return (
        SystematicBasis.objects.filter(school=school, ended_at__isnull=True)
        .order_by("-recorded_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class Monitored:
    person: Person
    pseudonym: str
    rows: list[ActivityEvent]


def systematic(
    user: AbstractBaseUser,
    school: School,
    *,
    days: int = 30,
    now: dt.datetime | None = None,
) -> list[Monitored]:
    """The activity of the school's e-safety monitors, by name, for the Headteacher and the
    DSL while a basis for systematic monitoring is recorded. Each look is on the trail; a
    refused one opens a breach like any other."""
    now = now or timezone.now()
    basis = basis_in_force(school)
    try:
        actor = exercises.actor_for(user, school)
    except NotAllowed as e:
        exercises.refuse(user, school, str(e), now, detail={"view": "systematic"})
    anyone = rules.may_see_systematic(
        actor, 0, frozenset({Role.ESAFETY_MONITOR}), basis is not None
    )
    if not anyone:
        exercises.refuse(user, school, anyone.reason, now, detail={"view": "systematic"})
    monitors = list(
        Person.objects.filter(
            school=school,
            status=Person.Status.CURRENT,
            pk__in=RoleAssignment.objects.filter(
                person__school=school, role=Role.ESAFETY_MONITOR, ended_at__isnull=True
            ).values("person_id"),
        ).order_by("surname", "forename", "pk")
    )
    out = []
    for person in monitors:
        if person.pk == actor.person:
            continue  # a DSL who is also a monitor does not see their own
        pseudonym = pseudonym_of(school, person)
        rows = list(
            ActivityEvent.objects.filter(
                school=school, pseudonym=pseudonym, occurred_at__gte=now - dt.timedelta(days=days)
            ).order_by("-occurred_at", "-pk")[:500]
        )
        out.append(Monitored(person, pseudonym, rows))
    gate.record(
        user=user,
        action="monitoring.systematic",
        outcome="allowed",
        school=school,
        purpose=gate.Purpose.SAFEGUARDING,
        object_type="people",
        object_id=",".join(str(m.person.pk) for m in out),
        clause="7.2.1",
        detail={"basis": basis.pk if basis else None, "days": days},
    )
    return out


def may_open_systematic(user: AbstractBaseUser, school: School) -> bool:
    """Whether to offer the systematic monitoring page (the page itself decides again)."""
    return bool(roles_at(user, school) & rules.SYSTEMATIC_VIEWERS) and (
        basis_in_force(school) is not None
    )
