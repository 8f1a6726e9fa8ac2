"""The school's own policy as it stands (issue 9): `/policy/text/`, its print layout and its
PDF. The PDF itself is tested in tests/policy/test_pdf.py."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import io
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.utils import timezone
from pypdf import PdfReader

from fairwatch.policy import store
from fairwatch.policy.models import RelatedDocument
from fairwatch.policy.versions import ChangeRow
from fairwatch.roles import Role
from tests.cast import add_person

pytestmark = pytest.mark.django_db

OUR_WORDS = "Ask the Headteacher before any private use of school devices at Oak."
NO_BLOGS = "Oak has no official blogs or sites of its own."


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def publish_v2(cast, effective_from: dt.date | None = None):
    """Version 2: clause 3.1 in the school's words, 6.7 marked as not applying."""
    day = effective_from or timezone.localdate()
    clauses = dict(store.versions(cast.school)[-1].clauses)
    clauses["3.1"] = dataclasses.replace(clauses["3.1"], text=OUR_WORDS)
    clauses["6.7"] = clauses["6.7"].not_applicable(NO_BLOGS)
    rows = [ChangeRow(day, "3.1 and 6.7", "Oak's own words on private use.")]
    return store.publish(cast.head, cast.school, clauses, day, rows, True)


def section(page: str, anchor: str) -> str:
    """The HTML of one clause's section on the page."""
    found = re.search(rf'<section id="{anchor}".*?</section>', page, re.S)
    assert found, f"no section {anchor}"
    return found.group(0)


def test_a_teacher_reads_the_school_policy_in_force(client, cast):
    publish_v2(cast)
    client.force_login(cast.teacher)
    response = client.get("/policy/text/")
    assert response.status_code == 200
    page = response.content.decode()
    words = text(response)
    assert "Oak Primary" in words
    today = timezone.localdate()
    assert f"Version 2, in force from {today.day} {today:%B %Y}" in words
    assert OUR_WORDS in words
    # Anchors like the catalogue page's, with headings in order (h2 for 6, h3 for 6.5).
    assert re.search(r'<section id="clause-6-5"[^>]*>\s*<h3 id="clause-6-5-title"', page)
    assert re.search(r'<section id="clause-7-2-1"[^>]*>\s*<h4 id="clause-7-2-1-title"', page)
    assert '<section id="clause-6"' in page
    # The clause that does not apply, with the school's reason.
    assert f"does not apply at this school: {NO_BLOGS}" in text_of(section(page, "clause-6-7"))
    assert "does not apply at this school" not in section(page, "clause-6-5")
    # Links to print, download and every version.
    assert 'href="/policy/text/print/?version=2"' in page
    assert 'href="/policy/text/pdf/?version=2"' in page
    assert "Print this policy" in words and "Download as PDF" in words
    assert "See every version" in words


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)))


def test_contacts_sit_in_a_box_after_the_clauses_that_name_them(client, cast):
    client.force_login(cast.teacher)
    page = client.get("/policy/text/").content.decode()
    three = section(page, "clause-3-4")  # "the Online Safety Helpline" is in 3.4's words
    assert 'class="clause-contacts"' in three
    assert "Online Safety Helpline" in three
    assert 'href="tel:03443814772"' in three
    assert 'href="mailto:helpline@saferinternet.org.uk"' in three
    hr = section(page, "clause-7-3")
    assert "EducationHR" in hr and 'href="tel:01603307760"' in hr
    assert "Online Safety Helpline" not in hr
    assert "clause-contacts" not in section(page, "clause-3")
    assert "clause-contacts" not in section(page, "clause-6-5")
    ceop = section(page, "clause-8")
    assert 'href="https://www.ceop.police.uk/"' in ceop


def test_the_table_of_changes_and_the_documents(client, cast):
    publish_v2(cast)
    RelatedDocument.objects.create(
        school=cast.school,
        kind=RelatedDocument.Kind.ONLINE_SAFETY,
        title="Oak online safety policy",
        url="https://oak.example/online-safety",
    )
    upload = RelatedDocument.objects.create(
        school=cast.school,
        kind=RelatedDocument.Kind.ICT_CODE,
        title="Oak ICT code of conduct",
        file_name="ict-code.pdf",
        content=b"%PDF-1.4",
        size=8,
    )
    client.force_login(cast.teacher)
    response = client.get("/policy/text/")
    page = response.content.decode()
    assert f'href="/policy/documents/{upload.pk}/file/"' in page
    table = re.search(r'<section id="appendix-1".*?</section>', page, re.S).group(0)
    assert "<table" in table and "<caption>" in table
    assert '<th scope="col">Date of change</th>' in table
    assert '<th scope="row"' in table
    assert "Oak's own words on private use." in html.unescape(table)
    # Newest first, as the appendix prints it: the shipped model's last row comes after ours.
    words = text_of(table)
    assert words.index("Oak's own words") < words.index("Additional paragraph to include")
    assert 'href="https://oak.example/online-safety"' in page
    assert "Oak online safety policy" in text(response)


