"""Concerns about staff and their cases (6.11, 7.3-7.6), through the gate.

Who a case goes to and who may see it are the rules' answers (`fairwatch.cases.rules.route`
and `view_of`), asked here with the school's people as they are now: no page, API route,
count, search, export or email decides for itself. Every read and every step writes the audit
trail under the case's ref; the case's chronology is read back from those entries.

A subject of a case never learns of it: for them it does not exist (the same "not found" as a
ref that was never made, and recorded alike).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import dateformat, timezone

from fairwatch.audit import gate
from fairwatch.audit.models import AuditEntry
from fairwatch.cases import clock, rules
from fairwatch.cases.rules import Member, NotAllowed, Outcome, State, View
from fairwatch.errors import FieldErrors, WrongState
from fairwatch.internet import alerts
from fairwatch.mailflow import held
from fairwatch.monitoring import exercises
from fairwatch.monitoring.notify import link_mail
from fairwatch.monitoring.school_settings import settings_for
from fairwatch.privacy.exercises import NotAllowed as ExerciseNotAllowed
from fairwatch.roles import Role
from fairwatch.schools import closures
from fairwatch.schools.models import OrganisationAdmin, Person, RoleAssignment, School
from fairwatch.schools.permissions import Action, granting_role, schools_for

from .models import Case, Evidence

User = AbstractBaseUser | AnonymousUser

CLAUSE = "7.5"
PUPIL_CLAUSE = "7.6"
PURPOSE = gate.Purpose.CONCERN
WHAT_MAX = 10_000
REASON_MAX = 5_000
FILE_MAX = 10 * 1024 * 1024  # bytes, each
FILES_MAX = 10  # on one case
STATES = ("open", "closed", "all")
ID_MAX = 2**63 - 1  # the database's biggest id: a bigger one names nobody
# Who handles a case, in the order their role is named on the trail.
HANDLING_ROLES = (Role.HEADTEACHER, Role.CHAIR_OF_GOVERNORS, Role.ORG_ADMIN, Role.DSL)
# The steps of a case, as the chronology tells them (reads are on the trail too, not here).
STEPS: dict[str, str] = {
    "case.raise": "Raised the concern",
    "case.evidence": "Added evidence",
    "case.triage": "Triaged it",
    "case.hr": "Recorded the consultation with the HR adviser",
    "case.lado": "Recorded the LADO decision",
    "case.outcome": "Recorded the outcome and closed the case",
    "case.link": "Linked it",
    "case.exercise": "Opened a monitoring exercise from it",
}


class InvalidConcern(FieldErrors):
    """Input a concern or a step of its case cannot take (one message per field)."""


def when(value: dt.datetime) -> str:
    """ "5 March 2026 at 14:05", in the school's time."""
    local = timezone.localtime(value)
    return f"{dateformat.format(local, 'j F Y')} at {local:%H:%M}"


# --- the people, as the rules see them ----------------------------------------------------


def _member_id(person: Person) -> int:
    """The rules' id for a person: their user's id; someone with no sign-in gets a negative
    id (never a user's), so they can be routed around but never see anything."""
    return person.user_id if person.user_id is not None else -person.pk


def members(school: School) -> list[Member]:
    """Everyone at the school now who holds a role, and the organisation's named contacts;
    whether each can sign in (a case goes only to someone who can)."""
    roles: dict[int, set[Role]] = {}
    active: dict[int, bool] = {}
    rows = RoleAssignment.objects.filter(
        person__school=school, person__status=Person.Status.CURRENT, ended_at__isnull=True
    ).values_list("person_id", "person__user_id", "person__user__is_active", "role")
    for person_id, user_id, is_active, role in rows:
        key = user_id if user_id is not None else -person_id
        roles.setdefault(key, set()).add(Role(role))
        active[key] = bool(user_id is not None and is_active)
    admins = OrganisationAdmin.objects.filter(organisation_id=school.organisation_id)
    for user_id in admins.filter(user__is_active=True).values_list("user_id", flat=True):
        roles.setdefault(user_id, set()).add(Role.ORG_ADMIN)
        active[user_id] = True
    return [Member(id=i, roles=frozenset(r), can_sign_in=active[i]) for i, r in roles.items()]


