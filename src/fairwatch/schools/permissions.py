"""The one place that answers "may this user do X at this school". Everything asks it.

Roles are per school (SPEC: nobody has a role that sees everything). An organisation
administrator manages schools and users but sees no school's personal data unless they
also hold a role at that school.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied

from fairwatch.roles import Role

from .models import OrganisationAdmin, Person, RoleAssignment, School

R = Role


class Action(StrEnum):
    VIEW_POLICY = "policy.view"
    VIEW_SCHOOL = "school.view"
    MANAGE_SCHOOL = "school.manage"
    VIEW_STAFF = "people.view_staff"
    VIEW_PUPILS = "people.view_pupils"
    VIEW_CONTACTS = "people.view_contacts"
    IMPORT_ROSTER = "roster.import"
    MANAGE_ROLES = "roles.manage"
    READ_AUDIT = "audit.read"
    VIEW_ACTIVITY = "activity.view"
    REPORT_BREACH = "breach.report"
    MANAGE_BREACHES = "breach.manage"
    REQUEST_OWN_DATA = "access.request"
    DECIDE_ACCESS = "access.decide"
    RECORD_BASIS = "monitoring.basis"
    PRIVACY_SETTINGS = "privacy.settings"
    MANAGE_CHECK_TOKENS = "mailflow.tokens"
    MANAGE_RELAY_RULES = "mailflow.rules"
    REVIEW_HELD_MAIL = "mailflow.review_held"
    MANAGE_CATEGORY_RULES = "internet.rules"
    VIEW_WEB_ALERTS = "internet.alerts"
    VIEW_IDENTIFICATIONS = "internet.identifications"
    ASK_PRIVATE_USE = "internet.ask_private_use"
    DECIDE_PRIVATE_USE = "internet.decide_private_use"
    VIEW_PRIVATE_USE = "internet.private_use_register"
    RAISE_CONCERN = "concern.raise"
    VIEW_LOW_LEVEL_REGISTER = "concern.low_level_register"
    PUBLISH_POLICY = "policy.publish"
    VIEW_ACKNOWLEDGEMENTS = "policy.acknowledgements"
    ANSWER_ADJUSTMENTS = "policy.adjustments"


ANY_ROLE = frozenset(Role)

ALLOWED: dict[Action, frozenset[Role]] = {
    Action.VIEW_POLICY: ANY_ROLE,
    Action.VIEW_SCHOOL: ANY_ROLE,
    Action.MANAGE_SCHOOL: frozenset({R.HEADTEACHER, R.IT_MANAGER, R.ORG_ADMIN}),
    # Staff names are needed by those who run the school's people processes.
    Action.VIEW_STAFF: frozenset(
        {R.HEADTEACHER, R.CHAIR_OF_GOVERNORS, R.DSL, R.DPO, R.HR_ADVISER, R.IT_MANAGER}
    ),
    # Pupils and their families: the Headteacher, safeguarding and data protection only. The
    # IT manager imports the roster but does not browse it (SPEC: sees pseudonymised data).
    Action.VIEW_PUPILS: frozenset({R.HEADTEACHER, R.DSL, R.DPO}),
    Action.VIEW_CONTACTS: frozenset({R.HEADTEACHER, R.DSL, R.DPO}),
    Action.IMPORT_ROSTER: frozenset({R.HEADTEACHER, R.IT_MANAGER}),
    Action.MANAGE_ROLES: frozenset({R.HEADTEACHER, R.ORG_ADMIN}),
    Action.READ_AUDIT: frozenset({R.DPO}),
    # Activity data as pseudonyms and totals (3.2, 7.2); names only inside an exercise.
    Action.VIEW_ACTIVITY: frozenset({R.HEADTEACHER, R.DSL, R.DPO, R.IT_MANAGER}),
    # Anyone who finds a breach reports it (5.2); the DPO keeps the register.
    Action.REPORT_BREACH: frozenset(ANY_ROLE - {R.ORG_ADMIN}),
    Action.MANAGE_BREACHES: frozenset({R.DPO}),
    # Everyone may ask for their own data; the DPO releases it or records an exemption.
    Action.REQUEST_OWN_DATA: frozenset(ANY_ROLE - {R.ORG_ADMIN}),
    Action.DECIDE_ACCESS: frozenset({R.DPO}),
    # The basis for monitoring e-safety monitors' accounts (7.2.1), and the school's limits.
    Action.RECORD_BASIS: frozenset({R.HEADTEACHER, R.DPO}),
    Action.PRIVACY_SETTINGS: frozenset({R.HEADTEACHER, R.DPO}),
    # The mail flow: tokens for mail add-ins and the relay's rules are set up by the school's
    # admins; held mail is seen by the Headteacher and the DPO (and by its own sender).
    Action.MANAGE_CHECK_TOKENS: frozenset({R.HEADTEACHER, R.IT_MANAGER, R.ORG_ADMIN}),
    Action.MANAGE_RELAY_RULES: frozenset({R.HEADTEACHER, R.IT_MANAGER}),
    Action.REVIEW_HELD_MAIL: frozenset({R.HEADTEACHER, R.DPO}),
    # Internet use (3.1-3.3): how categories are treated is set by the Headteacher and the IT
    # manager; alerts about harmful categories go to the DSL and the Headteacher (as
    # pseudonyms); staff ask for private use and the Headteacher decides (the Chair of
    # Governors when the request is the Headteacher's own: fairwatch.internet.private_use);
    # the DPO oversees, and sees the safeguarding decisions that named someone, without names.
    Action.MANAGE_CATEGORY_RULES: frozenset({R.HEADTEACHER, R.IT_MANAGER}),
    Action.VIEW_WEB_ALERTS: frozenset({R.HEADTEACHER, R.DSL}),
    Action.VIEW_IDENTIFICATIONS: frozenset({R.HEADTEACHER, R.DSL, R.DPO}),
    Action.ASK_PRIVATE_USE: frozenset(ANY_ROLE - {R.ORG_ADMIN}),
    Action.DECIDE_PRIVATE_USE: frozenset({R.HEADTEACHER, R.CHAIR_OF_GOVERNORS}),
    Action.VIEW_PRIVATE_USE: frozenset({R.HEADTEACHER, R.DPO}),
    # Concerns about staff (7.5, 7.6): anyone at the school raises one. Who handles a case is
    # not a role's permission but the case's routing (`fairwatch.cases.rules.route`), and a
    # subject never sees it. The low-level concerns register, for patterns over time, is the
    # Headteacher's and the DSL's (minus any entry about themselves).
    Action.RAISE_CONCERN: frozenset(ANY_ROLE - {R.ORG_ADMIN}),
    Action.VIEW_LOW_LEVEL_REGISTER: frozenset({R.HEADTEACHER, R.DSL}),
    # The policy (issue 9): the Headteacher (or the trust, for its schools) publishes a new
    # version; who has and has not read it is seen by the Headteacher and the DPO.
    Action.PUBLISH_POLICY: frozenset({R.HEADTEACHER, R.ORG_ADMIN}),
    Action.VIEW_ACKNOWLEDGEMENTS: frozenset({R.HEADTEACHER, R.DPO}),
    # Reasonable adjustments to reading it (2) are asked of, and answered by, the Headteacher.
    Action.ANSWER_ADJUSTMENTS: frozenset({R.HEADTEACHER}),
}

# Which people-viewing action covers which kind of person.
VIEW_ACTION_FOR_KIND: dict[str, Action] = {
    Person.Kind.STAFF: Action.VIEW_STAFF,
    Person.Kind.VOLUNTEER: Action.VIEW_STAFF,
    Person.Kind.PUPIL: Action.VIEW_PUPILS,
    Person.Kind.CONTACT: Action.VIEW_CONTACTS,
}


def roles_at(user: AbstractBaseUser | AnonymousUser, school: School) -> frozenset[Role]:
    """The roles `user` currently holds at `school` (empty for anonymous or inactive users)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    held = {
        Role(r)
        for r in RoleAssignment.objects.filter(
            person__user=user,
            person__school=school,
            person__status=Person.Status.CURRENT,
            ended_at__isnull=True,
        ).values_list("role", flat=True)
    }
    if OrganisationAdmin.objects.filter(user=user, organisation_id=school.organisation_id).exists():
        held.add(Role.ORG_ADMIN)
    return frozenset(held)


