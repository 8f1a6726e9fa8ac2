"""Roster import: atomic, idempotent, leavers kept, every bad row named by file, line, field."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from fairwatch.schools.models import ContactLink, Person, RoleAssignment
from fairwatch.schools.roster import RosterInvalid, import_roster, read_roster_file
from tests.cast import STAFF_CSV, contacts_csv, pupils_csv, upn


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(school, tmp_path, **texts):
    files = {
        kind: read_roster_file(kind, write(tmp_path, f"{kind}.csv", text))
        for kind, text in texts.items()
    }
    return import_roster(school, **files)


def snapshot(school):
    people = list(
        Person.objects.filter(school=school)
        .order_by("pk")
        .values("roster", "external_id", "forename", "surname", "email", "status", "year_group")
    )
    links = list(ContactLink.objects.order_by("pk").values("contact", "pupil", "relationship"))
    roles = list(RoleAssignment.objects.order_by("pk").values("person", "role", "ended_at"))
    return people, links, roles


def test_a_full_roster_is_imported_with_links_roles_and_accounts(cast):
    pupils = Person.objects.filter(school=cast.school, kind=Person.Kind.PUPIL)
    assert pupils.count() == 4
    oliver = cast.pupil(1)
    assert (oliver.preferred_forename, oliver.year_group) == ("Olly", "3")
    assert oliver.display_name == "Olly Grant"
    sarah = Person.objects.get(school=cast.school, external_id="C1")
    assert sorted(link.pupil.external_id for link in sarah.pupil_links.all()) == [upn(1), upn(2)]
    assert sarah.pupil_links.first().relationship == "mother"
    head = Person.objects.get(school=cast.school, external_id="S1")
    assert head.user == cast.head
    assert set(head.roles.values_list("role", flat=True)) == {"headteacher", "staff"}
    # Pupils and parents get no log-in.
    assert not get_user_model().objects.filter(username__endswith="example.com").exists()


def test_importing_the_same_files_again_changes_nothing(cast, tmp_path):
    before = snapshot(cast.school)
    report = run(
        cast.school, tmp_path, staff=STAFF_CSV, pupils=pupils_csv(), contacts=contacts_csv()
    )
    assert snapshot(cast.school) == before
    assert report.counts["pupils"].unchanged == 4
    assert report.counts["staff"].added == 0
    assert report.links_added == report.links_removed == 0


def test_a_changed_row_updates_the_person_in_place(cast, tmp_path):
    pk = cast.pupil(3).pk
    report = run(cast.school, tmp_path, pupils=pupils_csv().replace(",R\n", ",1\n"))
    assert report.counts["pupils"].updated == 1
    noah = Person.objects.get(pk=pk)
    assert noah.year_group == "1"


def test_a_pupil_missing_from_a_new_import_is_marked_left_not_deleted(cast, tmp_path):
    lines = pupils_csv().splitlines()
    without_isla = "\n".join(line for line in lines if "Isla" not in line) + "\n"
    report = run(cast.school, tmp_path, pupils=without_isla)
    isla = Person.objects.get(school=cast.school, external_id=upn(4))
    assert isla.status == Person.Status.LEFT and isla.left_at is not None
    assert report.counts["pupils"].left == 1
    # Coming back makes them current again.
    report = run(cast.school, tmp_path, pupils=pupils_csv())
    isla.refresh_from_db()
    assert isla.status == Person.Status.CURRENT and isla.left_at is None
    assert report.counts["pupils"].returned == 1


def test_a_leaver_loses_roles_and_log_in(cast, tmp_path):
    without_dsl = "\n".join(line for line in STAFF_CSV.splitlines() if not line.startswith("S2,"))
    report = run(cast.school, tmp_path, staff=without_dsl + "\n")
    cast.dsl.refresh_from_db()
    assert not cast.dsl.is_active
    assert not RoleAssignment.objects.filter(person__user=cast.dsl, ended_at__isnull=True).exists()
    assert report.accounts_disabled == 1


def test_roles_follow_the_roster_but_roles_given_by_hand_stay(cast, tmp_path):
    from fairwatch.roles import Role
    from fairwatch.schools.services import grant_role

    grant_role(cast.school, "teacher@oak.example", Role.DSL)
    changed = STAFF_CSV.replace("it@oak.example,it_manager;staff", "it@oak.example,staff")
    run(cast.school, tmp_path, staff=changed)
    active = dict(
        RoleAssignment.objects.filter(ended_at__isnull=True)
        .values_list("person__email", "role")
        .filter(role__in=["it_manager", "dsl"])
    )
    assert "it@oak.example" not in active
    assert RoleAssignment.objects.filter(
        person__email="teacher@oak.example", role="dsl", ended_at__isnull=True
    ).exists()


@pytest.mark.parametrize(
    "kind, text, expected",
    [
        (
            "pupils",
            pupils_csv().replace(upn(2), "A" + upn(2)[1:]),
            "pupils.csv:3: upn: UPN",
        ),
        (
            "pupils",
            pupils_csv().replace(",Amelia,", ",,"),
            "pupils.csv:3: forename: is empty",
        ),
        ("pupils", pupils_csv().replace(",5\n", ",Year 15\n"), "pupils.csv:3: year_group:"),
        (
            "pupils",
            pupils_csv().replace("amelia.grant@pupils.oak.example", "not-an-email"),
            "pupils.csv:3: email: 'not-an-email' is not an email address",
        ),
        ("staff", STAFF_CSV.replace("dpo\n", "caretaker\n"), "staff.csv:4: roles: unknown role"),
        ("staff", STAFF_CSV.replace("dpo\n", "org_admin\n"), "staff.csv:4: roles: org_admin"),
        (
            "staff",
            STAFF_CSV.replace("S2,", "S1,"),
            "staff.csv:3: staff_id: 'S1' is already used on line 2",
        ),
        (
            "contacts",
            contacts_csv().replace(f"07700900002,{upn(3)}", f"07700900002,{upn(99)}"),
            "contacts.csv:4: pupil_upn:",
        ),
        (
            "contacts",
            contacts_csv().replace("sarah.grant@example.com,07700900001,", "s@example.com,x,", 1),
            "contacts.csv:3: email: contact C1 has email 's@example.com' on line 2",
        ),
        ("pupils", "upn,forename\n", "pupils.csv:1: surname: column is missing"),
        (
            "pupils",
            pupils_csv().replace(",Amelia,", "," + "A" * 101 + ","),
            "pupils.csv:3: forename: is 101 characters long; at most 100",
        ),
        (
            "staff",
            STAFF_CSV.replace("Peter", "Pe\x00ter"),
            "staff.csv:4: forename: contains a control character",
        ),
        (
            "contacts",
            contacts_csv().replace("grandparent", "g" * 41),
            "contacts.csv:5: relationship: is 41 characters long; at most 40",
        ),
        ("pupils", "", "pupils.csv:1: is empty"),
    ],
)
def test_a_bad_file_is_refused_naming_file_line_and_field_and_nothing_changes(
    cast, tmp_path, kind, text, expected
):
    before = snapshot(cast.school)
    with pytest.raises(RosterInvalid) as info:
        run(cast.school, tmp_path, **{kind: text})
    messages = [str(e) for e in info.value.errors]
    assert any(m.startswith(str(tmp_path / expected)) for m in messages), messages
    assert snapshot(cast.school) == before


def test_one_bad_file_among_several_means_none_is_applied(cast, tmp_path):
    before = snapshot(cast.school)
    good_pupils = pupils_csv().replace(",Olly,", ",Ollie,")
    bad_staff = STAFF_CSV.replace("S5,Thomas,Wren", "S5,,Wren")
    with pytest.raises(RosterInvalid):
        run(cast.school, tmp_path, pupils=good_pupils, staff=bad_staff)
    assert snapshot(cast.school) == before


def test_every_bad_row_is_reported_not_only_the_first(cast, tmp_path):
    text = pupils_csv().replace(",Amelia,", ",,").replace(",Noah,", ",,")
    with pytest.raises(RosterInvalid) as info:
        run(cast.school, tmp_path, pupils=text)
    assert [(e.line, e.field) for e in info.value.errors] == [(3, "forename"), (4, "forename")]


def test_a_file_that_is_not_utf8_is_refused_with_its_line(cast, tmp_path):
    text = pupils_csv().replace("Isla", "Ísla")
    with pytest.raises(RosterInvalid) as info:
        run_bytes = read_roster_file("pupils", write(tmp_path, "p.csv", text, "latin-1"))
        import_roster(cast.school, pupils=run_bytes)
    assert info.value.errors[0].line == 5
    assert "UTF-8" in info.value.errors[0].message


def test_a_byte_order_mark_and_mis_header_spellings_are_accepted(db, tmp_path):
    from fairwatch.schools.services import create_school

    school = create_school(slug="ash", name="Ash", domains=["ash.example"])
    text = (
        "\ufeffUPN,Legal Forename,Legal Surname,Known As,Preferred Surname,Email Address,"
        "NC Year,Admission Date\n"
        f"{upn(7)},Zoë,O'Neill,Zo,,zoe@pupils.ash.example,Reception,2024-09-04\n"
    )
    roster = read_roster_file("pupils", write(tmp_path, "sims.csv", text))
    report = import_roster(school, pupils=roster)
    zoe = Person.objects.get(school=school)
    assert (zoe.forename, zoe.surname, zoe.preferred_forename, zoe.year_group) == (
        "Zoë",
        "O'Neill",
        "Zo",
        "R",
    )
    assert report.ignored_columns == {"pupils": ["Admission Date"]}


def test_contacts_alone_link_to_the_schools_current_pupils(cast, tmp_path):
    text = (
        "contact_id,forename,surname,email,phone,pupil_upn,relationship\n"
        f"C9,Grace,Field,grace@example.org,,{upn(4)},Foster Carer\n"
    )
    report = run(cast.school, tmp_path, contacts=text)
    grace = Person.objects.get(school=cast.school, external_id="C9")
    assert grace.pupil_links.get().relationship == "foster carer"
    assert report.counts["contacts"].left == 3  # the contacts file is the whole list
    assert report.links_removed == 4


def test_a_dry_run_counts_but_changes_nothing(cast, tmp_path):
    before = snapshot(cast.school)
    files = {
        "pupils": read_roster_file("pupils", write(tmp_path, "p.csv", "upn,forename,surname\n"))
    }
    report = import_roster(cast.school, dry_run=True, **files)
    assert report.counts["pupils"].left == 4
    assert snapshot(cast.school) == before


def test_an_import_is_on_the_audit_trail_without_names(cast, tmp_path):
    from fairwatch.audit.models import AuditEntry

    run(cast.school, tmp_path, pupils=pupils_csv())
    entry = AuditEntry.objects.filter(action="roster.import").last()
    assert entry.outcome == "done" and entry.school == cast.school
    assert "Grant" not in str(entry.detail)


def test_a_role_given_by_hand_to_someone_who_has_it_from_the_roster_is_kept(cast, tmp_path):
    from fairwatch.roles import Role
    from fairwatch.schools.services import grant_role

    grant_role(cast.school, "it@oak.example", Role.IT_MANAGER)
    run(cast.school, tmp_path, staff=STAFF_CSV.replace("it_manager;staff", "staff"))
    assert RoleAssignment.objects.filter(
        person__email="it@oak.example", role="it_manager", ended_at__isnull=True
    ).exists()


def test_a_staff_file_without_a_roles_column_leaves_roles_alone(cast, tmp_path):
    lines = [",".join(line.split(",")[:5]) for line in STAFF_CSV.strip().splitlines()]
    lines.append("S9,Nina,Cole,,nina@oak.example")
    run(cast.school, tmp_path, staff="\n".join(lines) + "\n")
    head = Person.objects.get(school=cast.school, external_id="S1")
    assert set(head.roles.filter(ended_at__isnull=True).values_list("role", flat=True)) == {
        "headteacher",
        "staff",
    }
    nina = Person.objects.get(school=cast.school, external_id="S9")
    assert list(nina.roles.values_list("role", flat=True)) == ["staff"]


def test_a_newcomer_given_a_leavers_address_gets_a_fresh_account(cast, tmp_path):
    old_account = cast.dsl
    without_dsl = "\n".join(line for line in STAFF_CSV.splitlines() if not line.startswith("S2,"))
    run(cast.school, tmp_path, staff=without_dsl + "\n")
    newcomer = without_dsl + "\nS20,Eve,Newman,,dsl@oak.example,dsl\n"
    run(cast.school, tmp_path, staff=newcomer)

    eve = Person.objects.get(school=cast.school, external_id="S20")
    assert eve.user != old_account and eve.user.username == "dsl@oak.example"
    assert not eve.user.has_usable_password()
    old_account.refresh_from_db()
    assert not old_account.is_active and old_account.username != "dsl@oak.example"


def test_two_staff_who_swap_addresses_keep_their_own_accounts(cast, tmp_path):
    swapped = STAFF_CSV.replace("dsl@oak.example", "TMP").replace(
        "teacher@oak.example", "dsl@oak.example"
    )
    swapped = swapped.replace("TMP", "teacher@oak.example")
    run(cast.school, tmp_path, staff=swapped)
    cast.dsl.refresh_from_db()
    cast.teacher.refresh_from_db()
    assert cast.dsl.username == "teacher@oak.example"
    assert cast.teacher.username == "dsl@oak.example"
    assert Person.objects.get(school=cast.school, external_id="S2").user == cast.dsl


ELM_STAFF = (
    "staff_id,forename,surname,preferred_name,email,roles\n"
    "E1,Thomas,Wren,,teacher@oak.example,staff\n"
)


def test_someone_at_two_schools_shares_one_account_that_one_school_cannot_rename(cast, tmp_path):
    elm_staff = ELM_STAFF
    elm = read_roster_file("staff", write(tmp_path, "elm.csv", elm_staff))
    import_roster(cast.other_school, staff=elm)
    assert Person.objects.get(school=cast.other_school).user == cast.teacher

    run(cast.school, tmp_path, staff=STAFF_CSV.replace("teacher@oak.example", "tw@oak.example"))
    cast.teacher.refresh_from_db()
    assert cast.teacher.username == "teacher@oak.example"  # Elm still uses it
    oak_wren = Person.objects.get(school=cast.school, external_id="S5")
    assert oak_wren.user.username == "tw@oak.example" and oak_wren.user != cast.teacher


def test_an_address_that_is_someone_elses_current_log_in_is_refused(cast, tmp_path):
    elm_staff = ELM_STAFF
    import_roster(
        cast.other_school, staff=read_roster_file("staff", write(tmp_path, "e.csv", elm_staff))
    )
    before = snapshot(cast.school)
    # At Oak, the DPO is given the address Thomas uses at both schools.
    clash = STAFF_CSV.replace("dpo@oak.example", "teacher@oak.example").replace(
        "S5,Thomas,Wren,Tom,teacher@oak.example,staff\n", ""
    )
    with pytest.raises(RosterInvalid) as info:
        run(cast.school, tmp_path, staff=clash)
    assert info.value.errors[0].field == "email" and info.value.errors[0].line == 4
    assert snapshot(cast.school) == before


def test_an_account_switched_off_by_hand_stays_off_after_an_import(cast, tmp_path):
    cast.teacher.is_active = False
    cast.teacher.save()
    run(cast.school, tmp_path, staff=STAFF_CSV)
    cast.teacher.refresh_from_db()
    assert not cast.teacher.is_active
