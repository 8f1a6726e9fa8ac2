"""Alerts of harmful categories (3.3): only the DSL and the Headteacher see them, as pseudonyms;
each look is audited and every refusal recorded; closing with a note and reopening; the count
on the home page; and the email that says there is something new, with nothing of it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail

from fairwatch.audit.gate import Refused
from fairwatch.internet import alerts
from fairwatch.internet.models import Alert
from fairwatch.roles import Role
from fairwatch.schools.models import Person, RoleAssignment
from fairwatch.web.context import ordered_roles
from fairwatch.web.home import capabilities_for
from tests.internet.conftest import WHO, entries, make_alert, person, signed_in, today

READERS = ["head", "dsl"]
NOT_READERS = [w for w in WHO if w not in READERS]


# --- who sees them -------------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_the_dsl_and_the_headteacher_see_the_alerts_and_the_look_is_audited(cast, who):
    made = make_alert(cast.school)
    make_alert(cast.other_school)

    found = list(alerts.listed(getattr(cast, who), cast.school))

    assert found == [made]
    entry = entries("internet.alerts", "allowed").get()
    assert entry.purpose == "safeguarding" and entry.role == who.replace("head", "headteacher")
    assert alerts.get(getattr(cast, who), cast.school, made.pk) == made


@pytest.mark.parametrize("who", NOT_READERS)
def test_nobody_else_sees_an_alert_and_each_refusal_is_recorded(cast, who):
    made = make_alert(cast.school)
    user = getattr(cast, who)

    with pytest.raises(Refused):
        alerts.listed(user, cast.school)
    with pytest.raises(Refused):
        alerts.get(user, cast.school, made.pk)
    with pytest.raises(Refused):
        alerts.close(user, made, note="seen")
    with pytest.raises(Refused):
        alerts.reopen(user, made, reason="again")

    assert entries("internet.alerts", "refused").count() == 2
    assert entries("internet.alert.close", "refused").count() == 1
    assert entries("internet.alert.reopen", "refused").count() == 1
    assert Alert.objects.get(pk=made.pk).state == "open"


def test_an_alert_of_another_school_is_not_found(cast):
    theirs = make_alert(cast.other_school)

    with pytest.raises(Alert.DoesNotExist):
        alerts.get(cast.dsl, cast.school, theirs.pk)


def test_open_alerts_come_first_then_the_latest_day(cast):
    old_open = make_alert(cast.school, day=today() - dt.timedelta(days=5))
    new_closed = make_alert(cast.school, category="malware", state="closed")
    new_open = make_alert(cast.school, category="phishing")

    assert list(alerts.listed(cast.dsl, cast.school, state="all")) == [
        new_open,
        old_open,
        new_closed,
    ]
    assert list(alerts.listed(cast.dsl, cast.school, state="closed")) == [new_closed]
    with pytest.raises(alerts.InvalidStep):
        alerts.listed(cast.dsl, cast.school, state="everything")


# --- closing and reopening -------------------------------------------------------------------


def test_closing_needs_a_note_and_keeps_it_with_who_and_when(cast):
    made = make_alert(cast.school)

    with pytest.raises(alerts.InvalidStep) as caught:
        alerts.close(cast.dsl, made, note="   ")
    assert set(caught.value.errors) == {"note"}

    closed = alerts.close(cast.dsl, made, note="A known teaching resource, wrongly listed.")

    assert closed.state == "closed" and closed.closed_at is not None
    assert Alert.objects.get(pk=made.pk).closed_by == person(cast, cast.dsl)
    assert "by Debbie Singh: A known teaching resource" in closed.closed_note
    entry = entries("internet.alert.close", "done").get()
    assert (entry.object_id, entry.clause, entry.role) == (str(made.pk), "3.3", "dsl")
    assert "teaching resource" not in str(entry.detail)  # the trail keeps no notes


def test_a_closed_alert_cannot_be_closed_again_nor_an_open_one_reopened(cast):
    made = make_alert(cast.school)
    with pytest.raises(alerts.WrongState):
        alerts.reopen(cast.head, made, reason="again")
    alerts.close(cast.head, made, note="done")
    with pytest.raises(alerts.WrongState):
        alerts.close(cast.head, made, note="done again")


def test_reopening_needs_a_reason_and_keeps_the_earlier_note(cast):
    made = alerts.close(cast.dsl, make_alert(cast.school), note="Looked into it.")

    with pytest.raises(alerts.InvalidStep):
        alerts.reopen(cast.head, made, reason="")
    reopened = alerts.reopen(cast.head, made, reason="The same site again on Friday.")

    assert reopened.state == "open" and reopened.closed_at is None
    assert Alert.objects.get(pk=made.pk).closed_by is None
    assert "Looked into it." in reopened.closed_note
    assert "by Alice Hartley: The same site again on Friday." in reopened.closed_note
    assert entries("internet.alert.reopen", "done").count() == 1


# --- the pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_the_alerts_page_shows_category_day_sites_times_and_pseudonym_but_no_name(
    client, cast, who
):
    pseudonym = "p_" + "b" * 32
    made = make_alert(cast.school, who=pseudonym)

    html = signed_in(client, getattr(cast, who)).get("/internet/alerts/").content.decode()

    assert "Pornography and adult material" in html
    assert "badsite.example (12)" in html
    assert ">09:05</time> to <time" in html and ">14:40</time>" in html
    assert pseudonym[:13] in html
    assert f'href="/internet/alerts/{made.pk}/"' in html
    assert "Thomas" not in html and "Wren" not in html  # nobody's name


def test_the_detail_page_shows_everything_and_the_way_to_find_out_who(client, cast):
    made = make_alert(cast.school)

    html = signed_in(client, cast.dsl).get(f"/internet/alerts/{made.pk}/").content.decode()

    assert "worse.example" in html and "15, of which 9 blocked" in html
    assert "Who was it?" in html
    assert "Only through a monitoring exercise or a recorded safeguarding decision" in html
    assert 'href="/exercises/new/"' in html
    assert f'href="/internet/pseudonym/{made.pseudonym}/?since=' in html


@pytest.mark.parametrize("who", NOT_READERS)
def test_the_pages_are_refused_to_everyone_else(client, cast, who):
    made = make_alert(cast.school)
    signed_in(client, getattr(cast, who))

    assert client.get("/internet/alerts/").status_code == 403
    assert client.get(f"/internet/alerts/{made.pk}/").status_code == 403
    response = client.post(f"/internet/alerts/{made.pk}/", {"do": "close", "close-note": "x"})
    assert response.status_code == 403
    assert Alert.objects.get(pk=made.pk).state == "open"


def test_closing_and_reopening_through_the_page(client, cast):
    made = make_alert(cast.school)
    signed_in(client, cast.head)
    page = f"/internet/alerts/{made.pk}/"

    empty = client.post(page, {"do": "close", "close-note": ""})
    assert empty.status_code == 200
    assert "Write a note before closing the alert." in empty.content.decode()

    done = client.post(page, {"do": "close", "close-note": "Spoke to IT; a filter gap."})
    assert done.status_code == 302 and done["Location"] == "/internet/alerts/"
    assert Alert.objects.get(pk=made.pk).state == "closed"

    again = client.post(page, {"do": "reopen", "reopen-reason": "It happened again."})
    assert again.status_code == 302
    assert Alert.objects.get(pk=made.pk).state == "open"


def test_the_pages_say_who_closed_an_alert(client, cast):
    made = alerts.close(cast.head, make_alert(cast.school), note="Spoke to IT.")

    html = signed_in(client, cast.dsl).get(f"/internet/alerts/{made.pk}/").content.decode()

    assert re.search(r"<dt>Closed</dt><dd><time [^>]+>[^<]+</time> by Alice Hartley</dd>", html)


def test_an_unknown_alert_is_404_for_a_reader(client, cast):
    assert signed_in(client, cast.dsl).get("/internet/alerts/999999/").status_code == 404


# --- the home page count -----------------------------------------------------------------------


def test_the_home_page_counts_open_alerts_for_the_dsl_and_the_headteacher(cast):
    make_alert(cast.school)
    make_alert(cast.school, category="malware")
    make_alert(cast.school, category="phishing", state="closed")
    make_alert(cast.other_school)

    for who in READERS:
        user = getattr(cast, who)
        sections = capabilities_for(ordered_roles(user, cast.school), cast.school)
        counted = [i for _, items in sections for i in items if i.url_name == "internet_alerts"]
        assert counted and all(i.count == 2 for i in counted), who
    for who in ["dpo", "it", "teacher"]:
        sections = capabilities_for(ordered_roles(getattr(cast, who), cast.school), cast.school)
        assert not [i for _, items in sections for i in items if i.url_name == "internet_alerts"]


def test_the_home_page_shows_the_open_count_beside_the_alerts_link(client, cast):
    make_alert(cast.school)
    make_alert(cast.school, category="malware")

    html = signed_in(client, cast.dsl).get("/").content.decode()

    assert '<a href="/internet/alerts/">See alerts of harmful web activity</a>' in html
    assert re.search(r'internet/alerts/">[^<]+</a> <span class="badge">2 open</span>', html)


# --- telling the DSL and the Headteacher --------------------------------------------------------


def test_new_alerts_email_the_dsl_and_the_headteacher_a_link_and_nothing_else(
    cast, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://fairwatch.oak.example"
    made = [make_alert(cast.school), make_alert(cast.school, category="malware")]

    with django_capture_on_commit_callbacks(execute=True):
        told = alerts.notify_new(cast.school, made)

    assert told == 2
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["dsl@oak.example", "head@oak.example"]
    text = message.subject + message.body
    assert "https://fairwatch.oak.example/internet/alerts/" in text
    for secret in ("adult", "malware", "badsite", "worse.example", made[0].pseudonym, "09:05"):
        assert secret not in text, secret
    assert not re.search(r"\b2\b", text)  # not even how many
    assert entries("internet.alert.notify", "done").get().detail == {"recipients": 2}


def test_nothing_is_sent_for_no_alerts_or_only_closed_ones(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.notify_new(cast.school, []) == 0
        assert alerts.notify_new(cast.school, [make_alert(cast.school, state="closed")]) == 0

    assert mail.outbox == []


def test_nothing_is_sent_if_the_ingest_is_rolled_back(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        alerts.notify_new(cast.school, [make_alert(cast.school)])

    assert len(callbacks) == 1 and mail.outbox == []


def test_a_dsl_who_has_left_or_lost_the_role_is_not_told(cast, django_capture_on_commit_callbacks):
    dsl = Person.objects.get(school=cast.school, user=cast.dsl)
    RoleAssignment.objects.filter(person=dsl, role=Role.DSL).update(ended_at=dsl.created_at)

    with django_capture_on_commit_callbacks(execute=True):
        alerts.notify_new(cast.school, [make_alert(cast.school)])

    assert mail.outbox[0].to == ["head@oak.example"]
