"""Versions of a school's policy (Appendix 1), with no Django: which version is in force,
what changed between two, and bringing a new model policy into a school's adaptation."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairwatch.policy.versions import (
    ChangeRow,
    Clause,
    Conflict,
    Kind,
    Merge,
    Run,
    Version,
    clauses_by_id,
    diff,
    diff_clause,
    in_force_on,
    merge,
    resolve,
    word_diff,
)

DAY = dt.date(2024, 9, 2)


def policy(*clauses: Clause) -> dict[str, Clause]:
    return clauses_by_id(clauses)


def version(number: int, effective_from: dt.date, *clauses: Clause) -> Version:
    return Version(number, effective_from, policy(*clauses))


INTRO = Clause("1", "Introduction", "This policy applies to all employees.")
EMAIL = Clause("4", "Email", "Use the school email account for school business.")
SOCIAL = Clause("6.5", "Groups", "Posts in groups about the school follow its policies.")
PUPILS = Clause("6.10", "Pupils' accounts", "Do not look at pupils' social media accounts.")


# --- Clauses and versions -------------------------------------------------------------


def test_a_clause_that_does_not_apply_needs_a_reason():
    with pytest.raises(ValueError, match="clause 6.5: give a reason"):
        Clause("6.5", "Groups", "Words.", applicable=False)
    with pytest.raises(ValueError, match="give a reason"):
        SOCIAL.not_applicable("   ")


def test_a_reason_is_only_for_a_clause_that_does_not_apply():
    with pytest.raises(ValueError, match="only for a clause that does not apply"):
        Clause("6.5", "Groups", "Words.", reason="We have none.")


def test_a_clause_can_stop_applying_and_apply_again():
    off = SOCIAL.not_applicable("We have no social media groups.")
    assert not off.applicable and off.reason == "We have no social media groups."
    assert off.applies_again() == SOCIAL


def test_a_clause_id_must_be_a_clause_id():
    with pytest.raises(ValueError, match="not a clause id"):
        Clause("6.05", "Groups", "Words.")


def test_a_version_keeps_its_clauses_in_document_order():
    unordered = {"6.10": PUPILS, "1": INTRO, "6.5": SOCIAL, "4": EMAIL}
    assert list(Version(1, DAY, unordered).clauses) == ["1", "4", "6.5", "6.10"]


def test_a_version_refuses_a_clause_filed_under_another_id():
    with pytest.raises(ValueError, match="clause 6.5 is filed under the id '6.10'"):
        Version(1, DAY, {"6.10": SOCIAL})


def test_a_version_refuses_a_repeated_clause_and_a_bad_number():
    with pytest.raises(ValueError, match="clause 4 appears more than once"):
        clauses_by_id([EMAIL, EMAIL])
    with pytest.raises(ValueError, match="whole number from 1"):
        Version(0, DAY, policy(INTRO))


def test_a_version_cannot_be_changed_and_can_be_hashed():
    first = version(1, DAY, INTRO)
    with pytest.raises(TypeError):
        first.clauses["4"] = EMAIL  # type: ignore[index]
    assert hash(first) == hash(version(1, DAY, INTRO))
    assert first == version(1, DAY, INTRO)


# --- In force on a day ----------------------------------------------------------------

FIRST = version(1, dt.date(2024, 9, 1), INTRO)
SECOND = version(2, dt.date(2025, 1, 6), INTRO, EMAIL)
SAME_DAY = version(3, dt.date(2025, 1, 6), INTRO, EMAIL, SOCIAL)


def test_nothing_is_in_force_before_the_first_version():
    assert in_force_on([FIRST, SECOND], dt.date(2024, 8, 31)) is None
    assert in_force_on([], DAY) is None


def test_a_version_is_in_force_from_the_start_of_its_day():
    assert in_force_on([FIRST, SECOND], dt.date(2024, 9, 1)) is FIRST
    assert in_force_on([FIRST, SECOND], dt.date(2025, 1, 5)) is FIRST
    assert in_force_on([FIRST, SECOND], dt.date(2025, 1, 6)) is SECOND
    assert in_force_on([SECOND, FIRST], dt.date(2030, 1, 1)) is SECOND


def test_of_two_versions_the_same_day_the_higher_number_is_in_force():
    assert in_force_on([SAME_DAY, FIRST, SECOND], dt.date(2025, 1, 6)) is SAME_DAY
    assert in_force_on([SECOND, SAME_DAY], dt.date(2025, 1, 5)) is None


def test_two_versions_with_the_same_number_are_refused():
    again = version(2, dt.date(2026, 1, 1), INTRO)
    with pytest.raises(ValueError, match="two versions numbered 2"):
        in_force_on([FIRST, SECOND, again], DAY)


def test_in_force_wants_a_date_not_a_time():
    with pytest.raises(TypeError, match="not a date and time"):
        in_force_on([FIRST], dt.datetime(2025, 1, 6, 9, 0))


# --- What changed ---------------------------------------------------------------------


def test_a_diff_names_each_kind_of_change_in_document_order():
    old = policy(INTRO, EMAIL, SOCIAL, PUPILS.not_applicable("Pupils are under 5."))
    new = policy(
        Clause("1", "Introduction", "This policy applies to all employees and volunteers."),
        SOCIAL.not_applicable("We have no groups."),
        PUPILS,
        Clause("6.11", "Cyberbullying", "Report cyberbullying to the Headteacher."),
    )
    kinds = [(change.id, change.kind) for change in diff(old, new)]
    assert kinds == [
        ("1", Kind.CHANGED),
        ("4", Kind.REMOVED),
        ("6.5", Kind.NOT_APPLICABLE),
        ("6.10", Kind.APPLICABLE_AGAIN),
        ("6.11", Kind.ADDED),
    ]


def test_unchanged_clauses_are_left_out_unless_asked_for():
    old, new = version(1, DAY, INTRO, EMAIL), version(2, DAY, INTRO, EMAIL.not_applicable("x"))
    assert [change.id for change in diff(old, new)] == ["4"]
    both = diff(old, new, include_unchanged=True)
    assert [(change.id, change.kind) for change in both] == [
        ("1", Kind.UNCHANGED),
        ("4", Kind.NOT_APPLICABLE),
    ]
    assert both[0].summary == "Clause 1 unchanged"


def test_a_changed_clause_has_word_runs_and_a_plain_summary():
    old = Clause("6.5", "Groups", "Posts in groups about the school follow its policies.")
    new = Clause(
        "6.5", "Groups", "All posts in social media groups about the school follow policies."
    )
    change = diff_clause(old, new)
    assert change.kind is Kind.CHANGED
    assert list(change.text) == [
        Run("removed", "Posts"),
        Run("added", "All posts"),
        Run("same", " in"),
        Run("added", " social media"),
        Run("same", " groups about the school follow "),
        Run("removed", "its "),
        Run("same", "policies."),
    ]
    assert change.summary == "Clause 6.5 changed: 4 words added, 2 removed"
    assert (change.words_added, change.words_removed) == (4, 2)


def test_punctuation_is_not_part_of_a_word():
    runs = word_diff("It applies to all employees.", "It applies to all employees and volunteers.")
    assert runs == [
        Run("same", "It applies to all employees"),
        Run("added", " and volunteers"),
        Run("same", "."),
    ]


def test_a_rewritten_phrase_reads_as_one_removal_and_one_addition():
    runs = word_diff("Tell the head at once.", "Tell the DSL on the same day.")
    assert runs == [
        Run("same", "Tell the "),
        Run("removed", "head at once"),
        Run("added", "DSL on the same day"),
        Run("same", "."),
    ]


def test_punctuation_between_two_changes_is_folded_into_them():
    runs = word_diff("Ask the head, at once.", "Ask the DSL, on the day.")
    assert runs == [
        Run("same", "Ask the "),
        Run("removed", "head, at once"),
        Run("added", "DSL, on the day"),
        Run("same", "."),
    ]


def test_a_changed_title_counts_as_a_change():
    change = diff_clause(SOCIAL, Clause("6.5", "Social media groups", SOCIAL.text))
    assert change.kind is Kind.CHANGED
    assert change.summary == "Clause 6.5 changed: title now “Social media groups”"
    assert list(change.title) == [Run("removed", "Groups"), Run("added", "Social media groups")]
    assert list(change.text) == [Run("same", SOCIAL.text)]


def test_a_change_of_spacing_alone_is_named_as_such():
    change = diff_clause(INTRO, Clause("1", "Introduction", INTRO.text.replace(" all", "\nall")))
    assert change.summary == "Clause 1 changed: spacing only"


def test_summaries_of_added_removed_and_not_applicable_clauses():
    off = SOCIAL.not_applicable("We have no groups.")
    assert diff_clause(None, SOCIAL).summary == "Clause 6.5 added: “Groups”"
    assert diff_clause(SOCIAL, None).summary == "Clause 6.5 removed: “Groups”"
    assert (
        diff_clause(SOCIAL, off).summary
        == "Clause 6.5 no longer applies (reason: We have no groups)"
    )
    other = off.applies_again().not_applicable("Closed.")
    assert diff_clause(off, other).summary == "Clause 6.5 changed: reason now: Closed"
    reworded = edited(SOCIAL, SOCIAL.text + " Always.").not_applicable("No groups.")
    assert diff_clause(SOCIAL, reworded).summary == (
        "Clause 6.5 no longer applies (reason: No groups): 1 word added"
    )
    assert diff_clause(off, SOCIAL).summary == "Clause 6.5 applies again"
    assert diff_clause(None, SOCIAL).text == (Run("added", SOCIAL.text),)


def test_a_diff_of_two_different_clauses_is_refused():
    with pytest.raises(ValueError, match="cannot compare clause 4 with clause 1"):
        diff_clause(EMAIL, INTRO)


WORDS = st.lists(
    st.sampled_from(["staff", "pupils,", "email.", "the", "school’s", "must", "not", "(DSL)"])
)
SPACES = st.sampled_from([" ", "  ", "\n", "\n\n", "\t"])


@st.composite
def texts(draw: st.DrawFn) -> str:
    words = draw(WORDS)
    gaps = draw(st.lists(SPACES, min_size=len(words) + 1, max_size=len(words) + 1))
    edges = draw(st.tuples(st.booleans(), st.booleans()))
    text = "".join(gap + word for gap, word in zip(gaps, words, strict=False))
    text = text if edges[0] else text.lstrip()
    return text + gaps[-1] if edges[1] else text


@settings(max_examples=300, deadline=None)
@given(old=texts(), new=texts())
def test_the_runs_give_back_both_texts(old, new):
    runs = word_diff(old, new)
    assert "".join(text for op, text in runs if op in ("same", "added")) == new
    assert "".join(text for op, text in runs if op in ("same", "removed")) == old
    assert all(text for _, text in runs)
    assert all(a.op != b.op for a, b in zip(runs, runs[1:], strict=False))
    if old == new:
        assert all(op == "same" for op, _ in runs)


# --- Bringing in a new model policy ---------------------------------------------------

BASE = policy(INTRO, EMAIL, SOCIAL, PUPILS)


def edited(clause: Clause, text: str) -> Clause:
    return Clause(clause.id, clause.title, text, clause.applicable, clause.reason)


def test_a_clause_the_school_left_alone_takes_the_model_change():
    theirs = policy(INTRO, edited(EMAIL, "Use only the school email account."), SOCIAL, PUPILS)
    result = merge(BASE, BASE, theirs)
    assert result.clean
    assert result.clauses["4"].text == "Use only the school email account."
    assert result.taken == ("4",)


def test_a_school_change_the_model_left_alone_is_kept():
    ours = policy(INTRO, edited(EMAIL, "Use your trust email account."), SOCIAL, PUPILS)
    result = merge(BASE, ours, BASE)
    assert result.clean and result.taken == ()
    assert dict(result.clauses) == ours


def test_the_same_change_on_both_sides_is_kept_once():
    same = edited(EMAIL, "Use the trust email account.")
    result = merge(BASE, policy(INTRO, same, SOCIAL, PUPILS), policy(INTRO, same, SOCIAL, PUPILS))
    assert result.clean and result.taken == ()
    assert result.clauses["4"] == same


def test_different_changes_to_a_clause_the_school_edited_are_a_conflict():
    ours = edited(EMAIL, "Use your trust email account.")
    theirs = edited(EMAIL, "Use only the school email account.")
    result = merge(BASE, policy(INTRO, ours, SOCIAL, PUPILS), policy(INTRO, theirs, SOCIAL, PUPILS))
    assert result.conflicts == (Conflict("4", EMAIL, ours, theirs),)
    assert result.clauses["4"] == ours  # kept until resolved
    assert not result.clean and result.taken == ()
    assert "Your school changed clause 4" in result.conflicts[0].explanation


def test_a_clause_added_upstream_is_added():
    cyber = Clause("6.11", "Cyberbullying", "Report cyberbullying to the Headteacher.")
    result = merge(BASE, BASE, policy(INTRO, EMAIL, SOCIAL, PUPILS, cyber))
    assert list(result.clauses) == ["1", "4", "6.5", "6.10", "6.11"]
    assert result.clauses["6.11"] == cyber and result.taken == ("6.11",)


def test_a_clause_removed_upstream_and_untouched_by_the_school_is_removed():
    result = merge(BASE, BASE, policy(INTRO, EMAIL, PUPILS))
    assert "6.5" not in result.clauses
    assert result.clean and result.taken == ("6.5",)


def test_a_clause_removed_upstream_but_edited_by_the_school_is_a_conflict():
    ours = edited(SOCIAL, "Posts in any group follow our policies.")
    result = merge(BASE, policy(INTRO, EMAIL, ours, PUPILS), policy(INTRO, EMAIL, PUPILS))
    assert result.conflicts == (Conflict("6.5", SOCIAL, ours, None),)
    assert result.clauses["6.5"] == ours
    assert "The model policy removed clause 6.5" in result.conflicts[0].explanation


def test_a_clause_the_school_removed_but_the_model_changed_is_a_conflict():
    theirs = edited(SOCIAL, "New words.")
    result = merge(BASE, policy(INTRO, EMAIL, PUPILS), policy(INTRO, EMAIL, theirs, PUPILS))
    assert result.conflicts == (Conflict("6.5", SOCIAL, None, theirs),)
    assert "6.5" not in result.clauses


def test_a_school_clause_of_its_own_is_kept_and_a_clash_of_numbers_is_a_conflict():
    own = Clause("9", "Local arrangements", "Our own words.")
    assert merge(BASE, policy(*BASE.values(), own), BASE).clauses["9"] == own
    model_nine = Clause("9", "Further information", "Model words.")
    clash = merge(BASE, policy(*BASE.values(), own), policy(*BASE.values(), model_nine))
    assert clash.conflicts == (Conflict("9", None, own, model_nine),)
    assert "already has a different clause" in clash.conflicts[0].explanation


def test_a_clause_that_does_not_apply_stays_so_and_takes_model_words_silently():
    off = SOCIAL.not_applicable("We have no social media groups.")
    theirs = edited(SOCIAL, "All posts in social media groups follow the school's policies.")
    result = merge(BASE, policy(INTRO, EMAIL, off, PUPILS), policy(INTRO, EMAIL, theirs, PUPILS))
    assert result.clean
    kept = result.clauses["6.5"]
    assert not kept.applicable and kept.reason == "We have no social media groups."
    assert kept.text == theirs.text
    assert result.taken == ("6.5",)
    assert len(result.notes) == 1 and "Clause 6.5 does not apply" in result.notes[0]


def test_a_not_applicable_clause_the_school_edited_still_takes_model_words_and_says_so():
    off = edited(SOCIAL, "Our own words.").not_applicable("No groups.")
    theirs = edited(SOCIAL, "New model words.")
    result = merge(BASE, policy(INTRO, EMAIL, off, PUPILS), policy(INTRO, EMAIL, theirs, PUPILS))
    assert result.clean and result.clauses["6.5"].text == "New model words."
    assert "own changes to its words were replaced" in result.notes[0]


def test_a_not_applicable_clause_removed_upstream_is_removed_with_a_note():
    off = SOCIAL.not_applicable("No groups.")
    result = merge(BASE, policy(INTRO, EMAIL, off, PUPILS), policy(INTRO, EMAIL, PUPILS))
    assert result.clean and "6.5" not in result.clauses
    assert "has removed it" in result.notes[0]


def test_a_not_applicable_clause_the_model_left_alone_is_kept_without_a_note():
    off = SOCIAL.not_applicable("No groups.")
    result = merge(BASE, policy(INTRO, EMAIL, off, PUPILS), BASE)
    assert result.clauses["6.5"] == off and result.notes == () and result.taken == ()


def test_the_model_change_keeps_the_schools_decision_on_applicability():
    result = merge(BASE, BASE, policy(INTRO, EMAIL, SOCIAL, PUPILS))
    assert all(clause.applicable for clause in result.clauses.values())


def test_a_merge_accepts_versions():
    first = Version(1, DAY, BASE)
    second = Version(2, DAY, policy(INTRO, EMAIL, PUPILS))
    assert list(merge(first, first, second).clauses) == ["1", "4", "6.10"]


# --- Resolving conflicts --------------------------------------------------------------

OURS = edited(EMAIL, "Use your trust email account.")
THEIRS = edited(EMAIL, "Use only the school email account.")


def conflicted() -> Merge:
    return merge(BASE, policy(INTRO, OURS, SOCIAL, PUPILS), policy(INTRO, THEIRS, SOCIAL, PUPILS))


def test_a_conflict_resolved_as_ours_keeps_the_schools_clause():
    resolved = resolve(conflicted(), "4", "ours")
    assert resolved.clean and resolved.clauses["4"] == OURS and resolved.taken == ()


def test_a_conflict_resolved_as_theirs_takes_the_models_clause():
    resolved = resolve(conflicted(), "4", "theirs")
    assert resolved.clean and resolved.clauses["4"] == THEIRS and resolved.taken == ("4",)


def test_a_conflict_can_be_resolved_with_new_words():
    both = edited(EMAIL, "Use only your trust email account.")
    resolved = resolve(conflicted(), "4", both)
    assert resolved.clauses["4"] == both
    assert list(resolved.clauses) == ["1", "4", "6.5", "6.10"]


def test_resolving_a_removal_as_theirs_removes_the_clause():
    ours = edited(SOCIAL, "Our words.")
    result = merge(BASE, policy(INTRO, EMAIL, ours, PUPILS), policy(INTRO, EMAIL, PUPILS))
    assert "6.5" not in resolve(result, "6.5", "theirs").clauses


def test_resolving_is_refused_without_a_conflict_or_with_a_wrong_choice():
    with pytest.raises(ValueError, match="no conflict on clause 1"):
        resolve(conflicted(), "1", "ours")
    with pytest.raises(ValueError, match="the conflict is on clause 4"):
        resolve(conflicted(), "4", INTRO)
    with pytest.raises(ValueError, match="choose “ours”, “theirs” or a clause"):
        resolve(conflicted(), "4", "mine")  # type: ignore[arg-type]


def test_a_merge_becomes_a_version_only_once_its_conflicts_are_resolved():
    with pytest.raises(ValueError, match=r"resolve the conflicts first \(clauses 4\)"):
        conflicted().version(2, DAY)
    row = ChangeRow(DAY, "4", "Trust email accounts.")
    made = resolve(conflicted(), "4", "ours").version(2, DAY, [row], duties_changed=False)
    assert made.number == 2 and made.changes == (row,) and not made.duties_changed
    assert made.clauses["4"] == OURS
