"""What monitoring is in force at a school, told to every member of staff (3.2, 7.2.1); the
recorded basis for monitoring e-safety monitors' accounts; and the school's privacy settings.

`notice` builds the transparency page's content as plain data. It names nobody who is
monitored: exercises are a count, e-safety monitors are a count, and whoever recorded the
systematic basis is shown by role. The only person named is the one staff ask: the school's
privacy contact, or its data protection officer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from fairwatch.audit import gate
from fairwatch.audit.models import AuditEntry
from fairwatch.catalogue import model_catalogue
from fairwatch.privacy.exercises import SYSTEMATIC_VIEWERS
from fairwatch.roles import Role
from fairwatch.schools.models import Person, RoleAssignment, School
from fairwatch.schools.permissions import ALLOWED, Action

from .models import ActivityEvent, Exercise, Settings, SystematicBasis
from .school_settings import settings_for

User = AbstractBaseUser | AnonymousUser

BASIS_CLAUSE = "7.2.1"
SETTINGS_CLAUSE = "7.1"
BASIS_ACTION = Action.RECORD_BASIS.value  # "monitoring.basis"
SETTINGS_ACTION = Action.PRIVACY_SETTINGS.value  # "privacy.settings"

# The lowest and highest value of each numeric setting, in days.
LIMITS: dict[str, tuple[int, int]] = {
    "default_days": (1, 90),
    "max_days": (1, 90),
    "extract_retention_days": (1, 730),
    "activity_retention_days": (1, 730),
    "access_download_days": (1, 90),
}
# Months after a member of staff leaves that their low-level concerns are kept, then deleted
# (`concerns.services.purge_low_level`; KCSIE part 4: kept at least until they leave).
MONTH_LIMITS: dict[str, tuple[int, int]] = {"low_level_months": (1, 120)}
# Each setting as an error message names it: "Enter a number of days from 1 to 90 for …".
SETTING_NAMES: dict[str, str] = {
    "default_days": "the usual length of an exercise",
    "max_days": "the longest an exercise may last",
    "extract_retention_days": "keeping an exercise's extracts",
    "activity_retention_days": "keeping pseudonymised activity",
    "access_download_days": "keeping a subject access download available",
    "low_level_months": "keeping low-level concerns after a member of staff leaves",
    "privacy_contact": "who staff ask about monitoring",
}
CONTACT_MAX = 1000
BASIS_TEXT_MAX = 4000


class Invalid(ValueError):
    """Values that cannot be saved, with a plain message for each field."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(self.errors.values()))


class NothingInForce(Exception):
    """There is no systematic monitoring basis in force to withdraw."""


# --- the notice ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClauseRef:
    id: str
    title: str
    anchor: str


@dataclass(frozen=True)
class BasisSummary:
    """The systematic basis as every member of staff sees it: who recorded it by role only."""

    reason: str
    legal_basis: str
    recorded_at: dt.datetime
    recorded_by_role: str


@dataclass(frozen=True)
class Kind:
    """One kind of monitoring: what, why, on what basis, for how long, seen by whom."""

    key: str  # email, internet, exercises, systematic
    title: str
    clauses: tuple[ClauseRef, ...]
    in_force: bool
    status: str
    collected: tuple[str, ...]
    why: str
    legal_basis: str
    kept_for: str
    seen_by: tuple[str, ...]
    how_it_works: tuple[str, ...] = ()
    ended_last_year: int | None = None  # exercises ended in the last 12 months (never live)
    monitored_accounts: int | None = None  # accounts with the e-safety monitor role
    basis: BasisSummary | None = None


@dataclass(frozen=True)
class Contact:
    """Who staff ask: the school's own wording if it has set one, else its DPO."""

    text: str  # the school's privacy contact as written; blank when it is the DPO
    name: str
    email: str
    role: str  # "Data protection officer" when it is the DPO


@dataclass(frozen=True)
class Notice:
    school: str
    kinds: tuple[Kind, ...]
    contact: Contact
    pseudonym_viewers: tuple[str, ...]  # roles that see pseudonyms and totals
    activity_retention_days: int
    extract_retention_days: int
    default_days: int
    max_days: int
    statement: tuple[ClauseRef, ...]  # the policy clauses this notice puts into practice


def clause(clause_id: str) -> ClauseRef:
    c = model_catalogue().get(clause_id)
    return ClauseRef(id=c.id, title=c.title, anchor=c.anchor)


