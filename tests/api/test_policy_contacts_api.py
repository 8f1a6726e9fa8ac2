"""The policy's contacts and related documents over the API (issue 9): reading for everyone
at the school, changes for the Headteacher, errors by field, files in and out, documents kept
per version; the schema."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fairwatch.audit.models import AuditEntry
from fairwatch.policy import contacts, documents
from fairwatch.policy.models import Contact, PolicyVersion, RelatedDocument
from fairwatch.schools.services import issue_token
from tests.policy.test_contacts_documents import PDF, publish_version_2

pytestmark = pytest.mark.django_db

API = "/api/v1"
BASE = f"{API}/schools/oak/policy"
PATHS = {
    "/schools/{slug}/policy/contacts": {"get", "post"},
    "/schools/{slug}/policy/contacts/{contact_id}": {"put", "delete"},
    "/schools/{slug}/policy/contacts/{contact_id}/move": {"post"},
    "/schools/{slug}/policy/contacts/reset": {"post"},
    "/schools/{slug}/policy/school-people": {"get"},
    "/schools/{slug}/policy/documents": {"get", "post"},
    "/schools/{slug}/policy/documents/files": {"post"},
    "/schools/{slug}/policy/documents/{doc_id}/replace": {"post"},
    "/schools/{slug}/policy/documents/{doc_id}/replace/file": {"post"},
    "/schools/{slug}/policy/documents/{doc_id}/withdraw": {"post"},
    "/schools/{slug}/policy/documents/{doc_id}/file": {"get"},
}


def bearer(user) -> dict[str, str]:
    _, secret = issue_token(user, "tests")
    return {"Authorization": f"Bearer {secret}"}


def send(client, user, method, path, body=None):
    return client.generic(
        method,
        path,
        b"" if body is None else json.dumps(body),
        content_type="application/json",
        headers=bearer(user),
    )


def test_the_schema_lists_every_contacts_and_documents_route(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    for path, methods in PATHS.items():
        assert set(paths[f"{API}{path}"]) == methods, path


def test_everyone_at_the_school_reads_the_contacts(client, cast):
    got = send(client, cast.teacher, "GET", f"{BASE}/contacts")
    assert got.status_code == 200
    first = got.json()[0]
    assert first["name"] == "Online Safety Helpline" and first["clauses"] == ["3.4"]
    assert [c["clauses"] for c in got.json()] == [["3.4"], ["7.3", "8"], ["8"]]
    people = send(client, cast.teacher, "GET", f"{BASE}/school-people").json()
    assert {"role": "Headteacher", "name": "Alice Hartley", "clauses": ["7.5"]} in people
    assert send(client, cast.outsider, "GET", f"{BASE}/contacts").status_code == 404
    assert send(client, cast.org_admin, "GET", f"{BASE}/contacts").status_code == 200
    assert send(client, cast.org_admin, "GET", f"{BASE}/school-people").status_code == 403


def test_the_headteacher_adds_changes_and_removes_a_contact(client, cast):
    body = {"kind": "school", "name": "School office", "phone": "01234 567890", "clauses": ["8"]}
    added = send(client, cast.head, "POST", f"{BASE}/contacts", body)
    assert added.status_code == 201, added.content
    contact_id = added.json()["id"]
    assert added.json()["position"] == 3

    body |= {"email": "office@oak.example", "phone": ""}
    changed = send(client, cast.head, "PUT", f"{BASE}/contacts/{contact_id}", body)
    assert changed.status_code == 200 and changed.json()["email"] == "office@oak.example"
    assert Contact.objects.get(pk=contact_id).phone == ""

    moved = send(
        client, cast.head, "POST", f"{BASE}/contacts/{contact_id}/move", {"direction": "up"}
    )
    assert [c["id"] for c in moved.json()].index(contact_id) == 2

    gone = send(client, cast.head, "DELETE", f"{BASE}/contacts/{contact_id}")
    assert gone.status_code == 204
    assert send(client, cast.head, "DELETE", f"{BASE}/contacts/{contact_id}").status_code == 404
    reset = send(client, cast.head, "POST", f"{BASE}/contacts/reset")
    assert [c["name"] for c in reset.json()][0] == "Online Safety Helpline"
    actions = set(
        AuditEntry.objects.filter(object_type="policy_contact", outcome="done").values_list(
            "action", flat=True
        )
    )
    assert actions == {
        "policy.contact.add",
        "policy.contact.update",
        "policy.contact.move",
        "policy.contact.remove",
        "policy.contact.reset",
    }


def test_a_contact_that_cannot_be_taken_is_422_by_field(client, cast):
    body = {"kind": "other", "name": "", "url": "javascript:x", "clauses": ["7.3", "42", ""]}
    got = send(client, cast.head, "POST", f"{BASE}/contacts", body)
    assert got.status_code == 422
    errors = got.json()["errors"]
    assert set(errors) == {"name", "url", "clauses"}
    nul = send(client, cast.head, "POST", f"{BASE}/contacts", {"name": "A\x00", "phone": "0123"})
    assert nul.status_code == 422 and "NUL" in nul.json()["errors"]["name"]
    assert send(client, cast.head, "PUT", f"{BASE}/contacts/{2**70}", body).status_code == 404
    helpline = contacts.for_school(cast.school)[0]
    path = f"{BASE}/contacts/{helpline.pk}/move"
    wrong = send(client, cast.head, "POST", path, {"direction": "left"})
    assert wrong.status_code == 422 and "up or down" in wrong.json()["errors"]["direction"]


def test_a_teacher_may_not_change_contacts_or_documents(client, cast):
    helpline = contacts.for_school(cast.school)[0]
    body = {"name": "Mine", "phone": "0123 456"}
    assert send(client, cast.teacher, "POST", f"{BASE}/contacts", body).status_code == 403
    assert send(client, cast.teacher, "DELETE", f"{BASE}/contacts/{helpline.pk}").status_code == 403
    link = {"kind": "other", "title": "T", "url": "https://example.org/"}
    assert send(client, cast.teacher, "POST", f"{BASE}/documents", link).status_code == 403
    assert Contact.objects.filter(pk=helpline.pk).exists()
    assert not RelatedDocument.objects.exists()


def test_documents_links_files_and_versions(client, cast):
    now = timezone.now()
    link = {"kind": "online_safety", "title": "Online safety", "url": "https://oak.example/os"}
    added = send(client, cast.head, "POST", f"{BASE}/documents", link)
    assert added.status_code == 201 and added.json()["file"] is None
    up = client.post(
        f"{BASE}/documents/files",
        {"kind": "ict_code", "title": "ICT code", "file": _file("code.pdf", PDF)},
        headers=bearer(cast.head),
    )
    assert up.status_code == 201, up.content
    doc = up.json()
    assert doc["content_type"] == "application/pdf" and doc["size"] == len(PDF)
    assert doc["file"] == f"{BASE}/documents/{doc['id']}/file"

    got = client.get(doc["file"], headers=bearer(cast.teacher))
    assert got.status_code == 200 and got.content == PDF
    assert got["Content-Disposition"].startswith("attachment")
    assert got["X-Content-Type-Options"] == "nosniff"

    # Both in place before today, when version 2 takes effect and version 1 stops.
    RelatedDocument.objects.update(added_at=now - dt.timedelta(days=2))
    v2 = publish_version_2(cast)
    PolicyVersion.objects.filter(pk=v2.pk).update(published_at=now - dt.timedelta(hours=1))
    replaced = send(
        client,
        cast.head,
        "POST",
        f"{BASE}/documents/{doc['id']}/replace",
        {"url": "https://oak.example/ict-2026"},
    )
    assert replaced.status_code == 201 and replaced.json()["title"] == "ICT code"
    for_v1 = send(client, cast.teacher, "GET", f"{BASE}/documents?version=1").json()
    assert {d["id"] for d in for_v1} == {added.json()["id"], doc["id"]}
    for_v2 = send(client, cast.teacher, "GET", f"{BASE}/documents?version=2").json()  # latest
    assert {d["id"] for d in for_v2} == {added.json()["id"], replaced.json()["id"]}
    now_listed = send(client, cast.teacher, "GET", f"{BASE}/documents").json()
    assert {d["id"] for d in now_listed} == {added.json()["id"], replaced.json()["id"]}
    old = send(client, cast.teacher, "GET", f"{BASE}/documents?withdrawn=true").json()
    assert [d["id"] for d in old] == [doc["id"]] and old[0]["withdrawn_at"]
    assert client.get(doc["file"], headers=bearer(cast.teacher)).content == PDF  # still there
    assert send(client, cast.teacher, "GET", f"{BASE}/documents?version=9").status_code == 404

    again = send(client, cast.head, "POST", f"{BASE}/documents/{doc['id']}/withdraw")
    assert again.status_code == 409
    done = send(client, cast.head, "POST", f"{BASE}/documents/{added.json()['id']}/withdraw")
    assert done.status_code == 200 and done.json()["withdrawn_at"]
    assert documents.current(cast.school).count() == 1


def test_a_bad_file_is_422_with_the_reason(client, cast):
    got = client.post(
        f"{BASE}/documents/files",
        {"kind": "other", "title": "Page", "file": _file("page.pdf", b"<html>hi</html>")},
        headers=bearer(cast.head),
    )
    assert got.status_code == 422
    assert "not really a PDF file" in got.json()["errors"]["file"]
    missing = client.post(
        f"{BASE}/documents/files", {"kind": "other", "title": "x"}, headers=bearer(cast.head)
    )
    assert missing.status_code == 422
    assert not RelatedDocument.objects.exists()


def test_a_link_has_no_file(client, cast):
    doc = documents.add_link(cast.head, cast.school, "other", "Other", "https://oak.example/")
    got = client.get(f"{BASE}/documents/{doc.pk}/file", headers=bearer(cast.teacher))
    assert got.status_code == 404


def _file(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_broken_characters_in_contacts_and_documents_are_422_by_field(client, cast):
    # A lone surrogate (half a character) cannot be stored: named by field, never a 500.
    got = send(
        client,
        cast.head,
        "POST",
        f"{BASE}/contacts",
        {"name": "A\ud800b", "phone": "0123 456", "note": "\udc00", "clauses": ["3\ud800"]},
    )
    assert got.status_code == 422
    errors = got.json()["errors"]
    assert "not text" in errors["name"] and "not text" in errors["note"]
    assert "not text" in errors["clauses"]
    helpline = contacts.for_school(cast.school)[0]
    changed = send(client, cast.head, "PUT", f"{BASE}/contacts/{helpline.pk}", {"name": "H\ud800"})
    assert changed.status_code == 422 and "name" in changed.json()["errors"]
    link = {"kind": "other", "title": "T\ud800", "url": "https://example.org/\ud800"}
    added = send(client, cast.head, "POST", f"{BASE}/documents", link)
    assert added.status_code == 422
    assert set(added.json()["errors"]) == {"title", "url"}
    doc = documents.add_link(cast.head, cast.school, "other", "T", "https://example.org/")
    replaced = send(
        client,
        cast.head,
        "POST",
        f"{BASE}/documents/{doc.pk}/replace",
        {"url": "https://example.org/new", "title": "\ud800"},
    )
    assert replaced.status_code == 422 and "title" in replaced.json()["errors"]
    assert Contact.objects.get(pk=helpline.pk).name == "Online Safety Helpline"
    assert RelatedDocument.objects.filter(school=cast.school).count() == 1
