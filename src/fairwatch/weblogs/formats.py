"""The log formats Fairwatch reads, each turned into the same rows (`records.SCHEMA`).

A parser takes a chunk of a file as a table of numbered lines and works on whole columns at
once (Polars, on every core), never line by line in Python: a school's proxy writes millions
of lines a day. Every line ends up in exactly one of three places:

- a row: one web request or one DNS query (rows come in line order);
- the bad rows, with its line number and a plain reason (a malformed or cut-off line);
- skipped: blank lines, comment and header lines (`#...`), and lines that are not requests
  (a DNS server's replies and start-up messages, Squid's `error:` pseudo-URLs for what it
  could not read as a request at all).

Times without a zone (BIND, dnsmasq, e2guardian) are the server's local time in `tz`. In the
autumn hour that happens twice the earlier one is taken; a time in the spring gap cannot have
been written by a correctly set clock and the line is reported as bad. Syslog's times have no
year: the caller's `year` is used (this year when it gives none), so a file that runs from
December into January needs splitting at the new year.

The formats, and what each row's `blocked` means:

- "squid": Squid's native access.log (`logformat squid`). Blocked when the result code says
  DENIED (TCP_DENIED/403, TCP_DENIED_REPLY/403).
- "squid-common": Squid's `logformat common` and `combined`, which end with `%Ss:%Sh`
  (TCP_MISS:HIER_DIRECT). Blocked as for "squid"; a line without that ending is never blocked.
- "e2guardian": e2guardian's access.log in its own format, space separated
  (`logfileformat = 1`, the default), tab separated (4) or CSV (2). Blocked when the reason says
  *DENIED* (the English wording: other languages are not recognised).
- "bind": BIND 9's query log, with its own date, ISO 8601 (`print-time iso8601`) or under
  syslog's; a query line with no time at all is bad. Never blocked: BIND logs the question,
  not what a filter did with it.
- "dnsmasq": dnsmasq's and Pi-hole's log (`log-queries`). Only `query[...]` lines are requests;
  a query is blocked when the next line about the same name is Pi-hole's refusal (gravity
  blocked, regex/exactly blacklisted or denied, special domain, the old gravity.list and
  black.list lines) or dnsmasq's own `config NAME is 0.0.0.0` / `::` sinkhole. That next line
  must be in the same chunk: at a chunk's very end a blocked query can count as allowed.
  A `config NAME is NXDOMAIN` line is not counted as blocked: dnsmasq writes the same for a
  local name that does not exist.
- "zeek-http", "zeek-dns": Zeek's http.log and dns.log, tab separated under `#fields` header
  lines (the caller passes the file's; a chunk's own `#fields` line takes over below it) or
  JSON (one object a line). Never blocked. A dns.log record with no question is skipped.

A host is lower case, without port, user name or trailing dot, an IPv6 address without its
brackets. A path is kept only for a plain http:// request: the proxy never saw the path of an
encrypted one.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from .records import BAD_SCHEMA, SCHEMA

FORMATS: tuple[str, ...] = (
    "squid",
    "squid-common",
    "e2guardian",
    "bind",
    "dnsmasq",
    "zeek-http",
    "zeek-dns",
)

_WEB = {"squid", "squid-common", "e2guardian", "zeek-http"}

Parsed = tuple[pl.DataFrame, pl.DataFrame]


# ---------------------------------------------------------------------------------------------
# Telling the format


_SQUID_RE = re.compile(r"^\d+(?:\.\d+)? +-?\d+ \S+ [A-Za-z_]+/\d{3} \d+ \S+ \S+ \S+ \S+ \S+$")
_COMMON_RE = re.compile(
    r'^\S+ \S+ \S+ \[\d{1,2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "[A-Za-z_-]+ (\S+)'
)
_E2G_RE = re.compile(r'^"?\d{4}\.\d{1,2}\.\d{1,2} \d{1,2}:\d{2}:\d{2}(?:[ \t,"]|$)')
_BIND_RE = re.compile(r"(?:^|\s)client (?:@0x[0-9a-fA-F]+ )?\S+#\d+.*: query: \S+ \S+ \S+")
_DNSMASQ_RE = re.compile(r"(?:^|\s)dnsmasq(?:-dhcp)?(?:\[\d+\])?: ")


def _common_is_proxy(line: str) -> bool:
    """A common/combined line from a proxy asks for a whole URL or host:port; a web server's
    asks for a path, and is not ours to read."""
    m = _COMMON_RE.match(line)
    return m is not None and not m.group(1).startswith("/")


_LINE_TESTS: dict[str, Callable[[str], bool]] = {
    "squid": lambda s: bool(_SQUID_RE.match(s)),
    "squid-common": _common_is_proxy,
    "e2guardian": lambda s: bool(_E2G_RE.match(s)),
    "bind": lambda s: bool(_BIND_RE.search(s)),
    "dnsmasq": lambda s: bool(_DNSMASQ_RE.search(s)),
}


def _zeek_kind(names: Iterable[str]) -> str | None:
    names = set(names)
    if {"uri", "host"} <= names or {"uri", "method"} <= names:
        return "zeek-http"
    if "query" in names and names & {"qtype", "qtype_name", "qclass", "rcode", "trans_id"}:
        return "zeek-dns"
    return None


def detect(sample: list[str]) -> str | None:
    """The format of a file from its first non-empty lines (up to about 50), or None when
    they do not clearly belong to one format."""
    lines = [s.rstrip("\r\n") for s in sample if s.strip()][:50]
    # Zeek names itself in its header lines.
    for s in lines:
        if s.startswith("#path\t"):
            kind = {"http": "zeek-http", "dns": "zeek-dns"}.get(s.split("\t")[1].strip())
            if kind:
                return kind
        if s.startswith("#fields\t"):
            return _zeek_kind(s.split("\t")[1:])
    body = [s for s in lines if not s.startswith("#")]
    if not body:
        return None
    if body[0].lstrip().startswith("{"):
        return _detect_json(body)
    counts = {fmt: sum(1 for s in body if test(s)) for fmt, test in _LINE_TESTS.items()}
    best = max(counts.values())
    winners = [fmt for fmt, n in counts.items() if n == best]
    if best == 0 or len(winners) > 1 or best * 2 < len(body):
        return None
    return winners[0]


def _detect_json(body: list[str]) -> str | None:
    kinds: list[str | None] = []
    for s in body:
        try:
            obj = json.loads(s)
        except ValueError:
            kinds.append(None)
            continue
        if not isinstance(obj, dict):
            kinds.append(None)
            continue
        path = obj.get("_path")
        kinds.append(
            {"http": "zeek-http", "dns": "zeek-dns"}.get(path) if path else _zeek_kind(obj)
        )
    for kind in ("zeek-http", "zeek-dns"):
        if kinds.count(kind) * 2 >= len(kinds):
            return kind
    return None


# ---------------------------------------------------------------------------------------------
# Parsing: the entry point


def parse(
    fmt: str,
    lines: pl.DataFrame,
    *,
    tz: str = "Europe/London",
    year: int | None = None,
    header: list[str] | None = None,
) -> Parsed:
    """Rows (`records.SCHEMA`) and bad lines (`records.BAD_SCHEMA`) from a table of numbered
    lines (`line` UInt64 from 1, `text` without its newline). Raises ValueError only for an
    unknown format or time zone, never for what is in the lines."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown log format {fmt!r}: expected one of {', '.join(FORMATS)}")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {tz!r}") from exc
    work = _readable(lines)
    if fmt == "squid":
        rows, bad = _squid(work)
    elif fmt == "squid-common":
        rows, bad = _squid_common(work)
    elif fmt == "e2guardian":
        rows, bad = _e2guardian(work, tz)
    elif fmt == "bind":
        rows, bad = _bind(work, tz, year)
    elif fmt == "dnsmasq":
        rows, bad = _dnsmasq(work, tz, year)
    else:
        rows, bad = _zeek(lines, work, "http" if fmt == "zeek-http" else "dns", header)
    return _rows(rows, "web" if fmt in _WEB else "dns"), _bad(bad, lines)


