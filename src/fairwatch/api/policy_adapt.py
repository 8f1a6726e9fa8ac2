"""Adapting the policy (issue 9), for machines: a school's draft of its next version, what
changed in its organisation's model and merging that in, and the organisation's own draft of
its next model version. The same steps as the pages (`fairwatch.web.policy_adapt`), through
the same service (`fairwatch.policy.adapt`), which asks the gate and writes the audit trail.

A school's routes are under `/schools/{slug}/policy/…`; the organisation's under
`/organisations/{org}/model-policy/…`, where `{org}` is its slug. An organisation is found
only by its administrators and by people working at one of its schools (404 for anyone else,
so organisations cannot be discovered); only its administrators change its model (403).

Errors are as in the other routers: 403 not allowed (recorded), 404 not there, 422 input that
cannot be taken (with `errors` by field: `title`, `text`, `reason`, `clause`, `choice`,
`model`, `draft`, `effective_from`, `paragraphs`, `summary`, `changes`, `clauses`, `note`).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from fairwatch.catalogue import is_clause_id
from fairwatch.errors import unstorable_fields
from fairwatch.policy import adapt
from fairwatch.policy.models import Draft, ModelVersion, PolicyVersion
from fairwatch.policy.store import NOTE_MAX, InvalidPolicy, as_version
from fairwatch.policy.versions import ChangeRow, Clause, Conflict, Kind
from fairwatch.schools.models import Organisation
from fairwatch.schools.permissions import schools_for

from .common import ErrorOut, InvalidOut, invalid, school_for
from .policy import ChangeRowOut, ClauseDiffOut, PolicyClauseOut, _diff_out

router = Router(tags=["policy"])

SCHOOL = "/schools/{slug}/policy"
MODEL = "/organisations/{org}/model-policy"

ERRORS = {403: ErrorOut, 404: ErrorOut, 422: InvalidOut}

CLAUSE_ID_MAX = adapt.CLAUSE_ID_MAX  # "7.2.1" and the like, never long
PARAGRAPHS_MAX = 200
SUMMARY_MAX = 2000


# --- shapes ---------------------------------------------------------------------------------


class DraftClauseOut(Schema):
    id: str
    title: str
    text: str
    applicable: bool
    reason: str = Field(description="why it does not apply at the school; empty if it does")
    state: str = Field(
        description="unchanged, changed, added or not applicable (from the version the "
        "draft started from; a clause that does not apply is 'not applicable' whether or not "
        "its words changed)"
    )
    change: str | None = Field(
        description="what the draft changes in it, in one line; null if nothing"
    )


class DraftConflictOut(Schema):
    id: str
    explanation: str
    base: PolicyClauseOut | None = Field(description="the clause in the model the school adapted")
    ours: PolicyClauseOut | None = Field(description="the school's clause; null if it removed it")
    theirs: PolicyClauseOut | None = Field(description="the new model's; null if it removed it")


class DraftOut(Schema):
    based_on: int = Field(description="the version number the draft started from")
    model_number: int | None = Field(
        description="a school's draft: the model version its text is based on; null for a model"
    )
    updated_at: dt.datetime
    clauses: list[DraftClauseOut] = Field(description="the draft's clauses, in document order")
    changes: list[ClauseDiffOut] = Field(
        description="what the draft changes from the version it started from (removed clauses too)"
    )
    conflicts: list[DraftConflictOut] = Field(
        description="clauses both the school and the model changed, waiting for a choice: "
        "nothing is published until each is settled"
    )


class DraftStateOut(Schema):
    draft: DraftOut | None = Field(description="the draft being prepared; null when there is none")


class DraftClauseIn(Schema):
    title: str
    text: str
    applies: bool | None = Field(
        None,
        description="whether the clause applies at the school; left out: as it is now",
    )
    reason: str = Field("", description="why it does not apply: needed with applies false only")


class DraftAddIn(Schema):
    clause: str = Field(description='its number, like the policy\'s own: "6.12", "7.2.2"')
    title: str
    text: str = ""


class ModelPolicyPublishIn(Schema):
    effective_from: dt.date = Field(description="the day the new version is in force")
    paragraphs: str = Field(
        "",
        description='the paragraphs affected, for the table of changes ("6.5", "Para 2 and '
        '6.10"); left out: the ids of the clauses the draft changes',
    )
    summary: str = Field(description="what changed, in a sentence, for staff to read")
    note: str = ""


class DraftPublishIn(ModelPolicyPublishIn):
    duties_changed: bool = Field(
        True, description="whether staff must read and acknowledge it (false: words tidied only)"
    )


class DraftPublishedOut(Schema):
    number: int
    effective_from: dt.date
    published_at: dt.datetime
    duties_changed: bool
    model_number: int | None = Field(description="the model version its text is based on")


class DraftSettleIn(Schema):
    choice: str = Field(description="ours (keep the school's words), theirs (the model's) or own")
    title: str = Field("", description="with choice own: the clause's title")
    text: str = Field("", description="with choice own: the clause's words")


class DraftMergeOut(Schema):
    taken: list[str] = Field(description="the clauses whose words came from the model")
    conflicts: list[DraftConflictOut] = Field(description="the clauses waiting for a choice")
    notes: list[str] = Field(description="changes taken without asking, to know about")


class UpstreamOut(Schema):
    up_to_date: bool = Field(description="whether the school's text is based on the newest model")
    based_on: int = Field(description="the model version the school's text (or draft) is based on")
    latest: int = Field(description="the organisation's newest model version")
    published_at: dt.datetime = Field(description="when the newest model version was published")
    changes: list[ClauseDiffOut] = Field(
        description="what changed in the model since the school's base; empty if up to date"
    )


class ModelPolicyVersionOut(Schema):
    number: int
    effective_from: dt.date
    published_at: dt.datetime
    note: str
    changes: list[ChangeRowOut] = Field(description="its table of changes, oldest first")


# --- helpers --------------------------------------------------------------------------------


Owner = adapt.Owner


def _refuse(errors: dict[str, str]) -> Status:
    return Status(422, InvalidOut(detail=" ".join(errors.values()), errors=errors))


def _clause_id_problem(clause_id: str) -> dict[str, str]:
    """A clause number in a path that cannot name a clause: refused before it reaches the
    service (and the audit trail)."""
    if len(clause_id) > CLAUSE_ID_MAX or not is_clause_id(clause_id):
        return {"clause": f"There is no clause {clause_id[:CLAUSE_ID_MAX]!r} in the draft."}
    return {}


def _organisation(request: HttpRequest, slug: str) -> Organisation:
    """The organisation `slug`, if the caller administers it or works at one of its schools;
    404 otherwise (unknown and not-yours look the same). Matched here, not in a query, so no
    slug reaches the database."""
    user = request.user
    known = {school.organisation for school in schools_for(user)}
    if user.is_authenticated:
        known |= set(Organisation.objects.filter(admins__user=user))
    found = next((each for each in known if each.slug == slug), None)
    if found is None:
        raise HttpError(404, f"no organisation {slug!r} for this account")
    return found


def _clause_out(clause: Clause | None) -> PolicyClauseOut | None:
    if clause is None:
        return None
    return PolicyClauseOut(
        id=clause.id,
        title=clause.title,
        text=clause.text,
        applicable=clause.applicable,
        reason=clause.reason,
    )


def _conflict_out(conflict: Conflict) -> DraftConflictOut:
    return DraftConflictOut(
        id=conflict.id,
        explanation=conflict.explanation,
        base=_clause_out(conflict.base),
        ours=_clause_out(conflict.ours),
        theirs=_clause_out(conflict.theirs),
    )


def _state(clause: Clause, kind: Kind | None) -> str:
    if kind == Kind.ADDED:
        return "added"
    if not clause.applicable:
        return "not applicable"
    return "unchanged" if kind is None else "changed"


def _draft_out(found: Draft, owner: Owner) -> DraftOut:
    changes = adapt.changes(found, owner)
    changed = {each.id: each for each in changes}
    clauses = []
    for clause in adapt.clauses_of(found).values():
        change = changed.get(clause.id)
        clauses.append(
            DraftClauseOut(
                id=clause.id,
                title=clause.title,
                text=clause.text,
                applicable=clause.applicable,
                reason=clause.reason,
                state=_state(clause, change.kind if change else None),
                change=change.summary if change else None,
            )
        )
    return DraftOut(
        based_on=found.based_on,
        model_number=found.model_number,
        updated_at=found.updated_at,
        clauses=clauses,
        changes=_diff_out(changes),
        conflicts=[_conflict_out(each) for each in adapt.conflicts(found)],
    )


def _model_version_out(row: ModelVersion) -> ModelPolicyVersionOut:
    version = as_version(row)
    return ModelPolicyVersionOut(
        number=row.number,
        effective_from=row.effective_from,
        published_at=row.published_at,
        note=row.note,
        changes=[
            ChangeRowOut(day=change.day, paragraphs=change.paragraphs, summary=change.summary)
            for change in version.changes
        ],
    )


# --- the steps, shared by a school and its organisation ---------------------------------------


def _get(request: HttpRequest, owner: Owner) -> DraftStateOut:
    found = adapt.draft(request.user, owner)
    return DraftStateOut(draft=None if found is None else _draft_out(found, owner))


def _start(request: HttpRequest, owner: Owner) -> DraftOut:
    return _draft_out(adapt.start(request.user, owner), owner)


def _discard(request: HttpRequest, owner: Owner) -> Status:
    adapt.discard(request.user, owner)
    return Status(204, None)


def _edit(request: HttpRequest, owner: Owner, clause_id: str, payload: DraftClauseIn):
    errors = _clause_id_problem(clause_id) or unstorable_fields(
        title=payload.title, text=payload.text, reason=payload.reason
    )
    reason = payload.reason.strip()
    if payload.applies is False and not reason:
        errors.setdefault("reason", "Say why the clause does not apply at the school.")
    elif payload.applies is False and len(reason) > adapt.REASON_MAX:
        errors.setdefault("reason", f"Keep the reason to {adapt.REASON_MAX} characters.")
    elif payload.applies is not False and reason:
        errors.setdefault(
            "reason", "Give a reason only for a clause that does not apply (applies false)."
        )
    if errors:
        return _refuse(errors)
    user = request.user
    try:
        found = adapt.edit(user, owner, clause_id, title=payload.title, text=payload.text)
        now = adapt.clauses_of(found)[clause_id]
        if payload.applies is not None and (
            payload.applies != now.applicable or (not payload.applies and reason != now.reason)
        ):
            found = adapt.set_applies(user, owner, clause_id, payload.applies, reason)
    except InvalidPolicy as error:
        return invalid(error)
    return _draft_out(found, owner)


def _add(request: HttpRequest, owner: Owner, payload: DraftAddIn):
    clause_id = payload.clause.strip()
    errors = unstorable_fields(clause=payload.clause, title=payload.title, text=payload.text)
    if "clause" not in errors and len(clause_id) > CLAUSE_ID_MAX:
        errors["clause"] = f"Keep the clause number to {CLAUSE_ID_MAX} characters."
    if errors:
        return _refuse(errors)
    try:
        found = adapt.add(request.user, owner, clause_id, title=payload.title, text=payload.text)
    except InvalidPolicy as error:
        return invalid(error)
    return Status(201, _draft_out(found, owner))


def _remove(request: HttpRequest, owner: Owner, clause_id: str):
    errors = _clause_id_problem(clause_id)
    if errors:
        return _refuse(errors)
    try:
        found = adapt.remove(request.user, owner, clause_id)
    except InvalidPolicy as error:
        return invalid(error)
    return _draft_out(found, owner)


def _publish(request: HttpRequest, owner: Owner, payload: ModelPolicyPublishIn):
    """Publish the owner's draft; returns the new version's row, or a 422 answer."""
    errors = unstorable_fields(
        paragraphs=payload.paragraphs, summary=payload.summary, note=payload.note
    )
    paragraphs, summary = payload.paragraphs.strip(), payload.summary.strip()
    if len(paragraphs) > PARAGRAPHS_MAX:
        errors.setdefault("paragraphs", f"Keep it to {PARAGRAPHS_MAX} characters.")
    if not summary:
        errors.setdefault("summary", "Say in a sentence what changed, for staff to read.")
    elif len(summary) > SUMMARY_MAX:
        errors.setdefault("summary", f"Keep the summary to {SUMMARY_MAX} characters.")
    if len(payload.note) > NOTE_MAX:
        errors.setdefault("note", f"Keep the note to {NOTE_MAX} characters.")
    if errors:
        return _refuse(errors)
    user = request.user
    if not paragraphs:  # as the page suggests: the clauses the draft changes
        found = adapt.draft(user, owner)
        if found is not None:
            paragraphs = ", ".join(each.id for each in adapt.changes(found, owner))
    try:
        return adapt.publish(
            user,
            owner,
            effective_from=payload.effective_from,
            changes=[ChangeRow(timezone.localdate(), paragraphs, summary)],
            duties_changed=getattr(payload, "duties_changed", True),
            note=payload.note,
        )
    except InvalidPolicy as error:
        return invalid(error)


# --- a school's draft -------------------------------------------------------------------------


@router.get(f"{SCHOOL}/draft", response={200: DraftStateOut, **ERRORS})
def get_school_draft(request, slug: str):
    """The draft of the school's next version, clause by clause with what it changes and the
    conflicts waiting for a choice; `{"draft": null}` when none is being prepared. The
    Headteacher and the trust's administrator only."""
    return _get(request, school_for(request, slug))


