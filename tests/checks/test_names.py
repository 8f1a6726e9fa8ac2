"""Finding roster people in text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fairwatch.checks.context import RosterPerson
from fairwatch.checks.names import NameIndex, fold, tokens

ZOE = RosterPerson(1, "contact", "Zoë", "O'Neill")
DAY = RosterPerson(4, "pupil", "Adam", "Day")
MJ = RosterPerson(5, "pupil", "Mary Jane", "Hughes")
AMY = RosterPerson(2, "pupil", "Amelia", "Smith-Jones", "Amy")
ANNA = RosterPerson(3, "pupil", "Anna", "van der Berg")
INDEX = NameIndex([ZOE, AMY, ANNA, DAY, MJ], titled_kinds=["contact"])


def named(text):
    return [(m.person.id, text[m.start : m.end], m.form) for m in INDEX.find(text)]


def test_letters_typed_plain_on_an_english_keyboard_still_match():
    index = NameIndex(
        [RosterPerson(5, "contact", "Hülya", "Yılmaz"), RosterPerson(6, "staff", "Łukasz", "Nowak")]
    )
    assert [m.person.id for m in index.find("Trip: H YILMAZ")] == [5]
    assert [m.person.id for m in index.find("lukasz nowak")] == [6]


def test_accents_and_curly_apostrophes_do_not_hide_a_name():
    assert named("call zoe o’neill today") == [(1, "zoe o’neill", "full")]
    assert fold("Zoë O’Neill") == "zoe o'neill"


def test_preferred_names_and_hyphenated_surnames_are_found():
    assert named("Amy Smith-Jones's coat") == [(2, "Amy Smith-Jones", "full")]
    assert named("Amelia Smith-Jones") == [(2, "Amelia Smith-Jones", "full")]


def test_a_part_of_a_hyphenated_surname_is_not_the_surname():
    assert named("Amy Smith came by") == []


def test_surnames_of_several_words_are_found():
    assert named("Anna van der Berg - trip") == [(3, "Anna van der Berg", "full")]


def test_titles_count_only_for_the_kinds_asked_for():
    assert named("Mrs O'Neill rang") == [(1, "Mrs O'Neill", "title")]
    assert named("Miss Smith-Jones") == []  # pupils are not named by title


def test_words_between_forename_and_surname_break_the_match():
    assert named("Amy and Smith-Jones") == []


def test_possessives_are_dropped_from_tokens():
    assert [t.word for t in tokens("Olly's book, the Jones' car")] == [
        "olly",
        "book",
        "the",
        "jones",
        "car",
    ]


@given(st.text(max_size=200))
def test_any_text_is_searched_without_error(text):
    for match in INDEX.find(text):
        assert 0 <= match.start < match.end <= len(text)


# fmt: off
NAME_PIECES = [
    "\r\n",
    "5",
    "_",
    "olly.smith2@",
    "At The Museum",
    "A Day",
    "m hughes",
    "Mary Jane",
    " ", "\n", ", ", ". ", "'s ", "-", "Amy", "amy", "Smith-Jones", "SMITH-JONES", "Amelia",
    "A.", "Mrs", "O'Neill", "Zoe", "Zoë", "Anna", "van der Berg", "Smith", "Jones", "filler",
]
# fmt: on


@given(st.lists(st.sampled_from(NAME_PIECES), max_size=40), st.integers(0, 30))
def test_long_texts_are_searched_line_by_line_with_the_same_result(pieces, padding):
    text = ("Padding words here\n" * padding) + "".join(pieces) + "\nend" * 100
    assert INDEX.find(text) == INDEX._find(text)


def test_an_initial_has_a_stop_or_a_capital():
    index = NameIndex(
        [RosterPerson(9, "pupil", "Adam", "Day"), RosterPerson(8, "pupil", "Jo", "Wood")]
    )
    assert [m.form for m in index.find("Report for A. Day")] == ["initial"]
    assert [m.form for m in index.find("re: a. day")] == ["initial"]
    assert [m.form for m in index.find("J Wood's work")] == ["initial"]
    assert index.find("we had a day out") == []
    assert index.find("A Day At The Museum") == []  # "A" and "I" alone are words...
    assert [m.form for m in index.find("Letter for A Day")] == ["initial"]  # ...or initials
    assert [m.form for m in index.find("Letter for A Day\r\n\r\nThanks")] == ["initial"]
    assert index.find("J wood") == []
    assert [m.form for m in index.find("j wood - reading")] == ["initial"]  # all lower case
    assert [m.form for m in index.find("adam day is here")] == ["full"]


def test_a_name_broken_over_two_lines_is_found():
    text = "I am worried about Amy\nSmith-Jones and her reading."
    assert named(text) == [(2, "Amy\nSmith-Jones", "full")]
    long = "padding words here\n" * 30 + text
    assert [m.form for m in INDEX.find(long)] == ["full"]
