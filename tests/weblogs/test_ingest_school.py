"""Taking a school's proxy log in: totals stored under the same pseudonyms exercises use,
pupils left out, harmful categories alerted, a file read twice adding nothing, a grown file
adding only what is new, malformed lines quarantined with addresses masked."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from fairwatch.audit.models import AuditEntry
from fairwatch.internet import categories, ingest
from fairwatch.internet.models import Alert, CategoryRule, LogFile, SiteDay
from fairwatch.monitoring.models import ActivityEvent, VaultEntry
from fairwatch.monitoring.pseudonyms import identifier_of, pseudonym_of
from fairwatch.schools.models import Person
from fairwatch.weblogs.ingest import LogProblem

T0 = 1795651200  # 2026-11-26 00:00:00 UTC, a Thursday


def squid(t: int, user: str, url: str, client: str = "10.1.2.3", code: str = "TCP_MISS/200") -> str:
    method = "CONNECT" if not url.startswith("http") else "GET"
    return f"{t}.123 {120:6d} {client} {code} 5120 {method} {url} {user} HIER_DIRECT/1.2.3.4 -\n"


@pytest.fixture
def lists(tmp_path, settings):
    """A small UT1-style list installed as the school's categories."""
    root = tmp_path / "ut1"
    for cat, domains in {
        "adult": ["badsite.example"],
        "games": ["gameplanet.example"],
        "press": ["news.example"],
    }.items():
        (root / cat).mkdir(parents=True)
        (root / cat / "domains").write_text("\n".join(domains) + "\n")
    categories.import_lists(root)
    return root


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(lines))
    return path


def test_a_log_becomes_pseudonymous_daily_totals(cast, lists, tmp_path):
    teacher = Person.objects.get(school=cast.school, email="teacher@oak.example")
    log = write(
        tmp_path / "access.log",
        [
            squid(T0 + 9 * 3600, "teacher@oak.example", "www.news.example:443"),
            squid(T0 + 9 * 3600 + 5, "teacher", "cdn.news.example:443"),  # the same person
            squid(T0 + 10 * 3600, "-", "http://gameplanet.example/play?x=1", client="10.9.9.9"),
            squid(T0 + 11 * 3600, "oliver.grant@pupils.oak.example", "www.news.example:443"),
        ],
    )
    summary = ingest.run(cast.school, [log])
    assert summary.lines == 4 and summary.bad == 0 and summary.pupils_left_out == 1
    rows = list(ActivityEvent.objects.filter(school=cast.school, system="internet"))
    by_category = {(r.pseudonym, r.category): r for r in rows}
    mine = by_category[(pseudonym_of(cast.school, teacher), "press")]
    assert mine.count == 2 and mine.summary == "news.example ×2" and not mine.blocked
    assert mine.bytes == 2 * 5120
    games = [r for r in rows if r.category == "games"]
    assert len(games) == 1 and games[0].summary == "gameplanet.example ×1"
    assert games[0].pseudonym != mine.pseudonym
    # Everyone together, per site and day, without pseudonyms: what the top sites come from.
    days = {(d.site, d.category): d.count for d in SiteDay.objects.filter(school=cast.school)}
    assert days == {("news.example", "press"): 2, ("gameplanet.example", "games"): 1}
    # Nothing identifying is stored: no user names, addresses or paths in the totals.
    stored = " ".join(f"{r.pseudonym} {r.summary} {r.source}" for r in rows)
    for secret in ("teacher", "10.9.9.9", "play?x=1", "oliver"):
        assert secret not in stored
    # The identifier is sealed in the vault, as for every importer.
    assert VaultEntry.objects.filter(school=cast.school, pseudonym=mine.pseudonym).exists()
    assert identifier_of(teacher) == "teacher@oak.example"
    entry = AuditEntry.objects.filter(action="weblog.ingest").latest("seq")
    assert entry.detail["lines"] == 4 and "teacher" not in str(entry.detail)