@router.post(f"{SCHOOL}/draft", response={200: DraftOut, **ERRORS})
def start_school_draft(request, slug: str):
    """Start a draft from the latest version; starting again returns the same draft."""
    return _start(request, school_for(request, slug))


@router.delete(f"{SCHOOL}/draft", response={204: None, **ERRORS})
def discard_school_draft(request, slug: str):
    """Throw the draft away; the published versions are untouched."""
    return _discard(request, school_for(request, slug))


@router.post(f"{SCHOOL}/draft/clauses", response={201: DraftOut, **ERRORS})
def add_school_clause(request, slug: str, payload: DraftAddIn):
    """Add a clause of the school's own (the draft is started if need be)."""
    return _add(request, school_for(request, slug), payload)


@router.put(f"{SCHOOL}/draft/clauses/{{clause_id}}", response={200: DraftOut, **ERRORS})
def edit_school_clause(request, slug: str, clause_id: str, payload: DraftClauseIn):
    """New words for a clause (e.g. `7.2.1`); with `applies` false and a `reason`, mark it as
    not applying at the school, with `applies` true as applying again. 422 `clause` for a
    clause not in the draft or waiting for a choice after a merge."""
    return _edit(request, school_for(request, slug), clause_id, payload)


@router.delete(f"{SCHOOL}/draft/clauses/{{clause_id}}", response={200: DraftOut, **ERRORS})
def remove_school_clause(request, slug: str, clause_id: str):
    """Take a clause of the school's own out of the draft. A clause of the model cannot be
    removed (422 `clause`): mark it as not applying instead, with the reason."""
    return _remove(request, school_for(request, slug), clause_id)


