"""Subject access requests (UK GDPR article 15; policy clauses 3.2 and 5).

A member of staff asks for their own data; the DPO releases it as a ZIP (JSON and CSV), with or
without some of it withheld under an exemption, or withholds all of it; the person downloads
the ZIP until it expires. Every read and every step goes through the gate and into the audit
trail. The person is told only that data is withheld, never why: the reason is the DPO's.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from fairwatch.audit import gate
from fairwatch.audit.models import AuditEntry
from fairwatch.privacy.exercises import State as ExerciseState
from fairwatch.roles import Role
from fairwatch.schools.models import Person, School
from fairwatch.schools.permissions import Action, may

from .models import AccessRequest, ActivityEvent, Breach, Exercise
from .notify import tell_dpo
from .pseudonyms import pseudonym_of
from .school_settings import settings_for

User = AbstractBaseUser | AnonymousUser
State = AccessRequest.State

CLAUSE = "5"
PURPOSE = gate.Purpose.DATA_PROTECTION
NOTE_MAX = 2000
REASON_MAX = 4000

# An exercise in these states may still look at its subject: releasing their data now could
# tip them off or harm the investigation, so the DPO is shown it before deciding.
OPEN_EXERCISE_STATES = tuple(
    s.value
    for s in (
        ExerciseState.DRAFT,
        ExerciseState.ASSESSED,
        ExerciseState.REVIEWED,
        ExerciseState.APPROVED,
        ExerciseState.ACTIVE,
    )
)
ENDED_EXERCISE_STATES = (ExerciseState.CLOSED.value, ExerciseState.PURGED.value)

# The parts of the archive the DPO may leave out under an exemption, in the words staff see.
# The person's own roster record, roles and requests are always given.
SECTIONS: dict[str, str] = {
    "activity": "Email and internet activity (pseudonymised)",
    "audit_by_you": "What they did in Fairwatch (audit trail)",
    "breaches_reported": "Breaches they reported",
    "exercises": "Monitoring exercises about them that have ended",
}

DECIDED = ["state", "decided_by", "decided_at", "exemption"]  # the fields a decision sets

WITHHELD_WORDS = {
    "none": "Nothing withheld",
    "some": "Some information withheld under an exemption",
    "all": "Withheld under an exemption",
}


class Invalid(ValueError):
    """Something asked for that cannot be done as given: the message says what to change."""


class Unavailable(Exception):
    """The request is not in a state that allows this (e.g. already decided, not released)."""


class Expired(Unavailable):
    """The download's time is over; the person may ask again."""


@dataclass(frozen=True)
class Listed:
    """A request as the DPO (or its requester) sees it, with its deadline worked out."""

    request: AccessRequest
    overdue: bool  # still waiting after the one-month deadline
    days_left: int  # to respond_by, in calendar days; negative when overdue
    # Unended monitoring exercises about the requester, as (id, state): shown to the DPO only,
    # and only while the request waits for a decision.
    open_exercises: tuple[tuple[str, str], ...] = ()

    @property
    def days_over(self) -> int:
        return max(0, -self.days_left)

    @property
    def under_monitoring(self) -> bool:
        return bool(self.open_exercises)


# --- the steps -----------------------------------------------------------------------------


def request(user: User, school: School, note: str = "") -> AccessRequest:
    """Ask for one's own data at `school`. One request waits at a time per person."""
    gate.check(user, school, Action.REQUEST_OWN_DATA, purpose=PURPOSE, object_type="access_request")
    person = _person_of(user, school)
    if person is None:
        _refuse(user, school, "access.request", "", "not on the roster")
        raise gate.Refused(
            f"You are not on the staff list at {school.name}, so Fairwatch holds no record "
            "of you there to give you. Ask the school office to add you to the roster."
        )
    note = _clean(note, NOTE_MAX, "The note")
    with transaction.atomic():
        # Lock the person so two requests sent at the same moment cannot both be made.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        waiting = AccessRequest.objects.filter(person=person, state=State.PENDING).first()
        if waiting is not None:
            raise Unavailable(
                f"You already have a request waiting, made on {_day(waiting.requested_at)}. "
                "The data protection officer will answer it; you do not need to ask again."
            )
        req = AccessRequest.objects.create(school=school, person=person, note=note)
        _record(user, req, "access.request", detail={"with_note": bool(note)})
        tell_dpo(
            school,
            f"a request for their own data at {school.name}",
            [
                f"A member of staff at {school.name} has asked for their own data (request "
                f"{req.pk}).",
                f"Answer it by {_day(req.respond_by)} (one month).",
            ],
            "access_request_detail",
            req.pk,
            skip=person.email,
        )
    return req


