"""Alerts of web activity in harmful categories (3.3), for the DSL and the Headteacher.

An alert names a pseudonym, never a person: who it was is found out only through a monitoring
exercise (7.1) or a recorded safeguarding decision (`identify`), which opens the name for that
one alert to the DSL and the Headteacher. Nobody sees an alert about themselves: not in a list,
a count, a page or the API. Every look and every step goes through the gate and is on the audit
trail, refused or done; the emails that announce new alerts carry a link and nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NoReturn

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import dateformat, timezone

from fairwatch.audit import gate
from fairwatch.errors import FieldErrors, WrongState
from fairwatch.monitoring.models import VaultEntry
from fairwatch.monitoring.notify import link_mail
from fairwatch.monitoring.pseudonyms import identifier_of, pseudonym_of, pseudonymiser
from fairwatch.privacy.pseudonyms import SealProblem
from fairwatch.roles import Role
from fairwatch.schools.models import Person, School
from fairwatch.schools.permissions import Action, granting_role

from .models import Alert, Identification

User = AbstractBaseUser | AnonymousUser

CLAUSE = "3.3"
STATES = ("open", "closed", "all")
NOTE_MAX = 5000
RELATED = ("school", "closed_by", "identification__decided_by")
REASON_MIN = 20  # a safeguarding need takes a sentence, not a word
WHY_IDENTIFY = (
    "Say in a sentence or two why there is a safeguarding need to know who this is, for "
    "example a risk to a child."
)
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
        _refuse(user, school, step, alert_id)
    return role.value


def _refuse(user: User, school: School, step: str, alert_id: str, why: str = "") -> NoReturn:
    """Record a refused step on alerts (purpose safeguarding) and raise gate.Refused."""
    gate.refuse(
        user,
        school,
        step,
        object_type="web_alert",
        object_id=alert_id,
        purpose=gate.Purpose.SAFEGUARDING,
        clause=CLAUSE,
        why=why,
    )


def _permit_on(user: User, alert: Alert, step: str) -> str:
    """As `_permit`, for a step on one alert; and nobody acts on an alert about themselves."""
    role = _permit(user, alert.school, step, str(alert.pk))
    if about(user, alert):
        _refuse(
            user,
            alert.school,
            step,
            str(alert.pk),
            "Nobody decides or acts on an alert about themselves.",
        )
    return role


def _done(
    user: User,
    alert: Alert,
    step: str,
    role: str,
    detail: dict[str, object] | None = None,
    outcome: str = "done",
) -> None:
    gate.record(
        user=user,
        action=step,
        outcome=outcome,
        school=alert.school,
        role=role,
        object_type="web_alert",
        object_id=str(alert.pk),
        purpose=gate.Purpose.SAFEGUARDING,
        clause=CLAUSE,
        detail=detail,
    )


def _person_name(user: User, school: School) -> str:
    person = Person.objects.filter(school=school, user=user).first()
    return person.display_name if person else gate.actor_label(user)


def _own_pseudonyms(user: User | None, school: School) -> set[str]:
    """The pseudonyms the user's activity is stored under at `school` (computing them reveals
    nothing: they are one-way)."""
    if user is None or not user.is_authenticated:
        return set()
    people = Person.objects.filter(school=school, user=user)
    return {pseudonym_of(school, p) for p in people if identifier_of(p)}


def about(user: User, alert: Alert) -> bool:
    """Whether the alert is about the user: they must never see it."""
    return alert.pseudonym in _own_pseudonyms(user, alert.school)


def _seen_by(user: User | None, school: School) -> QuerySet[Alert]:
    """The school's alerts, less any about `user`."""
    return Alert.objects.filter(school=school).exclude(pseudonym__in=_own_pseudonyms(user, school))


# --- reading ------------------------------------------------------------------------------


