"""The concerns journey in a real browser (issue 8): a teacher raises a concern about the
Headteacher with a pupil perhaps involved; it goes to the Chair of Governors and the DSL, each
with the LADO clock; the DSL records the LADO decision; the Headteacher finds no trace of it
anywhere; the Chair triages it, records the HR consultation and the outcome; the teacher sees
only that it is closed. Each person has their own browser context, and drives the pages by
their labels as a person would."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from tests.browser.test_journeys import PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

WHAT = "Saw a photo of Year 5 on the Headteacher's personal Instagram, tagged with first names."
EVIDENCE = {
    "name": "instagram-post.txt",
    "mimeType": "text/plain",
    "buffer": b"Screenshot notes: post of 3 March, 41 likes, pupils' first names in the caption.\n",
}
HR_ADVICE = "Treat as an allegation; ask for the post to be taken down today."
LADO_REASON = "No child at risk of harm: the LADO's duty officer agreed on the phone."
OUTCOME_REASON = "The post is down; written advice on the photo policy was given."
NOWHERE = "ZZ9PLURA"  # a reference no case has

OpenPage = Callable[..., Page]


def fits_the_screen(page: Page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def home_item(page: Page, link: str):
    """The home page's item for `link`, with its count."""
    return page.get_by_role("listitem").filter(has=page.get_by_role("link", name=link, exact=True))


