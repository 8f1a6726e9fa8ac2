"""Clause 5: personal data in an email — identifiers, sensitive facts about named people, and
attachments that are lists of people.

Every pattern is validated before it becomes a finding (a pattern is not yet a finding):

* UPN: 13 characters with the right check letter and a known local-authority number
  (``fairwatch.identifiers.normalise_upn``, python-stdnum ``gb.upn``).
* ULN: 10 digits, first digit not 0, with the Learning Records Service check digit: multiply
  the first nine digits by 10, 9, ..., 2, add them up and take the remainder mod 11; the check
  digit is 10 - remainder, and a remainder of 0 means the number is not a ULN (there is no
  digit "10"). This is the ESFA's own ILR validation (rule ULN_04 / DerivedData_01, which also
  requires 10 digits as a whole number, so no leading 0), and it matches the LRS "ULN
  validation" note; e.g. 1000102504: 10*1 + 6*1 + 4*2 + 3*5 = 39, 39 mod 11 = 6, 10 - 6 = 4.
  9999999999 is the ILR's placeholder for "no ULN yet" and identifies nobody: not a finding.
  Note that 10 - r (ULN) and 11 - r (NHS) never agree, so no number is valid as both.
* NHS number: 10 digits, as one run or 3-3-4 with spaces or hyphens, modulus 11 (stdnum).
* National Insurance number: two prefix letters (never D, F, I, Q, U, V; O never second; never
  BG, GB, NK, KN, TN, NT, ZZ), six digits, suffix A-D; spaces allowed.
* Date of birth: a real past date with a year, on the same line as and at most 40 characters
  after "DOB", "D.O.B.", "date of birth", "birth date" or "born". A bare date is not a finding.
* Address: a street line (house number, capitalised street name, street word such as Road or
  Close) followed within 100 characters by a valid UK postcode. Organisations' addresses (a
  school, museum, council, ... on the line or the line before) and signature blocks are left
  alone: they are not a person's home address.
* Phone (UK mobile 07..., landline 01/02..., also +44 / 0044 forms): a finding only when it is
  outside the sender's signature block and either sits on a line with a person cue (a roster
  name, a title and surname such as "Mrs Jones", a relation such as "mum" or "emergency
  contact") and no organisation cue ("office", "reception", ...), or is one of three or more
  phone numbers outside signatures (a list). Phones are at most ``low``.
* A 10-digit number that passes a checksum is reported when labelled "NHS" / "ULN" just before
  it, or when written 3 3 4 with spaces (the NHS's own presentation) and not marked as a phone
  number. Unlabelled runs and other groupings are how phone and order numbers are written.

Special-category (and similarly sensitive) words count only near a person's name: in the same
sentence or within 15 words. Role titles ("Designated Safeguarding Lead", "SEND team", "health
and safety") and signature blocks are ignored.

A list of people (an attachment, or a table pasted into the body) gives one ``pd-people-list``
finding instead of one finding per row: a header with a name column and a personal-detail
column and three or more filled rows, or three or more lines that each pair a name with an
identifier, a date of birth (a date at least two years old), a postcode, a phone number or an
email address off the school's domains (mail headers in a quoted thread do not count).

Quoted reply text is checked like the rest: it is still being sent. The sender's own roster
name does not make a phone number or a sensitive word "about a person": it is theirs to share.

Severity follows the recipients (see ``check_personal_data``): ``high`` when the message goes
outside the school, ``low`` when every recipient is inside it (internal mail carrying personal
data is normal in a school), phones one step lower (``low`` / ``info``). One allowance: a
message whose outside recipients are all roster contacts linked to every pupil it names (the
pupil's own parents or carers) is ``low`` too — writing to a parent about their own child is
the ordinary business of a school; lists of people and attachments never get this allowance.
A draft with no recipients yet is ``low`` and says to check who it is going to. The ``find_*``
functions know no recipients: they assume the message leaves the school unless told
``external=False``. Where the text is shown (``Where.text``), identifiers are masked, because
findings may end up in logs; names are never put in a finding.

The recipient-risk side (clause 4.2) is not here. ``signature_spans``, ``person_name_forms``,
``SpanSet`` and ``wordlist`` are shared with ``professional.py``. Pure: no Django import.
"""

from __future__ import annotations

import csv
import datetime
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from stdnum.gb import nhs as _nhs

from fairwatch.identifiers import normalise_upn

from .context import RosterPerson, SchoolContext
from .findings import Finding, Severity, Where
from .forenames import WORD_NAMES, is_forename
from .message import Attachment, Message
from .names import NameIndex, wordlist
from .scan import LineFinder, Scanner

CLAUSE = "5"

SECURE_ROUTE = "the school's secure transfer system (not email)"


# --- who the message is going to ---------------------------------------------------------


@dataclass(frozen=True)
class _Audience:
    """Who will read the message, as far as severity is concerned."""

    kind: str  # "external", "internal", "family", "unknown"
    domains: tuple[str, ...] = ()


_EXTERNAL = _Audience("external")


def _audience_of(external: bool) -> _Audience:
    return _EXTERNAL if external else _Audience("internal")


def _severity(check: str, audience: _Audience) -> Severity:
    phone = check == "pd-phone"
    if audience.kind == "external":
        return Severity.LOW if phone else Severity.HIGH
    return Severity.INFO if phone else Severity.LOW


def _audience_note(audience: _Audience) -> str:
    if audience.kind == "external":
        where = f" (to {', '.join(audience.domains)})" if audience.domains else ""
        return f" It is going outside the school{where}, where the school can no longer protect it."
    if audience.kind == "family":
        return (
            " It is going only to the named pupil's own parent or carer; check it is the right "
            "person and that they need it."
        )
    if audience.kind == "internal":
        return " Every recipient is inside the school; check each of them needs it."
    return " Check who it is going to: outside the school it would need a secure route."


def _finding(check: str, message: str, fix: str, where: Where, audience: _Audience) -> Finding:
    return Finding(
        clause=CLAUSE,
        check=check,
        severity=_severity(check, audience),
        message=message + _audience_note(audience),
        fix=fix,
        where=where,
    )


def _field_label(field: str) -> str:
    if field == "subject":
        return "The subject line"
    if field.startswith("attachment:"):
        return f"The attachment {field.partition(':')[2]!r}"
    return f"The {field}"


# --- masking ------------------------------------------------------------------------------


def mask(value: str, keep_start: int, keep_end: int) -> str:
    """Replace the middle letters and digits of `value` with '*', keeping separators:
    mask("943 476 5919", 3, 4) == "943 *** 5919"."""
    total = sum(c.isalnum() for c in value)
    out, index = [], 0
    for c in value:
        if c.isalnum():
            out.append(c if index < keep_start or index >= total - keep_end else "*")
            index += 1
        else:
            out.append(c)
    return "".join(out)


