"""The rules of concerns about staff (7.3-7.6), with no Django: who a concern goes to, who
sees what of it, and what must come before an outcome."""

from __future__ import annotations

import itertools

import pytest

from fairwatch.cases.rules import (
    Concern,
    Member,
    NotAllowed,
    Outcome,
    Progress,
    State,
    View,
    missing_before_outcome,
    record_outcome,
    route,
    triage,
    view_of,
)
from fairwatch.roles import Role

HEAD, CHAIR, DSL, CONTACT, TEACHER, HR = 1, 2, 3, 4, 5, 6
SCHOOL = [
    Member(HEAD, frozenset({Role.HEADTEACHER, Role.STAFF})),
    Member(CHAIR, frozenset({Role.CHAIR_OF_GOVERNORS})),
    Member(DSL, frozenset({Role.DSL, Role.STAFF})),
    Member(CONTACT, frozenset({Role.ORG_ADMIN})),
    Member(TEACHER, frozenset({Role.STAFF})),
    Member(HR, frozenset({Role.HR_ADVISER})),
]
EVERYONE = [m.id for m in SCHOOL]
SUBJECT_SETS = [
    frozenset(c) for n in (1, 2, 3) for c in itertools.combinations([HEAD, CHAIR, DSL, TEACHER], n)
]


@pytest.mark.parametrize("subjects", SUBJECT_SETS, ids=str)
@pytest.mark.parametrize("pupil", [False, True])
@pytest.mark.parametrize("raiser", [TEACHER, DSL, HR])
def test_a_concern_goes_where_the_policy_says_and_never_to_a_subject(subjects, pupil, raiser):
    concern = Concern(raised_by=raiser, subjects=subjects, pupil_involved=pupil)
    routing = route(concern, SCHOOL)
    assert not set(routing.to) & subjects
    if HEAD not in subjects:
        assert routing.to[0] == HEAD and CHAIR not in routing.to
    elif CHAIR not in subjects:
        assert routing.to[0] == CHAIR and "Chair of Governors" in routing.because
    else:
        assert routing.to[0] == CONTACT and "named contact" in routing.because
    assert (DSL in routing.to) == (pupil and DSL not in subjects)
    assert routing.lado_clock == pupil
    assert len(set(routing.to)) == len(routing.to)


def test_with_nobody_left_to_take_it_the_concern_is_refused_with_a_reason():
    only = [Member(HEAD, frozenset({Role.HEADTEACHER})), Member(TEACHER, frozenset({Role.STAFF}))]
    with pytest.raises(NotAllowed, match="nobody who may receive"):
        route(Concern(TEACHER, frozenset({HEAD}), False), only)


def test_a_pupil_concern_with_the_dsl_as_subject_says_so():
    routing = route(Concern(TEACHER, frozenset({DSL}), True), SCHOOL)
    assert routing.to == (HEAD,) and "no designated safeguarding lead" in routing.because


@pytest.mark.parametrize("subjects", SUBJECT_SETS, ids=str)
@pytest.mark.parametrize("pupil", [False, True])
@pytest.mark.parametrize("raiser", EVERYONE)
def test_a_subject_never_sees_the_case_and_the_raiser_sees_only_the_receipt(
    subjects, pupil, raiser
):
    concern = Concern(raised_by=raiser, subjects=subjects, pupil_involved=pupil)
    routed = route(concern, SCHOOL).to
    for viewer in EVERYONE:
        seen = view_of(viewer, concern, routed)
        if viewer in subjects:
            assert seen is View.NONE  # even when they raised it, or would have received it
        elif viewer in routed:
            assert seen is View.CASE
        elif viewer == raiser:
            assert seen is View.RECEIPT
        else:
            assert seen is View.NONE


def progress(**kw) -> Progress:
    return Progress(
        **{
            "state": State.ALLEGATION,
            "hr_consulted": True,
            "lado_decided": True,
            "pupil_involved": True,
        }
        | kw
    )


def test_hr_first_and_the_lado_decision_come_before_an_outcome():
    assert missing_before_outcome(progress()) == []
    missing = missing_before_outcome(
        progress(state=State.RAISED, hr_consulted=False, lado_decided=False)
    )
    assert [m.split(":")[0].split(" ")[0] for m in missing] == ["Triage", "The", "The"]
    assert any("HR adviser" in m for m in missing) and any("LADO" in m for m in missing)
    with pytest.raises(NotAllowed, match="HR adviser"):
        record_outcome(progress(hr_consulted=False), Outcome.ADVICE, "Spoke to them.")
    with pytest.raises(NotAllowed, match="LADO"):
        record_outcome(progress(lado_decided=False), Outcome.ADVICE, "Spoke to them.")
    assert missing_before_outcome(progress(pupil_involved=False, lado_decided=False)) == []
    with pytest.raises(NotAllowed, match="reason"):
        record_outcome(progress(), Outcome.ADVICE, "  ")
    assert (
        record_outcome(progress(), Outcome.DISCIPLINARY, "Repeated after advice.") is State.CLOSED
    )
    with pytest.raises(NotAllowed, match="closed already"):
        record_outcome(progress(state=State.CLOSED), Outcome.ADVICE, "Again.")


def test_triage_is_once_and_to_an_allegation_or_a_low_level_concern():
    assert triage(progress(state=State.RAISED), State.LOW_LEVEL) is State.LOW_LEVEL
    assert triage(progress(state=State.RAISED), State.ALLEGATION) is State.ALLEGATION
    with pytest.raises(NotAllowed, match="already"):
        triage(progress(state=State.LOW_LEVEL), State.ALLEGATION)
    with pytest.raises(NotAllowed, match="allegation or as a low-level"):
        triage(progress(state=State.RAISED), State.CLOSED)


def test_outcomes_are_in_order_of_gravity_with_plain_labels():
    assert [o.label for o in Outcome][0] == "No further action"
    assert list(Outcome)[-2:] == [Outcome.SUMMARY_DISMISSAL, Outcome.REFERRAL]


def test_a_headteacher_who_is_also_the_dsl_has_it_once_and_is_said_to_be_the_dsl():
    both = [Member(HEAD, frozenset({Role.HEADTEACHER, Role.DSL})), *SCHOOL[1:2], *SCHOOL[4:]]
    routing = route(Concern(TEACHER, frozenset({CHAIR}), True), both)
    assert (
        routing.to == (HEAD,) and "the designated safeguarding lead has it too" in routing.because
    )


def test_a_case_is_never_routed_to_someone_who_cannot_sign_in():
    head = Member(1, frozenset({Role.HEADTEACHER}), can_sign_in=False)
    chair = Member(2, frozenset({Role.CHAIR_OF_GOVERNORS}))
    routing = route(
        Concern(raised_by=9, subjects=frozenset({5}), pupil_involved=False), [head, chair]
    )
    assert routing.to == (2,)
    # As a subject, a Headteacher who cannot sign in still counts as the Headteacher.
    about = route(
        Concern(raised_by=9, subjects=frozenset({1}), pupil_involved=False), [head, chair]
    )
    assert about.to == (2,) and "Chair" in about.because
