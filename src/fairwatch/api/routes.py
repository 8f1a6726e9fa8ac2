"""The HTTP JSON API, /api/v1/. Session or bearer-token auth; people reads go through the gate."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from fairwatch import __version__
from fairwatch.audit import gate
from fairwatch.catalogue import model_catalogue
from fairwatch.schools.models import PEOPLE_GROUPS, Person, School
from fairwatch.schools.permissions import roles_at, schools_for
from fairwatch.schools.services import user_for_token

from .common import ErrorOut, school_for


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The web app's log-in session (CSRF-checked, as Django checks forms)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated and user.is_active else None


api = NinjaAPI(
    title="Fairwatch API",
    version=__version__,
    description="Everything the web app can do, for machines. Authenticate with the web "
    "session or `Authorization: Bearer <token>` (issue one with `fairwatch user token`).",
    auth=[BearerToken(), SessionAuth(csrf=True)],
    urls_namespace="api",
)


class ClauseOut(Schema):
    id: str
    title: str
    text: str
    parent: str | None
    anchor: str


class SchoolOut(Schema):
    slug: str
    name: str
    organisation: str
    domains: list[str]
    pupil_domain: str
    my_roles: list[str]


class PersonOut(Schema):
    id: int
    kind: str
    external_id: str
    forename: str
    surname: str
    preferred_forename: str
    preferred_surname: str
    display_name: str
    email: str
    year_group: str
    status: str


class PeoplePage(Schema):
    count: int
    offset: int
    limit: int
    items: list[PersonOut]


MAX_OFFSET = 1_000_000


@api.exception_handler(PermissionDenied)
def _denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "not allowed"}, status=403)


@api.get("/clauses", response=list[ClauseOut], auth=None, tags=["policy"])
def list_clauses(request):
    """The model policy's clause catalogue, in document order."""
    return [
        ClauseOut(id=c.id, title=c.title, text=c.text, parent=c.parent, anchor=c.anchor)
        for c in model_catalogue()
    ]


@api.get(
    "/clauses/{clause_id}", response={200: ClauseOut, 404: ErrorOut}, auth=None, tags=["policy"]
)
def get_clause(request, clause_id: str):
    try:
        c = model_catalogue().get(clause_id)
    except KeyError:
        raise HttpError(404, f"no clause {clause_id!r}") from None
    return ClauseOut(id=c.id, title=c.title, text=c.text, parent=c.parent, anchor=c.anchor)


@api.get("/schools", response=list[SchoolOut], tags=["schools"])
def list_schools(request):
    """Schools where the caller holds a role, with the roles they hold there."""
    return [_school_out(request, s) for s in schools_for(request.user)]


@api.get("/schools/{slug}", response={200: SchoolOut, 404: ErrorOut}, tags=["schools"])
def get_school(request, slug: str):
    return _school_out(request, school_for(request, slug))


def _school_out(request, school: School) -> SchoolOut:
    return SchoolOut(
        slug=school.slug,
        name=school.name,
        organisation=school.organisation.slug,
        domains=school.domain_names,
        pupil_domain=school.pupil_domain,
        my_roles=sorted(r.value for r in roles_at(request.user, school)),
    )


@api.get(
    "/schools/{slug}/people",
    response={200: PeoplePage, 403: ErrorOut, 404: ErrorOut},
    tags=["people"],
)
def list_people(
    request,
    slug: str,
    kind: str = "staff",
    q: str = "",
    offset: int = 0,
    limit: int = 100,
    include_left: bool = False,
):
    """People of one kind (staff, pupils, contacts); every call is on the audit trail."""
    if kind not in PEOPLE_GROUPS:
        raise HttpError(422, "kind must be staff, pupils or contacts")
    if not 0 <= offset <= MAX_OFFSET or not 1 <= limit <= 500:
        raise HttpError(422, f"offset must be 0 to {MAX_OFFSET} and limit between 1 and 500")
    school = school_for(request, slug)
    qs = gate.people(
        request.user,
        school,
        PEOPLE_GROUPS[kind],
        purpose=gate.Purpose.SCHOOL_ADMIN,
        include_left=include_left,
        detail={"via": "api", "search": bool(q)},
    )
    qs = qs.search(q).by_name()
    items = list(qs[offset : offset + limit])
    return PeoplePage(
        count=qs.count(), offset=offset, limit=limit, items=[_person_out(p) for p in items]
    )


@api.get(
    "/schools/{slug}/people/{person_id}",
    response={200: PersonOut, 403: ErrorOut, 404: ErrorOut},
    tags=["people"],
)
def get_person(request, slug: str, person_id: int):
    school = school_for(request, slug)
    try:
        person = gate.person(request.user, school, person_id, purpose=gate.Purpose.SCHOOL_ADMIN)
    except Person.DoesNotExist:
        raise HttpError(404, "no such person") from None
    return _person_out(person)


def _person_out(p: Person) -> PersonOut:
    return PersonOut(
        id=p.pk,
        kind=p.kind,
        external_id=p.external_id,
        forename=p.forename,
        surname=p.surname,
        preferred_forename=p.preferred_forename,
        preferred_surname=p.preferred_surname,
        display_name=p.display_name,
        email=p.email,
        year_group=p.year_group,
        status=p.status,
    )


# The other parts of the API, each in its own module (imported here, after `api` exists).
from . import (  # noqa: E402
    access,
    breaches,
    concerns,
    exercises,
    internet,
    policy,
    policy_adapt,
    policy_adjustments,
    policy_contacts,
    policy_reminders,
    transparency,
)

for _module in (
    exercises,
    breaches,
    access,
    transparency,
    internet,
    concerns,
    policy,
    policy_adapt,
    policy_adjustments,
    policy_contacts,
    policy_reminders,
):
    api.add_router("", _module.router)

from . import check  # noqa: E402

api.add_router("", check.router)
