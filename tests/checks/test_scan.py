"""The RE2 prefilter: cores are supersets, and scanning finds exactly what `re` finds."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairwatch.checks import personal_data, professional
from fairwatch.checks.scan import Scanner, core_of


def scanners() -> list[tuple[str, Scanner]]:
    found = []
    for module in (personal_data, professional):
        for name, value in vars(module).items():
            if isinstance(value, Scanner):
                found.append((f"{module.__name__}.{name}", value))
    for n, category in enumerate(personal_data._CATEGORIES):
        found.append((f"category {n} ({category.label})", category.pattern))
    return found


SCANNERS = scanners()

# Pieces that make the patterns match, nearly match, and sit at line and word edges.
# fmt: off
PIECES = [
    " ", " ", "\n", "\t", ",", ".", "-", "/", "'", "’", "!", "!!!", "?", "*", "@", "$", "£",
    "é", "Zoë", "a", "x", "S", "7", "0", "12", "2010", "12/03/2010", "2010-03-12", "5 July 1948",
    "March 5, 2010", "born on", "DOB:", "date of birth", "SW1A 1AA", "NR1 3JU", "12 Elm Road",
    "07700 900123", "+44 7700 900123", "01603 123456", "943 476 5919", "9434765919",
    "A123456789012", "QQ 12 34 56 C", "AB123456C", "jo@example.com", "fuck", "f*ck", "sh1t",
    "$hit", "Dick", "dick", "sod off", "idiot", "useless", "a waste of\nspace", "waste of space",
    "mental", "health", "mental\nhealth", "child\nprotection", "SEN", "SEND", "send me",
    "EHCP", "safeguarding", "Muslim", "in care", "Kind regards", "Thanks,", "-- ", "HELLO",
    "WHY", "Scunthorpe", "assessment",
]
# fmt: on


@pytest.mark.parametrize(("name", "scanner"), SCANNERS, ids=[n for n, _ in SCANNERS])
@settings(max_examples=150, deadline=None)
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=60))
def test_scanning_finds_exactly_what_re_finds(name, scanner, pieces):
    text = "".join(pieces)
    expected = [(m.start(), m.end()) for m in scanner.pattern.finditer(text)]
    assert [(m.start(), m.end()) for m in scanner.windowed(text)] == expected


@given(st.text(max_size=400))
def test_any_text_scans_as_re_does(text):
    for _, scanner in SCANNERS[:8]:
        found = [(m.start(), m.end()) for m in scanner.windowed(text * 3)]
        assert found == [(m.start(), m.end()) for m in scanner.pattern.finditer(text * 3)]


def test_long_text_with_matches_far_apart():
    text = ("ordinary words " * 200 + "\n") * 5 + "DOB: 12/03/2010\n" + "more text\n" * 300
    dates = personal_data._DATE_NUMERIC
    assert [m.group() for m in dates.finditer(text)] == ["12/03/2010"]
    assert dates.windows(text) == [(text.index("DOB"), text.index("DOB") + 15)]


def test_non_ascii_text_maps_offsets_back_to_characters():
    text = "Zoë’s note ✓\n" * 40 + "Call 07700 900123 today\n" + "café " * 100
    [m] = list(personal_data._PHONE.finditer(text))
    assert m.group() == "07700 900123"


def test_core_drops_lookarounds_and_boundaries():
    assert core_of(r"(?<![\w-])(?:ab|c\(d\))(?![\w])") == r"(?:ab|c\(d\))"
    assert core_of(r"\bx(?=(?:y|z))") == "x"
    assert core_of(r"[(]a[)]") == "[(]a[)]"
    assert core_of(r"[]a]") == r"[\]a]"


def test_core_widens_classes_to_non_ascii_bytes():
    assert core_of(r"\d") == r"[0-9\x80-\xff]"
    assert core_of(r"[^\w’]") == r"[^0-9A-Za-z_]"  # a negated class lets every non-ASCII byte by
    assert core_of(r"\d{2}") == r"[0-9\x80-\xff]{2,8}"  # a character is up to four bytes
    assert core_of(r"a{0,300}") == r"a{0,}"
    assert core_of("ks", ignorecase=True) == r"(?:k|[\x80-\xff]{2,3})(?:s|[\x80-\xff]{2,3})"
    assert core_of(r"[\w.]") == r"[0-9A-Za-z_\x80-\xff.]"
    assert core_of("a’b") == r"a[\x80-\xff]+b"


@pytest.mark.parametrize("pattern", [r"(a)\1", r"\W", r"a\Sb"])
def test_what_re2_cannot_read_needs_a_core_by_hand(pattern):
    with pytest.raises(ValueError, match="by hand"):
        core_of(pattern)
    Scanner(re.compile(pattern), core="a")  # given by hand, it is accepted


@pytest.mark.parametrize(("name", "scanner"), SCANNERS, ids=[n for n, _ in SCANNERS])
@settings(max_examples=60, deadline=None)
@given(pieces=st.lists(st.sampled_from(PIECES + ["y" * 130, " " * 70]), max_size=120))
def test_long_lines_are_narrowed_to_where_the_core_matches(name, scanner, pieces):
    text = "".join(pieces)
    expected = [(m.start(), m.end()) for m in scanner.pattern.finditer(text)]
    narrow, near = Scanner.NARROW, Scanner.NEAR
    try:
        Scanner.NARROW, Scanner.NEAR = 0, 6  # every line is narrowed, and read on only a little
        scanner._last = None
        assert [(m.start(), m.end()) for m in scanner.windowed(text)] == expected
    finally:
        Scanner.NARROW, Scanner.NEAR = narrow, near
        scanner._last = None
