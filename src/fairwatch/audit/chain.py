"""Append to and verify the hash chain of the audit trail."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction

from .models import AuditEntry, AuditHead

GENESIS = "0" * 64


def entry_digest(fields: dict[str, Any], key: bytes) -> str:
    """HMAC-SHA-256 over a canonical JSON of the entry's fields (including the previous hash)."""
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


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


def append(**fields: Any) -> AuditEntry:
    """Write one entry at the end of the chain, atomically with moving the head."""
    detail = fields.pop("detail", None) or {}
    # Round-trip through JSON so what is hashed is exactly what the database gives back.
    detail = json.loads(json.dumps(detail, default=str))
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            seq=head.seq + 1,
            at=datetime.now(UTC),
            prev_hash=head.hash or GENESIS,
            detail=detail,
            **fields,
        )
        entry.hash = entry_digest(hashed_fields(entry), settings.AUDIT_KEY)
        entry.save(force_insert=True)
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str = ""


def verify(batch: int = 2000) -> Verification:
    """Walk the whole chain; report the first entry that was edited, removed or reordered."""
    key = settings.AUDIT_KEY
    expected_seq, prev = 1, GENESIS
    count = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=batch):
        count += 1
        if entry.seq != expected_seq:
            return Verification(
                False,
                count,
                expected_seq,
                f"entry #{expected_seq} is missing (the next one found is #{entry.seq})",
            )
        if entry.prev_hash != prev:
            return Verification(
                False, count, entry.seq, f"entry #{entry.seq} does not follow the entry before it"
            )
        if not hmac.compare_digest(entry_digest(hashed_fields(entry), key), entry.hash):
            return Verification(
                False, count, entry.seq, f"entry #{entry.seq} was changed after it was written"
            )
        expected_seq, prev = entry.seq + 1, entry.hash
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != expected_seq - 1 or (head.seq and head.hash != prev)):
        return Verification(
            False,
            count,
            expected_seq,
            f"the trail ends at #{expected_seq - 1} but its head records #{head.seq}: "
            "entries at the end were removed",
        )
    return Verification(True, count)
