"""A small school context for the email check tests: Oak Primary and a few people."""

from __future__ import annotations

from fairwatch.checks.context import RosterPerson, SchoolContext
from fairwatch.checks.message import Address, Message

OLIVER = RosterPerson(1, "pupil", "Oliver", "Grant", "Olly", email="oliver.grant@pupils.oak.sch.uk")
AMELIA = RosterPerson(2, "pupil", "Amelia", "Grant")
ISLA = RosterPerson(3, "pupil", "Isla", "May")
SARAH = RosterPerson(10, "contact", "Sarah", "Grant", email="sarah.grant@example.com")
JUNE = RosterPerson(11, "contact", "June", "May", email="june.may@example.net")
MARK = RosterPerson(12, "contact", "Mark", "Bright", email="mark@example.org")
NOAH = RosterPerson(4, "pupil", "Noah", "Bright")
ALICE = RosterPerson(20, "staff", "Alice", "Hartley", email="a.hartley@oak.sch.uk")
TOM = RosterPerson(21, "staff", "Thomas", "Wren", "Tom", email="t.wren@oak.sch.uk")


def oak(**changes) -> SchoolContext:
    fields = dict(
        slug="oak",
        name="Oak Primary",
        domains=frozenset({"oak.sch.uk"}),
        pupil_domain="pupils.oak.sch.uk",
        known_domains=frozenset({"norfolk.gov.uk"}),
        people=(OLIVER, AMELIA, ISLA, NOAH, SARAH, JUNE, MARK, ALICE, TOM),
        links={10: frozenset({1, 2}), 11: frozenset({3}), 12: frozenset({4})},
    )
    fields.update(changes)
    return SchoolContext(**fields)


def mail(
    *to: str,
    subject: str = "Hello",
    body: str = "",
    sender: str = "t.wren@oak.sch.uk",
    cc: tuple[str, ...] = (),
    bcc: tuple[str, ...] = (),
) -> Message:
    def addresses(values):
        out = []
        for value in values:
            display, _, addr = value.rpartition(" <")
            out.append(Address(addr.rstrip(">").lower(), display) if display else Address(value))
        return tuple(out)

    return Message(
        sender=Address(sender),
        to=addresses(to),
        cc=addresses(cc),
        bcc=addresses(bcc),
        subject=subject,
        body=body,
    )
