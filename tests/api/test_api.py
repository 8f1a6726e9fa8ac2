"""The JSON API under /api/v1/: schema, public clauses, auth, and gated people reads."""

from __future__ import annotations

import pytest
from django.utils import timezone

from fairwatch.audit.models import AuditEntry
from fairwatch.catalogue import model_catalogue
from fairwatch.schools.models import ApiToken, Person
from fairwatch.schools.services import issue_token
from tests.cast import add_person, upn

API = "/api/v1"
PATHS = [
    "/clauses",
    "/clauses/{clause_id}",
    "/schools",
    "/schools/{slug}",
    "/schools/{slug}/people",
    "/schools/{slug}/people/{person_id}",
]
STAFF_COUNT = 8
PUPIL_COUNT = 4


def _bearer(user) -> dict[str, str]:
    _, secret = issue_token(user, "tests")
    return {"Authorization": f"Bearer {secret}"}


def _last_seq() -> int:
    last = AuditEntry.objects.order_by("-seq").first()
    return last.seq if last else 0


@pytest.fixture
def head_auth(cast) -> dict[str, str]:
    return _bearer(cast.head)


@pytest.fixture
def elm_pupil(cast) -> Person:
    return add_person(
        cast.other_school, Person.Kind.PUPIL, upn(99), "Xanthe", "Elmfield", year_group="4"
    )


# ---------------------------------------------------------------- schema and public clauses


def test_the_openapi_schema_lists_every_path(client, db):
    response = client.get(f"{API}/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Fairwatch API"
    paths = schema["paths"]
    for path in PATHS:
        assert f"{API}{path}" in paths, path
        assert "get" in paths[f"{API}{path}"], path
    people = paths[f"{API}/schools/{{slug}}/people"]["get"]
    params = {p["name"] for p in people["parameters"]}
    assert {"slug", "kind", "q", "offset", "limit"} <= params


def test_the_schema_says_clauses_are_public_and_the_rest_need_auth(client, db):
    paths = client.get(f"{API}/openapi.json").json()["paths"]

    assert not paths[f"{API}/clauses"]["get"].get("security")
    assert paths[f"{API}/schools"]["get"].get("security")


def test_clauses_are_public_and_match_the_catalogue(client, db):
    response = client.get(f"{API}/clauses")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    expected = [
        {"id": c.id, "title": c.title, "text": c.text, "parent": c.parent, "anchor": c.anchor}
        for c in model_catalogue()
    ]
    assert response.json() == expected


def test_one_clause_is_public_and_matches_the_catalogue(client, db):
    clause = model_catalogue().get("7.2.1")

    response = client.get(f"{API}/clauses/7.2.1")

    assert response.status_code == 200
    assert response.json() == {
        "id": "7.2.1",
        "title": clause.title,
        "text": clause.text,
        "parent": "7.2",
        "anchor": "clause-7-2-1",
    }


def test_an_unknown_clause_is_404_json(client, db):
    response = client.get(f"{API}/clauses/9.9")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "no clause '9.9'"}


# ---------------------------------------------------------------- authentication


def test_schools_without_auth_is_401(client, cast):
    response = client.get(f"{API}/schools")

    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


@pytest.mark.parametrize(
    "path",
    ["/schools/oak", "/schools/oak/people", "/schools/oak/people/1"],
)
def test_every_school_path_needs_auth(client, cast, path):
    since = _last_seq()

    response = client.get(f"{API}{path}")

    assert response.status_code == 401
    assert _last_seq() == since


def test_with_a_bearer_token_schools_lists_oak_with_my_roles(client, cast, head_auth):
    response = client.get(f"{API}/schools", headers=head_auth)

    assert response.status_code == 200
    assert response.json() == [
        {
            "slug": "oak",
            "name": "Oak Primary",
            "organisation": "broad",
            "domains": ["oak.example"],
            "pupil_domain": "pupils.oak.example",
            "my_roles": ["headteacher", "staff"],
        }
    ]


def test_one_school_by_slug(client, cast):
    response = client.get(f"{API}/schools/oak", headers=_bearer(cast.dpo))

    assert response.status_code == 200
    assert response.json()["my_roles"] == ["dpo"]


def test_a_bad_token_is_401(client, cast):
    response = client.get(f"{API}/schools", headers={"Authorization": "Bearer fw_not-a-token"})

    assert response.status_code == 401


def test_a_revoked_token_is_401(client, cast):
    token, secret = issue_token(cast.head, "laptop")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"{API}/schools", headers=headers).status_code == 200

    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())

    assert client.get(f"{API}/schools", headers=headers).status_code == 401
    assert client.get(f"{API}/schools/oak/people", headers=headers).status_code == 401


