"""The reminders schedule under /api/v1/schools/{slug}/policy: reading and changing it, sending
what is due; who may, and messages that name the field."""

from __future__ import annotations

import pytest

from fairwatch.audit.models import AuditEntry
from fairwatch.policy import reminders
from fairwatch.policy.models import PolicySettings, Reminder
from fairwatch.schools.services import issue_token

pytestmark = pytest.mark.django_db

API = "/api/v1"
BASE = f"{API}/schools/oak/policy"


def bearer(user) -> dict[str, str]:
    _, secret = issue_token(user, "tests")
    return {"Authorization": f"Bearer {secret}"}


def put(client, user, body):
    return client.put(
        f"{BASE}/schedule", body, content_type="application/json", headers=bearer(user)
    )


def test_the_routes_are_in_the_schema(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    assert set(paths[f"{API}/schools/{{slug}}/policy/schedule"]) >= {"get", "put"}
    assert "post" in paths[f"{API}/schools/{{slug}}/policy/reminders"]


def test_the_head_reads_and_changes_the_schedule(client, cast):
    got = client.get(f"{BASE}/schedule", headers=bearer(cast.head))
    assert got.status_code == 200, got.content
    data = got.json()
    assert (data["deadline_days"], data["remind_every_days"]) == (14, 7)
    assert "14 days" in data["in_words"] and data["last_run"] is None
    changed = put(client, cast.head, {"deadline_days": 21, "remind_every_days": 3})
    assert changed.status_code == 200, changed.content
    assert changed.json()["deadline_days"] == 21
    assert "reminded every 3 days" in changed.json()["in_words"]
    stored = PolicySettings.objects.get(school=cast.school)
    assert (stored.deadline_days, stored.remind_every_days) == (21, 3)


def test_a_teacher_may_not_and_is_recorded(client, cast):
    assert client.get(f"{BASE}/schedule", headers=bearer(cast.teacher)).status_code == 403
    assert (
        put(client, cast.teacher, {"deadline_days": 1, "remind_every_days": 0}).status_code == 403
    )
    sent = client.post(f"{BASE}/reminders", headers=bearer(cast.teacher))
    assert sent.status_code == 403
    assert not Reminder.objects.exists()
    assert AuditEntry.objects.filter(actor=cast.teacher, outcome="refused").count() == 3
    assert reminders.settings_for(cast.school).deadline_days == 14


def test_bad_values_are_named_and_nothing_is_lost(client, cast):
    bad = put(client, cast.head, {"deadline_days": 91, "remind_every_days": -1})
    assert bad.status_code == 422
    errors = bad.json()["errors"]
    assert set(errors) == {"deadline_days", "remind_every_days"}
    assert "1 to 90" in errors["deadline_days"] and "0 to 60" in errors["remind_every_days"]
    assert reminders.settings_for(cast.school).deadline_days == 14
    # Not a number at all: refused by the schema, still a 422.
    assert put(client, cast.head, {"deadline_days": "soon"}).status_code == 422


def test_another_schools_schedule_is_not_found(client, cast):
    assert (
        client.get(f"{API}/schools/nowhere/policy/schedule", headers=bearer(cast.head)).status_code
        == 404
    )


def test_sending_what_is_due_returns_counts_and_is_idempotent(
    client, cast, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"{BASE}/reminders", headers=bearer(cast.head))
    assert first.status_code == 200, first.content
    # Nobody in the cast has read version 1 yet: all eight are asked to.
    assert first.json() == {"school": "oak", "version": 1, "asked": 8, "reminded": 0, "sent": 8}
    assert len(mailoutbox) == 8
    again = client.post(f"{BASE}/reminders", headers=bearer(cast.head))
    assert again.json()["sent"] == 0
    last = client.get(f"{BASE}/schedule", headers=bearer(cast.head)).json()["last_run"]
    assert last["asked"] == 0 and last["by"] == cast.head.username
