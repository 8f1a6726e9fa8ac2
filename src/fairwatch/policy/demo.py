"""The demo school's policy, made through the real services: the trust's model policy with a
newer version the school has not brought in yet, the school's own adaptation published as
version 2 a fortnight ago, most staff having read version 1 and some version 2, the school's
related documents, and a request for more time waiting for the Headteacher.

Acknowledgements are backdated by their time only: the audit trail says when the demo was
loaded."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from fairwatch.roles import Role
from fairwatch.schools.models import OrganisationAdmin, Person, School

from . import adapt, adjustments, documents, store
from .models import Acknowledgement, PolicyVersion
from .versions import ChangeRow

SCHOOL_WORDS_3 = (
    "Staff may use school equipment to go online for private purposes only at break and "
    "lunchtime, and only with the Headteacher's permission recorded in Fairwatch. The network "
    "is monitored as paragraph 7 describes: ask the Online Safety Helpline if you are unsure."
)
MODEL_WORDS_3 = (
    "Employees should not use school equipment to access the internet for private purposes "
    "unless the Headteacher has given permission. Employees should be aware that the network "
    "is monitored and that individual use can be traced; see paragraph 7."
)
MODEL_WORDS_6_5 = (
    "Where employees are members of social media or messaging groups (for example WhatsApp "
    "groups of parents) that refer to the school, all posts must be made in line with the "
    "school's policies. Employees should not use such groups to discuss pupils or colleagues."
)
CLASS_ACCOUNTS = (
    "A class or year-group account on social media is opened only with the Headteacher's "
    "agreement, is run by two members of staff, and never shows a pupil's full name or a "
    "pupil whose parents have not given consent."
)
CHANGE_2 = (
    "Private use at break and lunchtime only; a new paragraph on class social media accounts."
)
DOCUMENTS = (
    ("online_safety", "Online safety policy", "https://oakfield.example/policies/online-safety"),
    ("ict_code", "ICT code of conduct", "https://oakfield.example/policies/ict-code"),
    (
        "safer_working",
        "Guidance for safer working practice",
        "https://www.saferrecruitmentconsortium.org/",
    ),
)


def _staff(school: School) -> list[Person]:
    return list(
        Person.objects.filter(
            school=school,
            status=Person.Status.CURRENT,
            kind__in=store.STAFF_KINDS,
            user__isnull=False,
        ).order_by("pk")
    )


def _holder(people: list[Person], role: Role) -> Person | None:
    return next(
        (p for p in people if p.roles.filter(role=role, ended_at__isnull=True).exists()), None
    )


def load_demo_policy(school: School, reader: str = "", now: dt.datetime | None = None) -> bool:
    """The demo's policy story at ``school``; False (and nothing made) when the roster lacks a
    Headteacher with a log-in or the trust has no administrator. ``reader`` is the email of
    the demo's staff log-in: they read version 1 but not yet version 2, so the read page
    shows them what changed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    people = _staff(school)
    head = _holder(people, Role.HEADTEACHER)
    admin = OrganisationAdmin.objects.filter(organisation=school.organisation).first()
    if head is None or admin is None or len(people) < 6:
        return False
    with transaction.atomic():
        # Most staff read version 1 when they joined, months ago.
        for index, person in enumerate(people):
            if index % 7 != 6 or person.email == reader:
                store.acknowledge(person.user, school, 1)
        Acknowledgement.objects.filter(version__school=school).update(
            at=now - dt.timedelta(days=200)
        )

        # The school's own version 2, a fortnight ago: its words on private use, and a
        # clause of its own on class social media accounts.
        adapt.edit(head.user, school, "3", title="Internet use", text=SCHOOL_WORDS_3)
        adapt.add(
            head.user, school, "6.12", title="Class social media accounts", text=CLASS_ACCOUNTS
        )
        published = today - dt.timedelta(days=14)
        adapt.publish(
            head.user,
            school,
            effective_from=published,
            changes=[ChangeRow(published, "3 and 6.12", CHANGE_2)],
            note="Agreed by the governing board's staffing committee.",
        )
        PolicyVersion.objects.filter(school=school, number=2).update(
            published_at=now - dt.timedelta(days=15)
        )
        # About half the staff have read it so far (not the demo's staff log-in).
        for index, person in enumerate(people):
            if index % 2 == 0 and person.email != reader:
                store.acknowledge(person.user, school, 2)
        Acknowledgement.objects.filter(version__school=school, version__number=2).update(
            at=now - dt.timedelta(days=10)
        )

        # The trust has since revised its model: clause 3 (which the school also changed)
        # and 6.5. The Headteacher sees it on the adapt page and merges it, with one choice.
        adapt.edit(admin.user, school.organisation, "3", title="Internet use", text=MODEL_WORDS_3)
        title_6_5 = adapt.model_versions(school.organisation)[-1].clauses["6.5"].title
        adapt.edit(admin.user, school.organisation, "6.5", title=title_6_5, text=MODEL_WORDS_6_5)
        adapt.publish(
            admin.user,
            school.organisation,
            effective_from=today,
            changes=[ChangeRow(today, "3 and 6.5", "Messaging groups of parents added at 6.5.")],
        )

        for kind, title, url in DOCUMENTS:
            documents.add_link(head.user, school, kind, title, url)

        # A member of staff on long-term leave asks for more time to read version 2.
        waiting = next((p for p in people[1::2] if p.email != reader and p != head), None)
        if waiting is not None:
            adjustments.ask(
                waiting.user,
                school,
                "time",
                "I am on leave until after half term and will read it when I am back.",
                today + dt.timedelta(days=21),
            )
    return True
