"""The register of permissions for private use of the school's internet (3.1).

A member of staff asks (what for, which private categories or any, from when until when); the
Headteacher grants it, perhaps for fewer categories or a shorter time, or refuses it with a
reason; the person who asked or the one who decides withdraws it. The Headteacher's own request
is decided by the Chair of Governors, as monitoring exercises are when the Headteacher is their
subject (7.1, 7.5); nobody decides their own. The requester sees their own requests; the
Headteacher and the DPO see the whole register, names included; the Chair sees the requests
they decide; nobody else sees any of it. Every look and every step is on the audit trail,
refused or done.

The dashboard asks `covers` which pseudonyms hold a permission, to tell private use under a
permission from private use without one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Value, When
from django.urls import reverse
from django.utils import dateformat, timezone

from fairwatch.audit import gate
from fairwatch.errors import FieldErrors, WrongState
from fairwatch.monitoring.notify import link_mail
from fairwatch.monitoring.pseudonyms import pseudonym_of
from fairwatch.roles import Role
from fairwatch.schools.models import Person, RoleAssignment, School
from fairwatch.schools.permissions import Action, granting_role, roles_at

from . import rules
from .models import PrivateUse, Treatment

User = AbstractBaseUser | AnonymousUser
State = PrivateUse.State

CLAUSE = "3.1"
PURPOSE_MAX = 2000
REASON_MAX = 2000
RELATED = ("person", "decided_by", "withdrawn_by", "school")
MAX_DAYS = 365  # a permission lasts at most a year; it can be asked for again
STATES = ("all", *State.values)


class InvalidRequest(FieldErrors):
    """Input the register cannot take (one message per field)."""


def day(value: dt.date) -> str:
    return dateformat.format(value, "j F Y")


def private_categories(school: School) -> list[str]:
    """The categories the school treats as private use: those a permission can cover."""
    table = rules.treatments(school)
    return sorted(c for c, t in table.items() if t == Treatment.PRIVATE.value)


# --- who may ------------------------------------------------------------------------------


def _me(user: User, school: School) -> Person | None:
    if not user.is_authenticated:
        return None
    return Person.objects.filter(school=school, user=user, status=Person.Status.CURRENT).first()


def _is_own(user: User, item: PrivateUse) -> bool:
    return user.is_authenticated and item.person.user_id == user.pk


def _refuse(user: User, school: School, step: str, object_id: str = "", why: str = "") -> NoReturn:
    gate.refuse(
        user,
        school,
        step,
        object_type="private_use",
        object_id=object_id,
        purpose=gate.Purpose.SCHOOL_ADMIN,
        clause=CLAUSE,
        why=why,
    )


def _done(
    user: User, item: PrivateUse, step: str, role: str = "", detail: dict[str, Any] | None = None
) -> None:
    gate.record(
        user=user,
        action=step,
        outcome="done",
        school=item.school,
        role=role,
        object_type="private_use",
        object_id=str(item.pk),
        purpose=gate.Purpose.SCHOOL_ADMIN,
        clause=CLAUSE,
        detail=detail,
    )


def _heads() -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(role=Role.HEADTEACHER, ended_at__isnull=True)


def decider_role(asker: Person) -> Role:
    """Who decides a request: the Headteacher, or the Chair of Governors when the one who asks
    is the Headteacher. The rule monitoring exercises follow for their approver (the Chair
    when the Headteacher is the subject or asked: `fairwatch.privacy.exercises`, 7.1, 7.5);
    here the one who asks is the subject."""
    head = _heads().filter(person=asker).exists()
    return Role.CHAIR_OF_GOVERNORS if head else Role.HEADTEACHER


def decided_by_role(item: PrivateUse) -> Role:
    """`decider_role` of the one who asked, read from the list's annotation when it has one."""
    head = getattr(item, "asked_by_head", None)
    if head is None:
        return decider_role(item.person)
    return Role.CHAIR_OF_GOVERNORS if head else Role.HEADTEACHER


def _listing(qs: QuerySet[PrivateUse]) -> QuerySet[PrivateUse]:
    """With what the pages show of each: the people named, and who decides it."""
    head = Exists(_heads().filter(person=OuterRef("person")))
    return qs.select_related(*RELATED).annotate(asked_by_head=head)


def decider_words(asker: Person | None) -> str:
    """'the Headteacher' or 'the Chair of Governors': who decides what `asker` asks for."""
    if asker is not None and decider_role(asker) is Role.CHAIR_OF_GOVERNORS:
        return "the Chair of Governors"
    return "the Headteacher"


def asked_of(user: User, school: School) -> str:
    """Who decides what the user asks for, in words for the page."""
    return decider_words(_me(user, school))


