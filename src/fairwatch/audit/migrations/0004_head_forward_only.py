"""The chain's head may only move forward and may not be removed, as the entries may not."""

from django.db import migrations

from fairwatch.audit.migration_sql import per_vendor

SQLITE = [
    """CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_audithead
       BEGIN SELECT RAISE(ABORT, 'the audit trail head cannot be removed'); END""",
    """CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_audithead
       WHEN NEW.seq < OLD.seq
       BEGIN SELECT RAISE(ABORT, 'the audit trail head only moves forward'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_head_no_delete",
    "DROP TRIGGER IF EXISTS audit_head_forward_only",
]
POSTGRES = [
    """CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'the audit trail head cannot be removed'; END IF;
         IF NEW.seq < OLD.seq THEN RAISE EXCEPTION 'the audit trail head only moves forward';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_audithead
       FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_audithead",
    "DROP FUNCTION IF EXISTS audit_head_forward_only()",
]


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_audit_key_id")]

    operations = [
        per_vendor(
            {"sqlite": SQLITE, "postgresql": POSTGRES},
            {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE},
        )
    ]
