"""Edit or delete audit rows the way someone with database rights could: triggers off."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection


@contextmanager
def triggers_off():
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("DROP TRIGGER audit_entry_no_update")
            cur.execute("DROP TRIGGER audit_entry_no_delete")
        else:
            cur.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
    yield
    # The test's transaction is rolled back afterwards, which restores the triggers.


def raw(sql: str, *params) -> None:
    with triggers_off(), connection.cursor() as cur:
        cur.execute(sql, params)