def _readable(lines: pl.DataFrame) -> pl.LazyFrame:
    """The lines to parse, lazily, so that a parser can add its own steps before Polars runs
    them all together, a batch of lines per core. A stray carriage return at the end is
    dropped. Blank and `#` lines are not looked for here, which would cost a pass over every
    line: no parser can read them, so they come back as bad and `_bad` lets them go."""
    text = pl.col("text").cast(pl.Utf8).fill_null("")
    work = lines.select(pl.col("line").cast(pl.UInt64), text)
    if work["text"].str.ends_with("\r").any():
        work = work.with_columns(pl.col("text").str.strip_suffix("\r"))
    return work.lazy()


def _run(lf: pl.LazyFrame, *, keep_text: bool = False) -> pl.DataFrame:
    """Run the steps, on all cores; the lines' text is left behind unless asked for."""
    if not keep_text:
        lf = lf.drop("text", strict=False)
    return lf.collect(engine="streaming")


def _rows(rows: pl.DataFrame, kind: str) -> pl.DataFrame:
    """The parsed columns in SCHEMA's order and types; a column a format lacks is null."""
    out = []
    for name, dtype in SCHEMA.items():
        if name == "kind":
            out.append(pl.lit(kind, dtype=pl.Utf8).alias(name))
        elif name in rows.columns:
            out.append(pl.col(name).cast(dtype))
        else:
            out.append(pl.lit(None, dtype=dtype).alias(name))
    return rows.select(out)


