"""A school's policy versions and staff acknowledgement, kept in the database.

The rules (which version is in force, what changed) are the pure ones of
`fairwatch.policy.versions`; this module stores versions, loads the shipped model as a
school's first version, publishes new ones, and records who has read which. Who has and has
not acknowledged a version is personal data: reading it goes through the gate
(`fairwatch.audit.gate`), which checks the role and writes the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import dateformat, timezone

from fairwatch.audit import gate
from fairwatch.errors import FieldErrors
from fairwatch.roles import Role
from fairwatch.schools.models import Person, RoleAssignment, School
from fairwatch.schools.permissions import Action

from . import versions as rules
from .model import shipped_model
from .models import Acknowledgement, ModelVersion, PolicyVersion
from .versions import ChangeRow, Clause, ClauseDiff, Version

User = AbstractBaseUser | AnonymousUser

STAFF_KINDS = (Person.Kind.STAFF, Person.Kind.VOLUNTEER)
NOTE_MAX = 2000


def plain_day(value: dt.date) -> str:
    """A day in plain words: \"5 March 2026\"."""
    return dateformat.format(value, "j F Y")


class InvalidPolicy(FieldErrors):
    """A version the school's policy cannot take (one message per field)."""


# --- rows and pure versions --------------------------------------------------------------


def clauses_json(clauses: Mapping[str, Clause]) -> dict[str, dict[str, Any]]:
    """Clauses as stored: {id: {title, text, applicable, reason}}."""
    return {
        clause.id: {
            "title": clause.title,
            "text": clause.text,
            "applicable": clause.applicable,
            "reason": clause.reason,
        }
        for clause in clauses.values()
    }


def changes_json(changes: Sequence[ChangeRow]) -> list[list[str]]:
    """A table of changes as stored: [[ISO day, paragraphs, summary], ...]."""
    return [[row.day.isoformat(), row.paragraphs, row.summary] for row in changes]


def clause_from(key: str, value: Mapping[str, Any]) -> Clause:
    """A clause as stored ({title, text, applicable, reason}) under its id."""
    return Clause(
        key,
        value["title"],
        value["text"],
        applicable=value.get("applicable", True),
        reason=value.get("reason", ""),
    )


def as_version(row: PolicyVersion | ModelVersion) -> Version:
    """The pure version a stored row holds (a school's, or an organisation's model)."""
    clauses = {key: clause_from(key, value) for key, value in row.clauses.items()}
    changes = tuple(
        ChangeRow(dt.date.fromisoformat(day), paragraphs, summary)
        for day, paragraphs, summary in row.changes
    )
    duties_changed = getattr(row, "duties_changed", True)
    return Version(row.number, row.effective_from, clauses, changes, duties_changed)


def _rows(school: School) -> list[PolicyVersion]:
    """The school's stored versions, oldest first; the shipped model is loaded as version 1
    the first time a school is asked."""
    return with_first(PolicyVersion, "school", school, duties_changed=True)


def with_first(
    kind: type[PolicyVersion] | type[ModelVersion], owned_by: str, owner: Any, **defaults: Any
) -> list[Any]:
    """The owner's versions (a school's, or an organisation's model), oldest first, storing
    the model Fairwatch ships as version 1 the first time they are asked (once, under a lock
    on the owner, however many ask at the same moment)."""
    found = list(kind.objects.filter(**{owned_by: owner}).order_by("number"))
    if found:
        return found
    model = shipped_model()
    with transaction.atomic():
        type(owner).objects.select_for_update().filter(pk=owner.pk).first()
        kind.objects.get_or_create(
            **{owned_by: owner},
            number=1,
            defaults={
                "effective_from": model.effective_from,
                "clauses": clauses_json(model.clauses),
                "changes": changes_json(model.changes),
                "note": "The model policy Fairwatch ships.",
                **defaults,
            },
        )
    return list(kind.objects.filter(**{owned_by: owner}).order_by("number"))


def versions(school: School) -> list[Version]:
    """Every version of the school's policy, oldest first (at least the shipped model)."""
    return [as_version(row) for row in _rows(school)]


def rows(school: School) -> list[PolicyVersion]:
    """The stored versions, oldest first, for pages that show who published each."""
    return _rows(school)


def in_force(school: School, day: dt.date) -> Version | None:
    """The version in force at the school on ``day`` (None before its first)."""
    return rules.in_force_on(versions(school), day)


