"""Clause 4.3: "If the e-mail concerns an individual, do not name them in the subject field." """

from __future__ import annotations

import re

from .context import SchoolContext
from .findings import Finding, Severity, Where
from .forenames import WORD_NAMES, is_forename
from .message import Message
from .names import NameMatch, wordlist
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
    roster_spans = list(spans)
    for start, end in _personal_names(subject):
        if any(s < end and start < e for s, e in roster_spans):
            continue  # a roster person: reported above
        text = subject[start:end]
        findings.append(
            Finding(
                clause=CLAUSE,
                check="subject-personal-name",
                # Staff are on the roster: someone it does not know is more likely an
                # applicant, a child at another school or a member of the public.
                severity=Severity.MEDIUM,
                message=f'The subject seems to name a person ("{text}"). Subjects are shown in '
                "inboxes, previews and notifications, and stay in mail logs.",
                fix=FIX,
                where=Where("subject", text, start, end),
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


# --- people who are not on the roster ---------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr"})
# Words that follow a forename in subjects without making it a person's name: "Victoria
# Station", "John Lewis Partnership" aside, these are what school mail puts there.
_NOT_SURNAMES = wordlist(
    """trip trips meeting meetings report reports update updates term week weeks day days club
    clubs class classes group groups year years reception assembly evening concert play photo
    photos letter letters form forms consent payment payments invoice order orders budget
    minutes agenda policy policies review plan plans training course courses visit visits
    sports sport team teams school schools academy primary nursery council trust office hall
    room centre center street road lane avenue close drive way station house park square
    college university church hospital surgery library museum theatre cinema hotel ward
    appeal fund funds fair party show festival service services award awards prize cup
    certificate account accounts project projects programme program system systems support
    time date dates list lists notes note summary request response reply feedback survey
    newsletter bulletin news event events session sessions lesson lessons timetable rota
    energy products product state states union global presentation presentations company
    limited ltd inc corporation partners partnership associates solutions
    what when where who why how which the and for with from about this that there here
    zoo palace cathedral island line aid coach castle abbey bridge gardens garden market
    tickets ticket sale sales costume costumes topic topics rehearsal rehearsals cookery
    strike tour museum gallery theatre"""
)


def _is_capitalised(word: str) -> bool:
    return len(word) >= 2 and word[0].isupper() and not word.isupper()


def _bare(word: str) -> str:
    for ending in ("'s", "’s", "'", "’"):
        if word.endswith(ending):
            return word[: -len(ending)]
    return word


# Before a forename, these make it part of a place or a title rather than a person.
_NOT_BEFORE = wordlist(
    "sir saint st lady lord king queen prince princess mount lake port fort cape"
)


def _names_a_thing(surname: str, following: re.Match[str] | None) -> bool:
    """Whether the word after a name makes it a place, an event or a topic: "Isaac Newton
    Academy", "Roald Dahl day", "Chester Zoo trip" (but "Mrs Okonkwo's visit" is hers)."""
    if following is None or _bare(surname) != surname:
        return False
    return following.group().lower() in _NOT_SURNAMES


def _personal_names(subject: str) -> list[tuple[int, int]]:
    """Spans of what reads as a person's name: a title and a capitalised surname ("Mr
    Holloway", "Mrs Ann Holloway"), or a known forename and a capitalised word that is not
    school vocabulary ("Harriet Quenby"). A subject in Title Case ("Year 6 Trip To Norwich")
    gives no evidence from capitals, so only titled names are looked for there."""
    words = list(_WORD.finditer(subject))
    long_words = [w.group() for w in words if len(w.group()) > 3]
    title_case = len(long_words) >= 3 and all(w[0].isupper() for w in long_words)
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(words) - 1:
        word, after = words[i], words[i + 1]
        gap = subject[word.end() : after.start()]
        span = None
        if (
            word.group().lower() in _TITLES
            and word.group()[1:].islower()  # "Ms", not "MS Excel"
            and gap in (" ", ". ")
            and _is_capitalised(after.group())
        ):
            span = (word.start(), after.end())
            nxt = words[i + 2] if i + 2 < len(words) else None
            if _names_a_thing(after.group(), nxt):
                span = None  # "Miss Saigon tickets": a show, not a person
            if (
                span is not None
                and nxt is not None
                and subject[after.end() : nxt.start()] == " "
                and _is_capitalised(nxt.group())
                and is_forename(after.group())
                and _bare(nxt.group()).lower() not in _NOT_SURNAMES
            ):
                span = (word.start(), nxt.end())  # "Mr Gideon Holloway"
        elif (
            not title_case
            and gap == " "
            and _is_capitalised(word.group())
            and _is_capitalised(after.group())
            and is_forename(word.group())
            and _bare(after.group()).lower() not in _NOT_SURNAMES
            and _bare(after.group()).lower() not in WORD_NAMES
            and not (i and words[i - 1].group().lower().rstrip(".") in _NOT_BEFORE)
            # "Isaac Newton Academy", "Roald Dahl day", "Chester Zoo trip": the words are a
            # place, an event or a topic
            and not _names_a_thing(after.group(), words[i + 2] if i + 2 < len(words) else None)
        ):
            span = (word.start(), after.end())
        if span is not None:
            start, end = span
            end -= len(subject[start:end]) - len(_bare(subject[start:end]))
            found.append((start, end))
            i += 2
            continue
        i += 1
    return found


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
