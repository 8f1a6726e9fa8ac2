"""The home page: what each role can do, the no-school page, and the school switcher."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from fairwatch.roles import Role
from fairwatch.schools.models import Person
from tests.cast import add_person


def _home(client, user) -> str:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"#]+)"', html))


def _role_headings(html: str) -> list[str]:
    return re.findall(r'<h2 id="role-[a-z_]+">As ([^<]+)</h2>', html)


def _give_role_at(school, user, role: Role, external_id: str = "X1") -> Person:
    person = add_person(
        school,
        Person.Kind.STAFF,
        external_id,
        user.first_name or "Someone",
        user.last_name or "Else",
        roles=[role],
        email=user.email,
        user=user,
    )
    return person


@pytest.mark.parametrize(
    ("who", "headings", "present", "absent"),
    [
        (
            "head",
            ["Staff member or volunteer", "Headteacher"],
            {"/people/?kind=staff", "/people/?kind=pupils", "/policy/"},
            {"/audit/"},
        ),
        (
            "teacher",
            ["Staff member or volunteer"],
            {"/policy/"},
            {"/people/?kind=staff", "/people/?kind=pupils", "/audit/"},
        ),
        (
            "dpo",
            ["Data protection officer"],
            {"/audit/", "/people/?kind=staff", "/people/?kind=pupils"},
            set(),
        ),
        (
            "dsl",
            ["Staff member or volunteer", "Designated safeguarding lead"],
            {"/people/?kind=staff", "/people/?kind=pupils"},
            {"/audit/"},
        ),
        (
            "it",
            ["Staff member or volunteer", "IT / network manager"],
            {"/people/?kind=staff"},
            {"/people/?kind=pupils", "/audit/"},
        ),
        (
            "hr",
            ["HR adviser"],
            {"/people/?kind=staff"},
            {"/people/?kind=pupils", "/audit/"},
        ),
        (
            "chair",
            ["Chair of Governors"],
            {"/people/?kind=staff"},
            {"/people/?kind=pupils", "/audit/"},
        ),
        (
            "monitor",
            ["Staff member or volunteer", "E-safety monitor"],
            {"/policy/"},
            {"/people/?kind=staff", "/people/?kind=pupils", "/audit/"},
        ),
    ],
)
def test_each_roles_home_page_lists_that_roles_capabilities(
    client, cast, who, headings, present, absent
):
    html = _home(client, getattr(cast, who))

    assert "What you can do at Oak Primary" in html
    assert _role_headings(html) == headings
    links = _links(html)
    assert present <= links, present - links
    assert not (absent & links), absent & links


def test_plain_staff_home_page_has_no_link_to_any_people_list(client, cast):
    html = _home(client, cast.teacher)

    assert "/people/" not in html
    assert "Read the staff policy on email, internet and social media" in html
    # Capabilities not built yet are marked as such, not linked.
    assert "not yet available" in html


def test_headteacher_home_page_links_to_the_staff_list(client, cast):
    html = _home(client, cast.head)

    assert '<a href="/people/?kind=staff">See the staff list</a>' in html


def test_dpo_home_page_links_to_the_audit_trail(client, cast):
    html = _home(client, cast.dpo)

    assert '<a href="/audit/">Read the audit trail and check it is intact</a>' in html


def test_every_capability_cites_a_clause_on_the_policy_page(client, cast):
    html = _home(client, cast.head)

    anchors = re.findall(r'href="/policy/#(clause-[0-9-]+)"', html)
    assert anchors
    policy = client.get("/policy/").content.decode()
    for anchor in anchors:
        assert f'id="{anchor}"' in policy, anchor


def test_top_level_clause_links_on_the_home_page_reach_the_policy_page(client, cast):
    html = _home(client, cast.head)

    policy = client.get("/policy/").content.decode()
    assert 'href="/policy/#clause-5"' in html
    assert 'id="clause-5"' in policy


def test_the_school_bar_names_the_school_and_the_roles_held(client, cast):
    html = _home(client, cast.head)

    assert '<p class="school-name">Oak Primary</p>' in html
    assert "Staff member or volunteer, Headteacher" in html


def test_an_account_with_no_school_role_sees_the_no_role_page(client, cast):
    # cast.outsider is the instance from before build_cast reset every password; reload it
    # so force_login stores the session hash of the password actually in the database.
    cast.outsider.refresh_from_db()

    html = _home(client, cast.outsider)

    assert "You have no role at a school yet" in html
    assert "What you can do" not in html
    assert 'id="school-select"' not in html


def test_a_leaver_with_no_current_role_sees_the_no_role_page(client, cast):
    Person.objects.filter(user=cast.teacher).update(status=Person.Status.LEFT)

    html = _home(client, cast.teacher)

    assert "You have no role at a school yet" in html


def test_an_organisation_admin_sees_their_admin_capability_and_no_personal_data_links(client, cast):
    html = _home(client, cast.org_admin)

    assert _role_headings(html) == ["Trust / authority administrator"]
    assert "/people/" not in html
    assert "/audit/" not in html


def test_the_school_switcher_is_not_shown_for_a_role_at_one_school(client, cast):
    html = _home(client, cast.head)

    assert 'id="school-select"' not in html
    assert 'action="/school/"' not in html


def test_the_school_switcher_appears_for_roles_at_two_schools_and_switching_works(client, cast):
    _give_role_at(cast.other_school, cast.head, Role.STAFF)

    html = _home(client, cast.head)
    assert 'id="school-select"' in html
    options = re.findall(r'<option value="([a-z-]+)"( selected)?>([^<]+)</option>', html)
    assert [(slug, name) for slug, _, name in options] == [
        ("elm", "Elm Primary"),
        ("oak", "Oak Primary"),
    ]

    response = client.post("/school/", {"school": "elm"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    html = client.get("/").content.decode()
    assert "What you can do at Elm Primary" in html
    assert '<option value="elm" selected>' in html
    # At Elm they are plain staff: no Headteacher capabilities there.
    assert _role_headings(html) == ["Staff member or volunteer"]
    assert "/people/" not in html

    client.post("/school/", {"school": "oak"})
    html = client.get("/").content.decode()
    assert "What you can do at Oak Primary" in html
    assert "Headteacher" in _role_headings(html)


def test_switching_needs_a_post(client, cast):
    _give_role_at(cast.other_school, cast.head, Role.STAFF)
    client.force_login(cast.head)

    assert client.get("/school/?school=elm").status_code == 405


def test_one_cannot_switch_to_a_school_where_one_has_no_role(client, cast):
    client.force_login(cast.head)

    client.post("/school/", {"school": "elm"})
    html = client.get("/").content.decode()

    assert "What you can do at Oak Primary" in html
    assert "Elm Primary" not in html
    assert "Headteacher" in _role_headings(html)


def test_switching_to_an_unknown_school_falls_back_to_ones_own(client, cast):
    client.force_login(cast.teacher)

    client.post("/school/", {"school": "no-such-school"})
    html = client.get("/").content.decode()

    assert "What you can do at Oak Primary" in html


def test_a_role_that_has_ended_no_longer_counts_for_the_switcher(client, cast):
    person = _give_role_at(cast.other_school, cast.head, Role.STAFF)
    client.force_login(cast.head)
    client.post("/school/", {"school": "elm"})
    assert "What you can do at Elm Primary" in client.get("/").content.decode()

    person.roles.update(ended_at=timezone.now())
    html = client.get("/").content.decode()

    assert "What you can do at Oak Primary" in html
    assert 'id="school-select"' not in html


def test_a_roster_record_without_any_role_does_not_make_a_school_ones_own(client, cast):
    add_person(
        cast.other_school,
        Person.Kind.VOLUNTEER,
        "V1",
        "Alice",
        "Hartley",
        email="head@oak.example",
        user=cast.head,
    )

    html = _home(client, cast.head)

    assert "What you can do at Oak Primary" in html
    assert 'id="school-select"' not in html


def test_anonymous_visitor_is_sent_to_log_in(client, cast):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"
