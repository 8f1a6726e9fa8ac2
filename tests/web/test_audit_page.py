"""The audit trail page: only the DPO opens it; it checks the hash chain and lists entries."""

from __future__ import annotations

import re

import pytest
from django.db import DatabaseError, connection, transaction

from fairwatch.audit.gate import record
from fairwatch.audit.models import AuditEntry
from tests.audit.tamper import tamper


def _audit_page(client, user, **params):
    client.force_login(user)
    return client.get("/audit/", params)


def _seqs_listed(html: str) -> list[int]:
    return [int(s) for s in re.findall(r"<tr><td[^>]*>(\d+)</td>", html)]


def test_the_dpo_can_open_the_audit_trail_and_it_is_intact(client, cast):
    response = _audit_page(client, cast.dpo, check=1)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Audit trail</h1>" in html
    total = AuditEntry.objects.count()
    assert f"The trail is intact: {total} entries checked." in html
    assert "tampered" not in html


def test_the_whole_chain_is_checked_only_when_asked_for(client, cast):
    tamper(AuditEntry.objects.order_by("seq").first().seq, purpose="edited")
    html = _audit_page(client, cast.dpo).content.decode()

    assert "Check the trail now" in html
    assert "tampered" not in html and "intact" not in html


def test_the_page_lists_this_schools_entries_newest_first(client, cast):
    client.force_login(cast.head)
    client.get("/people/", {"kind": "staff"})
    client.force_login(cast.teacher)
    client.get("/people/", {"kind": "staff"})

    html = _audit_page(client, cast.dpo).content.decode()

    listed = _seqs_listed(html)
    expected = list(
        AuditEntry.objects.filter(school=cast.school).order_by("-seq").values_list("seq", flat=True)
    )
    assert listed == expected
    assert "roster.import" in html  # the cast's roster import, done from the command line
    assert "head@oak.example" in html
    assert "teacher@oak.example" in html
    assert "people.view_staff" in html
    assert "Refused" in html and "Allowed" in html
    # Opening the page is itself recorded, at the top.
    top = AuditEntry.objects.filter(school=cast.school).order_by("-seq").first()
    assert (top.action, top.actor_id, top.outcome, top.role) == (
        "audit.read",
        cast.dpo.pk,
        "allowed",
        "dpo",
    )
    assert top.purpose == "audit review"


def test_the_page_does_not_list_other_schools_entries(client, cast):
    elsewhere = record(user=None, school=cast.other_school, action="roster.import", outcome="done")

    html = _audit_page(client, cast.dpo).content.decode()

    assert elsewhere.seq not in _seqs_listed(html)


def test_long_trails_are_paginated(client, cast):
    client.force_login(cast.head)
    for _ in range(55):
        client.get("/people/", {"kind": "staff"})

    html = _audit_page(client, cast.dpo).content.decode()

    assert len(_seqs_listed(html)) == 50
    assert 'href="?page=2">Next</a>' in html
    assert len(_seqs_listed(client.get("/audit/", {"page": "2"}).content.decode())) >= 7


@pytest.mark.parametrize("who", ["head", "dsl", "it", "teacher", "monitor", "hr", "chair"])
def test_nobody_but_the_dpo_can_open_the_audit_trail_and_the_refusal_is_recorded(client, cast, who):
    user = getattr(cast, who)
    before = AuditEntry.objects.order_by("-seq").first().seq

    response = _audit_page(client, user)

    assert response.status_code == 403
    html = response.content.decode()
    assert "You cannot see this page" in html
    assert "The trail is intact" not in html
    new = list(AuditEntry.objects.filter(seq__gt=before))
    assert [(e.action, e.outcome, e.role, e.school_id, e.actor_id) for e in new] == [
        ("audit.read", "refused", "", cast.school.pk, user.pk)
    ]


def test_an_org_admin_cannot_open_the_audit_trail(client, cast):
    response = _audit_page(client, cast.org_admin)

    assert response.status_code == 403


def test_an_account_with_no_school_cannot_open_the_audit_trail(client, cast):
    cast.outsider.refresh_from_db()  # the cast keeps a stale copy from before passwords were set

    response = _audit_page(client, cast.outsider)

    assert response.status_code == 403
    assert "You have no role at a school yet" in response.content.decode()


def test_anonymous_visitor_is_sent_to_log_in(client, cast):
    response = client.get("/audit/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/audit/"


def test_the_database_refuses_to_update_an_entry(cast):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET purpose = 'x' WHERE seq = 1")


def test_a_tampered_entry_is_reported_as_the_first_bad_one(client, cast):
    client.force_login(cast.head)
    for kind in ("staff", "contacts", "staff"):
        client.get("/people/", {"kind": kind})
    victim = AuditEntry.objects.get(actor=cast.head, action="people.view_contacts")
    later = AuditEntry.objects.filter(seq__gt=victim.seq).count()
    assert later >= 1

    tamper(victim.seq, outcome="refused")
    response = _audit_page(client, cast.dpo, check=1)

    assert response.status_code == 200
    html = response.content.decode()
    assert "The trail has been tampered with" in html
    assert f"First bad entry: #{victim.seq}." in html
    assert f"entry #{victim.seq} was changed after it was written" in html
    assert "The trail is intact" not in html
    assert 'role="alert"' in html


def test_tampering_with_the_actor_label_is_caught_too(client, cast):
    first = AuditEntry.objects.order_by("seq").first()

    tamper(first.seq, actor_label="someone-else")
    html = _audit_page(client, cast.dpo, check=1).content.decode()

    assert f"First bad entry: #{first.seq}." in html


def test_only_the_first_of_several_tampered_entries_is_reported(client, cast):
    client.force_login(cast.head)
    for _ in range(3):
        client.get("/people/", {"kind": "staff"})
    seqs = list(
        AuditEntry.objects.filter(actor=cast.head).order_by("seq").values_list("seq", flat=True)
    )

    tamper(seqs[2], purpose="nothing to see")
    tamper(seqs[1], purpose="nothing to see")
    html = _audit_page(client, cast.dpo, check=1).content.decode()

    assert f"First bad entry: #{seqs[1]}." in html
