"""Taking a school's web-proxy and DNS logs in: the engine (`fairwatch.weblogs`) reads them;
this part says how a host gets its category (the installed lists and the school's rules), how
a log's user becomes a pseudonym (the roster and the school's key), and stores what comes out:
daily totals as pseudonymised activity, the file's record, alerts, and the audit entry.

Pupils' accounts are left out: the policy is about staff. A user the roster does not know is
still pseudonymised (as "user:NAME"), and a line with no user by its client address
("ip:ADDRESS"), so nothing identifying is stored either way.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fairwatch.audit import gate
from fairwatch.monitoring.models import ActivityEvent
from fairwatch.monitoring.pseudonyms import identifier_of, pseudonymise
from fairwatch.privacy.exercises import System
from fairwatch.schools.models import Person, School
from fairwatch.weblogs import ingest as engine
from fairwatch.weblogs.categories import CategoryIndex

from . import alerts as alert_mail
from . import bulk, categories, rules
from .models import Alert, LogFile, SiteDay, Treatment

PUPIL = ""  # what `identify` answers for a pupil's account: the line is left out


@dataclass
class Summary:
    """What an ingest did, for the command line (and its --json)."""

    school: str
    files: list[dict] = field(default_factory=list)
    lines: int = 0
    requests: int = 0
    bad: int = 0
    pupils_left_out: int = 0
    people: int = 0
    categories: dict[str, int] = field(default_factory=dict)
    alerts: int = 0
    stored: int = 0
    seconds: float = 0.0


def _local_part(name: str) -> str:
    """ "OAK\\jsmith", "jsmith@OAK.LOCAL" and "jsmith" are one user name."""
    name = name.strip().lower()
    name = name.rsplit("\\", 1)[-1]
    return name.split("@", 1)[0]


class Roster:
    """Who a log's user names are: by school email, by the part before the @, by MIS id."""

    def __init__(self, school: School) -> None:
        self.by_email: dict[str, Person] = {}
        by_local: dict[str, list[Person]] = {}
        self.by_id: dict[str, Person] = {}
        for p in Person.objects.filter(school=school).exclude(kind=Person.Kind.CONTACT):
            if p.email:
                self.by_email[p.email.lower()] = p
                by_local.setdefault(_local_part(p.email), []).append(p)
            if p.external_id:
                self.by_id[p.external_id.lower()] = p
        # A local part two people share names neither of them.
        self.by_local = {k: v[0] for k, v in by_local.items() if len(v) == 1}

    def person(self, user: str) -> Person | None:
        text = user.strip().lower()
        return (
            self.by_email.get(text)
            or self.by_local.get(_local_part(text))
            or self.by_id.get(text)
            or self.by_id.get(_local_part(text))
        )


def identifier_for(roster: Roster, user: str | None, client: str | None) -> str:
    """The identifier a log line is pseudonymised by; PUPIL for a pupil's account."""
    if user:
        person = roster.person(user)
        if person is not None:
            if person.kind == Person.Kind.PUPIL:
                return PUPIL
            found = identifier_of(person)
            if found:
                return found
        return f"user:{user.strip().lower()}"
    if client:
        return f"ip:{client.strip().lower()}"
    return "unknown"


def identify_for(school: School) -> engine.Identify:
    roster = Roster(school)

    def identify(users: Sequence[str | None], clients: Sequence[str | None]) -> list[str]:
        ids = [identifier_for(roster, u, c) for u, c in zip(users, clients, strict=True)]
        keep = [i for i in ids if i != PUPIL]
        names = iter(pseudonymise(school, keep)) if keep else iter(())
        return [PUPIL if i == PUPIL else next(names) for i in ids]

    return identify


class Categoriser:
    """Categories from the installed lists, the strongest for the school when a site is in
    several (harmful before private before allowed)."""

    def __init__(self, school: School, index: CategoryIndex) -> None:
        self.index = index
        self.table = rules.treatments(school)

    def hosts(self, hosts: Sequence[str]) -> tuple[list[str], list[bool]]:
        found = self.index.lookup(hosts)
        cats = [rules.strongest(tuple(c), self.table) for c in found]
        return cats, self.index.under_urls(hosts)

    def urls(self, hosts: Sequence[str], paths: Sequence[str]) -> list[str]:
        found = self.index.lookup_urls(hosts, paths)
        return [rules.strongest(tuple(c), self.table) for c in found]


