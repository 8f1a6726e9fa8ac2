"""The school the relay benchmark checks mail for: a one-form-entry primary of about 200 pupils,
40 staff and 300 parents and carers, built from the demo roster without a database (no Django),
so that the name checks search a roster of realistic size. Shared by bench/bench_relay.py
(which writes mail about these people) and bench/relay_runner.py (whose relay checks it).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from fairwatch import demo_data
from fairwatch.checks.context import SchoolContext

sys.path.insert(0, str(Path(__file__).resolve().parent))
from demo_school import context_of  # noqa: E402

PUPILS_PER_YEAR = 30  # 7 year groups: about 210 pupils
STAFF = 40  # the demo roster has 28; the rest are drawn from its name lists
SEED = 20260514  # one where no member of staff shares a pupil's name

DOMAIN = demo_data.SCHOOL_DOMAIN
PUPIL_DOMAIN = demo_data.PUPIL_DOMAIN
PARTNERS = (demo_data.ORG_DOMAIN, demo_data.HR_DOMAIN, "norfolk.gov.uk")
NOTICES_FROM = f"fairwatch@{DOMAIN}"


def school_context(seed: int = SEED) -> SchoolContext:
    """The same seed always gives the same school."""
    roster = demo_data.generate(seed, pupils_per_year=PUPILS_PER_YEAR)
    rng = random.Random(seed)
    used = {row["email"].lower() for row in roster.staff}
    taken = {(r["forename"], r["surname"]) for r in (*roster.pupils, *roster.contacts)}
    more: list[tuple[str, str, str, str]] = []
    while len(roster.staff) + len(more) < STAFF:  # no member of staff shares a pupil's name
        forename = rng.choice(demo_data.FEMALE_NAMES + demo_data.MALE_NAMES)
        surname = rng.choice(demo_data.SURNAMES)
        email = f"{demo_data.ascii_slug(forename)[0]}{demo_data.ascii_slug(surname)}@{DOMAIN}"
        if email not in used and (forename, surname) not in taken:
            used.add(email)
            more.append((forename, surname, "", email))
    return context_of(roster, more_staff=more, partners=PARTNERS)
