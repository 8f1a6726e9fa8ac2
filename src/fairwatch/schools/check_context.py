"""Build the plain SchoolContext the email checks read, from the database, once."""

from __future__ import annotations

from collections import defaultdict

from fairwatch.checks.context import RosterPerson, SchoolContext

from .models import ContactLink, Person, School


def school_context(school: School) -> SchoolContext:
    """The school's domains, approved senders, partners and current roster, as plain data."""
    people = tuple(
        RosterPerson(
            id=p.pk,
            kind=p.kind,
            forename=p.forename,
            surname=p.surname,
            preferred_forename=p.preferred_forename,
            preferred_surname=p.preferred_surname,
            email=p.email.lower(),
            upn=p.upn,
        )
        for p in Person.objects.filter(school=school, status=Person.Status.CURRENT)
    )
    links: dict[int, set[int]] = defaultdict(set)
    for contact_id, pupil_id in ContactLink.objects.filter(
        contact__school=school, contact__status=Person.Status.CURRENT
    ).values_list("contact_id", "pupil_id"):
        links[contact_id].add(pupil_id)
    return SchoolContext(
        slug=school.slug,
        name=school.name,
        domains=frozenset(school.domain_names),
        pupil_domain=school.pupil_domain,
        approved_senders=frozenset(s.value for s in school.approved_senders.all()),
        known_domains=frozenset(d.domain for d in school.known_domains.all()),
        people=people,
        links={k: frozenset(v) for k, v in links.items()},
    )