def open_case_from_home(page: Page, link: str, ref: str) -> None:
    expect(home_item(page, link)).to_contain_text("1 open")
    page.get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Concerns about staff")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=f"Case {ref}"))
    expect(row).to_contain_text("Alice Hartley")
    expect(row.locator(".countdown")).to_have_text(re.compile(r"^Due in \d+ (day|hour|minute)"))
    click_the_words(page.get_by_role("link", name=f"Case {ref}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {ref} Open")


def click_the_words(link: Locator) -> None:
    """Click a link where its words are. (Playwright's own aim is the first box inside the
    link, here the 1-pixel clipped "Case " kept for screen readers, which the table cell
    covers; a person clicks the reference they see.)"""
    box = link.bounding_box()
    assert box is not None
    link.click(position={"x": box["width"] / 2, "y": box["height"] / 2})


def summary(page: Page, term: str):
    """The value beside `term` in the case's summary list."""
    return page.locator(f"dl.summary-list dt:text-is('{term}') + dd")


def raise_the_concern(page: Page) -> str:
    """The teacher, on a phone, raises the concern from the home page; returns its ref."""
    page.get_by_role(
        "link", name="Raise a concern about a colleague, or report cyberbullying"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise a concern about a colleague")
    assert fits_the_screen(page)

    page.get_by_role("group", name="What is the concern about?").get_by_label(
        "Use of social media"
    ).check()
    page.get_by_label("What happened", exact=True).fill(WHAT)
    happened = timezone.localdate() - dt.timedelta(days=2)
    page.get_by_label("When it happened").fill(happened.isoformat())
    colleagues = page.get_by_role("group", name="Who it is about")
    expect(colleagues.get_by_label("Tom Wren")).to_have_count(0)  # not oneself
    colleagues.get_by_label("Alice Hartley").check()
    page.get_by_role("group", name="May a pupil be involved?").get_by_label(
        "Yes, or I am not sure"
    ).check()
    page.get_by_label("Evidence files").set_input_files(EVIDENCE)
    assert fits_the_screen(page)
    page.get_by_role("button", name="Send the concern").click()

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Your concern [A-Z0-9]{8}$"))
    ref = heading.inner_text().split()[-1]
    expect(page.get_by_role("status")).to_contain_text(f"Its reference is {ref}.")
    expect(summary(page, "Reference")).to_have_text(ref)
    expect(summary(page, "State")).to_have_text("Open")
    expect(summary(page, "About")).to_have_text("Use of social media")
    assert fits_the_screen(page)
    return ref


def test_a_concern_about_the_headteacher_from_raising_to_closing(
    person_page: OpenPage, cast, results_dir: Path
):
    # 1. The teacher raises it, on their phone.
    teacher = person_page("teacher@oak.example", PHONE)
    mail.outbox.clear()  # (the roster import asked everyone to read the policy)
    ref = raise_the_concern(teacher)
    assert ref != NOWHERE
    told = {address for m in mail.outbox for address in m.to}
    assert "head@oak.example" not in told  # no email tells the Head of it
    assert {"chair@oak.example", "dsl@oak.example"} <= told

    # 2. The Chair has it, because the Head is a subject, with the LADO clock running.
    chair = person_page("chair@oak.example")
    expect(chair.get_by_role("alert")).to_have_count(0)  # not overdue yet
    chairs_link = "Stand in for the Headteacher when they are the subject of a concern"
    expect(home_item(chair, chairs_link)).to_contain_text("1 open")
    chair.get_by_role("link", name=chairs_link).click()
    with chair.expect_download() as got:
        chair.get_by_role("link", name="Download as CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text(encoding="utf-8"))))
    assert [(r["ref"], r["what"], r["subjects"]) for r in rows] == [(ref, WHAT, "Alice Hartley")]
    chair.get_by_role("link", name="Home", exact=True).click()
    open_case_from_home(chair, chairs_link, ref)

    lado = chair.get_by_role("region", name="Whether to refer it to the LADO")
    expect(lado.locator(".countdown")).to_have_text(re.compile(r"^Due in \d+ (day|hour|minute)"))
    expect(lado).to_contain_text("local-authority designated officer (LADO)")
    expect(chair.get_by_text("Charles Bell, Debbie Singh.", exact=True)).to_be_visible()
    expect(
        chair.get_by_text(
            "The Headteacher is a subject, so it goes to the Chair of Governors.", exact=False
        )
    ).to_be_visible()
    expect(summary(chair, "What happened")).to_have_text(WHAT)
    expect(summary(chair, "Who it is about")).to_have_text("Alice Hartley")
    expect(summary(chair, "Raised by")).to_contain_text("Tom Wren")
    with chair.expect_download() as got:
        chair.get_by_role("link", name=EVIDENCE["name"]).click()
    assert Path(got.value.path()).read_bytes() == EVIDENCE["buffer"]

    chair.set_viewport_size(PHONE)
    assert fits_the_screen(chair)
    chair.screenshot(path=results_dir / "concern-case-phone.png", full_page=True)
    chair.set_viewport_size({"width": 1280, "height": 900})

    # 3. The DSL has it too, with the clock, and decides not to refer it to the LADO.
    dsl = person_page("dsl@oak.example")
    open_case_from_home(dsl, "Receive every concern about staff–pupil interaction", ref)
    expect(
        dsl.get_by_role("region", name="Whether to refer it to the LADO").locator(".countdown")
    ).to_have_text(re.compile(r"^Due in "))
    dsl.get_by_role("group", name="Is it referred to the LADO?").get_by_label(
        "No, it is not referred"
    ).check()
    dsl.get_by_label("Reason for the decision").fill(LADO_REASON)
    dsl.get_by_role("button", name="Record the decision").click()
    expect(dsl.get_by_role("status")).to_have_text("The LADO decision is recorded.")
    expect(summary(dsl, "LADO decision")).to_contain_text(
        "Not referred to the LADO, by Debbie Singh"
    )
    expect(summary(dsl, "Reason")).to_have_text(LADO_REASON)
    expect(dsl.get_by_role("region", name="Whether to refer it to the LADO")).to_have_count(0)
    expect(dsl.get_by_role("button", name="Record the decision")).to_have_count(0)

    # 4. The Headteacher, its subject, finds no trace of it.
    head = person_page("head@oak.example")
    heads_link = "Receive concerns about staff and decide outcomes"
    expect(home_item(head, heads_link)).to_contain_text("0 open")
    head.get_by_role("link", name=heads_link).click()
    expect(head.get_by_role("heading", level=1)).to_have_text("Concerns about staff")
    expect(head.get_by_text("There are no open cases for you.")).to_be_visible()
    head.get_by_role("navigation", name="Cases").get_by_role("link", name="All").click()
    expect(head.get_by_text("There are no cases for you.")).to_be_visible()
    for words in (ref, "Instagram", "photo of Year 5"):
        head.get_by_role("searchbox", name="Search your cases").fill(words)
        head.get_by_role("button", name="Search", exact=True).click()
        expect(head.get_by_text("No cases match your search.")).to_be_visible()
        expect(head.get_by_role("link", name=re.compile(ref))).to_have_count(0)
    expect(head.get_by_role("link", name="Download as CSV")).to_have_count(0)

    for address in (
        f"/concerns/{ref}/",
        f"/concerns/{ref}/print/",
        f"/concerns/mine/{ref}/",
        f"/concerns/{NOWHERE}/",  # what a reference that was never made gives
    ):
        response = head.goto(address)
        assert response is not None and response.status == 404, address
        expect(head.get_by_role("heading", level=1)).to_have_text("Page not found")
        expect(head.locator("main")).not_to_contain_text(ref)
        expect(head.locator("main")).not_to_contain_text("Instagram")
    api = head.request.get(f"/api/v1/concerns/{ref}")
    made_up = head.request.get(f"/api/v1/concerns/{NOWHERE}")
    assert api.status == made_up.status == 404
    assert api.json() == made_up.json()
    listed = head.request.get("/api/v1/concerns?state=all")
    assert listed.ok and ref not in listed.text()
    exported = head.request.get("/concerns/export.csv?state=all")
    assert exported.ok
    assert ref not in exported.text() and "Instagram" not in exported.text()
    assert exported.text().splitlines()[0].startswith("ref,")  # the real export, only empty

    # 5. The Chair triages it, records the HR consultation and the outcome.
    chair.reload()
    expect(summary(chair, "LADO decision")).to_contain_text("by Debbie Singh")
    missing = chair.locator("ul.missing-list")
    expect(missing).to_contain_text("Triage")
    expect(missing).to_contain_text("HR adviser")
    chair.get_by_role("group", name="Is it an allegation or a low-level concern?").get_by_label(
        "An allegation: it may meet the harm threshold"
    ).check()
    chair.get_by_role("button", name="Record the triage").click()
    expect(chair.get_by_role("status")).to_have_text(
        "Triaged as an allegation that may meet the harm threshold."
    )
    expect(summary(chair, "State")).to_have_text("Allegation: may meet the harm threshold")

    consulted = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    chair.get_by_label("HR adviser", exact=True).fill("Helen Ramsay, EducationHR")
    chair.get_by_label("When you spoke to them").fill(consulted.strftime("%Y-%m-%dT%H:%M"))
    chair.get_by_label("Their advice").fill(HR_ADVICE)
    chair.get_by_role("button", name="Record the consultation").click()
    expect(chair.get_by_role("status")).to_have_text(
        "The consultation with the HR adviser is recorded."
    )
    expect(summary(chair, "HR adviser consulted")).to_contain_text(
        f"Helen Ramsay, EducationHR, {consulted.day} {consulted:%B %Y} at {consulted:%H:%M}"
    )
    expect(summary(chair, "Their advice")).to_have_text(HR_ADVICE)
    expect(chair.get_by_text("Everything needed is recorded.", exact=False)).to_be_visible()

    chair.get_by_role("combobox", name="Outcome").select_option(label="Advice and guidance")
    chair.get_by_label("Reason for the outcome").fill(OUTCOME_REASON)
    chair.get_by_role("button", name="Record the outcome and close the case").click()
    expect(chair.get_by_role("status")).to_contain_text(
        "The outcome is recorded and the case is closed."
    )
    expect(chair.get_by_role("heading", level=1)).to_have_text(f"Case {ref} Closed")
    expect(summary(chair, "State")).to_have_text("Closed: advice and guidance")
    expect(summary(chair, "Outcome")).to_contain_text(
        "Advice and guidance, recorded by Charles Bell"
    )
    expect(summary(chair, "Reason for the outcome")).to_have_text(OUTCOME_REASON)
    expect(chair.get_by_role("button", name=re.compile("^Record"))).to_have_count(0)

    chronology = chair.get_by_role("table", name=f"Every step of case {ref}, oldest first")
    steps = [
        tuple(row.locator("td").all_inner_texts()[1:])
        for row in chronology.locator("tbody tr").all()
    ]
    assert steps == [
        ("Tom Wren", "Staff member or volunteer", "Raised the concern"),
        ("Debbie Singh", "Designated safeguarding lead", "Decided not to refer it to the LADO"),
        (
            "Charles Bell",
            "Chair of Governors",
            "Triaged it as an allegation that may meet the harm threshold",
        ),
        ("Charles Bell", "Chair of Governors", "Recorded the consultation with the HR adviser"),
        (
            "Charles Bell",
            "Chair of Governors",
            "Recorded the outcome (Advice and guidance) and closed it",
        ),
    ]
    chair.set_viewport_size(PHONE)
    assert fits_the_screen(chair)
    chair.screenshot(path=results_dir / "concern-case-closed-phone.png", full_page=True)

    # 6. The teacher sees that it is closed, and nothing of how.
    teacher.get_by_role("link", name="Home", exact=True).click()
    teacher.get_by_role(
        "link", name="See whether the concerns you raised are open or closed"
    ).click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Concerns you raised")
    row = teacher.get_by_role("row").filter(has=teacher.get_by_role("link", name=f"Concern {ref}"))
    expect(row.locator("td[data-label='State']")).to_have_text("Closed")
    assert fits_the_screen(teacher)
    click_the_words(teacher.get_by_role("link", name=f"Concern {ref}"))
    expect(teacher.get_by_role("heading", level=1)).to_have_text(f"Your concern {ref}")
    expect(summary(teacher, "State")).to_have_text("Closed")
    main = teacher.locator("main")
    for secret in (
        "Advice and guidance",
        OUTCOME_REASON,
        HR_ADVICE,
        LADO_REASON,
        "Chronology",
        "Charles Bell",
        "Debbie Singh",
        "Helen Ramsay",
        "Alice Hartley",
    ):
        expect(main).not_to_contain_text(secret)
    expect(teacher.get_by_role("table")).to_have_count(0)
    assert fits_the_screen(teacher)
    # The case's own address gives the teacher their receipt; its printable page, nothing.
    teacher.goto(f"/concerns/{ref}/")
    expect(teacher.get_by_role("heading", level=1)).to_have_text(f"Your concern {ref}")
    assert teacher.goto(f"/concerns/{ref}/print/").status == 404
