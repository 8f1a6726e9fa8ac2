"""Reading proxy and DNS logs into rows (`fairwatch.weblogs.formats`).

Hand-made lines pin the behaviour of each format (there is no real e2guardian or Squid
common/combined log to test on, so those lines are built from the formats' documentation);
the real samples in the shared data folder, used in place and never copied here, check each
parser on what the software really writes; Hypothesis checks that no text makes a parser fail
and that every line is accounted for exactly once.
"""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairwatch.weblogs import formats
from fairwatch.weblogs.records import BAD_SCHEMA, SCHEMA

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "weblogs"
needs_data = pytest.mark.skipif(
    not DATA.is_dir(), reason="the real log samples (../shared/data/weblogs) are not here"
)
LONDON = ZoneInfo("Europe/London")


def lines_of(texts: list[str], first: int = 1) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "line": pl.Series(range(first, first + len(texts)), dtype=pl.UInt64),
            "text": pl.Series(texts, dtype=pl.Utf8),
        }
    )


def parse(fmt: str, texts: list[str], **kwargs) -> tuple[pl.DataFrame, pl.DataFrame]:
    return formats.parse(fmt, lines_of(texts), **kwargs)


def utc(*when: int) -> int:
    return int(datetime(*when, tzinfo=UTC).timestamp())


def london(*when: int) -> int:
    return int(datetime(*when, tzinfo=LONDON).timestamp())


def read_sample(path: Path) -> list[str]:
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    texts = raw.decode("utf-8", errors="replace").split("\n")
    return texts[:-1] if texts and texts[-1] == "" else texts


def header_of(texts: list[str]) -> list[str] | None:
    for text in texts:
        if text.startswith("#fields\t"):
            return text.split("\t")[1:]
    return None


def sample_files() -> list[Path]:
    if not DATA.is_dir():
        return []
    return sorted(p for p in DATA.rglob("*") if p.is_file() and not p.name.startswith("README"))


def expected_format(path: Path) -> str:
    folder = path.parent.name
    if folder == "zeek":
        return "zeek-http" if "http" in path.name else "zeek-dns"
    return folder


def sample(name: str) -> Path:
    [path] = [p for p in sample_files() if p.name == name]
    return path


def parse_sample(name: str, **kwargs) -> tuple[list[str], pl.DataFrame, pl.DataFrame]:
    path = sample(name)
    texts = read_sample(path)
    rows, bad = formats.parse(
        expected_format(path), lines_of(texts), header=header_of(texts), **kwargs
    )
    return texts, rows, bad


def row(rows: pl.DataFrame, line: int) -> dict:
    [found] = rows.filter(pl.col("line") == line).to_dicts()
    return found


# ---------------------------------------------------------------------------------------------
# Telling the format


@needs_data
@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.name)
def test_it_names_the_format_of_every_real_sample(path):
    head = [t for t in read_sample(path) if t.strip()][:50]
    assert formats.detect(head) == expected_format(path)


SQUID_LINE = (
    "1700000000.123    452 10.0.0.5 TCP_MISS/200 5120 GET http://www.bbc.co.uk/news alice "
    "HIER_DIRECT/151.101.0.81 text/html"
)
COMMON_LINE = (
    '10.0.0.5 - alice [26/Nov/2026:08:00:01 +0000] "GET http://www.bbc.co.uk/news HTTP/1.1" '
    "200 5120 TCP_MISS:HIER_DIRECT"
)
COMBINED_LINE = (
    '10.0.0.5 - - [26/Nov/2026:08:00:01 +0000] "CONNECT www.google.com:443 HTTP/1.1" 200 5120 '
    '"-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64)" TCP_TUNNEL:HIER_DIRECT'
)
E2G_LINE = (
    "2026.11.26 08:00:01 alice 10.0.0.5 http://www.bbc.co.uk/news  GET 5120 0  1 200 "
    "text/html 10.0.0.5 Staff"
)
E2G_DENIED = (
    "2026.11.26 08:00:02  10.0.0.6 https://casino.example:443 *DENIED* Banned site: "
    "casino.example CONNECT 0 0 Gambling 1 403 -  Staff"
)


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        ([SQUID_LINE] * 3, "squid"),
        ([COMMON_LINE, COMBINED_LINE], "squid-common"),
        ([E2G_LINE, E2G_DENIED], "e2guardian"),
        ([E2G_LINE.replace(" ", "\t").replace("08:00:01", "08 00 01")], None),
        (["2026.11.26 08:00:01\talice\t10.0.0.5\thttp://a.example/\t\tGET\t1\t0"], "e2guardian"),
        (['{"ts": 1.5, "id.orig_h": "10.0.0.5", "host": "a.example", "uri": "/"}'], "zeek-http"),
        (['{"ts": 1.5, "id.orig_h": "10.0.0.5", "query": "a.example", "qtype": 1}'], "zeek-dns"),
        (["#separator \\x09", "#path\tdns"], "zeek-dns"),
    ],
)
def test_it_tells_hand_made_formats_apart(texts, expected):
    assert formats.detect(texts) == expected


