"""Recipient domains that look like a known domain but are not it (policy clause 4.2).

Mis-addressed email is the commonest cause of school data breaches. `LookalikeIndex` is
built once from the domains a school knows (its own, its partners', common webmail) and then
says, fast and without any network access, whether a recipient's domain imitates one of them:

- typo: one letter inserted, dropped or changed in the name (`oakfieldprimay.org.uk`), or a
  slip in the ending (`gmail.con`);
- transposition: two neighbouring letters swapped (`oakfeildprimary.org.uk`);
- homoglyph: spelt with look-alike characters, whether Unicode (Cyrillic `о`, shown from
  punycode `xn--...`) or ASCII (`norfo1k.gov.uk`, `rn` for `m`, `vv` for `w`);
- suffix-swap: the same name under another ending (`norfolk.co.uk`, `norfolk.gov.co.uk`,
  `norfolk-gov.uk`, `oakfieldprimary.org` for `oakfieldprimary.org.uk`);
- extra-label: the whole known domain inside someone else's (`norfolk.gov.uk.secure-mail.com`,
  `norfolk-gov-uk.com`).

False alarms teach staff to click through warnings, so the thresholds are conservative:

- Exact known domains and their subdomains (`mail.norfolk.gov.uk`) never match.
- One edit (insert, delete, change) needs both names to be at least `ONE_EDIT_MIN` (6)
  characters: `bbc`/`abc`, `gmail`/`email`/`ymail` and `icloud`/`cloud` are all real and
  distinct. An adjacent swap needs `TRANSPOSITION_MIN` (5): `gmial.com` is a classic slip and
  swapped letters almost never spell another real name. Two edits need a known name of at
  least `TWO_EDIT_MIN` (12) characters, where ten or more letters still agree in order. Name
  typos are only reported under the same ending; `suffolk`/`norfolk` (three edits) never fire.
- A suffix swap needs a name of at least `SWAP_MIN` (5) characters (`bbc.com` and `bbc.co.uk`,
  `live.com` and `live.co.uk` belong to the same companies), and is not reported between two
  endings that only vetted public bodies can register: Norfolk County Council is
  `norfolk.gov.uk` and Norfolk Constabulary `norfolk.police.uk`, Kent County Council
  `kent.gov.uk` and the University of Kent `kent.ac.uk`; two Oakfield schools in two counties
  are both on `sch.uk`. Nor is a swap to another country's ending (`hotmail.fr`, `yahoo.ie`,
  `outlook.com.au`: the providers' own national domains, used by parents abroad), except to
  country codes sold as generic (`.co`, `.io`, `.me` ...). When both `hotmail.com` and
  `hotmail.co.uk` are known, neither fires; when only one is, the other is reported, so
  callers pass every real variant they accept.
- Look-alike characters are folded to a skeleton (`skeleton`: a small table here, Unicode's
  confusables from the `confusable_homoglyphs` package, accents dropped, `1`/`l`/`i` and `0`/`o`
  read alike, `rn` read as `m` and `vv` as `w`). A name whose skeleton is a known domain's is a
  homoglyph whatever its length. An ASCII name is otherwise compared folded only for swapped
  endings and spelt-out domains, never for a further typo, which would loosen the typo test.
- A known name merely used as a word (`norfolk-wildlife.org.uk`, `oakfield.norfolk.sch.uk`)
  is not reported: only the known domain's own labels in order (`norfolk` then `gov`) count.

The registrable part of a domain (the label before the public suffix) comes from the Public
Suffix List bundled by the `publicsuffixlist` package, read from disk; nothing is fetched.
This module must not import Django.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import product
from typing import NamedTuple

from publicsuffixlist import PublicSuffixList

__all__ = [
    "ONE_EDIT_MIN",
    "SWAP_MIN",
    "TRANSPOSITION_MIN",
    "TWO_EDIT_MIN",
    "Lookalike",
    "LookalikeIndex",
    "skeleton",
]

#: Shortest name (label before the public suffix) on which one insert/delete/change is reported.
ONE_EDIT_MIN = 6
#: Shortest name on which swapping two neighbouring letters is reported.
TRANSPOSITION_MIN = 5
#: Shortest known name on which two edits are reported.
TWO_EDIT_MIN = 12
#: Shortest name reported when written with another ending (suffix swap, hyphen for dot).
SWAP_MIN = 5
#: Shortest name reported when the whole known domain is spelt out inside another one.
EMBED_MIN = 3

# Endings that only vetted public bodies can register (plus any `*.sch.uk`).
_VETTED = frozenset(
    {"gov.uk", "ac.uk", "police.uk", "nhs.uk", "mod.uk", "parliament.uk", "gov", "edu", "mil"}
)

# Country codes sold to anyone as if generic, and the UK's own: a swap to these is reported.
# Other countries' endings are not (`hotmail.fr`, `yahoo.ie`, `outlook.de` are the same
# providers' real national domains, and parents abroad write from them); a one-letter slip
# such as `gmail.co` or `gmail.cm` is still reported as a typo.
_OPEN_COUNTRY_CODES = frozenset({"uk", "co", "io", "me", "tv", "cc", "ws", "ai", "to", "ly"})

# Look-alike characters, folded to the ASCII letter they imitate. Unicode's confusables (via the
# `confusable_homoglyphs` package) fill in the rest; this table wins where both speak. Accents
# are dropped first (NFKD), and NFKC has already turned fullwidth and mathematical letters
# into plain ones.
_GLYPHS = {
    # Cyrillic
    "а": "a", "е": "e", "һ": "h", "і": "i", "ј": "j", "к": "k", "ӏ": "l", "о": "o",
    "р": "p", "с": "c", "у": "y", "х": "x", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "ү": "y",
    # Greek
    "α": "a", "γ": "y", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "υ": "u",
    "χ": "x", "ω": "w", "ϲ": "c", "ϳ": "j",
    # Armenian
    "ա": "w", "հ": "h", "ո": "n", "ս": "u", "օ": "o",
    # Latin letters that do not decompose
    "ı": "i", "ɑ": "a", "ɡ": "g", "ɩ": "i", "ɵ": "o", "ø": "o", "đ": "d", "ħ": "h",
    "ł": "l", "ƚ": "l", "ɫ": "l", "ŧ": "t",
}  # fmt: skip
# ASCII characters that pass for others: 1, l and i all read as `l`, 0 as `o`.
_ASCII_FOLD = {"0": "o", "1": "l", "i": "l"}
# Pairs that pass for one letter, folded after the single characters.
_SEQUENCES = (("rn", "m"), ("vv", "w"))

_ASCII_LABEL = re.compile(r"[a-z0-9_-]+")
_ASCII_NAME = re.compile(r"(?:[a-z0-9_-]{1,63}\.)*[a-z0-9_-]{1,63}")
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


@dataclass(frozen=True)
class Lookalike:
    """A recipient domain that imitates a known one."""

    domain: str  # the recipient's domain as written (lower-case)
    resembles: str  # the known domain it imitates
    reason: str  # plain words, e.g. "one letter different from oakfieldprimary.org.uk (a typo?)"
    kind: str  # "typo" | "transposition" | "homoglyph" | "suffix-swap" | "extra-label"


class _Known(NamedTuple):
    domain: str  # as the caller gave it, normalised
    labels: tuple[str, ...]  # the registrable label, then the public-suffix labels
    suffix: str  # the public suffix as written, e.g. "gov.uk"


class _Entry(NamedTuple):
    known: _Known
    label: str  # the registrable label in this space (as written, or as skeleton)
    suffix: str  # the suffix in this space
    letters: frozenset[str]  # the characters of `label`, to rule out distant names cheaply


class _Hit(NamedTuple):
    known: _Known
    kind: str
    reason: str
    at: int = -1  # which of the candidate's labels carries the known name (-1: not yet known)


# --- normalising -------------------------------------------------------------------------


def _written(text: str) -> str:
    return text.strip().lower().rpartition("@")[2].strip().rstrip(".")


def _decode_label(label: str) -> str:
    """A punycode `xn--` label as a mail program displays it; unchanged if it does not decode.

    The IDNA ToUnicode step is the punycode decoding done here with the standard library. A
    strict IDNA 2008 check (the `idna` package) would reject some labels that registries and
    mail programs still show, and costs a millisecond a label: look-alikes need the display.
    """
    try:
        decoded = label[4:].encode("ascii").decode("punycode")
    except (UnicodeError, ValueError):
        return label
    decoded = unicodedata.normalize("NFKC", decoded).lower()
    if not decoded or "." in decoded or not _label_ok(decoded):
        return label
    return decoded


def _label_ok(label: str) -> bool:
    if label.isascii():
        return _ASCII_LABEL.fullmatch(label) is not None
    return all(
        ch.isalnum() or ch in "-_" or unicodedata.category(ch).startswith("M") for ch in label
    )


def _normalise(text: object) -> str | None:
    """`text` as a lower-case domain with punycode shown as Unicode, or None if it is not one."""
    if not isinstance(text, str):
        return None
    if text.isascii():
        name = text.lower().strip().rpartition("@")[2].strip().rstrip(".")
        if _ASCII_NAME.fullmatch(name) and "xn--" not in name:
            return name if len(name) <= 253 else None
    else:
        name = unicodedata.normalize("NFKC", text).lower().translate(_DOTS)
        name = name.strip().rpartition("@")[2].strip().rstrip(".")
    if not name or len(name) > 253:
        return None
    labels = name.split(".")
    for i, label in enumerate(labels):
        if not label or len(label) > 63 or not _label_ok(label):
            return None
        if label.startswith("xn--"):
            labels[i] = _decode_label(label)
    return ".".join(labels)


@cache
def _psl() -> PublicSuffixList:
    return PublicSuffixList()  # the copy bundled with the package; never downloaded


def _split(labels: tuple[str, ...]) -> int | None:
    """Index of the registrable label (the one before the public suffix), or None.

    A name that is itself a public suffix only through a wildcard rule (`oak.sch.uk`, under
    `*.sch.uk`) or a private entry counts as registrable at its first label, so it can still be
    compared; a lone top-level domain cannot.
    """
    if len(labels) < 2:
        return None
    try:
        registrable = _psl().privatesuffix(".".join(labels))
    except (ValueError, UnicodeError):  # pragma: no cover - defensive
        registrable = None
    if not registrable:
        return 0
    r = len(labels) - registrable.count(".") - 1
    return r if 0 <= r < len(labels) else 0


# --- skeletons ---------------------------------------------------------------------------


@cache
def _glyph_table() -> dict[int, str]:
    table: dict[int, str] = {}
    try:
        from confusable_homoglyphs import confusables  # loaded lazily: ~0.1 s

        data = confusables.confusables_data
    except ImportError:  # pragma: no cover - the package is a dependency
        data = {}
    for char, entries in data.items():
        if not isinstance(char, str) or len(char) != 1 or char.isascii():
            continue
        targets = {
            str(entry["c"]).lower()
            for entry in entries
            if len(str(entry["c"])) == 1 and str(entry["c"]).isascii() and str(entry["c"]).isalnum()
        }
        if len(targets) == 1:
            table[ord(char)] = targets.pop()
    for char, target in _GLYPHS.items():
        table[ord(char)] = target
    for code, target in list(table.items()):
        table[code] = _ASCII_FOLD.get(target, target)
    for char, target in _ASCII_FOLD.items():
        table[ord(char)] = target
    return table


_ASCII_TABLE = str.maketrans(_ASCII_FOLD)


def skeleton(text: str) -> str:
    """What `text` looks like: look-alike characters folded to one ASCII form.

    `skeleton("nоrfolk")` (Cyrillic о) == `skeleton("norfo1k")` == `skeleton("norfolk")`.
    """
    if text.isascii():
        folded = text.lower().translate(_ASCII_TABLE)
    else:
        decomposed = unicodedata.normalize("NFKD", text.lower())
        bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        folded = bare.translate(_glyph_table())
    for pair, letter in _SEQUENCES:
        if pair in folded:
            folded = folded.replace(pair, letter)
    return folded


# --- distances ---------------------------------------------------------------------------


def _deletions(word: str) -> list[str]:
    """`word` itself, then `word` with each one character left out in turn."""
    return [word, *[word[:i] + word[i + 1 :] for i in range(len(word))]]


def _one_edit(a: str, i: int, b: str, j: int) -> str | None:
    """Given that `a` less its character `i` equals `b` less its character `j` (-1: none left
    out), whether one edit turns `a` into `b`: "typo", "transposition" or None (two edits)."""
    if i < 0 or j < 0 or i == j:
        return None if a == b else "typo"  # an insertion, a deletion or one changed letter
    if abs(i - j) == 1 and a[i] == b[j]:
        return "transposition"  # a = x P Q y, b = x Q P y
    return None


def _distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, change, swap of neighbours) from `a` to `b`; limit + 1 if more."""
    if a == b:
        return 0
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    a, b = a[start:end_a], b[start:end_b]
    if not a or not b:
        return len(a) + len(b) if len(a) + len(b) <= limit else limit + 1
    big = limit + 1
    width = len(b)
    before: list[int] = []
    prev = [j if j <= limit else big for j in range(width + 1)]
    for i in range(1, len(a) + 1):
        row = [big] * (width + 1)
        row[0] = i if i <= limit else big
        char = a[i - 1]
        for j in range(max(1, i - limit), min(width, i + limit) + 1):
            cost = 0 if char == b[j - 1] else 1
            value = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and char == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, before[j - 2] + 1)
            row[j] = min(value, big)
        if min(row) > limit:
            return big
        before, prev = prev, row
    return prev[width]


