"""The policy's contacts (3, 7.3, 8) and the documents it is read with (2), per school: the
model's defaults, editing and its errors, who may, the audit trail, and documents kept per
version."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fairwatch.audit import gate
from fairwatch.audit.models import AuditEntry
from fairwatch.errors import WrongState
from fairwatch.policy import contacts, documents, store
from fairwatch.policy.contacts import InvalidContact
from fairwatch.policy.documents import InvalidDocument
from fairwatch.policy.models import Contact, PolicyVersion, RelatedDocument
from fairwatch.policy.versions import ChangeRow
from fairwatch.roles import Role
from fairwatch.schools.models import Person, RoleAssignment
from tests.cast import add_person

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
HR = "hr"


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def odt_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text"
        )  # stored first and uncompressed, as the format requires
        z.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


# --- contacts --------------------------------------------------------------------------------


def test_a_school_starts_with_the_model_policys_contacts(cast):
    found = contacts.for_school(cast.school)
    assert [c.name for c in found] == [default[1] for default in contacts.DEFAULTS]
    assert found[0].phone == "0344 381 4772" and contacts.clause_ids(found[0]) == ["3.4"]
    by_clause = contacts.by_clause(found)
    assert [c.kind for c in by_clause["8"]] == [HR, "ceop"]
    assert [c.kind for c in by_clause["7.3"]] == [HR]
    assert contacts.for_school(cast.school) == found  # stored once, not twice
    assert Contact.objects.filter(school=cast.other_school).count() == 0


def test_the_headteacher_adds_changes_moves_and_removes_a_contact(cast):
    added = contacts.add(
        cast.head,
        cast.school,
        kind="other",
        name="Local authority LADO",
        phone="01603 000000",
        clauses="7.6, 7.5 7.6",
    )
    assert added.clauses == "7.5 7.6" and added.position == 3
    assert contacts.by_clause(contacts.for_school(cast.school))["7.6"] == [added]

    changed = contacts.update(cast.head, cast.school, added.pk, email="lado@example.org", phone="")
    assert changed.email == "lado@example.org" and changed.phone == ""
    assert Contact.objects.get(pk=added.pk).name == "Local authority LADO"

    order = contacts.move(cast.head, cast.school, added.pk, "up")
    assert [c.pk for c in order].index(added.pk) == 2
    contacts.move(cast.head, cast.school, order[0].pk, "up")  # at the top: stays put
    assert contacts.for_school(cast.school)[0].pk == order[0].pk

    contacts.remove(cast.head, cast.school, added.pk)
    assert not Contact.objects.filter(pk=added.pk).exists()

    done = [
        e.action for e in AuditEntry.objects.filter(object_type="policy_contact", outcome="done")
    ]
    assert done == [
        "policy.contact.add",
        "policy.contact.update",
        "policy.contact.move",
        "policy.contact.move",
        "policy.contact.remove",
    ]
    update = entries("policy.contact.update")[0]
    assert update.detail["changed"] == ["email", "phone"] and update.role == Role.HEADTEACHER


def test_each_bad_field_is_named(cast):
    with pytest.raises(InvalidContact) as caught:
        contacts.add(cast.head, cast.school, kind="nonsense", name=" ", clauses="3.99 x")
    errors = caught.value.errors
    assert set(errors) == {"kind", "name", "phone", "clauses"}
    assert "phone number, an email address or a web address" in errors["phone"]
    assert "not a clause number" in errors["clauses"]

    with pytest.raises(InvalidContact) as caught:
        contacts.add(
            cast.head,
            cast.school,
            kind="other",
            name="Helpline",
            phone="call me",
            email="not-an-email",
            url="javascript:alert(1)",
            clauses="3 99",
        )
    assert set(caught.value.errors) == {"phone", "email", "url", "clauses"}
    assert "no clause 99" in caught.value.errors["clauses"]
    assert Contact.objects.filter(name="Helpline").count() == 0
    assert entries("policy.contact.add")[-1].outcome == "refused"


def test_only_the_headteacher_and_the_trust_change_contacts(cast):
    for user in (cast.teacher, cast.dsl, cast.dpo, cast.outsider):
        with pytest.raises(gate.Refused):
            contacts.add(user, cast.school, kind="other", name="X", phone="0123 456")
    helpline = contacts.for_school(cast.school)[0]
    with pytest.raises(gate.Refused):
        contacts.remove(cast.teacher, cast.school, helpline.pk)
    assert Contact.objects.filter(pk=helpline.pk).exists()
    refused = AuditEntry.objects.filter(action="policy.publish", outcome="refused")
    assert refused.filter(object_type="policy_contact").count() == 5

    contacts.update(cast.org_admin, cast.school, helpline.pk, note="Open 10 to 4.")
    assert entries("policy.contact.update")[-1].role == Role.ORG_ADMIN


def test_a_contact_of_another_school_is_not_found(cast):
    elm = contacts.for_school(cast.other_school)[0]
    with pytest.raises(Contact.DoesNotExist):
        contacts.update(cast.head, cast.school, elm.pk, name="Mine now")
    assert Contact.objects.get(pk=elm.pk).name == "Online Safety Helpline"


def test_reset_puts_back_the_model_policys_contacts(cast):
    first = contacts.for_school(cast.school)
    contacts.remove(cast.head, cast.school, first[0].pk)
    contacts.add(cast.head, cast.school, kind="school", name="Office", phone="01234 567890")
    again = contacts.reset(cast.head, cast.school)
    assert [c.name for c in again] == [c.name for c in first]
    assert entries("policy.contact.reset")[0].detail == {"removed": 3}


def test_the_schools_own_people_come_from_current_roles(cast):
    people = contacts.school_people(cast.school)
    assert [(p.role, p.name) for p in people] == [
        ("Headteacher", "Alice Hartley"),
        ("Chair of Governors", "Charles Bell"),
        ("Designated safeguarding lead", "Debbie Singh"),
    ]
    assert people[2].clauses == ("7.6",)
    dsl = Person.objects.get(school=cast.school, user=cast.dsl)
    RoleAssignment.objects.filter(person=dsl, role=Role.DSL).update(ended_at=timezone.now())
    add_person(cast.school, "staff", "S900", "Nina", "Shah", roles=[Role.DSL])
    assert contacts.school_people(cast.school)[-1].name == "Nina Shah"


def test_tel_links_keep_digits_and_plus():
    assert contacts.tel_href("+44 (0)344 381-4772") == "tel:+4403443814772"
    assert contacts.tel_href("") == ""


# --- documents -------------------------------------------------------------------------------


def test_the_headteacher_adds_a_link_and_a_file(cast):
    link = documents.add_link(
        cast.head, cast.school, "online_safety", "Online safety policy", "https://oak.example/os"
    )
    doc = documents.add_file(
        cast.head, cast.school, "ict_code", "ICT code of conduct", upload("ICT code.pdf", PDF)
    )
    assert doc.content_type == "application/pdf" and doc.size == len(PDF)
    assert len(doc.sha256) == 64 and doc.added_by == cast.head
    assert {d.pk for d in documents.current(cast.school)} == {link.pk, doc.pk}
    assert [e.detail["file"] for e in entries("policy.document.add")] == [False, True]

    got = documents.download(cast.teacher, cast.school, doc.pk)
    assert bytes(got.content) == PDF
    with pytest.raises(RelatedDocument.DoesNotExist):
        documents.download(cast.teacher, cast.school, link.pk)  # a link has no file
    with pytest.raises(gate.Refused):
        documents.download(cast.outsider, cast.school, doc.pk)
    with pytest.raises(RelatedDocument.DoesNotExist):
        documents.download(cast.org_admin, cast.other_school, doc.pk)


GOOD_FILES = [
    ("policy.docx", docx_bytes()),
    ("policy.odt", odt_bytes()),
    ("policy.doc", bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 64),
    ("Policy.TXT", "Safer working practice — read it.\n".encode()),
]
BAD_FILES = [
    ("page.html", b"<html><body>hi</body></html>", "not a kind of file"),
    ("script.txt", b"<script>alert(1)</script>", "not really a TXT file"),
    ("fake.pdf", b"MZ\x90\x00 an executable", "not really a PDF file"),
    ("fake.docx", b"PK\x03\x04 just a zip", "not really a DOCX file"),
    ("fake.odt", docx_bytes(), "not really a ODT file"),
    ("empty.pdf", b"", "is empty"),
    ("noextension", PDF, "not a kind of file"),
    ("binary.txt", b"\xff\xfe\x00a", "not really a TXT file"),
]


def test_each_kind_of_file_allowed_is_taken(cast):
    for name, content in GOOD_FILES:
        doc = documents.add_file(cast.head, cast.school, "other", "Guidance", upload(name, content))
        assert doc.content_type == documents.TYPES["." + name.rsplit(".", 1)[1].lower()], name


def test_a_bad_file_is_refused_with_the_reason(cast):
    for name, content, words in BAD_FILES:
        with pytest.raises(InvalidDocument) as caught:
            documents.add_file(cast.head, cast.school, "other", "Guidance", upload(name, content))
        assert words in caught.value.errors["file"], name
    assert not RelatedDocument.objects.exists()


def test_a_file_over_10_mb_is_refused(cast, monkeypatch):
    monkeypatch.setattr(documents, "FILE_MAX", 64)
    with pytest.raises(InvalidDocument) as caught:
        documents.add_file(cast.head, cast.school, "other", "Big", upload("big.pdf", PDF * 3))
    assert "is over" in caught.value.errors["file"]


def test_bad_links_and_titles_are_named(cast):
    with pytest.raises(InvalidDocument) as caught:
        documents.add_link(cast.head, cast.school, "menu", "", "ftp://example.org/x")
    assert set(caught.value.errors) == {"kind", "title", "url"}
    with pytest.raises(InvalidDocument) as caught:
        documents.add_file(cast.head, cast.school, "other", "No file", None)
    assert caught.value.errors == {"file": "Choose the file to upload."}


def test_only_the_headteacher_and_the_trust_change_documents(cast):
    with pytest.raises(gate.Refused):
        documents.add_link(cast.teacher, cast.school, "other", "Mine", "https://example.org/")
    doc = documents.add_link(cast.org_admin, cast.school, "other", "T", "https://example.org/")
    with pytest.raises(gate.Refused):
        documents.withdraw(cast.dsl, cast.school, doc.pk)
    assert RelatedDocument.objects.get(pk=doc.pk).withdrawn_at is None


def publish_version_2(cast) -> PolicyVersion:
    clauses = dict(store.versions(cast.school)[-1].clauses)
    clauses["3.1"] = dataclasses.replace(clauses["3.1"], text="Ask the Headteacher first.")
    today = timezone.localdate()
    return store.publish(
        cast.head, cast.school, clauses, today, [ChangeRow(today, "3.1", "Reworded")], True
    )


def test_a_document_replaced_after_version_2_stays_with_version_2(cast):
    now = timezone.now()
    old = documents.add_file(
        cast.head, cast.school, "online_safety", "Online safety policy", upload("os.pdf", PDF)
    )
    RelatedDocument.objects.filter(pk=old.pk).update(added_at=now - dt.timedelta(days=2))
    v2 = publish_version_2(cast)
    PolicyVersion.objects.filter(pk=v2.pk).update(published_at=now - dt.timedelta(hours=1))
    v2.refresh_from_db()

    new = documents.replace(
        cast.head, cast.school, old.pk, url="https://oak.example/online-safety-2026"
    )
    assert new.title == "Online safety policy" and new.kind == "online_safety"
    # Version 2 is in force: it goes with the documents current now.
    assert [d.pk for d in documents.with_version(v2)] == [new.pk]
    # Once a later version takes effect, version 2 keeps those of that moment.
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    PolicyVersion.objects.create(
        school=cast.school, number=3, effective_from=tomorrow, clauses=v2.clauses
    )
    assert [d.pk for d in documents.with_version(v2)] == [new.pk]
    after = tomorrow + dt.timedelta(days=1)
    assert [d.pk for d in documents.with_version(v2, today=after)] == [new.pk]
    v1 = PolicyVersion.objects.get(school=cast.school, number=1)
    assert [d.pk for d in documents.with_version(v1, today=after)] == [old.pk]
    assert [d.pk for d in documents.earlier(cast.school)] == [old.pk]
    # The old file is still there to read, for version 2.
    assert bytes(documents.download(cast.teacher, cast.school, old.pk).content) == PDF
    assert entries("policy.document.replace")[0].detail["replaces"] == old.pk

    with pytest.raises(WrongState):
        documents.replace(cast.head, cast.school, old.pk, url="https://oak.example/again")
    with pytest.raises(InvalidDocument):
        documents.replace(cast.head, cast.school, new.pk, url="not a link")
    assert RelatedDocument.objects.get(pk=new.pk).withdrawn_at is None  # nothing lost


def test_withdrawing_keeps_the_row(cast):
    doc = documents.add_link(cast.head, cast.school, "harassment", "H", "https://oak.example/h")
    documents.withdraw(cast.head, cast.school, doc.pk)
    assert not documents.current(cast.school).exists()
    assert RelatedDocument.objects.get(pk=doc.pk).withdrawn_at is not None
    with pytest.raises(WrongState):
        documents.withdraw(cast.head, cast.school, doc.pk)
    assert entries("policy.document.withdraw")[0].outcome == "done"


def test_a_file_name_loses_its_folders_and_control_characters():
    assert documents.clean_name("C:\\Users\\me\\Policy\x07.pdf") == "Policy.pdf"
    assert documents.clean_name("../../etc/passwd.txt") == "passwd.txt"
    assert documents.clean_name("") == "document"
    assert documents.clean_name("a" * 300 + ".pdf").endswith("a.pdf")


def test_a_school_that_removed_every_contact_does_not_get_the_defaults_back(cast):
    for contact in contacts.for_school(cast.school):
        contacts.remove(cast.head, cast.school, contact.pk)
    assert contacts.for_school(cast.school) == []
    assert len(contacts.reset(cast.head, cast.school)) == len(contacts.DEFAULTS)


def test_a_version_in_force_lists_documents_added_after_it_was_published(cast):
    later = timezone.localdate() + dt.timedelta(days=20)
    v1 = store.rows(cast.school)[0]
    clauses = dict(store.versions(cast.school)[-1].clauses)
    clauses["3.1"] = dataclasses.replace(clauses["3.1"], text="Ask first.")
    store.publish(cast.head, cast.school, clauses, later, [ChangeRow(later, "3.1", "New")], True)
    doc = documents.add_link(cast.head, cast.school, "other", "New", "https://oak.example/n")
    # Version 1 is still in force until version 2 takes effect: it has today's documents.
    assert [d.pk for d in documents.with_version(v1)] == [doc.pk]
    # After version 2 takes effect, version 1 keeps what was current then, not what came after.
    gone = later + dt.timedelta(days=1)
    assert [d.pk for d in documents.with_version(v1, today=gone)] == [doc.pk]
    after = timezone.make_aware(dt.datetime.combine(gone, dt.time(9)))
    RelatedDocument.objects.filter(pk=doc.pk).update(added_at=after)
    assert list(documents.with_version(v1, today=gone)) == []


def test_broken_characters_are_named_not_stored(cast):
    with pytest.raises(InvalidContact) as caught:
        contacts.add(cast.head, cast.school, name="Oak\ud800", phone="0123 456", note="\x00")
    assert "not text" in caught.value.errors["name"] and "NUL" in caught.value.errors["note"]
    with pytest.raises(InvalidDocument) as caught:
        documents.add_link(cast.head, cast.school, "other", "T\udfff", "https://oak.example/")
    assert "not text" in caught.value.errors["title"]
    with pytest.raises(InvalidDocument) as caught:
        documents.add_file(cast.head, cast.school, "other", "\ud800", upload("a.pdf", PDF))
    assert "not text" in caught.value.errors["title"]
    assert not RelatedDocument.objects.exists()