def _labels(roles: frozenset[Role]) -> tuple[str, ...]:
    return tuple(r.label for r in Role if r in roles)


# How a role reads in the middle of a sentence.
IN_A_SENTENCE: dict[Role, str] = {
    Role.HEADTEACHER: "the Headteacher",
    Role.CHAIR_OF_GOVERNORS: "the Chair of Governors",
    Role.DSL: "the designated safeguarding lead",
    Role.DPO: "the data protection officer",
    Role.IT_MANAGER: "the IT manager",
    Role.HR_ADVISER: "the HR adviser",
}


def _roles_in_words(roles: frozenset[Role]) -> str:
    return _list(tuple(IN_A_SENTENCE.get(r, r.label.lower()) for r in Role if r in roles))


def _list(words: tuple[str, ...]) -> str:
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def notice(school: School, now: dt.datetime | None = None) -> Notice:
    """What monitoring is in force at `school`, for every member of staff to read (3.2)."""
    now = now or timezone.now()
    prefs = settings_for(school)
    pseudonym_roles = ALLOWED[Action.VIEW_ACTIVITY] - {Role.ORG_ADMIN}
    seen_by = (
        f"Pseudonyms and totals only: {_roles_in_words(pseudonym_roles)}. "
        "Nobody sees who a pseudonym is.",
        "Names only inside an approved, time-limited monitoring exercise, by the people it "
        "names, for its subject, systems and dates (7.1, 5.1).",
    )
    kept = f"Kept for {_days(prefs.activity_retention_days)}, then deleted (the school's setting)."
    return Notice(
        school=school.name,
        kinds=(
            _email(school, seen_by, kept),
            _internet(school, seen_by, kept),
            _exercises(school, prefs, now),
            _systematic(school, prefs),
        ),
        contact=contact_for(school, prefs),
        pseudonym_viewers=_labels(pseudonym_roles),
        activity_retention_days=prefs.activity_retention_days,
        extract_retention_days=prefs.extract_retention_days,
        default_days=prefs.default_days,
        max_days=prefs.max_days,
        statement=(clause("3.2"), clause("7")),
    )


def _email(school: School, seen_by: tuple[str, ...], kept: str) -> Kind:
    domains = school.domain_names
    if domains:
        status = f"For email sent from {_list(tuple(domains))}."
    else:
        status = "No mail domain is set up for the school, so no email is checked."
    return Kind(
        key="email",
        title="Email checks",
        clauses=(clause("4"), clause("5.2")),
        in_force=bool(domains),
        status=status,
        collected=(
            "What each check found: the clause, how serious it is and a short reason, for "
            "example a pupil's name in the subject line or a lookalike address.",
            "When the message was checked, and a pseudonym for the sender instead of their name.",
            "The record of a check does not include the text of the message or its attachments.",
        ),
        why=(
            "To help you get email right before it goes: the right recipients, no names in the "
            "subject line, email to pupils only from school accounts, and no personal data "
            "sent outside the school by mistake (clause 4). Email sent to the wrong person is "
            "one of the most common causes of data breaches in schools (5.2)."
        ),
        legal_basis=(
            "The school's legitimate interests in email being used as the policy says and in "
            "preventing data breaches (UK GDPR article 6(1)(f); policy clause 7.1). Where the "
            "checks are part of the school's public task of keeping pupils' personal data safe, "
            "the basis is article 6(1)(e)."
        ),
        kept_for=kept,
        seen_by=seen_by,
    )


def _internet(school: School, seen_by: tuple[str, ...], kept: str) -> Kind:
    receiving = ActivityEvent.objects.filter(school=school, system="internet").exists()
    if receiving:
        status = "The school's web filter or firewall logs are read by Fairwatch."
    else:
        status = (
            "Fairwatch holds no web logs for the school at present. The school's web filter "
            "may keep logs of its own: the IT manager can tell you."
        )
    return Kind(
        key="internet",
        title="Internet use logs",
        clauses=(clause("3.1"), clause("3.2"), clause("3.3")),
        in_force=receiving,
        status=status,
        collected=(
            "Which sites were visited from school equipment or the school network (the site's "
            "name, not what you read or typed there), when, how often, and the site's category, "
            "for example news, shopping or gambling.",
            "A pseudonym for the account or device instead of a name.",
            "Private use in everyday categories such as shopping or streaming is looked at only "
            "as totals (3.1).",
        ),
        why=(
            "To keep the network safe, to check it is used as the policy says (3.1, 3.2), and to "
            "alert the designated safeguarding lead and the Headteacher to visits to illegal or "
            "harmful sites (3.3)."
        ),
        legal_basis=(
            "The school's legitimate interests in its network being used safely and as the "
            "policy says (UK GDPR article 6(1)(f); policy clauses 3.2 and 7.1). Alerts about "
            "harmful sites are part of the school's public task of safeguarding pupils "
            "(article 6(1)(e))."
        ),
        kept_for=kept,
        seen_by=seen_by,
    )


