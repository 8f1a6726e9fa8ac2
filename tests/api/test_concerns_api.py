"""The concerns API under /api/v1/concerns: raising, the steps of a case, who
sees what (a subject never learns of a case), errors by field, wrong states and the schema."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fairwatch.audit.models import AuditEntry
from fairwatch.concerns import services
from fairwatch.schools.models import Person
from fairwatch.schools.services import issue_token

pytestmark = pytest.mark.django_db

API = "/api/v1"
BASE = f"{API}/concerns"  # the cast work at one school each: ?school= may be left out
STEPS = ("triage", "hr-consultation", "lado-decision", "outcome")
PATHS = {
    "/concerns": {"get", "post"},
    "/concerns/low-level-register": {"get"},
    "/concerns/{ref}": {"get"},
    "/concerns/{ref}/triage": {"post"},
    "/concerns/{ref}/hr-consultation": {"post"},
    "/concerns/{ref}/lado-decision": {"post"},
    "/concerns/{ref}/outcome": {"post"},
    "/concerns/{ref}/evidence": {"post"},
    "/concerns/{ref}/evidence/{file_id}": {"get"},
    "/concerns/{ref}/links": {"post"},
    "/concerns/{ref}/exercise": {"post"},
}
RECEIPT_KEYS = {"view", "ref", "kind", "raised_at", "status"}
WHAT = "Posted photos of a school trip on a personal account."


def bearer(user) -> dict[str, str]:
    _, secret = issue_token(user, "tests")
    return {"Authorization": f"Bearer {secret}"}


def person(user) -> Person:
    return Person.objects.get(user=user)


def raise_about(client, raiser, *subjects, pupil=False, headers=None):
    response = client.post(
        BASE,
        {
            "kind": "social_media",
            "what": WHAT,
            "happened_on": "2026-01-12",
            "subjects": [person(s).pk for s in subjects],
            "pupil_involved": pupil,
        },
        content_type="application/json",
        headers=headers or bearer(raiser),
    )
    assert response.status_code == 201, response.content
    return response.json()


def post(client, user, path, body, headers=None):
    return client.post(path, body, content_type="application/json", headers=headers or bearer(user))


def hr_body():
    return {
        "adviser": "Helen Ramsay, county HR",
        "consulted_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "advice": "Speak to him informally and keep a note.",
    }


# ---------------------------------------------------------------- schema


def test_the_schema_lists_every_concerns_route(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]

    for path, methods in PATHS.items():
        assert f"{API}{path}" in paths, path
        assert methods <= set(paths[f"{API}{path}"]), path
        for method in methods:
            assert paths[f"{API}{path}"][method].get("security"), path
    detail = paths[f"{API}/concerns/{{ref}}"]["get"]["responses"]["200"]
    assert detail["content"]["application/json"]["schema"]["discriminator"]["propertyName"] == (
        "view"
    )


def test_the_register_path_is_not_taken_for_a_ref(client, cast):
    response = client.get(f"{BASE}/low-level-register", headers=bearer(cast.head))

    assert response.status_code == 200
    assert response.json() == []


# ---------------------------------------------------------------- raising


def test_raising_with_the_session_answers_201_with_the_receipt(client, cast):
    client.force_login(cast.teacher)
    response = client.post(
        BASE,
        {
            "kind": "email",
            "what": "Sent pupils' marks to a personal address.",
            "happened_on": "2026-01-12",
            "subjects": [person(cast.it).pk],
            "pupil_involved": False,
        },
        content_type="application/json",
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) == RECEIPT_KEYS
    assert body["view"] == "receipt" and body["kind"] == "email" and body["status"] == "open"
    listed = client.get(BASE).json()
    assert listed["cases"] == []
    assert [r["ref"] for r in listed["raised"]] == [body["ref"]]
    assert set(listed["raised"][0]) == RECEIPT_KEYS


def test_missing_and_wrong_fields_come_back_by_field(client, cast):
    response = post(client, cast.teacher, BASE, {"kind": "gossip", "subjects": [999_999]})

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"kind", "what", "happened_on", "subjects", "pupil_involved"}
    assert "pupil" in errors["pupil_involved"]


def test_a_concern_about_yourself_or_a_date_to_come_is_refused_by_field(client, cast):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = post(
        client,
        cast.teacher,
        BASE,
        {
            "kind": "email",
            "what": "x",
            "happened_on": tomorrow.isoformat(),
            "subjects": [person(cast.teacher).pk],
            "pupil_involved": False,
        },
    )

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"happened_on", "subjects"}


def test_someone_with_no_role_at_the_school_gets_404(client, cast):
    response = post(
        client,
        cast.outsider,
        BASE,
        {
            "kind": "email",
            "what": WHAT,
            "happened_on": "2026-01-12",
            "subjects": [person(cast.teacher).pk],
            "pupil_involved": False,
        },
    )

    assert response.status_code == 404


# ---------------------------------------------------------------- a case through its steps


def test_the_head_takes_a_case_about_a_teacher_from_raised_to_closed(client, cast):
    ref = raise_about(client, cast.dsl, cast.teacher)["ref"]
    head = bearer(cast.head)

    listed = client.get(BASE, headers=head).json()
    assert [c["ref"] for c in listed["cases"]] == [ref]
    assert listed["cases"][0]["subjects"] == [
        {"id": person(cast.teacher).pk, "display_name": "Tom Wren"}
    ]
    assert listed["cases"][0]["lado"] is None

    case = client.get(f"{BASE}/{ref}", headers=head).json()
    assert case["view"] == "case" and case["what"] == WHAT and case["state"] == "raised"
    assert case["raised_by"] == "Debbie Singh"
    assert case["routed_to"] == ["Alice Hartley"] and case["because"]
    assert case["missing"] and case["outcome"] is None and case["lado_decision"] is None

    response = post(client, None, f"{BASE}/{ref}/triage", {"to": "low_level"}, head)
    assert response.status_code == 200
    assert response.json()["state"] == "low_level"
    assert response.json()["triaged_as"] == "low_level"

    response = post(client, None, f"{BASE}/{ref}/hr-consultation", hr_body(), head)
    assert response.status_code == 200
    assert response.json()["hr_consultation"]["adviser"] == "Helen Ramsay, county HR"
    assert response.json()["missing"] == []

    response = post(
        client,
        None,
        f"{BASE}/{ref}/outcome",
        {"outcome": "advice", "reason": "Spoken to; he has taken the photos down."},
        head,
    )
    assert response.status_code == 200
    closed = response.json()
    assert closed["state"] == "closed"
    assert closed["outcome"]["value"] == "advice"
    assert closed["outcome"]["label"] == "Advice and guidance"
    assert closed["outcome"]["closed_at"]
    steps = [s["what"] for s in closed["chronology"]]
    assert steps[0] == "Raised the concern"
    assert steps[1] == "Triaged it as a low-level concern"
    assert "Recorded the consultation with the HR adviser" in steps
    assert steps[-1].startswith("Recorded the outcome (Advice and guidance)")
    assert closed["chronology"][-1]["who"] == "Alice Hartley"

    assert client.get(BASE, headers=head).json()["cases"] == []
    assert [c["ref"] for c in client.get(f"{BASE}?state=closed", headers=head).json()["cases"]] == [
        ref
    ]
    receipt = client.get(f"{BASE}/{ref}", headers=bearer(cast.dsl)).json()
    assert receipt == {
        "view": "receipt",
        "ref": ref,
        "kind": "social_media",
        "raised_at": receipt["raised_at"],
        "status": "closed",
    }
    register = client.get(f"{BASE}/low-level-register", headers=head).json()
    assert register == [
        {
            "person": {"id": person(cast.teacher).pk, "display_name": "Tom Wren"},
            "concerns": [
                {
                    "ref": ref,
                    "raised_at": register[0]["concerns"][0]["raised_at"],
                    "kind": "social_media",
                    "state": "closed",
                    "outcome": "advice",
                    "outcome_label": "Advice and guidance",
                }
            ],
        }
    ]


def test_the_register_is_refused_to_a_teacher(client, cast):
    response = client.get(f"{BASE}/low-level-register", headers=bearer(cast.teacher))

    assert response.status_code == 403
    assert response.json()["detail"]


# ---------------------------------------------------------------- a case about the Head


@pytest.fixture
def about_the_head(client, cast) -> str:
    return raise_about(client, cast.teacher, cast.head, pupil=True)["ref"]


def test_the_chair_and_the_dsl_list_it_with_the_lado_clock(client, cast, about_the_head):
    for handler in (cast.chair, cast.dsl):
        listed = client.get(BASE, headers=bearer(handler)).json()["cases"]
        assert [c["ref"] for c in listed] == [about_the_head]
        assert listed[0]["pupil_involved"] is True
        clock = listed[0]["lado"]
        assert clock is not None and clock["due"] and clock["words"]
        assert clock["overdue"] is False

    case = client.get(f"{BASE}/{about_the_head}", headers=bearer(cast.chair)).json()
    assert sorted(case["routed_to"]) == ["Charles Bell", "Debbie Singh"]
    assert case["lado"]["due"]


def test_the_head_never_learns_of_it(client, cast, about_the_head):
    head = bearer(cast.head)
    unknown = client.get(f"{BASE}/ZZZZZZZZ", headers=head)

    response = client.get(f"{BASE}/{about_the_head}", headers=head)

    assert response.status_code == 404 == unknown.status_code
    assert response.content == unknown.content
    for step in STEPS:
        answer = post(client, None, f"{BASE}/{about_the_head}/{step}", {}, head)
        assert answer.status_code == 404, step
        assert answer.content == unknown.content
    upload = client.post(
        f"{BASE}/{about_the_head}/evidence",
        {"files": [_file("a.txt", b"hello")]},
        headers=head,
    )
    assert upload.status_code == 404
    for query in ("", "?state=all", f"?state=all&q={about_the_head}", "?state=all&q=Hartley"):
        listed = client.get(f"{BASE}{query}", headers=head).json()
        assert listed == {"cases": [], "raised": []}, query
    assert not AuditEntry.objects.filter(
        object_id=about_the_head, actor=cast.head, outcome="allowed"
    ).exists()


def test_the_raiser_gets_the_receipt_only(client, cast, about_the_head):
    response = client.get(f"{BASE}/{about_the_head}", headers=bearer(cast.teacher))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == RECEIPT_KEYS
    assert body["status"] == "open"
    assert WHAT not in response.content.decode()
    listed = client.get(f"{BASE}?state=all", headers=bearer(cast.teacher)).json()
    assert listed["cases"] == []
    assert [set(r) for r in listed["raised"]] == [RECEIPT_KEYS]
    answer = post(client, cast.teacher, f"{BASE}/{about_the_head}/triage", {"to": "allegation"})
    assert answer.status_code == 404


@pytest.mark.parametrize("who", ["dpo", "hr", "it", "outsider"])
def test_anyone_else_gets_404(client, cast, about_the_head, who):
    response = client.get(f"{BASE}/{about_the_head}", headers=bearer(getattr(cast, who)))

    assert response.status_code == 404


def test_the_chair_records_the_lado_decision_and_closes_it(client, cast, about_the_head):
    chair = bearer(cast.chair)
    ref = about_the_head
    response = post(client, None, f"{BASE}/{ref}/outcome", {"outcome": "advice"}, chair)
    assert response.status_code == 409
    assert "riage" in response.json()["detail"]

    assert (
        post(client, None, f"{BASE}/{ref}/triage", {"to": "allegation"}, chair).status_code == 200
    )
    again = post(client, None, f"{BASE}/{ref}/triage", {"to": "low_level"}, chair)
    assert again.status_code == 409

    missing = post(client, None, f"{BASE}/{ref}/lado-decision", {}, chair)
    assert missing.status_code == 422
    assert set(missing.json()["errors"]) == {"referred", "reason"}
    decided = post(
        client,
        None,
        f"{BASE}/{ref}/lado-decision",
        {"referred": True, "reason": "A pupil was in the photos."},
        chair,
    ).json()
    assert decided["lado"] is None
    assert decided["lado_decision"]["referred"] is True
    assert decided["lado_decision"]["by"] == "Charles Bell"
    twice = post(
        client, None, f"{BASE}/{ref}/lado-decision", {"referred": False, "reason": "x"}, chair
    )
    assert twice.status_code == 409

    assert post(client, None, f"{BASE}/{ref}/hr-consultation", hr_body(), chair).status_code == 200
    closed = post(
        client,
        None,
        f"{BASE}/{ref}/outcome",
        {"outcome": "referral", "reason": "Referred to the LADO."},
        bearer(cast.dsl),
    ).json()
    assert closed["state"] == "closed"
    late = post(client, None, f"{BASE}/{ref}/hr-consultation", hr_body(), chair)
    assert late.status_code == 409


# ---------------------------------------------------------------- errors of the steps


def test_step_fields_come_back_by_field(client, cast):
    ref = raise_about(client, cast.dsl, cast.teacher)["ref"]
    head = bearer(cast.head)

    triage = post(client, None, f"{BASE}/{ref}/triage", {"to": "sacking"}, head)
    assert triage.status_code == 422
    assert set(triage.json()["errors"]) == {"to"}

    hr = post(client, None, f"{BASE}/{ref}/hr-consultation", {}, head)
    assert hr.status_code == 422
    assert set(hr.json()["errors"]) == {"adviser", "consulted_at", "advice"}

    assert post(client, None, f"{BASE}/{ref}/triage", {"to": "low_level"}, head).status_code == 200
    assert post(client, None, f"{BASE}/{ref}/hr-consultation", hr_body(), head).status_code == 200
    outcome = post(client, None, f"{BASE}/{ref}/outcome", {"outcome": "shrug"}, head)
    assert outcome.status_code == 422
    assert set(outcome.json()["errors"]) == {"outcome"}


def test_no_lado_decision_without_a_pupil_is_409(client, cast):
    ref = raise_about(client, cast.dsl, cast.teacher)["ref"]

    response = post(
        client,
        cast.head,
        f"{BASE}/{ref}/lado-decision",
        {"referred": False, "reason": "No pupil."},
    )

    assert response.status_code == 409
    assert "pupil" in response.json()["detail"]


def test_an_unknown_state_is_422_by_field(client, cast):
    response = client.get(f"{BASE}?state=yesterday", headers=bearer(cast.head))

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"state"}


def test_search_finds_within_the_heads_cases(client, cast):
    ref = raise_about(client, cast.dsl, cast.teacher)["ref"]
    head = bearer(cast.head)

    assert [c["ref"] for c in client.get(f"{BASE}?q=wren", headers=head).json()["cases"]] == [ref]
    assert client.get(f"{BASE}?q=nobody+here", headers=head).json()["cases"] == []


# ---------------------------------------------------------------- evidence


def _file(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="image/png")


def test_the_head_adds_evidence_and_downloads_it_as_an_attachment(client, cast):
    ref = raise_about(client, cast.dsl, cast.teacher)["ref"]
    head = bearer(cast.head)

    response = client.post(
        f"{BASE}/{ref}/evidence",
        {"files": [_file("screenshot one.png", b"\x89PNG one"), _file("two.png", b"two")]},
        headers=head,
    )

    assert response.status_code == 200
    evidence = response.json()["evidence"]
    assert [(e["name"], e["size"]) for e in evidence] == [
        ("screenshot one.png", 8),
        ("two.png", 3),
    ]
    assert "Added evidence" in [s["what"] for s in response.json()["chronology"]]
    download = client.get(f"{BASE}/{ref}/evidence/{evidence[0]['id']}", headers=head)
    assert download.status_code == 200
    assert download.content == b"\x89PNG one"
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "screenshot one.png" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="case.evidence.view", object_id=ref).exists()

    raiser = bearer(cast.dsl)
    assert client.get(f"{BASE}/{ref}/evidence/{evidence[0]['id']}", headers=raiser).status_code == (
        404
    )
    more = client.post(f"{BASE}/{ref}/evidence", {"files": [_file("c.png", b"c")]}, headers=raiser)
    assert more.status_code == 404
    assert client.get(f"{BASE}/{ref}/evidence/999999", headers=head).status_code == 404


def test_an_empty_file_is_refused_by_field(client, cast):
    ref = raise_about(client, cast.dsl, cast.teacher)["ref"]

    response = client.post(
        f"{BASE}/{ref}/evidence", {"files": [_file("empty.png", b"")]}, headers=bearer(cast.head)
    )

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"evidence"}


def test_a_case_raised_through_the_service_reads_the_same(client, cast):
    case = services.raise_concern(
        cast.dsl,
        cast.school,
        kind="internet",
        what="Visited gambling sites in lessons.",
        happened_on=dt.date(2026, 1, 5),
        subjects=[person(cast.monitor).pk],
        pupil_involved=False,
    )

    body = client.get(f"{BASE}/{case.ref.lower()}", headers=bearer(cast.head)).json()

    assert body["ref"] == case.ref
    assert body["kind_label"] == "Use of the internet"
    assert body["links"] == {"exercises": [], "web_alerts": [], "held_mail": []}


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+23:00", "9999-12-31T23:59:59-23:00"])
def test_a_consultation_at_the_ends_of_time_is_refused_by_field(client, cast, when):
    ref = raise_about(client, cast.dsl, cast.teacher)["ref"]

    response = post(
        client,
        cast.head,
        f"{BASE}/{ref}/hr-consultation",
        {"adviser": "Helen Ramsay", "consulted_at": when, "advice": "Talk to him."},
    )

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"consulted_at"}


def test_nul_characters_and_huge_ids_are_answered_not_a_server_error(client, cast):
    response = post(
        client,
        cast.teacher,
        BASE,
        {
            "kind": "email",
            "what": "Sent\x00 marks home.",
            "happened_on": "2026-01-12",
            "subjects": [2**70],
            "pupil_involved": False,
        },
    )

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"subjects"}
    assert client.get(f"{BASE}/AB\x00CD", headers=bearer(cast.head)).status_code == 404


def test_the_school_is_named_by_a_query_when_the_caller_has_more_than_one(client, cast):
    """The trust's administrator has both of its schools: they say which; someone with one
    school may leave it out; a school that is not the caller's is not there."""
    admin = bearer(cast.org_admin)
    several = client.get(BASE, headers=admin)
    assert several.status_code == 422 and "?school=" in several.json()["detail"]
    assert client.get(BASE, {"school": "oak"}, headers=admin).status_code == 200
    assert client.get(BASE, {"school": "oak"}, headers=bearer(cast.teacher)).status_code == 200
    assert client.get(BASE, {"school": "oak"}, headers=bearer(cast.outsider)).status_code == 404


