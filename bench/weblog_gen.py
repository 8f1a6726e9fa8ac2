"""Large Squid access logs of a realistic shape, for the ingest benchmark (issue 6).

`write_squid` invents a school's proxy log: about 450 staff and pupil accounts browsing over
four school weeks, busy in lessons, quieter at lunch, nearly silent at night and at weekends.
Each account keeps one client address per day (DHCP on 10.x networks); about one line in ten
has no user name (devices and services checking for updates and certificates). Three lines in
four are `CONNECT host:443` tunnels, the rest plain-HTTP requests with paths; about 2% are
refused (`TCP_DENIED/403`). Hosts follow a Zipf-like popularity: a head of everyday services
(Google, Microsoft 365, YouTube with its numbered video servers, the BBC, CDNs) and a long
tail of invented sites. When the caller passes real domains (from the UT1 lists) a few per
cent of the traffic goes to them and their subdomains, so categorising has real matches.

`write_squid_from_samples` scales up the real Squid sample instead: the same lines, repeated
with their times moved forward on each repetition.

The lines are Squid's native format exactly as Squid writes it:
`%ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt`.

Speed: every column is drawn for a million lines at a time with Polars and PyArrow (no loop
per line in Python): numbers come from tables of ready-made strings, so the only per-line
work is picking indices and joining strings. A background thread compresses and writes one
chunk while the next is drawn. The output depends only on the seed and the arguments (and
the PyArrow release, whose generator draws the numbers).

Run it from the command line: `python bench/weblog_gen.py OUT --lines N [--gzip]`.
"""

from __future__ import annotations

import argparse
import gzip as gzip_module
import hashlib
import io
import math
import random
import re
import string
import sys
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pyarrow.compute as pc

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parents[1] / "shared" / "data" / "weblogs" / "squid"

# A Monday in January: UK schools are on GMT then, so local school hours are UTC hours.
DEFAULT_START = datetime(2026, 1, 12, tzinfo=UTC)
DAYS = 28  # four school weeks
CHUNK_LINES = 1_000_000
GZIP_LEVEL = 1  # 3x faster to write than logrotate's 6, a quarter bigger; as fast to read

STAFF_SHARE = 0.2
EMAIL_SHARE = 0.15  # accounts that log in with their email address rather than a short name
UNAUTH_SHARE = 0.10  # lines with no user name
CONNECT_SHARE = 0.75
BLOCKED_SHARE = 0.02
DOMAINS_SHARE = 0.04  # share of people's traffic that goes to the caller's domains
TAIL_SHARE = 0.25  # share of people's traffic that goes to the invented long tail
TAIL_SITES = 8000
USER_RUN = 6.0  # mean lines in a row from one client (a page and its resources)
HOST_RUN = 2.0  # mean lines in a row to one host within that
SCHOOL_MAIL = "school.example"
PUPIL_MAIL = "pupils.school.example"
TENANT = "oakfieldschool"  # the school's Microsoft 365 tenant name

EXACT = 100_000  # elapsed times and byte counts below this are written exactly
LARGE_STEPS = 20_000  # above it, they are picked from this many log-spaced values
MAX_ELAPSED_MS = 4 * 3600 * 1000
MAX_BYTES = 2_000_000_000


@dataclass(frozen=True)
class GenReport:
    """What a generator wrote: how much, of what variety, and how long it took."""

    path: Path
    lines: int
    bytes: int  # size of the file on disk (compressed when gzip)
    text_bytes: int  # size of the log text itself
    users: int  # distinct user names in it ("-" not counted)
    hosts: int  # distinct hosts
    blocked: int  # TCP_DENIED lines
    seconds: float

    @property
    def lines_per_second(self) -> float:
        return self.lines / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        return (
            f"{self.path}: {self.lines:,} lines, {self.text_bytes / 1e6:,.1f} MB of text "
            f"({self.bytes / 1e6:,.1f} MB on disk), {self.users:,} users, {self.hosts:,} hosts, "
            f"{self.blocked:,} blocked, in {self.seconds:.1f} s "
            f"({self.lines_per_second:,.0f} lines/s)"
        )


# --- Who browses -----------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    """The words of a block of text: lists of names and words kept compact."""
    return tuple(text.split())


FIRST_NAMES = _words(
    """
oliver george harry jack jacob charlie thomas oscar william james leo alfie henry joshua
freddie archie ethan isaac alexander joseph edward samuel max daniel arthur lucas mohammed
logan theo harrison benjamin mason sebastian finley adam dylan zachary riley teddy olivia
amelia isla ava emily sophia grace lily mia ella poppy evie isabella ruby jessica sophie
chloe daisy freya alice phoebe florence millie erin holly evelyn sienna matilda rosie imogen
aisha zara hannah layla nancy megan maryam elsie harriet lucy eleanor charlotte
"""
)

SURNAMES = _words(
    """
smith jones williams taylor brown davies evans wilson thomas johnson roberts robinson
thompson wright walker white edwards hughes green hall lewis harris clarke patel jackson
wood turner martin cooper hill ward morris moore clark lee king baker harrison morgan allen
james scott phillips watson davis parker price bennett young griffiths mitchell kelly cook
carter richardson bailey collins bell shaw murphy miller cox richards khan marshall anderson
simpson ellis adams singh begum wilkinson foster chapman powell webb rogers gray mason ali
hunt hussain campbell matthews owen palmer holmes mills barnes knight lloyd butler russell
barker fisher stevens jenkins murray dixon harvey graham pearson ahmed fletcher walsh kaur
gibson howard andrews stewart elliott reynolds saunders payne fox ford pearce
"""
)


@dataclass(frozen=True)
class _People:
    names: list[str]  # user names as logged; the last one is "-"
    staff: int  # the first `staff` accounts are staff, the rest pupils
    staff_cum: pl.Series  # cumulative activity weights, staff
    pupil_cum: pl.Series  # cumulative activity weights, pupils
    day_ips: pl.Series  # client address of account u on day d at d * accounts + u
    device_ips: list[str]  # printers, servers and other devices that browse without a name
    device_cum: pl.Series


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}{n}"
    taken.add(candidate)
    return candidate


def _people(rng: random.Random, users: int, days: int) -> _People:
    staff = max(1, round(users * STAFF_SHARE))
    taken: set[str] = set()
    names: list[str] = []
    for i in range(users):
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        if i < staff:
            short = _unique(f"{first[0]}{last}", taken)
            mail = f"{first}.{short[1:]}@{SCHOOL_MAIL}"
        else:
            intake = rng.randint(19, 25)  # the year the pupil joined: Year 13 down to Year 7
            short = _unique(f"{intake}{last}{first[0]}", taken)
            mail = f"{short}@{PUPIL_MAIL}"
        names.append(mail if rng.random() < EMAIL_SHARE else short)
    names.append("-")
    weights = [rng.lognormvariate(0.0, 0.6) for _ in range(users)]
    # Staff on 10.10.0.0/22, pupils on 10.20.0.0/21 (both wired and wireless), a fresh lease a day.
    staff_pool = [f"10.10.{i // 254}.{i % 254 + 1}" for i in range(max(4 * 254, 2 * staff))]
    pupil_pool = [f"10.20.{i // 254}.{i % 254 + 1}" for i in range(max(8 * 254, 2 * users))]
    day_ips: list[str] = []
    for _ in range(days):
        day_ips += rng.sample(staff_pool, staff) + rng.sample(pupil_pool, users - staff)
    devices = [f"10.0.{rng.choice((1, 2, 5))}.{rng.randint(2, 250)}" for _ in range(60)]
    return _People(
        names=names,
        staff=staff,
        staff_cum=pl.Series(weights[:staff]).cum_sum(),
        pupil_cum=pl.Series(weights[staff:]).cum_sum(),
        day_ips=pl.Series(day_ips),
        device_ips=devices,
        device_cum=pl.Series([1.0 / (k + 1) for k in range(len(devices))]).cum_sum(),
    )


