"""The people list: who sees which kinds of people, search, paging, and the audit trail."""

from __future__ import annotations

import html as html_lib
import json
import re
import warnings

import pytest
from django.core.paginator import UnorderedObjectListWarning
from django.utils import timezone

from fairwatch.audit.models import AuditEntry
from fairwatch.roles import Role
from fairwatch.schools.models import Person
from tests.cast import add_person, upn

SCHOOL_ADMIN = "school administration"
STAFF_NAMES = [
    "Charles Bell",
    "Alice Hartley",
    "Esther Mills",
    "Peter Okafor",
    "Helen Ramsay",
    "Debbie Singh (Deborah Singh)",
    "Ian Turner",
    "Tom Wren (Thomas Wren)",
]
PUPIL_NAMES = ["Noah Bright", "Amelia Grant", "Olly Grant (Oliver Grant)", "Isla May"]
CONTACT_NAMES = ["Mark Bright", "Sarah Grant", "June May"]
# The contacts tab also shows each contact's pupils, so it needs (and records) both reads.
ACTIONS_FOR_TAB = {
    "staff": ["people.view_staff"],
    "pupils": ["people.view_pupils"],
    "contacts": ["people.view_contacts", "people.view_pupils"],
}
KINDS_FOR_TAB = {
    "staff": ["staff", "volunteer"],
    "pupils": ["pupil"],
    "contacts": ["contact", "pupil"],
}


# ---------------------------------------------------------------- helpers


