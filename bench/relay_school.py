"""The school the relay benchmark checks mail for: a one-form-entry primary of about 200 pupils,
40 staff and 300 parents and carers, built from the demo roster without a database (no Django),
so that the name checks search a roster of realistic size. Shared by bench/bench_relay.py
(which writes mail about these people) and bench/relay_runner.py (whose relay checks it).
"""

from __future__ import annotations

import random

from fairwatch import demo_data
from fairwatch.checks.context import RosterPerson, SchoolContext

PUPILS_PER_YEAR = 30  # 7 year groups: about 210 pupils
STAFF = 40  # the demo roster has 28; the rest are drawn from its name lists
SEED = 20260514  # one where no member of staff shares a pupil's name

DOMAIN = demo_data.SCHOOL_DOMAIN
PUPIL_DOMAIN = demo_data.PUPIL_DOMAIN
PARTNERS = (demo_data.ORG_DOMAIN, demo_data.HR_DOMAIN, "norfolk.gov.uk")
NOTICES_FROM = f"fairwatch@{DOMAIN}"


def school_context(seed: int = SEED) -> SchoolContext:
    """The same seed always gives the same school."""
    roster = demo_data.generate(seed, pupils_per_year=PUPILS_PER_YEAR)
    people: list[RosterPerson] = []
    upn_ids: dict[str, int] = {}
    for row in roster.pupils:
        upn_ids[row["upn"]] = len(people) + 1
        people.append(
            RosterPerson(
                len(people) + 1,
                "pupil",
                row["forename"],
                row["surname"],
                row["preferred_forename"],
                row["preferred_surname"],
                row["email"].lower(),
                row["upn"],
            )
        )
    contact_ids: dict[str, int] = {}
    links: dict[int, set[int]] = {}
    for row in roster.contacts:
        if row["contact_id"] not in contact_ids:
            contact_ids[row["contact_id"]] = len(people) + 1
            people.append(
                RosterPerson(
                    len(people) + 1,
                    "contact",
                    row["forename"],
                    row["surname"],
                    email=row["email"].lower(),
                )
            )
        links.setdefault(contact_ids[row["contact_id"]], set()).add(upn_ids[row["pupil_upn"]])
    staff = [
        (row["forename"], row["surname"], row["preferred_name"], row["email"].lower())
        for row in roster.staff
    ]
    rng = random.Random(seed)
    used = {email for *_, email in staff}
    taken = {(p.forename, p.surname) for p in people}  # no member of staff shares a pupil's name
    while len(staff) < STAFF:
        forename = rng.choice(demo_data.FEMALE_NAMES + demo_data.MALE_NAMES)
        surname = rng.choice(demo_data.SURNAMES)
        email = f"{demo_data.ascii_slug(forename)[0]}{demo_data.ascii_slug(surname)}@{DOMAIN}"
        if email not in used and (forename, surname) not in taken:
            used.add(email)
            staff.append((forename, surname, "", email))
    for forename, surname, preferred, email in staff:
        people.append(
            RosterPerson(len(people) + 1, "staff", forename, surname, preferred, email=email)
        )
    return SchoolContext(
        slug=demo_data.SCHOOL_SLUG,
        name=demo_data.SCHOOL_NAME,
        domains=frozenset({DOMAIN}),
        pupil_domain=PUPIL_DOMAIN,
        known_domains=frozenset(PARTNERS),
        people=tuple(people),
        links={k: frozenset(v) for k, v in links.items()},
    )
