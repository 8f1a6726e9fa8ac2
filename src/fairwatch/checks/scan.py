"""Fast regex scanning for long messages: RE2 finds the lines a pattern can match on, Python's
`re` (lookarounds and all) then runs on those lines only.

Python's `re` tries a pattern that starts with a lookbehind at every position of the text, at
some 70 to 400 ns a character; a body of 10 KB read by twenty patterns took 20 ms. RE2 (a
DFA, no backtracking) reads the same text in about a nanosecond a character but has no
lookarounds or backreferences. So each `Scanner` pairs the exact Python pattern with an RE2
*core*: the pattern with its lookarounds and word boundaries taken out and its classes widened
so that the core matches wherever the pattern does, and perhaps elsewhere. Lines where the
core never matches cannot hold a match and are skipped; on the others the Python pattern
decides. The results are the same matches as `pattern.finditer(text)` (the tests check this
on random text), found at a fraction of the cost on ordinary mail.

Matches may run over a line break ("child protection" broken over two lines) as long as
they are shorter than `Scanner.MARGIN`. Pure: no Django.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache

import re2

# Superset classes for RE2 reading Latin-1 bytes of UTF-8 text: any byte of a non-ASCII
# character may be a word character, digit or space to Python's Unicode-aware classes.
_WIDE = {
    "w": r"0-9A-Za-z_\x80-\xff",
    "d": r"0-9\x80-\xff",
    "s": r"\t\n\x0b\x0c\r\x1c-\x1f \x80-\xff",
}
# In a negated class the ASCII members only: the class then takes in every non-ASCII byte.
_NARROW = {"w": r"0-9A-Za-z_", "d": r"0-9", "s": r"\t\n\x0b\x0c\r\x1c-\x1f "}
# Under IGNORECASE, Python also matches "İ" and "ı" for i, the Kelvin sign for k, "ſ" for s.
_FOLDS_BEYOND_ASCII = frozenset("iksIKS")
# A counted repeat of n characters may be up to 4n bytes of UTF-8; RE2 counts at most 1000.
_REPEAT = re.compile(r"\{(\d*)(,?)(\d*)\}")
_GROUP_OPENING = re.compile(r"\(\?(?:P<\w+>|[aiLmsux-]*[:)])")


def core_of(pattern: str, *, ignorecase: bool = False) -> str:
    r"""The RE2 core of a Python pattern: lookarounds and ``\b`` removed, ``\w \d \s`` widened
    to take in non-ASCII bytes. Raises ValueError on what RE2 cannot read (backreferences,
    negated shorthand classes), so a new pattern with those must be given a core by hand."""
    out: list[str] = []
    dropping = 0  # depth inside lookarounds being dropped
    stack: list[bool] = []  # for each open group: is it a lookaround?
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            piece, i = _escape(pattern, i, in_class=False), i + 2
        elif ch == "[":
            piece, i = _char_class(pattern, i, ignorecase=ignorecase)
        elif ch == "{" and (repeat := _REPEAT.match(pattern, i)):
            piece, i = _widened_repeat(repeat), repeat.end()
        elif ignorecase and ch in _FOLDS_BEYOND_ASCII:
            piece, i = rf"(?:{ch}|[\x80-\xff]{{2,3}})", i + 1
        elif ch == "(":
            lookaround = pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i)
            stack.append(lookaround)
            dropping += lookaround
            opening = _GROUP_OPENING.match(pattern, i)  # "(?:", "(?i:", "(?P<name>"
            if lookaround or opening is None:
                piece, i = ("" if lookaround else ch), i + 1
            else:
                piece, i = opening.group(), opening.end()
                if piece.endswith(")"):  # "(?i)": flags for the rest, not a group
                    stack.pop()
        elif ch == ")":
            was_lookaround = stack.pop()
            piece, i = ("" if was_lookaround else ch), i + 1
            if was_lookaround:
                dropping -= 1
                if pattern[i : i + 1] in ("?", "*", "+"):
                    i += 1  # a quantified lookaround leaves nothing to repeat
        elif not ch.isascii():  # its UTF-8 bytes, or another case of it (a superset)
            piece, i = r"[\x80-\xff]+", i + 1
        else:
            piece, i = ch, i + 1
        if not dropping:
            out.append(piece)
    return "".join(out)


def _widened_repeat(repeat: re.Match[str]) -> str:
    low, comma, high = repeat.groups()
    if not comma:
        high = low
    if not high:
        return repeat.group()  # {m,}: no upper bound to widen
    wide = 4 * int(high)
    if wide > 1000:
        return f"{{{low or 0},}}"
    return f"{{{low or 0},{wide}}}"


def _escape(pattern: str, i: int, *, in_class: bool, negated: bool = False) -> str:
    esc = pattern[i + 1]
    if esc.isdigit() and not in_class:
        raise ValueError(f"backreference \\{esc} in {pattern!r}: give its core by hand")
    if esc in "WDSB":
        raise ValueError(f"\\{esc} in {pattern!r}: give its core by hand")
    if esc == "b" and not in_class:
        return ""  # a word boundary only narrows a match: the core does without
    if esc in _WIDE:
        if negated:
            return _NARROW[esc]
        return _WIDE[esc] if in_class else f"[{_WIDE[esc]}]"
    return pattern[i : i + 2]


def _char_class(pattern: str, i: int, *, ignorecase: bool = False) -> tuple[str, int]:
    """The class opening at `i`, widened (a negated class narrowed, so that what it lets
    through widens), and the index just after it."""
    j = i + 1
    out = ["["]
    negated = pattern[j : j + 1] == "^"
    if negated:
        out.append("^")
        j += 1
    if pattern[j : j + 1] == "]":  # a "]" first in the class is a literal
        out.append("\\]")
        j += 1
    letters = False
    while pattern[j] != "]":
        if pattern[j] == "\\":
            out.append(_escape(pattern, j, in_class=True, negated=negated))
            j += 2
        elif not pattern[j].isascii():
            if not negated:
                out.append(r"\x80-\xff")
            j += 1
        else:
            letters = letters or pattern[j].isalpha()
            out.append(pattern[j])
            j += 1
    if ignorecase and letters and not negated:
        out.append(r"\x80-\xff")
    out.append("]")
    return "".join(out), j + 1


def _re2_flags(pattern: re.Pattern[str]) -> str:
    flags = ""
    if pattern.flags & re.IGNORECASE:
        flags += "i"
    if pattern.flags & re.MULTILINE:
        flags += "m"
    if pattern.flags & re.DOTALL:
        flags += "s"
    return f"(?{flags})" if flags else ""


def _latin1_options() -> re2.Options:
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1
    options.max_mem = 64 << 20
    # RE2 falls back to a slower engine when its automaton runs out of room; it need not
    # say so on stderr every time.
    options.log_errors = False
    return options


class LineFinder:
    """The lines of a text where an RE2 pattern (already in RE2 syntax) matches."""

    def __init__(self, core: str, flags: str = ""):
        # A whole line holding the core: one match per candidate line.
        lines = rf"{flags}[^\n]*(?:{core})[^\n]*"
        self._lines = re2.compile(lines.encode("latin-1"), _latin1_options())

    def windows(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of each run of lines where the pattern may match, in order."""
        data, to_char = _encoded(text)
        if to_char is not _same:
            to_char = _Offsets(data)  # it keeps a position: one per call, never shared
        spans: list[tuple[int, int]] = []
        for m in self._lines.finditer(data):
            start, end = to_char(m.start()), to_char(m.end())
            start = text.rfind("\n", 0, start) + 1
            newline = text.find("\n", end)
            end = len(text) if newline < 0 else newline
            if spans and start <= spans[-1][1] + 1:
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            else:
                spans.append((start, end))
        return spans


