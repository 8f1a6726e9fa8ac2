"""Dashboard speed (issue 6): the internet-use dashboard over a secondary school's year.

    python bench/bench_dashboard.py [--fresh] [--repeat 3] [--indexes]
    python bench/bench_dashboard.py --postgres      # the same on a throwaway PostgreSQL

1. A throwaway database: SQLite under var/bench-dashboard/ (kept between runs; --fresh
   rebuilds it), or with --postgres a cluster made by tests/pgcluster.py for this run. In it
   one school with 150 staff and a school year (1 Sep to 31 Aug, 195 school days) of web use,
   drawn to a school's shape (a few sites take most requests, a long tail, ~15 categories per
   person and day, harmful sites blocked) and stored as the ingest stores it
   (`fairwatch.internet.ingest._store`): ~500 k daily totals per pseudonym (ActivityEvent) and
   ~1.5 M per site (SiteDay), besides some email activity and a dozen permissions for private
   use.
2. Timed, best and median of --repeat runs (and the best CPU time of this process, steadier
   on a shared machine; on PostgreSQL the server's work is not in it): `dashboard.figures`
   for a month, a term and the year; one pseudonym's figures for the year; the CSV export's
   first 1000 rows for the year; and the dashboard page and its API for the year, through
   Django's test client.
3. With --indexes, the same again after adding the indexes named in INDEXES to this throwaway
   database only (they are not in the migrations: these figures say whether they earn it).

A report, not a test: it exits 0 whatever the figures. Target: well under a second each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import zoneinfo
from collections import Counter
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TARGET_S = 1.0
MAIL_PER_DAY = 150  # email activity in the same table
PEOPLE = 150
SITES = 150_000  # distinct sites in the school's year
YEAR = (dt.date(2025, 9, 1), dt.date(2026, 8, 31))
TERM = (dt.date(2025, 9, 1), dt.date(2025, 12, 19))
MONTH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
TERMS = [  # (first day, last day) of each half term: the days staff are in school
    (dt.date(2025, 9, 3), dt.date(2025, 10, 24)),
    (dt.date(2025, 11, 3), dt.date(2025, 12, 19)),
    (dt.date(2026, 1, 5), dt.date(2026, 2, 13)),
    (dt.date(2026, 2, 23), dt.date(2026, 3, 27)),
    (dt.date(2026, 4, 13), dt.date(2026, 5, 22)),
    (dt.date(2026, 6, 1), dt.date(2026, 7, 21)),
]
# Categories and how many of the sites are in each ("" = in no list): allowed, private (3.1)
# and harmful (3.3) ones, as UT1 names them.
CATEGORIES = {
    "": 80,
    "education": 30,
    "press": 12,
    "search_engines": 1,
    "publicite": 12,
    "blog": 4,
    "forums": 3,
    "bank": 2,
    "translation": 1,
    "cooking": 2,
    "update": 2,
    "financial": 2,
    "jobsearch": 1,
    "shopping": 6,
    "social_networks": 2,
    "webmail": 1,
    "audio-video": 3,
    "games": 3,
    "sports": 2,
    "radio": 1,
    "chat": 1,
    "celebrity": 1,
    "download": 1,
    "filehosting": 1,
    "dating": 1,
    "gambling": 1,
    "mobile-phone": 1,
    "vpn": 0.5,
    "adult": 2,
    "malware": 0.5,
    "phishing": 0.5,
    "hacking": 0.3,
    "warez": 0.3,
}
HARMFUL = {"adult", "malware", "phishing", "hacking", "warez"}
# Indexes --indexes tries: (table, name, columns). The first would replace ActivityEvent's
# (school, occurred_at): it serves the same look-ups and also holds what the dashboard adds
# up, so a range is read from the index alone (a row carries a 300-character summary; its
# index entry a fraction of that). The second lets the top sites be added up in the order of
# the index, without sorting a year of rows, but it reads all of the school's SiteDay rows
# whatever the range.
INDEXES = [
    (
        "monitoring_activityevent",
        "bench_activity_dashboard",
        ["school_id", "occurred_at", "system", "category", "pseudonym", "blocked", "count"],
    ),
    (
        "internet_siteday",
        "bench_siteday_by_site",
        ["school_id", "site", "category", "day", "count", "blocked"],
    ),
]


def setup_django(work: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "fairwatch.web.settings"
    os.environ["FAIRWATCH_VAR"] = str(work / "var")
    if not os.environ.get("FAIRWATCH_TEST_POSTGRES"):  # only ever pgcluster's throwaway one
        os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def school_days() -> list[dt.date]:
    days = []
    for first, last in TERMS:
        day = first
        while day <= last:
            if day.weekday() < 5:
                days.append(day)
            day += dt.timedelta(days=1)
    return days


def make_school():
    """The school, its staff (pseudonymised as the ingest would), an IT manager who may see
    the dashboard, and permissions for private use. Returns (school, user, pseudonyms)."""
    from django.contrib.auth import get_user_model

    from fairwatch.internet.models import PrivateUse
    from fairwatch.monitoring.pseudonyms import pseudonymise
    from fairwatch.roles import Role
    from fairwatch.schools.models import Person, RoleAssignment, School
    from fairwatch.schools.services import create_school

    school = School.objects.filter(slug="bench").first()
    if school is None:
        school = create_school(slug="bench", name="Bench Academy", domains=["bench.example"])
    staff = list(Person.objects.filter(school=school, kind=Person.Kind.STAFF).order_by("pk"))
    if not staff:
        Person.objects.bulk_create(
            Person(
                school=school,
                roster=Person.Roster.STAFF,
                kind=Person.Kind.STAFF,
                external_id=f"S{n:04d}",
                forename=f"Forename{n}",
                surname=f"Surname{n}",
                email=f"s{n:04d}@bench.example",
            )
            for n in range(PEOPLE)
        )
        staff = list(Person.objects.filter(school=school, kind=Person.Kind.STAFF).order_by("pk"))
        it = staff[0]
        it.user = get_user_model().objects.create_user(it.email)
        it.save(update_fields=["user"])
        RoleAssignment.objects.create(person=it, role=Role.IT_MANAGER)
        rng = random.Random(7)
        for n, person in enumerate(rng.sample(staff[1:], 12)):
            starts = YEAR[0] + dt.timedelta(days=rng.randrange(0, 300))
            PrivateUse.objects.create(
                school=school,
                person=person,
                purpose="Personal errands at lunchtime",
                categories=[[], ["webmail"], ["shopping", "games"]][n % 3],
                starts=starts,
                expires=starts + dt.timedelta(days=rng.randrange(7, 120)),
                state=PrivateUse.State.GRANTED,
            )
    names = pseudonymise(school, [p.email for p in staff])
    names += pseudonymise(school, [f"user:visitor{n}" for n in range(8)])
    return school, staff[0].user, names


def _totals(names: list[str], days: list[dt.date], seed: int = 11):
    """A year of per-person, per-site daily totals, in the ingest's TOTALS_SCHEMA."""
    import polars as pl

    rng = random.Random(seed)
    # Zipf-like: the school's favourite sites take most requests, the tail a few each.
    cum = list(itertools.accumulate(1 / (r + 1) ** 0.92 for r in range(SITES)))
    cats = list(CATEGORIES)
    site_cat = rng.choices(range(len(cats)), weights=list(CATEGORIES.values()), k=SITES)
    volume = [rng.uniform(0.4, 1.8) for _ in names]  # some staff browse more than others
    cols: dict[str, list[int]] = {"p": [], "d": [], "s": [], "n": []}
    for d in range(len(days)):
        for p in range(len(names)):
            if rng.random() < 0.06:  # away that day
                continue
            draws = rng.choices(
                range(SITES), cum_weights=cum, k=int(rng.randint(36, 140) * volume[p])
            )
            for s, n in Counter(draws).items():
                cols["p"].append(p)
                cols["d"].append(d)
                cols["s"].append(s)
                cols["n"].append(n * rng.randint(1, 25))
    tz = zoneinfo.ZoneInfo("Europe/London")
    midnights = [int(dt.datetime.combine(day, dt.time(), tz).timestamp()) for day in days]
    sites = pl.DataFrame(
        {
            "s": range(SITES),
            "site": [
                f"site{s:05d}.{('co.uk', 'com', 'org.uk', 'net')[s % 4]}" for s in range(SITES)
            ],
            "category": [cats[c] for c in site_cat],
        }
    ).with_columns(
        blocked=pl.col("category").is_in(sorted(HARMFUL)) | (pl.col("s") % 101 == 5),
    )
    mix = pl.col("s") * 7919 + pl.col("p") * 104_729 + pl.col("d") * 31
    return (
        pl.DataFrame(cols, schema={"p": pl.Int32, "d": pl.Int32, "s": pl.Int32, "n": pl.Int64})
        .join(sites, on="s")
        .join(
            pl.DataFrame(
                {"p": range(len(names)), "pseudonym": names}, schema_overrides={"p": pl.Int32}
            ),
            on="p",
        )
        .join(
            pl.DataFrame(
                {"d": range(len(days)), "day": days, "midnight": midnights},
                schema_overrides={"d": pl.Int32},
            ),
            on="d",
        )
        .with_columns(
            kind=pl.when(pl.col("p") % 10 == 3).then(pl.lit("dns")).otherwise(pl.lit("web")),
            count=pl.col("n").cast(pl.UInt64),
            bytes=pl.col("n") * 23_000,
            first_ts=pl.col("midnight") + 7 * 3600 + mix % 28_000,
        )
        .with_columns(last_ts=pl.col("first_ts") + mix % 9_000)
        .select(
            "pseudonym",
            "day",
            "category",
            "site",
            "kind",
            "blocked",
            "count",
            "bytes",
            "first_ts",
            "last_ts",
        )
    )


