"""Reading a log file into daily totals per person, category and site, a chunk at a time.

A file (plain or gzip) is read in line-aligned chunks of a few tens of MB, so reading it takes
the same memory whatever its size; the totals are handed on day by day (`flush`). Each chunk is
parsed column by column (`formats`), its hosts are put in categories and its people replaced by
pseudonyms - each distinct host and person once, not each line - and it is added up by day.
Only the totals leave this module: per pseudonym, day, category, site (the registrable domain),
kind (web or DNS) and blocked or not, a count, bytes, and the first and last time seen. No user
name, address or full URL is kept.

What is not Django's is here: the caller says how a host gets its category and how a person
(a user name, an email address, or failing those a client address) becomes a pseudonym.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Protocol

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


def _open(path: Path) -> BinaryIO:
    if is_gzip(path):
        return gzip.GzipFile(path, "rb")  # type: ignore[return-value]  # reads as BinaryIO
    return path.open("rb")


def head_lines(path: Path, count: int = 50) -> list[str]:
    """The first non-empty lines of a file (gzip or not), for telling its format."""
    out: list[str] = []
    with _open(path) as f:
        for raw in io.TextIOWrapper(f, encoding="utf-8", errors="replace"):
            line = raw.rstrip("\r\n")
            if line.strip():
                out.append(line)
                if len(out) >= count:
                    break
    return out


def zeek_header(path: Path) -> list[str] | None:
    """The column names of a Zeek TSV log, from its `#fields` line."""
    with _open(path) as f:
        for raw in io.TextIOWrapper(f, encoding="utf-8", errors="replace"):
            if raw.startswith("#fields"):
                return raw.rstrip("\r\n").split("\t")[1:]
            if not raw.startswith("#"):
                return None
    return None


def _chunks(path: Path, chunk_bytes: int, hasher: _Hasher, skip: int = 0) -> Iterator[bytes]:
    """The file's bytes in pieces that end at a line's end, hashing all of them; the first
    `skip` bytes are hashed but not handed on."""
    with _open(path) as f:
        while skip > 0:
            block = f.read(min(skip, chunk_bytes))
            if not block:
                break
            hasher.update(block)
            skip -= len(block)
        rest = b""
        while True:
            block = f.read(chunk_bytes)
            if not block:
                break
            hasher.update(block)
            block = rest + block
            cut = block.rfind(b"\n") + 1
            if cut == 0:
                if len(block) > MAX_LINE:
                    raise LogProblem(f"{path}: a line longer than {MAX_LINE} bytes: not a log")
                rest = block
                continue
            rest = block[cut:]
            yield block[:cut]
        if rest:
            yield rest


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
def _public_suffixes() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
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
    return frozenset(plain), frozenset(wild), frozenset(exceptions)


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
        is_suffix = enough & (tail.is_in(list(plain)) | parent.is_in(list(wild)))
        is_suffix = is_suffix & ~tail.is_in(list(exceptions))
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
    known is kept as small tables and joined onto each chunk."""

    def __init__(self, categorise: Categorise, identify: Identify) -> None:
        self.categorise = categorise
        self.identify = identify
        self.hosts = pl.DataFrame(
            schema={"host": pl.Utf8, "category": pl.Utf8, "site": pl.Utf8, "by_path": pl.Boolean}
        )
        self.people = pl.DataFrame(
            schema={"user": pl.Utf8, "client": pl.Utf8, "pseudonym": pl.Utf8}
        )

    def add_columns(self, rows: pl.DataFrame) -> pl.DataFrame:
        new_hosts = rows.select("host").unique().join(self.hosts, on="host", how="anti")
        if new_hosts.height:
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
        who = rows.select("user", "client").unique()
        new_people = who.join(self.people, on=["user", "client"], how="anti", nulls_equal=True)
        if new_people.height:
            users, clients = new_people["user"].to_list(), new_people["client"].to_list()
            fresh = new_people.with_columns(
                pl.Series("pseudonym", self.identify(users, clients), dtype=pl.Utf8)
            )
            self.people = pl.concat([self.people, fresh])
        rows = rows.join(self.hosts, on="host", how="left").join(
            self.people, on=["user", "client"], how="left", nulls_equal=True
        )
        return self._by_path(rows)

    def _by_path(self, rows: pl.DataFrame) -> pl.DataFrame:
        """Where a `urls` list names paths under a host, the request's path may decide."""
        ask = rows.filter(pl.col("by_path") & pl.col("path").is_not_null())
        if ask.height == 0:
            return rows.drop("by_path")
        pairs = ask.select("host", "path").unique()
        found = self.categorise.urls(pairs["host"].to_list(), pairs["path"].to_list())
        decided = pairs.with_columns(pl.Series("by_url", found, dtype=pl.Utf8)).filter(
            pl.col("by_url") != ""
        )
        return (
            rows.join(decided, on=["host", "path"], how="left")
            .with_columns(pl.coalesce("by_url", "category").alias("category"))
            .drop("by_url", "by_path")
        )


