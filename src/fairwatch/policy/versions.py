"""Versions of a school's policy (Appendix 1), with no Django.

A version is the whole policy as it stands from one date: every clause's title and words,
whether the school applies it, and the table of changes that came with it. This module says
which version is in force on a day, what changed between two versions (clause by clause,
word by word), and how to bring a new model policy into a school's own adaptation: a
three-way merge per clause, where the school decides only what both sides changed.

This module is pure Python: it must not import Django.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, NamedTuple

from fairwatch.catalogue import clause_sort_key, is_clause_id

# --- Clauses and versions -------------------------------------------------------------


@dataclass(frozen=True)
class Clause:
    """One clause of a school's policy: its id ("6.5"), title and words.

    A school may decide a clause does not apply to it (``applicable=False``); it must then say
    why in ``reason``. The words are kept, so the clause can apply again later.
    """

    id: str
    title: str
    text: str
    applicable: bool = True
    reason: str = ""

    def __post_init__(self) -> None:
        if not is_clause_id(self.id):
            raise ValueError(f"not a clause id: {self.id!r}")
        if not self.applicable and not self.reason.strip():
            raise ValueError(f"clause {self.id}: give a reason why it does not apply")
        if self.applicable and self.reason:
            raise ValueError(f"clause {self.id}: a reason is only for a clause that does not apply")

    def not_applicable(self, reason: str) -> Clause:
        """This clause, marked as not applying at the school, for ``reason``."""
        return dataclasses.replace(self, applicable=False, reason=reason)

    def applies_again(self) -> Clause:
        """This clause, applying again (its reason cleared)."""
        return dataclasses.replace(self, applicable=True, reason="")

    @property
    def words(self) -> tuple[str, str]:
        """The title and the text: what the policy says, whether or not it applies."""
        return (self.title, self.text)


@dataclass(frozen=True)
class ChangeRow:
    """One row of a table of changes: the day, the paragraphs affected, and what changed."""

    day: dt.date
    paragraphs: str
    summary: str


def clauses_by_id(clauses: Iterable[Clause]) -> dict[str, Clause]:
    """The clauses keyed by id, in document order. Raises ValueError for a repeated id."""
    found: dict[str, Clause] = {}
    for clause in clauses:
        if clause.id in found:
            raise ValueError(f"clause {clause.id} appears more than once")
        found[clause.id] = clause
    return _in_document_order(found)


def _in_document_order(clauses: Mapping[str, Clause]) -> dict[str, Clause]:
    for key, clause in clauses.items():
        if key != clause.id:
            raise ValueError(f"clause {clause.id} is filed under the id {key!r}")
    return {key: clauses[key] for key in sorted(clauses, key=clause_sort_key)}


@dataclass(frozen=True)
class Version:
    """The whole policy as it stands from ``effective_from`` (from the start of that day).

    ``clauses`` are keyed by id and kept in document order. ``changes`` is the table of
    changes that came with this version. ``duties_changed`` says whether the version changes
    what staff must do, so that staff are asked to acknowledge it; it is True unless set.
    """

    number: int
    effective_from: dt.date
    clauses: Mapping[str, Clause] = field(hash=False)
    changes: tuple[ChangeRow, ...] = ()
    duties_changed: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.number, bool) or not isinstance(self.number, int) or self.number < 1:
            raise ValueError(f"a version number is a whole number from 1, not {self.number!r}")
        ordered = MappingProxyType(_in_document_order(self.clauses))
        object.__setattr__(self, "clauses", ordered)
        object.__setattr__(self, "changes", tuple(self.changes))


def in_force_on(versions: Iterable[Version], day: dt.date) -> Version | None:
    """The version in force on ``day``, or None before the first one.

    That is the version with the latest ``effective_from`` on or before ``day``; of two that
    take effect the same day, the higher number. Raises ValueError if two versions share a
    number.
    """
    if isinstance(day, dt.datetime):
        raise TypeError("give a date, not a date and time (the school's local date)")
    versions = list(versions)
    _check_numbers(versions)
    started = [version for version in versions if version.effective_from <= day]
    return max(started, key=lambda version: (version.effective_from, version.number), default=None)


def _check_numbers(versions: Iterable[Version]) -> None:
    seen: set[int] = set()
    for version in versions:
        if version.number in seen:
            raise ValueError(f"there are two versions numbered {version.number}")
        seen.add(version.number)


def _clauses(policy: Version | Mapping[str, Clause]) -> Mapping[str, Clause]:
    return policy.clauses if isinstance(policy, Version) else _in_document_order(policy)


# --- What changed between two versions ------------------------------------------------


class Kind(enum.StrEnum):
    """How a clause differs between two versions."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    NOT_APPLICABLE = "now not applicable"
    APPLICABLE_AGAIN = "applicable again"
    UNCHANGED = "unchanged"


