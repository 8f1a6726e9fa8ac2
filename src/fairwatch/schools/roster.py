"""Roster import: pupils, staff and contacts from MIS CSV exports.

All-or-nothing: every row of every file is checked first, and a file with any bad row
changes nothing. Re-importing updates people in place; people missing from a new import
are marked as left, never deleted. Columns and their accepted spellings are in COLUMNS.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from fairwatch.identifiers import normalise_upn
from fairwatch.roles import Role, parse_role

from .models import ContactLink, OrganisationAdmin, Person, RoleAssignment, School
from .signals import roster_imported

# Canonical column → other header spellings seen in MIS exports (SIMS, Arbor, Bromcom, …).
# Headers are compared lower-cased with spaces, underscores, hyphens and dots treated alike.
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "pupils": {
        "upn": ("unique pupil number", "pupil upn", "upn number"),
        "forename": ("legal forename", "first name", "firstname", "given name", "forenames"),
        "surname": ("legal surname", "last name", "lastname", "family name"),
        "preferred_forename": ("preferred first name", "known as", "chosen forename"),
        "preferred_surname": ("preferred last name", "chosen surname"),
        "email": ("email address", "e mail", "pupil email", "school email"),
        "year_group": ("year", "ncy", "nc year", "national curriculum year", "year group"),
    },
    "staff": {
        "staff_id": (
            "staff code",
            "staff number",
            "employee id",
            "employee number",
            "payroll number",
        ),
        "forename": ("legal forename", "first name", "firstname", "given name", "forenames"),
        "surname": ("legal surname", "last name", "lastname", "family name"),
        "preferred_name": ("preferred forename", "known as", "preferred first name"),
        "email": ("email address", "e mail", "work email", "school email"),
        "roles": ("role", "fairwatch roles"),
        "category": ("staff category", "staff type", "employment type"),
    },
    "contacts": {
        "contact_id": ("contact code", "contact number", "parent id", "carer id"),
        "forename": ("contact forename", "first name", "firstname", "given name", "title forename"),
        "surname": ("contact surname", "last name", "lastname", "family name"),
        "email": ("email address", "e mail", "contact email", "primary email"),
        "phone": ("telephone", "phone number", "mobile", "contact telephone", "primary phone"),
        "pupil_upn": ("upn", "pupil", "child upn", "student upn"),
        "relationship": ("relationship to pupil", "relation", "relationship to child"),
    },
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "pupils": ("upn", "forename", "surname"),
    "staff": ("staff_id", "forename", "surname"),
    "contacts": ("contact_id", "forename", "surname", "pupil_upn", "relationship"),
}

# Roster columns stored under another name on Person.
STORED_AS = {
    "upn": "external_id",
    "staff_id": "external_id",
    "contact_id": "external_id",
    "preferred_name": "preferred_forename",
    "pupil_upn": "external_id",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_YEAR_GROUP = re.compile(r"^(?:y(?:ear)?\s*)?(\d{1,2})$")
_YEAR_WORDS = {
    "r": "R",
    "rec": "R",
    "reception": "R",
    "yr": "R",
    "n": "N",
    "nursery": "N",
    "n1": "N1",
    "n2": "N2",
}


@dataclass(frozen=True)
class RosterError:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class RosterInvalid(Exception):
    """The import was refused; `errors` names each file, line and field at fault."""

    def __init__(self, errors: list[RosterError]):
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) in the roster; nothing was changed")


@dataclass
class Row:
    line: int
    values: dict[str, str]


@dataclass
class RosterFile:
    """One CSV read into rows keyed by canonical column names."""

    kind: str
    name: str
    rows: list[Row]
    ignored_columns: list[str] = field(default_factory=list)
    columns: frozenset[str] = frozenset()  # canonical names of the columns present


@dataclass
class RosterCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    returned: int = 0
    left: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


@dataclass
class ImportReport:
    school: str
    dry_run: bool
    counts: dict[str, RosterCounts] = field(default_factory=dict)
    links_added: int = 0
    links_removed: int = 0
    roles_granted: int = 0
    roles_ended: int = 0
    accounts_created: int = 0
    accounts_disabled: int = 0
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in vars(self).items() if k != "counts"}
        out["counts"] = {k: c.as_dict() for k, c in self.counts.items()}
        return out


def _header_key(text: str) -> str:
    return " ".join(re.split(r"[\s_\-.]+", text.strip().lower())).strip()


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RosterInvalid(
            [RosterError(name, line, "", "is not UTF-8 text; export it from the MIS as CSV UTF-8")]
        ) from None


def read_roster_file(kind: str, path: Path | str, data: bytes | None = None) -> RosterFile:
    """Read a roster CSV. Raises RosterInvalid for problems with the file as a whole."""
    name = str(path)
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise RosterInvalid(
                [RosterError(name, 0, "", f"cannot be read: {exc.strerror}")]
            ) from None
    reader = csv.reader(io.StringIO(_decode(data, name), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise RosterInvalid(
            [RosterError(name, 1, "", "is empty: a header row is needed")]
        ) from None
    except csv.Error as exc:
        raise RosterInvalid([RosterError(name, 1, "", f"is not valid CSV: {exc}")]) from None

    lookup = {}
    for canonical, aliases in COLUMNS[kind].items():
        for spelling in (canonical, *aliases):
            lookup.setdefault(_header_key(spelling), canonical)
    positions: dict[str, int] = {}
    ignored, errors = [], []
    for i, title in enumerate(header):
        canonical = lookup.get(_header_key(title))
        if canonical is None:
            if title.strip():
                ignored.append(title.strip())
        elif canonical in positions:
            errors.append(RosterError(name, 1, title.strip(), f"is a second '{canonical}' column"))
        else:
            positions[canonical] = i
    for column in REQUIRED[kind]:
        if column not in positions:
            errors.append(
                RosterError(
                    name,
                    1,
                    column,
                    f"column is missing (a {kind} file needs {', '.join(REQUIRED[kind])})",
                )
            )
    if errors:
        raise RosterInvalid(errors)

    rows = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue  # blank lines are common at the end of exports
            values = {
                col: (cells[i].strip() if i < len(cells) else "") for col, i in positions.items()
            }
            rows.append(Row(reader.line_num, values))
    except csv.Error as exc:
        raise RosterInvalid(
            [RosterError(name, reader.line_num, "", f"is not valid CSV: {exc}")]
        ) from None
    return RosterFile(kind, name, rows, ignored, frozenset(positions))


# ---------------------------------------------------------------- row checks


def normalise_year_group(text: str) -> str:
    key = " ".join(text.strip().lower().split())
    if key in _YEAR_WORDS:
        return _YEAR_WORDS[key]
    m = _YEAR_GROUP.match(key)
    if m and 1 <= int(m.group(1)) <= 14:
        return str(int(m.group(1)))
    raise ValueError(f"{text!r} is not a year group (use R, N, or 1 to 14)")


def _email(text: str) -> str:
    if not text:
        return ""
    try:
        validate_email(text)
    except ValidationError:
        raise ValueError(f"{text!r} is not an email address") from None
    return text.lower()


def _required(text: str) -> str:
    if not text:
        raise ValueError("is empty")
    return text


def _roles(text: str) -> frozenset[Role]:
    roles = set()
    for part in filter(None, (p.strip() for p in text.replace(",", ";").split(";"))):
        role = parse_role(part)
        if not role.school_level:
            raise ValueError(
                "org_admin is given to trust/authority administrators by hand, "
                "not in a school's roster"
            )
        roles.add(role)
    return frozenset(roles)


def _category(text: str) -> str:
    key = text.strip().lower()
    if key in ("", "staff", "employee", "support staff", "teacher", "teaching"):
        return Person.Kind.STAFF
    if key in ("volunteer", "governor"):
        return Person.Kind.VOLUNTEER
    raise ValueError(f"{text!r} is not a staff category (use staff or volunteer)")


CHECKS: dict[str, dict[str, Callable[[str], Any]]] = {
    "pupils": {
        "upn": normalise_upn,
        "forename": _required,
        "surname": _required,
        "preferred_forename": str,
        "preferred_surname": str,
        "email": _email,
        "year_group": lambda t: normalise_year_group(t) if t else "",
    },
    "staff": {
        "staff_id": _required,
        "forename": _required,
        "surname": _required,
        "preferred_name": str,
        "email": _email,
        "roles": _roles,
        "category": _category,
    },
    "contacts": {
        "contact_id": _required,
        "forename": _required,
        "surname": _required,
        "email": _email,
        "phone": str,
        "pupil_upn": normalise_upn,
        "relationship": lambda t: " ".join(_required(t).lower().split()),
    },
}


def _max_length(column: str) -> int | None:
    if column == "relationship":
        return ContactLink._meta.get_field("relationship").max_length
    field_name = STORED_AS.get(column, column)
    try:
        field = Person._meta.get_field(field_name)
    except FieldDoesNotExist:  # a column not stored on Person (category)
        return None
    return getattr(field, "max_length", None)  # None for relations such as roles


def check_rows(roster: RosterFile, errors: list[RosterError]) -> list[tuple[int, dict[str, Any]]]:
    """Each row's values checked and normalised; problems are appended to `errors`."""
    out = []
    for row in roster.rows:
        problems = []
        clean: dict[str, Any] = dict(row.values)
        for column, check in CHECKS[roster.kind].items():
            raw = row.values.get(column, "")
            if _CONTROL.search(raw):
                problems.append((column, "contains a control character; retype the value"))
                continue
            try:
                clean[column] = check(raw)
            except ValueError as exc:
                problems.append((column, str(exc)))
        for column, value in clean.items():
            limit = _max_length(column)
            if isinstance(value, str) and limit and len(value) > limit:
                problems.append((column, f"is {len(value)} characters long; at most {limit}"))
        errors.extend(RosterError(roster.name, row.line, c, m) for c, m in problems)
        if not problems:
            out.append((row.line, clean))
    return out


