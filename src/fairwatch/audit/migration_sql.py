"""Raw SQL in migrations that differs by database (triggers), run for the one in use."""

from __future__ import annotations

from django.db import migrations


def per_vendor(forward: dict[str, list[str]], reverse: dict[str, list[str]]):
    """A RunPython operation running `forward[vendor]` (and `reverse[vendor]` to undo)."""

    def runner(statements: dict[str, list[str]]):
        def run(apps, schema_editor):
            for sql in statements.get(schema_editor.connection.vendor, []):
                schema_editor.execute(sql)

        return run

    return migrations.RunPython(runner(forward), runner(reverse))
