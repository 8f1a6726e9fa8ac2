"""Asking staff to read the policy, and reminding them on the school's own schedule.

A version that changed staff duties is asked of every current member of staff and volunteer
with an email address: at once when it is published (if it is already in force), on the day
it takes effect otherwise, and on the day a new starter joins. Those who have not said they
have read it are reminded every `PolicySettings.remind_every_days` days (0: never) until they
do. Each email is stored as a `Reminder`, so a run is idempotent and the dashboard can say
how often someone has been asked; each run writes one audit entry, with counts, not names.

Each person's deadline is `deadline_days` from the later of the version taking effect and
the day they were first asked (or joined), unless the Headteacher agreed them more time:
then they are not reminded until `remind_every_days` before their own deadline. More time
may reveal a disability, so only the person and those who answer adjustments see the agreed
day; anyone else (the DPO on the dashboard) sees the schedule's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fairwatch.audit import gate
from fairwatch.audit.models import AuditEntry
from fairwatch.errors import FieldErrors
from fairwatch.monitoring.notify import link_mail
from fairwatch.schools.models import Person, School
from fairwatch.schools.permissions import Action, may

from . import store
from .models import Acknowledgement, Adjustment, PolicySettings, PolicyVersion, Reminder

DEADLINE_DAYS = (1, 90)
REMIND_EVERY_DAYS = (0, 60)
RUN_ACTION = "policy.remind"
SETTINGS_ACTION = "policy.schedule"


class InvalidSchedule(FieldErrors):
    """Settings the schedule cannot take (one message per field)."""


# --- the school's settings ----------------------------------------------------------------


def settings_for(school: School) -> PolicySettings:
    """The school's schedule; the defaults (14 days, reminded every 7) until it sets its own."""
    found, _ = PolicySettings.objects.get_or_create(school=school)
    return found


def _whole(value: Any) -> int | None:
    """A whole number from a form, the API or code; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 6:
        return int(value.strip())
    return None


def _problems(deadline_days: Any, remind_every_days: Any) -> dict[str, str]:
    errors: dict[str, str] = {}
    low, high = DEADLINE_DAYS
    days = _whole(deadline_days)
    if days is None or not low <= days <= high:
        errors["deadline_days"] = (
            "Give the days staff have to read a new version as a whole number "
            f"from {low} to {high}."
        )
    low, high = REMIND_EVERY_DAYS
    every = _whole(remind_every_days)
    if every is None or not low <= every <= high:
        errors["remind_every_days"] = (
            f"Give how often to remind staff as a whole number of days from {low} to {high} "
            "(0 sends no reminders)."
        )
    return errors


def update_settings(
    user: store.User, school: School, deadline_days: Any, remind_every_days: Any
) -> PolicySettings:
    """Change the school's schedule. Only those who publish the policy may (recorded either
    way: `gate.Refused`); raises InvalidSchedule, naming the field, for values out of range."""
    role = store.check_adapting(user, school, "policy_settings")
    errors = _problems(deadline_days, remind_every_days)
    if errors:
        _record_settings(user, school, role, "refused", {"why": errors})
        raise InvalidSchedule(errors)
    with transaction.atomic():
        found = settings_for(school)
        before = {
            "deadline_days": found.deadline_days,
            "remind_every_days": found.remind_every_days,
        }
        found.deadline_days = _whole(deadline_days)
        found.remind_every_days = _whole(remind_every_days)
        found.save()
        after = {"deadline_days": found.deadline_days, "remind_every_days": found.remind_every_days}
        _record_settings(user, school, role, "done", {"before": before, "after": after})
    return found


def _record_settings(
    user: store.User, school: School, role: str, outcome: str, detail: dict[str, Any]
) -> None:
    store.record_adapting(
        user, school, SETTINGS_ACTION, outcome, role, "policy_settings", "", detail
    )


def in_words(found: PolicySettings) -> str:
    """What the schedule means, for the page that sets it."""
    days = _plural(found.deadline_days, "day")
    text = (
        f"Staff have {days} to read a new version, counted from the day it takes effect "
        "or, for someone who joins later, from the day they are first asked"
    )
    if found.remind_every_days:
        every = _plural(found.remind_every_days, "day")
        return f"{text}. They are reminded every {every} until they have read it."
    return f"{text}. They are asked once and not reminded."


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


# --- deadlines ----------------------------------------------------------------------------


def deadline_for(person: Person, row: PolicyVersion, *, with_adjustments: bool = True) -> dt.date:
    """The day ``person`` should have read version ``row`` by: an agreed more-time
    adjustment's day if there is one, otherwise `deadline_days` from the later of the
    version taking effect and the day they were first asked (or, never asked, joined).
    The default is the person's own deadline, for them (and the Headteacher) to see; see
    `deadlines` for everyone else."""
    return deadlines(row, [person], with_adjustments=with_adjustments)[person.pk]


def may_see_adjustments(user: store.User | None, school: School) -> bool:
    """Whether ``user`` may know of someone's agreed more time. An adjustment may reveal a
    disability, so only those who answer adjustments may (the person sees their own); the
    command line (None) gets the schedule's dates too."""
    return user is not None and may(user, Action.ANSWER_ADJUSTMENTS, school)