@pytest.mark.parametrize(
    "texts",
    [
        [],
        ["", "   "],
        ["hello world", "this is not a log"],
        # A web server's own combined log asks for paths, not whole URLs: not a proxy's.
        ['10.0.0.5 - - [26/Nov/2026:08:00:01 +0000] "GET /index.html HTTP/1.1" 200 512 "-" "x"'],
        # Half one format, half another: unsure.
        [SQUID_LINE, E2G_LINE],
        ["{not json", "{also not"],
    ],
)
def test_it_is_unsure_of_what_is_not_clearly_one_format(texts):
    assert formats.detect(texts) is None


# ---------------------------------------------------------------------------------------------
# What every parser returns


@pytest.mark.parametrize("fmt", formats.FORMATS)
def test_every_format_returns_the_schema_in_order_even_for_nothing(fmt):
    for texts in ([], ["# only a comment", ""], ["rubbish"]):
        rows, bad = parse(fmt, texts, header=["ts", "id.orig_h", "host", "uri", "query"])
        assert rows.schema == pl.Schema(SCHEMA)
        assert bad.schema == pl.Schema(BAD_SCHEMA)


def test_an_unknown_format_or_time_zone_is_a_mistake_in_the_caller():
    with pytest.raises(ValueError, match="unknown log format"):
        parse("apache", [SQUID_LINE])
    with pytest.raises(ValueError, match="unknown time zone"):
        parse("bind", [SQUID_LINE], tz="Europe/Atlantis")


# ---------------------------------------------------------------------------------------------
# Squid native


def test_it_reads_a_squid_native_line_field_by_field():
    rows, bad = parse("squid", [SQUID_LINE])
    assert bad.is_empty()
    assert rows.to_dicts() == [
        {
            "line": 1,
            "ts": 1700000000,
            "client": "10.0.0.5",
            "user": "alice",
            "host": "www.bbc.co.uk",
            "path": "/news",
            "blocked": False,
            "bytes": 5120,
            "kind": "web",
        }
    ]


def squid_line(code: str, method: str, url: str, user: str = "-") -> str:
    return f"1700000000.001    123 10.0.0.5 {code} 9203 {method} {url} {user} HIER_DIRECT/1.2.3.4 -"


def test_a_squid_connect_has_the_host_without_its_port_and_no_path():
    line = squid_line("TCP_TUNNEL/200", "CONNECT", "s.yimg.jp:443")
    [got] = parse("squid", [line])[0].to_dicts()
    assert (got["host"], got["path"], got["user"]) == ("s.yimg.jp", None, None)


def test_a_request_squid_denied_is_blocked():
    texts = [
        squid_line("TCP_DENIED/403", "GET", "http://bad.example/"),
        squid_line("TCP_DENIED_REPLY/403", "GET", "http://b.example/"),
        squid_line("TCP_MISS/403", "GET", "http://c.example/"),
    ]
    assert parse("squid", texts)[0]["blocked"].to_list() == [True, True, False]


@pytest.mark.parametrize(
    ("url", "host", "path"),
    [
        ("http://WWW.Example.COM:8080/A/b?C=d", "www.example.com", "/A/b?C=d"),
        ("http://example.net", "example.net", "/"),
        ("http://example.net.:80/x", "example.net", "/x"),
        ("https://secure.example/login?next=/", "secure.example", None),
        ("ftp://user:pw@Files.Example.org/pub/x", "files.example.org", None),
        ("http://bob@example.net/x?y=@z", "example.net", "/x?y=@z"),
        ("http://[2001:DB8::1]:8080/v6", "2001:db8::1", "/v6"),
        ("[2001:db8::1]:443", "2001:db8::1", None),
        ("10.1.2.3:443", "10.1.2.3", None),
        ("http://example.net/redirect?to=https://other.example/", "example.net", None),
    ],
)
def test_hosts_are_lower_case_without_user_port_brackets_or_trailing_dot(url, host, path):
    [got] = parse("squid", [squid_line("TCP_MISS/200", "GET", url)])[0].to_dicts()
    assert got["host"] == host
    if path is not None or not url.startswith("http://"):
        assert got["path"] == path


def test_squid_error_pseudo_urls_blank_and_comment_lines_are_skipped_not_bad():
    texts = [
        "1700000000.001      0 10.0.0.5 NONE/400 3919 NONE error:invalid-request - HIER_NONE/- -",
        "",
        "   ",
        "# a comment",
        SQUID_LINE + "\r",
    ]
    rows, bad = parse("squid", texts)
    assert bad.is_empty()
    assert rows["line"].to_list() == [5]
    assert rows["host"].to_list() == ["www.bbc.co.uk"]


