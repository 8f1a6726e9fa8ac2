"""Write the labelled email test set: school-like .eml files and labels.json, beside this file.

Run it from the checkout (``.venv/bin/python bench/labelled/make_labelled.py``); it is
deterministic and rewrites every ``*.eml`` here and ``labels.json`` each time.

The messages are what staff of the demo school (Oakfield Primary, from
``fairwatch.demo_data``) might send: to colleagues, parents, the trust, the local authority,
the school nurse, a social worker, suppliers. About a third are clean; the rest each break
one or a few clauses of the staff email policy (4.1-4.5, and 5 for personal data).

Labels say what a school's data protection officer would want the checker to flag, not what
the code happens to do:

* ``expect``: checks that should fire at severity medium or above on the message;
* ``expect_low``: checks that may fire, but only as low/info (internal mail that carries
  personal data is normal in a school; so is writing to a parent about their own child;
  a first-time recipient is a nudge, not a warning);
* ``note``: why, in plain words.

One labelling rule is applied by code, so it is never forgotten: a message expected to carry
personal data (any ``pd-*`` check in ``expect``) that goes to anyone outside the school also
expects ``recipient-outside-with-personal-data``.

Every roster person (pupil, parent, member of staff) is looked up in the demo roster by name,
so their addresses and UPNs are the roster's own; people outside the roster have invented
names that are checked not to be on it. Identifiers are computed by their published rules
(UPN via ``fairwatch.identifiers.make_upn``; NHS numbers with modulus 11 in the 999 range the
NHS keeps for testing, checked with python-stdnum; ULNs with the Learning Records Service
check digit), and the invalid ones are checked to be invalid. Only example domains and Ofcom's
drama phone numbers are used.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, getaddresses
from pathlib import Path

from stdnum.gb import nhs as stdnum_nhs
from stdnum.gb import upn as stdnum_upn

from fairwatch import demo_data
from fairwatch.checks.engine import CHECK_SLUGS
from fairwatch.identifiers import make_upn

HERE = Path(__file__).resolve().parent
ROSTER = demo_data.generate()
SCHOOL = demo_data.SCHOOL_DOMAIN
PUPILS = demo_data.PUPIL_DOMAIN
TRUST = demo_data.ORG_DOMAIN
HR = demo_data.HR_DOMAIN

SLUGS = CHECK_SLUGS

# --- Outside addresses (all on example domains) -------------------------------------------

LA_SEND = "send.team@broadshire-council.example"
LA_ADMISSIONS = "admissions@broadshire-council.example"
LA_ATTENDANCE = "attendance@broadshire-council.example"
LA_EXCLUSIONS = "exclusions@broadshire-council.example"
SOCIAL_WORKER = "delia.farrant@broadshire-council.example"
NURSE = "school.nursing@broadshirehealth.example"
SALT = "salt.referrals@broadshirehealth.example"
COACHES = "bookings@coachhire.example"
PHOTOS = "orders@schoolphotos.example"
MUSEUM = "learning@broadlandmuseum.example"
CLUB = "info@riversidesportsclub.example"
SUPPLIES = "orders@classroomsupplies.example"
SECONDARY = "transition@larkhillacademy.example"
AGENCY = "bookings@brightsupply.example"
PENSIONS = "enquiries@staffpensions.example"
LINES = "quotes@playgroundlines.example"
REFEREE = "head@eastmereprimary.example"
OTHER_HEADS = (
    "head@eastmereprimary.example",
    "head@larkhillprimary.example",
    "head@stmaryscofe.example",
    "head@willowbankinfants.example",
    "head@thornfieldjunior.example",
    "head@brookvaleprimary.example",
)
TRUST_ADMIN = f"admin@{TRUST}"
TRUST_FINANCE = f"finance@{TRUST}"
HR_PAYROLL = f"payroll@{HR}"
ALL_STAFF = f"allstaff@{SCHOOL}"
OFFICE = f"office@{SCHOOL}"
OFFICE_PHONE = "01632 960000"
START = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)  # Date of the first message

# --- The roster ---------------------------------------------------------------------------


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in plain if not unicodedata.combining(c)).replace("’", "'")


@dataclass(frozen=True)
class Person:
    kind: str  # pupil, contact, staff
    forename: str
    surname: str
    email: str
    known_forename: str = ""  # preferred forename, if any
    known_surname: str = ""
    upn: str = ""
    contact_id: str = ""

    @property
    def full(self) -> str:
        return f"{self.forename} {self.surname}"

    @property
    def known(self) -> str:
        """The name the person goes by (preferred names where they have them)."""
        return f"{self.known_forename or self.forename} {self.known_surname or self.surname}"

    @property
    def first(self) -> str:
        return self.known_forename or self.forename

    @property
    def mailbox(self) -> str:
        return formataddr((self.known, self.email))

    def name_pairs(self) -> set[tuple[str, str]]:
        pairs = {(self.forename, self.surname)}
        pairs.add((self.known_forename or self.forename, self.known_surname or self.surname))
        pairs.add((self.known_forename or self.forename, self.surname))
        return pairs


_PUPILS = [
    Person(
        "pupil",
        row["forename"],
        row["surname"],
        row["email"].lower(),
        row["preferred_forename"],
        row["preferred_surname"],
        upn=row["upn"],
    )
    for row in ROSTER.pupils
]
_STAFF = [
    Person("staff", row["forename"], row["surname"], row["email"].lower(), row["preferred_name"])
    for row in ROSTER.staff
]
_CONTACTS: dict[str, Person] = {}
_LINKS: dict[str, set[str]] = defaultdict(set)  # contact id -> pupil UPNs
for _row in ROSTER.contacts:
    _CONTACTS.setdefault(
        _row["contact_id"],
        Person(
            "contact",
            _row["forename"],
            _row["surname"],
            _row["email"].lower(),
            contact_id=_row["contact_id"],
        ),
    )
    _LINKS[_row["contact_id"]].add(_row["pupil_upn"])
EVERYONE = [*_PUPILS, *_CONTACTS.values(), *_STAFF]


def _one(people: list[Person], name: str, kind: str) -> Person:
    forename, surname = name.split(" ", 1)
    found = [p for p in people if p.forename == forename and p.surname == surname]
    if len(found) != 1:
        raise LookupError(f"{kind} {name!r} is not (exactly once) in the demo roster")
    return found[0]


def pupil(name: str) -> Person:
    return _one(_PUPILS, name, "pupil")


def staff(name: str) -> Person:
    return _one(_STAFF, name, "staff")


def contact(name: str) -> Person:
    found = [c for c in _CONTACTS.values() if c.full == name and c.email]
    if len(found) != 1:
        raise LookupError(f"contact {name!r} is not (exactly once) in the demo roster")
    return found[0]


def parents(child: Person) -> list[Person]:
    """The child's roster contacts who have an email address, in roster order."""
    out = [c for cid, c in _CONTACTS.items() if child.upn in _LINKS[cid] and c.email]
    if not out:
        raise LookupError(f"{child.full} has no contact with an email address")
    return out


def parent(child: Person) -> Person:
    return parents(child)[0]


def linked(contact_person: Person, child: Person) -> bool:
    return child.upn in _LINKS[contact_person.contact_id]


def roster_names_in(text: str) -> list[Person]:
    """Roster people named in full (legal or preferred, any case, accents ignored) in
    `text`: used only to check the labels, never to write them."""
    words = " " + " ".join(re.findall(r"[\w'’-]+", _fold(text))) + " "
    words = words.replace("'s ", " ")
    out = []
    for person in EVERYONE:
        for forename, surname in person.name_pairs():
            if f" {_fold(forename)} {_fold(surname)} " in words:
                out.append(person)
                break
    return out


# People in the messages. Pupils.
AMIRA = pupil("Amira Chen")  # Year 6, EHCP in these messages
BEN_R = pupil("Benjamin Rahman")  # Year 6
OLIVER = pupil("Oliver Grace")  # Year 2; surname is also a word
SAM = pupil("Samuel O'Connor")  # Year 5, known as Sam
TOM = pupil("Thomas Harrison")  # Year 3, known as Tom
KASIA = pupil("Katarzyna Davies")  # Year 4, known as Kasia
GABBY = pupil("Gabriella Murphy")  # Year 6, known as Gabby
SEUN = pupil("Oluwaseun Harrison")  # Year 4, known as Seun
EMEKA = pupil("Chukwuemeka O'Neill")  # Year 6, known as Emeka
ZOE = pupil("Zoë Akhtar")  # Reception, accented name
MAY = pupil("May Roberts")  # Year 4; forename is also a word
CIAN = pupil("Cian Reading")  # Year 3; surname is also a word
BELLA = pupil("Isabella Barker")  # Year 3, known as Bella
YUSUF = pupil("Yusuf Hope")  # Year 1
BILL = pupil("Bill White")  # Year 4; forename is also a word
CHARLIE = pupil("Charlie Yılmaz")  # Year 5, with foster carers
ZAYN = pupil("Zayn Rose")  # Year 5
AMARA = pupil("Amara Harrison")  # Reception
LOTTIE = pupil("Charlotte Page")  # Year 4, known as Lottie
BEN_F = pupil("Benjamin Fletcher")  # Reception, known as Ben
KWAME = pupil("Kwame Santos")  # Year 1
LILY = pupil("Lily Mason")  # Year 1
MAJA = pupil("Maja Kowalski")  # Year 1
JAKUB = pupil("Jakub Adeyemi")  # Reception
LEILA = pupil("Leila Hill")  # Reception, known by another surname
FLO = pupil("Florence Edwards")  # Year 6, known as Flo
ALEX = pupil("Alexander Campbell")  # Year 2, known as Alex Campbell-Adeyemi
WILLOW = pupil("Willow Day")  # Year 3
TOM_G = pupil("Thomas Gallagher")  # Year 5, known as Tom

# Staff.
HEAD = staff("Catherine Pemberton")
DSL = staff("Marcus Thornbury")
SBM = staff("Priya Raman")  # business manager and DPO
ITM = staff("Gareth Llewellyn")
Y5 = staff("Niamh Fitzgerald")
Y3 = staff("Emily Hargreaves")  # the usual sender
SENCO = staff("Maja Begum")
OFFICE_ADMIN = staff("Hafsa Patel")
TA_WARD = staff("Rose Ward")
TA_MURPHY = staff("Rose Murphy")
EBROWN = staff("Emily Brown")  # a Year 3 pupil has the same name
FOWUSU = staff("Freya Owusu")
TCHEN = staff("Matilda Chen")  # known as Tilly
HR_ADVISER = staff("Joanna Whitlock")  # on the roster, at the HR provider

# Parents named directly.
MRS_IQBAL = contact("Abena Iqbal")
ZAINAB_DAY = contact("Zainab Day")

ROLES = {
    HEAD: "Headteacher",
    DSL: "Deputy Headteacher and Designated Safeguarding Lead",
    SBM: "School Business Manager",
    ITM: "Network Manager",
    Y5: "Year 5 Teacher",
    Y3: "Year 3 Teacher",
    SENCO: "SENCo",
    OFFICE_ADMIN: "Office Administrator",
}


def sig(person: Person) -> str:
    """A school signature block with the school office's (organisation) phone number."""
    role = ROLES.get(person, "Teaching Assistant")
    return (
        f"\n\nKind regards\n\n{person.known}\n{role}\n{demo_data.SCHOOL_NAME}\nTel: {OFFICE_PHONE}"
    )


# --- Identifiers --------------------------------------------------------------------------