def mine(user: User, school: School, now: dt.datetime | None = None) -> list[AccessRequest]:
    """The user's own requests at `school`, newest first. Being on the roster is enough."""
    person = _person_of(user, school)
    gate.record(
        user=user,
        action="access.mine",
        outcome=AuditEntry.Outcome.ALLOWED if person else AuditEntry.Outcome.REFUSED,
        school=school,
        object_type="person",
        object_id=str(person.pk) if person else "",
        purpose=PURPOSE,
        clause=CLAUSE,
    )
    if person is None:
        raise gate.Refused(f"You are not on the staff list at {school.name}.")
    expire_due(school, now)
    return list(
        AccessRequest.objects.filter(person=person)
        .defer("archive")
        .order_by("-requested_at", "-pk")
    )


def pending(user: User, school: School, now: dt.datetime | None = None) -> list[Listed]:
    """Requests waiting for a decision, oldest (most urgent) first. DPO only."""
    gate.check(
        user,
        school,
        Action.DECIDE_ACCESS,
        purpose=PURPOSE,
        object_type="access_requests",
        detail={"view": "pending"},
    )
    found = AccessRequest.objects.filter(school=school, state=State.PENDING).select_related(
        "person"
    )
    return _listed(user, school, found.defer("archive").order_by("requested_at", "pk"), now)


def all_requests(user: User, school: School, now: dt.datetime | None = None) -> list[Listed]:
    """Every request at the school: those waiting first (oldest first), then the decided ones,
    newest first. DPO only."""
    gate.check(
        user,
        school,
        Action.DECIDE_ACCESS,
        purpose=PURPOSE,
        object_type="access_requests",
        detail={"view": "all"},
    )
    expire_due(school, now)
    everything = AccessRequest.objects.filter(school=school).select_related("person")
    listed = _listed(user, school, everything.defer("archive"), now)
    waiting = sorted(
        (x for x in listed if x.request.state == State.PENDING),
        key=lambda x: (x.request.requested_at, x.request.pk),
    )
    decided = sorted(
        (x for x in listed if x.request.state != State.PENDING),
        key=lambda x: (x.request.requested_at, x.request.pk),
        reverse=True,
    )
    return waiting + decided


def get(
    user: User,
    school: School,
    request_id: int,
    *,
    to_decide: bool = False,
    now: dt.datetime | None = None,
) -> Listed:
    """One request: for its requester, or for the DPO (always the DPO when `to_decide`). A
    refusal is recorded whether or not the id exists."""
    found = (
        AccessRequest.objects.filter(school=school, pk=request_id)
        .select_related("person", "school")
        .defer("archive")
        .first()
    )
    own = found is not None and _is_requester(user, found)
    if own and not to_decide:
        _record(user, found, "access.view", outcome=AuditEntry.Outcome.ALLOWED)
    else:
        gate.check(
            user,
            school,
            Action.DECIDE_ACCESS,
            purpose=PURPOSE,
            object_type="access_request",
            object_id=str(request_id),
        )
        if found is None:
            raise AccessRequest.DoesNotExist(f"no access request {request_id} at {school.slug}")
    expire_due(school, now)
    found.refresh_from_db(fields=["state", "available_until"])
    return _listed(user, school, [found], now)[0]