def test_a_token_of_a_disabled_account_is_401(client, cast, head_auth):
    cast.head.is_active = False
    cast.head.save(update_fields=["is_active"])

    assert client.get(f"{API}/schools", headers=head_auth).status_code == 401


def test_using_a_token_records_when_it_was_last_used(client, cast):
    token, secret = issue_token(cast.head, "laptop")
    assert token.last_used_at is None

    client.get(f"{API}/schools", headers={"Authorization": f"Bearer {secret}"})

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_only_the_tokens_hash_is_stored(cast):
    token, secret = issue_token(cast.head, "laptop")

    assert secret not in {token.digest, token.prefix}
    assert not ApiToken.objects.filter(digest=secret).exists()


def test_session_auth_works_for_a_logged_in_client(client, cast):
    client.force_login(cast.head)

    schools = client.get(f"{API}/schools")
    people = client.get(f"{API}/schools/oak/people", {"kind": "staff"})

    assert schools.status_code == 200
    assert [s["slug"] for s in schools.json()] == ["oak"]
    assert people.status_code == 200
    assert people.json()["count"] == STAFF_COUNT


def test_session_auth_ends_with_the_session(client, cast):
    client.force_login(cast.head)
    client.logout()

    assert client.get(f"{API}/schools").status_code == 401


def test_a_session_get_needs_no_csrf_token_even_when_csrf_is_enforced(cast):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.head)

    assert strict.get(f"{API}/schools").status_code == 200


# ---------------------------------------------------------------- people


def test_headteacher_by_token_lists_staff_with_count_and_items(client, cast, head_auth):
    response = client.get(f"{API}/schools/oak/people", {"kind": "staff"}, headers=head_auth)

    assert response.status_code == 200
    page = response.json()
    assert page["count"] == STAFF_COUNT
    assert (page["offset"], page["limit"]) == (0, 100)
    assert len(page["items"]) == STAFF_COUNT
    assert {p["kind"] for p in page["items"]} == {"staff"}
    by_id = {p["external_id"]: p for p in page["items"]}
    debbie = by_id["S2"]
    assert debbie["display_name"] == "Debbie Singh"
    assert (debbie["forename"], debbie["surname"]) == ("Deborah", "Singh")
    assert debbie["email"] == "dsl@oak.example"
    assert debbie["status"] == "current"
    # Listed in name order, as the roster model orders people.
    assert [p["surname"] for p in page["items"]] == sorted(p["surname"] for p in page["items"])


def test_staff_is_the_default_kind(client, cast, head_auth):
    response = client.get(f"{API}/schools/oak/people", headers=head_auth)

    assert response.status_code == 200
    assert response.json()["count"] == STAFF_COUNT


def test_headteacher_by_token_lists_pupils(client, cast, head_auth):
    response = client.get(f"{API}/schools/oak/people", {"kind": "pupils"}, headers=head_auth)

    assert response.status_code == 200
    page = response.json()
    assert page["count"] == PUPIL_COUNT
    olly = next(p for p in page["items"] if p["external_id"] == upn(1))
    assert olly["display_name"] == "Olly Grant"
    assert olly["preferred_forename"] == "Olly"
    assert olly["year_group"] == "3"
    assert olly["kind"] == "pupil"


def test_headteacher_by_token_lists_contacts(client, cast, head_auth):
    response = client.get(f"{API}/schools/oak/people", {"kind": "contacts"}, headers=head_auth)

    assert response.status_code == 200
    assert sorted(p["display_name"] for p in response.json()["items"]) == [
        "June May",
        "Mark Bright",
        "Sarah Grant",
    ]


def test_offset_and_limit_page_through_the_list(client, cast, head_auth):
    url = f"{API}/schools/oak/people"
    everyone = client.get(url, {"kind": "staff"}, headers=head_auth).json()["items"]

    first = client.get(url, {"kind": "staff", "limit": 3}, headers=head_auth).json()
    rest = client.get(url, {"kind": "staff", "offset": 3, "limit": 500}, headers=head_auth).json()

    assert first["count"] == rest["count"] == STAFF_COUNT
    assert len(first["items"]) == 3
    assert first["items"] + rest["items"] == everyone


def test_search_narrows_the_list_and_the_count(client, cast, head_auth):
    response = client.get(
        f"{API}/schools/oak/people", {"kind": "pupils", "q": "grant"}, headers=head_auth
    )

    page = response.json()
    assert page["count"] == 2
    assert sorted(p["forename"] for p in page["items"]) == ["Amelia", "Oliver"]