def test_a_harmful_category_raises_an_alert_that_a_later_ingest_adds_to(cast, lists, tmp_path):
    first = write(
        tmp_path / "a.log",
        [
            squid(T0 + 9 * 3600, "teacher", "www.badsite.example:443"),
            squid(T0 + 9 * 3600 + 60, "teacher", "badsite.example:443", code="TCP_DENIED/403"),
        ],
    )
    ingest.run(cast.school, [first])
    [alert] = Alert.objects.filter(school=cast.school)
    assert alert.category == "adult" and alert.count == 2 and alert.blocked == 1
    assert alert.sites == [["badsite.example", 2]] or alert.sites[0][0] == "badsite.example"
    second = write(tmp_path / "b.log", [squid(T0 + 15 * 3600, "teacher", "badsite.example:443")])
    ingest.run(cast.school, [second])
    alert.refresh_from_db()
    assert Alert.objects.filter(school=cast.school).count() == 1 and alert.count == 3


def test_a_category_the_school_allows_raises_no_alert(cast, lists, tmp_path):
    CategoryRule.objects.create(school=cast.school, category="adult", treatment="allowed")
    log = write(tmp_path / "a.log", [squid(T0 + 9 * 3600, "teacher", "badsite.example:443")])
    ingest.run(cast.school, [log])
    assert not Alert.objects.exists()


def test_the_same_file_twice_adds_nothing_and_a_grown_one_only_what_is_new(cast, lists, tmp_path):
    lines = [squid(T0 + 9 * 3600 + i, "teacher", "www.news.example:443") for i in range(5)]
    log = write(tmp_path / "access.log", lines)
    ingest.run(cast.school, [log])
    again = ingest.run(cast.school, [log, tmp_path / "." / "access.log"])
    assert again.lines == 0 and again.requests == 0 and len(again.files) == 1

    def total() -> int:
        return sum(ActivityEvent.objects.filter(system="internet").values_list("count", flat=True))

    assert total() == 5
    with log.open("a") as f:
        f.write(squid(T0 + 10 * 3600, "teacher", "www.news.example:443"))
    grown = ingest.run(cast.school, [log])
    assert grown.lines == 1 and total() == 6
    assert grown.files[0]["already_had_bytes"] > 0
    assert LogFile.objects.filter(school=cast.school).order_by("-id").first().lines == 6


def test_gzip_and_malformed_lines_are_counted_and_quarantined_masked(cast, lists, tmp_path):
    raw = [
        squid(T0 + 9 * 3600, "teacher", "www.news.example:443"),
        "this is not a squid line from 10.20.30.40 by jane.doe@oak.example\n",
        squid(T0 + 9 * 3600 + 1, "teacher", "www.news.example:443"),
    ]
    log = tmp_path / "access.log.gz"
    log.write_bytes(gzip.compress("".join(raw).encode()))
    summary = ingest.run(cast.school, [log])
    assert summary.lines == 3 and summary.requests == 2 and summary.bad == 1
    quarantine = Path(summary.files[0]["quarantine"])
    text = quarantine.read_text()
    assert text.splitlines()[1].startswith("2\t")  # the line's number
    assert "10.20.30.40" not in text and "jane.doe@oak.example" not in text
    assert os.stat(quarantine).st_mode & 0o077 == 0