def release(
    user: User,
    req: AccessRequest,
    now: dt.datetime | None = None,
    *,
    exemption: str = "",
    withhold: Iterable[str] = (),
) -> AccessRequest:
    """Build the person's archive and make it downloadable. With `exemption` (the DPO's note of
    the exemption relied on), it is a partial release: the person is told some information is
    withheld, and the `withhold` sections are left out of the archive. DPO only."""
    now = now or timezone.now()
    school = req.school
    decider = _deciding(user, req, "release")
    left_out = _sections(withhold)
    exemption = _clean(exemption, REASON_MAX, "The exemption note")
    if left_out and not exemption:
        raise Invalid("Say which exemption applies to the information you are leaving out.")
    if left_out:
        names = ", ".join(SECTIONS[s] for s in sorted(left_out))
        exemption = f"{exemption}\n\nLeft out of the download: {names}."
    days = settings_for(school).access_download_days
    with transaction.atomic():
        req = _pending_for_update(req)
        req.state = State.RELEASED
        req.decided_by = decider
        req.decided_at = now
        req.exemption = exemption
        req.available_until = now + dt.timedelta(days=days)
        # Saved first, so the archive's own list of requests shows this one as released.
        req.save(
            update_fields=["state", "decided_by", "decided_at", "exemption", "available_until"]
        )
        data = build_archive(req.person, now, withhold=left_out, partial=bool(exemption))
        req.archive = data
        req.archive_sha256 = hashlib.sha256(data).hexdigest()
        req.save(update_fields=["archive", "archive_sha256"])
        _record(
            user,
            req,
            "access.release",
            detail={
                "bytes": len(data),
                "sha256": req.archive_sha256,
                "partial": bool(exemption),
                "withheld": sorted(left_out),
                "available_until": req.available_until.isoformat(),
            },
        )
    return req


def _deciding(user: User, req: AccessRequest, step: str):
    """The gate's check that the user decides requests here, then the deciding person."""
    gate.check(
        user,
        req.school,
        Action.DECIDE_ACCESS,
        purpose=PURPOSE,
        object_type="access_request",
        object_id=str(req.pk),
        detail={"step": step},
    )
    return _decider(user, req, f"access.{step}")


def exempt(
    user: User, req: AccessRequest, reason: str, now: dt.datetime | None = None
) -> AccessRequest:
    """Withhold all the person's data under an exemption; `reason` is kept for the DPO and
    never shown to the person. DPO only."""
    now = now or timezone.now()
    decider = _deciding(user, req, "exempt")
    reason = _clean(reason, REASON_MAX, "The reason")
    if not reason:
        raise Invalid(
            "Give the reason and the exemption relied on, for example an open investigation."
        )
    with transaction.atomic():
        req = _pending_for_update(req)
        req.state = State.EXEMPT
        req.decided_by = decider
        req.decided_at = now
        req.exemption = reason
        req.save(update_fields=DECIDED)
        _record(user, req, "access.exempt")  # the reason may name people: it stays off the trail
    return req


def download(user: User, req: AccessRequest, now: dt.datetime | None = None) -> bytes:
    """The released ZIP, for the person who asked and nobody else (not even the DPO), until it
    expires."""
    now = now or timezone.now()
    if not _is_requester(user, req):
        _refuse(user, req.school, "access.download", str(req.pk), "not the requester")
        raise gate.Refused("Only the person who asked for this data can download it.")
    problem: Unavailable | None = None
    with transaction.atomic():
        req = (
            AccessRequest.objects.select_for_update(of=("self",))
            .select_related("school")
            .get(pk=req.pk)
        )
        if req.state == State.RELEASED and req.available_until <= now:
            _expire(req)
        if req.state == State.EXPIRED:
            problem = Expired(
                f"This download closed on {_day(req.available_until)}. "
                "You can ask for your data again."
            )
        elif req.state != State.RELEASED:
            problem = Unavailable("This request has no download: " + _state_words(req) + ".")
        elif (
            req.archive is None
            or hashlib.sha256(bytes(req.archive)).hexdigest() != req.archive_sha256
        ):
            problem = Unavailable(
                "The stored file does not match its checksum. Ask the data protection officer."
            )
        if problem is None:
            if req.downloaded_at is None:
                req.downloaded_at = now
                req.save(update_fields=["downloaded_at"])
            _record(user, req, "access.download", detail={"sha256": req.archive_sha256})
            return bytes(req.archive)
    # Recorded once the expiry above is committed, so neither is lost with the refusal.
    _refuse(user, req.school, "access.download", str(req.pk), type(problem).__name__.lower())
    raise problem