@router.post(f"{SCHOOL}/draft/publish", response={201: DraftPublishedOut, **ERRORS})
def publish_school_draft(request, slug: str, payload: DraftPublishIn):
    """Publish the draft as the school's next version (staff are asked to read it when its
    duties change) and throw the draft away. 422 `draft` with no draft, while conflicts wait
    for a choice, or when a version was published after the draft started."""
    school = school_for(request, slug)
    row = _publish(request, school, payload)
    if not isinstance(row, PolicyVersion):
        return row
    return Status(
        201,
        DraftPublishedOut(
            number=row.number,
            effective_from=row.effective_from,
            published_at=row.published_at,
            duties_changed=row.duties_changed,
            model_number=row.model_number,
        ),
    )


# --- the model upstream, and merging it ------------------------------------------------------


@router.get(f"{SCHOOL}/upstream", response={200: UpstreamOut, **ERRORS})
def school_upstream(request, slug: str):
    """What changed in the organisation's model since the version the school's text is based
    on. Not personal data: anyone at the school may see it."""
    school = school_for(request, slug)
    news = adapt.upstream(school)
    newest = adapt.model_rows(school.organisation)[-1]
    based_on = adapt.based_on(school)
    return UpstreamOut(
        up_to_date=news is None,
        based_on=based_on,
        latest=newest.number,
        published_at=newest.published_at,
        changes=[] if news is None else _diff_out(list(news.changes)),
    )


