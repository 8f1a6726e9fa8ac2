"""The known cast every Django test starts from: one trust, two schools, one person per role.

Built through the real roster import, so the tests exercise the path schools use.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from fairwatch.identifiers import make_upn
from fairwatch.schools.models import Organisation, Person, School
from fairwatch.schools.roster import import_roster, read_roster_file
from fairwatch.schools.services import create_school, make_org_admin

PASSWORD = "correct horse battery staple"

STAFF_CSV = """staff_id,forename,surname,preferred_name,email,roles
S1,Alice,Hartley,,head@oak.example,headteacher;staff
S2,Deborah,Singh,Debbie,dsl@oak.example,dsl;staff
S3,Peter,Okafor,,dpo@oak.example,dpo
S4,Ian,Turner,,it@oak.example,it_manager;staff
S5,Thomas,Wren,Tom,teacher@oak.example,staff
S6,Esther,Mills,,monitor@oak.example,esafety_monitor;staff
S7,Helen,Ramsay,,hr@hr.example,hr_adviser
S8,Charles,Bell,,chair@oak.example,chair_of_governors
"""
PUPILS = [
    # upn serial, forename, surname, preferred forename, year
    (1, "Oliver", "Grant", "Olly", "3"),
    (2, "Amelia", "Grant", "", "5"),
    (3, "Noah", "Bright", "", "R"),
    (4, "Isla", "May", "", "6"),
]


def upn(serial: int) -> str:
    return make_upn("926", "2001", 20, serial)


def pupils_csv() -> str:
    rows = ["upn,forename,surname,preferred_forename,preferred_surname,email,year_group"]
    for serial, forename, surname, preferred, year in PUPILS:
        email = f"{forename.lower()}.{surname.lower()}@pupils.oak.example"
        rows.append(f"{upn(serial)},{forename},{surname},{preferred},,{email},{year}")
    return "\n".join(rows) + "\n"


def contacts_csv() -> str:
    return (
        "contact_id,forename,surname,email,phone,pupil_upn,relationship\n"
        f"C1,Sarah,Grant,sarah.grant@example.com,07700900001,{upn(1)},mother\n"
        f"C1,Sarah,Grant,sarah.grant@example.com,07700900001,{upn(2)},mother\n"
        f"C2,Mark,Bright,mark@example.net,07700900002,{upn(3)},father\n"
        f"C3,June,May,,07700900003,{upn(4)},grandparent\n"
    )


@dataclass
class Cast:
    org: Organisation
    school: School
    other_school: School
    head: object
    dsl: object
    dpo: object
    it: object
    teacher: object
    monitor: object
    hr: object
    chair: object
    org_admin: object
    outsider: object

    def pupil(self, serial: int) -> Person:
        return Person.objects.get(school=self.school, external_id=upn(serial))


def build_cast(tmp_path) -> Cast:
    org = Organisation.objects.create(slug="broad", name="Broad Trust", kind="trust")
    school = create_school(
        slug="oak",
        name="Oak Primary",
        domains=["oak.example"],
        pupil_domain="pupils.oak.example",
        organisation=org,
    )
    other = create_school(slug="elm", name="Elm Primary", domains=["elm.example"], organisation=org)
    files = {}
    for kind, text in (
        ("staff", STAFF_CSV),
        ("pupils", pupils_csv()),
        ("contacts", contacts_csv()),
    ):
        path = tmp_path / f"{kind}.csv"
        path.write_text(text)
        files[kind] = read_roster_file(kind, path)
    import_roster(school, **files)
    User = get_user_model()
    make_org_admin(org, "admin@broad.example", "Ada Admin")
    User.objects.create_user("someone@elsewhere.example")
    for user in User.objects.all():
        user.set_password(PASSWORD)
        user.save()
    by = {u.username: u for u in User.objects.all()}
    outsider = by["someone@elsewhere.example"]
    return Cast(
        org=org,
        school=school,
        other_school=other,
        head=by["head@oak.example"],
        dsl=by["dsl@oak.example"],
        dpo=by["dpo@oak.example"],
        it=by["it@oak.example"],
        teacher=by["teacher@oak.example"],
        monitor=by["monitor@oak.example"],
        hr=by["hr@hr.example"],
        chair=by["chair@oak.example"],
        org_admin=by["admin@broad.example"],
        outsider=outsider,
    )


ROSTER_OF_KIND = {
    Person.Kind.STAFF: Person.Roster.STAFF,
    Person.Kind.VOLUNTEER: Person.Roster.STAFF,
    Person.Kind.PUPIL: Person.Roster.PUPILS,
    Person.Kind.CONTACT: Person.Roster.CONTACTS,
}


def add_person(
    school: School, kind: str, external_id: str, forename: str, surname: str, *, roles=(), **fields
) -> Person:
    """A roster record made directly (not through an import), with any roles given."""
    from fairwatch.schools.models import RoleAssignment

    person = Person.objects.create(
        school=school,
        roster=ROSTER_OF_KIND[kind],
        kind=kind,
        external_id=external_id,
        forename=forename,
        surname=surname,
        **fields,
    )
    for role in roles:
        RoleAssignment.objects.create(person=person, role=role)
    return person
