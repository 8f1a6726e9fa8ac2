"""The internet-use dashboard (3.1-3.3, 7.2): figures by category and day, top sites, blocked
and allowed, private use under a permission and without; one pseudonym's totals; the CSV
export with no names; who may see them, and the audit trail."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest

from fairwatch.audit.gate import Refused
from fairwatch.internet import dashboard, private_use
from fairwatch.monitoring.models import ActivityEvent
from tests.internet.conftest import WHO, at, entries, pseudonym, signed_in, today, totals

DAY = dt.timedelta(days=1)
VIEWERS = ["head", "dsl", "dpo", "it"]
NOT_VIEWERS = [w for w in WHO if w not in VIEWERS]
A, B = "p_" + "a" * 32, "p_" + "b" * 32


def span(days_back: int = 29) -> dashboard.Range:
    return dashboard.Range(today() - days_back * DAY, today())


@pytest.fixture
def week(cast):
    """A week of totals for two pseudonyms, and the teacher's own."""
    s, d = cast.school, today()
    totals(s, A, d, "education", "twinkl.co.uk", 40)
    totals(s, A, d - DAY, "education", "twinkl.co.uk", 10)
    totals(s, A, d, "shopping", "amazon.co.uk", 5)
    totals(s, B, d, "adult", "badsite.example", 7, blocked=True)
    totals(s, B, d - 2 * DAY, "games", "poki.com", 3)
    totals(s, B, d, "", "unknown.example", 2)
    teacher = pseudonym(cast, cast.teacher)
    totals(s, teacher, d, "webmail", "mail.google.com", 6)
    totals(s, teacher, d - DAY, "shopping", "amazon.co.uk", 4)
    totals(cast.other_school, A, d, "education", "elm.example", 1000)
    ActivityEvent.objects.create(  # email activity is not internet use
        school=s,
        pseudonym=A,
        system="email",
        occurred_at=at(d),
        summary="mail to 2 school addresses",
        count=50,
    )
    return teacher


def test_the_figures_add_up_by_category_site_and_blocked(cast, week):
    f = dashboard.figures(cast.it, cast.school, span())

    assert f.total == 40 + 10 + 5 + 7 + 3 + 2 + 6 + 4
    assert (f.blocked, f.allowed) == (7, f.total - 7)
    by_cat = {c.category: (c.requests, c.blocked, c.treatment) for c in f.by_category}
    assert by_cat["education"] == (50, 0, "allowed")
    assert by_cat["adult"] == (7, 7, "harmful")
    assert by_cat["shopping"] == (9, 0, "private")
    assert [c.label for c in f.by_category if c.category == ""] == ["Not in any list"]
    assert [(s.site, s.requests) for s in f.sites[:2]] == [
        ("twinkl.co.uk", 50),
        ("amazon.co.uk", 9),
    ]
    assert "elm.example" not in {s.site for s in f.sites}


def test_the_days_are_stacked_by_the_top_six_categories_and_other(cast, week):
    for n, category in enumerate(["a1", "a2", "a3", "a4", "a5"]):
        totals(cast.school, A, today(), category, f"{category}.example", 1 + n)

    f = dashboard.figures(cast.it, cast.school, span(6))

    assert len(f.by_day) == 7 and f.by_day[-1].day == today()
    assert len(f.series) == 7 and f.series[-1] == ("other", "Other")
    assert f.series[0] == ("education", "Schools, learning and teaching resources")
    assert sum(d.total for d in f.by_day) == f.total
    today_row = f.by_day[-1]
    assert today_row.values[0] == 40 and sum(today_row.values) == today_row.total


def test_private_use_is_split_under_a_permission_and_without(cast, week):
    teacher = week
    item = private_use.ask(
        cast.teacher,
        cast.school,
        purpose="Personal email at lunchtime",
        categories=["webmail"],
        starts=today(),
        expires=today() + 10 * DAY,
    )
    private_use.grant(cast.head, item)

    f = dashboard.figures(cast.dpo, cast.school, span())

    # The teacher's webmail today is covered; their shopping yesterday (before the permission,
    # and another category) is not, nor is anyone else's private use.
    assert (f.private.under, f.private.without) == (6, 4 + 5 + 3)
    assert f.private.other == f.total - 18
    rows = {p.pseudonym: p for p in f.pseudonyms}
    assert (rows[teacher].private_under, rows[teacher].private_without) == (6, 4)
    assert (rows[B].harmful, rows[B].blocked) == (7, 7)


def test_a_permission_for_any_private_use_covers_every_private_category(cast, week):
    item = private_use.ask(
        cast.teacher,
        cast.school,
        purpose="p",
        categories=[],
        starts=today(),
        expires=today() + DAY,
    )
    private_use.grant(cast.head, item)

    f = dashboard.figures(cast.dpo, cast.school, span())

    assert f.private.under == 6  # yesterday's shopping is still before the start