def agreed_deadlines(row: PolicyVersion, ids: Iterable[int]) -> dict[int, dt.date]:
    """The day each of ``ids`` with agreed more time for ``row`` has to read it by."""
    agreed: dict[int, dt.date] = {}
    for person_id, day in Adjustment.objects.filter(
        person_id__in=list(ids),
        version=row,
        kind=Adjustment.Kind.TIME,
        status=Adjustment.Status.AGREED,
        deadline__isnull=False,
    ).values_list("person_id", "deadline"):
        # More than one agreed: the later day, so no agreement is taken back.
        agreed[person_id] = max(day, agreed.get(person_id, day))
    return agreed


def deadlines(
    row: PolicyVersion,
    people: Iterable[Person],
    *,
    with_adjustments: bool,
    asking_on: dt.date | None = None,
) -> dict[int, dt.date]:
    """`deadline_for` for many people at once (the dashboard), in three queries.
    ``with_adjustments``: use agreed more time (only for the person themselves, their
    emails, and those who `may_see_adjustments`); otherwise everyone has the schedule's
    date, so nobody learns who was given more time.
    ``asking_on``: the day those never asked are being asked (their email must give the
    deadline they will have once asked)."""
    people = list(people)
    ids = [person.pk for person in people]
    agreed = agreed_deadlines(row, ids) if with_adjustments else {}
    asked: dict[int, dt.datetime] = {}
    for person_id, at in Reminder.objects.filter(
        person_id__in=ids, version=row, kind=Reminder.Kind.ASKED
    ).values_list("person_id", "sent_at"):
        asked[person_id] = min(at, asked.get(person_id, at))
    days = dt.timedelta(days=settings_for(row.school).deadline_days)
    out: dict[int, dt.date] = {}
    for person in people:
        if person.pk in agreed:
            out[person.pk] = agreed[person.pk]
            continue
        since = asked.get(person.pk)
        if since is not None:
            start = timezone.localdate(since)
        elif asking_on is not None:
            start = asking_on
        else:
            start = (
                timezone.localdate(person.created_at) if person.created_at else row.effective_from
            )
        out[person.pk] = max(row.effective_from, start) + days
    return out


# --- who is due an email ------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """Someone to email now: asked for the first time, or reminded."""

    person: Person
    version: PolicyVersion
    kind: str  # Reminder.Kind
    deadline: dt.date


@dataclass(frozen=True)
class Summary:
    """What a run sent at a school (counts, never names)."""

    school: str
    version: int | None
    asked: int
    reminded: int
    dry_run: bool = False

    @property
    def sent(self) -> int:
        return self.asked + self.reminded

    def as_dict(self) -> dict[str, Any]:
        return {
            "school": self.school,
            "version": self.version,
            "asked": self.asked,
            "reminded": self.reminded,
            "sent": self.sent,
            "dry_run": self.dry_run,
        }


def _asked_of(school: School) -> list[Person]:
    """Current staff and volunteers who can be emailed."""
    return list(
        Person.objects.filter(
            school=school, kind__in=store.STAFF_KINDS, status=Person.Status.CURRENT
        )
        .exclude(email="")
        .by_name()
    )


def _covered(school: School, row: PolicyVersion, people: list[Person]) -> set[int]:
    # Reading a later version covers this one, as on the dashboard.
    return set(
        Acknowledgement.objects.filter(
            version__school=school, version__number__gte=row.number, person__in=people
        ).values_list("person_id", flat=True)
    )