def nhs_check_digit(nine: str) -> int | None:
    """Modulus 11: weights 10..2; check = 11 - remainder (11 -> 0); 10 means no valid number."""
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def nhs_numbers(count: int) -> list[str]:
    """Valid NHS numbers in the 999 range the NHS keeps for test data."""
    out = []
    for n in range(1000, 10**6):
        nine = f"999{n:06d}"[-9:]
        check = nhs_check_digit(nine)
        if check is not None:
            number = nine + str(check)
            assert stdnum_nhs.is_valid(number)
            out.append(number)
            if len(out) == count:
                return out
    raise AssertionError("not enough test NHS numbers")


def uln_check_digit(nine: str) -> int | None:
    """Learning Records Service: weights 10..2, remainder r mod 11; check = 10 - r; r = 0
    means there is no valid ULN."""
    remainder = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True)) % 11
    return None if remainder == 0 else 10 - remainder


def uln(nine: str) -> str:
    check = uln_check_digit(nine)
    assert check is not None and nine[0] != "0", nine
    return nine + str(check)


def spaced(number: str) -> str:
    return f"{number[:3]} {number[3:6]} {number[6:]}"


assert uln_check_digit("100010250") == 4  # the worked example of the LRS rule: 1000102504
NHS_A, NHS_B, NHS_C = nhs_numbers(60)[::20]
NHS_BAD = NHS_A[:9] + str((int(NHS_A[9]) + 1) % 10)  # fails modulus 11
assert not stdnum_nhs.is_valid(NHS_BAD)
ULN_A = uln("487362915")
ULN_B = uln("612048337")
ULN_BAD = ULN_A[:9] + str((int(ULN_A[9]) + 3) % 10)
assert uln_check_digit(ULN_BAD[:9]) != int(ULN_BAD[9])
# Neither invalid number is valid as the other kind of ten-digit number either.
assert not stdnum_nhs.is_valid(ULN_BAD) and uln_check_digit(NHS_BAD[:9]) != int(NHS_BAD[9])
# UPNs: pupils' own from the roster, one built fresh, and one with a wrong check letter.
UPN_NEW = make_upn(demo_data.LA_CODE, "2002", 2021, 417)  # a pupil joining from elsewhere
UPN_BAD = ("B" if AMIRA.upn[0] != "B" else "C") + AMIRA.upn[1:]
assert stdnum_upn.is_valid(UPN_NEW) and not stdnum_upn.is_valid(UPN_BAD)
NI_A = "AB 12 34 56 C"  # a well-formed National Insurance number (invented)
NI_B = "JH482761D"
NI_BAD = "QQ 12 34 56 C"  # HMRC's own example: the QQ prefix is never issued

# People who are not on the roster (invented; checked below).
NOT_ON_ROSTER = (
    "Harriet Quenby",
    "Tobias Wrenfield",
    "Ellis Marwood",
    "Fenella Drax",
    "Gideon Holloway",
    "Delia Farrant",
)
for _name in NOT_ON_ROSTER:
    assert not roster_names_in(_name), _name


# --- Messages -----------------------------------------------------------------------------


@dataclass
class Mail:
    name: str
    subject: str
    body: str
    sender: str | None
    to: tuple[str, ...]
    cc: tuple[str, ...]
    bcc: tuple[str, ...]
    expect: list[str]
    expect_low: list[str]
    note: str
    attachments: tuple[tuple[str, str], ...] = ()  # (file name, CSV text)
    raw_from: str | None = None  # a From header written as is (for broken senders)
    html: str = ""  # an HTML body, sent as the only body (as many mail clients do)


MESSAGES: list[Mail] = []


def _addr_of(mailbox: str) -> str:
    return getaddresses([mailbox])[0][1].lower()


def _outside(mailbox: str) -> bool:
    domain = _addr_of(mailbox).rpartition("@")[2]
    return not any(domain == d or domain.endswith("." + d) for d in (SCHOOL, PUPILS))


def add(
    name: str,
    subject: str,
    body: str,
    *,
    to: tuple[str, ...] | list[str] = (),
    cc: tuple[str, ...] | list[str] = (),
    bcc: tuple[str, ...] | list[str] = (),
    sender: Person | str | None = Y3,
    signed: bool = True,
    expect: tuple[str, ...] = (),
    low: tuple[str, ...] = (),
    note: str,
    attachments: tuple[tuple[str, str], ...] = (),
    raw_from: str | None = None,
    html: str = "",
) -> None:
    if isinstance(sender, Person):
        if signed:
            body += sig(sender)
        sender = sender.mailbox
    expected = list(expect)
    recipients = [*to, *cc, *bcc]
    if any(s.startswith("pd-") for s in expected) and any(_outside(r) for r in recipients):
        expected.append("recipient-outside-with-personal-data")
    for slug in (*expected, *low):
        assert slug in SLUGS, (name, slug)
    # A subject that names a roster person must say so in its labels (and no "ordinary
    # word" subject may name one by accident).
    if roster_names_in(subject):
        assert "subject-roster-name" in (*expected, *low), (name, subject)
    MESSAGES.append(
        Mail(
            f"{len(MESSAGES) + 1:03d}-{name}.eml",
            subject,
            body.strip("\n") + "\n",
            sender,
            tuple(to),
            tuple(cc),
            tuple(bcc),
            sorted(set(expected)),
            sorted(set(low)),
            note,
            attachments,
            raw_from,
            html,
        )
    )


def p(person: Person) -> str:
    return person.mailbox


