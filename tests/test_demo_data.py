"""The demo school's roster generator. Pure: no Django, no database."""

from __future__ import annotations

import csv
import re
from collections import defaultdict

import pytest

from fairwatch import demo_data
from fairwatch.demo_data import (
    CONTACT_COLUMNS,
    ORG_ADMIN,
    PUPIL_COLUMNS,
    PUPIL_DOMAIN,
    SCHOOL_DOMAIN,
    STAFF_COLUMNS,
    DemoRoster,
    demo_login_for_role,
    generate,
    write_csvs,
)
from fairwatch.identifiers import normalise_upn
from fairwatch.roles import Role

RESERVED_DOMAINS = {"example.com", "example.net", "example.org"}


@pytest.fixture(scope="module")
def roster() -> DemoRoster:
    return generate()


def _roles(row: dict[str, str]) -> set[str]:
    return set(row["roles"].split(";"))


def _is_reserved(domain: str) -> bool:
    domain = domain.lower()
    return (
        domain in RESERVED_DOMAINS
        or domain == "example"
        or domain.endswith(".example")
        or any(domain.endswith("." + reserved) for reserved in RESERVED_DOMAINS)
    )


def test_the_same_seed_gives_the_same_roster():
    assert generate(7) == generate(7)
    assert generate() == generate(demo_data.DEFAULT_SEED)


def test_another_seed_gives_another_roster():
    assert generate(1).pupils != generate(2).pupils
    assert generate(1).contacts != generate(2).contacts


def test_generation_does_not_touch_the_global_random_state():
    import random

    random.seed(99)
    expected = random.random()
    random.seed(99)
    generate(5)
    assert random.random() == expected


def test_every_row_has_exactly_the_columns_of_its_csv_and_only_strings(roster):
    for rows, columns in (
        (roster.pupils, PUPIL_COLUMNS),
        (roster.staff, STAFF_COLUMNS),
        (roster.contacts, CONTACT_COLUMNS),
    ):
        for row in rows:
            assert tuple(row) == columns
            assert all(isinstance(value, str) for value in row.values())


def test_there_are_210_pupils_30_in_each_year_group_from_reception_to_year_6(roster):
    assert len(roster.pupils) == 210
    counts: dict[str, int] = defaultdict(int)
    for pupil in roster.pupils:
        counts[pupil["year_group"]] += 1
    assert counts == {yg: 30 for yg in ("R", "1", "2", "3", "4", "5", "6")}


def test_upns_are_valid_unique_and_from_the_demo_school(roster):
    upns = [pupil["upn"] for pupil in roster.pupils]
    assert len(set(upns)) == len(upns)
    for upn in upns:
        assert normalise_upn(upn) == upn
        assert upn[1:8] == "9262001"


def test_the_upn_year_is_the_year_the_pupil_started_reception(roster):
    for pupil in roster.pupils:
        offset = 0 if pupil["year_group"] == "R" else int(pupil["year_group"])
        assert int(pupil["upn"][8:10]) == (demo_data.ACADEMIC_YEAR - offset) % 100


def test_pupil_emails_are_unique_lower_case_ascii_and_in_the_pupil_domain(roster):
    emails = [pupil["email"] for pupil in roster.pupils]
    assert len(set(emails)) == len(emails)
    for email in emails:
        assert re.fullmatch(r"[a-z0-9-]+\.[a-z0-9-]+\d\d@" + re.escape(PUPIL_DOMAIN), email)


def test_names_with_accents_apostrophes_and_hyphens_become_plain_email_addresses():
    assert demo_data.ascii_slug("O'Neill") == "oneill"
    assert demo_data.ascii_slug("Smith-Jones") == "smith-jones"
    assert demo_data.ascii_slug("Zoë") == "zoe"
    assert demo_data.ascii_slug("Wiśniewski") == "wisniewski"
    assert demo_data.ascii_slug("Yılmaz") == "yilmaz"


def test_some_pupils_have_a_preferred_forename_and_a_few_a_preferred_surname(roster):
    preferred = [p for p in roster.pupils if p["preferred_forename"]]
    assert len(preferred) >= 5
    for pupil in preferred:
        assert demo_data.NICKNAMES[pupil["forename"]] == pupil["preferred_forename"]
    surnames = [p for p in roster.pupils if p["preferred_surname"]]
    assert 1 <= len(surnames) <= 20
    assert all(p["preferred_surname"] != p["surname"] for p in surnames)