@dataclass
class _School:
    """What deciding who sees what needs, read once per request."""

    school: School
    people: list[Member]

    @classmethod
    def of(cls, school: School) -> _School:
        return cls(school, members(school))

    def concern(self, case: Case) -> rules.Concern:
        return rules.Concern(
            raised_by=case.raised_by_id,
            subjects=frozenset(_member_id(p) for p in case.subjects.all()),
            pupil_involved=case.pupil_involved,
        )

    def routing(self, case: Case) -> rules.Routing:
        return rules.route(self.concern(case), self.people)

    def view(self, user: User | None, case: Case) -> View:
        if user is None or not user.is_authenticated or not user.is_active:
            return View.NONE
        concern = self.concern(case)
        try:
            to: Sequence[int] = rules.route(concern, self.people).to
        except NotAllowed:
            to = ()
        return rules.view_of(user.pk, concern, to)

    def role(self, user: User) -> str:
        """The role under which `user` handles cases here (for the trail)."""
        held = next((m.roles for m in self.people if m.id == user.pk), frozenset())
        return next((r.value for r in HANDLING_ROLES if r in held), "")


def _cases(school: School) -> QuerySet[Case]:
    return Case.objects.filter(school=school).prefetch_related("subjects")


# --- the trail ----------------------------------------------------------------------------