def _foreign(suffix: str) -> bool:
    """Whether `suffix` is another country's (`fr`, `com.au`), not one sold to anyone."""
    country = suffix.rpartition(".")[2]
    return len(country) == 2 and country.isascii() and country not in _OPEN_COUNTRY_CODES


def _vetted(suffix: str) -> bool:
    return suffix in _VETTED or suffix == "sch.uk" or suffix.endswith(".sch.uk")


# --- one space of comparison (as written, or as skeletons) --------------------------------


class _Space:
    """The known domains prepared for comparison after `fold` (identity, or `skeleton`)."""

    def __init__(self, knowns: Sequence[_Known], fold: Callable[[str], str]) -> None:
        self.full: dict[str, _Known] = {}
        self.by_label: dict[str, list[_Entry]] = {}
        self.embeds: dict[str, list[tuple[tuple[str, ...], _Known, bool]]] = {}
        self.deletions: dict[str, list[tuple[_Entry, int]]] = {}
        self.long: dict[str, list[_Entry]] = {}
        self.lengths: dict[str, set[int]] = {}  # suffix -> name lengths a typo test can match
        for known in knowns:
            labels = tuple(fold(label) for label in known.labels)
            label, suffix_labels = labels[0], labels[1:]
            suffix = ".".join(suffix_labels)
            entry = _Entry(known, label, suffix, frozenset(label))
            size = len(known.labels[0])
            self.full.setdefault(".".join(labels), known)
            if size >= SWAP_MIN:
                self.by_label.setdefault(label, []).append(entry)
            if size >= TRANSPOSITION_MIN:
                for j, key in enumerate(_deletions(label)):
                    self.deletions.setdefault(key, []).append((entry, j))
                reach = 2 if size >= TWO_EDIT_MIN else 1
                lengths = self.lengths.setdefault(suffix, set())
                lengths.update(range(len(label) - reach, len(label) + reach + 1))
            if size >= TWO_EDIT_MIN:
                self.long.setdefault(suffix, []).append(entry)
            if size >= EMBED_MIN:
                for tokens, full in _variants(label, suffix_labels, size):
                    self.embeds.setdefault(tokens[0], []).append((tokens, known, full))
        for variants in self.embeds.values():
            variants.sort(key=lambda item: (not item[2], -len(item[0])))

    def match(
        self, labels: tuple[str, ...], r: int, written: tuple[str, ...], typos: bool = True
    ) -> _Hit | None:
        """The first rule that `labels` (in this space; registrable label at `r`) breaks.
        `written`: the same labels as written, for the reason."""
        hit = self._by_label(labels, r, written) or self._embedded(labels, r, written)
        if hit is None and typos:
            hit = self._typo(labels[r], ".".join(labels[r + 1 :]))
        return hit._replace(at=r) if hit is not None and hit.at < 0 else hit

    def _by_label(self, labels: tuple[str, ...], r: int, written: tuple[str, ...]) -> _Hit | None:
        """The known name itself, followed by a different (or mistyped) ending."""
        raw_suffix = ".".join(written[r + 1 :])
        best: tuple[int, _Hit] | None = None
        for i in range(r + 1):
            for entry in self.by_label.get(labels[i], ()):
                rest = ".".join(labels[i + 1 :])
                known = entry.known
                gap = _distance(rest, entry.suffix, 1)
                if gap == 1:
                    hit = _Hit(
                        known,
                        "typo",
                        f"ends '.{'.'.join(written[i + 1 :])}' where {known.domain} ends "
                        f"'.{known.suffix}' (a typo?)",
                        i,
                    )
                elif i == r and gap > 0:
                    if _vetted(raw_suffix) and _vetted(known.suffix) or _foreign(raw_suffix):
                        continue
                    gap = _distance(rest, entry.suffix, 99)
                    hit = _Hit(
                        known,
                        "suffix-swap",
                        f"same name as {known.domain} but ends '.{raw_suffix}' instead of "
                        f"'.{known.suffix}', so it may belong to someone else",
                        i,
                    )
                else:
                    continue
                if best is None or gap < best[0]:
                    best = (gap, hit)
        return best[1] if best else None

    def _embedded(self, labels: tuple[str, ...], r: int, written: tuple[str, ...]) -> _Hit | None:
        """The known domain's own labels, in order, inside someone else's domain."""
        if r == 0 and "-" not in labels[0] and labels[0] not in self.embeds:
            return None
        tokens: list[str] = []
        where: list[int] = []
        for i, label in enumerate(labels[: r + 1]):
            for token in label.split("-"):
                tokens.append(token)
                where.append(i)
        owner = ".".join(written[r:])
        for j, token in enumerate(tokens):
            for variant, known, full in self.embeds.get(token, ()):
                if tuple(tokens[j : j + len(variant)]) != variant:
                    continue
                if full:
                    return _Hit(
                        known,
                        "extra-label",
                        f"spells out {known.domain} but the address belongs to {owner}",
                        where[j],
                    )
                return _Hit(
                    known,
                    "suffix-swap",
                    f"imitates {known.domain} but the address belongs to {owner}",
                    where[j],
                )
        return None

    def _typo(self, label: str, suffix: str) -> _Hit | None:
        """The known name with a letter or two wrong, under the same ending."""
        if len(label) not in self.lengths.get(suffix, ()):
            return None
        if len(label) >= TRANSPOSITION_MIN - 1:
            for i, key in enumerate(_deletions(label)):
                for entry, j in self.deletions.get(key, ()):
                    if entry.suffix != suffix:
                        continue
                    kind = _one_edit(label, i - 1, entry.label, j - 1)
                    if kind is None:
                        continue
                    shorter = min(len(label), len(entry.known.labels[0]))
                    if kind == "transposition" and shorter >= TRANSPOSITION_MIN:
                        words = "two letters swapped compared with"
                    elif kind == "typo" and shorter >= ONE_EDIT_MIN:
                        words = "one letter different from"
                    else:
                        continue
                    return _Hit(entry.known, kind, f"{words} {entry.known.domain} (a typo?)")
        for entry in self.long.get(suffix, ()):
            if abs(len(entry.label) - len(label)) > 2 or entry.label == label:
                continue
            if len(entry.letters.symmetric_difference(label)) > 4:  # each edit changes <= 2
                continue
            if _distance(label, entry.label, 2) == 2:
                words = f"two letters different from {entry.known.domain} (a typo?)"
                return _Hit(entry.known, "typo", words)
        return None


