"""Subject access requests: staff ask for their own data; the DPO releases it (policy 5)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from fairwatch.monitoring import access
from fairwatch.monitoring.models import AccessRequest
from fairwatch.schools.models import School

from .common import ErrorOut, school_for

router = Router(tags=["subject access"])

BASE = "/schools/{slug}/access-requests"


class AskIn(Schema):
    note: str = ""


class ReleaseIn(Schema):
    exemption: str = ""  # the exemption relied on: makes this a partial release
    withhold: list[str] = []  # parts left out of the download: see SECTIONS


class ExemptIn(Schema):
    reason: str


class RequesterRef(Schema):
    id: int
    display_name: str
    email: str
    external_id: str


class AccessRequestOut(Schema):
    id: int
    state: str
    state_label: str
    note: str
    requested_at: dt.datetime
    respond_by: dt.datetime
    decided_at: dt.datetime | None
    available_until: dt.datetime | None
    downloaded_at: dt.datetime | None
    withheld: str  # none, some or all: what the person is told, never why
    archive_sha256: str
    # For the DPO only; null when the caller is the requester.
    person: RequesterRef | None = None
    exemption: str | None = None
    overdue: bool | None = None
    open_exercises: list[str] | None = None


class ListQuery(Schema):
    all: bool = False  # the DPO: every request at the school, not only your own


def _out(item: access.Listed, *, for_dpo: bool) -> AccessRequestOut:
    r = item.request
    out = AccessRequestOut(
        id=r.pk,
        state=r.state,
        state_label=r.get_state_display(),
        note=r.note,
        requested_at=r.requested_at,
        respond_by=r.respond_by,
        decided_at=r.decided_at,
        available_until=r.available_until,
        downloaded_at=r.downloaded_at,
        withheld=access.withheld(r),
        archive_sha256=r.archive_sha256,
    )
    if for_dpo:
        p = r.person
        out.person = RequesterRef(
            id=p.pk, display_name=p.display_name, email=p.email, external_id=p.external_id
        )
        out.exemption = r.exemption
        out.overdue = item.overdue
        out.open_exercises = [ref for ref, _ in item.open_exercises]
    return out


def _own(r: AccessRequest) -> AccessRequestOut:
    return _out(access.Listed(request=r, overdue=False, days_left=0), for_dpo=False)


def _decided(r: AccessRequest) -> AccessRequestOut:
    return _out(access.Listed(request=r, overdue=False, days_left=0), for_dpo=True)


def _found(request, school: School, request_id: int) -> access.Listed:
    try:
        return access.get(request.user, school, request_id)
    except AccessRequest.DoesNotExist:
        raise HttpError(404, "no such request") from None


def _is_own(request, r: AccessRequest) -> bool:
    return r.person.user_id == request.user.pk


def _failed(problem: Exception) -> HttpError:
    if isinstance(problem, access.Expired):
        return HttpError(410, str(problem))
    if isinstance(problem, access.Unavailable):
        return HttpError(409, str(problem))
    return HttpError(422, str(problem))


@router.get(
    BASE,
    response={200: list[AccessRequestOut], 403: ErrorOut, 404: ErrorOut},
)
def list_requests(request, slug: str, filters: Query[ListQuery]):
    """Your own requests for your data, newest first; with `all=true`, the DPO sees every
    request at the school (those waiting first)."""
    school = school_for(request, slug)
    if filters.all:
        return [_out(x, for_dpo=True) for x in access.all_requests(request.user, school)]
    return [_own(r) for r in access.mine(request.user, school)]


@router.post(
    BASE,
    response={201: AccessRequestOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def ask(request, slug: str, payload: AskIn):
    """Ask for your own data. One request waits at a time."""
    school = school_for(request, slug)
    try:
        made = access.request(request.user, school, payload.note)
    except (access.Invalid, access.Unavailable) as problem:
        raise _failed(problem) from None
    return Status(201, _own(made))


@router.get(
    BASE + "/{request_id}",
    response={200: AccessRequestOut, 403: ErrorOut, 404: ErrorOut},
)
def get_request(request, slug: str, request_id: int):
    """One request: your own, or any at the school for the DPO."""
    school = school_for(request, slug)
    item = _found(request, school, request_id)
    if _is_own(request, item.request):
        return _own(item.request)
    return _out(item, for_dpo=True)


@router.post(
    BASE + "/{request_id}/release",
    response={200: AccessRequestOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def release(request, slug: str, request_id: int, payload: ReleaseIn):
    """Release the person's data (DPO). With `exemption`, some is withheld: the `withhold`
    parts are left out of the download, and the person is told only that something is."""
    school = school_for(request, slug)
    item = _decidable(request, school, request_id)
    try:
        done = access.release(
            request.user, item.request, exemption=payload.exemption, withhold=payload.withhold
        )
    except (access.Invalid, access.Unavailable) as problem:
        raise _failed(problem) from None
    return _decided(done)


@router.post(
    BASE + "/{request_id}/exempt",
    response={200: AccessRequestOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def exempt(request, slug: str, request_id: int, payload: ExemptIn):
    """Withhold all the person's data under an exemption, with the reason (DPO)."""
    school = school_for(request, slug)
    item = _decidable(request, school, request_id)
    try:
        done = access.exempt(request.user, item.request, payload.reason)
    except (access.Invalid, access.Unavailable) as problem:
        raise _failed(problem) from None
    return _decided(done)


@router.get(
    BASE + "/{request_id}/download",
    response={403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 410: ErrorOut},
    openapi_extra={
        "responses": {
            "200": {
                "description": "The ZIP: README.txt, data.json and CSV files",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download(request, slug: str, request_id: int):
    """Your released data as a ZIP, until it expires. Only the person who asked may."""
    school = school_for(request, slug)
    req = (
        AccessRequest.objects.filter(school=school, pk=request_id)
        .select_related("person", "school")
        .defer("archive")
        .first()
    )
    if req is None:
        raise HttpError(404, "no such request")
    try:
        data = access.download(request.user, req)
    except access.Unavailable as problem:
        raise _failed(problem) from None
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{access.filename_for(req)}"'
    response["Cache-Control"] = "no-store"
    return response


def _decidable(request, school: School, request_id: int) -> access.Listed:
    try:
        return access.get(request.user, school, request_id, to_decide=True)
    except AccessRequest.DoesNotExist:
        raise HttpError(404, "no such request") from None
