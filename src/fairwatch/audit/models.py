"""The audit trail: append-only, each entry chained to the one before by a keyed hash."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AppendOnlyError(RuntimeError):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[override]
        raise AppendOnlyError("the audit trail is append-only: entries cannot be changed")

    def delete(self):  # type: ignore[override]
        raise AppendOnlyError("the audit trail is append-only: entries cannot be deleted")


class AuditEntry(models.Model):
    """Who, in which role, at which school, did what to what, why, when, and how it ended."""

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", "Allowed"
        REFUSED = "refused", "Refused"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A copy of who it was (user name, or "cli:<account>"), kept even if the account changes.
    actor_label = models.CharField(max_length=254)
    role = models.CharField(max_length=30, blank=True)
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    purpose = models.CharField(max_length=200, blank=True)
    clause = models.CharField(max_length=10, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    # Counts and ids only: never names or contents, so the trail holds no personal data itself.
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["school", "at"]), models.Index(fields=["action"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_label} {self.action} {self.outcome}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("the audit trail is append-only: entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the audit trail is append-only: entries cannot be deleted")


class AuditHead(models.Model):
    """One row: the last sequence number and hash, so a cut-off tail is noticed too.

    Appends lock this row, which also serialises writers on PostgreSQL.
    """

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="")
    # Which key the trail is written with (a keyed hash of a constant, not the key), so a
    # process started with the wrong key is stopped instead of writing a chain nobody can check.
    key_id = models.CharField(max_length=16, default="")