def _bad(bad: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """Bad rows (line, reason) with their lines' text, in line order; blank lines and
    comment or header lines (`#...`) are skipped, not bad."""
    if not bad.height:
        return pl.DataFrame(schema=BAD_SCHEMA)
    text = lines.select(pl.col("line").cast(pl.UInt64), pl.col("text").cast(pl.Utf8).fill_null(""))
    return (
        bad.select(pl.col("line").cast(pl.UInt64), pl.col("reason").cast(pl.Utf8))
        .join(text, on="line", how="left")
        .filter(~pl.col("text").str.contains(r"^(?:\s*$|#)"))
        .select(list(BAD_SCHEMA))
        .sort("line")
    )


def _checked(checks: list[tuple[pl.Expr, str]]) -> pl.Expr:
    """`_ok`: the line passes every check (a check is true when the line is fine)."""
    return pl.all_horizontal([c.fill_null(False) for c, _ in checks]).alias("_ok")


def _sort_out(df: pl.DataFrame, checks: list[tuple[pl.Expr, str]]) -> Parsed:
    """Rows that pass every check, and the others with the first failed check's reason.
    Uses the `_ok` column when the parser has worked it out already (see `_checked`)."""
    flags = df["_ok"] if "_ok" in df.columns else df.select(_checked(checks))["_ok"]
    if flags.all():
        return df, _empty_bad()
    reason: pl.Expr = pl.lit("unreadable line")
    for check, why in reversed(checks):
        reason = pl.when(~check.fill_null(False)).then(pl.lit(why)).otherwise(reason)
    rejected = df.filter(~flags).select("line", reason.alias("reason"))
    return df.filter(flags), rejected


def _empty_bad() -> pl.DataFrame:
    """No bad lines, as a parser returns them (the text is added by `parse`)."""
    return pl.DataFrame(schema={"line": pl.UInt64(), "reason": pl.Utf8()})


def _none_if(col: str, *blanks: str) -> pl.Expr:
    """The column, with the values that mean "nothing" ("-", "") made null."""
    c = pl.col(col)
    blank = c == blanks[0] if len(blanks) == 1 else c.is_in(list(blanks))
    return pl.when(blank).then(None).otherwise(c).alias(col)


def _epoch(col: str) -> pl.Expr:
    """Whole seconds from "1700000000.123"; null when it is not a number."""
    # Casting to a whole number drops the fraction: the same as rounding down after 1970.
    return pl.col(col).cast(pl.Float64, strict=False).cast(pl.Int64, strict=False)


def _local(naive: pl.Expr, tz: str) -> pl.Expr:
    """Seconds since the epoch (UTC) of a wall-clock time in `tz`."""
    return naive.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null").dt.epoch("s")


def _need_host(good: pl.DataFrame, bad: pl.DataFrame) -> Parsed:
    """A request with no host cannot be put in a category: it is a bad line."""
    empty = good["host"].is_null() | (good["host"].str.len_bytes() == 0)
    if not empty.any():
        return good, bad
    lost = good.filter(empty).select("line", reason=pl.lit("no host in the request"))
    return good.filter(~empty), pl.concat([bad, lost])


# ---------------------------------------------------------------------------------------------
# Hosts and URLs

_LONG = 1 << 30  # "to the end of the string" for str.head
_SCHEME = r"^[A-Za-z][A-Za-z0-9+.-]*://"


def _web_columns(url: pl.Expr) -> list[pl.Expr]:
    """`host` and `path` from a URL: scheme://host[:port]/path or, for a CONNECT, host:port.
    Only a plain http:// URL has a path worth keeping: an encrypted request's path was never
    seen. This is the quick way, right for nearly every line. `_rare` marks the few it may
    get wrong (another scheme, a user name, an IPv6 address, "://" or "@" further on, Squid's
    error: pseudo-URLs), which `_web_fix` looks at again."""
    a = url.str.strip_prefix("http://").str.strip_prefix("https://")
    # For "http://host" (no "/") this gives "", made "/" by `_web_fix`.
    from_slash = pl.when(url.str.starts_with("http://")).then(
        a.str.find("/", literal=True).fill_null(_LONG) + 7
    )
    return [
        a.str.head(a.str.find(r"[:/?#]").fill_null(_LONG)).str.to_lowercase().alias("host"),
        url.str.slice(from_slash).alias("path"),
        a.str.contains(r"[@\[]|://|^error:").alias("_rare"),
    ]


def _web_fix(df: pl.DataFrame, url: str) -> pl.DataFrame:
    """The lines `_web_columns` marked as rare, looked at again: a host found the slow way,
    and Squid's error: pseudo-URLs (a request it could not read at all) dropped as not
    requests. Trailing dots go and an empty path becomes "/"."""
    rare = df["_rare"].fill_null(False)
    if rare.any():
        which = rare.arg_true()
        a = pl.col(url).str.strip_prefix("http://").str.strip_prefix("https://")
        exact = _exact_host(a.str.replace(_SCHEME, "")).str.to_lowercase()
        hosts = df["host"].clone().scatter(which, df[which].select(exact)[url])
        df = df.with_columns(hosts)
        errors = rare & df[url].str.starts_with("error:")
        if errors.any():
            df = df.filter(~errors)
    if df["host"].str.ends_with(".").any():
        df = df.with_columns(pl.col("host").str.strip_chars_end("."))
    if (df["path"] == "").any():
        df = df.with_columns(path=pl.when(pl.col("path") == "").then(pl.lit("/")).otherwise("path"))
    return df


def _exact_host(a: pl.Expr) -> pl.Expr:
    """The host from "[user[:password]@]host[:port][/path...]", with an IPv6 address in
    brackets or, outside a URL, bare."""
    auth = a.str.head(a.str.find(r"[/?#]").fill_null(_LONG)).str.split("@").list.last()
    return (
        pl.when(auth.str.starts_with("["))
        .then(auth.str.slice(1).str.split("]").list.first())
        .when(auth.str.count_matches(":", literal=True) > 1)
        .then(auth)
        .otherwise(auth.str.head(auth.str.find(":", literal=True).fill_null(_LONG)))
    )


def _clean_hosts(df: pl.DataFrame, col: str = "host") -> pl.DataFrame:
    """A host[:port] column (an HTTP Host header) as SCHEMA wants it: lower case, no port,
    no trailing dot, an IPv6 address without brackets."""
    if df[col].str.contains(r"[:@/\[]").any():
        df = df.with_columns(_exact_host(pl.col(col)).alias(col))
    return _clean_names(df, col)


def _clean_names(df: pl.DataFrame, col: str = "host") -> pl.DataFrame:
    """A DNS name column as SCHEMA wants it: lower case, no trailing dot. (A name has no
    port, and may even hold a "/", as in 0/25.2.0.192.in-addr.arpa.)"""
    h = pl.col(col)
    if df[col].str.ends_with(".").any():
        df = df.with_columns(h.str.strip_chars_end("."))
    return df.with_columns(h.str.to_lowercase())


# ---------------------------------------------------------------------------------------------
# Squid native: time.ms elapsed client code/status bytes method URL user hierarchy/peer type


_N = pl.col("_n")
_SQUID_CHECKS = [
    (
        (_N >= 10)
        & (pl.col("_gaps") == _N - 10)
        & (pl.col("_url").str.len_bytes() > 0)
        & (pl.col("_user").str.len_bytes() > 0),
        "not a Squid native line: expected 10 fields",
    ),
    (pl.col("ts") >= 0, "bad time: expected seconds since 1970, as 1700000000.123"),
    (
        pl.col("_code").str.contains("/", literal=True),
        "bad result code: expected CODE/status, as TCP_MISS/200",
    ),
    (pl.col("bytes").is_not_null(), "bad byte count: expected a whole number"),
]


def _squid(work: pl.LazyFrame) -> Parsed:
    # Split on single spaces: the elapsed time is padded with spaces, which gives empty pieces
    # after the first field, so the other nine fields are counted from the end. A whole line
    # has exactly ten pieces that are not empty.
    p = pl.col("_p")
    url = pl.col("_url")
    df = _run(
        work.with_columns(_p=pl.col("text").str.split(" "))
        .select(
            "line",
            "text",
            p.list.len().alias("_n"),
            p.list.count_matches("").alias("_gaps"),
            p.list.first().alias("_ts"),
            p.list.get(-8, null_on_oob=True).alias("client"),
            p.list.get(-7, null_on_oob=True).alias("_code"),
            p.list.get(-6, null_on_oob=True).alias("_bytes"),
            p.list.get(-4, null_on_oob=True).alias("_url"),
            p.list.get(-3, null_on_oob=True).alias("_user"),
        )
        .with_columns(
            *_web_columns(url),
            ts=_epoch("_ts"),
            bytes=pl.col("_bytes").str.to_integer(strict=False),
            blocked=pl.col("_code").str.contains("DENIED", literal=True),
            user=_none_if("_user", "-"),
        )
        .with_columns(_checked(_SQUID_CHECKS))
    )
    good, bad = _sort_out(df, _SQUID_CHECKS)
    return _need_host(_web_fix(good, "_url"), bad)


# ---------------------------------------------------------------------------------------------
# Squid common and combined:
# client ident user [dd/Mon/yyyy:HH:MM:SS +zzzz] "METHOD URL HTTP/x" status bytes
#   ["referer" "agent"] [CODE:HIERARCHY]

_COMMON = re.compile(
    r'^(?P<client>\S+) \S+ (?P<user>\S+) \[(?P<when>[^\]]*)\] "(?P<method>\S+) (?P<url>\S+)'
    r'(?: [^"]*)?" (?P<status>\d{3}|-) (?P<bytes>\d+|-)'
    r'(?: "(?:[^"\\]|\\.)*" "(?:[^"\\]|\\.)*")?(?: (?P<code>[A-Za-z_]+:\S+))?\s*$'
).pattern


def _squid_common(work: pl.LazyFrame) -> Parsed:
    url = pl.col("url")
    df = _run(
        work.with_columns(pl.col("text").str.extract_groups(_COMMON).alias("_g"))
        .unnest("_g")
        .with_columns(
            *_web_columns(url),
            ts=pl.col("when")
            .str.strptime(pl.Datetime("us", "UTC"), "%d/%b/%Y:%H:%M:%S %z", strict=False)
            .dt.epoch("s"),
            bytes=pl.col("bytes").str.to_integer(strict=False),
            blocked=pl.col("code").str.contains("DENIED", literal=True).fill_null(False),
            user=_none_if("user", "-", ""),
        )
    )
    good, bad = _sort_out(
        df,
        [
            (url.is_not_null(), "not a Squid common or combined line"),
            (pl.col("ts").is_not_null(), "bad time: expected [dd/Mon/yyyy:HH:MM:SS +zzzz]"),
        ],
    )
    return _need_host(_web_fix(good, "url"), bad)


# ---------------------------------------------------------------------------------------------
# e2guardian: when who from where what how size weight category group code mimetype ...
# "when" is yyyy.mm.dd hh:mm:ss local time (older versions did not pad with zeros), optionally
# followed by seconds since 1970 (logtimestamp). "who" may be empty; "what" is free text.

_E2G_WHEN = r"(?P<when>\d{4}\.\d{1,2}\.\d{1,2} \d{1,2}:\d{1,2}:\d{1,2})(?: \d+\.\d+)?"
_E2G_SPACE = (
    rf"^{_E2G_WHEN} (?P<who>\S*) (?P<from>\S+) (?P<where>\S+) (?P<what>.*?) ?"
    r"(?P<how>[A-Z][A-Z_-]*) (?P<size>-?\d+) -?\d+(?: |$)"
)
_E2G_TAB = (
    rf"^{_E2G_WHEN}\t(?P<who>[^\t]*)\t(?P<from>[^\t]+)\t(?P<where>[^\t]+)\t(?P<what>[^\t]*)\t"
    r"(?P<how>[^\t]+)\t(?P<size>-?\d+)(?:\t|$)"
)
_E2G_CSV = (
    rf'^"{_E2G_WHEN}","(?P<who>[^"]*)","(?P<from>[^"]+)","(?P<where>[^"]+)","(?P<what>[^"]*)",'
    r'"(?P<how>[^"]+)","(?P<size>-?\d+)"'
)


def _e2guardian(work: pl.LazyFrame, tz: str) -> Parsed:
    t = pl.col("text")
    csv, tab = t.str.starts_with('"'), t.str.contains("\t", literal=True)
    shapes = [(csv, _E2G_CSV), (~csv & tab, _E2G_TAB), (~csv & ~tab, _E2G_SPACE)]
    where = pl.col("where")
    df = _run(
        pl.concat(
            [
                work.filter(shape)
                .with_columns(t.str.extract_groups(pattern).alias("_g"))
                .unnest("_g")
                for shape, pattern in shapes
            ]
        ).with_columns(
            *_web_columns(where),
            ts=_local(_e2g_time(pl.col("when")), tz),
            client=pl.col("from"),
            user=_none_if("who", "-", ""),
            bytes=pl.col("size").str.to_integer(strict=False),
            blocked=pl.col("what").str.contains("*DENIED", literal=True),
        )
    ).sort("line")
    good, bad = _sort_out(
        df,
        [
            (where.is_not_null(), "not an e2guardian access log line"),
            (pl.col("ts").is_not_null(), f"bad time: not a real date and time in {tz}"),
        ],
    )
    return _need_host(_web_fix(good, "where"), bad)


def _e2g_time(when: pl.Expr) -> pl.Expr:
    """yyyy.m.d h:m:s, padded or not, as a wall-clock time (null when it is not a date)."""
    parts = when.str.split_exact(" ", 1)
    day = parts.struct.field("field_0").str.split_exact(".", 2)
    clock = parts.struct.field("field_1").str.split_exact(":", 2)

    def two(e: pl.Expr) -> pl.Expr:
        return e.str.zfill(2)

    text = pl.concat_str(
        day.struct.field("field_0"),
        pl.lit("-"),
        two(day.struct.field("field_1")),
        pl.lit("-"),
        two(day.struct.field("field_2")),
        pl.lit(" "),
        two(clock.struct.field("field_0")),
        pl.lit(":"),
        two(clock.struct.field("field_1")),
        pl.lit(":"),
        two(clock.struct.field("field_2")),
    )
    return text.str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False)


