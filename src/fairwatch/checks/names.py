"""Find roster people named in text: full names, preferred names, initials, "Surname, Forename",
titles with surnames, possessives, in any case and with or without accents. Pure and fast:
the index is built once per school context."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import accumulate
from typing import NamedTuple

from .context import RosterPerson
from .scan import LineFinder, Scanner

FORMS = ("full", "initial", "surname-first", "title")
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame"})
# One capturing group, so split() keeps the words between the gaps. An apostrophe joins letters
# ("o'neill") except a possessive "'s" at the end of a word, which stays in the gap.
_ASCII_PARTS = re.compile(r"((?<![a-z]')[a-z]+(?:-[a-z]+|'(?!s(?![a-z]))[a-z]+)*)")
_UNICODE_PARTS = re.compile(
    r"((?<![^\W\d_]['’])[^\W\d_]+(?:-[^\W\d_]+|['’](?![sS](?![^\W\d_]))[^\W\d_]+)*)"
)


# Letters that Unicode does not decompose into a plain letter and an accent, as people type
# them on an English keyboard: "Yılmaz" is written "Yilmaz", "Łukasz" "Lukasz".
_PLAIN_LETTERS = str.maketrans(
    {"’": "'", "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "æ": "ae", "œ": "oe", "þ": "th"}
)


def wordlist(text: str) -> frozenset[str]:
    """The words of `text`, for word lists written as one string."""
    return frozenset(text.split())


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case- and accent-insensitive form: "Zoë O’Neill" → "zoe o'neill"."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.translate(_PLAIN_LETTERS)


class Token(NamedTuple):  # a tuple: long bodies have thousands, made quickly
    word: str  # folded, possessive removed
    start: int
    end: int  # end of the word itself, before any possessive


@dataclass(frozen=True)
class NameMatch:
    person: RosterPerson
    start: int
    end: int
    form: str  # "full", "initial", "surname-first", "title"


class Words:
    """The words of a text, folded, with what lies between them; offsets are worked out only
    when asked for. Splitting is one regex call and folding one cached call per word, so a
    long body costs little more than a copy of it."""

    __slots__ = ("words", "_parts", "_ends")

    def __init__(self, text: str):
        if text.isascii():  # the common case: fold the whole text at once, offsets unchanged
            parts = _ASCII_PARTS.split(text.lower())
            self.words: list[str] = parts[1::2]
        else:
            parts = _UNICODE_PARTS.split(text)
            self.words = list(map(fold, parts[1::2]))
        # parts alternate: gap before word 0, word 0, gap, word 1, ..., gap after the last
        self._parts = parts
        self._ends: list[int] | None = None

    def span(self, k: int) -> tuple[int, int]:
        """Start and end of word `k` in the text (the end is before any possessive)."""
        if self._ends is None:
            self._ends = list(accumulate(map(len, self._parts)))
        return self._ends[2 * k], self._ends[2 * k + 1]

    def gap(self, k: int) -> str:
        """What lies between word `k - 1` and word `k`, possessives included."""
        return self._parts[2 * k]


@lru_cache(maxsize=64)
def words_of(text: str) -> Words:
    """Cached: several checks read the same subject and body."""
    return Words(text)


def tokens(text: str) -> tuple[Token, ...]:
    """The words of `text`, folded, with their offsets."""
    w = words_of(text)
    return tuple(Token(word, *w.span(k)) for k, word in enumerate(w.words))


def _words(name: str) -> tuple[str, ...]:
    return tuple(words_of(name).words)


Pattern = tuple[tuple[str, ...], str, RosterPerson]


class NameIndex:
    """Roster names by their first two words. A text's consecutive word pairs are matched
    against those keys as one set operation, so a text that names nobody is passed over
    without a Python step per word."""

    def __init__(self, people: Iterable[RosterPerson], *, titled_kinds: Iterable[str] = ()):
        # (first word, second word) of the pattern -> list of (pattern words, form, person)
        self._patterns: dict[tuple[str, str], list[Pattern]] = defaultdict(list)
        titled = frozenset(titled_kinds)
        for person in people:
            seen: set[tuple[str, ...]] = set()
            for forename, surname in person.names:
                first, last = _words(forename), _words(surname)
                if not first or not last:
                    continue
                forms = [(first + last, "full"), ((first[0][0],) + last, "initial")]
                forms.append((last + (",",) + first, "surname-first"))
                if person.kind in titled:
                    forms += [((title,) + last, "title") for title in TITLES]
                for words, form in forms:
                    if words not in seen:
                        seen.add(words)
                        second = words[2] if words[1] == "," else words[1]
                        self._patterns[(words[0], second)].append((words, form, person))
        self._keys = frozenset(self._patterns)
        self._lines = _pair_finder(self._keys)
        self._recent: dict[str, list[NameMatch]] = {}

    def find(self, text: str) -> list[NameMatch]:
        """Every roster person named in `text`, first match per person, in text order.
        Answers for the last few texts are kept: several checks read the same subject and
        body."""
        found = self._recent.get(text)
        if found is None:
            if len(self._recent) >= 16:
                self._recent.clear()
            found = self._recent[text] = self._find_long(text)
        return list(found)

    def people_in(
        self, message_texts: Iterable[str], forms: Iterable[str] = FORMS
    ) -> list[RosterPerson]:
        """Each roster person named (in one of `forms`) in any of the texts, once, in order."""
        wanted = frozenset(forms)
        people: dict[int, RosterPerson] = {}
        for text in message_texts:
            for m in self.find(text):
                if m.form in wanted:
                    people.setdefault(m.person.id, m.person)
        return list(people.values())

    def _find_long(self, text: str) -> list[NameMatch]:
        if len(text) < Scanner.SHORT or not text.isascii() or self._lines is None:
            return self._find(text)
        # A long text: split into words only the lines where RE2 saw a key pair, with the
        # line before and the line after (a name's third word, the word after an initial's
        # surname, may be there).
        found: dict[int, NameMatch] = {}
        all_lower = text.islower()
        for start, end in _with_neighbours(text, self._lines.windows(text)):
            for m in self._find(text[start:end], all_lower):
                found.setdefault(m.person.id, replace(m, start=m.start + start, end=m.end + start))
        return sorted(found.values(), key=lambda m: m.start)

    def _find(self, text: str, all_lower: bool | None = None) -> list[NameMatch]:
        """`all_lower`: whether the whole text (of which `text` may be a part) is written
        in lower case."""
        if all_lower is None:
            all_lower = text.islower()
        w = words_of(text)
        pairs = list(zip(w.words, w.words[1:], strict=False))
        hits = self._keys.intersection(pairs)
        if not hits:
            return []
        found: dict[int, NameMatch] = {}
        for i, pair in enumerate(pairs):
            if pair not in hits:
                continue
            for words, form, person in self._patterns[pair]:
                if person.id in found:
                    continue
                end = self._match(w, i, words)
                if end is None:
                    continue
                start = w.span(i)[0]
                if form == "initial" and not _reads_as_initial(text, w, i, all_lower):
                    continue
                found[person.id] = NameMatch(person, start, end, form)
        return sorted(found.values(), key=lambda m: m.start)

    @staticmethod
    def _match(w: Words, i: int, words: tuple[str, ...]) -> int | None:
        j = i
        for k, word in enumerate(words):
            if word == ",":
                continue
            if j >= len(w.words) or w.words[j] != word:
                return None
            if k:  # what lies between this word and the previous one
                gap = w.gap(j).lower()
                # a space (or a line break: hard-wrapped mail), a stop after an initial, a
                # comma after a surname written first, a possessive
                allowed = ", \r\n" if words[k - 1] == "," else ". \r\n"
                if len(gap) > 3 or any(c not in allowed + "'’s" for c in gap):
                    return None
                if words[k - 1] == "," and "," not in gap:
                    return None
            j += 1
        return w.span(j - 1)[1]


def _with_neighbours(text: str, windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Each run of lines with the line before and the line after it, runs that meet merged."""
    out: list[tuple[int, int]] = []
    for start, end in windows:
        start = text.rfind("\n", 0, max(start - 1, 0)) + 1
        newline = text.find("\n", end + 1)
        end = len(text) if newline < 0 else newline
        if out and start <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def _reads_as_initial(text: str, w: Words, i: int, all_lower: bool) -> bool:
    """Whether word `i` is an initial before a surname rather than a word: "J. Smith", "j.
    smith", "J Smith", "A Kowalski" and, in text typed all in lower case, "m hughes" are
    initials; "a day out", "a jones" and "A Day At The Museum" are not."""
    if "." in w.gap(i + 1):
        return True
    letter = text[w.span(i)[0]]
    if all_lower:  # typed all in lower case: "m hughes - reading"; "a jones" stays a word
        return letter not in "ai"
    if not (letter.isupper() and text[w.span(i + 1)[0]].isupper()):
        return False
    if letter not in "AI":
        return True
    # "A Kowalski" is a name, "A Day At The Museum" a title: after the surname, a word in
    # lower case (or nothing: the end, or a blank line) rather than another capital.
    after = i + 2
    if after >= len(w.words) or w.gap(after).count("\n") > 1:
        return True
    return not text[w.span(after)[0]].isupper()


def _pair_finder(keys: Iterable[tuple[str, str]]) -> LineFinder | None:
    """An RE2 finder for lines where some key pair may be written: the two words in any case,
    whole, with up to three characters (spaces, stops, commas, line breaks, a possessive)
    between them.
    Pairs with a non-ASCII word are left out: `find` splits non-ASCII text in full."""
    alternatives = [
        re.escape(first) + r"[ .,'s\r\n]{1,3}" + re.escape(second)
        for first, second in sorted(keys)
        if first.isascii() and second.isascii()
    ]
    if not alternatives:
        return None
    # Whole words as the splitter sees them: a digit or "_" ends a word as a space does.
    return LineFinder(r"(?:^|[^a-z])(?:" + "|".join(alternatives) + r")(?:[^a-z]|$)", "(?im)")
