"""Clause 4.3: "If the e-mail concerns an individual, do not name them in the subject field." """

from __future__ import annotations

import re

from .context import SchoolContext
from .findings import Finding, Severity, Where
from .message import Message
from .names import NameMatch
from .personal_data import is_valid_uln

CLAUSE = "4.3"
_UPN_LIKE = re.compile(r"\b[A-Za-z]\d{11}[0-9A-Za-z]\b")
# A bare 10-digit number passes the ULN check one time in eleven: only with its label.
_ULN_LABELLED = re.compile(r"\bULN\b\W{0,3}(\d{10})\b", re.IGNORECASE)
_KIND_WORDS = {
    "pupil": "a pupil",
    "contact": "a parent or carer",
    "staff": "a member of staff",
    "volunteer": "a volunteer",
}
FIX = (
    "Take the name out of the subject: describe the topic instead (for example "
    '"Year 4 pupil – reading support") and name the person in the body.'
)


def check_subject(message: Message, context: SchoolContext) -> list[Finding]:
    subject = message.subject
    if not subject:
        return []
    external = any(not context.is_internal(a.domain) for a in message.recipients)
    findings = []
    # Several people can answer to the same words ("Mrs Begum": a teacher and two mothers):
    # one finding for the words.
    spans: dict[tuple[int, int], list[NameMatch]] = {}
    for match in context.name_index.find(subject):
        spans.setdefault((match.start, match.end), []).append(match)
    for matches in spans.values():
        kind = _kind_meant(matches)
        # Staff names in subjects are common and low-risk inside school; pupils' and
        # families' are what breaches are made of, worse when the mail leaves the school.
        if kind in ("pupil", "contact"):
            severity = Severity.HIGH if external else Severity.MEDIUM
        else:
            severity = Severity.LOW
        match = matches[0]
        text = subject[match.start : match.end]
        findings.append(
            Finding(
                clause=CLAUSE,
                check="subject-roster-name",
                severity=severity,
                message=f'The subject names {_KIND_WORDS.get(kind, "a person")} ("{text}"). '
                "Subjects are shown in inboxes, previews and notifications, and stay in mail logs.",
                fix=FIX,
                where=Where("subject", text, match.start, match.end),
            )
        )
    for m in _UPN_LIKE.finditer(subject):
        if _valid_upn(m.group()):
            findings.append(
                Finding(
                    clause=CLAUSE,
                    check="subject-pupil-identifier",
                    severity=Severity.HIGH,
                    message="The subject contains a Unique Pupil Number, which identifies a pupil.",
                    fix="Remove the UPN from the subject; if the recipient needs it, put it in the "
                    "body of a message to the school's own addresses only.",
                    where=Where(
                        "subject", m.group()[:1] + "*" * 9 + m.group()[-3:], m.start(), m.end()
                    ),
                )
            )
    for m in _ULN_LABELLED.finditer(subject):
        if is_valid_uln(m.group(1)):
            findings.append(
                Finding(
                    clause=CLAUSE,
                    check="subject-pupil-identifier",
                    severity=Severity.HIGH,
                    message="The subject contains a Unique Learner Number: it identifies a pupil.",
                    fix="Remove the ULN from the subject.",
                    where=Where("subject", "*" * 7 + m.group(1)[-3:], m.start(1), m.end(1)),
                )
            )
    return findings


def _kind_meant(matches: list[NameMatch]) -> str:
    """Who words that fit several roster people most likely mean. Staff are the people
    called by title and surname at school, so "Mrs Begum" means the teacher when there is
    one; otherwise the most sensitive reading (a pupil, then a parent or carer) wins."""
    kinds = {m.person.kind for m in matches}
    if matches[0].form == "title" and kinds & {"staff", "volunteer"}:
        return "staff" if "staff" in kinds else "volunteer"
    for kind in ("pupil", "contact", "staff", "volunteer"):
        if kind in kinds:
            return kind
    return matches[0].person.kind


def _valid_upn(text: str) -> bool:
    from fairwatch.identifiers import normalise_upn

    try:
        normalise_upn(text)
    except ValueError:
        return False
    return True
