"""What monitoring is in force (3.2, 7.2.1), its systematic basis, the privacy settings."""

from __future__ import annotations

import dataclasses
import datetime as dt

from ninja import Router, Schema, Status
from ninja.errors import HttpError

from fairwatch.monitoring import transparency as service
from fairwatch.schools.permissions import Action, require

from .common import ErrorOut, InvalidOut, school_for

router = Router(tags=["transparency"])


class ClauseRefOut(Schema):
    id: str
    title: str
    anchor: str


class BasisSummaryOut(Schema):
    reason: str
    legal_basis: str
    recorded_at: dt.datetime
    recorded_by_role: str


class KindOut(Schema):
    key: str
    title: str
    clauses: list[ClauseRefOut]
    in_force: bool
    status: str
    collected: list[str]
    why: str
    legal_basis: str
    kept_for: str
    seen_by: list[str]
    how_it_works: list[str]
    ended_last_year: int | None
    monitored_accounts: int | None
    basis: BasisSummaryOut | None


class ContactOut(Schema):
    text: str
    name: str
    email: str
    role: str


class NoticeOut(Schema):
    school: str
    kinds: list[KindOut]
    contact: ContactOut
    pseudonym_viewers: list[str]
    activity_retention_days: int
    extract_retention_days: int
    default_days: int
    max_days: int
    statement: list[ClauseRefOut]


class SettingsOut(Schema):
    default_days: int
    max_days: int
    extract_retention_days: int
    activity_retention_days: int
    access_download_days: int
    privacy_contact: str
    low_level_months: int  # low-level concerns are kept this long after the person leaves


class SettingsIn(Schema):
    """Only the settings given are changed."""

    default_days: int | None = None
    max_days: int | None = None
    extract_retention_days: int | None = None
    activity_retention_days: int | None = None
    access_download_days: int | None = None
    privacy_contact: str | None = None
    low_level_months: int | None = None


class BasisOut(Schema):
    id: int
    reason: str
    legal_basis: str
    recorded_at: dt.datetime
    recorded_by: str
    recorded_by_role: str
    ended_at: dt.datetime | None
    ended_how: str
    ended_by_role: str
    withdrawal_reason: str
    in_force: bool


class BasesOut(Schema):
    in_force: BasisOut | None
    monitored_accounts: int
    history: list[BasisOut]


class BasisIn(Schema):
    reason: str
    legal_basis: str


class WithdrawIn(Schema):
    reason: str


@router.get(
    "/schools/{slug}/transparency",
    response={200: NoticeOut, 403: ErrorOut, 404: ErrorOut},
)
def get_notice(request, slug: str):
    """What monitoring is in force at the school, as every member of staff sees it (3.2)."""
    school = school_for(request, slug)
    require(request.user, Action.VIEW_SCHOOL, school)
    return dataclasses.asdict(service.notice(school))


@router.get(
    "/schools/{slug}/privacy-settings",
    response={200: SettingsOut, 403: ErrorOut, 404: ErrorOut},
)
def get_settings(request, slug: str):
    """The school's limits for exercises and retention periods (Headteacher, DPO)."""
    school = school_for(request, slug)
    return service.settings_values(service.read_settings(request.user, school))


@router.put(
    "/schools/{slug}/privacy-settings",
    response={200: SettingsOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut},
)
def put_settings(request, slug: str, payload: SettingsIn):
    """Change some settings: 1 ≤ default_days ≤ max_days ≤ 90; retention 1–730 days;
    a subject access download 1–90 days. Nothing is saved if any value is out of bounds."""
    school = school_for(request, slug)
    fields = payload.model_dump(exclude_none=True)
    try:
        prefs = service.update_settings(request.user, school, **fields)
    except service.Invalid as bad:
        return Status(422, {"detail": str(bad), "errors": bad.errors})
    return service.settings_values(prefs)


def _bases(request, school) -> dict:
    history = [_basis_out(b) for b in service.basis_history(request.user, school)]
    return {
        "in_force": next((b for b in history if b["in_force"]), None),
        "monitored_accounts": service.monitored_accounts(school),
        "history": history,
    }


def _basis_out(record: service.BasisRecord) -> dict:
    return {**dataclasses.asdict(record), "in_force": record.in_force}


@router.get(
    "/schools/{slug}/systematic-basis",
    response={200: BasesOut, 403: ErrorOut, 404: ErrorOut},
)
def get_bases(request, slug: str):
    """The basis in force for monitoring e-safety monitors' accounts (7.2.1), and every
    earlier one (Headteacher, DPO; audited)."""
    return _bases(request, school_for(request, slug))


@router.post(
    "/schools/{slug}/systematic-basis",
    response={201: BasisOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut},
)
def post_basis(request, slug: str, payload: BasisIn):
    """Record a new basis; the one in force, if any, ends and is replaced."""
    school = school_for(request, slug)
    try:
        basis = service.record_basis(
            request.user, school, reason=payload.reason, legal_basis=payload.legal_basis
        )
    except service.Invalid as bad:
        return Status(422, {"detail": str(bad), "errors": bad.errors})
    return Status(201, _basis_out(service.describe(basis)))


@router.post(
    "/schools/{slug}/systematic-basis/withdraw",
    response={200: BasisOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut},
)
def withdraw_basis(request, slug: str, payload: WithdrawIn):
    """Withdraw the basis in force: e-safety monitors' accounts stop being monitored
    continuously. 409 if none is in force."""
    school = school_for(request, slug)
    try:
        basis = service.withdraw_basis(request.user, school, payload.reason)
    except service.Invalid as bad:
        return Status(422, {"detail": str(bad), "errors": bad.errors})
    except service.NothingInForce as nothing:
        raise HttpError(409, str(nothing)) from None
    return _basis_out(service.describe(basis))