def _unique(roster: RosterFile, rows, column: str, errors: list[RosterError]) -> None:
    seen: dict[str, int] = {}
    for line, values in rows:
        key = values[column]
        if not key:
            continue
        if key in seen:
            errors.append(
                RosterError(
                    roster.name, line, column, f"{key!r} is already used on line {seen[key]}"
                )
            )
        else:
            seen[key] = line


# ---------------------------------------------------------------- the import


def import_roster(
    school: School,
    *,
    pupils: RosterFile | None = None,
    staff: RosterFile | None = None,
    contacts: RosterFile | None = None,
    actor=None,
    dry_run: bool = False,
) -> ImportReport:
    """Check every row of the given files, then apply them in one transaction."""
    from fairwatch.audit.gate import record  # the audit app depends on this one

    errors: list[RosterError] = []
    pupil_rows = check_rows(pupils, errors) if pupils else None
    staff_rows = check_rows(staff, errors) if staff else None
    contact_rows = check_rows(contacts, errors) if contacts else None
    if pupils:
        _unique(pupils, pupil_rows, "upn", errors)
        _unique(pupils, pupil_rows, "email", errors)
    if staff:
        _unique(staff, staff_rows, "staff_id", errors)
        _unique(staff, staff_rows, "email", errors)
    if contacts:
        _check_contacts(school, contacts, contact_rows, pupil_rows, errors)
    if errors:
        errors.sort(key=lambda e: (e.file, e.line))
        record(
            user=actor,
            school=school,
            action="roster.import",
            outcome="failed",
            detail={"problems": len(errors)},
        )
        raise RosterInvalid(errors)

    report = ImportReport(school=school.slug, dry_run=dry_run)
    for f in (pupils, staff, contacts):
        if f and f.ignored_columns:
            report.ignored_columns[f.kind] = f.ignored_columns
    lines = {values["staff_id"]: (staff.name, line) for line, values in staff_rows or []}
    try:
        with transaction.atomic():
            returned: set[int] = set()
            known = _staff_ids(school)
            if pupil_rows is not None:
                report.counts["pupils"] = _apply_pupils(school, pupil_rows)
            if staff_rows is not None:
                report.counts["staff"] = _apply_staff(
                    school, staff_rows, report, returned, roles_given="roles" in staff.columns
                )
            if contact_rows is not None:
                report.counts["contacts"] = _apply_contacts(school, contact_rows, report)
            _sync_accounts(school, report, lines, returned)
            if dry_run:
                transaction.set_rollback(True)
            else:  # in the same transaction: an import is never applied without its entry
                record(
                    user=actor,
                    school=school,
                    action="roster.import",
                    outcome="done",
                    detail=report.as_dict(),
                )
                _announce(school, actor, (_staff_ids(school) - known) | returned)
    except RosterInvalid as exc:
        record(
            user=actor,
            school=school,
            action="roster.import",
            outcome="failed",
            detail={"problems": len(exc.errors)},
        )
        raise
    return report


