"""Which school the signed-in user is working in (they may hold roles at several)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fairwatch.roles import Role
from fairwatch.schools.models import School
from fairwatch.schools.permissions import roles_at, schools_for

SESSION_KEY = "fairwatch_school"


def school_for_request(request: HttpRequest) -> School | None:
    """The school chosen in this session, else the user's first; None if they have none."""
    if hasattr(request, "_fairwatch_school"):
        return request._fairwatch_school
    schools = schools_for(request.user)
    chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    school = next((s for s in schools if s.slug == chosen), schools[0] if schools else None)
    request._fairwatch_school = school
    request._fairwatch_schools = schools
    return school


def current_school(request: HttpRequest) -> dict:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    school = school_for_request(request)
    return {
        "current_school": school,
        "my_schools": request._fairwatch_schools,
        "my_roles": ordered_roles(request.user, school) if school else [],
    }


def ordered_roles(user, school: School) -> list[Role]:
    held = roles_at(user, school)
    return [r for r in Role if r in held]


def no_school(request: HttpRequest) -> HttpResponse:
    """The page for someone signed in who works at no school (403)."""
    return render(request, "web/no_school.html", status=403)