def _resume_from(school: School) -> Callable[[Path, str], engine.Resume | None]:
    def resume(path: Path, head: str) -> engine.Resume | None:
        seen = LogFile.objects.filter(school=school, head_sha256=head).order_by("-size").first()
        if seen is None:
            return None
        return engine.Resume(offset=seen.size, prefix_sha256=seen.sha256, lines=seen.lines)

    return resume


def quarantine_dir() -> Path:
    return Path(settings.VAR_DIR) / "quarantine"


def _write_quarantine(school: School, result: engine.FileResult) -> str:
    """The first bad lines (addresses and emails masked), owner-only, for the IT manager."""
    if not result.bad_examples:
        return ""
    folder = quarantine_dir() / school.slug
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"{stamp}-{result.path.name}.txt"
    lines = [
        f"# {result.bad} malformed line(s) in {result.path.name} ({result.format}); "
        f"the first {len(result.bad_examples)}, addresses and emails masked",
        *(f"{n}\t{why}\t{text}" for n, text, why in result.bad_examples),
    ]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return str(path)


def _store(school: School, totals: pl.DataFrame, source: str) -> int:
    """The totals, twice: per pseudonym, day, category, kind and blocked-ness as pseudonymised
    activity (system "internet"; the sites named in its summary, most used first), and per
    site and day for everyone together (SiteDay, no pseudonyms). Returns the activity rows."""
    counted = pl.format("{} ×{}", pl.col("site"), pl.col("count"))
    activity = (
        totals.lazy()
        .group_by("pseudonym", "day", "category", "kind", "blocked")
        .agg(
            pl.col("count").sum(),
            pl.col("bytes").sum(),
            pl.col("first_ts").min(),
            pl.col("last_ts").max(),
            counted.sort_by("count", descending=True)
            .head(12)
            .str.join(", ")
            .str.slice(0, 300)
            .alias("summary"),
        )
        .select(
            pl.lit(school.pk).alias("school_id"),
            "pseudonym",
            pl.lit(System.INTERNET.value).alias("system"),
            bulk.utc_text(pl.col("first_ts")).alias("occurred_at"),
            "category",
            "summary",
            pl.col("count").cast(pl.Int64),
            pl.format("{}:{}", "kind", pl.lit(source)).str.slice(0, 64).alias("source"),
            "blocked",
            "bytes",
            bulk.utc_text(pl.col("last_ts")).alias("last_at"),
        )
        # in the order of the table's index, which SQLite then fills in order
        .sort("pseudonym", "occurred_at")
    )
    site_days = (
        totals.lazy()
        .group_by("day", "site", "category", "kind")
        .agg(
            pl.col("count").sum().cast(pl.Int64),
            pl.col("count").filter(pl.col("blocked")).sum().cast(pl.Int64).alias("blocked"),
            pl.col("bytes").sum(),
        )
        .sort("day")
        .select(
            pl.lit(school.pk).alias("school_id"),
            pl.col("day").dt.strftime("%Y-%m-%d").alias("day"),
            pl.col("site").str.slice(0, 255),
            "category",
            "kind",
            "count",
            "blocked",
            "bytes",
        )
    )
    bulk.insert(SiteDay._meta.db_table, site_days.collect())
    return bulk.insert(ActivityEvent._meta.db_table, activity.collect())