# --- shared text helpers ------------------------------------------------------------------

_SIGN_OFF = re.compile(
    r"^[ \t]*(?:(?:kind|kindest|best|warm|warmest|many|with)\s+)?"
    r"(?:regards|wishes|thanks|thank\s+you)(?:\s+again)?[ \t]*[,.!]?[ \t]*$"
    r"|^[ \t]*(?:yours(?:\s+(?:sincerely|faithfully|truly))?|thanks|thank\s+you|cheers|best|"
    r"all\s+the\s+best|speak\s+soon|regards|many\s+thanks(?:\s+in\s+advance)?)"
    r"[ \t]*[,.!]?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_SIG_DELIMITER = re.compile(r"^-- ?$", re.MULTILINE)
_SIGNATURE_LINES = LineFinder(r"regards|wishes|thanks|thank|yours|cheers|best|speak|--", "(?i)")
_REPLY_START = re.compile(
    r"^[ \t]*(?:>|On\s.+wrote:|-{2,}\s*Original Message|From:\s|_{8,})", re.IGNORECASE
)


@lru_cache(maxsize=16)
def signature_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Where the sender's signature blocks are: after a "-- " line (up to 15 lines), or after a
    sign-off line such as "Kind regards" (short lines not ending a sentence, up to 10 lines,
    one blank line allowed between them). Quoted text and reply headers end a block."""
    # Only lines with a word a sign-off is made of, or "--", need a closer look.
    windows = _SIGNATURE_LINES.windows(text)
    if not windows:
        return ()
    lines = text.splitlines(keepends=True)
    starts = [0, *accumulate(map(len, lines))]
    spans: list[tuple[int, int]] = []
    for window_start, window_end in windows:
        first = bisect_right(starts, window_start) - 1
        last = bisect_right(starts, window_end) - 1
        for i in range(first, min(last + 1, len(lines))):
            span = _signature_at(lines, starts, i)
            if span and span not in spans:
                spans.append(span)
    return tuple(sorted(spans))


def _signature_at(lines: list[str], starts: list[int], i: int) -> tuple[int, int] | None:
    """The signature block that starts at line `i`, if one does."""
    line = lines[i]
    bare = line.rstrip("\r\n")
    delimiter = _SIG_DELIMITER.fullmatch(bare) is not None
    if not delimiter and _SIGN_OFF.fullmatch(bare) is None:
        return None
    end, blanks = starts[i] + len(line), 0
    limit = 15 if delimiter else 10
    for j in range(i + 1, min(len(lines), i + 1 + limit)):
        nxt = lines[j].rstrip("\r\n")
        if _REPLY_START.match(nxt):
            break
        if not nxt.strip():
            blanks += 1
            if blanks > 1 and not delimiter:
                break
            continue
        blanks = 0
        stripped = nxt.strip()
        if not delimiter and (len(stripped) > 70 or stripped[-1] in ".?!"):
            break
        end = starts[j] + len(lines[j])
    return (starts[i], end)


def _inside(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


class SpanSet:
    """Non-overlapping [start, end) spans, for keeping the first claim on each stretch of text
    in O(log n) per question."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def free(self, start: int, end: int) -> bool:
        i = bisect_right(self._starts, start)
        if i and self._ends[i - 1] > start:
            return False
        return i == len(self._starts) or self._starts[i] >= end

    def add(self, start: int, end: int) -> bool:
        """Claim the span if it is free; say whether it was."""
        if not self.free(start, end):
            return False
        i = bisect_right(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)
        return True


def _name_pattern(name: str) -> str:
    parts = []
    for word in name.split():
        parts.append("['’]".join(re.escape(piece) for piece in re.split("['’]", word)))
    return r"\s+".join(parts)


def _name_regex(names: Iterable[str]) -> re.Pattern[str] | None:
    unique = sorted({" ".join(n.split()) for n in names if n and n.strip()}, key=len, reverse=True)
    if not unique:
        return None
    alternatives = "|".join(_name_pattern(n) for n in unique)
    return re.compile(rf"(?<![\w'’])(?:{alternatives})(?![\w])", re.IGNORECASE)


def person_name_forms(person: RosterPerson) -> list[str]:
    """The written forms of a roster person's name that we look for: "Forename Surname" for
    legal and preferred names, and the register form "Surname, Forename"."""
    forms = []
    for forename, surname in person.names:
        forms.append(f"{forename} {surname}")
        forms.append(f"{surname}, {forename}")
    return forms


def roster_names(text: str, index: NameIndex) -> list[str]:
    """The roster names written in `text` (full names, legal or preferred, any case, as whole
    words), as they are written there, first occurrence each."""
    return [name for name, _ in roster_mentions(text, index)]


def roster_mentions(text: str, index: NameIndex) -> list[tuple[str, RosterPerson]]:
    """(name as written, person) for each roster person named in `text` by a full name or
    in the register form "Surname, Forename" (the school's precompiled name index)."""
    if not text:
        return []
    return [
        (text[m.start : m.end], m.person)
        for m in index.find(text)
        if m.form in ("full", "surname-first")
    ]


# --- identifiers --------------------------------------------------------------------------

_GROUPED_10 = Scanner(
    re.compile(r"(?<![\w+)/.])(?<!\d[ -])(\d{3})([ -])(\d{3})\2(\d{4})(?![\w/]|[ -]\d)"),
    core=r"\d{3}[ -]\d{3}[ -]\d{4}",
)
_RUN_10 = Scanner(re.compile(r"(?<![\w+)/.,£$-])(?<!\d[ -])(\d{10})(?![\w/]|[.,]\d|[ -]\d)"))
_UPN = Scanner(re.compile(r"(?<![A-Za-z0-9])[A-Za-z](?: ?\d){11} ?[A-Za-z0-9](?![A-Za-z0-9])"))
_NI = Scanner(
    re.compile(
        r"(?<![A-Za-z0-9])([A-Za-z]{2}) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-Da-d])(?![A-Za-z0-9])"
    )
)
_NI_BAD_PREFIXES = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})

_NHS_LABEL = re.compile(r"\bnhs\b", re.IGNORECASE)
_PHONE_LABEL = re.compile(
    r"\b(?:tel|telephone|phone|ph|fax|mobile|mob|cell|direct|pager|ext)\b|[(]", re.IGNORECASE
)
_ULN_LABEL = re.compile(r"\b(?:uln|unique\s+learner|learner\s+number)\b", re.IGNORECASE)
_TEMPORARY_ULN = "9999999999"


def is_valid_uln(value: str) -> bool:
    """The Learning Records Service check: see the module docstring."""
    digits = re.sub(r"[ -]", "", value)
    if len(digits) != 10 or not digits.isdigit() or digits[0] == "0":
        return False
    remainder = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    return remainder != 0 and int(digits[9]) == 10 - remainder


