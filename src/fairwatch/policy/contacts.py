"""The people and services the policy tells staff to turn to (3, 7.3, 8), per school.

A school starts with the model policy's own (the Online Safety Helpline, the HR service,
CEOP) and edits them. Each contact names the clauses whose words refer to it, so the policy
is shown with the contact beside the clause that mentions it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from fairwatch.schools.models import School

from .models import Contact

# The model policy's contacts: (kind, name, phone, email, url, note, clauses).
DEFAULTS: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    (
        Contact.Kind.HELPLINE,
        "Online Safety Helpline",
        "0344 381 4772",
        "helpline@saferinternet.org.uk",
        "",
        "Advice when you are unsure what is appropriate use of the internet.",
        "3",
    ),
    (
        Contact.Kind.HR,
        "EducationHR",
        "01603 307760",
        "EHRenquiries@norfolk.gov.uk",
        "",
        "The school contacts them first when an incident occurs.",
        "7.3 8",
    ),
    (
        Contact.Kind.CEOP,
        "CEOP (Child Exploitation and Online Protection)",
        "",
        "",
        "https://www.ceop.police.uk/",
        "Internet safety, and reporting concerns about a child online.",
        "8",
    ),
)


def for_school(school: School) -> list[Contact]:
    """The school's contacts in order; the model's defaults are stored the first time."""
    found = list(Contact.objects.filter(school=school))
    if found:
        return found
    with transaction.atomic():
        School.objects.select_for_update().filter(pk=school.pk).first()
        if not Contact.objects.filter(school=school).exists():
            Contact.objects.bulk_create(
                Contact(
                    school=school,
                    kind=kind,
                    name=name,
                    phone=phone,
                    email=email,
                    url=url,
                    note=note,
                    clauses=clauses,
                    position=position,
                )
                for position, (kind, name, phone, email, url, note, clauses) in enumerate(DEFAULTS)
            )
    return list(Contact.objects.filter(school=school))


def clause_ids(contact: Contact) -> list[str]:
    """The clauses whose words refer to ``contact``."""
    return contact.clauses.split()


def by_clause(contacts: Iterable[Contact]) -> dict[str, list[Contact]]:
    """{clause id: the contacts its words refer to}, each list in the contacts' order."""
    found: dict[str, list[Contact]] = {}
    for contact in contacts:
        for clause in clause_ids(contact):
            found.setdefault(clause, []).append(contact)
    return found