def test_bad_squid_lines_are_reported_with_their_numbers_and_a_reason():
    good = SQUID_LINE
    texts = [
        good,
        "garbage",
        good.rsplit(" ", 1)[0],  # cut off: nine fields
        good.replace("1700000000.123", "-5.5"),
        good.replace("TCP_MISS/200", "TCP_MISS"),
        good.replace(" 5120 ", " lots "),
        good.replace(" alice ", "  "),  # an empty field where the user should be
        good.replace("http://www.bbc.co.uk/news", "http:///news"),
        good,
    ]
    rows, bad = parse("squid", texts)
    assert rows["line"].to_list() == [1, 9]
    reasons = dict(zip(bad["line"].to_list(), bad["reason"].to_list(), strict=True))
    assert reasons[2].startswith("not a Squid native line")
    assert reasons[3].startswith("not a Squid native line")
    assert reasons[4].startswith("bad time")
    assert reasons[5].startswith("bad result code")
    assert reasons[6].startswith("bad byte count")
    assert reasons[7].startswith("not a Squid native line")
    assert reasons[8] == "no host in the request"
    assert bad.filter(pl.col("line") == 2)["text"].item() == "garbage"


@needs_data
def test_the_real_squid_log_reads_whole():
    texts, rows, bad = parse_sample("kujiraitakahiro-ServerKittingForLinuC2_squid_access.log")
    assert bad.is_empty()
    assert rows.height == len(texts) == 122
    first, second = row(rows, 1), row(rows, 2)
    assert first["ts"] == utc(2018, 4, 2, 10, 5, 39)
    assert (first["client"], first["host"], first["path"]) == (
        "192.168.11.2",
        "www.google.com",
        None,
    )
    assert (second["host"], second["path"], second["bytes"]) == ("yahoo.co.jp", "/", 3857)
    assert rows["user"].null_count() == rows.height
    assert rows["line"].is_sorted()


# ---------------------------------------------------------------------------------------------
# Squid common and combined (hand-made from Squid's logformat documentation)


def test_it_reads_squid_common_and_combined_lines():
    texts = [
        COMMON_LINE,
        COMBINED_LINE,
        '10.0.0.6 - bob [26/Nov/2026:08:00:02 -0500] "GET http://bad.example/ HTTP/1.1" 403 3900 '
        '"http://ref.example/" "Mozilla \\"quoted\\"" TCP_DENIED:HIER_NONE',
        '10.0.0.7 - - [26/Nov/2026:08:00:03 +0100] "GET http://old.example/a HTTP/1.0" 200 -',
    ]
    rows, bad = parse("squid-common", texts)
    assert bad.is_empty()
    got = rows.select("ts", "client", "user", "host", "path", "blocked", "bytes").rows()
    assert got == [
        (utc(2026, 11, 26, 8, 0, 1), "10.0.0.5", "alice", "www.bbc.co.uk", "/news", False, 5120),
        (utc(2026, 11, 26, 8, 0, 1), "10.0.0.5", None, "www.google.com", None, False, 5120),
        (utc(2026, 11, 26, 13, 0, 2), "10.0.0.6", "bob", "bad.example", "/", True, 3900),
        (utc(2026, 11, 26, 7, 0, 3), "10.0.0.7", None, "old.example", "/a", False, None),
    ]
    assert rows["kind"].unique().to_list() == ["web"]


def test_bad_squid_common_lines_are_reported():
    texts = [
        COMMON_LINE.replace("26/Nov/2026", "31/Feb/2026"),
        COMMON_LINE.replace('"GET http://www.bbc.co.uk/news HTTP/1.1"', "GET"),
        COMMON_LINE.replace("http://www.bbc.co.uk/news", "/news"),
    ]
    rows, bad = parse("squid-common", texts)
    assert rows.is_empty()
    assert bad["reason"].to_list() == [
        "bad time: expected [dd/Mon/yyyy:HH:MM:SS +zzzz]",
        "not a Squid common or combined line",
        "no host in the request",
    ]


# ---------------------------------------------------------------------------------------------
# e2guardian (hand-made from e2guardian's access log layout: when who from where what how
# size weight category group code mimetype clienthost groupname ...)


def test_it_reads_e2guardian_lines_in_its_default_space_separated_format():
    texts = [
        E2G_LINE,
        E2G_DENIED,
        "2026.1.5 8:03:04 carol 10.0.0.7 http://unpadded.example/p *EXCEPTION* Exception site "
        "match. POST 10 0  1 200 - 10.0.0.7 Staff",
        "2026.11.26 08:00:05 1795680005.123 dave 10.0.0.8 http://stamped.example/ GET 7 0",
    ]
    rows, bad = parse("e2guardian", texts)
    assert bad.is_empty()
    got = rows.select("ts", "client", "user", "host", "path", "blocked", "bytes").rows()
    assert got == [
        (london(2026, 11, 26, 8, 0, 1), "10.0.0.5", "alice", "www.bbc.co.uk", "/news", False, 5120),
        (london(2026, 11, 26, 8, 0, 2), "10.0.0.6", None, "casino.example", None, True, 0),
        (london(2026, 1, 5, 8, 3, 4), "10.0.0.7", "carol", "unpadded.example", "/p", False, 10),
        (london(2026, 11, 26, 8, 0, 5), "10.0.0.8", "dave", "stamped.example", "/", False, 7),
    ]