def _row_in_force(school: School, day: dt.date) -> PolicyVersion | None:
    version = in_force(school, day)
    return None if version is None else _row(school, version.number)


def _row(school: School, number: int) -> PolicyVersion:
    return PolicyVersion.objects.get(school=school, number=number)


def to_read(school: School, day: dt.date | None = None) -> PolicyVersion | None:
    """The version staff must have read on ``day`` (default today): the latest one in force
    by then that changed their duties. A version that only tidies the words asks nobody."""
    day = day or timezone.localdate()
    candidates = [row for row in _rows(school) if row.duties_changed and row.effective_from <= day]
    return max(candidates, key=lambda row: (row.effective_from, row.number), default=None)


# --- publishing -------------------------------------------------------------------------


def publish(
    user: User,
    school: School,
    clauses: Mapping[str, Clause],
    effective_from: dt.date,
    changes: Sequence[ChangeRow],
    duties_changed: bool,
    *,
    note: str = "",
) -> PolicyVersion:
    """A new version of the school's policy, numbered after the latest.

    The user must be allowed to publish (recorded either way: `gate.Refused`). Raises
    InvalidPolicy, recorded as refused, for a version taking effect before the latest one
    does, one with no row in its table of changes, or one that changes nothing.
    """
    role = gate.check(
        user,
        school,
        Action.PUBLISH_POLICY,
        purpose=gate.Purpose.SCHOOL_ADMIN,
        object_type="policy_version",
    )
    with transaction.atomic():
        School.objects.select_for_update().filter(pk=school.pk).first()
        latest = _rows(school)[-1]
        errors = problems(latest, clauses, effective_from, changes, note)
        if not errors:
            row = PolicyVersion.objects.create(
                school=school,
                number=latest.number + 1,
                effective_from=effective_from,
                clauses=clauses_json(clauses),
                changes=changes_json(changes),
                duties_changed=duties_changed,
                published_by=user,
                note=note.strip(),
                # Still based on the same model version, unless a merge moves it on.
                model_number=latest.model_number,
            )
            changed = [change.id for change in rules.diff(as_version(latest), clauses)]
            detail = {
                "effective_from": effective_from.isoformat(),
                "duties_changed": duties_changed,
                "clauses": changed,
            }
            _record(user, school, "done", role, str(row.number), detail)
            from .reminders import ask_on_publish  # reminders import this module

            ask_on_publish(user, school, row)  # everyone at once, if it is in force today
            return row
    # Recorded after the transaction has ended, so the refusal stays on the trail.
    _record(user, school, "refused", role, "", {"why": errors})
    raise InvalidPolicy(errors)