def _alerts(school: School, hits: pl.DataFrame, now: dt.datetime) -> tuple[int, list[Alert]]:
    """An alert per pseudonym, harmful category and day (from the totals in harmful
    categories); a later ingest adds to the same one, and opens it again if it had been
    closed. Returns how many alerts are new, and the ones that were there already."""
    if hits.height == 0:
        return 0, []
    grouped = (
        hits.sort("count", descending=True)
        .group_by("pseudonym", "category", "day", maintain_order=True)
        .agg(
            pl.col("site").head(10),
            pl.col("count").head(10).alias("site_counts"),
            pl.col("count").sum().alias("total"),
            pl.col("count").filter(pl.col("blocked")).sum().alias("blocked"),
            pl.col("first_ts").min(),
            pl.col("last_ts").max(),
        )
    )
    keys = grouped.select("pseudonym", "category", "day")
    existing = {
        (a.pseudonym, a.category, a.day): a
        for a in Alert.objects.filter(
            school=school,
            day__in=keys["day"].unique().to_list(),
            category__in=keys["category"].unique().to_list(),
            pseudonym__in=keys["pseudonym"].unique().to_list(),
        )
    }
    if existing:
        known = pl.DataFrame(list(existing), schema=keys.schema, orient="row")
        earlier = grouped.join(known, on=["pseudonym", "category", "day"], how="semi")
        grouped = grouped.join(known, on=["pseudonym", "category", "day"], how="anti")
    else:
        earlier = grouped.clear()
    fresh = grouped.select(
        pl.lit(school.pk).alias("school_id"),
        "pseudonym",
        "category",
        pl.col("day").dt.strftime("%Y-%m-%d").alias("day"),
        pl.struct("site", "site_counts")
        .map_elements(
            lambda r: json.dumps(
                [[s, int(n)] for s, n in zip(r["site"], r["site_counts"], strict=True)]
            ),
            return_dtype=pl.Utf8,
        )
        .alias("sites"),
        pl.col("total").cast(pl.Int64).alias("count"),
        pl.col("blocked").fill_null(0).cast(pl.Int64),
        bulk.utc_text(pl.col("first_ts")).alias("first_at"),
        bulk.utc_text(pl.col("last_ts")).alias("last_at"),
        pl.lit(Alert.State.OPEN.value).alias("state"),
        pl.lit(bulk.utc_text_of(now)).alias("created_at"),
        pl.lit("").alias("closed_note"),
    )
    bulk.insert(Alert._meta.db_table, fresh)
    changed: list[Alert] = []
    for row in earlier.iter_rows(named=True):
        alert = existing[(row["pseudonym"], row["category"], row["day"])]
        merged: dict[str, int] = {s: n for s, n in alert.sites}  # a later ingest adds to it
        for site, n in zip(row["site"], row["site_counts"], strict=True):
            merged[site] = merged.get(site, 0) + int(n)
        alert.sites = sorted(([s, n] for s, n in merged.items()), key=lambda x: -x[1])[:10]
        alert.count += int(row["total"])
        alert.blocked += int(row["blocked"] or 0)
        alert.first_at = min(alert.first_at, dt.datetime.fromtimestamp(row["first_ts"], dt.UTC))
        alert.last_at = max(alert.last_at, dt.datetime.fromtimestamp(row["last_ts"], dt.UTC))
        if alert.state == Alert.State.CLOSED:  # closed, but it has happened again since
            entry = (
                f"Reopened on {alert_mail.when(now)} by Fairwatch: new activity after it "
                "was closed."
            )
            alert.closed_note = f"{alert.closed_note}\n\n{entry}" if alert.closed_note else entry
            alert.state = Alert.State.OPEN
            alert.closed_at, alert.closed_by = None, None
        changed.append(alert)
    Alert.objects.bulk_update(
        changed,
        [
            "sites",
            "count",
            "blocked",
            "first_at",
            "last_at",
            "state",
            "closed_at",
            "closed_by",
            "closed_note",
        ],
        batch_size=1000,
    )
    return fresh.height, changed


class _Spill:
    """Each chunk's totals, on disk while the rest is read (pseudonymised, owner-only, gone
    when the run ends), and read back and added up a few days at a time, so that what is
    held stays the same however long the log."""

    BATCH_ROWS = 400_000  # totals read back at once

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: list[tuple[Path, dict[dt.date, int]]] = []  # rows per day in each

    def write(self, done: pl.DataFrame) -> None:
        path = self.folder / f"{len(self.files):06d}.parquet"
        done.sort("day").write_parquet(path, statistics=True, row_group_size=100_000)
        per_day = dict(done.group_by("day").len().iter_rows())
        self.files.append((path, per_day))

    def batches(self) -> Iterator[pl.DataFrame]:
        """The totals, added up, a run of days at a time, in day order."""
        rows: dict[dt.date, int] = {}
        for _, per_day in self.files:
            for day, n in per_day.items():
                rows[day] = rows.get(day, 0) + n
        days = sorted(rows)
        batch: list[dt.date] = []
        held = 0
        for i, day in enumerate(days):
            batch.append(day)
            held += rows[day]
            if held >= self.BATCH_ROWS or i == len(days) - 1:
                first, last = batch[0], batch[-1]
                paths = [p for p, per_day in self.files if any(first <= d <= last for d in per_day)]
                yield engine.merge(
                    pl.scan_parquet(paths).filter(pl.col("day").is_between(first, last)).collect()
                )
                batch, held = [], 0


