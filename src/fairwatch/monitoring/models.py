"""The pseudonym vault: for each person seen in a school's activity data, their pseudonym and
their identifier sealed under the school's key (which is not in the database)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models

from fairwatch.schools.models import Person, School


class VaultEntry(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="vault")
    pseudonym = models.CharField(max_length=40)
    seal = models.TextField()  # the identifier, sealed: see fairwatch.privacy.pseudonyms
    key_id = models.CharField(max_length=12)  # the key it is sealed under
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "pseudonym"], name="one_seal_per_pseudonym")
        ]

    def __str__(self) -> str:
        return f"{self.pseudonym} ({self.school_id})"


class Exercise(models.Model):
    """A monitoring exercise (7.1–7.3) as stored; the rules are `fairwatch.privacy.exercises`
    and `fairwatch.monitoring.exercises` applies them."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="exercises")
    requester = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    headteachers = models.JSONField(default=list)  # person ids when drafted (approval routing)
    state = models.CharField(max_length=12, default="draft")
    assessment = models.JSONField(default=dict)
    reviewed_by = models.ForeignKey(Person, null=True, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(Person, null=True, on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField(null=True)
    end = models.DateTimeField(null=True)
    closed_at = models.DateTimeField(null=True)
    purged_at = models.DateTimeField(null=True)
    history = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Exercise {self.pk} ({self.state})"


class Breach(models.Model):
    """The breach register (5.2): opened by hand, or by a refused look at identified data."""

    class Source(models.TextChoices):
        REFUSED_ACCESS = "refused_access", "Refused or out-of-scope access to monitoring data"
        REPORTED = "reported", "Reported by hand"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="breaches")
    source = models.CharField(max_length=16, choices=Source.choices)
    what = models.TextField()
    found_at = models.DateTimeField()
    people_affected = models.TextField(blank=True)
    risk = models.CharField(max_length=8, blank=True)  # low / medium / high, set by the DPO
    reportable = models.BooleanField(null=True)  # to the ICO; None until the DPO decides
    actions = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True)
    exercise = models.ForeignKey(Exercise, null=True, on_delete=models.PROTECT, related_name="+")
    audit_seq = models.BigIntegerField(null=True)  # the audit entry that recorded it

    REPORT_WITHIN = timedelta(hours=72)

    @property
    def report_by(self) -> datetime:
        """The ICO's 72 hours, counted from discovery."""
        return self.found_at + self.REPORT_WITHIN

    def __str__(self) -> str:
        return f"Breach {self.pk}: {self.what[:40]}"