def _granted(cast, categories: list[str], starts: dt.date, expires: dt.date) -> None:
    item = private_use.ask(
        cast.teacher,
        cast.school,
        purpose="p",
        categories=categories,
        starts=starts,
        expires=expires,
        today=starts,
    )
    private_use.grant(cast.head, item, today=starts)


def test_a_day_that_several_permissions_cover_counts_once(cast, week):
    teacher, d = week, today()
    totals(cast.school, teacher, d - 2 * DAY, "webmail", "mail.google.com", 5)
    totals(cast.school, teacher, d - 3 * DAY, "games", "poki.com", 2)
    _granted(cast, ["webmail"], d - 2 * DAY, d)
    _granted(cast, [], d - DAY, d + DAY)  # any private category
    _granted(cast, ["webmail", "shopping"], d, d + DAY)

    f = dashboard.figures(cast.dpo, cast.school, span())
    mine = dashboard.of_pseudonym(cast.dpo, cast.school, teacher, span())

    # Webmail today (6) under all three, shopping yesterday (4) under the second, webmail two
    # days ago (5) under the first; the games before any of them (2) under none.
    rows = {p.pseudonym: p for p in f.pseudonyms}
    assert (rows[teacher].private_under, rows[teacher].private_without) == (15, 2)
    assert (f.private.under, f.private.without) == (15, 2 + 5 + 3)
    assert (mine.private.under, mine.private.without) == (15, 2)
    assert mine.holds_permission


def test_days_with_only_allowed_use_have_no_harmful_or_private_use(cast):
    totals(cast.school, A, today(), "education", "twinkl.co.uk", 12)
    totals(cast.school, B, today() - DAY, "news", "bbc.co.uk", 3, blocked=True)

    f = dashboard.figures(cast.it, cast.school, span())

    assert [(p.pseudonym, p.requests, p.blocked) for p in f.pseudonyms] == [(A, 12, 0), (B, 3, 3)]
    assert {(p.harmful, p.private_under, p.private_without) for p in f.pseudonyms} == {(0, 0, 0)}
    assert (f.private.under, f.private.without, f.private.other) == (0, 0, 15)


def test_one_pseudonym_shows_totals_by_category_and_day_only(cast, week):
    f = dashboard.of_pseudonym(cast.dsl, cast.school, A, span())

    assert f.pseudonym == A and f.total == 55
    assert f.sites == [] and f.pseudonyms == []
    assert {c.category: c.requests for c in f.by_category} == {"education": 50, "shopping": 5}
    assert not f.holds_permission
    entry = entries("activity.view", "allowed").get(object_type="pseudonym")
    assert entry.object_id == A and entry.purpose == "monitoring"


def test_text_that_cannot_be_a_pseudonym_is_turned_away(cast):
    with pytest.raises(dashboard.UnknownPseudonym):
        dashboard.of_pseudonym(cast.dsl, cast.school, "p_a/../../x\x00", span())


@pytest.mark.parametrize(
    ("since", "until", "field"),
    [
        ("2026-03-10", "2026-03-01", "until"),
        ("2025-01-01", "2026-03-01", "since"),  # more than 366 days
        ("yesterday", None, "since"),
        ("1066-10-14", None, "since"),
        (None, "9999-12-31", "until"),
    ],
)
def test_a_range_must_make_sense(since, until, field):
    with pytest.raises(dashboard.InvalidRange) as caught:
        dashboard.parse_range(since, until)

    assert field in caught.value.errors


def test_the_default_range_is_the_last_30_days():
    r = dashboard.parse_range(today=dt.date(2026, 3, 31))

    assert (r.since, r.until, len(r.days)) == (dt.date(2026, 3, 2), dt.date(2026, 3, 31), 30)


@pytest.mark.parametrize("who", NOT_VIEWERS)
def test_nobody_else_sees_the_figures_and_each_refusal_is_recorded(cast, who):
    user = getattr(cast, who)
    with pytest.raises(Refused):
        dashboard.figures(user, cast.school, span())
    with pytest.raises(Refused):
        dashboard.of_pseudonym(user, cast.school, A, span())
    with pytest.raises(Refused):
        dashboard.export(user, cast.school, span())

    assert entries("activity.view", "refused").count() == 3


