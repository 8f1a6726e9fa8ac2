"""The documents the policy is read with (2): the school's online safety policy, its ICT code
of conduct, harassment and cyberbullying policies, the guidance for safer working practice.

A document is a link or an uploaded file. Rows are never edited or deleted: replacing or
removing a document sets ``withdrawn_at`` on the old row, so the documents that went with any
policy version are known: the current ones while it is in force, else those current when it
stopped being in force (`with_version`). Changes are the Headteacher's (or
the trust's), through the gate and on the audit trail; anyone at the school reads them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, Protocol

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from fairwatch.audit import gate
from fairwatch.errors import FieldErrors, WrongState, unstorable
from fairwatch.schools.models import School
from fairwatch.schools.permissions import Action, may

from . import store
from .models import PolicyVersion, RelatedDocument

User = AbstractBaseUser | AnonymousUser

FILE_MAX = 10 * 1024 * 1024  # bytes
TITLE_MAX = 200
URL_MAX = 200
NAME_MAX = 200
ID_MAX = 2**63 - 1  # the database's biggest id: a bigger one names nothing

# The kinds of file a school may upload, by extension, with the type they are sent as. Other
# kinds (HTML above all, which a browser would run) are refused.
TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".txt": "text/plain; charset=utf-8",
}
KINDS_IN_WORDS = (
    "a PDF, a Word document (.docx or .doc), an OpenDocument text (.odt) or plain text (.txt)"
)
_ZIP = b"PK\x03\x04"
_OLE2 = bytes.fromhex("d0cf11e0a1b11ae1")  # the old Word format's container
_ODT_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.text"


class InvalidDocument(FieldErrors):
    """A document that cannot be kept as given; `errors` names each field."""


class Readable(Protocol):
    """An uploaded file as a form or the API gives it."""

    name: str | None

    def read(self, size: int = -1) -> bytes: ...


# --- reading --------------------------------------------------------------------------------


def current(school: School, at: dt.datetime | None = None) -> QuerySet[RelatedDocument]:
    """The school's documents current at ``at`` (default: now), by kind then when added.
    The file contents are left unread (``content`` is deferred)."""
    found = RelatedDocument.objects.filter(school=school).defer("content")
    if at is None:
        return found.filter(withdrawn_at__isnull=True)
    return found.filter(added_at__lte=at).filter(
        Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=at)
    )


def with_version(row: PolicyVersion, today: dt.date | None = None) -> QuerySet[RelatedDocument]:
    """The documents that go with a version. While it is in force (or still to come), the
    current ones: staff read it with the school's documents as they are now. Once another
    version has taken its place, those current at that moment, so it keeps the documents it
    was read with."""
    return current(row.school, ended_at(row, today))


def ended_at(row: PolicyVersion, today: dt.date | None = None) -> dt.datetime | None:
    """When the version stopped being in force: the start of the first day another version
    took its place (`versions.in_force_on`: the latest start, then the higher number), or
    None while it is in force or still to come."""
    today = today or timezone.localdate()
    successor = (
        PolicyVersion.objects.filter(school=row.school, effective_from__lte=today)
        .filter(
            Q(effective_from__gt=row.effective_from)
            | Q(effective_from=row.effective_from, number__gt=row.number)
        )
        .order_by("effective_from")
        .values_list("effective_from", flat=True)
        .first()
    )
    if successor is None:
        return None
    return timezone.make_aware(dt.datetime.combine(successor, dt.time.min))


def earlier(school: School) -> QuerySet[RelatedDocument]:
    """The withdrawn documents, the most recently withdrawn first (contents unread)."""
    return (
        RelatedDocument.objects.filter(school=school, withdrawn_at__isnull=False)
        .defer("content")
        .order_by("-withdrawn_at", "-pk")
    )


def get(school: School, doc_id: int) -> RelatedDocument:
    """One of the school's documents, current or withdrawn, contents unread
    (RelatedDocument.DoesNotExist if it has no such one)."""
    if not isinstance(doc_id, int) or not 0 < doc_id <= ID_MAX:
        raise RelatedDocument.DoesNotExist(f"no document {doc_id}")
    return RelatedDocument.objects.defer("content").get(school=school, pk=doc_id)


def download(user: User, school: School, doc_id: int) -> RelatedDocument:
    """An uploaded document with its contents, for anyone at the school; a withdrawn one too,
    since an earlier version of the policy still points at it. A link has no file:
    RelatedDocument.DoesNotExist, as for no such document."""
    if not may(user, Action.VIEW_POLICY, school):
        gate.refuse(
            user,
            school,
            "policy.document.download",
            object_type="policy_document",
            object_id=str(doc_id),
            purpose=gate.Purpose.SCHOOL_ADMIN,
            why=f"Only people at {school.name} may read its documents.",
        )
    if not isinstance(doc_id, int) or not 0 < doc_id <= ID_MAX:
        raise RelatedDocument.DoesNotExist(f"no document {doc_id}")
    found = RelatedDocument.objects.get(school=school, pk=doc_id)
    if not found.file_name:
        raise RelatedDocument.DoesNotExist(f"document {doc_id} is a link, not a file")
    return found


def download_type(doc: RelatedDocument) -> str:
    """The type to send a file as: one of ours, whatever was stored."""
    return doc.content_type if doc.content_type in TYPES.values() else "application/octet-stream"


# --- changing -------------------------------------------------------------------------------


def add_link(user: User, school: School, kind: str, title: str, url: str) -> RelatedDocument:
    """A document that lives elsewhere, by its web address."""
    role = _allowed(user, school, "")
    fields = _link(kind, title, url)
    return _add(user, school, role, "policy.document.add", fields, "")


def add_file(
    user: User, school: School, kind: str, title: str, uploaded_file: Readable | None
) -> RelatedDocument:
    """An uploaded file (PDF, Word, OpenDocument text or plain text, up to 10 MB)."""
    role = _allowed(user, school, "")
    fields = _file(kind, title, uploaded_file)
    return _add(user, school, role, "policy.document.add", fields, "")


def replace(
    user: User,
    school: School,
    doc_id: int,
    *,
    kind: str = "",
    title: str = "",
    url: str = "",
    uploaded_file: Readable | None = None,
) -> RelatedDocument:
    """A new document in place of a current one: the old is withdrawn (and kept), the new
    added at the same moment. Kind and title stay the old one's unless given; give a link
    or a file."""
    role = _allowed(user, school, str(doc_id))
    old = get(school, doc_id)
    if old.withdrawn_at is not None:
        raise WrongState(f"“{old.title}” was already withdrawn; add a new document instead.")
    kind, title = kind or old.kind, title or old.title
    if uploaded_file is not None and url:
        raise InvalidDocument({"url": "Give a web address or a file, not both."})
    if uploaded_file is None and not str(url or "").strip():
        raise InvalidDocument({"url": "Give the new document's web address, or choose its file."})
    if uploaded_file is not None:
        fields = _file(kind, title, uploaded_file)
    else:
        fields = _link(kind, title, url)
    return _add(user, school, role, "policy.document.replace", fields, old.pk, replacing=old)


def withdraw(user: User, school: School, doc_id: int) -> RelatedDocument:
    """Stop listing a document with the policy. It is kept for the versions it went with."""
    role = _allowed(user, school, str(doc_id))
    with transaction.atomic():
        if not isinstance(doc_id, int) or not 0 < doc_id <= ID_MAX:
            raise RelatedDocument.DoesNotExist(f"no document {doc_id}")
        doc = (
            RelatedDocument.objects.select_for_update()
            .defer("content")
            .get(school=school, pk=doc_id)
        )
        if doc.withdrawn_at is not None:
            raise WrongState(f"“{doc.title}” was already withdrawn.")
        doc.withdrawn_at = timezone.now()
        doc.save(update_fields=["withdrawn_at"])
        _record(user, school, "policy.document.withdraw", "done", role, doc.pk, {"kind": doc.kind})
    return doc


def _add(
    user: User,
    school: School,
    role: str,
    action: str,
    fields: dict[str, Any],
    object_id: object,
    *,
    replacing: RelatedDocument | None = None,
) -> RelatedDocument:
    now = timezone.now()
    with transaction.atomic():
        if replacing is not None:
            # Only a row still current is withdrawn: two replacing it at once, one wins.
            taken = RelatedDocument.objects.filter(
                pk=replacing.pk, withdrawn_at__isnull=True
            ).update(withdrawn_at=now)
            if not taken:
                raise WrongState(f"“{replacing.title}” was already withdrawn.")
        doc = RelatedDocument.objects.create(
            school=school, added_at=now, added_by=_who(user), **fields
        )
        detail = {"kind": doc.kind, "file": bool(doc.file_name)}
        if replacing is not None:
            detail["replaces"] = replacing.pk
        _record(user, school, action, "done", role, doc.pk, detail)
    return doc


def _who(user: User) -> Any:
    return user if user is not None and user.is_authenticated else None


def _allowed(user: User, school: School, object_id: str) -> str:
    return store.check_adapting(user, school, "policy_document", object_id)


def _record(
    user: User,
    school: School,
    action: str,
    outcome: str,
    role: str,
    object_id: object,
    detail: dict[str, Any] | None = None,
) -> None:
    store.record_adapting(user, school, action, outcome, role, "policy_document", object_id, detail)


# --- checking what was given ----------------------------------------------------------------


def _common(kind: str, title: str) -> tuple[dict[str, str], dict[str, str]]:
    errors: dict[str, str] = {}
    kind, title = str(kind or "").strip(), str(title or "").strip()
    if kind not in RelatedDocument.Kind.values:
        errors["kind"] = "Choose which document this is from the list."
    if not title:
        errors["title"] = "Give the document's title, for example “Online safety policy”."
    elif unstorable(title):
        errors["title"] = unstorable(title)
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title to {TITLE_MAX} characters or fewer."
    return {"kind": kind, "title": title}, errors


def _link(kind: str, title: str, url: str) -> dict[str, Any]:
    fields, errors = _common(kind, title)
    url = str(url or "").strip()
    if not url:
        errors["url"] = "Give the document's web address, starting https://."
    elif unstorable(url):
        errors["url"] = unstorable(url)
    else:
        try:
            if len(url) > URL_MAX:
                raise ValidationError("too long")
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["url"] = (
                f"Enter a web address starting https://, like "
                f"https://www.example.org/online-safety.pdf ({URL_MAX} characters at most)."
            )
    if errors:
        raise InvalidDocument(errors)
    return fields | {"url": url}


def _file(kind: str, title: str, uploaded_file: Readable | None) -> dict[str, Any]:
    fields, errors = _common(kind, title)
    if uploaded_file is None:
        errors["file"] = "Choose the file to upload."
        raise InvalidDocument(errors)
    name = clean_name(getattr(uploaded_file, "name", "") or "")
    content = uploaded_file.read(FILE_MAX + 1)  # one byte over is enough to know
    problem = file_problem(name, content)
    if problem:
        errors["file"] = problem
    if errors:
        raise InvalidDocument(errors)
    return fields | {
        "file_name": name,
        "content": content,
        "content_type": TYPES[_extension(name)],
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }


def clean_name(name: str) -> str:
    """The file's own name, without folders or control characters, short enough to keep."""
    name = PureWindowsPath(PurePosixPath(str(name)).name).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        keep = NAME_MAX - len(ext) - 1
        name = f"{stem[:keep]}.{ext}" if dot and len(ext) <= 10 else name[:NAME_MAX]
    return name or "document"


