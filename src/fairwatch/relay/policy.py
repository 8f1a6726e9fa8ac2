"""What the relay does with a message, from its findings: pass, warn, hold or reject.

Each school sets an action per check; a check it has not set takes the default for the
finding's severity (hold for high, warn for medium, pass otherwise). The message gets the
strongest action any of its findings calls for. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum

from fairwatch.checks.findings import Finding, Severity


class Action(IntEnum):
    PASS = 0
    WARN = 1
    HOLD = 2
    REJECT = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Action:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(
                f"unknown action {text!r}; expected pass, warn, hold or reject"
            ) from None


DEFAULTS: Mapping[Severity, Action] = {
    Severity.HIGH: Action.HOLD,
    Severity.MEDIUM: Action.WARN,
    Severity.LOW: Action.PASS,
    Severity.INFO: Action.PASS,
}


@dataclass(frozen=True)
class Decision:
    action: Action
    because: tuple[Finding, ...]  # the findings that call for that action, most severe first

    @property
    def lead(self) -> Finding | None:
        return self.because[0] if self.because else None


def decide(findings: Iterable[Finding], rules: Mapping[str, Action] | None = None) -> Decision:
    rules = rules or {}
    scored = [(rules.get(f.check, DEFAULTS[f.severity]), f) for f in findings]
    if not scored:
        return Decision(Action.PASS, ())
    top = max(action for action, _ in scored)
    because = tuple(sorted((f for action, f in scored if action == top), key=lambda f: -f.severity))
    return Decision(top, because if top > Action.PASS else ())


def smtp_text(text: str, limit: int = 400) -> str:
    """Text fit for an SMTP reply line: printable ASCII, one line, not too long."""
    cleaned = "".join(c if 32 <= ord(c) < 127 else "?" for c in " ".join(text.split()))
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "~"
