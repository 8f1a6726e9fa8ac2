"""One engine for every place email is checked: the CLI, the HTTP API and the SMTP relay.

`check_message` runs every check of the registry on a parsed message and returns the
findings, most severe first. Pure: no I/O, no Django, no state kept between calls.
"""

from __future__ import annotations

from collections.abc import Callable

from ..catalogue import model_policy_text
from .context import SchoolContext
from .findings import Finding, Severity, Where
from .message import Address, Message
from .personal_data import check_personal_data
from .professional import check_professional
from .recipients import check_recipients
from .senders import check_sender
from .subject import check_subject

Check = Callable[[Message, SchoolContext], list[Finding]]

# Every check slug a finding can carry, in the order of the policy's clauses (a test keeps this
# in step with the check modules).
CHECK_SLUGS = (
    "subject-roster-name",
    "subject-personal-name",
    "subject-pupil-identifier",
    "recipient-lookalike-domain",
    "recipient-name-address-mismatch",
    "recipients-exposed",
    "recipient-roster-mismatch",
    "recipient-first-time",
    "recipient-outside-with-personal-data",
    "pupil-from-unapproved-account",
    "sender-not-approved",
    "sender-missing",
    "prof-profanity",
    "prof-insult",
    "prof-opinion-about-person",
    "prof-shouting",
    "pd-special-category",
    "pd-upn",
    "pd-uln",
    "pd-nhs-number",
    "pd-ni-number",
    "pd-date-of-birth",
    "pd-address",
    "pd-phone",
    "pd-people-list",
)

# The registry: the only place that lists the checks.
CHECKS: tuple[Check, ...] = (
    check_sender,
    check_subject,
    check_recipients,
    check_professional,
    check_personal_data,
)


def check_message(message: Message, context: SchoolContext) -> list[Finding]:
    findings: list[Finding] = []
    for check in CHECKS:
        findings.extend(check(message, context))
    findings.extend(_personal_data_going_out(message, context, findings))
    return sorted(findings, key=lambda f: -f.severity)


def prepare(context: SchoolContext) -> None:
    """Build what the checks derive from a school's context (name indexes, lookalike tables,
    compiled patterns) now, at start-up, rather than while the first message waits. Checking
    a made-up message that names someone from the roster touches every one of them; its body
    carries the policy's own text so the RE2 automata meet ordinary English once before mail
    arrives (they build their states lazily, and the first long texts pay for it)."""
    person = next((p for p in context.people if p.kind == "pupil"), None)
    named = f"{person.forename} {person.surname}" if person else "someone"
    home = next(iter(context.domains), "school.invalid")
    policy = model_policy_text()
    message = Message(
        sender=Address(f"prepare@{home}"),
        to=(Address(f"office@{home}", named),),
        subject=f"Note about {named}",
        body=f"{named} has a medical appointment on 12/03/2015. DOB 01/02/2015.\n" * 3
        + policy
        + _MAIL_SHAPES
        + policy.upper()
        + "\n".join("> " + line for line in policy.splitlines()),
    )
    check_message(message, context)


# What mail looks like besides prose: headers, quotes, numbers, links, tables and signatures.
_MAIL_SHAPES = """
-----Original Message-----
From: Jo Bloggs [mailto:jo.bloggs@example.com]
Sent: Monday, March 03, 2025 9:41 AM
To: 'Sam Jones'; Office <office@example.org>
Subject: RE: FW: Invoice #40213 (£1,250.00) - 15% off until 31/03/2025!!!

On Tue, 4 Mar 2025 at 10:02, Sam Jones <sam.jones@example.net> wrote:
> Thanks -- see http://www.example.com/path?id=123&x=y or ring 01632 960 000 / +44 7700 900123.
>> NOTE: ALL ORDERS MUST BE PLACED BY 12:00 NOON ON FRIDAY 7TH MARCH 2025 (REF: AB-1234-XY).
Item	Qty	Price	Total
Pencils (HB)	200	0.15	30.00
Room 12, Block C, 1-3 High Street, Norwich NR1 3JU; tel. 0203 123 4567 ext. 204
Kind regards,
--
Jo Bloggs | Business Manager | www.example.com
________________________________
This e-mail and any attachments are confidential; if you are not the intended recipient...
"""


def _personal_data_going_out(
    message: Message, context: SchoolContext, findings: list[Finding]
) -> list[Finding]:
    """Clause 4.2 again: outside recipients on a message that carries personal data."""
    carries = [f for f in findings if f.check.startswith("pd-") and f.severity >= Severity.MEDIUM]
    outside = [a.addr for a in message.recipients if not context.is_internal(a.domain)]
    if not carries or not outside:
        return []
    return [
        Finding(
            clause="4.2",
            check="recipient-outside-with-personal-data",
            severity=Severity.HIGH,
            message=f"This message carries personal data ({len(carries)} item(s)) and goes outside "
            f"the school, to {', '.join(outside)}.",
            fix="Check every outside recipient is meant to receive it; send only what they need.",
            where=Where("to", ", ".join(outside)),
        )
    ]


def worst(findings: list[Finding]) -> Severity | None:
    return max((f.severity for f in findings), default=None)
