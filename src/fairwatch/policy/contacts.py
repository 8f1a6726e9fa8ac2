"""The people and services the policy tells staff to turn to (3, 7.3, 8), per school.

A school starts with the model policy's own (the Online Safety Helpline, the HR service,
CEOP) and edits them. Each contact names the clauses whose words refer to it, so the policy
is shown with the contact beside the clause that mentions it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction

from fairwatch.audit.models import AuditEntry
from fairwatch.catalogue import clause_sort_key, is_clause_id
from fairwatch.errors import FieldErrors, unstorable_fields
from fairwatch.roles import Role
from fairwatch.schools.models import Person, RoleAssignment, School
from fairwatch.schools.permissions import roles_at

from . import store
from .models import Contact

User = AbstractBaseUser | AnonymousUser

# The model policy's contacts: (kind, name, phone, email, url, note, clauses).
DEFAULTS: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    (
        Contact.Kind.HELPLINE,
        "Online Safety Helpline",
        "0344 381 4772",
        "helpline@saferinternet.org.uk",
        "",
        "Advice when you are unsure what is appropriate use of the internet.",
        "3.4",  # the clause whose words name the helpline (schools' stored rows are kept)
    ),
    (
        Contact.Kind.HR,
        "EducationHR",
        "01603 307760",
        "EHRenquiries@norfolk.gov.uk",
        "",
        "The school contacts them first when an incident occurs.",
        "7.3 8",
    ),
    (
        Contact.Kind.CEOP,
        "CEOP (Child Exploitation and Online Protection)",
        "",
        "",
        "https://www.ceop.police.uk/",
        "Internet safety, and reporting concerns about a child online.",
        "8",
    ),
)


def for_school(school: School) -> list[Contact]:
    """The school's contacts in order; the model's defaults are stored the first time.

    A school that has removed every contact keeps none: its changes are on the audit trail
    (the model has no field saying "set up"), and only a school that never changed its
    contacts is given the defaults."""
    found = list(Contact.objects.filter(school=school))
    if found or _changed_before(school):
        return found
    with transaction.atomic():
        School.objects.select_for_update().filter(pk=school.pk).first()
        if not Contact.objects.filter(school=school).exists():
            _store_defaults(school)
    return list(Contact.objects.filter(school=school))


def _changed_before(school: School) -> bool:
    return AuditEntry.objects.filter(
        school=school, object_type="policy_contact", outcome=AuditEntry.Outcome.DONE
    ).exists()


def _store_defaults(school: School) -> None:
    Contact.objects.bulk_create(
        Contact(
            school=school,
            kind=kind,
            name=name,
            phone=phone,
            email=email,
            url=url,
            note=note,
            clauses=clauses,
            position=position,
        )
        for position, (kind, name, phone, email, url, note, clauses) in enumerate(DEFAULTS)
    )


def clause_ids(contact: Contact) -> list[str]:
    """The clauses whose words refer to ``contact``."""
    return contact.clauses.split()


def by_clause(contacts: Iterable[Contact]) -> dict[str, list[Contact]]:
    """{clause id: the contacts its words refer to}, each list in the contacts' order."""
    found: dict[str, list[Contact]] = {}
    for contact in contacts:
        for clause in clause_ids(contact):
            found.setdefault(clause, []).append(contact)
    return found


# --- changing them ------------------------------------------------------------------------

NAME_MAX = 200
PHONE_MAX = 40
EMAIL_MAX = 254
URL_MAX = 200
NOTE_MAX = 500
CLAUSES_MAX = 100
ID_MAX = 2**63 - 1  # the database's biggest id: a bigger one names nothing
_PHONE = re.compile(r"[0-9+()\-. ]+")
FIELDS = ("kind", "name", "phone", "email", "url", "note", "clauses")


class InvalidContact(FieldErrors):
    """A contact that cannot be kept as given; `errors` names each field."""


@dataclass(frozen=True)
class SchoolPerson:
    """Someone at the school the policy tells staff to go to (7.5, 7.6), by role."""

    name: str
    role: str
    clauses: tuple[str, ...]


# The school's own people the policy names, in the order it names them.
SCHOOL_ROLES: tuple[tuple[Role, str, tuple[str, ...]], ...] = (
    (Role.HEADTEACHER, "Headteacher", ("7.5",)),
    (Role.CHAIR_OF_GOVERNORS, "Chair of Governors", ("7.5",)),
    (Role.DSL, "Designated safeguarding lead", ("7.6",)),
)


