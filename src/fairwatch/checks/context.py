"""The school context a check needs, as plain frozen data built once by the Django side."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from .lookalike import LookalikeIndex
    from .names import NameIndex


T = TypeVar("T")


@dataclass(frozen=True)
class RosterPerson:
    id: int
    kind: str  # staff, volunteer, pupil, contact
    forename: str
    surname: str
    preferred_forename: str = ""
    preferred_surname: str = ""
    email: str = ""  # lower-case
    upn: str = ""

    @property
    def names(self) -> tuple[tuple[str, str], ...]:
        """(forename, surname) pairs the person may be called by, legal and preferred."""
        pairs = {(self.forename, self.surname)}
        pairs.add(
            (self.preferred_forename or self.forename, self.preferred_surname or self.surname)
        )
        pairs.add((self.preferred_forename or self.forename, self.surname))
        return tuple(sorted(p for p in pairs if p[0] and p[1]))


@dataclass(frozen=True)
class SchoolContext:
    slug: str
    name: str
    domains: frozenset[str]  # the school's own mail domains
    pupil_domain: str = ""
    # Addresses or domains approved to send for the school (clause 4.5); the school's own
    # domains are approved unless this is set.
    approved_senders: frozenset[str] = frozenset()
    known_domains: frozenset[str] = frozenset()  # partners: the LA, the trust, suppliers
    people: tuple[RosterPerson, ...] = ()
    # contact id -> ids of the pupils they are linked to
    links: Mapping[int, frozenset[int]] = field(default_factory=dict)
    # sender address -> addresses they have written to before (None: history unknown)
    history: Mapping[str, frozenset[str]] | None = None

    @cached_property
    def by_email(self) -> dict[str, RosterPerson]:
        return {p.email: p for p in self.people if p.email}

    @cached_property
    def by_id(self) -> dict[int, RosterPerson]:
        return {p.id: p for p in self.people}

    @cached_property
    def name_index(self) -> NameIndex:
        from .names import NameIndex  # names imports this module for RosterPerson

        # Titles ("Mrs Grant") are how staff and parents are named; pupils are not.
        return NameIndex(self.people, titled_kinds=("staff", "volunteer", "contact"))

    @cached_property
    def lookalikes(self) -> LookalikeIndex:
        from .lookalike import LookalikeIndex
        from .webmail import WEBMAIL

        known = set(self.domains) | set(self.known_domains) | set(WEBMAIL)
        if self.pupil_domain:
            known.add(self.pupil_domain)
        return LookalikeIndex(known)

    def derived(self, key: str, build: Callable[[SchoolContext], T]) -> T:
        """Something a check derives from the context once (an index, compiled patterns),
        kept with the context so every message checked against it reuses it."""
        cache: dict[str, Any] = self.__dict__.setdefault("_derived", {})
        if key not in cache:
            cache[key] = build(self)
        return cast(T, cache[key])

    def is_pupil_address(self, addr: str) -> bool:
        addr = addr.lower()
        domain = addr.rpartition("@")[2]
        if self.pupil_domain and (
            domain == self.pupil_domain or domain.endswith("." + self.pupil_domain)
        ):
            return True
        person = self.by_email.get(addr)
        return person is not None and person.kind == "pupil"

    def is_internal(self, domain: str) -> bool:
        # Asked for every recipient of every message: answers are kept per domain.
        answers: dict[str, bool] = self.__dict__.setdefault("_internal", {})
        answer = answers.get(domain)
        if answer is None:
            if len(answers) >= 4096:
                answers.clear()
            name = domain.lower()
            own = self.domains | ({self.pupil_domain} if self.pupil_domain else set())
            answer = answers[domain] = any(name == d or name.endswith("." + d) for d in own)
        return answer

    def is_approved_sender(self, addr: str) -> bool:
        addr = addr.lower()
        domain = addr.rpartition("@")[2]
        allowed = self.approved_senders or self.domains
        return addr in allowed or domain in allowed