def test_it_reads_e2guardian_tab_separated_and_csv_lines():
    texts = [
        "2026.07.01 09:00:00\teve\t10.0.0.9\thttp://tab.example/x\t*DENIED* Banned phrase found."
        "\tPOST\t300\t150\tAdult\t1\t403\ttext/html\t10.0.0.9\tStaff\tMozilla\t\t\t\t",
        '"2026.07.01 09:00:01","","10.0.0.10","http://csv.example/q","","GET","42","0","",'
        '"1","200","text/html","10.0.0.10","Staff","","","","",""',
    ]
    rows, bad = parse("e2guardian", texts)
    assert bad.is_empty()
    assert rows.select("ts", "user", "host", "blocked", "bytes").rows() == [
        (utc(2026, 7, 1, 8, 0, 0), "eve", "tab.example", True, 300),
        (utc(2026, 7, 1, 8, 0, 1), None, "csv.example", False, 42),
    ]


def test_e2guardian_times_are_local_and_a_time_the_clocks_skipped_is_bad():
    texts = [
        E2G_LINE.replace("2026.11.26 08:00:01", "2026.03.29 01:30:00"),  # clocks went forward
        E2G_LINE.replace("2026.11.26 08:00:01", "2026.10.25 01:30:00"),  # happened twice
        E2G_LINE.replace("2026.11.26 08:00:01", "2026.13.01 08:00:00"),
        "not an e2guardian line",
    ]
    rows, bad = parse("e2guardian", texts, tz="Europe/London")
    assert rows["ts"].to_list() == [utc(2026, 10, 25, 0, 30, 0)]  # the earlier, summer-time one
    assert bad["line"].to_list() == [1, 3, 4]
    assert bad["reason"].to_list() == [
        "bad time: not a real date and time in Europe/London",
        "bad time: not a real date and time in Europe/London",
        "not an e2guardian access log line",
    ]


# ---------------------------------------------------------------------------------------------
# BIND


@needs_data
@pytest.mark.parametrize(
    ("name", "count", "first"),
    [
        (
            "sunilbinghamton-DNS-activity-monitor_queries.log",
            1544,
            (utc(2015, 11, 12, 23, 34, 8), "127.0.0.1", "cnn.com"),
        ),
        (
            "sunilbinghamton-DNS-activity-monitor_queries1.log",
            19,
            (utc(2014, 10, 13, 13, 43, 44), "10.0.0.2", "amazon.com"),
        ),
        (
            "sunilbinghamton-DNS-activity-monitor_queries2.log",
            623,
            (utc(2015, 11, 10, 15, 20, 34), "127.0.0.1", "wikipedia.com"),
        ),
    ],
)
def test_the_real_bind_logs_read_whole(name, count, first):
    texts, rows, bad = parse_sample(name)
    assert bad.is_empty()
    assert rows.height == count == sum(1 for t in texts if " query: " in t)
    got = row(rows, 1)
    assert (got["ts"], got["client"], got["host"]) == first
    assert not rows["blocked"].any()
    assert rows["kind"].unique().to_list() == ["dns"]


def test_it_reads_bind_lines_of_every_vintage():
    texts = [
        "26-Nov-2026 08:00:01.123 client @0x7f1234567890 10.0.0.5#5353 (Example.COM.): "
        "query: Example.COM. IN A +E(0) (10.0.0.1)",
        "26-Nov-2026 08:00:02.000 queries: info: client @0x7f1234567890 10.0.0.6#5353 "
        "(b.example): view internal: query: b.example IN AAAA +E(0)K (10.0.0.1)",
        "Nov 26 08:00:03 ns1 named[1234]: client @0x7f12 2001:db8::5#5353 (c.example): "
        "query: c.example IN A + (2001:db8::1)",
        "2026-11-26T08:00:04.123Z client 10.0.0.7#5353: query: d.example IN A + (10.0.0.1)",
        "2026-07-01T09:00:05.123 client 10.0.0.8#5353 (e.example): query: e.example IN A + (::1)",
        "26-Nov-2026 08:00:06.000 client 10.0.0.9#5353 (0/25.2.0.192.in-addr.arpa): "
        "query: 0/25.2.0.192.IN-ADDR.ARPA IN PTR + (10.0.0.1)",
    ]
    rows, bad = parse("bind", texts, year=2026)
    assert bad.is_empty()
    assert rows.select("ts", "client", "host").rows() == [
        (utc(2026, 11, 26, 8, 0, 1), "10.0.0.5", "example.com"),
        (utc(2026, 11, 26, 8, 0, 2), "10.0.0.6", "b.example"),
        (utc(2026, 11, 26, 8, 0, 3), "2001:db8::5", "c.example"),
        (utc(2026, 11, 26, 8, 0, 4), "10.0.0.7", "d.example"),
        (utc(2026, 7, 1, 8, 0, 5), "10.0.0.8", "e.example"),
        (utc(2026, 11, 26, 8, 0, 6), "10.0.0.9", "0/25.2.0.192.in-addr.arpa"),  # a name, no port
    ]


def test_bind_messages_that_are_not_queries_are_skipped_and_broken_queries_are_bad():
    texts = [
        "26-Nov-2026 08:00:01.123 client 10.0.0.5#5353 (x.example): query failed (REFUSED) "
        "for x.example/IN/A at query.c:123",
        "26-Nov-2026 08:00:01.123 general: info: zone example.com/IN: loaded serial 1",
        "client @0x7f1234567890 10.0.0.5#5353 (a.example): query: a.example IN A + (10.0.0.1)",
        "26-Nov-2026 08:00:01.123 client 10.0.0.5#53 query: cut off",
    ]
    rows, bad = parse("bind", texts)
    assert rows.is_empty()
    assert bad["line"].to_list() == [3, 4]
    assert bad["reason"][0].startswith("no time on the line")
    assert bad["reason"][1] == "not a BIND query line"


