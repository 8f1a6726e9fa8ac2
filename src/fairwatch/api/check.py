"""The check API for mail add-ins (clause 4): `POST /api/v1/check/email`.

An add-in sends the message it is about to send, either as the raw message (RFC 5322) or as
JSON, with the school's token (`Authorization: Bearer fws_...`; issued on the web page
"Check API tokens"). Fairwatch runs the same checks as the relay and answers with the
findings and what the relay would do. Nothing of the message is kept: the audit entry says a
check happened, with which token and how many findings.
"""

from __future__ import annotations

import json
import re
import threading
import time
from email.utils import getaddresses
from typing import Any, Literal

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fairwatch.audit import gate
from fairwatch.checks.context import SchoolContext
from fairwatch.checks.engine import check_message, prepare, worst
from fairwatch.checks.message import Address, Attachment, Message
from fairwatch.checks.parse import (
    MAX_ATTACHMENT_TEXT,
    MessageTooLarge,
    html_to_text,
    parse_bytes,
)
from fairwatch.mailflow import tokens
from fairwatch.mailflow.relay import rules_for
from fairwatch.relay.policy import decide
from fairwatch.schools.check_context import school_context
from fairwatch.schools.models import School

from .common import ErrorOut, InvalidOut

router = Router(tags=["email checks"])

MAX_BYTES = 10 * 1024 * 1024  # the largest request body read, raw or JSON
CONTEXT_SECONDS = 60  # how long a school's roster context is reused before it is read again

RAW_TYPES = ("message/rfc822", "text/plain")
JSON_TYPE = "application/json"


# ------------------------------------------------------------------------------------ auth


class SchoolTokenAuth(HttpBearer):
    """A school token (`fws_...`); a user's own API token is not accepted here."""

    def authenticate(self, request: HttpRequest, token: str):
        found = tokens.token_for(token.strip())
        if found is not None:
            request.school_token = found
        return found


# ------------------------------------------------------------------------------ the school


_contexts: dict[int, tuple[float, SchoolContext]] = {}
_contexts_lock = threading.Lock()


def context_for(school: School) -> SchoolContext:
    """The school's check context, built (and warmed up) at most once a minute: building one
    reads the whole roster."""
    now = time.monotonic()
    with _contexts_lock:
        cached = _contexts.get(school.pk)
    if cached is not None and cached[0] > now:
        return cached[1]
    context = school_context(school)
    prepare(context)
    with _contexts_lock:
        _contexts[school.pk] = (now + CONTEXT_SECONDS, context)
    return context


def forget_contexts() -> None:
    """Drop every cached context (the next check reads the roster again)."""
    with _contexts_lock:
        _contexts.clear()


# ---------------------------------------------------------------------------------- input


class AttachmentIn(BaseModel):
    name: str = Field(description="The file name, e.g. class-list.xlsx.")
    content_type: str | None = Field(
        default="application/octet-stream", description="The MIME type, e.g. text/csv."
    )
    text: str | None = Field(
        default="",
        description="The attachment's text, extracted by the add-in (empty if it has none).",
    )


_ADDRESS_HELP = "An address, with or without a display name: `Ann Smith <ann@example.com>`."


