"""The category rules page's side (3.1-3.3): every web category Fairwatch knows, what it is in
plain words, and how this school treats it. A school's choice is stored only where it differs
from the default in `rules.DEFAULTS`; choosing the default again removes the stored rule."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from fairwatch.audit import gate
from fairwatch.errors import FieldErrors
from fairwatch.schools.models import School
from fairwatch.schools.permissions import Action

from . import rules
from .models import CategoryRule, Treatment

User = AbstractBaseUser | AnonymousUser

CLAUSE = "3.3"
TREATMENTS = tuple(Treatment.values)
# The order the page lists categories in: what alerts first, then what needs permission.
ORDER = {Treatment.HARMFUL.value: 0, Treatment.PRIVATE.value: 1, Treatment.ALLOWED.value: 2}


class InvalidRules(FieldErrors):
    """Rules the school cannot take (one message per category)."""


@dataclass(frozen=True)
class Row:
    category: str
    description: str
    default: str  # the treatment when the school has no rule
    treatment: str  # the school's: its rule, else the default

    @property
    def changed(self) -> bool:
        return self.treatment != self.default


def installed_categories() -> list[str]:
    """The categories of the installed lists (the imported UT1 lists, or the demo seed)."""
    try:
        from . import categories  # compiles the seed index on first use: not at import time
    except ImportError:  # the engine's lists are not installed: the defaults' names remain
        return []
    return list(categories.installed().categories)


def descriptions() -> dict[str, str]:
    """Category name -> what it covers in plain words, as the engine describes them."""
    try:
        from fairwatch.weblogs import categories as engine
    except ImportError:  # no engine lists installed: the names speak for themselves
        return {}
    return dict(getattr(engine, "DESCRIPTIONS", {}))


def describe(category: str, known: dict[str, str] | None = None) -> str:
    known = descriptions() if known is None else known
    return known.get(category, category)


def known_categories() -> list[str]:
    """Every category a school can set: the installed lists' and the defaults' names."""
    return sorted(set(installed_categories()) | set(rules.DEFAULTS))


def default_of(category: str) -> str:
    return rules.DEFAULTS.get(category, Treatment.ALLOWED.value)


def current(school: School) -> list[Row]:
    """Every known category with its treatment at the school, harmful first, then by name."""
    table = rules.treatments(school)
    known = descriptions()
    found = [
        Row(
            category=c,
            description=describe(c, known),
            default=default_of(c),
            treatment=rules.treatment_of(c, table),
        )
        for c in known_categories()
    ]
    return sorted(found, key=lambda r: (ORDER[r.treatment], r.category))


def view(user: User, school: School) -> list[Row]:
    """The rules as the page shows them: the Headteacher and the IT manager only."""
    gate.check(
        user,
        school,
        Action.MANAGE_CATEGORY_RULES,
        purpose=gate.Purpose.SCHOOL_ADMIN,
        object_type="category_rules",
    )
    return current(school)


def update(user: User, school: School, wanted: dict[str, str]) -> list[str]:
    """Set the treatments named in `wanted` (the others stay as they are); returns the
    categories whose treatment changed. Nothing is saved if any is wrong."""
    gate.check(
        user,
        school,
        Action.MANAGE_CATEGORY_RULES,
        purpose=gate.Purpose.SCHOOL_ADMIN,
        object_type="category_rules",
        detail={"change": True},
    )
    known = set(known_categories())
    errors: dict[str, str] = {}
    for category, treatment in wanted.items():
        if category not in known:
            errors[category] = f"There is no category called “{category[:64]}”."
        elif treatment not in TREATMENTS:
            errors[category] = f"Choose harmful, private or allowed for “{category}”."
    if errors:
        raise InvalidRules(errors)
    table = rules.treatments(school)
    before = {c: rules.treatment_of(c, table) for c in wanted}
    changed = sorted(c for c, t in wanted.items() if before[c] != t)
    with transaction.atomic():
        for category in changed:
            if wanted[category] == default_of(category):
                CategoryRule.objects.filter(school=school, category=category).delete()
            else:
                CategoryRule.objects.update_or_create(
                    school=school, category=category, defaults={"treatment": wanted[category]}
                )
        if changed:
            gate.record(
                user=user,
                action="internet.rules",
                outcome="done",
                school=school,
                object_type="category_rules",
                clause=CLAUSE,
                detail={c: f"{before[c]} -> {wanted[c]}" for c in changed},
            )
    return changed
