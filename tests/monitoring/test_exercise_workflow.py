"""Monitoring exercises stored and run through the rules: the whole path with real accounts,
routing to the Chair, refusals that open breaches, and time past the end."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fairwatch.audit.models import AuditEntry
from fairwatch.monitoring import exercises
from fairwatch.monitoring.models import Breach
from fairwatch.monitoring.pseudonyms import pseudonymise
from fairwatch.privacy.exercises import Assessment, NotAllowed, State, System
from fairwatch.schools.models import Person

START = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))
END = START + dt.timedelta(days=14)
DURING = START + dt.timedelta(days=2)
ACTIVITY = timezone.make_aware(dt.datetime(2026, 2, 10, 12, 0))


def person(cast, user) -> Person:
    return Person.objects.get(school=cast.school, user=user)


def assessment(*viewers: Person) -> Assessment:
    return Assessment(
        concern="Suspected forwarding of pupil records to a personal account",
        evidence="Two messages reported by a colleague",
        purpose="Find out whether pupil data left the school",
        necessity="It cannot be established any other way",
        alternatives="Asking first would risk the evidence being deleted",
        systems=frozenset({System.EMAIL}),
        data_categories="Senders, recipients, subjects and dates of email",
        window_start=dt.date(2026, 2, 1),
        window_end=dt.date(2026, 3, 1),
        viewers=frozenset(p.pk for p in viewers),
        effect_on_employee="One month of work email seen by the investigator",
        effect_on_third_parties="Correspondents' addresses are seen, not read",
        article8_balance="One system, one month: proportionate",
        hr_consulted="EducationHR advised on 27 February",
        retention_days=90,
    )


def approved(cast, subject_user, approver_user):
    subject = person(cast, subject_user)
    investigator = person(cast, cast.dsl)
    ex = exercises.draft(cast.dsl, cast.school, subject)
    ex = exercises.edit_assessment(cast.dsl, ex, assessment(investigator))
    ex = exercises.complete_assessment(cast.dsl, ex)
    ex = exercises.review(cast.dpo, ex)
    return exercises.approve(approver_user, ex, START, END)


def test_the_whole_path_and_the_named_investigator_sees_identified_activity(cast):
    ex = approved(cast, cast.teacher, cast.head)
    assert ex.state == State.APPROVED
    teacher = person(cast, cast.teacher)
    [pseudonym] = pseudonymise(cast.school, [teacher.email])
    seen = exercises.reveal(cast.dsl, ex, pseudonym, System.EMAIL, ACTIVITY, now=DURING)
    assert seen == teacher.email.lower()
    assert AuditEntry.objects.filter(action="monitoring.reveal", outcome="allowed").count() == 1
    assert not Breach.objects.exists()


def test_someone_else_is_refused_and_the_dpo_has_a_breach_with_its_deadline(cast):
    ex = approved(cast, cast.teacher, cast.head)
    [pseudonym] = pseudonymise(cast.school, [person(cast, cast.teacher).email])
    with pytest.raises(NotAllowed, match="named on the exercise"):
        exercises.reveal(cast.it, ex, pseudonym, System.EMAIL, ACTIVITY, now=DURING)
    breach = Breach.objects.get()
    assert breach.source == Breach.Source.REFUSED_ACCESS and breach.exercise_id == ex.pk
    assert breach.report_by == DURING + dt.timedelta(hours=72)
    refused = AuditEntry.objects.get(action="monitoring.reveal", outcome="refused")
    assert breach.audit_seq == refused.seq


def test_past_the_end_the_investigator_is_refused_too(cast):
    ex = approved(cast, cast.teacher, cast.head)
    [pseudonym] = pseudonymise(cast.school, [person(cast, cast.teacher).email])
    after = END + dt.timedelta(hours=1)
    with pytest.raises(NotAllowed, match="closed"):
        exercises.reveal(cast.dsl, ex, pseudonym, System.EMAIL, ACTIVITY, now=after)
    assert Breach.objects.count() == 1


def test_an_exercise_about_the_headteacher_goes_to_the_chair(cast):
    with pytest.raises(NotAllowed, match="Chair of Governors"):
        approved(cast, cast.head, cast.head)
    ex = exercises.Exercise.objects.get()
    assert ex.state == State.REVIEWED  # the refused approval changed nothing
    assert AuditEntry.objects.filter(action="exercise.approve", outcome="refused").exists()
    assert exercises.approve(cast.chair, ex, START, END).state == State.APPROVED


def test_looking_at_someone_other_than_the_subject_is_refused(cast):
    ex = approved(cast, cast.teacher, cast.head)
    [other] = pseudonymise(cast.school, [person(cast, cast.dpo).email])
    with pytest.raises(NotAllowed, match="not the exercise's subject"):
        exercises.reveal(cast.dsl, ex, other, System.EMAIL, ACTIVITY, now=DURING)
    assert Breach.objects.count() == 1


def test_only_those_a_concern_is_raised_with_may_ask_for_an_exercise(cast):
    with pytest.raises(NotAllowed, match="asked for by"):
        exercises.draft(cast.teacher, cast.school, person(cast, cast.it))
    assert AuditEntry.objects.filter(action="exercise.draft", outcome="refused").exists()
    assert not exercises.Exercise.objects.exists()
