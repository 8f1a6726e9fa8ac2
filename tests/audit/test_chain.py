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


def test_a_different_key_fails_verification(settings):
    write_entries(2)
    settings.AUDIT_KEY = b"another key"
    assert chain.verify().first_bad_seq == 1