def clean_everyday() -> None:
    """Everyday school mail: nothing for a DPO to flag."""
    add(
        "year6-trip-groups",
        "Year 6 trip – groups for Thursday",
        f"Hi all,\n\nGroups for the Broads trip on Thursday:\n\nGroup A (Mrs Ward): {AMIRA.known}, "
        f"{BEN_R.known}, {GABBY.known}, {EMEKA.known}\nGroup B (Mrs Murphy): {FLO.known} and the "
        "rest of the red table.\n\nThe coach leaves at 9. Packed lunches from the kitchen.",
        to=[ALL_STAFF],
        note="Pupils named in the body of mail that stays inside the school: allowed.",
    )
    add(
        "re-budget",
        "Re: Budget",
        "Thanks Priya, the revised figures look fine. Can we go through the supply line on "
        "Monday before it goes to the trust?\n\n> Attached is the revised budget for next year.",
        to=[p(SBM)],
        sender=HEAD,
        note="Internal budget discussion.",
    )
    add(
        "staff-meeting-moved",
        "Staff meeting moved to Thursday",
        "Hi everyone,\n\nThis week's staff meeting is moved to Thursday at 3.30 in the hall, "
        "because of the fire alarm test on Wednesday.",
        to=[ALL_STAFF],
        sender=HEAD,
        note="Internal notice.",
    )
    every_parent = sorted({c.email for c in _CONTACTS.values() if c.email})
    add(
        "newsletter-bcc",
        "Oakfield News – Spring term",
        "Dear Parents and Carers,\n\nWhat a busy term! Year 4 visited the castle, Year 2 planted "
        "the vegetable beds and the choir sang at the care home.\n\nDates for your diary:\n"
        "- Parents' evenings: 24 and 25 March\n- Easter holidays: 30 March to 10 April\n\n"
        "Thank you for your support.",
        to=[OFFICE],
        bcc=every_parent[:40],
        sender=OFFICE_ADMIN,
        note="Newsletter to many parents, all in Bcc: nobody sees anyone else's address.",
    )
    add(
        "will-you-cover-ppa",
        "Will you cover my PPA on Friday?",
        "Hi Rose,\n\nWill you be able to cover my PPA on Friday afternoon? The plans are in the "
        "blue folder.",
        to=[p(TA_WARD)],
        note="'Will' is an ordinary word here, not a name.",
    )
    add(
        "may-half-term",
        "May half-term dates",
        "Dear Parents and Carers,\n\nA reminder that May half-term runs from 25 to 29 May. "
        "School reopens on Monday 1 June.",
        to=[OFFICE],
        bcc=every_parent[40:70],
        sender=OFFICE_ADMIN,
        note="'May' is the month.",
    )
    add(
        "reading-records",
        "Reading records – Year 3",
        "Hi both,\n\nPlease check reading records on Tuesdays and Thursdays and sign them. "
        "Reading for pleasure is our focus this half term.",
        to=[p(TA_WARD), p(TA_MURPHY)],
        note="'Reading' is the activity, not the surname.",
    )
    add(
        "bill-from-coaches",
        "Bill from the coach company",
        "Hi Priya,\n\nThe bill from the coach company for the Year 6 trip has arrived: £420. "
        "Shall I raise the payment?",
        to=[p(SBM)],
        sender=OFFICE_ADMIN,
        note="'Bill' is an invoice.",
    )
    add(
        "grace-period-dinner-money",
        "Grace period for dinner money",
        "Dear Parents and Carers,\n\nWe are giving a two-week grace period for dinner money "
        "arrears while the new payment system beds in.",
        to=[OFFICE],
        bcc=every_parent[70:100],
        sender=SBM,
        note="'Grace period' is an ordinary phrase.",
    )
    add(
        "frank-discussion",
        "Frank discussion about the staffing budget",
        "Catherine,\n\nCould we have a frank discussion about the staffing budget before the "
        "governors meet? I am worried about next year.",
        to=[p(HEAD)],
        sender=SBM,
        note="'Frank' is an adjective.",
    )
    add(
        "mark-scheme",
        "Mark scheme for the Year 6 reading paper",
        "Hi Niamh,\n\nHere is the mark scheme for the practice reading paper. We can moderate "
        "together on Wednesday.",
        to=[p(Y5)],
        note="'Mark scheme' is an ordinary phrase.",
    )
    add(
        "safeguarding-policy-newsletter",
        "Updated safeguarding and SEND policies",
        "Dear Parents and Carers,\n\nOur safeguarding policy and our SEND information report have "
        "been updated. They explain how we support children with an EHCP, how we manage medical "
        "conditions such as asthma and epilepsy, how religious festivals are respected, and how "
        "pupil premium funding is spent. Both are on the website.",
        to=[OFFICE],
        bcc=every_parent[100:130],
        sender=HEAD,
        note="Special-category words with nobody named: a policy newsletter, not personal data.",
    )
    add(
        "acronym-heavy-line",
        "SLT agenda",
        "Items for SLT on Monday:\n\nSENCO, DSL and EHCP updates; PPA, CPD and INSET dates; "
        "EYFS and KS1 SATS data for the DFE return; PSHE and RSE policy review.",
        to=[p(HEAD), p(DSL), p(SENCO)],
        sender=SBM,
        note="A line of acronyms is not shouting; no pupil is named.",
    )
    add(
        "acronym-heavy-subject",
        "EYFS, KS1 and KS2 SATS – DFE guidance for SLT",
        "Hi all,\n\nThe DfE has published this year's assessment guidance; I have saved it in "
        "the SLT folder.",
        to=[p(HEAD), p(DSL)],
        sender=SBM,
        note="Acronym-heavy subject, not shouting.",
    )
    add(
        "scunthorpe-assess",
        "Re: Order 55812",
        "Hello,\n\nThanks for confirming the order ships from your Scunthorpe warehouse. We will "
        "assess the classroom sets when they arrive and let you know of any breakages.",
        to=[SUPPLIES],
        sender=OFFICE_ADMIN,
        note="'Scunthorpe' and 'assess' contain rude strings but are not rude.",
    )
    add(
        "quoted-parent-profanity",
        "Re: Homework",
        f"Dear {parent(LILY).first},\n\nThank you for your message. I have passed it to Mrs "
        "Pemberton, who will call you tomorrow.\n\nOn 3 March 2026, at 19:02, a parent wrote:\n"
        "> This homework is sh*t and my daughter was in tears over it. Sort it out.",
        to=[p(parent(LILY))],
        note="The rude word is in the parent's quoted message, not the teacher's words.",
    )
    add(
        "trip-dates-not-dob",
        "Year 5 residential – payment dates",
        "Dear Parents and Carers,\n\nThe residential runs from 15/06/2026 to 17/06/2026. The "
        "deposit is due by 01/04/2026 and the balance by 15.05.2026.",
        to=[OFFICE],
        bcc=every_parent[130:160],
        sender=OFFICE_ADMIN,
        note="Dates that are not dates of birth.",
    )
    add(
        "office-phone-to-parent",
        "Re: Collection on Friday",
        f"Dear {parent(KWAME).first},\n\nThat is fine. If anything changes on the day, please "
        f"ring the school office on {OFFICE_PHONE} before 2pm.",
        to=[p(parent(KWAME))],
        note="The school office's number is not a person's phone number.",
    )
    add(
        "supplier-with-signature",
        "Quote for reading books",
        "Hello,\n\nPlease could you quote for 30 copies each of the Year 4 class novels on the "
        "attached list?\n\nDelivery to: Oakfield Primary School, 1 School Lane, Norwich "
        "NR99 9AB",
        to=[SUPPLIES],
        sender=OFFICE_ADMIN,
        note="The school's own address and office number in a supplier order.",
    )
    add(
        "invalid-upn-query",
        "Query about a UPN on a CTF",
        f"Hello,\n\nThe CTF you sent has UPN {UPN_BAD}, which fails the check letter. Could you "
        "send the corrected file through the secure portal?",
        to=[LA_ADMISSIONS],
        sender=OFFICE_ADMIN,
        note="The UPN has the wrong check letter, so it is not a UPN; nobody is named.",
    )
    add(
        "invalid-nhs-number",
        "Immunisation forms",
        f"Hello,\n\nOne of the returned forms has NHS number {spaced(NHS_BAD)}, which does not "
        "look right to us. We will ask the family to check it and send it back through the "
        "portal.",
        to=[NURSE],
        sender=OFFICE_ADMIN,
        note="The number fails modulus 11: not an NHS number; nobody is named.",
    )
    add(
        "dick-whittington",
        "Panto tickets – Dick Whittington",
        "Dear Parents and Carers,\n\nTickets for Dick Whittington at the theatre on 10 December "
        "are now on sale through the app.",
        to=[OFFICE],
        bcc=every_parent[160:190],
        sender=OFFICE_ADMIN,
        note="A pantomime title, not profanity.",
    )
    add(
        "idiot-me",
        "Forgot the attachment",
        "I'm such an idiot – here it is this time. Sorry!",
        to=[p(Y5)],
        note="Self-deprecation is not an insult.",
    )
    add(
        "printer-useless",
        "Printer in the staffroom",
        "Hi Gareth,\n\nThe staffroom printer is useless again: it jams on every second page. "
        "Could you have a look?",
        to=[p(ITM)],
        note="'useless' about a printer, not a person.",
    )
    add(
        "parking-nightmare",
        "Parking this morning",
        "Parking was a nightmare this morning because of the roadworks; leave ten minutes "
        "early tomorrow.",
        to=[ALL_STAFF],
        sender=HEAD,
        note="'a nightmare' about parking, not a person.",
    )
    add(
        "cluster-meeting-three-heads",
        "Cluster meeting – 12 March",
        "Dear colleagues,\n\nThe next cluster heads' meeting is at Eastmere on 12 March at 9am. "
        "Agenda to follow.",
        to=list(OTHER_HEADS[:3]),
        sender=HEAD,
        note="Three professional addresses in To: normal, not a disclosure.",
    )
    add(
        "own-child-reading-book",
        "Reading book",
        f"Dear {parent(BEN_F).first},\n\n{BEN_F.known} has a new reading book this week; please "
        "read with him for ten minutes each evening.",
        to=[p(parent(BEN_F))],
        note="To the pupil's own carer about their own child: nothing sensitive.",
    )
    add(
        "teacher-to-pupil-school-account",
        "Homework reminder",
        "Hi Year 5,\n\nDon't forget your science homework is due on Friday. Ask me if you get "
        "stuck.\n\nMrs Fitzgerald",
        to=[p(Y5)],
        bcc=[SAM.email, TOM_G.email, CHARLIE.email],
        sender=Y5,
        signed=False,
        note="Staff to pupils from the school account: allowed (4.4).",
    )
    add(
        "trust-budget-return",
        "Budget return",
        "Hello,\n\nPlease find our budget return attached. Any questions, let me know.",
        to=[TRUST_FINANCE],
        sender=SBM,
        note="To the trust, no personal data.",
    )
    add(
        "assess-classic-sussex",
        "Moderation in Sussex",
        "Hi Niamh,\n\nThe classic mistake is to assess writing against last year's framework. "
        "The course in Sussex covers it well; I'll book us both.",
        to=[p(Y5)],
        note="Words containing rude strings ('assess', 'classic', 'Sussex').",
    )
    add(
        "display-name-right-person-caps",
        "Parents' evening appointment",
        f"Dear {ZAINAB_DAY.first},\n\nYour appointment is at 4.40pm on Tuesday.",
        to=[formataddr((ZAINAB_DAY.full.upper(), ZAINAB_DAY.email))],
        note="Display name in capitals, but it is the right person's address.",
    )
    add(
        "display-name-mum",
        "Re: Lost jumper",
        f"Dear {parent(LILY).first},\n\nThe jumper turned up in lost property; it is in the "
        "office.",
        to=[formataddr(("Mum", parent(LILY).email))],
        note="A display name that is not a roster name.",
    )
    add(
        "museum-venue-address",
        "Year 4 trip – venue",
        "Dear Parents and Carers,\n\nThe trip is to Broadland Museum, 12 Castle Hill, Norwich "
        "NR99 1QA. Please drop off at school as usual.",
        to=[OFFICE],
        bcc=every_parent[190:220],
        sender=OFFICE_ADMIN,
        note="A museum's address is not a person's home address.",
    )
    add(
        "nhs-born-1948",
        "Year 6 history – the NHS",
        "Dear Parents and Carers,\n\nYear 6 are learning how the NHS was born on 5 July 1948. "
        "If you or a grandparent worked for the NHS, we would love you to come and talk.",
        to=[OFFICE],
        bcc=every_parent[220:250],
        sender=Y5,
        note="'born on' a date, but no person's date of birth.",
    )
    add(
        "pupil-premium-policy",
        "Pupil premium strategy",
        "Hi Catherine,\n\nThe pupil premium strategy statement is ready for governors; it only "
        "gives cohort numbers.",
        to=[p(HEAD)],
        sender=SBM,
        note="'pupil premium' with nobody named.",
    )
    add(
        "heading-in-capitals",
        "Spring term dates",
        "IMPORTANT DATES FOR SPRING TERM\n\nParents' evenings are on 24 and 25 March and the "
        "book fair is in the hall all week.",
        to=[OFFICE],
        bcc=every_parent[250:280],
        sender=OFFICE_ADMIN,
        note="A heading in capitals on its own line is not shouting.",
    )
    add(
        "one-thanks-bang",
        "Re: Cakes",
        "Thanks!!! They were delicious.",
        to=[p(TA_MURPHY)],
        note="One 'Thanks!!!' is not shouting.",
    )
    add(
        "mad-about-dinosaurs",
        "Science week",
        "Year 2 are mad about dinosaurs, so the museum workshop is a good fit. The booking "
        "guide is idiot-proof.",
        to=[p(HEAD)],
        note="'mad about' and 'idiot-proof' are not insults.",
    )
    add(
        "own-health-to-hr",
        "Occupational health appointment",
        f"Hi Jo,\n\nI have been diagnosed with diabetes and my GP has suggested an occupational "
        f"health referral. Could you set one up?\n\n{EBROWN.known}",
        to=[p(HR_ADVISER)],
        sender=EBROWN.mailbox,
        note="The sender's own health, shared by her with HR: hers to share (a Year 3 pupil "
        "has the same name, which changes nothing).",
    )
    add(
        "football-team-sheet",
        "Friendly match on Wednesday",
        f"Hi,\n\nOur team for Wednesday: {TOM_G.known}, {SAM.known}, {CHARLIE.known}, "
        f"{ZAYN.known} and {BILL.known}. We'll arrive at 3.45.",
        to=["pe@larkhillprimary.example"],
        sender=Y5,
        note="A team sheet of names only, to the other school: ordinary, no personal details.",
    )
    add(
        "staff-list-work-emails",
        "Who's who for new parents",
        "Dear Parents and Carers,\n\nYour class contacts:\n"
        + "\n".join(f"{s.known} – {ROLES[s]} – {s.email}" for s in (HEAD, DSL, Y3, Y5, SENCO)),
        to=[OFFICE],
        bcc=every_parent[280:310],
        sender=OFFICE_ADMIN,
        note="Staff work addresses on the school's domain are not a list of personal details.",
    )
    add(
        "colleague-other-school",
        "Phonics training",
        "Hi,\n\nWere you happy with the phonics training last week? We are thinking of booking "
        "it for our TAs.",
        to=["deputy@larkhillprimary.example"],
        note="To a colleague at another school, nothing personal.",
    )
    add(
        "la-training-booking",
        "Booking: DSL refresher training",
        "Hello,\n\nPlease book two places on the DSL refresher on 18 March for our deputy head "
        "and SENCo.",
        to=["training@broadshire-council.example"],
        sender=OFFICE_ADMIN,
        note="'DSL' and 'SENCo' as roles, nobody named.",
    )
    add(
        "subdomain-of-trust",
        "Re: Data return deadline",
        "Thanks, we'll submit by Friday.",
        to=[f"data@mail.{TRUST}"],
        sender=SBM,
        note="A subdomain of the trust's own domain is not a lookalike.",
    )
    add(
        "similar-but-different-domain",
        "Farm visit",
        "Hello,\n\nWe'd like to book a farm visit for Reception in June. What dates do you have?",
        to=["visits@oakfieldfarm.example"],
        note="A different business with a similar name, not a lookalike of the school.",
    )


