"""The internet-use dashboard's figures (3.1-3.3, 7.2): from the daily totals the ingest
stores, for a range of days. People appear as pseudonyms and totals only, never by name and
never as single requests. Every look, and every export, goes through the gate.

Private use (3.1) is split in two: under a permission (a granted request of the person behind
the pseudonym covers the category and the day) and without one.

A year of a secondary school is some 500 k daily totals, so the database adds them up and only
small results come back: requests by day and category, and by pseudonym, each in one query;
for private use under a permission, only what each permission covers; the top sites from the
per-site totals; the export a day at a time (bench/bench_dashboard.py times them).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import Case, Expression, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils import dateformat, timezone

from fairwatch.audit import gate
from fairwatch.errors import FieldErrors
from fairwatch.monitoring.models import ActivityEvent
from fairwatch.privacy.exercises import System
from fairwatch.schools.models import School
from fairwatch.schools.permissions import Action

from . import category_rules, private_use, rules
from .models import SiteDay, Treatment

User = AbstractBaseUser | AnonymousUser

DEFAULT_DAYS = 30
MAX_DAYS = 366
TOP_CATEGORIES = 6  # the chart's own colours; the rest are "other"
TOP_SITES = 15
TOP_PSEUDONYMS = 25
OTHER = "other"
NONE = ""  # a site no list has
CSV_COLUMNS = ("day", "category", "sites", "pseudonym", "requests", "blocked")
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)  # beyond these, a typing slip
PSEUDONYM = re.compile(r"[A-Za-z0-9_-]{1,40}")


class UnknownPseudonym(LookupError):
    """Text that cannot be a pseudonym (they are letters, digits, "_" and "-")."""


class InvalidRange(FieldErrors):
    """Dates the dashboard cannot show (one message per field)."""


@dataclass(frozen=True)
class Range:
    since: dt.date
    until: dt.date  # included

    @property
    def days(self) -> list[dt.date]:
        return [
            self.since + dt.timedelta(days=n) for n in range((self.until - self.since).days + 1)
        ]

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The range as times: from the school's local midnight starting `since` to the one
        ending `until`."""
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.since, dt.time(), tz)
        end = dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time(), tz)
        return start, end


def _date(value: str | dt.date | None, field_: str, errors: dict[str, str]) -> dt.date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            errors[field_] = "Enter a date, for example 2026-03-05."
            return None
    if not EARLIEST <= value <= LATEST:
        errors[field_] = f"Enter a date from {EARLIEST.year} to {LATEST.year}."
        return None
    return value