def _deciding_role(user: User, item: PrivateUse) -> Role | None:
    """The role under which the user decides this request, whoever asked (None: they don't)."""
    role = decided_by_role(item)
    if granting_role(user, Action.DECIDE_PRIVATE_USE, item.school) is None:
        return None
    return role if role in roles_at(user, item.school) else None


def decides(user: User, item: PrivateUse) -> bool:
    """Whether the request is the user's to decide (or was): the Headteacher for anyone's but
    their own, the Chair of Governors for the Headteacher's."""
    return _deciding_role(user, item) is not None and not _is_own(user, item)


def may_decide(user: User, item: PrivateUse) -> bool:
    """Whether the user may decide the request now: it is theirs to decide, and waiting."""
    return item.state == State.REQUESTED and decides(user, item)


def may_withdraw(user: User, item: PrivateUse) -> bool:
    """The person who asked, or the one who decides it, while it is asked for or granted."""
    if item.state not in (State.REQUESTED, State.GRANTED):
        return False
    return _is_own(user, item) or decides(user, item)


# --- checking input -----------------------------------------------------------------------


def _text(value: str, field: str, limit: int, missing: str, errors: dict[str, str]) -> str:
    value = (value or "").replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
    if not value and missing:
        errors[field] = missing
    elif len(value) > limit:
        errors[field] = f"Keep this to {limit} characters or fewer."
    return value


def _categories(
    wanted: list[str] | None, allowed: list[str], errors: dict[str, str], field="categories"
) -> list[str]:
    chosen = sorted(set(wanted or []))
    unknown = [c for c in chosen if c not in allowed]
    if unknown:
        names = ", ".join(c[:64] for c in unknown[:5])
        errors[field] = (
            f"Choose from the school's private-use categories; not a private-use category: {names}."
        )
    return chosen


def _dates(
    starts: dt.date | None, expires: dt.date | None, today: dt.date, errors: dict[str, str]
) -> None:
    if starts is None:
        errors["starts"] = "Give the date the permission should start."
    elif starts < today:
        errors["starts"] = f"The start cannot be in the past. Today is {day(today)}."
    if expires is None:
        errors["expires"] = "Give the date the permission should end."
    elif starts is not None and "starts" not in errors:
        if expires <= starts:
            errors["expires"] = "The end must be after the start."
        elif (expires - starts).days > MAX_DAYS:
            errors["expires"] = (
                f"A permission lasts at most a year ({MAX_DAYS} days): end it by "
                f"{day(starts + dt.timedelta(days=MAX_DAYS))}. It can be asked for again."
            )


# --- asking -------------------------------------------------------------------------------


def ask(
    user: User,
    school: School,
    *,
    purpose: str,
    categories: list[str] | None,
    starts: dt.date | None,
    expires: dt.date | None,
    today: dt.date | None = None,
) -> PrivateUse:
    """Ask for private use of the school's internet. `categories` empty means any private-use
    category. Whoever decides it (`decider_role`) is told there is a request (a link only)."""
    step = "internet.private_use.ask"
    role = granting_role(user, Action.ASK_PRIVATE_USE, school)
    person = _me(user, school)
    if role is None or person is None:
        _refuse(user, school, step)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    purpose = _text(purpose, "purpose", PURPOSE_MAX, "Say what the private use is for.", errors)
    chosen = _categories(categories, private_categories(school), errors)
    _dates(starts, expires, today, errors)
    if errors:
        raise InvalidRequest(errors)
    with transaction.atomic():
        item = PrivateUse.objects.create(
            school=school,
            person=person,
            purpose=purpose,
            categories=chosen,
            starts=starts,
            expires=expires,
        )
        _done(user, item, step, role.value, {"categories": len(chosen) or "any"})
        own = person.email.lower()
        deciders = [a for a in _addresses(school, decider_role(person)) if a != own]
        _tell(deciders, "a request to decide", item.pk)
    return item


# --- reading ------------------------------------------------------------------------------


def mine(user: User, school: School) -> list[PrivateUse]:
    """The user's own requests, newest first. Being on the roster is enough."""
    person = _me(user, school)
    if person is None:
        _refuse(user, school, "internet.private_use.mine")
    gate.record(
        user=user,
        action="internet.private_use.mine",
        outcome="allowed",
        school=school,
        object_type="person",
        object_id=str(person.pk),
        clause=CLAUSE,
    )
    return list(
        _listing(PrivateUse.objects.filter(school=school, person=person)).order_by(
            "-requested_at", "-pk"
        )
    )