def test_a_handler_links_an_alert_and_opens_an_exercise_from_a_case(client, cast):
    from fairwatch.internet.models import Alert

    ref = raise_about(client, cast.teacher, cast.it)["ref"]
    head = bearer(cast.head)
    alert = Alert.objects.create(
        school=cast.school,
        pseudonym="p-9",
        category="gambling",
        day=dt.date(2026, 11, 20),
        count=2,
        first_at=timezone.now(),
        last_at=timezone.now(),
    )
    linked = post(client, cast.head, f"{BASE}/{ref}/links", {"web_alert": alert.pk}, head)
    assert linked.status_code == 200 and linked.json()["links"]["web_alerts"] == [alert.pk]
    unknown = post(client, cast.head, f"{BASE}/{ref}/links", {"exercise": "NOPE2345"}, head)
    assert unknown.status_code == 422 and "exercise" in unknown.json()["errors"]
    opened = post(client, cast.head, f"{BASE}/{ref}/exercise", {"subject": person(cast.it).pk})
    assert opened.status_code == 201, opened.content
    case = client.get(f"{BASE}/{ref}", headers=head).json()
    assert case["links"]["exercises"] == [opened.json()["ref"]]
    wrong = post(client, cast.head, f"{BASE}/{ref}/exercise", {"subject": person(cast.dsl).pk})
    assert wrong.status_code == 422 and "subject" in wrong.json()["errors"]
    # Someone the case does not go to: the same 404 as anywhere.
    for path, body in (("links", {"web_alert": alert.pk}), ("exercise", {"subject": 1})):
        assert post(client, cast.dsl, f"{BASE}/{ref}/{path}", body).status_code == 404