@router.post(f"{SCHOOL}/draft/merge", response={200: DraftMergeOut, **ERRORS})
def merge_school_draft(request, slug: str):
    """Bring the newest model version into the draft (started if need be): changes to clauses
    the school did not touch come in; a clause both changed waits for a choice. 422 `model`
    when the school is up to date or earlier conflicts are still open."""
    school = school_for(request, slug)
    try:
        result = adapt.merge_upstream(request.user, school)
    except InvalidPolicy as error:
        return invalid(error)
    return DraftMergeOut(
        taken=list(result.taken),
        conflicts=[_conflict_out(each) for each in result.conflicts],
        notes=list(result.notes),
    )


@router.post(f"{SCHOOL}/draft/conflicts/{{clause_id}}", response={200: DraftOut, **ERRORS})
def settle_school_conflict(request, slug: str, clause_id: str, payload: DraftSettleIn):
    """Settle a clause waiting for a choice: keep the school's words (`ours`), take the
    model's (`theirs`), or write new ones (`own`, with `title` and `text`)."""
    school = school_for(request, slug)
    errors = _clause_id_problem(clause_id) or unstorable_fields(
        choice=payload.choice, title=payload.title, text=payload.text
    )
    if errors:
        return _refuse(errors)
    try:
        found = adapt.settle(
            request.user,
            school,
            clause_id,
            payload.choice,
            title=payload.title,
            text=payload.text,
        )
    except InvalidPolicy as error:
        return invalid(error)
    return _draft_out(found, school)