def school_people(school: School) -> list[SchoolPerson]:
    """The Headteacher, the Chair of Governors and the DSL now, by name and role.

    Not read through the gate: it is shown only to those who work at the school
    (`sees_school_people`), and who holds these roles is what the policy itself tells every
    member of staff to know (7.5, 7.6)."""
    # No gated read: these names are shown only to the school's own staff, who know them.
    found = RoleAssignment.objects.filter(
        person__school=school,
        person__status=Person.Status.CURRENT,
        ended_at__isnull=True,
        role__in=[role.value for role, _, _ in SCHOOL_ROLES],
    ).select_related("person")
    by_role: dict[str, list[str]] = {}
    for assignment in found:
        by_role.setdefault(assignment.role, []).append(assignment.person.display_name)
    return [
        SchoolPerson(name=name, role=label, clauses=clauses)
        for role, label, clauses in SCHOOL_ROLES
        for name in sorted(by_role.get(role.value, []))
    ]


def people_by_clause(user: User, school: School) -> dict[str, list[SchoolPerson]]:
    """{clause id: the school's people its words name} for someone who works at the school;
    nothing for anyone else (the trust's administrator sees no school's people)."""
    if not sees_school_people(user, school):
        return {}
    found: dict[str, list[SchoolPerson]] = {}
    for person in school_people(school):
        for clause in person.clauses:
            found.setdefault(clause, []).append(person)
    return found


def sees_school_people(user: User, school: School) -> bool:
    """Whether ``user`` works at the school (holds a role there). The trust's administrator
    alone does not: they see no school's people (SPEC)."""
    return bool(roles_at(user, school) - {Role.ORG_ADMIN})


def tel_href(phone: str) -> str:
    """A phone number as a tel: address (digits and a leading +)."""
    digits = re.sub(r"[^0-9+]", "", phone)
    return f"tel:{digits}" if digits else ""


def get(school: School, contact_id: int) -> Contact:
    """One of the school's contacts (Contact.DoesNotExist if it has no such one)."""
    if not isinstance(contact_id, int) or not 0 < contact_id <= ID_MAX:
        raise Contact.DoesNotExist(f"no contact {contact_id}")
    return Contact.objects.get(school=school, pk=contact_id)


def add(user: User, school: School, **given: str) -> Contact:
    """A new contact at the end of the list. Fields: kind, name, phone, email, url, note,
    clauses (ids separated by spaces or commas). Raises InvalidContact naming each field."""
    role = _allowed(user, school, "")
    fields = _checked(school, given, role, user, "policy.contact.add", "")
    with transaction.atomic():
        contacts = for_school(school)
        position = max((c.position for c in contacts), default=-1) + 1
        contact = Contact.objects.create(school=school, position=position, **fields)
        _record(
            user, school, "policy.contact.add", "done", role, contact.pk, {"name": contact.name}
        )
    return contact


def update(user: User, school: School, contact_id: int, **given: str) -> Contact:
    """Change a contact's fields (those given; the rest stay as they are)."""
    role = _allowed(user, school, str(contact_id))
    contact = get(school, contact_id)
    merged = {name: getattr(contact, name) for name in FIELDS} | given
    fields = _checked(school, merged, role, user, "policy.contact.update", contact.pk)
    changed = sorted(name for name, value in fields.items() if getattr(contact, name) != value)
    # An update, never save(): a contact removed meanwhile is not made again.
    if not Contact.objects.filter(school=school, pk=contact.pk).update(**fields):
        raise Contact.DoesNotExist(f"no contact {contact_id}")
    for name, value in fields.items():
        setattr(contact, name, value)
    _record(user, school, "policy.contact.update", "done", role, contact.pk, {"changed": changed})
    return contact


def remove(user: User, school: School, contact_id: int) -> None:
    """Take a contact off the school's list."""
    role = _allowed(user, school, str(contact_id))
    contact = get(school, contact_id)
    name = contact.name
    contact.delete()
    _record(user, school, "policy.contact.remove", "done", role, contact_id, {"name": name})


def move(user: User, school: School, contact_id: int, direction: str) -> list[Contact]:
    """Move a contact one place "up" or "down" the list; at either end it stays put."""
    role = _allowed(user, school, str(contact_id))
    if direction not in ("up", "down"):
        raise InvalidContact({"direction": "Say whether to move it up or down."})
    with transaction.atomic():
        contacts = for_school(school)
        index = next((i for i, c in enumerate(contacts) if c.pk == contact_id), None)
        if index is None:
            raise Contact.DoesNotExist(f"no contact {contact_id}")
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(contacts):
            contacts[index], contacts[other] = contacts[other], contacts[index]
        for position, contact in enumerate(contacts):
            if contact.position != position:
                contact.position = position
                contact.save(update_fields=["position"])
        _record(user, school, "policy.contact.move", "done", role, contact_id, {"to": direction})
    return contacts