def clean_low() -> None:
    """Fine at medium, though a check may rightly say something at low/info."""
    add(
        "internal-dsl-note",
        "Concern logged",
        f"Marcus,\n\nI've logged a concern on CPOMS about {BELLA.known}: she said there was "
        "shouting at home again and she didn't sleep. Social services are already involved. "
        "Can we talk at break?",
        to=[p(DSL)],
        low=("pd-special-category",),
        note="Safeguarding about a named pupil, but only to the DSL inside the school.",
    )
    add(
        "internal-ehcp-notes",
        "EHCP review notes",
        f"Hi Emily,\n\nNotes from this morning: {AMIRA.known}'s EHCP targets for reading are "
        "met; the autism outreach advice is in her file.",
        to=[p(Y3)],
        sender=SENCO,
        low=("pd-special-category",),
        note="SEN details about a named pupil, inside the school.",
    )
    add(
        "own-parent-asthma",
        "Inhaler",
        f"Dear {parent(LILY).first},\n\n{LILY.known}'s asthma inhaler runs out next week; "
        "please send a new one in her bag.",
        to=[p(parent(LILY))],
        low=("pd-special-category",),
        note="Health of a pupil, to her own parent: the ordinary business of a school.",
    )
    add(
        "internal-dad-phone",
        "Pick-up today",
        f"Hi Rose,\n\n{JAKUB.known}'s step-dad is collecting today; his mobile is 07700 900318 if "
        "he's late.",
        to=[p(TA_WARD)],
        low=("pd-phone",),
        note="A parent's phone number passed to a colleague inside the school.",
    )
    add(
        "internal-upn",
        "SIMS correction",
        f"Hi Hafsa,\n\nCould you correct the year group for {MAJA.known}, UPN {MAJA.upn}? It "
        "says Year 2.",
        to=[p(OFFICE_ADMIN)],
        low=("pd-upn",),
        note="A UPN inside the school.",
    )
    add(
        "internal-dob",
        "Birthday list",
        f"Hi Rose,\n\n{KWAME.known} D.O.B. 2019-01-22 – the card is in the drawer.",
        to=[p(TA_WARD)],
        low=("pd-date-of-birth",),
        note="A date of birth inside the school.",
    )
    add(
        "internal-address-change",
        "Change of address",
        f"Hafsa,\n\n{TOM.known}'s grandparents have moved: 27 Linden Close, Norwich NR99 3XT. "
        "Please update SIMS.",
        to=[p(OFFICE_ADMIN)],
        low=("pd-address",),
        note="A home address inside the school, for the MIS.",
    )
    add(
        "internal-ni-number",
        "New starter paperwork",
        f"Priya,\n\nMy NI number for the payroll form is {NI_B}.\n\n{TA_WARD.known}",
        to=[p(SBM)],
        sender=TA_WARD.mailbox,
        low=("pd-ni-number",),
        note="A member of staff's own NI number to the business manager, inside the school.",
    )
    add(
        "internal-class-list-dob",
        "Class list for the register",
        "Hi,\n\nClass list for the supply register attached.",
        to=[p(TA_MURPHY)],
        attachments=(
            (
                "year1.csv",
                "Forename,Surname,DOB\n"
                + "".join(
                    f"{c.forename},{c.surname},{d}\n"
                    for c, d in ((KWAME, "22/01/2019"), (LILY, "03/07/2018"), (MAJA, "14/11/2018"))
                ),
            ),
        ),
        low=("pd-people-list", "pd-date-of-birth"),
        note="A class list with dates of birth, inside the school.",
    )
    add(
        "cover-mrs-hargreaves",
        "Cover for Mrs Hargreaves on Friday",
        "Hi all,\n\nTilly will cover Year 3 on Friday morning while Emily is on the course.",
        to=[ALL_STAFF],
        sender=HEAD,
        low=("subject-roster-name",),
        note="A member of staff named in a routine logistics subject: low at most.",
    )
    add(
        "lunch-with-head",
        "Lunch with Catherine Pemberton and governors",
        "Governors are joining the Head for lunch on Thursday; please save three seats.",
        to=[p(OFFICE_ADMIN)],
        sender=SBM,
        low=("subject-roster-name",),
        note="The Headteacher named in a routine subject: low at most.",
    )
    add(
        "first-time-supplier",
        "Playground markings quote",
        "Hello,\n\nCould you quote for repainting the playground markings over Easter?",
        to=[LINES],
        sender=SBM,
        low=("recipient-first-time",),
        note="A new supplier: a first-time recipient is worth a nudge, nothing more.",
    )
    add(
        "six-heads-to",
        "Cluster moderation dates",
        "Dear colleagues,\n\nModeration dates for the summer are attached.",
        to=list(OTHER_HEADS),
        sender=HEAD,
        low=("recipients-exposed",),
        note="Six professional addresses in To: mild; they are work addresses, not parents'.",
    )
    mum, dad = parents(LOTTIE)[:2]
    add(
        "both-parents-same-child",
        "Parents' evening",
        f"Dear {mum.first} and {dad.first},\n\nYour appointment about {LOTTIE.known} is at 5.10pm "
        "on Wednesday.",
        to=[p(mum), p(dad)],
        low=("recipients-exposed",),
        note="Both parents of one child in To: usual, though separated parents would make it "
        "a disclosure (debatable).",
    )
    add(
        "two-children-named-to-one-parent",
        "Playground",
        f"Dear {parent(BEN_R).first},\n\n{BEN_R.known} and {FLO.known} had a disagreement at "
        "lunch; it was sorted out and they shook hands.",
        to=[p(parent(BEN_R))],
        note="Names another child to one pupil's parent: a judgement call no check covers; "
        "the roster match is right (the parent is linked to a named pupil).",
    )
    add(
        "sibling-named-to-shared-parent",
        "Reading book",
        f"Dear {parent(BEN_F).first},\n\n{BEN_F.known}'s reading book is ready to collect from "
        "the office.",
        to=[p(parents(BEN_F)[1])],
        note="The other grandparent of the same child: correctly linked.",
    )


def subjects() -> None:
    """Clause 4.3: no names or pupil identifiers in subjects."""
    add(
        "subject-ehcp-review-internal",
        f"{AMIRA.known} – EHCP review",
        "Hi Maja,\n\nCan we meet on Thursday to prepare for the annual review?",
        to=[p(SENCO)],
        expect=("subject-roster-name",),
        note="Pupil's full name in the subject (internal).",
    )
    add(
        "subject-name-caps",
        f"RE: {OLIVER.full.upper()} - behaviour today",
        f"Dear {parent(OLIVER).first},\n\nThank you for your call. We will talk to him tomorrow "
        "and let you know.",
        to=[p(parent(OLIVER))],
        expect=("subject-roster-name",),
        note="Pupil's name in capitals in the subject, going to his parent.",
    )
    add(
        "subject-name-lowercase-preferred",
        f"{SAM.known.lower()} - reading assessment",
        "Hi Niamh,\n\nI've done the running record; results on the shared drive.",
        to=[p(Y5)],
        expect=("subject-roster-name",),
        note="Preferred name in lower case.",
    )
    add(
        "subject-register-form",
        f"{TOM.surname}, {TOM.forename} – attendance",
        "Hi Hafsa,\n\nCould you send me his attendance for this half term?",
        to=[p(OFFICE_ADMIN)],
        expect=("subject-roster-name",),
        note="'Surname, Forename' register form.",
    )
    add(
        "subject-initial",
        f"{KASIA.forename[0]}. {KASIA.surname} spelling group",
        "Hi Rose,\n\nShe can move up to the blue spelling group from Monday.",
        to=[p(TA_WARD)],
        expect=("subject-roster-name",),
        note="Initial and surname ('K. Davies') of a pupil.",
    )
    add(
        "subject-preferred-name-to-parent",
        f"{GABBY.known} – trip consent",
        f"Dear {parent(GABBY).first},\n\nWe haven't yet had the consent form for the trip; "
        "could you return it by Friday?",
        to=[p(parent(GABBY))],
        expect=("subject-roster-name",),
        note="Preferred name ('Gabby') in the subject.",
    )
    add(
        "subject-possessive-to-salt",
        f"{SEUN.known}'s speech therapy referral",
        f"Hello,\n\nPlease find the referral for {SEUN.known} (Year 4). His speech therapy "
        "assessment was last done in Reception.",
        to=[SALT],
        sender=SENCO,
        expect=("subject-roster-name", "pd-special-category"),
        note="Possessive full name in the subject, and therapy (health) about him going out.",
    )
    add(
        "subject-forename-possessive",
        f"{EMEKA.first}'s reading",
        f"Dear {parent(EMEKA).first},\n\nHe has moved up two book bands this term. Well done!",
        to=[p(parent(EMEKA))],
        expect=("subject-roster-name",),
        note="Preferred forename only, possessive: names the pupil to anyone who knows the "
        "school (debatable: forename only).",
    )
    add(
        "subject-parent-titled",
        f"Phone call from Mrs {MRS_IQBAL.surname}",
        "Catherine,\n\nShe rang about the Year 4 trip; can you call her back after 3?",
        to=[p(HEAD)],
        sender=OFFICE_ADMIN,
        expect=("subject-roster-name",),
        note="A parent named (title and surname) in the subject.",
    )
    add(
        "subject-staff-sickness-hr",
        f"{FOWUSU.known} – sickness absence",
        f"Hi Jo,\n\n{FOWUSU.known} has been off since Monday with anxiety; her fit note runs to "
        "the end of the month. Could we arrange a return-to-work plan?",
        to=[p(HR_ADVISER)],
        sender=HEAD,
        expect=("subject-roster-name", "pd-special-category"),
        note="The email concerns one member of staff: her name in the subject (4.3) and her "
        "health going outside the school.",
    )
    add(
        "subject-accent",
        f"Re: {ZOE.known}",
        f"Dear {parent(ZOE).first},\n\nShe settled well this afternoon after you left.",
        to=[p(parent(ZOE))],
        expect=("subject-roster-name",),
        note="Accented name ('Zoë') in the subject.",
    )
    add(
        "subject-accent-dropped-caps",
        f"{_fold(ZOE.known).upper()} PICK-UP",
        "Hi Rose,\n\nGrandad is collecting her today.",
        to=[p(TA_WARD)],
        expect=("subject-roster-name",),
        note="Name in capitals with the accent dropped ('ZOE').",
    )
    add(
        "subject-name-word-forename",
        f"{MAY.known} – reading",
        "Hi Rose,\n\nShe is ready for the next book band.",
        to=[p(TA_WARD)],
        expect=("subject-roster-name",),
        note="A pupil whose forename is also a word, named in full.",
    )
    add(
        "subject-name-word-surname",
        f"{CIAN.known} – SALT referral",
        "Hi Maja,\n\nI've filled in the form; it's in your tray.",
        to=[p(SENCO)],
        expect=("subject-roster-name",),
        note="A pupil whose surname is also a word ('Reading'), named in full.",
    )
    add(
        "subject-staff-and-pupil",
        f"Meeting with Mrs Begum about {BELLA.known}",
        f"Dear {parent(BELLA).first},\n\nMrs Begum can meet you on Tuesday at 3.30.",
        to=[p(parent(BELLA))],
        expect=("subject-roster-name",),
        note="The pupil named in the subject (the SENCo too).",
    )
    add(
        "subject-staff-grievance",
        f"Grievance – {TCHEN.full}",
        "Jo,\n\nPlease find attached the grievance letter I received today. I'd like advice "
        "before meeting her.",
        to=[p(HR_ADVISER)],
        sender=HEAD,
        expect=("subject-roster-name",),
        note="A grievance about one member of staff: her name in the subject.",
    )
    add(
        "subject-nonroster-applicant",
        "Reference request: Harriet Quenby (TA applicant)",
        "Dear colleague,\n\nHarriet Quenby has applied for a teaching assistant post with us and "
        "gave your name as a referee. The reference form is attached.",
        to=[REFEREE],
        sender=SBM,
        expect=("subject-personal-name",),
        note="A job applicant (not on the roster) named in the subject.",
    )
    add(
        "subject-nonroster-transfer",
        "Transfer from Larkhill Primary – Tobias Wrenfield",
        "Hello,\n\nWe have a place in Year 3 for this pupil from Monday week. Please send the CTF "
        "through the secure portal.",
        to=[LA_ADMISSIONS],
        sender=OFFICE_ADMIN,
        expect=("subject-personal-name",),
        note="A pupil at another school (not yet on our roster) named in the subject.",
    )
    add(
        "subject-nonroster-admission",
        "Re: Ellis Marwood – in-year admission",
        "Catherine,\n\nThe family visited today and would like a Year 5 place.",
        to=[p(HEAD)],
        sender=OFFICE_ADMIN,
        expect=("subject-personal-name",),
        note="A prospective pupil named in the subject (internal).",
    )
    add(
        "subject-nonroster-supply",
        "Supply teacher Fenella Drax – DBS check",
        "Hello,\n\nPlease confirm the DBS check for the supply teacher booked for Monday.",
        to=[AGENCY],
        sender=SBM,
        expect=("subject-personal-name",),
        note="A supply teacher named in the subject.",
    )
    add(
        "subject-nonroster-complaint",
        "Complaint from Mr Gideon Holloway",
        "Catherine,\n\nA neighbour has complained again about parking on his drive; letter "
        "attached.",
        to=[p(HEAD)],
        sender=OFFICE_ADMIN,
        expect=("subject-personal-name",),
        note="A member of the public named in the subject.",
    )
    add(
        "subject-upn-to-la",
        f"UPN {UPN_NEW} – missing CTF",
        "Hello,\n\nWe still have not received the CTF for this pupil, who joined us on Monday.",
        to=[LA_ADMISSIONS],
        sender=OFFICE_ADMIN,
        expect=("subject-pupil-identifier", "pd-upn"),
        note="A valid UPN in the subject, going outside the school.",
    )
    add(
        "subject-uln-to-secondary",
        f"ULN {ULN_A} transition record",
        "Hello,\n\nHere is the transition record you asked for.",
        to=[SECONDARY],
        sender=Y5,
        expect=("subject-pupil-identifier", "pd-uln"),
        note="A valid ULN in the subject, going outside the school.",
    )
    add(
        "subject-invalid-upn",
        f"UPN {UPN_BAD} rejected",
        "Hello,\n\nThe DfE portal rejected this number; it has the wrong check letter. We'll "
        "find the right one.",
        to=[LA_ADMISSIONS],
        sender=OFFICE_ADMIN,
        note="A UPN with a wrong check letter identifies nobody.",
    )
    add(
        "subject-upn-internal",
        f"Attendance code for {AMARA.upn}",
        "Hafsa,\n\nShe was at the dentist yesterday morning; please code it M.",
        to=[p(OFFICE_ADMIN)],
        expect=("subject-pupil-identifier",),
        low=("pd-upn",),
        note="A UPN in the subject (4.3 applies inside the school too).",
    )
    add(
        "subject-upn-lowercase",
        f"re: upn {ZOE.upn.lower()}",
        "Hafsa,\n\nThat's the right number; the old one was a temporary UPN.",
        to=[p(OFFICE_ADMIN)],
        expect=("subject-pupil-identifier",),
        low=("pd-upn",),
        note="A UPN written in lower case in the subject.",
    )