def _record(
    user: User | None,
    school: School,
    action: str,
    outcome: str,
    ref: str,
    *,
    role: str = "",
    clause: str = CLAUSE,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    return gate.record(
        user=user,
        action=action,
        outcome=outcome,
        school=school,
        role=role,
        object_type="case",
        object_id=ref,
        purpose=PURPOSE,
        clause=clause,
        detail=detail,
    )


def _not_found(user: User, school: School, action: str, ref: str) -> NoReturn:
    """Record the refusal and answer as for a case that does not exist."""
    _record(user, school, action, "refused", str(ref)[:12])
    raise Case.DoesNotExist(f"no case {ref}")


# --- raising ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A file as given (by a form or the API)."""

    name: str
    content_type: str
    content: bytes


def colleagues(user: User, school: School) -> QuerySet[Person]:
    """Who a concern may be about: current staff and volunteers, less the person raising it.
    The list is a read of the staff roster, so it is recorded."""
    gate.check(
        user,
        school,
        Action.RAISE_CONCERN,
        purpose=PURPOSE,
        object_type="people",
        detail={"kinds": ["staff", "volunteer"], "for": "raising a concern"},
    )
    return (
        Person.objects.filter(
            school=school,
            status=Person.Status.CURRENT,
            kind__in=(Person.Kind.STAFF, Person.Kind.VOLUNTEER),
        )
        .exclude(user=user)
        .by_name()
    )


def _check_files(files: Sequence[Upload], already: int = 0) -> dict[str, str]:
    if already + len(files) > FILES_MAX:
        return {"evidence": f"A case can hold up to {FILES_MAX} files."}
    for f in files:
        if not f.content:
            return {"evidence": f"The file {f.name!r} is empty."}
        if len(f.content) > FILE_MAX:
            return {"evidence": f"The file {f.name!r} is over {FILE_MAX // (1024 * 1024)} MB."}
    return {}


def _store_files(user: User, case: Case, files: Sequence[Upload], now: dt.datetime) -> None:
    Evidence.objects.bulk_create(
        Evidence(
            case=case,
            name=(f.name or "file").replace("/", "_").replace("\\", "_")[-200:],
            content_type=(f.content_type or "application/octet-stream")[:100],
            size=len(f.content),
            sha256=hashlib.sha256(f.content).hexdigest(),
            content=f.content,
            added_by=user,
            added_at=now,
        )
        for f in files
    )


def raise_concern(
    user: User,
    school: School,
    *,
    kind: str,
    what: str,
    happened_on: dt.date | None,
    subjects: Iterable[int],
    pupil_involved: bool | None,
    files: Sequence[Upload] = (),
    now: dt.datetime | None = None,
) -> Case:
    """A member of staff raises a concern about one or more colleagues (6.11, 7.5). It goes
    to those the rules name, who are told by a link-only email; so is the raiser, that it was
    received."""
    role = granting_role(user, Action.RAISE_CONCERN, school)
    if role is None:
        gate.refuse(user, school, "case.raise", object_type="case", purpose=PURPOSE, clause=CLAUSE)
    now = now or timezone.now()
    what = (what or "").replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
    ids = sorted({int(i) for i in subjects})
    errors: dict[str, str] = {}
    if kind not in Case.Kind.values:
        errors["kind"] = (
            "Choose what the concern is about: email, the internet, social media or "
            "cyberbullying of staff."
        )
    if not what:
        errors["what"] = "Say what happened."
    elif len(what) > WHAT_MAX:
        errors["what"] = f"Keep what happened to {WHAT_MAX} characters or fewer."
    today = timezone.localdate(now)
    if happened_on is None:
        errors["happened_on"] = "Give the date it happened (your best guess will do)."
    elif happened_on > today:
        errors["happened_on"] = "The date it happened cannot be in the future."
    if pupil_involved is None:
        errors["pupil_involved"] = "Say whether a pupil may be involved."
    people = list(
        Person.objects.filter(
            school=school,
            pk__in=[i for i in ids if 0 < i <= ID_MAX],
            status=Person.Status.CURRENT,
            kind__in=(Person.Kind.STAFF, Person.Kind.VOLUNTEER),
        )
    )
    if not ids:
        errors["subjects"] = "Choose the colleague (or colleagues) the concern is about."
    elif len(people) != len(ids):
        errors["subjects"] = "Choose colleagues from this school's staff list."
    elif any(p.user_id == user.pk for p in people):
        errors["subjects"] = (
            "A concern is about a colleague, not yourself. To tell someone about your own "
            "conduct, speak to the Headteacher."
        )
    errors |= _check_files(files)
    if errors:
        raise InvalidConcern(errors)
    at = _School.of(school)
    concern = rules.Concern(
        raised_by=user.pk,
        subjects=frozenset(_member_id(p) for p in people),
        pupil_involved=bool(pupil_involved),
    )
    try:
        routing = rules.route(concern, at.people)
    except NotAllowed as nobody:
        raise InvalidConcern({"subjects": str(nobody)}) from nobody
    with transaction.atomic():
        case = Case.objects.create(
            school=school,
            kind=kind,
            what=what,
            happened_on=happened_on,
            pupil_involved=bool(pupil_involved),
            raised_by=user,
            raised_at=now,
        )
        case.subjects.set(people)
        _store_files(user, case, files, now)
        _record(
            user,
            school,
            "case.raise",
            "done",
            case.ref,
            role=role.value,
            clause=PUPIL_CLAUSE if pupil_involved else CLAUSE,
            detail={"routed_to": len(routing.to), "files": len(files), "kind": kind},
        )
        _tell_routed(case, routing)
        _tell_raiser(case, "received")
    return case


def _addresses(school: School, user_ids: Iterable[int]) -> list[str]:
    ids = [i for i in user_ids if i > 0]
    on_roster = Person.objects.filter(
        school=school, user_id__in=ids, status=Person.Status.CURRENT
    ).exclude(email="")
    found = {p.user_id: p.email for p in on_roster}
    for u in get_user_model().objects.filter(pk__in=[i for i in ids if i not in found]):
        found[u.pk] = getattr(u, "email", "") or ""
    return sorted({a for a in found.values() if a})


def _link(name: str, ref: str) -> str:
    return settings.SITE_URL + reverse(name, args=[ref])


def _tell_routed(case: Case, routing: rules.Routing) -> None:
    """The people a case went to: that there is one and where, never what or about whom."""
    lines = [
        f"A concern about a member of staff has been raised at {case.school.name}.",
        "Please open it today: some cases have a decision due within one working day.",
    ]
    link_mail(
        _addresses(case.school, routing.to),
        f"a concern for you at {case.school.name}",
        lines,
        _link("case_detail", case.ref),
    )


def _tell_raiser(case: Case, news: str) -> None:
    lines = {
        "received": f"Your concern (reference {case.ref}) has been received. Thank you.",
        "closed": f"The concern you raised (reference {case.ref}) is now closed.",
    }[news]
    link_mail(
        _addresses(case.school, [case.raised_by_id]),
        f"your concern {case.ref} is {news}",
        [lines],
        _link("concern_receipt", case.ref),
    )


# --- reading ------------------------------------------------------------------------------


def visible(user: User, school: School, *, state: str = "open", q: str = "") -> list[Case]:
    """The cases `user` handles at `school` (never one about them): open first with the LADO
    decision soonest due, then newest. `q` searches the ref, what happened and the subjects'
    names, within those cases only. The look is recorded (how many, not which)."""
    if state not in STATES:
        raise InvalidConcern({"state": "Choose open, closed or all cases."})
    at = _School.of(school)
    found = [c for c in _cases(school) if at.view(user, c) is View.CASE]
    if state != "all":
        found = [c for c in found if c.is_open == (state == "open")]
    if q.strip():
        found = [c for c in found if _matches(c, q)]
    closed = closures_for(school, found)
    found.sort(key=lambda c: _order(c, closed))
    if found or q:
        _record(
            user,
            school,
            "case.list",
            "allowed",
            "",
            role=at.role(user),
            detail={"state": state, "shown": len(found), "searched": bool(q.strip())},
        )
    return found


def _matches(case: Case, q: str) -> bool:
    words = q.lower().split()
    text = " ".join(
        [case.ref, case.what, *(p.display_name for p in case.subjects.all()), case.kind]
    ).lower()
    return all(w in text for w in words)


def _order(case: Case, closed: set[dt.date]) -> tuple[Any, ...]:
    due = lado_due(case, closed)
    return (
        not case.is_open,
        due is None,
        due.timestamp() if due else 0.0,
        -case.raised_at.timestamp(),
    )


def get(user: User, school: School, ref: str) -> Case:
    """A case `user` handles; Case.DoesNotExist otherwise (a subject, someone it did not go
    to, or no such ref all look the same). The look is recorded."""
    case = _cases(school).filter(ref=str(ref)[:12]).select_related("school").first()
    at = _School.of(school)
    if case is None or at.view(user, case) is not View.CASE:
        _not_found(user, school, "case.view", ref)
    _record(user, school, "case.view", "allowed", case.ref, role=at.role(user))
    return case


def receipts(user: User, school: School) -> list[Case]:
    """The concerns `user` raised, as receipts: received, and open or closed. A concern the
    raiser is now a subject of is not shown (the rules' answer, as everywhere)."""
    at = _School.of(school)
    return [
        c
        for c in _cases(school).filter(raised_by=user).order_by("-raised_at", "-pk")
        if at.view(user, c) in (View.RECEIPT, View.CASE)
    ]


def receipt(user: User, school: School, ref: str) -> Case:
    """A concern `user` raised (its receipt); Case.DoesNotExist otherwise."""
    case = _cases(school).filter(ref=str(ref)[:12], raised_by=user).first()
    if case is None or _School.of(school).view(user, case) not in (View.RECEIPT, View.CASE):
        _not_found(user, school, "case.receipt", ref)
    _record(user, school, "case.receipt", "allowed", case.ref)
    return case


def lookup(user: User, school: School, ref: str) -> tuple[Case, View]:
    """A case and what `user` may see of it (the case, or the receipt of one they raised);
    Case.DoesNotExist for anyone else. The look is recorded."""
    case = _cases(school).filter(ref=str(ref)[:12]).select_related("school").first()
    at = _School.of(school)
    seen = at.view(user, case) if case is not None else View.NONE
    if case is None or seen is View.NONE:
        _not_found(user, school, "case.view", ref)
    action = "case.view" if seen is View.CASE else "case.receipt"
    _record(user, school, action, "allowed", case.ref, role=at.role(user))
    return case, seen


def school_of(user: User, ref: str, current: School | None = None) -> School | None:
    """Which of the user's schools case `ref` is at, when they may see something of it (a
    link in an email opens whichever school the session is in); `current` when it is there,
    and None when it is at none of theirs or they may not see it. It reads nothing of the
    case, so it writes nothing: the page that opens it does."""
    at = Case.objects.filter(ref=str(ref)[:12]).values_list("school_id", flat=True).first()
    if at is None or (current is not None and at == current.pk):
        return current if at is not None else None
    school = next((s for s in schools_for(user) if s.pk == at), None)
    if school is None:
        return None
    case = _cases(school).get(ref=str(ref)[:12])
    return school if _School.of(school).view(user, case) is not View.NONE else None


def closures_for(school: School, cases: Sequence[Case]) -> set[dt.date]:
    """The closure dates the LADO clocks of `cases` may cross."""
    starts = [timezone.localdate(c.raised_at) for c in cases if c.pupil_involved]
    if not starts:
        return set()
    return closures.dates(school, min(starts), max(starts) + dt.timedelta(days=400))


def lado_due(case: Case, closed: set[dt.date] | None = None) -> dt.datetime | None:
    """When the LADO decision is due (one working day from the concern), while it is not
    recorded; None when no pupil may be involved or it is decided."""
    if not case.pupil_involved or case.lado_decided_at is not None:
        return None
    if closed is None:
        closed = closures_for(case.school, [case])
    return clock.deadline(case.raised_at, closed, tz=settings.TIME_ZONE)


@dataclass(frozen=True)
class Clock:
    due: dt.datetime
    words: str  # "due in 3 hours", "overdue by 1 day 2 hours"
    overdue: bool


def lado_clock(
    case: Case, closed: set[dt.date] | None = None, now: dt.datetime | None = None
) -> Clock | None:
    due = lado_due(case, closed)
    if due is None:
        return None
    now = now or timezone.now()
    return Clock(due=due, words=clock.time_left(due, now), overdue=now > due)


def waiting_count(school: School, viewer: User | None) -> int:
    """How many open cases wait for `viewer` (a number for the home page)."""
    at = _School.of(school)
    return sum(
        1 for c in _cases(school).exclude(state=State.CLOSED) if at.view(viewer, c) is View.CASE
    )


def overdue_count(school: School, viewer: User | None, now: dt.datetime | None = None) -> int:
    """How many of `viewer`'s cases are past their LADO decision's deadline."""
    at = _School.of(school)
    mine = [
        c
        for c in _cases(school).filter(pupil_involved=True, lado_decided_at__isnull=True)
        if at.view(viewer, c) is View.CASE
    ]
    closed = closures_for(school, mine)
    now = now or timezone.now()
    return sum(1 for c in mine if (due := lado_due(c, closed)) is not None and now > due)


def routing_of(case: Case) -> rules.Routing | None:
    """Who the case goes to now, and why (for the case page); None when nobody may."""
    try:
        return _School.of(case.school).routing(case)
    except NotAllowed:
        return None


def handler_names(case: Case, routing: rules.Routing | None) -> list[str]:
    """The names of those the case goes to now (`routing`: `routing_of(case)`)."""
    return _names(case.school, routing.to) if routing is not None else []


def _names(school: School, user_ids: Iterable[int]) -> list[str]:
    ids = list(user_ids)
    people = {
        p.user_id: p.display_name
        for p in Person.objects.filter(school=school, user_id__in=[i for i in ids if i > 0])
    }
    people |= {
        -p.pk: p.display_name
        for p in Person.objects.filter(school=school, pk__in=[-i for i in ids if i < 0])
    }
    rest = [i for i in ids if i not in people and i > 0]
    for u in get_user_model().objects.filter(pk__in=rest):
        people[u.pk] = u.get_full_name() or u.get_username()
    return [people.get(i, "someone") for i in ids]


def name_of(school: School, user: Any) -> str:
    """How a person who took a step is named on a case page."""
    if user is None:
        return ""
    return _names(school, [user.pk])[0]


# --- the steps ----------------------------------------------------------------------------


def _handling(user: User, case: Case, step: str) -> tuple[Case, str]:
    """The case locked for a step by someone it goes to, and their role; otherwise the
    refusal is recorded and the case is "not found"."""
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("school")
        .prefetch_related("subjects")
        .get(pk=case.pk)
    )
    at = _School.of(locked.school)
    if at.view(user, locked) is not View.CASE:
        _not_found(user, locked.school, step, locked.ref)
    return locked, at.role(user)