# ---------------------------------------------------------------------------------------------
# dnsmasq and Pi-hole


def blocked_by_reading(texts: list[str]) -> list[bool]:
    """The same rule as the parser's, written plainly: a query is blocked when the next line
    about its name (not another query) is one of Pi-hole's refusals."""
    name_of = re.compile(r"dnsmasq\[\d+\]: (?:query\[\w+\] (\S+) from|(.+?) (\S+) (?:is|to) )")
    refusals = ("gravity blocked", "regex blacklisted", "exactly blacklisted", "special domain")
    events = []
    for text in texts:
        m = name_of.search(text)
        if not m:
            events.append((None, None))
        elif m.group(1):
            events.append(("query", m.group(1).lower()))
        else:
            events.append(("blocked" if m.group(2) in refusals else "other", m.group(3).lower()))
    out = []
    for i, (kind, name) in enumerate(events):
        if kind != "query":
            continue
        later = [k for k, n in events[i + 1 :] if n == name and k != "query"]
        out.append(bool(later) and later[0] == "blocked")
    return out


@needs_data
def test_the_real_pihole_log_marks_the_queries_gravity_blocked():
    texts, rows, bad = parse_sample("bazmonk-junk_full_pihole.log", year=2024)
    assert bad.is_empty()
    assert rows["blocked"].to_list() == blocked_by_reading(texts)
    assert rows["blocked"].sum() > 200
    first = row(rows, 1)  # May  8 01:57:00 dnsmasq[71314]: query[AAAA] www.google.com from ...
    assert (first["ts"], first["client"], first["host"]) == (
        utc(2024, 5, 8, 0, 57, 0),
        "192.168.1.116",
        "www.google.com",
    )
    blocked = rows.filter(pl.col("host") == "pagead2.googlesyndication.com")["blocked"]
    assert blocked.len() > 0 and blocked.all()


@needs_data
@pytest.mark.parametrize(
    "name",
    [
        "DHBW-Coding-wilan_of_shame_backend_dnsmasq.log",
        "bazmonk-junk_pihole.log",
        "zurdelli-andy_pihole.log",
        "pkimSec-pihole-logfile-reader_pihole.log",
    ],
)
def test_the_real_dnsmasq_logs_give_one_row_per_query(name):
    texts, rows, bad = parse_sample(name, year=2024)
    assert bad.is_empty()
    assert rows.height == sum(1 for t in texts if re.search(r": query\[\w+\] \S+ from ", t))
    assert rows["ts"].null_count() == 0
    assert rows["line"].is_sorted()
    # The captive portal's "config NAME is 192.168.0.164" answers are not blocks.
    assert not rows["blocked"].any()


@needs_data
def test_dnsmasq_run_in_the_foreground_has_no_times_so_its_queries_are_bad():
    # A documented few: this real log was captured from dnsmasq's own output, which carries
    # no time at all, so its queries cannot be put on a day.
    texts, rows, bad = parse_sample("RonA4-ex1_Evil_Twin_dnsmasq.log", year=2024)
    assert rows.is_empty()
    assert bad.height == sum(1 for t in texts if "query[" in t and "dnssec" not in t) == 37
    assert bad["reason"].unique().to_list() == [
        "no time on the line: log to a file (log-facility) or to syslog"
    ]


def test_dnsmasq_queries_are_blocked_when_a_refusal_follows_for_the_same_name():
    texts = [
        "Nov 26 08:00:01 dnsmasq[123]: query[A] ads.example.com from 10.0.0.5",
        "Nov 26 08:00:01 dnsmasq[123]: query[A] www.example.com from 10.0.0.6",
        "Nov 26 08:00:01 dnsmasq[123]: query[AAAA] ads.example.com from 10.0.0.5",
        "Nov 26 08:00:01 dnsmasq[123]: forwarded www.example.com to 1.1.1.1",
        "Nov 26 08:00:01 dnsmasq[123]: gravity blocked ads.example.com is 0.0.0.0",
        "Nov 26 08:00:01 dnsmasq[123]: gravity blocked ads.example.com is ::",
        "Nov 26 08:00:02 dnsmasq[123]: reply www.example.com is 93.184.216.34",
        "Nov 26 08:00:03 dnsmasq[123]: query[A] track.example from 10.0.0.5",
        "Nov 26 08:00:03 dnsmasq[123]: regex blacklisted track.example is 0.0.0.0",
        "Nov 26 08:00:04 dnsmasq[123]: query[A] sink.example from 10.0.0.5",
        "Nov 26 08:00:04 dnsmasq[123]: config sink.example is 0.0.0.0",
        "Nov 26 08:00:05 dnsmasq[123]: query[A] nas.lan from 10.0.0.5",
        "Nov 26 08:00:05 dnsmasq[123]: config nas.lan is NXDOMAIN",
        "Nov 26 08:00:06 dnsmasq[123]: query[A] old.example from 10.0.0.5",
        "Nov 26 08:00:06 dnsmasq[123]: /etc/pihole/gravity.list old.example is 0.0.0.0",
    ]
    rows, bad = parse("dnsmasq", texts, year=2026)
    assert bad.is_empty()
    assert rows.select("line", "host", "blocked").rows() == [
        (1, "ads.example.com", True),
        (2, "www.example.com", False),
        (3, "ads.example.com", True),
        (8, "track.example", True),
        (10, "sink.example", True),
        (12, "nas.lan", False),
        (14, "old.example", True),
    ]


