"""The pages for the policy's contacts and its related documents (issue 9): everyone at the
school reads them; the Headteacher changes them, with errors named by the fields."""

from __future__ import annotations

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fairwatch.audit.models import AuditEntry
from fairwatch.policy import contacts, documents
from fairwatch.policy.models import Contact, RelatedDocument

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%%EOF\n"


def text(response) -> str:
    """The page's words, without tags, spaced as read."""
    words = re.sub(r"<[^>]+>", " ", response.content.decode())
    return html.unescape(re.sub(r"\s+", " ", words))


def test_a_teacher_sees_the_contacts_and_the_schools_people_but_no_forms(client, cast):
    client.force_login(cast.teacher)
    page = client.get("/policy/contacts/")
    assert page.status_code == 200
    body = page.content.decode()
    words = text(page)
    assert "Online Safety Helpline" in words and "EducationHR" in words
    assert 'href="tel:03443814772"' in body
    assert 'href="mailto:helpline@saferinternet.org.uk"' in body
    assert 'href="https://www.ceop.police.uk/"' in body
    assert 'href="/policy/#clause-7-3"' in body
    assert "Headteacher Alice Hartley" in words and "Debbie Singh" in words
    assert "Add a contact" not in words and "/policy/contacts/add/" not in body
    assert client.get("/policy/contacts/add/").status_code == 403


def test_someone_with_no_school_is_told_so(client, cast):
    client.force_login(cast.outsider)
    assert client.get("/policy/contacts/").status_code == 403
    assert client.get("/policy/documents/").status_code == 403


def test_the_headteacher_adds_a_contact_and_errors_are_named(client, cast):
    client.force_login(cast.head)
    assert "Add a contact" in text(client.get("/policy/contacts/"))
    bad = client.post(
        "/policy/contacts/add/", {"kind": "other", "name": "", "clauses": "99", "email": "x"}
    )
    assert bad.status_code == 400
    words = text(bad)
    assert "There is a problem" in words
    assert 'href="#id_name"' in bad.content.decode()
    assert "Name: Give the contact's name." in words
    assert "no clause 99" in words and "Enter an email address" in words

    done = client.post(
        "/policy/contacts/add/",
        {
            "kind": "school",
            "name": "School office",
            "phone": "01234 567890",
            "email": "office@oak.example",
            "clauses": "7.3",
        },
        follow=True,
    )
    assert done.status_code == 200
    assert "School office is added to the contacts." in text(done)
    assert 'href="tel:01234567890"' in done.content.decode()
    office = Contact.objects.get(school=cast.school, name="School office")
    assert office.clauses == "7.3"


def test_the_headteacher_edits_moves_removes_and_resets(client, cast):
    client.force_login(cast.head)
    helpline, hr, ceop = contacts.for_school(cast.school)
    form = client.get(f"/policy/contacts/{hr.pk}/edit/")
    assert 'value="EducationHR"' in form.content.decode()
    client.post(
        f"/policy/contacts/{hr.pk}/edit/",
        {"kind": "hr", "name": "Trust HR", "phone": "01603 307760", "clauses": "7.3 8"},
    )
    assert Contact.objects.get(pk=hr.pk).name == "Trust HR"

    client.post(f"/policy/contacts/{ceop.pk}/move/", {"direction": "up"})
    assert [c.pk for c in contacts.for_school(cast.school)] == [helpline.pk, ceop.pk, hr.pk]

    assert "Remove Online Safety Helpline?" in text(
        client.get(f"/policy/contacts/{helpline.pk}/remove/")
    )
    client.post(f"/policy/contacts/{helpline.pk}/remove/")
    assert not Contact.objects.filter(pk=helpline.pk).exists()

    page = client.post("/policy/contacts/reset/", follow=True)
    assert "back to the model policy's" in text(page)
    assert [c.name for c in contacts.for_school(cast.school)][:2] == [
        "Online Safety Helpline",
        "EducationHR",
    ]
    assert AuditEntry.objects.filter(action="policy.contact.reset", outcome="done").exists()


def test_a_teacher_cannot_change_contacts_by_posting(client, cast):
    client.force_login(cast.teacher)
    helpline = contacts.for_school(cast.school)[0]
    assert client.post(f"/policy/contacts/{helpline.pk}/remove/").status_code == 403
    assert (
        client.post(f"/policy/contacts/{helpline.pk}/move/", {"direction": "down"}).status_code
        == 403
    )
    assert client.post("/policy/contacts/reset/").status_code == 403
    assert Contact.objects.filter(pk=helpline.pk).exists()