Op = Literal["same", "added", "removed"]


class Run(NamedTuple):
    """A stretch of text that is the same in both versions, added, or removed."""

    op: Op
    text: str


@dataclass(frozen=True)
class ClauseDiff:
    """How one clause differs: its kind, both sides, word-level runs for the title and the
    text, and a one-line summary in plain words."""

    id: str
    kind: Kind
    old: Clause | None
    new: Clause | None
    title: tuple[Run, ...]
    text: tuple[Run, ...]
    summary: str

    @property
    def words_added(self) -> int:
        return _count_words(self.text, "added")

    @property
    def words_removed(self) -> int:
        return _count_words(self.text, "removed")


# Words (with inner apostrophes: "school’s"), single marks of punctuation, and runs of spaces.
_TOKEN = re.compile(r"\s+|\w+(?:['’]\w+)*|[^\w\s]")
_WORD = re.compile(r"\w+(?:['’]\w+)*")


def word_diff(old: str, new: str) -> list[Run]:
    """The difference between two texts as runs of whole words.

    Joining the "same" and "added" runs gives ``new``; the "same" and "removed" runs give
    ``old``. Spaces and punctuation alone between two changes are folded into the change, so
    a rewritten phrase reads as one removed run and one added run.
    """
    before, after = _TOKEN.findall(old), _TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    runs: list[Run] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            runs.append(Run("same", "".join(before[i1:i2])))
            continue
        if i2 > i1:
            runs.append(Run("removed", "".join(before[i1:i2])))
        if j2 > j1:
            runs.append(Run("added", "".join(after[j1:j2])))
    return _fold_spaces(runs)


def _fold_spaces(runs: list[Run]) -> list[Run]:
    folded: list[Run] = []
    removed: list[str] = []
    added: list[str] = []

    def flush() -> None:
        if removed:
            folded.append(Run("removed", "".join(removed)))
        if added:
            folded.append(Run("added", "".join(added)))
        removed.clear()
        added.clear()

    for index, run in enumerate(runs):
        if run.op == "removed":
            removed.append(run.text)
        elif run.op == "added":
            added.append(run.text)
        elif (removed or added) and index + 1 < len(runs) and _slight(run.text):
            removed.append(run.text)  # too slight to read as a match: part of both sides
            added.append(run.text)
        else:
            flush()
            folded.append(run)
    flush()
    return folded


def _slight(text: str) -> bool:
    """Only spaces and punctuation, no word."""
    return _WORD.search(text) is None


def _count_words(runs: Iterable[Run], op: Op) -> int:
    return sum(len(_WORD.findall(run.text)) for run in runs if run.op == op)


def diff(
    old: Version | Mapping[str, Clause],
    new: Version | Mapping[str, Clause],
    *,
    include_unchanged: bool = False,
) -> list[ClauseDiff]:
    """What changed from ``old`` to ``new``, clause by clause in document order.

    Unchanged clauses are left out unless ``include_unchanged``.
    """
    before, after = _clauses(old), _clauses(new)
    changes = []
    for clause_id in sorted(before.keys() | after.keys(), key=clause_sort_key):
        change = diff_clause(before.get(clause_id), after.get(clause_id))
        if include_unchanged or change.kind is not Kind.UNCHANGED:
            changes.append(change)
    return changes


def diff_clause(old: Clause | None, new: Clause | None) -> ClauseDiff:
    """How one clause differs between two versions (either side may be missing)."""
    either = new if new is not None else old
    if either is None:
        raise ValueError("give at least one side of the clause")
    if old is not None and new is not None and old.id != new.id:
        raise ValueError(f"cannot compare clause {old.id} with clause {new.id}")
    kind = _kind(old, new)
    title = tuple(word_diff(old.title if old else "", new.title if new else ""))
    text = tuple(word_diff(old.text if old else "", new.text if new else ""))
    return ClauseDiff(either.id, kind, old, new, title, text, _summary(kind, old, new, text))


