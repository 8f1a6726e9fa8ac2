"""Who a concern about a member of staff goes to, who may see it, and the steps of its case
(clauses 7.3-7.6 and Keeping Children Safe in Education, part 4). Pure: the Django side
stores cases and asks these functions; no page or query decides for itself.

Routing (7.5, 7.6):
- a concern goes to the Headteacher; to the Chair of Governors when the Headteacher is its
  subject; to the organisation's named contact (the trust's or authority's administrator)
  when both are, or when nobody else is left to take it;
- when a pupil may be involved (7.6) it goes to the designated safeguarding lead as well, and
  the case waits on the decision whether to refer it to the local-authority designated
  officer (LADO), with a clock of one working day (`clock.deadline`);
- nobody ever receives, or sees, a case of which they are a subject.

The person who raised a concern sees that it was received and whether it is open or closed,
never the case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from fairwatch.roles import Role


class State(StrEnum):
    RAISED = "raised"  # not yet triaged by those it went to
    ALLEGATION = "allegation"  # may meet the harm threshold (KCSIE part 4, section 1)
    LOW_LEVEL = "low_level"  # a low-level concern: its own register
    CLOSED = "closed"  # an outcome is recorded


class Outcome(StrEnum):
    """By gravity (7.4), least first."""

    NO_FURTHER_ACTION = "no_further_action"
    ADVICE = "advice"
    MANAGEMENT_INSTRUCTION = "management_instruction"
    DISCIPLINARY = "disciplinary"
    SUMMARY_DISMISSAL = "summary_dismissal"
    REFERRAL = "referral"  # to the LADO, the police or the DBS

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.NO_FURTHER_ACTION: "No further action",
    Outcome.ADVICE: "Advice and guidance",
    Outcome.MANAGEMENT_INSTRUCTION: "A management instruction",
    Outcome.DISCIPLINARY: "The disciplinary procedure",
    Outcome.SUMMARY_DISMISSAL: "Summary dismissal",
    Outcome.REFERRAL: "A referral (LADO, police or DBS)",
}


class NotAllowed(Exception):
    """A step the rules refuse, with the reason in plain words."""


@dataclass(frozen=True)
class Member:
    """Someone at the school (or the organisation's named contact) and their roles there.
    `can_sign_in` is False for someone with no account, or one switched off (a Headteacher
    suspended, say): a case is never routed to them, though as a subject their roles count."""

    id: int
    roles: frozenset[Role]
    can_sign_in: bool = True


@dataclass(frozen=True)
class Concern:
    raised_by: int
    subjects: frozenset[int]  # the colleague(s) it is about
    pupil_involved: bool


@dataclass(frozen=True)
class Routing:
    """Who a case goes to, and why, in the order they are told."""

    to: tuple[int, ...]
    because: str  # in plain words, for the case page
    lado_clock: bool  # a pupil may be involved: the LADO decision is due within a working day


def route(concern: Concern, people: Iterable[Member]) -> Routing:
    """Who the concern goes to (7.5, 7.6). Never to a subject of it. Raises NotAllowed when
    there is nobody at all who may take it (the school must name a contact first)."""
    others = [p for p in people if p.id not in concern.subjects and p.can_sign_in]
    subjects_roles = {r for p in people if p.id in concern.subjects for r in p.roles}

    def holding(role: Role) -> list[int]:
        return [p.id for p in others if role in p.roles]

    heads, chairs, contacts = (
        holding(Role.HEADTEACHER),
        holding(Role.CHAIR_OF_GOVERNORS),
        holding(Role.ORG_ADMIN),
    )
    if heads and Role.HEADTEACHER not in subjects_roles:
        to, because = heads, "It goes to the Headteacher (7.5)."
    elif chairs and Role.CHAIR_OF_GOVERNORS not in subjects_roles:
        to, because = chairs, "The Headteacher is a subject, so it goes to the Chair of Governors."
    elif contacts:
        to = contacts
        because = (
            "The Headteacher and the Chair of Governors are both subjects (or there is no one "
            "else to take it), so it goes to the organisation's named contact."
        )
    else:
        raise NotAllowed(
            "There is nobody who may receive this concern: the school needs a Headteacher, a "
            "Chair of Governors or a named contact at its trust or authority who is not its "
            "subject."
        )
    if concern.pupil_involved:
        dsls = holding(Role.DSL)
        to = to + [i for i in dsls if i not in to]
        because += (
            " A pupil may be involved, so the designated safeguarding lead has it too (7.6)."
            if dsls
            else " A pupil may be involved, and no designated safeguarding lead who is not its "
            "subject can have it (7.6)."
        )
    return Routing(to=tuple(dict.fromkeys(to)), because=because, lado_clock=concern.pupil_involved)


class View(StrEnum):
    """What someone may see of a case."""

    NONE = "none"  # not even that it exists
    RECEIPT = "receipt"  # that it was received, and open or closed: the person who raised it
    CASE = "case"  # the case: those it was routed to


def view_of(viewer: int, concern: Concern, routed_to: Iterable[int]) -> View:
    """The one answer to "what may this person see of this case". A subject sees nothing,
    whatever else they are; the people it went to see the case; who raised it, the receipt."""
    if viewer in concern.subjects:
        return View.NONE
    if viewer in set(routed_to):
        return View.CASE
    if viewer == concern.raised_by:
        return View.RECEIPT
    return View.NONE


@dataclass(frozen=True)
class Progress:
    """What a case has so far, for deciding the next step."""

    state: State
    hr_consulted: bool
    lado_decided: bool
    pupil_involved: bool


def triage(progress: Progress, to: State) -> State:
    """Mark a raised case as an allegation or as a low-level concern."""
    if progress.state is not State.RAISED:
        raise NotAllowed("This case has been triaged already.")
    if to not in (State.ALLEGATION, State.LOW_LEVEL):
        raise NotAllowed("A case is triaged as an allegation or as a low-level concern.")
    return to


def missing_before_outcome(progress: Progress) -> list[str]:
    """What must be recorded before an outcome can be (in plain words; empty: nothing)."""
    missing = []
    if progress.state is State.RAISED:
        missing.append("Triage: an allegation, or a low-level concern.")
    if not progress.hr_consulted:
        missing.append("The consultation with the HR adviser: who, when, and their advice (7.3).")
    if progress.pupil_involved and not progress.lado_decided:
        missing.append("The decision whether to refer it to the LADO (7.6).")
    return missing


def record_outcome(progress: Progress, outcome: Outcome, reason: str) -> State:
    """Close the case with an outcome (7.4) and the reason, once nothing is missing."""
    if progress.state is State.CLOSED:
        raise NotAllowed("This case is closed already.")
    missing = missing_before_outcome(progress)
    if missing:
        raise NotAllowed("Before an outcome: " + " ".join(missing))
    if not reason.strip():
        raise NotAllowed("Give the reason for the outcome.")
    return State.CLOSED