def granting_role(
    user: AbstractBaseUser | AnonymousUser, action: Action, school: School
) -> Role | None:
    """The role under which `user` may do `action` at `school`, or None if they may not.

    When several roles allow it, the first in the Role enum's order is named, so the
    audit trail records a stable role.
    """
    held = roles_at(user, school)
    for role in Role:
        if role in held and role in ALLOWED[action]:
            return role
    return None


def may(user: AbstractBaseUser | AnonymousUser, action: Action, school: School) -> bool:
    return granting_role(user, action, school) is not None


def require(user: AbstractBaseUser | AnonymousUser, action: Action, school: School) -> Role:
    """The granting role; PermissionDenied if there is none. Personal-data reads use the gate."""
    role = granting_role(user, action, school)
    if role is None:
        raise PermissionDenied(f"not allowed: {action.value} at {school.slug}")
    return role


def schools_for(user: AbstractBaseUser | AnonymousUser) -> list[School]:
    """Schools where the user holds any role, by name."""
    if not user.is_authenticated or not user.is_active:
        return []
    via_roles = School.objects.filter(
        pk__in=RoleAssignment.objects.filter(
            person__user=user, person__status=Person.Status.CURRENT, ended_at__isnull=True
        ).values("person__school")
    )
    via_org = School.objects.filter(organisation__admins__user=user)
    return list((via_roles | via_org).distinct().order_by("name"))


def actions_for(user: AbstractBaseUser | AnonymousUser, school: School) -> set[Action]:
    held = roles_at(user, school)
    return {action for action, roles in ALLOWED.items() if held & roles}
