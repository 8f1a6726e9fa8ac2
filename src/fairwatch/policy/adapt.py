"""Adapting the policy: a school's own text, and the organisation's model it is based on.

The local authority or trust (its org admins) publishes versions of a model policy; each
school (its Headteacher, or the org admin) adapts the model to itself: clauses edited, added,
or marked as not applying with a reason. Both are prepared the same way, as a `Draft`: start
from the latest version, change clauses one at a time (kept between visits), look at what
changed, then publish the draft as the next version.

When the organisation publishes a new model version, a school sees what changed upstream and
merges it into its draft (`fairwatch.policy.versions.merge`): changes to clauses the school
has not touched come in by themselves; a clause both changed waits for the school's choice,
and nothing can be published until every such conflict is settled. A school's version
records the model version its text is based on (`PolicyVersion.model_number`).

Every step is checked and recorded: at a school through the gate (`Action.PUBLISH_POLICY`),
for the organisation's model by its admins only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fairwatch.audit import gate
from fairwatch.catalogue import clause_sort_key, is_clause_id
from fairwatch.errors import unstorable, unstorable_fields
from fairwatch.monitoring.notify import link_mail
from fairwatch.roles import Role
from fairwatch.schools.models import Organisation, OrganisationAdmin, Person, School
from fairwatch.schools.permissions import Action, may

from . import store
from . import versions as rules
from .models import Draft, ModelVersion, PolicyVersion
from .store import InvalidPolicy, as_version, changes_json, clause_from, clauses_json
from .versions import ChangeRow, Clause, ClauseDiff, Conflict, Merge, Version

User = AbstractBaseUser | AnonymousUser
Owner = School | Organisation

TITLE_MAX = 200
TEXT_MAX = 20_000
REASON_MAX = 1000
CLAUSE_ID_MAX = 20


class InvalidDraft(InvalidPolicy):
    """A change the draft cannot take (one message per field)."""


# --- who may -----------------------------------------------------------------------------


def is_org_admin(user: User, organisation: Organisation) -> bool:
    return bool(
        user.is_authenticated
        and OrganisationAdmin.objects.filter(user=user, organisation=organisation).exists()
    )


def _allow(user: User, owner: Owner, step: str) -> str:
    """The role the user acts in; refused (and recorded) if they may not change ``owner``'s
    policy: at a school the Headteacher or org admin, for a model its organisation's admins."""
    if isinstance(owner, School):
        return store.check_adapting(user, owner, "policy_draft")
    if not is_org_admin(user, owner):
        _record(user, owner, step, "refused", "")
        raise gate.Refused(f"Only {owner.name}'s administrators change its model policy.")
    return Role.ORG_ADMIN.value


def may_adapt(user: User, owner: Owner) -> bool:
    """Whether the user may prepare and publish ``owner``'s policy (nothing recorded)."""
    if isinstance(owner, School):
        return may(user, Action.PUBLISH_POLICY, owner)
    return is_org_admin(user, owner)


def _record(
    user: User | None,
    owner: Owner,
    action: str,
    outcome: str,
    role: str,
    detail: dict[str, Any] | None = None,
    object_id: str = "",
) -> None:
    if isinstance(owner, School):
        store.record_adapting(user, owner, action, outcome, role, "policy_draft", object_id, detail)
        return
    gate.record(  # an organisation's model: no school to file it under
        user=user,
        action=action,
        outcome=outcome,
        role=role,
        object_type="model_policy",
        object_id=object_id,
        purpose=gate.Purpose.SCHOOL_ADMIN,
        detail={"organisation": owner.slug, **(detail or {})},
    )


# --- the organisation's model versions ---------------------------------------------------


def model_rows(organisation: Organisation) -> list[ModelVersion]:
    """The organisation's model versions, oldest first; version 1, the model Fairwatch
    ships, is stored the first time it is asked."""
    return store.with_first(ModelVersion, "organisation", organisation)


def model_versions(organisation: Organisation) -> list[Version]:
    return [as_version(row) for row in model_rows(organisation)]


def model_version(organisation: Organisation, number: int) -> Version:
    """One model version; ModelVersion.DoesNotExist for an unknown number."""
    model_rows(organisation)
    return as_version(ModelVersion.objects.get(organisation=organisation, number=number))


def _latest(owner: Owner) -> PolicyVersion | ModelVersion:
    if isinstance(owner, School):
        return store.rows(owner)[-1]
    return model_rows(owner)[-1]


# --- drafts --------------------------------------------------------------------------------