def expire_due(school: School | None = None, now: dt.datetime | None = None) -> int:
    """Close released downloads whose time is over and delete their ZIP (the checksum stays,
    as a record of what was given). Returns how many were closed."""
    now = now or timezone.now()
    due = AccessRequest.objects.filter(state=State.RELEASED, available_until__lte=now)
    if school is not None:
        due = due.filter(school=school)
    closed = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            req = (
                AccessRequest.objects.select_for_update(of=("self",))
                .select_related("school")
                .filter(pk=pk, state=State.RELEASED)
                .first()
            )
            if req is not None:
                _expire(req)
                closed += 1
    return closed


def filename_for(req: AccessRequest) -> str:
    made = timezone.localdate(req.decided_at or req.requested_at)
    return f"fairwatch-my-data-{req.school.slug}-{made.isoformat()}.zip"


def withheld(req: AccessRequest) -> str:
    """What the person may be told: "none", "some" or "all" (never the reason)."""
    if req.state == State.EXEMPT:
        return "all"
    return "some" if req.exemption else "none"


def privacy_contact(school: School) -> str:
    return settings_for(school).privacy_contact.strip() or (
        f"the data protection officer (DPO) at {school.name}"
    )


# --- the archive ---------------------------------------------------------------------------

COLUMNS: dict[str, tuple[str, ...]] = {
    "person": (
        "id",
        "forename",
        "surname",
        "preferred_forename",
        "preferred_surname",
        "email",
        "phone",
        "external_id",
        "kind",
        "status",
        "left_at",
        "year_group",
        "roles",
        "on_roster_since",
        "last_updated",
    ),
    "roles": ("role", "role_name", "source", "from", "until"),
    "audit_by_you": (
        "time",
        "action",
        "object_type",
        "object_id",
        "outcome",
        "purpose",
        "role",
        "clause",
    ),
    "activity": (
        "pseudonym",
        "system",
        "time",
        "category",
        "summary",
        "count",
        "source",
    ),
    "breaches_reported": ("id", "reported_at", "found_at", "what", "status", "closed_at"),
    "exercises": (
        "ref",
        "state",
        "asked_for_at",
        "start",
        "end",
        "closed_at",
        "purged_at",
        "purpose",
        "systems",
        "activity_from",
        "activity_to",
    ),
    "access_requests": (
        "id",
        "requested_at",
        "note",
        "state",
        "decided_at",
        "available_until",
        "downloaded_at",
        "withheld",
    ),
}

FILES = [("person.csv", "person")] + [(f"{name}.csv", name) for name in COLUMNS if name != "person"]


def build_archive(
    person: Person,
    now: dt.datetime,
    *,
    withhold: Iterable[str] = (),
    partial: bool = False,
) -> bytes:
    """The person's data at their school as a ZIP: README.txt, data.json and one CSV per part.
    The same data and `now` give the same bytes. `withhold` sections are given empty, and
    `partial` (or any withheld section) says, without saying which, that something is held
    back; every file is always there, so what is missing cannot be read from the file list."""
    left_out = _sections(withhold)
    partial = partial or bool(left_out)
    school = person.school
    pseudonym = pseudonym_of(school, person)
    parts: dict[str, list[dict[str, Any]]] = {
        "person": [_person_row(person)],
        "roles": _roles(person),
        "audit_by_you": _audit_by(person),
        "activity": _activity(school, pseudonym),
        "breaches_reported": _breaches(person),
        "exercises": _exercises(person),
        "access_requests": _requests(person),
    }
    for name in left_out:
        parts[name] = []
    everything = {
        "made_at": _when(now),
        "school": {"slug": school.slug, "name": school.name},
        "some_information_withheld": partial,
        "pseudonym": pseudonym,
        **{name: rows[0] if name == "person" else rows for name, rows in parts.items()},
    }
    stamp = timezone.localtime(now).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:

        def put(name: str, text: str) -> None:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, text.encode("utf-8"))

        put("README.txt", _readme(person, now, pseudonym, partial))
        put("data.json", json.dumps(everything, ensure_ascii=False, indent=2) + "\n")
        for filename, name in FILES:
            put(filename, _csv(COLUMNS[name], parts[name]))
    return out.getvalue()


