"""`fairwatch retention run`: what time does to stored data, done and recorded.

Run it daily (cron or a systemd timer). Each run is idempotent:
- exercises become active at their start and close by themselves at their end (7.1);
- after the school's retention period, a closed exercise's identified extracts are deleted
  and the deletion recorded (7.2);
- pseudonymised activity older than the school's activity retention is deleted;
- released subject-access downloads expire;
- closed low-level concerns are deleted once every member of staff they are about has left
  the school, after the school's setting (KCSIE part 4: kept at least until they leave).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.utils import timezone

from fairwatch.audit import gate
from fairwatch.concerns import services as concerns
from fairwatch.privacy import exercises as rules
from fairwatch.schools.models import School

from . import access, exercises
from .models import ActivityEvent, Exercise, Extract
from .school_settings import settings_for


@dataclass
class Summary:
    now: str
    exercises_activated: int = 0
    exercises_closed: int = 0
    exercises_purged: int = 0
    extracts_deleted: int = 0
    activity_deleted: int = 0
    site_days_deleted: int = 0
    downloads_expired: int = 0
    low_level_concerns_deleted: int = 0
    schools: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def run(now: dt.datetime | None = None, *, school: School | None = None) -> Summary:
    now = now or timezone.now()
    summary = Summary(now=now.isoformat())
    schools = [school] if school else list(School.objects.order_by("slug"))
    for s in schools:
        summary.schools.append(s.slug)
        _exercises(s, now, summary)
        _activity(s, now, summary)
        _downloads(s, now, summary)
        summary.low_level_concerns_deleted += concerns.purge_low_level(s, now)
    return summary


def _exercises(school: School, now: dt.datetime, summary: Summary) -> None:
    live = Exercise.objects.filter(school=school).exclude(state__in=["purged"])
    for ex in live.order_by("pk"):
        was = ex.state
        ex = exercises.refresh(ex, now)
        if was != ex.state:
            summary.exercises_activated += ex.state in ("active", "closed") and was == "approved"
            summary.exercises_closed += ex.state == "closed"
        if ex.state == "closed" and rules.purge_due(exercises.rules_form(ex), now):
            _purge(ex, now, summary)


def _purge(ex: Exercise, now: dt.datetime, summary: Summary) -> None:
    with transaction.atomic():
        ex = Exercise.objects.select_for_update().get(pk=ex.pk)
        form = rules.purge(exercises.rules_form(ex), now)
        deleted, _ = Extract.objects.filter(exercise=ex).delete()
        exercises.store(ex, form)
        exercises.record(
            None,
            ex.school,
            "exercise.purge",
            "done",
            ex.ref,
            detail={"extracts_deleted": deleted, "closed_at": str(ex.closed_at)},
            clause="7.2",
        )
    summary.exercises_purged += 1
    summary.extracts_deleted += deleted


def _activity(school: School, now: dt.datetime, summary: Summary) -> None:
    """Pseudonymised activity older than the school's period goes; so do the internet's
    per-site daily totals of those days (no pseudonyms there, but the dashboard reads both,
    and they should agree)."""
    from fairwatch.internet.models import SiteDay  # the internet app builds on this one

    days = settings_for(school).activity_retention_days
    cutoff = now - dt.timedelta(days=days)
    with transaction.atomic():
        deleted, _ = ActivityEvent.objects.filter(school=school, occurred_at__lt=cutoff).delete()
        sites, _ = SiteDay.objects.filter(
            school=school, day__lt=timezone.localdate(cutoff)
        ).delete()
        summary.site_days_deleted += sites
        if deleted or sites:
            gate.record(
                user=None,
                action="activity.expire",
                outcome="done",
                school=school,
                object_type="activity",
                clause="3.2",
                detail={
                    "deleted": deleted,
                    "site_days_deleted": sites,
                    "older_than": cutoff.isoformat(),
                    "days": days,
                },
            )
    summary.activity_deleted += deleted


def _downloads(school: School, now: dt.datetime, summary: Summary) -> None:
    summary.downloads_expired += access.expire_due(school, now)
