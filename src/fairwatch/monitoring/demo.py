"""Made-up email activity for the demo school, so the activity pages and a monitoring exercise
have something to show. Written through `activity.record`, so it is pseudonymised like real
logs. (The demo's internet activity comes from a made-up proxy log taken in by the real
ingest: `fairwatch.internet.demo`.)"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from fairwatch.privacy.exercises import System
from fairwatch.schools.models import Person, School

from .activity import Event, record

MAIL = [
    ("sent", "mail to {n} school addresses"),
    ("sent", "mail to {n} outside addresses"),
    ("finding", "held: pupil name in a subject (4.3)"),
    ("finding", "warned: personal email address used (4.1)"),
]


def load_demo_activity(school: School, *, seed: int = 7, days: int = 45) -> int:
    rng = random.Random(seed)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    staff = list(
        Person.objects.filter(school=school, kind=Person.Kind.STAFF)
        .exclude(email="")
        .order_by("pk")
    )
    events: list[Event] = []
    for person in staff:
        for _ in range(rng.randint(2, 8)):
            when = now - dt.timedelta(days=rng.randint(0, days), hours=rng.randint(0, 9))
            kind, text = rng.choices(MAIL, weights=[20, 8, 1, 1])[0]
            events.append(
                Event(
                    identifier=person.email,
                    system=System.EMAIL,
                    occurred_at=when,
                    category=kind,
                    summary=text.format(n=rng.randint(1, 4)),
                    source="demo",
                )
            )
    return record(school, events)
