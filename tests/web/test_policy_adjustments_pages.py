"""The pages for reasonable adjustments to reading the policy (clause 2): asking, one's own
requests, the Headteacher's list and answers, and the links on the reading and home pages.
The service's rules are tested in tests/policy/test_adjustments.py."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from fairwatch.audit.models import AuditEntry
from fairwatch.policy import adjustments
from fairwatch.policy.models import Adjustment

pytestmark = pytest.mark.django_db

PRIVATE = "A screen-reader friendly copy, please."


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def words(response) -> str:
    """The page's words, without tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text(response)))


def later(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_the_reading_page_links_to_asking_and_then_to_your_requests(client, cast):
    client.force_login(cast.teacher)
    page = client.get("/policy/read/")
    assert "Need the policy in another format, or more time to read it?" in text(page)
    assert 'href="/policy/adjustments/ask/"' in page.content.decode()
    assert "/policy/adjustments/mine/" not in page.content.decode()  # none asked yet

    adjustments.ask(cast.teacher, cast.school, "format", PRIVATE)
    page = client.get("/policy/read/")
    assert 'href="/policy/adjustments/mine/"' in page.content.decode()


def test_the_ask_form_shows_the_kinds_with_hints(client, cast):
    client.force_login(cast.teacher)
    page = client.get("/policy/adjustments/ask/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'type="radio" name="kind" value="format"' in body
    assert "An accessible format" in body and "More time" in body
    assert 'aria-describedby="id_kind_0-hint"' in body and 'id="id_kind_0-hint"' in body
    assert "large print" in text(page)
    assert "What happens next" in text(page)


def test_asking_shows_a_confirmation_and_what_happens_next(client, cast):
    client.force_login(cast.teacher)
    done = client.post(
        "/policy/adjustments/ask/",
        {"kind": "time", "detail": "On leave until the 20th.", "wanted_by": later(20)},
        follow=True,
    )
    assert done.status_code == 200
    made = Adjustment.objects.get()
    assert made.kind == "time" and made.detail == "On leave until the 20th."
    assert done.redirect_chain[-1][0] == f"/policy/adjustments/asked/{made.pk}/"
    page = text(done)
    assert "Your request has been sent" in page
    assert "What happens next" in page
    assert "On leave until the 20th." in page


def test_problems_are_named_in_the_summary_and_at_each_field(client, cast):
    client.force_login(cast.teacher)
    page = client.post("/policy/adjustments/ask/", {"kind": "time", "detail": ""})
    assert page.status_code == 400
    body, words = page.content.decode(), text(page)
    assert "There is a problem" in words
    assert 'href="#id_detail"' in body and 'href="#id_wanted_by"' in body
    assert "Say what you need" in words
    assert "Give the date you need more time until" in words
    assert 'aria-invalid="true"' in body
    assert not Adjustment.objects.exists()


def test_a_bad_choice_and_a_second_open_request_are_named(client, cast):
    client.force_login(cast.teacher)
    page = client.post("/policy/adjustments/ask/", {"kind": "braille", "detail": "x"})
    assert page.status_code == 400
    assert 'href="#id_kind-group"' in page.content.decode()
    adjustments.ask(cast.teacher, cast.school, "format", PRIVATE)
    again = client.post("/policy/adjustments/ask/", {"kind": "format", "detail": "Large print"})
    assert again.status_code == 400
    assert "You have already asked for an accessible format" in text(again)
    assert Adjustment.objects.count() == 1


def test_someone_not_on_the_staff_list_cannot_ask(client, cast):
    client.force_login(cast.org_admin)  # reaches Oak, but is not on its staff list
    assert client.get("/policy/adjustments/ask/").status_code == 403
    posted = client.post("/policy/adjustments/ask/", {"kind": "format", "detail": "Large print"})
    assert posted.status_code == 403
    assert AuditEntry.objects.filter(action="policy.adjustment.ask", outcome="refused").count() == 2
    assert not Adjustment.objects.exists()
    client.force_login(cast.outsider)  # no school at all
    assert client.get("/policy/adjustments/ask/").status_code == 403


def test_your_requests_show_the_answer_and_your_new_deadline(client, cast):
    made = adjustments.ask(
        cast.teacher, cast.school, "time", "On leave.", timezone.localdate() + dt.timedelta(30)
    )
    adjustments.answer(cast.head, cast.school, made.pk, True, "Agreed, take the time.")
    client.force_login(cast.teacher)
    page = words(client.get("/policy/adjustments/mine/"))
    new_day = (timezone.localdate() + dt.timedelta(30)).strftime("%-d %B %Y")
    assert "Agreed, take the time." in page
    assert f"Your new deadline {new_day}" in page
    assert f"acknowledge version 1 by {new_day}" in page


def test_your_requests_are_yours_only(client, cast):
    theirs = adjustments.ask(cast.dsl, cast.school, "format", PRIVATE)
    client.force_login(cast.teacher)
    page = text(client.get("/policy/adjustments/mine/"))
    assert PRIVATE not in page
    assert "You have not asked for an adjustment." in page
    assert client.get(f"/policy/adjustments/asked/{theirs.pk}/").status_code == 404


def test_the_headteacher_answers_from_the_list(client, cast, mailoutbox):
    made = adjustments.ask(
        cast.teacher, cast.school, "time", "On leave.", timezone.localdate() + dt.timedelta(30)
    )
    client.force_login(cast.head)
    page = client.get("/policy/adjustments/")
    assert page.status_code == 200
    assert "Waiting for your answer (1)" in text(page)
    assert "Tom Wren" in text(page) and "On leave." in text(page)
    assert f'value="{later(30)}"' in page.content.decode()  # the deadline starts as asked

    prefix = f"a{made.pk}"
    done = client.post(
        f"/policy/adjustments/{made.pk}/answer/",
        {
            f"{prefix}-agreed": "yes",
            f"{prefix}-answer": "Yes, two weeks more.",
            f"{prefix}-deadline": later(14),
        },
        follow=True,
    )
    assert done.status_code == 200
    assert "Your answer to Tom Wren is saved" in text(done)
    made.refresh_from_db()
    assert made.status == Adjustment.Status.AGREED
    assert made.deadline.isoformat() == later(14)
    assert "Waiting for your answer (0)" in text(done)


def test_an_answer_with_problems_comes_back_named(client, cast):
    made = adjustments.ask(cast.teacher, cast.school, "format", PRIVATE)
    client.force_login(cast.head)
    page = client.post(f"/policy/adjustments/{made.pk}/answer/", {f"a{made.pk}-answer": ""})
    assert page.status_code == 400
    body, words = page.content.decode(), text(page)
    assert "There is a problem" in words
    assert f'href="#id_a{made.pk}-agreed-group"' in body
    assert f'href="#id_a{made.pk}-answer"' in body
    assert "Choose whether you agree" in words and "Write your answer" in words
    made.refresh_from_db()
    assert made.status == Adjustment.Status.ASKED


@pytest.mark.parametrize("who", ["dpo", "teacher"])
def test_others_cannot_see_the_list_or_answer(client, cast, who):
    made = adjustments.ask(cast.teacher, cast.school, "format", PRIVATE)
    client.force_login(getattr(cast, who))
    page = client.get("/policy/adjustments/")
    assert page.status_code == 403
    assert PRIVATE not in text(page)
    answered = client.post(
        f"/policy/adjustments/{made.pk}/answer/",
        {f"a{made.pk}-agreed": "yes", f"a{made.pk}-answer": "Yes."},
    )
    assert answered.status_code == 403
    assert AuditEntry.objects.filter(action="policy.adjustments", outcome="refused").count() == 2
    made.refresh_from_db()
    assert made.status == Adjustment.Status.ASKED


def test_the_home_page_counts_what_waits_for_the_headteacher_only(client, cast):
    client.force_login(cast.head)
    assert "Adjustments to answer" not in text(client.get("/"))
    adjustments.ask(cast.teacher, cast.school, "format", PRIVATE)
    page = client.get("/")
    assert "Adjustments to answer: 1" in text(page)
    assert 'href="/policy/adjustments/"' in page.content.decode()

    client.force_login(cast.dpo)
    assert "Adjustments to answer" not in text(client.get("/"))
    assert not AuditEntry.objects.filter(action="policy.adjustments", outcome="refused").exists()