def test_a_contact_of_another_school_is_not_found(client, cast):
    elm = contacts.for_school(cast.other_school)[0]
    client.force_login(cast.head)
    assert client.get(f"/policy/contacts/{elm.pk}/edit/").status_code == 404


def test_documents_are_listed_and_files_download_as_attachments(client, cast):
    link = documents.add_link(
        cast.head, cast.school, "online_safety", "Oak online safety", "https://oak.example/os"
    )
    doc = documents.add_file(
        cast.head,
        cast.school,
        "ict_code",
        "ICT code of conduct",
        SimpleUploadedFile("code.pdf", PDF, content_type="text/html"),
    )
    client.force_login(cast.teacher)
    page = client.get("/policy/documents/")
    body = page.content.decode()
    assert page.status_code == 200
    assert '<a href="https://oak.example/os">Oak online safety</a>' in body  # same tab
    assert "target=" not in body
    assert f'href="/policy/documents/{doc.pk}/file/"' in body
    assert "Upload a file" not in text(page)

    got = client.get(f"/policy/documents/{doc.pk}/file/")
    assert got.status_code == 200 and got.content == PDF
    assert got["Content-Type"] == "application/pdf"  # ours, not the uploader's
    assert got["Content-Disposition"].startswith("attachment")
    assert got["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/policy/documents/{link.pk}/file/").status_code == 404


def test_the_headteacher_uploads_replaces_and_withdraws(client, cast):
    client.force_login(cast.head)
    bad = client.post(
        "/policy/documents/upload/",
        {
            "kind": "harassment",
            "title": "Harassment policy",
            "file": SimpleUploadedFile("h.html", b"<html></html>"),
        },
    )
    assert bad.status_code == 400
    assert "File: “h.html” is not a kind of file that can be uploaded here" in text(bad)
    assert 'href="#id_file"' in bad.content.decode()
    assert "Choose the file again" in text(bad)

    client.post(
        "/policy/documents/upload/",
        {
            "kind": "harassment",
            "title": "Harassment policy",
            "file": SimpleUploadedFile("h.pdf", PDF),
        },
    )
    old = RelatedDocument.objects.get(school=cast.school)
    assert old.sha256 and old.added_by == cast.head

    empty = client.post(f"/policy/documents/{old.pk}/replace/", {"title": "Harassment policy"})
    assert "Give the new document's web address, or choose its file." in text(empty)
    done = client.post(
        f"/policy/documents/{old.pk}/replace/",
        {"title": "Harassment policy 2026", "url": "https://oak.example/harassment"},
        follow=True,
    )
    words = text(done)
    assert "“Harassment policy 2026” replaces the earlier document." in words
    assert "Earlier documents" in words
    earlier = words.split("Earlier documents", 1)[1]
    assert "Harassment policy" in earlier and "From " in earlier

    new = documents.current(cast.school).get()
    client.post(f"/policy/documents/{new.pk}/withdraw/")
    assert not documents.current(cast.school).exists()
    link = client.post(
        "/policy/documents/add-link/", {"kind": "", "title": "", "url": "javascript:alert(1)"}
    )
    assert link.status_code == 400
    assert "Which document: Choose which document this is from the list." in text(link)
    assert "Web address: Enter a web address starting https://" in text(link)


def test_a_teacher_cannot_change_documents(client, cast):
    doc = documents.add_link(cast.head, cast.school, "other", "Other", "https://oak.example/o")
    client.force_login(cast.teacher)
    assert client.get("/policy/documents/upload/").status_code == 403
    assert client.post(f"/policy/documents/{doc.pk}/withdraw/").status_code == 403
    assert documents.current(cast.school).exists()


def test_the_versions_page_links_to_contacts_and_documents(client, cast):
    client.force_login(cast.teacher)
    body = client.get("/policy/versions/").content.decode()
    assert 'href="/policy/contacts/"' in body and 'href="/policy/documents/"' in body


def test_the_trusts_administrator_changes_contacts_but_sees_no_names(client, cast):
    client.force_login(cast.org_admin)
    page = client.get("/policy/contacts/")
    assert page.status_code == 200
    words = text(page)
    assert "Add a contact" in words and "EducationHR" in words
    assert "Alice Hartley" not in words and "At Oak Primary" not in words