def _progress(case: Case) -> rules.Progress:
    return rules.Progress(
        state=State(case.state),
        hr_consulted=case.hr_consulted_at is not None,
        lado_decided=case.lado_decided_at is not None,
        pupil_involved=case.pupil_involved,
    )


def missing(case: Case) -> list[str]:
    """What must be recorded before an outcome can be, in plain words."""
    if case.state == State.CLOSED:
        return []
    return rules.missing_before_outcome(_progress(case))


def _text(value: str, field: str, empty: str, limit: int = REASON_MAX) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidConcern({field: empty})
    if len(value) > limit:
        raise InvalidConcern({field: f"Keep this to {limit} characters or fewer."})
    return value


def _done(user: User, case: Case, step: str, role: str, **detail: Any) -> None:
    clause = {"case.hr": "7.3", "case.outcome": "7.4", "case.lado": PUPIL_CLAUSE}.get(step, CLAUSE)
    _record(user, case.school, step, "done", case.ref, role=role, clause=clause, detail=detail)


def triage(user: User, case: Case, to: str) -> Case:
    """Mark the case an allegation that may meet the harm threshold, or a low-level concern."""
    with transaction.atomic():
        case, role = _handling(user, case, "case.triage")
        try:
            state = rules.triage(_progress(case), State(to))
        except ValueError:
            raise InvalidConcern({"to": "Choose an allegation or a low-level concern."}) from None
        except NotAllowed as wrong:
            raise WrongState(str(wrong)) from None
        case.state = state
        case.triaged_as = state.value
        case.triaged_at = timezone.now()
        case.triaged_by = user
        case.save(update_fields=["state", "triaged_as", "triaged_at", "triaged_by"])
        _done(user, case, "case.triage", role, to=state.value)
    return case


