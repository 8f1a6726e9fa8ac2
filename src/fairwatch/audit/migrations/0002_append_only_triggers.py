"""Make the database itself refuse UPDATE and DELETE on the audit trail.

The hash chain detects tampering; these triggers stop accidents and casual edits. Someone
with the rights to drop a trigger can still edit rows, which `fairwatch audit verify` catches.
"""

from django.db import migrations

from fairwatch.audit.migration_sql import per_vendor

SQLITE = [
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
       BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
    """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_auditentry
       BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete",
]
POSTGRES = [
    """CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$""",
    """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
       FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry",
    "DROP FUNCTION IF EXISTS audit_entry_append_only()",
]


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        per_vendor(
            {"sqlite": SQLITE, "postgresql": POSTGRES},
            {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE},
        )
    ]
