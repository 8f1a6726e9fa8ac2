"""The check API for mail add-ins (clause 4), its school tokens, and the page that issues them."""

from __future__ import annotations

import json
from email.message import EmailMessage

import pytest
from django.utils import timezone

from fairwatch.api import check
from fairwatch.audit import gate
from fairwatch.audit.models import AuditEntry
from fairwatch.mailflow import tokens
from fairwatch.mailflow.models import RelayRule, SchoolToken
from fairwatch.schools.models import Person
from fairwatch.schools.services import issue_token, token_digest
from tests.cast import add_person, upn

URL = "/api/v1/check/email"
SUBJECT = "Oliver Grant's reading this week"
BODY = "Dear Mrs Grant,\n\nHe has read three books this week. Well done to him.\n\nAlice"


@pytest.fixture(autouse=True)
def _fresh_contexts():
    check.forget_contexts()
    yield
    check.forget_contexts()


@pytest.fixture
def oak_token(cast) -> str:
    _, secret = tokens.issue(cast.head, cast.school, "Outlook add-in")
    return secret


def _auth(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _raw(subject: str = SUBJECT, body: str = BODY) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Alice Hartley <head@oak.example>"
    msg["To"] = "Sarah Grant <sarah.grant@example.com>"
    msg["Subject"] = subject
    msg.set_content(body)
    return bytes(msg)


def _json(subject: str = SUBJECT, body: str = BODY, **extra) -> dict:
    return {
        "from": "Alice Hartley <head@oak.example>",
        "to": ["Sarah Grant <sarah.grant@example.com>"],
        "subject": subject,
        "body": body,
        **extra,
    }


def _post_json(client, secret: str, data) -> object:
    return client.post(URL, json.dumps(data), content_type="application/json", **_auth(secret))


def _post_raw(client, secret: str, data: bytes, kind: str = "message/rfc822") -> object:
    return client.post(URL, data, content_type=kind, **_auth(secret))


# --------------------------------------------------------------------------- the answer


def test_a_pupils_name_in_the_subject_is_found(client, cast, oak_token):
    response = _post_raw(client, oak_token, _raw())

    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["school"] == "oak"
    checks = {f["check"] for f in answer["findings"]}
    assert "subject-roster-name" in checks
    found = next(f for f in answer["findings"] if f["check"] == "subject-roster-name")
    assert found["clause"] == "4.3"
    assert found["where"]["field"] == "subject"
    assert answer["worst"] == found["severity"] or answer["worst"] == "high"
    assert answer["action"] in {"warn", "hold"}


def test_raw_and_json_give_the_same_findings_for_the_same_message(client, cast, oak_token):
    raw = _post_raw(client, oak_token, _raw()).json()
    as_json = _post_json(client, oak_token, _json()).json()

    assert raw["findings"], "the message should give findings to compare"
    assert as_json == raw


def test_raw_text_plain_is_read_like_message_rfc822(client, cast, oak_token):
    rfc822 = _post_raw(client, oak_token, _raw()).json()
    plain = _post_raw(client, oak_token, _raw(), "text/plain; charset=utf-8").json()

    assert plain == rfc822


def test_a_plain_message_passes_with_no_findings(client, cast, oak_token):
    data = _json(subject="Staff meeting", body="The staff meeting moves to Thursday.")
    data["to"] = ["Tom Wren <teacher@oak.example>"]

    answer = _post_json(client, oak_token, data).json()

    assert answer == {"school": "oak", "findings": [], "worst": None, "action": "pass"}


def test_the_schools_relay_rule_decides_the_action(client, cast, oak_token):
    RelayRule.objects.create(
        school=cast.school, check_slug="subject-roster-name", action=RelayRule.Action.REJECT
    )

    answer = _post_json(client, oak_token, _json()).json()

    assert answer["action"] == "reject"


def test_json_addresses_are_lower_cased_and_keep_their_display_names(client, cast, oak_token):
    message = check.message_from_json(
        json.dumps(
            _json(to=["Sarah Grant <Sarah.GRANT@Example.com>", "office@OAK.example"])
        ).encode()
    )

    assert [(a.addr, a.display) for a in message.to] == [
        ("sarah.grant@example.com", "Sarah Grant"),
        ("office@oak.example", ""),
    ]
    assert message.sender.addr == "head@oak.example"


def test_json_attachments_are_checked(client, cast, oak_token):
    data = _json(
        subject="Lists",
        attachments=[
            {
                "name": "class.csv",
                "content_type": "text/csv",
                "text": f"name,upn\nOliver Grant,{upn(1)}\nAmelia Grant,{upn(2)}\n",
            }
        ],
    )

    answer = _post_json(client, oak_token, data).json()

    fields = {f["where"]["field"] for f in answer["findings"]}
    assert "attachment:class.csv" in fields


def test_an_html_body_is_read_as_text(client, cast, oak_token):
    data = _json(subject="Hello", body="", html="<p>You are a <b>bloody</b> idiot</p>")

    answer = _post_json(client, oak_token, data).json()

    assert any(f["check"].startswith("prof-") for f in answer["findings"])


# --------------------------------------------------------------------- tokens and schools


def test_no_token_is_401(client, cast):
    response = client.post(URL, json.dumps(_json()), content_type="application/json")

    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_an_unknown_token_is_401(client, cast):
    response = _post_json(client, "fws_not-a-real-token", _json())

    assert response.status_code == 401


def test_a_revoked_token_is_401(client, cast):
    token, secret = tokens.issue(cast.it, cast.school, "old add-in")
    tokens.revoke(cast.it, token)

    response = _post_json(client, secret, _json())

    assert response.status_code == 401


def test_a_users_own_api_token_is_not_a_school_token(client, cast):
    _, secret = issue_token(cast.head, "personal")

    response = _post_json(client, secret, _json())

    assert response.status_code == 401


def test_a_session_is_not_enough(client, cast):
    client.force_login(cast.head)

    response = client.post(URL, json.dumps(_json()), content_type="application/json")

    assert response.status_code == 401


def test_another_schools_token_checks_against_that_school_only(client, cast, oak_token):
    _, elm_secret = tokens.issue(cast.org_admin, cast.other_school, "Elm add-in")

    at_oak = _post_json(client, oak_token, _json()).json()
    at_elm = _post_json(client, elm_secret, _json()).json()

    assert at_elm["school"] == "elm"
    assert "subject-roster-name" in {f["check"] for f in at_oak["findings"]}
    assert "subject-roster-name" not in {f["check"] for f in at_elm["findings"]}


def test_using_a_token_records_when_it_was_last_used(client, cast, oak_token):
    token = SchoolToken.objects.get(digest=token_digest(oak_token))
    assert token.last_used_at is None

    _post_json(client, oak_token, _json())

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_roster_change_is_seen_once_the_cached_context_expires(
    client, cast, oak_token, monkeypatch
):
    data = _json(subject="Zebedee Quist's trip form")
    assert "subject-roster-name" not in {
        f["check"] for f in _post_json(client, oak_token, data).json()["findings"]
    }
    add_person(cast.school, Person.Kind.PUPIL, "P-NEW", "Zebedee", "Quist", year_group="2")

    cached = _post_json(client, oak_token, data).json()
    monkeypatch.setattr(check, "CONTEXT_SECONDS", 0)
    check.forget_contexts()
    fresh = _post_json(client, oak_token, data).json()

    assert "subject-roster-name" not in {f["check"] for f in cached["findings"]}
    assert "subject-roster-name" in {f["check"] for f in fresh["findings"]}


# -------------------------------------------------------------------- bad or large input


def test_a_body_over_the_limit_is_413_with_a_clear_message(client, cast, oak_token):
    data = b"Subject: big\r\n\r\n" + b"x" * check.MAX_BYTES

    response = _post_raw(client, oak_token, data)

    assert response.status_code == 413
    assert "10 MB" in response.json()["detail"]


def test_a_body_over_djangos_form_limit_but_under_ours_is_checked(client, cast, oak_token):
    data = _raw(body="All fine here.\n" + "Nothing to see.\n" * 200_000)  # about 3 MB

    response = _post_raw(client, oak_token, data)

    assert response.status_code == 200, response.content


def test_bad_json_is_422(client, cast, oak_token):
    response = client.post(
        URL, b'{"subject": "oops"', content_type="application/json", **_auth(oak_token)
    )

    assert response.status_code == 422
    assert "not valid JSON" in response.json()["detail"]


@pytest.mark.parametrize("data", [[], "text", 3, None])
def test_json_that_is_not_an_object_is_422(client, cast, oak_token, data):
    response = _post_json(client, oak_token, data)

    assert response.status_code == 422


def test_a_bad_address_is_422_naming_the_field(client, cast, oak_token):
    data = _json(to=["sarah.grant@example.com", "not an address"], cc=["a@b.example, c@d.example"])

    response = _post_json(client, oak_token, data)

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"to[1]", "cc[0]"}
    assert "to[1]" in response.json()["detail"]