def _kind(old: Clause | None, new: Clause | None) -> Kind:
    if old is None:
        return Kind.ADDED
    if new is None:
        return Kind.REMOVED
    if old.applicable and not new.applicable:
        return Kind.NOT_APPLICABLE
    if new.applicable and not old.applicable:
        return Kind.APPLICABLE_AGAIN
    return Kind.UNCHANGED if old == new else Kind.CHANGED


_HEADS = {
    Kind.ADDED: "added",
    Kind.REMOVED: "removed",
    Kind.CHANGED: "changed",
    Kind.NOT_APPLICABLE: "no longer applies",
    Kind.APPLICABLE_AGAIN: "applies again",
    Kind.UNCHANGED: "unchanged",
}


def _summary(kind: Kind, old: Clause | None, new: Clause | None, text: tuple[Run, ...]) -> str:
    """ "Clause 6.5 changed: 12 words added, 3 removed", in one line."""
    either = new if new is not None else old
    assert either is not None
    head = f"Clause {either.id} {_HEADS[kind]}"
    if old is None or new is None:
        return f"{head}: “{either.title}”"
    if kind is Kind.NOT_APPLICABLE:
        head += f" (reason: {new.reason.strip().rstrip('.')})"
    details = []
    if new.title != old.title:
        details.append(f"title now “{new.title}”")
    if new.text != old.text:
        details.append(_counts(_count_words(text, "added"), _count_words(text, "removed")))
    if kind is Kind.CHANGED and not new.applicable and new.reason != old.reason:
        details.append(f"reason now: {new.reason.strip().rstrip('.')}")
    return f"{head}: {'; '.join(details)}" if details else head


def _counts(added: int, removed: int) -> str:
    def words(number: int) -> str:
        return f"{number} word{'' if number == 1 else 's'}"

    if added and removed:
        return f"{words(added)} added, {removed} removed"
    if added:
        return f"{words(added)} added"
    if removed:
        return f"{words(removed)} removed"
    return "spacing only"


# --- Bringing a new model policy into a school's adaptation ----------------------------


Choice = Literal["ours", "theirs"]


@dataclass(frozen=True)
class Conflict:
    """A clause both the school and the model changed, differently. Either side may be None:
    the clause was not there (base) or was removed (ours, theirs)."""

    id: str
    base: Clause | None
    ours: Clause | None
    theirs: Clause | None

    @property
    def explanation(self) -> str:
        if self.theirs is None:
            return f"The model policy removed clause {self.id}, but your school had changed it."
        if self.ours is None:
            return f"Your school removed clause {self.id}, but the model policy has changed it."
        if self.base is None:
            return (
                f"The model policy added a clause {self.id}, "
                "and your school already has a different clause with that number."
            )
        return f"Your school changed clause {self.id}, and the model policy changed it differently."


@dataclass(frozen=True)
class Merge:
    """The result of a merge: the clauses (with the school's own words wherever there is a
    conflict, until it is resolved), the conflicts, the ids whose result came from the model
    (``taken``), and notes on changes taken without asking."""

    clauses: Mapping[str, Clause] = field(hash=False)
    conflicts: tuple[Conflict, ...] = ()
    taken: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "clauses", MappingProxyType(_in_document_order(self.clauses)))
        object.__setattr__(self, "conflicts", tuple(self.conflicts))
        object.__setattr__(self, "taken", tuple(self.taken))
        object.__setattr__(self, "notes", tuple(self.notes))

    @property
    def clean(self) -> bool:
        """Whether no conflict is left to resolve."""
        return not self.conflicts

    def version(
        self,
        number: int,
        effective_from: dt.date,
        changes: Iterable[ChangeRow] = (),
        *,
        duties_changed: bool = True,
    ) -> Version:
        """The merged policy as a new version. Raises ValueError while conflicts remain."""
        if self.conflicts:
            ids = ", ".join(conflict.id for conflict in self.conflicts)
            raise ValueError(f"resolve the conflicts first (clauses {ids})")
        return Version(number, effective_from, self.clauses, tuple(changes), duties_changed)


class _Outcome(NamedTuple):
    clause: Clause | None
    conflict: Conflict | None = None
    taken: bool = False
    note: str = ""