def _staff_ids(school: School) -> set[int]:
    return set(
        Person.objects.filter(school=school, roster=Person.Roster.STAFF).values_list(
            "pk", flat=True
        )
    )


def _announce(school: School, actor, joined: set[int]) -> None:
    """Tell other apps who joined (the policy asks them to read it), once the import commits."""
    if joined:
        ids = sorted(joined)
        transaction.on_commit(
            lambda: roster_imported.send(sender=School, school=school, actor=actor, person_ids=ids)
        )


def _check_contacts(school, contacts: RosterFile, rows, pupil_rows, errors) -> None:
    if pupil_rows is not None:
        known_upns = {values["upn"] for _, values in pupil_rows}
    else:
        known_upns = set(
            Person.objects.filter(
                school=school, kind=Person.Kind.PUPIL, status=Person.Status.CURRENT
            ).values_list("external_id", flat=True)
        )
    first_seen: dict[str, tuple[int, dict[str, Any]]] = {}
    links: dict[tuple[str, str], int] = {}
    for line, values in rows:
        if values["pupil_upn"] not in known_upns:
            where = "the pupils file" if pupil_rows is not None else "this school's current pupils"
            errors.append(
                RosterError(
                    contacts.name, line, "pupil_upn", f"{values['pupil_upn']} is not among {where}"
                )
            )
        cid = values["contact_id"]
        if cid in first_seen:
            first_line, first = first_seen[cid]
            for column in ("forename", "surname", "email", "phone"):
                if values.get(column, "") != first.get(column, ""):
                    errors.append(
                        RosterError(
                            contacts.name,
                            line,
                            column,
                            f"contact {cid} has {column} {first.get(column, '')!r} on line "
                            f"{first_line} but {values.get(column, '')!r} here",
                        )
                    )
        else:
            first_seen[cid] = (line, values)
        key = (cid, values["pupil_upn"])
        if key in links:
            errors.append(
                RosterError(
                    contacts.name,
                    line,
                    "pupil_upn",
                    f"contact {cid} is already linked to this pupil on line {links[key]}",
                )
            )
        links[key] = line