def _csv(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row[k] is None else row[k] for k in columns})
    return buf.getvalue()


def _person_row(p: Person) -> dict[str, Any]:
    roles = p.roles.filter(ended_at__isnull=True).order_by("role").values_list("role", flat=True)
    return {
        "id": p.pk,
        "forename": p.forename,
        "surname": p.surname,
        "preferred_forename": p.preferred_forename,
        "preferred_surname": p.preferred_surname,
        "email": p.email,
        "phone": p.phone,
        "external_id": p.external_id,
        "kind": p.get_kind_display(),
        "status": p.get_status_display(),
        "left_at": _when(p.left_at),
        "year_group": p.year_group,
        "roles": "; ".join(_role_name(r) for r in roles),
        "on_roster_since": _when(p.created_at),
        "last_updated": _when(p.updated_at),
    }


def _roles(p: Person) -> list[dict[str, Any]]:
    return [
        {
            "role": a.role,
            "role_name": _role_name(a.role),
            "source": a.get_source_display(),
            "from": _when(a.created_at),
            "until": _when(a.ended_at),
        }
        for a in p.roles.order_by("created_at", "pk")
    ]


def _audit_by(p: Person) -> list[dict[str, Any]]:
    if p.user_id is None:
        return []
    entries = AuditEntry.objects.filter(actor_id=p.user_id, school_id=p.school_id).order_by("seq")
    return [
        {
            "time": _when(e.at),
            "action": e.action,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "outcome": e.outcome,
            "purpose": e.purpose,
            "role": e.role,
            "clause": e.clause,
        }
        for e in entries.iterator()
    ]


def _activity(school: School, pseudonym: str) -> list[dict[str, Any]]:
    events = ActivityEvent.objects.filter(school=school, pseudonym=pseudonym)
    return [
        {
            "pseudonym": e.pseudonym,
            "system": e.system,
            "time": _when(e.occurred_at),
            "category": e.category,
            "summary": e.summary,
            "count": e.count,
            "source": e.source,
        }
        for e in events.order_by("occurred_at", "pk").iterator()
    ]


def _breaches(p: Person) -> list[dict[str, Any]]:
    # What they reported and whether it is closed: not the DPO's assessment, which may
    # concern other people.
    return [
        {
            "id": b.pk,
            "reported_at": _when(b.reported_at),
            "found_at": _when(b.found_at),
            "what": b.what,
            "status": "closed" if b.closed_at else "open",
            "closed_at": _when(b.closed_at),
        }
        for b in Breach.objects.filter(school_id=p.school_id, reported_by=p).order_by(
            "reported_at", "pk"
        )
    ]


def _exercises(p: Person) -> list[dict[str, Any]]:
    # Ended exercises only, and only what was done and why: not who asked, who looked or what
    # they saw, which is other people's data.
    about = Exercise.objects.filter(school_id=p.school_id, subject=p)
    if about.exclude(state__in=ENDED_EXERCISE_STATES).exists():
        # One that has not ended (an extension, say) must not be tipped off by the others.
        return []
    ended = about.order_by("created_at", "pk")
    return [
        {
            "ref": ex.ref,
            "state": ex.state,
            "asked_for_at": _when(ex.created_at),
            "start": _when(ex.start),
            "end": _when(ex.end),
            "closed_at": _when(ex.closed_at),
            "purged_at": _when(ex.purged_at),
            "purpose": str(ex.assessment.get("purpose", "")),
            "systems": "; ".join(sorted(ex.assessment.get("systems", []))),
            "activity_from": ex.assessment.get("window_start") or "",
            "activity_to": ex.assessment.get("window_end") or "",
        }
        for ex in ended
    ]