def _empty_rows() -> pl.DataFrame:
    return pl.DataFrame(schema={k: v for k, v in SCHEMA.items() if k != "kind"})


# ---------------------------------------------------------------------------------------------
# Times at the start of DNS server lines

_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {m: str(i) for i, m in enumerate(_MONTH_NAMES, 1)}

# BIND's own (dd-Mon-yyyy hh:mm:ss.mmm), ISO 8601 (print-time iso8601 or rsyslog), or
# syslog's traditional "Mon dd hh:mm:ss" followed by the host's name.
_TIME_PREFIX = (
    r"^(?:(?P<bind>\d{1,2}-[A-Za-z]{3}-\d{4} \d{1,2}:\d{2}:\d{2})(?:\.\d+)? "
    r"|(?P<iso>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(?:\.\d+)?(?P<zone>Z|[+-]\d{2}:?\d{2})? "
    r"(?:\S+ )??"
    r"|(?P<sys>[A-Z][a-z]{2} [ \d]?\d \d{1,2}:\d{2}:\d{2}) (?:\S+ )??)?"
)


def _prefix_time(tz: str, year: int | None) -> pl.Expr:
    """Seconds since the epoch from the groups `_TIME_PREFIX` captured; null when the line
    had no time or an impossible one. A syslog time ("Nov 26 09:15:02") has no year: it is
    `year` when given, else the latest such time that is not in the future, so a log that
    runs from December into January is read right in January."""
    bind = pl.col("bind").str.strptime(pl.Datetime("us"), "%d-%b-%Y %H:%M:%S", strict=False)
    iso = (
        pl.col("iso")
        .str.replace(" ", "T")
        .str.strptime(pl.Datetime("us"), "%Y-%m-%dT%H:%M:%S", strict=False)
    )
    zone = pl.col("zone").str.replace("Z", "+00:00").str.replace(r"^([+-]\d{2})(\d{2})$", "$1:$2")
    zoned = (
        pl.concat_str(pl.col("iso").str.replace(" ", "T"), zone)
        .str.strptime(pl.Datetime("us", "UTC"), "%Y-%m-%dT%H:%M:%S%:z", strict=False)
        .dt.epoch("s")
    )
    sys = pl.col("sys").str.replace(r" +", " ").str.split_exact(" ", 2)
    month = sys.struct.field("field_0").replace_strict(_MONTHS, default=None, return_dtype=pl.Utf8)

    def syslog_in(y: int) -> pl.Expr:
        text = pl.format(
            "{}-{}-{} {}",
            pl.lit(str(y)),
            month.str.zfill(2),
            sys.struct.field("field_1").str.zfill(2),
            sys.struct.field("field_2").str.zfill(8),
        )
        return _local(text.str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False), tz)

    if year is not None:
        syslog = syslog_in(year)
    else:
        now = datetime.now(ZoneInfo(tz))
        this_year = syslog_in(now.year)
        soon = int(now.timestamp()) + 86400  # a clock a little ahead is not next year's
        syslog = pl.when(this_year > soon).then(syslog_in(now.year - 1)).otherwise(this_year)
    return (
        pl.when(pl.col("bind").is_not_null())
        .then(_local(bind, tz))
        .when(pl.col("zone").is_not_null())
        .then(zoned)
        .when(pl.col("iso").is_not_null())
        .then(_local(iso, tz))
        .when(pl.col("sys").is_not_null())
        .then(syslog)
    )


