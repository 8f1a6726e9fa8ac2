"""Monitoring exercises (clauses 7.1–7.3): the rules, with no storage and no Django.

An exercise goes draft → assessed (its privacy impact assessment is complete) → reviewed (by
the DPO) → approved → active (from its start to its end) → closed → purged. Each step is a
function that returns the exercise's next form or raises `NotAllowed` saying why, and
`may_see_identified` is the one place that decides whether someone may see a person's
identified activity. The Django side stores exercises and calls these; it decides nothing of
its own, so no page or query can take a way round them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from enum import StrEnum

from fairwatch.roles import Role

DEFAULT_DAYS = 30


class State(StrEnum):
    DRAFT = "draft"
    ASSESSED = "assessed"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    ACTIVE = "active"
    CLOSED = "closed"
    PURGED = "purged"


class System(StrEnum):
    EMAIL = "email"
    INTERNET = "internet"


class NotAllowed(Exception):
    """A step that the rules refuse, with the reason in plain words."""


class WrongState(NotAllowed):
    """A step that does not fit the exercise's state (as opposed to who is asking)."""


class Invalid(NotAllowed):
    """A step given values the rules cannot take (dates the wrong way round, too long)."""


@dataclass(frozen=True)
class Assessment:
    """The privacy impact assessment (7.1, 7.2): every question must be answered."""

    concern: str = ""  # the suspected unauthorised or criminal use
    evidence: str = ""  # what is known so far
    purpose: str = ""
    necessity: str = ""  # why monitoring is necessary
    alternatives: str = ""  # less intrusive ways considered, and why they were rejected
    systems: frozenset[System] = frozenset()
    data_categories: str = ""
    window_start: dt.date | None = None  # the activity that may be looked at
    window_end: dt.date | None = None
    viewers: frozenset[int] = frozenset()  # who will see the identified data (person ids)
    effect_on_employee: str = ""
    effect_on_third_parties: str = ""  # people whose data is caught with the subject's
    article8_balance: str = ""  # the employee's right to privacy weighed against the aim
    hr_consulted: str = ""  # EducationHR's advice (7.3)
    retention_days: int | None = None

    def missing(self) -> list[str]:
        """What is still to be answered, in the words the form uses."""
        out = []
        for name, label in _QUESTIONS:
            if not str(getattr(self, name)).strip():
                out.append(label)
        if not self.systems:
            out.append("the systems to be monitored (email, internet)")
        if self.window_start is None or self.window_end is None:
            out.append("the dates of the activity to be looked at")
        elif self.window_end < self.window_start:
            out.append("dates of the activity that end after they start")
        if not self.viewers:
            out.append("who will see the identified data")
        if self.retention_days is None or self.retention_days < 1:
            out.append("how long the extracts are kept (days)")
        return out


_QUESTIONS = (
    ("concern", "the concern: the suspected unauthorised or criminal use"),
    ("evidence", "the evidence so far"),
    ("purpose", "the purpose of the monitoring"),
    ("necessity", "why monitoring is necessary"),
    ("alternatives", "less intrusive alternatives considered, and why they were rejected"),
    ("data_categories", "the kinds of data that will be looked at"),
    ("effect_on_employee", "the effect on the employee"),
    ("effect_on_third_parties", "the effect on other people whose data is caught"),
    ("article8_balance", "the article 8 balance (the right to privacy at work)"),
    ("hr_consulted", "the advice of EducationHR (7.3)"),
)


@dataclass(frozen=True)
class Exercise:
    id: int
    requester: int  # person ids
    subject: int
    headteachers: frozenset[int]  # the school's Headteacher(s) when the exercise was drafted
    assessment: Assessment = Assessment()
    state: State = State.DRAFT
    reviewed_by: int | None = None
    approved_by: int | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    purged_at: dt.datetime | None = None
    history: tuple[str, ...] = field(default=())

    @property
    def approver_role(self) -> Role:
        """Who approves: the Headteacher, or the Chair of Governors when the Headteacher is
        the subject or asked for the exercise (7.5)."""
        if self.subject in self.headteachers or self.requester in self.headteachers:
            return Role.CHAIR_OF_GOVERNORS
        return Role.HEADTEACHER