def _upsert(
    school: School,
    roster: str,
    external_id: str,
    fields: dict[str, Any],
    existing: dict[str, Person],
    counts: RosterCounts,
    returned: set[int] | None = None,
) -> Person:
    person = existing.pop(external_id, None)
    if person is None:
        counts.added += 1
        return Person.objects.create(
            school=school, roster=roster, external_id=external_id, **fields
        )
    changed = [k for k, v in fields.items() if getattr(person, k) != v]
    if person.status == Person.Status.LEFT:
        counts.returned += 1
        if returned is not None:
            returned.add(person.pk)
        fields = {**fields, "status": Person.Status.CURRENT, "left_at": None}
        changed = list(fields)
    elif changed:
        counts.updated += 1
    else:
        counts.unchanged += 1
    if changed:
        for k in changed:
            setattr(person, k, fields[k])
        person.save(update_fields=[*changed, "updated_at"])
    return person


def _existing(school: School, roster: str) -> dict[str, Person]:
    return {p.external_id: p for p in Person.objects.filter(school=school, roster=roster)}


def _mark_left(remaining: dict[str, Person], counts: RosterCounts) -> list[Person]:
    now = timezone.now()
    gone = [p for p in remaining.values() if p.status == Person.Status.CURRENT]
    for person in gone:
        person.status, person.left_at = Person.Status.LEFT, now
        person.save(update_fields=["status", "left_at", "updated_at"])
    counts.left = len(gone)
    return gone