def _variants(
    label: str, suffix_labels: tuple[str, ...], size: int
) -> Iterator[tuple[tuple[str, ...], bool]]:
    """Ways to write the known domain's labels inside another domain: with dots or hyphens
    between them (`norfolk-gov-uk`), or run together (`norfolkgovuk`); the whole domain
    (True) or its name and first ending label only (`norfolk-gov`, False)."""
    head = tuple(label.split("-"))
    shapes = [(suffix_labels, True)]
    if len(suffix_labels) >= 2:
        shapes.append((suffix_labels[:1], False))
    for parts, full in shapes:
        if not full and size < SWAP_MIN:
            continue
        for joins in product((False, True), repeat=len(parts)):
            if any(joins) and size < SWAP_MIN:
                continue
            tokens = list(head)
            for part, join in zip(parts, joins, strict=True):
                if join:
                    tokens[-1] += part
                else:
                    tokens.append(part)
            yield tuple(tokens), full


def _glyph_words(shown: str, known: str) -> str:
    """Which look-alike characters `shown` uses in place of `known`'s, in plain words."""
    odd = dict.fromkeys(ch for ch in shown if not ch.isascii())
    if odd:
        return ", ".join(
            f"{unicodedata.name(ch, 'unnamed').split(' ')[0].title()} '{ch}'" for ch in odd
        )
    pairs = [
        f"'{shown[j1:j2]}' for '{known[i1:i2]}'"
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, known, shown).get_opcodes()
        if op == "replace"
    ]
    return ", ".join(pairs) or "look-alike characters"


