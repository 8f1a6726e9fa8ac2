"""The breach register (5.2): anyone reports a breach, the DPO assesses it, reports it to the
ICO within 72 hours of discovery when it must be, and closes it.

Every read goes through the gate and every change writes an audit entry, refused or done.
Breaches opened by a refused look at identified data come from `exercises.reveal`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import dateformat, timezone

from fairwatch.audit import gate
from fairwatch.errors import FieldErrors
from fairwatch.schools.models import Person, School
from fairwatch.schools.permissions import Action, granting_role

from .models import Breach
from .notify import tell_dpo

User = AbstractBaseUser | AnonymousUser

CLAUSE = "5.2"
RISKS = ("low", "medium", "high")
STATES = ("open", "closed", "all")
WHAT_MAX = 5000
# A time a moment ahead of the server's clock is a clock difference, not a claim about the future.
CLOCK_SLACK = dt.timedelta(minutes=2)


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()  # "leave this field as it is" in `update`


class InvalidBreach(FieldErrors):
    """Input the register cannot take (one message per field)."""


# --- who may ------------------------------------------------------------------------------


def permit(user: User, school: School, action: Action, change: str, breach_id: str = "") -> str:
    """The role allowing a change, or record the refusal and raise gate.Refused."""
    role = granting_role(user, action, school)
    if role is None:
        gate.refuse(
            user,
            school,
            change,
            object_type="breach",
            object_id=breach_id,
            purpose=gate.Purpose.DATA_PROTECTION,
            clause=CLAUSE,
        )
    return role.value


def _done(user: User, breach: Breach, change: str, role: str, detail: dict[str, Any]) -> None:
    gate.record(
        user=user,
        action=change,
        outcome="done",
        school=breach.school,
        role=role,
        object_type="breach",
        object_id=str(breach.pk),
        purpose=gate.Purpose.DATA_PROTECTION,
        clause=CLAUSE,
        detail=detail,
    )


def _person(user: User, school: School) -> Person | None:
    return Person.objects.filter(school=school, user=user).first()


# --- checking input -----------------------------------------------------------------------


EARLIEST_YEAR = 1990


def _aware(value: dt.datetime) -> dt.datetime:
    """A time without a zone is read as the school's local time (UK); any time is kept in
    UTC (PostgreSQL refuses offsets beyond ±15:59, which ISO 8601 allows)."""
    value = timezone.make_aware(value) if timezone.is_naive(value) else value
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:  # the first or last day a date can have: refused by _not_future
        return value


def when(value: dt.datetime) -> str:
    """A time in plain words, in UK time: "5 March 2026 at 14:05"."""
    local = timezone.localtime(value)
    return f"{dateformat.format(local, 'j F Y')} at {local:%H:%M}"


def _not_future(value: dt.datetime, now: dt.datetime, field: str, what: str) -> dict[str, str]:
    if value > now + CLOCK_SLACK:
        return {field: f"{what} cannot be in the future. It is now {when(now)}."}
    if value.year <= EARLIEST_YEAR:
        return {field: f"{what} is too long ago: give a time after {EARLIEST_YEAR}."}
    return {}


# --- reporting ----------------------------------------------------------------------------


def report(
    user: User,
    school: School,
    *,
    what: str,
    found_at: dt.datetime | None,
    people_affected: str = "",
    now: dt.datetime | None = None,
) -> Breach:
    """Put a breach someone found on the register (5.2: report it immediately)."""
    role = permit(user, school, Action.REPORT_BREACH, "breach.report")
    now = now or timezone.now()
    what = (what or "").strip()
    errors: dict[str, str] = {}
    if not what:
        errors["what"] = "Say what happened."
    elif len(what) > WHAT_MAX:
        errors["what"] = f"Keep what happened to {WHAT_MAX} characters or fewer."
    if found_at is None:
        errors["found_at"] = "Give the date and time the breach was found."
    else:
        found_at = _aware(found_at)
        errors |= _not_future(found_at, now, "found_at", "The time it was found")
    if errors:
        raise InvalidBreach(errors)
    with transaction.atomic():
        breach = Breach.objects.create(
            school=school,
            source=Breach.Source.REPORTED,
            what=what,
            found_at=found_at,
            people_affected=(people_affected or "").strip(),
            reported_by=_person(user, school),
            reported_at=now,
        )
        _done(user, breach, "breach.report", role, {"source": breach.source})
        notify_dpo(breach)
    return breach


# --- telling the DPO -------------------------------------------------------------------------


def notify_dpo(breach: Breach) -> None:
    """Tell the school's DPO(s) that a breach is on the register: its number, its deadline
    and where to look (what happened stays in the register). A DPO who is the subject of the
    exercise concerned is not told."""
    tell_dpo(
        breach.school,
        f"breach {breach.pk} recorded at {breach.school.name}",
        [
            f"A possible personal data breach (number {breach.pk}) has been recorded at "
            f"{breach.school.name}.",
            f"If it is reportable, the ICO must be told by {when(breach.report_by)} (72 hours "
            "from when it was found).",
        ],
        "breach_detail",
        breach.pk,
        skip=breach.exercise.subject.email if breach.exercise_id else "",
    )


# --- the DPO's register -------------------------------------------------------------------


def register(user: User, school: School, *, state: str = "open") -> QuerySet[Breach]:
    """The school's breaches: open ones first, soonest deadline first; then closed ones,
    most recently closed first."""
    if state not in STATES:
        raise InvalidBreach({"state": "Choose open, closed or all breaches."})
    gate.check(
        user,
        school,
        Action.MANAGE_BREACHES,
        purpose=gate.Purpose.DATA_PROTECTION,
        object_type="breach_register",
        detail={"state": state},
    )
    qs = (
        Breach.objects.filter(school=school)
        .exclude(exercise__subject__user=user)  # a DPO who is the subject never learns of it
        .select_related("reported_by", "closed_by")
    )
    if state == "open":
        qs = qs.filter(closed_at__isnull=True)
    elif state == "closed":
        qs = qs.filter(closed_at__isnull=False)
    return qs.order_by(F("closed_at").desc(nulls_first=True), "found_at", "pk")


def get(user: User, school: School, breach_id: int) -> Breach:
    """One breach of `school`; the refusal is recorded whether or not the id exists."""
    gate.check(
        user,
        school,
        Action.MANAGE_BREACHES,
        purpose=gate.Purpose.DATA_PROTECTION,
        object_type="breach",
        object_id=str(breach_id),
    )
    found = (
        Breach.objects.filter(school=school, pk=breach_id)
        .exclude(exercise__subject__user=user)
        .select_related("reported_by", "closed_by")
        .first()
    )
    if found is None:
        raise Breach.DoesNotExist(f"no breach {breach_id} at {school.slug}")
    return found


def _locked(breach: Breach) -> Breach:
    # Only inner joins: PostgreSQL cannot lock the nullable side of an outer join.
    return Breach.objects.select_for_update().select_related("school").get(pk=breach.pk)


def update(
    user: User,
    breach: Breach,
    *,
    risk: str = KEEP,
    reportable: bool | None = KEEP,
    actions: str = KEEP,
    people_affected: str = KEEP,
    ico_reported_at: dt.datetime | None = KEEP,
    ico_reference: str = KEEP,
    found_at: dt.datetime = KEEP,
    now: dt.datetime | None = None,
) -> Breach:
    """The DPO's assessment of an open breach. Fields left as KEEP do not change; the audit
    entry names the fields that did (never their values)."""
    role = permit(user, breach.school, Action.MANAGE_BREACHES, "breach.update", str(breach.pk))
    now = now or timezone.now()
    given = {
        "risk": risk,
        "reportable": reportable,
        "actions": actions,
        "people_affected": people_affected,
        "ico_reported_at": ico_reported_at,
        "ico_reference": ico_reference,
        "found_at": found_at,
    }
    given = {name: value for name, value in given.items() if value is not KEEP}
    with transaction.atomic():
        breach = _locked(breach)
        if breach.closed_at is not None:
            raise InvalidBreach({"state": "This breach is closed. Reopen it to change it."})
        values = _checked(breach, given, now)
        changed = sorted(name for name, value in values.items() if getattr(breach, name) != value)
        for name in changed:
            setattr(breach, name, values[name])
        if changed:
            breach.save(update_fields=changed)
        _done(user, breach, "breach.update", role, {"changed": changed})
    return breach


def _checked(breach: Breach, given: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """The given values cleaned, or InvalidBreach naming every problem."""
    values = dict(given)
    errors: dict[str, str] = {}
    for name in ("actions", "people_affected", "ico_reference"):
        if name in values:
            values[name] = (values[name] or "").strip()
    if "risk" in values:
        values["risk"] = (values["risk"] or "").strip().lower()
        if values["risk"] not in ("", *RISKS):
            errors["risk"] = "Choose low, medium or high for the risk."
    if "reportable" in values and values["reportable"] not in (True, False, None):
        errors["reportable"] = (
            "Say whether the breach must be reported to the ICO: yes, no or not decided."
        )
    if len(values.get("ico_reference", "")) > 64:
        errors["ico_reference"] = "Keep the ICO reference to 64 characters or fewer."
    if values.get("found_at") is not None:
        if breach.source != Breach.Source.REPORTED:
            errors["found_at"] = (
                "This breach was opened by a refused access, and was found when that happened."
            )
        else:
            values["found_at"] = _aware(values["found_at"])
            errors |= _not_future(values["found_at"], now, "found_at", "The time it was found")
    elif "found_at" in values:
        errors["found_at"] = "Give the date and time the breach was found."
    if values.get("ico_reported_at") is not None:
        values["ico_reported_at"] = _aware(values["ico_reported_at"])
        errors |= _not_future(
            values["ico_reported_at"], now, "ico_reported_at", "The time the ICO was told"
        )
    found = values.get("found_at") or breach.found_at
    told = values.get("ico_reported_at", breach.ico_reported_at)
    is_reportable = values.get("reportable", breach.reportable)
    if is_reportable and told is not None and told < found and "ico_reported_at" not in errors:
        errors["ico_reported_at"] = (
            f"The ICO cannot have been told before the breach was found ({when(found)})."
        )
    if errors:
        raise InvalidBreach(errors)
    return values


def missing_for_closing(breach: Breach) -> dict[str, str]:
    """What must be decided before `breach` can be closed, by field; empty when ready."""
    missing: dict[str, str] = {}
    if not breach.risk:
        missing["risk"] = "Set the risk (low, medium or high) before closing the breach."
    if breach.reportable is None:
        missing["reportable"] = (
            "Decide whether the breach must be reported to the ICO before closing it."
        )
    elif breach.reportable and breach.ico_reported_at is None:
        missing["ico_reported_at"] = (
            "The breach must be reported to the ICO: record when they were told before closing it."
        )
    return missing


def close(user: User, breach: Breach, *, note: str, now: dt.datetime | None = None) -> Breach:
    """Close a breach whose risk and reporting have been decided, with a closing note."""
    role = permit(user, breach.school, Action.MANAGE_BREACHES, "breach.close", str(breach.pk))
    now = now or timezone.now()
    with transaction.atomic():
        breach = _locked(breach)
        if breach.closed_at is not None:
            raise InvalidBreach({"state": "This breach is already closed."})
        errors = missing_for_closing(breach)
        note = (note or "").strip()
        if not note:
            errors["note"] = "Write a closing note: what was done and why the breach can close."
        if errors:
            raise InvalidBreach(errors)
        breach.closed_at = now
        breach.closed_by = _person(user, breach.school)
        breach.closure_note = note
        breach.save(update_fields=["closed_at", "closed_by", "closure_note"])
        _done(user, breach, "breach.close", role, {"reportable": breach.reportable})
    return breach


def reopen(user: User, breach: Breach, reason: str, *, now: dt.datetime | None = None) -> Breach:
    """Open a closed breach again. The earlier closing note and the reason are kept in its
    actions, so the register shows why it was reopened."""
    role = permit(user, breach.school, Action.MANAGE_BREACHES, "breach.reopen", str(breach.pk))
    now = now or timezone.now()
    with transaction.atomic():
        breach = _locked(breach)
        if breach.closed_at is None:
            raise InvalidBreach({"state": "This breach is open already."})
        reason = (reason or "").strip()
        if not reason:
            raise InvalidBreach({"reason": "Say why the breach is being reopened."})
        closed_by = breach.closed_by.display_name if breach.closed_by else "someone"
        reopened_by = _person(user, breach.school)
        history = (
            f"Closed on {when(breach.closed_at)} by {closed_by}: {breach.closure_note}\n"
            f"Reopened on {when(now)} by "
            f"{reopened_by.display_name if reopened_by else gate.actor_label(user)}: {reason}"
        )
        breach.actions = f"{breach.actions}\n\n{history}" if breach.actions else history
        breach.closed_at = None
        breach.closed_by = None
        breach.closure_note = ""
        breach.save(update_fields=["actions", "closed_at", "closed_by", "closure_note"])
        _done(user, breach, "breach.reopen", role, {})
    return breach


# --- the 72 hours -------------------------------------------------------------------------


@dataclass(frozen=True)
class Countdown:
    """Time left to report to the ICO (negative when overdue), and the same in plain words.
    `running` is False once the question is settled: reported, or not reportable."""

    left: dt.timedelta
    words: str
    running: bool

    @property
    def overdue(self) -> bool:
        return self.running and self.left < dt.timedelta(0)


def _span(amount: dt.timedelta) -> str:
    """A positive duration in the two largest whole units: "2 days 5 hours", "40 minutes"."""
    minutes = int(amount.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    units = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    while units and units[0][0] == 0:
        units.pop(0)
    if not units:
        return "less than a minute"
    shown = [(n, unit) for n, unit in units[:2] if n]
    return " ".join(f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in shown)


def time_left(breach: Breach, now: dt.datetime | None = None) -> Countdown:
    """The 72-hour countdown from discovery to reporting to the ICO, as at `now`."""
    now = now or timezone.now()
    left = breach.report_by - now
    if breach.reportable is False:
        return Countdown(left, "not reportable", running=False)
    if breach.reportable and breach.ico_reported_at is not None:
        late = breach.ico_reported_at - breach.report_by
        timing = (
            "within the 72 hours"
            if late <= dt.timedelta(0)
            else f"{_span(late)} after the deadline"
        )
        words = f"reported to the ICO on {when(breach.ico_reported_at)}, {timing}"
        return Countdown(left, words, running=False)
    if left >= dt.timedelta(0):
        return Countdown(left, f"{_span(left)} left", running=True)
    return Countdown(left, f"overdue by {_span(-left)}", running=True)
