"""What the internet-use tests share: a known set of categories and descriptions (so the tests
do not depend on which lists are installed), and helpers that make totals and alerts as the
ingest stores them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fairwatch.audit.models import AuditEntry
from fairwatch.internet import category_rules
from fairwatch.internet.models import Alert, SiteDay
from fairwatch.monitoring.models import ActivityEvent
from fairwatch.monitoring.pseudonyms import pseudonym_of
from fairwatch.schools.models import Person
from fairwatch.schools.services import issue_token

# Who holds which role at Oak; the org admin holds none there, the outsider none anywhere.
WHO = ["head", "dsl", "dpo", "it", "teacher", "monitor", "hr", "chair", "org_admin", "outsider"]
STAFF = ["head", "dsl", "dpo", "it", "teacher", "monitor", "hr", "chair"]

CATEGORIES = ["adult", "education", "news", "shopping", "games", "gambling", "webmail"]
DESCRIPTIONS = {
    "adult": "Pornography and adult material",
    "education": "Schools, learning and teaching resources",
    "shopping": "Online shops",
    "gambling": "Betting and gambling",
}
REAL_INSTALLED = category_rules.installed_categories
API = "/api/v1/schools/oak/internet"


@pytest.fixture(autouse=True)
def _known_lists(monkeypatch):
    monkeypatch.setattr(category_rules, "installed_categories", lambda: list(CATEGORIES))
    monkeypatch.setattr(category_rules, "descriptions", lambda: dict(DESCRIPTIONS))


def person(cast, user) -> Person:
    return Person.objects.get(school=cast.school, user=user)


def pseudonym(cast, user) -> str:
    return pseudonym_of(cast.school, person(cast, user))


def today() -> dt.date:
    return timezone.localdate()


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), timezone.get_current_timezone())


def totals(school, who: str, day: dt.date, category: str, site: str, count: int, **fields):
    """One day's total for one pseudonym, site and category, as the ingest stores it: the
    pseudonymised activity (its sites in the summary) and the site's day for everyone."""
    first = at(day, fields.pop("hour", 10))
    SiteDay.objects.create(
        school=school,
        day=day,
        site=site,
        category=category,
        kind="web",
        count=count,
        blocked=count if fields.get("blocked") else 0,
    )
    return ActivityEvent.objects.create(
        school=school,
        pseudonym=who,
        system="internet",
        occurred_at=first,
        last_at=first + dt.timedelta(hours=2),
        category=category,
        summary=f"{site} ×{count}",
        count=count,
        source="web:test.log",
        **fields,
    )


def make_alert(school, who: str = "p_" + "a" * 32, day: dt.date | None = None, **fields) -> Alert:
    day = day or today()
    values = {
        "category": "adult",
        "sites": [["badsite.example", 12], ["worse.example", 3]],
        "count": 15,
        "blocked": 9,
        "first_at": at(day, 9, 5),
        "last_at": at(day, 14, 40),
    } | fields
    return Alert.objects.create(school=school, pseudonym=who, day=day, **values)


def entries(action: str, outcome: str | None = None):
    qs = AuditEntry.objects.filter(action=action)
    return qs.filter(outcome=outcome) if outcome else qs


def bearer(user) -> dict[str, str]:
    _, secret = issue_token(user, "tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def signed_in(client, user):
    user.refresh_from_db()  # the cast reset every password after making these instances
    client.force_login(user)
    return client
