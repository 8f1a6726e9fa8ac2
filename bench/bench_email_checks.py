"""Email checks on real mail: messages/s, p50/p99 per message, and how much of it fires.

Reads the real corpora in ../shared/data/email (Enron mboxes, SpamAssassin ham) in place,
checks each message against the demo school's context (its roster, domains and partners) as
if a member of its staff had sent it (the sender is replaced by a school address, so the
sender checks do not fire merely because this is not the school's mail), and prints speed
and the share of messages with a finding of medium severity or above — a proxy for the
false-alarm rate, since none of this mail concerns the school. Parsing is timed separately.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from fairwatch import demo_data
from fairwatch.checks.context import RosterPerson, SchoolContext
from fairwatch.checks.engine import check_message, prepare
from fairwatch.checks.findings import Severity
from fairwatch.checks.message import Address
from fairwatch.checks.parse import read_file

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "email"


def demo_context() -> SchoolContext:
    """The demo school as the checks see it, built from the demo roster without a database."""
    roster = demo_data.generate()
    people, ids = [], {}
    for n, row in enumerate(roster.pupils, start=1):
        ids[row["upn"]] = n
        people.append(
            RosterPerson(
                n,
                "pupil",
                row["forename"],
                row["surname"],
                row["preferred_forename"],
                row["preferred_surname"],
                row["email"].lower(),
                row["upn"],
            )
        )
    contacts: dict[str, int] = {}
    links: dict[int, set[int]] = {}
    for row in roster.contacts:
        if row["contact_id"] not in contacts:
            contacts[row["contact_id"]] = cid = len(people) + 1
            people.append(
                RosterPerson(
                    cid, "contact", row["forename"], row["surname"], email=row["email"].lower()
                )
            )
        links.setdefault(contacts[row["contact_id"]], set()).add(ids[row["pupil_upn"]])
    for row in roster.staff:
        people.append(
            RosterPerson(
                len(people) + 1,
                "staff",
                row["forename"],
                row["surname"],
                row["preferred_name"],
                email=row["email"].lower(),
            )
        )
    return SchoolContext(
        slug=demo_data.SCHOOL_SLUG,
        name=demo_data.SCHOOL_NAME,
        domains=frozenset({demo_data.SCHOOL_DOMAIN}),
        pupil_domain=demo_data.PUPIL_DOMAIN,
        known_domains=frozenset({demo_data.ORG_DOMAIN, demo_data.HR_DOMAIN}),
        people=tuple(people),
        links={k: frozenset(v) for k, v in links.items()},
    )


def corpus_files() -> list[Path]:
    ham = sorted(p for p in (DATA / "ham").rglob("*") if p.is_file() and p.suffix != ".md")
    return sorted((DATA / "enron").glob("*.gz")) + ham


def main() -> None:
    if not DATA.is_dir():
        sys.exit(f"real mail not found at {DATA}: it sits beside the checkout in shared/data")
    context = demo_context()
    prepare(context)  # indexes and patterns are built once, at start-up, outside the timings
    parse_s, times, fired, total, checks = 0.0, [], 0, 0, Counter()
    staff = Address(f"staff@{demo_data.SCHOOL_DOMAIN}")
    for path in corpus_files():
        start = time.perf_counter()
        for _, message in read_file(path):
            parsed = time.perf_counter()
            parse_s += parsed - start
            message = replace(message, sender=staff)
            findings = check_message(message, context)
            done = time.perf_counter()
            if not message.attachments:
                times.append(done - parsed)
            serious = [f for f in findings if f.severity >= Severity.MEDIUM]
            total += 1
            fired += bool(serious)
            checks.update({f.check for f in serious})
            start = time.perf_counter()
    n = len(times)
    q = statistics.quantiles(times, n=100)
    print(f"messages checked: {n} without attachments (Enron + SpamAssassin ham)")
    print(
        f"checks: {n / sum(times):,.0f} messages/s in one process; "
        f"p50 {q[49] * 1000:.2f} ms, p99 {q[98] * 1000:.2f} ms per message"
    )
    print(f"parsing (separate): {parse_s:.1f} s in all")
    print(f"flagged medium or above: {fired} of {total} messages ({fired / total:.1%})")
    for check, count in checks.most_common():
        print(f"  {check:<40} {count:>6} ({count / total:.1%})")


if __name__ == "__main__":
    main()
