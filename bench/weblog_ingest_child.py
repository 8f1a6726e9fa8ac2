"""One timed ingest, in a process of its own so that its peak memory is its own (for
bench/bench_weblogs.py):

    python bench/weblog_ingest_child.py WORKDIR INDEX_SOURCE            # prepare
    python bench/weblog_ingest_child.py WORKDIR INDEX_SOURCE LOG...     # one timed ingest

Preparing sets up Fairwatch on a throwaway SQLite database under WORKDIR (migrate, one school)
and compiles the category lists at INDEX_SOURCE (a UT1 folder or tarball), in a process of
its own so that compiling does not count in the ingest's memory. With logs, it times
`fairwatch.internet.ingest.run` on them: parse, categorise, pseudonymise, add up and store.
Prints one JSON object: lines, requests, seconds, lines/s, rows stored, peak resident memory,
and the category index's load time.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path


def main(work: Path, index_source: Path, logs: list[Path]) -> dict:
    os.environ["DJANGO_SETTINGS_MODULE"] = "fairwatch.web.settings"
    os.environ["FAIRWATCH_VAR"] = str(work / "var")
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from fairwatch.internet import categories, ingest
    from fairwatch.monitoring.models import ActivityEvent
    from fairwatch.schools.models import School
    from fairwatch.schools.services import create_school
    from fairwatch.weblogs.categories import CategoryIndex

    school = School.objects.filter(slug="bench").first() or create_school(
        slug="bench", name="Bench Academy", domains=["bench.example"]
    )
    if not logs:
        began = time.perf_counter()
        report = categories.import_lists(index_source)
        return {"compile_s": time.perf_counter() - began, "entries": _entries(report)}
    began = time.perf_counter()
    index = CategoryIndex.load(categories.index_path())
    load_s = time.perf_counter() - began
    before = ActivityEvent.objects.count()
    began = time.perf_counter()
    summary = ingest.run(school, logs, by="bench")
    seconds = time.perf_counter() - began
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "lines": summary.lines,
        "requests": summary.requests,
        "bad": summary.bad,
        "people": summary.people,
        "alerts": summary.alerts,
        "seconds": seconds,
        "lines_per_s": summary.lines / seconds if seconds else 0.0,
        "rows_stored": ActivityEvent.objects.count() - before,
        "peak_rss_mib": peak_kib / 1024,
        "index_entries": index.size,
        "index_load_s": load_s,
        "categories": dict(list(summary.categories.items())[:12]),
    }


def _entries(report) -> int:
    counts = getattr(report, "categories", {}) or {}
    return int(sum(counts.values())) if isinstance(counts, dict) else 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    work = Path(sys.argv[1])
    work.mkdir(parents=True, exist_ok=True)
    result = main(work, Path(sys.argv[2]), [Path(p) for p in sys.argv[3:]])
    print(json.dumps(result))
