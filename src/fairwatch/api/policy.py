"""The school's policy (issue 9), for machines: its versions, the words in force on a day, what
changed between two versions, reading and acknowledging it, who has and has not, and
publishing a new version. The same as the pages and `fairwatch policy ...`, through the same
store (`fairwatch.policy.store`), which asks the gate and writes the audit trail.

Errors are as in the other routers: 403 not allowed (recorded), 404 not there, 422 input that
cannot be taken (with `errors` by field).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from fairwatch.policy import store
from fairwatch.policy.models import PolicyVersion
from fairwatch.policy.store import InvalidPolicy
from fairwatch.policy.versions import ChangeRow, Clause, ClauseDiff, Run, Version
from fairwatch.policy.versions import diff as clause_diff
from fairwatch.schools.models import Person, School

from .common import ErrorOut, InvalidOut, PersonRef, invalid, school_for

router = Router(tags=["policy"])

BASE = "/schools/{slug}/policy"


ERRORS = {403: ErrorOut, 404: ErrorOut, 422: InvalidOut}


# --- shapes ---------------------------------------------------------------------------------


class ChangeRowOut(Schema):
    day: dt.date
    paragraphs: str
    summary: str


class VersionOut(Schema):
    number: int
    effective_from: dt.date
    published_at: dt.datetime
    published_by: str | None = Field(
        description="who published it; null for the model policy Fairwatch ships"
    )
    duties_changed: bool = Field(
        description="whether staff must read and acknowledge it (false: words tidied only)"
    )
    changes: list[ChangeRowOut] = Field(description="its table of changes, oldest first")


class PolicyClauseOut(Schema):
    id: str
    title: str
    text: str
    applicable: bool
    reason: str = Field(description="why it does not apply at the school; empty if it does")


class InForceOut(Schema):
    number: int
    effective_from: dt.date
    on: dt.date
    clauses: list[PolicyClauseOut]


class RunOut(Schema):
    op: str = Field(description="same, added or removed")
    text: str


class ClauseDiffOut(Schema):
    id: str
    kind: str = Field(description="added, removed, changed, now not applicable or applicable again")
    summary: str
    runs: list[RunOut] = Field(description="the clause's text, word by word")
    title_runs: list[RunOut] = Field(description="the clause's title, word by word")


class ToReadOut(Schema):
    version: int | None = Field(description="the version you must have read; null if none")
    effective_from: dt.date | None
    acknowledged: bool
    acknowledged_at: dt.datetime | None
    last_acknowledged: int | None = Field(description="the latest version you acknowledged")
    changes: list[ClauseDiffOut] = Field(
        description="what changed since the last version you acknowledged (every clause, as "
        "added, if none); empty once you have acknowledged it"
    )


class AcknowledgeIn(Schema):
    version: int | None = Field(None, description="the version you read; default: in force today")


class AcknowledgedOut(Schema):
    version: int
    at: dt.datetime


class RoleCountOut(Schema):
    asked: int
    acknowledged: int
    outstanding: int


class AckGroupCountOut(Schema):
    label: str
    asked: int
    acknowledged: int
    outstanding: int


class AcknowledgementsOut(Schema):
    version: int
    effective_from: dt.date
    asked: int
    acknowledged: int
    outstanding: int
    by_role: dict[str, RoleCountOut]
    by_group: dict[str, AckGroupCountOut] = Field(
        description="by group (staff, volunteer), each person counted once"
    )
    outstanding_people: list[PersonRef] | None = Field(
        description="who has not yet acknowledged it: only for the version staff must have "
        "read today, null for the others"
    )


class ChangeRowIn(Schema):
    day: dt.date
    paragraphs: str = ""
    summary: str


class ClauseIn(Schema):
    title: str
    text: str
    applicable: bool = True
    reason: str = Field("", description="why it does not apply; only when applicable is false")


class PublishIn(Schema):
    """A new version. `clauses` holds ONLY the clauses that change, by id: each one given
    replaces that clause whole (or adds it), null removes it, and every clause left out is
    kept as it is in the latest version."""

    effective_from: dt.date
    duties_changed: bool = True
    changes: list[ChangeRowIn] = Field(description="its rows of the table of changes")
    clauses: dict[str, ClauseIn | None] = Field(
        default_factory=dict,
        description="only the clauses that change, merged over the latest version's; "
        "null removes a clause",
    )
    note: str = ""


# --- helpers --------------------------------------------------------------------------------


def _version_out(school: School, row: PolicyVersion) -> VersionOut:
    return VersionOut(
        number=row.number,
        effective_from=row.effective_from,
        published_at=row.published_at,
        published_by=store.publisher_name(school, row),
        duties_changed=row.duties_changed,
        changes=[
            ChangeRowOut(day=dt.date.fromisoformat(day), paragraphs=paragraphs, summary=summary)
            for day, paragraphs, summary in row.changes
        ],
    )


def _runs(runs: tuple[Run, ...]) -> list[RunOut]:
    return [RunOut(op=run.op, text=run.text) for run in runs]


def _diff_out(changes: list[ClauseDiff]) -> list[ClauseDiffOut]:
    return [
        ClauseDiffOut(
            id=change.id,
            kind=change.kind.value,
            summary=change.summary,
            runs=_runs(change.text),
            title_runs=_runs(change.title),
        )
        for change in changes
    ]


def _clause_out(clause: Clause) -> PolicyClauseOut:
    return PolicyClauseOut(
        id=clause.id,
        title=clause.title,
        text=clause.text,
        applicable=clause.applicable,
        reason=clause.reason,
    )


def _numbers(found: list[Version]) -> str:
    return f"versions 1 to {found[-1].number}" if len(found) > 1 else "only version 1"


def _version(found: list[Version], number: int, field: str) -> Version:
    chosen = next((version for version in found if version.number == number), None)
    if chosen is None:
        raise HttpError(
            404,
            f"{field}: there is no version {number} of the policy; it has {_numbers(found)}.",
        )
    return chosen


def _me(request: HttpRequest, school: School) -> Person:
    person = store.me(request.user, school)
    if person is None:
        raise HttpError(
            403, f"Only staff and volunteers at {school.name} read and acknowledge its policy."
        )
    return person


def _nul_field(payload: PublishIn) -> str | None:
    """The first field holding a NUL character (the database refuses them), if any."""
    texts = {"note": [payload.note], "changes": [], "clauses": []}
    for row in payload.changes:
        texts["changes"] += [row.paragraphs, row.summary]
    for key, clause in payload.clauses.items():
        texts["clauses"].append(key)
        if clause is not None:
            texts["clauses"] += [clause.title, clause.text, clause.reason]
    return next((field for field, each in texts.items() if any("\x00" in t for t in each)), None)


# --- routes ---------------------------------------------------------------------------------


@router.get(f"{BASE}/versions", response={200: list[VersionOut], **ERRORS})
def list_versions(request, slug: str):
    """Every version of the school's policy, oldest first, with its table of changes."""
    school = school_for(request, slug)
    return [_version_out(school, row) for row in store.rows(school)]


