"""What every API module shares: the error shape and finding the caller's school."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Schema, Status
from ninja.errors import HttpError

from fairwatch.errors import FieldErrors
from fairwatch.schools.models import School
from fairwatch.schools.permissions import schools_for


class ErrorOut(Schema):
    detail: str


class PersonRef(Schema):
    id: int
    display_name: str


class InvalidOut(Schema):
    """Input a step cannot take: `errors` maps each field to what to change (empty when the
    problem is not one field's)."""

    detail: str
    errors: dict[str, str] = {}


def school_for(request: HttpRequest, slug: str) -> School:
    """The caller's school named `slug`; 404 if there is none or it is not theirs."""
    school = next((s for s in schools_for(request.user) if s.slug == slug), None)
    if school is None:  # unknown and not-yours look the same: no probing for school names
        raise HttpError(404, f"no school {slug!r} for this account")
    return school


def invalid(error: FieldErrors) -> Status:
    """A 422 for input a service could not take, with its messages by field."""
    return Status(422, InvalidOut(detail=str(error), errors=error.errors))
