"""A few concerns about staff at the demo school, in different states, made through the real
service (so routing, the trail and the clock are as they would be). They are backdated by
their `raised_at` only: the audit trail, and so each case's chronology, says when the demo was
loaded."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fairwatch.roles import Role
from fairwatch.schools.models import Person, School

from . import services


def _holder(school: School, role: Role) -> Person | None:
    return (
        Person.objects.filter(
            school=school,
            status=Person.Status.CURRENT,
            roles__role=role,
            roles__ended_at__isnull=True,
            user__isnull=False,
        )
        .order_by("pk")
        .first()
    )


def _working_days_ago(days: int, now: dt.datetime) -> dt.datetime:
    at = now
    while days:
        at -= dt.timedelta(days=1)
        days -= at.weekday() < 5
    return at


def load_demo_cases(school: School, now: dt.datetime | None = None) -> int:
    """Four cases: one closed (a low-level concern, on the register), one waiting for its
    LADO decision past the deadline, one about the Headteacher with the Chair, and one
    allegation with HR consulted. Returns how many were made."""
    now = now or timezone.now()
    head = _holder(school, Role.HEADTEACHER)
    others = [_holder(school, r) for r in (Role.DSL, Role.CHAIR_OF_GOVERNORS)]
    staff = [
        p
        for p in Person.objects.filter(
            school=school, status=Person.Status.CURRENT, kind=Person.Kind.STAFF, user__isnull=False
        ).order_by("pk")
        if set(p.roles.values_list("role", flat=True)) == {Role.STAFF.value}
    ]
    if head is None or None in others or len(staff) < 4:
        return 0  # a roster without the roles the demo's cases go to
    raiser, colleague, assistant, another = staff[0], staff[1], staff[2], staff[3]

    def raise_(
        by: Person, about: Person, kind: str, what: str, pupil: bool, days: int
    ) -> services.Case:
        at = _working_days_ago(days, now)
        return services.raise_concern(
            by.user,
            school,
            kind=kind,
            what=what,
            happened_on=timezone.localdate(at),
            subjects=[about.pk],
            pupil_involved=pupil,
            now=at,
        )

    closed = raise_(
        raiser,
        colleague,
        "social_media",
        "A photo from the school fair, with the school's name visible, was posted on a personal "
        "Instagram account. No pupils are in it.",
        False,
        15,
    )
    services.triage(head.user, closed, "low_level")
    services.record_hr(
        head.user,
        closed,
        adviser="EducationHR helpline",
        consulted_at=now - dt.timedelta(days=14),
        advice="A low-level concern: record it, and speak to the member of staff informally.",
    )
    services.record_outcome(
        head.user,
        closed,
        outcome="advice",
        reason="Spoken to; the post was taken down the same day.",
    )
    raise_(
        another,
        assistant,
        "email",
        "A teaching assistant emailed a Year 6 pupil's personal email address from their own "
        "account about homework.",
        True,
        2,
    )
    raise_(
        raiser,
        head,
        "internet",
        "The Headteacher's laptop was left signed in, showing a gambling site, in the staff room.",
        False,
        1,
    )
    allegation = raise_(
        assistant,
        another,
        "cyberbullying",
        "Messages in a staff WhatsApp group mocking a colleague, forwarded to me.",
        False,
        4,
    )
    services.triage(head.user, allegation, "allegation")
    services.record_hr(
        head.user,
        allegation,
        adviser="EducationHR helpline",
        consulted_at=now - dt.timedelta(days=3),
        advice="Gather the messages; invite the colleague to a meeting with a companion.",
    )
    return 4