def test_it_reads_dnsmasq_under_syslog_iso_times_and_extra_logging():
    texts = [
        "Nov  6 08:00:02 pihole dnsmasq[123]: query[A] WWW.Example.com. from 10.0.0.6",
        "2026-11-26T08:00:04.123456+01:00 gw dnsmasq[9]: query[A] iso.example from 10.0.0.8",
        "Nov 26 08:00:03 dnsmasq[123]: 17 10.0.0.7/5353 query[A] extra.example from 10.0.0.7",
        "Nov 26 08:00:05 dnsmasq-dhcp[123]: DHCPACK(eth0) 10.0.0.9 aa:bb:cc:dd:ee:ff laptop",
        "Nov 26 08:00:05 dnsmasq[123]: query[A] cut-off",
        "Feb 30 08:00:05 dnsmasq[123]: query[A] baddate.example from 10.0.0.5",
    ]
    rows, bad = parse("dnsmasq", texts, year=2026)
    assert rows.select("ts", "client", "host").rows() == [
        (utc(2026, 11, 6, 8, 0, 2), "10.0.0.6", "www.example.com"),
        (utc(2026, 11, 26, 7, 0, 4), "10.0.0.8", "iso.example"),
        (utc(2026, 11, 26, 8, 0, 3), "10.0.0.7", "extra.example"),
    ]
    assert bad.select("line", "reason").rows() == [
        (5, "not a dnsmasq query line"),
        (6, "bad time: not a real date and time in Europe/London"),
    ]


def test_dnsmasq_without_a_year_takes_the_latest_time_that_is_not_in_the_future():
    """A syslog time has no year: yesterday's is this year's (or last year's on 1 January),
    and one a few days ahead of today is last year's, so a log that runs from December into
    January is read right in January. A year given is used as it is."""
    from datetime import timedelta

    now = datetime.now(LONDON)

    def line(when: datetime) -> str:
        return f"{when:%b} {when.day:2d} 12:00:00 dnsmasq[1]: query[A] a.example from 10.0.0.5"

    past, ahead = now - timedelta(days=1), now + timedelta(days=3)
    got_past, got_ahead = parse("dnsmasq", [line(past), line(ahead)])[0]["ts"].to_list()
    assert got_past == london(past.year, past.month, past.day, 12, 0, 0)
    assert got_ahead == london(ahead.year - 1, ahead.month, ahead.day, 12, 0, 0)
    fixed = parse("dnsmasq", [line(ahead)], year=2020)[0]["ts"].item()
    assert fixed == london(2020, ahead.month, ahead.day, 12, 0, 0)


# ---------------------------------------------------------------------------------------------
# Zeek


@needs_data
@pytest.mark.parametrize(
    ("tsv", "json_lines", "count"),
    [
        ("activecm-rita_valid_tsv_http.log.gz", "activecm-rita_valid_json_http.log.gz", 27204),
        (
            "brimdata-zed-sample-data_zeek-default_dns.log.gz",
            "brimdata-zed-sample-data_zeek-json_dns.json.gz",
            53601,
        ),
    ],
)
def test_zeek_tab_separated_and_json_logs_of_the_same_traffic_give_the_same_rows(
    tsv, json_lines, count
):
    _, from_tsv, tsv_bad = parse_sample(tsv)
    _, from_json, json_bad = parse_sample(json_lines)
    assert tsv_bad.is_empty() and json_bad.is_empty()
    columns = ["ts", "client", "user", "host", "path", "bytes", "blocked", "kind"]
    assert from_tsv.height == from_json.height == count
    assert from_tsv.select(columns).sort(columns).equals(from_json.select(columns).sort(columns))


@needs_data
def test_the_real_zeek_http_log_has_hosts_paths_users_and_sizes():
    texts, rows, bad = parse_sample("activecm-rita_json_with_all_fields_http.log")
    assert bad.is_empty()
    first = row(rows, 1)
    assert first["ts"] == 1517422328
    assert (first["client"], first["host"], first["bytes"]) == (
        "10.55.100.105",
        "gm.mmstat.com",
        43,
    )
    assert first["path"].startswith("/sc.13.1?cache=70ebbd")
    # User names are checked against the file itself, so none is written down here.
    logged = [json.loads(t).get("username") for t in texts]
    assert rows["user"].to_list() == [None if u in (None, "-") else u for u in logged]
    assert rows["user"].null_count() < rows.height


