"""A school's policy versions and who has acknowledged them.

The words live here as JSON; `fairwatch.policy.store` turns a row into the pure
`fairwatch.policy.versions.Version` that every rule works on.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from fairwatch.schools.models import Organisation, Person, School


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
    # The version of the organisation's model policy this text is based on (`ModelVersion`).
    model_number = models.PositiveIntegerField(default=1)

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


# --- the authority's model, and adapting it -----------------------------------------------


class ModelVersion(models.Model):
    """A version of the model policy an organisation (the local authority or trust) gives
    its schools. Version 1 is the model Fairwatch ships; each school adapts the model and
    merges a new model version into its own text (`PolicyVersion.model_number`)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="model_policy_versions"
    )
    number = models.PositiveIntegerField()
    effective_from = models.DateField()
    clauses = models.JSONField()  # as PolicyVersion.clauses
    changes = models.JSONField(default=list)  # as PolicyVersion.changes
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["organisation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"], name="unique_model_policy_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} model policy, version {self.number}"


class Draft(models.Model):
    """The next version being prepared: a school's adaptation (``school``) or the
    organisation's next model (``organisation``), exactly one of the two. Edits are kept
    here until the draft is published as a version, or thrown away."""

    school = models.OneToOneField(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="policy_draft"
    )
    organisation = models.OneToOneField(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="model_policy_draft",
    )
    clauses = models.JSONField()  # as PolicyVersion.clauses
    based_on = models.PositiveIntegerField()  # the version number the draft started from
    # A school's draft: the model version its text is based on once published (a merge of
    # a newer model version moves it on).
    model_number = models.PositiveIntegerField(null=True, blank=True)
    # Clauses both the school and the model changed, waiting for the school's choice:
    # [{"id", "base", "ours", "theirs"}], each side a clause as stored, or None.
    conflicts = models.JSONField(default=list)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(school__isnull=False, organisation__isnull=True)
                    | models.Q(school__isnull=True, organisation__isnull=False)
                ),
                name="draft_of_school_or_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"Policy draft of {self.school or self.organisation}"


# --- acknowledging on time ----------------------------------------------------------------


class PolicySettings(models.Model):
    """How long staff have to read a version, and how often they are reminded."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="policy_settings")
    # Staff have this many days from a version taking effect (or from joining) to read it.
    deadline_days = models.PositiveSmallIntegerField(default=14)
    # A reminder every this many days to those who have not; 0: no reminders.
    remind_every_days = models.PositiveSmallIntegerField(default=7)

    def __str__(self) -> str:
        return f"Policy settings of {self.school_id}"


class Reminder(models.Model):
    """An email asking a member of staff to read a version: the first ask, or a reminder."""

    class Kind(models.TextChoices):
        ASKED = "asked", "Asked to read it"
        REMINDER = "reminder", "Reminded"

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="reminders")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="policy_reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sent_at"]
        indexes = [models.Index(fields=["version", "person", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.person} (version {self.version.number})"


class Adjustment(models.Model):
    """A reasonable adjustment (2) a member of staff asks for to read the policy: an
    accessible format, or more time. The Headteacher answers; agreeing more time moves that
    person's deadline."""

    class Kind(models.TextChoices):
        FORMAT = "format", "An accessible format"
        TIME = "time", "More time"

    class Status(models.TextChoices):
        ASKED = "asked", "Waiting for an answer"
        AGREED = "agreed", "Agreed"
        DECLINED = "declined", "Not agreed"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="policy_adjustments")
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    detail = models.TextField()  # what they need, in their words
    wanted_by = models.DateField(null=True, blank=True)  # more time: the day they ask for
    asked_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ASKED)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # Agreed more time: the person's own deadline for this version.
    deadline = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-asked_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.person} (version {self.version.number})"


# --- contacts and related documents -------------------------------------------------------


class Contact(models.Model):
    """Someone staff can turn to, as the policy names them (3, 7.3, 8): the helpline, the HR
    service, CEOP, or the school's own. Defaults come from the model; the school edits them."""

    class Kind(models.TextChoices):
        HELPLINE = "helpline", "Online safety helpline"
        HR = "hr", "HR service"
        CEOP = "ceop", "CEOP (Child Exploitation and Online Protection)"
        SCHOOL = "school", "Someone at the school"
        OTHER = "other", "Other"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="policy_contacts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    url = models.URLField(blank=True)
    note = models.CharField(max_length=500, blank=True)
    # The clauses whose text refers to this contact ("3", "7.3 8"), space-separated.
    clauses = models.CharField(max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["school", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.school_id})"


class RelatedDocument(models.Model):
    """A document the policy is read with (2): a link or an uploaded file. Never edited or
    deleted: replacing one withdraws the old row, so each policy version lists the documents
    that were current when it was published."""

    class Kind(models.TextChoices):
        ONLINE_SAFETY = "online_safety", "Online safety policy"
        ICT_CODE = "ict_code", "ICT code of conduct"
        HARASSMENT = "harassment", "Harassment policy"
        CYBERBULLYING = "cyberbullying", "Cyberbullying policy"
        SAFER_WORKING = "safer_working", "Guidance for safer working practice"
        OTHER = "other", "Other"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="policy_documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    url = models.URLField(blank=True)  # a link, or
    file_name = models.CharField(max_length=200, blank=True)  # an uploaded file
    content = models.BinaryField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)  # replaced or removed

    class Meta:
        ordering = ["school", "kind", "added_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.school_id})"
