"""The monitoring journey in a real browser (issue 4): the Headteacher drafts an exercise, the
DPO reviews it, the Chair approves it (the Headteacher asked for it) and another about the
Headteacher; the named investigator sees identified activity; someone else is refused, and
the DPO finds the new breach with its 72-hour deadline."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from fairwatch.monitoring import activity
from fairwatch.monitoring.models import Breach, Exercise
from fairwatch.privacy.exercises import System
from fairwatch.schools.models import Person
from tests.browser.test_journeys import signed_in_home

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

ANSWERS = {
    "The concern": "Pupil records may have been forwarded to a personal account",
    "The evidence so far": "A colleague saw two such messages last week",
    "Purpose": "Establish whether pupil data left the school",
    "Why monitoring is necessary": "It cannot be established without looking at the mail",
    "Less intrusive alternatives": "Asking first would risk the evidence being deleted",
    "Kinds of data": "Senders, recipients, subjects and dates of email",
    "Effect on the employee": "Three weeks of work email seen by one investigator",
    "Effect on other people": "Correspondents' addresses are seen, not read",
    "The article 8 balance": "One system, three weeks, one viewer: proportionate",
    "HR consulted (7.3)": "EducationHR advised by phone on Monday",
}


def sign_out(page: Page) -> None:
    page.get_by_role("button", name=re.compile("Sign out")).click()


def draft_and_assess(page: Page, subject: Person, viewer: str) -> str:
    page.goto("/exercises/")
    page.get_by_role("link", name="Ask for a monitoring exercise").click()
    page.get_by_label("Whose use of email or the internet").select_option(value=str(subject.pk))
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Privacy impact assessment")
    # Saving half an assessment keeps it and says what is still missing.
    page.get_by_label("The concern", exact=True).fill(ANSWERS["The concern"])
    page.get_by_role("button", name="Save and send to the DPO").click()
    expect(page.get_by_text(re.compile("Not done: the assessment is not complete"))).to_be_visible()
    expect(page.locator(".missing-list")).to_contain_text("Why monitoring is necessary")
    for label, answer in ANSWERS.items():
        page.get_by_label(label, exact=True).fill(answer)
    page.get_by_label("Email", exact=True).check()
    today = timezone.localdate()
    page.get_by_label("Activity from").fill((today - dt.timedelta(days=20)).isoformat())
    page.get_by_label("Activity to").fill(today.isoformat())
    page.get_by_label(viewer, exact=True).check()
    page.get_by_role("button", name="Save and send to the DPO").click()
    expect(page.get_by_text("The assessment is complete and goes to the DPO.")).to_be_visible()
    return re.search(r"/exercises/([A-Z0-9]{8})/", page.url).group(1)


def review(page: Page, exercise: str) -> None:
    page.goto(f"/exercises/{exercise}/")
    page.get_by_role("button", name="Mark as reviewed").click()
    expect(page.get_by_text("Reviewed. The exercise now waits for approval.")).to_be_visible()


def approve(page: Page, exercise: str) -> None:
    page.goto("/exercises/")
    page.get_by_role("link", name=f"Exercise {exercise}").click()
    expect(page.get_by_role("heading", name="Approve as Chair of Governors")).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text(re.compile("^Approved from"))).to_be_visible()


def test_an_exercise_from_draft_to_identified_activity_and_a_refusal_the_dpo_sees(
    page: Page, cast, results_dir
):
    teacher = Person.objects.get(school=cast.school, user=cast.teacher)
    head = Person.objects.get(school=cast.school, user=cast.head)
    activity.record(
        cast.school,
        [
            activity.Event(
                teacher.email,
                System.EMAIL,
                timezone.now() - dt.timedelta(days=2),
                "mail to 3 outside addresses",
                "sent",
            )
        ],
    )

    # The Headteacher asks for an exercise about a teacher, naming the DSL to look.
    signed_in_home(page, "head@oak.example")
    about_teacher = draft_and_assess(page, teacher, "Debbie Singh")
    sign_out(page)

    # The DSL asks for one about the Headteacher.
    signed_in_home(page, "dsl@oak.example")
    about_head = draft_and_assess(page, head, "Peter Okafor")
    sign_out(page)

    # The DPO reviews both.
    signed_in_home(page, "dpo@oak.example")
    review(page, about_teacher)
    review(page, about_head)
    sign_out(page)

    # The Chair approves both: the Headteacher asked for one and is the subject of the other.
    signed_in_home(page, "chair@oak.example")
    approve(page, about_teacher)
    approve(page, about_head)
    page.screenshot(path=results_dir / "exercise-approved.png", full_page=True)
    sign_out(page)
    assert set(Exercise.objects.values_list("state", flat=True)) == {"active"}  # from now

    # The Headteacher does not know of the exercise about them, and cannot open it.
    signed_in_home(page, "head@oak.example")
    page.goto("/exercises/")
    expect(page.get_by_role("link", name=f"Exercise {about_teacher}")).to_be_visible()
    expect(page.get_by_role("link", name=f"Exercise {about_head}")).to_have_count(0)
    assert page.goto(f"/exercises/{about_head}/").status == 404
    # Asking to see the teacher's activity by name is refused: not named on the exercise.
    response = page.goto(f"/exercises/{about_teacher}/activity/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You cannot see this person's activity"
    )
    expect(page.get_by_text(re.compile("reported to the data protection officer"))).to_be_visible()
    sign_out(page)

    # The named investigator sees the teacher's activity by name.
    signed_in_home(page, "dsl@oak.example")
    page.goto(f"/exercises/{about_teacher}/")
    page.get_by_role("link", name="See Tom Wren's activity").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Identified activity")
    expect(page.get_by_text(teacher.email.lower())).to_be_visible()
    expect(page.get_by_role("cell", name="mail to 3 outside addresses")).to_be_visible()
    sign_out(page)

    # The DPO finds the breach the refusal opened, with its deadline counting down.
    breach = Breach.objects.get()
    assert breach.exercise.ref == about_teacher
    signed_in_home(page, "dpo@oak.example")
    page.goto("/breaches/")
    row = page.get_by_role("row").filter(has_text="head@oak.example")
    expect(row).to_have_count(1)
    expect(row.locator(".countdown")).to_contain_text(
        re.compile(r"(7[01]|6\d) hours? .*left|2 days")
    )
    page.screenshot(path=results_dir / "breach-register.png", full_page=True)
