"""School tokens for the check API (clause 4): a mail add-in sends `Authorization: Bearer
fws_...` and may check mail for that one school, nothing else. The Headteacher, the IT manager
or the organisation's administrator issues and revokes them; only a SHA-256 digest of the
secret is kept, so a token is shown once, when it is issued."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from fairwatch.audit import gate
from fairwatch.schools.models import School
from fairwatch.schools.permissions import Action
from fairwatch.schools.services import token_digest

from .models import SchoolToken

PREFIX = "fws_"
PREFIX_LENGTH = 12  # what is kept in clear to tell tokens apart: "fws_" and 8 characters
_MAX_SECRET = 200  # longer bearer strings are not ours; no need to hash them


def _allow(user: AbstractBaseUser, school: School, **details) -> None:
    gate.check(
        user,
        school,
        Action.MANAGE_CHECK_TOKENS,
        purpose=gate.Purpose.SCHOOL_ADMIN,
        object_type="check_token",
        **details,
    )


def tokens(user: AbstractBaseUser, school: School) -> QuerySet[SchoolToken]:
    """The school's tokens, newest first, for those who manage them."""
    _allow(user, school, detail={"list": True})
    return SchoolToken.objects.filter(school=school).order_by("-created_at", "-pk")


def issue(user: AbstractBaseUser, school: School, name: str) -> tuple[SchoolToken, str]:
    """A new token for `school`; the secret is returned once and only its digest is kept."""
    _allow(user, school)
    name = " ".join(name.split())
    if not name:
        raise ValueError("give the token a name, such as the add-in or computer that uses it")
    if len(name) > SchoolToken._meta.get_field("name").max_length:
        raise ValueError("the name is too long (100 characters at most)")
    live = SchoolToken.objects.filter(school=school, revoked_at__isnull=True)
    if live.filter(name__iexact=name).exists():
        raise ValueError(f"a token called “{name}” is in use: choose another name, or revoke it")
    secret = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = SchoolToken.objects.create(
            school=school,
            name=name,
            prefix=secret[:PREFIX_LENGTH],
            digest=token_digest(secret),
            created_by=user,
        )
        gate.record(
            user=user,
            action="mailflow.token.issue",
            outcome="done",
            school=school,
            object_type="check_token",
            object_id=str(token.pk),
            clause="4",
            detail={"name": name, "prefix": token.prefix},
        )
    return token, secret


def revoke(user: AbstractBaseUser, token: SchoolToken) -> SchoolToken:
    """Stop the token working at once. Revoking a revoked token changes nothing."""
    _allow(user, token.school, object_id=str(token.pk))
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        gate.record(
            user=user,
            action="mailflow.token.revoke",
            outcome="done",
            school=token.school,
            object_type="check_token",
            object_id=str(token.pk),
            clause="4",
            detail={"name": token.name, "prefix": token.prefix},
        )
    return token


def token_for(secret: str) -> SchoolToken | None:
    """The live token with this secret (and its school), noting that it was used; None for an
    unknown or revoked one. No user is involved: the token stands for its school."""
    if not secret.startswith(PREFIX) or len(secret) > _MAX_SECRET:
        return None
    token = (
        SchoolToken.objects.select_related("school")
        .filter(digest=token_digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    token.last_used_at = timezone.now()
    SchoolToken.objects.filter(pk=token.pk).update(last_used_at=token.last_used_at)
    return token


def school_for(secret: str) -> School | None:
    """The school a live token belongs to, or None."""
    token = token_for(secret)
    return token.school if token else None
