"""Monitoring exercises through the web pages and the API: each step, what the assessment
still lacks, who sees the exercise at all, identified activity for the named viewer only,
and refusals that open breaches."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fairwatch.audit.models import AuditEntry
from fairwatch.monitoring import activity, exercises
from fairwatch.monitoring.models import Breach, Exercise, Extract
from fairwatch.privacy.exercises import State, System
from fairwatch.schools.models import Person
from fairwatch.schools.services import issue_token

API = "/api/v1/schools/oak"


def person(cast, user) -> Person:
    return Person.objects.get(school=cast.school, user=user)


def assessment_post(cast, *viewers: Person, **changes) -> dict:
    today = timezone.localdate()
    data = {
        "concern": "Suspected forwarding of pupil records to a personal account",
        "evidence": "Two messages reported by a colleague",
        "purpose": "Find out whether pupil data left the school",
        "necessity": "It cannot be established any other way",
        "alternatives": "Asking first would risk the evidence being deleted",
        "systems": ["email", "internet"],
        "data_categories": "Senders, recipients and dates of email; websites visited",
        "window_start": (today - dt.timedelta(days=20)).isoformat(),
        "window_end": today.isoformat(),
        "viewers": [str(v.pk) for v in viewers],
        "effect_on_employee": "Three weeks of activity seen by one investigator",
        "effect_on_third_parties": "Correspondents' addresses are seen, not read",
        "article8_balance": "One month, two systems, one viewer: proportionate",
        "hr_consulted": "EducationHR advised on Monday",
        "retention_days": "60",
    }
    data.update(changes)
    return data


def seed_activity(cast, who: Person, days_ago: int = 3) -> None:
    when = timezone.now() - dt.timedelta(days=days_ago)
    activity.record(
        cast.school,
        [
            activity.Event(who.email, System.EMAIL, when, "mail to 3 outside addresses", "sent"),
            activity.Event(who.email, System.INTERNET, when, "mail.google.com", "webmail", 5),
        ],
    )


def to_active(client, cast, subject_user=None) -> Exercise:
    """The DSL asks, the DPO reviews, the approver approves from a minute ago: through the pages."""
    subject = person(cast, subject_user or cast.teacher)
    client.force_login(cast.dsl)
    r = client.post("/exercises/new/", {"subject": subject.pk})
    assert r.status_code == 302, r.content
    ex = Exercise.objects.latest("pk")
    r = client.post(
        f"/exercises/{ex.ref}/assessment/",
        {**assessment_post(cast, person(cast, cast.dsl)), "complete": "1"},
    )
    assert r.status_code == 302
    client.force_login(cast.dpo)
    client.post(f"/exercises/{ex.ref}/review/")
    approver = cast.chair if subject.user == cast.head else cast.head
    client.force_login(approver)
    start = timezone.localtime() - dt.timedelta(minutes=1)
    client.post(
        f"/exercises/{ex.ref}/approve/",
        {
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": (start + dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    ex.refresh_from_db()
    assert ex.state == State.APPROVED, ex.history
    return ex


def test_the_assessment_page_says_what_is_missing_and_will_not_go_forward(client, cast):
    client.force_login(cast.dsl)
    client.post("/exercises/new/", {"subject": person(cast, cast.teacher).pk})
    ex = Exercise.objects.get()
    page = client.get(f"/exercises/{ex.ref}/assessment/").content.decode()
    assert "Still to answer" in page and "Why monitoring is necessary" in page
    partial = assessment_post(cast, person(cast, cast.dsl), necessity="", hr_consulted="")
    r = client.post(f"/exercises/{ex.ref}/assessment/", {**partial, "complete": "1"}, follow=True)
    text = r.content.decode()
    assert "Not done" in text and "why monitoring is necessary" in text.lower()
    assert "EducationHR (7.3)" in text
    ex.refresh_from_db()
    assert ex.state == State.DRAFT
    assert ex.assessment["purpose"] == partial["purpose"]  # what was written is kept


def test_the_subject_is_not_offered_as_a_viewer_and_retention_keeps_to_the_schools_limit(
    client, cast
):
    client.force_login(cast.dsl)
    teacher = person(cast, cast.teacher)
    client.post("/exercises/new/", {"subject": teacher.pk})
    ex = Exercise.objects.get()
    page = client.get(f"/exercises/{ex.ref}/assessment/").content.decode()
    assert f'value="{teacher.pk}"' not in page
    r = client.post(
        f"/exercises/{ex.ref}/assessment/",
        assessment_post(cast, person(cast, cast.dsl), retention_days="9999"),
    )
    assert r.status_code == 200 and "less than or equal to 90" in r.content.decode()


def test_the_whole_path_through_the_pages_and_the_viewer_sees_identified_activity(client, cast):
    teacher = person(cast, cast.teacher)
    seed_activity(cast, teacher)
    seed_activity(cast, person(cast, cast.it))  # someone else's, never shown
    ex = to_active(client, cast)
    client.force_login(cast.dsl)
    detail = client.get(f"/exercises/{ex.ref}/").content.decode()
    assert "Active" in detail and "activity" in detail
    assert "drafted by Debbie Singh" in detail and "reviewed by the DPO Peter Okafor" in detail
    r = client.get(f"/exercises/{ex.ref}/activity/")
    page = r.content.decode()
    assert r.status_code == 200
    assert teacher.email.lower() in page and "mail.google.com" in page
    assert "it@oak.example" not in page
    extract = Extract.objects.get(exercise=ex)
    assert extract.identifier == teacher.email.lower() and len(extract.rows) == 2
    assert AuditEntry.objects.filter(action="monitoring.reveal", outcome="allowed").count() == 1
    assert not Breach.objects.exists()


def test_someone_else_is_refused_and_a_breach_is_opened(client, cast):
    ex = to_active(client, cast)
    client.force_login(cast.head)  # approved it, but is not named to see the data
    r = client.get(f"/exercises/{ex.ref}/activity/")
    assert r.status_code == 403
    assert "reported to the data protection officer" in r.content.decode()
    breach = Breach.objects.get()
    assert breach.exercise_id == ex.pk and "head@oak.example" in breach.what
    client.force_login(cast.it)  # has no part in it: it does not exist for them
    assert client.get(f"/exercises/{ex.ref}/activity/").status_code == 404
    assert client.get(f"/exercises/{ex.ref}/").status_code == 404
    assert Breach.objects.count() == 2


@pytest.mark.parametrize("who", ["teacher", "it", "monitor", "hr", "outsider", "org_admin"])
def test_people_with_no_part_never_see_the_exercise(client, cast, who):
    ex = to_active(client, cast)
    client.force_login(getattr(cast, who))
    assert client.get(f"/exercises/{ex.ref}/").status_code in (403, 404)
    listing = client.get("/exercises/")
    assert f"Exercise {ex.ref}" not in listing.content.decode()
    for step in ("review", "approve", "close", "extend", "complete"):
        assert client.post(f"/exercises/{ex.ref}/{step}/").status_code in (403, 404)
    ex.refresh_from_db()
    assert ex.state == State.APPROVED


def test_an_exercise_about_the_headteacher_is_approved_by_the_chair_and_hidden_from_the_head(
    client, cast
):
    ex = to_active(client, cast, subject_user=cast.head)
    assert ex.approved_by_id == person(cast, cast.chair).pk
    client.force_login(cast.head)
    assert client.get(f"/exercises/{ex.ref}/").status_code == 404
    assert f"Exercise {ex.ref}" not in client.get("/exercises/").content.decode()
    headers = {"Authorization": f"Bearer {issue_token(cast.head, 't')[1]}"}
    assert client.get(f"{API}/exercises", headers=headers).json() == []


def test_a_wrong_approver_is_told_why_and_nothing_changes(client, cast):
    client.force_login(cast.dsl)
    client.post("/exercises/new/", {"subject": person(cast, cast.teacher).pk})
    ex = Exercise.objects.get()
    client.post(
        f"/exercises/{ex.ref}/assessment/",
        {**assessment_post(cast, person(cast, cast.dsl)), "complete": "1"},
    )
    client.force_login(cast.dpo)
    client.post(f"/exercises/{ex.ref}/review/")
    # The DPO may see it but not approve it (and to the Chair it does not exist at all).
    client.force_login(cast.chair)
    assert client.get(f"/exercises/{ex.ref}/").status_code == 404
    client.force_login(cast.dpo)
    start = timezone.localtime()
    r = client.post(
        f"/exercises/{ex.ref}/approve/",
        {
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": (start + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        },
        follow=True,
    )
    assert "the Headteacher approves this exercise" in r.content.decode()
    client.force_login(cast.head)
    r = client.post(
        f"/exercises/{ex.ref}/approve/",
        {
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": (start + dt.timedelta(days=45)).strftime("%Y-%m-%dT%H:%M"),
        },
        follow=True,
    )
    assert "at most 30 days" in r.content.decode()
    ex.refresh_from_db()
    assert ex.state == State.REVIEWED


def test_an_extension_is_a_new_exercise_that_needs_fresh_approval(client, cast):
    ex = to_active(client, cast)
    client.force_login(cast.dsl)
    r = client.post(f"/exercises/{ex.ref}/extend/")
    new = Exercise.objects.latest("pk")
    assert r.status_code == 302 and new.extends_id == ex.pk and new.state == State.DRAFT
    assert new.assessment["concern"] == ex.assessment["concern"]
    client.post(f"/exercises/{new.ref}/complete/")
    new.refresh_from_db()
    assert new.state == State.ASSESSED  # and then the DPO and the approver, as before


# --- the API ----------------------------------------------------------------------------------


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(user, 'tests')[1]}"}


def test_the_api_runs_the_same_steps_with_the_same_rules(client, cast):
    dsl, dpo, head = bearer(cast.dsl), bearer(cast.dpo), bearer(cast.head)
    teacher = person(cast, cast.teacher)
    seed_activity(cast, teacher)
    r = client.post(f"{API}/exercises", {"subject_id": teacher.pk}, "application/json", headers=dsl)
    assert r.status_code == 201, r.content
    ex_ref = r.json()["ref"]
    assert "the purpose of the monitoring" in r.json()["assessment"]["missing"]
    r = client.post(f"{API}/exercises/{ex_ref}/complete", headers=dsl)
    assert r.status_code == 409 and "not complete" in r.json()["detail"]
    body = assessment_post(cast, person(cast, cast.dsl))
    body["viewers"] = [int(v) for v in body["viewers"]]
    body["retention_days"] = 60
    r = client.put(f"{API}/exercises/{ex_ref}/assessment", body, "application/json", headers=dsl)
    assert r.status_code == 200 and r.json()["assessment"]["missing"] == []
    assert client.post(f"{API}/exercises/{ex_ref}/complete", headers=dsl).status_code == 200
    assert client.post(f"{API}/exercises/{ex_ref}/review", headers=head).status_code == 403
    assert (
        client.post(f"{API}/exercises/{ex_ref}/review", headers=dpo).json()["state"] == "reviewed"
    )
    start = timezone.now() - dt.timedelta(minutes=1)
    too_long = {"start": start.isoformat(), "end": (start + dt.timedelta(days=31)).isoformat()}
    r = client.post(f"{API}/exercises/{ex_ref}/approve", too_long, "application/json", headers=head)
    assert r.status_code == 422
    ok = {"start": start.isoformat(), "end": (start + dt.timedelta(days=7)).isoformat()}
    r = client.post(f"{API}/exercises/{ex_ref}/approve", ok, "application/json", headers=head)
    assert r.json()["state"] == "approved"
    r = client.get(f"{API}/exercises/{ex_ref}/activity", headers=dsl)
    assert r.status_code == 200 and r.json()["identifier"] == teacher.email.lower()
    assert len(r.json()["rows"]) == 2
    r = client.get(f"{API}/exercises/{ex_ref}/activity", headers=head)
    assert r.status_code == 403 and Breach.objects.count() == 1
    r = client.get(f"{API}/exercises/{ex_ref}", headers=bearer(cast.teacher))
    assert r.status_code == 404


def test_the_schema_lists_the_exercise_paths(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for p in (
        "/schools/{slug}/exercises",
        "/schools/{slug}/exercises/{ref}",
        "/schools/{slug}/exercises/{ref}/assessment",
        "/schools/{slug}/exercises/{ref}/approve",
        "/schools/{slug}/exercises/{ref}/activity",
        "/schools/{slug}/activity",
    ):
        assert f"/api/v1{p}" in paths, p


# --- activity as pseudonyms -----------------------------------------------------------------


def test_activity_pages_show_pseudonyms_and_totals_never_names(client, cast):
    teacher = person(cast, cast.teacher)
    seed_activity(cast, teacher)
    client.force_login(cast.it)
    page = client.get("/activity/").content.decode()
    assert "mail.google.com" not in page  # totals by category, not the rows
    assert "webmail" in page
    assert teacher.email.lower() not in page and teacher.surname not in page
    pseudonym = exercises.pseudonym_of(cast.school, teacher)
    page = client.get(f"/activity/{pseudonym}/").content.decode()
    assert "webmail" in page and teacher.email.lower() not in page
    assert "mail.google.com" not in page  # totals only: no single event to read on from
    assert AuditEntry.objects.filter(action="activity.view", outcome="allowed").count() == 2
    client.force_login(cast.teacher)
    assert client.get("/activity/").status_code == 403
    assert AuditEntry.objects.filter(action="activity.view", outcome="refused").count() == 1


def test_a_dpo_who_is_the_subject_never_learns_of_it(
    client, cast, mailoutbox, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model

    from tests.cast import add_person

    other_user = get_user_model().objects.create_user("dpo2@oak.example")
    add_person(
        cast.school,
        Person.Kind.STAFF,
        "S9",
        "Priya",
        "Nair",
        roles=("dpo",),
        email="dpo2@oak.example",
        user=other_user,
    )
    dpo = person(cast, cast.dpo)
    ex = exercises.draft(cast.dsl, cast.school, dpo)
    client.force_login(cast.dsl)
    client.post(
        f"/exercises/{ex.ref}/assessment/",
        {**assessment_post(cast, person(cast, cast.dsl)), "complete": "1"},
    )
    ex = exercises.review(other_user, Exercise.objects.get(pk=ex.pk))
    start = timezone.now() - dt.timedelta(minutes=1)
    exercises.approve(cast.head, ex, start, start + dt.timedelta(days=3))
    client.force_login(cast.it)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(f"/exercises/{ex.ref}/activity/").status_code == 404
    breach = Breach.objects.get()
    assert [m.to for m in mailoutbox] == [["dpo2@oak.example"]]

    client.force_login(cast.dpo)
    assert ex.ref not in client.get("/exercises/").content.decode()
    assert client.get(f"/exercises/{ex.ref}/").status_code == 404
    register = client.get("/breaches/").content.decode()
    assert "tried to see identified" not in register
    assert client.get(f"/breaches/{breach.pk}/").status_code == 404
    trail = client.get("/audit/").content.decode()
    assert ex.ref not in trail and "monitoring.reveal" not in trail
    client.force_login(other_user)
    assert ex.ref in client.get("/audit/").content.decode()
    assert client.get(f"/breaches/{breach.pk}/").status_code == 200


def test_opening_an_exercise_one_has_no_part_in_is_recorded_as_refused(client, cast):
    ex = to_active(client, cast)
    client.force_login(cast.teacher)  # its subject
    assert client.get(f"/exercises/{ex.ref}/assessment/").status_code == 404
    entry = AuditEntry.objects.filter(action="exercise.view").latest("seq")
    assert (entry.outcome, entry.object_id, entry.actor) == ("refused", ex.ref, cast.teacher)
    client.force_login(cast.head)
    client.get(f"/exercises/{ex.ref}/assessment/")
    entry = AuditEntry.objects.filter(action="exercise.view").latest("seq")
    assert (entry.outcome, entry.detail) == ("allowed", {"page": "assessment"})


def test_the_api_refuses_bad_assessments_and_times_without_a_zone_with_422(client, cast):
    dsl = bearer(cast.dsl)
    teacher = person(cast, cast.teacher)
    r = client.post(f"{API}/exercises", {"subject_id": teacher.pk}, "application/json", headers=dsl)
    ref = r.json()["ref"]
    url = f"{API}/exercises/{ref}/assessment"
    for bad, says in (
        ({"concern": "a\x00b"}, "NUL"),
        ({"evidence": "x" * 5001}, "5000 characters"),
        ({"viewers": [cast.pupil(1).pk]}, "current members of staff"),
        ({"viewers": [999999]}, "current members of staff"),
        ({"retention_days": 0}, "from 1 to 90 days"),
    ):
        r = client.put(url, bad, "application/json", headers=dsl)
        assert r.status_code == 422 and says in r.json()["detail"], (bad, r.content)
    r = client.post(
        f"{API}/exercises",
        {"subject_id": person(cast, cast.dsl).pk},
        "application/json",
        headers=dsl,
    )
    assert r.status_code == 403 and "about themselves" in r.json()["detail"]
    naive = {"start": "2026-03-02T09:00:00", "end": "2026-03-09T09:00:00+00:00"}
    r = client.post(
        f"{API}/exercises/{ref}/approve", naive, "application/json", headers=bearer(cast.head)
    )
    assert r.status_code == 422


def test_reloading_a_refused_page_adds_to_its_breach_rather_than_flooding_the_register(
    client, cast
):
    ex = to_active(client, cast)
    client.force_login(cast.head)
    for _ in range(3):
        assert client.get(f"/exercises/{ex.ref}/activity/").status_code == 403
    breach = Breach.objects.get()
    assert breach.actions.count("Tried again") == 2
    refused = AuditEntry.objects.filter(action="monitoring.reveal", outcome="refused")
    assert refused.count() == 3  # every attempt is still on the trail