def ended_last_year(school: School, now: dt.datetime) -> int:
    """How many exercises ended in the twelve months to `now`. Never how many are running:
    at a small school a count that went from 0 to 1 would tell the subject."""
    return Exercise.objects.filter(
        school=school, closed_at__gt=now - dt.timedelta(days=365), closed_at__lte=now
    ).count()


def _length(prefs: Settings) -> str:
    if prefs.default_days == prefs.max_days:
        return f"lasts at most {_days(prefs.max_days)}"
    return f"lasts {_days(prefs.default_days)} as a rule and {_days(prefs.max_days)} at most"


def _exercises(school: School, prefs: Settings, now: dt.datetime) -> Kind:
    ended = ended_last_year(school, now)
    status = (
        f"{'No' if ended == 0 else ended} monitoring exercise{'' if ended == 1 else 's'} "
        "ended in the last twelve months. Exercises that are running are not counted here, "
        "so that nobody can tell from this page that one has started."
    )
    return Kind(
        key="exercises",
        title="Monitoring exercises (occasional monitoring)",
        clauses=(clause("7.1"), clause("7.2"), clause("7.3")),
        in_force=True,
        status=status,
        collected=(
            "For the one member of staff an exercise is about: their email or internet "
            "activity, or both, in the systems and between the dates the exercise names.",
            "What the people named on the exercise looked at, and every time they looked.",
        ),
        why=(
            "To look into a particular concern that the school's systems are being used "
            "without authorisation or for criminal purposes (7.1)."
        ),
        legal_basis=(
            "The school's legitimate interests (UK GDPR article 6(1)(f)), as policy clause 7.1 "
            "states, weighed for each exercise in its privacy impact assessment against the "
            "employee's right to privacy (article 8 of the European Convention on Human "
            "Rights, 7.2)."
        ),
        kept_for=(
            f"What the named people saw is kept for {_days(prefs.extract_retention_days)} after "
            "the exercise ends, then deleted, and the deletion is recorded."
        ),
        seen_by=(
            "Names only by the people the exercise names, only while it is active, and only "
            "for its subject, systems and dates. Every look is recorded; a look outside those "
            "limits is treated as a data breach (5.2).",
        ),
        how_it_works=(
            "An exercise is considered only where there is a concern about misuse (7.1).",
            "A privacy impact assessment comes first: why monitoring is necessary, which less "
            "intrusive ways were considered, and the effect on the employee and on others "
            "whose data is caught (7.1, 7.2).",
            "EducationHR is consulted (7.3) and the data protection officer reviews the "
            "assessment.",
            "The Headteacher approves it, or the Chair of Governors where the Headteacher is "
            "its subject or asked for it. Nobody approves their own request.",
            f"It covers one person and {_length(prefs)}. Going on longer needs a fresh approval.",
            "Outside an active exercise nobody can see who is behind a pseudonym.",
        ),
        ended_last_year=ended,
    )


def monitored_accounts(school: School) -> int:
    """How many current members of staff hold the e-safety monitor role: a count, no names."""
    return (
        RoleAssignment.objects.filter(
            person__school=school,
            person__status=Person.Status.CURRENT,
            role=Role.ESAFETY_MONITOR,
            ended_at__isnull=True,
        )
        .values("person")
        .distinct()
        .count()
    )


