"""The policy's clause catalogue, and a loader for the one Fairwatch ships.

Every finding, workflow step and screen cites a clause by its id ("4.3",
"7.2.1"). The catalogue says what each id is: a short title, the policy's own
words, its parent clause, and whether the policy prints the number or
Fairwatch numbers it (for example the bullets of section 4).

The shipped default is the model policy, stored in ``fairwatch/data`` as
``model-policy.txt`` (the text) and ``clauses.json`` (the catalogue).

This module is pure Python: it must not import Django.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

NumberedBy = Literal["policy", "fairwatch"]

_NUMBERED_BY: tuple[str, ...] = ("policy", "fairwatch")
_CLAUSE_ID = re.compile(r"[1-9][0-9]*(?:\.[1-9][0-9]*)*")


def is_clause_id(text: object) -> bool:
    """Whether ``text`` is shaped like a clause id: "3", "6.10", "7.2.1".

    Numbers start at 1 and are separated by single dots; no spaces, no
    leading zeros. This says nothing about whether such a clause exists.
    """
    return isinstance(text, str) and _CLAUSE_ID.fullmatch(text) is not None


def clause_sort_key(clause_id: str) -> tuple[int, ...]:
    """A key that sorts clause ids in document order.

    Ids compare number by number, so "6.9" < "6.10" and
    "7.2" < "7.2.1" < "7.3". Raises ValueError if ``clause_id`` is not a
    clause id.
    """
    if not is_clause_id(clause_id):
        raise ValueError(f"not a clause id: {clause_id!r}")
    return tuple(int(part) for part in clause_id.split("."))


@dataclass(frozen=True)
class Clause:
    """One clause of the policy.

    ``text`` is the policy's own words (for a section, its introductory text
    before the first sub-clause, which may be empty). ``parent`` is the id of
    the enclosing clause, or None for a top-level section.
    """

    id: str
    title: str
    text: str
    parent: str | None
    numbered_by: NumberedBy

    def __post_init__(self) -> None:
        if not is_clause_id(self.id):
            raise ValueError(f"not a clause id: {self.id!r}")
        if self.parent is not None and not is_clause_id(self.parent):
            raise ValueError(f"clause {self.id}: parent is not a clause id: {self.parent!r}")
        if self.numbered_by not in _NUMBERED_BY:
            raise ValueError(
                f"clause {self.id}: numbered_by must be one of {_NUMBERED_BY}, "
                f"not {self.numbered_by!r}"
            )

    @property
    def anchor(self) -> str:
        """An HTML id for this clause, e.g. "clause-7-2-1"."""
        return "clause-" + self.id.replace(".", "-")

    @property
    def depth(self) -> int:
        """How deep the id is nested: 0 for "7", 1 for "7.2", 2 for "7.2.1"."""
        return self.id.count(".")


@dataclass(frozen=True)
class PolicyChange:
    """One row of the policy's table of changes."""

    date: datetime.date
    paragraphs: str
    summary: str


class Catalogue:
    """The clauses of one policy, in document order, plus its table of changes.

    A catalogue is read-only. Ids are unique, and every parent is a clause
    that comes earlier in the document; otherwise the constructor raises
    ValueError naming the clause.
    """

    def __init__(
        self,
        clauses: Iterable[Clause],
        changes: Iterable[PolicyChange] = (),
        *,
        title: str = "",
        source: str = "",
    ) -> None:
        self.title = title
        self.source = source
        self._clauses: tuple[Clause, ...] = tuple(clauses)
        self._changes: tuple[PolicyChange, ...] = tuple(changes)
        self._by_id: dict[str, Clause] = {}
        for clause in self._clauses:
            if clause.id in self._by_id:
                raise ValueError(f"clause {clause.id} appears more than once")
            if clause.parent is not None and clause.parent not in self._by_id:
                raise ValueError(
                    f"clause {clause.id}: parent {clause.parent} is not an earlier clause"
                )
            self._by_id[clause.id] = clause

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Catalogue:
        """Build a catalogue from the structure of ``clauses.json``.

        Expects {"source", "title", "clauses": [...], "changes": [...]};
        "changes" may be missing. Dates are ISO (yyyy-mm-dd).
        """
        clauses = (
            Clause(
                id=item["id"],
                title=item["title"],
                text=item["text"],
                parent=item["parent"],
                numbered_by=item["numbered_by"],
            )
            for item in data["clauses"]
        )
        changes = (
            PolicyChange(
                date=datetime.date.fromisoformat(item["date"]),
                paragraphs=item["paragraphs"],
                summary=item["summary"],
            )
            for item in data.get("changes", ())
        )
        return cls(
            clauses,
            changes,
            title=data.get("title", ""),
            source=data.get("source", ""),
        )

    def __iter__(self) -> Iterator[Clause]:
        return iter(self._clauses)

    def __len__(self) -> int:
        return len(self._clauses)

    def __contains__(self, clause_id: object) -> bool:
        return clause_id in self._by_id

    def __repr__(self) -> str:
        return f"<Catalogue {self.title or self.source or 'untitled'}: {len(self)} clauses>"

    def get(self, clause_id: str) -> Clause:
        """The clause with this id. Raises KeyError naming the id if there is none."""
        try:
            return self._by_id[clause_id]
        except KeyError:
            raise KeyError(f"no clause {clause_id!r} in the catalogue") from None

    def ids(self) -> list[str]:
        """Every clause id, in document order."""
        return [clause.id for clause in self._clauses]

    def children(self, clause_id: str) -> list[Clause]:
        """The direct sub-clauses of a clause, in document order.

        Raises KeyError if the clause is not in the catalogue.
        """
        self.get(clause_id)
        return [clause for clause in self._clauses if clause.parent == clause_id]

    def top_level(self) -> list[Clause]:
        """The clauses without a parent (the sections), in document order."""
        return [clause for clause in self._clauses if clause.parent is None]

    @property
    def changes(self) -> tuple[PolicyChange, ...]:
        """The policy's table of changes, as printed (newest first in the model)."""
        return self._changes


def _data_file(name: str) -> str:
    return (resources.files("fairwatch") / "data" / name).read_text(encoding="utf-8")


@functools.cache
def model_catalogue() -> Catalogue:
    """The clause catalogue Fairwatch ships for the model policy (loaded once)."""
    return Catalogue.from_dict(json.loads(_data_file("clauses.json")))


@functools.cache
def model_policy_text() -> str:
    """The text of the model policy Fairwatch ships, exactly as stored."""
    return _data_file("model-policy.txt")
