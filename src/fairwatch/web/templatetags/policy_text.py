"""Filters for showing a clause of the school's policy: its anchor, heading level, the
contacts its words refer to, and a phone number as a `tel:` link."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django import template

register = template.Library()


@register.filter
def clause_anchor(clause_id: str) -> str:
    """The HTML id of a clause, as on the catalogue page: "6.5" → "clause-6-5"."""
    return "clause-" + str(clause_id).replace(".", "-")


@register.filter
def clause_depth(clause_id: str) -> int:
    """0 for "7", 1 for "7.2", 2 for "7.2.1"."""
    return str(clause_id).count(".")


@register.filter
def heading_level(clause: Any, base: int) -> int:
    """The heading level of a clause under a page whose top-level clauses are at ``base``,
    so headings stay in order (never past h6)."""
    return min(6, int(base) + str(clause.id).count("."))


@register.filter
def for_clause(contacts: Mapping[str, Sequence[Any]] | None, clause_id: str) -> Sequence[Any]:
    """The contacts a clause's words refer to (none when the page was given no contacts)."""
    if not contacts:
        return ()
    return contacts.get(str(clause_id), ())


@register.filter
def tel_href(phone: str) -> str:
    """A phone number as a `tel:` address: digits, with a leading + kept."""
    phone = str(phone).strip()
    digits = re.sub(r"[^0-9]", "", phone)
    return "tel:" + ("+" if phone.startswith("+") else "") + digits
