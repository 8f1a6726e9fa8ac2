"""Alerts of web activity in harmful categories (3.3), for the DSL and the Headteacher.

An alert names a pseudonym, never a person: who it was is found out only through a monitoring
exercise (7.1) or a recorded safeguarding decision. Every look and every step goes through the
gate and is on the audit trail, refused or done; the emails that announce new alerts carry a
link and nothing else.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.urls import reverse
from django.utils import dateformat, timezone

from fairwatch.audit import gate
from fairwatch.errors import FieldErrors, WrongState
from fairwatch.roles import Role
from fairwatch.schools.models import Person, School
from fairwatch.schools.permissions import Action, granting_role

from .models import Alert

User = AbstractBaseUser | AnonymousUser

CLAUSE = "3.3"
STATES = ("open", "closed", "all")
NOTE_MAX = 5000
READERS = (Role.DSL, Role.HEADTEACHER)  # who is told of new alerts (Action.VIEW_WEB_ALERTS)


class InvalidStep(FieldErrors):
    """Input a step cannot take (one message per field)."""


def when(value: dt.datetime) -> str:
    local = timezone.localtime(value)
    return f"{dateformat.format(local, 'j F Y')} at {local:%H:%M}"


# --- who may ------------------------------------------------------------------------------


def _permit(user: User, school: School, step: str, alert_id: str = "") -> str:
    """The role allowing a step on alerts, or record the refusal and raise gate.Refused."""
    role = granting_role(user, Action.VIEW_WEB_ALERTS, school)
    if role is None:
        gate.refuse(
            user,
            school,
            step,
            object_type="web_alert",
            object_id=alert_id,
            purpose=gate.Purpose.SAFEGUARDING,
            clause=CLAUSE,
        )
    return role.value


def _done(user: User, alert: Alert, step: str, role: str) -> None:
    gate.record(
        user=user,
        action=step,
        outcome="done",
        school=alert.school,
        role=role,
        object_type="web_alert",
        object_id=str(alert.pk),
        purpose=gate.Purpose.SAFEGUARDING,
        clause=CLAUSE,
    )


def _person_name(user: User, school: School) -> str:
    person = Person.objects.filter(school=school, user=user).first()
    return person.display_name if person else gate.actor_label(user)


# --- reading ------------------------------------------------------------------------------


def listed(user: User, school: School, *, state: str = "open") -> QuerySet[Alert]:
    """The school's alerts: open ones first, then the latest day first."""
    if state not in STATES:
        raise InvalidStep({"state": "Choose open, closed or all alerts."})
    gate.check(
        user,
        school,
        Action.VIEW_WEB_ALERTS,
        purpose=gate.Purpose.SAFEGUARDING,
        object_type="web_alerts",
        detail={"state": state},
    )
    qs = Alert.objects.filter(school=school)
    if state != "all":
        qs = qs.filter(state=state)
    first = Case(
        When(state=Alert.State.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return qs.annotate(open_first=first).order_by("open_first", "-day", "-last_at", "-pk")


def get(user: User, school: School, alert_id: int) -> Alert:
    """One alert of `school`; the refusal is recorded whether or not the id exists."""
    gate.check(
        user,
        school,
        Action.VIEW_WEB_ALERTS,
        purpose=gate.Purpose.SAFEGUARDING,
        object_type="web_alert",
        object_id=str(alert_id),
    )
    found = Alert.objects.filter(school=school, pk=alert_id).first()
    if found is None:
        raise Alert.DoesNotExist(f"no alert {alert_id} at {school.slug}")
    return found


def open_count(school: School) -> int:
    """How many alerts wait at the school (a number for the home page; no names, no sites)."""
    return Alert.objects.filter(school=school, state=Alert.State.OPEN).count()


# --- closing and reopening ------------------------------------------------------------------


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().select_related("school").get(pk=alert.pk)


def _clean(text: str, field: str, missing: str) -> str:
    text = (text or "").replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
    if not text:
        raise InvalidStep({field: missing})
    if len(text) > NOTE_MAX:
        raise InvalidStep({field: f"Keep this to {NOTE_MAX} characters or fewer."})
    return text


def close(user: User, alert: Alert, *, note: str, now: dt.datetime | None = None) -> Alert:
    """Close an open alert with a note of what was done (kept with the alert)."""
    role = _permit(user, alert.school, "internet.alert.close", str(alert.pk))
    note = _clean(note, "note", "Write a note: what was done, and why the alert can close.")
    now = now or timezone.now()
    with transaction.atomic():
        alert = _locked(alert)
        if alert.state != Alert.State.OPEN:
            raise WrongState("This alert is already closed.")
        entry = f"Closed on {when(now)} by {_person_name(user, alert.school)}: {note}"
        alert.closed_note = f"{alert.closed_note}\n\n{entry}" if alert.closed_note else entry
        alert.state = Alert.State.CLOSED
        alert.closed_at = now
        alert.save(update_fields=["state", "closed_at", "closed_note"])
        _done(user, alert, "internet.alert.close", role)
    return alert


def reopen(user: User, alert: Alert, *, reason: str, now: dt.datetime | None = None) -> Alert:
    """Open a closed alert again; the earlier notes and the reason stay with it."""
    role = _permit(user, alert.school, "internet.alert.reopen", str(alert.pk))
    reason = _clean(reason, "reason", "Say why the alert is being reopened.")
    now = now or timezone.now()
    with transaction.atomic():
        alert = _locked(alert)
        if alert.state != Alert.State.CLOSED:
            raise WrongState("This alert is open already.")
        entry = f"Reopened on {when(now)} by {_person_name(user, alert.school)}: {reason}"
        alert.closed_note = f"{alert.closed_note}\n\n{entry}" if alert.closed_note else entry
        alert.state = Alert.State.OPEN
        alert.closed_at = None
        alert.save(update_fields=["state", "closed_at", "closed_note"])
        _done(user, alert, "internet.alert.reopen", role)
    return alert


# --- telling the DSL and the Headteacher ----------------------------------------------------


def reader_addresses(school: School) -> list[str]:
    """The school's current DSL(s) and Headteacher(s) with an email address."""
    return sorted(
        set(
            Person.objects.filter(
                school=school,
                status=Person.Status.CURRENT,
                roles__role__in=[r.value for r in READERS],
                roles__ended_at__isnull=True,
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def notify_new(school: School, alerts: list[Alert]) -> int:
    """Email the school's DSL(s) and Headteacher(s) that there are new alerts to review: a
    link behind the sign-in, and nothing of the alerts themselves (no category, site, time,
    pseudonym or number), since an email can be read over someone's shoulder. Sent once the
    current transaction commits. Returns how many addresses it goes to (0: nothing to tell)."""
    if not any(a.state == Alert.State.OPEN for a in alerts):
        return 0
    addresses = reader_addresses(school)
    if not addresses:
        return 0
    link = settings.SITE_URL + reverse("internet_alerts")
    body = (
        f"There is something new to review in Fairwatch for {school.name}.\n\n"
        f"Open it here (sign-in needed): {link}\n"
    )

    def send() -> None:
        # The alerts are the record; a mail outage must not undo or lose the ingest.
        send_mail("Fairwatch: something to review", body, None, addresses, fail_silently=True)

    transaction.on_commit(send)
    gate.record(
        user=None,
        action="internet.alert.notify",
        outcome="done",
        school=school,
        object_type="web_alerts",
        clause=CLAUSE,
        detail={"recipients": len(addresses)},
    )
    return len(addresses)
