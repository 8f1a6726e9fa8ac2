"""Edit or delete audit rows the way someone with database rights could: triggers off first."""

from __future__ import annotations

from django.db import connection


def triggers_off() -> None:
    """Take the append-only triggers out of the way (the test's rollback restores them)."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
            cur.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
        elif connection.vendor == "postgresql":
            # The test's transaction holds deferred foreign-key checks on this table, and
            # PostgreSQL will not ALTER a table with pending trigger events: run them first.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            raise NotImplementedError(f"no tampering recipe for {connection.vendor}")


def raw(sql: str, *params) -> int:
    """Run `sql` on the audit table behind the app's back; returns the rows touched."""
    triggers_off()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def tamper(seq: int, **changes: str) -> None:
    assignments = ", ".join(f"{column} = %s" for column in changes)
    touched = raw(
        f"UPDATE audit_auditentry SET {assignments} WHERE seq = %s", *changes.values(), seq
    )
    assert touched == 1
