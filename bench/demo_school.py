"""A school as the email checks see it (a SchoolContext), built from a demo roster without a
database. Shared by the email and relay benchmarks."""

from __future__ import annotations

from collections.abc import Iterable

from fairwatch import demo_data
from fairwatch.checks.context import RosterPerson, SchoolContext

PARTNERS = (demo_data.ORG_DOMAIN, demo_data.HR_DOMAIN)


def context_of(
    roster: demo_data.DemoRoster,
    *,
    more_staff: Iterable[tuple[str, str, str, str]] = (),  # forename, surname, preferred, email
    partners: Iterable[str] = PARTNERS,
) -> SchoolContext:
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
    for forename, surname, preferred, email in (*staff, *more_staff):
        people.append(
            RosterPerson(len(people) + 1, "staff", forename, surname, preferred, email=email)
        )
    return SchoolContext(
        slug=demo_data.SCHOOL_SLUG,
        name=demo_data.SCHOOL_NAME,
        domains=frozenset({demo_data.SCHOOL_DOMAIN}),
        pupil_domain=demo_data.PUPIL_DOMAIN,
        known_domains=frozenset(partners),
        people=tuple(people),
        links={k: frozenset(v) for k, v in links.items()},
    )