def is_valid_ni_number(value: str) -> bool:
    compact = re.sub(r"\s", "", value).upper()
    if re.fullmatch(r"[A-Z]{2}\d{6}[A-D]", compact) is None:
        return False
    first, second = compact[0], compact[1]
    if first in "DFIQUV" or second in "DFIQUVO":
        return False
    return compact[:2] not in _NI_BAD_PREFIXES


def _is_upn(value: str) -> bool:
    try:
        normalise_upn(value)
    except ValueError:
        return False
    return True


def _label_before(text: str, start: int, regex: re.Pattern[str], width: int = 30) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    return regex.search(text[max(line_start, start - width) : start]) is not None


_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE_NUMERIC = Scanner(
    re.compile(r"(?<![\w/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\w/]|[.-]\d)"),
    core=r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})",
)
_DATE_ISO = Scanner(re.compile(r"(?<![\w/.-])(\d{4})-(\d{2})-(\d{2})(?![\w/]|-\d)"))
_DATE_DAY_MONTH = Scanner(
    re.compile(
        rf"(?<![\w])(\d{{1,2}})(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?({_MONTH_NAME})\.?,?[ \t]+"
        r"(\d{4})(?!\w)",
        re.IGNORECASE,
    )
)
_DATE_MONTH_DAY = Scanner(
    re.compile(
        rf"(?<![\w])({_MONTH_NAME})\.?[ \t]+(\d{{1,2}})(?:st|nd|rd|th)?,?[ \t]+(\d{{4}})(?!\w)",
        re.IGNORECASE,
    )
)
_DOB_LABEL = Scanner(
    re.compile(
        r"\b(?:d\.?[ \t]?o\.?[ \t]?b\b\.?|date[ \t]+of[ \t]+birth|birth[ \t]*date"
        r"|born(?:[ \t]+on)?)",
        re.IGNORECASE,
    )
)


# Who "was born": a person (a pronoun, a relation, a name), not "the NHS" or "the idea".
_BORN_WHO = re.compile(
    r"(?i:\b(?:he|she|they|i|you|we|son|daughter|child|baby|boy|girl|brother|sister|twins?|"
    r"pupil|grandson|granddaughter)\b)"
    r"|(?<![\w'’])(?!(?:The|This|That|It|Our|Your|Their|His|Her|My|Its|What|When|Where)\b)"
    r"[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?(?:[ \t]+[A-Z][a-z'’-]+)?"
    r"(?:[ \t]+(?:was|is|were)[ \t]+|,[ \t]*(?:(?:who[ \t]+)?(?:was|is)[ \t]+)?)$"
    # or a forename and surname anywhere before it: "Olly Smith (born 12/03/2015)"
    r"|(?<![\w'’])(?!(?:The|This|That|Our|Your|Their|New|Next|Last)\b)"
    r"[A-Z][a-z]+[ \t]+[A-Z][a-z'’-]+"
)


def _labels_a_person(text: str, label: re.Match[str]) -> bool:
    """A "DOB" or "date of birth" label always counts; "born" only when said of a person:
    "Olly was born on 3 May 2017", not "the NHS was born on 5 July 1948"."""
    if not label.group().lower().startswith("born"):
        return True
    line_start = max(text.rfind("\n", 0, label.start()) + 1, label.start() - 60)
    return _BORN_WHO.search(text[line_start : label.start()]) is not None


def _make_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _full_year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        this_year = datetime.date.today().year % 100
        year += 2000 if year <= this_year else 1900
    return year


def find_dates(text: str) -> list[tuple[int, int, datetime.date]]:
    """Every real calendar date with a year written in `text` (UK day-month order for
    numeric dates), as (start, end, date)."""
    found: list[tuple[int, int, datetime.date]] = []
    for m in _DATE_NUMERIC.finditer(text):
        d = _make_date(_full_year(m.group(4)), int(m.group(3)), int(m.group(1)))
        if d:
            found.append((m.start(), m.end(), d))
    for m in _DATE_ISO.finditer(text):
        d = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            found.append((m.start(), m.end(), d))
    for m in _DATE_DAY_MONTH.finditer(text):
        d = _make_date(int(m.group(3)), _MONTHS[m.group(2)[:3].lower()], int(m.group(1)))
        if d:
            found.append((m.start(), m.end(), d))
    for m in _DATE_MONTH_DAY.finditer(text):
        d = _make_date(int(m.group(3)), _MONTHS[m.group(1)[:3].lower()], int(m.group(2)))
        if d:
            found.append((m.start(), m.end(), d))
    return sorted(found)


def _plausible_birth(d: datetime.date) -> bool:
    return datetime.date(1900, 1, 1) <= d <= datetime.date.today()


_STREET_WORD = (
    r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Way|Crescent|Cres|Place|Gardens|"
    r"Gdns|Court|Ct|Terrace|Grove|Park|Hill|Row|Walk|Square|Sq|Mews|Rise|View|Green|Parade|"
    r"Chase|Croft|Fields|Meadow|Meadows|Vale|Gate|Lea|Wharf|Yard|Grange|Heights|End|Loke)"
)
_STREET_LINE = Scanner(
    re.compile(
        r"(?<![\w/£$.,:-])(\d{1,4}[A-Za-z]?)(?:\s*[-–]\s*\d{1,4}[A-Za-z]?)?,?[ \t]+"
        r"((?:[A-Z][A-Za-z'’-]*[ \t]+){1,3})" + _STREET_WORD + r"\b\.?"
    )
)
_POSTCODE = Scanner(
    re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,2}\d[A-Za-z\d]?) ?(\d[A-Za-z]{2})(?![\w])")
)
_OUTWARD = re.compile(
    r"[A-PR-UWYZ]\d{1,2}|[A-PR-UWYZ][A-HK-Y]\d{1,2}|[A-PR-UWYZ]\d[A-HJKPSTUW]|"
    r"[A-PR-UWYZ][A-HK-Y]\d[ABEHMNPRVWXY]"
)
_INWARD = re.compile(r"\d[ABD-HJLNP-UW-Z]{2}")
_ORGANISATION = re.compile(
    r"\b(?:school|academy|college|university|nursery|pre-?school|council|trust|ltd|limited|plc|"
    r"centre|center|museum|village\s+hall|town\s+hall|church|surgery|library|hotel|zoo|"
    r"theatre|cinema|stadium|leisure|office|offices|headquarters|hq|station|hospital|clinic|"
    r"venue|reception|campus|gallery|castle|cathedral|farm)\b",
    re.IGNORECASE,
)


def _is_postcode(outward: str, inward: str) -> bool:
    return (
        _OUTWARD.fullmatch(outward.upper()) is not None
        and _INWARD.fullmatch(inward.upper()) is not None
    )