@pytest.mark.parametrize("query", ["Olly", upn(3)])
def test_search_finds_what_the_web_search_finds(client, cast, head_auth, query):
    expected = {"Olly": ["Oliver"], upn(3): ["Noah"]}[query]

    response = client.get(
        f"{API}/schools/oak/people", {"kind": "pupils", "q": query}, headers=head_auth
    )

    assert [p["forename"] for p in response.json()["items"]] == expected


def test_leavers_are_left_out_unless_asked_for(client, cast, head_auth):
    Person.objects.filter(pk=cast.pupil(4).pk).update(
        status=Person.Status.LEFT, left_at=timezone.now()
    )
    url = f"{API}/schools/oak/people"

    current = client.get(url, {"kind": "pupils"}, headers=head_auth).json()
    all_ = client.get(url, {"kind": "pupils", "include_left": "true"}, headers=head_auth).json()

    assert current["count"] == PUPIL_COUNT - 1
    assert upn(4) not in {p["external_id"] for p in current["items"]}
    assert all_["count"] == PUPIL_COUNT


def test_each_people_list_call_writes_one_allowed_entry(client, cast, head_auth):
    since = _last_seq()

    client.get(f"{API}/schools/oak/people", {"kind": "pupils", "q": "Grant"}, headers=head_auth)

    entries = list(AuditEntry.objects.filter(seq__gt=since))
    assert len(entries) == 1
    e = entries[0]
    assert (e.action, e.outcome, e.role, e.school_id, e.actor_id) == (
        "people.view_pupils",
        "allowed",
        "headteacher",
        cast.school.pk,
        cast.head.pk,
    )
    assert e.purpose == "school administration"
    assert e.detail == {"kinds": ["pupil"], "via": "api", "search": True}


def test_plain_staff_gets_403_json_and_the_refusal_is_in_the_audit_trail(client, cast):
    headers = _bearer(cast.teacher)
    since = _last_seq()

    response = client.get(f"{API}/schools/oak/people", {"kind": "staff"}, headers=headers)

    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "You may not do this at Oak Primary."}
    entries = list(AuditEntry.objects.filter(seq__gt=since))
    assert [(e.action, e.outcome, e.role, e.school_id, e.actor_id) for e in entries] == [
        ("people.view_staff", "refused", "", cast.school.pk, cast.teacher.pk)
    ]
    assert entries[0].detail == {"kinds": ["staff", "volunteer"], "via": "api", "search": False}


@pytest.mark.parametrize(("who", "kind"), [("hr", "pupils"), ("monitor", "staff")])
def test_other_refusals_are_403_json(client, cast, who, kind):
    response = client.get(
        f"{API}/schools/oak/people", {"kind": kind}, headers=_bearer(getattr(cast, who))
    )

    assert response.status_code == 403
    assert "detail" in response.json()


def test_an_org_admin_with_no_school_role_is_refused_peoples_data(client, cast):
    headers = _bearer(cast.org_admin)

    schools = client.get(f"{API}/schools", headers=headers).json()
    people = client.get(f"{API}/schools/oak/people", headers=headers)

    assert {s["slug"]: s["my_roles"] for s in schools} == {
        "elm": ["org_admin"],
        "oak": ["org_admin"],
    }
    assert people.status_code == 403


def test_a_school_the_caller_has_no_role_at_is_404_not_403(client, cast, head_auth, elm_pupil):
    since = _last_seq()

    for path in (
        "/schools/elm",
        "/schools/elm/people",
        f"/schools/elm/people/{elm_pupil.pk}",
    ):
        response = client.get(f"{API}{path}", headers=head_auth)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "no school 'elm' for this account"}, path

    # An unknown school looks just the same, so school names cannot be probed.
    unknown = client.get(f"{API}/schools/nowhere/people", headers=head_auth)
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "no school 'nowhere' for this account"}
    assert _last_seq() == since


def test_an_account_with_no_role_anywhere_lists_no_schools(client, cast):
    headers = _bearer(cast.outsider)

    assert client.get(f"{API}/schools", headers=headers).json() == []
    assert client.get(f"{API}/schools/oak/people", headers=headers).status_code == 404


