"""A school's policy versions and who has acknowledged them.

The words live here as JSON; `fairwatch.policy.store` turns a row into the pure
`fairwatch.policy.versions.Version` that every rule works on.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from fairwatch.schools.models import Person, School


class PolicyVersion(models.Model):
    """The whole policy at a school from ``effective_from``: every clause and the table of
    changes that came with it. Versions are never edited: a change is a new version."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="policy_versions")
    number = models.PositiveIntegerField()
    effective_from = models.DateField()
    # {clause id: {"title", "text", "applicable", "reason"}}
    clauses = models.JSONField()
    # [[ISO day, paragraphs affected, summary], ...], oldest first
    changes = models.JSONField(default=list)
    # Whether staff must read and acknowledge it (a new duty), or it only tidies the words.
    duties_changed = models.BooleanField(default=True)
    published_at = models.DateTimeField(default=timezone.now)
    # None: loaded from the model policy Fairwatch ships, not published by anyone.
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["school", "number"]
        constraints = [
            models.UniqueConstraint(fields=["school", "number"], name="unique_policy_version")
        ]

    def __str__(self) -> str:
        return f"{self.school} policy, version {self.number}"


class Acknowledgement(models.Model):
    """A member of staff or volunteer saying they have read a version of the policy."""

    version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="policy_acknowledgements"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "person"], name="one_acknowledgement")
        ]

    def __str__(self) -> str:
        return f"{self.person} read version {self.version.number}"
