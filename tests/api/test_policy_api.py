"""The policy API under /api/v1/schools/{slug}/policy (issue 9): versions, the words in force,
comparing versions, reading and acknowledging, who has not, publishing; refusals and
messages that name the field; the schema."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fairwatch.audit.models import AuditEntry
from fairwatch.policy import store
from fairwatch.policy.models import PolicyVersion
from fairwatch.schools.models import Person
from fairwatch.schools.services import issue_token
from tests.cast import add_person

pytestmark = pytest.mark.django_db

API = "/api/v1"
BASE = f"{API}/schools/oak/policy"
PATHS = {
    "/schools/{slug}/policy": {"get"},
    "/schools/{slug}/policy/versions": {"get", "post"},
    "/schools/{slug}/policy/compare": {"get"},
    "/schools/{slug}/policy/to-read": {"get"},
    "/schools/{slug}/policy/acknowledge": {"post"},
    "/schools/{slug}/policy/acknowledgements": {"get"},
}
NEW_WORDS = "Ask the Headteacher in writing before any private use."


def bearer(user) -> dict[str, str]:
    _, secret = issue_token(user, "tests")
    return {"Authorization": f"Bearer {secret}"}


def get(client, user, path):
    return client.get(path, headers=bearer(user))


def post(client, user, path, body=None):
    if body is None:  # no body at all: the default
        return client.generic("POST", path, b"", headers=bearer(user))
    return client.post(path, body, content_type="application/json", headers=bearer(user))


def today() -> dt.date:
    return timezone.localdate()


def publish_body(**overrides):
    body = {
        "effective_from": today().isoformat(),
        "duties_changed": True,
        "changes": [
            {"day": today().isoformat(), "paragraphs": "3.1", "summary": "Ask in writing first."}
        ],
        "clauses": {"3.1": {"title": "Private use needs permission", "text": NEW_WORDS}},
    }
    body.update(overrides)
    return body


# ---------------------------------------------------------------- schema


def test_the_schema_lists_every_policy_route(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]

    for path, methods in PATHS.items():
        assert f"{API}{path}" in paths, path
        assert methods <= set(paths[f"{API}{path}"]), path
        for method in methods:
            operation = paths[f"{API}{path}"][method]
            assert operation.get("security"), path
            assert "policy" in operation["tags"], path
    compare = paths[f"{API}/schools/{{slug}}/policy/compare"]["get"]
    assert {"from", "to"} <= {p["name"] for p in compare["parameters"]}


# ---------------------------------------------------------------- reading


def test_versions_start_with_the_shipped_model(client, cast):
    response = get(client, cast.teacher, f"{BASE}/versions")

    assert response.status_code == 200, response.content
    (first,) = response.json()
    assert first["number"] == 1
    assert first["effective_from"] == "2021-11-16"
    assert first["published_by"] is None
    assert first["duties_changed"] is True
    assert first["changes"]
    assert set(first["changes"][0]) == {"day", "paragraphs", "summary"}


def test_the_policy_in_force_today_has_every_clause(client, cast):
    response = get(client, cast.teacher, BASE)

    assert response.status_code == 200
    body = response.json()
    assert body["number"] == 1
    assert body["on"] == today().isoformat()
    ids = [c["id"] for c in body["clauses"]]
    assert ids[:4] == ["1", "2", "3", "3.1"]
    assert set(body["clauses"][0]) == {"id", "title", "text", "applicable", "reason"}


def test_one_clause_on_a_day(client, cast):
    response = get(client, cast.teacher, f"{BASE}?on=2022-01-01&clause=3.1")

    assert response.status_code == 200
    (clause,) = response.json()["clauses"]
    assert clause["id"] == "3.1"
    assert clause["title"] == "Private use needs permission"
    assert clause["applicable"] is True


def test_an_unknown_clause_is_404_naming_it(client, cast):
    response = get(client, cast.teacher, f"{BASE}?clause=99.9")

    assert response.status_code == 404
    assert "99.9" in response.json()["detail"]
    assert response.json()["detail"].startswith("clause:")


def test_a_day_before_the_first_version_is_404_with_the_day_it_starts(client, cast):
    response = get(client, cast.teacher, f"{BASE}?on=2000-01-01")

    assert response.status_code == 404
    detail = response.json()["detail"]
    assert "1 January 2000" in detail
    assert "16 November 2021" in detail


def test_a_bad_day_is_422(client, cast):
    assert get(client, cast.teacher, f"{BASE}?on=yesterday").status_code == 422


def test_someone_not_at_the_school_gets_404(client, cast):
    response = get(client, cast.outsider, f"{BASE}/versions")

    assert response.status_code == 404
    assert get(client, cast.teacher, f"{API}/schools/elm/policy").status_code == 404


def test_no_credentials_is_401(client, cast):
    assert client.get(f"{BASE}/versions").status_code == 401


def test_session_auth_reads_the_policy(client, cast):
    client.force_login(cast.teacher)

    assert client.get(f"{BASE}/to-read").status_code == 200


# ---------------------------------------------------------------- compare


def test_comparing_unknown_versions_is_404_naming_the_field(client, cast):
    response = get(client, cast.teacher, f"{BASE}/compare?from=1&to=7")

    assert response.status_code == 404
    assert response.json()["detail"] == (
        "to: there is no version 7 of the policy; it has only version 1."
    )
    response = get(client, cast.teacher, f"{BASE}/compare?from=0&to=1")
    assert response.status_code == 404
    assert response.json()["detail"].startswith("from: there is no version 0")


def test_compare_needs_both_numbers(client, cast):
    assert get(client, cast.teacher, f"{BASE}/compare?from=1").status_code == 422
    assert get(client, cast.teacher, f"{BASE}/compare?from=1&to=x").status_code == 422


def test_a_version_compared_with_itself_has_no_changes(client, cast):
    response = get(client, cast.teacher, f"{BASE}/compare?from=1&to=1")

    assert response.status_code == 200
    assert response.json() == []


# ---------------------------------------------------------------- publishing


def test_only_the_head_or_the_trust_publishes(client, cast):
    for user in (cast.teacher, cast.dpo, cast.chair):
        response = post(client, user, f"{BASE}/versions", publish_body())
        assert response.status_code == 403, user
        assert response.json()["detail"]
    assert PolicyVersion.objects.filter(school=cast.school).count() == 1
    assert AuditEntry.objects.filter(action="policy.publish", outcome="refused").exists()

    response = post(client, cast.org_admin, f"{BASE}/versions", publish_body())
    assert response.status_code == 201, response.content
    assert response.json()["number"] == 2


def test_a_version_that_changes_nothing_is_422_by_field(client, cast):
    body = publish_body(changes=[], clauses={})

    response = post(client, cast.head, f"{BASE}/versions", body)

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["clauses"] == "Nothing has changed from version 1."
    assert errors["changes"] == "Add a row to the table of changes saying what changed."


def test_a_version_before_the_current_one_is_422_by_field(client, cast):
    body = publish_body(effective_from="2020-01-01")

    response = post(client, cast.head, f"{BASE}/versions", body)

    assert response.status_code == 422
    assert "16 November 2021" in response.json()["errors"]["effective_from"]


@pytest.mark.parametrize(
    "clauses, words",
    [
        ({"3.1": {"title": "T", "text": "x", "applicable": False}}, "give a reason"),
        ({"not-an-id": {"title": "T", "text": "x"}}, "not a clause id"),
        ({"99": None}, "there is no clause 99 to remove"),
        ({"3.1": {"title": "T\x00", "text": "x"}}, "NUL"),
    ],
)
def test_clauses_that_cannot_be_taken_are_422_under_clauses(client, cast, clauses, words):
    response = post(client, cast.head, f"{BASE}/versions", publish_body(clauses=clauses))

    assert response.status_code == 422
    assert words in response.json()["errors"]["clauses"]
    assert not PolicyVersion.objects.filter(school=cast.school, number=2).exists()


def test_a_nul_character_is_422_naming_its_field(client, cast):
    body = publish_body(note="a\x00b")

    response = post(client, cast.head, f"{BASE}/versions", body)

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"note"}


def test_clauses_left_out_are_kept_and_null_removes_one(client, cast):
    body = publish_body(clauses={"3.1": {"title": "Private use", "text": NEW_WORDS}, "3.4": None})

    response = post(client, cast.head, f"{BASE}/versions", body)

    assert response.status_code == 201, response.content
    version = store.versions(cast.school)[-1]
    before = store.versions(cast.school)[0]
    assert version.clauses["3.1"].text == NEW_WORDS
    assert "3.4" not in version.clauses
    assert version.clauses["3.2"] == before.clauses["3.2"]
    assert len(version.clauses) == len(before.clauses) - 1


def test_a_clause_can_be_marked_as_not_applying(client, cast):
    clause = store.versions(cast.school)[0].clauses["6.5"]
    body = publish_body(
        clauses={
            "6.5": {
                "title": clause.title,
                "text": clause.text,
                "applicable": False,
                "reason": "We have no school social media accounts.",
            }
        }
    )

    assert post(client, cast.head, f"{BASE}/versions", body).status_code == 201
    response = get(client, cast.teacher, f"{BASE}/compare?from=1&to=2")
    (change,) = response.json()
    assert change["kind"] == "now not applicable"
    assert "no school social media accounts" in change["summary"]
    shown = get(client, cast.teacher, f"{BASE}?clause=6.5").json()["clauses"][0]
    assert shown["applicable"] is False
    assert shown["reason"] == "We have no school social media accounts."


# ---------------------------------------------------------------- acknowledging


def test_the_whole_round_publish_compare_read_acknowledge_count(client, cast):
    teacher = Person.objects.get(user=cast.teacher)
    store.acknowledge(cast.teacher, cast.school, 1)  # the teacher had read version 1

    published = post(client, cast.head, f"{BASE}/versions", publish_body())
    assert published.status_code == 201, published.content
    version = published.json()
    assert version["number"] == 2
    assert version["published_by"] == "Alice Hartley"
    assert version["effective_from"] == today().isoformat()
    assert version["changes"] == [
        {"day": today().isoformat(), "paragraphs": "3.1", "summary": "Ask in writing first."}
    ]
    listed = get(client, cast.teacher, f"{BASE}/versions").json()
    assert [v["number"] for v in listed] == [1, 2]

    compared = get(client, cast.teacher, f"{BASE}/compare?from=1&to=2")
    assert compared.status_code == 200
    (change,) = compared.json()
    assert change["id"] == "3.1"
    assert change["kind"] == "changed"
    assert change["summary"].startswith("Clause 3.1 changed:")
    assert {run["op"] for run in change["runs"]} >= {"added", "removed"}
    new_text = "".join(r["text"] for r in change["runs"] if r["op"] != "removed")
    assert new_text == NEW_WORDS

    before = get(client, cast.head, f"{BASE}/acknowledgements").json()
    latest = before[-1]
    assert latest["version"] == 2
    assert teacher.pk in {p["id"] for p in latest["outstanding_people"]}
    assert before[0]["outstanding_people"] is None  # names only for the version to read now

    to_read = get(client, cast.teacher, f"{BASE}/to-read").json()
    assert to_read["version"] == 2
    assert to_read["acknowledged"] is False
    assert to_read["acknowledged_at"] is None
    assert to_read["last_acknowledged"] == 1
    assert [c["id"] for c in to_read["changes"]] == ["3.1"]

    acknowledged = post(client, cast.teacher, f"{BASE}/acknowledge")
    assert acknowledged.status_code == 200, acknowledged.content
    assert acknowledged.json()["version"] == 2
    again = post(client, cast.teacher, f"{BASE}/acknowledge", {"version": 2})
    assert again.status_code == 200
    assert again.json()["at"] == acknowledged.json()["at"]  # saying so twice changes nothing

    to_read = get(client, cast.teacher, f"{BASE}/to-read").json()
    assert to_read["acknowledged"] is True
    assert to_read["acknowledged_at"] == acknowledged.json()["at"]
    assert to_read["changes"] == []

    after = get(client, cast.dpo, f"{BASE}/acknowledgements").json()[-1]
    assert after["acknowledged"] == latest["acknowledged"] + 1
    assert after["outstanding"] == latest["outstanding"] - 1
    assert after["asked"] == latest["asked"]
    assert after["by_role"]["staff"]["acknowledged"] >= 1
    assert teacher.pk not in {p["id"] for p in after["outstanding_people"]}


def test_someone_who_never_acknowledged_sees_every_clause_as_added(client, cast):
    response = get(client, cast.teacher, f"{BASE}/to-read")

    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 1
    assert body["last_acknowledged"] is None
    assert len(body["changes"]) == len(store.versions(cast.school)[0].clauses)
    assert {c["kind"] for c in body["changes"]} == {"added"}


def test_acknowledging_an_older_version_by_number(client, cast):
    post(client, cast.head, f"{BASE}/versions", publish_body())

    response = post(client, cast.teacher, f"{BASE}/acknowledge", {"version": 1})

    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert get(client, cast.teacher, f"{BASE}/to-read").json()["acknowledged"] is False


def test_an_empty_json_body_acknowledges_the_version_in_force(client, cast):
    response = post(client, cast.teacher, f"{BASE}/acknowledge", {})

    assert response.status_code == 200
    assert response.json()["version"] == 1


def test_acknowledging_an_unknown_version_is_404(client, cast):
    response = post(client, cast.teacher, f"{BASE}/acknowledge", {"version": 5})

    assert response.status_code == 404
    assert response.json()["detail"].startswith("version: there is no version 5")


def test_acknowledging_a_version_not_yet_in_force_is_422_by_field(client, cast):
    later = (today() + dt.timedelta(days=30)).isoformat()
    post(client, cast.head, f"{BASE}/versions", publish_body(effective_from=later))

    response = post(client, cast.teacher, f"{BASE}/acknowledge", {"version": 2})

    assert response.status_code == 422
    assert "acknowledge it from then" in response.json()["errors"]["version"]


def test_someone_not_on_the_staff_list_cannot_acknowledge_or_be_asked(client, cast):
    response = post(client, cast.org_admin, f"{BASE}/acknowledge")

    assert response.status_code == 403
    assert "Only staff and volunteers" in response.json()["detail"]
    assert AuditEntry.objects.filter(action="policy.acknowledge", outcome="refused").exists()
    assert get(client, cast.org_admin, f"{BASE}/to-read").status_code == 403


@pytest.mark.parametrize("who", ["teacher", "dsl", "chair", "it", "org_admin"])
def test_who_has_not_read_it_is_for_the_head_and_the_dpo_only(client, cast, who):
    response = get(client, getattr(cast, who), f"{BASE}/acknowledgements")

    assert response.status_code == 403
    assert response.json()["detail"]


def test_the_head_sees_the_counts_by_role(client, cast):
    response = get(client, cast.head, f"{BASE}/acknowledgements")

    assert response.status_code == 200
    (report,) = response.json()
    assert report["version"] == 1
    assert report["acknowledged"] == 0
    assert report["outstanding"] == report["asked"] > 0
    assert len(report["outstanding_people"]) == report["asked"]
    names = {p["display_name"] for p in report["outstanding_people"]}
    assert {"Alice Hartley", "Tom Wren"} <= names
    assert report["by_role"]["headteacher"] == {"asked": 1, "acknowledged": 0, "outstanding": 1}


def test_the_counts_come_by_group_too(client, cast):
    add_person(cast.school, Person.Kind.VOLUNTEER, "V1", "Val", "Green", email="val@oak.example")
    store.acknowledge(cast.teacher, cast.school)

    response = get(client, cast.dpo, f"{BASE}/acknowledgements")

    assert response.status_code == 200
    (report,) = response.json()
    assert report["by_group"] == {
        "staff": {"label": "Staff", "asked": 8, "acknowledged": 1, "outstanding": 7},
        "volunteer": {"label": "Volunteers", "asked": 1, "acknowledged": 0, "outstanding": 1},
    }