def merge(
    base: Version | Mapping[str, Clause],
    ours: Version | Mapping[str, Clause],
    theirs: Version | Mapping[str, Clause],
) -> Merge:
    """Bring a new model policy (``theirs``) into a school's policy (``ours``), clause by
    clause, given the model version the school adapted (``base``).

    - Changed only upstream (in the model), or only by the school: that change is kept.
    - Both made the same change: it is kept once.
    - Both changed it differently, or one removed what the other changed: a conflict, and
      the school's clause stays in the result until the conflict is resolved.
    - A clause the school marked as not applying still does not apply; changes upstream
      under it are taken without a conflict, and noted.
    """
    old, mine, new = _clauses(base), _clauses(ours), _clauses(theirs)
    clauses: dict[str, Clause] = {}
    conflicts: list[Conflict] = []
    taken: list[str] = []
    notes: list[str] = []
    for clause_id in sorted(old.keys() | mine.keys() | new.keys(), key=clause_sort_key):
        outcome = _merge_clause(
            clause_id, old.get(clause_id), mine.get(clause_id), new.get(clause_id)
        )
        if outcome.clause is not None:
            clauses[clause_id] = outcome.clause
        if outcome.conflict is not None:
            conflicts.append(outcome.conflict)
        if outcome.taken:
            taken.append(clause_id)
        if outcome.note:
            notes.append(outcome.note)
    return Merge(clauses, tuple(conflicts), tuple(taken), tuple(notes))


def _same(one: Clause | None, other: Clause | None) -> bool:
    """Whether two sides say the same words (or are both missing)."""
    if one is None or other is None:
        return one is other
    return one.words == other.words


def _with_words(clause: Clause | None, words: Clause) -> Clause:
    """``words``'s title and text, keeping the school's decision on whether it applies."""
    if clause is None:
        return words
    return dataclasses.replace(clause, title=words.title, text=words.text)


def _merge_clause(
    clause_id: str, base: Clause | None, ours: Clause | None, theirs: Clause | None
) -> _Outcome:
    if ours is not None and not ours.applicable:
        return _merge_not_applicable(clause_id, base, ours, theirs)
    if _same(ours, base):  # untouched by the school: take the model's
        clause = None if theirs is None else _with_words(ours, theirs)
        return _Outcome(clause, taken=not _same(theirs, base))
    if _same(theirs, base) or _same(ours, theirs):  # untouched upstream, or the same change
        return _Outcome(ours)
    return _Outcome(ours, conflict=Conflict(clause_id, base, ours, theirs))


def _merge_not_applicable(
    clause_id: str, base: Clause | None, ours: Clause, theirs: Clause | None
) -> _Outcome:
    if _same(theirs, base) or _same(ours, theirs):
        return _Outcome(ours)
    edited = "" if _same(ours, base) else " Your school's own changes to its words were replaced."
    if theirs is None:
        note = (
            f"Clause {clause_id} did not apply at your school, "
            f"and the model policy has removed it.{edited}"
        )
        return _Outcome(None, taken=True, note=note)
    note = (
        f"Clause {clause_id} does not apply at your school, so the model policy's new words "
        f"for it were taken without asking; it still does not apply.{edited}"
    )
    return _Outcome(_with_words(ours, theirs), taken=True, note=note)


def resolve(merge: Merge, clause_id: str, choice: Choice | Clause) -> Merge:
    """The merge with the conflict on ``clause_id`` settled: keep the school's clause
    ("ours"), take the model's ("theirs"), or use a clause written for it.

    Raises ValueError if there is no conflict on that clause, or the choice is not one of
    these.
    """
    conflict = next((each for each in merge.conflicts if each.id == clause_id), None)
    if conflict is None:
        raise ValueError(f"there is no conflict on clause {clause_id} to resolve")
    chosen = _chosen(conflict, choice)
    clauses = dict(merge.clauses)
    if chosen is None:
        clauses.pop(clause_id, None)
    else:
        clauses[clause_id] = chosen
    rest = tuple(each for each in merge.conflicts if each is not conflict)
    taken = merge.taken + (clause_id,) if choice == "theirs" else merge.taken
    return Merge(clauses, rest, taken, merge.notes)


def _chosen(conflict: Conflict, choice: Choice | Clause) -> Clause | None:
    if isinstance(choice, Clause):
        if choice.id != conflict.id:
            raise ValueError(
                f"the conflict is on clause {conflict.id}, but the clause given is {choice.id}"
            )
        return choice
    if choice == "ours":
        return conflict.ours
    if choice == "theirs":
        return conflict.theirs
    raise ValueError(f"choose “ours”, “theirs” or a clause, not {choice!r}")