def _had_time() -> pl.Expr:
    return pl.any_horizontal(pl.col(c).is_not_null() for c in ("bind", "iso", "sys"))


# ---------------------------------------------------------------------------------------------
# BIND 9 query log:
# [time] [queries: ][info: ]client [@0x...] ip#port [(name)]: [view v: ]query: name IN A +flags

_BIND = (
    _TIME_PREFIX + r"(?:named(?:\[\d+\])?: )?(?:queries: )?(?:info: )?"
    r"client (?:@0x[0-9a-fA-F]+ )?(?P<client>[^\s#]+)#\d+(?: \([^)]*\))?: "
    r"(?:view [^:]*: )?query: (?P<name>\S+) \S+ \S+"
)


def _bind(work: pl.LazyFrame, tz: str, year: int | None) -> Parsed:
    # Only query lines are requests; BIND's other messages are skipped.
    df = _run(
        work.filter(pl.col("text").str.contains("query: ", literal=True))
        .with_columns(pl.col("text").str.extract_groups(_BIND).alias("_g"))
        .unnest("_g")
        .with_columns(ts=_prefix_time(tz, year), host=pl.col("name"))
    )
    good, bad = _sort_out(
        df,
        [
            (pl.col("name").is_not_null(), "not a BIND query line"),
            (_had_time(), "no time on the line: set print-time yes in named.conf's logging"),
            (pl.col("ts").is_not_null(), f"bad time: not a real date and time in {tz}"),
        ],
    )
    return _need_host(_clean_names(good.with_columns(blocked=pl.lit(False))), bad)


