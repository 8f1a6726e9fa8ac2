"""The pseudonym vault: for each person seen in a school's activity data, their pseudonym and
their identifier sealed under the school's key (which is not in the database)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone

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


REF_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def new_ref() -> str:
    """An exercise's public reference: random, so that a gap in a list of numbers never tells
    anyone that an exercise exists which they cannot see."""
    return "".join(secrets.choice(REF_LETTERS) for _ in range(8))


class Exercise(models.Model):
    """A monitoring exercise (7.1–7.3) as stored; the rules are `fairwatch.privacy.exercises`
    and `fairwatch.monitoring.exercises` applies them. Pages, the API and the audit trail name
    it by `ref`, never by its row number."""

    ref = models.CharField(max_length=8, unique=True, default=new_ref)
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
    # An extension is a new exercise that goes through review and approval again.
    extends = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="extensions"
    )

    def __str__(self) -> str:
        return f"Exercise {self.ref} ({self.state})"


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
    reported_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(default=timezone.now)
    ico_reported_at = models.DateTimeField(null=True, blank=True)  # when the ICO was told
    ico_reference = models.CharField(max_length=64, blank=True)
    closed_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closure_note = models.TextField(blank=True)

    REPORT_WITHIN = timedelta(hours=72)

    @property
    def report_by(self) -> datetime:
        """The ICO's 72 hours, counted from discovery."""
        return self.found_at + self.REPORT_WITHIN

    def __str__(self) -> str:
        return f"Breach {self.pk}: {self.what[:40]}"


class Settings(models.Model):
    """Each school's settings for monitoring and privacy (7.1, 7.2, 5.2)."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="privacy")
    default_days = models.PositiveSmallIntegerField(default=30)  # an exercise's usual length
    max_days = models.PositiveSmallIntegerField(default=30)  # and the most it may last
    extract_retention_days = models.PositiveSmallIntegerField(default=90)  # after closing
    activity_retention_days = models.PositiveSmallIntegerField(default=90)  # pseudonymised logs
    access_download_days = models.PositiveSmallIntegerField(default=30)  # a released ZIP
    privacy_contact = models.TextField(blank=True)  # who staff ask; the DPO when blank
    # Low-level concerns about a member of staff are kept while they work here and for this
    # many months after they leave (KCSIE part 4: at least until they leave).
    low_level_months = models.PositiveSmallIntegerField(default=12)

    def __str__(self) -> str:
        return f"Privacy settings of {self.school_id}"


class SystematicBasis(models.Model):
    """The recorded basis for monitoring the accounts of e-safety monitors continuously
    (7.2.1). Shown to every member of staff on the transparency page."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="systematic_bases")
    reason = models.TextField()  # why these accounts are monitored
    legal_basis = models.TextField()
    recorded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)  # replaced or withdrawn

    def __str__(self) -> str:
        return f"Systematic monitoring basis {self.pk} ({self.school_id})"


class ActivityEvent(models.Model):
    """One piece of pseudonymised activity (a web visit summary, a mail finding): who is a
    pseudonym, never a name. Importers write these through `activity.record`."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="activity")
    pseudonym = models.CharField(max_length=40)
    system = models.CharField(max_length=12)  # fairwatch.privacy.exercises.System
    occurred_at = models.DateTimeField()
    category = models.CharField(max_length=64, blank=True)  # e.g. a web category
    summary = models.CharField(max_length=300)  # e.g. a domain, or "mail to 3 outside addresses"
    count = models.PositiveIntegerField(default=1)
    source = models.CharField(max_length=64, blank=True)  # the file or relay it came from
    # Internet use, totalled by day: whether the filter refused it, the bytes, the last time.
    blocked = models.BooleanField(default=False)
    bytes = models.BigIntegerField(null=True, blank=True)
    last_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["school", "pseudonym", "occurred_at"]),
            models.Index(fields=["school", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.system} {self.pseudonym} {self.occurred_at:%Y-%m-%d}"


class Extract(models.Model):
    """Identified activity an exercise's viewer saw: kept until the exercise's retention runs
    out after it closes, then deleted (and the deletion recorded)."""

    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="extracts")
    made_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)
    identifier = models.CharField(max_length=254)
    rows = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"Extract {self.pk} of exercise {self.exercise.ref}"


class AccessRequest(models.Model):
    """A member of staff's request for their own data (UK GDPR art. 15)."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for the DPO"
        RELEASED = "released", "Released"
        EXEMPT = "exempt", "Withheld under an exemption"
        EXPIRED = "expired", "Download expired"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="access_requests")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="access_requests")
    note = models.TextField(blank=True)  # what the person says they want
    requested_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    exemption = models.TextField(blank=True)  # why data is withheld, e.g. an open investigation
    archive = models.BinaryField(null=True, blank=True)  # the ZIP, once released
    archive_sha256 = models.CharField(max_length=64, blank=True)
    available_until = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    RESPOND_WITHIN = timedelta(days=30)  # one month (ICO guidance)

    @property
    def respond_by(self) -> datetime:
        return self.requested_at + self.RESPOND_WITHIN

    def __str__(self) -> str:
        return f"Access request {self.pk} ({self.state})"