def record_hr(
    user: User,
    case: Case,
    *,
    adviser: str,
    consulted_at: dt.datetime | None,
    advice: str,
    now: dt.datetime | None = None,
) -> Case:
    """The consultation with the HR adviser (7.3): who, when, and their advice. It may be
    recorded again (a second consultation replaces the first; the trail keeps both)."""
    now = now or timezone.now()
    errors: dict[str, str] = {}
    adviser = (adviser or "").strip()
    if not adviser:
        errors["adviser"] = "Say who the HR adviser was (a name, and their service if outside)."
    elif len(adviser) > 200:
        errors["adviser"] = "Keep the adviser's name to 200 characters or fewer."
    if consulted_at is None:
        errors["consulted_at"] = "Give the date and time you spoke to them."
    else:
        if timezone.is_naive(consulted_at):
            consulted_at = timezone.make_aware(consulted_at)
        # PostgreSQL takes offsets only to ±15:59 (ISO 8601 allows more): keep it in UTC. The
        # first or last day a date can have cannot move; it is refused below either way.
        with contextlib.suppress(OverflowError):
            consulted_at = consulted_at.astimezone(dt.UTC)
        if consulted_at > now + dt.timedelta(minutes=2):
            errors["consulted_at"] = "The consultation cannot be in the future."
    try:
        advice = _text(advice, "advice", "Write down the advice you were given.")
    except InvalidConcern as e:
        errors |= e.errors
    with transaction.atomic():
        case, role = _handling(user, case, "case.hr")
        if case.state == State.CLOSED:
            raise WrongState("This case is closed.")
        if consulted_at is not None and consulted_at < case.raised_at - dt.timedelta(days=366):
            errors["consulted_at"] = "That is long before the concern was raised."
        if errors:
            raise InvalidConcern(errors)
        again = case.hr_consulted_at is not None
        case.hr_adviser, case.hr_consulted_at, case.hr_advice = adviser, consulted_at, advice
        case.hr_recorded_by = user
        case.save(update_fields=["hr_adviser", "hr_consulted_at", "hr_advice", "hr_recorded_by"])
        _done(user, case, "case.hr", role, again=again)
    return case


