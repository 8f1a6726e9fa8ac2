"""The policy journey in a real browser (issue 9): the Headteacher adapts a clause and
publishes a new version; a teacher, on a phone, sees what changed since the version they last
read and acknowledges it; the Headteacher's count of who has read it moves. Each person has
their own browser context and drives the pages by their labels, as a person would."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from fairwatch.policy import store
from fairwatch.schools.models import Person
from tests.browser.test_journeys import PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

NEW_WORDS = "Ask the Headteacher before any private use of school devices, even at lunchtime."


def acknowledged_count(page: Page) -> str:
    return page.get_by_role("listitem").filter(has_text=re.compile(r"^Acknowledged:")).inner_text()


def test_the_head_publishes_a_version_and_a_teacher_reads_what_changed(cast, person_page):
    # The teacher read version 1 when they joined.
    teacher_person = Person.objects.get(school=cast.school, user=cast.teacher)
    store.acknowledge(cast.teacher, cast.school, 1)
    asked = len(store.outstanding(None, cast.school).acknowledged) + len(
        store.outstanding(None, cast.school).outstanding
    )

    head = person_page("head@oak.example")
    head.get_by_role("link", name="Adapt the school's policy and publish a new version").click()
    head.get_by_role("button", name="Start a draft").click()
    head.get_by_role("link", name=re.compile(r"^Change clause 3$")).click()
    expect(head.get_by_role("heading", level=1)).to_have_text("Change clause 3")
    head.get_by_label("Words").fill(NEW_WORDS)
    head.get_by_role("button", name="Keep these changes in the draft").click()
    expect(head.get_by_text("Clause 3 is changed in the draft.")).to_be_visible()
    expect(head.locator(".clause-diff").first).to_contain_text("even at lunchtime")

    head.get_by_label("Summary of the change").fill("Private use of school devices at lunchtime.")
    head.get_by_role("button", name="Publish the new version").click()
    expect(head.get_by_text("Version 2 is published")).to_be_visible()

    head.goto("/")
    head.get_by_role("link", name="See who has read the policy version in force").first.click()
    expect(
        head.get_by_role("heading", name=re.compile(r"^Version 2, in force from"))
    ).to_be_visible()
    assert acknowledged_count(head).startswith("Acknowledged: 0")

    teacher = person_page("teacher@oak.example", PHONE)
    teacher.get_by_role("link", name="Acknowledge the policy version in force").click()
    expect(
        teacher.get_by_role("heading", name="What changed since you last read it")
    ).to_be_visible()
    change = teacher.locator(".clause-diff").filter(has_text="even at lunchtime")
    expect(change).to_contain_text("Clause 3 changed")
    expect(change.locator("ins").first).to_be_visible()
    assert teacher.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    teacher.get_by_role("button", name="I have read version 2").click()
    expect(teacher.locator(".status.ok")).to_contain_text("You acknowledged version 2 on")

    head.reload()
    share = round(100 / asked)
    assert acknowledged_count(head) == f"Acknowledged: 1 ({share}%)"
    ack = store.covering(teacher_person, cast.school, store.to_read(cast.school))
    assert ack is not None and ack.version.number == 2
    assert ack.at.date() == timezone.localdate()