def _draft_filter(owner: Owner) -> dict[str, Owner]:
    return {"school": owner} if isinstance(owner, School) else {"organisation": owner}


def draft(user: User, owner: Owner) -> Draft | None:
    """The draft being prepared for ``owner``, or None. Only those who may publish see it."""
    _allow(user, owner, "policy.draft.view")
    return Draft.objects.filter(**_draft_filter(owner)).first()


def start(user: User, owner: Owner) -> Draft:
    """The draft for ``owner``, started from its latest version if there is none."""
    role = _allow(user, owner, "policy.draft.start")
    with transaction.atomic():
        _lock(owner)
        found = Draft.objects.filter(**_draft_filter(owner)).first()
        if found is not None:
            return found
        latest = _latest(owner)
        made = Draft.objects.create(
            **_draft_filter(owner),
            clauses=latest.clauses,
            based_on=latest.number,
            model_number=latest.model_number if isinstance(latest, PolicyVersion) else None,
            updated_by=user if user.is_authenticated else None,
        )
        _record(user, owner, "policy.draft.start", "done", role, {"from": latest.number})
        return made


def latest_clauses(owner: Owner) -> dict[str, Clause]:
    """The clauses of the owner's latest version (what a draft would start from)."""
    return dict(as_version(_latest(owner)).clauses)


def _lock(owner: Owner) -> None:
    type(owner).objects.select_for_update().filter(pk=owner.pk).first()


def clauses_of(found: Draft) -> dict[str, Clause]:
    """The draft's clauses, in document order."""
    ordered = sorted(found.clauses, key=clause_sort_key)
    return {key: clause_from(key, found.clauses[key]) for key in ordered}


def _clause_json(clause: Clause | None) -> dict[str, Any] | None:
    return None if clause is None else clauses_json({clause.id: clause})[clause.id]


def base_of(found: Draft, owner: Owner) -> Version:
    """The version the draft started from."""
    if isinstance(owner, School):
        return as_version(PolicyVersion.objects.get(school=owner, number=found.based_on))
    return model_version(owner, found.based_on)


def changes(found: Draft, owner: Owner) -> list[ClauseDiff]:
    """What the draft changes from the version it started from, clause by clause."""
    return rules.diff(base_of(found, owner), clauses_of(found))


def conflicts(found: Draft) -> list[Conflict]:
    """The clauses both the school and the model changed, waiting for the school's choice."""
    return [
        Conflict(
            item["id"],
            *(
                None if item[side] is None else clause_from(item["id"], item[side])
                for side in ("base", "ours", "theirs")
            ),
        )
        for item in found.conflicts
    ]


def _change(
    user: User, owner: Owner, step: str, clause_id: str, change, detail: dict | None = None
) -> Draft:
    """Apply ``change(clauses) -> clauses`` to the owner's draft (started if need be) and
    record it. ``change`` raises InvalidDraft for a change the draft cannot take."""
    role = _allow(user, owner, step)
    if len(clause_id) > CLAUSE_ID_MAX:
        raise InvalidDraft({"clause": f"There is no clause {clause_id[:CLAUSE_ID_MAX]}…"})
    start(user, owner)
    with transaction.atomic():
        found = Draft.objects.select_for_update().get(**_draft_filter(owner))
        clauses = clauses_of(found)
        try:
            clauses = change(clauses)
        except InvalidDraft as exc:
            transaction.set_rollback(True)
            errors = exc.errors
        else:
            found.clauses = clauses_json(clauses)
            found.updated_at = timezone.now()
            found.updated_by = user if user.is_authenticated else None
            found.save(update_fields=["clauses", "updated_at", "updated_by"])
            _record(user, owner, step, "done", role, detail, object_id=clause_id)
            return found
    _record(user, owner, step, "refused", role, {"why": errors}, object_id=clause_id)
    raise InvalidDraft(errors)


def _words_problems(title: str, text: str) -> dict[str, str]:
    errors = unstorable_fields(title=title, text=text)
    if errors:
        return errors
    if not title.strip():
        errors["title"] = "Give the clause a title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title to {TITLE_MAX} characters."
    if len(text) > TEXT_MAX:
        errors["text"] = f"Keep the clause to {TEXT_MAX:,} characters."
    return errors


def _existing(clauses: Mapping[str, Clause], clause_id: str) -> Clause:
    if clause_id not in clauses:
        raise InvalidDraft({"clause": f"There is no clause {clause_id} in the draft."})
    return clauses[clause_id]