def record_lado(user: User, case: Case, *, referred: bool | None, reason: str) -> Case:
    """The decision whether to refer the case to the LADO (7.6), with the reason. Once."""
    with transaction.atomic():
        case, role = _handling(user, case, "case.lado")
        if not case.pupil_involved:
            raise WrongState("No pupil is involved in this case, so there is no LADO decision.")
        if case.lado_decided_at is not None:
            raise WrongState("The LADO decision is recorded already.")
        errors: dict[str, str] = {}
        if referred is None:
            errors["referred"] = "Say whether it is referred to the LADO."
        try:
            reason = _text(reason, "reason", "Give the reason for the decision.")
        except InvalidConcern as e:
            errors |= e.errors
        if errors:
            raise InvalidConcern(errors)
        now = timezone.now()
        due = lado_due(case)
        case.lado_referred, case.lado_reason = referred, reason
        case.lado_decided_at, case.lado_decided_by = now, user
        case.save(
            update_fields=["lado_referred", "lado_reason", "lado_decided_at", "lado_decided_by"]
        )
        _done(
            user,
            case,
            "case.lado",
            role,
            referred=bool(referred),
            in_time=bool(due and now <= due),
        )
    return case


def record_outcome(user: User, case: Case, *, outcome: str, reason: str) -> Case:
    """Close the case with an outcome by gravity (7.4) and its reason, once triage, the HR
    consultation and (with a pupil) the LADO decision are recorded. The raiser is told it is
    closed (a link only)."""
    with transaction.atomic():
        case, role = _handling(user, case, "case.outcome")
        try:
            chosen = Outcome(outcome)
        except ValueError:
            raise InvalidConcern({"outcome": "Choose an outcome from the list."}) from None
        if len(reason or "") > REASON_MAX:
            raise InvalidConcern({"reason": f"Keep this to {REASON_MAX} characters or fewer."})
        try:
            state = rules.record_outcome(_progress(case), chosen, reason or "")
        except NotAllowed as wrong:
            if case.state != State.CLOSED and not missing(case):
                raise InvalidConcern({"reason": str(wrong)}) from None
            raise WrongState(str(wrong)) from None
        case.state = state
        case.outcome, case.outcome_reason = chosen.value, reason.strip()
        case.closed_at, case.closed_by = timezone.now(), user
        case.save(update_fields=["state", "outcome", "outcome_reason", "closed_at", "closed_by"])
        _done(user, case, "case.outcome", role, outcome=chosen.value)
        _tell_raiser(case, "closed")
    return case


def add_evidence(user: User, case: Case, files: Sequence[Upload]) -> Case:
    """More files for a case, by someone it goes to."""
    with transaction.atomic():
        case, role = _handling(user, case, "case.evidence")
        if not files:
            raise InvalidConcern({"evidence": "Choose a file to add."})
        if errors := _check_files(files, case.evidence.count()):
            raise InvalidConcern(errors)
        _store_files(user, case, files, timezone.now())
        _done(user, case, "case.evidence", role, files=len(files))
    return case