def _apply_pupils(school: School, rows) -> RosterCounts:
    counts, existing = RosterCounts(), _existing(school, Person.Roster.PUPILS)
    for _, v in rows:
        _upsert(
            school,
            Person.Roster.PUPILS,
            v["upn"],
            {
                "kind": Person.Kind.PUPIL,
                "forename": v["forename"],
                "surname": v["surname"],
                "preferred_forename": v.get("preferred_forename", ""),
                "preferred_surname": v.get("preferred_surname", ""),
                "email": v["email"],
                "year_group": v["year_group"],
            },
            existing,
            counts,
        )
    _mark_left(existing, counts)
    return counts


def _apply_staff(
    school: School, rows, report: ImportReport, returned: set[int], *, roles_given: bool
) -> RosterCounts:
    """Upsert staff. Roles follow the `roles` column when the file has one; roles given by
    hand are kept; a file without the column leaves everyone's roles as they are."""
    counts, existing = RosterCounts(), _existing(school, Person.Roster.STAFF)
    now = timezone.now()
    for _, v in rows:
        person = _upsert(
            school,
            Person.Roster.STAFF,
            v["staff_id"],
            {
                "kind": v["category"],
                "forename": v["forename"],
                "surname": v["surname"],
                "preferred_forename": v.get("preferred_name", ""),
                "email": v["email"],
            },
            existing,
            counts,
            returned,
        )
        active = {a.role: a for a in person.roles.filter(ended_at__isnull=True)}
        if not roles_given and active:
            continue
        wanted = set(v["roles"]) or {Role.STAFF}
        for role in wanted - set(active):
            RoleAssignment.objects.create(
                person=person, role=role, source=RoleAssignment.Source.ROSTER
            )
            report.roles_granted += 1
        for role, assignment in active.items():
            if role not in wanted and assignment.source == RoleAssignment.Source.ROSTER:
                assignment.ended_at = now
                assignment.save(update_fields=["ended_at"])
                report.roles_ended += 1
    for person in _mark_left(existing, counts):
        report.roles_ended += RoleAssignment.objects.filter(
            person=person, ended_at__isnull=True
        ).update(ended_at=now)
    return counts


def _apply_contacts(school: School, rows, report: ImportReport) -> RosterCounts:
    counts, existing = RosterCounts(), _existing(school, Person.Roster.CONTACTS)
    pupils = {
        p.external_id: p for p in Person.objects.filter(school=school, kind=Person.Kind.PUPIL)
    }
    people: dict[str, Person] = {}
    wanted: dict[tuple[int, int], str] = {}
    for _, v in rows:
        cid = v["contact_id"]
        if cid not in people:
            people[cid] = _upsert(
                school,
                Person.Roster.CONTACTS,
                cid,
                {
                    "kind": Person.Kind.CONTACT,
                    "forename": v["forename"],
                    "surname": v["surname"],
                    "email": v["email"],
                    "phone": v.get("phone", ""),
                },
                existing,
                counts,
            )
        wanted[(people[cid].pk, pupils[v["pupil_upn"]].pk)] = v["relationship"]
    _mark_left(existing, counts)
    current = {
        (link.contact_id, link.pupil_id): link
        for link in ContactLink.objects.filter(contact__school=school)
    }
    for key, relationship in wanted.items():
        link = current.pop(key, None)
        if link is None:
            ContactLink.objects.create(
                contact_id=key[0], pupil_id=key[1], relationship=relationship
            )
            report.links_added += 1
        elif link.relationship != relationship:
            link.relationship = relationship
            link.save(update_fields=["relationship"])
    for link in current.values():
        link.delete()
        report.links_removed += 1
    return counts


