"""The policy's contacts (3, 7.3, 8) and the documents it is read with (2), for machines: the
same steps as the pages, through the same services (`fairwatch.policy.contacts` and
`fairwatch.policy.documents`), which ask the gate and write the audit trail.

Everyone at the school reads them; the Headteacher (or the trust's administrator) changes
them. Errors are as in the other routers: 403 not allowed (recorded), 404 not there, 409 a
step that does not fit (a document already withdrawn), 422 input that cannot be taken (with
`errors` by field).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from pydantic import Field

from fairwatch.errors import FieldErrors, WrongState
from fairwatch.policy import contacts, documents, store
from fairwatch.policy.models import Contact, RelatedDocument
from fairwatch.schools.models import School
from fairwatch.schools.permissions import Action, may

from .common import ErrorOut, InvalidOut, invalid, school_for

router = Router(tags=["policy"])

BASE = "/schools/{slug}/policy"
ERRORS = {403: ErrorOut, 404: ErrorOut, 422: InvalidOut}
STEP_ERRORS = {**ERRORS, 409: ErrorOut}
ID_MAX = 2**63 - 1  # the database's biggest id: a bigger one names nothing


# --- shapes ---------------------------------------------------------------------------------


class PolicyContactOut(Schema):
    id: int
    kind: str = Field(description="helpline, hr, ceop, school or other")
    name: str
    phone: str
    email: str
    url: str
    note: str
    clauses: list[str] = Field(description="the clauses whose words refer to this contact")
    position: int = Field(description="its place in the school's list, from 0")


class PolicyContactIn(Schema):
    """A contact, whole: a field left out is empty. Give at least one of phone, email, url."""

    kind: str = Field("other", description="helpline, hr, ceop, school or other")
    name: str
    phone: str = ""
    email: str = ""
    url: str = Field("", description="a web address starting https://")
    note: str = Field("", description="when staff should contact them")
    clauses: list[str] = Field(
        default_factory=list, description='clause ids that refer to them, e.g. ["7.3", "8"]'
    )


class PolicyContactMoveIn(Schema):
    direction: str = Field(description="up or down: one place in the list")


class PolicySchoolPersonOut(Schema):
    role: str
    name: str
    clauses: list[str]


class RelatedDocumentOut(Schema):
    id: int
    kind: str = Field(
        description="online_safety, ict_code, harassment, cyberbullying, safer_working or other"
    )
    title: str
    url: str | None = Field(description="for a link: its web address; null for a file")
    file_name: str | None = Field(description="for a file: its name; null for a link")
    content_type: str | None
    size: int | None = Field(description="a file's size in bytes")
    sha256: str | None = Field(description="a file's SHA-256, in hex")
    file: str | None = Field(description="where to download a file; null for a link")
    added_at: dt.datetime
    withdrawn_at: dt.datetime | None = Field(description="when it was replaced or withdrawn")


class RelatedDocumentLinkIn(Schema):
    kind: str = Field(
        description="online_safety, ict_code, harassment, cyberbullying, safer_working or other"
    )
    title: str
    url: str = Field(description="a web address starting https://")


class RelatedDocumentReplaceIn(Schema):
    """The new document, a link; its kind and title stay the old one's unless given."""

    url: str
    title: str = ""
    kind: str = ""


# --- helpers --------------------------------------------------------------------------------


def _id(value: int) -> int:
    return value if 0 < value <= ID_MAX else 0


def _reader(request: HttpRequest, slug: str) -> School:
    school = school_for(request, slug)
    if not may(request.user, Action.VIEW_POLICY, school):
        raise HttpError(403, f"Only people at {school.name} read this.")
    return school


def _contact_out(contact: Contact) -> PolicyContactOut:
    return PolicyContactOut(
        id=contact.pk,
        kind=contact.kind,
        name=contact.name,
        phone=contact.phone,
        email=contact.email,
        url=contact.url,
        note=contact.note,
        clauses=contacts.clause_ids(contact),
        position=contact.position,
    )


def _contact_fields(payload: PolicyContactIn) -> dict[str, str]:
    return {
        "kind": payload.kind,
        "name": payload.name,
        "phone": payload.phone,
        "email": payload.email,
        "url": payload.url,
        "note": payload.note,
        "clauses": " ".join(c.strip() or "?" for c in payload.clauses),
    }


