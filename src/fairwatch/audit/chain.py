"""Append to and verify the hash chain of the audit trail."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from .models import AuditEntry, AuditHead

GENESIS = "0" * 64


class AuditKeyMismatch(ImproperlyConfigured):
    """This process holds a different audit key from the one the trail was written with."""


def entry_digest(fields: dict[str, Any], key: bytes) -> str:
    """HMAC-SHA-256 over a canonical JSON of the entry's fields (including the previous hash)."""
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    return hmac.new(key, b"fairwatch audit key", hashlib.sha256).hexdigest()[:16]


def hashed_fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "role": entry.role,
        "school": entry.school_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "purpose": entry.purpose,
        "clause": entry.clause,
        "outcome": entry.outcome,
        "detail": entry.detail,
        "prev_hash": entry.prev_hash,
    }


def plain(value: Any) -> Any:
    """`detail` as values every database stores and gives back unchanged: whole numbers,
    text without NUL, booleans, None, lists and string-keyed objects. Anything else (floats
    among them, which jsonb rewrites) is kept as text."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {plain(str(k)): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [plain(v) for v in items]
    return plain(str(value))


def append(**fields: Any) -> AuditEntry:
    """Write one entry at the end of the chain, atomically with moving the head."""
    detail = plain(fields.pop("detail", None) or {})
    for name in ("actor_label", "role", "action", "object_type", "object_id", "purpose"):
        if name in fields:
            fields[name] = plain(fields[name])
    key = settings.AUDIT_KEY
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        if head.key_id and head.key_id != key_id(key):
            raise AuditKeyMismatch(
                "the audit key this process uses is not the one the trail was written with: "
                "check FAIRWATCH_VAR (var/audit_key) or FAIRWATCH_AUDIT_KEY"
            )
        entry = AuditEntry(
            seq=head.seq + 1,
            at=datetime.now(UTC),
            prev_hash=head.hash or GENESIS,
            detail=detail,
            **fields,
        )
        entry.hash = entry_digest(hashed_fields(entry), key)
        entry.save(force_insert=True)
        head.seq, head.hash, head.key_id = entry.seq, entry.hash, key_id(key)
        head.save(update_fields=["seq", "hash", "key_id"])
    return entry


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str = ""
    head_seq: int = 0
    head_hash: str = ""


def verify(batch: int = 2000) -> Verification:
    """Walk the chain up to its head; report the first entry edited, removed or reordered.

    The head is read first, so entries appended while the walk runs are not mistaken for
    tampering. The head's sequence number and hash are returned so they can be written down
    somewhere else: comparing them later shows whether the end of the trail was cut off.
    """
    key = settings.AUDIT_KEY
    head = AuditHead.objects.filter(pk=1).first()
    entries = AuditEntry.objects.order_by("seq")
    if head is None:
        if entries.exists():
            return Verification(False, 0, 1, "the trail's head record is missing")
        return Verification(True, 0)
    if head.key_id and head.key_id != key_id(key):
        return Verification(
            False,
            0,
            None,
            "the audit key in use is not the one the trail was written with "
            "(check FAIRWATCH_VAR or FAIRWATCH_AUDIT_KEY)",
            head.seq,
            head.hash,
        )
    expected_seq, prev, count = 1, GENESIS, 0

    def bad(seq: int | None, problem: str) -> Verification:
        return Verification(False, count, seq, problem, head.seq, head.hash)

    for entry in entries.filter(seq__lte=head.seq).iterator(chunk_size=batch):
        count += 1
        if entry.seq != expected_seq:
            return bad(
                expected_seq,
                f"entry #{expected_seq} is missing (the next one found is #{entry.seq})",
            )
        if entry.prev_hash != prev:
            return bad(entry.seq, f"entry #{entry.seq} does not follow the entry before it")
        if not hmac.compare_digest(entry_digest(hashed_fields(entry), key), entry.hash):
            return bad(entry.seq, f"entry #{entry.seq} was changed after it was written")
        expected_seq, prev = entry.seq + 1, entry.hash
    if count != head.seq or (head.seq and head.hash != prev):
        return bad(
            expected_seq,
            f"the trail ends at #{expected_seq - 1} but its head records #{head.seq}: "
            "entries at the end were removed",
        )
    return Verification(True, count, head_seq=head.seq, head_hash=head.hash)