def _extension(name: str) -> str:
    match = re.search(r"\.[A-Za-z0-9]+$", name)
    return match.group(0).lower() if match else ""


def file_problem(name: str, content: bytes) -> str:
    """Why a file cannot be kept (its kind, size or contents), or "" when it can. The kind
    is told by its name and checked against its first bytes."""
    extension = _extension(name)
    if extension not in TYPES:
        return f"“{name}” is not a kind of file that can be uploaded here: upload {KINDS_IN_WORDS}."
    if not content:
        return f"“{name}” is empty."
    if len(content) > FILE_MAX:
        megabytes = FILE_MAX // (1024 * 1024)
        return f"“{name}” is over {megabytes} MB: upload a smaller file, or give a link."
    if not _looks_like(extension, content):
        return (
            f"“{name}” is not really a {extension[1:].upper()} file: its contents do not match "
            "its name. Save it again in that format, or give a link."
        )
    return ""


def _looks_like(extension: str, content: bytes) -> bool:
    if extension == ".pdf":
        return content[:1024].lstrip(b"\xef\xbb\xbf\r\n\t ").startswith(b"%PDF-")
    if extension == ".docx":
        # A Word file is a ZIP whose entries (named at the start and in the directory at the
        # end) include "word/document.xml".
        names = content[:65536] + content[-65536:]
        return content.startswith(_ZIP) and b"word/document.xml" in names
    if extension == ".odt":
        return content.startswith(_ZIP) and content[30:77] == _ODT_MIMETYPE
    if extension == ".doc":
        return content.startswith(_OLE2)
    return _plain_text(content)


def _plain_text(content: bytes) -> bool:
    """UTF-8 (or plain ASCII) text with no NUL bytes and nothing that looks like HTML."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    head = text[:1024].lstrip("\ufeff \r\n\t").lower()
    return "\x00" not in text and not head.startswith(("<!doctype", "<html", "<script", "<svg"))