@dataclass(frozen=True)
class Actor:
    """Someone acting on an exercise: their person id and their roles at the school."""

    person: int
    roles: frozenset[Role]


def _stamp(t: dt.datetime | None) -> str:
    """A time for the history: in UTC when it knows its zone, so every line reads alike."""
    if t is None:
        return "?"
    if t.tzinfo is not None:
        return f"{t.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
    return f"{t:%Y-%m-%d %H:%M}"


def _need(condition: bool, reason: str) -> None:
    if not condition:
        raise NotAllowed(reason)


def _need_state(condition: bool, reason: str) -> None:
    if not condition:
        raise WrongState(reason)


def _logged(exercise: Exercise, line: str, **changes: object) -> Exercise:
    return replace(exercise, history=(*exercise.history, line), **changes)  # type: ignore[arg-type]


def edit_assessment(exercise: Exercise, actor: Actor, assessment: Assessment) -> Exercise:
    _need_state(
        exercise.state is State.DRAFT,
        f"the assessment can be edited only in a draft, not {exercise.state}",
    )
    _need(actor.person == exercise.requester, "only the person who asked for the exercise edits it")
    return _logged(exercise, f"assessment edited by {actor.person}", assessment=assessment)


def complete_assessment(exercise: Exercise, actor: Actor) -> Exercise:
    _need_state(exercise.state is State.DRAFT, f"the exercise is {exercise.state}, not a draft")
    _need(actor.person == exercise.requester, "only the person who asked for it completes it")
    missing = exercise.assessment.missing()
    _need_state(
        not missing, "the assessment is not complete: still to answer: " + "; ".join(missing)
    )
    _need(
        exercise.subject not in exercise.assessment.viewers,
        "the subject cannot see their own monitoring",
    )
    return _logged(exercise, f"assessment completed by {actor.person}", state=State.ASSESSED)


def review(exercise: Exercise, actor: Actor) -> Exercise:
    _need_state(
        exercise.state is State.ASSESSED,
        f"only a completed assessment is reviewed, not {exercise.state}",
    )
    _need(Role.DPO in actor.roles, "the data protection officer reviews the assessment")
    _need(actor.person != exercise.subject, "the subject cannot review their own monitoring")
    _need(actor.person != exercise.requester, "the person who asked for it cannot review it")
    return _logged(
        exercise,
        f"reviewed by the DPO {actor.person}",
        state=State.REVIEWED,
        reviewed_by=actor.person,
    )


def approve(
    exercise: Exercise,
    actor: Actor,
    start: dt.datetime,
    end: dt.datetime,
    *,
    max_days: int = DEFAULT_DAYS,
) -> Exercise:
    _need_state(
        exercise.state is State.REVIEWED,
        f"only a reviewed exercise is approved, not {exercise.state}",
    )
    role = exercise.approver_role
    who = "the Chair of Governors" if role is Role.CHAIR_OF_GOVERNORS else "the Headteacher"
    _need(role in actor.roles, f"{who} approves this exercise")
    _need(
        actor.person not in (exercise.requester, exercise.subject),
        "the approver cannot be the person who asked for it or its subject",
    )
    if end <= start:
        raise Invalid("the end must come after the start")
    if end - start > dt.timedelta(days=max_days):
        raise Invalid(
            f"an exercise lasts at most {max_days} days; extending it needs a fresh approval"
        )
    return _logged(
        exercise,
        f"approved by {actor.person} from {_stamp(start)} to {_stamp(end)}",
        state=State.APPROVED,
        approved_by=actor.person,
        start=start,
        end=end,
    )


def at(exercise: Exercise, now: dt.datetime) -> Exercise:
    """The exercise as time has moved it: approved becomes active at its start, active closes
    by itself at its end."""
    if exercise.state is State.APPROVED and exercise.start is not None and now >= exercise.start:
        exercise = _logged(exercise, f"active from {_stamp(exercise.start)}", state=State.ACTIVE)
    if exercise.state is State.ACTIVE and exercise.end is not None and now >= exercise.end:
        exercise = _logged(
            exercise,
            f"closed by itself at {_stamp(exercise.end)}",
            state=State.CLOSED,
            closed_at=exercise.end,
        )
    return exercise