# ---------------------------------------------------------------------------------------------
# dnsmasq and Pi-hole:
# [time [host ]]dnsmasq[pid]: [serial client/port ]query[A] name from client
# followed by lines about the same name: forwarded, reply, cached, config, gravity blocked ...

_DNSMASQ = _TIME_PREFIX + r"dnsmasq(?:\[\d+\])?: (?:\d+ [^ /]+/\d+ )?(?P<msg>.*)$"
_QUERY = r"^query\[[^\]]*\] (?P<qname>\S+) from (?P<qclient>\S+)$"
_REFUSALS = (
    "gravity blocked",
    "regex blacklisted",
    "exactly blacklisted",
    "regex denied",
    "exactly denied",
    "blacklisted",
    "special domain",
    "/etc/pihole/gravity.list",
    "/etc/pihole/black.list",
)
_BLOCK = (
    r"^(?:(?:" + "|".join(re.escape(r) for r in _REFUSALS) + r") (?P<bname>\S+) is "
    r"|config (?P<cname>\S+) is (?:0\.0\.0\.0|::)$)"
)
_OTHER = r"^(?:[A-Za-z-]+ ){1,2}?(?P<oname>\S+) (?:is|to|from) "


def _dnsmasq(work: pl.LazyFrame, tz: str, year: int | None) -> Parsed:
    t, m = pl.col("text"), pl.col("msg")
    lf = (
        work.filter(t.str.contains("dnsmasq", literal=True))
        .with_columns(t.str.extract_groups(_DNSMASQ).alias("_g"))
        .unnest("_g")
    )
    lf = lf.with_columns(
        m.str.extract_groups(_QUERY).alias("_q"),
        m.str.extract_groups(_BLOCK).alias("_b"),
        m.str.extract(_OTHER, 1).alias("oname"),
        # A request, readable or not: its message starts with query[.
        (m.str.starts_with("query[") | t.str.contains(r"(?:^|: )query\[")).alias("_query"),
    ).unnest("_q", "_b")
    name = pl.coalesce("qname", "bname", "cname", "oname").str.to_lowercase()
    event = (
        pl.when(pl.col("_query"))
        .then(None)
        .when(pl.col("bname").is_not_null() | pl.col("cname").is_not_null())
        .then(pl.lit("blocked"))
        .when(pl.col("oname").is_not_null())
        .then(pl.lit("other"))
    )
    # For each query, the first later line about the same name that is not another query.
    lf = lf.with_columns(_name=name.str.strip_chars_end("."), _event=event).with_columns(
        _next=pl.col("_event").shift(-1).backward_fill().over("_name")
    )
    queries = _run(
        lf.filter(pl.col("_query")).with_columns(
            ts=_prefix_time(tz, year),
            client=pl.col("qclient"),
            host=pl.col("qname"),
            blocked=(pl.col("_next") == "blocked").fill_null(False),
        )
    )
    good, bad = _sort_out(
        queries,
        [
            (pl.col("qname").is_not_null(), "not a dnsmasq query line"),
            (_had_time(), "no time on the line: log to a file (log-facility) or to syslog"),
            (pl.col("ts").is_not_null(), f"bad time: not a real date and time in {tz}"),
        ],
    )
    return _need_host(_clean_names(good), bad)


