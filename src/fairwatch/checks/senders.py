"""Clauses 4.4 and 4.5: who may send, and how staff may write to pupils."""

from __future__ import annotations

from .context import SchoolContext
from .findings import Finding, Severity, Where
from .message import Message
from .webmail import is_webmail


def check_sender(message: Message, context: SchoolContext) -> list[Finding]:
    sender = message.sender
    if sender is None or "@" not in sender.addr:
        return [
            Finding(
                clause="4.5",
                check="sender-missing",
                severity=Severity.MEDIUM,
                message="The message has no sender address, so it cannot be from an approved "
                "school account.",
                fix="Send it from your school email account.",
                where=Where("from"),
            )
        ]
    if context.is_approved_sender(sender.addr):
        return []
    findings = []
    webmail = is_webmail(sender.domain)
    findings.append(
        Finding(
            clause="4.5",
            check="sender-not-approved",
            severity=Severity.HIGH if webmail else Severity.MEDIUM,
            message=f"{sender.addr} is not an approved {context.name} email account"
            + (" (it is a personal webmail address)." if webmail else "."),
            fix="Send school business only from your school email account.",
            where=Where("from", sender.addr),
        )
    )
    pupils = [a for a in message.recipients if context.is_pupil_address(a.addr)]
    if pupils:
        findings.append(
            Finding(
                clause="4.4",
                check="pupil-from-unapproved-account",
                severity=Severity.HIGH,
                message=f"This writes to {len(pupils)} pupil address(es) from {sender.addr}. Staff "
                "may write to pupils only from a school account or within the learning platform.",
                fix="Send it from your school account, or post it in the learning platform.",
                where=Where("to", ", ".join(a.addr for a in pupils)),
            )
        )
    return findings