def find_postcodes(text: str) -> list[tuple[int, int, str]]:
    return [
        (m.start(), m.end(), m.group())
        for m in _POSTCODE.finditer(text)
        if _is_postcode(m.group(1), m.group(2))
    ]


_PHONE = Scanner(
    re.compile(
        r"(?<![\w+/.-])(?:(?:\+|00)[ \t]?44[ \t]?(?:\(0\)[ \t]?)?|\(?0)"
        r"(?:7(?:[ \t-]?\d){9}|[12](?:[ \t\-)]{0,2}\d){8,9})(?![\w/]|[.-]\d)"
    )
)
_PERSON_CUE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?[ \t]+[A-Z][A-Za-z'’-]+"
    r"|(?i:\b(?:mum|mom|mother|dad|father|parents?|carers?|guardian|step-?(?:mum|dad)|"
    r"grandma|grandmother|grandad|granddad|grandfather|grandparents?|nan|nanny|gran|aunt|"
    r"auntie|uncle|foster\s+carers?|emergency\s+contacts?|next\s+of\s+kin|home\s+(?:phone|"
    r"number|tel)|personal\s+(?:mobile|phone|number))\b)"
)
_PHONE_ORG_CUE = re.compile(
    r"\b(?:office|reception|school|switchboard|main\s+line|helpline|academy|enquiries|"
    r"council|trust|ltd)\b",
    re.IGNORECASE,
)