def _text(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def _rows(html: str) -> list[tuple[str, list[str]]]:
    """(name, [other cells]) for each person row of the table."""
    rows = re.findall(r'<tr>\s*<th scope="row">(.*?)</th>(.*?)</tr>', html, re.S)
    return [
        (_text(name), [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", rest, re.S)])
        for name, rest in rows
    ]


def _names(html: str) -> list[str]:
    return [name for name, _ in _rows(html)]


def _last_seq() -> int:
    last = AuditEntry.objects.order_by("-seq").first()
    return last.seq if last else 0


def _view(client, user, **params):
    client.force_login(user)
    return client.get("/people/", params)


def _view_and_entries(client, user, **params):
    """The response, and the audit entries written while producing it."""
    client.force_login(user)
    since = _last_seq()
    response = client.get("/people/", params)
    return response, list(AuditEntry.objects.filter(seq__gt=since).order_by("seq"))


def _personal_strings() -> set[str]:
    """Every name, email and id on any roster: none may appear in an audit entry's detail."""
    found: set[str] = set()
    for p in Person.objects.all():
        for value in (
            p.forename,
            p.surname,
            p.preferred_forename,
            p.preferred_surname,
            p.email,
            p.external_id,
            p.display_name,
        ):
            if value and len(value) > 2:
                found.add(value.lower())
    return found


def _add_staff(school, count: int, *, surname_prefix: str = "Zz") -> None:
    Person.objects.bulk_create(
        Person(
            school=school,
            roster=Person.Roster.STAFF,
            kind=Person.Kind.STAFF,
            external_id=f"T{i:03}",
            forename="Temp",
            surname=f"{surname_prefix}{i:03}",
        )
        for i in range(count)
    )


# ---------------------------------------------------------------- what the Headteacher sees


def test_headteacher_sees_the_staff_list_with_preferred_names_and_roles(client, cast):
    response = _view(client, cast.head, kind="staff")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Staff and volunteers</h1>" in html
    assert "Looking at this list is recorded in the audit trail." in html
    assert "8 people." in html
    rows = dict(_rows(html))
    assert list(rows) == STAFF_NAMES
    email, roles = rows["Alice Hartley"]
    assert email == "head@oak.example"
    assert set(roles.split(", ")) == {"Headteacher", "Staff member or volunteer"}
    assert rows["Helen Ramsay"][1] == "HR adviser"


def test_headteacher_sees_pupils_with_year_group_and_preferred_names(client, cast):
    response = _view(client, cast.head, kind="pupils")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Pupils</h1>" in html
    rows = dict(_rows(html))
    assert sorted(rows) == sorted(PUPIL_NAMES)
    # email, year group, number of parents or carers
    assert rows["Olly Grant (Oliver Grant)"] == ["oliver.grant@pupils.oak.example", "3", "1"]
    assert rows["Amelia Grant"][1:] == ["5", "1"]
    assert rows["Noah Bright"][1:] == ["R", "1"]
    assert rows["Isla May"][1:] == ["6", "1"]
    assert "or UPN" in html  # the search box says UPNs work here


def test_headteacher_sees_contacts_with_their_linked_pupils_and_relationship(client, cast):
    response = _view(client, cast.head, kind="contacts")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Parents and carers</h1>" in html
    rows = dict(_rows(html))
    assert list(rows) == CONTACT_NAMES
    email, phone, linked = rows["Sarah Grant"]
    assert (email, phone) == ("sarah.grant@example.com", "07700900001")
    assert sorted(linked.split("; ")) == ["Amelia Grant (mother)", "Olly Grant (mother)"]
    assert rows["Mark Bright"][2] == "Noah Bright (father)"
    assert rows["June May"] == ["—", "07700900003", "Isla May (grandparent)"]


def test_headteacher_sees_a_tab_for_each_kind_of_person(client, cast):
    html = _view(client, cast.head, kind="staff").content.decode()

    tabs = re.findall(r'<li><a href="\?kind=([a-z]+)"', html)
    assert tabs == ["staff", "pupils", "contacts"]
    assert '<a href="?kind=staff" aria-current="page">' in html


def test_an_unknown_tab_shows_the_staff_list(client, cast):
    response = _view(client, cast.head, kind="bogus")

    assert response.status_code == 200
    assert _names(response.content.decode()) == STAFF_NAMES


# ---------------------------------------------------------------- search


@pytest.mark.parametrize(
    ("kind", "query", "expected"),
    [
        ("pupils", "Grant", ["Amelia Grant", "Olly Grant (Oliver Grant)"]),
        ("pupils", "grant", ["Amelia Grant", "Olly Grant (Oliver Grant)"]),
        ("pupils", "Olly", ["Olly Grant (Oliver Grant)"]),
        ("pupils", "Oliver", ["Olly Grant (Oliver Grant)"]),
        ("pupils", "isla.may@", ["Isla May"]),
        ("staff", "Wren", ["Tom Wren (Thomas Wren)"]),
        ("staff", "debbie", ["Debbie Singh (Deborah Singh)"]),
        ("contacts", "Sarah", ["Sarah Grant"]),
        ("pupils", "Nobody-By-This-Name", []),
    ],
)
def test_search_by_name_or_email(client, cast, kind, query, expected):
    html = _view(client, cast.head, kind=kind, q=query).content.decode()

    assert sorted(_names(html)) == expected
    assert f"matching “{query}”" in html


def test_search_by_upn_finds_exactly_that_pupil(client, cast):
    for query in (upn(3), upn(3).lower(), f"  {upn(3)}  "):
        html = _view(client, cast.head, kind="pupils", q=query).content.decode()
        assert _names(html) == ["Noah Bright"], query
        assert "1 person" in html


def test_part_of_a_upn_does_not_match(client, cast):
    html = _view(client, cast.head, kind="pupils", q=upn(3)[:6]).content.decode()

    assert _names(html) == []


def test_search_is_kept_within_the_tab(client, cast):
    # Sarah Grant is a contact; on the pupils tab only the Grant pupils match.
    html = _view(client, cast.head, kind="pupils", q="Sarah").content.decode()

    assert _names(html) == []


# ---------------------------------------------------------------- paging and leavers


def _add_pupils(school, count: int) -> None:
    Person.objects.bulk_create(
        Person(
            school=school,
            roster=Person.Roster.PUPILS,
            kind=Person.Kind.PUPIL,
            external_id=upn(100 + i),
            forename="Temp",
            # Created in reverse name order, so insertion order is not name order.
            surname=f"Zz{count - i:03}",
            year_group="4",
        )
        for i in range(count)
    )


def test_pupils_are_listed_by_surname_then_forename(client, cast):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnorderedObjectListWarning)
        html = _view(client, cast.head, kind="pupils").content.decode()

    assert _names(html) == PUPIL_NAMES


def test_pupil_pages_are_in_name_order_and_together_list_every_pupil_once(client, cast):
    _add_pupils(cast.school, 60)

    with warnings.catch_warnings():
        warnings.simplefilter("error", UnorderedObjectListWarning)
        first = _names(_view(client, cast.head, kind="pupils").content.decode())
        second = _names(_view(client, cast.head, kind="pupils", page="2").content.decode())

    assert len(first) == 50 and len(second) == 14
    assert first + second == sorted(first + second, key=lambda n: n.split(" (")[0].split()[::-1])
    assert len(set(first + second)) == 64


def test_long_lists_are_paginated_fifty_to_a_page(client, cast):
    _add_staff(cast.school, 60)

    first = _view(client, cast.head, kind="staff").content.decode()
    assert "68 people." in first
    assert len(_rows(first)) == 50
    assert _names(first)[:8] == STAFF_NAMES
    assert "Page 1 of 2" in first
    assert 'href="?kind=staff&amp;page=2">Next</a>' in first
    assert ">Previous</a>" not in first

    second = _view(client, cast.head, kind="staff", page="2").content.decode()
    assert len(_rows(second)) == 18
    assert "Page 2 of 2" in second
    assert 'href="?kind=staff&amp;page=1">Previous</a>' in second
    assert ">Next</a>" not in second
    assert set(_names(first)).isdisjoint(_names(second))

    beyond = _view(client, cast.head, kind="staff", page="99").content.decode()
    assert "Page 2 of 2" in beyond
    nonsense = _view(client, cast.head, kind="staff", page="abc").content.decode()
    assert "Page 1 of 2" in nonsense


def test_paging_links_keep_the_search(client, cast):
    _add_staff(cast.school, 60)

    html = _view(client, cast.head, kind="staff", q="Zz").content.decode()

    assert "60 people matching" in html
    assert 'href="?kind=staff&amp;q=Zz&amp;page=2">Next</a>' in html


def test_a_short_list_has_no_paging(client, cast):
    html = _view(client, cast.head, kind="staff").content.decode()

    assert 'aria-label="Pages"' not in html


def test_leavers_are_not_listed(client, cast):
    leaver = cast.pupil(2)
    leaver.status = Person.Status.LEFT
    leaver.left_at = timezone.now()
    leaver.save()
    Person.objects.filter(school=cast.school, external_id="S6").update(
        status=Person.Status.LEFT, left_at=timezone.now()
    )

    pupils = _view(client, cast.head, kind="pupils").content.decode()
    staff = _view(client, cast.head, kind="staff").content.decode()
    searched = _view(client, cast.head, kind="pupils", q=upn(2)).content.decode()

    assert "Amelia Grant" not in _names(pupils)
    assert len(_rows(pupils)) == 3
    assert "Esther Mills" not in _names(staff)
    assert _names(searched) == []


# ---------------------------------------------------------------- who may see what


def test_dsl_sees_pupils(client, cast):
    response = _view(client, cast.dsl, kind="pupils")

    assert response.status_code == 200
    assert sorted(_names(response.content.decode())) == sorted(PUPIL_NAMES)


def test_hr_adviser_sees_staff_but_is_refused_pupils_and_contacts(client, cast):
    staff = _view(client, cast.hr, kind="staff")
    assert staff.status_code == 200
    assert _names(staff.content.decode()) == STAFF_NAMES
    # Only the tab they may open is offered.
    assert re.findall(r'<li><a href="\?kind=([a-z]+)"', staff.content.decode()) == ["staff"]

    for kind in ("pupils", "contacts"):
        refused = _view(client, cast.hr, kind=kind)
        assert refused.status_code == 403, kind
        html = refused.content.decode()
        assert "You cannot see this page" in html
        assert not any(name.split(" (")[0] in html for name in PUPIL_NAMES + CONTACT_NAMES)


@pytest.mark.parametrize("who", ["teacher", "monitor", "org_admin"])
@pytest.mark.parametrize("kind", ["staff", "pupils", "contacts"])
def test_staff_monitor_and_org_admin_are_refused_every_people_list(client, cast, who, kind):
    response = _view(client, getattr(cast, who), kind=kind)

    assert response.status_code == 403
    html = response.content.decode()
    assert "You cannot see this page" in html
    assert "This attempt has been recorded." in html
    for name in ("Hartley", "Okafor", "Olly", "Amelia", "Sarah Grant", upn(1)):
        assert name not in html


def test_a_signed_in_user_with_no_school_gets_403_and_no_names(client, cast):
    cast.outsider.refresh_from_db()  # the cast keeps a stale copy from before passwords were set

    response = _view(client, cast.outsider, kind="staff")

    assert response.status_code == 403
    html = response.content.decode()
    assert "You have no role at a school yet" in html
    assert "Hartley" not in html


def test_anonymous_visitor_is_sent_to_log_in_and_nothing_is_recorded(client, cast):
    since = _last_seq()

    response = client.get("/people/", {"kind": "pupils"})

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert _last_seq() == since


# ---------------------------------------------------------------- the audit trail


@pytest.mark.parametrize(
    ("who", "kind", "role"),
    [
        ("head", "staff", "headteacher"),
        ("head", "pupils", "headteacher"),
        ("head", "contacts", "headteacher"),
        ("dsl", "pupils", "dsl"),
        ("dsl", "contacts", "dsl"),
        ("dpo", "pupils", "dpo"),
        ("it", "staff", "it_manager"),
        ("hr", "staff", "hr_adviser"),
        ("chair", "staff", "chair_of_governors"),
    ],
)
def test_an_allowed_view_writes_one_allowed_entry_per_read(client, cast, who, kind, role):
    user = getattr(cast, who)

    response, entries = _view_and_entries(client, user, kind=kind)

    assert response.status_code == 200
    assert [e.action for e in entries] == ACTIONS_FOR_TAB[kind]
    for entry in entries:
        assert entry.outcome == AuditEntry.Outcome.ALLOWED
        assert entry.role == role
        assert entry.purpose == SCHOOL_ADMIN
        assert entry.school_id == cast.school.pk
        assert entry.actor_id == user.pk
        assert entry.object_type == "people"
        assert entry.detail == {
            "kinds": KINDS_FOR_TAB[kind],
            "view": "people list",
            "search": False,
        }
    entry = entries[0]
    assert entry.purpose == SCHOOL_ADMIN
    assert entry.school_id == cast.school.pk
    assert entry.actor_id == user.pk
    assert entry.actor_label == user.get_username()
    assert entry.object_type == "people"
    assert entry.detail == {"kinds": KINDS_FOR_TAB[kind], "view": "people list", "search": False}


@pytest.mark.parametrize(
    ("who", "kind"),
    [
        ("teacher", "staff"),
        ("teacher", "pupils"),
        ("monitor", "staff"),
        ("monitor", "contacts"),
        ("hr", "pupils"),
        ("hr", "contacts"),
        ("it", "pupils"),
        ("it", "contacts"),
        ("chair", "pupils"),
        ("org_admin", "staff"),
        ("org_admin", "pupils"),
    ],
)
def test_a_refused_view_writes_exactly_one_refused_entry(client, cast, who, kind):
    user = getattr(cast, who)
    client.force_login(user)
    client.post("/school/", {"school": "oak"})  # the org admin's first school would be Elm

    response, entries = _view_and_entries(client, user, kind=kind)

    assert response.status_code == 403
    assert len(entries) == 1
    entry = entries[0]
    assert entry.outcome == AuditEntry.Outcome.REFUSED
    assert entry.action == ACTIONS_FOR_TAB[kind][0]
    assert entry.role == ""
    assert entry.purpose == SCHOOL_ADMIN
    assert entry.school_id == cast.school.pk
    assert entry.actor_id == user.pk
    assert entry.actor_label == user.get_username()
    assert entry.detail == {"kinds": KINDS_FOR_TAB[kind], "view": "people list", "search": False}


def test_staff_member_is_refused_the_staff_list_and_the_refusal_is_recorded(client, cast):
    response, entries = _view_and_entries(client, cast.teacher, kind="staff")

    assert response.status_code == 403
    assert [(e.actor_label, e.action, e.outcome) for e in entries] == [
        ("teacher@oak.example", "people.view_staff", "refused")
    ]


def test_an_org_admins_refusal_is_recorded_against_the_school_they_are_working_in(client, cast):
    # With no choice made, an admin of the trust works in its first school by name: Elm.
    response, entries = _view_and_entries(client, cast.org_admin, kind="staff")

    assert response.status_code == 403
    assert len(entries) == 1
    assert entries[0].school_id == cast.other_school.pk
    assert entries[0].outcome == "refused"


def test_a_search_is_recorded_as_a_search_without_the_words_searched_for(client, cast):
    response, entries = _view_and_entries(client, cast.head, kind="pupils", q="Grant")

    assert response.status_code == 200
    assert len(entries) == 1
    assert entries[0].detail == {"kinds": ["pupil"], "view": "people list", "search": True}
    assert "grant" not in json.dumps(entries[0].detail).lower()


def test_no_audit_detail_ever_holds_a_name_email_or_upn(client, cast):
    since = _last_seq()
    for user, kind, query in [
        (cast.head, "staff", ""),
        (cast.head, "pupils", "Olly"),
        (cast.head, "pupils", upn(1)),
        (cast.head, "contacts", "sarah.grant@example.com"),
        (cast.dsl, "pupils", "Bright"),
        (cast.hr, "pupils", "Isla"),
        (cast.teacher, "staff", "Hartley"),
    ]:
        _view(client, user, kind=kind, q=query)

    entries = list(AuditEntry.objects.filter(seq__gt=since))
    assert len(entries) == 8  # the contacts tab records its contacts and its pupils
    personal = _personal_strings()
    for entry in entries:
        detail = json.dumps(entry.detail).lower()
        leaked = {value for value in personal if value in detail}
        assert not leaked, (entry.seq, leaked)


def test_each_page_of_a_paged_list_is_recorded(client, cast):
    _add_staff(cast.school, 60)

    _, first = _view_and_entries(client, cast.head, kind="staff")
    _, second = _view_and_entries(client, cast.head, kind="staff", page="2")

    assert len(first) == len(second) == 1


# ---------------------------------------------------------------- one school never shows another


@pytest.fixture
def elm_people(cast):
    """Elm has its own staff member and pupil, whose names appear nowhere at Oak."""
    staff = add_person(
        cast.other_school,
        Person.Kind.STAFF,
        "E1",
        "Quentin",
        "Elmsworth",
        roles=[Role.HEADTEACHER],
        email="quentin@elm.example",
    )
    pupil = add_person(
        cast.other_school, Person.Kind.PUPIL, upn(99), "Xanthe", "Elmfield", year_group="4"
    )
    return staff, pupil


def test_a_user_with_a_role_at_oak_sees_nothing_of_elm(client, cast, elm_people):
    client.force_login(cast.head)
    client.post("/school/", {"school": "elm"})  # not theirs: ignored

    for kind in ("staff", "pupils", "contacts"):
        html = client.get("/people/", {"kind": kind}).content.decode()
        assert "Elmsworth" not in html and "Elmfield" not in html, kind
        assert "Elm Primary" not in html, kind
    for query in ("Elmsworth", "Xanthe", upn(99), "elm.example"):
        html = client.get("/people/", {"kind": "pupils", "q": query}).content.decode()
        assert _names(html) == [], query
        html = client.get("/people/", {"kind": "staff", "q": query}).content.decode()
        assert _names(html) == [], query

    # Everything was recorded against Oak, the only school they work at.
    assert not AuditEntry.objects.filter(actor=cast.head, school=cast.other_school).exists()


def test_a_headteacher_at_both_schools_sees_only_the_chosen_schools_people(
    client, cast, elm_people
):
    staff_at_elm, _ = elm_people
    add_person(
        cast.other_school,
        Person.Kind.STAFF,
        "E2",
        "Alice",
        "Hartley",
        roles=[Role.STAFF],
        email="head@oak.example",
        user=cast.head,
    )
    client.force_login(cast.head)

    oak = client.get("/people/", {"kind": "staff"}).content.decode()
    assert "Quentin Elmsworth" not in _names(oak)

    client.post("/school/", {"school": "elm"})
    refused = client.get("/people/", {"kind": "staff"})
    # At Elm they are plain staff, so Elm's staff list is refused, and recorded at Elm.
    assert refused.status_code == 403
    assert "Elmsworth" not in refused.content.decode()
    last = AuditEntry.objects.order_by("-seq").first()
    assert (last.school_id, last.outcome, last.role) == (cast.other_school.pk, "refused", "")