def _in_conflict(owner: Owner, clause_id: str) -> None:
    found = Draft.objects.filter(**_draft_filter(owner)).first()
    if found is not None and any(item["id"] == clause_id for item in found.conflicts):
        raise InvalidDraft(
            {
                "clause": f"Clause {clause_id} waits for your choice between your words and "
                "the model's: settle that first."
            }
        )


def edit(user: User, owner: Owner, clause_id: str, *, title: str, text: str) -> Draft:
    """New words for a clause of the draft (whether or not it applies)."""

    def change(clauses: dict[str, Clause]) -> dict[str, Clause]:
        old = _existing(clauses, clause_id)
        _in_conflict(owner, clause_id)
        errors = _words_problems(title, text)
        if errors:
            raise InvalidDraft(errors)
        clauses[clause_id] = Clause(
            clause_id, title.strip(), text.strip(), applicable=old.applicable, reason=old.reason
        )
        return clauses

    return _change(user, owner, "policy.draft.edit", clause_id, change)


def add(user: User, owner: Owner, clause_id: str, *, title: str, text: str) -> Draft:
    """A clause of the school's own (or a new one in the model), numbered ``clause_id``."""
    clause_id = clause_id.strip()

    def change(clauses: dict[str, Clause]) -> dict[str, Clause]:
        errors = _words_problems(title, text)
        if not is_clause_id(clause_id):
            errors["clause"] = (
                "Give the clause a number like the policy's own: 6.12, or 7.2.2 (numbers "
                "separated by full stops)."
            )
        elif clause_id in clauses:
            errors["clause"] = f"There is already a clause {clause_id}. Choose another number."
        if errors:
            raise InvalidDraft(errors)
        clauses[clause_id] = Clause(clause_id, title.strip(), text.strip())
        return clauses

    return _change(user, owner, "policy.draft.add", clause_id, change)


def remove(user: User, owner: Owner, clause_id: str) -> Draft:
    """Take a clause out of the draft. A school removes only clauses of its own; a clause of
    the model is marked as not applying instead, with the reason, so the record says why."""

    def change(clauses: dict[str, Clause]) -> dict[str, Clause]:
        _existing(clauses, clause_id)
        _in_conflict(owner, clause_id)
        if isinstance(owner, School) and clause_id in model_clauses_for(owner):
            raise InvalidDraft(
                {
                    "clause": f"Clause {clause_id} comes from the model policy: mark it as not "
                    "applying at your school, with the reason, instead of removing it."
                }
            )
        del clauses[clause_id]
        return clauses

    return _change(user, owner, "policy.draft.remove", clause_id, change)


def model_clauses_for(school: School) -> Mapping[str, Clause]:
    """The clauses of the model version the school's text (or draft) is based on."""
    return model_version(school.organisation, based_on(school)).clauses


def set_applies(user: User, owner: Owner, clause_id: str, applies: bool, reason: str = "") -> Draft:
    """Mark a clause as applying, or as not applying at the school for ``reason``."""
    reason = reason.strip()

    def change(clauses: dict[str, Clause]) -> dict[str, Clause]:
        old = _existing(clauses, clause_id)
        if applies:
            clauses[clause_id] = old.applies_again()
            return clauses
        if not reason:
            raise InvalidDraft({"reason": "Say why the clause does not apply at the school."})
        if unstorable(reason):
            raise InvalidDraft({"reason": unstorable(reason)})
        if len(reason) > REASON_MAX:
            raise InvalidDraft({"reason": f"Keep the reason to {REASON_MAX} characters."})
        clauses[clause_id] = old.not_applicable(reason)
        return clauses

    step = "policy.draft.applies" if applies else "policy.draft.not_applicable"
    return _change(user, owner, step, clause_id, change)


def discard(user: User, owner: Owner) -> None:
    """Throw the draft away; the published versions are untouched."""
    role = _allow(user, owner, "policy.draft.discard")
    deleted, _ = Draft.objects.filter(**_draft_filter(owner)).delete()
    if deleted:
        _record(user, owner, "policy.draft.discard", "done", role)


# --- what changed upstream, and merging it --------------------------------------------------


@dataclass(frozen=True)
class Upstream:
    """A newer model version than the one the school's text (or draft) is based on."""

    base: Version  # the model version the school's text is based on
    latest: Version  # the organisation's newest model version
    published_at: dt.datetime
    changes: tuple[ClauseDiff, ...]


def based_on(school: School) -> int:
    """The model version the school's text is based on: its draft's once merged, else its
    latest version's."""
    found = Draft.objects.filter(school=school).first()
    if found is not None and found.model_number:
        return found.model_number
    return store.rows(school)[-1].model_number


