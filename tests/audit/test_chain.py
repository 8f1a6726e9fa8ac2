"""The audit trail is append-only and tamper-evident."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from fairwatch.audit import chain, gate
from fairwatch.audit.models import AppendOnlyError, AuditEntry
from tests.audit.tamper import raw

pytestmark = pytest.mark.django_db


def write_entries(n: int) -> list[AuditEntry]:
    return [
        gate.record(user=None, action="test.action", outcome="done", detail={"n": i})
        for i in range(n)
    ]


def test_an_untouched_trail_verifies():
    write_entries(5)
    result = chain.verify()
    assert result.ok and result.entries == 5


def test_an_empty_trail_verifies():
    assert chain.verify().ok


def test_entries_are_numbered_and_chained():
    first, second = write_entries(2)
    assert (first.seq, second.seq) == (1, 2)
    assert second.prev_hash == first.hash and first.prev_hash == chain.GENESIS


def test_the_application_refuses_to_change_or_delete_entries():
    (entry,) = write_entries(1)
    entry.purpose = "something else"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(outcome="allowed")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_the_database_refuses_a_direct_update_or_delete():
    write_entries(1)
    for sql in ("UPDATE audit_auditentry SET outcome = 'allowed'", "DELETE FROM audit_auditentry"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)


def test_an_edited_row_is_found_and_named():
    write_entries(5)
    raw("UPDATE audit_auditentry SET outcome = 'allowed' WHERE seq = 3")
    result = chain.verify()
    assert not result.ok
    assert result.first_bad_seq == 3
    assert "changed" in result.problem


def test_an_edited_detail_is_found():
    write_entries(3)
    raw("UPDATE audit_auditentry SET detail = %s WHERE seq = 2", '{"n": 99}')
    assert chain.verify().first_bad_seq == 2


def test_a_row_removed_from_the_middle_is_found():
    write_entries(5)
    raw("DELETE FROM audit_auditentry WHERE seq = 2")
    result = chain.verify()
    assert (result.ok, result.first_bad_seq) == (False, 2)
    assert "missing" in result.problem


def test_rows_removed_from_the_end_are_found():
    write_entries(5)
    raw("DELETE FROM audit_auditentry WHERE seq >= 4")
    result = chain.verify()
    assert (result.ok, result.first_bad_seq) == (False, 4)


def test_a_rewritten_hash_does_not_hide_an_edit():
    write_entries(3)
    # Recomputing a plain SHA-256 is not enough: the hash is keyed.
    raw("UPDATE audit_auditentry SET outcome = 'allowed', hash = %s WHERE seq = 2", "0" * 64)
    assert chain.verify().first_bad_seq == 2


def test_a_different_key_is_named_as_the_problem_and_refused_for_writing(settings):
    write_entries(2)
    settings.AUDIT_KEY = b"another key"
    result = chain.verify()
    assert not result.ok and "audit key" in result.problem
    with pytest.raises(chain.AuditKeyMismatch):
        write_entries(1)


def test_entries_appended_during_a_check_are_not_taken_for_tampering(monkeypatch):
    write_entries(3)
    real_iterator = AuditEntry.objects.none().iterator

    def walk_then_append(self, *args, **kwargs):
        rows = list(real_iterator.__func__(self, *args, **kwargs))
        write_entries(2)  # someone else is using the system meanwhile
        return iter(rows)

    monkeypatch.setattr(type(AuditEntry.objects.none()), "iterator", walk_then_append)
    result = chain.verify()
    assert result.ok and result.entries == 3 and result.head_seq == 3


def test_the_head_cannot_be_removed_or_moved_back():
    write_entries(2)
    for sql in ("DELETE FROM audit_audithead", "UPDATE audit_audithead SET seq = 1"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)


def test_a_missing_head_with_entries_is_found():
    write_entries(2)
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("DROP TRIGGER audit_head_no_delete")
        else:
            cur.execute("ALTER TABLE audit_audithead DISABLE TRIGGER audit_head_forward_only")
        cur.execute("DELETE FROM audit_audithead")
    result = chain.verify()
    assert not result.ok and "head" in result.problem


def test_details_are_stored_as_values_that_hash_the_same_after_a_round_trip():
    gate.record(
        user=None,
        action="test.detail",
        outcome="done",
        detail={"big": 1e20, "nul": "a\x00b", "set": {"b", "a"}, 3: (1, 2)},
    )
    stored = AuditEntry.objects.get(action="test.detail").detail
    assert stored == {"big": "1e+20", "nul": "ab", "set": ["a", "b"], "3": [1, 2]}
    assert chain.verify().ok
