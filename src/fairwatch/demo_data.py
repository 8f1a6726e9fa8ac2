"""A fictional demo school's roster, in the CSV formats that `fairwatch import roster` reads.

Pure Python: no Django import. Everything is deterministic for a given seed (a private
``random.Random`` is used, never the global one).

Every address is on a domain reserved for examples (RFC 2606 / RFC 6761: ``*.example``,
``example.com``, ``example.net``, ``example.org``), and every phone number is in one of
Ofcom's ranges kept for drama (07700 900000-900999, 01632 960000-960999), so nothing
generated here can ever reach a real person.
"""

from __future__ import annotations

import csv
import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fairwatch.identifiers import make_upn
from fairwatch.roles import Role

# --- The demo school and its trust -------------------------------------------------------

SCHOOL_NAME = "Oakfield Primary School"
SCHOOL_SLUG = "oakfield"
ORG_NAME = "Broadland Learning Trust"
ORG_SLUG = "broadland"
SCHOOL_DOMAIN = "oakfieldprimary.example"
PUPIL_DOMAIN = "pupils.oakfieldprimary.example"
ORG_DOMAIN = "broadlandtrust.example"
HR_DOMAIN = "educationhr.example"
# Parents' and carers' own mail providers.
PERSONAL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example")

ORG_ADMIN: dict[str, str] = {
    "forename": "Helen",
    "surname": "Marchbank",
    "email": f"admin@{ORG_DOMAIN}",
}

LA_CODE = "926"
ESTABLISHMENT = "2001"
# The school year the demo roster describes starts in September of this year.
ACADEMIC_YEAR = 2025
YEAR_GROUPS = ("R", "1", "2", "3", "4", "5", "6")
PUPILS_PER_YEAR = 30
DEFAULT_SEED = 2026

PUPIL_COLUMNS = (
    "upn",
    "forename",
    "surname",
    "preferred_forename",
    "preferred_surname",
    "email",
    "year_group",
)
STAFF_COLUMNS = ("staff_id", "forename", "surname", "preferred_name", "email", "roles")
CONTACT_COLUMNS = (
    "contact_id",
    "forename",
    "surname",
    "email",
    "phone",
    "pupil_upn",
    "relationship",
)

RELATIONSHIPS = (
    "mother",
    "father",
    "parent",
    "step-parent",
    "carer",
    "grandparent",
    "guardian",
    "foster carer",
)

# --- Names ------------------------------------------------------------------------------
# Our own lists, reflecting a modern English primary school. Some names are also ordinary
# English words ("May", "Grace", "Will", "Hope", "Rose", "Reading", "Page", ...) so that
# email checks that look for pupils' names must cope with them.

FEMALE_NAMES = (
    "Olivia", "Amelia", "Isla", "Ava", "Grace", "May", "Hope", "Rose", "Lily", "Freya",
    "Florence", "Isabella", "Elizabeth", "Sophia", "Evie", "Poppy", "Charlotte", "Emily",
    "Ruby", "Willow", "Phoebe", "Matilda", "Erin", "Aoife", "Niamh", "Siobhán", "Ffion",
    "Carys", "Eilidh", "Zoë", "Chloé", "Aisha", "Fatima", "Maryam", "Zainab", "Amira",
    "Hafsa", "Priya", "Anaya", "Simran", "Harleen", "Chiamaka", "Adaeze", "Abena", "Amara",
    "Zuzanna", "Katarzyna", "Maja", "Anastasia", "Gabriella", "Sofia", "Mei", "Yasmin",
    "Leila", "Keisha", "Precious", "Wiktoria", "Daisy", "Harriet", "Jessica",
)  # fmt: skip

MALE_NAMES = (
    "Oliver", "George", "Noah", "Arthur", "Leo", "Muhammad", "Harry", "Oscar", "Archie",
    "Henry", "Theodore", "Freddie", "Jack", "Charlie", "Thomas", "William", "Will", "Bill",
    "Alexander", "Benjamin", "Samuel", "Joshua", "Jacob", "Alfie", "Reuben", "Finley",
    "Rhys", "Dylan", "Callum", "Cian", "Oisín", "Ibrahim", "Yusuf", "Omar", "Ayaan", "Zayn",
    "Hamza", "Arjun", "Rohan", "Gurpreet", "Vihaan", "Oluwaseun", "Chukwuemeka", "Kwame",
    "Kofi", "Oluwatobi", "Jakub", "Szymon", "Aleksander", "Mateo", "Luca", "Tiago",
    "Nathaniel", "Maximilian", "Zachary", "Kai", "Jayden", "Tyrese", "Kenji", "Wei",
)  # fmt: skip