def upstream(school: School) -> Upstream | None:
    """What changed in the model since the version the school's text is based on; None when
    the school is up to date. Not personal data: any member of staff may see it."""
    rows = model_rows(school.organisation)
    newest = rows[-1]
    mine = based_on(school)
    if newest.number <= mine:
        return None
    base = model_version(school.organisation, mine)
    latest = as_version(newest)
    return Upstream(base, latest, newest.published_at, tuple(rules.diff(base, latest)))


def merge_upstream(user: User, school: School) -> Merge:
    """Bring the organisation's newest model version into the school's draft (started if
    need be). Changes the school did not touch come in; clauses both changed become
    conflicts, kept on the draft until settled with `settle`. Raises InvalidDraft when the
    school is up to date or conflicts from an earlier merge are still open."""
    role = _allow(user, school, "policy.draft.merge")
    start(user, school)
    with transaction.atomic():
        found = Draft.objects.select_for_update().get(school=school)
        news = upstream(school)
        errors: dict[str, str] = {}
        if news is None:
            errors["model"] = "Your policy is already based on the newest model version."
        elif found.conflicts:
            errors["model"] = "Settle the clauses waiting for your choice first."
        if news is not None and not errors:
            result = rules.merge(news.base, clauses_of(found), news.latest)
            found.clauses = clauses_json(result.clauses)
            found.conflicts = [
                {
                    "id": each.id,
                    "base": _clause_json(each.base),
                    "ours": _clause_json(each.ours),
                    "theirs": _clause_json(each.theirs),
                }
                for each in result.conflicts
            ]
            found.model_number = news.latest.number
            found.updated_at = timezone.now()
            found.updated_by = user if user.is_authenticated else None
            found.save()
            detail = {
                "from": news.base.number,
                "to": news.latest.number,
                "taken": list(result.taken),
                "conflicts": [each.id for each in result.conflicts],
            }
            _record(user, school, "policy.draft.merge", "done", role, detail)
            return result
    _record(user, school, "policy.draft.merge", "refused", role, {"why": errors})
    raise InvalidDraft(errors)


def settle(
    user: User,
    school: School,
    clause_id: str,
    choice: str,
    *,
    title: str = "",
    text: str = "",
) -> Draft:
    """Settle a conflict: keep the school's words ("ours"), take the model's ("theirs"), or
    use words written for it ("own", with ``title`` and ``text``)."""
    role = _allow(user, school, "policy.draft.settle")
    clause_id = clause_id[:CLAUSE_ID_MAX]
    with transaction.atomic():
        found = Draft.objects.select_for_update().filter(school=school).first()
        waiting = {each.id: each for each in conflicts(found)} if found else {}
        errors: dict[str, str] = {}
        conflict = waiting.get(clause_id)
        if conflict is None:
            errors["clause"] = f"Clause {clause_id} is not waiting for your choice."
        elif choice not in ("ours", "theirs", "own"):
            errors["choice"] = "Choose your words, the model's, or write new words."
        elif choice == "own":
            errors.update(_words_problems(title, text))
        if found is not None and conflict is not None and not errors:
            chosen: Clause | None
            if choice == "own":
                kept = conflict.ours or conflict.theirs
                chosen = Clause(
                    clause_id,
                    title.strip(),
                    text.strip(),
                    applicable=kept.applicable if kept else True,
                    reason=kept.reason if kept else "",
                )
            else:
                chosen = conflict.ours if choice == "ours" else conflict.theirs
            clauses = clauses_of(found)
            if chosen is None:
                clauses.pop(clause_id, None)
            else:
                clauses[clause_id] = chosen
            found.clauses = clauses_json(clauses)
            found.conflicts = [item for item in found.conflicts if item["id"] != clause_id]
            found.updated_at = timezone.now()
            found.save()
            _record(
                user, school, "policy.draft.settle", "done", role, {"choice": choice}, clause_id
            )
            return found
    _record(user, school, "policy.draft.settle", "refused", role, {"why": errors}, clause_id)
    raise InvalidDraft(errors)


# --- publishing a draft ----------------------------------------------------------------------


def moved_base(found: Draft) -> bool:
    """Whether a school's draft has brought in a newer model version than its latest
    version is based on."""
    latest = store.rows(found.school)[-1] if found.school else None
    return bool(latest and found.model_number and found.model_number > latest.model_number)