def test_an_older_version_by_number_and_the_chooser(client, cast):
    publish_v2(cast)
    client.force_login(cast.teacher)
    response = client.get("/policy/text/?version=1")
    assert response.status_code == 200
    words = text(response)
    assert "Version 1, in force from 16 November 2021" in words
    assert "This is an earlier version. Version 2 is in force today" in words
    assert OUR_WORDS not in words
    assert "does not apply at this school" not in words
    page = response.content.decode()
    assert '<form method="get" action="/policy/text/"' in page
    assert '<label for="version-choice">Show version</label>' in page
    assert re.search(r'<option value="1" selected>Version 1</option>', page)


def test_a_version_still_to_come_says_so(client, cast):
    later = timezone.localdate() + dt.timedelta(days=30)
    publish_v2(cast, later)
    client.force_login(cast.teacher)
    assert "Version 1, in force from" in text(client.get("/policy/text/"))
    coming = text(client.get("/policy/text/?version=2"))
    assert f"This version takes effect on {later.day} {later:%B %Y}" in coming


def test_a_bad_version_is_a_clear_404(client, cast):
    client.force_login(cast.teacher)
    for asked in ("9", "abc", "-1", "1.5", "0", "9" * 40):
        for url in ("/policy/text/", "/policy/text/print/", "/policy/text/pdf/"):
            response = client.get(url, {"version": asked})
            assert response.status_code == 404, (url, asked)
            words = text(response)
            assert "There is no version" in words and "Its versions are: 1." in words
        assert client.get("/policy/text/print.css", {"version": asked}).status_code == 404


def test_someone_of_another_school_sees_only_their_own(client, cast):
    publish_v2(cast)
    elm_user = get_user_model().objects.create_user("teacher@elm.example")
    add_person(
        cast.other_school, "staff", "ELM-1", "Ella", "Mason", roles=(Role.STAFF,), user=elm_user
    )
    client.force_login(elm_user)
    words = text(client.get("/policy/text/"))
    assert "Elm Primary" in words and "Oak Primary" not in words
    assert OUR_WORDS not in words
    assert client.get("/policy/text/?version=2").status_code == 404  # Oak's version 2

    client.force_login(cast.outsider)
    response = client.get("/policy/text/")
    assert response.status_code == 403
    assert OUR_WORDS not in text(response)
    assert client.get("/policy/text/pdf/").status_code == 403

    client.logout()
    assert client.get("/policy/text/").status_code == 302


def test_the_print_layout_puts_the_version_and_date_on_every_page(client, cast):
    client.force_login(cast.teacher)
    page = client.get("/policy/text/print/?version=1").content.decode()
    assert re.search(r'<link rel="stylesheet" href="/static/fairwatch/policy-print\.css">', page)
    # The running head goes in an @page margin box, from a style sheet of its own.
    assert '<link rel="stylesheet" href="/policy/text/print.css?version=1">' in page
    sheet = client.get("/policy/text/print.css?version=1")
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith("text/css")
    style = sheet.content.decode()
    assert style.startswith("@page { @top-left { content: ")
    unescaped = re.sub(r"\\([0-9a-f]{1,6}) ", lambda m: chr(int(m.group(1), 16)), style)
    assert "Oak Primary · Version 1, in force from 16 November 2021" in unescaped
    assert "<" not in style and '"' not in style[style.index('"') + 1 : style.rindex('"')]
    # A school name with quotes or backslashes cannot end the string early.
    cast.school.name = 'Oak "Primary" \\ } School'
    cast.school.save()
    style = client.get("/policy/text/print.css?version=1").content.decode()
    inside = style[style.index('"') + 1 : style.rindex('"')]
    assert '"' not in inside and "}" not in inside
    unescaped = re.sub(r"\\([0-9a-f]{1,6}) ", lambda m: chr(int(m.group(1), 16)), inside)
    assert unescaped == 'Oak "Primary" \\ } School · Version 1, in force from 16 November 2021'
    assert "Use your browser’s Print command" in html.unescape(page)
    css = Path(finders.find("fairwatch/policy-print.css")).read_text(encoding="utf-8")
    print_rules = css[css.index("@media print") :]
    assert "counter(pages)" in css and "@bottom-right" in css
    assert ".site-header" in print_rules and ".site-footer" in print_rules
    assert "break-inside: avoid" in print_rules and "break-after: avoid" in print_rules
    assert "attr(href)" in print_rules