def find_phones(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        national = digits[2:] if digits.startswith("44") else digits[1:]
        if digits.startswith("0044"):
            national = digits[4:]
        if national[:1] == "7" and len(national) != 10:
            continue
        if national[:1] in "12" and len(national) not in (9, 10):
            continue
        out.append((m.start(), m.end(), m.group()))
    return out


def _line_bounds(text: str, start: int, end: int, reach: int = 100) -> tuple[int, int]:
    """The line around text[start:end], but no more than `reach` characters either side."""
    line_start = text.rfind("\n", max(0, start - reach), start) + 1
    line_start = max(line_start, start - reach)
    line_end = text.find("\n", end, end + reach)
    return line_start, min(len(text), end + reach) if line_end < 0 else line_end


@dataclass(frozen=True)
class _Hit:
    check: str
    start: int
    end: int
    shown: str  # masked
    what: str  # "an NHS number"
    why: str  # why it matters
    fix: str


_FIXES = {
    "pd-upn": "Remove the UPN: the recipient rarely needs it. If they do, send it through "
    f"{SECURE_ROUTE}.",
    "pd-uln": f"Remove the ULN, or send it through {SECURE_ROUTE} if the recipient needs it.",
    "pd-nhs-number": "Remove the number, or send it through "
    f"{SECURE_ROUTE} if the recipient needs it.",
    "pd-ni-number": "Remove the National Insurance number; if the recipient needs it (payroll, "
    f"HR), send it through {SECURE_ROUTE}.",
    "pd-date-of-birth": "Leave the date of birth out unless the recipient needs it; if they do, "
    f"send it through {SECURE_ROUTE}.",
    "pd-address": "Leave the home address out unless the recipient needs it; if they do, send it "
    f"through {SECURE_ROUTE}.",
    "pd-phone": "Check the person agreed to their number being shared with these recipients; "
    "otherwise leave it out and offer to pass on a message.",
}


def _identifier_hits(text: str, names: Iterable[str]) -> list[_Hit]:
    hits: list[_Hit] = []
    taken = SpanSet()

    def free(start: int, end: int) -> bool:
        return taken.free(start, end)

    def add(hit: _Hit) -> None:
        hits.append(hit)
        taken.add(hit.start, hit.end)

    # UPN
    for m in _UPN.finditer(text):
        if _is_upn(m.group()):
            add(
                _Hit(
                    "pd-upn",
                    m.start(),
                    m.end(),
                    mask(m.group(), 4, 3),
                    "a Unique Pupil Number (UPN)",
                    "it identifies a child in every school and DfE record",
                    _FIXES["pd-upn"],
                )
            )
    # NI number
    for m in _NI.finditer(text):
        if is_valid_ni_number(m.group()) and free(m.start(), m.end()):
            add(
                _Hit(
                    "pd-ni-number",
                    m.start(),
                    m.end(),
                    mask(m.group(), 2, 1),
                    "a National Insurance number",
                    "it is used for tax and benefits and is prized for identity fraud",
                    _FIXES["pd-ni-number"],
                )
            )
    # NHS numbers written 3-3-4 with spaces, the NHS's own presentation, count without a
    # label; other groupings are how phone numbers are written (one in eleven passes the
    # checksum: on real mail that was 1.8% of messages), so they need the label.
    for m in _GROUPED_10.finditer(text):
        if not (_nhs.is_valid(m.group()) and free(m.start(), m.end())):
            continue
        labelled = _label_before(text, m.start(), _NHS_LABEL)
        if not labelled and (m.group(2) != " " or _label_before(text, m.start(), _PHONE_LABEL)):
            continue
        add(_nhs_hit(m.start(), m.end(), m.group()))
    # A run of ten digits: NHS or ULN by checksum, unless labelled as something else.
    for m in _RUN_10.finditer(text):
        value = m.group()
        if not free(m.start(), m.end()) or value == _TEMPORARY_ULN:
            continue
        nhs_label = _label_before(text, m.start(), _NHS_LABEL)
        uln_label = _label_before(text, m.start(), _ULN_LABEL)
        if not (nhs_label or uln_label):
            continue  # an unlabelled run of ten digits is as often a phone or order number
        if _nhs.is_valid(value) and not uln_label:
            add(_nhs_hit(m.start(), m.end(), value))
        elif is_valid_uln(value) and not nhs_label:
            add(
                _Hit(
                    "pd-uln",
                    m.start(),
                    m.end(),
                    mask(value, 3, 3),
                    "a Unique Learner Number (ULN)",
                    "it identifies a learner and unlocks their record of qualifications",
                    _FIXES["pd-uln"],
                )
            )
    # Date of birth: a real past date just after a DOB label on the same line.
    labels = [lab for lab in _DOB_LABEL.finditer(text) if _labels_a_person(text, lab)]
    for start, end, d in find_dates(text):
        if not _plausible_birth(d) or not free(start, end):
            continue
        line_start = text.rfind("\n", 0, start) + 1
        if any(line_start <= lab.start() and 0 <= start - lab.end() <= 40 for lab in labels):
            date_text = text[start:end]
            keep_start = 4 if _DATE_ISO.fullmatch(date_text) else 0
            keep_end = 0 if keep_start else 4
            add(
                _Hit(
                    "pd-date-of-birth",
                    start,
                    end,
                    mask(date_text, keep_start, keep_end),
                    "a date of birth",
                    "with a name it identifies a person and is used to prove identity",
                    _FIXES["pd-date-of-birth"],
                )
            )
    signatures = signature_spans(text)
    # Home address: a street line followed closely by a valid postcode.
    postcodes = find_postcodes(text)
    for m in _STREET_LINE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        following = [
            p
            for p in postcodes
            if m.end() <= p[0] <= m.end() + 100 and text.count("\n", m.end(), p[0]) <= 3
        ]
        if not following:
            continue
        p_start, p_end, postcode = following[0]
        if _inside(signatures, m.start(), m.start() + 1):
            continue
        line_start, line_end = _line_bounds(text, m.start(), m.end())
        previous_start = max(
            text.rfind("\n", max(0, line_start - 101), max(line_start - 1, 0)) + 1,
            line_start - 100,
            0,
        )
        around = text[previous_start : m.start()] + " " + text[m.end() : line_end]
        if _ORGANISATION.search(around):
            continue
        street = " ".join(m.group().split()[1:]).rstrip(",")
        outward = postcode.split()[0] if " " in postcode else postcode[:-3]
        add(
            _Hit(
                "pd-address",
                m.start(),
                p_end,
                f"** {street} … {outward.upper()} ***",
                "a home address",
                "it says where a person lives",
                _FIXES["pd-address"],
            )
        )
    # Phones: only a person's number (a cue on its line) or a list of numbers.
    name_regex = _name_regex(names)
    phones = [
        p for p in find_phones(text) if free(p[0], p[1]) and not _inside(signatures, p[0], p[1])
    ]
    listed = len({re.sub(r"\D", "", p[2])[-9:] for p in phones}) >= 3
    for start, end, value in phones:
        line_start, line_end = _line_bounds(text, start, end)
        line = text[line_start:start] + " " + text[end:line_end]
        personal = _PERSON_CUE.search(line) is not None or (
            name_regex is not None and name_regex.search(line) is not None
        )
        if not listed and (not personal or _PHONE_ORG_CUE.search(line)):
            continue
        add(
            _Hit(
                "pd-phone",
                start,
                end,
                mask(value, 5 if value.lstrip().startswith("0") else 6, 2),
                "a personal phone number" if not listed else "a list of phone numbers",
                "a phone number next to a name is contact data the person may not want shared",
                _FIXES["pd-phone"],
            )
        )
    return sorted(hits, key=lambda h: h.start)


def _nhs_hit(start: int, end: int, value: str) -> _Hit:
    return _Hit(
        "pd-nhs-number",
        start,
        end,
        mask(value, 3, 4),
        "an NHS number",
        "it is health data about a person",
        _FIXES["pd-nhs-number"],
    )


def _identifier_findings(
    text: str, field: str, names: Iterable[str], audience: _Audience
) -> list[Finding]:
    out = []
    for hit in _identifier_hits(text, names):
        message = f"{_field_label(field)} contains {hit.what}, {hit.shown}: {hit.why}."
        where = Where(field, hit.shown, hit.start, hit.end)
        out.append(_finding(hit.check, message, hit.fix, where, audience))
    return out


def find_identifiers(
    text: str, field: str, *, names: Iterable[str] = (), external: bool = True
) -> list[Finding]:
    """Validated personal identifiers in `text` (UPN, ULN, NHS number, NI number, date of
    birth, home address, personal phone). `names` (roster names found in the text) make a
    phone number next to them count. Without recipients to go on, severity assumes the
    message leaves the school (`external=False` for internal mail)."""
    return _identifier_findings(text or "", field, names, _audience_of(external))


# --- special-category words near a name ----------------------------------------------------


@dataclass(frozen=True)
class _Category:
    label: str  # what kind of data, for the message
    why: str
    pattern: Scanner


def _words_re(words: str, *, case: bool = False) -> Scanner:
    flags = 0 if case else re.IGNORECASE
    return Scanner(re.compile(rf"(?<![\w-])(?:{words})(?![\w])", flags))


_CATEGORIES: tuple[_Category, ...] = (
    _Category(
        "health",
        "health information is special-category data",
        _words_re(
            r"mental\s+health|health(?!\s*(?:and|&)\s*safety)|medical|medication|medicines?|"
            r"diagnos(?:is|ed|es)|illness|hospital(?:ised)?|inhalers?|epi-?pens?|"
            r"allerg(?:y|ies|ic)|asthma|diabet(?:es|ic)|epilep(?:sy|tic)|seizures?|"
            r"self[-\s]harm(?:ing)?|eating\s+disorder|anxiety|depression|counsell?ing|"
            r"therap(?:y|ist)|camhs"
        ),
    ),
    _Category(
        "special educational needs",
        "special educational needs are sensitive and often health information",
        _words_re(r"special\s+educational\s+needs|dyslexi[ac]|dyspraxi[ac]|autis(?:m|tic)"),
    ),
    _Category(
        "special educational needs",
        "special educational needs are sensitive and often health information",
        _words_re(
            r"SEN|SEND(?![ \t]+(?i:me|it|us|them|him|her|the|a|an|this|that|these|those|back|"
            r"home|in|out|to|over|off|on|your|his|their|my|our)\b)|EHCP|EHC\s+plan|ADHD|ASD|SEMH",
            case=True,
        ),
    ),
    _Category(
        "safeguarding",
        "safeguarding and child-protection information is among the most sensitive a school holds",
        _words_re(
            r"safeguarding|child\s+protection|child\s+in\s+need|social\s+workers?|"
            r"social\s+services|social\s+care|early\s+help|domestic\s+(?:abuse|violence)|"
            r"neglect|abused?"
        ),
    ),
    _Category(
        "safeguarding",
        "safeguarding and child-protection information is among the most sensitive a school holds",
        _words_re(r"CP\s+(?:plan|register|conference|case)|CIN\s+plan|MASH|LADO", case=True),
    ),
    _Category(
        "looked-after status",
        "whether a child is in care is sensitive information",
        _words_re(
            r"looked[-\s]after(?:\s+child(?:ren)?)?|in\s+care|foster(?:ed|\s+care|\s+carers?)"
        ),
    ),
    _Category(
        "looked-after status",
        "whether a child is in care is sensitive information",
        _words_re(r"LAC|CLA|PEP", case=True),
    ),
    _Category(
        "ethnicity",
        "ethnic origin is special-category data",
        _words_re(r"ethnicity|ethnic\s+(?:origin|background|group)|racial"),
    ),
    _Category(
        "religion",
        "religious belief is special-category data",
        _words_re(r"religion|religious\s+beliefs?"),
    ),
    _Category(
        "religion",
        "religious belief is special-category data",
        _words_re(r"Muslim|Jewish|Hindu|Sikh|Buddhist", case=True),
    ),
    _Category(
        "sexual orientation or gender identity",
        "sexual orientation is special-category data",
        _words_re(
            r"sexual\s+orientation|sexuality|gay|lesbian|bisexual|transgender|gender\s+identity|"
            r"transitioning"
        ),
    ),
    _Category(
        "pregnancy",
        "pregnancy is health information, special-category data",
        _words_re(r"pregnan(?:t|cy)|miscarriage"),
    ),
    _Category(
        "disability",
        "disability is health information, special-category data",
        _words_re(r"disability|disabilities|disabled"),
    ),
    _Category(
        "free school meals",
        "free school meals and pupil premium reveal a family's income",
        _words_re(r"free\s+school\s+meals|pupil\s+premium"),
    ),
    _Category(
        "free school meals",
        "free school meals and pupil premium reveal a family's income",
        _words_re(r"FSM", case=True),
    ),
    _Category(
        "exclusion",
        "exclusions are sensitive behaviour records",
        _words_re(
            r"(?:permanent|fixed[-\s]term|internal)\s+exclusions?|exclusions?|excluded|"
            r"suspension|managed\s+move"
        ),
    ),
    _Category(
        "criminal offences",
        "criminal-offence data is protected like special-category data",
        _words_re(
            r"arrested|arrest|criminal\s+record|convict(?:ed|ion)|youth\s+offending|"
            r"police\s+caution"
        ),
    ),
)

# A term followed by one of these is a role, a team or a topic, not a fact about a person.
_ROLE_AFTER = re.compile(
    r"[ \t]*(?:/[ \t]*\w+[ \t]*)?(?:&[ \t]*\w+[ \t]+)?"
    r"(?:lead|leads|leader|team|training|policy|policies|governor|officer|co-?ordinator|"
    r"manager|department|dept|champion|first[ \t]+aiders?|week|day|curriculum|lessons?|"
    r"newsletter|awareness|audit|updates?|briefing|procedures?|course|module|certificate|"
    r"inset|link|assembly|workshop|provision\s+map|budget)\b",
    re.IGNORECASE,
)
_ROLE_BEFORE = re.compile(
    r"(?:head|director|lead|leader|co-?ordinator|manager|governor|deputy|designated)"
    r"(?:[ \t]+(?:of|for|on))?[ \t]+(?:\w+[ \t]+)?$",
    re.IGNORECASE,
)
_NEAR_WORDS = 15
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n[ \t]*\n")


def _term_occurrences(text: str) -> list[tuple[int, int, _Category]]:
    taken = SpanSet()
    found: list[tuple[int, int, _Category]] = []
    for category in _CATEGORIES:
        for m in category.pattern.finditer(text):
            if _ROLE_AFTER.match(text, m.end()):
                continue
            line_start = max(
                text.rfind("\n", max(0, m.start() - 60), m.start()) + 1, m.start() - 60
            )
            if _ROLE_BEFORE.search(text[line_start : m.start()]):
                continue
            if taken.add(m.start(), m.end()):
                found.append((m.start(), m.end(), category))
    return sorted(found, key=lambda t: t[0])


def _special_findings(
    text: str, field: str, names: Iterable[str], audience: _Audience
) -> list[Finding]:
    name_regex = _name_regex(names)
    if not text or name_regex is None:
        return []
    name_spans = [(m.start(), m.end()) for m in name_regex.finditer(text)]
    if not name_spans:
        return []
    word_starts = [m.start() for m in _WORD.finditer(text)]
    sentence_ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    signatures = signature_spans(text)

    def word_at(pos: int) -> int:
        return bisect_right(word_starts, pos) - 1

    def sentence_at(pos: int) -> int:
        return bisect_right(sentence_ends, pos)

    name_starts = [ns for ns, _ in name_spans]

    def near(ts: int, te: int) -> bool:
        # Only the names just before and just after the term can be the nearest.
        i = bisect_right(name_starts, ts)
        for ns, ne in name_spans[max(0, i - 2) : i + 2]:
            if ns <= ts < ne:
                continue  # the term is part of the name itself
            if sentence_at(ts) == sentence_at(ns):
                return True
            gap = word_at(ts) - word_at(ne - 1) if ts >= ne else word_at(ns) - word_at(te - 1)
            if gap - 1 <= _NEAR_WORDS:
                return True
        return False

    out: list[Finding] = []
    seen: set[str] = set()
    for start, end, category in _term_occurrences(text):
        if category.label in seen or _inside(signatures, start, end) or not near(start, end):
            continue
        seen.add(category.label)
        term = " ".join(text[start:end].split())
        message = (
            f"{_field_label(field)} mentions {term!r} ({category.label}) next to a person's "
            f"name: {category.why}."
        )
        fix = (
            "Only include it if every recipient needs it to do their job. Otherwise refer to the "
            "person without the sensitive detail (or without the name), and record sensitive "
            "details in the school's safeguarding or management information system, which "
            f"controls who can see them; if it must be sent, use {SECURE_ROUTE}."
        )
        out.append(
            _finding("pd-special-category", message, fix, Where(field, term, start, end), audience)
        )
    return out


def find_special_category(
    text: str, field: str, names: Iterable[str] = (), *, external: bool = True
) -> list[Finding]:
    """Special-category (and similarly sensitive) words in `text` that are near one of `names`:
    in the same sentence or within 15 words. One finding per kind of data per field."""
    return _special_findings(text or "", field, list(names), _audience_of(external))


# --- attachments that are lists of people ---------------------------------------------------

_NAME_HEADER = re.compile(
    r"^(?:(?:pupil|student|child|learner|staff|employee|legal|preferred|full|first|last|"
    r"given|family|parent|carer|contact)[ _]*)?(?:name|forename|surname|firstname|lastname)s?"
    r"(?:[ _]*\d)?$|^(?:pupil|student|child|learner|employee)s?$"
)
# Every header `_NAME_HEADER` accepts holds one of these words.
_HEADER_NAME_WORD = re.compile(r"name|pupil|student|child|learner|employee", re.IGNORECASE)
_DETAIL_HEADERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("date of birth", re.compile(r"\b(?:dob|d o b|date of birth|birth ?date|birthday)\b")),
    ("UPN", re.compile(r"\bupn\b")),
    ("ULN", re.compile(r"\buln\b")),
    ("NHS number", re.compile(r"\bnhs\b")),
    ("NI number", re.compile(r"\b(?:ni|nino|national insurance)\b")),
    ("address", re.compile(r"\b(?:address|street|house|town)\b")),
    ("postcode", re.compile(r"\b(?:postcode|post code|zip)\b")),
    ("email", re.compile(r"\be ?mail\b")),
    ("phone", re.compile(r"\b(?:phone|telephone|tel|mobile|contact number)\b")),
    (
        "sensitive details",
        re.compile(
            r"\b(?:sen|send|ehcp|fsm|medical|allergies|medication|ethnicity|religion|"
            r"safeguarding|lac|pupil premium)\b"
        ),
    ),
)
_EMAIL = Scanner(re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"))
_NAME_WORD = r"[A-Z](?:[a-z]+|['’][A-Z][a-z]+)(?:[A-Z][a-z]+)?(?:[-'’][A-Z]?[a-z]+)?"
# The second word is read ahead, not taken, so that "Contact Alex Hsieh" also gives the pair
# "Alex Hsieh".
_NAME_PAIR = re.compile(
    rf"(?<![\w'’-])({_NAME_WORD}|[A-Z]{{2,}}(?:[-'’][A-Z]+)?),?[ \t]+(?=({_NAME_WORD})(?![\w'’-]))"
)
_NOT_NAMES = wordlist(
    """monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december jan feb mar apr jun jul aug sep sept
    oct nov dec year class group set room total week term trip date time day school primary
    academy street road lane the and for of to a an in on at by item cost price amount due paid
    maths english science history geography music art reading writing phonics assembly lunch
    break club sports event parents parent evening hall staff budget invoice order reception
    nursery key stage early years autumn spring summer half dear hello hi kind best regards
    many thanks please note new old main office head teacher deputy total subtotal grand sub
    page sheet name names forename surname dob address postcode email phone mobile upn uln
    house form tutor tutors"""
)


def _name_like(line: str, names: re.Pattern[str] | None) -> bool:
    if names is not None and names.search(line):
        return True
    for m in _NAME_PAIR.finditer(line):
        first, second = m.group(1), m.group(2)
        if first.lower() in _NOT_NAMES or second.lower() in _NOT_NAMES:
            continue
        # "Alex Hsieh", "Hsieh, Alex" or "HSIEH, Alex": a forename where forenames go ("Read
        # Full Story" and "AM London" are not people)
        if first.isupper() or "," in m.group():  # "HSIEH, Alex", "SMITH Olly", "Hsieh, Alex"
            if _forename_like(second):
                return True
        elif _forename_like(first):
            return True
    return _TITLED.search(line) is not None  # "Mrs Jones - 07700 900123"


def _forename_like(word: str) -> bool:
    """A forename, counting those that are also words ("Grace", "Max"): in a row that also
    holds a date or a number, "Grace Smith" is a person."""
    return is_forename(word) or word.lower() in WORD_NAMES


_TITLED = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?[ \t]+[A-Z][a-z'’-]+")


def _personal_detail(line: str, school_domains: frozenset[str]) -> bool:
    for m in _EMAIL.finditer(line):
        domain = m.group().rpartition("@")[2].lower()
        if not any(domain == d or domain.endswith("." + d) for d in school_domains):
            return True
    if find_phones(line):
        return True
    if any(
        _plausible_birth(d) and d.year <= datetime.date.today().year - 2
        for *_, d in find_dates(line)
    ):
        return True
    if find_postcodes(line) and (_STREET_LINE.search(line) or len(line) < 200):
        return True
    return bool(_identifier_hits_strict(line))


def _identifier_hits_strict(line: str) -> list[str]:
    """UPN, ULN, NHS and NI numbers in a table row (no labels needed)."""
    out = [m.group() for m in _UPN.finditer(line) if _is_upn(m.group())]
    out += [m.group() for m in _NI.finditer(line) if is_valid_ni_number(m.group())]
    for m in list(_GROUPED_10.finditer(line)) + list(_RUN_10.finditer(line)):
        if m.re is _GROUPED_10.pattern and m.group(2) != " ":
            continue  # "713-853-6561" is how phone numbers are written; NHS numbers use spaces
        if _nhs.is_valid(m.group()) or is_valid_uln(m.group()):
            out.append(m.group())
    return out


def _split_rows(lines: list[str]) -> tuple[str, list[list[str]]] | None:
    """The delimiter that gives the first line the most cells, and every row split with it."""
    best: tuple[str, int] | None = None
    for delimiter in ("\t", ",", ";", "|"):
        cells = next(csv.reader([lines[0]], delimiter=delimiter))
        if len(cells) >= 2 and (best is None or len(cells) > best[1]):
            best = (delimiter, len(cells))
    if best is None:
        return None
    rows = list(csv.reader(lines, delimiter=best[0]))
    return best[0], rows


def _header_kinds(cells: list[str]) -> tuple[list[int], list[tuple[int, str]]]:
    name_cols: list[int] = []
    detail_cols: list[tuple[int, str]] = []
    for i, cell in enumerate(cells):
        key = re.sub(r"[^a-z0-9 ]+", " ", cell.lower()).strip()
        key = re.sub(r"\s+", " ", key)
        if not key:
            continue
        if _NAME_HEADER.match(key.replace(" ", "_")) or _NAME_HEADER.match(key):
            name_cols.append(i)
            continue
        for label, pattern in _DETAIL_HEADERS:
            if pattern.search(key):
                detail_cols.append((i, label))
                break
    return name_cols, detail_cols


def _people_table(lines: list[str]) -> tuple[int, list[str]] | None:
    """(rows, kinds of detail) if a header line among the first five introduces a table of
    people: a name column and a personal-detail column, with at least three filled rows."""
    for h in range(min(5, len(lines))):
        if not _HEADER_NAME_WORD.search(lines[h]):
            continue  # a header row names its name column
        header = _split_rows(lines[h : h + 1])  # the header alone first: most are not one
        if header is None or not all(_header_kinds(header[1][0])):
            continue
        split = _split_rows(lines[h:])
        if split is None:
            continue
        _, rows = split
        name_cols, detail_cols = _header_kinds(rows[0])

        def filled(row: list[str], cols: Iterable[int]) -> bool:
            return any(i < len(row) and row[i].strip() for i in cols)

        count = sum(
            1
            for row in rows[1:]
            if filled(row, name_cols) and filled(row, (i for i, _ in detail_cols))
        )
        if count >= 3:
            kinds = list(dict.fromkeys(label for _, label in detail_cols))
            return count, kinds
    return None


# Lines of mail headers and reply attributions in a quoted or forwarded thread: they name
# the people in the conversation, they are not a list of people's details.
_MAIL_HEADER_LINE = re.compile(
    r"^[\s>]*(?:from|to|cc|bcc|sent|date|reply-to|subject|forwarded[- ]by)\s*:"
    r"|(?:wrote|writes|said):\s*$"
    # Lotus Notes: "Jason K <jk@example.com> on 03/20/2001 11:31 AM", "To: Sam/HOU/ECT@ECT"
    r"|@\S*\s+on \d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d{2}"
    r"|\b(?:to|cc|bcc|sent by):\s[^\n]*@",
    re.IGNORECASE,
)


_ADDRESS = re.compile(r"<?[\w.+'-]+@[\w-]+(?:\.[\w-]+)+>?|\(e-?mail\)", re.IGNORECASE)


def _address_list(line: str) -> bool:
    """A To or Cc header carried over lines: two or more addresses and, besides them, only
    display names and separators (no dates, numbers or other details), or a line that is one
    address followed by a separator. "Amy Jones - jo@example.com, pete@example.com" is a
    row of a list of parents, not a header: its name is followed by a dash."""
    rest = _ADDRESS.sub(" ", line)
    addresses = len(_ADDRESS.findall(line))
    if any(c.isdigit() for c in rest) or re.search(r"\s[-–:]\s", rest):
        return False
    quoted_next = re.search(r"[;,]\s*[\"'<]", line) is not None  # '…>; "Ann Wooldridge"'
    ends_open = line.rstrip()[-1:] in (";", ",")
    return addresses >= 1 and (quoted_next or ends_open or (addresses >= 2 and ";" in line))


_DETAIL_SCANNERS: tuple[Scanner, ...] = (_EMAIL, _PHONE, _POSTCODE, _UPN, _NI, _GROUPED_10)
_DETAIL_SCANNERS += (_RUN_10, _DATE_NUMERIC, _DATE_ISO, _DATE_DAY_MONTH, _DATE_MONTH_DAY)


def _detail_windows(text: str) -> list[tuple[int, int]]:
    """The runs of lines where `_personal_detail` can find something: those where one of the
    patterns it uses may match. Other lines are passed over."""
    spans = sorted(span for scanner in _DETAIL_SCANNERS for span in scanner.windows(text))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        # whole lines: a window may be the stretch of a long line where a pattern can match
        start = text.rfind("\n", 0, start) + 1
        end = len(text) if (newline := text.find("\n", end)) < 0 else newline
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _people_rows(
    lines: list[str], names: re.Pattern[str] | None, school_domains: frozenset[str]
) -> int:
    """Lines of free text that each hold a name and a personal detail (mail headers such as
    "From: Jane Smith <jane@example.com>" in a quoted thread do not count)."""
    # A line repeated (a disclaimer under every message of a thread) counts once.
    return sum(
        1
        for line in dict.fromkeys(" ".join(line.split()) for line in lines)
        if _name_like(line, names)
        and not _address_list(line)
        and not _MAIL_HEADER_LINE.search(line)
        and _personal_detail(line, school_domains)
    )


def _people_list(
    text: str,
    field: str,
    names: Iterable[str],
    audience: _Audience,
    school_domains: frozenset[str] = frozenset(),
) -> Finding | None:
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 3:
        return None
    table = _people_table(lines)
    if table is not None:
        rows, kinds = table
        detail = f"{rows} rows with names and {', '.join(kinds)}"
    else:
        with_detail = [
            line
            for start, end in _detail_windows(text)
            for line in text[start:end].splitlines()
            if line.strip()
        ]
        rows = _people_rows(with_detail, _name_regex(names), school_domains)
        if rows < 3:
            return None
        detail = f"{rows} lines that each pair a name with a date, number, address or contact"
    message = (
        f"{_field_label(field)} looks like a list of people with their personal details "
        f"({detail}). A list like this is the most common way a school loses a lot of personal "
        "data at once."
    )
    fix = (
        "Send only the rows and columns the recipient needs (often none of the identifiers), and "
        f"send the list through {SECURE_ROUTE}; never send a list of pupils, parents or staff "
        "outside the school by plain email."
    )
    return _finding("pd-people-list", message, fix, Where(field, detail), audience)


def find_people_list(
    attachment: Attachment,
    *,
    names: Iterable[str] = (),
    external: bool = True,
    school_domains: Iterable[str] = (),
) -> Finding | None:
    """A finding if the attachment's extracted text is a list of people: a table whose header
    has a name column and a personal-detail column (DOB, UPN, address, postcode, email,
    phone, ...) with at least three filled rows, or at least three lines that each pair a
    name with an identifier, date of birth, postcode, phone or email address (addresses on
    `school_domains` do not count: staff work addresses in a newsletter are not a list of
    people's details)."""
    return _people_list(
        attachment.text or "",
        f"attachment:{attachment.name}",
        names,
        _audience_of(external),
        frozenset(d.lower() for d in school_domains),
    )


# --- the check ------------------------------------------------------------------------------


def _message_audience(message: Message, context: SchoolContext) -> _Audience:
    recipients = message.recipients
    if not recipients:
        return _Audience("unknown")
    outside = [a for a in recipients if not context.is_internal(a.domain)]
    if not outside:
        return _Audience("internal")
    domains = tuple(sorted({a.domain for a in outside}))
    # Going only to the named pupils' own parents or carers (per the roster links) is the
    # ordinary business of a school, not a disclosure.
    texts = (message.subject, message.body)
    named = {
        person.id
        for person in context.name_index.people_in(texts, ("full", "surname-first"))
        if person.kind == "pupil"
    }
    if named:
        family = True
        for addr in outside:
            person = context.by_email.get(addr.addr.lower())
            if person is None or person.kind != "contact":
                family = False
                break
            if not named <= context.links.get(person.id, frozenset()):
                family = False
                break
        if family:
            return _Audience("family", domains)
    return _Audience("external", domains)


def check_personal_data(message: Message, context: SchoolContext) -> list[Finding]:
    """Personal data in the subject, body and attachments (clause 5). Severity is ``high`` when
    a recipient is outside the school's domains, ``low`` (phones: ``info``) when all are inside
    or when it goes only to the named pupils' own linked parents or carers."""
    audience = _message_audience(message, context)
    # Attachments and lists are not covered by the "own family" allowance: they can hold anyone.
    any_audience = (
        _Audience("external", audience.domains) if audience.kind == "family" else audience
    )
    school_domains = frozenset(d.lower() for d in (*context.domains, context.pupil_domain) if d)
    # The sender's own name next to their own number or circumstances is theirs to share.
    sender = context.by_email.get(message.sender.addr.lower()) if message.sender else None
    own = {" ".join(n.lower().split()) for n in person_name_forms(sender)} if sender else set()

    def names_in(text: str) -> list[str]:
        return [
            n
            for n in roster_names(text, context.name_index)
            if " ".join(n.lower().split()) not in own
        ]

    findings: list[Finding] = []
    parts = [("subject", message.subject or "", audience), ("body", message.body or "", audience)]
    parts += [(f"attachment:{a.name}", a.text or "", any_audience) for a in message.attachments]
    for field, text, heard_by in parts:
        if not text.strip():
            continue
        names = names_in(text)
        listed = None
        if field != "subject":
            listed = _people_list(text, field, names, any_audience, school_domains)
        if listed is not None:
            # One finding for the whole list rather than one per row; sensitive words near
            # names in a body still count on their own.
            findings.append(listed)
            if field == "body":
                findings += _special_findings(text, field, names, heard_by)
            continue
        findings += _identifier_findings(text, field, names, heard_by)
        findings += _special_findings(text, field, names, heard_by)
    return findings