def run(
    school: School,
    paths: Sequence[Path],
    *,
    fmt: str = "auto",
    by: str = "cli",
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Ingest the files for the school. Raises engine.LogProblem for a file that is not a log
    (no activity from that run is stored then, only the sealed identifiers of people already
    read); malformed lines are counted and quarantined."""
    started = time.perf_counter()
    tz = settings.TIME_ZONE if settings.TIME_ZONE != "UTC" else "Europe/London"
    index = categories.installed()
    table = rules.treatments(school)
    unique = list(dict.fromkeys(Path(p).resolve() for p in paths))  # a file named twice: once
    spill_root = Path(settings.VAR_DIR) / "tmp"
    spill_root.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(dir=spill_root) as folder:
        spill = _Spill(Path(folder))
        result = engine.ingest(
            unique,
            categorise=Categoriser(school, index),
            identify=identify_for(school),
            fmt=fmt,
            tz=tz,
            resume=_resume_from(school),
            progress=progress,
            flush=spill.write,
        )
        return _record(school, spill, result, table, by, started)


def _record(
    school: School,
    spill: _Spill,
    result: engine.Ingest,
    table: dict[str, str],
    by: str,
    started: float,
) -> Summary:
    """Store what an ingest added up, in one transaction, and say what it was."""
    harmful = [c for c, t in table.items() if t == Treatment.HARMFUL.value]
    summary = Summary(school=school.slug, lines=result.lines, bad=result.bad)
    source = ",".join(f.path.name for f in result.files)
    people: set[str] = set()
    counts: dict[str, int] = {}
    fresh = 0
    changed: list[Alert] = []
    now = timezone.now()
    with transaction.atomic():
        for batch in spill.batches():
            pupils = batch.filter(pl.col("pseudonym") == PUPIL)
            summary.pupils_left_out += int(pupils["count"].sum() or 0)
            totals = batch.filter(pl.col("pseudonym") != PUPIL)
            summary.stored += _store(school, totals, source)
            new, earlier = _alerts(school, totals.filter(pl.col("category").is_in(harmful)), now)
            fresh += new
            changed += earlier
            summary.requests += int(totals["count"].sum() or 0)
            people.update(totals["pseudonym"].unique().to_list())
            for cat, n in totals.group_by("category").agg(pl.col("count").sum()).iter_rows():
                counts[cat] = counts.get(cat, 0) + int(n)
        for f in result.files:
            quarantine = _write_quarantine(school, f)
            LogFile.objects.create(
                school=school,
                name=f.path.name[:255],
                format=f.format,
                head_sha256=f.head_sha256,
                sha256=f.sha256,
                size=f.size,
                lines=f.lines + _earlier_lines(school, f),
                requests=f.good,
                bad=f.bad,
                quarantine=quarantine,
                ingested_at=now,
                by=by[:120],
            )
            summary.files.append(
                {
                    "file": str(f.path),
                    "format": f.format,
                    "lines": f.lines,
                    "requests": f.good,
                    "bad": f.bad,
                    "skipped": f.skipped,
                    "already_had_bytes": f.already,
                    "quarantine": quarantine,
                }
            )
        summary.people = len(people)
        summary.categories = {
            c or "(none)": n for c, n in sorted(counts.items(), key=lambda kv: -kv[1])
        }
        summary.alerts = fresh + len(changed)
        summary.seconds = round(time.perf_counter() - started, 3)
        if fresh or any(a.state == Alert.State.OPEN for a in changed):
            # a link for the DSL and Headteacher, once committed
            alert_mail.notify_new(school, [Alert(state=Alert.State.OPEN)])
        gate.record(
            user=None,
            action="weblog.ingest",
            outcome="done",
            school=school,
            object_type="log",
            object_id=source[:200],
            clause="7",
            detail={
                "by": by,
                "lines": summary.lines,
                "requests": summary.requests,
                "bad": summary.bad,
                "people": summary.people,
                "alerts": summary.alerts,
            },
        )
    return summary


def _earlier_lines(school: School, f: engine.FileResult) -> int:
    if not f.already:
        return 0
    seen = LogFile.objects.filter(school=school, head_sha256=f.head_sha256, size=f.already).first()
    return seen.lines if seen else 0