def test_a_wrongly_typed_field_is_422_naming_it(client, cast, oak_token):
    response = _post_json(client, oak_token, _json(to="sarah.grant@example.com"))

    assert response.status_code == 422
    assert "to" in response.json()["errors"]


def test_an_unsupported_content_type_is_415(client, cast, oak_token):
    response = client.post(URL, {"subject": "form data"}, **_auth(oak_token))  # multipart form data

    assert response.status_code == 415
    assert "message/rfc822" in response.json()["detail"]


def test_raw_bytes_that_are_not_mail_are_still_checked(client, cast, oak_token):
    response = _post_raw(client, oak_token, b"\x00\xff\xfe garbage \x80\x81", "text/plain")

    assert response.status_code == 200
    assert "sender-missing" in {f["check"] for f in response.json()["findings"]}


# ---------------------------------------------------------------------------- the audit


def test_each_check_writes_one_audit_entry_without_the_message(client, cast, oak_token):
    before = AuditEntry.objects.count()

    answer = _post_json(client, oak_token, _json()).json()

    entries = list(AuditEntry.objects.order_by("seq")[before:])
    assert [e.action for e in entries] == ["email.check"]
    entry = entries[0]
    assert entry.school == cast.school
    assert entry.clause == "4"
    assert entry.outcome == "done"
    assert entry.actor is None
    assert entry.detail["via"] == "check api"
    assert entry.detail["token"] == oak_token[: tokens.PREFIX_LENGTH]
    assert entry.detail["findings"] == len(answer["findings"])
    stored = json.dumps(entry.detail) + entry.object_id + entry.actor_label
    for secret_text in ("Oliver", "Grant", "reading", "sarah", "head@oak", "books", oak_token):
        assert secret_text.lower() not in stored.lower()