def _systematic(school: School, prefs: Settings) -> Kind:
    basis = systematic_in_force(school)
    accounts = monitored_accounts(school)
    summary = None
    if basis is None:
        status = (
            "No basis is recorded, so no account is monitored continuously. "
            "E-safety monitors are covered only by the kinds above, like everyone else."
        )
        why = legal = ""
    else:
        role = recorder_role(basis)
        summary = BasisSummary(
            reason=basis.reason,
            legal_basis=basis.legal_basis,
            recorded_at=basis.recorded_at,
            recorded_by_role=role,
        )
        held = "1 account holds" if accounts == 1 else f"{accounts} accounts hold"
        status = f"{held} the e-safety monitor role."
        why, legal = basis.reason, basis.legal_basis
    return Kind(
        key="systematic",
        title="Systematic monitoring of e-safety monitors' accounts",
        clauses=(clause("7.2.1"),),
        in_force=basis is not None,
        status=status,
        collected=(
            "The email and internet activity of accounts that hold the e-safety monitor role, "
            "for as long as they hold it, because their work takes them to harmful material.",
        ),
        why=why,
        legal_basis=legal,
        kept_for=f"Kept for {_days(prefs.activity_retention_days)}, then deleted.",
        seen_by=(
            f"By name: {_roles_in_words(SYSTEMATIC_VIEWERS)}. Nobody sees their own monitoring.",
        ),
        monitored_accounts=accounts,
        basis=summary,
    )


def current_dpo(school: School) -> Person | None:
    """The current person holding the DPO role at `school` (the first by name if several)."""
    return (
        Person.objects.filter(
            school=school,
            status=Person.Status.CURRENT,
            roles__role=Role.DPO,
            roles__ended_at__isnull=True,
        )
        .by_name()
        .first()
    )


def contact_for(school: School, prefs: Settings | None = None) -> Contact:
    prefs = prefs or settings_for(school)
    if prefs.privacy_contact.strip():
        return Contact(text=prefs.privacy_contact.strip(), name="", email="", role="")
    dpo = current_dpo(school)
    if dpo is None:
        return Contact(text="", name="", email="", role=Role.DPO.label)
    return Contact(text="", name=dpo.display_name, email=dpo.email, role=Role.DPO.label)


# --- the systematic basis (7.2.1) ---------------------------------------------------------------


def systematic_in_force(school: School) -> SystematicBasis | None:
    """The basis in force now for monitoring e-safety monitors' accounts, or None."""
    return (
        SystematicBasis.objects.filter(school=school, ended_at__isnull=True)
        .order_by("-recorded_at", "-pk")
        .first()
    )


def _basis_entries(basis_ids: list[int]) -> dict[tuple[int, str], AuditEntry]:
    """The audit entries that recorded, replaced or withdrew these bases, by (id, step)."""
    found: dict[tuple[int, str], AuditEntry] = {}
    entries = AuditEntry.objects.filter(
        action=BASIS_ACTION,
        outcome=AuditEntry.Outcome.DONE,
        object_type="systematic_basis",
        object_id__in=[str(i) for i in basis_ids],
    ).order_by("seq")
    for entry in entries:
        found[(int(entry.object_id), entry.detail.get("step", ""))] = entry
    return found


def recorder_role(basis: SystematicBasis) -> str:
    """The role the basis was recorded under, as the audit trail has it."""
    return _recorded_role(basis, _basis_entries([basis.pk]).get((basis.pk, "recorded")))


def _recorded_role(basis: SystematicBasis, entry: AuditEntry | None) -> str:
    if entry is not None and entry.role:
        return Role(entry.role).label
    # Recorded some other way (demo data, an import): the recorder's role now, if it is one
    # that records bases.
    held = RoleAssignment.objects.filter(
        person_id=basis.recorded_by_id,
        ended_at__isnull=True,
        role__in=[r.value for r in ALLOWED[Action.RECORD_BASIS]],
    ).values_list("role", flat=True)
    return next((r.label for r in Role if r.value in set(held)), "")


@dataclass(frozen=True)
class BasisRecord:
    """One basis in the history the Headteacher and the DPO see."""

    id: int
    reason: str
    legal_basis: str
    recorded_at: dt.datetime
    recorded_by: str  # the person's name: this page is for the Headteacher and the DPO
    recorded_by_role: str
    ended_at: dt.datetime | None
    ended_how: str  # "", "replaced" or "withdrawn"
    ended_by_role: str
    withdrawal_reason: str

    @property
    def in_force(self) -> bool:
        return self.ended_at is None