def to_decide(user: User, school: School) -> list[PrivateUse]:
    """The requests waiting for the user's decision, oldest first: for the Chair of Governors,
    the Headteacher's. Names are shown, so a list that holds any is recorded."""
    if granting_role(user, Action.DECIDE_PRIVATE_USE, school) is None:
        return []
    waiting = PrivateUse.objects.filter(school=school, state=State.REQUESTED)
    found = [
        item for item in _listing(waiting).order_by("requested_at", "pk") if decides(user, item)
    ]
    if found:
        gate.record(
            user=user,
            action="internet.private_use.to_decide",
            outcome="allowed",
            school=school,
            role=_deciding_role(user, found[0]).value,
            object_type="private_use",
            object_id=",".join(str(item.pk) for item in found),
            purpose=gate.Purpose.SCHOOL_ADMIN,
            clause=CLAUSE,
        )
    return found


def register(user: User, school: School, *, state: str = "all") -> QuerySet[PrivateUse]:
    """The whole register, names included (the Headteacher and the DPO): requests waiting
    for a decision first, oldest first; then the rest, newest first."""
    if state not in STATES:
        raise InvalidRequest({"state": "Choose all, requested, granted, refused or withdrawn."})
    gate.check(
        user,
        school,
        Action.VIEW_PRIVATE_USE,
        purpose=gate.Purpose.SCHOOL_ADMIN,
        object_type="private_use_register",
        detail={"state": state},
    )
    qs = _listing(PrivateUse.objects.filter(school=school))
    if state != "all":
        qs = qs.filter(state=state)
    waiting = Case(
        When(state=State.REQUESTED, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return qs.annotate(waiting_first=waiting).order_by("waiting_first", "-requested_at", "-pk")


def get(user: User, school: School, item_id: int) -> PrivateUse:
    """One request: its requester's own, any for the Headteacher and the DPO, and the
    Headteacher's for the Chair of Governors who decides it. A refusal is recorded whether or
    not the id exists."""
    found = PrivateUse.objects.filter(school=school, pk=item_id).select_related(*RELATED).first()
    if found is not None and _is_own(user, found):
        _done(user, found, "internet.private_use.view")
        return found
    if found is not None and decides(user, found):
        _done(user, found, "internet.private_use.view", _deciding_role(user, found).value)
        return found
    gate.check(
        user,
        school,
        Action.VIEW_PRIVATE_USE,
        purpose=gate.Purpose.SCHOOL_ADMIN,
        object_type="private_use",
        object_id=str(item_id),
    )
    if found is None:
        raise PrivateUse.DoesNotExist(f"no private-use request {item_id} at {school.slug}")
    return found


# --- deciding -----------------------------------------------------------------------------


def _locked(item: PrivateUse) -> PrivateUse:
    return (
        PrivateUse.objects.select_for_update(of=("self",)).select_related(*RELATED).get(pk=item.pk)
    )


def _decider(user: User, item: PrivateUse, step: str) -> tuple[str, Person | None]:
    if _is_own(user, item):
        _refuse(user, item.school, step, str(item.pk), "You cannot decide your own request.")
    role = _deciding_role(user, item)
    if role is None:
        why = ""
        if granting_role(user, Action.DECIDE_PRIVATE_USE, item.school) is not None:
            why = f"This request is decided by {decider_words(item.person)}."
        _refuse(user, item.school, step, str(item.pk), why)
    return role.value, _me(user, item.school)


def grant(
    user: User,
    item: PrivateUse,
    *,
    categories: list[str] | None = None,
    expires: dt.date | None = None,
    conditions: str = "",
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> PrivateUse:
    """Grant a request, as asked or narrower: fewer categories (`categories`; None keeps what
    was asked) and an earlier end (`expires`; None keeps it). `conditions` are kept with it."""
    step = "internet.private_use.grant"
    role, me = _decider(user, item, step)
    today = today or timezone.localdate()
    now = now or timezone.now()
    with transaction.atomic():
        item = _locked(item)
        if item.state != State.REQUESTED:
            raise WrongState(f"This request has already been {item.get_state_display().lower()}.")
        errors: dict[str, str] = {}
        conditions = _text(conditions, "conditions", REASON_MAX, "", errors)
        asked = list(item.categories)
        if categories is None:
            chosen = asked
        else:
            chosen = _categories(categories, asked or private_categories(item.school), errors)
            if asked and not chosen and "categories" not in errors:
                errors["categories"] = (
                    "Choose at least one of the categories asked for, or refuse the request."
                )
        end = item.expires if expires is None else expires
        if end > item.expires:
            errors["expires"] = (
                f"A permission can end earlier than asked, not later: by {day(item.expires)}."
            )
        elif end <= item.starts:
            errors["expires"] = f"The end must be after the start ({day(item.starts)})."
        elif end < today:
            errors["expires"] = f"The end has passed. Today is {day(today)}."
        if errors:
            raise InvalidRequest(errors)
        narrowed = sorted(chosen) != sorted(asked)
        shortened = end != item.expires
        item.categories, item.expires = chosen, end
        item.state = State.GRANTED
        item.decided_by, item.decided_at, item.reason = me, now, conditions
        item.save(
            update_fields=["categories", "expires", "state", "decided_by", "decided_at", "reason"]
        )
        _done(user, item, step, role, {"narrowed": narrowed, "shortened": shortened})
        _tell([item.person.email], "an answer to your request", item.pk)
    return item


def refuse(
    user: User, item: PrivateUse, *, reason: str, now: dt.datetime | None = None
) -> PrivateUse:
    """Refuse a request, saying why (the requester reads the reason)."""
    step = "internet.private_use.refuse"
    role, me = _decider(user, item, step)
    errors: dict[str, str] = {}
    reason = _text(reason, "reason", REASON_MAX, "Say why the request is refused.", errors)
    if errors:
        raise InvalidRequest(errors)
    with transaction.atomic():
        item = _locked(item)
        if item.state != State.REQUESTED:
            raise WrongState(f"This request has already been {item.get_state_display().lower()}.")
        item.state = State.REFUSED
        item.decided_by, item.decided_at, item.reason = me, now or timezone.now(), reason
        item.save(update_fields=["state", "decided_by", "decided_at", "reason"])
        _done(user, item, step, role)
        _tell([item.person.email], "an answer to your request", item.pk)
    return item


def withdraw(
    user: User, item: PrivateUse, *, reason: str = "", now: dt.datetime | None = None
) -> PrivateUse:
    """Withdraw a request or a permission: the person who asked, or the one who decides it
    (`decider_role`). Who withdrew it and when are kept with it, and the withdrawal and why
    are added to its notes."""
    step = "internet.private_use.withdraw"
    own = _is_own(user, item)
    role = _deciding_role(user, item)
    if not own and role is None:
        _refuse(user, item.school, step, str(item.pk))
    errors: dict[str, str] = {}
    reason = _text(reason, "reason", REASON_MAX, "", errors)
    if errors:
        raise InvalidRequest(errors)
    now = now or timezone.now()
    with transaction.atomic():
        item = _locked(item)
        if item.state not in (State.REQUESTED, State.GRANTED):
            raise WrongState(f"This request has already been {item.get_state_display().lower()}.")
        me = _me(user, item.school)
        who = me.display_name if me else gate.actor_label(user)
        local = timezone.localtime(now)
        entry = f"Withdrawn on {day(local.date())} at {local:%H:%M} by {who}"
        entry += f": {reason}" if reason else "."
        item.reason = f"{item.reason}\n\n{entry}" if item.reason else entry
        item.state = State.WITHDRAWN
        item.withdrawn_by, item.withdrawn_at = me, now
        item.save(update_fields=["state", "reason", "withdrawn_by", "withdrawn_at"])
        _done(user, item, step, "" if own else role.value, {"by_requester": own})
        if not own:
            _tell([item.person.email], "a change to your permission", item.pk)
    return item


# --- for reports ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cover:
    """A granted permission as the reports need it: whose pseudonym, which categories (None:
    any private-use category) and which days."""

    pseudonym: str
    categories: frozenset[str] | None
    starts: dt.date
    expires: dt.date

    def covers(self, category: str, on: dt.date) -> bool:
        in_scope = self.categories is None or category in self.categories
        return in_scope and self.starts <= on <= self.expires


def covers(school: School, since: dt.date, until: dt.date) -> list[Cover]:
    """Granted permissions in force on any day from `since` to `until`. Only pseudonyms leave
    here: the reports that use them show no names."""
    granted = PrivateUse.objects.filter(
        school=school, state=State.GRANTED, starts__lte=until, expires__gte=since
    ).select_related("person")
    return [
        Cover(
            pseudonym=pseudonym_of(school, g.person),
            categories=frozenset(g.categories) if g.categories else None,
            starts=g.starts,
            expires=g.expires,
        )
        for g in granted
    ]


# --- telling people -------------------------------------------------------------------------


def _addresses(school: School, role: Role) -> list[str]:
    return sorted(
        {
            e.lower()
            for e in Person.objects.filter(
                school=school,
                status=Person.Status.CURRENT,
                roles__role=role.value,
                roles__ended_at__isnull=True,
            )
            .exclude(email="")
            .values_list("email", flat=True)
        }
    )


def _tell(addresses: list[str], what: str, item_id: int) -> None:
    """An email saying there is something to look at, with a link: no purpose, no dates, no
    categories, no names. Sent once the step commits."""
    link_mail(
        addresses,
        "something to review",
        [f"There is {what} about private use of the school's internet."],
        settings.SITE_URL + reverse("private_use_detail", args=[item_id]),
    )