# ------------------------------------------------------------------------ token service


def test_only_the_digest_of_a_school_token_is_stored(cast):
    token, secret = tokens.issue(cast.head, cast.school, "Add-in")

    assert secret.startswith("fws_")
    assert token.digest == token_digest(secret)
    assert token.prefix == secret[:12]
    assert not SchoolToken.objects.filter(digest=secret).exists()
    assert tokens.school_for(secret) == cast.school


def test_issuing_and_revoking_are_audited(cast):
    token, _ = tokens.issue(cast.it, cast.school, "Add-in")
    tokens.revoke(cast.it, token)

    actions = list(AuditEntry.objects.order_by("seq").values_list("action", "outcome"))
    assert ("mailflow.token.issue", "done") in actions
    assert ("mailflow.token.revoke", "done") in actions
    assert tokens.school_for("fws_" + "x" * 40) is None


@pytest.mark.parametrize("who", ["teacher", "dpo", "dsl", "chair", "monitor", "hr", "outsider"])
def test_other_roles_may_not_issue_tokens_and_the_refusal_is_recorded(cast, who):
    with pytest.raises(gate.Refused):
        tokens.issue(getattr(cast, who), cast.school, "Add-in")

    assert not SchoolToken.objects.exists()
    last = AuditEntry.objects.order_by("-seq").first()
    assert (last.action, last.outcome) == ("mailflow.tokens", "refused")