def test_an_unknown_kind_is_422(client, cast, head_auth):
    response = client.get(f"{API}/schools/oak/people", {"kind": "bogus"}, headers=head_auth)

    assert response.status_code == 422
    assert response.json() == {"detail": "kind must be staff, pupils or contacts"}


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 501}, {"limit": -1}, {"offset": -1}, {"limit": "many"}],
)
def test_limit_or_offset_out_of_range_is_422(client, cast, head_auth, params):
    since = _last_seq()

    response = client.get(f"{API}/schools/oak/people", params, headers=head_auth)

    assert response.status_code == 422
    assert "detail" in response.json()
    assert _last_seq() == since  # nothing was read, so nothing to record


def test_limits_at_the_edges_of_the_range_are_accepted(client, cast, head_auth):
    for limit in (1, 500):
        response = client.get(f"{API}/schools/oak/people", {"limit": limit}, headers=head_auth)
        assert response.status_code == 200, limit
        assert response.json()["limit"] == limit


def test_person_detail_works(client, cast, head_auth):
    pupil = cast.pupil(1)
    since = _last_seq()

    response = client.get(f"{API}/schools/oak/people/{pupil.pk}", headers=head_auth)

    assert response.status_code == 200
    assert response.json() == {
        "id": pupil.pk,
        "kind": "pupil",
        "external_id": upn(1),
        "forename": "Oliver",
        "surname": "Grant",
        "preferred_forename": "Olly",
        "preferred_surname": "",
        "display_name": "Olly Grant",
        "email": "oliver.grant@pupils.oak.example",
        "year_group": "3",
        "status": "current",
    }
    entries = list(AuditEntry.objects.filter(seq__gt=since))
    assert [(e.action, e.outcome, e.object_type, e.object_id) for e in entries] == [
        ("people.view_pupils", "allowed", "person", str(pupil.pk))
    ]


def test_person_detail_is_refused_to_plain_staff_and_recorded(client, cast):
    pupil = cast.pupil(1)
    since = _last_seq()

    response = client.get(f"{API}/schools/oak/people/{pupil.pk}", headers=_bearer(cast.teacher))

    assert response.status_code == 403
    assert "Oliver" not in response.content.decode()
    entries = list(AuditEntry.objects.filter(seq__gt=since))
    assert [(e.outcome, e.object_id) for e in entries] == [("refused", str(pupil.pk))]


def test_hr_adviser_may_see_a_staff_member_but_not_a_pupil(client, cast):
    headers = _bearer(cast.hr)
    staff = Person.objects.get(school=cast.school, external_id="S1")

    assert client.get(f"{API}/schools/oak/people/{staff.pk}", headers=headers).status_code == 200
    pupil_url = f"{API}/schools/oak/people/{cast.pupil(2).pk}"
    assert client.get(pupil_url, headers=headers).status_code == 403


def test_a_person_of_another_school_is_404(client, cast, head_auth, elm_pupil):
    response = client.get(f"{API}/schools/oak/people/{elm_pupil.pk}", headers=head_auth)

    assert response.status_code == 404
    assert response.json() == {"detail": "no such person"}
    assert "Xanthe" not in response.content.decode()


def test_an_unknown_person_id_is_404(client, cast, head_auth):
    response = client.get(f"{API}/schools/oak/people/999999", headers=head_auth)

    assert response.status_code == 404
    assert response.json() == {"detail": "no such person"}


def test_the_api_docs_page_loads_its_assets_from_this_server(client, cast):
    client.force_login(cast.head)
    html = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "https://" not in html


def test_a_huge_offset_is_refused_not_a_server_error(client, cast):
    client.force_login(cast.head)
    response = client.get("/api/v1/schools/oak/people", {"offset": 10**20})
    assert response.status_code == 422


def test_a_search_with_a_nul_character_is_answered(client, cast):
    client.force_login(cast.head)
    response = client.get("/api/v1/schools/oak/people", {"kind": "pupils", "q": "Olly\x00"})
    assert response.status_code == 200 and response.json()["count"] == 1


def test_schemas_of_the_same_name_are_the_same_schema():
    """django-ninja keeps one component per class name in the OpenAPI document: two different
    schemas of one name would describe one route's answers with the other's fields."""
    import importlib
    import inspect
    import pkgutil

    from ninja import Schema

    import fairwatch.api

    seen: dict[str, tuple[str, dict]] = {}
    clashes = []
    for info in pkgutil.iter_modules(fairwatch.api.__path__):
        module = importlib.import_module(f"fairwatch.api.{info.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, Schema) or cls is Schema or cls.__module__ != module.__name__:
                continue
            shape = cls.model_json_schema()
            shape.pop("description", None)
            if name in seen and seen[name][1] != shape:
                clashes.append(f"{name}: {seen[name][0]} and {module.__name__}")
            seen.setdefault(name, (module.__name__, shape))
    assert clashes == []