PLAIN_TYPE = re.compile(r"^[A-Za-z0-9][\w.+-]*/[\w.+-]+$")


def download_type(evidence: Evidence) -> str:
    """The content type to send a file with: the uploader's when it is a plain one."""
    given = evidence.content_type or ""
    return given if PLAIN_TYPE.match(given) else "application/octet-stream"


def evidence_file(user: User, school: School, ref: str, evidence_id: int) -> Evidence:
    """One evidence file, for someone the case goes to; the read is recorded."""
    case = get(user, school, ref)
    found = Evidence.objects.filter(case=case, pk=evidence_id).first()
    if found is None:
        raise Evidence.DoesNotExist(f"no file {evidence_id} on case {ref}")
    _record(user, school, "case.evidence.view", "allowed", case.ref, detail={"file": found.pk})
    return found


# --- links to exercises and alerts ----------------------------------------------------------


def link(
    user: User, case: Case, *, exercise: str = "", web_alert: int | None = None, held_mail: str = ""
) -> Case:
    """Link a monitoring exercise (about a subject of the case), a web alert or held mail the
    user may see themselves (each read through its own gate)."""
    with transaction.atomic():
        case, role = _handling(user, case, "case.link")
        school = case.school
        try:
            if exercise:
                ex = exercises.get_visible(user, school, exercise.strip().upper())
                if ex.subject_id not in {p.pk for p in case.subjects.all()}:
                    raise InvalidConcern(
                        {"exercise": "That exercise is not about a subject of this case."}
                    )
                case.exercises.add(ex)
                what = {"exercise": ex.ref}
            elif web_alert is not None:
                case.web_alerts.add(alerts.get(user, school, int(web_alert)))
                what = {"web_alert": int(web_alert)}
            elif held_mail:
                case.held_messages.add(held.get(user, school, held_mail.strip()))
                what = {"held_mail": held_mail.strip()[:40]}
            else:
                raise InvalidConcern({"link": "Give an exercise, a web alert or held mail."})
        except (ObjectDoesNotExist, ValueError, gate.Refused):
            field = (
                "exercise" if exercise else "web_alert" if web_alert is not None else "held_mail"
            )
            raise InvalidConcern(
                {field: "There is nothing by that reference you can see."}
            ) from None
        _done(user, case, "case.link", role, **what)
    return case


def open_exercise(user: User, case: Case, subject_id: int) -> Any:
    """Draft a monitoring exercise about one of the case's subjects, its assessment's concern
    and evidence filled in from the case, and link it (7.1)."""
    with transaction.atomic():
        case, role = _handling(user, case, "case.exercise")
        subject = next((p for p in case.subjects.all() if p.pk == int(subject_id)), None)
        if subject is None:
            raise InvalidConcern({"subject": "Choose a subject of this case."})
        if readers := _exercise_readers(case, subject):
            raise WrongState(
                f"Another subject of this case is {readers}, who takes part in "
                "monitoring exercises and would read the concern in the exercise's "
                "assessment. Ask for the exercise from the exercises page instead, and "
                "describe the concern there without this case's details."
            )
        try:
            ex = exercises.draft(user, case.school, subject)
        except (NotAllowed, ExerciseNotAllowed) as refused:  # e.g. the trust's contact
            raise WrongState(str(refused)) from None
        files = ", ".join(e.name for e in case.evidence.all())
        assessment = exercises.assessment_of(ex)
        filled = {
            "concern": f"Concern {case.ref} ({case.get_kind_display().lower()}, "
            f"{case.happened_on:%-d %B %Y}): {case.what}",
            "evidence": f"Evidence given with the concern: {files}." if files else "",
        }
        if case.hr_consulted_at is not None:
            filled["hr_consulted"] = f"{case.hr_adviser}, {when(case.hr_consulted_at)}: " + (
                case.hr_advice
            )
        ex = exercises.edit_assessment(user, ex, dataclasses.replace(assessment, **filled))
        case.exercises.add(ex)
        _done(user, case, "case.exercise", role, exercise=ex.ref)
    return ex


# Roles that read monitoring exercises' assessments: those who ask for them, review them or
# approve them (`fairwatch.monitoring.exercises`).
EXERCISE_ROLES = {
    Role.HEADTEACHER: "the Headteacher",
    Role.CHAIR_OF_GOVERNORS: "the Chair of Governors",
    Role.DPO: "the data protection officer",
    Role.DSL: "the designated safeguarding lead",
    Role.HR_ADVISER: "an HR adviser",
}