def test_a_second_live_token_with_the_same_name_is_refused(cast):
    tokens.issue(cast.head, cast.school, "Add-in")

    with pytest.raises(ValueError, match="in use"):
        tokens.issue(cast.head, cast.school, "add-in")


# ------------------------------------------------------------------------------ the page


@pytest.mark.parametrize("who", ["head", "it", "org_admin"])
def test_the_token_page_is_for_the_head_the_it_manager_and_the_org_admin(client, cast, who):
    tokens.issue(cast.head, cast.school, "Office add-in")
    client.force_login(getattr(cast, who))
    client.post("/school/", {"school": "oak"})  # the org admin sees both schools

    response = client.get("/mail/tokens/")

    assert response.status_code == 200
    assert b"Office add-in" in response.content
    assert b'<label for="id_name">' in response.content


@pytest.mark.parametrize("who", ["teacher", "dpo", "dsl", "chair", "monitor", "hr"])
def test_the_token_page_is_refused_to_other_roles(client, cast, who):
    client.force_login(getattr(cast, who))

    assert client.get("/mail/tokens/").status_code == 403
    assert client.post("/mail/tokens/", {"name": "Mine"}).status_code == 403
    assert not SchoolToken.objects.exists()


def test_someone_with_no_school_is_told_so(client, cast):
    client.force_login(cast.outsider)

    response = client.get("/mail/tokens/")

    assert response.status_code == 403
    assert b"no role at a school" in response.content


def test_issuing_shows_the_secret_once(client, cast):
    client.force_login(cast.it)

    response = client.post("/mail/tokens/", {"name": "Outlook add-in"})

    assert response.status_code == 200
    token = SchoolToken.objects.get()
    secret = response.context["secret"]
    assert token.digest == token_digest(secret)
    assert secret.encode() in response.content
    assert "no-store" in response["Cache-Control"]
    assert b"/api/v1/check/email" in response.content
    listing = client.get("/mail/tokens/")
    assert secret.encode() not in listing.content
    assert token.prefix.encode() in listing.content


def test_a_blank_name_is_an_error_tied_to_the_field(client, cast):
    client.force_login(cast.head)

    response = client.post("/mail/tokens/", {"name": "  "})

    assert response.status_code == 200
    assert not SchoolToken.objects.exists()
    assert b'class="error-summary"' in response.content
    assert b'href="#id_name"' in response.content
    assert b'aria-invalid="true"' in response.content


def test_revoking_asks_first_then_revokes(client, cast):
    token, secret = tokens.issue(cast.head, cast.school, "Old laptop")
    client.force_login(cast.head)
    url = f"/mail/tokens/{token.pk}/revoke/"

    confirm = client.get(url)
    token.refresh_from_db()
    assert confirm.status_code == 200
    assert b"Revoke the token" in confirm.content
    assert token.revoked_at is None

    done = client.post(url)
    token.refresh_from_db()
    assert done.status_code == 302
    assert token.revoked_at is not None
    assert tokens.school_for(secret) is None


def test_a_teacher_cannot_revoke_a_token(client, cast):
    token, _ = tokens.issue(cast.head, cast.school, "Add-in")
    client.force_login(cast.teacher)
    url = f"/mail/tokens/{token.pk}/revoke/"

    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_another_schools_token_cannot_be_revoked_from_here(client, cast):
    elm, _ = tokens.issue(cast.org_admin, cast.other_school, "Elm add-in")
    client.force_login(cast.head)

    response = client.post(f"/mail/tokens/{elm.pk}/revoke/")

    assert response.status_code == 404
    elm.refresh_from_db()
    assert elm.revoked_at is None


def test_a_revoked_token_shows_as_revoked(client, cast):
    token, _ = tokens.issue(cast.head, cast.school, "Gone")
    token.revoked_at = timezone.now()
    token.save()
    client.force_login(cast.head)

    response = client.get("/mail/tokens/")

    assert b"Revoked" in response.content
    assert f"/mail/tokens/{token.pk}/revoke/".encode() not in response.content