def _retired_name(user) -> str:
    return f"{user.username}~left~{user.pk}"


def _in_use_elsewhere(user, person: Person) -> bool:
    """Whether the account is the live log-in of someone current at another school, or an
    administrator's: then the same address at this school is the same person, sharing it."""
    if not user.is_active:
        return False
    current = Person.objects.filter(user=user, status=Person.Status.CURRENT).exclude(pk=person.pk)
    return current.exists() or OrganisationAdmin.objects.filter(user=user).exists()


def _sync_accounts(
    school: School, report: ImportReport, lines: dict[str, tuple[str, int]], returned: set[int]
) -> None:
    """Staff with an email get a log-in (no password until one is set); leavers lose theirs.

    An account follows its person when their address changes. An address whose account
    belonged to someone who has gone is given a fresh account: a newcomer never inherits a
    former holder's password or roles. Accounts an administrator switched off stay off unless
    their holder comes back after leaving.
    """
    User = get_user_model()
    staff = list(
        Person.objects.select_related("user")
        .filter(school=school, roster=Person.Roster.STAFF, status=Person.Status.CURRENT)
        .exclude(email="")
    )
    # First free the old names of accounts whose holder's address changed, so swaps work.
    for person in staff:
        user = person.user
        if user is None or user.username == person.email:
            continue
        shared = Person.objects.filter(user=user, status=Person.Status.CURRENT).exclude(
            school=school
        )
        if shared.exists():  # still this address's log-in at another school: leave it there
            person.user = None
            person.save(update_fields=["user", "updated_at"])
        else:
            user.username = f"~moving~{user.pk}"
            user.save(update_fields=["username"])
    for person in staff:
        holder = User.objects.filter(username=person.email).first()
        if holder is not None and holder.pk != person.user_id:
            if _in_use_elsewhere(holder, person) and person.user_id is None:
                person.user = holder  # the same person, working at more than one school
                person.save(update_fields=["user", "updated_at"])
                continue
            if _in_use_elsewhere(holder, person):
                file, line = lines.get(person.external_id, ("staff", 0))
                raise RosterInvalid(
                    [
                        RosterError(
                            file,
                            line,
                            "email",
                            f"{person.email} is the log-in of someone current at another school; "
                            "give this member of staff their own address",
                        )
                    ]
                )
            holder.username, holder.is_active = _retired_name(holder), False
            holder.save(update_fields=["username", "is_active"])
        user = person.user
        if user is None:
            user = User(
                username=person.email,
                email=person.email,
                first_name=person.preferred_forename or person.forename,
                last_name=person.surname,
            )
            user.set_unusable_password()
            user.save()
            report.accounts_created += 1
            person.user = user
            person.save(update_fields=["user", "updated_at"])
        elif user.username != person.email:
            user.username = user.email = person.email
            user.save(update_fields=["username", "email"])
        if person.pk in returned and not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
    # Accounts whose holder is no longer current anywhere (and is no administrator) stop working.
    stale = User.objects.filter(
        people__school=school, people__status=Person.Status.LEFT, is_active=True
    ).distinct()
    for user in stale:
        still_here = Person.objects.filter(user=user, status=Person.Status.CURRENT).exists()
        if not still_here and not OrganisationAdmin.objects.filter(user=user).exists():
            user.is_active = False
            user.save(update_fields=["is_active"])
            report.accounts_disabled += 1


def iter_errors(exc: RosterInvalid) -> Iterator[str]:
    for error in exc.errors:
        yield str(error)