def recipients() -> None:
    """Clause 4.2: double-check the recipients."""
    add(
        "lookalike-trust-transposition",
        "Budget return",
        "Hello,\n\nOur budget return is attached.",
        to=[f"finance@{TRUST.replace('trust', 'trsut')}"],
        sender=SBM,
        expect=("recipient-lookalike-domain",),
        low=("recipient-first-time",),
        note="Trust domain with two letters swapped.",
    )
    add(
        "lookalike-hr-typo",
        "Contract queries",
        "Hi Jo,\n\nA few queries about the new TA contracts; can we speak on Friday?",
        to=[f"joanna.whitlock@{HR.replace('education', 'educaton')}"],
        sender=SBM,
        expect=("recipient-lookalike-domain",),
        low=("recipient-first-time",),
        note="HR provider's domain with a letter dropped.",
    )
    cyrillic = "broadl\u0430ndtrust"  # the second 'a' is Cyrillic
    add(
        "lookalike-trust-punycode",
        "Re: Invoice 2291",
        "Hello,\n\nPayment details as requested.",
        to=[f"finance@xn--{cyrillic.encode('punycode').decode()}.example"],
        sender=SBM,
        expect=("recipient-lookalike-domain",),
        low=("recipient-first-time",),
        note="Homoglyph: the trust's name with a Cyrillic 'а' (punycode).",
    )
    add(
        "lookalike-school-ascii-homoglyph",
        "Lesson plans",
        "Hi Niamh,\n\nHere are next week's plans.",
        to=[f"nfitzgerald@{SCHOOL.replace('field', 'fie1d')}"],
        expect=("recipient-lookalike-domain",),
        low=("recipient-first-time",),
        note="The school's own domain with '1' for 'l'.",
    )
    add(
        "lookalike-trust-extra-label",
        "Secure portal log-in",
        "Hello,\n\nAs requested, my details for the new portal are below.",
        to=[f"it@{TRUST}.com"],
        sender=SBM,
        expect=("recipient-lookalike-domain",),
        low=("recipient-first-time",),
        note="The trust's whole domain inside someone else's (phishing shape).",
    )
    add(
        "lookalike-school-hyphen-swap",
        "Minutes",
        "Catherine,\n\nMinutes from last night's governors' meeting attached.",
        to=[f"cpemberton@{SCHOOL.replace('.', '-')}.org"],
        sender=SBM,
        expect=("recipient-lookalike-domain",),
        low=("recipient-first-time",),
        note="The school's domain with a hyphen for the dot under another ending.",
    )
    add(
        "lookalike-pupil-domain-typo",
        "Homework",
        "Hi Sam,\n\nDon't forget your spellings.\n\nMrs Fitzgerald",
        to=[SAM.email.replace("oakfieldprimary", "oakfieldprimay")],
        sender=Y5,
        signed=False,
        expect=("recipient-lookalike-domain",),
        low=("recipient-first-time",),
        note="The pupil domain with a letter dropped: the mail would leave the school.",
    )
    add(
        "lookalike-hr-with-ni",
        "New starter – payroll",
        f"Hello,\n\nNew starter {TA_WARD.known} begins on 1 April. NI number {NI_A}.",
        to=[f"payroll@{HR.replace('educationhr', 'educatiohnr')}"],
        sender=SBM,
        expect=("recipient-lookalike-domain", "pd-ni-number"),
        low=("recipient-first-time",),
        note="Lookalike HR domain (swapped letters) and an NI number going to it.",
    )
    # Display name of one roster person, address of another.
    wrong = parent(AMARA)
    assert not linked(ZAINAB_DAY, AMARA)
    add(
        "mismatch-parent-display",
        "Parents' evening",
        f"Dear {ZAINAB_DAY.first},\n\nYour appointment is at 4.20pm on Tuesday.",
        to=[formataddr((ZAINAB_DAY.full, wrong.email))],
        expect=("recipient-name-address-mismatch",),
        note="Display name of one parent on another parent's address (autocomplete slip).",
    )
    add(
        "mismatch-staff-display",
        "Rota",
        "Hi Rose,\n\nYou're on the gate on Tuesday and Thursday this week.",
        to=[formataddr((TA_WARD.full, TA_MURPHY.email))],
        sender=HEAD,
        expect=("recipient-name-address-mismatch",),
        note="Rose Ward's name on Rose Murphy's address (same forename).",
    )
    add(
        "mismatch-pupil-display",
        "Your certificate",
        "Well done on your swimming certificate! Bring it in to show the class.",
        to=[formataddr((TOM.full, TOM_G.email))],
        sender=Y5,
        expect=("recipient-name-address-mismatch",),
        note="One Tom's name on the other Tom's pupil address.",
    )
    wrong2 = parent(KWAME)
    add(
        "mismatch-register-form",
        "Re: Dinner money",
        f"Dear {ZAINAB_DAY.first},\n\nThanks, the balance is now clear.",
        to=[formataddr((f"{ZAINAB_DAY.surname}, {ZAINAB_DAY.forename}", wrong2.email))],
        sender=OFFICE_ADMIN,
        expect=("recipient-name-address-mismatch",),
        note="'Surname, Forename' display name on another parent's address.",
    )
    mum, step = parents(OLIVER)[:2]
    add(
        "mismatch-mum-name-stepparent-address",
        "Parents' evening",
        f"Dear {mum.first},\n\nYour appointment about {OLIVER.known} is at 5pm on Wednesday.",
        to=[formataddr((mum.full, step.email))],
        expect=("recipient-name-address-mismatch",),
        note="The mother's name on the step-parent's address: the wrong person receives it.",
    )
    # Several parents' addresses visible to each other.
    year4 = [KASIA, MAY, BILL, LOTTIE, SEUN, pupil("Maryam Kowalski")]
    add(
        "exposed-six-parents-to",
        "Year 4 swimming",
        "Dear Parents,\n\nSwimming starts next Tuesday. Please send a towel and costume.",
        to=[p(parent(c)) for c in year4],
        expect=("recipients-exposed",),
        note="Six families' personal addresses in To.",
    )
    add(
        "exposed-three-parents-cc",
        "Sports day volunteers",
        "Dear all,\n\nThank you for volunteering for sports day! Please arrive at 9.15.",
        to=[OFFICE],
        cc=[p(parent(c)) for c in (KWAME, LILY, MAJA)],
        sender=OFFICE_ADMIN,
        expect=("recipients-exposed",),
        note="Three parents in Cc.",
    )
    add(
        "exposed-two-families-incident",
        "Incident at lunch",
        f"Dear both,\n\n{BEN_R.known} and {FLO.known} had a disagreement at lunch; it was "
        "sorted out and they shook hands.",
        to=[p(parent(BEN_R)), p(parent(FLO))],
        expect=("recipients-exposed",),
        note="Two families' addresses in To, each seeing the other's.",
    )
    # Roster mismatch: the message is about pupil X but goes to the parents of others.
    wrong_parent = parent(LILY)
    assert not linked(wrong_parent, AMARA)
    add(
        "roster-mismatch-reading",
        "Reading",
        f"Dear {wrong_parent.first},\n\n{AMARA.known} read beautifully to the class today; "
        "please keep up the reading at home.",
        to=[p(wrong_parent)],
        sender=staff("Aoife Wood"),
        expect=("recipient-roster-mismatch",),
        note="About one pupil, sent to the parent of another.",
    )
    wrong_parent = parent(KWAME)
    assert not linked(wrong_parent, MAJA)
    add(
        "roster-mismatch-medical",
        "Inhaler",
        f"Dear {wrong_parent.first},\n\n{MAJA.known}'s asthma inhaler runs out next week; please "
        "send a new one in.",
        to=[p(wrong_parent)],
        expect=("recipient-roster-mismatch", "pd-special-category"),
        note="Health of one pupil sent to another pupil's parent: a breach.",
    )
    add(
        "roster-mismatch-two-wrong-bcc",
        "Behaviour this week",
        f"Dear Parent,\n\n{TOM.known} has had a difficult week; could we meet on Friday?",
        to=[OFFICE],
        bcc=[p(parent(BELLA)), p(parent(CIAN))],
        sender=Y3,
        expect=("recipient-roster-mismatch",),
        note="About one pupil, to two parents of other pupils (Bcc).",
    )
    wrong_parent = parent(MAY)
    assert not linked(wrong_parent, LOTTIE)
    add(
        "roster-mismatch-preferred-name",
        "Lost property",
        f"Dear {wrong_parent.first},\n\n{LOTTIE.known}'s coat is in lost property.",
        to=[p(wrong_parent)],
        expect=("recipient-roster-mismatch",),
        note="A preferred name ('Lottie') of one pupil, to the parent of another.",
    )
    add(
        "roster-mismatch-with-wrong-display",
        "Parents' evening",
        f"Dear {ZAINAB_DAY.first},\n\nYour appointment about {WILLOW.known} is at 4.30pm.",
        to=[formataddr((ZAINAB_DAY.full, parent(AMARA).email))],
        expect=("recipient-name-address-mismatch", "recipient-roster-mismatch"),
        note="Wrong parent picked from autocomplete: name/address mismatch, and the pupil "
        "named is not theirs.",
    )