def test_the_name_lists_include_names_that_are_also_ordinary_words():
    assert {"May", "Grace", "Will", "Bill", "Hope", "Rose"} <= set(demo_data.GIVEN_NAMES)
    assert {"Reading", "Brook", "Field", "Page", "May", "Rose"} <= set(demo_data.SURNAMES)
    assert {"O'Neill", "Smith-Jones"} <= set(demo_data.SURNAMES)
    assert len(set(demo_data.GIVEN_NAMES)) >= 110
    assert len(set(demo_data.SURNAMES)) >= 110


def test_every_pupil_has_a_contact_with_a_relationship(roster):
    upns = {pupil["upn"] for pupil in roster.pupils}
    linked = {row["pupil_upn"] for row in roster.contacts}
    assert linked == upns
    for row in roster.contacts:
        assert row["relationship"] in demo_data.RELATIONSHIPS


def test_each_pupil_has_one_or_two_contacts(roster):
    per_pupil: dict[str, set[str]] = defaultdict(set)
    for row in roster.contacts:
        per_pupil[row["pupil_upn"]].add(row["contact_id"])
    assert {len(ids) for ids in per_pupil.values()} <= {1, 2}


def test_a_contact_appears_with_the_same_details_on_every_row(roster):
    details: dict[str, tuple[str, ...]] = {}
    for row in roster.contacts:
        assert re.fullmatch(r"C\d{4}", row["contact_id"])
        person = tuple(row[c] for c in ("forename", "surname", "email", "phone"))
        assert details.setdefault(row["contact_id"], person) == person
    emails = [email for _, _, email, _ in details.values() if email]
    assert len(set(emails)) == len(emails)


def test_siblings_share_a_contact(roster):
    children: dict[str, list[str]] = defaultdict(list)
    for row in roster.contacts:
        children[row["contact_id"]].append(row["pupil_upn"])
    families = [upns for upns in children.values() if len(upns) > 1]
    assert families, "some contacts have more than one child at the school"
    assert all(len(set(upns)) == len(upns) for upns in children.values())
    # About a fifth of families have two or three children at the school.
    by_pupil = {p["upn"]: p for p in roster.pupils}
    sizes = {len(upns) for upns in families}
    assert sizes <= {2, 3}
    assert 20 <= len({tuple(sorted(upns)) for upns in families}) <= 60
    # Siblings are usually in different year groups and usually share a surname.
    same_surname = sum(len({by_pupil[upn]["surname"] for upn in upns}) == 1 for upns in families)
    assert same_surname > len(families) / 2
    different_years = sum(
        len({by_pupil[upn]["year_group"] for upn in upns}) == len(upns) for upns in families
    )
    assert different_years > len(families) / 2


def test_contacts_have_phones_in_the_drama_ranges_and_about_5_percent_have_no_email(roster):
    people = {row["contact_id"]: row for row in roster.contacts}
    for person in people.values():
        assert re.fullmatch(r"07700 900\d{3}|01632 960\d{3}", person["phone"])
    without_email = [p for p in people.values() if not p["email"]]
    assert 1 <= len(without_email) <= 0.1 * len(people)


def test_every_role_but_org_admin_is_held_by_someone_on_the_staff_roster(roster):
    held = set().union(*(_roles(row) for row in roster.staff))
    assert held == {role.value for role in Role} - {Role.ORG_ADMIN.value}


def test_the_single_holders_and_the_volunteers_of_the_key_roles(roster):
    def holders(role: Role) -> list[dict[str, str]]:
        return [row for row in roster.staff if role.value in _roles(row)]

    for role in (Role.HEADTEACHER, Role.DSL, Role.DPO, Role.IT_MANAGER, Role.ESAFETY_MONITOR):
        assert len(holders(role)) == 1
        assert _roles(holders(role)[0]) == {Role.STAFF.value, role.value}
    (hr,) = holders(Role.HR_ADVISER)
    assert _roles(hr) == {"hr_adviser"}
    assert hr["email"].endswith("@educationhr.example")
    (chair,) = holders(Role.CHAIR_OF_GOVERNORS)
    assert _roles(chair) == {"chair_of_governors"}
    assert chair["email"].endswith("@" + SCHOOL_DOMAIN)


def test_every_staff_row_includes_staff_except_the_hr_adviser_and_the_chair(roster):
    for row in roster.staff:
        if row["roles"] in ("hr_adviser", "chair_of_governors"):
            continue
        assert Role.STAFF.value in _roles(row)


def test_staff_have_ids_and_unique_school_addresses(roster):
    assert 25 <= len(roster.staff) <= 32
    ids = [row["staff_id"] for row in roster.staff]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"S\d{3}", staff_id) for staff_id in ids)
    emails = [row["email"] for row in roster.staff]
    assert len(set(emails)) == len(emails)
    for row in roster.staff:
        if row["roles"] == "hr_adviser":
            continue
        assert re.fullmatch(r"[a-z][a-z0-9-]+@" + re.escape(SCHOOL_DOMAIN), row["email"])
        assert row["email"][0] == demo_data.ascii_slug(row["forename"])[0]