def reset(user: User, school: School) -> list[Contact]:
    """Put back the model policy's contacts, in place of all the school's own."""
    role = _allowed(user, school, "")
    with transaction.atomic():
        School.objects.select_for_update().filter(pk=school.pk).first()
        removed = Contact.objects.filter(school=school).delete()[0]
        _store_defaults(school)
        contacts = list(Contact.objects.filter(school=school))
        _record(user, school, "policy.contact.reset", "done", role, "", {"removed": removed})
    return contacts


def _allowed(user: User, school: School, object_id: str) -> str:
    return store.check_adapting(user, school, "policy_contact", object_id)


def _record(
    user: User,
    school: School,
    action: str,
    outcome: str,
    role: str,
    object_id: object,
    detail: dict[str, Any] | None = None,
) -> None:
    store.record_adapting(user, school, action, outcome, role, "policy_contact", object_id, detail)


def _checked(
    school: School, given: dict[str, Any], role: str, user: User, action: str, object_id: object
) -> dict[str, str]:
    """The fields cleaned, or InvalidContact (recorded as refused) naming what to change."""
    unknown = sorted(set(given) - set(FIELDS))
    if unknown:
        raise TypeError(f"unknown contact fields: {', '.join(unknown)}")
    values = {name: str(given.get(name) or "").strip() for name in FIELDS}
    errors = _problems(school, values)
    if errors:
        _record(user, school, action, "refused", role, object_id, {"why": errors})
        raise InvalidContact(errors)
    values["clauses"] = " ".join(split_clauses(values["clauses"]))
    return values


def split_clauses(text: str) -> list[str]:
    """Clause ids as typed ("7.3, 8" or "7.3 8"), once each, in document order when they are
    all clause ids."""
    found = list(dict.fromkeys(re.split(r"[\s,;]+", text.strip()))) if text.strip() else []
    if all(is_clause_id(c) for c in found):
        found.sort(key=clause_sort_key)
    return found


def _problems(school: School, values: dict[str, str]) -> dict[str, str]:
    # First, so no message below quotes text the audit trail could not keep.
    errors = unstorable_fields(**values)
    if values["kind"] not in Contact.Kind.values:
        kinds = ", ".join(Contact.Kind.values)
        errors.setdefault("kind", f"Choose what kind of contact this is: one of {kinds}.")
    _text(errors, "name", values["name"], NAME_MAX, "Give the contact's name.")
    _text(errors, "note", values["note"], NOTE_MAX)
    if not (values["phone"] or values["email"] or values["url"]):
        errors.setdefault(
            "phone",
            "Give at least one way to reach them: a phone number, an email address "
            "or a web address.",
        )
    _phone(errors, values["phone"])
    _email(errors, values["email"])
    _url(errors, values["url"])
    _clauses(errors, school, values["clauses"])
    return errors


def _text(errors: dict[str, str], field: str, value: str, limit: int, empty: str = "") -> None:
    if empty and not value:
        errors.setdefault(field, empty)
    elif len(value) > limit:
        errors.setdefault(field, f"Keep this to {limit} characters or fewer.")


def _phone(errors: dict[str, str], phone: str) -> None:
    if not phone:
        return
    digits = sum(ch.isdigit() for ch in phone)
    if len(phone) > PHONE_MAX or not _PHONE.fullmatch(phone) or not 3 <= digits <= 20:
        errors.setdefault(
            "phone",
            "Enter a phone number in digits, for example 0344 381 4772 or +44 344 381 4772.",
        )


def _email(errors: dict[str, str], email: str) -> None:
    if not email:
        return
    try:
        if len(email) > EMAIL_MAX:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        errors.setdefault("email", "Enter an email address like name@example.org.")


def _url(errors: dict[str, str], url: str) -> None:
    if not url:
        return
    try:
        if len(url) > URL_MAX:
            raise ValidationError("too long")
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        errors.setdefault(
            "url",
            f"Enter a web address starting https://, like https://www.ceop.police.uk/ "
            f"({URL_MAX} characters at most).",
        )


def _clauses(errors: dict[str, str], school: School, text: str) -> None:
    found = split_clauses(text)
    if not found:
        return
    wrong = [c for c in found if not is_clause_id(c)]
    if wrong:
        errors.setdefault(
            "clauses", f"“{wrong[0][:20]}” is not a clause number. Write numbers like 3 or 7.3."
        )
        return
    known = store.versions(school)[-1].clauses
    missing = [c for c in found if c not in known]
    if missing:
        errors.setdefault(
            "clauses",
            f"The school's policy has no clause {', '.join(missing[:5])}. Use the numbers of "
            "its latest version.",
        )
    elif len(" ".join(found)) > CLAUSES_MAX:
        errors.setdefault("clauses", f"Keep the clause numbers to {CLAUSES_MAX} characters.")