# --- the index ---------------------------------------------------------------------------


class LookalikeIndex:
    """Known domains, prepared once so `check` is fast (tens of microseconds)."""

    def __init__(self, known: Iterable[str]) -> None:
        """`known`: the school's own domains, its partners' and common webmail."""
        _glyph_table()  # load Unicode's confusables now, not on the first non-ASCII check
        self._exact: set[str] = set()
        by_name: dict[tuple[str, ...], _Known] = {}
        for text in known:
            name = _normalise(text)
            if name is None:
                continue
            self._exact.add(name)
            labels = tuple(name.split("."))
            r = _split(labels)
            if r is None:  # a lone top-level domain: exact matches only
                continue
            key = labels[r:]
            entry = _Known(name, key, ".".join(key[1:]))
            if key not in by_name or len(name) < len(by_name[key].domain):
                by_name[key] = entry
        knowns = sorted(by_name.values())
        self._plain = _Space(knowns, lambda label: label)
        self._skeleton = _Space(knowns, skeleton)

    def is_known(self, domain: str) -> bool:
        """Whether `domain` is a known domain or a subdomain of one."""
        name = _normalise(domain)
        return name is not None and self._known(name)

    def _known(self, name: str) -> bool:
        while name not in self._exact:
            dot = name.find(".")
            if dot < 0:
                return False
            name = name[dot + 1 :]
        return True

    def check(self, domain: str) -> Lookalike | None:
        """The known domain that `domain` imitates, or None when it is known or resembles none.
        Answers are kept: the same few domains come back in message after message."""
        cache: dict[str, Lookalike | None] = self.__dict__.setdefault("_answers", {})
        if domain not in cache:
            if len(cache) >= 4096:
                cache.clear()
            cache[domain] = self._check(domain)
        return cache[domain]

    def _check(self, domain: str) -> Lookalike | None:
        name = _normalise(domain)
        if name is None:
            return None
        if self._known(name):
            return None
        labels = tuple(name.split("."))
        r = _split(labels)
        if r is None:
            return None
        written = _written(domain)
        shown = f" ({written} displays as {name})" if written != name else ""

        folded = tuple(skeleton(name).split("."))
        if len(folded) != len(labels):  # pragma: no cover - folding never makes a dot
            folded = tuple(skeleton(label) for label in labels)
        for i in range(r + 1):
            known = self._skeleton.full.get(".".join(folded[i:]))
            if known is not None and labels[i:] != known.labels:
                words = _glyph_words(".".join(labels[i:]), ".".join(known.labels))
                reason = f"looks like {known.domain} but is spelt with look-alike characters"
                return Lookalike(written, known.domain, f"{reason}: {words}{shown}", "homoglyph")

        # Read with look-alikes folded, a swapped ending or a spelt-out known domain counts for
        # any name, but a near-miss typo only for names with non-ASCII characters: ordinary
        # ASCII names would otherwise get a second, looser typo test. Non-ASCII names are read
        # folded first, so the reason names the look-alike characters.
        plain = name.isascii()
        if plain:
            hit = self._plain.match(labels, r, labels)
            if hit is not None:
                return Lookalike(written, hit.known.domain, hit.reason + shown, hit.kind)
        if folded != labels:
            hit = self._skeleton.match(folded, r, labels, typos=not plain)
            if hit is not None:
                words = _glyph_words(labels[hit.at], hit.known.labels[0])
                reason = f"{hit.reason}, and it is spelt with look-alike characters ({words})"
                return Lookalike(written, hit.known.domain, reason + shown, "homoglyph")
        if not plain:
            hit = self._plain.match(labels, r, labels)
            if hit is not None:
                return Lookalike(written, hit.known.domain, hit.reason + shown, hit.kind)
        return None
