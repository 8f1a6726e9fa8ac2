"""Roster import and audit verification at the size of a large secondary school.

Prints rows/s for a first import, a re-import with no changes, and entries/s for
`audit verify`. Runs on a throwaway SQLite database (or DATABASE_URL if set).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

work = Path(tempfile.mkdtemp(prefix="fairwatch-bench-"))
os.environ.setdefault("FAIRWATCH_VAR", str(work / "var"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{work / 'bench.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fairwatch.web.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from fairwatch import demo_data  # noqa: E402
from fairwatch.audit import chain, gate  # noqa: E402
from fairwatch.schools.roster import import_roster, read_roster_file  # noqa: E402
from fairwatch.schools.services import create_school  # noqa: E402

PUPILS_PER_YEAR = int(sys.argv[1]) if len(sys.argv) > 1 else 300  # 7 year groups


def timed(label: str, rows: int, fn) -> None:
    start = time.perf_counter()
    fn()
    took = time.perf_counter() - start
    print(f"{label:<34} {rows:>7} rows  {took:7.2f} s  {rows / took:9.0f} rows/s")


def main() -> None:
    call_command("migrate", verbosity=0)
    roster = demo_data.generate(pupils_per_year=PUPILS_PER_YEAR)
    paths = demo_data.write_csvs(roster, work / "csv")
    school = create_school(slug="bench", name="Bench School", domains=["bench.example"])
    rows = len(roster.pupils) + len(roster.staff) + len(roster.contacts)
    print(
        f"database: {django.db.connection.vendor}; pupils {len(roster.pupils)}, "
        f"staff {len(roster.staff)}, contact rows {len(roster.contacts)}"
    )

    def load():
        files = {k: read_roster_file(k, p) for k, p in paths.items()}
        return import_roster(school, **files)

    timed("first import", rows, load)
    timed("re-import, nothing changed", rows, load)
    entries = 5000
    timed(
        "audit append",
        entries,
        lambda: [gate.record(user=None, action="bench", outcome="done") for _ in range(entries)],
    )
    total = chain.verify().entries
    timed("audit verify", total, lambda: chain.verify())


if __name__ == "__main__":
    main()