def _requests(p: Person) -> list[dict[str, Any]]:
    return [
        {
            "id": r.pk,
            "requested_at": _when(r.requested_at),
            "note": r.note,
            "state": r.get_state_display(),
            "decided_at": _when(r.decided_at),
            "available_until": _when(r.available_until),
            "downloaded_at": _when(r.downloaded_at),
            "withheld": withheld(r),
        }
        for r in AccessRequest.objects.filter(person=p)
        .defer("archive")
        .order_by("requested_at", "pk")
    ]


def _readme(p: Person, now: dt.datetime, pseudonym: str, partial: bool) -> str:
    school = p.school
    local = timezone.localtime(now)
    title = f"Your data from Fairwatch at {school.name}"
    lines = [
        title,
        "=" * len(title),
        "",
        f"For: {p.display_name}" + (f" ({p.email})" if p.email else ""),
        f"Made: {local:%d %B %Y at %H:%M} (UK time)",
        "",
        "This is the personal data Fairwatch holds about you at "
        f"{school.name}. You asked for it under your right of access (UK GDPR article 15).",
        "",
        "What is in this file",
        "--------------------",
        "- data.json: everything below in one file, for a computer to read.",
        "- person.csv: your record on the staff list: names, email, phone, staff id, kind,",
        "  status, year group and the roles you hold now.",
        "- roles.csv: every role you have held in Fairwatch, with the dates.",
        "- audit_by_you.csv: what you did in Fairwatch, as written in its audit trail: when,",
        "  what, on what, how it ended and for what purpose.",
        "- activity.csv: your email and internet activity as Fairwatch keeps it. It is kept",
        "  under a pseudonym (a code in place of your name), so nobody sees it is yours",
        "  unless an approved monitoring exercise is about you (policy 5 and 7.1).",
        f"  Your pseudonym is {pseudonym}.",
        "- breaches_reported.csv: data breaches you reported.",
        "- exercises.csv: monitoring exercises about you that have ended (policy 7.1): their",
        "  dates, purpose and the systems looked at.",
        "- access_requests.csv: your requests for your data, this one included.",
        "",
        "An empty file means Fairwatch holds nothing of that kind about you"
        + (", or that it is part of what has been withheld (see below)." if partial else "."),
        "",
    ]
    if partial:
        lines += [
            "Some information has been withheld",
            "----------------------------------",
            "Some of your information is not in this file, because an exemption in data",
            "protection law allows the school to withhold it for now. You can ask about this",
            "(see below). You also have the right to complain to the Information",
            "Commissioner's Office (ico.org.uk).",
            "",
        ]
    lines += [
        "Reading the files",
        "-----------------",
        "The CSV files are UTF-8 text with a header row; in Excel use Data > From Text/CSV.",
        "Times are UK time, written as year-month-day and hour:minute:second, with the",
        "difference from UTC at the end.",
        "",
        "This covers Fairwatch only. The school's other systems (the staff records system,",
        "your HR file, the mailboxes themselves) are not in it: ask the contact below for them.",
        "",
        "Who to ask",
        "----------",
        "If anything is wrong or missing, or you have a question, contact "
        f"{privacy_contact(school)}.",
        "",
        "This file was made for you alone. Keep it somewhere safe.",
        "",
    ]
    return "\n".join(lines)


# --- helpers -------------------------------------------------------------------------------


def _person_of(user: User, school: School) -> Person | None:
    if not user.is_authenticated:
        return None
    return Person.objects.filter(school=school, user=user).first()


def _is_requester(user: User, req: AccessRequest) -> bool:
    return bool(user.is_authenticated and req.person.user_id == user.pk)