def parse_range(
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    today: dt.date | None = None,
) -> Range:
    """The range asked for; by default the last 30 days to today (the school's local day)."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    first = _date(since, "since", errors)
    last = _date(until, "until", errors)
    if errors:
        raise InvalidRange(errors)
    last = last or today
    first = first or last - dt.timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise InvalidRange({"until": "The last day must be on or after the first."})
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidRange({"since": f"Show at most {MAX_DAYS} days at a time."})
    return Range(first, last)


def day_words(value: dt.date) -> str:
    return dateformat.format(value, "j M Y")


# --- the figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryTotal:
    category: str
    label: str  # the plain description, or "Not in any list"
    treatment: str
    requests: int
    blocked: int


@dataclass(frozen=True)
class DayTotals:
    day: dt.date
    values: list[int]  # one per series, in the order of `Figures.series`
    total: int


@dataclass(frozen=True)
class SiteTotal:
    site: str
    category: str
    label: str
    requests: int
    blocked: int


@dataclass(frozen=True)
class PrivateShare:
    requests: int  # all requests in the range
    under: int  # private use under a permission
    without: int  # private use with no permission covering it

    @property
    def other(self) -> int:
        return self.requests - self.under - self.without


@dataclass(frozen=True)
class PseudonymTotal:
    pseudonym: str
    requests: int
    blocked: int
    harmful: int
    private_under: int
    private_without: int


@dataclass(frozen=True)
class Figures:
    range: Range
    total: int
    blocked: int
    series: list[tuple[str, str]]  # (category or OTHER, label), the chart's stacks in order
    by_day: list[DayTotals]
    by_category: list[CategoryTotal]
    sites: list[SiteTotal] = field(default_factory=list)
    private: PrivateShare = PrivateShare(0, 0, 0)
    pseudonyms: list[PseudonymTotal] = field(default_factory=list)
    pseudonym: str = ""  # set when these are one pseudonym's figures
    holds_permission: bool = False  # for one pseudonym: a permission in force in the range

    @property
    def allowed(self) -> int:
        return self.total - self.blocked


def _events(school: School, span: Range) -> QuerySet[ActivityEvent]:
    start, end = span.bounds()
    return ActivityEvent.objects.filter(
        school=school,
        system=System.INTERNET.value,
        occurred_at__gte=start,
        occurred_at__lt=end,
    )


def _label(category: str, known: dict[str, str]) -> str:
    return category_rules.describe(category, known) if category else "Not in any list"


BLOCKED = Sum("count", filter=Q(blocked=True))


def _day_of(span: Range) -> Expression:
    """The local day of each row: its date on PostgreSQL, which converts time zones natively;
    on SQLite, where a conversion per row costs several times more, its number in the range
    (0 for `since`) from comparisons with the UTC instants of local midnights, nested so each
    row needs about log2(days) of them. `_day_number` reads either."""
    if connection.vendor == "postgresql":
        return TruncDate("occurred_at", tzinfo=timezone.get_current_timezone())
    ends = [Range(d, d).bounds()[1] for d in span.days]

    def part(lo: int, hi: int) -> Case | Value:
        if lo == hi:
            return Value(lo)
        mid = (lo + hi) // 2
        return Case(
            When(occurred_at__lt=ends[mid], then=part(lo, mid)),
            default=part(mid + 1, hi),
            output_field=IntegerField(),
        )

    return part(0, len(ends) - 1)


def _day_number(value: int | dt.date, span: Range) -> int:
    return value if isinstance(value, int) else (value - span.since).days


def _by_day(
    qs: QuerySet[ActivityEvent], span: Range
) -> tuple[dict[str, list[int]], list[tuple[int, str, int]]]:
    """Requests and blocked by category, and requests by day number and category."""
    rows = (
        qs.annotate(d=_day_of(span))
        .values_list("d", "category")
        .annotate(n=Sum("count"), b=BLOCKED)
        .order_by()
    )
    by_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # requests, blocked
    cells: list[tuple[int, str, int]] = []
    for d, category, n, b in rows:
        by_cat[category][0] += n
        by_cat[category][1] += b or 0
        cells.append((_day_number(d, span), category, n))
    return by_cat, cells


def _build(school: School, qs: QuerySet[ActivityEvent], span: Range, *, one: str = "") -> Figures:
    """Everything but the top sites, from totals the database adds up: by day and category,
    by pseudonym (for the school), and the private use of those holding a permission."""
    table = rules.treatments(school)
    known = category_rules.descriptions()
    by_cat, cells = _by_day(qs, span)
    treatment = {c: rules.treatment_of(c, table) for c in by_cat}
    harmful = sorted(c for c, t in treatment.items() if t == Treatment.HARMFUL.value)
    private = sorted(c for c, t in treatment.items() if t == Treatment.PRIVATE.value)
    holders: dict[str, list[private_use.Cover]] = defaultdict(list)
    for cover in private_use.covers(school, span.since, span.until):
        holders[cover.pseudonym].append(cover)
    if one:  # one pseudonym's figures need only their own permissions
        holders = {one: holders[one]} if one in holders else {}
    under = _under_permission(school, span, holders, private)
    ranked = sorted(by_cat.items(), key=lambda kv: (-kv[1][0], kv[0]))
    top = [c for c, _ in ranked[:TOP_CATEGORIES]]
    series = [(c, _label(c, known)) for c in top]
    if len(ranked) > TOP_CATEGORIES:
        series.append((OTHER, "Other"))
    slot = {c: i for i, c in enumerate(top)}
    grid = [[0] * len(series) for _ in span.days]
    for d, category, n in cells:
        grid[d][slot.get(category, len(series) - 1)] += n
    total = sum(n for n, _ in by_cat.values())
    under_all = sum(under.values())
    return Figures(
        range=span,
        total=total,
        blocked=sum(b for _, b in by_cat.values()),
        series=series,
        by_day=[DayTotals(d, v, sum(v)) for d, v in zip(span.days, grid, strict=True)],
        by_category=[
            CategoryTotal(c, _label(c, known), treatment[c], n, b) for c, (n, b) in ranked
        ],
        sites=[] if one else _sites(school, span, known),
        private=PrivateShare(total, under_all, sum(by_cat[c][0] for c in private) - under_all),
        pseudonyms=[] if one else _pseudonyms(qs, harmful, private, under),
        pseudonym=one,
        holds_permission=bool(one) and bool(holders),
    )


def _under_permission(
    school: School, span: Range, holders: dict[str, list[private_use.Cover]], private: list[str]
) -> dict[str, int]:
    """Private use covered by a permission, per pseudonym: only what a permission covers is
    read (its holder and its days, through the index by pseudonym and time)."""
    under: dict[str, int] = {}
    for who, covers in holders.items():
        n = 0
        for window, scope in _covered(covers, span, private):
            found = (
                _events(school, window)
                .filter(pseudonym=who, category__in=scope)
                .aggregate(n=Sum("count"))["n"]
            )
            n += found or 0
        if n:
            under[who] = n
    return under


def _covered(
    covers: list[private_use.Cover], span: Range, private: list[str]
) -> Iterator[tuple[Range, list[str]]]:
    """One person's permissions as runs of days that the same permissions cover, each with the
    private categories they cover together: a day and category two permissions cover is in
    one run only, so it counts once."""
    one_day = dt.timedelta(days=1)
    edges = {span.since, span.until + one_day}
    for c in covers:
        edges |= {c.starts, c.expires + one_day}
    inside = sorted(d for d in edges if span.since <= d <= span.until + one_day)
    for first, after in itertools.pairwise(inside):
        active = [c for c in covers if c.starts <= first <= c.expires]
        if any(c.categories is None for c in active):
            scope = private
        else:
            scope = sorted({x for c in active for x in c.categories or ()} & set(private))
        if scope:
            yield Range(first, after - one_day), scope


def _sum_of(categories: list[str]) -> Sum | Value:
    return Sum("count", filter=Q(category__in=categories)) if categories else Value(0)


def _pseudonyms(
    qs: QuerySet[ActivityEvent], harmful: list[str], private: list[str], under: dict[str, int]
) -> list[PseudonymTotal]:
    """The pseudonyms with the most requests, each with their blocked, harmful and private
    use (under a permission and without)."""
    rows = (
        qs.values_list("pseudonym")
        .annotate(n=Sum("count"), b=BLOCKED, h=_sum_of(harmful), p=_sum_of(private))
        .order_by()
    )
    ranked = sorted(rows, key=lambda r: (-r[1], r[0]))[:TOP_PSEUDONYMS]
    return [
        PseudonymTotal(who, n, b or 0, h or 0, under.get(who, 0), (p or 0) - under.get(who, 0))
        for who, n, b, h, p in ranked
    ]


def _sites(school: School, span: Range, known: dict[str, str]) -> list[SiteTotal]:
    """The most used sites, from the totals per site and day (which name nobody)."""
    rows = (
        SiteDay.objects.filter(school=school, day__gte=span.since, day__lte=span.until)
        .values("site", "category")
        .annotate(n=Sum("count"), b=Sum("blocked"))
        .order_by("-n", "site")[:TOP_SITES]
    )
    return [
        SiteTotal(r["site"], r["category"], _label(r["category"], known), r["n"], r["b"] or 0)
        for r in rows
    ]


def figures(user: User, school: School, span: Range) -> Figures:
    """The school's figures for the range (anyone who may see activity as pseudonyms)."""
    gate.check(
        user,
        school,
        Action.VIEW_ACTIVITY,
        purpose=gate.Purpose.MONITORING,
        object_type="internet_dashboard",
        detail={"since": span.since.isoformat(), "until": span.until.isoformat()},
    )
    return _build(school, _events(school, span), span)