GIVEN_NAMES = FEMALE_NAMES + MALE_NAMES

# Forenames a child (or adult) is often known by instead.
NICKNAMES: dict[str, str] = {
    "Alexander": "Alex",
    "Oluwaseun": "Seun",
    "Oluwatobi": "Tobi",
    "Chukwuemeka": "Emeka",
    "Benjamin": "Ben",
    "Samuel": "Sam",
    "Thomas": "Tom",
    "William": "Will",
    "Theodore": "Teddy",
    "Nathaniel": "Nate",
    "Maximilian": "Max",
    "Zachary": "Zach",
    "Aleksander": "Olek",
    "Elizabeth": "Lizzie",
    "Isabella": "Bella",
    "Florence": "Flo",
    "Gabriella": "Gabby",
    "Katarzyna": "Kasia",
    "Anastasia": "Ana",
    "Charlotte": "Lottie",
    "Matilda": "Tilly",
}

SURNAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Green",
    "Hall", "Wood", "Jackson", "Clarke", "Hughes", "Edwards", "Turner", "Hill", "Moore",
    "Cooper", "Ward", "Harris", "Martin", "Lewis", "King", "Baker", "Harrison", "Morgan",
    "Patel", "Khan", "Ahmed", "Hussain", "Ali", "Begum", "Shah", "Singh", "Kaur", "Sharma",
    "Choudhury", "Rahman", "Islam", "Mahmood", "Akhtar", "Iqbal", "Okafor", "Adeyemi",
    "Mensah", "Owusu", "Boateng", "Okonkwo", "Adebayo", "Nwosu", "Campbell", "Stewart",
    "Murray", "MacDonald", "O'Neill", "O'Brien", "O'Connor", "Murphy", "Kelly", "Byrne",
    "Gallagher", "McCarthy", "Nowak", "Kowalski", "Wiśniewski", "Lewandowski", "Silva",
    "Santos", "Ferreira", "Rossi", "Nguyen", "Chen", "Wong", "Li", "Kim", "Yılmaz", "Demir",
    "Popescu", "Smith-Jones", "Lloyd-Davies", "May", "Grace", "Reading", "Hope", "Rose",
    "Brook", "Field", "Page", "Bird", "Young", "Best", "Fox", "Marsh", "Bell", "Day",
    "Lamb", "Mills", "Cook", "Mason", "Fisher", "Shepherd", "Knight", "Stone", "Price",
    "Francis", "Palmer", "Fletcher", "Chambers", "Holmes", "Barker", "Hart",
)  # fmt: skip

# --- Staff ------------------------------------------------------------------------------
# The named role holders (and the demo class teacher) have fixed names whose surnames are
# not in SURNAMES, so no pupil or parent shares them and demo log-ins are unambiguous.
# Each entry: forename, surname, preferred name, email, roles.

_KEY_STAFF: tuple[tuple[str, str, str, str, tuple[Role, ...]], ...] = (
    # Headteacher.
    ("Catherine", "Pemberton", "", f"cpemberton@{SCHOOL_DOMAIN}", (Role.STAFF, Role.HEADTEACHER)),
    # Deputy headteacher and designated safeguarding lead.
    ("Marcus", "Thornbury", "", f"mthornbury@{SCHOOL_DOMAIN}", (Role.STAFF, Role.DSL)),
    # School business manager and data protection officer.
    ("Priya", "Raman", "", f"praman@{SCHOOL_DOMAIN}", (Role.STAFF, Role.DPO)),
    # IT / network manager.
    ("Gareth", "Llewellyn", "", f"gllewellyn@{SCHOOL_DOMAIN}", (Role.STAFF, Role.IT_MANAGER)),
    # Year 5 class teacher and e-safety monitor.
    (
        "Niamh",
        "Fitzgerald",
        "",
        f"nfitzgerald@{SCHOOL_DOMAIN}",
        (Role.STAFF, Role.ESAFETY_MONITOR),
    ),
    # Year 3 class teacher: the demo log-in for an ordinary member of staff.
    ("Emily", "Hargreaves", "", f"ehargreaves@{SCHOOL_DOMAIN}", (Role.STAFF,)),
)
# Not school staff: they hold only their role.
_HR_ADVISER = ("Joanna", "Whitlock", "Jo", f"joanna.whitlock@{HR_DOMAIN}", (Role.HR_ADVISER,))
_CHAIR = ("Robert", "Ainsworth", "", f"rainsworth@{SCHOOL_DOMAIN}", (Role.CHAIR_OF_GOVERNORS,))

