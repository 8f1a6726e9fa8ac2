"""The one gate for personal data: it checks purpose and role, and writes the audit trail.

Views, the API and the CLI read people only through these functions. A refusal is
recorded too, and then raised as PermissionDenied.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable
from typing import Any, NoReturn

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from fairwatch.schools.models import Person, School
from fairwatch.schools.permissions import VIEW_ACTION_FOR_KIND, Action, granting_role

from . import chain
from .models import AuditEntry

User = AbstractBaseUser | AnonymousUser


class Purpose:
    """Why personal data is being read; every gated read names one."""

    ROSTER_ADMIN = "roster administration"
    SAFEGUARDING = "safeguarding"
    DATA_PROTECTION = "data protection"
    SCHOOL_ADMIN = "school administration"
    AUDIT_REVIEW = "audit review"
    MONITORING = "monitoring"  # pseudonymised activity, or an approved exercise (7.1, 7.2)
    CONCERN = "concern about staff"  # a concern raised about a colleague and its case (7.5)

    ALL = frozenset(
        {
            ROSTER_ADMIN,
            SAFEGUARDING,
            DATA_PROTECTION,
            SCHOOL_ADMIN,
            AUDIT_REVIEW,
            MONITORING,
            CONCERN,
        }
    )


class Refused(PermissionDenied):
    """Raised after a refused access has been recorded."""


def actor_label(user: User | None) -> str:
    if user is None:
        try:
            return f"cli:{getpass.getuser()}"
        except (KeyError, OSError):  # an account with no name, as in some containers
            return f"cli:uid {os.getuid()}"
    if not user.is_authenticated:
        return "anonymous"
    return user.get_username()


def record(
    *,
    user: User | None,
    action: str,
    outcome: str,
    school: School | None = None,
    role: str = "",
    object_type: str = "",
    object_id: str = "",
    purpose: str = "",
    clause: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry. `user` None means the server's own command line."""
    return chain.append(
        actor=user if user is not None and user.is_authenticated else None,
        actor_label=actor_label(user),
        role=role,
        school=school,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        purpose=purpose,
        clause=clause,
        outcome=outcome,
        detail=detail,
    )


def refuse(
    user: User,
    school: School,
    step: str,
    *,
    object_type: str,
    object_id: str = "",
    purpose: str,
    clause: str = "",
    why: str = "",
) -> NoReturn:
    """Record that `step` was refused and raise Refused (with `why`, when there is one)."""
    record(
        user=user,
        action=step,
        outcome="refused",
        school=school,
        object_type=object_type,
        object_id=object_id,
        purpose=purpose,
        clause=clause,
        detail={"why": why} if why else None,
    )
    raise Refused(why or f"You may not do this at {school.name}.")


def check(
    user: User,
    school: School,
    action: Action,
    *,
    purpose: str,
    object_type: str = "",
    object_id: str = "",
    detail: dict[str, Any] | None = None,
) -> str:
    """Allow or refuse `action`; either way write the entry. Returns the granting role."""
    if purpose not in Purpose.ALL:
        raise ValueError(f"unknown purpose {purpose!r}")
    role = granting_role(user, action, school)
    outcome = AuditEntry.Outcome.ALLOWED if role else AuditEntry.Outcome.REFUSED
    record(
        user=user,
        school=school,
        role=role.value if role else "",
        action=action.value,
        object_type=object_type,
        object_id=object_id,
        purpose=purpose,
        outcome=outcome,
        detail=detail,
    )
    if role is None:
        raise Refused(f"You may not do this at {school.name}.")
    return role.value


def people(
    user: User,
    school: School,
    kinds: Iterable[str],
    *,
    purpose: str,
    shows: Iterable[str] = (),
    include_left: bool = False,
    detail: dict[str, Any] | None = None,
) -> QuerySet[Person]:
    """People of the given kinds at `school`, if the user may see every one of those kinds
    and of the kinds the caller `shows` alongside them (e.g. the pupils linked to contacts)."""
    kinds = sorted(set(kinds))
    seen = sorted(set(kinds) | set(shows))
    for action in sorted({VIEW_ACTION_FOR_KIND[k] for k in seen}):
        check(
            user,
            school,
            action,
            purpose=purpose,
            object_type="people",
            detail={"kinds": seen, **(detail or {})},
        )
    qs = Person.objects.filter(school=school, kind__in=kinds)
    if not include_left:
        qs = qs.filter(status=Person.Status.CURRENT)
    return qs


def person(user: User, school: School, person_id: int, *, purpose: str) -> Person:
    """One person at `school`; refusal is recorded whether or not the id exists."""
    found = Person.objects.filter(school=school, pk=person_id).first()
    kind = found.kind if found else Person.Kind.PUPIL  # unknown ids are treated as the most private
    check(
        user,
        school,
        VIEW_ACTION_FOR_KIND[kind],
        purpose=purpose,
        object_type="person",
        object_id=str(person_id),
    )
    if found is None:
        raise Person.DoesNotExist(f"no person {person_id} at {school.slug}")
    return found
