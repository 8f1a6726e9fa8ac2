"""A concern about a member of staff and its case. Who it goes to is not stored: it is worked
out from the school's roles each time (`fairwatch.cases.rules.route`), so a new Headteacher
takes over open cases and someone who becomes a subject's colleague-in-role never does."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from fairwatch.cases.rules import Outcome, State
from fairwatch.internet.models import Alert
from fairwatch.mailflow.models import HeldMessage
from fairwatch.monitoring.models import Exercise, new_ref
from fairwatch.schools.models import Person, School

USER = settings.AUTH_USER_MODEL


class Case(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", "Use of email"
        INTERNET = "internet", "Use of the internet"
        SOCIAL_MEDIA = "social_media", "Use of social media"
        CYBERBULLYING = "cyberbullying", "Cyberbullying of staff"

    ref = models.CharField(max_length=8, unique=True, default=new_ref)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="cases")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    what = models.TextField()  # what happened, in the raiser's words
    happened_on = models.DateField()
    pupil_involved = models.BooleanField()
    subjects = models.ManyToManyField(Person, related_name="+")
    raised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()
    state = models.CharField(
        max_length=12, choices=[(s.value, s.value) for s in State], default=State.RAISED.value
    )
    # allegation or low_level once triaged; kept when the case closes (the register's)
    triaged_as = models.CharField(max_length=12, blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    triaged_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    # The consultation with the HR adviser (7.3): who (a name, often of an outside service).
    hr_adviser = models.CharField(max_length=200, blank=True)
    hr_consulted_at = models.DateTimeField(null=True, blank=True)
    hr_advice = models.TextField(blank=True)
    hr_recorded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    # The decision whether to refer it to the local-authority designated officer (7.6).
    lado_referred = models.BooleanField(null=True)
    lado_reason = models.TextField(blank=True)
    lado_decided_at = models.DateTimeField(null=True, blank=True)
    lado_decided_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(
        max_length=24, blank=True, choices=[(o.value, o.label) for o in Outcome]
    )
    outcome_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    exercises = models.ManyToManyField(Exercise, blank=True, related_name="+")
    web_alerts = models.ManyToManyField(Alert, blank=True, related_name="+")
    held_messages = models.ManyToManyField(HeldMessage, blank=True, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["school", "state", "raised_at"])]
        # The LADO decision's clock is worked out when read (`services.lado_due`), so closure
        # dates added later count.

    def __str__(self) -> str:
        return f"Case {self.ref} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state != State.CLOSED

    @property
    def outcome_label(self) -> str:
        return Outcome(self.outcome).label if self.outcome else ""


class Evidence(models.Model):
    """A file given with a concern. Kept in the database, so it is read only through the
    case's gate, never from a public folder."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.size} bytes)"