@router.post(f"{BASE}/versions", response={201: VersionOut, **ERRORS})
def publish_version(request, slug: str, payload: PublishIn):
    """Publish a new version (the Headteacher, or the trust's administrator).

    Send ONLY the clauses that change, under `clauses` by id: each replaces that clause whole
    (or adds it); null removes it; every clause left out stays as it is in the latest version.
    """
    school = school_for(request, slug)
    field = _nul_field(payload)
    if field is not None:
        message = "Take out the NUL characters (\\0): the policy cannot keep them."
        return Status(422, InvalidOut(detail=message, errors={field: message}))
    latest = store.versions(school)[-1]
    clauses = dict(latest.clauses)
    try:
        for clause_id, given in payload.clauses.items():
            if given is None:
                if clause_id not in clauses:
                    raise ValueError(f"there is no clause {clause_id} to remove")
                del clauses[clause_id]
            else:
                clauses[clause_id] = Clause(
                    clause_id,
                    given.title,
                    given.text,
                    applicable=given.applicable,
                    reason=given.reason if not given.applicable else "",
                )
    except ValueError as exc:
        errors = {"clauses": f"The clauses are not right: {exc}."}
        return Status(422, InvalidOut(detail=errors["clauses"], errors=errors))
    changes = [ChangeRow(row.day, row.paragraphs, row.summary) for row in payload.changes]
    try:
        row = store.publish(
            request.user,
            school,
            clauses,
            payload.effective_from,
            changes,
            payload.duties_changed,
            note=payload.note,
        )
    except InvalidPolicy as e:
        return invalid(e)
    return Status(201, _version_out(school, row))