def test_a_file_that_is_not_a_log_is_refused_and_nothing_is_stored(cast, lists, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("Dear all,\nthe staff meeting is moved to Thursday.\n")
    with pytest.raises(LogProblem, match="notes.txt"):
        ingest.run(cast.school, [junk])
    assert not ActivityEvent.objects.exists() and not LogFile.objects.exists()


def test_without_imported_lists_the_seed_list_is_used(cast, tmp_path):
    index = categories.installed()
    assert index.size > 0
    log = write(tmp_path / "a.log", [squid(T0 + 9 * 3600, "teacher", "www.bet365.com:443")])
    summary = ingest.run(cast.school, [log])
    assert summary.requests == 1


def test_new_activity_on_a_closed_alert_opens_it_again_and_tells_the_readers(
    cast, lists, tmp_path, mailoutbox, django_capture_on_commit_callbacks
):
    first = write(tmp_path / "a.log", [squid(T0 + 9 * 3600, "teacher", "badsite.example:443")])
    ingest.run(cast.school, [first])
    alert = Alert.objects.get(school=cast.school)
    alert.state, alert.closed_note = Alert.State.CLOSED, "Looked at: a mistyped address."
    alert.save()
    later = write(tmp_path / "b.log", [squid(T0 + 16 * 3600, "teacher", "badsite.example:443")])
    with django_capture_on_commit_callbacks(execute=True):
        ingest.run(cast.school, [later])
    alert.refresh_from_db()
    assert alert.state == Alert.State.OPEN and alert.count == 2
    assert alert.closed_note.startswith("Looked at: a mistyped address.")
    assert "new activity after it was closed" in alert.closed_note
    assert len(mailoutbox) == 1 and "badsite" not in mailoutbox[0].body


def test_the_totals_are_stored_the_same_a_few_days_at_a_time(cast, lists, tmp_path, monkeypatch):
    """Read back from the spill one day at a time or all at once: the same rows, alerts and
    summary."""
    rows = [
        squid(T0 + d * 86400 + h * 3600 + i, user, host)
        for d in range(6)
        for h in (9, 13)
        for i, (user, host) in enumerate(
            [
                ("teacher", "www.news.example:443"),
                ("head", "badsite.example:443"),
                ("-", "gameplanet.example:443"),
            ]
        )
    ]
    log = write(tmp_path / "week.log", rows)

    def stored():
        events = sorted(
            ActivityEvent.objects.filter(school=cast.school).values_list(
                "pseudonym", "occurred_at", "category", "count", "summary", "blocked"
            )
        )
        sites = sorted(SiteDay.objects.values_list("day", "site", "category", "count"))
        alerts = sorted(Alert.objects.values_list("pseudonym", "category", "day", "count"))
        return events, sites, alerts

    monkeypatch.setattr(ingest._Spill, "BATCH_ROWS", 1)
    monkeypatch.setattr(ingest.engine, "CHUNK_BYTES", 300)  # many chunks, so days are handed on
    small = ingest.run(cast.school, [log])
    one_by_one = stored()
    assert len({e[1].date() for e in one_by_one[0]}) == 6
    (
        ActivityEvent.objects.all().delete(),
        SiteDay.objects.all().delete(),
        Alert.objects.all().delete(),
    )
    LogFile.objects.all().delete()
    monkeypatch.setattr(ingest._Spill, "BATCH_ROWS", 10**9)
    whole = ingest.run(cast.school, [log])
    assert stored() == one_by_one
    assert (small.requests, small.people, small.alerts, small.categories) == (
        whole.requests,
        whole.people,
        whole.alerts,
        whole.categories,
    )


def test_a_urls_list_puts_a_path_under_a_site_in_its_own_category(cast, tmp_path):
    """Only the paths a `urls` list names change a request's category; the rest of the site
    keeps the site's (the engine reads paths only under such sites)."""
    root = tmp_path / "ut1"
    (root / "press").mkdir(parents=True)
    (root / "press" / "domains").write_text("news.example\n")
    (root / "adult").mkdir()
    (root / "adult" / "domains").write_text("badsite.example\n")
    (root / "adult" / "urls").write_text("news.example/naughty\n")
    categories.import_lists(root)
    log = write(
        tmp_path / "paths.log",
        [
            squid(T0 + 9 * 3600, "teacher", "http://www.news.example/naughty/page?x=1"),
            squid(T0 + 9 * 3600 + 1, "teacher", "http://www.news.example/sport"),
            squid(T0 + 9 * 3600 + 2, "teacher", "http://other.example/naughty"),
        ],
    )
    summary = ingest.run(cast.school, [log])
    assert summary.categories == {"adult": 1, "press": 1, "(none)": 1}
    [alert] = Alert.objects.filter(school=cast.school)
    assert alert.category == "adult" and alert.count == 1
