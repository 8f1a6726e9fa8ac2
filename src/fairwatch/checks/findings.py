"""What every check returns: a finding that cites a clause, says why, and says what to do."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import IntEnum
from typing import Any


class Severity(IntEnum):
    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]


@dataclass(frozen=True)
class Where:
    """Where a finding is: `field` is subject, to, cc, bcc, from, body or attachment:NAME."""

    field: str
    text: str = ""
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Finding:
    clause: str  # an id from fairwatch.catalogue, e.g. "4.3"
    check: str  # a stable slug, e.g. "subject-roster-name"
    severity: Severity
    message: str  # plain words: what was found and why it matters
    fix: str  # what to do instead
    where: Where = field(default_factory=lambda: Where("message"))

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["severity"] = str(self.severity)
        return out