# The rest of the staff, whose names are drawn from the seed (all hold only `staff`):
# class teachers for R, 1, 2, 4 and 6, a SENCo, ten teaching assistants, the office
# administrator, the site manager, a midday supervisor and a volunteer reader.
_OTHER_STAFF_COUNT = 20

# --- Helpers ----------------------------------------------------------------------------

_TRANSLITERATE = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "ı": "i"})


def ascii_slug(text: str) -> str:
    """Lower-case ASCII form of a name for an email local part ("O'Neill" -> "oneill")."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    plain = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9-]", "", plain)


def _admission_year(year_group: str) -> int:
    """The calendar year a pupil now in `year_group` started Reception."""
    offset = 0 if year_group == "R" else int(year_group)
    return ACADEMIC_YEAR - offset


@dataclass
class _Pupil:
    forename: str
    surname: str
    year_group: str
    preferred_forename: str = ""
    preferred_surname: str = ""
    upn: str = ""
    email: str = ""


@dataclass
class _Family:
    surname: str
    children: list[_Pupil]


@dataclass(frozen=True)
class DemoRoster:
    """The demo school's roster: rows for pupils.csv, staff.csv and contacts.csv."""

    pupils: list[dict[str, str]]
    staff: list[dict[str, str]]
    contacts: list[dict[str, str]]


# --- Generation -------------------------------------------------------------------------


def _plan_families(rng: random.Random, per_year: int) -> list[list[str]]:
    """Year groups of each family's children: about 20% of families have 2 or 3 children."""
    capacity = dict.fromkeys(YEAR_GROUPS, per_year)
    families: list[list[str]] = []
    while any(capacity.values()):
        available = [yg for yg in YEAR_GROUPS if capacity[yg] > 0]
        size = 1
        if rng.random() < 0.2:
            size = 3 if rng.random() < 0.2 else 2
        twins = [yg for yg in available if capacity[yg] >= 2]
        if size == 2 and twins and rng.random() < 0.05:
            chosen = [rng.choice(twins)] * 2
        else:
            chosen = rng.sample(available, min(size, len(available)))
        for yg in chosen:
            capacity[yg] -= 1
        families.append(sorted(chosen, key=YEAR_GROUPS.index, reverse=True))
    return families


def _other_surname(rng: random.Random, *avoid: str) -> str:
    while True:
        surname = rng.choice(SURNAMES)
        if surname not in avoid:
            return surname


def _make_children(rng: random.Random, year_groups: list[str], used_emails: set[str]) -> _Family:
    """One family's children, with names, preferred names and unique pupil emails."""
    family_surname = rng.choice(SURNAMES)
    children: list[_Pupil] = []
    for yg in year_groups:
        surname = family_surname
        if children and rng.random() < 0.12:  # a half-sibling with another surname
            surname = _other_surname(rng, family_surname)
        while True:
            forename = rng.choice(FEMALE_NAMES if rng.random() < 0.5 else MALE_NAMES)
            if forename in {c.forename for c in children}:
                continue
            local = f"{ascii_slug(forename)}.{ascii_slug(surname)}{_admission_year(yg) % 100:02d}"
            email = f"{local}@{PUPIL_DOMAIN}"
            if email not in used_emails:
                break
        used_emails.add(email)
        pupil = _Pupil(forename=forename, surname=surname, year_group=yg, email=email)
        if forename in NICKNAMES and rng.random() < 0.6:
            pupil.preferred_forename = NICKNAMES[forename]
        children.append(pupil)
    return _Family(surname=family_surname, children=children)


def _assign_upns(rng: random.Random, pupils: list[_Pupil]) -> None:
    """Give each pupil a valid UPN, unique serials within each admission year."""
    for yg in YEAR_GROUPS:
        cohort = [p for p in pupils if p.year_group == yg]
        serials = rng.sample(range(1, 1000), len(cohort))
        year = _admission_year(yg)
        for pupil, serial in zip(cohort, serials, strict=True):
            pupil.upn = make_upn(LA_CODE, ESTABLISHMENT, year, serial)


