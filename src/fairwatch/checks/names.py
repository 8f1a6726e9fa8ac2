"""Find roster people named in text: full names, preferred names, initials, "Surname, Forename",
titles with surnames, possessives, in any case and with or without accents. Pure and fast:
the index is built once per school context."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from .context import RosterPerson

TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame"})
_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*", re.UNICODE)
_TOKEN_ASCII = re.compile(r"[a-z]+(?:['\-][a-z]+)*")
_POSSESSIVE = re.compile(r"['’]s?$")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case- and accent-insensitive form: "Zoë O’Neill" → "zoe o'neill"."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.replace("’", "'")


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


@lru_cache(maxsize=256)
def tokens(text: str) -> tuple[Token, ...]:
    """The words of `text`, folded, with their offsets. Cached: several checks read the same
    subject and body."""
    if text.isascii():  # the common case: fold the whole text at once, offsets unchanged
        out = []
        for m in _TOKEN_ASCII.finditer(text.lower()):
            word, end = m.group(), m.end()
            if word.endswith("'s") and len(word) > 2:
                word, end = word[:-2], end - 2
            out.append(Token(word, m.start(), end))
        return tuple(out)
    out = []
    for m in _TOKEN.finditer(text):
        word = fold(m.group())
        end = m.end()
        possessive = _POSSESSIVE.search(word)
        if possessive and len(word) > 2:
            word = word[: possessive.start()]
            end = m.start() + len(word)
        out.append(Token(word, m.start(), end))
    return tuple(out)


def _words(name: str) -> tuple[str, ...]:
    return tuple(t.word for t in tokens(name))


Pattern = tuple[tuple[str, ...], str, RosterPerson]


class NameIndex:
    """Roster names by their first two words, for one pass over a text's tokens."""

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

    def find(self, text: str) -> list[NameMatch]:
        """Every roster person named in `text`, first match per person, in text order."""
        toks = tokens(text)
        found: dict[int, NameMatch] = {}
        for i in range(len(toks) - 1):
            tok = toks[i]
            for words, form, person in self._patterns.get((tok.word, toks[i + 1].word), ()):
                if person.id in found:
                    continue
                end = self._match(text, toks, i, words)
                if end is not None:
                    found[person.id] = NameMatch(person, tok.start, end, form)
        return sorted(found.values(), key=lambda m: m.start)

    @staticmethod
    def _match(text: str, toks: tuple[Token, ...], i: int, words: tuple[str, ...]) -> int | None:
        j = i
        for k, word in enumerate(words):
            if word == ",":
                continue
            if j >= len(toks) or toks[j].word != word:
                return None
            if k:  # what lies between this word and the previous one
                gap = text[toks[j - 1].end : toks[j].start]
                allowed = ", " if words[k - 1] == "," else ". "
                if len(gap) > 3 or any(c not in allowed + "'’s" for c in gap):
                    return None
                if words[k - 1] == "," and "," not in gap:
                    return None
            j += 1
        return toks[j - 1].end