def _exercise_readers(case: Case, subject: Person) -> str:
    """The role (in words) of another subject of the case who could read an exercise's
    assessment, if any: an exercise opened from the case carries its words."""
    at = _School.of(case.school)
    others = {_member_id(p) for p in case.subjects.all() if p.pk != subject.pk}
    for member in at.people:
        if member.id in others:
            held = [words for r, words in EXERCISE_ROLES.items() if r in member.roles]
            if held:
                return held[0]
    return ""


# --- the chronology -------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    at: dt.datetime
    who: str
    role: str  # its label
    what: str


def chronology(user: User, case: Case) -> list[Step]:
    """Every step of the case in order (who, in what role, what, when), from the audit trail.
    For someone the case goes to (the caller has read it through `get`)."""
    entries = list(
        AuditEntry.objects.filter(
            school=case.school,
            object_type="case",
            object_id=case.ref,
            outcome="done",
            action__in=list(STEPS),
        ).order_by("seq")
    )
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in={e.actor_id for e in entries})}
    out = []
    for e in entries:
        who = name_of(case.school, users.get(e.actor_id)) if e.actor_id else e.actor_label
        detail = e.detail or {}
        what = STEPS[e.action]
        if e.action == "case.triage":
            what = (
                "Triaged it as a low-level concern"
                if detail.get("to") == State.LOW_LEVEL
                else "Triaged it as an allegation that may meet the harm threshold"
            )
        elif e.action == "case.lado":
            what = (
                "Decided to refer it to the LADO"
                if detail.get("referred")
                else "Decided not to refer it to the LADO"
            )
        elif e.action == "case.outcome" and detail.get("outcome"):
            what = f"Recorded the outcome ({Outcome(detail['outcome']).label}) and closed it"
        elif e.action == "case.link":
            what = "Linked " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in detail.items())
        elif e.action == "case.exercise":
            what = f"Opened monitoring exercise {detail.get('exercise', '')} from it"
        role = Role(e.role).label if e.role in Role._value2member_map_ else e.role
        out.append(Step(at=e.at, who=who, role=role, what=what))
    return out


# --- the low-level concerns register ---------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    person: Person
    cases: list[Case]  # oldest first, so a pattern reads in order


def low_level_register(user: User, school: School) -> list[Entry]:
    """Low-level concerns by member of staff, for the Headteacher and the DSL (KCSIE part 4:
    a pattern over time). Never an entry about the reader."""
    role = gate.check(
        user,
        school,
        Action.VIEW_LOW_LEVEL_REGISTER,
        purpose=PURPOSE,
        object_type="low_level_register",
    )
    del role
    at = _School.of(school)
    found = [
        c
        for c in _cases(school).filter(triaged_as=State.LOW_LEVEL).order_by("raised_at", "pk")
        if user.pk not in at.concern(c).subjects
    ]
    by_person: dict[int, Entry] = {}
    for c in found:
        for p in c.subjects.all():
            by_person.setdefault(p.pk, Entry(p, [])).cases.append(c)
    return sorted(by_person.values(), key=lambda e: (-len(e.cases), e.person.display_name))


# --- retention ------------------------------------------------------------------------------


def purge_low_level(school: School, now: dt.datetime | None = None) -> int:
    """Delete closed low-level concerns whose subjects have all left the school more than the
    school's setting ago (KCSIE: kept at least until they leave). Returns how many."""
    now = now or timezone.now()
    months = settings_for(school).low_level_months
    cutoff = now - dt.timedelta(days=round(months * 30.44))
    gone = 0
    for case in _cases(school).filter(triaged_as=State.LOW_LEVEL, state=State.CLOSED):
        subjects = list(case.subjects.all())
        if subjects and all(
            p.status == Person.Status.LEFT and p.left_at is not None and p.left_at <= cutoff
            for p in subjects
        ):
            ref = case.ref
            case.delete()
            _record(None, school, "case.purge", "done", ref, detail={"months": months})
            gone += 1
    return gone


def hidden_from(user: User, school: School) -> Q:
    """The audit entries that would tell `user` of a case about them (a DPO reading the
    trail)."""
    person_ids = list(Person.objects.filter(school=school, user=user).values_list("pk", flat=True))
    if not person_ids:
        return Q(pk__in=[])
    refs = list(
        Case.objects.filter(school=school, subjects__in=person_ids).values_list("ref", flat=True)
    )
    if not refs:
        return Q(pk__in=[])
    # Also the staff-list reads of the raising form: one just before a hidden entry would
    # say that someone raised a concern, and when.
    return Q(object_type="case", object_id__in=refs) | Q(
        action=Action.RAISE_CONCERN.value, object_type="people"
    )
