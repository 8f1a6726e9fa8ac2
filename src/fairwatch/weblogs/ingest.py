"""Reading a log file into daily totals per person, category and site, a chunk at a time.

A file (plain or gzip) is read in line-aligned chunks of a few tens of MB, so reading it takes
the same memory whatever its size; the totals are handed on chunk by chunk (`flush`). Each chunk is
parsed column by column (`formats`), its hosts are put in categories and its people replaced by
pseudonyms - each distinct host and person once, not each line - and it is added up by day.
Only the totals leave this module: per pseudonym, day, category, site (the registrable domain),
kind (web or DNS) and blocked or not, a count, bytes, and the first and last time seen. No user
name, address or full URL is kept.

What is not Django's is here: the caller says how a host gets its category and how a person
(a user name, an email address, or failing those a client address) becomes a pseudonym.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

import polars as pl

from . import formats
from .records import BAD_SCHEMA, SCHEMA

CHUNK_BYTES = 32 << 20
HEAD_BYTES = 64 << 10  # at most this much of the first line names a file
KEEP_BAD = 200  # malformed lines kept, with their numbers, in the quarantine file
MAX_LINE = 1 << 20  # a "line" longer than this is not a log line

TOTALS_SCHEMA: dict[str, pl.DataType] = {
    "pseudonym": pl.Utf8(),
    "day": pl.Date(),
    "category": pl.Utf8(),  # "" when no list has the site
    "site": pl.Utf8(),  # the registrable domain ("bbc.co.uk"), or the host when it has none
    "kind": pl.Utf8(),  # "web" or "dns"
    "blocked": pl.Boolean(),
    "count": pl.UInt64(),
    "bytes": pl.Int64(),
    "first_ts": pl.Int64(),  # seconds since the epoch, UTC
    "last_ts": pl.Int64(),
}

# An address or an email in a quarantined line is masked: the quarantine is on disk.
_MASKS = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b"), "[ip]"),
    # IPv6: eight groups, or fewer with "::" (a time such as 08:00:01 has neither)
    (re.compile(r"(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}"), "[ip]"),
    (
        re.compile(
            r"[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{1,4})*::(?:[0-9a-fA-F]{1,4}:)*[0-9a-fA-F]{0,4}"
        ),
        "[ip]",
    ),
)


class LogProblem(ValueError):
    """A file that cannot be read as a log at all (not a malformed line: those are counted)."""


@dataclass
class Resume:
    """Where an earlier ingest of the same file stopped: the bytes it had read and the hash of
    them. When the file still starts with exactly those bytes, only what follows is new."""

    offset: int
    prefix_sha256: str
    lines: int = 0  # lines in those bytes, so numbering goes on from there


@dataclass
class FileResult:
    path: Path
    format: str
    lines: int = 0  # lines read (new ones, when resuming)
    good: int = 0  # requests or queries counted
    bad: int = 0  # malformed lines
    skipped: int = 0  # blank, comment and header lines, and lines that are not requests
    already: int = 0  # bytes skipped because an earlier ingest had them
    bad_examples: list[tuple[int, str, str]] = field(default_factory=list)  # line, text, reason
    head_sha256: str = ""  # of the first line: names the file
    sha256: str = ""  # of all its bytes (uncompressed)
    size: int = 0  # uncompressed bytes
    seconds: float = 0.0


@dataclass
class Ingest:
    """Everything an ingest of one or more files produced."""

    totals: pl.DataFrame  # TOTALS_SCHEMA
    files: list[FileResult]
    people: int  # distinct pseudonyms
    categories: dict[str, int]  # requests per category ("" = none)

    @property
    def lines(self) -> int:
        return sum(f.lines for f in self.files)

    @property
    def bad(self) -> int:
        return sum(f.bad for f in self.files)


class Categorise(Protocol):
    """How hosts get their category (the installed lists and the school's rules)."""

    def hosts(self, hosts: Sequence[str]) -> tuple[list[str], list[bool]]:
        """The category of each host ("" for none), and whether a `urls` list names paths
        under it (only then does a request's path matter)."""

    def urls(self, hosts: Sequence[str], paths: Sequence[str]) -> list[str]:
        """The category the `urls` lists give each request ("" for none: the host's holds)."""


Identify = Callable[[Sequence[str | None], Sequence[str | None]], list[str]]  # users, clients


def is_gzip(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(2) == b"\x1f\x8b"


def _open(path: Path) -> io.BufferedIOBase:
    if is_gzip(path):
        return gzip.GzipFile(path, "rb")
    return path.open("rb")


def head_lines(path: Path, count: int = 50) -> list[str]:
    """The first non-empty lines of a file (gzip or not), for telling its format."""
    out: list[str] = []
    with _open(path) as f:
        for raw in iter(lambda: f.readline(MAX_LINE), b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if line.strip():
                out.append(line)
                if len(out) >= count:
                    break
    return out


def zeek_header(path: Path) -> list[str] | None:
    """The column names of a Zeek TSV log, from its `#fields` line."""
    with _open(path) as f:
        for raw in iter(lambda: f.readline(MAX_LINE), b""):
            if raw.startswith(b"#fields"):
                return raw.decode("utf-8", "replace").rstrip("\r\n").split("\t")[1:]
            if not raw.startswith(b"#"):
                return None
    return None


def _chunks(path: Path, chunk_bytes: int, hasher: _Hasher, skip: int = 0) -> Iterator[bytes]:
    """The file's bytes in pieces that end at a line's end, hashing all of them; the first
    `skip` bytes are hashed but not handed on. The file is read into one buffer, and each
    piece is copied out of it once (fresh memory for every read costs the kernel more than
    the copy)."""
    buf = bytearray(chunk_bytes)
    view = memoryview(buf)
    with _open(path) as f:
        while skip > 0:
            got = f.readinto(view[: min(skip, chunk_bytes)])
            if not got:
                break
            hasher.update(view[:got])
            skip -= got
        held = 0  # bytes at the start of the buffer: the last piece's unfinished line
        while True:
            if held == len(buf):  # one line fills the buffer: make room, up to MAX_LINE
                if held > MAX_LINE:
                    raise LogProblem(f"{path}: a line longer than {MAX_LINE} bytes: not a log")
                view.release()
                buf.extend(bytes(len(buf)))
                view = memoryview(buf)
            got = f.readinto(view[held:])
            if not got:
                break
            hasher.update(view[held : held + got])
            end = held + got
            cut = buf.rfind(b"\n", held, end) + 1
            if cut == 0:  # no line ends in what was read: read on
                held = end
                continue
            yield bytes(view[:cut])
            view[: end - cut] = view[cut:end]
            held = end - cut
        if held:
            yield bytes(view[:held])
    view.release()


def _lines(chunk: bytes, first: int) -> pl.DataFrame:
    text = pl.read_csv(
        io.BytesIO(chunk),
        has_header=False,
        separator="\x01",
        quote_char=None,
        new_columns=["text"],
        schema={"text": pl.Utf8},
        truncate_ragged_lines=True,
        encoding="utf8-lossy",
    )
    return text.with_columns(
        pl.int_range(first, first + text.height, dtype=pl.UInt64).alias("line"),
        pl.col("text").fill_null(""),
    ).select("line", "text")


def mask(text: str) -> str:
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text[:300]


@lru_cache(maxsize=1)
def _public_suffixes() -> tuple[pl.Series, pl.Series, pl.Series]:
    """The Public Suffix List's rules (the copy the publicsuffixlist package ships): plain
    suffixes, wildcards ("*.ck" as "ck") and exceptions ("!www.ck" as "www.ck")."""
    import publicsuffixlist

    plain: set[str] = set()
    wild: set[str] = set()
    exceptions: set[str] = set()
    for raw in Path(publicsuffixlist.PSLFILE).read_text(encoding="utf-8").splitlines():
        rule = raw.strip().lower()
        if not rule or rule.startswith("//"):
            continue
        rule = rule.encode("idna").decode("ascii") if not rule.isascii() else rule
        if rule.startswith("!"):
            exceptions.add(rule[1:])
        elif rule.startswith("*."):
            wild.add(rule[2:])
        else:
            plain.add(rule)
    return tuple(pl.Series(sorted(rules), dtype=pl.Utf8) for rules in (plain, wild, exceptions))  # type: ignore[return-value]


def sites(hosts: pl.Series) -> pl.Series:
    """The registrable domain of each host ("www.bbc.co.uk" -> "bbc.co.uk"), by the Public
    Suffix List, for a whole column at once; an IP address, or a name that is itself a public
    suffix, is its own site."""
    plain, wild, exceptions = _public_suffixes()
    frame = pl.DataFrame({"host": hosts}).with_columns(
        pl.col("host").str.split(".").alias("labels")
    )
    deepest = 5  # suffixes of up to four labels cover the list's rules
    suffix_len = pl.lit(1)  # the implicit rule "*": one label
    for k in range(2, deepest):
        tail = pl.col("labels").list.slice(-k, k).list.join(".")
        parent = pl.col("labels").list.slice(-(k - 1), k - 1).list.join(".")
        enough = pl.col("labels").list.len() >= k
        is_suffix = enough & (tail.is_in(plain.implode()) | parent.is_in(wild.implode()))
        is_suffix = is_suffix & ~tail.is_in(exceptions.implode())
        suffix_len = pl.when(is_suffix).then(pl.lit(k)).otherwise(suffix_len)
    n = pl.col("labels").list.len()
    site = (
        pl.when(n > suffix_len)
        .then(pl.col("labels").list.slice(-(suffix_len + 1)).list.join("."))
        .otherwise(pl.col("host"))
    )
    ip_like = pl.col("host").str.contains(r"^[0-9.]+$|:")
    return frame.select(pl.when(ip_like).then(pl.col("host")).otherwise(site).alias("site"))["site"]


def site_of(host: str) -> str:
    """One host's site (see `sites`)."""
    return str(sites(pl.Series([host], dtype=pl.Utf8))[0])


class _Lookups:
    """Each distinct host and person is looked up once per ingest, not once per line: what is
    known is kept as small tables and joined onto each chunk after it is added up by host and
    user, which leaves far fewer rows than lines."""

    def __init__(self, categorise: Categorise, identify: Identify) -> None:
        self.categorise = categorise
        self.identify = identify
        self.hosts = pl.DataFrame(
            schema={"host": pl.Utf8, "category": pl.Utf8, "site": pl.Utf8, "by_path": pl.Boolean}
        )
        self.path_hosts: list[str] = []  # hosts under which a `urls` list names paths
        self.people = pl.DataFrame(
            schema={"user": pl.Utf8, "client": pl.Utf8, "pseudonym": pl.Utf8}
        )

    def totals(self, rows: pl.DataFrame, tz: str) -> pl.DataFrame:
        """A chunk's parsed rows (`records.SCHEMA`) as totals (TOTALS_SCHEMA)."""
        self._learn_hosts(rows["host"])
        # A request's path matters only under a host a `urls` list names; a client address
        # only when there is no user name (the user is who it was, from whichever machine).
        path = (
            pl.when(pl.col("host").is_in(self.path_hosts)).then(pl.col("path"))
            if self.path_hosts
            else pl.lit(None, dtype=pl.Utf8)
        )
        keyed = (
            rows.lazy()
            .with_columns(
                _day(rows["ts"], tz).alias("day"),
                pl.when(pl.col("user").is_null()).then(pl.col("client")).alias("client"),
                path.alias("path"),
            )
            .group_by("user", "client", "host", "path", "day", "kind", "blocked")
            .agg(
                pl.len().cast(pl.UInt64).alias("count"),
                pl.col("bytes").sum(),
                pl.col("ts").min().alias("first_ts"),
                pl.col("ts").max().alias("last_ts"),
            )
            .collect()
        )
        keyed = self._by_path(keyed.join(self.hosts, on="host", how="left"))
        self._learn_people(keyed)
        keyed = keyed.join(self.people, on=["user", "client"], how="left", nulls_equal=True)
        return keyed.select(list(TOTALS_SCHEMA))  # `_Totals` adds up rows of the same key

    def _learn_hosts(self, hosts: pl.Series) -> None:
        new_hosts = hosts.unique().to_frame("host").join(self.hosts, on="host", how="anti")
        if not new_hosts.height:
            return
        names = new_hosts["host"].to_list()
        cats, by_path = self.categorise.hosts(names)
        fresh = pl.DataFrame(
            {
                "host": names,
                "category": cats,
                "site": sites(pl.Series(names, dtype=pl.Utf8)),
                "by_path": by_path,
            },
            schema=self.hosts.schema,
        )
        self.hosts = pl.concat([self.hosts, fresh])
        self.path_hosts += fresh.filter(pl.col("by_path"))["host"].to_list()

    def _learn_people(self, keyed: pl.DataFrame) -> None:
        who = keyed.select("user", "client").unique()
        new_people = who.join(self.people, on=["user", "client"], how="anti", nulls_equal=True)
        if new_people.height:
            users, clients = new_people["user"].to_list(), new_people["client"].to_list()
            fresh = new_people.with_columns(
                pl.Series("pseudonym", self.identify(users, clients), dtype=pl.Utf8)
            )
            self.people = pl.concat([self.people, fresh])

    def _by_path(self, rows: pl.DataFrame) -> pl.DataFrame:
        """Where a `urls` list names paths under a host, the request's path may decide."""
        ask = rows.filter(pl.col("by_path") & pl.col("path").is_not_null())
        if ask.height == 0:
            return rows.drop("by_path", "path")
        pairs = ask.select("host", "path").unique()
        found = self.categorise.urls(pairs["host"].to_list(), pairs["path"].to_list())
        decided = pairs.with_columns(pl.Series("by_url", found, dtype=pl.Utf8)).filter(
            pl.col("by_url") != ""
        )
        return (
            rows.join(decided, on=["host", "path"], how="left", nulls_equal=False)
            .with_columns(pl.coalesce("by_url", "category").alias("category"))
            .drop("by_url", "by_path", "path")
        )


_STEADY = 20 * 86400  # no time zone changes its offset twice within this long


def _day(ts: pl.Series, tz: str) -> pl.Expr:
    """The local day of each time. When the zone's offset is the same at the chunk's first
    and last time, and they are closer than any two changes of offset, the offset is simply
    added; otherwise each time is converted."""
    lo, hi = ts.min(), ts.max()
    if isinstance(lo, int) and isinstance(hi, int) and hi - lo < _STEADY:
        zone = _zone(tz)
        try:
            a = dt.datetime.fromtimestamp(lo, dt.UTC).astimezone(zone).utcoffset()
            b = dt.datetime.fromtimestamp(hi, dt.UTC).astimezone(zone).utcoffset()
        except (OverflowError, OSError, ValueError):
            a = b = None
        if a is not None and a == b:
            shift = int(a.total_seconds())
            return ((pl.col("ts") + shift) // 86400).cast(pl.Int32).cast(pl.Date)
    return (
        pl.from_epoch("ts", time_unit="s")
        .dt.replace_time_zone("UTC")
        .dt.convert_time_zone(tz)
        .dt.date()
    )


@lru_cache(maxsize=8)
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def merge(totals: pl.DataFrame) -> pl.DataFrame:
    """Totals for the same pseudonym, day, category, site, kind and blocked-ness as one row."""
    return (
        totals.group_by("pseudonym", "day", "category", "site", "kind", "blocked")
        .agg(
            pl.col("count").sum(),
            pl.col("bytes").sum(),
            pl.col("first_ts").min(),
            pl.col("last_ts").max(),
        )
        .select(list(TOTALS_SCHEMA))
    )


class _Totals:
    """The totals so far. With `flush`, each chunk's totals are handed on as they come, and
    nothing is held: the same key (a day that runs over several chunks) comes more than once,
    for `flush`'s owner to add up. Without, everything is kept, added up now and then, until
    the end."""

    def __init__(self, flush: Callable[[pl.DataFrame], None] | None) -> None:
        self.flush = flush
        self.parts: list[pl.DataFrame] = []
        self.people: set[str] = set()
        self.categories: dict[str, int] = {}

    def add(self, part: pl.DataFrame) -> None:
        if self.flush is not None:
            self._hand_on(part)
            return
        self.parts.append(part)
        if len(self.parts) > 16:
            self.parts = [merge(pl.concat(self.parts))]

    def _hand_on(self, done: pl.DataFrame) -> None:
        if done.height == 0:
            return
        self.people.update(done["pseudonym"].unique().to_list())
        for cat, n in done.group_by("category").agg(pl.col("count").sum()).iter_rows():
            self.categories[cat] = self.categories.get(cat, 0) + int(n)
        if self.flush is not None:
            self.flush(done)

    def finish(self) -> pl.DataFrame:
        """Hand on (or, without `flush`, return) what is still held."""
        rest = merge(pl.concat(self.parts)) if self.parts else pl.DataFrame(schema=TOTALS_SCHEMA)
        self.parts = []
        self._hand_on(rest)
        return rest if self.flush is None else pl.DataFrame(schema=TOTALS_SCHEMA)


def ingest(
    paths: Sequence[Path],
    *,
    categorise: Categorise,
    identify: Identify,
    fmt: str = "auto",
    tz: str = "Europe/London",
    year: int | None = None,
    resume: Callable[[Path, str], Resume | None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    chunk_bytes: int | None = None,
    flush: Callable[[pl.DataFrame], None] | None = None,
) -> Ingest:
    """Read each file into totals. `resume(path, head_sha256)` tells where an earlier ingest
    of the same file stopped (None: never seen). `progress(lines, bytes)` is called after
    each chunk with what that chunk added. With `flush`, each chunk's totals are handed to it
    (the same key may come more than once: `merge` adds them up), and `Ingest.totals` comes
    back empty: memory then stays flat in the length of the log. Raises LogProblem for a
    file that is not a log of a known format; malformed lines are counted, never raised."""
    chunk_bytes = chunk_bytes or CHUNK_BYTES
    lookups = _Lookups(categorise, identify)
    totals = _Totals(flush)
    results: list[FileResult] = []
    for path in paths:
        results.append(
            _one_file(Path(path), lookups, totals, fmt, tz, year, resume, progress, chunk_bytes)
        )
    kept = totals.finish()
    return Ingest(
        totals=kept, files=results, people=len(totals.people), categories=totals.categories
    )


def _starts_with(path: Path, earlier: Resume, chunk_bytes: int) -> bool:
    """Whether the file still begins with the bytes an earlier ingest read."""
    hasher = hashlib.sha256()
    left = earlier.offset
    with _open(path) as f:
        while left > 0:
            block = f.read(min(left, chunk_bytes))
            if not block:
                return False
            hasher.update(block)
            left -= len(block)
    return hasher.hexdigest() == earlier.prefix_sha256


def _head(path: Path) -> str:
    """What names a file across ingests: its first line, which stays the same as it grows."""
    with _open(path) as f:
        return hashlib.sha256(f.readline(HEAD_BYTES)).hexdigest()


def _one_file(
    path: Path,
    lookups: _Lookups,
    totals: _Totals,
    fmt: str,
    tz: str,
    year: int | None,
    resume: Callable[[Path, str], Resume | None] | None,
    progress: Callable[[int, int], None] | None,
    chunk_bytes: int,
) -> FileResult:
    started = time.perf_counter()
    if not path.is_file():
        raise LogProblem(f"{path}: no such file")
    try:
        sample = head_lines(path)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise LogProblem(f"{path}: cannot be read: {exc}") from exc
    chosen = formats.detect(sample) if fmt == "auto" else fmt
    if chosen is None:
        raise LogProblem(
            f"{path}: not a log format Fairwatch knows (give --format if it is one of "
            f"{', '.join(formats.FORMATS)})"
        )
    if chosen not in formats.FORMATS:
        raise LogProblem(f"{path}: unknown format {chosen!r}")
    header = zeek_header(path) if chosen.startswith("zeek") else None
    result = FileResult(path=path, format=chosen, head_sha256=_head(path))
    skip = 0
    earlier = resume(path, result.head_sha256) if resume else None
    first_line = 1
    if earlier is not None and _starts_with(path, earlier, chunk_bytes):
        skip, first_line = earlier.offset, earlier.lines + 1
    hasher = _Hasher()
    numbered = _Numbered(first_line)

    def parsed(chunk: bytes) -> tuple[int, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        lines = numbered.lines(chunk)
        rows, bad = formats.parse(chosen, lines, tz=tz, year=year, header=header)
        return len(chunk), lines.select(pl.len()), rows, bad

    # Three stages overlap, each in order: reading and hashing the file, parsing its lines,
    # and adding up (the lookups and totals here). Polars and hashing let go of the GIL, so
    # the stages share the cores.
    try:
        stages = _ahead(_ahead(_chunks(path, chunk_bytes, hasher, skip)), parsed)
        for size, counted, rows, bad in stages:
            n = int(counted.item())
            result.lines += n
            result.good += rows.height
            result.bad += bad.height
            result.skipped += n - rows.height - bad.height
            room = KEEP_BAD - len(result.bad_examples)
            if room > 0 and bad.height:
                for line, text, why in bad.head(room).select(list(BAD_SCHEMA)).iter_rows():
                    result.bad_examples.append((int(line), mask(text), why))
            if rows.height:
                totals.add(lookups.totals(rows.select(list(SCHEMA)), tz))
            if progress is not None:
                progress(n, size)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise LogProblem(f"{path}: cannot be read past line {numbered.next}: {exc}") from exc
    result.already = skip
    result.sha256 = hasher.hexdigest()
    result.size = hasher.size
    result.seconds = time.perf_counter() - started
    return result


class _Numbered:
    """Chunks' lines numbered on from where the last chunk ended."""

    def __init__(self, first: int) -> None:
        self.next = first

    def lines(self, chunk: bytes) -> pl.DataFrame:
        lines = _lines(chunk, self.next)
        self.next += lines.height
        return lines


_T = TypeVar("_T")
_U = TypeVar("_U")
_DONE = object()


def _ahead(
    items: Iterator[_T], work: Callable[[_T], _U] | None = None, depth: int = 1
) -> Iterator[_U]:
    """`work(item)` for each item (or the item itself), worked out in a thread of its own up to
    `depth` items ahead of the caller, in order. An exception in the thread comes out here;
    when the caller stops early the thread stops too."""
    out: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(thing: object) -> bool:
        while not stop.is_set():
            try:
                out.put(thing, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in items:
                if not put(work(item) if work is not None else item):
                    return
        except BaseException as exc:  # noqa: BLE001  handed to the caller
            put(_Failed(exc))
            return
        put(_DONE)

    thread = threading.Thread(target=run, name="weblog-ahead", daemon=True)
    thread.start()
    try:
        while True:
            thing = out.get()
            if thing is _DONE:
                return
            if isinstance(thing, _Failed):
                raise thing.exc
            yield thing  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()


@dataclass
class _Failed:
    exc: BaseException


class _Hasher:
    """SHA-256 of everything read, and how many bytes that was."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self.size = 0

    def update(self, block: bytes | memoryview) -> None:
        self._sha.update(block)
        self.size += len(block)

    def hexdigest(self) -> str:
        return self._sha.hexdigest()