def rebase(user: User, school: School) -> int:
    """A merge where the school kept all its own words changes no clause, so there is
    nothing to publish; record that the latest version is now based on the newer model
    version, and throw the draft away. Returns that model version's number.

    Raises InvalidDraft when the draft changes words (publish it instead) or moves nothing.
    """
    role = _allow(user, school, "policy.draft.rebase")
    with transaction.atomic():
        found = Draft.objects.select_for_update().filter(school=school).first()
        latest = store.rows(school)[-1]
        if found is None or not moved_base(found) or found.conflicts:
            raise InvalidDraft({"draft": "There is no newer model version to record."})
        if rules.diff(as_version(latest), clauses_of(found)):
            raise InvalidDraft({"draft": "The draft changes the words: publish it instead."})
        number = found.model_number
        assert number is not None
        # The words are unchanged; only the note of which model they answer to moves on.
        latest.model_number = number
        latest.save(update_fields=["model_number"])
        found.delete()
        detail = {"version": latest.number, "model": number}
        _record(user, school, "policy.draft.rebase", "done", role, detail)
    return number


# --- publishing a draft ----------------------------------------------------------------------


def publish(
    user: User,
    owner: Owner,
    *,
    effective_from: dt.date,
    changes: Sequence[ChangeRow],
    duties_changed: bool = True,
    note: str = "",
) -> PolicyVersion | ModelVersion:
    """Publish the owner's draft as its next version, and throw the draft away.

    A school's version goes through `store.publish` (which asks staff to read it when it
    changes their duties) and records the model version its text is based on. Raises
    InvalidDraft with no draft, or while conflicts wait for a choice, and InvalidPolicy for
    the version's own problems (its date, its table of changes, nothing changed).
    """
    _allow(user, owner, "policy.draft.publish")
    found = Draft.objects.filter(**_draft_filter(owner)).first()
    if found is None:
        raise InvalidDraft({"draft": "There is no draft to publish: start one first."})
    if found.conflicts:
        ids = ", ".join(item["id"] for item in found.conflicts)
        raise InvalidDraft(
            {
                "draft": f"Choose the words for clauses {ids} first: both your school and "
                "the model changed them."
            }
        )
    if found.based_on != _latest(owner).number:
        raise InvalidDraft(
            {
                "draft": f"Version {_latest(owner).number} was published after this draft was "
                f"started from version {found.based_on}. Throw the draft away and start again."
            }
        )
    clauses = clauses_of(found)
    with transaction.atomic():
        if isinstance(owner, School):
            row: PolicyVersion | ModelVersion = store.publish(
                user, owner, clauses, effective_from, changes, duties_changed, note=note
            )
            row.model_number = found.model_number or row.model_number
            row.save(update_fields=["model_number"])
        else:
            row = publish_model(user, owner, clauses, effective_from, changes, note=note)
        found.delete()
    return row


def publish_model(
    user: User,
    organisation: Organisation,
    clauses: Mapping[str, Clause],
    effective_from: dt.date,
    changes: Sequence[ChangeRow],
    *,
    note: str = "",
) -> ModelVersion:
    """A new version of the organisation's model policy. Each school's Headteacher is sent a
    link to see what changed and bring it into the school's own text."""
    role = _allow(user, organisation, "policy.model.publish")
    with transaction.atomic():
        _lock(organisation)
        latest = model_rows(organisation)[-1]
        errors = store.problems(latest, clauses, effective_from, changes, note)
        if not errors:
            row = ModelVersion.objects.create(
                organisation=organisation,
                number=latest.number + 1,
                effective_from=effective_from,
                clauses=clauses_json(clauses),
                changes=changes_json(changes),
                published_by=user if user.is_authenticated else None,
                note=note.strip(),
            )
            changed = [each.id for each in rules.diff(as_version(latest), clauses)]
            _record(
                user,
                organisation,
                "policy.model.publish",
                "done",
                role,
                {"clauses": changed},
                object_id=str(row.number),
            )
            _tell_schools(organisation, row)
            return row
    _record(user, organisation, "policy.model.publish", "refused", role, {"why": errors})
    raise InvalidDraft(errors)


def _tell_schools(organisation: Organisation, row: ModelVersion) -> None:
    from django.conf import settings

    heads = (
        Person.objects.filter(
            school__organisation=organisation,
            status=Person.Status.CURRENT,
            roles__role=Role.HEADTEACHER,
            roles__ended_at__isnull=True,
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )
    for address in sorted(set(heads)):  # one each: no Headteacher sees the others' addresses
        link_mail(
            [address],
            f"version {row.number} of {organisation.name}'s model policy",
            [
                f"{organisation.name} has published version {row.number} of its model staff "
                "policy on email, internet and social media use.",
                "See what changed, and bring it into your school's own policy.",
            ],
            settings.SITE_URL + reverse("policy_upstream"),
        )
