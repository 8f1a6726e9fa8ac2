"""School set-up and role management, shared by the CLI, the web app and the API."""

from __future__ import annotations

import hashlib
import re
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from fairwatch.roles import Role

from .models import (
    ApiToken,
    Organisation,
    OrganisationAdmin,
    Person,
    RoleAssignment,
    School,
    SchoolDomain,
)

_DOMAIN = re.compile(r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")


def normalise_domain(text: str, field: str = "domain") -> str:
    """A mail domain in lower-case ASCII (IDNA for international names)."""
    raw = text.strip().lower().rstrip(".").removeprefix("@")
    try:
        domain = raw.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError({field: f"{text!r} is not a domain name"}) from None
    if not _DOMAIN.match(domain):
        raise ValidationError({field: f"{text!r} is not a domain name"})
    return domain


def create_organisation(slug: str, name: str, kind: str = Organisation.Kind.TRUST) -> Organisation:
    if kind not in Organisation.Kind.values:
        raise ValidationError(
            {"kind": f"{kind!r} must be one of {', '.join(Organisation.Kind.values)}"}
        )
    if slugify(slug) != slug:
        raise ValidationError({"slug": f"{slug!r} must be lower-case letters, digits and hyphens"})
    if Organisation.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"an organisation {slug!r} already exists"})
    return Organisation.objects.create(slug=slug, name=name.strip(), kind=kind)


@transaction.atomic
def create_school(
    *,
    slug: str,
    name: str,
    domains: list[str],
    pupil_domain: str = "",
    organisation: Organisation | None = None,
) -> School:
    """A new school with its mail domains; a stand-alone organisation is made if none is given."""
    if slugify(slug) != slug or not slug:
        raise ValidationError({"slug": f"{slug!r} must be lower-case letters, digits and hyphens"})
    if School.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"a school {slug!r} already exists"})
    if not name.strip():
        raise ValidationError({"name": "a school needs a name"})
    if not domains:
        raise ValidationError({"domain": "give at least one mail domain the school sends from"})
    clean = [normalise_domain(d) for d in domains]
    pupil = normalise_domain(pupil_domain, "pupil_domain") if pupil_domain else ""
    if pupil and pupil in clean:
        raise ValidationError({"pupil_domain": "pupils' domain must differ from staff domains"})
    if organisation is None:
        if Organisation.objects.filter(slug=slug).exists():
            # Joining it silently would give that trust's administrators this school.
            raise ValidationError(
                {
                    "org": f"an organisation {slug!r} exists: name it with --org to join it, "
                    "or choose another slug"
                }
            )
        organisation = Organisation.objects.create(
            slug=slug, name=name.strip(), kind=Organisation.Kind.STANDALONE
        )
    school = School.objects.create(
        organisation=organisation, slug=slug, name=name.strip(), pupil_domain=pupil
    )
    SchoolDomain.objects.bulk_create(
        [SchoolDomain(school=school, domain=d) for d in dict.fromkeys(clean)]
    )
    return school


def grant_role(school: School, email: str, role: Role) -> RoleAssignment:
    """Give a role by hand to the current staff member with this address at `school`."""
    if not role.school_level:
        raise ValidationError({"role": "org_admin is given with `fairwatch org admin`"})
    person = Person.objects.filter(
        school=school, roster=Person.Roster.STAFF, email=email.lower(), status=Person.Status.CURRENT
    ).first()
    if person is None:
        raise ValidationError({"email": f"no current staff member {email} at {school.slug}"})
    existing = person.roles.filter(role=role, ended_at__isnull=True).first()
    if existing is None:
        return RoleAssignment.objects.create(
            person=person, role=role, source=RoleAssignment.Source.MANUAL
        )
    if existing.source != RoleAssignment.Source.MANUAL:
        # Given by hand now: a later roster without this role must not take it away.
        existing.source = RoleAssignment.Source.MANUAL
        existing.save(update_fields=["source"])
    return existing


def revoke_role(school: School, email: str, role: Role) -> list[RoleAssignment]:
    """End the role; returns the assignments ended (a roster-given one comes back with the
    next import that still lists it: change the MIS, or the roster, to make it stick)."""
    ended = list(
        RoleAssignment.objects.filter(
            person__school=school, person__email=email.lower(), role=role, ended_at__isnull=True
        )
    )
    now = timezone.now()
    for assignment in ended:
        assignment.ended_at = now
        assignment.save(update_fields=["ended_at"])
    return ended


def make_org_admin(organisation: Organisation, email: str, name: str = ""):
    """An organisation administrator's account (created without a password if new)."""
    User = get_user_model()
    user = User.objects.filter(username=email.lower()).first()
    if user is None:
        forename, _, surname = name.partition(" ")
        user = User(
            username=email.lower(), email=email.lower(), first_name=forename, last_name=surname
        )
        user.set_unusable_password()
        user.save()
    OrganisationAdmin.objects.get_or_create(user=user, organisation=organisation)
    return user


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user, name: str) -> tuple[ApiToken, str]:
    """A new API token; the secret is returned once and only its hash is kept."""
    secret = "fw_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:10], digest=token_digest(secret)
    )
    return token, secret


def user_for_token(secret: str):
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