def test_no_role_holders_surname_is_shared_with_a_pupil_or_a_contact(roster):
    logins = set(demo_login_for_role(roster).values())
    others = {p["surname"] for p in roster.pupils}
    others |= {p["preferred_surname"] for p in roster.pupils}
    others |= {c["surname"] for c in roster.contacts}
    for row in roster.staff:
        if row["email"] in logins:
            assert row["surname"] not in others
    assert ORG_ADMIN["surname"] not in others


def test_org_admin_is_a_separate_constant_not_on_the_staff_roster(roster):
    assert set(ORG_ADMIN) == {"forename", "surname", "email"}
    assert ORG_ADMIN["email"] == "admin@broadlandtrust.example"
    assert Role.ORG_ADMIN.value not in set().union(*(_roles(row) for row in roster.staff))
    assert ORG_ADMIN["email"] not in {row["email"] for row in roster.staff}


def test_demo_login_for_role_covers_every_role_with_someone_who_holds_it(roster):
    logins = demo_login_for_role(roster)
    assert set(logins) == {role.value for role in Role}
    assert logins["org_admin"] == ORG_ADMIN["email"]
    by_email = {row["email"]: row for row in roster.staff}
    for role, email in logins.items():
        if role == "org_admin":
            continue
        assert role in _roles(by_email[email])
    assert _roles(by_email[logins["staff"]]) == {"staff"}


def test_demo_login_for_role_prefers_someone_whose_only_special_role_is_that_one():
    staff = [
        {"staff_id": "S001", "email": "head@x.example", "roles": "staff;headteacher;dsl"},
        {"staff_id": "S002", "email": "dsl@x.example", "roles": "staff;dsl"},
        {"staff_id": "S003", "email": "boss@x.example", "roles": "staff;headteacher;dpo"},
        {"staff_id": "S004", "email": "teacher@x.example", "roles": "staff"},
        {"staff_id": "S005", "email": "it@x.example", "roles": "it_manager;dpo"},
        {"staff_id": "S006", "email": "hr@x.example", "roles": "hr_adviser"},
        {"staff_id": "S007", "email": "chair@x.example", "roles": "chair_of_governors"},
        {"staff_id": "S008", "email": "es@x.example", "roles": "staff;esafety_monitor"},
    ]
    logins = demo_login_for_role(DemoRoster(pupils=[], staff=staff, contacts=[]))
    assert logins["dsl"] == "dsl@x.example"
    assert logins["headteacher"] == "head@x.example"  # nobody is only head: the first holder
    assert logins["staff"] == "teacher@x.example"
    assert logins["dpo"] == "boss@x.example"


def test_demo_login_for_role_says_which_role_nobody_holds():
    staff = [{"staff_id": "S001", "email": "t@x.example", "roles": "staff"}]
    with pytest.raises(ValueError, match="headteacher"):
        demo_login_for_role(DemoRoster(pupils=[], staff=staff, contacts=[]))


@pytest.mark.parametrize("seed", [demo_data.DEFAULT_SEED, 1, 12345])
def test_every_address_in_the_whole_roster_is_on_a_reserved_example_domain(seed):
    roster = generate(seed)
    addresses = [ORG_ADMIN["email"]]
    for rows in (roster.pupils, roster.staff, roster.contacts):
        for row in rows:
            addresses += [value for value in row.values() if "@" in value]
    assert len(addresses) > 400
    for address in addresses:
        local, _, domain = address.partition("@")
        assert local and address.isascii() and address == address.lower()
        assert _is_reserved(domain), address


def test_write_csvs_round_trips_with_exact_headers(roster, tmp_path):
    paths = write_csvs(roster, tmp_path / "demo")
    assert set(paths) == {"pupils", "staff", "contacts"}
    expected = {
        "pupils": (PUPIL_COLUMNS, roster.pupils),
        "staff": (STAFF_COLUMNS, roster.staff),
        "contacts": (CONTACT_COLUMNS, roster.contacts),
    }
    for name, (columns, rows) in expected.items():
        path = paths[name]
        assert path == tmp_path / "demo" / f"{name}.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            assert handle.readline().rstrip("\r\n") == ",".join(columns)
            handle.seek(0)
            reader = csv.DictReader(handle)
            assert tuple(reader.fieldnames or ()) == columns
            assert list(reader) == rows