def senders() -> None:
    """Clauses 4.4 and 4.5: approved accounts only; pupils only from school accounts."""
    personal = formataddr((Y5.known, "niamh.fitz@example.net"))
    add(
        "pupil-from-personal-account",
        "Homework",
        "Hi Sam,\n\nHere's the sheet you missed. See you Monday.\n\nMrs F",
        to=[SAM.email],
        sender=personal,
        expect=("sender-not-approved", "pupil-from-unapproved-account"),
        note="A teacher writes to a pupil from a personal account.",
    )
    add(
        "pupils-bcc-from-personal",
        "Science club",
        "Hi all,\n\nScience club is cancelled this week.\n\nMr L",
        to=["gareth.l@mail.example"],
        bcc=[TOM_G.email, CHARLIE.email, ZAYN.email],
        sender=formataddr((ITM.known, "gareth.l@mail.example")),
        expect=("sender-not-approved", "pupil-from-unapproved-account"),
        note="Personal account writing to three pupils in Bcc.",
    )
    add(
        "pupil-from-lookalike-school-domain",
        "Your reading log",
        "Hi Tom,\n\nPlease bring your reading log tomorrow.",
        to=[TOM_G.email],
        sender=formataddr((Y5.known, f"nfitzgerald@{SCHOOL.replace('field', 'fie1d')}")),
        expect=("sender-not-approved", "pupil-from-unapproved-account"),
        note="Sender on a lookalike of the school's domain, writing to a pupil.",
    )
    add(
        "personal-account-to-colleague",
        "Marking for tomorrow",
        f"Hi Emily,\n\nI've marked the Year 3 maths books at home; {TOM.known} and "
        f"{BELLA.known} need to redo page 12.\n\nRose",
        to=[p(Y3)],
        sender=formataddr((TA_WARD.known, "roseward@example.com")),
        expect=("sender-not-approved",),
        note="School business from a personal account.",
    )
    add(
        "personal-account-to-parent",
        "Re: Trip money",
        f"Dear {parent(KWAME).first},\n\nYes, that's fine, it can come in on Monday.\n\n"
        "Mrs Hargreaves",
        to=[p(parent(KWAME))],
        sender=formataddr((Y3.known, "emily.hargreaves@mail.example")),
        expect=("sender-not-approved",),
        note="A teacher answers a parent from a personal account.",
    )
    add(
        "sender-lookalike-domain",
        "Dinner money reminder",
        "Dear Parents and Carers,\n\nDinner money for next half term is now due.",
        to=[OFFICE],
        bcc=[p(parent(c)) for c in (KASIA, MAY)],
        sender=formataddr(("Oakfield Office", f"office@{SCHOOL}.net")),
        expect=("sender-not-approved",),
        note="Sent from a domain that only looks like the school's.",
    )
    add(
        "head-name-personal-address",
        "Governors' visit",
        "Robert,\n\nThursday at 10 is fine for the learning walk.\n\nCatherine",
        to=[f"rainsworth@{SCHOOL}"],
        sender=formataddr((HEAD.full, "cathp@example.org")),
        expect=("sender-not-approved",),
        note="The Headteacher's name on a personal address.",
    )
    add(
        "no-from-header",
        "Reading records",
        "Please check reading records on Tuesdays.",
        to=[ALL_STAFF],
        sender=None,
        expect=("sender-missing",),
        note="No From header at all.",
    )
    add(
        "from-without-address",
        "Fire drill",
        "Fire drill at 10.15 today.",
        to=[ALL_STAFF],
        sender=None,
        raw_from="Office",
        expect=("sender-missing",),
        note="A From header with a name but no address.",
    )
    add(
        "from-empty-group",
        "Lunch menu",
        "Next week's lunch menu is attached.",
        to=[OFFICE],
        sender=None,
        raw_from="undisclosed-recipients:;",
        expect=("sender-missing",),
        note="A From header that is an empty group.",
    )


def professional() -> None:
    """Clause 4.1: keep it professional; it may be released under data protection law."""
    add(
        "opinion-named-pupil-lazy",
        "PE",
        f"Quick heads-up before you take Year 2 for PE: {OLIVER.known} is lazy and won't get "
        "changed unless you stand over him.",
        to=[p(Y5)],
        expect=("prof-opinion-about-person",),
        note="A judgement of a named pupil.",
    )
    add(
        "opinion-parent-nightmare",
        "Trip calls",
        f"Catherine,\n\nMrs {MRS_IQBAL.surname} is a nightmare – she rang three times today "
        "about the trip.",
        to=[p(HEAD)],
        sender=OFFICE_ADMIN,
        expect=("prof-opinion-about-person",),
        note="A judgement of a named parent.",
    )
    add(
        "opinion-that-family",
        "Re: Attendance",
        f"Hafsa,\n\nI wouldn't bother calling home about {ZAYN.known} again, that family are "
        "useless.",
        to=[p(OFFICE_ADMIN)],
        expect=("prof-opinion-about-person",),
        note="A judgement of an identifiable family.",
    )
    add(
        "opinion-forename-only",
        "Assembly",
        f"{EMEKA.first} is a pain in assembly; can he sit at the end of the row?",
        to=[p(Y5)],
        sender=HEAD,
        expect=("prof-opinion-about-person",),
        note="A judgement of a pupil named by his (unusual) preferred forename.",
    )
    add(
        "opinion-colleague",
        "Phonics",
        "Between us, Mrs Chen is hopeless with the new phonics scheme. Can you model a lesson "
        "for her?",
        to=[p(SENCO)],
        sender=HEAD,
        expect=("prof-opinion-about-person",),
        note="A judgement of a named colleague.",
    )
    add(
        "opinion-to-la",
        "Attendance referral",
        f"Hello,\n\nWe are referring {GABBY.known} for persistent absence. Frankly, "
        f"{GABBY.known}'s mum is a liar: the dentist appointments never happened.",
        to=[LA_ATTENDANCE],
        sender=OFFICE_ADMIN,
        expect=("prof-opinion-about-person",),
        note="A judgement of a named pupil's mother, sent to the local authority.",
    )
    add(
        "opinion-not-lazy",
        "Re: Homework",
        f"Hi Rose,\n\n{JAKUB.known} is not lazy, he is tired: the baby keeps him up. Go easy "
        "on him.",
        to=[p(TA_WARD)],
        note="'is not lazy' defends the pupil; no judgement.",
    )
    add(
        "insult-useless-ta",
        "Year 1",
        "The new TA in Year 1 – he is useless, sat on his phone all afternoon.",
        to=[p(HEAD)],
        sender=staff("Aoife Chen"),
        expect=("prof-insult",),
        note="Derogatory about an (unnamed but identifiable) colleague.",
    )
    add(
        "insult-parents-nightmare",
        "This week",
        "Honestly the parents in Year 4 are a nightmare this week, three complaints already.",
        to=[p(Y5)],
        expect=("prof-insult",),
        note="Derogatory about a group of parents.",
    )
    add(
        "insult-supply-idiot",
        "Tuesday cover",
        "The supply teacher on Tuesday was an idiot: he left no notes and lost the register.",
        to=[p(SBM)],
        sender=HEAD,
        expect=("prof-insult",),
        note="Insult about a supply teacher.",
    )
    add(
        "insult-lazy-boy",
        "Homework",
        "That lazy boy in Set 2 hasn't handed in a single homework this term.",
        to=[p(Y5)],
        expect=("prof-insult",),
        note="Derogatory about a pupil, not named.",
    )
    add(
        "insult-council-lot",
        "Re: Admissions appeal",
        "The council lot are a joke, they've lost the paperwork again.",
        to=[p(HEAD)],
        sender=OFFICE_ADMIN,
        expect=("prof-insult",),
        note="Derogatory about council staff.",
    )
    add(
        "insult-in-subject",
        "Idiot parents parking on the zig-zags again",
        "Can we put out the cones tomorrow?",
        to=[ALL_STAFF],
        sender=SBM,
        expect=("prof-insult",),
        note="An insult in the subject.",
    )
    add(
        "profanity-subject",
        "Shit – left the register on my desk",
        "Could someone grab it and take it to the office? Thanks.",
        to=[ALL_STAFF],
        expect=("prof-profanity",),
        note="Swearing in the subject.",
    )
    add(
        "profanity-disguised",
        "Inspection",
        "The f*cking Ofsted call came at 4.30, so it's tomorrow. All hands on deck.",
        to=[ALL_STAFF],
        sender=DSL,
        expect=("prof-profanity",),
        note="Disguised swear word.",
    )
    add(
        "profanity-leet",
        "Timetable",
        "This new timetable is sh1t; I lose PPA two weeks out of three.",
        to=[p(HEAD)],
        sender=staff("Aoife Wood"),
        expect=("prof-profanity",),
        note="Swear word written with a digit.",
    )
    add(
        "profanity-to-supplier",
        "Re: Order 55812",
        "Three weeks late and half the order missing. This is bollocks.",
        to=[SUPPLIES],
        sender=OFFICE_ADMIN,
        expect=("prof-profanity",),
        note="Swearing at a supplier.",
    )
    add(
        "profanity-pissed-off",
        "Rota",
        "I'm pissed off with this rota: third Friday running on the gate.",
        to=[p(HEAD)],
        sender=TA_WARD.mailbox,
        expect=("prof-profanity",),
        note="Vulgar phrase.",
    )
    add(
        "shouting-at-parent",
        "Collection",
        f"Dear {parent(SEUN).first},\n\nI HAVE ASKED YOU SEVERAL TIMES TO COLLECT HIM BY 3.15 AND "
        "THIS CANNOT CONTINUE.",
        to=[p(parent(SEUN))],
        expect=("prof-shouting",),
        note="Angry capitals at a parent: unprofessional and embarrassing if released.",
    )
    add(
        "shouting-at-staff",
        "Staffroom",
        "WHY HAS NOBODY WASHED THEIR MUGS IN THE STAFFROOM AGAIN!!!",
        to=[ALL_STAFF],
        sender=SBM,
        expect=("prof-shouting",),
        note="Angry capitals at colleagues.",
    )
    add(
        "shouting-subject",
        "I AM NOT COVERING THIS CLASS AGAIN",
        "Third time this week.",
        to=[p(HEAD)],
        sender=TA_WARD.mailbox,
        expect=("prof-shouting",),
        note="Angry capitals in the subject.",
    )
    add(
        "shouting-reminder-pe",
        "PLEASE REMEMBER PE KITS ON MONDAY",
        "Dear Parents and Carers,\n\nPE is on Mondays this half term.",
        to=[OFFICE],
        bcc=[p(parent(c)) for c in (KWAME, LILY)],
        sender=OFFICE_ADMIN,
        low=("prof-shouting",),
        note="A reminder in capitals: not angry, low at most.",
    )
    add(
        "shouting-zigzags",
        "Parking",
        "Dear Parents and Carers,\n\nPLEASE DO NOT PARK ON THE ZIG ZAG LINES OUTSIDE SCHOOL. It "
        "puts children at risk.",
        to=[OFFICE],
        bcc=[p(parent(c)) for c in (MAJA, JAKUB)],
        sender=HEAD,
        low=("prof-shouting",),
        note="A safety message in capitals: low at most.",
    )


