"""The stored side of the access matrix: for an exercise in each state, every member of the
cast asks to see the subject's activity by name, through the service every page and API call
uses. Only the named viewer of an active exercise is let in; every other attempt is refused,
recorded and opened as a breach."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fairwatch.audit.models import AuditEntry
from fairwatch.monitoring import activity, exercises, retention
from fairwatch.monitoring.models import Breach, Exercise
from fairwatch.privacy.exercises import Assessment, NotAllowed, State, System
from fairwatch.schools.models import Person

NOW = timezone.now().replace(microsecond=0)
WHO = ["head", "dsl", "dpo", "it", "teacher", "monitor", "hr", "chair", "org_admin", "outsider"]
VIEWER = "hr"  # the named investigator; the DSL asked for it


def build(cast, state: State) -> tuple[Exercise, dt.datetime]:
    """An exercise about the teacher taken to `state`, and a moment at which it is in it."""

    def p(user):
        return Person.objects.get(school=cast.school, user=user)

    ex = exercises.draft(cast.dsl, cast.school, p(cast.teacher))
    a = Assessment(
        concern="c",
        evidence="e",
        purpose="p",
        necessity="n",
        alternatives="a",
        systems=frozenset({System.EMAIL}),
        data_categories="d",
        window_start=(NOW - dt.timedelta(days=9)).date(),
        window_end=NOW.date(),
        viewers=frozenset({p(cast.hr).pk}),
        effect_on_employee="x",
        effect_on_third_parties="y",
        article8_balance="z",
        hr_consulted="h",
        retention_days=10,
    )
    ex = exercises.edit_assessment(cast.dsl, ex, a)
    if state is State.DRAFT:
        return ex, NOW
    ex = exercises.complete_assessment(cast.dsl, ex)
    if state is State.ASSESSED:
        return ex, NOW
    ex = exercises.review(cast.dpo, ex)
    if state is State.REVIEWED:
        return ex, NOW
    start, end = NOW - dt.timedelta(hours=1), NOW + dt.timedelta(days=5)
    ex = exercises.approve(cast.head, ex, start, end)
    moments = {
        State.APPROVED: start - dt.timedelta(minutes=30),
        State.ACTIVE: NOW,
        State.CLOSED: end + dt.timedelta(minutes=1),
        State.PURGED: end + dt.timedelta(days=11),
    }
    retention.run(moments[state])
    return Exercise.objects.get(pk=ex.pk), moments[state]


@pytest.mark.parametrize("state", list(State), ids=[s.value for s in State])
def test_only_the_named_viewer_of_an_active_exercise_sees_the_subject(cast, state):
    ex, at = build(cast, state)
    assert exercises.refresh(ex, at).state == state
    let_in = []
    for who in WHO:
        before = Breach.objects.count()
        try:
            activity.identified(getattr(cast, who), Exercise.objects.get(pk=ex.pk), now=at)
        except NotAllowed:
            assert Breach.objects.count() == before + 1, who
        else:
            let_in.append(who)
    assert let_in == ([VIEWER] if state is State.ACTIVE else [])
    refused = AuditEntry.objects.filter(action="monitoring.reveal", outcome="refused").count()
    assert refused == len(WHO) - len(let_in) == Breach.objects.count()