# --- the export --------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_has_the_totals_and_no_names(client, cast, week):
    totals(cast.school, A, today(), "news", '=HYPERLINK("http://x")', 1)
    signed_in(client, cast.it)

    response = client.get(f"/internet/export.csv?since={(today() - 6 * DAY).isoformat()}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "no-store"
    rows = _csv(response)
    assert rows[0] == ["day", "category", "sites", "pseudonym", "requests", "blocked"]
    assert [today().isoformat(), "adult", "badsite.example ×7", B, "7", "7"] in rows
    assert [(today() - DAY).isoformat(), "shopping", "amazon.co.uk ×4", week, "4", "0"] in rows
    assert "elm.example" not in str(rows)
    assert any(r[2] == '\'=HYPERLINK("http://x") ×1' for r in rows)  # not a formula
    text = str(rows)
    for name in ("Thomas", "Wren", "teacher@oak.example", "Alice", "Hartley"):
        assert name not in text
    entry = entries("activity.view", "allowed").get(object_type="internet_export")
    assert entry.detail["since"] == (today() - 6 * DAY).isoformat()


def test_the_export_is_in_day_order_and_adds_up_what_is_alike(cast, week):
    totals(cast.school, A, today(), "education", "twinkl.co.uk", 40, hour=15)  # a second log

    rows = list(dashboard.export(cast.it, cast.school, span(6)))

    assert rows == sorted(rows, key=lambda r: (r[0], r[1], r[2], r[3]))
    assert rows[0][0] == (today() - 2 * DAY).isoformat()  # the first days had nothing
    assert [r for r in rows if r[1] == "education" and r[0] == today().isoformat()] == [
        (today().isoformat(), "education", "twinkl.co.uk ×40", A, 80, 0)
    ]
    assert "elm.example ×1000" not in {r[2] for r in rows}


@pytest.mark.parametrize("who", ["teacher", "chair", "hr", "monitor", "org_admin"])
def test_the_export_is_refused_and_recorded_for_everyone_else(client, cast, who):
    response = signed_in(client, getattr(cast, who)).get("/internet/export.csv")

    assert response.status_code == 403
    assert entries("activity.view", "refused").get().object_type == "internet_export"


# --- the pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", VIEWERS)
def test_the_dashboard_draws_its_charts_with_their_numbers(client, cast, who, week):
    html = signed_in(client, getattr(cast, who)).get("/internet/").content.decode()

    assert html.count('role="img"') == 4
    for chart in re.findall(r'<svg role="img" aria-labelledby="([^"]+)"', html):
        title, desc = chart.split()
        assert f'<title id="{title}">' in html and f'<desc id="{desc}">' in html
    assert "<script" not in html
    assert "twinkl.co.uk" in html and "Private use without a permission" in html
    assert f'href="/internet/pseudonym/{A}/?since=' in html
    assert "Thomas" not in html and "Wren" not in html


def test_the_dashboard_with_nothing_to_show(client, cast):
    response = signed_in(client, cast.it).get("/internet/")

    assert response.status_code == 200
    assert "0 requests" in response.content.decode()


def test_a_wrong_range_is_explained_and_the_default_shown(client, cast, week):
    html = (
        signed_in(client, cast.it)
        .get("/internet/?since=2026-03-10&until=2026-03-01")
        .content.decode()
    )

    assert "There is a problem" in html
    assert "The last day must be on or after the first." in html
    assert "twinkl.co.uk" in html


def test_the_pseudonym_page_shows_totals_no_sites_and_the_way_to_find_out_who(client, cast, week):
    html = signed_in(client, cast.dsl).get(f"/internet/pseudonym/{A}/").content.decode()

    assert "Schools, learning and teaching resources" in html
    assert "twinkl.co.uk" not in html
    assert "Who was it?" in html and 'href="/exercises/new/"' in html


def test_the_pseudonym_page_marks_a_permission_holder(client, cast, week):
    item = private_use.ask(
        cast.teacher,
        cast.school,
        purpose="p",
        categories=["webmail"],
        starts=today(),
        expires=today() + DAY,
    )
    private_use.grant(cast.head, item)

    html = signed_in(client, cast.it).get(f"/internet/pseudonym/{week}/").content.decode()

    assert "holds a permission for private use" in html
    assert 'href="/exercises/new/"' not in html  # the IT manager does not ask for exercises


@pytest.mark.parametrize("who", ["teacher", "chair", "hr", "monitor", "org_admin"])
def test_the_pages_are_refused_to_everyone_else(client, cast, who):
    signed_in(client, getattr(cast, who))

    assert client.get("/internet/").status_code == 403
    assert client.get(f"/internet/pseudonym/{A}/").status_code == 403
    assert entries("activity.view", "refused").count() == 2


def test_a_bad_pseudonym_in_the_address_is_404(client, cast):
    assert signed_in(client, cast.it).get("/internet/pseudonym/not%20one/").status_code == 404
