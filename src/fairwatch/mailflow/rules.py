"""Each school's relay rules: an action per check, or the default for the finding's severity."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from fairwatch.audit import gate
from fairwatch.checks.engine import CHECK_SLUGS
from fairwatch.schools.models import School
from fairwatch.schools.permissions import Action

from .models import RelayRule

DEFAULT = "default"

# What each check looks for, in the words the rules page uses, with the clause it serves.
CHECKS: dict[str, tuple[str, str]] = {
    "subject-roster-name": ("4.3", "A pupil's or parent's name in the subject line"),
    "subject-personal-name": ("4.3", "Someone else's name in the subject line"),
    "subject-pupil-identifier": ("4.3", "A pupil number (UPN or ULN) in the subject line"),
    "recipient-lookalike-domain": ("4.2", "An address that imitates a known domain"),
    "recipient-name-address-mismatch": ("4.2", "A name that does not match its address"),
    "recipients-exposed": ("4.2", "Parents' addresses visible to each other (use Bcc)"),
    "recipient-roster-mismatch": ("4.2", "A parent's address that is not on the roster"),
    "recipient-first-time": ("4.2", "An outside address never written to before"),
    "recipient-outside-with-personal-data": ("4.2", "Personal data going outside the school"),
    "pupil-from-unapproved-account": ("4.5", "Mail to pupils from a non-school account"),
    "sender-not-approved": ("4.5", "A sender address the school has not approved"),
    "sender-missing": ("4.5", "A message with no sender"),
    "prof-profanity": ("4.4", "Swearing"),
    "prof-insult": ("4.4", "Insulting words"),
    "prof-opinion-about-person": ("4.4", "Opinions about a named person"),
    "prof-shouting": ("4.4", "Writing in capitals"),
    "pd-special-category": ("5", "Health, SEN, religion and other special-category data"),
    "pd-upn": ("5", "A pupil's UPN"),
    "pd-uln": ("5", "A pupil's ULN"),
    "pd-nhs-number": ("5", "An NHS number"),
    "pd-ni-number": ("5", "A National Insurance number"),
    "pd-date-of-birth": ("5", "A date of birth"),
    "pd-address": ("5", "A home address"),
    "pd-phone": ("5", "A phone number"),
    "pd-people-list": ("5", "A list of people with their details"),
}
assert set(CHECKS) == set(CHECK_SLUGS), "every check needs a line on the rules page"

CHOICES = [(DEFAULT, "By severity (hold if high, warn if medium)"), *RelayRule.Action.choices]


def current(school: School) -> dict[str, str]:
    """Check slug → the school's action for it, or "default"."""
    set_ = dict(RelayRule.objects.filter(school=school).values_list("check_slug", "action"))
    return {slug: set_.get(slug, DEFAULT) for slug in CHECK_SLUGS}


def update(user: AbstractBaseUser, school: School, wanted: dict[str, str]) -> list[str]:
    """Set the actions; returns the checks changed. Only the Headteacher and IT manager."""
    gate.check(
        user,
        school,
        Action.MANAGE_RELAY_RULES,
        purpose=gate.Purpose.SCHOOL_ADMIN,
        object_type="relay_rules",
    )
    valid = {value for value, _ in CHOICES}
    unknown = sorted(k for k in wanted if k not in CHECKS)
    bad = sorted(k for k, v in wanted.items() if v not in valid)
    if unknown or bad:
        raise ValueError(
            "; ".join(
                [f"unknown check {k!r}" for k in unknown] + [f"unknown action for {k}" for k in bad]
            )
        )
    before = current(school)
    changed = sorted(k for k, v in wanted.items() if before[k] != v)
    with transaction.atomic():
        for slug in changed:
            if wanted[slug] == DEFAULT:
                RelayRule.objects.filter(school=school, check_slug=slug).delete()
            else:
                RelayRule.objects.update_or_create(
                    school=school, check_slug=slug, defaults={"action": wanted[slug]}
                )
        if changed:
            gate.record(
                user=user,
                action="mailflow.rules",
                outcome="done",
                school=school,
                object_type="relay_rules",
                clause="4",
                detail={k: f"{before[k]} -> {wanted[k]}" for k in changed},
            )
    return changed
