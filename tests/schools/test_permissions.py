"""One permissions module answers "may this user do X at this school"."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from fairwatch.roles import Role
from fairwatch.schools.models import Person
from fairwatch.schools.permissions import ALLOWED, Action, may, roles_at, schools_for

EVERYONE_AT_OAK = {"head", "dsl", "dpo", "it", "teacher", "monitor", "hr", "chair", "org_admin"}
EXPECTED = {
    # action: who of the cast may, at their school
    Action.VIEW_STAFF: {"head", "dsl", "dpo", "it", "hr", "chair"},
    Action.VIEW_PUPILS: {"head", "dsl", "dpo"},
    Action.VIEW_CONTACTS: {"head", "dsl", "dpo"},
    Action.IMPORT_ROSTER: {"head", "it"},
    Action.READ_AUDIT: {"dpo"},
    Action.VIEW_ACTIVITY: {"head", "dsl", "dpo", "it"},
    Action.REPORT_BREACH: EVERYONE_AT_OAK - {"org_admin"},
    Action.MANAGE_BREACHES: {"dpo"},
    Action.REQUEST_OWN_DATA: EVERYONE_AT_OAK - {"org_admin"},
    Action.DECIDE_ACCESS: {"dpo"},
    Action.RECORD_BASIS: {"head", "dpo"},
    Action.PRIVACY_SETTINGS: {"head", "dpo"},
    Action.MANAGE_CHECK_TOKENS: {"head", "it", "org_admin"},
    Action.MANAGE_RELAY_RULES: {"head", "it"},
    Action.REVIEW_HELD_MAIL: {"head", "dpo"},
    Action.MANAGE_CATEGORY_RULES: {"head", "it"},
    Action.VIEW_WEB_ALERTS: {"head", "dsl"},
    Action.VIEW_IDENTIFICATIONS: {"head", "dsl", "dpo"},
    Action.ASK_PRIVATE_USE: EVERYONE_AT_OAK - {"org_admin"},
    Action.DECIDE_PRIVATE_USE: {"head", "chair"},  # the Chair: the Headteacher's own only
    Action.VIEW_PRIVATE_USE: {"head", "dpo"},
    Action.RAISE_CONCERN: EVERYONE_AT_OAK - {"org_admin"},
    Action.VIEW_LOW_LEVEL_REGISTER: {"head", "dsl"},
    Action.PUBLISH_POLICY: {"head", "org_admin"},
    Action.VIEW_ACKNOWLEDGEMENTS: {"head", "dpo"},
    Action.ANSWER_ADJUSTMENTS: {"head"},
    Action.MANAGE_SCHOOL: {"head", "it", "org_admin"},
    Action.MANAGE_ROLES: {"head", "org_admin"},
    Action.VIEW_POLICY: EVERYONE_AT_OAK,
    Action.VIEW_SCHOOL: EVERYONE_AT_OAK,
}
CAST = ["head", "dsl", "dpo", "it", "teacher", "monitor", "hr", "chair", "org_admin", "outsider"]


def test_every_action_has_an_expectation():
    assert set(EXPECTED) == set(ALLOWED)


@pytest.mark.parametrize("action", list(EXPECTED))
def test_each_role_may_do_exactly_what_the_matrix_says(cast, action):
    allowed = {name for name in CAST if may(getattr(cast, name), action, cast.school)}
    assert allowed == EXPECTED[action]


def test_nobody_holds_a_role_that_sees_everything():
    everything = {a for a in Action if a is not Action.VIEW_POLICY and a is not Action.VIEW_SCHOOL}
    for role in Role:
        assert not all(role in ALLOWED[a] for a in everything), role


def test_the_org_admin_sees_no_personal_data():
    for action in (Action.VIEW_STAFF, Action.VIEW_PUPILS, Action.VIEW_CONTACTS, Action.READ_AUDIT):
        assert Role.ORG_ADMIN not in ALLOWED[action]


def test_a_role_at_one_school_gives_nothing_at_another(cast):
    assert roles_at(cast.head, cast.other_school) == frozenset()
    assert not may(cast.head, Action.VIEW_STAFF, cast.other_school)


def test_the_org_admin_is_admin_at_every_school_of_the_trust(cast):
    assert [s.slug for s in schools_for(cast.org_admin)] == ["elm", "oak"]
    assert roles_at(cast.org_admin, cast.other_school) == {Role.ORG_ADMIN}


def test_anonymous_and_inactive_users_have_no_roles(cast):
    assert roles_at(AnonymousUser(), cast.school) == frozenset()
    cast.head.is_active = False
    cast.head.save()
    assert roles_at(cast.head, cast.school) == frozenset()
    assert schools_for(cast.head) == []


def test_a_leaver_has_no_roles(cast):
    Person.objects.filter(user=cast.dsl).update(status=Person.Status.LEFT)
    assert roles_at(cast.dsl, cast.school) == frozenset()
    assert schools_for(cast.dsl) == []


def test_an_ended_role_no_longer_counts(cast):
    from fairwatch.schools.services import revoke_role

    revoke_role(cast.school, "dpo@oak.example", Role.DPO)
    assert not may(cast.dpo, Action.READ_AUDIT, cast.school)