def personal_data() -> None:
    """Clause 5 (and 4.2): personal data going out of the school."""
    add(
        "special-ehcp-autism-to-la",
        "Annual review paperwork",
        f"Hello,\n\nPlease find the paperwork for {AMIRA.known}'s EHCP annual review. Her "
        "diagnosis of autism was confirmed last spring.",
        to=[LA_SEND],
        sender=SENCO,
        expect=("pd-special-category",),
        note="SEN and diagnosis of a named pupil by plain email to the local authority.",
    )
    add(
        "special-safeguarding-to-social-worker",
        "Referral",
        f"Dear Delia,\n\nFurther to our call, we have a safeguarding concern about {BELLA.known} "
        "(Year 3): she has told her class teacher about domestic abuse at home.",
        to=[SOCIAL_WORKER],
        sender=DSL,
        expect=("pd-special-category",),
        note="Safeguarding detail about a named pupil by plain email (secure route expected).",
    )
    add(
        "special-epilepsy-to-nurse",
        "Care plan",
        f"Hello,\n\n{YUSUF.known} (Year 1) had two seizures this week; his epilepsy care plan "
        "needs reviewing and his medication changed.",
        to=[NURSE],
        sender=SENCO,
        expect=("pd-special-category",),
        note="Health of a named pupil going to the school nurse by plain email.",
    )
    add(
        "special-religion-to-coaches",
        "Packed lunches for the trip",
        f"Hello,\n\nFor the lunch order: {YUSUF.known} is Muslim so needs the halal option.",
        to=[COACHES],
        sender=OFFICE_ADMIN,
        expect=("pd-special-category",),
        note="Religion of a named pupil to a supplier.",
    )
    add(
        "special-fsm-to-photographer",
        "Photo orders",
        f"Hi,\n\n{BILL.known} gets free school meals, so his photo pack is free under our "
        "agreement.",
        to=[PHOTOS],
        sender=OFFICE_ADMIN,
        expect=("pd-special-category",),
        note="Free school meals (family income) of a named pupil to a supplier.",
    )
    add(
        "special-foster-to-museum",
        "Photos on the visit",
        f"Hello,\n\n{CHARLIE.known} is in foster care, so please make sure he is not in any "
        "photos you publish.",
        to=[MUSEUM],
        sender=Y5,
        expect=("pd-special-category",),
        note="Looked-after status of a named pupil to a museum.",
    )
    add(
        "special-exclusion-to-la",
        "Notification",
        f"Hello,\n\n{ZAYN.known} has a fixed-term exclusion of two days from tomorrow, for "
        "assaulting a member of staff.",
        to=[LA_EXCLUSIONS],
        sender=HEAD,
        expect=("pd-special-category",),
        note="Exclusion of a named pupil by plain email.",
    )
    add(
        "special-caps-name",
        "EHCP",
        f"Hello,\n\nThe draft EHCP for {AMIRA.known.upper()} is attached.",
        to=[LA_SEND],
        sender=SENCO,
        expect=("pd-special-category",),
        note="Named pupil in capitals next to 'EHCP', going out.",
    )
    add(
        "special-quoted-thread",
        "Re: Transition",
        f"Thanks, that's helpful.\n\nOn 2 March 2026, at 10:14, {Y5.known} wrote:\n> "
        f"{EMEKA.known} has ADHD and his medication is given at lunch by the office.",
        to=[SECONDARY],
        sender=Y5,
        expect=("pd-special-category",),
        note="Sensitive detail in the quoted thread is still being sent outside.",
    )
    add(
        "upn-to-la",
        "Admission",
        f"Hello,\n\n{pupil('Sophia Lewis').known} (UPN {pupil('Sophia Lewis').upn}) is leaving us "
        "at Easter; please arrange the CTF.",
        to=[LA_ADMISSIONS],
        sender=OFFICE_ADMIN,
        expect=("pd-upn",),
        note="A valid UPN with the pupil's name, by plain email to the LA.",
    )
    spaced_upn = " ".join([LEILA.upn[0], LEILA.upn[1:5], LEILA.upn[5:9], LEILA.upn[9:]])
    add(
        "upn-spaced",
        "CTF",
        f"Hello,\n\nThe CTF for {LEILA.known} has UPN {spaced_upn}.",
        to=[LA_ADMISSIONS],
        sender=OFFICE_ADMIN,
        expect=("pd-upn",),
        note="A valid UPN written with spaces.",
    )
    add(
        "upn-to-own-parent",
        "Secondary application",
        f"Dear {parent(FLO).first},\n\nFor the secondary application, {FLO.known}'s UPN is "
        f"{FLO.upn}.",
        to=[p(parent(FLO))],
        sender=OFFICE_ADMIN,
        low=("pd-upn",),
        note="The pupil's own UPN to her own parent, who asked for it.",
    )
    add(
        "uln-labelled",
        "Transition records",
        f"Hello,\n\n{FLO.known}: Unique Learner Number {ULN_B}.",
        to=[SECONDARY],
        sender=Y5,
        expect=("pd-uln",),
        note="A valid ULN with a name, going outside.",
    )
    add(
        "uln-invalid",
        "ULN query",
        f"Hello,\n\nThe ULN {ULN_BAD} on your list fails the check digit; could you check it?",
        to=[SECONDARY],
        sender=OFFICE_ADMIN,
        note="The number fails the ULN check, and nobody is named.",
    )
    add(
        "uln-placeholder",
        "ULN placeholder",
        "Hello,\n\nWhere a pupil has no ULN yet, the form shows 9999999999 as the ULN.",
        to=[SECONDARY],
        sender=OFFICE_ADMIN,
        note="9999999999 is the placeholder for 'no ULN yet'.",
    )
    add(
        "nhs-labelled-to-nurse",
        "Immunisation consent",
        f"Hello,\n\n{KWAME.known}: NHS number {spaced(NHS_A)}. Consent form attached.",
        to=[NURSE],
        sender=OFFICE_ADMIN,
        expect=("pd-nhs-number",),
        note="A valid NHS number with a name, by plain email.",
    )
    add(
        "nhs-unlabelled-spaced",
        "Form",
        f"Hello,\n\nThe number on {LILY.known}'s form is {spaced(NHS_B)}.",
        to=[NURSE],
        sender=OFFICE_ADMIN,
        expect=("pd-nhs-number",),
        note="A valid NHS number written 3-3-4, unlabelled.",
    )
    add(
        "nhs-run-labelled",
        "Hospital letter",
        f"Hello,\n\nThe hospital letter for {MAJA.known} gives NHS No. {NHS_C}.",
        to=[NURSE],
        sender=SENCO,
        expect=("pd-nhs-number", "pd-special-category"),
        note="A valid NHS number as one run, labelled, with 'hospital' near the name.",
    )
    add(
        "ni-to-hr",
        "New starter",
        f"Hi Jo,\n\n{TA_WARD.known} starts on 1 April; her NI number is {NI_A}.",
        to=[p(HR_ADVISER)],
        sender=SBM,
        expect=("pd-ni-number",),
        note="A member of staff's NI number by plain email to the HR provider.",
    )
    add(
        "ni-compact-to-pensions",
        "Pension enrolment",
        f"Hello,\n\nPlease enrol {TA_MURPHY.known}, NI {NI_B}, from April.",
        to=[PENSIONS],
        sender=SBM,
        expect=("pd-ni-number",),
        note="An NI number without spaces, going outside.",
    )
    add(
        "ni-invalid-example",
        "Payroll form",
        f"Hello,\n\nThe form's example NI number ({NI_BAD}) confused some staff; could you "
        "change it?",
        to=[HR_PAYROLL],
        sender=SBM,
        note="QQ is never issued: HMRC's example, not a person's number.",
    )
    add(
        "dob-to-coaches",
        "Passenger list query",
        f"Hello,\n\nFor the insurance: {CHARLIE.known}, DOB: 14/03/2016.",
        to=[COACHES],
        sender=OFFICE_ADMIN,
        expect=("pd-date-of-birth",),
        note="A pupil's date of birth to a supplier.",
    )
    add(
        "dob-words-to-la",
        "In-year admission",
        f"Hello,\n\n{pupil('Jayden Chambers').known}, date of birth 3rd June 2017, joins Year 3 on "
        "Monday.",
        to=[LA_ADMISSIONS],
        sender=OFFICE_ADMIN,
        expect=("pd-date-of-birth",),
        note="Date of birth in words, going outside.",
    )
    add(
        "dob-in-quoted-thread",
        "Re: Admission form",
        f"Thanks, all received.\n\n-----Original Message-----\nFrom: {OFFICE_ADMIN.known}\n"
        f"Sent: 2 March 2026\n\n{pupil('Luca White').known}, born on 9 September 2017.",
        to=[LA_ADMISSIONS],
        sender=OFFICE_ADMIN,
        expect=("pd-date-of-birth",),
        note="The quoted thread repeats a date of birth, and it goes outside.",
    )
    add(
        "address-to-coaches",
        "Drop-off",
        f"Hello,\n\nCould the coach drop {TOM.known} at his grandparents' on the way back? "
        "27 Linden Close, Norwich NR99 3XT.",
        to=[COACHES],
        sender=Y3,
        expect=("pd-address",),
        note="A pupil's family's home address to a supplier.",
    )
    add(
        "address-to-social-worker",
        "Change of address",
        f"Dear Delia,\n\n{BELLA.known}'s mum has moved to 4 Orchard Way, Norwich NR99 7LE.",
        to=[SOCIAL_WORKER],
        sender=DSL,
        expect=("pd-address",),
        note="A home address by plain email to a social worker.",
    )
    add(
        "phone-to-coaches",
        "Late return",
        f"Hello,\n\nIf the coach is late back, please ring {ZAINAB_DAY.first} "
        f"{ZAINAB_DAY.surname}'s mobile, 07700 900482, as she is the parent helper.",
        to=[COACHES],
        sender=OFFICE_ADMIN,
        expect=("pd-phone",),
        note="A parent's personal mobile given to a supplier (debatable: may be agreed).",
    )
    add(
        "phone-nan-to-club",
        "After-school club",
        f"Hello,\n\n{BEN_F.known} is collected by his nan on Thursdays; nan's mobile is "
        "07700 900739.",
        to=[CLUB],
        sender=OFFICE_ADMIN,
        expect=("pd-phone",),
        note="A grandparent's mobile to an outside club.",
    )
    add(
        "phone-in-signature",
        "Re: Coach times",
        "Hello,\n\n9am pick-up is fine.\n\n-- \nHafsa Patel\nOffice Administrator\n"
        "Mobile: 07700 900111",
        to=[COACHES],
        sender=OFFICE_ADMIN.mailbox,
        note="The sender's own work mobile in her signature.",
    )
    roster_rows = [KWAME, LILY, MAJA, JAKUB]
    add(
        "list-csv-medical-to-trip",
        "Trip list",
        "Hello,\n\nThe list for Thursday is attached.",
        to=[MUSEUM],
        sender=OFFICE_ADMIN,
        attachments=(
            (
                "trip-list.csv",
                "Forename,Surname,DOB,Medical\n"
                + "".join(
                    f"{c.forename},{c.surname},{d},{m}\n"
                    for c, d, m in zip(
                        roster_rows,
                        ("22/01/2019", "03/07/2018", "14/11/2018", "05/05/2020"),
                        ("asthma", "", "nut allergy", "epilepsy"),
                        strict=True,
                    )
                ),
            ),
        ),
        expect=("pd-people-list",),
        low=("pd-special-category", "pd-date-of-birth"),
        note="A spreadsheet of pupils with dates of birth and medical conditions, outside.",
    )
    add(
        "list-pasted-phones-to-club",
        "Emergency contacts",
        "Hello,\n\nEmergency contacts for the tournament:\n\n"
        + "\n".join(
            f"{c.known} – {parent(c).full} – 07700 900{500 + n:03d}"
            for n, c in enumerate((TOM_G, SAM, CHARLIE, ZAYN))
        ),
        to=[CLUB],
        sender=Y5,
        expect=("pd-people-list",),
        low=("pd-phone",),
        note="A pasted list of pupils with parents' phone numbers, to a club.",
    )
    add(
        "list-csv-upn-to-la",
        "Census query",
        "Hello,\n\nThe pupils you queried are in the attached file.",
        to=[LA_ADMISSIONS],
        sender=SBM,
        attachments=(
            (
                "census-query.csv",
                "UPN,Forename,Surname,Year\n"
                + "".join(
                    f"{c.upn},{c.forename},{c.surname},{y}\n"
                    for c, y in ((KASIA, 4), (MAY, 4), (BILL, 4), (SEUN, 4))
                ),
            ),
        ),
        expect=("pd-people-list",),
        low=("pd-upn",),
        note="A list of pupils with UPNs by plain email.",
    )
    add(
        "list-addresses-to-coaches",
        "Drop-off points",
        "Hello,\n\nHome drop-offs after the late match:\n\n"
        f"{TOM_G.known}, 3 Mill Lane, Norwich NR99 2AB\n"
        f"{SAM.known}, 18 Church Road, Norwich NR99 4DF\n"
        f"{ZAYN.known}, 7 Beech Close, Norwich NR99 6GH",
        to=[COACHES],
        sender=Y5,
        expect=("pd-people-list",),
        low=("pd-address",),
        note="Pupils' home addresses listed for a supplier.",
    )