# --- the organisation's model -----------------------------------------------------------------


@router.get(f"{MODEL}/versions", response={200: list[ModelPolicyVersionOut], **ERRORS})
def model_policy_versions(request, org: str):
    """The organisation's model versions, oldest first, with their tables of changes. For its
    administrators and anyone working at one of its schools."""
    organisation = _organisation(request, org)
    return [_model_version_out(row) for row in adapt.model_rows(organisation)]


@router.get(f"{MODEL}/draft", response={200: DraftStateOut, **ERRORS})
def get_model_draft(request, org: str):
    """The draft of the next model version; `{"draft": null}` when none is being prepared.
    The organisation's administrators only."""
    return _get(request, _organisation(request, org))


@router.post(f"{MODEL}/draft", response={200: DraftOut, **ERRORS})
def start_model_draft(request, org: str):
    """Start a draft from the latest model version; starting again returns the same draft."""
    return _start(request, _organisation(request, org))


@router.delete(f"{MODEL}/draft", response={204: None, **ERRORS})
def discard_model_draft(request, org: str):
    """Throw the model's draft away; the published model versions are untouched."""
    return _discard(request, _organisation(request, org))


@router.post(f"{MODEL}/draft/clauses", response={201: DraftOut, **ERRORS})
def add_model_clause(request, org: str, payload: DraftAddIn):
    """Add a clause to the model's draft (started if need be)."""
    return _add(request, _organisation(request, org), payload)


@router.put(f"{MODEL}/draft/clauses/{{clause_id}}", response={200: DraftOut, **ERRORS})
def edit_model_clause(request, org: str, clause_id: str, payload: DraftClauseIn):
    """New words for a clause of the model's draft (`applies` and `reason` as for a school)."""
    return _edit(request, _organisation(request, org), clause_id, payload)


@router.delete(f"{MODEL}/draft/clauses/{{clause_id}}", response={200: DraftOut, **ERRORS})
def remove_model_clause(request, org: str, clause_id: str):
    """Take a clause out of the model's draft."""
    return _remove(request, _organisation(request, org), clause_id)


@router.post(f"{MODEL}/draft/publish", response={201: ModelPolicyVersionOut, **ERRORS})
def publish_model_draft(request, org: str, payload: ModelPolicyPublishIn):
    """Publish the draft as the next model version and throw the draft away; each school's
    Headteacher is sent a link to see what changed and bring it in."""
    row = _publish(request, _organisation(request, org), payload)
    if not isinstance(row, ModelVersion):
        return row
    return Status(201, _model_version_out(row))
