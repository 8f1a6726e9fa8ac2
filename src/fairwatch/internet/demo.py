"""Internet use for the demo school: a fortnight of a made-up proxy log, taken in through the
real ingest (so the dashboard, the alerts and the pseudonyms are what a school would see), and
the private-use register with one permission granted and one waiting."""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from pathlib import Path

from django.utils import timezone

from fairwatch.roles import Role
from fairwatch.schools.models import Person, School

from . import ingest
from .models import PrivateUse

# (host, weight): school work first, some private use, and now and then a phishing page
# (caught and blocked), which is what raises the demo's alert.
HOSTS = [
    ("www.bbc.co.uk", 30),
    ("www.twinkl.co.uk", 25),
    ("www.oaknationalacademy.org", 15),
    ("nrich.maths.org", 8),
    ("www.theguardian.com", 8),
    ("www.schoolsweek.co.uk", 6),
    ("login.microsoftonline.com", 20),
    ("outlook.office365.com", 20),
    ("www.amazon.co.uk", 5),
    ("www.ebay.co.uk", 2),
    ("www.facebook.com", 3),
    ("www.instagram.com", 2),
    ("mail.google.com", 2),
    ("poki.com", 1),
    ("www.bet365.com", 0.2),
]
PHISHING = "paypa1-secure.example"


def _log(school: School, folder: Path, rng: random.Random, days: int) -> Path | None:
    staff = list(
        Person.objects.filter(school=school, kind=Person.Kind.STAFF).exclude(email="")[:40]
    )
    if not staff:
        return None
    hosts, weights = zip(*HOSTS, strict=True)
    today = timezone.localdate()
    lines: list[str] = []
    for back in range(days, 0, -1):
        day = today - dt.timedelta(days=back)
        if day.weekday() >= 5:
            continue
        for person in staff:
            user = person.email.split("@")[0]
            client = f"10.20.{person.pk % 250}.{rng.randint(10, 250)}"
            for _ in range(rng.randint(5, 40)):
                at = timezone.make_aware(
                    dt.datetime.combine(day, dt.time(rng.randint(8, 16), rng.randint(0, 59)))
                )
                host = rng.choices(hosts, weights)[0]
                lines.append(
                    f"{at.timestamp():.3f} {rng.randint(20, 900):6d} {client} TCP_TUNNEL/200 "
                    f"{rng.randint(500, 90000)} CONNECT {host}:443 {user} HIER_DIRECT/"
                    f"192.0.2.{rng.randint(1, 200)} -"
                )
    someone = staff[len(staff) // 2]
    at = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=1), dt.time(13, 12)))
    for n in range(3):  # a link in an email, clicked: the filter refused it
        lines.append(
            f"{at.timestamp() + n * 40:.3f} {3:6d} 10.20.{someone.pk % 250}.9 TCP_DENIED/403 "
            f"3900 CONNECT {PHISHING}:443 {someone.email.split('@')[0]} HIER_NONE/- text/html"
        )
    lines.sort()
    path = folder / "access.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load_demo_internet(school: School, *, seed: int = 11, days: int = 14) -> None:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        log = _log(school, Path(folder), rng, days)
        if log is not None:
            ingest.run(school, [log], by="demo")
    staff = list(
        Person.objects.filter(school=school, kind=Person.Kind.STAFF)
        .exclude(email="")
        .exclude(roles__role__in=[Role.HEADTEACHER, Role.DSL])
        .order_by("pk")[:2]
    )
    head = Person.objects.filter(school=school, roles__role=Role.HEADTEACHER).first()
    if len(staff) < 2 or head is None:
        return
    today = timezone.localdate()
    PrivateUse.objects.create(
        school=school,
        person=staff[0],
        purpose="Checking my bank and paying bills at lunchtime",
        categories=["shopping"],
        starts=today - dt.timedelta(days=20),
        expires=today + dt.timedelta(days=70),
        state=PrivateUse.State.GRANTED,
        decided_by=head,
        decided_at=timezone.now() - dt.timedelta(days=20),
        reason="Lunchtimes and after school only.",
    )
    PrivateUse.objects.create(
        school=school,
        person=staff[1],
        purpose="Personal email while on a residential trip",
        categories=["webmail"],
        starts=today,
        expires=today + dt.timedelta(days=14),
    )
