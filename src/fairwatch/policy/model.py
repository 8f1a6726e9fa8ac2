"""The model policy Fairwatch ships, as a version: its clauses, and the rows of its
"Appendix 1 – Table of changes".

This module is pure Python: it must not import Django.
"""

from __future__ import annotations

import datetime as dt
import re

from fairwatch.catalogue import model_catalogue, model_policy_text
from fairwatch.policy.versions import ChangeRow, Clause, Version

_HEADING = re.compile(r"^\s*Appendix\s+1\b.*\btable\s+of\s+changes\b", re.IGNORECASE)
_NEXT_APPENDIX = re.compile(r"^\s*Appendix\s+(?!1\b)\d+\b", re.IGNORECASE)
_COLUMNS = {"date of change", "paragraphs affected", "summary of update"}
# Anything shaped like an attempt at a date ("16/11/2021", "16-11-21", "2021-11-16") starts
# a row; it must then be a real date written dd/mm/yyyy.
_DATE_LIKE = re.compile(r"^\d{1,4}[/-]\d{1,2}[/-]\d{1,4}$")
_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


def model_clauses() -> dict[str, Clause]:
    """Every clause of the shipped model policy, with its title and the policy's words, keyed
    by id in document order. All of them apply."""
    return {item.id: Clause(item.id, item.title, item.text) for item in model_catalogue()}


def shipped_model() -> Version:
    """The shipped model policy as version 1.

    It takes effect on the newest date in its table of changes. The appendix rows are, in
    the issue's words, loaded "as real past versions where the text allows, otherwise as
    history rows": Fairwatch has only the current text, not the text each row describes, so
    every row is a history row of version 1 (``changes``, oldest first).
    """
    rows = appendix_rows(model_policy_text())
    if not rows:
        raise ValueError("the model policy's table of changes has no rows")
    return Version(1, rows[-1].day, model_clauses(), tuple(rows), duties_changed=True)


def appendix_rows(text: str) -> list[ChangeRow]:
    """The rows of "Appendix 1 – Table of changes" in a policy's text, oldest first.

    The appendix prints them newest first, each as a date (dd/mm/yyyy), the paragraphs
    affected, and a summary, on lines of their own; blank lines between them do not count
    (one row of the model has an empty line before its paragraphs). A row with a single
    line after its date has no paragraphs named. Raises ValueError naming the line for a
    missing appendix, a bad date, or a row with no summary.
    """
    lines = text.splitlines()
    start = _appendix_start(lines)
    rows: list[ChangeRow] = []
    day: dt.date | None = None
    day_line = 0
    body: list[str] = []
    for number, raw in enumerate(lines[start:], start=start + 1):
        line = raw.strip()
        if _NEXT_APPENDIX.match(line):
            break
        if not line:
            continue
        if _DATE_LIKE.match(line):
            if day is not None:
                rows.append(_row(day, body, day_line))
            day, day_line, body = _parse_date(line, number), number, []
        elif day is not None:
            body.append(line)
        elif line.casefold() not in _COLUMNS:
            raise ValueError(
                f"Appendix 1, line {number}: expected a date (dd/mm/yyyy), found “{line[:60]}”"
            )
    if day is not None:
        rows.append(_row(day, body, day_line))
    return sorted(reversed(rows), key=lambda row: row.day)


def _appendix_start(lines: list[str]) -> int:
    for index, line in enumerate(lines):
        if _HEADING.match(line):
            return index + 1
    raise ValueError("there is no “Appendix 1 – Table of changes” in the text")


def _parse_date(line: str, number: int) -> dt.date:
    match = _DATE.match(line)
    if match is None:
        raise ValueError(
            f"Appendix 1, line {number}: the date “{line}” is not written dd/mm/yyyy "
            "(for example 16/11/2021)"
        )
    day, month, year = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"Appendix 1, line {number}: “{line}” is not a real date") from None


def _row(day: dt.date, body: list[str], line: int) -> ChangeRow:
    if not body:
        raise ValueError(f"Appendix 1, line {line}: the row dated {day:%d/%m/%Y} has no summary")
    if len(body) == 1:
        return ChangeRow(day, "", body[0])
    return ChangeRow(day, body[0], " ".join(body[1:]))
