"""The internet-use API: the same operations as the pages, for the whole cast, with the same
errors as the other routers (403 recorded, 404, 409 wrong state, 422 bad input), and in the
OpenAPI document."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from fairwatch.internet import alerts, private_use
from fairwatch.internet.models import Alert, CategoryRule, Identification, PrivateUse
from fairwatch.monitoring.pseudonyms import pseudonymise
from tests.internet.conftest import (
    API,
    WHO,
    bearer,
    entries,
    make_alert,
    pseudonym,
    today,
    totals,
)

DAY = dt.timedelta(days=1)
A = "p_" + "a" * 32


def call(client, user, method: str, path: str, body=None):
    kwargs = bearer(user)
    if body is not None:
        kwargs |= {"data": json.dumps(body, default=str), "content_type": "application/json"}
    return getattr(client, method)(f"{API}{path}", **kwargs)


def ask(cast, user=None) -> PrivateUse:
    return private_use.ask(
        user or cast.teacher,
        cast.school,
        purpose="Banking",
        categories=["shopping"],
        starts=today(),
        expires=today() + 30 * DAY,
    )


# --- the document ------------------------------------------------------------------------------


def test_every_operation_is_in_the_openapi_document(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    base = "/api/v1/schools/{slug}/internet"

    expected = {
        "/categories": {"get", "patch"},
        "/alerts": {"get"},
        "/alerts/{alert_id}": {"get"},
        "/alerts/{alert_id}/close": {"post"},
        "/alerts/{alert_id}/reopen": {"post"},
        "/alerts/{alert_id}/identify": {"post"},
        "/identifications": {"get"},
        "/private-use": {"get", "post"},
        "/private-use/{item_id}": {"get"},
        "/private-use/{item_id}/decide": {"post"},
        "/private-use/{item_id}/withdraw": {"post"},
        "/dashboard": {"get"},
        "/pseudonyms/{pseudonym}": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[base + path]), path
        for method in methods:
            assert paths[base + path][method].get("security"), (path, method)


# --- category rules ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_category_rules_for_the_headteacher_and_the_it_manager_only(client, cast, who):
    user = getattr(cast, who)
    got = call(client, user, "get", "/categories")
    put = call(client, user, "patch", "/categories", {"treatments": {"games": "allowed"}})

    if who in ("head", "it"):
        assert got.status_code == 200 and put.status_code == 200
        rows = {r["category"]: r for r in put.json()}
        assert rows["games"] == {
            "category": "games",
            "description": "games",
            "default": "private",
            "treatment": "allowed",
        }
        assert CategoryRule.objects.get().treatment == "allowed"
    elif who == "outsider":
        assert (got.status_code, put.status_code) == (404, 404)
    else:
        assert (got.status_code, put.status_code) == (403, 403)
        assert not CategoryRule.objects.exists()
        assert entries("internet.rules", "refused").count() == 2


def test_a_wrong_category_or_treatment_is_422_by_name(client, cast):
    response = call(
        client, cast.it, "patch", "/categories", {"treatments": {"x": "allowed", "news": "?"}}
    )

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"x", "news"}


# --- alerts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_alerts_for_the_dsl_and_the_headteacher_only(client, cast, who):
    made = make_alert(cast.school)
    user = getattr(cast, who)

    listed = call(client, user, "get", "/alerts")
    one = call(client, user, "get", f"/alerts/{made.pk}")
    closed = call(client, user, "post", f"/alerts/{made.pk}/close", {"note": "Dealt with."})

    if who in ("head", "dsl"):
        assert [a["id"] for a in listed.json()] == [made.pk]
        body = one.json()
        assert body["pseudonym"] == made.pseudonym and body["requests"] == 15
        assert body["sites"][0] == {"site": "badsite.example", "requests": 12}
        assert body["description"] == "Pornography and adult material"
        assert closed.status_code == 200 and closed.json()["state"] == "closed"
    else:
        expected = 404 if who == "outsider" else 403
        assert {listed.status_code, one.status_code, closed.status_code} == {expected}
        assert Alert.objects.get(pk=made.pk).state == "open"


def test_alert_steps_that_do_not_fit_are_409_and_bad_input_422(client, cast):
    made = make_alert(cast.school)

    assert (
        call(client, cast.dsl, "post", f"/alerts/{made.pk}/reopen", {"reason": "x"}).status_code
        == 409
    )
    empty = call(client, cast.dsl, "post", f"/alerts/{made.pk}/close", {"note": " "})
    assert empty.status_code == 422 and "note" in empty.json()["errors"]
    assert (
        call(client, cast.dsl, "post", f"/alerts/{made.pk}/close", {"note": "ok"}).status_code
        == 200
    )
    assert (
        call(client, cast.dsl, "post", f"/alerts/{made.pk}/close", {"note": "ok"}).status_code
        == 409
    )
    again = call(client, cast.head, "post", f"/alerts/{made.pk}/reopen", {"reason": "Again."})
    assert again.status_code == 200 and "Again." in again.json()["notes"]
    assert call(client, cast.dsl, "get", "/alerts?state=nonsense").status_code == 422
    assert call(client, cast.dsl, "get", "/alerts/999999").status_code == 404
    theirs = make_alert(cast.other_school)
    assert call(client, cast.dsl, "get", f"/alerts/{theirs.pk}").status_code == 404


def test_who_closed_an_alert_is_in_the_answer_until_it_is_reopened(client, cast):
    made = make_alert(cast.school)

    closed = call(client, cast.dsl, "post", f"/alerts/{made.pk}/close", {"note": "Dealt with."})
    assert closed.json()["closed_by"] == "Debbie Singh"
    assert call(client, cast.head, "get", "/alerts?state=closed").json()[0]["closed_by"] == (
        "Debbie Singh"
    )
    reopened = call(client, cast.head, "post", f"/alerts/{made.pk}/reopen", {"reason": "Again."})
    assert reopened.json()["closed_by"] is None


# --- who is behind an alert ----------------------------------------------------------------------

NEED = "The sites suggest a risk to a pupil; we must act today."


def teachers_alert(cast) -> Alert:
    return make_alert(cast.school, who=pseudonymise(cast.school, ["teacher@oak.example"])[0])


def test_the_dsl_records_a_decision_and_the_answer_names_the_person(client, cast):
    made = teachers_alert(cast)

    before = call(client, cast.dsl, "get", f"/alerts/{made.pk}").json()
    assert before["identity"] is None and before["decision"] is None
    done = call(client, cast.dsl, "post", f"/alerts/{made.pk}/identify", {"reason": NEED})

    assert done.status_code == 200
    body = done.json()
    assert body["identity"] == {
        "name": "Tom Wren",
        "identifier": "teacher@oak.example",
        "on_roster": True,
        "note": "",
    }
    assert body["decision"]["decided_by"] == "Debbie Singh"
    assert body["decision"]["reason"] == NEED and body["identified"] is True
    head = call(client, cast.head, "get", f"/alerts/{made.pk}").json()
    assert head["identity"]["name"] == "Tom Wren"
    listed = call(client, cast.head, "get", "/alerts").json()
    assert listed[0]["identified"] is True and listed[0]["identity"] is None  # no names in lists
    assert entries("internet.alert.identity", "allowed").count() == 2


def test_a_decision_needs_a_reason_and_is_made_once(client, cast):
    made = teachers_alert(cast)
    path = f"/alerts/{made.pk}/identify"

    empty = call(client, cast.dsl, "post", path, {"reason": " "})
    assert empty.status_code == 422 and set(empty.json()["errors"]) == {"reason"}
    assert call(client, cast.dsl, "post", path, {"reason": NEED}).status_code == 200
    assert call(client, cast.head, "post", path, {"reason": NEED}).status_code == 409
    assert Identification.objects.count() == 1


@pytest.mark.parametrize("who", [w for w in WHO if w not in ("head", "dsl")])
def test_nobody_else_records_a_decision(client, cast, who):
    made = teachers_alert(cast)

    response = call(
        client, getattr(cast, who), "post", f"/alerts/{made.pk}/identify", {"reason": NEED}
    )

    assert response.status_code == (404 if who == "outsider" else 403)
    assert not Identification.objects.exists()


def test_an_alert_about_the_caller_is_not_there_for_them(client, cast):
    theirs = make_alert(cast.school, who=pseudonym(cast, cast.dsl))

    assert call(client, cast.dsl, "get", "/alerts?state=all").json() == []
    assert call(client, cast.dsl, "get", f"/alerts/{theirs.pk}").status_code == 404
    decide = call(client, cast.dsl, "post", f"/alerts/{theirs.pk}/identify", {"reason": NEED})
    assert decide.status_code == 404
    close = call(client, cast.dsl, "post", f"/alerts/{theirs.pk}/close", {"note": "Nothing."})
    assert close.status_code == 404
    assert not Identification.objects.exists() and Alert.objects.get().state == "open"
    assert [a["id"] for a in call(client, cast.head, "get", "/alerts").json()] == [theirs.pk]


@pytest.mark.parametrize("who", WHO)
def test_the_decisions_without_names_for_the_dpo_the_dsl_and_the_headteacher(client, cast, who):
    made = teachers_alert(cast)
    alerts.identify(cast.head, made, reason=NEED)

    response = call(client, getattr(cast, who), "get", "/identifications")

    if who in ("dpo", "dsl", "head"):
        [row] = response.json()
        assert row["alert_id"] == made.pk and row["decided_by"] == "Alice Hartley"
        assert row["reason"] == NEED and row["category"] == "Pornography and adult material"
        assert "Tom Wren" not in response.content.decode()
        assert "teacher@" not in response.content.decode()
    else:
        assert response.status_code == (404 if who == "outsider" else 403)


# --- private use -------------------------------------------------------------------------------


def test_a_member_of_staff_asks_and_sees_their_own(client, cast):
    body = {
        "purpose": "Banking",
        "categories": ["shopping"],
        "starts": today().isoformat(),
        "expires": (today() + 30 * DAY).isoformat(),
    }
    made = call(client, cast.teacher, "post", "/private-use", body)

    assert made.status_code == 201
    assert made.json()["state"] == "requested" and made.json()["person"] is None
    mine = call(client, cast.teacher, "get", "/private-use").json()
    assert [m["id"] for m in mine] == [made.json()["id"]]
    assert call(client, cast.teacher, "get", "/private-use?all=true").status_code == 403
    bad = call(client, cast.teacher, "post", "/private-use", body | {"categories": ["adult"]})
    assert bad.status_code == 422 and "categories" in bad.json()["errors"]


@pytest.mark.parametrize("who", WHO)
def test_the_register_with_names_for_the_headteacher_and_the_dpo_only(client, cast, who):
    item = ask(cast)
    user = getattr(cast, who)

    register = call(client, user, "get", "/private-use?all=true")
    one = call(client, user, "get", f"/private-use/{item.pk}")

    if who in ("head", "dpo"):
        assert register.json()[0]["person"]["display_name"] == "Tom Wren"
        assert one.json()["person"]["display_name"] == "Tom Wren"
    elif who == "teacher":
        assert register.status_code == 403
        assert one.status_code == 200 and one.json()["person"] is None
    elif who == "outsider":
        assert (register.status_code, one.status_code) == (404, 404)
    else:
        assert (register.status_code, one.status_code) == (403, 403)


@pytest.mark.parametrize("who", WHO)
def test_only_the_headteacher_decides(client, cast, who):
    item = ask(cast, cast.dsl if who == "teacher" else cast.teacher)

    response = call(
        client,
        getattr(cast, who),
        "post",
        f"/private-use/{item.pk}/decide",
        {"decision": "grant", "categories": ["shopping"]},
    )

    if who == "head":
        assert response.status_code == 200 and response.json()["state"] == "granted"
    else:
        assert response.status_code == (404 if who == "outsider" else 403)
        assert PrivateUse.objects.get(pk=item.pk).state == "requested"


def test_deciding_twice_is_409_and_a_refusal_needs_a_reason(client, cast):
    item = ask(cast)
    path = f"/private-use/{item.pk}/decide"

    no_reason = call(client, cast.head, "post", path, {"decision": "refuse"})
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["errors"]
    widened = call(client, cast.head, "post", path, {"decision": "grant", "categories": ["games"]})
    assert widened.status_code == 422
    refused = call(client, cast.head, "post", path, {"decision": "refuse", "reason": "No."})
    assert refused.status_code == 200 and refused.json()["reason"] == "No."
    assert call(client, cast.head, "post", path, {"decision": "grant"}).status_code == 409
    assert call(client, cast.head, "post", path, {"decision": "maybe"}).status_code == 422


def test_withdrawing_by_the_requester_or_the_headteacher(client, cast):
    mine, granted = ask(cast), private_use.grant(cast.head, ask(cast))

    assert call(client, cast.dsl, "post", f"/private-use/{mine.pk}/withdraw", {}).status_code == 403
    own = call(client, cast.teacher, "post", f"/private-use/{mine.pk}/withdraw", {})
    assert own.status_code == 200 and own.json()["state"] == "withdrawn"
    head = call(client, cast.head, "post", f"/private-use/{granted.pk}/withdraw", {"reason": "r"})
    assert head.status_code == 200
    assert (own.json()["withdrawn_by"], head.json()["withdrawn_by"]) == (
        "Tom Wren",
        "Alice Hartley",
    )
    assert head.json()["withdrawn_at"] is not None
    again = call(client, cast.head, "post", f"/private-use/{granted.pk}/withdraw", {})
    assert again.status_code == 409


def test_the_chair_of_governors_decides_the_headteachers_request(client, cast):
    theirs = ask(cast, cast.head)
    path = f"/private-use/{theirs.pk}/decide"

    assert call(client, cast.head, "get", f"/private-use/{theirs.pk}").json()["decides"] == (
        "chair_of_governors"
    )
    assert call(client, cast.head, "post", path, {"decision": "grant"}).status_code == 403
    waiting = call(client, cast.chair, "get", "/private-use?to_decide=true").json()
    assert [w["id"] for w in waiting] == [theirs.pk]
    assert waiting[0]["person"]["display_name"] == "Alice Hartley"
    one = call(client, cast.chair, "get", f"/private-use/{theirs.pk}")
    assert one.status_code == 200 and one.json()["person"]["display_name"] == "Alice Hartley"
    granted = call(client, cast.chair, "post", path, {"decision": "grant"})
    assert granted.status_code == 200 and granted.json()["decided_by"] == "Charles Bell"
    teachers = ask(cast)
    assert call(client, cast.head, "get", "/private-use?to_decide=true").json()[0]["id"] == (
        teachers.pk
    )
    assert call(client, cast.chair, "get", f"/private-use/{teachers.pk}").status_code == 403


# --- the dashboard -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_the_dashboard_figures_for_those_who_see_activity(client, cast, who):
    totals(cast.school, A, today(), "education", "twinkl.co.uk", 40)
    totals(cast.school, A, today(), "adult", "bad.example", 2, blocked=True)
    user = getattr(cast, who)

    board = call(client, user, "get", "/dashboard")
    one = call(client, user, "get", f"/pseudonyms/{A}")

    if who in ("head", "dsl", "dpo", "it"):
        body = board.json()
        assert (body["requests"], body["blocked"], body["allowed"]) == (42, 2, 40)
        assert body["days"][-1]["by_category"] == {"education": 40, "adult": 2}
        assert body["top_pseudonyms"][0]["pseudonym"] == A
        assert body["top_sites"][0] == {
            "site": "twinkl.co.uk",
            "category": "education",
            "requests": 40,
            "blocked": 0,
        }
        assert one.json()["requests"] == 42 and "top_sites" not in one.json()
    else:
        expected = 404 if who == "outsider" else 403
        assert (board.status_code, one.status_code) == (expected, expected)


def test_a_wrong_range_is_422_and_a_bad_pseudonym_404(client, cast):
    wrong = call(client, cast.it, "get", "/dashboard?since=2026-03-10&until=2026-03-01")
    assert wrong.status_code == 422 and "until" in wrong.json()["errors"]
    assert call(client, cast.it, "get", "/dashboard?since=1900-01-01").status_code == 422
    assert call(client, cast.it, "get", "/pseudonyms/not%20one").status_code == 404