# ---------------------------------------------------------------------------------------------
# Zeek http.log and dns.log: tab-separated under #fields, or JSON lines

_ZEEK_UNSET = ("-", "(empty)", "")
_ZEEK_NEED = {"http": ("ts", "id.orig_h", "host", "uri"), "dns": ("ts", "id.orig_h", "query")}
_ZEEK_KEEP = {
    "http": (
        "ts",
        "id.orig_h",
        "id.resp_h",
        "method",
        "host",
        "uri",
        "username",
        "response_body_len",
    ),
    "dns": ("ts", "id.orig_h", "query"),
}


def _zeek(lines: pl.DataFrame, lazy: pl.LazyFrame, kind: str, header: list[str] | None) -> Parsed:
    """Zeek lines in order, each read with the #fields line above it: the caller's `header`
    until the chunk has one of its own (logs put end to end can change their columns)."""
    t = pl.col("text")
    work = _run(lazy, keep_text=True)
    marks = lines.filter(pl.col("text").cast(pl.Utf8).str.starts_with("#fields\t"))
    segments: list[tuple[list[str] | None, pl.DataFrame]] = []
    current, start = header, 0
    for line, text in marks.select("line", "text").iter_rows():
        segments.append((current, work.filter(pl.col("line").is_between(start, line))))
        current, start = text.rstrip("\r").split("\t")[1:], line
    segments.append((current, work.filter(pl.col("line") > start)))
    parts = []
    for names, piece in segments:
        piece = piece.filter(~t.str.starts_with("#"))
        is_json = t.str.starts_with("{")
        if piece.filter(is_json).height:
            parts.append(_zeek_json(piece.filter(is_json), kind))
        if piece.filter(~is_json).height:
            parts.append(_zeek_tsv(piece.filter(~is_json), kind, names))
    if not parts:
        return _empty_rows(), _empty_bad()
    return (
        pl.concat([g for g, _ in parts], how="diagonal_relaxed").sort("line"),
        pl.concat([b for _, b in parts]),
    )


