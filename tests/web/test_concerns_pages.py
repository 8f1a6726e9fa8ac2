"""The concerns pages: raising one and its receipt, the cases, each step of a case, the LADO
clock, the CSV and printable page, the low-level register, and a subject who never finds the
case about them. The service's rules are tested in tests/concerns/test_services.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fairwatch.cases.rules import State
from fairwatch.concerns import services
from fairwatch.concerns.models import Case
from fairwatch.concerns.services import Upload
from fairwatch.monitoring.school_settings import settings_for
from fairwatch.schools.models import Person

pytestmark = pytest.mark.django_db

WHAT = "Posted photos of the school trip on a personal account."
TEMPLATES = Path(__file__).resolve().parents[2] / "src/fairwatch/web/templates/web/concerns"


def person(user) -> Person:
    return Person.objects.get(user=user)


def raise_about(cast, raiser, *subjects, pupil=False, files=(), now=None, what=WHAT) -> Case:
    return services.raise_concern(
        raiser,
        cast.school,
        kind="social_media",
        what=what,
        happened_on=dt.date(2026, 1, 12),
        subjects=[person(s).pk for s in subjects],
        pupil_involved=pupil,
        files=files,
        now=now,
    )


def page(client, user, url: str, status: int = 200) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def said(response) -> list[str]:
    """The messages shown after a redirect (the page's status list)."""
    return [str(m) for m in response.context["messages"]]


def unmasked(response) -> str:
    """The page, less its CSRF token (masked afresh for each response)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def refs_in_csv(body: str) -> list[str]:
    return [row[0] for row in csv.reader(io.StringIO(body))][1:]


# --- raising --------------------------------------------------------------------------------


def test_a_teacher_raises_a_concern_with_a_file_and_sees_only_the_receipt(client, cast):
    form = page(client, cast.teacher, "/concerns/raise/")
    assert 'enctype="multipart/form-data"' in form
    assert 'type="file" name="evidence" multiple' in form
    assert (
        "Alice Hartley" in form
        and "Debbie Singh" in form
        and "Tom Wren" not in form.split("<main", 1)[1].split("Signed in", 1)[0]
    )
    assert 'class="choice-scroll"' in form and "<legend>Who it is about</legend>" in form

    shot = SimpleUploadedFile("screenshot.png", b"\x89PNG fake", content_type="image/png")
    response = client.post(
        "/concerns/raise/",
        {
            "kind": "social_media",
            "what": WHAT,
            "happened_on": "2026-01-12",
            "subjects": [str(person(cast.monitor).pk)],
            "pupil_involved": "no",
            "evidence": [shot],
        },
        follow=True,
    )

    case = Case.objects.get()
    assert response.redirect_chain == [(f"/concerns/mine/{case.ref}/", 302)]
    assert f"Its reference is {case.ref}." in said(response)[0]
    receipt = response.content.decode()
    assert case.ref in receipt and "Open" in receipt and "Use of social media" in receipt
    for hidden in ("school trip", "Esther Mills", "Alice Hartley", "screenshot"):
        assert hidden not in receipt  # never what, about whom, who handles it or the files
    assert [(e.name, e.content_type, bytes(e.content)) for e in case.evidence.all()] == [
        ("screenshot.png", "image/png", b"\x89PNG fake")
    ]
    mine = page(client, cast.teacher, "/concerns/mine/")
    assert f'href="/concerns/mine/{case.ref}/"' in mine and "Open" in mine
    # The case's own address (as in the handlers' email) takes the raiser to the receipt.
    assert client.get(f"/concerns/{case.ref}/")["Location"] == f"/concerns/mine/{case.ref}/"


def test_an_empty_concern_names_every_field_and_links_to_it(client, cast):
    client.force_login(cast.teacher)

    response = client.post("/concerns/raise/", {})

    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="error-summary" role="alert"' in html
    for anchor, message in [
        ("#id_kind-group", "What is the concern about? Choose what the concern is about"),
        ("#id_what", "What happened: Say what happened."),
        ("#id_happened_on", "When it happened: Give the date it happened"),
        ("#id_subjects-group", "Who it is about: Choose the colleague"),
        ("#id_pupil_involved-group", "May a pupil be involved? Say whether a pupil"),
    ]:
        assert re.search(f'<a href="{anchor}">{re.escape(message)}', html), anchor
    assert 'id="id_what-error"' in html and 'aria-invalid="true"' in html
    bad_date = client.post("/concerns/raise/", {"happened_on": "12/13/2026"})
    assert bad_date.status_code == 400
    assert '<a href="#id_happened_on">When it happened: Enter a real date' in (
        bad_date.content.decode()
    )
    assert not Case.objects.exists()


def test_a_file_that_is_empty_is_refused_by_the_evidence_field(client, cast):
    client.force_login(cast.teacher)
    response = client.post(
        "/concerns/raise/",
        {
            "kind": "email",
            "what": WHAT,
            "happened_on": "2026-01-12",
            "subjects": [str(person(cast.monitor).pk)],
            "pupil_involved": "no",
            "evidence": [SimpleUploadedFile("empty.txt", b"", content_type="text/plain")],
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Evidence files: The file &#x27;empty.txt&#x27; is empty." in html
    assert "Choose your evidence files again" in html
    assert not Case.objects.exists()


# --- the cases and each step ----------------------------------------------------------------


def test_anyone_may_open_the_cases_page_and_sees_a_calm_empty_list(client, cast):
    raise_about(cast, cast.dsl, cast.monitor)
    html = page(client, cast.teacher, "/concerns/")
    assert "There are no open cases for you." in html
    assert "<table" not in html and "Download as CSV" not in html


def test_the_head_sees_the_case_and_takes_each_step(client, cast):
    case = raise_about(
        cast,
        cast.teacher,
        cast.monitor,
        pupil=True,
        files=[Upload("chat.txt", "text/plain", b"the messages")],
    )
    listed = page(client, cast.head, "/concerns/")
    assert f'href="/concerns/{case.ref}/"' in listed and "Esther Mills" in listed
    assert "Waiting to be triaged" in listed and "Due in" in listed

    detail = page(client, cast.head, f"/concerns/{case.ref}/")
    assert WHAT in detail and "Tom Wren" in detail
    assert "It goes to the Headteacher (7.5)." in detail
    assert "Alice Hartley, Debbie Singh" in detail
    assert "Decision due by" in detail
    assert f'action="/concerns/{case.ref}/triage/"' in detail
    assert f'action="/concerns/{case.ref}/lado/"' in detail
    assert "Still needed before the outcome can be recorded" in detail

    def post(step: str, data: dict, status: int = 302):
        response = client.post(f"/concerns/{case.ref}/{step}/", data)
        assert response.status_code == status, (step, response.content.decode()[-2000:])
        return response

    post("triage", {"triage-to": "low_level"})
    again = client.post(f"/concerns/{case.ref}/triage/", {"triage-to": "allegation"}, follow=True)
    assert said(again)[-1] == "Not done: This case has been triaged already."
    early = client.post(
        f"/concerns/{case.ref}/outcome/",
        {"outcome-outcome": "advice", "outcome-reason": "Spoken to."},
        follow=True,
    )
    assert said(early)[-1].startswith("Not done: Before an outcome:")

    empty = post("hr", {}, status=400).content.decode()
    assert '<a href="#id_hr-adviser">HR adviser: Say who the HR adviser was' in empty
    assert 'href="#id_hr-consulted_at"' in empty and 'href="#id_hr-advice"' in empty
    spoke = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    post("hr", {"hr-adviser": "Helen Ramsay", "hr-consulted_at": spoke, "hr-advice": "Note it."})
    no_reason = post("lado", {"lado-referred": "no"}, status=400).content.decode()
    assert 'href="#id_lado-reason"' in no_reason
    post("lado", {"lado-referred": "no", "lado-reason": "Below the harm threshold."})
    more = SimpleUploadedFile("later.pdf", b"%PDF-1.4", content_type="application/pdf")
    post("evidence", {"evidence-evidence": [more]})
    nothing = post(
        "link", {"link": "exercise", "link_exercise-exercise": "NOPE2345"}, status=400
    ).content.decode()
    assert '<a href="#id_link_exercise-exercise">' in nothing
    assert "There is nothing by that reference you can see." in nothing

    opened = post("exercise", {"subject": str(person(cast.monitor).pk)})
    exercise = case.exercises.get()
    assert opened["Location"] == f"/exercises/{exercise.ref}/"

    closed = client.post(
        f"/concerns/{case.ref}/outcome/",
        {"outcome-outcome": "advice", "outcome-reason": "Spoken to about it."},
        follow=True,
    )
    assert "the case is closed" in said(closed)[-1]
    html = closed.content.decode()
    assert "Advice and guidance" in html and "Spoken to about it." in html
    assert f'action="/concerns/{case.ref}/triage/"' not in html
    assert f'action="/concerns/{case.ref}/outcome/"' not in html
    assert f'href="/exercises/{exercise.ref}/"' in html
    for step in (
        "Raised the concern",
        "Triaged it as a low-level concern",
        "Recorded the consultation with the HR adviser",
        "Decided not to refer it to the LADO",
        "Added evidence",
        f"Opened monitoring exercise {exercise.ref} from it",
        "Recorded the outcome (Advice and guidance) and closed it",
    ):
        assert step in html, step
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.evidence.count() == 2


def test_evidence_is_downloaded_as_an_attachment_never_shown(client, cast):
    case = raise_about(
        cast, cast.teacher, cast.monitor, files=[Upload("page.html", "text/html", b"<b>x</b>")]
    )
    evidence = case.evidence.get()
    client.force_login(cast.head)

    response = client.get(f"/concerns/{case.ref}/evidence/{evidence.pk}/")

    assert response.status_code == 200 and response.content == b"<b>x</b>"
    assert response["Content-Type"] == "text/html"
    assert response["Content-Disposition"] == 'attachment; filename="page.html"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/concerns/{case.ref}/evidence/{evidence.pk + 99}/").status_code == 404


def test_the_printable_page_has_the_summary_and_chronology_and_no_forms(client, cast):
    case = raise_about(cast, cast.teacher, cast.monitor)
    services.triage(cast.head, case, "allegation")

    html = page(client, cast.head, f"/concerns/{case.ref}/print/")

    assert WHAT in html and "Esther Mills" in html and "Chronology" in html
    assert "Triaged it as an allegation that may meet the harm threshold" in html
    assert "Alice Hartley" in html and "Headteacher" in html
    assert 'class="case-print"' in html and 'class="no-print"' in html
    assert 'action="/concerns/' not in html and "<input" not in html.split('class="case-print"')[1]


def test_the_csv_export_is_the_same_list_with_the_same_filters(client, cast):
    open_one = raise_about(cast, cast.teacher, cast.monitor, pupil=True)
    closed_one = raise_about(cast, cast.dsl, cast.it, what="Shared a password by email.")
    services.triage(cast.head, closed_one, "low_level")
    services.record_hr(
        cast.head, closed_one, adviser="HR", consulted_at=timezone.now(), advice="Note it."
    )
    services.record_outcome(cast.head, closed_one, outcome="no_further_action", reason="Noted.")
    client.force_login(cast.head)

    response = client.get("/concerns/export.csv?state=all")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="cases-oak-all-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == [
        "ref",
        "kind",
        "raised_at",
        "subjects",
        "state",
        "outcome",
        "lado_due",
        "what",
    ]
    by_ref = {r["ref"]: r for r in rows}
    assert set(by_ref) == {open_one.ref, closed_one.ref}
    assert by_ref[open_one.ref]["subjects"] == "Esther Mills"
    assert by_ref[open_one.ref]["lado_due"] != "" and by_ref[open_one.ref]["outcome"] == ""
    assert by_ref[closed_one.ref]["outcome"] == "No further action"
    assert by_ref[closed_one.ref]["state"] == "Closed: no further action"
    assert by_ref[closed_one.ref]["kind"] == "Use of social media"
    assert by_ref[closed_one.ref]["what"] == "Shared a password by email."

    def refs(query: str) -> list[str]:
        return refs_in_csv(client.get(f"/concerns/export.csv?{query}").content.decode())

    assert refs("state=open") == [open_one.ref]
    assert refs("state=closed") == [closed_one.ref]
    assert refs("state=all&q=password") == [closed_one.ref]
    listed = page(client, cast.head, "/concerns/?state=all&q=password")
    assert closed_one.ref in listed and open_one.ref not in listed
    assert 'href="/concerns/export.csv?state=all&amp;q=password"' in listed


# --- a case about the Headteacher -----------------------------------------------------------


def test_the_head_never_finds_a_case_about_them(client, cast):
    case = raise_about(
        cast,
        cast.teacher,
        cast.head,
        pupil=True,
        files=[Upload("shot.png", "image/png", b"\x89PNG")],
        what="Messaged a pupil from a personal account.",
    )
    evidence = case.evidence.get()
    client.force_login(cast.head)
    not_found = client.get("/concerns/ZZZZZZZZ/")
    assert not_found.status_code == 404

    for url in (
        f"/concerns/{case.ref}/",
        f"/concerns/{case.ref}/print/",
        f"/concerns/{case.ref}/evidence/{evidence.pk}/",
        f"/concerns/mine/{case.ref}/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert unmasked(response) == unmasked(not_found), url
    steps = {
        "triage": {"triage-to": "allegation"},
        "hr": {"hr-adviser": "X", "hr-consulted_at": "2026-01-13T10:00", "hr-advice": "Y"},
        "lado": {"lado-referred": "no", "lado-reason": "Z"},
        "outcome": {"outcome-outcome": "advice", "outcome-reason": "Z"},
        "evidence": {"evidence-evidence": [SimpleUploadedFile("a.txt", b"a")]},
        "link": {"link": "exercise", "link_exercise-exercise": "ABCDEFGH"},
        "exercise": {"subject": str(person(cast.head).pk)},
    }
    for step, data in steps.items():
        response = client.post(f"/concerns/{case.ref}/{step}/", data)
        assert response.status_code == 404, step
        assert unmasked(response) == unmasked(not_found), step
    for query in ("state=all", "state=open", f"state=all&q={case.ref}", "state=all&q=pupil"):
        listed = page(client, cast.head, f"/concerns/?{query}")
        assert "<table" not in listed and "pupil from a personal" not in listed, query
        assert f'href="/concerns/{case.ref}/"' not in listed, query
        body = client.get(f"/concerns/export.csv?{query}").content.decode()
        assert refs_in_csv(body) == [], query
    case.refresh_from_db()
    assert case.state == State.RAISED and case.evidence.count() == 1


@pytest.mark.parametrize("who", ["chair", "dsl"])
def test_the_chair_and_the_dsl_see_a_case_about_the_head_with_the_lado_clock(client, cast, who):
    week_ago = timezone.now() - dt.timedelta(days=7)
    case = raise_about(cast, cast.teacher, cast.head, pupil=True, now=week_ago)
    user = getattr(cast, who)

    listed = page(client, user, "/concerns/")
    detail = page(client, user, f"/concerns/{case.ref}/")

    assert case.ref in listed and "Alice Hartley" in listed
    assert '<strong class="badge overdue">Overdue</strong> by' in listed
    assert "The Headteacher is a subject, so it goes to the Chair of Governors." in detail
    assert "Charles Bell, Debbie Singh" in detail
    assert "Decision due by" in detail and "Overdue</strong> by" in detail
    assert 'class="card card-overdue"' in detail


# --- the low-level register ----------------------------------------------------------------


def test_the_register_is_for_the_head_and_the_dsl_only(client, cast):
    about_it = raise_about(cast, cast.teacher, cast.it)
    services.triage(cast.head, about_it, "low_level")

    page(client, cast.teacher, "/concerns/low-level/", status=403)
    page(client, cast.dpo, "/concerns/low-level/", status=403)
    head = page(client, cast.head, "/concerns/low-level/")
    dsl = page(client, cast.dsl, "/concerns/low-level/")

    assert "Ian Turner" in head and "1 concern" in head
    assert f'href="/concerns/{about_it.ref}/"' in head  # the Head handles it
    assert about_it.ref in dsl and f'href="/concerns/{about_it.ref}/"' not in dsl
    assert "kept until 12 months after the member of staff leaves" in head
    assert 'href="/monitoring/settings/#id_low_level_months"' in head
    assert "/monitoring/settings/" not in dsl  # the DSL may not change it


def test_the_register_shows_each_persons_concerns_in_order(client, cast):
    first = raise_about(cast, cast.teacher, cast.it, now=timezone.now() - dt.timedelta(days=30))
    second = raise_about(cast, cast.dsl, cast.it)
    for case in (first, second):
        services.triage(cast.head, case, "low_level")

    html = page(client, cast.head, "/concerns/low-level/")

    assert "2 concerns" in html
    assert html.index(first.ref) < html.index(second.ref)


# --- the retention setting -------------------------------------------------------------------

SETTINGS = {
    "default_days": "30",
    "max_days": "30",
    "activity_retention_days": "90",
    "extract_retention_days": "90",
    "access_download_days": "30",
    "privacy_contact": "",
}


def test_the_low_level_retention_is_changed_on_the_privacy_settings_page(client, cast):
    form = page(client, cast.dpo, "/monitoring/settings/")
    assert 'name="low_level_months"' in form and 'value="12"' in form

    saved = client.post(
        "/monitoring/settings/", {**SETTINGS, "low_level_months": "24"}, follow=True
    )

    assert "The privacy settings are saved." in saved.content.decode()
    assert settings_for(cast.school).low_level_months == 24
    assert "kept until 24 months after" in page(client, cast.head, "/concerns/low-level/")


@pytest.mark.parametrize("value", ["0", "121", "", "a year"])
def test_a_bad_low_level_retention_is_refused_by_its_field(client, cast, value):
    client.force_login(cast.head)

    response = client.post("/monitoring/settings/", {**SETTINGS, "low_level_months": value})

    html = response.content.decode()
    assert 'href="#id_low_level_months"' in html and 'id="id_low_level_months-error"' in html
    assert (
        "Enter a whole number of months from 1 to 120 for keeping low-level concerns after a "
        "member of staff leaves."
    ) in html
    assert settings_for(cast.school).low_level_months == 12


# --- layout ----------------------------------------------------------------------------------


def test_every_table_stacks_on_a_phone_with_each_cell_labelled():
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        for table in re.findall(r"<table[^>]*>", text):
            assert 'class="stack-table"' in table, template.name
        for cell in re.findall(r"<td(?![^>]*colspan)[^>]*>", text):
            assert "data-label=" in cell, (template.name, cell)