def due(school: School, now: dt.datetime) -> list[Due]:
    """Who should get an email at ``now`` for the version to read on that day: those never
    asked, and (reminders on) those last emailed at least `remind_every_days` days before.
    Deterministic given ``now`` and what is stored; an email stored "after" ``now`` counts as
    sent, so nobody is asked twice."""
    today = timezone.localdate(now)
    row = store.to_read(school, today)
    if row is None:
        return []
    people = _asked_of(school)
    covered = _covered(school, row, people)
    last: dict[int, dt.datetime] = {}
    for person_id, at in Reminder.objects.filter(version=row, person__in=people).values_list(
        "person_id", "sent_at"
    ):
        last[person_id] = max(at, last.get(person_id, at))
    every = settings_for(school).remind_every_days
    waiting = [person for person in people if person.pk not in covered]
    # Their own emails: each gives the person's own deadline, agreed more time included.
    owed = deadlines(row, waiting, with_adjustments=True, asking_on=today)
    agreed = agreed_deadlines(row, [person.pk for person in waiting])
    found = []
    for person in waiting:
        if person.pk not in last:
            found.append(Due(person, row, Reminder.Kind.ASKED, owed[person.pk]))
        elif _reminder_due(today, last[person.pk], every, agreed.get(person.pk)):
            found.append(Due(person, row, Reminder.Kind.REMINDER, owed[person.pk]))
    return found


def _reminder_due(today: dt.date, last: dt.datetime, every: int, agreed: dt.date | None) -> bool:
    """Reminders on, and the last email at least `every` days ago. Someone agreed more time
    is left alone until `every` days before their own deadline: reminding them during the
    time they were given would take it back."""
    if not every:
        return False
    if agreed is not None and today < agreed - dt.timedelta(days=every):
        return False
    return (today - timezone.localdate(last)).days >= every


# --- sending ------------------------------------------------------------------------------


def send_due(
    school: School,
    now: dt.datetime | None = None,
    *,
    user: store.User | None = None,
    dry_run: bool = False,
) -> Summary:
    """Email everyone due at ``now`` (default: this moment) and store a `Reminder` for each.
    Running twice at the same moment sends nothing the second time. ``user`` is who asked
    for the run (None: the scheduled run at the command line); ``dry_run`` only counts."""
    now = now or timezone.now()
    with transaction.atomic():
        # One run at a time per school, so two overlapping runs never email someone twice.
        School.objects.select_for_update().filter(pk=school.pk).first()
        found = due(school, now)
        if found and not dry_run:
            _send(school, found, now)
        summary = _summary(school, found, now, dry_run)
        _record_run(user, school, summary, now)
    return summary


def _summary(school: School, found: list[Due], now: dt.datetime, dry_run: bool) -> Summary:
    row = found[0].version if found else store.to_read(school, timezone.localdate(now))
    asked = sum(1 for each in found if each.kind == Reminder.Kind.ASKED)
    return Summary(
        school.slug,
        row.number if row else None,
        asked,
        len(found) - asked,
        dry_run,
    )


def _send(school: School, found: list[Due], now: dt.datetime) -> None:
    today = timezone.localdate(now)
    link = settings.SITE_URL + reverse("policy_read")
    for each in found:
        subject, lines = _email(school, each, today)
        # One email each: nobody learns who else has not read it.
        link_mail([each.person.email], subject, lines, link)
    Reminder.objects.bulk_create(
        Reminder(version=each.version, person=each.person, kind=each.kind, sent_at=now)
        for each in found
    )


def _email(school: School, each: Due, today: dt.date) -> tuple[str, list[str]]:
    number = each.version.number
    subject = f"please read version {number} of the staff policy"
    lines = [
        f"Version {number} of {school.name}'s staff policy on email, internet and social "
        f"media use took effect on {store.plain_day(each.version.effective_from)}.",
    ]
    if each.kind == Reminder.Kind.REMINDER:
        subject = f"reminder: {subject}"
        lines.append("You have not yet said that you have read it.")
    if each.deadline < today:
        lines.append(
            f"Your deadline to read it was {store.plain_day(each.deadline)}: please read it as "
            "soon as you can."
        )
    else:
        lines.append(f"Please read it, and say that you have, by {store.plain_day(each.deadline)}.")
    lines.append(
        "If you need it in another format or need more time, you can ask for that on the same page."
    )
    return subject, lines


def _record_run(
    user: store.User | None, school: School, summary: Summary, now: dt.datetime
) -> None:
    gate.record(
        user=user,
        action=RUN_ACTION,
        outcome=AuditEntry.Outcome.ALLOWED if summary.dry_run else AuditEntry.Outcome.DONE,
        school=school,
        object_type="policy_version",
        object_id=str(summary.version or ""),
        purpose=gate.Purpose.SCHOOL_ADMIN,
        detail={**summary.as_dict(), "at": now.isoformat()},
    )