def of_pseudonym(user: User, school: School, pseudonym: str, span: Range) -> Figures:
    """One pseudonym's totals by category and by day (still no name, and no single request).
    UnknownPseudonym for text that cannot be one."""
    if not PSEUDONYM.fullmatch(pseudonym):
        raise UnknownPseudonym(pseudonym[:40])
    gate.check(
        user,
        school,
        Action.VIEW_ACTIVITY,
        purpose=gate.Purpose.MONITORING,
        object_type="pseudonym",
        object_id=pseudonym,
        detail={
            "view": "internet",
            "since": span.since.isoformat(),
            "until": span.until.isoformat(),
        },
    )
    qs = _events(school, span).filter(pseudonym=pseudonym)
    return _build(school, qs, span, one=pseudonym)


def export(user: User, school: School, span: Range) -> Iterator[tuple]:
    """The totals as rows of CSV_COLUMNS (day, category, sites, pseudonym, requests, blocked),
    by day: pseudonyms, never names. The export is checked and recorded when this is called,
    before the first row is read."""
    gate.check(
        user,
        school,
        Action.VIEW_ACTIVITY,
        purpose=gate.Purpose.MONITORING,
        object_type="internet_export",
        detail={"since": span.since.isoformat(), "until": span.until.isoformat()},
    )
    return _export_rows(school, span)


def _export_rows(school: School, span: Range) -> Iterator[tuple]:
    """A day at a time, so the first rows come at once whatever the range (each day is one
    short look-up on the school's index by time)."""
    for day in span.days:
        one_day = Range(day, day)
        rows = (
            _events(school, one_day)
            .values_list("category", "summary", "pseudonym")
            .annotate(n=Sum("count"), b=BLOCKED)
            .order_by("category", "summary", "pseudonym")
        )
        text = day.isoformat()
        for category, summary, who, n, b in rows:
            yield text, category, summary, who, n, b or 0