def _decider(user: User, req: AccessRequest, action: str) -> Person | None:
    """The DPO deciding, who must not be the one who asked."""
    if _is_requester(user, req):
        _refuse(user, req.school, action, str(req.pk), "own request")
        raise gate.Refused(
            "You cannot decide your own request. Another data protection officer must decide it."
        )
    return _person_of(user, req.school)


def _pending_for_update(req: AccessRequest) -> AccessRequest:
    locked = AccessRequest.objects.select_for_update(of=("self",)).select_related(
        "person", "school"
    )
    req = locked.get(pk=req.pk)
    if req.state != State.PENDING:
        raise Unavailable(f"This request has already been decided: {_state_words(req)}.")
    return req


def _expire(req: AccessRequest) -> None:
    req.state = State.EXPIRED
    req.archive = None
    req.save(update_fields=["state", "archive"])
    gate.record(
        user=None,  # the server's own housekeeping, whoever's page noticed it
        action="access.expire",
        outcome=AuditEntry.Outcome.DONE,
        school=req.school,
        object_type="access_request",
        object_id=str(req.pk),
        purpose=PURPOSE,
        clause=CLAUSE,
    )


def _listed(
    user: User, school: School, requests: Iterable[AccessRequest], now: dt.datetime | None
) -> list[Listed]:
    now = now or timezone.now()
    reqs = list(requests)
    waiting = {r.person_id for r in reqs if r.state == State.PENDING and not _is_requester(user, r)}
    open_by_person: dict[int, list[tuple[str, str]]] = {}
    if waiting and not _is_decider(user, school):
        waiting = set()  # the flag is for the DPO only
    for ref, subject, state in (
        Exercise.objects.filter(
            school=school, subject_id__in=waiting, state__in=OPEN_EXERCISE_STATES
        )
        .order_by("pk")
        .values_list("ref", "subject_id", "state")
    ):
        open_by_person.setdefault(subject, []).append((ref, state))
    today = timezone.localdate(now)
    return [
        Listed(
            request=r,
            overdue=r.state == State.PENDING and now > r.respond_by,
            days_left=(timezone.localdate(r.respond_by) - today).days,
            open_exercises=tuple(open_by_person.get(r.person_id, ()))
            if r.person_id in waiting and r.state == State.PENDING
            else (),
        )
        for r in reqs
    ]


def _is_decider(user: User, school: School) -> bool:
    return may(user, Action.DECIDE_ACCESS, school)


def _sections(names: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(names)
    unknown = sorted(chosen - SECTIONS.keys())
    if unknown:
        raise Invalid(
            f"Unknown part of the download: {', '.join(unknown)}. "
            f"The parts that can be left out are: {', '.join(SECTIONS)}."
        )
    return chosen


def _clean(text: str, limit: int, what: str) -> str:
    text = (text or "").replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
    if len(text) > limit:
        raise Invalid(f"{what} is too long: keep it to {limit} characters.")
    return text


def _record(
    user: User,
    req: AccessRequest,
    action: str,
    *,
    outcome: str = AuditEntry.Outcome.DONE,
    detail: dict[str, Any] | None = None,
) -> None:
    gate.record(
        user=user,
        action=action,
        outcome=outcome,
        school=req.school,
        object_type="access_request",
        object_id=str(req.pk),
        purpose=PURPOSE,
        clause=CLAUSE,
        detail={"state": req.state, **(detail or {})},
    )


def _refuse(user: User, school: School, action: str, object_id: str, why: str) -> None:
    gate.record(
        user=user,
        action=action,
        outcome=AuditEntry.Outcome.REFUSED,
        school=school,
        object_type="access_request",
        object_id=object_id,
        purpose=PURPOSE,
        clause=CLAUSE,
        detail={"why": why},
    )


def _state_words(req: AccessRequest) -> str:
    return req.get_state_display().lower()


def _role_name(value: str) -> str:
    try:
        return Role(value).label
    except ValueError:
        return value


def _when(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return timezone.localtime(value).isoformat(timespec="seconds")


def _day(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.day} {local:%B %Y}"
