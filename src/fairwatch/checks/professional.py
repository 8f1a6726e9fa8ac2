"""Clause 4.1: what is written in an email may have to be released under data protection law
(a subject access request), so keep it professional.

Four checks, on the subject and on the sender's own words in the body (quoted reply text — lines
starting with ">" and everything after a reply header such as "On ... wrote:" or "-----Original
Message-----" — was written by someone else and is ignored):

* ``prof-profanity`` (medium): swear words, including the usual disguises (f*ck, sh1t, $hit,
  b*llocks). Whole words only, so "Scunthorpe", "assessment", "class", "Dickens", "cockpit"
  never fire; "dick", "cock" and "prick" count only in lower case ("Dick Whittington" is a
  pantomime), and "cock-up" is left alone.
* ``prof-opinion-about-person`` (medium): a judgement of a named person — a roster name, a
  roster forename (not one that is also a common word: Grace, Will, May, ...), a title and
  surname ("Mrs Jones"), "that family" / "the Smith family" —
  followed by is/are/was/'s ... and a derogatory word: "Olly is lazy", "Mrs Jones is a
  nightmare", "that family are useless". "is not lazy" does not fire.
* ``prof-insult`` (medium): a derogatory word about people who are not named: "he is useless",
  "the parents are a nightmare", "lazy boy", and words that are insults wherever they appear
  ("idiot", "moron", "waste of space", slurs), except about oneself ("I'm such an idiot",
  "idiot me") or in "idiot-proof". "they are useless" is not flagged: "they" is as often
  things as people. Words such as "useless", "stupid", "hopeless", "a nightmare" fire only
  about a person: "the printer is useless" and "parking was a nightmare" are fine.
* ``prof-shouting`` (low): a sentence (or the subject) with at least four words in capitals
  that make up at least 60% of its words, not counting acronyms (SEN, EHCP, PE, ICT, DSL,
  GCSE, SATS, ...); a heading line of up to six words on its own in the body is not shouting.
  Runs of "!!!" count when the same sentence also has two words in capitals or when the text
  has three or more such runs (one "Thanks!!!" is fine).
  At most one shouting finding per field; signature blocks are not checked for shouting.

Pure: no Django import.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from functools import lru_cache

from .context import RosterPerson, SchoolContext
from .findings import Finding, Severity, Where
from .forenames import WORD_NAMES
from .message import Message
from .names import wordlist
from .personal_data import SpanSet, person_name_forms, signature_spans
from .scan import Scanner

CLAUSE = "4.1"

_DISCLOSURE = (
    "What is written in an email may have to be released under data protection law — for "
    "example to the person it is about, if they make a subject access request"
)

# --- the sender's own words -------------------------------------------------------------------

_REPLY_HEADER = Scanner(
    re.compile(
        r"^[ \t]*(?:On\s[^\n]{0,300}?(?:\n[^\n]{0,200}?)?wrote:[ \t]*$|"
        r"-{2,}[ \t]*Original Message[ \t]*-{2,}|"
        r"From:[^\n]*\n[ \t]*(?:Sent|Date):|"
        r"_{10,}[ \t]*\n[ \t]*From:)",
        re.IGNORECASE | re.MULTILINE,
    )
)
_QUOTED_LINE = re.compile(r"^[ \t]*>[^\n]*", re.MULTILINE)


def own_words(text: str) -> str:
    """`text` up to the first reply header, with quoted lines blanked out: offsets in it still
    point into the original. Long threads cost no more than what the sender wrote."""
    header = _REPLY_HEADER.search(text)
    if header:
        text = text[: header.start()]
    if ">" not in text:
        return text
    return _QUOTED_LINE.sub(lambda m: " " * len(m.group()), text)


def _blank_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


# --- profanity ---------------------------------------------------------------------------------

_LEET = {
    "a": "a@4",
    "b": "b8",
    "e": "e3",
    "g": "g9",
    "i": "i1!|",
    "l": "l1|",
    "o": "o0",
    "s": "s$5",
    "t": "t7+",
    "u": "uv",
}

# (word, case-sensitive): each is matched as a whole word, with letters swapped for look-alike
# characters and any letter but the first hidden by "*".
_SWEAR_WORDS: tuple[tuple[str, bool], ...] = tuple(
    (w, False)
    for w in wordlist(
        """
    fuck fucks fucked fucker fuckers fucking fuckin fuckwit fuckwits motherfucker
    motherfuckers effing fck fcking fcked fuk fukin fukking feck fecking
    shit shits shite shitty shitting shithead shitheads bullshit
    bollocks bollox bollocking bastard bastards bitch bitches bitchy
    arse arses arsed arsehole arseholes asshole assholes
    piss pissed pissing pisstake wank wanker wankers wanking twat twats cunt cunts
    tosser tossers bugger buggered buggering bellend bellends dickhead dickheads knobhead
    knobheads crap crappy sodding slag slags slut sluts whore whores goddamn turd turds
    wtf ffs stfu omfg
    """
    )
) + (
    ("dick", True),
    ("dicks", True),
    ("cock", True),
    ("cocks", True),
    ("prick", True),
    ("pricks", True),
)


def _disguised(word: str) -> str:
    parts = []
    for i, ch in enumerate(word):
        alternatives = _LEET.get(ch, ch)
        upper = "".join(c.upper() for c in alternatives if c.isalpha())
        chars = alternatives + upper + ("*" if i else "")
        parts.append("[" + "".join(re.escape(c) for c in dict.fromkeys(chars)) + "]")
    return "".join(parts)


def _swear_regex(words: Iterable[str], *, case: bool) -> Scanner:
    words = sorted(words, key=len, reverse=True)
    body = "|".join(_disguised(w) if not case else re.escape(w) for w in words)
    # Every alternative is tried only where a word can start with one of these characters:
    # most positions in ordinary text then fail at once.
    firsts = {c for w in words for c in (_LEET.get(w[0], w[0]) if not case else w[0])}
    if not case:
        firsts |= {c.upper() for c in firsts if c.isalpha()}
    start = "[" + "".join(re.escape(c) for c in sorted(firsts)) + "]"
    flags = 0 if case else re.IGNORECASE
    pattern = re.compile(rf"(?<![A-Za-z0-9*@$'’])(?={start})(?:{body})(?![A-Za-z0-9*])", flags)
    return Scanner(pattern)


_SWEARING = _swear_regex((w for w, case in _SWEAR_WORDS if not case), case=False)
_SWEARING_LOWER = _swear_regex((w for w, case in _SWEAR_WORDS if case), case=True)
_SOD_OFF = Scanner(re.compile(r"(?<![\w])(?:sod|piss|bugger)\s+off(?![\w])", re.IGNORECASE))


def _profanity(text: str, field: str) -> list[Finding]:
    spans: dict[tuple[int, int], str] = {}
    taken = SpanSet()
    for regex in (_SOD_OFF, _SWEARING, _SWEARING_LOWER):
        for m in regex.finditer(text):
            if m.group().startswith("cock") and text.startswith("-up", m.end()):
                continue  # "a cock-up": a mistake
            if sum(c.isalpha() for c in m.group()) < 2:
                continue  # "$149" spells "slag" in look-alikes: a disguise keeps some letters
            if taken.add(m.start(), m.end()):
                spans[(m.start(), m.end())] = m.group()
    out = []
    for (start, end), word in sorted(spans.items()):
        out.append(
            Finding(
                clause=CLAUSE,
                check="prof-profanity",
                severity=Severity.MEDIUM,
                message=(
                    f"{_label(field)} contains a swear word ({word!r}). {_DISCLOSURE}; swearing "
                    "in a work email can embarrass you and the school."
                ),
                fix=(
                    "Take the word out. Say what happened and what you need in neutral words; "
                    "if you are angry or frustrated, save it as a draft and reread it later."
                ),
                where=Where(field, word, start, end),
            )
        )
    return out


# --- insults and opinions about people ---------------------------------------------------------

# Insults wherever they appear (unless about oneself).
_ALWAYS = (
    r"idiots?|idiotic|morons?|moronic|imbeciles?|cretins?|halfwits?|dimwits?|numpty|numpties|"
    r"plonkers?|retards?|retarded|spastics?|spazz?|thickos?|scumbags?|lowlifes?|scroungers?|"
    r"nutters?|nutcases?|psychos?|weirdos?|chavs?|chavvy|pikeys?|gyppos?|pakis?|n[i1]gg(?:er|a)s?|"
    r"faggots?|poofs?|tranny|trannies|brats?|spoilt\s+brats?|waste\s+of\s+(?:space|oxygen|skin)"
)
# Derogatory only when said of a person.
_ABOUT_PERSON = (
    r"useless|lazy|pathetic|hopeless|stupid|thick|dumb|dense|incompetent|clueless|brainless|"
    r"horrible|vile|disgusting|obnoxious|nasty|feral|spoilt|spoiled|mental|mad|crazy|nuts|"
    r"unhinged|deranged|toxic|evil|creepy|weird|a\s+joke|a\s+disgrace|disgraceful|nightmares?|"
    r"a\s+pain|a\s+menace|trouble|troublemakers?|a\s+liar|liars?|losers?|muppets?|freaks?|"
    r"a\s+waste\s+of\s+time|vermin|animals|a\s+lost\s+cause"
)
_JUDGEMENT = re.compile(
    rf"(?<![\w-])(?:(?P<always>{_ALWAYS})|(?P<about>{_ABOUT_PERSON}))"
    r"(?![\w]|-(?:proof|skinned|headed)|\s+(?:health|wellbeing|well-being|"
    r"state|capacity|maths|arithmetic|eye|guide)\b)",
    re.IGNORECASE,
)


_JUDGEMENTS = Scanner(_JUDGEMENT)


def _judgements(text: str) -> Iterator[re.Match[str]]:
    return _JUDGEMENTS.finditer(text)


_LINK = (
    r"(?i:[ \t]+(?:is|are|was|were|am|has[ \t]+been|have[ \t]+been|had[ \t]+been|is[ \t]+being|"
    r"are[ \t]+being|was[ \t]+being|seems?(?:[ \t]+to[ \t]+be)?|can[ \t]+be|will[ \t]+be|"
    r"must[ \t]+be|remains?|looks?[ \t]+like|sounds?[ \t]+like)[ \t]+"
    r"|['’](?:s|re|m|ve)(?:[ \t]+(?:been|being))?[ \t]+)"
)
_INTENSIFIERS = (
    r"(?i:(?:a|an|such|so|really|very|totally|utterly|completely|absolutely|just|quite|rather|"
    r"pretty|bloody|genuinely|honestly|frankly|clearly|always|being|little|bit|complete|total|"
    r"absolute|real|right|utter|proper|the[ \t]+most|like|getting|becoming|increasingly|"
    r"incredibly|extremely|seriously|actually|literally|basically|still)[ \t]+){0,4}"
)
_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Sir|Dame|Prof)\.?[ \t]+[A-Z][A-Za-z'’-]+"
_FAMILY = (
    r"(?i:(?:that|this|those|these)[ \t]+famil(?:y|ies))"
    r"|(?i:the|that|this)[ \t]+[A-Z][A-Za-z'’-]+[ \t]+(?i:family|famil(?:y|ies)|lot|household)"
    r"|(?i:that|this)[ \t]+(?i:mum|dad|mother|father|parent|carer|child|boy|girl|kid|lad|"
    r"woman|man|pupil|student)"
)
_RELATIVES = (
    r"(?i:mum|mam|dad|mother|father|parents|family|carer|carers|nan|gran|grandma|grandad|"
    r"brother|sister|uncle|aunt|auntie|step-?(?:mum|dad))"
)
_PEOPLE = (
    r"(?i:he|she|you|u|"
    r"(?:(?:the|our|some|these|those|my|his|her|their|your|all[ \t]+the|most[ \t]+of[ \t]+the)"
    r"[ \t]+)?(?:parents|parent|mums|dads|mum|dad|mothers|fathers|mother|father|carers|kids|"
    r"kid|children|child|pupils|pupil|students|student|staff|teachers|teacher|tas|ta|class|"
    r"year[ \t]+\d+|set[ \t]+\d+|boys|boy|girls|girl|lads|lad|people|governors|head|"
    r"headteacher|head[ \t]+teacher|slt|management|families|colleagues|colleague|cover[ \t]+"
    r"supervisor|supply(?:[ \t]+teacher)?|woman|man|lot)"
    # "the kids in that set", "parents from Year 4"
    r"(?:[ \t]+(?:in|from|of|at)[ \t]+(?:[\w'’]+[ \t]+){0,2}[\w'’]+)?)"
)
_PERSON_NOUN_AFTER = re.compile(
    r"[ \t]+(?:child|children|boy|boys|girl|girls|kid|kids|family|families|parent|parents|"
    r"mum|mums|dad|dads|mother|father|teacher|teachers|ta|tas|staff|man|woman|lad|lads|"
    r"pupil|pupils|student|students|class|colleague|colleagues|people|person|individual|"
    r"governors?|head|headteacher|supply\s+teacher)\b",
    re.IGNORECASE,
)
_SELF = re.compile(
    r"(?i:\b(?:i['’]?m|i[ \t]+am|i[ \t]+was|i['’]ve[ \t]+been|i[ \t]+feel(?:[ \t]+like)?|me|"
    r"myself|call[ \t]+me|silly[ \t]+me)\b)[^.!?\n]{0,30}$"
)


def _named_pattern(people: Iterable[RosterPerson]) -> str:
    full: set[str] = set()
    forenames: set[str] = set()
    for person in people:
        for form in person_name_forms(person):
            full.add(r"[ \t]+".join(re.escape(w) for w in form.split()))
        for forename, _ in person.names:
            if forename and forename.lower() not in WORD_NAMES and " " not in forename:
                forenames.add(re.escape(forename))
    parts = [_TITLE, _FAMILY]
    if full:
        parts.insert(0, "(?i:" + "|".join(sorted(full, key=len, reverse=True)) + ")")
    if forenames:
        parts.append("|".join(sorted(forenames, key=len, reverse=True)))
    return "|".join(f"(?:{p})" for p in parts)


_LINKED = re.compile(rf"(?:{_LINK}){_INTENSIFIERS}$")


def _subject_regexes(context: SchoolContext) -> tuple[re.Pattern[str], re.Pattern[str]]:
    named = _named_pattern(context.people)
    tail = rf"(?:{_LINK}){_INTENSIFIERS}$"
    named_re = re.compile(rf"(?<![\w'’])(?:(?:{named})(?:['’]s?[ \t]+{_RELATIVES})?){tail}")
    people_re = re.compile(rf"(?<![\w'’])(?:{_PEOPLE}){tail}")
    return named_re, people_re


_CLAUSE_END = re.compile(
    r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bMx)(?<!\bDr)\.|[!?;]|\n[ \t]*\n|\n[ \t]*[-*•>]"
)


def _clause_before(text: str, pos: int) -> str:
    """The words of the clause before `pos`, on one line (hard-wrapped lines are joined)."""
    before = text[max(0, pos - 120) : pos]
    ends = list(_CLAUSE_END.finditer(before))
    if ends:
        before = before[ends[-1].end() :]
    return before.replace("\r", " ").replace("\n", " ")


def _insults(text: str, field: str, context: SchoolContext) -> list[Finding]:
    named_re, people_re = context.derived("professional.subjects", _subject_regexes)
    out: list[Finding] = []
    for m in _judgements(text):
        word = " ".join(m.group().split())
        after = text[m.end() : m.end() + 12]
        if m.group().lower() in ("mad", "crazy", "nuts") and re.match(
            r"[ \t]+(?:about|for|on|keen)\b", after, re.IGNORECASE
        ):
            continue  # "mad about dinosaurs"
        before = _clause_before(text, m.start())
        after_possessive = bool(re.search(r"['’]s[ \t]+$", before))
        if after_possessive and not re.match(r"[ \t]*(?:[.,;:!?)\n]|$|—|-[ \t])", text[m.end() :]):
            # "Olly's mental health", "Olly's lazy eye": a possessive, not "Olly is ..."
            continue
        # Both patterns end in "is", "are", "was", ... and intensifiers: without those at the
        # end of the clause, neither can match (the common case, and a cheap test).
        linked = _LINKED.search(before) is not None
        if linked and named_re.search(before):
            out.append(_opinion(field, word, m.start(), m.end()))
        elif (
            (linked and people_re.search(before))
            or _PERSON_NOUN_AFTER.match(text, m.end())
            or (
                m.group("always")
                and not _SELF.search(before)
                and not re.match(r",?[ \t]+(?:me|that[ \t]+I[ \t]+am)\b", after, re.IGNORECASE)
            )
        ):
            out.append(_insult(field, word, m.start(), m.end()))
    return out


def _opinion(field: str, word: str, start: int, end: int) -> Finding:
    return Finding(
        clause=CLAUSE,
        check="prof-opinion-about-person",
        severity=Severity.MEDIUM,
        message=(
            f"{_label(field)} gives an opinion of a named person ({word!r}). {_DISCLOSURE}, "
            "and the person named can ask to see what was written about them."
        ),
        fix=(
            "Stick to facts you would be happy for the person to read: what happened, when, and "
            "what is being done about it (e.g. 'homework was not handed in on Monday or "
            "Wednesday' rather than 'lazy'). Leave out judgements of character."
        ),
        where=Where(field, word, start, end),
    )


def _insult(field: str, word: str, start: int, end: int) -> Finding:
    return Finding(
        clause=CLAUSE,
        check="prof-insult",
        severity=Severity.MEDIUM,
        message=(
            f"{_label(field)} uses an insulting or derogatory word about people ({word!r}). "
            f"{_DISCLOSURE}; words like this can embarrass you and the school."
        ),
        fix=(
            "Describe the behaviour or the facts in neutral words instead of labelling the "
            "person: say what happened and what you need."
        ),
        where=Where(field, word, start, end),
    )


# --- shouting ---------------------------------------------------------------------------------

ACRONYMS = wordlist(
    """SEN SEND SENCO SENDCO EHCP EHC PE ICT IT DSL DDSL GCSE GCSES SAT SATS KS EYFS INSET PTA PTFA
    TA TAS HLTA LSA SLT SMT DFE OFSTED RE RSE PSHE PSHCE DT MFL NHS UPN ULN FSM PP CPD HR ASAP
    FYI NB PS PDF URL AM PM UK LA MAT CEO CFO COO HT DHT AHT NQT ECT ECTS PPA MIS SIMS CPOMS CP
    LAC CLA CIN ADHD ASD SEMH SLCN EAL EBD MLD SLD PMLD VI HI OT SALT CAMHS MASH LADO GDPR DPO
    SAR FOI ICO DBS SCR KCSIE BST GMT RSVP TBC TBA ETA FAQ OK IEP PEP EP SSP GP BBC ITV CV DOB
    ID CEOP ESFA ILR PAN URN MP FE HE UCAS BTEC IB AS AQA OCR EDEXCEL WJEC PGCE QTS TLR UPS MPS
    NJC TUPE LGPS TPS VAT PO ATM EOD COB WC FW FWD STEM STEAM PHSE RRSA MUGA ELSA NELI ESOL SPAG
    GPS MTC RWI KPI AI USB WIFI PIN IEP SIP SDP SEF CPOMS NFER PIRA PUMA STAR SSAT YR UKS2 LKS2
    EYFSP MAT JSA II III IV VI VII VIII IX XI XII CC BCC NC PTO QR ICT NSPCC RSPB RNLI YMCA PCSO
    LEA DCC NCC CC HMRC DWP TV DVD CD PC MS APP WWW HTTP HTTPS"""
)
_TOKEN = re.compile(r"[A-Za-z0-9'’&]+")
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)|[^.!?\n]*[.!?]+", re.MULTILINE)
_BANGS = Scanner(re.compile(r"[!?]*!{3,}[!?]*|(?:\?!){2,}|(?:!\?){2,}"))


def _caps_words(sentence: str) -> tuple[int, int]:
    """(words in capitals that are not acronyms, words of two or more letters)."""
    caps = words = 0
    for token in _TOKEN.findall(sentence):
        letters = re.sub(r"['’&]", "", token)
        if not letters.isalpha() or len(letters) < 2:
            continue
        words += 1
        bare = re.sub(r"['’]S$|S$", "", letters) if letters.isupper() else letters
        if letters.isupper() and letters not in ACRONYMS and bare not in ACRONYMS:
            caps += 1
    return caps, words


# A word in capitals as `_caps_words` counts it, found in one pass over the whole text. The
# first character comes before the look back (the character before it is not part of a
# word), so that `re` can skip quickly to where a capital is.
_CAPS_TOKEN = re.compile(r"[A-Z'’&](?<![A-Za-z0-9'’&][A-Z'’&])[A-Z'’&]+(?![A-Za-z0-9'’&])")


@lru_cache(maxsize=4096)
def _is_caps_word(token: str) -> bool:
    letters = token.replace("'", "").replace("’", "").replace("&", "")
    if len(letters) < 2 or letters in ACRONYMS:
        return False
    return letters.removesuffix("S") not in ACRONYMS  # "SENCOS", "TAS"


def _shouting(text: str, field: str) -> list[Finding]:
    bangs = list(_BANGS.finditer(text))
    caps_at = [m.start() for m in _CAPS_TOKEN.finditer(text) if _is_caps_word(m.group())]
    if not bangs and len(caps_at) < 4:
        return []  # no sentence can shout: most text ends here
    bang_at = [b.start() for b in bangs]
    for m in _candidate_sentences(text, caps_at, bang_at):
        # Capitals and "!!!" in this sentence, counted without reading its other words.
        n_caps = bisect_left(caps_at, m.end()) - bisect_left(caps_at, m.start())
        n_bangs = bisect_left(bang_at, m.end()) - bisect_left(bang_at, m.start())
        if n_caps < 4 and not n_bangs:
            continue
        sentence = m.group()
        if not sentence.strip():
            continue
        caps, words = _caps_words(sentence)
        stripped = sentence.strip()
        heading = (
            field != "subject"
            and words <= 6
            and stripped[-1:] not in ".!?"
            and _whole_line(text, m.start(), m.end())
        )
        shouted = caps >= 4 and caps >= 0.6 * words and not heading
        in_sentence = [b for b in bangs if m.start() <= b.start() < m.end()]
        banged = bool(in_sentence) and (caps >= 2 or len(bangs) >= 3)
        if shouted or banged:
            lead = len(sentence) - len(sentence.lstrip())
            start, end = m.start() + lead, m.start() + lead + len(stripped)
            shown = stripped if len(stripped) <= 60 else stripped[:57] + "..."
            what = "is written in capital letters" if shouted else "uses repeated exclamation marks"
            return [
                Finding(
                    clause=CLAUSE,
                    check="prof-shouting",
                    severity=Severity.LOW,
                    message=(
                        f"{_label(field)} {what}, which reads as shouting. {_DISCLOSURE}, and "
                        "an angry tone looks unprofessional when it is read later."
                    ),
                    fix=(
                        "Write it in ordinary sentence case with one exclamation mark at most; to "
                        "make something stand out, put it first or give it a short heading."
                    ),
                    where=Where(field, shown, start, end),
                )
            ]
    return []


def _candidate_sentences(
    text: str, caps_at: list[int], bang_at: list[int]
) -> Iterator[re.Match[str]]:
    """The sentences of the lines that have four words in capitals or a run of "!!!" (a
    sentence never runs over a line break), in order."""
    per_line: dict[int, int] = {}
    for pos in caps_at:
        line = text.rfind("\n", 0, pos) + 1
        per_line[line] = per_line.get(line, 0) + 1
    lines = {line for line, n in per_line.items() if n >= 4}
    lines |= {text.rfind("\n", 0, pos) + 1 for pos in bang_at}
    for line in sorted(lines):
        end = text.find("\n", line)
        yield from _SENTENCE.finditer(text, line, len(text) if end < 0 else end)


def _whole_line(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    return line.strip() == text[start:end].strip()


def _label(field: str) -> str:
    return "The subject line" if field == "subject" else f"The {field}"


# --- the check --------------------------------------------------------------------------------


def check_professional(message: Message, context: SchoolContext) -> list[Finding]:
    """Profanity, insults, opinions about named people and shouting in the subject and the
    sender's own words in the body (clause 4.1)."""
    findings: list[Finding] = []
    body = own_words(message.body or "")
    unsigned = _blank_spans(body, signature_spans(body))
    for field, text, shout_text in (
        ("subject", message.subject or "", message.subject or ""),
        ("body", body, unsigned),
    ):
        if not text.strip():
            continue
        findings += _profanity(text, field)
        findings += _insults(text, field, context)
        findings += _shouting(shout_text, field)
    return findings