@needs_data
def test_zeek_proxy_connects_have_the_host_and_no_path():
    texts, rows, bad = parse_sample("activecm-rita_proxy_http.log")
    assert bad.is_empty()
    assert rows.height == sum(1 for t in texts if t and not t.startswith("#")) == 407
    assert rows["path"].null_count() == rows.height
    assert row(rows, 9)["host"] == "www.google.com"


@needs_data
@pytest.mark.parametrize(
    "name", ["zeek-btest-baseline_opt.basic_http.log", "zeek-btest-baseline_opt.basic_dns.log"]
)
def test_zeek_test_suite_baselines_have_blanked_times_so_every_record_is_bad(name):
    # A documented few: Zeek's own test suite replaces each time with XXXXXXXXXX.XXXXXX.
    texts, rows, bad = parse_sample(name)
    assert rows.is_empty()
    assert bad.height == sum(1 for t in texts if t and not t.startswith("#"))
    assert bad["reason"].unique().to_list() == ["bad time: expected seconds since 1970"]


HTTP_FIELDS = ["ts", "uid", "id.orig_h", "method", "host", "uri", "username", "response_body_len"]
DNS_FIELDS = ["ts", "uid", "id.orig_h", "query", "qtype_name"]


def test_zeek_tsv_reads_with_the_header_it_is_given_and_any_in_the_chunk():
    texts = [
        "1700000000.5\tC1\t10.0.0.5\tGET\tExample.COM:8080\t/a?b=c\tbob\t512",
        "1700000001.5\tC2\t10.0.0.6\tCONNECT\t-\tsecure.example:443\t-\t0",
        "1700000002.5\tC3\t10.0.0.7\tGET\t-\thttp://proxy.example/p\t-\t-",
        "1700000003.5\tC4\t10.0.0.8\tGET",
        "#fields\tts\tid.orig_h\thost\turi",
        "1700000004.5\t10.0.0.9\tnew.example\t/n",
    ]
    rows, bad = parse("zeek-http", texts, header=HTTP_FIELDS)
    assert rows.select("line", "ts", "client", "user", "host", "path", "bytes").rows() == [
        (1, 1700000000, "10.0.0.5", "bob", "example.com", "/a?b=c", 512),
        (2, 1700000001, "10.0.0.6", None, "secure.example", None, 0),
        (3, 1700000002, "10.0.0.7", None, "proxy.example", "/p", None),
        (6, 1700000004, "10.0.0.9", None, "new.example", "/n", None),
    ]
    assert bad.select("line", "reason").rows() == [(4, "expected 8 tab-separated fields")]


def test_zeek_tsv_without_a_usable_header_is_bad_line_by_line():
    texts = ["1700000000.5\tC1\t10.0.0.5\ta.example"]
    _, bad = parse("zeek-dns", texts)
    assert bad["reason"].to_list() == ["no #fields line above it: its columns are unknown"]
    _, bad = parse("zeek-dns", texts, header=["ts", "uid", "id.orig_h", "name"])
    assert bad["reason"].to_list() == ["the #fields line has no query column: not a Zeek dns.log"]


def test_zeek_dns_records_without_a_question_are_skipped():
    texts = [
        "1700000000.5\tC1\t10.0.0.5\tA.Example.\tA",
        "1700000001.5\tC2\t10.0.0.5\t-\t-",
        '{"ts": "2026-11-26T08:00:00.5Z", "id.orig_h": "10.0.0.6", "query": "b.example"}',
        '{"ts": 1700000002.5, "id.orig_h": "10.0.0.6"}',
    ]
    rows, bad = parse("zeek-dns", texts, header=DNS_FIELDS)
    assert bad.is_empty()
    assert rows.select("line", "ts", "host").rows() == [
        (1, 1700000000, "a.example"),
        (3, utc(2026, 11, 26, 8, 0, 0), "b.example"),
    ]


def test_zeek_json_lines_that_are_not_json_are_bad_and_the_rest_still_read():
    good = '{"ts": 1700000000.5, "id.orig_h": "10.0.0.5", "host": "a.example", "uri": "/x"}'
    texts = [good, "{not json", good, '{"ts": [1, 2]}', good, "{", good, good]
    rows, bad = parse("zeek-http", texts)
    assert rows["line"].to_list() == [1, 3, 5, 7, 8]
    assert bad.select("line", "reason").rows() == [
        (2, "not a JSON object"),
        (4, "bad time: expected seconds since 1970"),  # an object, but its ts is no time
        (6, "not a JSON object"),
    ]


# ---------------------------------------------------------------------------------------------
# Properties


def skippable(fmt: str, text: str) -> bool:
    """Whether a line may be skipped (counted neither as a row nor as bad) by `fmt`."""
    text = text.removesuffix("\r")
    if not text.strip() or text.startswith("#"):
        return True
    if fmt == "squid":
        return "error:" in text
    if fmt == "bind":
        return "query: " not in text
    if fmt == "dnsmasq":
        # A request is a dnsmasq line whose message starts with query[ (see the module).
        asks = re.search(r"(?:^|: )query\[|dnsmasq(?:\[\d+\])?: \d+ [^ /]+/\d+ query\[", text)
        return "dnsmasq" not in text or not asks
    if fmt == "zeek-dns":
        if text.startswith("{"):
            try:
                record = json.loads(text)
            except ValueError:
                return False
            return isinstance(record, dict) and record.get("query") in (None, "-", "(empty)", "")
        fields = text.split("\t")
        return len(fields) == len(DNS_FIELDS) and fields[3] in ("-", "(empty)", "")
    return False