def _zeek_tsv(work: pl.DataFrame, kind: str, header: list[str] | None) -> Parsed:
    if header is None:
        why = "no #fields line above it: its columns are unknown"
        return _empty_rows(), work.select("line", reason=pl.lit(why))
    missing = [f for f in _ZEEK_NEED[kind] if f not in header]
    if missing:
        why = f"the #fields line has no {', '.join(missing)} column: not a Zeek {kind}.log"
        return _empty_rows(), work.select("line", reason=pl.lit(why))
    p = pl.col("_p")
    keep = [f for f in _ZEEK_KEEP[kind] if f in header]
    df = _run(
        work.lazy()
        .with_columns(_p=pl.col("text").str.split("\t"))
        .select(
            "line",
            (p.list.len() == len(header)).alias("_whole"),
            *[p.list.get(header.index(f), null_on_oob=True).alias(f) for f in keep],
        )
        .with_columns(_none_if(f, *_ZEEK_UNSET) for f in keep if f != "ts")
    )
    return _zeek_rows(df, kind, f"expected {len(header)} tab-separated fields")


def _zeek_json(work: pl.DataFrame, kind: str) -> Parsed:
    fields = _ZEEK_KEEP[kind]
    decoded, bad = _decode_json(work, pl.Struct({f: pl.Utf8 for f in fields}))
    decoded = decoded.with_columns(_none_if(f, *_ZEEK_UNSET) for f in fields if f != "ts")
    good, more_bad = _zeek_rows(decoded.with_columns(_whole=pl.lit(True)), kind, "")
    return good, pl.concat([bad, more_bad])


def _decode_json(work: pl.DataFrame, dtype: pl.Struct) -> Parsed:
    """Each line's JSON object, field by field. Polars gives up on a whole column when one
    line is not a JSON object, so a column that fails is halved until each bad line is alone.
    The lines are first read together as newline-delimited JSON, several times quicker."""
    if work.height:
        blob = work.select(pl.col("text").str.join("\n"))["text"][0].encode()
        try:
            fields = pl.read_ndjson(io.BytesIO(blob), schema=dict(dtype.to_schema()))
        except (pl.exceptions.PolarsError, pl.exceptions.PanicException):
            pass  # a line that is not JSON: found below
        else:
            if fields.height == work.height:
                return pl.concat([work, fields], how="horizontal"), _empty_bad()
    try:
        out = work.with_columns(pl.col("text").str.json_decode(dtype).alias("_j")).unnest("_j")
        return out, _empty_bad()
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException):
        if work.height <= 1:
            empty = work.clear().with_columns(
                pl.lit(None, dtype=pl.Utf8).alias(f.name) for f in dtype.fields
            )
            return empty, work.select("line", reason=pl.lit("not a JSON object"))
    half = work.height // 2
    a, a_bad = _decode_json(work.slice(0, half), dtype)
    b, b_bad = _decode_json(work.slice(half), dtype)
    return pl.concat([a, b]), pl.concat([a_bad, b_bad])


def _zeek_rows(df: pl.DataFrame, kind: str, count_problem: str) -> Parsed:
    ts = pl.col("ts")
    df = df.with_columns(
        ts=pl.when(ts.str.contains("T", literal=True))
        .then(ts.str.to_datetime(time_zone="UTC", strict=False).dt.epoch("s"))
        .otherwise(_epoch("ts")),
        client=pl.col("id.orig_h"),
        blocked=pl.lit(False),
    )
    if kind == "dns":
        # A dns.log record with no question (query "-") asked for no name: not a request.
        df = df.filter(~(pl.col("_whole") & pl.col("query").is_null()))
        df = df.with_columns(host=pl.col("query"))
    checks = [
        (pl.col("_whole"), count_problem),
        (pl.col("ts").is_not_null(), "bad time: expected seconds since 1970"),
    ]
    good, bad = _sort_out(df, checks)
    good = _clean_names(good) if kind == "dns" else _zeek_http_hosts(good)
    return _need_host(good, bad)


def _zeek_http_hosts(df: pl.DataFrame) -> pl.DataFrame:
    """Host from the Host header, else from an absolute or host:port URI, else the server's
    address; path only for a request for a path (Zeek's http.log is plain HTTP)."""
    for name in ("method", "username", "response_body_len", "id.resp_h", "host", "uri"):
        if name not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=pl.Utf8).alias(name))
    uri = pl.col("uri")
    rest = uri.str.strip_prefix("http://")
    slash = rest.str.find("/", literal=True)
    df = df.with_columns(
        host=pl.coalesce(
            "host",
            pl.when(uri.str.starts_with("/"))
            .then(None)
            .otherwise(rest.str.strip_prefix("https://")),
            "id.resp_h",
        ),
        path=pl.when(pl.col("method") == "CONNECT")
        .then(None)
        .when(uri.str.starts_with("/"))
        .then(uri)
        .when(uri.str.starts_with("http://"))
        .then(pl.when(slash.is_null()).then(pl.lit("/")).otherwise(rest.str.slice(slash))),
        user=pl.col("username"),
        bytes=pl.col("response_body_len").str.to_integer(strict=False),
    )
    return _clean_hosts(df)