# --- When they browse ------------------------------------------------------------------------

# (from, to, activity of people) on a school day, local time; 1.0 is a full lesson.
SCHOOL_DAY = [
    ("00:00", "07:00", 0.0),
    ("07:00", "07:45", 0.08),
    ("07:45", "08:30", 0.35),  # staff arrive, registration
    ("08:30", "10:40", 1.0),
    ("10:40", "11:00", 0.55),  # break
    ("11:00", "12:20", 1.0),
    ("12:20", "13:15", 0.4),  # lunch
    ("13:15", "15:10", 1.0),
    ("15:10", "16:30", 0.45),  # pupils leave; clubs and marking
    ("16:30", "18:00", 0.1),
    ("18:00", "24:00", 0.0),
]
LESSONS = [("08:30", "10:40"), ("11:00", "12:20"), ("13:15", "15:10")]
STAFF_IN_LESSONS, STAFF_OUT_OF_LESSONS = 0.22, 0.6  # share of people's lines that are staff
WEEKEND_PEOPLE = 0.004  # a member of staff catching up at the weekend


def _minute(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


@dataclass(frozen=True)
class _Clock:
    counts: list[int]  # lines in each minute from the start
    unauth: pl.Series  # per minute: chance a client run is a device with no user name
    staff: pl.Series  # per minute: chance a person's run is staff
    pupil_share: float  # share of people's lines that are pupils', overall


def _clock(rng: random.Random, lines: int, start: datetime, days: int) -> _Clock:
    weekday = [0.0] * 1440
    for begin, end, level in SCHOOL_DAY:
        for m in range(_minute(begin), _minute(end)):
            weekday[m] = level
    in_lessons = [False] * 1440
    for begin, end in LESSONS:
        for m in range(_minute(begin), _minute(end)):
            in_lessons[m] = True
    people: list[float] = []
    staff: list[float] = []
    for day in range(days):
        school_day = (start + timedelta(days=day)).weekday() < 5
        busy = rng.uniform(0.85, 1.15)  # some days are busier than others
        for m in range(1440):
            level = weekday[m] * busy if school_day else WEEKEND_PEOPLE
            people.append(level * rng.lognormvariate(0.0, 0.25))  # minute-to-minute jitter
            staff.append(STAFF_IN_LESSONS if school_day and in_lessons[m] else STAFF_OUT_OF_LESSONS)
    # Devices browse at an even rate all day: UNAUTH_SHARE of all lines.
    devices = sum(people) * UNAUTH_SHARE / (1 - UNAUTH_SHARE) / len(people)
    total = [p + devices for p in people]
    scale = lines / sum(total)
    counts, cumulative, done = [], 0.0, 0
    for weight in total:
        cumulative += weight * scale
        upto = round(cumulative)
        counts.append(upto - done)
        done = upto
    counts[-1] += lines - done
    people_mass = sum(people)
    pupil = sum(p * (1 - s) for p, s in zip(people, staff, strict=True)) / people_mass
    return _Clock(
        counts=counts,
        unauth=pl.Series([devices / t for t in total]),
        staff=pl.Series(staff),
        pupil_share=pupil,
    )


# --- Where they browse -----------------------------------------------------------------------

# (host, weight, scheme, group). "{n}" is a number and "{c}"/"{h}" a code: the row stands for
# several numbered hosts sharing the weight. Scheme: "s" https only, "h" plain HTTP only,
# "b" both. Group: "web" everyday use, "social" social media and games (often blocked for
# pupils), "bg" what devices and operating systems fetch by themselves.
HEAD_HOSTS: list[tuple[str, float, str, str]] = [
    ("www.google.com", 60, "b", "web"),
    ("www.google.co.uk", 40, "s", "web"),
    ("fonts.googleapis.com", 25, "s", "web"),
    ("fonts.gstatic.com", 25, "s", "web"),
    ("www.gstatic.com", 30, "s", "web"),
    ("ssl.gstatic.com", 10, "s", "web"),
    ("apis.google.com", 10, "s", "web"),
    ("accounts.google.com", 20, "s", "web"),
    ("clients{n}.google.com", 15, "s", "web"),
    ("lh{n}.googleusercontent.com", 12, "s", "web"),
    ("docs.google.com", 20, "s", "web"),
    ("drive.google.com", 10, "s", "web"),
    ("classroom.google.com", 15, "s", "web"),
    ("mail.google.com", 6, "s", "web"),
    ("play.google.com", 4, "s", "web"),
    ("www.googletagmanager.com", 20, "s", "web"),
    ("www.google-analytics.com", 18, "s", "web"),
    ("region1.google-analytics.com", 8, "s", "web"),
    ("pagead2.googlesyndication.com", 10, "s", "web"),
    ("tpc.googlesyndication.com", 6, "s", "web"),
    ("googleads.g.doubleclick.net", 10, "s", "web"),
    ("stats.g.doubleclick.net", 6, "s", "web"),
    ("content-autofill.googleapis.com", 8, "s", "web"),
    ("www.youtube.com", 40, "s", "web"),
    ("i.ytimg.com", 30, "s", "web"),
    ("i{n}.ytimg.com", 10, "s", "web"),
    ("yt3.ggpht.com", 10, "s", "web"),
    ("rr{n}---sn-{c}.googlevideo.com", 60, "s", "web"),
    ("youtubei.googleapis.com", 10, "s", "web"),
    ("login.microsoftonline.com", 35, "s", "web"),
    ("outlook.office365.com", 35, "s", "web"),
    ("outlook.office.com", 20, "s", "web"),
    ("www.office.com", 15, "s", "web"),
    ("teams.microsoft.com", 30, "s", "web"),
    ("statics.teams.cdn.office.net", 15, "s", "web"),
    ("graph.microsoft.com", 20, "s", "web"),
    (f"{TENANT}.sharepoint.com", 20, "s", "web"),
    (f"{TENANT}-my.sharepoint.com", 15, "s", "web"),
    ("res.cdn.office.net", 15, "s", "web"),
    ("aadcdn.msauth.net", 10, "s", "web"),
    ("login.live.com", 10, "s", "web"),
    ("substrate.office.com", 10, "s", "web"),
    ("www.bing.com", 10, "s", "web"),
    ("edge.microsoft.com", 8, "s", "web"),
    ("ntp.msn.com", 6, "s", "web"),
    ("assets.msn.com", 8, "s", "web"),
    ("img-s-msn-com.akamaized.net", 5, "s", "web"),
    ("www.bbc.co.uk", 20, "b", "web"),
    ("www.bbc.com", 6, "s", "web"),
    ("ichef.bbci.co.uk", 15, "s", "web"),
    ("static.files.bbci.co.uk", 10, "s", "web"),
    ("emp.bbci.co.uk", 4, "s", "web"),
    ("nav.files.bbci.co.uk", 4, "s", "web"),
    ("vod-dash-uk-live.akamaized.net", 6, "s", "web"),
    ("cdn.jsdelivr.net", 8, "s", "web"),
    ("cdnjs.cloudflare.com", 8, "s", "web"),
    ("ajax.googleapis.com", 6, "s", "web"),
    ("code.jquery.com", 4, "b", "web"),
    ("d{h}.cloudfront.net", 30, "s", "web"),
    ("s{n}.wp.com", 4, "s", "web"),
    ("i{n}.wp.com", 4, "s", "web"),
    ("en.wikipedia.org", 15, "s", "web"),
    ("en.m.wikipedia.org", 4, "s", "web"),
    ("upload.wikimedia.org", 10, "s", "web"),
    ("quizlet.com", 8, "s", "web"),
    ("kahoot.it", 6, "s", "web"),
    ("play.kahoot.it", 6, "s", "web"),
    ("www.canva.com", 10, "s", "web"),
    ("static.canva.com", 8, "s", "web"),
    ("www.khanacademy.org", 4, "s", "web"),
    ("cdn.kastatic.org", 4, "s", "web"),
    ("scratch.mit.edu", 5, "s", "web"),
    ("www.duolingo.com", 4, "s", "web"),
    ("app.senecalearning.com", 6, "s", "web"),
    ("www.mymaths.co.uk", 6, "b", "web"),
    ("www.gov.uk", 5, "s", "web"),
    ("assets.publishing.service.gov.uk", 3, "s", "web"),
    ("open.spotify.com", 5, "s", "web"),
    ("i.scdn.co", 4, "s", "web"),
    ("www.amazon.co.uk", 6, "s", "web"),
    ("m.media-amazon.com", 6, "s", "web"),
    ("www.apple.com", 3, "s", "web"),
    ("gateway.icloud.com", 4, "s", "web"),
    ("www.linkedin.com", 2, "s", "web"),
    ("www.instagram.com", 8, "s", "social"),
    ("scontent-lhr{n}-1.cdninstagram.com", 6, "s", "social"),
    ("www.tiktok.com", 8, "s", "social"),
    ("p16-sign-va.tiktokcdn.com", 4, "s", "social"),
    ("www.facebook.com", 5, "s", "social"),
    ("static.xx.fbcdn.net", 4, "s", "social"),
    ("scontent-lhr{n}-1.xx.fbcdn.net", 3, "s", "social"),
    ("x.com", 3, "s", "social"),
    ("pbs.twimg.com", 3, "s", "social"),
    ("www.reddit.com", 3, "s", "social"),
    ("www.snapchat.com", 3, "s", "social"),
    ("discord.com", 3, "s", "social"),
    ("cdn.discordapp.com", 2, "s", "social"),
    ("www.roblox.com", 5, "s", "social"),
    ("t{n}.rbxcdn.com", 3, "s", "social"),
    ("web.whatsapp.com", 2, "s", "social"),
    ("ctldl.windowsupdate.com", 30, "h", "bg"),
    ("download.windowsupdate.com", 20, "b", "bg"),
    ("fe3cr.delivery.mp.microsoft.com", 15, "s", "bg"),
    ("sls.update.microsoft.com", 10, "s", "bg"),
    ("settings-win.data.microsoft.com", 20, "s", "bg"),
    ("v10.events.data.microsoft.com", 25, "s", "bg"),
    ("self.events.data.microsoft.com", 10, "s", "bg"),
    ("wdcp.microsoft.com", 8, "s", "bg"),
    ("definitionupdates.microsoft.com", 8, "s", "bg"),
    ("www.msftconnecttest.com", 20, "h", "bg"),
    ("connectivitycheck.gstatic.com", 12, "h", "bg"),
    ("detectportal.firefox.com", 6, "h", "bg"),
    ("ocsp.digicert.com", 25, "h", "bg"),
    ("crl3.digicert.com", 6, "h", "bg"),
    ("ocsp.pki.goog", 15, "h", "bg"),
    ("r{n}.o.lencr.org", 10, "h", "bg"),
    ("ocsp.sectigo.com", 8, "h", "bg"),
    ("ocsp.apple.com", 6, "h", "bg"),
    ("update.googleapis.com", 8, "s", "bg"),
    ("edgedl.me.gvt1.com", 6, "h", "bg"),
    ("firefox.settings.services.mozilla.com", 4, "s", "bg"),
]
# How many hosts a numbered row stands for.
NUMBERED = {"{c}": 40, "{h}": 150}
NUMBERED_DEFAULT = 8

# Paths for hosts whose plain-HTTP requests have a fixed shape: (method, path, mime, status).
# "{x}" is filled with hex digits; status "" means drawn like any other request.
SPECIAL_PATHS: dict[str, list[tuple[str, str, str, str]]] = {
    "ctldl.windowsupdate.com": [
        (
            "GET",
            "/msdownload/update/v3/static/trustedr/en/authrootstl.cab?{x}",
            "application/vnd.ms-cab-compressed",
            "",
        ),
        (
            "GET",
            "/msdownload/update/v3/static/trustedr/en/disallowedcertstl.cab?{x}",
            "application/vnd.ms-cab-compressed",
            "",
        ),
        (
            "GET",
            "/msdownload/update/v3/static/trustedr/en/pinrulesstl.cab?{x}",
            "application/vnd.ms-cab-compressed",
            "",
        ),
    ],
    "download.windowsupdate.com": [
        (
            "GET",
            "/c/msdownload/update/software/secu/2025/12/windows10.0-kb50{x}-x64.cab",
            "application/octet-stream",
            "TCP_MISS/206",
        ),
        (
            "GET",
            "/d/msdownload/update/software/defu/2026/01/am_delta_patch_{x}.exe",
            "application/octet-stream",
            "",
        ),
    ],
    "www.msftconnecttest.com": [("GET", "/connecttest.txt", "text/plain", "")],
    "connectivitycheck.gstatic.com": [("GET", "/generate_204", "-", "TCP_MISS/204")],
    "detectportal.firefox.com": [
        ("GET", "/canonical.html", "text/html", ""),
        ("GET", "/success.txt?ipv4", "text/plain", ""),
    ],
    "ocsp.digicert.com": [
        ("POST", "/", "application/ocsp-response", "TCP_MISS/200"),
        ("GET", "/MFEwTzBNMEswSTAJBgUrDgMCGgUABBS{x}", "application/ocsp-response", ""),
    ],
    "crl3.digicert.com": [
        ("GET", "/DigiCertGlobalRootG2.crl", "application/pkix-crl", ""),
        ("GET", "/DigiCertTLSRSASHA2562020CA1-{x}.crl", "application/pkix-crl", ""),
    ],
    "ocsp.pki.goog": [
        ("POST", "/gts1c3", "application/ocsp-response", "TCP_MISS/200"),
        ("POST", "/gtsr1", "application/ocsp-response", "TCP_MISS/200"),
    ],
    "ocsp.sectigo.com": [("POST", "/", "application/ocsp-response", "TCP_MISS/200")],
    "ocsp.apple.com": [("GET", "/ocsp03-wwdrg3{x}", "application/ocsp-response", "")],
    "edgedl.me.gvt1.com": [
        (
            "GET",
            "/edgedl/release2/chrome_component/{x}/{x}_all.crx3",
            "application/x-chrome-extension",
            "",
        ),
    ],
    "www.google.com": [("GET", "/", "text/html", "TCP_MISS/302")],
    "www.bbc.co.uk": [("GET", "/", "text/html", "TCP_MISS/301")],
    "www.mymaths.co.uk": [("GET", "/", "text/html", "TCP_MISS/301")],
}
LENCR_PATH = [("POST", "/", "application/ocsp-response", "TCP_MISS/200")]

WORDS = _words(
    """
news sport weather maths english science history geography homework lesson revision quiz
video images gallery about contact login account search help support events term calendar
club music drama art design physics chemistry biology french spanish german computing
football cricket netball rugby recipes games puzzles library reading stories
"""
)
SYLLABLES = _words(
    """
ab ac al am an ar as at ba be bi bo bu ca ce ci co cu da de di do du el em en er es fa fe fi
fo ga ge gi go ha he hi ho in is ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no nu or
pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu un va ve vi vo wa we wi wo ya yo za
ze zo
"""
)
TAIL_WORDS = _words(
    """
bright water learn park green hill river stone field star tech data cloud media home shop
kids book craft garden travel food music photo daily press local north south east west city
village county school teach smart quick blue red gold silver oak maple
"""
)
TLDS = [
    (".co.uk", 30),
    (".com", 35),
    (".org.uk", 6),
    (".org", 8),
    (".net", 6),
    (".uk", 5),
    (".ac.uk", 2),
    (".io", 3),
    (".info", 2),
    (".de", 1),
    (".fr", 1),
    (".eu", 1),
]
TAIL_PREFIXES = [("www.", 55), ("", 25), ("cdn.", 6), ("static.", 5), ("api.", 4), ("m.", 5)]
DOMAIN_PREFIXES = [("", 50), ("www.", 35), ("cdn.", 5), ("m.", 4), ("static.", 3), ("img.", 3)]

# Status rows: (code/status, mean of ln bytes, spread, mean of ln elapsed ms, spread, tail).
# Tail: how the hierarchy and type columns end the line (see `_Tables.tail_index`).
STATUS_ROWS: list[tuple[str, float, float, float, float, str]] = [
    ("TCP_TUNNEL/200", 8.8, 2.0, 7.5, 2.0, "direct_dash"),
    ("TCP_TUNNEL_ABORTED/200", 7.0, 2.0, 9.0, 1.5, "direct_dash"),
    ("NONE_NONE/503", -99.0, 0.0, 3.5, 1.5, "none_html"),
    ("TCP_MISS/200", 8.3, 1.8, 4.3, 1.1, "direct_mime"),
    ("TCP_MISS/206", 12.0, 1.5, 7.0, 1.2, "direct_mime"),
    ("TCP_MISS/204", 5.4, 0.1, 3.5, 0.8, "direct_dash"),
    ("TCP_MISS/301", 6.3, 0.4, 3.8, 0.9, "direct_html"),
    ("TCP_MISS/302", 6.4, 0.5, 3.8, 0.9, "direct_html"),
    ("TCP_MISS/304", 5.7, 0.2, 3.6, 0.9, "direct_dash"),
    ("TCP_MISS/404", 7.5, 1.0, 4.0, 0.9, "direct_html"),
    ("TCP_MISS/500", 7.0, 0.8, 5.5, 1.2, "direct_html"),
    ("TCP_MISS/503", 7.0, 0.8, 6.5, 1.2, "direct_html"),
    ("TCP_MISS_ABORTED/200", 9.0, 2.0, 7.0, 1.5, "direct_mime"),
    ("TCP_HIT/200", 8.5, 1.8, 0.3, 1.0, "hit_mime"),
    ("TCP_MEM_HIT/200", 7.5, 1.5, -0.5, 0.8, "hit_mime"),
    ("TCP_IMS_HIT/304", 5.6, 0.2, -0.5, 0.8, "none_dash"),
    ("TCP_REFRESH_UNMODIFIED/304", 5.7, 0.2, 3.7, 0.9, "direct_dash"),
    ("TCP_REFRESH_MODIFIED/200", 8.3, 1.8, 4.3, 1.1, "direct_mime"),
    ("TCP_REFRESH_MODIFIED/304", 5.7, 0.2, 3.7, 0.9, "direct_dash"),
    ("TCP_DENIED/403", 8.27, 0.01, -0.5, 0.8, "none_html"),
]
TUNNEL_STATUS = {"TCP_TUNNEL/200": 0.987, "TCP_TUNNEL_ABORTED/200": 0.01, "NONE_NONE/503": 0.003}
HTTP_STATUS = {
    "TCP_MISS/200": 0.52,
    "TCP_MISS/206": 0.01,
    "TCP_MISS/301": 0.06,
    "TCP_MISS/302": 0.07,
    "TCP_MISS/304": 0.08,
    "TCP_MISS/404": 0.03,
    "TCP_MISS/500": 0.004,
    "TCP_MISS/503": 0.004,
    "TCP_MISS_ABORTED/200": 0.01,
    "TCP_HIT/200": 0.06,
    "TCP_MEM_HIT/200": 0.04,
    "TCP_IMS_HIT/304": 0.02,
    "TCP_REFRESH_UNMODIFIED/304": 0.05,
    "TCP_REFRESH_MODIFIED/200": 0.03,
    "TCP_REFRESH_MODIFIED/304": 0.012,
}
# ln of object sizes by type: (mean, spread) across objects.
OBJECT_SIZE = {
    "text/html": (9.6, 1.0),
    "image/jpeg": (10.8, 1.2),
    "image/png": (9.3, 1.3),
    "image/x-icon": (8.0, 0.8),
    "application/javascript": (10.5, 1.3),
    "text/css": (9.5, 1.1),
    "application/json": (7.0, 1.2),
    "text/plain": (4.0, 1.0),
    "application/ocsp-response": (7.5, 0.3),
    "application/pkix-crl": (8.0, 1.5),
    "application/vnd.ms-cab-compressed": (9.5, 1.0),
    "application/octet-stream": (14.0, 1.5),
    "application/x-chrome-extension": (12.0, 1.5),
}
TUNNEL_EMPTY = 0.06  # tunnels that closed before the server sent anything
BLOCK_STAFF, BLOCK_DEVICE = 0.15, 0.0  # how much less often staff and devices are refused


def _weighted(rng: random.Random, rows: list[tuple[str, int]]) -> str:
    return rng.choices([r[0] for r in rows], weights=[r[1] for r in rows])[0]


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _server_ip(host: str) -> str:
    """A stable public-looking address for a host (not a real look-up)."""
    if _is_ip(host):
        return host.strip("[]")
    d = hashlib.blake2b(host.encode(), digest_size=4).digest()
    first = (13, 20, 23, 31, 34, 35, 40, 52, 54, 104, 142, 151, 157, 185, 199, 216)[d[0] % 16]
    return f"{first}.{d[1]}.{d[2]}.{d[3] % 254 + 1}"


def _expand(rng: random.Random, pattern: str) -> list[str]:
    if "{c}" in pattern:  # YouTube's video servers: rr1---sn-<code>.googlevideo.com
        codes = [
            "".join(rng.choice(string.ascii_lowercase + "0123456789") for _ in range(8))
            for _ in range(NUMBERED["{c}"])
        ]
        return [pattern.replace("{n}", str(rng.randint(1, 8))).replace("{c}", c) for c in codes]
    if "{h}" in pattern:
        return [pattern.replace("{h}", _hex(rng, 13)) for _ in range(NUMBERED["{h}"])]
    if "{n}" in pattern:
        return [pattern.replace("{n}", str(n)) for n in range(1, NUMBERED_DEFAULT + 1)]
    return [pattern]


def _generic_paths(rng: random.Random, count: int) -> list[tuple[str, str, str, str]]:
    paths = [("GET", "/", "text/html", "")]
    for _ in range(count - 1):
        word, other = rng.choice(WORDS), rng.choice(WORDS)
        kind = rng.randrange(12)
        if kind < 3:
            paths.append(("GET", f"/{word}/{other}-{rng.randint(1, 99999)}", "text/html", ""))
        elif kind < 5:
            paths.append(("GET", f"/images/{_hex(rng, 12)}.jpg", "image/jpeg", ""))
        elif kind == 5:
            paths.append(("GET", f"/img/{word}-{other}.png", "image/png", ""))
        elif kind == 6:
            paths.append(
                ("GET", f"/static/js/{word}.{_hex(rng, 8)}.js", "application/javascript", "")
            )
        elif kind == 7:
            paths.append(("GET", f"/assets/css/{word}.{_hex(rng, 6)}.css", "text/css", ""))
        elif kind == 8:
            paths.append(("GET", f"/search?q={word}+{other}", "text/html", ""))
        elif kind == 9:
            paths.append(
                ("POST", f"/api/v1/{word}?id={rng.randint(1, 99999)}", "application/json", "")
            )
        elif kind == 10:
            paths.append(
                (
                    "GET",
                    f"/wp-content/uploads/2025/{rng.randint(1, 12):02d}/{word}-{other}.jpg",
                    "image/jpeg",
                    "",
                )
            )
        else:
            paths.append(("GET", "/favicon.ico", "image/x-icon", ""))
    return paths


def _tail_domain(rng: random.Random) -> str:
    if rng.random() < 0.5:
        stem = rng.choice(TAIL_WORDS) + rng.choice(TAIL_WORDS)
    else:
        stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
    if rng.random() < 0.15:
        stem += str(rng.randint(1, 99))
    return stem + _weighted(rng, TLDS)


def _clean_domains(domains: Sequence[str]) -> list[str]:
    seen: dict[str, None] = {}
    for d in domains:
        d = d.strip().lower().rstrip(".")
        if d and " " not in d and "/" not in d and not d.startswith("#"):
            seen.setdefault(d, None)
    return list(seen)


def _is_ip(host: str) -> bool:
    return re.fullmatch(r"[0-9.]+|\[?[0-9a-f]*:[0-9a-f:]*\]?", host) is not None


@dataclass(frozen=True)
class _Tables:
    hosts: list[str]
    people_cum: pl.Series  # cumulative choice weights over hosts for people's traffic
    device_cum: pl.Series  # ... and for devices with no user name
    http_share: pl.Series  # per host: chance a run to it is plain HTTP rather than CONNECT
    block: pl.Series  # per host: chance a pupil's run to it is refused
    entry_start: pl.Series  # per host: its first plain-HTTP request in the entry lists
    entry_count: pl.Series  # per host: how many it has (0: https only)
    entry_host: list[int]
    entry_status: pl.Series  # per entry: a fixed status row, or -1
    entry_size: pl.Series  # per entry: ln of the size of the object it fetches
    requests: pl.Series  # "CONNECT host:443" per host, then "GET http://host/path" per entry
    tails: pl.Series  # hierarchy and type endings, see `tail_index`

    def tail_index(self, kind: str) -> int:
        """Where a kind of ending starts in `tails` (add the host or entry number)."""
        h, e = len(self.hosts), len(self.entry_host)
        return {
            "direct_dash": 0,
            "direct_html": h,
            "direct_mime": 2 * h,
            "hit_mime": 2 * h + e,
            "none_html": 2 * h + 2 * e,
            "none_dash": 2 * h + 2 * e + 1,
        }[kind]


def _tables(rng: random.Random, domains: Sequence[str] | None, pupil_share: float) -> _Tables:
    hosts: list[str] = []
    people_w: list[float] = []
    device_w: list[float] = []
    scheme: list[str] = []
    group: list[str] = []

    def add(host: str, pw: float, dw: float, sch: str, grp: str) -> None:
        hosts.append(host)
        people_w.append(pw)
        device_w.append(dw)
        scheme.append(sch)
        group.append(grp)

    for pattern, weight, sch, grp in HEAD_HOSTS:
        names = _expand(rng, pattern)
        shares = [1.0 / (k + 1) for k in range(len(names))]
        for name, share in zip(names, shares, strict=True):
            w = weight * share / sum(shares)
            # Devices also reach ordinary services now and then (app and browser updates).
            add(name, w if grp != "bg" else w * 0.15, w if grp == "bg" else w * 0.05, sch, grp)
    head_mass = sum(people_w)
    named = _clean_domains(domains or [])
    rest_share = 1 - TAIL_SHARE - (DOMAINS_SHARE if named else 0.0)
    scale = rest_share / head_mass
    people_w = [w * scale for w in people_w]
    device_head = sum(device_w)

    tail_hosts: dict[str, None] = {}
    while len(tail_hosts) < TAIL_SITES:
        tail_hosts.setdefault(_weighted(rng, TAIL_PREFIXES) + _tail_domain(rng), None)
    zipf = [1.0 / (k + 30) ** 1.1 for k in range(len(tail_hosts))]  # flat at the top
    zipf_sum = sum(zipf)
    for name, z in zip(tail_hosts, zipf, strict=True):
        add(name, TAIL_SHARE * z / zipf_sum, 0.1 * device_head * z / zipf_sum, "b", "tail")

    if named:
        rng.shuffle(named)
        zipf = [1.0 / (k + 1) for k in range(len(named))]
        total = sum(zipf)
        for domain, z in zip(named, zipf, strict=True):
            variants = (
                [("", 1.0)]
                if _is_ip(domain)
                else [(p, w / 100) for p, w in rng.sample(DOMAIN_PREFIXES, 2)]
            )
            norm = sum(w for _, w in variants)
            for prefix, w in variants:
                add(prefix + domain, DOMAINS_SHARE * z / total * w / norm, 0.0, "b", "named")

    # Plain HTTP for hosts serving both, so that CONNECT_SHARE of all lines are tunnels.
    people_sum, device_sum = sum(people_w), sum(device_w)
    total_w = [
        p * (1 - UNAUTH_SHARE) / people_sum + d * UNAUTH_SHARE / device_sum
        for p, d in zip(people_w, device_w, strict=True)
    ]
    http_only = sum(w for w, s in zip(total_w, scheme, strict=True) if s == "h")
    both = sum(w for w, s in zip(total_w, scheme, strict=True) if s == "b")
    mixed = min(1.0, max(0.0, (1 - CONNECT_SHARE - http_only) / both)) if both else 0.0
    http_share = [{"s": 0.0, "h": 1.0, "b": mixed}[s] for s in scheme]

    # Refusals: social media and the named domains often, the rest rarely, BLOCKED_SHARE in all.
    # The chance of a refusal on a line to a risky host, relative to a pupil's.
    factor = (1 - UNAUTH_SHARE) * (pupil_share + (1 - pupil_share) * BLOCK_STAFF)
    mass_people = sum(people_w)
    risky = sum(w for w, g in zip(people_w, group, strict=True) if g in ("social", "named"))
    rest = mass_people - risky
    q = min(0.9, BLOCKED_SHARE / factor / ((risky + rest / 60) / mass_people))
    block = [q if g in ("social", "named") else q / 60 for g in group]

    entry_start: list[int] = []
    entry_count: list[int] = []
    entry_host: list[int] = []
    requests = [f"CONNECT {h}:443" for h in hosts]
    mimes: list[str] = []
    entry_size: list[float] = []  # ln of the size of what each plain-HTTP request fetches
    statuses: list[int] = []
    status_row = {row[0]: i for i, row in enumerate(STATUS_ROWS)}
    for i, (host, sch) in enumerate(zip(hosts, scheme, strict=True)):
        entry_start.append(len(entry_host))
        if sch == "s":
            entry_count.append(0)
            continue
        if host in SPECIAL_PATHS:
            paths = SPECIAL_PATHS[host]
        elif host.endswith(".o.lencr.org"):
            paths = LENCR_PATH
        else:
            paths = _generic_paths(rng, 3 if group[i] in ("tail", "named") else 25)
        for method, path, mime, status in paths:
            while "{x}" in path:
                path = path.replace("{x}", _hex(rng, 16), 1)
            entry_host.append(i)
            requests.append(f"{method} http://{host}{path}")
            mimes.append(mime)
            mu, sd = OBJECT_SIZE.get(mime, (8.5, 1.5))
            entry_size.append(rng.gauss(mu, sd))
            statuses.append(status_row[status] if status else -1)
        entry_count.append(len(paths))

    ips = [_server_ip(h) for h in hosts]
    tails = (
        [f"HIER_DIRECT/{ip} -" for ip in ips]
        + [f"HIER_DIRECT/{ip} text/html" for ip in ips]
        + [f"HIER_DIRECT/{ips[h]} {m}" for h, m in zip(entry_host, mimes, strict=True)]
        + [f"HIER_NONE/- {m}" for m in mimes]
        + ["HIER_NONE/- text/html", "HIER_NONE/- -"]
    )
    return _Tables(
        hosts=hosts,
        people_cum=pl.Series(people_w).cum_sum(),
        device_cum=pl.Series(device_w).cum_sum(),
        http_share=pl.Series(http_share),
        block=pl.Series(block),
        entry_start=pl.Series(entry_start, dtype=pl.Int64),
        entry_count=pl.Series(entry_count, dtype=pl.Int64),
        entry_host=entry_host,
        entry_status=pl.Series(statuses, dtype=pl.Int64),
        entry_size=pl.Series(entry_size, dtype=pl.Float64),
        requests=pl.Series(requests),
        tails=pl.Series(tails),
    )


# --- Numbers as ready-made strings -----------------------------------------------------------


@dataclass(frozen=True)
class _Numbers:
    """Elapsed times (padded to 6) and byte counts as strings, looked up by index."""

    elapsed: pl.Series
    sizes: pl.Series
    ms: pl.Series  # ".000" to ".999"
    elapsed_log: tuple[float, float]  # ln of the first and last large value
    sizes_log: tuple[float, float]


def _large(rng: random.Random, top: int) -> list[int]:
    """LARGE_STEPS values from EXACT to top, evenly spaced in log, each one a little random."""
    lo, hi = math.log(EXACT), math.log(top)
    out = []
    for k in range(LARGE_STEPS):
        a = math.exp(lo + (hi - lo) * k / LARGE_STEPS)
        b = math.exp(lo + (hi - lo) * (k + 1) / LARGE_STEPS)
        out.append(rng.randint(int(a), max(int(a), int(b) - 1)))
    return out


def _numbers(rng: random.Random) -> _Numbers:
    exact = pl.Series(range(EXACT), dtype=pl.Int64)
    elapsed = pl.concat([exact, pl.Series(_large(rng, MAX_ELAPSED_MS), dtype=pl.Int64)])
    sizes = pl.concat([exact, pl.Series(_large(rng, MAX_BYTES), dtype=pl.Int64)])
    return _Numbers(
        elapsed=elapsed.cast(pl.Utf8).str.pad_start(6),
        sizes=sizes.cast(pl.Utf8),
        ms=pl.Series([f".{i:03d}" for i in range(1000)]),
        elapsed_log=(math.log(EXACT), math.log(MAX_ELAPSED_MS)),
        sizes_log=(math.log(EXACT), math.log(MAX_BYTES)),
    )


def _number_index(value: pl.Expr, log_range: tuple[float, float]) -> pl.Expr:
    """Index into a `_Numbers` table for a drawn value (a float, may be large)."""
    lo, hi = log_range
    large = EXACT + ((value.log() - lo) / (hi - lo) * LARGE_STEPS).clip(0, LARGE_STEPS - 1)
    return pl.when(value < EXACT).then(value.clip(0, EXACT - 1)).otherwise(large).cast(pl.Int64)


# --- Drawing a chunk -------------------------------------------------------------------------

STATUS_INDEX = {row[0]: i for i, row in enumerate(STATUS_ROWS)}
TAIL_BY = {
    "direct_dash": "host",
    "direct_html": "host",
    "direct_mime": "entry",
    "hit_mime": "entry",
    "none_html": "",
    "none_dash": "",
}


class _Draw:
    """Independent streams of uniform numbers in [0, 1), one per (seed, chunk, purpose)."""

    def __init__(self, seed: int, chunk: int) -> None:
        self.seed, self.chunk = seed, chunk

    def __call__(self, n: int, purpose: str) -> pl.Series:
        key = f"{self.seed}/{self.chunk}/{purpose}".encode()
        init = int.from_bytes(hashlib.blake2b(key, digest_size=7).digest(), "little")
        return pl.Series(purpose, pc.random(n, initializer=init))


def _pick(cumulative: pl.Series, u: pl.Series) -> pl.Series:
    """Indices drawn in proportion to the weights whose running total is `cumulative`."""
    top = len(cumulative) - 1
    found = pl.Series(cumulative.search_sorted(u * cumulative[-1], side="right"))
    return found.clip(0, top).cast(pl.Int64)


def _choose(rows: dict[str, float], u: pl.Series) -> pl.Series:
    """Status rows drawn with the given weights."""
    cumulative = pl.Series(list(rows.values())).cum_sum()
    index = pl.Series([STATUS_INDEX[name] for name in rows], dtype=pl.Int64)
    return index.gather(_pick(cumulative, u))


def _run_numbers(starts: pl.Series) -> tuple[pl.Series, pl.Series]:
    """For flags marking where runs start: each line's run number and each run's first line."""
    starts = starts.clone()
    starts[0] = True
    return starts.cast(pl.Int64).cum_sum() - 1, starts.arg_true().cast(pl.Int64)


def _either(condition: pl.Series, yes: pl.Series | float, no: pl.Series | float) -> pl.Series:
    return pl.select(pl.when(condition).then(yes).otherwise(no)).to_series()


@dataclass(frozen=True)
class _World:
    """Everything fixed for one file: who, when, where, and the number tables."""

    seed: int
    start_ms: int
    days: int
    clock: _Clock
    people: _People
    tables: _Tables
    numbers: _Numbers
    clients: pl.Series  # every account's address on every day, then the devices'


@dataclass(frozen=True)
class _Chunk:
    lines: pl.DataFrame  # the columns of the lines, in order
    users: set[int]
    hosts: set[int]
    blocked: int


def _who(draw: _Draw, world: _World, minute: pl.Series) -> tuple[pl.Series, ...]:
    """Per run of lines from one client: its address, user name, whether a device, leniency."""
    people, clock = world.people, world.clock
    accounts = len(people.names) - 1
    runs = len(minute)
    device = draw(runs, "device") < clock.unauth.gather(minute)
    staff = draw(runs, "staff") < clock.staff.gather(minute)
    u = draw(runs, "who")
    person = _either(staff, _pick(people.staff_cum, u), _pick(people.pupil_cum, u) + people.staff)
    day = (minute // 1440).clip(0, world.days - 1)
    # A client with no user name is a fixed device mostly, sometimes a person's machine.
    anyone = (draw(runs, "anyone") * accounts).cast(pl.Int64).clip(0, accounts - 1)
    shared = draw(runs, "shared") < 0.3
    device_client = _either(
        shared, day * accounts + anyone, world.days * accounts + _pick(people.device_cum, u)
    )
    client = _either(device, device_client, day * accounts + person)
    user = _either(device, accounts, person)
    leniency = pl.select(
        pl.when(device).then(BLOCK_DEVICE).when(staff).then(BLOCK_STAFF).otherwise(1.0)
    ).to_series()
    return device, client, user, leniency


def _chunk(world: _World, index: int, minutes: list[int], counts: list[int]) -> _Chunk:
    """The lines for a run of minutes, in time order."""
    draw = _Draw(world.seed, index)
    tables, numbers = world.tables, world.numbers
    spread = pl.DataFrame({"m": minutes, "c": counts}, schema={"m": pl.Int64, "c": pl.Int64})
    minute = spread.select(pl.col("m").repeat_by("c")).explode("m")["m"]
    n = len(minute)
    ts = (minute * 60_000 + (draw(n, "offset") * 60_000).cast(pl.Int64)).sort()
    minute = ts // 60_000
    ts = ts + world.start_ms

    # Runs of lines from one client (a page and its resources); within them, runs to one host.
    user_starts = draw(n, "client run") < 1 / USER_RUN
    user_starts[0] = True
    host_starts = user_starts | (draw(n, "host run") < 1 / HOST_RUN)
    user_run, user_first = _run_numbers(user_starts)
    host_run, host_first = _run_numbers(host_starts)
    device, client, user, leniency = _who(draw, world, minute.gather(user_first))

    host_user = user_run.gather(host_first)
    hosts = len(host_first)
    hu = draw(hosts, "host")
    host = _either(
        device.gather(host_user), _pick(tables.device_cum, hu), _pick(tables.people_cum, hu)
    )
    is_http = draw(hosts, "scheme") < tables.http_share.gather(host)
    refused = draw(hosts, "refused") < tables.block.gather(host) * leniency.gather(host_user)

    line_host = host.gather(host_run)
    http = is_http.gather(host_run)
    denied = refused.gather(host_run)
    count = tables.entry_count.gather(line_host)
    within = (draw(n, "entry") ** 2 * count).cast(pl.Int64).clip(0, (count - 1).clip(0))
    entry = (tables.entry_start.gather(line_host) + within).clip(0, len(tables.entry_host) - 1)
    fixed = _either(count > 0, tables.entry_status.gather(entry), -1)
    u_status = draw(n, "status")
    status = pl.select(
        pl.when(denied)
        .then(STATUS_INDEX["TCP_DENIED/403"])
        .when(~http)
        .then(_choose(TUNNEL_STATUS, u_status))
        .when(fixed >= 0)
        .then(fixed)
        .otherwise(_choose(HTTP_STATUS, u_status))
    ).to_series()

    # Sizes and times: log-normal per status (Box-Muller from two uniforms).
    rows = pl.DataFrame(
        STATUS_ROWS, schema=["code", "mu_b", "sd_b", "mu_e", "sd_e", "tail"], orient="row"
    )
    radius = (-2 * (1 - draw(n, "normal radius")).log()).sqrt()
    angle = draw(n, "normal angle") * (2 * math.pi)
    # An object fetched whole has its own size, give or take its headers.
    whole = rows["tail"].gather(status).is_in(["direct_mime", "hit_mime"]) & (
        status != STATUS_INDEX["TCP_MISS/206"]
    )
    mu_b = _either(whole, tables.entry_size.gather(entry), rows["mu_b"].gather(status))
    sd_b = _either(whole, 0.01, rows["sd_b"].gather(status))
    size = (mu_b + sd_b * radius * angle.cos()).exp()
    empty = (status == STATUS_INDEX["TCP_TUNNEL/200"]) & (draw(n, "empty") < TUNNEL_EMPTY)
    size = _either(empty, 0.0, size)
    took = (rows["mu_e"].gather(status) + rows["sd_e"].gather(status) * radius * angle.sin()).exp()

    tail_base = pl.Series([tables.tail_index(row[5]) for row in STATUS_ROWS], dtype=pl.Int64)
    tail_by = pl.Series([TAIL_BY[row[5]] for row in STATUS_ROWS]).gather(status)
    tail = (
        tail_base.gather(status)
        + pl.select(
            pl.when(tail_by == "host")
            .then(line_host)
            .when(tail_by == "entry")
            .then(entry)
            .otherwise(0)
        ).to_series()
    )
    request = _either(http, entry + len(tables.hosts), line_host)

    # Each distinct second is turned into text once (the lines are in time order).
    seconds = ts // 1000
    second_text = seconds.unique(maintain_order=True).cast(pl.Utf8).gather(seconds.rle_id())
    # The columns of the line, written with a space between them (see `_Writer`).
    frame = pl.DataFrame(
        {
            "ts": pl.select(pl.concat_str(second_text, numbers.ms.gather(ts % 1000))).to_series(),
            "elapsed": numbers.elapsed.gather(
                pl.select(_number_index(pl.lit(took), numbers.elapsed_log)).to_series()
            ),
            "client": world.clients.gather(client.gather(user_run)),
            "code": rows["code"].gather(status),
            "bytes": numbers.sizes.gather(
                pl.select(_number_index(pl.lit(size), numbers.sizes_log)).to_series()
            ),
            "request": tables.requests.gather(request),
            "user": pl.Series(world.people.names).gather(user.gather(user_run)),
            "tail": tables.tails.gather(tail),
        }
    )
    return _Chunk(
        lines=frame,
        users=set(user.unique().to_list()),
        hosts=set(line_host.unique().to_list()),
        blocked=int(denied.sum()),
    )


# --- Writing ---------------------------------------------------------------------------------


class _Writer:
    """Writes chunks of lines in a background thread, gzip-compressing them when asked."""

    def __init__(self, path: Path, gzip: bool) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.file = path.open("wb")
        self.zipped: gzip_module.GzipFile | None = (
            gzip_module.GzipFile(fileobj=self.file, mode="wb", compresslevel=GZIP_LEVEL, mtime=0)
            if gzip
            else None
        )
        self.text_bytes = 0
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.pending: Future[None] | None = None

    def _write(self, lines: pl.DataFrame) -> None:
        buffer = io.BytesIO()
        # Faster than joining the columns first; "never" writes every field as it is.
        lines.write_csv(buffer, include_header=False, quote_style="never", separator=" ")
        data = buffer.getbuffer()
        self.text_bytes += len(data)
        (self.zipped or self.file).write(data)

    def put(self, lines: pl.DataFrame) -> None:
        self.wait()  # at most one chunk waiting, so memory stays flat
        self.pending = self.pool.submit(self._write, lines)

    def wait(self) -> None:
        if self.pending is not None:
            self.pending.result()
            self.pending = None

    def close(self) -> int:
        """Finish writing; the size of the file on disk."""
        self.wait()
        self.pool.shutdown()
        if self.zipped is not None:
            self.zipped.close()
        self.file.close()
        return self.path.stat().st_size


def _as_utc(start: datetime | None) -> datetime:
    if start is None:
        return DEFAULT_START
    return start if start.tzinfo else start.replace(tzinfo=UTC)


def write_squid(
    path: Path,
    lines: int,
    *,
    seed: int = 2026,
    start: datetime | None = None,
    users: int = 450,
    domains: Sequence[str] | None = None,
    gzip: bool = False,
    days: int = DAYS,
) -> GenReport:
    """Write `lines` lines of an invented school's Squid native log to `path`.

    `start` is midnight of the first day (a naive time is taken as UTC; school hours are
    read in its own offset). `domains`, when given, get DOMAINS_SHARE of people's traffic.
    """
    if lines < 1 or users < 2 or days < 1:
        raise ValueError("need at least 1 line, 2 users and 1 day")
    began = time.perf_counter()
    rng = random.Random(seed)
    first = _as_utc(start)
    clock = _clock(rng, lines, first, days)
    people = _people(rng, users, days)
    world = _World(
        seed=seed,
        start_ms=int(first.timestamp() * 1000),
        days=days,
        clock=clock,
        people=people,
        tables=_tables(rng, domains, clock.pupil_share),
        numbers=_numbers(rng),
        clients=pl.concat([people.day_ips, pl.Series(people.device_ips)]),
    )
    writer = _Writer(Path(path), gzip)
    seen_users: set[int] = set()
    seen_hosts: set[int] = set()
    blocked = 0
    minutes: list[int] = []
    counts: list[int] = []
    chunk = pending = 0
    try:
        for minute, count in enumerate(clock.counts):
            if count:
                minutes.append(minute)
                counts.append(count)
                pending += count
            if minutes and (pending >= CHUNK_LINES or minute == len(clock.counts) - 1):
                part = _chunk(world, chunk, minutes, counts)
                writer.put(part.lines)
                seen_users |= part.users
                seen_hosts |= part.hosts
                blocked += part.blocked
                minutes, counts, chunk, pending = [], [], chunk + 1, 0
    finally:
        size = writer.close()
    seen_users.discard(len(people.names) - 1)
    return GenReport(
        path=Path(path),
        lines=lines,
        bytes=size,
        text_bytes=writer.text_bytes,
        users=len(seen_users),
        hosts=len(seen_hosts),
        blocked=blocked,
        seconds=time.perf_counter() - began,
    )


# --- The real sample, scaled up --------------------------------------------------------------

SQUID_TIME = re.compile(rb"^(\d{9,11})\.(\d{3})(\s.*)$")


def _sample_lines(files: Sequence[Path]) -> list[bytes]:
    out: list[bytes] = []
    for file in files:
        data = Path(file).read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip_module.decompress(data)
        out += [line for line in data.split(b"\n") if line.strip()]
    if not out:
        raise ValueError(f"no lines in {', '.join(str(f) for f in files)}")
    return out


def write_squid_from_samples(
    path: Path,
    lines: int,
    sample_files: Sequence[Path] | None = None,
    *,
    gzip: bool = False,
) -> GenReport:
    """Write `lines` lines made by repeating the real Squid sample lines over and over.

    Each repetition is the sample as it is, its times moved on by the sample's length (plus
    its usual gap between lines), so the file stays in time order and every line keeps its
    real shape. Lines without a Squid time stamp are repeated unchanged.
    """
    began = time.perf_counter()
    sample = _sample_lines(sample_files or sorted(SAMPLES.glob("*.log")))
    stamps: list[int | None] = []
    rests: list[str] = []
    users: set[str] = set()
    hosts: set[str] = set()
    for raw in sample:
        match = SQUID_TIME.match(raw)
        text = raw.decode("utf-8", "replace")
        if match:
            stamps.append(int(match[1]) * 1000 + int(match[2]))
            rests.append(match[3].decode("utf-8", "replace"))
            fields = text.split()
            if len(fields) > 7 and fields[7] != "-":
                users.add(fields[7])
            if len(fields) > 6:
                hosts.add(_host_of(fields[6]))
        else:
            stamps.append(None)
            rests.append(text)
    known = [s for s in stamps if s is not None]
    gap = (max(known) - min(known)) // max(1, len(known) - 1) if known else 0
    period = (max(known) - min(known) + max(gap, 1000)) if known else 0
    base = pl.DataFrame({"ts": stamps, "rest": rests}, schema={"ts": pl.Int64, "rest": pl.Utf8})
    ms_text = pl.Series([f".{i:03d}" for i in range(1000)])
    size = len(base)
    writer = _Writer(Path(path), gzip)
    try:
        for first in range(0, lines, CHUNK_LINES):
            index = pl.int_range(first, min(lines, first + CHUNK_LINES), eager=True)
            position = index % size
            ts = base["ts"].gather(position) + (index // size) * period
            stamp = pl.concat_str(
                [(ts // 1000).cast(pl.Utf8), ms_text.gather((ts % 1000).fill_null(0))]
            )
            line = pl.select(
                pl.concat_str([stamp.fill_null(""), base["rest"].gather(position)])
            ).to_series()
            writer.put(line.to_frame("line"))
    finally:
        disk = writer.close()
    return GenReport(
        path=Path(path),
        lines=lines,
        bytes=disk,
        text_bytes=writer.text_bytes,
        users=len(users),
        hosts=len(hosts - {""}),
        blocked=sum(1 for raw in sample if b"TCP_DENIED" in raw) * (lines // size)
        + sum(1 for raw in sample[: lines % size] if b"TCP_DENIED" in raw),
        seconds=time.perf_counter() - began,
    )


def _host_of(url: str) -> str:
    rest = url.split("://", 1)[1] if "://" in url else url
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0].lower() if ":" in host else host.lower()


# --- Command line ----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write a large Squid native access log of a realistic school's shape."
    )
    parser.add_argument("out", type=Path, help="the file to write")
    parser.add_argument("--lines", type=int, required=True, help="how many lines")
    parser.add_argument("--gzip", action="store_true", help="gzip the file (level 1, for speed)")
    parser.add_argument("--seed", type=int, default=2026, help="same seed, same file")
    parser.add_argument("--users", type=int, default=450, help="staff and pupil accounts")
    parser.add_argument(
        "--domains",
        type=Path,
        help="a file of domains, one a line (UT1 `domains` format), to mix into the traffic",
    )
    parser.add_argument(
        "--from-samples",
        action="store_true",
        help=f"repeat the real Squid sample lines instead ({SAMPLES})",
    )
    args = parser.parse_args(argv)
    if args.lines < 1:
        parser.error("--lines must be at least 1")
    if args.from_samples:
        report = write_squid_from_samples(args.out, args.lines, gzip=args.gzip)
    else:
        domains = args.domains.read_text().split() if args.domains else None
        report = write_squid(
            args.out,
            args.lines,
            seed=args.seed,
            users=args.users,
            domains=domains,
            gzip=args.gzip,
        )
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