class _AllCores:
    """Every Scanner's core in one RE2 set, so one pass over a text tells which of them can
    match it at all; the others (most, in most mail) cost nothing more."""

    def __init__(self) -> None:
        self._cores: list[bytes] = []
        self._set: re2.Set | None = None
        self._seen: dict[str, frozenset[int]] = {}  # the last few texts asked about

    def add(self, core: str, flags: str) -> int:
        self._cores.append(f"{flags}(?:{core})".encode("latin-1"))
        self._set, self._seen = None, {}
        return len(self._cores) - 1

    def matching(self, text: str) -> frozenset[int]:
        found = self._seen.get(text)
        if found is None:
            cores = self._set
            if cores is None:  # built whole before it is shared
                cores = re2.Set.SearchSet(_latin1_options())
                for core in self._cores:
                    cores.Add(core)
                cores.Compile()
                self._set = cores
            found = frozenset(cores.Match(_encoded(text)[0]) or ())
            if len(self._seen) >= 8:
                self._seen.clear()
            self._seen[text] = found
        return found


_ALL_CORES = _AllCores()


class Scanner:
    """A Python pattern and the RE2 core that finds the lines it can match on."""

    # Below this length Python's `re` alone is quicker than a call into RE2.
    SHORT = 300
    # How far past a window a match may run (longer matches than this are not expected).
    MARGIN = 200
    # Lines longer than this are narrowed to the places where the core matches, and a match
    # found there is read NEAR characters on (and checked against the rest of its line when
    # it comes that close to the cut).
    NARROW = 120
    NEAR = 64

    def __init__(self, pattern: re.Pattern[str], core: str | None = None):
        self.pattern = pattern
        ignorecase = bool(pattern.flags & re.IGNORECASE)
        core = core_of(pattern.pattern if core is None else core, ignorecase=ignorecase)
        self._finder = LineFinder(core, _re2_flags(pattern))
        self._id = _ALL_CORES.add(core, _re2_flags(pattern))
        self._core = re2.compile(
            f"{_re2_flags(pattern)}(?:{core})".encode("latin-1"), _latin1_options()
        )
        self._last: tuple[str, list[tuple[int, int]]] | None = None

    def windows(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of each stretch of text where the pattern may match, in order: runs of
        lines, and in a long line (a paragraph of an HTML mail is one line) the stretch around
        each place the core matches. The answer for the last text is kept: checks often ask
        twice."""
        last = self._last  # (read once: another thread may replace it)
        if last is not None and last[0] is text:
            return last[1]
        found = self._finder.windows(text) if self._id in _ALL_CORES.matching(text) else []
        if found and text.isascii():  # (offsets into non-ASCII text are dearer to map)
            found = self._narrowed(text, found)
        self._last = (text, found)
        return found

    def _narrowed(self, text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
        data = _encoded(text)[0]
        out: list[tuple[int, int]] = []
        for start, end in lines:
            if end - start <= self.NARROW:
                spans = [(start, end)]
            else:
                # A match starts where an RE2 match of the core starts, or inside one that
                # overlaps it; it may end later (`windowed` reads on).
                # (read on past the window: a core match that starts in it may run over into
                # the next line)
                reach = min(len(text), end + self.MARGIN)
                spans = [
                    (m.start(), min(m.end(), end))
                    for m in self._core.finditer(data, start, reach)
                    if m.start() <= end
                ]
            for s, e in spans:
                if out and s <= out[-1][1]:
                    out[-1] = (out[-1][0], max(e, out[-1][1]))
                else:
                    out.append((s, e))
        return out

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """The matches of `pattern.finditer(text)`, in order."""
        if len(text) < self.SHORT:
            return self.pattern.finditer(text)
        return self.windowed(text)

    def windowed(self, text: str) -> Iterator[re.Match[str]]:
        """The same matches, always found through the RE2 windows. A match starts in a
        window but may run on past it (a term broken over two lines), so Python reads on to
        the end of the line `MARGIN` characters further; matches that start after the window
        are left to the window they start in."""
        last_end = 0
        for start, end in self.windows(text):
            # Read on to the end of the line MARGIN characters further; in a long line, stop
            # MARGIN characters on and check any match that comes near the cut against the
            # text beyond it (a lookahead there must see the real next characters).
            full_stop = text.find("\n", min(len(text), end + self.MARGIN))
            full_stop = len(text) if full_stop < 0 else full_stop
            line_end = text.find("\n", end)
            stop = full_stop if line_end in (end, -1) else min(end + self.NEAR, line_end)
            pos = max(start, last_end)
            while pos <= end:
                m = self.pattern.search(text, pos, stop)
                if m is None or m.start() > end:
                    break
                if stop < full_stop:
                    # found in a stretch cut short: a lookahead must see the real text after it
                    checked = self.pattern.match(text, m.start(), full_stop)
                    if checked is None:
                        pos = m.start() + 1
                        continue
                    m = checked
                yield m
                last_end = m.end()
                pos = m.end() if m.end() > m.start() else m.end() + 1

    def search(self, text: str) -> re.Match[str] | None:
        return next(self.finditer(text), None)

    # Anchored matching is already quick: these go straight to the Python pattern.
    def match(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self.pattern.match(text, pos)

    def fullmatch(self, text: str) -> re.Match[str] | None:
        return self.pattern.fullmatch(text)


@lru_cache(maxsize=8)
def _encoded(text: str) -> tuple[bytes, Callable[[int], int]]:
    """The bytes RE2 reads and the map from their offsets back to the text's."""
    if text.isascii():
        return text.encode("ascii"), _same
    data = text.encode("utf-8", "surrogatepass")
    return data, _Offsets(data)


def _same(offset: int) -> int:
    return offset


class _Offsets:
    """Byte offset → character offset in UTF-8 text. Offsets asked for are line starts and
    ends, so whole characters: decoding the bytes since the last one asked for counts them."""

    def __init__(self, data: bytes):
        self._data = data
        self._byte, self._char = 0, 0

    def __call__(self, offset: int) -> int:
        if offset < self._byte:
            self._byte, self._char = 0, 0
        self._char += len(self._data[self._byte : offset].decode("utf-8", "surrogatepass"))
        self._byte = offset
        return self._char
