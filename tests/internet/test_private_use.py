"""The register of private-use permissions (3.1): any member of staff asks; the Headteacher
grants (perhaps narrower) or refuses with a reason; the requester or the Headteacher
withdraws; the DPO reads the register; each step audited; names only to those allowed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from fairwatch.audit.gate import Refused
from fairwatch.internet import category_rules, private_use
from fairwatch.internet.models import PrivateUse
from tests.internet.conftest import STAFF, WHO, entries, person, signed_in, today

DAY = dt.timedelta(days=1)
NOT_STAFF = ["org_admin", "outsider"]
NOT_REGISTER = [w for w in WHO if w not in ("head", "dpo")]


def ask(cast, user=None, **fields) -> PrivateUse:
    values = {
        "purpose": "Online banking at lunchtime",
        "categories": ["shopping", "webmail"],
        "starts": today(),
        "expires": today() + 60 * DAY,
    } | fields
    return private_use.ask(user or cast.teacher, cast.school, **values)


# --- asking --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", STAFF)
def test_any_member_of_staff_may_ask(cast, who):
    item = ask(cast, getattr(cast, who))

    assert item.state == "requested" and item.person == person(cast, getattr(cast, who))
    assert item.categories == ["shopping", "webmail"]
    entry = entries("internet.private_use.ask", "done").get()
    assert entry.clause == "3.1" and "banking" not in str(entry.detail)


@pytest.mark.parametrize("who", NOT_STAFF)
def test_someone_with_no_role_at_the_school_may_not_ask_and_it_is_recorded(cast, who):
    with pytest.raises(Refused):
        ask(cast, getattr(cast, who))

    assert not PrivateUse.objects.exists()
    assert entries("internet.private_use.ask", "refused").count() == 1


def test_the_private_categories_are_those_the_school_treats_as_private(cast):
    assert "shopping" in private_use.private_categories(cast.school)
    category_rules.update(cast.it, cast.school, {"shopping": "allowed", "news": "private"})

    found = private_use.private_categories(cast.school)

    assert "shopping" not in found and "news" in found and "adult" not in found


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"purpose": "  "}, "purpose"),
        ({"purpose": "x" * (private_use.PURPOSE_MAX + 1)}, "purpose"),
        ({"categories": ["adult"]}, "categories"),  # harmful: no permission covers it
        ({"categories": ["education"]}, "categories"),  # allowed anyway
        ({"starts": None}, "starts"),
        ({"starts": today() - DAY}, "starts"),
        ({"expires": None}, "expires"),
        ({"expires": today()}, "expires"),  # the end must be after the start
        ({"expires": today() + 366 * DAY}, "expires"),  # at most a year
    ],
)
def test_a_request_must_make_sense(cast, fields, problem):
    with pytest.raises(private_use.InvalidRequest) as caught:
        ask(cast, **fields)

    assert problem in caught.value.errors
    assert not PrivateUse.objects.exists()


def test_a_year_exactly_is_allowed_and_no_categories_means_any(cast):
    item = ask(cast, categories=[], expires=today() + 365 * DAY)

    assert item.categories == []


def test_asking_emails_the_headteacher_a_link_and_nothing_else(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = ask(cast)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["head@oak.example"]
    assert f"/internet/private-use/{item.pk}/" in message.body
    for secret in ("banking", "shopping", "webmail", "Thomas", "Wren", "teacher@"):
        assert secret not in message.subject + message.body, secret


# --- who sees what -----------------------------------------------------------------------------


def test_the_requester_sees_their_own_requests_and_nobody_elses(cast):
    mine = ask(cast)
    theirs = ask(cast, cast.dsl)

    assert private_use.mine(cast.teacher, cast.school) == [mine]
    assert private_use.get(cast.teacher, cast.school, mine.pk) == mine
    with pytest.raises(Refused):
        private_use.get(cast.teacher, cast.school, theirs.pk)
    assert entries("internet.private_use.view", "done").count() == 1
    assert entries("internet.private_use_register", "refused").count() == 1


@pytest.mark.parametrize("who", ["head", "dpo"])
def test_the_headteacher_and_the_dpo_see_the_whole_register(cast, who):
    first, second = ask(cast), ask(cast, cast.dsl)
    private_use.refuse(cast.head, first, reason="Not during term.")

    found = list(private_use.register(getattr(cast, who), cast.school))

    assert [x.pk for x in found] == [second.pk, first.pk]  # waiting first
    assert entries("internet.private_use_register", "allowed").count() == 1
    assert private_use.get(getattr(cast, who), cast.school, second.pk) == second


@pytest.mark.parametrize("who", NOT_REGISTER)
def test_nobody_else_sees_the_register_and_the_refusal_is_recorded(cast, who):
    ask(cast, cast.dsl)
    with pytest.raises(Refused):
        private_use.register(getattr(cast, who), cast.school)

    assert entries("internet.private_use_register", "refused").count() == 1


# --- deciding ----------------------------------------------------------------------------------


def test_the_headteacher_grants_as_asked(cast, django_capture_on_commit_callbacks):
    item = ask(cast)

    with django_capture_on_commit_callbacks(execute=True):
        granted = private_use.grant(cast.head, item, conditions="Outside lessons only.")

    assert granted.state == "granted"
    assert granted.categories == ["shopping", "webmail"]
    assert granted.decided_by == person(cast, cast.head) and granted.decided_at
    assert granted.reason == "Outside lessons only."
    entry = entries("internet.private_use.grant", "done").get()
    assert entry.detail == {"narrowed": False, "shortened": False}
    assert mail.outbox[-1].to == ["teacher@oak.example"]
    assert "Outside lessons" not in mail.outbox[-1].body


def test_the_headteacher_may_narrow_the_categories_and_shorten_the_time(cast):
    item = ask(cast)

    granted = private_use.grant(cast.head, item, categories=["webmail"], expires=today() + 30 * DAY)

    assert granted.categories == ["webmail"] and granted.expires == today() + 30 * DAY
    entry = entries("internet.private_use.grant", "done").get()
    assert entry.detail == {"narrowed": True, "shortened": True}


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"categories": ["games"]}, "categories"),  # not asked for
        ({"categories": []}, "categories"),  # nothing left: refuse instead
        ({"expires": today() + 61 * DAY}, "expires"),  # later than asked
        ({"expires": today()}, "expires"),  # not after the start
    ],
)
def test_a_grant_cannot_widen_the_request(cast, fields, problem):
    item = ask(cast)

    with pytest.raises(private_use.InvalidRequest) as caught:
        private_use.grant(cast.head, item, **fields)

    assert problem in caught.value.errors
    assert PrivateUse.objects.get(pk=item.pk).state == "requested"


def test_a_request_for_any_category_may_be_granted_for_some(cast):
    item = ask(cast, categories=[])

    granted = private_use.grant(cast.head, item, categories=["games"])

    assert granted.categories == ["games"]


def test_refusing_needs_a_reason_the_requester_can_read(cast):
    item = ask(cast)
    with pytest.raises(private_use.InvalidRequest):
        private_use.refuse(cast.head, item, reason="")

    refused = private_use.refuse(cast.head, item, reason="Use your own phone, please.")

    assert refused.state == "refused" and refused.reason == "Use your own phone, please."
    assert entries("internet.private_use.refuse", "done").count() == 1


@pytest.mark.parametrize("who", [w for w in WHO if w != "head"])
def test_only_the_headteacher_decides(cast, who):
    item = ask(cast, cast.dsl if who == "teacher" else cast.teacher)

    with pytest.raises(Refused):
        private_use.grant(getattr(cast, who), item)
    with pytest.raises(Refused):
        private_use.refuse(getattr(cast, who), item, reason="no")

    assert PrivateUse.objects.get(pk=item.pk).state == "requested"
    assert entries("internet.private_use.grant", "refused").count() == 1
    assert entries("internet.private_use.refuse", "refused").count() == 1


def test_the_headteacher_cannot_decide_their_own_request(cast):
    item = ask(cast, cast.head)

    with pytest.raises(Refused):
        private_use.grant(cast.head, item)

    assert entries("internet.private_use.grant", "refused").get().detail == {
        "why": "You cannot decide your own request."
    }


def test_a_decided_request_cannot_be_decided_again(cast):
    item = private_use.grant(cast.head, ask(cast))

    with pytest.raises(private_use.WrongState):
        private_use.refuse(cast.head, item, reason="changed my mind")
    with pytest.raises(private_use.WrongState):
        private_use.grant(cast.head, item)


# --- the Headteacher's own request: the Chair of Governors decides ----------------------------


def test_the_headteachers_request_goes_to_the_chair_of_governors(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = ask(cast, cast.head)

    assert private_use.decider_role(item.person).value == "chair_of_governors"
    assert [m.to for m in mail.outbox] == [["chair@oak.example"]]
    assert "banking" not in mail.outbox[0].body


def test_the_chair_of_governors_decides_the_headteachers_request(cast):
    item = ask(cast, cast.head)

    assert private_use.may_decide(cast.chair, item) and not private_use.may_decide(cast.head, item)
    granted = private_use.grant(cast.chair, item, conditions="Lunchtimes only.")

    assert granted.state == "granted" and granted.decided_by == person(cast, cast.chair)
    entry = entries("internet.private_use.grant", "done").get()
    assert entry.role == "chair_of_governors"


def test_the_headteacher_is_refused_deciding_their_own_request_and_so_is_anyone_but_the_chair(
    cast,
):
    item = ask(cast, cast.head)

    for who in ("head", "dsl", "dpo", "teacher", "org_admin"):
        with pytest.raises(Refused):
            private_use.refuse(getattr(cast, who), item, reason="No.")

    assert PrivateUse.objects.get(pk=item.pk).state == "requested"
    assert entries("internet.private_use.refuse", "refused").count() == 5


def test_the_chair_decides_only_the_headteachers_requests_and_nobody_their_own(cast):
    teachers = ask(cast)
    chairs = ask(cast, cast.chair)

    with pytest.raises(Refused) as caught:
        private_use.grant(cast.chair, teachers)
    assert str(caught.value) == "This request is decided by the Headteacher."
    with pytest.raises(Refused):
        private_use.grant(cast.chair, chairs)
    assert private_use.grant(cast.head, chairs).state == "granted"


def test_the_chair_sees_the_headteachers_requests_to_decide_and_no_others(cast):
    heads = ask(cast, cast.head)
    teachers = ask(cast)

    assert private_use.to_decide(cast.chair, cast.school) == [heads]
    assert private_use.get(cast.chair, cast.school, heads.pk) == heads
    with pytest.raises(Refused):
        private_use.get(cast.chair, cast.school, teachers.pk)
    assert entries("internet.private_use.to_decide", "allowed").get().object_id == str(heads.pk)
    assert private_use.to_decide(cast.head, cast.school) == [teachers]
    assert private_use.to_decide(cast.teacher, cast.school) == []


def test_the_chair_withdraws_the_headteachers_permission(cast):
    item = private_use.grant(cast.chair, ask(cast, cast.head))

    assert private_use.withdraw(cast.chair, item).withdrawn_by == person(cast, cast.chair)


def test_the_chair_decides_through_the_pages(client, cast):
    item = ask(cast, cast.head)
    head_sees = signed_in(client, cast.head).get(f"/internet/private-use/{item.pk}/")
    assert "Grant it" not in head_sees.content.decode()
    assert "Waiting for the decision of the Chair of Governors." in head_sees.content.decode()

    signed_in(client, cast.chair)
    listed = client.get("/internet/private-use/").content.decode()
    assert "Waiting for your decision" in listed and "Alice Hartley" in listed
    detail = client.get(f"/internet/private-use/{item.pk}/").content.decode()
    assert "Grant it" in detail
    response = client.post(
        f"/internet/private-use/{item.pk}/", {"do": "refuse", "refuse-reason": "Not in term."}
    )

    assert response.status_code == 302
    assert PrivateUse.objects.get(pk=item.pk).state == "refused"


def test_the_headteachers_ask_page_says_the_chair_decides(client, cast):
    html = signed_in(client, cast.head).get("/internet/private-use/ask/").content.decode()

    assert "Ask the Chair of Governors</button>" in html


# --- withdrawing -------------------------------------------------------------------------------


def test_the_requester_withdraws_their_own_request(cast):
    item = ask(cast)

    withdrawn = private_use.withdraw(cast.teacher, item, reason="No longer needed.")

    assert withdrawn.state == "withdrawn"
    assert withdrawn.withdrawn_by == person(cast, cast.teacher) and withdrawn.withdrawn_at
    assert "by Tom Wren: No longer needed." in withdrawn.reason
    assert entries("internet.private_use.withdraw", "done").get().detail == {"by_requester": True}


def test_the_headteacher_withdraws_a_permission_and_keeps_its_conditions(cast):
    item = private_use.grant(cast.head, ask(cast), conditions="Lunchtimes only.")

    withdrawn = private_use.withdraw(cast.head, item)

    assert withdrawn.state == "withdrawn"
    assert withdrawn.withdrawn_by == person(cast, cast.head) and withdrawn.withdrawn_at
    assert withdrawn.reason.startswith("Lunchtimes only.\n\nWithdrawn on ")
    with pytest.raises(private_use.WrongState):
        private_use.withdraw(cast.head, withdrawn)


@pytest.mark.parametrize("who", ["dsl", "dpo", "it", "chair", "org_admin", "outsider"])
def test_nobody_else_withdraws(cast, who):
    item = ask(cast)

    with pytest.raises(Refused):
        private_use.withdraw(getattr(cast, who), item)

    assert PrivateUse.objects.get(pk=item.pk).state == "requested"
    assert entries("internet.private_use.withdraw", "refused").count() == 1


def test_a_refused_request_cannot_be_withdrawn(cast):
    item = private_use.refuse(cast.head, ask(cast), reason="No.")

    with pytest.raises(private_use.WrongState):
        private_use.withdraw(cast.teacher, item)


# --- for reports -------------------------------------------------------------------------------


def test_covers_names_pseudonyms_of_granted_permissions_only(cast):
    from fairwatch.monitoring.pseudonyms import pseudonym_of

    private_use.grant(cast.head, ask(cast, categories=["webmail"]))
    ask(cast, cast.dsl)  # still waiting
    private_use.refuse(cast.head, ask(cast, cast.it), reason="No.")

    found = private_use.covers(cast.school, today(), today() + 7 * DAY)

    assert [c.pseudonym for c in found] == [pseudonym_of(cast.school, person(cast, cast.teacher))]
    cover = found[0]
    assert cover.covers("webmail", today()) and not cover.covers("shopping", today())
    assert not cover.covers("webmail", today() - DAY)
    assert private_use.covers(cast.school, today() + 61 * DAY, today() + 70 * DAY) == []


# --- the pages ---------------------------------------------------------------------------------


def test_asking_through_the_page(client, cast):
    signed_in(client, cast.teacher)
    page = client.get("/internet/private-use/ask/").content.decode()
    assert 'value="webmail"' in page and 'value="adult"' not in page

    response = client.post(
        "/internet/private-use/ask/",
        {
            "purpose": "Booking a doctor's appointment",
            "scope": "chosen",
            "categories": ["shopping"],
            "starts": today().isoformat(),
            "expires": (today() + 10 * DAY).isoformat(),
        },
    )

    item = PrivateUse.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/internet/private-use/{item.pk}/"
    assert item.categories == ["shopping"] and item.person == person(cast, cast.teacher)


def test_the_ask_page_says_what_is_wrong(client, cast):
    signed_in(client, cast.teacher)

    response = client.post(
        "/internet/private-use/ask/",
        {"purpose": "", "scope": "chosen", "starts": today().isoformat(), "expires": ""},
    )

    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert "Say what the private use is for." in html
    assert "Choose at least one kind of site, or choose any." in html
    assert "Give the date the permission should end." in html
    assert not PrivateUse.objects.exists()


def test_the_requester_sees_their_requests_and_no_register(client, cast):
    ask(cast)
    ask(cast, cast.dsl)

    html = signed_in(client, cast.teacher).get("/internet/private-use/").content.decode()

    assert "Your requests" in html and "The register" not in html
    assert "Debbie" not in html and "Singh" not in html


def test_the_headteacher_sees_the_register_with_names_and_decides(client, cast):
    item = ask(cast)
    signed_in(client, cast.head)

    html = client.get("/internet/private-use/").content.decode()
    assert "The register" in html and "Tom Wren" in html

    detail = client.get(f"/internet/private-use/{item.pk}/").content.decode()
    assert "Grant it" in detail and "Refuse it" in detail

    response = client.post(
        f"/internet/private-use/{item.pk}/",
        {
            "do": "grant",
            "grant-categories": ["webmail"],
            "grant-expires": (today() + 20 * DAY).isoformat(),
            "grant-conditions": "",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.state, item.categories) == ("granted", ["webmail"])


def test_the_dpo_reads_the_register_but_cannot_decide(client, cast):
    item = ask(cast)
    signed_in(client, cast.dpo)

    assert "Tom Wren" in client.get("/internet/private-use/").content.decode()
    detail = client.get(f"/internet/private-use/{item.pk}/").content.decode()
    assert "Grant it" not in detail and "Withdraw" not in detail

    response = client.post(
        f"/internet/private-use/{item.pk}/", {"do": "refuse", "refuse-reason": "no"}
    )
    assert response.status_code == 403
    assert PrivateUse.objects.get(pk=item.pk).state == "requested"


@pytest.mark.parametrize("who", ["dsl", "it", "monitor", "hr", "chair", "org_admin"])
def test_someone_elses_request_is_refused_to_everyone_else(client, cast, who):
    item = ask(cast)

    response = signed_in(client, getattr(cast, who)).get(f"/internet/private-use/{item.pk}/")

    assert response.status_code == 403
    assert entries("internet.private_use_register", "refused").count() == 1


def test_the_org_admin_has_no_private_use_page(client, cast):
    assert signed_in(client, cast.org_admin).get("/internet/private-use/").status_code == 403
    assert signed_in(client, cast.org_admin).get("/internet/private-use/ask/").status_code == 403


def test_the_requester_withdraws_through_the_page(client, cast):
    item = ask(cast)
    signed_in(client, cast.teacher)

    response = client.post(f"/internet/private-use/{item.pk}/", {"do": "withdraw"})

    assert response.status_code == 302
    assert PrivateUse.objects.get(pk=item.pk).state == "withdrawn"
    html = client.get(f"/internet/private-use/{item.pk}/").content.decode()
    assert "<dt>Withdrawn</dt><dd>By you, <time" in html


def test_the_page_says_who_withdrew_a_permission(client, cast):
    item = private_use.withdraw(cast.head, private_use.grant(cast.head, ask(cast)))

    html = signed_in(client, cast.teacher).get(f"/internet/private-use/{item.pk}/").content.decode()

    assert "<dt>Withdrawn</dt><dd>By Alice Hartley, <time" in html
