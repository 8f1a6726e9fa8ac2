"""Organisations, schools, the people on their roster, and who holds which role where."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from fairwatch.roles import Role


class Organisation(models.Model):
    """A trust or local authority; a stand-alone school has an organisation of its own."""

    class Kind(models.TextChoices):
        TRUST = "trust", "Multi-academy trust"
        AUTHORITY = "authority", "Local authority"
        STANDALONE = "standalone", "Stand-alone school"

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.STANDALONE)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="schools")
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    # The domain pupils' mailboxes live on (clause 4.4); blank when pupils have no school mail.
    pupil_domain = models.CharField(max_length=253, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def domain_names(self) -> list[str]:
        return [d.domain for d in self.domains.all()]


class SchoolDomain(models.Model):
    """A mail domain the school sends from (clause 4.5: approved accounts)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(fields=["school", "domain"], name="unique_school_domain")
        ]

    def __str__(self) -> str:
        return self.domain


class PersonQuerySet(models.QuerySet):
    def search(self, text: str) -> PersonQuerySet:
        """Name, preferred name or email containing `text`, or an exact UPN / MIS id."""
        text = text.replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
        if not text:
            return self
        return self.filter(
            Q(forename__icontains=text)
            | Q(surname__icontains=text)
            | Q(preferred_forename__icontains=text)
            | Q(preferred_surname__icontains=text)
            | Q(email__icontains=text)
            | Q(external_id__iexact=text)
        )

    def by_name(self) -> PersonQuerySet:
        # Explicit, because Meta.ordering is dropped from grouped (annotated) queries.
        return self.order_by("surname", "forename", "id")


class Person(models.Model):
    """Someone on a school's roster. People who leave are marked as left, never deleted."""

    class Kind(models.TextChoices):
        STAFF = "staff", "Staff"
        VOLUNTEER = "volunteer", "Volunteer"
        PUPIL = "pupil", "Pupil"
        CONTACT = "contact", "Parent or carer"

    class Status(models.TextChoices):
        CURRENT = "current", "Current"
        LEFT = "left", "Left"

    # Which roster file a person comes from; their external id is unique within it.
    class Roster(models.TextChoices):
        STAFF = "staff", "Staff"
        PUPILS = "pupils", "Pupils"
        CONTACTS = "contacts", "Contacts"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="people")
    roster = models.CharField(max_length=10, choices=Roster.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    external_id = models.CharField(
        max_length=64, help_text="UPN for pupils, staff id, contact id from the MIS"
    )
    forename = models.CharField(max_length=100)
    surname = models.CharField(max_length=100)
    preferred_forename = models.CharField(max_length=100, blank=True)
    preferred_surname = models.CharField(max_length=100, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    year_group = models.CharField(max_length=4, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CURRENT)
    left_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["surname", "forename", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "roster", "external_id"], name="unique_roster_id"
            ),
            models.UniqueConstraint(
                fields=["school", "user"],
                condition=Q(user__isnull=False),
                name="one_person_per_user_per_school",
            ),
        ]
        indexes = [models.Index(fields=["school", "kind", "status"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name the person goes by: preferred forms where given."""
        forename = self.preferred_forename or self.forename
        surname = self.preferred_surname or self.surname
        return f"{forename} {surname}"

    @property
    def legal_name(self) -> str:
        return f"{self.forename} {self.surname}"

    @property
    def is_current(self) -> bool:
        return self.status == self.Status.CURRENT

    @property
    def upn(self) -> str:
        return self.external_id if self.kind == self.Kind.PUPIL else ""


# The groups people are listed in, by the roster they come from.
PEOPLE_GROUPS: dict[str, tuple[str, ...]] = {
    "staff": (Person.Kind.STAFF, Person.Kind.VOLUNTEER),
    "pupils": (Person.Kind.PUPIL,),
    "contacts": (Person.Kind.CONTACT,),
}


class ContactLink(models.Model):
    """A parent or carer linked to a pupil, with the relationship the MIS records."""

    contact = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="pupil_links")
    pupil = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contact_links")
    relationship = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "pupil"], name="unique_contact_pupil")
        ]

    def __str__(self) -> str:
        return f"{self.contact} ({self.relationship} of {self.pupil})"


class RoleAssignment(models.Model):
    """A role held by a person at their school. Ended, not deleted, when it stops."""

    class Source(models.TextChoices):
        ROSTER = "roster", "Staff roster import"
        MANUAL = "manual", "Granted by hand"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(
        max_length=30, choices=[(r.value, r.label) for r in Role if r.school_level]
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "role"],
                condition=Q(ended_at__isnull=True),
                name="one_active_assignment_per_role",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.ORG_ADMIN.value), name="org_admin_is_not_a_school_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {Role(self.role).label}"


class OrganisationAdmin(models.Model):
    """A trust or authority administrator: manages schools and users, sees no personal data."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_admin"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="admins")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="unique_org_admin")
        ]


class ApiToken(models.Model):
    """A bearer token for the HTTP API. Only its hash is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="first characters, to tell tokens apart")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ApprovedSender(models.Model):
    """An address or domain approved to send for the school (clause 4.5). When a school has
    none, its own mail domains are the approved ones."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="approved_senders")
    value = models.CharField(max_length=254, help_text="an address, or a domain")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "value"], name="unique_approved_sender")
        ]

    def __str__(self) -> str:
        return self.value


class KnownDomain(models.Model):
    """A partner's mail domain (the authority, the trust, the HR service): mail there is
    expected, and addresses that imitate it are suspicious (clause 4.2)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="known_domains")
    domain = models.CharField(max_length=253)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "domain"], name="unique_known_domain")
        ]

    def __str__(self) -> str:
        return self.domain


class Closure(models.Model):
    """Days the school is closed (holidays, training days): they are not working days, so a
    case's clock does not run on them (clause 7.6)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="closures")
    first_day = models.DateField()
    last_day = models.DateField()
    name = models.CharField(max_length=120, blank=True)  # "Christmas holiday", "INSET day"

    class Meta:
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")), name="closure_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name or 'Closed'} {self.first_day}–{self.last_day}"