def harder() -> None:
    """Harder cases, as real mail is written: wrapped lines, HTML bodies, pronouns, typography."""
    add(
        "html-only-clean",
        "Year 2 assembly",
        "Dear Parents and Carers,\n\nYear 2 would love you to join their class assembly on "
        "Friday at 9am in the hall.",
        to=[OFFICE],
        bcc=[p(parent(c)) for c in (OLIVER, ALEX)],
        sender=OFFICE_ADMIN,
        html=HTML,
        note="An HTML-only newsletter to parents in Bcc.",
    )
    add(
        "html-only-ehcp-to-la",
        "Consultation",
        f"Hello,\n\nThank you for the consultation. {KASIA.known} has an EHCP for speech and "
        "language needs and we can meet them with our current staffing.",
        to=[LA_SEND],
        sender=SENCO,
        html=HTML,
        expect=("pd-special-category",),
        note="HTML-only body: a named pupil's EHCP going to the LA.",
    )
    add(
        "name-wrapped-across-lines",
        "Annual review",
        "Hello,\n\nPlease find attached the annual review paperwork for Amira\nChen, whose "
        "autism diagnosis was confirmed in May last year.",
        to=[LA_SEND],
        sender=SENCO,
        expect=("pd-special-category",),
        note="A hard-wrapped line splits the pupil's name; the diagnosis is still about her.",
    )
    add(
        "special-category-in-next-paragraph",
        "Transition meeting",
        f"Hello,\n\nThank you for meeting us about {FLO.known} on Tuesday; she is looking "
        "forward to the taster day in June, and her parents have asked whether she can bring "
        "a friend from her class with her on the morning itself.\n\nWe should also say that "
        "she was diagnosed with type 1 diabetes over the summer holidays and now carries an "
        "insulin pump.",
        to=[SECONDARY],
        sender=Y5,
        expect=("pd-special-category",),
        note="The diagnosis is about the pupil named in the paragraph before ('she'): a DPO "
        "would flag it though the name is far from the word.",
    )
    add(
        "subject-curly-apostrophe",
        f"{EMEKA.known.replace(chr(39), chr(8217))} – transition",
        "Hello,\n\nThe transition form is attached.",
        to=[SECONDARY],
        sender=Y5,
        expect=("subject-roster-name",),
        note="Name with a typographic apostrophe (O’Neill) in the subject, going outside.",
    )
    add(
        "subject-double-barrelled-preferred",
        f"{ALEX.known} – reading",
        "Hi Rose,\n\nHe is ready for the next book band.",
        to=[p(TA_WARD)],
        expect=("subject-roster-name",),
        note="Preferred forename and double-barrelled preferred surname in the subject.",
    )
    add(
        "subject-name-mid-sentence",
        f"Year 6 – {GABBY.known}'s mum called",
        "Catherine,\n\nShe asked you to ring back about the residential.",
        to=[p(HEAD)],
        sender=OFFICE_ADMIN,
        expect=("subject-roster-name",),
        note="A pupil's name in the middle of the subject, possessive.",
    )
    add(
        "subject-opinion",
        f"{OLIVER.known} is lazy",
        "Can we talk about him at break?",
        to=[p(Y5)],
        expect=("subject-roster-name", "prof-opinion-about-person"),
        note="A named pupil and a judgement of him, both in the subject.",
    )
    mum_x, mum_y = parent(MAJA), parent(KWAME)
    add(
        "extra-wrong-parent-cc",
        "Inhaler",
        f"Dear {mum_x.first},\n\n{MAJA.known}'s asthma inhaler runs out next week; please send "
        "a new one in.",
        to=[p(mum_x)],
        cc=[p(mum_y)],
        expect=("recipients-exposed", "recipient-roster-mismatch", "pd-special-category"),
        note="The right parent in To, and another pupil's parent added in Cc: that parent gets "
        "this pupil's health details (debatable for roster-mismatch: the SPEC words it as 'to "
        "nobody linked to X').",
    )
    add(
        "lookalike-in-cc-among-right",
        "Governors' pack",
        "Hi all,\n\nThe pack for Thursday's meeting is attached.",
        to=[f"rainsworth@{SCHOOL}", p(HEAD)],
        cc=[f"clerk@{SCHOOL.replace('field', 'feild')}"],
        sender=SBM,
        expect=("recipient-lookalike-domain",),
        low=("recipient-first-time",),
        note="One Cc address on the school's domain with 'ie' swapped, among right ones.",
    )
    add(
        "address-without-postcode",
        "Placement",
        f"Dear Delia,\n\n{BELLA.known} is now living with her aunt at 14 Meadow Close, on the "
        "Riverside estate.",
        to=[SOCIAL_WORKER],
        sender=DSL,
        expect=("pd-address",),
        note="A home address without a postcode is still a home address.",
    )
    add(
        "dob-two-digit-year",
        "Swimming pool booking",
        f"Hello,\n\nThe extra swimmer is {LILY.known}, DOB 03.07.18.",
        to=[CLUB],
        sender=OFFICE_ADMIN,
        expect=("pd-date-of-birth",),
        note="Date of birth with a two-digit year, to an outside club.",
    )
    add(
        "register-form-in-body-to-la",
        "Annual review",
        f"Hello,\n\nRe: {AMIRA.surname}, {AMIRA.forename} (Year 6) – the EHCP review paperwork "
        "is attached.",
        to=[LA_SEND],
        sender=SENCO,
        expect=("pd-special-category",),
        note="Register form 'Surname, Forename' next to 'EHCP', going out.",
    )
    add(
        "staff-pregnancy-to-hr",
        "Maternity leave",
        f"Hi Jo,\n\n{TA_MURPHY.known} is pregnant and would like to start maternity leave in "
        "July. What forms does she need?",
        to=[p(HR_ADVISER)],
        sender=HEAD,
        expect=("pd-special-category",),
        note="A named colleague's pregnancy by plain email to the HR provider.",
    )
    add(
        "pupil-named-to-la-nothing-sensitive",
        "Starter",
        f"Hello,\n\n{pupil('Jayden Chambers').known} has settled in well since joining Year 3.",
        to=[LA_ADMISSIONS],
        sender=OFFICE_ADMIN,
        note="A pupil's name alone to the LA admissions team: routine, nothing sensitive.",
    )
    add(
        "uln-learner-number-label",
        "Exam entries",
        f"Hello,\n\nFor the entry: {BEN_R.known}, learner number {uln('305811942')}.",
        to=[SECONDARY],
        sender=Y5,
        expect=("pd-uln",),
        note="A valid ULN labelled 'learner number', with a name, going outside.",
    )
    dad = parents(KWAME)[1]
    add(
        "phone-dad-international-to-tutor",
        "Tutoring sessions",
        f"Hello,\n\nPlease arrange the sessions with {KWAME.known}'s dad directly; his personal "
        "mobile is +44 7700 900264.",
        to=["sessions@brighttutors.example"],
        sender=SENCO,
        expect=("pd-phone",),
        note=f"A parent's ({dad.first}'s) personal mobile, in +44 form, to a tutoring company.",
    )
    add(
        "address-staff-home-to-supplier",
        "Laptop delivery",
        f"Hello,\n\nPlease deliver {TCHEN.known}'s laptop to her home over half term: 9 Elm "
        "Grove, Norwich NR99 5JP.",
        to=[SUPPLIES],
        sender=ITM,
        expect=("pd-address",),
        note="A member of staff's home address to a supplier.",
    )


def _html_paragraphs(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join(f"<p>{para.replace(chr(10), '<br>')}</p>" for para in escaped.split("\n\n"))


HTML = "<html><head><style>p { font-family: Calibri; }</style></head><body>{body}</body></html>"


def write() -> None:
    for old in HERE.glob("*.eml"):
        old.unlink()
    labels = {}
    for n, mail in enumerate(MESSAGES):
        msg = EmailMessage()
        if mail.raw_from is not None:
            msg["From"] = mail.raw_from
        elif mail.sender is not None:
            msg["From"] = mail.sender
        if mail.to:
            msg["To"] = ", ".join(mail.to)
        if mail.cc:
            msg["Cc"] = ", ".join(mail.cc)
        if mail.bcc:
            msg["Bcc"] = ", ".join(mail.bcc)
        msg["Subject"] = mail.subject
        msg["Date"] = format_datetime(START + timedelta(minutes=7 * n))
        msg["Message-ID"] = f"<labelled-{n + 1:03d}@{SCHOOL}>"
        if mail.html:
            msg.set_content(
                mail.html.replace("{body}", _html_paragraphs(mail.body)), subtype="html"
            )
        else:
            msg.set_content(mail.body)
        for filename, text in mail.attachments:
            msg.add_attachment(text, subtype="csv", filename=filename)
        if msg.is_multipart():
            msg.set_boundary(f"==labelled-{n + 1:03d}==")  # not random: files stay the same
        (HERE / mail.name).write_bytes(msg.as_bytes(policy=policy.default))
        labels[mail.name] = {
            "expect": mail.expect,
            **({"expect_low": mail.expect_low} if mail.expect_low else {}),
            "note": mail.note,
        }
    (HERE / "labels.json").write_text(
        json.dumps(labels, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def main() -> None:
    clean_everyday()
    clean_low()
    subjects()
    recipients()
    senders()
    professional()
    personal_data()
    harder()
    names = [m.name for m in MESSAGES]
    assert len(names) == len(set(names))
    write()
    clean = sum(1 for m in MESSAGES if not m.expect)
    print(f"wrote {len(MESSAGES)} messages ({clean} with nothing expected at medium) to {HERE}")


if __name__ == "__main__":
    main()