def fill(school, names: list[str]) -> None:
    """Store the year as the ingest run from cron would, a day at a time, with some email
    activity beside it (so the rows of a day lie together, as they do in a school's database)."""
    import polars as pl
    from django.db import connection, transaction

    from fairwatch.internet import bulk, ingest
    from fairwatch.monitoring.models import ActivityEvent

    days = school_days()
    began = time.perf_counter()
    totals = _totals(names, days)
    print(f"drew {totals.height:,} per-person site totals in {time.perf_counter() - began:.1f} s")
    began = time.perf_counter()
    rng = random.Random(5)
    suffix = "+00:00" if connection.vendor == "postgresql" else ""
    for (day,), part in sorted(totals.partition_by("day", as_dict=True).items()):
        mail = pl.DataFrame(
            {
                "school_id": school.pk,
                "pseudonym": [rng.choice(names) for _ in range(MAIL_PER_DAY)],
                "system": "email",
                "occurred_at": [
                    f"{day.isoformat()} {rng.randrange(8, 16):02d}:{rng.randrange(60):02d}:00"
                    + suffix
                    for _ in range(MAIL_PER_DAY)
                ],
                "category": "",
                "summary": "mail to 3 outside addresses",
                "count": 1,
                "source": "relay",
                "blocked": False,
            }
        )
        with transaction.atomic():
            ingest._store(school, part.lazy(), f"access.log-{day:%Y%m%d}")
            bulk.insert(ActivityEvent._meta.db_table, mail)
    if connection.vendor == "postgresql":  # autovacuum would have by the time anyone looks
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"stored them, a day at a time, in {time.perf_counter() - began:.1f} s")


