"""The reminders schedule page (/policy/schedule/) and the dashboard by group with each
person's deadline. The rules are tested in tests/policy/test_reminders.py."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.utils import dateformat, timezone

from fairwatch.audit.models import AuditEntry
from fairwatch.policy import reminders, store
from fairwatch.policy.models import Adjustment, PolicySettings, Reminder
from fairwatch.schools.models import Person
from tests.cast import add_person

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def test_the_head_sees_the_schedule_in_words_and_changes_it(client, cast):
    client.force_login(cast.head)
    page = text(client.get("/policy/schedule/"))
    assert "Staff have 14 days to read a new version" in page
    assert "reminded every 7 days until they have read it" in page
    assert "The reminders have not run yet" in page
    assert "Send the reminders that are due now" in page

    saved = client.post(
        "/policy/schedule/", {"deadline_days": "21", "remind_every_days": "0"}, follow=True
    )
    assert saved.status_code == 200
    assert "The schedule is saved." in text(saved)
    assert "Staff have 21 days" in text(saved) and "asked once and not reminded" in text(saved)
    stored = PolicySettings.objects.get(school=cast.school)
    assert (stored.deadline_days, stored.remind_every_days) == (21, 0)


def test_bad_values_are_named_and_linked_and_nothing_is_lost(client, cast):
    client.force_login(cast.head)
    bad = client.post("/policy/schedule/", {"deadline_days": "120", "remind_every_days": "x"})
    assert bad.status_code == 400
    page = text(bad)
    assert "There is a problem" in page
    assert 'href="#id_remind_every_days"' in page
    assert "Remind them every this many days: Give the days as a whole number from 0 to 60" in page
    assert 'aria-invalid="true"' in page
    # The range is the service's rule: the form passes a number, the service names it.
    out_of_range = text(
        client.post("/policy/schedule/", {"deadline_days": "120", "remind_every_days": "3"})
    )
    assert "Days staff have to read a new version: Give the days" in out_of_range
    assert "from 1 to 90" in out_of_range
    assert reminders.settings_for(cast.school).deadline_days == 14


def test_a_teacher_and_the_dpo_may_not(client, cast):
    for user in (cast.teacher, cast.dpo):
        client.force_login(user)
        assert client.get("/policy/schedule/").status_code == 403
        assert client.post("/policy/schedule/send/").status_code == 403
    assert not Reminder.objects.exists()
    assert AuditEntry.objects.filter(actor=cast.teacher, outcome="refused").count() == 2
    # The DPO sees who has read it, without the link to a page she may not open.
    ack = text(client.get("/policy/acknowledgements/"))
    assert "Who has read the policy" in ack and "When staff are asked and reminded" not in ack


def test_the_button_sends_what_is_due_and_the_page_says_so(
    client, cast, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(cast.head)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/policy/schedule/send/", follow=True)
    assert "Sent 8 emails: 8 asking someone for the first time and 0 reminders." in text(sent)
    assert len(mailoutbox) == 8 and all(len(m.to) == 1 for m in mailoutbox)
    assert "The last run was on" in text(sent) and "about version 1" in text(sent)
    again = client.post("/policy/schedule/send/", follow=True)
    assert "Nobody was due an email now" in text(again)


def test_the_dashboard_shows_groups_deadlines_and_overdue(client, cast):
    add_person(cast.school, Person.Kind.VOLUNTEER, "V1", "Val", "Green", email="val@oak.example")
    row = store.to_read(cast.school)
    wren = Person.objects.get(school=cast.school, user=cast.teacher)
    long_ago = timezone.now() - dt.timedelta(days=20)
    Reminder.objects.create(version=row, person=wren, kind=Reminder.Kind.ASKED, sent_at=long_ago)
    Reminder.objects.create(version=row, person=wren, kind=Reminder.Kind.REMINDER, sent_at=long_ago)
    store.acknowledge(cast.head, cast.school)
    client.force_login(cast.head)
    page = text(client.get("/policy/acknowledgements/"))
    assert "By group" in page
    assert re.search(r"Staff</th> <td data-label=\"Asked\">8</td> <td[^>]*>1</td>", page)
    assert re.search(r"Volunteers</th> <td data-label=\"Asked\">1</td> <td[^>]*>0</td>", page)
    assert '<meter min="0" max="8" value="1" aria-label="Staff: acknowledged">' in page
    deadline = timezone.localdate(long_ago) + dt.timedelta(days=14)
    wren_row = re.search(r"Tom Wren</th>.*?</tr>", page).group(0)
    assert dateformat.format(deadline, "j F Y") in wren_row and "overdue" in wren_row
    assert 'data-label="Reminders">1</td>' in wren_row
    green_row = re.search(r"Val Green</th>.*?</tr>", page).group(0)
    assert "overdue" not in green_row and 'data-label="Reminders">0</td>' in green_row
    assert 'href="/policy/schedule/"' in page


def test_only_the_head_sees_a_deadline_moved_by_agreed_more_time(client, cast):
    """More time may reveal a disability: the DPO, who also sees this page, gets the
    ordinary schedule deadline and no count of reminders (fewer reminders would tell)."""
    row = store.to_read(cast.school)
    wren = Person.objects.get(school=cast.school, user=cast.teacher)
    ordinary = dateformat.format(reminders.deadline_for(wren, row), "j F Y")
    later = timezone.localdate() + dt.timedelta(days=40)
    Adjustment.objects.create(
        school=cast.school,
        person=wren,
        version=row,
        kind=Adjustment.Kind.TIME,
        detail="I need more time.",
        status=Adjustment.Status.AGREED,
        deadline=later,
    )
    agreed = dateformat.format(later, "j F Y")

    client.force_login(cast.head)
    head_row = re.search(r"Tom Wren</th>.*?</tr>", text(client.get("/policy/acknowledgements/")))
    assert agreed in head_row.group(0) and ordinary not in head_row.group(0)
    assert 'data-label="Reminders"' in head_row.group(0)

    client.force_login(cast.dpo)
    page = text(client.get("/policy/acknowledgements/"))
    dpo_row = re.search(r"Tom Wren</th>.*?</tr>", page).group(0)
    assert ordinary in dpo_row
    assert agreed not in page
    assert "Reminders" not in page