def _add_up(rows: pl.DataFrame, tz: str) -> pl.DataFrame:
    return (
        rows.with_columns(
            pl.from_epoch("ts", time_unit="s")
            .dt.replace_time_zone("UTC")
            .dt.convert_time_zone(tz)
            .dt.date()
            .alias("day")
        )
        .group_by("pseudonym", "day", "category", "site", "kind", "blocked")
        .agg(
            pl.len().cast(pl.UInt64).alias("count"),
            pl.col("bytes").sum().alias("bytes"),
            pl.col("ts").min().alias("first_ts"),
            pl.col("ts").max().alias("last_ts"),
        )
        .select(list(TOTALS_SCHEMA))
    )


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
    """The totals so far. With `flush`, the days a log has moved past are handed on as it
    goes (a log is written in time order), so what is held stays about a day or two of
    totals however long the log; a late line for a day already handed on is handed on again,
    which adds up the same. Without, everything is kept until the end."""

    def __init__(self, flush: Callable[[pl.DataFrame], None] | None) -> None:
        self.flush = flush
        self.parts: list[pl.DataFrame] = []
        self.people: set[str] = set()
        self.categories: dict[str, int] = {}

    def add(self, part: pl.DataFrame) -> None:
        self.parts.append(part)
        if self.flush is None:
            if len(self.parts) > 16:
                self.parts = [merge(pl.concat(self.parts))]
            return
        if len(self.parts) < 4:
            return
        merged = merge(pl.concat(self.parts))
        earliest = part["day"].min()  # of the chunk just read: days before it are done
        self.parts = [merged.filter(pl.col("day") >= earliest)]
        self._hand_on(merged.filter(pl.col("day") < earliest))

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
    chunk_bytes: int = CHUNK_BYTES,
    flush: Callable[[pl.DataFrame], None] | None = None,
) -> Ingest:
    """Read each file into totals. `resume(path, head_sha256)` tells where an earlier ingest
    of the same file stopped (None: never seen). `progress(lines, bytes)` is called after
    each chunk with what that chunk added. With `flush`, totals are handed to it as the log
    moves past their day, and `Ingest.totals` comes back empty: memory then stays flat in
    the length of the log. Raises LogProblem for a file that is not a log of a known format;
    malformed lines are counted, never raised."""
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
    try:
        chunks = _chunks(path, chunk_bytes, hasher, skip)
        for chunk in chunks:
            lines = _lines(chunk, first_line)
            first_line += lines.height
            rows, bad = formats.parse(chosen, lines, tz=tz, year=year, header=header)
            result.lines += lines.height
            result.good += rows.height
            result.bad += bad.height
            result.skipped += lines.height - rows.height - bad.height
            room = KEEP_BAD - len(result.bad_examples)
            if room > 0 and bad.height:
                for n, text, why in bad.head(room).select(list(BAD_SCHEMA)).iter_rows():
                    result.bad_examples.append((int(n), mask(text), why))
            if rows.height:
                totals.add(_add_up(lookups.add_columns(rows.select(list(SCHEMA))), tz))
            if progress is not None:
                progress(lines.height, len(chunk))
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise LogProblem(f"{path}: cannot be read past line {first_line}: {exc}") from exc
    result.already = skip
    result.sha256 = hasher.hexdigest()
    result.size = hasher.size
    result.seconds = time.perf_counter() - started
    return result


class _Hasher:
    """SHA-256 of everything read, and how many bytes that was."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self.size = 0

    def update(self, block: bytes) -> None:
        self._sha.update(block)
        self.size += len(block)

    def hexdigest(self) -> str:
        return self._sha.hexdigest()
