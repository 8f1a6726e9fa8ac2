"""The relay's link to the database: each school's setup (roster context and rules) and the
record of what the relay did (the audit trail, and the quarantine list the web app shows)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from fairwatch.audit import gate
from fairwatch.relay.policy import Action
from fairwatch.relay.server import SchoolSetup
from fairwatch.relay.spool import Spool
from fairwatch.schools.check_context import school_context
from fairwatch.schools.models import School

from .models import HeldMessage, RelayRule


def spool_path() -> Path:
    return Path(settings.VAR_DIR) / "relay" / "spool"


def spool() -> Spool:
    return Spool(spool_path())


def rules_for(school: School) -> dict[str, Action]:
    return {r.check_slug: Action.parse(r.action) for r in RelayRule.objects.filter(school=school)}


def setup_for(school: School) -> SchoolSetup:
    domain = school.domain_names[0] if school.domain_names else "invalid"
    return SchoolSetup(school_context(school), rules_for(school), f"fairwatch@{domain}")


# What each relay event is called in the audit trail. Passing mail is not recorded one by one:
# it is what the policy asks for, and a line per ordinary message would say nothing useful.
RECORDED = {
    "hold": "mail.hold",
    "reject": "mail.reject",
    "warn": "mail.warn",
    "failed": "mail.failed",
}


def record_event(kind: str, **details: Any) -> None:
    """The relay's `on_event`: called in a worker thread for each thing it does."""
    action = RECORDED.get(kind)
    if action is None:
        return
    try:
        _record(kind, action, details)
    finally:
        # The relay's worker threads are not Django's: hand the connection back each time,
        # rather than leave one open per thread for as long as the relay runs.
        connection.close()


def _record(kind: str, action: str, details: dict[str, Any]) -> None:
    school = School.objects.filter(slug=details.get("school", "")).first()
    if kind == "hold":
        HeldMessage.objects.get_or_create(
            spool_id=details["id"],
            defaults={
                "school": school,
                "sender": str(details.get("sender", "")).lower(),
                "recipients": list(details.get("to", [])),
                "subject": str(details.get("subject", ""))[:300],
                "findings": details.get("findings", []),
                "held_at": dt.datetime.now(dt.UTC),
            },
        )
    gate.record(
        user=None,
        action=action,
        outcome="done",
        school=school,
        object_type="mail",
        object_id=str(details.get("id", "")),
        clause=_clause(details),
        detail={
            # who sent it and what the checks said; never the message or its recipients
            "sender": details.get("sender", ""),
            "recipients": details.get("recipients"),
            "checks": sorted({f["check"] for f in details.get("findings", [])}),
            **({"why": details["why"]} if "why" in details else {}),
        },
    )


def _clause(details: dict[str, Any]) -> str:
    findings = details.get("findings") or []
    return str(findings[0].get("clause", "4")) if findings else "4"