def basis_history(user: User, school: School) -> list[BasisRecord]:
    """Every basis the school has recorded, newest first (Headteacher and DPO; audited)."""
    gate.check(
        user,
        school,
        Action.RECORD_BASIS,
        purpose=gate.Purpose.DATA_PROTECTION,
        object_type="systematic_basis",
        detail={"view": "history"},
    )
    bases = list(
        SystematicBasis.objects.filter(school=school)
        .select_related("recorded_by")
        .order_by("-recorded_at", "-pk")
    )
    entries = _basis_entries([b.pk for b in bases])
    return [_record_of(b, entries) for b in bases]


def describe(basis: SystematicBasis) -> BasisRecord:
    """One basis as the history shows it, for a caller that has just recorded or withdrawn
    it (and so has passed the gate)."""
    return _record_of(basis, _basis_entries([basis.pk]))


def _record_of(b: SystematicBasis, entries: dict[tuple[int, str], AuditEntry]) -> BasisRecord:
    made = entries.get((b.pk, "recorded"))
    ended = entries.get((b.pk, "withdrawn")) or entries.get((b.pk, "replaced"))
    if b.ended_at is None:
        ended = None
    return BasisRecord(
        id=b.pk,
        reason=b.reason,
        legal_basis=b.legal_basis,
        recorded_at=b.recorded_at,
        recorded_by=b.recorded_by.display_name,
        recorded_by_role=_recorded_role(b, made),
        ended_at=b.ended_at,
        ended_how=ended.detail.get("step", "") if ended else "",
        ended_by_role=Role(ended.role).label if ended and ended.role else "",
        withdrawal_reason=ended.detail.get("why", "") if ended else "",
    )


def _text(value: object, field: str, label: str, limit: int) -> tuple[str, dict[str, str]]:
    text = str(value or "").replace("\x00", "").strip()
    if not text:
        return text, {field: f"Enter {label}."}
    if len(text) > limit:
        return text, {field: f"{label[0].upper()}{label[1:]} must be {limit} characters or fewer."}
    return text, {}


def _person_at(user: User, school: School) -> Person:
    found = Person.objects.filter(school=school, user=user, status=Person.Status.CURRENT).first()
    if found is None:  # a role without a roster record cannot happen; refuse rather than guess
        raise gate.Refused(f"You are not on {school.name}'s staff roster.")
    return found


def record_basis(user: User, school: School, *, reason: str, legal_basis: str) -> SystematicBasis:
    """Record the basis for monitoring e-safety monitors' accounts (7.2.1); the one in force,
    if any, ends and is replaced."""
    role = gate.check(
        user,
        school,
        Action.RECORD_BASIS,
        purpose=gate.Purpose.DATA_PROTECTION,
        object_type="systematic_basis",
        detail={"step": "record"},
    )
    reason, errors = _text(reason, "reason", "why these accounts are monitored", BASIS_TEXT_MAX)
    legal_basis, more = _text(legal_basis, "legal_basis", "the legal basis", BASIS_TEXT_MAX)
    errors.update(more)
    if errors:
        raise Invalid(errors)
    recorder = _person_at(user, school)
    with transaction.atomic():
        School.objects.select_for_update().get(pk=school.pk)  # one change at a time per school
        now = timezone.now()
        old = list(SystematicBasis.objects.filter(school=school, ended_at__isnull=True))
        for previous in old:
            previous.ended_at = now
            previous.save(update_fields=["ended_at"])
        basis = SystematicBasis.objects.create(
            school=school, reason=reason, legal_basis=legal_basis, recorded_by=recorder
        )
        for previous in old:
            _basis_done(user, school, role, previous.pk, "replaced", {"replaced_by": basis.pk})
        _basis_done(user, school, role, basis.pk, "recorded", {"replaces": [p.pk for p in old]})
    return basis


def withdraw_basis(user: User, school: School, reason: str) -> SystematicBasis:
    """End the basis in force: e-safety monitors' accounts are no longer monitored
    continuously. NothingInForce if there is none."""
    role = gate.check(
        user,
        school,
        Action.RECORD_BASIS,
        purpose=gate.Purpose.DATA_PROTECTION,
        object_type="systematic_basis",
        detail={"step": "withdraw"},
    )
    reason, errors = _text(reason, "reason", "why it is withdrawn", 500)
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        School.objects.select_for_update().get(pk=school.pk)
        current = list(SystematicBasis.objects.filter(school=school, ended_at__isnull=True))
        if not current:
            raise NothingInForce("No basis for systematic monitoring is in force.")
        now = timezone.now()
        for basis in current:
            basis.ended_at = now
            basis.save(update_fields=["ended_at"])
            _basis_done(user, school, role, basis.pk, "withdrawn", {"why": reason})
    return current[0]


