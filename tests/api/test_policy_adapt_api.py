"""The API for adapting the policy (issue 9): a school's draft under
/api/v1/schools/{slug}/policy/draft, what changed upstream and merging it, and the
organisation's model under /api/v1/organisations/{org}/model-policy; who may, and messages
that name the field. The rules themselves are tested in tests/policy/test_adapt.py."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from fairwatch.audit.models import AuditEntry
from fairwatch.policy import adapt, store
from fairwatch.policy.models import Draft, ModelVersion
from fairwatch.schools.models import Organisation
from fairwatch.schools.services import issue_token

pytestmark = pytest.mark.django_db

API = "/api/v1"
SCHOOL = f"{API}/schools/oak/policy"
MODEL = f"{API}/organisations/broad/model-policy"


def bearer(user) -> dict[str, str]:
    _, secret = issue_token(user, "tests")
    return {"Authorization": f"Bearer {secret}"}


def call(client, user, method, path, body=None):
    if body is None:
        return client.generic(method, path, b"", headers=bearer(user))
    return client.generic(
        method, path, json.dumps(body), content_type="application/json", headers=bearer(user)
    )


def publish_body(**overrides):
    body = {
        "effective_from": timezone.localdate().isoformat(),
        "summary": "Adapted to the school.",
        "paragraphs": "3",
    }
    body.update(overrides)
    return body


def clause_words(client, user, path, clause_id):
    draft = call(client, user, "GET", f"{path}/draft").json()["draft"]
    return next(each for each in draft["clauses"] if each["id"] == clause_id)


# ---------------------------------------------------------------- schema


def test_the_schema_lists_the_routes_with_auth_and_dotted_clause_ids(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    expected = {
        "/schools/{slug}/policy/draft": {"get", "post", "delete"},
        "/schools/{slug}/policy/draft/clauses": {"post"},
        "/schools/{slug}/policy/draft/clauses/{clause_id}": {"put", "delete"},
        "/schools/{slug}/policy/upstream": {"get"},
        "/schools/{slug}/policy/draft/merge": {"post"},
        "/schools/{slug}/policy/draft/conflicts/{clause_id}": {"post"},
        "/schools/{slug}/policy/draft/publish": {"post"},
        "/organisations/{org}/model-policy/versions": {"get"},
        "/organisations/{org}/model-policy/draft": {"get", "post", "delete"},
        "/organisations/{org}/model-policy/draft/clauses": {"post"},
        "/organisations/{org}/model-policy/draft/clauses/{clause_id}": {"put", "delete"},
        "/organisations/{org}/model-policy/draft/publish": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[f"{API}{path}"]), path
        for method in methods:
            assert paths[f"{API}{path}"][method].get("security"), path


# ---------------------------------------------------------------- a school's journey


def test_the_headteacher_adapts_and_publishes_by_token(client, cast):
    head = cast.head
    assert call(client, head, "GET", f"{SCHOOL}/draft").json() == {"draft": None}

    started = call(client, head, "POST", f"{SCHOOL}/draft")
    assert started.status_code == 200 and started.json()["based_on"] == 1

    edited = call(
        client,
        head,
        "PUT",
        f"{SCHOOL}/draft/clauses/3",
        {"title": "Internet use", "text": "Ask the Headteacher first."},
    )
    assert edited.status_code == 200
    states = {each["id"]: each["state"] for each in edited.json()["clauses"]}
    assert states["3"] == "changed" and states["4"] == "unchanged"

    added = call(
        client,
        head,
        "POST",
        f"{SCHOOL}/draft/clauses",
        {"clause": "6.12", "title": "Class blogs", "text": "Ask before posting."},
    )
    assert added.status_code == 201

    monitors = clause_words(client, head, SCHOOL, "7.2.1")
    marked = call(
        client,
        head,
        "PUT",
        f"{SCHOOL}/draft/clauses/7.2.1",  # a dotted id reaches the route
        {
            "title": monitors["title"],
            "text": monitors["text"],
            "applies": False,
            "reason": "We have no e-safety monitors.",
        },
    )
    assert marked.status_code == 200
    draft = marked.json()
    by_id = {each["id"]: each for each in draft["clauses"]}
    assert by_id["6.12"]["state"] == "added"
    assert by_id["7.2.1"]["state"] == "not applicable"
    assert by_id["7.2.1"]["reason"] == "We have no e-safety monitors."
    kinds = {each["id"]: each["kind"] for each in draft["changes"]}
    assert kinds == {"3": "changed", "6.12": "added", "7.2.1": "now not applicable"}

    published = call(client, head, "POST", f"{SCHOOL}/draft/publish", publish_body())
    assert published.status_code == 201
    assert published.json()["number"] == 2 and published.json()["model_number"] == 1
    version = store.versions(cast.school)[-1]
    assert version.number == 2
    assert version.clauses["3"].text == "Ask the Headteacher first."
    assert version.clauses["6.12"].title == "Class blogs"
    assert version.clauses["7.2.1"].reason == "We have no e-safety monitors."
    assert call(client, head, "GET", f"{SCHOOL}/draft").json() == {"draft": None}
    steps = set(AuditEntry.objects.filter(school=cast.school).values_list("action", flat=True))
    assert {"policy.draft.edit", "policy.draft.add", "policy.draft.not_applicable"} <= steps


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("PUT", "draft/clauses/3", {"title": " ", "text": "x"}, "title"),
        ("PUT", "draft/clauses/3", {"title": "T", "text": "x", "applies": False}, "reason"),
        ("PUT", "draft/clauses/3", {"title": "T", "text": "x", "reason": "Why"}, "reason"),
        ("PUT", "draft/clauses/3", {"title": "T", "text": "a\u0000b"}, "text"),
        ("PUT", "draft/clauses/3", {"title": "T\ud800", "text": "x"}, "title"),
        ("POST", "draft/publish", publish_body(summary="Done\udfff"), "summary"),
        ("PUT", "draft/clauses/99", {"title": "T", "text": "x"}, "clause"),
        ("PUT", "draft/clauses/six", {"title": "T", "text": "x"}, "clause"),
        ("POST", "draft/clauses", {"clause": "six", "title": "T", "text": "x"}, "clause"),
        ("POST", "draft/clauses", {"clause": "3", "title": "T", "text": "x"}, "clause"),
        ("DELETE", "draft/clauses/3", None, "clause"),
        ("POST", "draft/publish", publish_body(summary=""), "summary"),
        ("POST", "draft/publish", publish_body(), "clauses"),  # nothing changed
        ("POST", "draft/conflicts/3", {"choice": "ours"}, "clause"),
        ("POST", "draft/merge", None, "model"),  # already up to date
    ],
)
def test_bad_input_is_422_naming_the_field_and_changes_nothing(
    client, cast, method, path, body, field
):
    call(client, cast.head, "POST", f"{SCHOOL}/draft")
    before = Draft.objects.get(school=cast.school).clauses

    answer = call(client, cast.head, method, f"{SCHOOL}/{path}", body)

    assert answer.status_code == 422, answer.content
    assert field in answer.json()["errors"]
    assert answer.json()["detail"]
    assert Draft.objects.get(school=cast.school).clauses == before
    assert len(store.versions(cast.school)) == 1


def test_publishing_with_no_draft_is_422_on_the_draft_field(client, cast):
    answer = call(client, cast.head, "POST", f"{SCHOOL}/draft/publish", publish_body())
    assert answer.status_code == 422 and "draft" in answer.json()["errors"]


def test_a_clause_of_the_schools_own_is_removed_and_the_draft_discarded(client, cast):
    body = {"clause": "6.12", "title": "Class blogs", "text": "Ask first."}
    call(client, cast.head, "POST", f"{SCHOOL}/draft/clauses", body)
    removed = call(client, cast.head, "DELETE", f"{SCHOOL}/draft/clauses/6.12")
    assert removed.status_code == 200
    assert "6.12" not in {each["id"] for each in removed.json()["clauses"]}

    assert call(client, cast.head, "DELETE", f"{SCHOOL}/draft").status_code == 204
    assert not Draft.objects.filter(school=cast.school).exists()


# ---------------------------------------------------------------- the organisation's model


def test_a_model_change_reaches_the_school_and_a_conflict_is_settled(client, cast):
    head, admin = cast.head, cast.org_admin
    # The school adapts clause 3 and publishes version 2.
    call(client, head, "PUT", f"{SCHOOL}/draft/clauses/3", {"title": "Internet", "text": "Ours."})
    assert call(client, head, "POST", f"{SCHOOL}/draft/publish", publish_body()).status_code == 201
    assert call(client, head, "GET", f"{SCHOOL}/upstream").json()["up_to_date"] is True

    # The trust changes clauses 3 and 4 in its model and publishes model version 2.
    call(client, admin, "POST", f"{MODEL}/draft")
    model_4 = clause_words(client, admin, MODEL, "4")
    call(client, admin, "PUT", f"{MODEL}/draft/clauses/3", {"title": "Internet", "text": "Theirs."})
    call(
        client,
        admin,
        "PUT",
        f"{MODEL}/draft/clauses/4",
        {"title": model_4["title"], "text": "Model words for 4."},
    )
    model = call(client, admin, "POST", f"{MODEL}/draft/publish", publish_body(summary="Model"))
    assert model.status_code == 201 and model.json()["number"] == 2
    versions = call(client, head, "GET", f"{MODEL}/versions").json()  # the school's Head reads
    assert [each["number"] for each in versions] == [1, 2]
    assert versions[1]["changes"][-1]["summary"] == "Model"

    upstream = call(client, head, "GET", f"{SCHOOL}/upstream").json()
    assert (upstream["up_to_date"], upstream["based_on"], upstream["latest"]) == (False, 1, 2)
    assert {each["id"] for each in upstream["changes"]} == {"3", "4"}

    merged = call(client, head, "POST", f"{SCHOOL}/draft/merge")
    assert merged.status_code == 200
    assert merged.json()["taken"] == ["4"]
    [conflict] = merged.json()["conflicts"]
    assert conflict["id"] == "3"
    assert (conflict["ours"]["text"], conflict["theirs"]["text"]) == ("Ours.", "Theirs.")

    waiting = call(client, head, "POST", f"{SCHOOL}/draft/publish", publish_body())
    assert waiting.status_code == 422 and "draft" in waiting.json()["errors"]

    bad = call(client, head, "POST", f"{SCHOOL}/draft/conflicts/3", {"choice": "both"})
    assert bad.status_code == 422 and "choice" in bad.json()["errors"]
    settled = call(
        client,
        head,
        "POST",
        f"{SCHOOL}/draft/conflicts/3",
        {"choice": "own", "title": "Internet", "text": "Both, merged."},
    )
    assert settled.status_code == 200 and settled.json()["conflicts"] == []

    published = call(client, head, "POST", f"{SCHOOL}/draft/publish", publish_body())
    assert published.status_code == 201
    assert published.json()["number"] == 3 and published.json()["model_number"] == 2
    row = store.rows(cast.school)[-1]
    assert (row.number, row.model_number) == (3, 2)
    assert row.clauses["3"]["text"] == "Both, merged."
    assert row.clauses["4"]["text"] == "Model words for 4."
    assert call(client, head, "GET", f"{SCHOOL}/upstream").json()["up_to_date"] is True


# ---------------------------------------------------------------- who may


@pytest.mark.parametrize("who", ["teacher", "dpo"])
def test_staff_other_than_the_headteacher_are_refused_changes(client, cast, who):
    user = getattr(cast, who)
    edit = {"title": "T", "text": "x"}
    assert call(client, user, "GET", f"{SCHOOL}/draft").status_code == 403
    assert call(client, user, "PUT", f"{SCHOOL}/draft/clauses/3", edit).status_code == 403
    assert call(client, user, "POST", f"{SCHOOL}/draft/merge").status_code == 403
    assert call(client, user, "PUT", f"{MODEL}/draft/clauses/3", edit).status_code == 403
    assert call(client, user, "POST", f"{MODEL}/draft/publish", publish_body()).status_code == 403
    assert not Draft.objects.exists()
    assert AuditEntry.objects.filter(outcome="refused").exists()
    # They may still see what changed in the model, and its versions.
    assert call(client, user, "GET", f"{SCHOOL}/upstream").status_code == 200
    assert call(client, user, "GET", f"{MODEL}/versions").status_code == 200


def test_an_organisation_is_not_found_by_anyone_outside_it(client, cast):
    Organisation.objects.create(slug="far", name="Far Trust", kind="trust")
    assert call(client, cast.outsider, "GET", f"{MODEL}/versions").status_code == 404
    assert call(client, cast.outsider, "POST", f"{MODEL}/draft").status_code == 404
    far = f"{API}/organisations/far/model-policy"
    assert call(client, cast.head, "GET", f"{far}/versions").status_code == 404
    nowhere = f"{API}/organisations/nowhere/model-policy/versions"
    assert call(client, cast.head, "GET", nowhere).status_code == 404
    assert not ModelVersion.objects.filter(organisation__slug="far").exists()


def test_without_a_token_it_is_401(client, cast):
    assert client.get(f"{SCHOOL}/draft").status_code == 401
    assert client.post(f"{MODEL}/draft").status_code == 401


def test_the_org_admin_prepares_the_model_and_discards_it(client, cast):
    admin = cast.org_admin
    started = call(client, admin, "POST", f"{MODEL}/draft")
    assert started.status_code == 200 and started.json()["model_number"] is None
    body = {"clause": "6.12", "title": "Class blogs", "text": "Ask first."}
    assert call(client, admin, "POST", f"{MODEL}/draft/clauses", body).status_code == 201
    assert call(client, admin, "DELETE", f"{MODEL}/draft/clauses/6.12").status_code == 200
    assert call(client, admin, "DELETE", f"{MODEL}/draft").status_code == 204
    assert call(client, admin, "GET", f"{MODEL}/draft").json() == {"draft": None}
    assert adapt.model_versions(cast.org)[-1].number == 1
