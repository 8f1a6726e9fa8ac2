"""Monitoring exercises: the workflow, approval routing, time, and who may see identified data.

The access test is a generated matrix: every role × every state × every operation, each
checked against the rule as the issue states it (an oracle written apart from the code).
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from fairwatch.privacy.exercises import (
    Actor,
    Assessment,
    Exercise,
    NotAllowed,
    State,
    System,
    approve,
    at,
    close,
    complete_assessment,
    edit_assessment,
    may_see_exercise,
    may_see_identified,
    may_see_systematic,
    purge,
    purge_due,
    review,
)
from fairwatch.roles import Role

# People at the school, by id.
HEAD, CHAIR, DPO, DSL, INVESTIGATOR, SUBJECT, IT, HR, MONITOR, OTHER = range(1, 11)
ACTORS = {
    "headteacher": Actor(HEAD, frozenset({Role.HEADTEACHER, Role.STAFF})),
    "chair_of_governors": Actor(CHAIR, frozenset({Role.CHAIR_OF_GOVERNORS})),
    "dpo": Actor(DPO, frozenset({Role.DPO})),
    "dsl_requester": Actor(DSL, frozenset({Role.DSL, Role.STAFF})),
    "named_investigator": Actor(INVESTIGATOR, frozenset({Role.HR_ADVISER})),
    "subject": Actor(SUBJECT, frozenset({Role.STAFF})),
    "it_manager": Actor(IT, frozenset({Role.IT_MANAGER, Role.STAFF})),
    "hr_adviser_not_named": Actor(HR, frozenset({Role.HR_ADVISER})),
    "esafety_monitor": Actor(MONITOR, frozenset({Role.ESAFETY_MONITOR, Role.STAFF})),
    "other_staff": Actor(OTHER, frozenset({Role.STAFF})),
}
START = dt.datetime(2026, 3, 2, 9, 0)
END = START + dt.timedelta(days=14)
DURING = START + dt.timedelta(days=3)

ASSESSMENT = Assessment(
    concern="Suspected sharing of pupil records with a personal account",
    evidence="Two forwarded messages found by the DPO",
    purpose="Establish whether pupil data left the school",
    necessity="The forwarding cannot be established otherwise",
    alternatives="Asking the employee was considered: it would alert them to delete evidence",
    systems=frozenset({System.EMAIL}),
    data_categories="Sender, recipients, subjects and dates of email",
    window_start=dt.date(2026, 2, 1),
    window_end=dt.date(2026, 3, 1),
    viewers=frozenset({INVESTIGATOR, DSL}),
    effect_on_employee="Their work email of one month is read by two people",
    effect_on_third_parties="Correspondents' addresses are seen; content is not read",
    article8_balance="Limited to one month and one system; proportionate to the risk",
    hr_consulted="EducationHR advised on 27 February",
    retention_days=90,
)


def draft(subject: int = SUBJECT, requester: int = DSL) -> Exercise:
    return Exercise(1, requester=requester, subject=subject, headteachers=frozenset({HEAD}))


def in_state(state: State, subject: int = SUBJECT, requester: int = DSL) -> Exercise:
    """An exercise taken through the real steps to `state` (time: START for approval)."""
    ex = edit_assessment(draft(subject, requester), ACTORS_BY_ID[requester], ASSESSMENT)
    if state is State.DRAFT:
        return ex
    ex = complete_assessment(ex, ACTORS_BY_ID[requester])
    if state is State.ASSESSED:
        return ex
    ex = review(ex, ACTORS["dpo"])
    if state is State.REVIEWED:
        return ex
    approver = (
        ACTORS["chair_of_governors"]
        if ex.approver_role is Role.CHAIR_OF_GOVERNORS
        else ACTORS["headteacher"]
    )
    ex = approve(ex, approver, START, END)
    if state is State.APPROVED:
        return ex
    ex = at(ex, DURING)
    if state is State.ACTIVE:
        return ex
    ex = at(ex, END)
    if state is State.CLOSED:
        return ex
    return purge(ex, END + dt.timedelta(days=91))


ACTORS_BY_ID = {a.person: a for a in ACTORS.values()}
NOW_FOR = {State.APPROVED: START - dt.timedelta(hours=1), State.CLOSED: END + dt.timedelta(days=1)}
NOW_FOR[State.PURGED] = END + dt.timedelta(days=92)


def now_in(state: State) -> dt.datetime:
    return NOW_FOR.get(state, DURING)


# --- the access matrix ---------------------------------------------------------------------

OPERATIONS = {
    "see email in the window": (System.EMAIL, dt.datetime(2026, 2, 10, 12)),
    "see email before the window": (System.EMAIL, dt.datetime(2026, 1, 10, 12)),
    "see email after the window": (System.EMAIL, dt.datetime(2026, 3, 5, 12)),
    "see internet (not in scope)": (System.INTERNET, dt.datetime(2026, 2, 10, 12)),
}


def oracle(actor: str, state: State, operation: str) -> bool:
    """The issue's rule: only the people named on the exercise, while it is active, for the
    systems in scope and the dates in the window."""
    return (
        state is State.ACTIVE
        and actor in ("named_investigator", "dsl_requester")
        and operation == "see email in the window"
    )


@pytest.mark.parametrize(
    ("actor", "state", "operation"), list(itertools.product(ACTORS, State, OPERATIONS))
)
def test_who_may_see_identified_data(actor, state, operation):
    system, when = OPERATIONS[operation]
    decision = may_see_identified(in_state(state), ACTORS[actor], system, when, now_in(state))
    assert bool(decision) is oracle(actor, state, operation), decision.reason
    assert decision.reason  # a refusal always says why


# --- the steps -------------------------------------------------------------------------------


def test_an_incomplete_assessment_cannot_go_forward_and_says_what_is_missing():
    ex = edit_assessment(draft(), ACTORS["dsl_requester"], Assessment(concern="Suspected misuse"))
    with pytest.raises(NotAllowed) as refused:
        complete_assessment(ex, ACTORS["dsl_requester"])
    message = str(refused.value)
    for missing in ("why monitoring is necessary", "article 8", "EducationHR", "who will see"):
        assert missing in message


def test_the_headteacher_approves_unless_they_are_the_subject_or_the_requester():
    assert draft().approver_role is Role.HEADTEACHER
    assert draft(subject=HEAD).approver_role is Role.CHAIR_OF_GOVERNORS
    assert draft(requester=HEAD).approver_role is Role.CHAIR_OF_GOVERNORS
    about_head = in_state(State.REVIEWED, subject=HEAD)
    with pytest.raises(NotAllowed, match="Chair of Governors approves"):
        approve(about_head, ACTORS["headteacher"], START, END)
    assert approve(about_head, ACTORS["chair_of_governors"], START, END).state is State.APPROVED


@pytest.mark.parametrize("actor", [a for a in ACTORS if a != "headteacher"])
def test_nobody_else_approves_an_exercise(actor):
    with pytest.raises(NotAllowed):
        approve(in_state(State.REVIEWED), ACTORS[actor], START, END)


def test_only_the_dpo_reviews_and_the_subject_never_does():
    ex = in_state(State.ASSESSED)
    for name, actor in ACTORS.items():
        if name != "dpo":
            with pytest.raises(NotAllowed):
                review(ex, actor)
    dpo_subject = in_state(State.ASSESSED, subject=DPO)
    with pytest.raises(NotAllowed, match="subject"):
        review(dpo_subject, ACTORS["dpo"])


def test_an_exercise_needs_an_end_within_the_schools_limit():
    ex = in_state(State.REVIEWED)
    with pytest.raises(NotAllowed, match="at most 30 days"):
        approve(ex, ACTORS["headteacher"], START, START + dt.timedelta(days=31))
    with pytest.raises(NotAllowed, match="after the start"):
        approve(ex, ACTORS["headteacher"], START, START)
    assert approve(ex, ACTORS["headteacher"], START, START + dt.timedelta(days=45), max_days=60)


def test_the_subject_cannot_be_a_viewer():
    bad = ASSESSMENT.__class__(**{**ASSESSMENT.__dict__, "viewers": frozenset({SUBJECT})})
    ex = edit_assessment(draft(), ACTORS["dsl_requester"], bad)
    with pytest.raises(NotAllowed, match="own monitoring"):
        complete_assessment(ex, ACTORS["dsl_requester"])


def test_time_travel_past_the_end_closes_it_and_refuses_access():
    active = in_state(State.ACTIVE)
    after = END + dt.timedelta(minutes=1)
    assert at(active, after).state is State.CLOSED
    decision = may_see_identified(
        active, ACTORS["named_investigator"], System.EMAIL, dt.datetime(2026, 2, 10), after
    )
    assert not decision and "closed" in decision.reason


def test_past_retention_the_extracts_are_purged_and_it_is_recorded():
    closed = in_state(State.CLOSED)
    assert not purge_due(closed, END + dt.timedelta(days=89))
    with pytest.raises(NotAllowed, match="retention"):
        purge(closed, END + dt.timedelta(days=89))
    gone = purge(closed, END + dt.timedelta(days=90))
    assert gone.state is State.PURGED and gone.purged_at is not None
    assert "identified extracts deleted" in gone.history[-1]


def test_an_exercise_can_be_closed_early_by_its_approver_or_the_dpo_only():
    active = in_state(State.ACTIVE)
    with pytest.raises(NotAllowed):
        close(active, ACTORS["other_staff"], DURING)
    assert close(active, ACTORS["dpo"], DURING).state is State.CLOSED
    assert close(active, ACTORS["headteacher"], DURING).closed_at == DURING


def test_every_step_is_in_the_history():
    ex = in_state(State.PURGED)
    steps = " | ".join(ex.history)
    for word in ("edited", "completed", "reviewed", "approved", "active", "closed", "deleted"):
        assert word in steps


# Who may know an exercise exists, as the issue states it: every actor × every state; the
# subject never, the people with a part in it always.
@pytest.mark.parametrize(("actor", "state"), list(itertools.product(ACTORS, State)))
def test_who_may_know_an_exercise_exists(actor, state):
    ex = in_state(state)
    a = ACTORS[actor]
    expected = a.person != SUBJECT and (
        a.person in (ex.requester, ex.reviewed_by, ex.approved_by)
        or a.person in ex.assessment.viewers
        or Role.DPO in a.roles
        or (Role.HEADTEACHER in a.roles and ex.approver_role is Role.HEADTEACHER)
        or (Role.CHAIR_OF_GOVERNORS in a.roles and ex.approver_role is Role.CHAIR_OF_GOVERNORS)
    )
    assert may_see_exercise(ex, a) is expected
    if actor in ("subject", "other_staff", "it_manager", "esafety_monitor"):
        assert not may_see_exercise(ex, a)


def test_the_headteacher_never_knows_of_an_exercise_about_them():
    about_head = Exercise(1, requester=DSL, subject=HEAD, headteachers=frozenset({HEAD}))
    assert not may_see_exercise(about_head, ACTORS["headteacher"])
    assert may_see_exercise(about_head, ACTORS["chair_of_governors"])


@pytest.mark.parametrize(
    ("actor", "subject_roles", "basis"),
    list(
        itertools.product(
            ACTORS,
            [frozenset({Role.ESAFETY_MONITOR, Role.STAFF}), frozenset({Role.STAFF})],
            [True, False],
        )
    ),
)
def test_who_sees_systematic_monitoring(actor, subject_roles, basis):
    a = ACTORS[actor]
    decision = may_see_systematic(a, MONITOR, subject_roles, basis)
    expected = (
        basis
        and Role.ESAFETY_MONITOR in subject_roles
        and a.person != MONITOR
        and bool(a.roles & {Role.HEADTEACHER, Role.DSL})
    )
    assert decision.allowed is expected, decision.reason