def _basis_done(
    user: User, school: School, role: str, basis_id: int, step: str, extra: dict[str, Any]
) -> None:
    gate.record(
        user=user,
        action=BASIS_ACTION,
        outcome=AuditEntry.Outcome.DONE,
        school=school,
        role=role,
        object_type="systematic_basis",
        object_id=str(basis_id),
        purpose=gate.Purpose.DATA_PROTECTION,
        clause=BASIS_CLAUSE,
        detail={"step": step, **extra},
    )


# --- the school's privacy settings ----------------------------------------------------------------


def days_error(field: str) -> str:
    low, high = LIMITS[field]
    return f"Enter a whole number of days from {low} to {high} for {SETTING_NAMES[field]}."


def months_error(field: str) -> str:
    low, high = MONTH_LIMITS[field]
    return f"Enter a whole number of months from {low} to {high} for {SETTING_NAMES[field]}."


def settings_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with a complete set of settings, by field; empty when they can be saved."""
    errors: dict[str, str] = {}
    for limits, error in ((LIMITS, days_error), (MONTH_LIMITS, months_error)):
        for field, (low, high) in limits.items():
            value = values.get(field)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                errors[field] = error(field)
    if not errors.keys() & {"default_days", "max_days"}:
        usual, most = int(values["default_days"]), int(values["max_days"])
        if usual > most:
            errors["default_days"] = (
                f"The usual length ({_days(usual)}) cannot be longer than the longest an "
                f"exercise may last ({_days(most)})."
            )
    contact = values.get("privacy_contact", "")
    if not isinstance(contact, str):
        errors["privacy_contact"] = "Write who staff ask as text."
    elif len(contact) > CONTACT_MAX:
        errors["privacy_contact"] = (
            f"Keep who staff ask about monitoring to {CONTACT_MAX} characters or fewer."
        )
    return errors


def settings_values(prefs: Settings) -> dict[str, Any]:
    return {field: getattr(prefs, field) for field in SETTING_NAMES}


def read_settings(user: User, school: School) -> Settings:
    """The school's privacy settings, for the Headteacher and the DPO (audited)."""
    gate.check(
        user,
        school,
        Action.PRIVACY_SETTINGS,
        purpose=gate.Purpose.DATA_PROTECTION,
        object_type="privacy_settings",
        detail={"view": "settings"},
    )
    return settings_for(school)


def update_settings(user: User, school: School, **fields: Any) -> Settings:
    """Change some of the school's privacy settings; Invalid (saving nothing) if any value,
    or the result, is out of bounds."""
    role = gate.check(
        user,
        school,
        Action.PRIVACY_SETTINGS,
        purpose=gate.Purpose.DATA_PROTECTION,
        object_type="privacy_settings",
        detail={"step": "update", "fields": sorted(fields)},
    )
    unknown = sorted(set(fields) - set(SETTING_NAMES))
    if unknown:
        raise Invalid({name: f"There is no setting called {name!r}." for name in unknown})
    if isinstance(fields.get("privacy_contact"), str):
        fields["privacy_contact"] = fields["privacy_contact"].replace("\x00", "").strip()
    with transaction.atomic():
        prefs = Settings.objects.select_for_update().get(pk=settings_for(school).pk)
        old = settings_values(prefs)
        new = {**old, **fields}
        errors = settings_errors(new)
        if errors:
            raise Invalid(errors)
        changes: dict[str, Any] = {}
        for field, value in new.items():
            if value != old[field]:
                setattr(prefs, field, value)
                # The contact may name a person: the trail says it changed, not what it says.
                changes[field] = "changed" if field == "privacy_contact" else [old[field], value]
        if changes:
            prefs.save(update_fields=sorted(changes))
        gate.record(
            user=user,
            action=SETTINGS_ACTION,
            outcome=AuditEntry.Outcome.DONE,
            school=school,
            role=role,
            object_type="privacy_settings",
            object_id=str(prefs.pk),
            purpose=gate.Purpose.DATA_PROTECTION,
            clause=SETTINGS_CLAUSE,
            detail={"changes": changes},
        )
    return prefs