def close(exercise: Exercise, actor: Actor, now: dt.datetime) -> Exercise:
    exercise = at(exercise, now)
    _need_state(
        exercise.state in (State.APPROVED, State.ACTIVE),
        f"only an approved or active exercise is closed early, not {exercise.state}",
    )
    _need(
        actor.person in (exercise.approved_by, exercise.requester) or Role.DPO in actor.roles,
        "the approver, the requester or the DPO closes an exercise",
    )
    return _logged(exercise, f"closed early by {actor.person}", state=State.CLOSED, closed_at=now)


def purge_due(exercise: Exercise, now: dt.datetime) -> bool:
    """Whether the retention period after closing has run out."""
    exercise = at(exercise, now)
    days = exercise.assessment.retention_days or 0
    return (
        exercise.state is State.CLOSED
        and exercise.closed_at is not None
        and now >= exercise.closed_at + dt.timedelta(days=days)
    )


def purge(exercise: Exercise, now: dt.datetime) -> Exercise:
    _need_state(purge_due(exercise, now), "the retention period has not run out")
    exercise = at(exercise, now)
    return _logged(
        exercise,
        f"identified extracts deleted at {_stamp(now)}",
        state=State.PURGED,
        purged_at=now,
    )


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


def may_see_identified(
    exercise: Exercise,
    actor: Actor,
    system: System,
    activity_at: dt.datetime,
    now: dt.datetime,
) -> Decision:
    """Whether `actor` may see the subject's identified activity on `system` at
    `activity_at`, at time `now`: only a viewer named on an active exercise, only for the
    systems in scope and activity inside the window. Everything else is refused, with why
    (a refusal is a possible breach: the caller records it)."""
    exercise = at(exercise, now)
    if exercise.state is not State.ACTIVE:
        return Decision(False, f"the exercise is {exercise.state}, not active")
    if actor.person not in exercise.assessment.viewers:
        return Decision(False, "only the people named on the exercise see identified activity")
    if system not in exercise.assessment.systems:
        return Decision(False, f"{system} is not in the exercise's scope")
    start, end = exercise.assessment.window_start, exercise.assessment.window_end
    if start is None or end is None or not (start <= activity_at.date() <= end):
        return Decision(False, "the activity is outside the exercise's dates")
    return Decision(True, f"viewer on exercise {exercise.id}, active until {_stamp(exercise.end)}")


def may_see_exercise(exercise: Exercise, actor: Actor) -> bool:
    """Whether `actor` may know the exercise exists: never its subject; otherwise the people
    with a part in it (who asked, the DPO who reviews, whoever approves, the named viewers)."""
    if actor.person == exercise.subject:
        return False
    return (
        actor.person in (exercise.requester, exercise.reviewed_by, exercise.approved_by)
        or actor.person in exercise.assessment.viewers
        or Role.DPO in actor.roles
        or exercise.approver_role in actor.roles
    )


# Who sees the identified activity of e-safety monitors' accounts under systematic monitoring.
SYSTEMATIC_VIEWERS = frozenset({Role.HEADTEACHER, Role.DSL})


def may_see_systematic(
    actor: Actor, subject: int, subject_roles: frozenset[Role], basis_in_force: bool
) -> Decision:
    """Systematic monitoring (7.2.1): the accounts of e-safety monitors, who see harmful
    material in their work, are monitored continuously, on a basis the school has recorded and
    shows every member of staff. The Headteacher and the DSL see that activity by name; no one
    sees their own, and no one else's activity is covered."""
    if not basis_in_force:
        return Decision(False, "no basis for systematic monitoring is recorded")
    if Role.ESAFETY_MONITOR not in subject_roles:
        return Decision(False, "only e-safety monitors' accounts are monitored systematically")
    if actor.person == subject:
        return Decision(False, "no one sees their own monitoring")
    if not actor.roles & SYSTEMATIC_VIEWERS:
        return Decision(False, "the Headteacher and the DSL see systematic monitoring")
    return Decision(True, "systematic monitoring of an e-safety monitor's account (7.2.1)")