def send_now(user: store.User, school: School) -> Summary:
    """The schedule page's button: send what is due now, if the user may publish the policy
    (recorded either way: `gate.Refused`)."""
    store.check_adapting(user, school, "policy_settings")
    return send_due(school, user=user)


@dataclass(frozen=True)
class LastRun:
    """When the reminders last ran at a school, and what they sent."""

    at: dt.datetime
    by: str
    asked: int
    reminded: int
    version: int | None


def last_run(school: School) -> LastRun | None:
    """The school's last real run (not a dry run), from its audit entry; None if never."""
    entry = (
        AuditEntry.objects.filter(school=school, action=RUN_ACTION, outcome=AuditEntry.Outcome.DONE)
        .order_by("-seq")
        .first()
    )
    if entry is None:
        return None
    detail = entry.detail or {}
    by = "the daily scheduled run" if entry.actor_id is None else entry.actor_label
    return LastRun(
        entry.at,
        by,
        int(detail.get("asked", 0)),
        int(detail.get("reminded", 0)),
        detail.get("version"),
    )


# --- asking at once -----------------------------------------------------------------------


def ask_on_publish(user: store.User, school: School, row: PolicyVersion) -> Summary | None:
    """Called by `store.publish`: a version that changed duties and is already in force is
    asked of everyone at once; a later one is asked by the scheduled run from its day."""
    if not row.duties_changed or row.effective_from > timezone.localdate():
        return None
    return send_due(school, user=user)


def ask_new_starters(
    school: School, people: Iterable[Person | int], *, actor: store.User | None = None
) -> Summary:
    """Ask people a roster import has just added (or who came back) to read the version to
    read now, at once, rather than waiting for the next scheduled run. People already asked
    for this version are left to the schedule."""
    ids = [each.pk if isinstance(each, Person) else int(each) for each in people]
    now = timezone.now()
    with transaction.atomic():
        School.objects.select_for_update().filter(pk=school.pk).first()
        row = store.to_read(school, timezone.localdate(now))
        if row is None or not ids:
            return Summary(school.slug, row.number if row else None, 0, 0)
        chosen = set(ids)
        found = [
            each
            for each in due(school, now)
            if each.person.pk in chosen and each.kind == Reminder.Kind.ASKED
        ]
        if found:
            _send(school, found, now)
        summary = Summary(school.slug, row.number, len(found), 0)
        gate.record(
            user=actor,
            action="policy.ask_new_starters",
            outcome=AuditEntry.Outcome.DONE,
            school=school,
            object_type="policy_version",
            object_id=str(row.number),
            purpose=gate.Purpose.SCHOOL_ADMIN,
            detail={"asked": len(found)},
        )
    return summary


# --- the dashboard ------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """Where someone who has not read a version stands: their deadline, whether it has
    passed, and how many times they have been emailed about it after the first ask (None:
    not for this viewer, as someone given more time is reminded less)."""

    deadline: dt.date
    overdue: bool
    reminders: int | None


def standing(
    school: School, report: store.Report, viewer: store.User | None
) -> dict[int, Standing]:
    """For each person outstanding in a report (already read through the gate by
    `store.outstanding`), their deadline and the reminders they have had, as ``viewer`` may
    see them: agreed more time only if they `may_see_adjustments`, the schedule's date
    otherwise (the page must then not show the reminders either: fewer would tell)."""
    row = PolicyVersion.objects.get(school=school, number=report.number)
    ids = [reader.person_id for reader in report.outstanding]
    people = list(Person.objects.filter(school=school, pk__in=ids))
    seen = may_see_adjustments(viewer, school)
    owed = deadlines(row, people, with_adjustments=seen)
    counts: dict[int, int] = {}
    for person_id in Reminder.objects.filter(
        version=row, person_id__in=ids, kind=Reminder.Kind.REMINDER
    ).values_list("person_id", flat=True):
        counts[person_id] = counts.get(person_id, 0) + 1
    today = timezone.localdate()
    return {
        pk: Standing(day, day < today, counts.get(pk, 0) if seen else None)
        for pk, day in owed.items()
    }


@dataclass(frozen=True)
class Schedule:
    """The school's schedule as its page and the API show it."""

    deadline_days: int
    remind_every_days: int
    in_words: str
    last_run: LastRun | None


def schedule(user: store.User, school: School) -> Schedule:
    """The schedule, for those who set it (recorded either way: `gate.Refused`)."""
    store.check_adapting(user, school, "policy_settings")
    found = settings_for(school)
    return Schedule(found.deadline_days, found.remind_every_days, in_words(found), last_run(school))