def test_the_pdf_download(client, cast):
    publish_v2(cast)
    client.force_login(cast.teacher)
    response = client.get("/policy/text/pdf/?version=2")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="oak-staff-policy-v2.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    words = " ".join(page.extract_text() for page in reader.pages)
    assert OUR_WORDS in re.sub(r"\s+", " ", words)
    assert "Online Safety Helpline" in words


def test_links_to_it_from_the_versions_home_and_read_pages(client, cast):
    client.force_login(cast.teacher)
    for url in ("/policy/versions/", "/"):
        page = client.get(url).content.decode()
        assert re.search(r'<a href="/policy/text/">Our policy as it stands</a>', page), url


def test_the_read_page_shows_contacts_with_the_clauses(client, cast):
    client.force_login(cast.teacher)
    page = client.get("/policy/read/").content.decode()
    assert "I have read version 1" in text_of(page)
    assert '<h3 id="clause-3-title"' in section(page, "clause-3")
    three = section(page, "clause-3-4")
    assert (
        "Online Safety Helpline" in three and 'href="tel:03443814772"' in three
    )  # under the page's "The policy to read" h2


def test_odd_digits_and_huge_numbers_are_a_404_not_a_500(client, cast):
    # "²".isdigit() is true but int() refuses it; 5000 digits pass Python's int limit.
    client.force_login(cast.teacher)
    for asked in ("²", "١", "1" * 5000, "1234567"):
        for url in ("/policy/text/", "/policy/text/print/", "/policy/text/pdf/"):
            response = client.get(url, {"version": asked})
            assert response.status_code == 404, (url, asked[:10])
            assert "There is no version" in text(response)
        assert client.get("/policy/text/print.css", {"version": asked}).status_code == 404
    assert client.get("/policy/text/", {"version": " 1 "}).status_code == 200


def add_document(cast, title: str, added: dt.datetime, withdrawn: dt.datetime | None = None):
    return RelatedDocument.objects.create(
        school=cast.school,
        kind=RelatedDocument.Kind.OTHER,
        title=title,
        url="https://oak.example/" + title.replace(" ", "-"),
        added_at=added,
        withdrawn_at=withdrawn,
    )


def test_the_version_in_force_keeps_its_documents_when_a_later_one_is_published(client, cast):
    # Added after version 1 was published, and still current.
    assert store.rows(cast.school)[0].published_at < timezone.now()
    add_document(cast, "Oak code added this week", timezone.now())
    later = timezone.localdate() + dt.timedelta(days=30)
    publish_v2(cast, later)  # published now, in force only in 30 days
    client.force_login(cast.teacher)
    in_force = text(client.get("/policy/text/?version=1"))
    assert "Version 1, in force from" in in_force
    assert "Oak code added this week" in in_force
    assert "Oak code added this week" in text(client.get("/policy/text/?version=2"))


def test_a_version_no_longer_in_force_lists_the_documents_of_its_time(client, cast):
    now = timezone.now()
    start_of_today = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    replaced_at = start_of_today + dt.timedelta(minutes=1)
    add_document(cast, "Old code", now - dt.timedelta(days=10), replaced_at)
    add_document(cast, "New code", replaced_at)
    publish_v2(cast)  # in force from today: version 1 stopped at the start of today
    client.force_login(cast.teacher)
    one = text(client.get("/policy/text/?version=1"))
    assert "Old code" in one and "New code" not in one
    two = text(client.get("/policy/text/?version=2"))
    assert "New code" in two and "Old code" not in two


def test_the_schools_people_sit_beside_clauses_7_5_and_7_6(client, cast):
    client.force_login(cast.teacher)
    for url in ("/policy/text/", "/policy/read/"):
        page = client.get(url).content.decode()
        five = text_of(section(page, "clause-7-5"))
        assert "Alice Hartley" in five and "Headteacher" in five, url
        assert "Charles Bell" in five and "Chair of Governors" in five, url
        assert "Debbie Singh" not in five, url
        six = text_of(section(page, "clause-7-6"))
        assert "Debbie Singh" in six and "Designated safeguarding lead" in six, url
        assert "Alice Hartley" not in six, url
        helpline = section(page, "clause-3-4")
        assert "Online Safety Helpline" in helpline and 'href="tel:03443814772"' in helpline
    body = client.get("/policy/text/pdf/").content
    words = re.sub(
        r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    )
    assert "Alice Hartley" in words and "Debbie Singh" in words and "Charles Bell" in words


def test_the_trusts_administrator_sees_no_names_beside_the_clauses(client, cast):
    client.force_login(cast.org_admin)
    response = client.get("/policy/text/")
    assert response.status_code == 200
    words = text(response)
    assert "Online Safety Helpline" in words
    assert "Alice Hartley" not in words and "Debbie Singh" not in words
    body = client.get("/policy/text/pdf/").content
    pdf_words = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert "Alice Hartley" not in pdf_words and "Debbie Singh" not in pdf_words