def _document_out(slug: str, doc: RelatedDocument) -> RelatedDocumentOut:
    is_file = bool(doc.file_name)
    return RelatedDocumentOut(
        id=doc.pk,
        kind=doc.kind,
        title=doc.title,
        url=None if is_file else doc.url,
        file_name=doc.file_name if is_file else None,
        content_type=doc.content_type if is_file else None,
        size=doc.size if is_file else None,
        sha256=doc.sha256 if is_file else None,
        file=f"/api/v1/schools/{slug}/policy/documents/{doc.pk}/file" if is_file else None,
        added_at=doc.added_at,
        withdrawn_at=doc.withdrawn_at,
    )


# --- contacts -------------------------------------------------------------------------------


@router.get(f"{BASE}/contacts", response={200: list[PolicyContactOut], **ERRORS})
def list_contacts(request, slug: str):
    """The school's contacts in order, each with the clauses that refer to it (the model
    policy's until the school changes them)."""
    school = _reader(request, slug)
    return [_contact_out(c) for c in contacts.for_school(school)]


@router.post(f"{BASE}/contacts", response={201: PolicyContactOut, **ERRORS})
def add_contact(request, slug: str, payload: PolicyContactIn):
    """Add a contact at the end of the list (the Headteacher, or the trust's administrator)."""
    school = school_for(request, slug)
    try:
        contact = contacts.add(request.user, school, **_contact_fields(payload))
    except FieldErrors as e:
        return invalid(e)
    return Status(201, _contact_out(contact))


@router.post(f"{BASE}/contacts/reset", response={200: list[PolicyContactOut], **ERRORS})
def reset_contacts(request, slug: str):
    """Put back the model policy's contacts in place of all the school's own.
    (Declared before the routes by id, so "reset" is not taken for an id.)"""
    school = school_for(request, slug)
    return [_contact_out(c) for c in contacts.reset(request.user, school)]


@router.put(f"{BASE}/contacts/{{contact_id}}", response={200: PolicyContactOut, **ERRORS})
def update_contact(request, slug: str, contact_id: int, payload: PolicyContactIn):
    """Change a contact: every field as given (one left out is emptied)."""
    school = school_for(request, slug)
    try:
        contact = contacts.update(request.user, school, _id(contact_id), **_contact_fields(payload))
    except FieldErrors as e:
        return invalid(e)
    except Contact.DoesNotExist:
        raise HttpError(404, f"no contact {contact_id} at {school.name}") from None
    return _contact_out(contact)


@router.delete(f"{BASE}/contacts/{{contact_id}}", response={204: None, **ERRORS})
def remove_contact(request, slug: str, contact_id: int):
    """Take a contact off the school's list."""
    school = school_for(request, slug)
    try:
        contacts.remove(request.user, school, _id(contact_id))
    except Contact.DoesNotExist:
        raise HttpError(404, f"no contact {contact_id} at {school.name}") from None
    return Status(204, None)


@router.post(
    f"{BASE}/contacts/{{contact_id}}/move", response={200: list[PolicyContactOut], **ERRORS}
)
def move_contact(request, slug: str, contact_id: int, payload: PolicyContactMoveIn):
    """Move a contact one place up or down; the answer is the list in its new order."""
    school = school_for(request, slug)
    try:
        found = contacts.move(request.user, school, _id(contact_id), payload.direction)
    except FieldErrors as e:
        return invalid(e)
    except Contact.DoesNotExist:
        raise HttpError(404, f"no contact {contact_id} at {school.name}") from None
    return [_contact_out(c) for c in found]


@router.get(f"{BASE}/school-people", response={200: list[PolicySchoolPersonOut], **ERRORS})
def school_people(request, slug: str):
    """The school's Headteacher, Chair of Governors and designated safeguarding lead, whom
    the policy tells staff to go to (7.5, 7.6)."""
    school = _reader(request, slug)
    if not contacts.sees_school_people(request.user, school):
        raise HttpError(403, f"Only people who work at {school.name} see who holds its roles.")
    return [
        PolicySchoolPersonOut(role=p.role, name=p.name, clauses=list(p.clauses))
        for p in contacts.school_people(school)
    ]


# --- documents ------------------------------------------------------------------------------


