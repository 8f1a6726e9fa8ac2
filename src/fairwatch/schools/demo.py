"""Load the fictional demo school through the real roster import, once."""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction

from fairwatch import demo_data
from fairwatch.web.keys import read_or_create_key

from .models import Organisation, School
from .roster import import_roster, read_roster_file
from .services import create_school, make_org_admin


def demo_password() -> str:
    """The password of every demo log-in, generated once per installation into var/."""
    return read_or_create_key(Path(settings.VAR_DIR) / "demo_password")[:16]


def load_demo() -> dict[str, Any]:
    """Create the demo trust, school, roster and log-ins if absent; report the log-ins."""
    roster = demo_data.generate()
    logins = demo_data.demo_login_for_role(roster)
    school = School.objects.filter(slug=demo_data.SCHOOL_SLUG).first()
    created = school is None
    held: list = []
    if created:
        with _emails_held(held):
            school = _load(roster, logins)
    return {
        "created": created,
        "school": school.slug,
        "school_name": school.name,
        "password": demo_password(),
        "emails_held": len(held),
        "logins": logins,
    }


def _load(roster, logins: dict[str, str]) -> School:
    """The demo trust, school, roster, log-ins and each part's demo data, in one go."""
    with transaction.atomic():
        org = Organisation.objects.filter(slug=demo_data.ORG_SLUG).first()
        if org is None:
            org = Organisation.objects.create(
                slug=demo_data.ORG_SLUG, name=demo_data.ORG_NAME, kind=Organisation.Kind.TRUST
            )
        school = create_school(
            slug=demo_data.SCHOOL_SLUG,
            name=demo_data.SCHOOL_NAME,
            domains=[demo_data.SCHOOL_DOMAIN],
            pupil_domain=demo_data.PUPIL_DOMAIN,
            organisation=org,
        )
        with tempfile.TemporaryDirectory() as folder:
            paths = demo_data.write_csvs(roster, Path(folder))
            import_roster(school, **{k: read_roster_file(k, p) for k, p in paths.items()})
        admin = demo_data.ORG_ADMIN
        make_org_admin(org, admin["email"], f"{admin['forename']} {admin['surname']}")
        password = demo_password()
        for user in get_user_model().objects.filter(username__in=set(logins.values())):
            user.set_password(password)
            user.save(update_fields=["password"])
        from fairwatch.concerns.demo import load_demo_cases
        from fairwatch.internet.demo import load_demo_internet
        from fairwatch.monitoring.demo import load_demo_activity
        from fairwatch.policy.demo import load_demo_policy

        load_demo_activity(school)
        load_demo_internet(school)
        load_demo_cases(school)
        load_demo_policy(school, reader=logins["staff"])
    return school


@contextmanager
def _emails_held(held: list):
    """Keep the emails the demo's steps send (a concern for you, please read the policy...)
    out of the console: under `make run` they would bury the log-ins. `held` gets them."""
    backend = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    before = len(getattr(mail, "outbox", []))
    try:
        yield
    finally:
        settings.EMAIL_BACKEND = backend
        held.extend(getattr(mail, "outbox", [])[before:])