@router.get(BASE, response={200: InForceOut, **ERRORS})
def in_force(
    request,
    slug: str,
    on: Annotated[dt.date | None, Query(description="the day, YYYY-MM-DD (default: today)")] = None,
    clause: Annotated[str | None, Query(description='one clause only, e.g. "3.1"')] = None,
):
    """The version in force on a day: every clause, or one."""
    school = school_for(request, slug)
    day = on or timezone.localdate()
    version = store.in_force(school, day)
    if version is None:
        first = store.versions(school)[0]
        raise HttpError(
            404,
            f"on: no version of the policy was in force on {store.plain_day(day)}; version "
            f"{first.number} takes effect on {store.plain_day(first.effective_from)}.",
        )
    if clause is None:
        chosen = list(version.clauses.values())
    elif clause in version.clauses:
        chosen = [version.clauses[clause]]
    else:
        raise HttpError(404, f"clause: there is no clause {clause!r} in version {version.number}.")
    return InForceOut(
        number=version.number,
        effective_from=version.effective_from,
        on=day,
        clauses=[_clause_out(c) for c in chosen],
    )


@router.get(f"{BASE}/compare", response={200: list[ClauseDiffOut], **ERRORS})
def compare(
    request,
    slug: str,
    from_: Annotated[int, Query(alias="from", description="the older version's number")],
    to: Annotated[int, Query(description="the newer version's number")],
):
    """What changed from one version to another, clause by clause in document order
    (unchanged clauses left out)."""
    school = school_for(request, slug)
    found = store.versions(school)
    old = _version(found, from_, "from")
    new = _version(found, to, "to")
    return _diff_out(clause_diff(old, new))


@router.get(f"{BASE}/to-read", response={200: ToReadOut, **ERRORS})
def to_read(request, slug: str):
    """For the caller: the version they must have read, whether and when they acknowledged it,
    and what changed since the last one they acknowledged."""
    school = school_for(request, slug)
    person = _me(request, school)
    row = store.to_read(school)
    last = store.last_acknowledged(person, school)
    if row is None:
        return ToReadOut(
            version=None,
            effective_from=None,
            acknowledged=False,
            acknowledged_at=None,
            last_acknowledged=last.version.number if last else None,
            changes=[],
        )
    # Reading a later version covers this one.
    covering = store.covering(person, school, row)
    return ToReadOut(
        version=row.number,
        effective_from=row.effective_from,
        acknowledged=covering is not None,
        acknowledged_at=covering.at if covering else None,
        last_acknowledged=last.version.number if last else None,
        changes=_diff_out(store.what_changed_for(person, school)),
    )


@router.post(f"{BASE}/acknowledge", response={200: AcknowledgedOut, **ERRORS})
def acknowledge(request, slug: str, payload: AcknowledgeIn | None = None):
    """Say you have read a version (by default the one in force today). Saying so twice
    changes nothing: the answer keeps the first time."""
    school = school_for(request, slug)
    number = payload.version if payload is not None else None
    if number is not None:
        _version(store.versions(school), number, "version")
    try:
        ack = store.acknowledge(request.user, school, number)
    except InvalidPolicy as e:
        return invalid(e)
    return AcknowledgedOut(version=ack.version.number, at=ack.at)


@router.get(f"{BASE}/acknowledgements", response={200: list[AcknowledgementsOut], **ERRORS})
def acknowledgements(request, slug: str):
    """For each version staff were asked to read: how many were asked, have acknowledged it
    and have not, by role and by group; for the version staff must have read today, who has not
    (the Headteacher and the DPO; recorded on the audit trail)."""
    school = school_for(request, slug)
    reports = store.acknowledgements(request.user, school)
    current = store.to_read(school)
    return [
        AcknowledgementsOut(
            version=report.number,
            effective_from=report.effective_from,
            asked=report.asked,
            acknowledged=len(report.acknowledged),
            outstanding=len(report.outstanding),
            by_role={
                count.role.value: RoleCountOut(
                    asked=count.asked,
                    acknowledged=count.acknowledged,
                    outstanding=count.outstanding,
                )
                for count in report.by_role
            },
            by_group={
                count.group: AckGroupCountOut(
                    label=count.label,
                    asked=count.asked,
                    acknowledged=count.acknowledged,
                    outstanding=count.outstanding,
                )
                for count in report.by_group
            },
            outstanding_people=(
                [PersonRef(id=r.person_id, display_name=r.name) for r in report.outstanding]
                if current is not None and report.number == current.number
                else None
            ),
        )
        for report in reports
    ]