def listed(user: User, school: School, *, state: str = "open") -> QuerySet[Alert]:
    """The school's alerts, less any about the user: open ones first, then the latest day
    first; `identified` says whether a safeguarding decision has named someone."""
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
    qs = _seen_by(user, school).select_related("closed_by")
    if state != "all":
        qs = qs.filter(state=state)
    first = Case(
        When(state=Alert.State.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    named = Exists(Identification.objects.filter(alert=OuterRef("pk")))
    return qs.annotate(open_first=first, identified=named).order_by(
        "open_first", "-day", "-last_at", "-pk"
    )


def get(user: User, school: School, alert_id: int) -> Alert:
    """One alert of `school`; the refusal is recorded whether or not the id exists. One about
    the user is not there for them, just as an id that does not exist (and is recorded alike,
    so that the trail does not tell who an alert is about)."""
    gate.check(
        user,
        school,
        Action.VIEW_WEB_ALERTS,
        purpose=gate.Purpose.SAFEGUARDING,
        object_type="web_alert",
        object_id=str(alert_id),
    )
    found = _seen_by(user, school).filter(pk=alert_id).select_related(*RELATED).first()
    if found is None:
        raise Alert.DoesNotExist(f"no alert {alert_id} at {school.slug}")
    return found


def open_count(school: School, viewer: User | None = None) -> int:
    """How many alerts wait at the school (a number for the home page; no names, no sites),
    less any about `viewer`."""
    return _seen_by(viewer, school).filter(state=Alert.State.OPEN).count()


# --- closing and reopening ------------------------------------------------------------------


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update(of=("self",)).select_related(*RELATED).get(pk=alert.pk)


def _me(user: User, school: School) -> Person | None:
    if not user.is_authenticated:
        return None
    return Person.objects.filter(school=school, user=user, status=Person.Status.CURRENT).first()


def _clean(text: str, field: str, missing: str) -> str:
    text = (text or "").replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
    if not text:
        raise InvalidStep({field: missing})
    if len(text) > NOTE_MAX:
        raise InvalidStep({field: f"Keep this to {NOTE_MAX} characters or fewer."})
    return text


def close(user: User, alert: Alert, *, note: str, now: dt.datetime | None = None) -> Alert:
    """Close an open alert with a note of what was done (kept with the alert)."""
    role = _permit_on(user, alert, "internet.alert.close")
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
        alert.closed_by = _me(user, alert.school)
        alert.save(update_fields=["state", "closed_at", "closed_by", "closed_note"])
        _done(user, alert, "internet.alert.close", role)
    return alert


def reopen(user: User, alert: Alert, *, reason: str, now: dt.datetime | None = None) -> Alert:
    """Open a closed alert again; the earlier notes and the reason stay with it."""
    role = _permit_on(user, alert, "internet.alert.reopen")
    reason = _clean(reason, "reason", "Say why the alert is being reopened.")
    now = now or timezone.now()
    with transaction.atomic():
        alert = _locked(alert)
        if alert.state != Alert.State.CLOSED:
            raise WrongState("This alert is open already.")
        entry = f"Reopened on {when(now)} by {_person_name(user, alert.school)}: {reason}"
        alert.closed_note = f"{alert.closed_note}\n\n{entry}" if alert.closed_note else entry
        alert.state = Alert.State.OPEN
        alert.closed_at, alert.closed_by = None, None
        alert.save(update_fields=["state", "closed_at", "closed_by", "closed_note"])
        _done(user, alert, "internet.alert.reopen", role)
    return alert


# --- a recorded safeguarding decision: who it was --------------------------------------------


def identify(user: User, alert: Alert, *, reason: str, now: dt.datetime | None = None) -> Alert:
    """Record a safeguarding decision to find out who is behind `alert`: the DSL or the
    Headteacher, saying why in plain words (SPEC principle 3). The name is then shown with
    this alert, and only this one, to them; see `identity`. Kept with who decided and when;
    the trail records the decision, not the reason (the DPO reads it in `identifications`)."""
    step = "internet.alert.identify"
    role = _permit_on(user, alert, step)
    me = _me(user, alert.school)
    if me is None:  # a decision names who made it
        _refuse(
            user,
            alert.school,
            step,
            str(alert.pk),
            "Only someone on the school's roster can record this decision.",
        )
    reason = _clean(reason, "reason", WHY_IDENTIFY)
    if len(reason) < REASON_MIN:
        raise InvalidStep({"reason": WHY_IDENTIFY})
    now = now or timezone.now()
    with transaction.atomic():
        alert = _locked(alert)
        if Identification.objects.filter(alert=alert).exists():
            raise WrongState("A safeguarding decision is already recorded for this alert.")
        decision = Identification.objects.create(
            alert=alert, decided_by=me, decided_at=now, reason=reason
        )
        _done(user, alert, step, role, {"decision": decision.pk})
    return Alert.objects.select_related(*RELATED).get(pk=alert.pk)


def decision_of(alert: Alert) -> Identification | None:
    """The safeguarding decision recorded for the alert, if there is one."""
    try:
        return alert.identification
    except Identification.DoesNotExist:
        return None


@dataclass(frozen=True)
class Identity:
    """Who is behind an alert, as far as the school's records go: the person on the roster,
    or else what the vault holds (a log's user name, or a computer's address)."""

    identifier: str  # what the pseudonym was made from; "" when the vault holds nothing
    person: Person | None  # on the school's roster
    note: str  # plain words for anything short of a name on the roster

    @property
    def name(self) -> str | None:
        return self.person.display_name if self.person else None


def _not_named(identifier: str) -> str:
    if identifier.startswith("user:"):
        return (
            f"The web log named the user {identifier[5:]!r}, who is not on the school's roster. "
            "The IT manager can say whose account that is."
        )
    if identifier.startswith("ip:"):
        return (
            f"The web log named no user, only the computer's address {identifier[3:]}, which is "
            "not on the school's roster. The IT manager can say which device had that address "
            "at the time."
        )
    return (
        "Nobody on the school's roster has this email address or staff id now: they may have "
        "left, or the roster may be out of date."
    )


def _behind(school: School, pseudonym: str) -> Identity:
    """Open the vault for one pseudonym, as a monitoring exercise does, and find its person."""
    vaulted = VaultEntry.objects.filter(school=school, pseudonym=pseudonym).first()
    if vaulted is None:
        return Identity("", None, "The vault holds nothing for this pseudonym.")
    try:
        identifier = pseudonymiser(school).unseal(vaulted.seal, pseudonym)
    except SealProblem:
        return Identity(
            "", None, "The vault's record for this pseudonym does not open with the school's key."
        )
    people = Person.objects.filter(school=school).filter(
        Q(email__iexact=identifier) | Q(external_id__iexact=identifier)
    )
    for person in people:
        if identifier_of(person) and pseudonym_of(school, person) == pseudonym:
            left = person.status == Person.Status.LEFT
            return Identity(identifier, person, "They have left the school." if left else "")
    return Identity(identifier, None, _not_named(identifier))


def identity(user: User, alert: Alert) -> Identity:
    """Who is behind `alert`, for the DSL or the Headteacher once a safeguarding decision is
    recorded for it. Each look is recorded (purpose safeguarding); any other is refused."""
    step = "internet.alert.identity"
    role = _permit_on(user, alert, step)
    decision = Identification.objects.filter(alert=alert).first()
    if decision is None:
        _refuse(
            user,
            alert.school,
            step,
            str(alert.pk),
            "Who is behind an alert is shown only after a recorded safeguarding decision.",
        )
    found = _behind(alert.school, alert.pseudonym)
    detail = {"decision": decision.pk, "on_roster": found.person is not None}
    _done(user, alert, step, role, detail, outcome="allowed")  # a look, as monitoring.reveal
    return found


def identifications(user: User, school: School) -> QuerySet[Identification]:
    """Every safeguarding decision that named someone at the school, newest first: which
    alert, who decided, when and why, but not who it named (the DPO oversees them; the DSL and
    the Headteacher see each other's). Decisions about the user's own alerts are left out."""
    role = granting_role(user, Action.VIEW_IDENTIFICATIONS, school)
    purpose = gate.Purpose.DATA_PROTECTION if role is Role.DPO else gate.Purpose.SAFEGUARDING
    gate.check(
        user, school, Action.VIEW_IDENTIFICATIONS, purpose=purpose, object_type="identifications"
    )
    return (
        Identification.objects.filter(alert__in=_seen_by(user, school))
        .select_related("alert", "decided_by")
        .order_by("-decided_at", "-pk")
    )


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
    link_mail(
        addresses,
        "something to review",
        [f"There is something new to review in Fairwatch for {school.name}."],
        settings.SITE_URL + reverse("internet_alerts"),
    )
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