@router.get(f"{BASE}/documents", response={200: list[RelatedDocumentOut], **ERRORS})
def list_documents(
    request,
    slug: str,
    version: Annotated[
        int | None,
        Query(description="the documents that went with this version (default: current ones)"),
    ] = None,
    withdrawn: Annotated[
        bool, Query(description="the withdrawn documents instead, latest first")
    ] = False,
):
    """The documents the policy is read with: links and files."""
    school = _reader(request, slug)
    if withdrawn:
        found = documents.earlier(school)
    elif version is None:
        found = documents.current(school)
    else:
        rows = store.rows(school)
        row = next((r for r in rows if r.number == version), None)
        if row is None:
            raise HttpError(404, f"version: there is no version {version} of the policy.")
        found = documents.with_version(row)
    return [_document_out(school.slug, doc) for doc in found]


@router.post(f"{BASE}/documents", response={201: RelatedDocumentOut, **ERRORS})
def add_document_link(request, slug: str, payload: RelatedDocumentLinkIn):
    """Add a link to a document (the Headteacher, or the trust's administrator). To upload a
    file, POST it to …/documents/files."""
    school = school_for(request, slug)
    try:
        doc = documents.add_link(
            request.user,
            school,
            payload.kind,
            payload.title,
            payload.url,
        )
    except FieldErrors as e:
        return invalid(e)
    return Status(201, _document_out(school.slug, doc))


@router.post(f"{BASE}/documents/files", response={201: RelatedDocumentOut, **ERRORS})
def add_document_file(
    request, slug: str, kind: Form[str], title: Form[str], file: File[UploadedFile]
):
    """Upload a document (multipart: `kind`, `title`, `file`): PDF, Word (.docx, .doc),
    OpenDocument text (.odt) or plain text (.txt), up to 10 MB."""
    school = school_for(request, slug)
    try:
        doc = documents.add_file(request.user, school, kind, title, file)
    except FieldErrors as e:
        return invalid(e)
    return Status(201, _document_out(school.slug, doc))


@router.post(
    f"{BASE}/documents/{{doc_id}}/replace", response={201: RelatedDocumentOut, **STEP_ERRORS}
)
def replace_document_link(request, slug: str, doc_id: int, payload: RelatedDocumentReplaceIn):
    """Replace a current document with a link: the old one is withdrawn and kept."""
    school = school_for(request, slug)
    return _replace(
        request,
        school,
        doc_id,
        kind=payload.kind,
        title=payload.title,
        url=payload.url,
    )


@router.post(
    f"{BASE}/documents/{{doc_id}}/replace/file",
    response={201: RelatedDocumentOut, **STEP_ERRORS},
)
def replace_document_file(
    request,
    slug: str,
    doc_id: int,
    file: File[UploadedFile],
    title: Form[str] = "",
    kind: Form[str] = "",
):
    """Replace a current document with an uploaded file (multipart: `file`, and `title` or
    `kind` to change them): the old one is withdrawn and kept."""
    school = school_for(request, slug)
    return _replace(request, school, doc_id, kind=kind, title=title, uploaded_file=file)


def _replace(request: HttpRequest, school: School, doc_id: int, **given) -> Status:
    try:
        doc = documents.replace(request.user, school, _id(doc_id), **given)
    except FieldErrors as e:
        return invalid(e)
    except WrongState as e:
        raise HttpError(409, str(e)) from None
    except RelatedDocument.DoesNotExist:
        raise HttpError(404, f"no document {doc_id} at {school.name}") from None
    return Status(201, _document_out(school.slug, doc))


@router.post(
    f"{BASE}/documents/{{doc_id}}/withdraw", response={200: RelatedDocumentOut, **STEP_ERRORS}
)
def withdraw_document(request, slug: str, doc_id: int):
    """Stop listing a document with the policy; it is kept for the versions it went with."""
    school = school_for(request, slug)
    try:
        doc = documents.withdraw(request.user, school, _id(doc_id))
    except WrongState as e:
        raise HttpError(409, str(e)) from None
    except RelatedDocument.DoesNotExist:
        raise HttpError(404, f"no document {doc_id} at {school.name}") from None
    return _document_out(school.slug, doc)


@router.get(
    f"{BASE}/documents/{{doc_id}}/file",
    response={403: ErrorOut, 404: ErrorOut},
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file, as an attachment",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def document_file(request, slug: str, doc_id: int):
    """A document's file, current or withdrawn, for anyone at the school."""
    school = school_for(request, slug)
    try:
        found = documents.download(request.user, school, _id(doc_id))
    except RelatedDocument.DoesNotExist:
        raise HttpError(404, f"no file for document {doc_id} at {school.name}") from None
    response = HttpResponse(bytes(found.content), content_type=documents.download_type(found))
    response["Content-Disposition"] = content_disposition_header(True, found.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
