"""The governance side of the mail flow (clause 4): what the relay does per check at each
school, the messages it holds, and the school tokens mail add-ins use for the check API."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from fairwatch.schools.models import School


class RelayRule(models.Model):
    """The action for one check at one school; checks with no rule take the default for the
    finding's severity (hold for high, warn for medium, pass otherwise)."""

    class Action(models.TextChoices):
        PASS = "pass", "Pass it on"
        WARN = "warn", "Pass it on and warn the sender"
        HOLD = "hold", "Hold it until released"
        REJECT = "reject", "Refuse it"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="relay_rules")
    check_slug = models.CharField(max_length=64)  # a slug of fairwatch.checks.engine.CHECK_SLUGS
    action = models.CharField(max_length=8, choices=Action.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "check_slug"], name="one_rule_per_check")
        ]

    def __str__(self) -> str:
        return f"{self.check_slug}: {self.action}"


class HeldMessage(models.Model):
    """A message the relay holds in its spool (the bytes stay there, not in the database)."""

    class State(models.TextChoices):
        HELD = "held", "Held"
        RELEASED = "released", "Released and sent"
        DELETED = "deleted", "Deleted"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="held_messages")
    spool_id = models.CharField(max_length=40, unique=True)
    sender = models.CharField(max_length=254)  # lower-case address
    recipients = models.JSONField(default=list)
    subject = models.CharField(max_length=300, blank=True)
    findings = models.JSONField(default=list)
    held_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.HELD)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["school", "state", "held_at"])]

    def __str__(self) -> str:
        return f"Held {self.spool_id} ({self.state})"


class SchoolToken(models.Model):
    """A token for the check API (`POST /api/v1/check/email`), issued to a school for its mail
    add-ins: it can check mail for that school and do nothing else. Only its hash is kept."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="check_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