# Text that looks a little like log lines, so the parsers get past their first checks.
log_alphabet = st.sampled_from(
    list(' \t:/.-#[]()"{}@0123456789aAzZ') + ["query[A] ", " from ", "dnsmasq[1]: ", "http://"]
)
log_like = st.lists(log_alphabet, max_size=40).map("".join)
any_text = st.one_of(st.text(max_size=60), log_like)


@pytest.mark.parametrize("fmt", formats.FORMATS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(any_text, max_size=12))
def test_any_text_never_raises_and_every_line_is_accounted_for_once(fmt, texts):
    header = DNS_FIELDS if fmt == "zeek-dns" else HTTP_FIELDS
    rows, bad = parse(fmt, texts, header=header, year=2026)
    good_lines, bad_lines = rows["line"].to_list(), bad["line"].to_list()
    assert len(set(good_lines)) == len(good_lines)
    assert len(set(bad_lines)) == len(bad_lines)
    assert not set(good_lines) & set(bad_lines)
    for number, text in enumerate(texts, 1):
        if number not in good_lines and number not in bad_lines:
            assert skippable(fmt, text), f"line {number} vanished: {text!r}"
    assert rows["host"].null_count() == 0
    assert (rows["host"].str.len_bytes() > 0).all()
    assert bad["text"].to_list() == [texts[n - 1] for n in bad_lines]


PROBLEM_LINES = st.sampled_from(
    ["garbage", "1700000000.1 1 10.0.0.1 TCP_MISS/200", "x" * 300, "\x00\x01", "é ü 漢字"]
)


@settings(max_examples=40, deadline=None)
@given(texts=st.lists(st.one_of(st.just(SQUID_LINE), PROBLEM_LINES), max_size=15))
def test_bad_lines_keep_their_own_numbers_among_good_ones(texts):
    rows, bad = parse("squid", texts)
    assert rows["line"].to_list() == [n for n, t in enumerate(texts, 1) if t == SQUID_LINE]
    assert bad["line"].to_list() == [n for n, t in enumerate(texts, 1) if t != SQUID_LINE]


labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
hosts = st.lists(labels, min_size=2, max_size=4).map(".".join)
ipv4 = st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t)))
users = st.one_of(st.just("-"), st.from_regex(r"[A-Za-z0-9._%@\\-]{1,20}", fullmatch=True))
paths = st.from_regex(r"/[A-Za-z0-9/._~%=&-]{0,30}(\?[A-Za-z0-9=&%]{0,20})?", fullmatch=True)


@st.composite
def squid_requests(draw):
    host = draw(hosts)
    shown = draw(st.sampled_from([host, host.upper(), host.title()]))
    port = draw(st.sampled_from(["", ":80", ":8080"]))
    kind = draw(st.sampled_from(["http", "https", "connect"]))
    path = draw(paths)
    if kind == "http":
        method, url, expect_path = "GET", f"http://{shown}{port}{path}", path
    elif kind == "https":
        method, url, expect_path = "GET", f"https://{shown}{port}{path}", None
    else:
        method, url, expect_path = "CONNECT", f"{shown}:443", None
    fields = {
        "seconds": draw(st.integers(0, 4_000_000_000)),
        "millis": draw(st.integers(0, 999)),
        "elapsed": draw(st.integers(0, 10_000_000)),
        "client": draw(ipv4),
        "code": draw(st.sampled_from(["TCP_MISS", "TCP_HIT", "TCP_TUNNEL", "TCP_DENIED"])),
        "status": draw(st.sampled_from([200, 204, 301, 403, 404, 503])),
        "bytes": draw(st.integers(0, 2**40)),
        "user": draw(users),
    }
    line = (
        f"{fields['seconds']}.{fields['millis']:03d} {fields['elapsed']:6d} {fields['client']} "
        f"{fields['code']}/{fields['status']:03d} {fields['bytes']} {method} {url} "
        f"{fields['user']} HIER_DIRECT/1.2.3.4 -"
    )
    return line, fields, host, expect_path


@settings(max_examples=150, deadline=None)
@given(requests=st.lists(squid_requests(), min_size=1, max_size=8))
def test_a_squid_line_built_from_valid_fields_reads_back_to_those_fields(requests):
    rows, bad = parse("squid", [line for line, *_ in requests])
    assert bad.is_empty()
    for got, (_, fields, host, path) in zip(rows.to_dicts(), requests, strict=True):
        assert got["ts"] == fields["seconds"]
        assert got["client"] == fields["client"]
        assert got["bytes"] == fields["bytes"]
        assert got["user"] == (None if fields["user"] == "-" else fields["user"])
        assert got["blocked"] == (fields["code"] == "TCP_DENIED")
        assert got["host"] == host
        assert got["path"] == path