# (relationship of first contact, relationship of second contact or None), weight
_CONTACT_SHAPES: tuple[tuple[tuple[str, str | None], int], ...] = (
    (("mother", "father"), 40),
    (("parent", "parent"), 6),
    (("mother", "step-parent"), 6),
    (("father", "step-parent"), 3),
    (("grandparent", "grandparent"), 3),
    (("mother", "grandparent"), 3),
    (("foster carer", "foster carer"), 2),
    (("mother", None), 20),
    (("father", None), 6),
    (("parent", None), 3),
    (("grandparent", None), 3),
    (("carer", None), 2),
    (("guardian", None), 2),
    (("foster carer", None), 1),
)


class _ContactMaker:
    """Makes contacts with unique ids, phone numbers and personal email addresses."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.count = 0
        self.phones: set[str] = set()
        self.emails: set[str] = set()

    def phone(self) -> str:
        while True:
            if self.rng.random() < 0.85:
                number = f"07700 {self.rng.randint(900000, 900999)}"
            else:
                number = f"01632 {self.rng.randint(960000, 960999)}"
            # The drama ranges hold 2,000 numbers: a very large generated school shares some.
            if number not in self.phones or len(self.phones) > 1500:
                self.phones.add(number)
                return number

    def email(self, forename: str, surname: str) -> str:
        first, last = ascii_slug(forename), ascii_slug(surname)
        while True:
            number = self.rng.randint(1, 99)
            local = self.rng.choice(
                (
                    f"{first}.{last}",
                    f"{first}{last}{number}",
                    f"{first[0]}{last}",
                    f"{last}.{first}",
                    f"{first}_{last}{number}",
                    f"{first}.{last}{number}",
                )
            )
            address = f"{local}@{self.rng.choice(PERSONAL_DOMAINS)}"
            if address not in self.emails:
                self.emails.add(address)
                return address

    def make(self, forename: str, surname: str) -> dict[str, str]:
        self.count += 1
        return {
            "contact_id": f"C{self.count:04d}",
            "forename": forename,
            "surname": surname,
            "email": self.email(forename, surname),
            "phone": self.phone(),
        }


def _contact_forename(rng: random.Random, relationship: str) -> str:
    if relationship == "mother":
        return rng.choice(FEMALE_NAMES)
    if relationship == "father":
        return rng.choice(MALE_NAMES)
    return rng.choice(GIVEN_NAMES)


def _contact_surname(rng: random.Random, relationship: str, family_surname: str) -> str:
    keep = {"mother": 0.7, "father": 0.95, "parent": 0.6, "grandparent": 0.5}.get(relationship, 0.1)
    return family_surname if rng.random() < keep else _other_surname(rng, family_surname)


def _family_contacts(
    rng: random.Random, family: _Family, maker: _ContactMaker
) -> list[dict[str, str]]:
    """Contact rows (one per contact-pupil link) for one family's 1-2 contacts."""
    shapes = [shape for shape, _ in _CONTACT_SHAPES]
    weights = [weight for _, weight in _CONTACT_SHAPES]
    first, second = rng.choices(shapes, weights)[0]
    rows: list[dict[str, str]] = []
    for relationship in (first, second):
        if relationship is None:
            continue
        contact = maker.make(
            _contact_forename(rng, relationship),
            _contact_surname(rng, relationship, family.surname),
        )
        for child in family.children:
            link = relationship
            # A half-sibling with another surname: the father is a step-parent to them.
            if relationship == "father" and child.surname != family.surname:
                link = "step-parent"
            rows.append({**contact, "pupil_upn": child.upn, "relationship": link})
    return rows


def _staff_row(
    staff_id: str, forename: str, surname: str, preferred: str, email: str, roles: tuple[Role, ...]
) -> dict[str, str]:
    return {
        "staff_id": staff_id,
        "forename": forename,
        "surname": surname,
        "preferred_name": preferred,
        "email": email,
        "roles": ";".join(role.value for role in roles),
    }


