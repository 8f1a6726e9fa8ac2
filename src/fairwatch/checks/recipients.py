"""Clause 4.2: "Always double-check that the email has been addressed to the correct
recipient(s)" — the most common cause of school data breaches."""

from __future__ import annotations

from .context import SchoolContext
from .findings import Finding, Severity, Where
from .message import Address, Message

CLAUSE = "4.2"
EXPOSED_PARENTS = 2  # parents' addresses visible to each other from this many
EXPOSED_ANYONE = 5  # any outside addresses visible to each other from this many


def _field_of(message: Message, addr: Address) -> str:
    if addr in message.to:
        return "to"
    return "cc" if addr in message.cc else "bcc"


def check_recipients(message: Message, context: SchoolContext) -> list[Finding]:
    findings = []
    for addr in message.recipients:
        hit = context.lookalikes.check(addr.domain)
        if hit is not None:
            findings.append(
                Finding(
                    clause=CLAUSE,
                    check="recipient-lookalike-domain",
                    severity=Severity.HIGH,
                    message=f"{addr.addr} is not at {hit.resembles}: {hit.reason}.",
                    fix=f"Check the address; if you meant {hit.resembles}, correct it.",
                    where=Where(_field_of(message, addr), addr.addr),
                )
            )
        findings.extend(_display_name_mismatch(message, context, addr))
    findings.extend(_exposed(message, context))
    findings.extend(_roster_mismatch(message, context))
    findings.extend(_first_time(message, context))
    return findings


def _display_name_mismatch(
    message: Message, context: SchoolContext, addr: Address
) -> list[Finding]:
    if not addr.display:
        return []
    # "Jane Smith" or, as Outlook shows names, "Smith, Jane"
    named = [
        m.person
        for m in context.name_index.find(addr.display)
        if m.form in ("full", "surname-first")
    ]
    if not named:
        return []
    owner = context.by_email.get(addr.addr)
    if owner is None or any(p.id == owner.id for p in named):
        return []
    person = named[0]
    return [
        Finding(
            clause=CLAUSE,
            check="recipient-name-address-mismatch",
            severity=Severity.HIGH,
            message=f'The name "{addr.display}" is shown for {addr.addr}, but on the roster that '
            "address belongs to someone else. Autocomplete may have picked the wrong person.",
            fix=f"Check the address: choose {person.forename} {person.surname}'s own address.",
            where=Where(_field_of(message, addr), f"{addr.display} <{addr.addr}>"),
        )
    ]


def _exposed(message: Message, context: SchoolContext) -> list[Finding]:
    outside = [a for a in message.visible_recipients if not context.is_internal(a.domain)]
    parents = [a for a in outside if (p := context.by_email.get(a.addr)) and p.kind == "contact"]
    if len(parents) >= EXPOSED_PARENTS:
        severity, who = Severity.MEDIUM, f"{len(parents)} parents' or carers' addresses"
    elif len(outside) >= EXPOSED_ANYONE:
        severity, who = Severity.LOW, f"{len(outside)} outside addresses"
    else:
        return []
    return [
        Finding(
            clause=CLAUSE,
            check="recipients-exposed",
            severity=severity,
            message=f"{who.capitalize()} are in To/Cc, so every recipient sees the others' "
            "addresses: that discloses personal data.",
            fix="Put the recipients in Bcc (or use the school's messaging system).",
            where=Where("to", ", ".join(a.addr for a in outside)),
        )
    ]


def _roster_mismatch(message: Message, context: SchoolContext) -> list[Finding]:
    """The message is about pupil X, but goes to parents of other pupils and to none of X's."""
    external_contacts = [
        p
        for a in message.recipients
        if not context.is_internal(a.domain)
        and (p := context.by_email.get(a.addr)) is not None
        and p.kind == "contact"
    ]
    if not external_contacts:
        return []
    texts = (message.subject, message.body)
    pupils = [p for p in context.name_index.people_in(texts) if p.kind == "pupil"]
    if not pupils:
        return []
    linked = set().union(*(context.links.get(c.id, frozenset()) for c in external_contacts))
    named = {p.id for p in pupils}
    if linked & named:
        return []
    pupil = pupils[0]
    return [
        Finding(
            clause=CLAUSE,
            check="recipient-roster-mismatch",
            severity=Severity.HIGH,
            message=f"The message is about {pupil.preferred_forename or pupil.forename} "
            f"{pupil.preferred_surname or pupil.surname}, but none of its outside recipients is "
            "linked to that pupil on the roster: they are the parents or carers of other pupils.",
            fix="Check the recipients before sending: choose the contacts linked to the pupil the "
            "message is about.",
            where=Where("to", ", ".join(c.email for c in external_contacts)),
        )
    ]


def _first_time(message: Message, context: SchoolContext) -> list[Finding]:
    if context.history is None or message.sender is None:
        return []
    before = context.history.get(message.sender.addr)
    if before is None:
        return []
    new = [
        a for a in message.recipients if not context.is_internal(a.domain) and a.addr not in before
    ]
    if not new:
        return []
    return [
        Finding(
            clause=CLAUSE,
            check="recipient-first-time",
            severity=Severity.LOW,
            message=f"You have not written to {', '.join(a.addr for a in new)} before.",
            fix="Check the address is the one you meant.",
            where=Where(_field_of(message, new[0]), new[0].addr),
        )
    ]
