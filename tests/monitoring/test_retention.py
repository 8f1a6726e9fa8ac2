"""Time travel: past an exercise's end it closes by itself and access is refused (a breach);
past its retention its identified extracts are deleted and the deletion is on the trail;
old pseudonymised activity goes; key rotation keeps a person's events linked."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from fairwatch.audit.models import AuditEntry
from fairwatch.cli import app
from fairwatch.monitoring import activity, exercises, retention
from fairwatch.monitoring.models import ActivityEvent, Breach, Exercise, Extract
from fairwatch.monitoring.pseudonyms import pseudonym_of, rotate_key
from fairwatch.monitoring.school_settings import settings_for
from fairwatch.privacy.exercises import Assessment, NotAllowed, State, System
from fairwatch.schools.models import Person

NOW = timezone.now().replace(microsecond=0)
START = NOW - dt.timedelta(days=1)
END = NOW + dt.timedelta(days=6)


def person(cast, user) -> Person:
    return Person.objects.get(school=cast.school, user=user)


def active(cast, retention_days: int = 30) -> Exercise:
    teacher = person(cast, cast.teacher)
    activity.record(
        cast.school,
        [
            activity.Event(teacher.email, System.EMAIL, NOW - dt.timedelta(days=2), "sent"),
            activity.Event(teacher.email, System.INTERNET, NOW - dt.timedelta(days=2), "x.com"),
        ],
    )
    ex = exercises.draft(cast.dsl, cast.school, teacher)
    a = Assessment(
        **{
            k: "answered"
            for k in (
                "concern",
                "evidence",
                "purpose",
                "necessity",
                "alternatives",
                "data_categories",
                "effect_on_employee",
                "effect_on_third_parties",
                "article8_balance",
                "hr_consulted",
            )
        },
        systems=frozenset({System.EMAIL}),
        window_start=(NOW - dt.timedelta(days=10)).date(),
        window_end=NOW.date(),
        viewers=frozenset({person(cast, cast.dsl).pk}),
        retention_days=retention_days,
    )
    ex = exercises.edit_assessment(cast.dsl, ex, a)
    ex = exercises.complete_assessment(cast.dsl, ex)
    ex = exercises.review(cast.dpo, ex)
    return exercises.approve(cast.head, ex, START, END)


def test_the_viewer_sees_the_systems_in_scope_only_and_an_extract_is_kept(cast):
    ex = active(cast)
    seen = activity.identified(cast.dsl, ex, now=NOW)
    assert [r.system for r in seen.rows] == ["email"]  # internet is not in scope
    assert Extract.objects.get(exercise=ex).rows[0]["summary"] == "sent"


def test_past_the_end_it_closes_by_itself_and_a_look_is_refused_with_a_breach(cast):
    ex = active(cast)
    after = END + dt.timedelta(minutes=1)
    summary = retention.run(after)
    ex.refresh_from_db()
    assert ex.state == State.CLOSED and summary.exercises_closed == 1
    assert AuditEntry.objects.filter(action="exercise.time", actor=None).exists()
    with pytest.raises(NotAllowed, match="closed"):
        activity.identified(cast.dsl, ex, now=after)
    breach = Breach.objects.get()
    assert breach.report_by == after + dt.timedelta(hours=72)


def test_past_retention_the_extracts_are_deleted_and_the_deletion_recorded(cast):
    ex = active(cast, retention_days=14)
    activity.identified(cast.dsl, ex, now=NOW)
    assert Extract.objects.filter(exercise=ex).count() == 1
    retention.run(END + dt.timedelta(days=13))
    assert Extract.objects.filter(exercise=ex).count() == 1  # not yet
    summary = retention.run(END + dt.timedelta(days=14, minutes=1))
    ex.refresh_from_db()
    assert ex.state == State.PURGED and ex.purged_at is not None
    assert summary.extracts_deleted == 1 and not Extract.objects.filter(exercise=ex).exists()
    entry = AuditEntry.objects.get(action="exercise.purge")
    assert entry.object_id == ex.ref and entry.detail["extracts_deleted"] == 1
    again = retention.run(END + dt.timedelta(days=20))  # idempotent
    assert again.exercises_purged == 0


def test_old_pseudonymised_activity_is_deleted_after_the_schools_period(cast):
    teacher = person(cast, cast.teacher)
    activity.record(
        cast.school,
        [
            activity.Event(
                teacher.email, System.INTERNET, NOW - dt.timedelta(days=100), "old.example"
            ),
            activity.Event(
                teacher.email, System.INTERNET, NOW - dt.timedelta(days=5), "new.example"
            ),
        ],
    )
    from fairwatch.internet.models import SiteDay

    for ago in (100, 5):
        SiteDay.objects.create(
            school=cast.school,
            day=(NOW - dt.timedelta(days=ago)).date(),
            site=f"{ago}.example",
            kind="web",
            count=3,
            blocked=0,
        )
    settings = settings_for(cast.school)
    settings.activity_retention_days = 60
    settings.save()
    summary = retention.run(NOW)
    assert summary.activity_deleted == 1 and summary.site_days_deleted == 1
    assert list(ActivityEvent.objects.values_list("summary", flat=True)) == ["new.example"]
    assert list(SiteDay.objects.values_list("site", flat=True)) == ["5.example"]
    entry = AuditEntry.objects.get(action="activity.expire")
    assert entry.detail["deleted"] == 1 and entry.detail["site_days_deleted"] == 1


def test_the_command_runs_retention_and_reports_as_json(cast):
    result = CliRunner().invoke(app, ["retention", "run", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["schools"] == ["elm", "oak"] and data["exercises_purged"] == 0
    result = CliRunner().invoke(app, ["retention", "run", "--school", "nowhere"])
    assert result.exit_code != 0 and "no school 'nowhere'" in result.output


def test_key_rotation_keeps_a_persons_events_linked_and_the_exercise_still_finds_them(cast):
    ex = active(cast)
    teacher = person(cast, cast.teacher)
    before = pseudonym_of(cast.school, teacher)
    assert ActivityEvent.objects.filter(pseudonym=before).count() == 2
    rotate_key(cast.school)
    after = pseudonym_of(cast.school, teacher)
    assert after != before
    assert ActivityEvent.objects.filter(pseudonym=after).count() == 2
    assert not ActivityEvent.objects.filter(pseudonym=before).exists()
    seen = activity.identified(cast.dsl, ex, now=NOW)
    assert seen.identifier == teacher.email.lower() and len(seen.rows) == 1


def test_retention_expires_released_downloads(cast):
    from fairwatch.monitoring import access

    req = access.request(cast.teacher, cast.school)
    access.release(cast.dpo, req, now=NOW)
    req.refresh_from_db()
    assert req.archive
    assert retention.run(req.available_until - dt.timedelta(minutes=1)).downloads_expired == 0
    assert retention.run(req.available_until + dt.timedelta(minutes=1)).downloads_expired == 1
    req.refresh_from_db()
    assert req.state == "expired" and not req.archive