def problems(
    latest: PolicyVersion | ModelVersion,
    clauses: Mapping[str, Clause],
    effective_from: dt.date,
    changes: Sequence[ChangeRow],
    note: str,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not isinstance(effective_from, dt.date) or isinstance(effective_from, dt.datetime):
        errors["effective_from"] = "Give the day the new version takes effect."
    elif effective_from < latest.effective_from:
        errors["effective_from"] = (
            f"The new version cannot take effect before version {latest.number} does "
            f"({plain_day(latest.effective_from)}). Choose that day or a later one."
        )
    if not changes:
        errors["changes"] = "Add a row to the table of changes saying what changed."
    try:
        if not rules.diff(as_version(latest), clauses):
            errors["clauses"] = f"Nothing has changed from version {latest.number}."
    except ValueError as exc:
        errors["clauses"] = f"The clauses are not right: {exc}."
    if len(note) > NOTE_MAX:
        errors["note"] = f"Keep the note to {NOTE_MAX} characters."
    return errors


def _record(
    user: User | None,
    school: School,
    outcome: str,
    role: str,
    number: str,
    detail: dict[str, Any] | None = None,
    *,
    action: str = "policy.publish",
) -> None:
    gate.record(
        user=user,
        action=action,
        outcome=outcome,
        school=school,
        role=role,
        object_type="policy_version",
        object_id=number,
        purpose=gate.Purpose.SCHOOL_ADMIN,
        detail=detail,
    )


def check_adapting(user: User, school: School, object_type: str, object_id: str = "") -> str:
    """The role in which ``user`` may change the school's policy or what goes with it (its
    contacts, documents, schedule): the Headteacher or org admin. Refused and recorded
    otherwise (`gate.Refused`)."""
    return gate.check(
        user,
        school,
        Action.PUBLISH_POLICY,
        purpose=gate.Purpose.SCHOOL_ADMIN,
        object_type=object_type,
        object_id=object_id[:64],
    )


def record_adapting(
    user: User | None,
    school: School,
    action: str,
    outcome: str,
    role: str,
    object_type: str,
    object_id: object,
    detail: dict[str, Any] | None = None,
) -> None:
    """An audit entry for a change to the school's policy or what goes with it."""
    gate.record(
        user=user,
        action=action,
        outcome=outcome,
        school=school,
        role=role,
        object_type=object_type,
        object_id=str(object_id)[:64],
        purpose=gate.Purpose.SCHOOL_ADMIN,
        detail=detail,
    )


# --- acknowledging ----------------------------------------------------------------------


def me(user: User, school: School) -> Person | None:
    """The signed-in user's current staff or volunteer record at the school."""
    if not user.is_authenticated:
        return None
    return Person.objects.filter(
        school=school, user=user, status=Person.Status.CURRENT, kind__in=STAFF_KINDS
    ).first()


def acknowledge(user: User, school: School, version_number: int | None = None) -> Acknowledgement:
    """Record that the signed-in member of staff has read a version (by default the one in
    force today). Saying so twice changes nothing.

    Raises gate.Refused (recorded) for someone not on the school's staff list,
    PolicyVersion.DoesNotExist for an unknown number, InvalidPolicy for a version not yet in
    force.
    """
    person = me(user, school)
    if person is None:
        gate.refuse(
            user,
            school,
            "policy.acknowledge",
            object_type="policy_version",
            object_id=str(version_number or ""),
            purpose=gate.Purpose.SCHOOL_ADMIN,
            why=f"Only staff and volunteers at {school.name} acknowledge its policy.",
        )
    today = timezone.localdate()
    if version_number is None:
        row = _row_in_force(school, today)
        if row is None:
            raise InvalidPolicy({"version": "No version of the policy is in force yet."})
    else:
        _rows(school)
        row = _row(school, version_number)
        if row.effective_from > today:
            raise InvalidPolicy(
                {
                    "version": f"Version {row.number} takes effect on "
                    f"{plain_day(row.effective_from)}: acknowledge it from then."
                }
            )
    ack, created = Acknowledgement.objects.get_or_create(version=row, person=person)
    if created:
        _record(user, school, "done", "", str(row.number), action="policy.acknowledge")
    return ack


# --- who has read it --------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """A member of staff or volunteer asked to read a version, and when they acknowledged it
    (None: not yet)."""

    person_id: int
    name: str
    roles: tuple[Role, ...]
    acknowledged_at: dt.datetime | None


@dataclass(frozen=True)
class RoleCount:
    """How many holding a role were asked, and how many have acknowledged."""

    role: Role
    asked: int
    acknowledged: int

    @property
    def outstanding(self) -> int:
        return self.asked - self.acknowledged


@dataclass(frozen=True)
class GroupCount:
    """As RoleCount, for a group of people (`Person.Kind`: staff or volunteers)."""

    group: str
    label: str
    asked: int
    acknowledged: int

    @property
    def outstanding(self) -> int:
        return self.asked - self.acknowledged


@dataclass(frozen=True)
class Report:
    """Who has and has not acknowledged a version, with counts by role (people without a
    role count as staff)."""

    number: int
    effective_from: dt.date
    acknowledged: tuple[Reader, ...]
    outstanding: tuple[Reader, ...]
    by_role: tuple[RoleCount, ...]
    # Staff and volunteers (`Person.kind`), each counted once.
    by_group: tuple[GroupCount, ...] = ()

    @property
    def asked(self) -> int:
        return len(self.acknowledged) + len(self.outstanding)


def outstanding(
    user: User | None, school: School, version_number: int | None = None
) -> Report | None:
    """Who of the school's current staff and volunteers has and has not acknowledged a
    version: by default the one they must have read today (`to_read`); None if there is none.

    Gated (the Headteacher and the DPO); ``user`` None is the server's operator at the
    command line, recorded as such.
    """
    row = _chosen(school, version_number)
    _gate(user, school, str(row.number) if row else "")
    return None if row is None else _report(school, row)


def acknowledgements(user: User | None, school: School) -> list[Report]:
    """A report for every version staff have been asked to read (changed duties, in force
    by today), oldest first. Gated as `outstanding`."""
    _gate(user, school, "all")
    today = timezone.localdate()
    return [
        _report(school, row)
        for row in _rows(school)
        if row.duties_changed and row.effective_from <= today
    ]


def _chosen(school: School, version_number: int | None) -> PolicyVersion | None:
    if version_number is None:
        return to_read(school)
    _rows(school)
    return _row(school, version_number)


def _gate(user: User | None, school: School, object_id: str) -> None:
    if user is not None:
        gate.check(
            user,
            school,
            Action.VIEW_ACKNOWLEDGEMENTS,
            purpose=gate.Purpose.SCHOOL_ADMIN,
            object_type="policy_version",
            object_id=object_id,
        )
        return
    # The server's operator, who can read the database anyway: recorded, not asked.
    gate.record(
        user=None,
        action=Action.VIEW_ACKNOWLEDGEMENTS.value,
        outcome="allowed",
        school=school,
        object_type="policy_version",
        object_id=object_id,
        purpose=gate.Purpose.SCHOOL_ADMIN,
    )


def _report(school: School, row: PolicyVersion) -> Report:
    people = list(
        Person.objects.filter(
            school=school, kind__in=STAFF_KINDS, status=Person.Status.CURRENT
        ).by_name()
    )
    # Reading a later version covers this one: its words include these duties.
    when: dict[int, dt.datetime] = {}
    for person_id, at in Acknowledgement.objects.filter(
        version__school=school, version__number__gte=row.number, person__in=people
    ).values_list("person_id", "at"):
        when[person_id] = min(at, when.get(person_id, at))
    held: dict[int, set[Role]] = {}
    for person_id, role in RoleAssignment.objects.filter(
        person__in=people, ended_at__isnull=True
    ).values_list("person_id", "role"):
        held.setdefault(person_id, set()).add(Role(role))
    readers = [
        Reader(
            person.pk,
            person.display_name,
            tuple(role for role in Role if role in held.get(person.pk, {Role.STAFF})),
            when.get(person.pk),
        )
        for person in people
    ]
    counts = []
    for role in Role:
        holders = [reader for reader in readers if role in reader.roles]
        if holders:
            done = sum(1 for reader in holders if reader.acknowledged_at is not None)
            counts.append(RoleCount(role, len(holders), done))
    groups = []
    for kind in STAFF_KINDS:
        members = [
            reader for reader, person in zip(readers, people, strict=True) if person.kind == kind
        ]
        if members:
            done = sum(1 for reader in members if reader.acknowledged_at is not None)
            label = "Staff" if kind == Person.Kind.STAFF else "Volunteers"
            groups.append(GroupCount(kind.value, label, len(members), done))
    return Report(
        number=row.number,
        effective_from=row.effective_from,
        acknowledged=tuple(r for r in readers if r.acknowledged_at is not None),
        outstanding=tuple(r for r in readers if r.acknowledged_at is None),
        by_role=tuple(counts),
        by_group=tuple(groups),
    )


def what_changed_for(person: Person, school: School) -> list[ClauseDiff]:
    """What changed between the last version ``person`` acknowledged and the one they must
    read now; every clause, as added, if they have acknowledged none."""
    row = to_read(school)
    if row is None:
        return []
    last = (
        Acknowledgement.objects.filter(person=person, version__school=school)
        .select_related("version")
        .order_by("-version__number")
        .first()
    )
    if last is not None and last.version.number >= row.number:
        return []
    before = as_version(last.version).clauses if last is not None else {}
    return rules.diff(before, as_version(row))


# --- one's own acknowledgements, and who published ---------------------------------------


def covering(person: Person, school: School, row: PolicyVersion) -> Acknowledgement | None:
    """The person's own first acknowledgement of this version or a later one (reading a later
    version covers this one), or None."""
    return (
        Acknowledgement.objects.filter(
            person=person, version__school=school, version__number__gte=row.number
        )
        .select_related("version")
        .order_by("at")
        .first()
    )


def last_acknowledged(person: Person, school: School) -> Acknowledgement | None:
    """The latest version the person has acknowledged, or None."""
    return (
        Acknowledgement.objects.filter(person=person, version__school=school)
        .select_related("version")
        .order_by("-version__number")
        .first()
    )


def publisher_name(school: School, row: PolicyVersion) -> str | None:
    """Who published a version, as the school knows them; None for the shipped model."""
    user = row.published_by
    if user is None:
        return None
    person = Person.objects.filter(school=school, user=user).first()
    if person is not None:
        return person.display_name
    return user.get_full_name() or user.get_username()