def _make_staff(rng: random.Random) -> list[dict[str, str]]:
    """Key role holders (fixed names), then other staff drawn from the seed, then HR and chair."""
    people = list(_KEY_STAFF)
    used = {entry[3] for entry in (*_KEY_STAFF, _HR_ADVISER, _CHAIR)}
    while len(people) < len(_KEY_STAFF) + _OTHER_STAFF_COUNT:
        forename = rng.choice(FEMALE_NAMES if rng.random() < 0.75 else MALE_NAMES)
        surname = rng.choice(SURNAMES)
        email = f"{ascii_slug(forename)[0]}{ascii_slug(surname)}@{SCHOOL_DOMAIN}"
        if email in used:
            continue
        used.add(email)
        preferred = NICKNAMES[forename] if forename in NICKNAMES and rng.random() < 0.5 else ""
        people.append((forename, surname, preferred, email, (Role.STAFF,)))
    people += [_HR_ADVISER, _CHAIR]
    return [_staff_row(f"S{n:03d}", *person) for n, person in enumerate(people, start=1)]


def generate(seed: int = DEFAULT_SEED, *, pupils_per_year: int = PUPILS_PER_YEAR) -> DemoRoster:
    """Generate the demo school's roster; the same seed always gives the same roster."""
    rng = random.Random(seed)
    used_emails: set[str] = set()
    families = [
        _make_children(rng, year_groups, used_emails)
        for year_groups in _plan_families(rng, pupils_per_year)
    ]
    pupils = [child for family in families for child in family.children]
    _assign_upns(rng, pupils)
    # A few pupils are known by another surname (a step-parent's, or double-barrelled).
    for pupil in rng.sample(pupils, max(1, round(len(pupils) * 0.04))):
        other = _other_surname(rng, pupil.surname)
        if "-" not in pupil.surname and "-" not in other and rng.random() < 0.5:
            pupil.preferred_surname = f"{pupil.surname}-{other}"
        else:
            pupil.preferred_surname = other

    maker = _ContactMaker(rng)
    contacts = [row for family in families for row in _family_contacts(rng, family, maker)]
    # About 5% of contacts have given the school no email address.
    ids = sorted({row["contact_id"] for row in contacts})
    no_email = set(rng.sample(ids, max(1, round(len(ids) * 0.05))))
    for row in contacts:
        if row["contact_id"] in no_email:
            row["email"] = ""

    pupils.sort(key=lambda p: (YEAR_GROUPS.index(p.year_group), p.surname, p.forename))
    pupil_rows = [
        {
            "upn": p.upn,
            "forename": p.forename,
            "surname": p.surname,
            "preferred_forename": p.preferred_forename,
            "preferred_surname": p.preferred_surname,
            "email": p.email,
            "year_group": p.year_group,
        }
        for p in pupils
    ]
    contact_rows = [{column: row[column] for column in CONTACT_COLUMNS} for row in contacts]
    return DemoRoster(pupils=pupil_rows, staff=_make_staff(rng), contacts=contact_rows)


# --- Output -----------------------------------------------------------------------------


def write_csvs(roster: DemoRoster, folder: Path) -> dict[str, Path]:
    """Write pupils.csv, staff.csv and contacts.csv (UTF-8, with header) into `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "pupils": (PUPIL_COLUMNS, roster.pupils),
        "staff": (STAFF_COLUMNS, roster.staff),
        "contacts": (CONTACT_COLUMNS, roster.contacts),
    }
    paths: dict[str, Path] = {}
    for name, (columns, rows) in tables.items():
        path = folder / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
        paths[name] = path
    return paths


def demo_login_for_role(roster: DemoRoster) -> dict[str, str]:
    """Map every Role value to the email of one person holding it, for demo log-ins.

    Prefers someone whose only special role (besides `staff`) is that one; for `staff`,
    someone with no special role at all (the demo class teacher). `org_admin` is
    ORG_ADMIN's email. Raises ValueError if a role has no holder in the roster.
    """
    holders: list[tuple[set[str], str]] = [
        ({part.strip() for part in row["roles"].split(";") if part.strip()}, row["email"])
        for row in sorted(roster.staff, key=lambda row: row["staff_id"])
    ]
    logins: dict[str, str] = {}
    for role in Role:
        if role is Role.ORG_ADMIN:
            logins[role.value] = ORG_ADMIN["email"]
            continue
        candidates = [(roles, email) for roles, email in holders if role.value in roles]
        if not candidates:
            raise ValueError(f"nobody in the roster holds the role {role.value!r}")
        wanted = {role.value} - {Role.STAFF.value}
        best = [email for roles, email in candidates if roles - {Role.STAFF.value} == wanted]
        logins[role.value] = best[0] if best else candidates[0][1]
    return logins