class EmailIn(BaseModel):
    """A message described as JSON. Addresses may carry a display name."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str | None = Field(
        default=None,
        alias="from",
        description=_ADDRESS_HELP,
        examples=["Alice Hartley <head@oak.example>"],
    )
    to: list[str] | None = Field(default=None, description=_ADDRESS_HELP)
    cc: list[str] | None = Field(default=None, description=_ADDRESS_HELP)
    bcc: list[str] | None = Field(default=None, description=_ADDRESS_HELP)
    subject: str | None = ""
    body: str | None = Field(default="", description="The plain-text body.")
    html: str | None = Field(
        default="", description="The HTML body; read as text when `body` is empty."
    )
    attachments: list[AttachmentIn] | None = None


class Unreadable(Exception):
    """Input that cannot be read as a message; `errors` maps each field to its problem."""

    def __init__(self, detail: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}


_ADDR = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SPACES = re.compile(r"\s+")


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()


def _address(value: str, field: str, errors: dict[str, str]) -> Address | None:
    """One mailbox from `Name <addr>` or `addr`, lower-cased as the raw parser does."""
    found = getaddresses([value.replace("\r", " ").replace("\n", " ")])
    mailboxes = [(name, addr) for name, addr in found if addr]
    addr = mailboxes[0][1].strip().strip("<>").strip().lower() if len(mailboxes) == 1 else ""
    if not _ADDR.match(addr):
        errors[field] = f"{_one_line(value)[:100]!r} is not an email address"
        return None
    display = _one_line(mailboxes[0][0])
    if len(display) >= 2 and display[0] == display[-1] and display[0] in "\"'":
        display = display[1:-1].strip()
    return Address(addr, display)


def _addresses(values: list[str] | None, field: str, errors: dict[str, str]) -> tuple:
    found = (_address(v, f"{field}[{i}]", errors) for i, v in enumerate(values or []))
    return tuple(a for a in found if a is not None)


def _text(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _field_name(loc: tuple[Any, ...]) -> str:
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "message"


def message_from_json(data: bytes) -> Message:
    """A `Message` from the JSON form; `Unreadable` names every field that is wrong."""
    try:
        raw = json.loads(data)
    except (ValueError, RecursionError) as e:
        raise Unreadable(f"The body is not valid JSON ({e}).") from None
    if not isinstance(raw, dict):
        raise Unreadable("The body must be a JSON object with from, to, subject and body.")
    try:
        given = EmailIn.model_validate(raw)
    except ValidationError as e:
        errors = {_field_name(err["loc"]): err["msg"] for err in e.errors()}
        raise Unreadable(_summary(errors), errors) from None
    errors: dict[str, str] = {}
    sender = _address(given.from_, "from", errors) if given.from_ else None
    message = Message(
        sender=sender,
        to=_addresses(given.to, "to", errors),
        cc=_addresses(given.cc, "cc", errors),
        bcc=_addresses(given.bcc, "bcc", errors),
        subject=_one_line(given.subject or ""),
        body=_text(given.body) or html_to_text(given.html or ""),
        attachments=tuple(
            Attachment(
                name=_one_line(a.name),
                content_type=_one_line(a.content_type or "").lower() or "application/octet-stream",
                size=len((a.text or "").encode("utf-8", "replace")),
                text=(a.text or "").replace("\r\n", "\n")[:MAX_ATTACHMENT_TEXT],
            )
            for a in given.attachments or []
        ),
    )
    if errors:
        raise Unreadable(_summary(errors), errors)
    return message


def _summary(errors: dict[str, str]) -> str:
    listed = "; ".join(f"{field}: {problem}" for field, problem in list(errors.items())[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return f"The message could not be read: {listed}{more}."


def _read_body(request: HttpRequest) -> bytes:
    """The request body, refusing one over MAX_BYTES before reading it where the length is
    declared (and reading the stream directly, so Django's form-data limit does not apply)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BYTES:
        raise HttpError(413, _too_large())
    data = request.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise HttpError(413, _too_large())
    return data


def _too_large() -> str:
    return (
        f"The message is larger than {MAX_BYTES // (1024 * 1024)} MB, so it was not checked. "
        "Send large files another way (clause 4)."
    )


def _wants(request: HttpRequest) -> str:
    kind = (request.content_type or "").strip().lower()
    if kind == JSON_TYPE or kind.endswith("+json"):
        return "json"
    if kind in RAW_TYPES:
        return "raw"
    raise HttpError(
        415,
        f"Send the message as {JSON_TYPE}, or as the raw message with Content-Type "
        f"{' or '.join(RAW_TYPES)}{f' (not {kind})' if kind else ''}.",
    )


# ----------------------------------------------------------------------------- the answer


class WhereOut(Schema):
    field: str  # subject, to, cc, bcc, from, body, message or attachment:NAME
    text: str
    start: int | None
    end: int | None


class FindingOut(Schema):
    clause: str
    check: str
    severity: Literal["high", "medium", "low", "info"]
    message: str
    fix: str
    where: WhereOut


class CheckOut(Schema):
    school: str  # the school's slug
    findings: list[FindingOut]  # most severe first
    worst: Literal["high", "medium", "low", "info"] | None
    action: Literal["pass", "warn", "hold", "reject"]  # what the school's relay would do


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema with its `$defs` written in place (the API document has no room for them)."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return walk(dict(defs[ref.removeprefix("#/$defs/")]))
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


_RAW_SCHEMA = {"type": "string", "description": "The whole message as sent (RFC 5322)."}
REQUEST_BODY = {
    "required": True,
    "description": "The message to check: JSON, or the raw message. At most 10 MB.",
    "content": {
        JSON_TYPE: {"schema": _inline(EmailIn.model_json_schema(by_alias=True))},
        "message/rfc822": {"schema": _RAW_SCHEMA},
        "text/plain": {"schema": _RAW_SCHEMA},
    },
}


@router.post(
    "/check/email",
    auth=SchoolTokenAuth(),
    response={
        200: CheckOut,
        401: ErrorOut,
        413: ErrorOut,
        415: ErrorOut,
        422: InvalidOut,
    },
    openapi_extra={"requestBody": REQUEST_BODY},
    summary="Check an email before it is sent",
    url_name="check_email",
)
def check_email(request: HttpRequest):
    """Runs the school's email checks (clause 4) on one message and says what the relay would
    do with it: pass it, pass it with a warning, hold it, or refuse it. Authenticate with the
    school's check token (`Authorization: Bearer fws_...`). The message is not stored."""
    token = request.school_token
    school = token.school
    kind = _wants(request)
    data = _read_body(request)
    try:
        message = message_from_json(data) if kind == "json" else parse_bytes(data)
    except Unreadable as e:
        return Status(422, {"detail": e.detail, "errors": e.errors})
    except MessageTooLarge:
        raise HttpError(413, _too_large()) from None
    findings = check_message(message, context_for(school))
    decision = decide(findings, rules_for(school))
    top = worst(findings)
    gate.record(
        user=AnonymousUser(),  # no person: the school's token (named in the detail) asked
        action="email.check",
        outcome="done",
        school=school,
        object_type="check_token",
        object_id=str(token.pk),
        clause="4",
        detail={
            # what was found, never the message, its addresses or its text
            "via": "check api",
            "token": token.prefix,
            "findings": len(findings),
            "checks": sorted({f.check for f in findings}),
            "action": str(decision.action),
        },
    )
    return Status(
        200,
        {
            "school": school.slug,
            "findings": [f.as_dict() for f in findings],
            "worst": str(top) if top is not None else None,
            "action": str(decision.action),
        },
    )
