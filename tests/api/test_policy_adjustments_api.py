"""The reasonable-adjustments API under /api/v1/schools/{slug}/policy/adjustments (clause 2):
asking, listing (the Headteacher: all; anyone else: their own), answering; 403, 404, 409 and
422 naming the field; the schema."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fairwatch.audit.models import AuditEntry
from fairwatch.policy import adjustments
from fairwatch.policy.models import Adjustment
from fairwatch.schools.services import issue_token

pytestmark = pytest.mark.django_db

API = "/api/v1"
BASE = f"{API}/schools/oak/policy/adjustments"
PRIVATE = "Large print, please: my eyesight is poor."


def bearer(user) -> dict[str, str]:
    _, secret = issue_token(user, "tests")
    return {"Authorization": f"Bearer {secret}"}


def post(client, user, path, body):
    return client.post(path, body, content_type="application/json", headers=bearer(user))


def later(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_the_routes_are_in_the_schema_with_unique_names(client):
    document = client.get(f"{API}/openapi.json").json()
    paths = document["paths"]
    assert {"get", "post"} <= set(paths[f"{API}/schools/{{slug}}/policy/adjustments"])
    answer = paths[f"{API}/schools/{{slug}}/policy/adjustments/{{adjustment_id}}/answer"]["post"]
    assert answer.get("security") and "policy" in answer["tags"]
    assert {"403", "404", "409", "422"} <= set(answer["responses"])
    schemas = document["components"]["schemas"]
    assert {"AdjustmentAskIn", "AdjustmentAnswerIn", "AdjustmentOut"} <= set(schemas)


def test_a_teacher_asks_and_sees_their_own(client, cast):
    made = post(client, cast.teacher, BASE, {"kind": "format", "detail": PRIVATE})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["kind"] == "format" and body["status"] == "asked" and body["version"] == 1
    assert body["person"]["display_name"] == "Tom Wren"
    adjustments.ask(cast.dsl, cast.school, "format", "Someone else's.")

    mine = client.get(BASE, headers=bearer(cast.teacher))
    assert mine.status_code == 200
    assert [item["detail"] for item in mine.json()] == [PRIVATE]


def test_asking_names_each_field_it_cannot_take(client, cast):
    bad = post(client, cast.teacher, BASE, {"kind": "time", "detail": " ", "wanted_by": later(0)})
    assert bad.status_code == 422
    errors = bad.json()["errors"]
    assert "Say what you need" in errors["detail"]
    assert "after today" in errors["wanted_by"]

    wrong_kind = post(client, cast.teacher, BASE, {"kind": "braille", "detail": "x"})
    assert wrong_kind.status_code == 422 and "kind" in wrong_kind.json()["errors"]

    too_far = post(
        client, cast.teacher, BASE, {"kind": "time", "detail": "x", "wanted_by": later(91)}
    )
    assert "within 90 days" in too_far.json()["errors"]["wanted_by"]

    nul = post(client, cast.teacher, BASE, {"kind": "format", "detail": "\x00"})
    assert nul.status_code == 422 and "detail" in nul.json()["errors"]
    assert not Adjustment.objects.exists()


def test_a_second_open_request_of_a_kind_is_refused(client, cast):
    body = {"kind": "time", "detail": "On leave.", "wanted_by": later(10)}
    assert post(client, cast.teacher, BASE, body).status_code == 201
    again = post(client, cast.teacher, BASE, body)
    assert again.status_code == 422
    assert "already asked for more time" in again.json()["errors"]["kind"]


def test_someone_not_on_the_staff_list_may_not_ask(client, cast):
    # The trust's administrator reaches Oak but is not on its staff list.
    refused = post(client, cast.org_admin, BASE, {"kind": "format", "detail": "Large print"})
    assert refused.status_code == 403
    assert AuditEntry.objects.filter(action="policy.adjustment.ask", outcome="refused").exists()
    assert client.get(BASE, headers=bearer(cast.org_admin)).json() == []


def test_the_headteacher_lists_all_and_answers(client, cast):
    format_ = adjustments.ask(cast.dsl, cast.school, "format", PRIVATE)
    time = adjustments.ask(
        cast.teacher, cast.school, "time", "On leave.", dt.date.fromisoformat(later(30))
    )
    adjustments.answer(cast.head, cast.school, format_.pk, True, "Printed by Friday.")

    listed = client.get(BASE, headers=bearer(cast.head))
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()] == [time.pk, format_.pk]  # waiting first

    done = post(client, cast.head, f"{BASE}/{time.pk}/answer", {"agreed": True, "answer": "Yes."})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "agreed" and done.json()["deadline"] == later(30)

    again = post(client, cast.head, f"{BASE}/{time.pk}/answer", {"agreed": False, "answer": "No."})
    assert again.status_code == 409
    assert "already answered" in again.json()["detail"]


def test_answers_name_each_field_it_cannot_take(client, cast):
    made = adjustments.ask(cast.teacher, cast.school, "time", "x", dt.date.fromisoformat(later(30)))
    bad = post(
        client,
        cast.head,
        f"{BASE}/{made.pk}/answer",
        {"agreed": True, "answer": "", "deadline": later(-1)},
    )
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"answer", "deadline"}
    missing = post(client, cast.head, f"{BASE}/999999/answer", {"agreed": True, "answer": "Yes."})
    assert missing.status_code == 404
    huge = post(client, cast.head, f"{BASE}/{2**70}/answer", {"agreed": True, "answer": "Yes."})
    assert huge.status_code in (404, 422)


@pytest.mark.parametrize("who", ["dpo", "teacher"])
def test_others_may_not_answer_nor_list_others(client, cast, who):
    made = adjustments.ask(cast.dsl, cast.school, "format", PRIVATE)
    user = getattr(cast, who)
    refused = post(client, user, f"{BASE}/{made.pk}/answer", {"agreed": True, "answer": "Yes."})
    assert refused.status_code == 403
    assert AuditEntry.objects.filter(
        action="policy.adjustments", outcome="refused", actor=user
    ).exists()
    listed = client.get(BASE, headers=bearer(user))
    assert listed.status_code == 200 and PRIVATE not in listed.content.decode()
    made.refresh_from_db()
    assert made.status == Adjustment.Status.ASKED


def test_an_unknown_school_is_not_there(client, cast):
    assert (
        client.get(
            f"{API}/schools/nowhere/policy/adjustments", headers=bearer(cast.head)
        ).status_code
        == 404
    )


def test_broken_characters_are_422_by_field_not_500(client, cast):
    # JSON can carry half a character (a lone surrogate); UTF-8 and the database cannot.
    asked = post(client, cast.teacher, BASE, {"kind": "format", "detail": "a\ud800b"})
    assert asked.status_code == 422 and "not text" in asked.json()["errors"]["detail"]
    assert not Adjustment.objects.exists()
    made = adjustments.ask(cast.teacher, cast.school, "format", PRIVATE)
    answered = post(
        client, cast.head, f"{BASE}/{made.pk}/answer", {"agreed": True, "answer": "Yes\udfff"}
    )
    assert answered.status_code == 422 and "not text" in answered.json()["errors"]["answer"]
    made.refresh_from_db()
    assert made.status == Adjustment.Status.ASKED


@pytest.mark.parametrize("who", ["head", "teacher"])
def test_a_huge_id_writes_no_overlong_audit_entry(client, cast, who):
    huge = 10**80
    got = post(client, getattr(cast, who), f"{BASE}/{huge}/answer", {"agreed": True, "answer": "Y"})
    assert got.status_code in (403, 404, 422)
    assert AuditEntry.objects.exists() or who == "head"
    assert all(len(entry.object_id) <= 64 for entry in AuditEntry.objects.all())