def counts(school) -> tuple[int, int]:
    from fairwatch.internet.models import SiteDay
    from fairwatch.monitoring.models import ActivityEvent

    events = ActivityEvent.objects.filter(school=school, system="internet").count()
    return events, SiteDay.objects.filter(school=school).count()


def timed(label: str, run: Callable[[], object], repeat: int) -> float:
    """Wall time (best and median of `repeat`) and the process's CPU time (best): the CPU
    time is steadier on a shared machine, and the database's work is in it on SQLite."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    median = statistics.median(walls)
    mark = "ok" if median < TARGET_S else "SLOW"
    print(
        f"  {label:<42} best {min(walls):6.3f} s  median {median:6.3f} s  "
        f"cpu {min(cpus):6.3f} s  {mark}"
    )
    return median


def measure(school, user, names: list[str], repeat: int) -> None:
    from itertools import islice

    from django.test import Client

    from fairwatch.internet import dashboard

    def span(bounds: tuple[dt.date, dt.date]) -> dashboard.Range:
        return dashboard.Range(*bounds)

    someone = names[1]  # a member of staff (the IT manager is names[0])
    client = Client()
    client.force_login(user)
    year = f"since={YEAR[0].isoformat()}&until={YEAR[1].isoformat()}"
    for name, bounds in (("a month", MONTH), ("a term", TERM), ("the year", YEAR)):
        timed(
            f"figures for {name}", lambda b=bounds: dashboard.figures(user, school, span(b)), repeat
        )
    timed(
        "one pseudonym's figures for the year",
        lambda: dashboard.of_pseudonym(user, school, someone, span(YEAR)),
        repeat,
    )
    timed(
        "export: the first 1000 rows of the year",
        lambda: list(islice(dashboard.export(user, school, span(YEAR)), 1000)),
        repeat,
    )

    def get(url: str) -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")

    timed("page /internet/ for the year", lambda: get(f"/internet/?{year}"), repeat)
    timed(
        "page /internet/pseudonym/…/ for the year",
        lambda: get(f"/internet/pseudonym/{someone}/?{year}"),
        repeat,
    )
    timed(
        "API …/internet/dashboard for the year",
        lambda: get(f"/api/v1/schools/bench/internet/dashboard?{year}"),
        repeat,
    )


def add_indexes() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table, name, columns in INDEXES:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({', '.join(columns)})")
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")


def drop_indexes() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for _, name, _ in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench-dashboard")
    parser.add_argument("--fresh", action="store_true", help="build the database again")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timing (default 3)")
    parser.add_argument("--indexes", action="store_true", help="time again with INDEXES added")
    parser.add_argument("--postgres", action="store_true", help="on a throwaway PostgreSQL")
    args = parser.parse_args()
    if args.postgres and not os.environ.get("FAIRWATCH_TEST_POSTGRES"):
        command = [sys.executable, str(ROOT / "tests" / "pgcluster.py"), "--", sys.executable]
        command += [str(Path(__file__).resolve()), *sys.argv[1:]]
        raise SystemExit(subprocess.run(command, check=False).returncode)
    if os.environ.get("FAIRWATCH_TEST_POSTGRES"):
        args.work = args.work / "postgres"  # its own pseudonym keys
    if args.fresh and args.work.exists():
        shutil.rmtree(args.work)
    args.work.mkdir(parents=True, exist_ok=True)
    setup_django(args.work)
    from django.conf import settings
    from django.db import connection

    # The test client's host name. (Not setup_test_environment(): it has every template
    # render copy its context, which would be timed with the page.)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    school, user, names = make_school()
    if counts(school)[0] == 0:
        fill(school, names)
    events, site_days = counts(school)
    print(
        f"{connection.vendor}: {PEOPLE} staff, {len(school_days())} school days, "
        f"{events:,} ActivityEvent rows (internet), {site_days:,} SiteDay rows"
    )
    drop_indexes()
    print("timings (median under 1 s is the target):")
    measure(school, user, names, args.repeat)
    if args.indexes:
        began = time.perf_counter()
        add_indexes()
        print(f"with the indexes in INDEXES ({time.perf_counter() - began:.1f} s to build):")
        measure(school, user, names, args.repeat)
        drop_indexes()


if __name__ == "__main__":
    main()
