"""The governance side of internet use (clauses 3.1-3.3, 7): how each school treats each web
category, the log files it has taken in, alerts about harmful categories, and the register
of permissions for private use of school equipment (3.1).

The activity itself is stored pseudonymised, as daily totals, in `monitoring.ActivityEvent`
(system "internet"), where monitoring exercises find it like any other activity."""

from __future__ import annotations

from django.db import models

from fairwatch.schools.models import Person, School


class Treatment(models.TextChoices):
    HARMFUL = "harmful", "Illegal or harmful: alert the DSL and the Headteacher"
    PRIVATE = "private", "Private use: needs the Headteacher's permission (3.1)"
    ALLOWED = "allowed", "Allowed"


class CategoryRule(models.Model):
    """How one school treats one category; a category with no rule takes the default in
    `fairwatch.internet.rules.DEFAULTS`."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="category_rules")
    category = models.CharField(max_length=64)
    treatment = models.CharField(max_length=8, choices=Treatment.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "category"], name="one_rule_per_category")
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.treatment}"


class LogFile(models.Model):
    """A web-proxy or DNS log taken in: what it was, how far it was read and what came of it.
    A file that grows is read again from where the last ingest stopped; one seen whole before
    adds nothing."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="log_files")
    name = models.CharField(max_length=255)  # the file's name, without its folder
    format = models.CharField(max_length=16)
    head_sha256 = models.CharField(max_length=64)  # of its first line: names the file
    sha256 = models.CharField(max_length=64)  # of all the bytes read so far
    size = models.BigIntegerField()  # uncompressed bytes read so far
    lines = models.BigIntegerField()
    requests = models.BigIntegerField()
    bad = models.BigIntegerField()
    quarantine = models.CharField(max_length=500, blank=True)  # file of the first bad lines
    first_at = models.DateTimeField(null=True)  # the earliest and latest request in it
    last_at = models.DateTimeField(null=True)
    ingested_at = models.DateTimeField()
    by = models.CharField(max_length=120)  # who ran the ingest

    class Meta:
        indexes = [models.Index(fields=["school", "head_sha256"])]

    def __str__(self) -> str:
        return self.name


class SiteDay(models.Model):
    """How much a site was used on a day, by everyone together: no pseudonyms, so the top
    sites and the categories over time are read from here."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="site_days")
    day = models.DateField()
    site = models.CharField(max_length=255)
    category = models.CharField(max_length=64, blank=True)
    kind = models.CharField(max_length=4)  # "web" or "dns"
    count = models.BigIntegerField()
    blocked = models.BigIntegerField()  # of which the filter refused
    bytes = models.BigIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["school", "day"])]

    def __str__(self) -> str:
        return f"{self.site} {self.day}"


class Alert(models.Model):
    """Someone (a pseudonym) reached sites in a harmful category on a day. The DSL and the
    Headteacher see the category, sites, times and counts; who it was is revealed only
    through a monitoring exercise or a recorded safeguarding decision."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="web_alerts")
    pseudonym = models.CharField(max_length=40)
    category = models.CharField(max_length=64)
    day = models.DateField()
    sites = models.JSONField(default=list)  # [[site, count], ...] most visited first
    count = models.PositiveIntegerField()
    blocked = models.PositiveIntegerField(default=0)  # of which the filter refused
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(  # who closed it last; cleared when it is reopened
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "pseudonym", "category", "day"], name="one_alert_per_day"
            )
        ]
        indexes = [models.Index(fields=["school", "state", "day"])]

    def __str__(self) -> str:
        return f"{self.category} {self.day} {self.pseudonym}"


class Identification(models.Model):
    """A recorded safeguarding decision to find out who is behind one alert (3.3; SPEC
    principle 3): who decided, when and why. It opens the name for that alert only, to the
    DSL and the Headteacher, and each look at it is on the audit trail. It is never edited."""

    alert = models.OneToOneField(Alert, on_delete=models.PROTECT, related_name="identification")
    decided_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    reason = models.TextField()  # the safeguarding need, in the decider's words

    def __str__(self) -> str:
        return f"Identification for alert {self.alert_id}"


class PrivateUse(models.Model):
    """A request for, and the decision on, private use of school equipment or the school's
    internet (3.1): what for, which categories, from when until when. The Headteacher decides,
    or the Chair of Governors when the request is the Headteacher's own."""

    class State(models.TextChoices):
        REQUESTED = "requested", "Asked for"
        GRANTED = "granted", "Granted"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="private_use")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="private_use")
    purpose = models.TextField()
    categories = models.JSONField(default=list)  # the categories it covers; [] = any private
    starts = models.DateField()
    expires = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    withdrawn_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Private use {self.pk} ({self.state})"
