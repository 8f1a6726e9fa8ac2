"""Systematic monitoring of e-safety monitors' accounts (7.2.1): only on a recorded basis,
only the Headteacher and the DSL, every look on the trail, refusals opening breaches."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fairwatch.audit.models import AuditEntry
from fairwatch.monitoring import activity
from fairwatch.monitoring.models import Breach, SystematicBasis
from fairwatch.privacy.exercises import NotAllowed, System
from fairwatch.schools.models import Person


def person(cast, user) -> Person:
    return Person.objects.get(school=cast.school, user=user)


@pytest.fixture
def monitored(cast):
    for who in (cast.monitor, cast.teacher):
        p = person(cast, who)
        activity.record(
            cast.school,
            [
                activity.Event(
                    p.email,
                    System.INTERNET,
                    timezone.now() - dt.timedelta(days=1),
                    f"{p.surname.lower()}.example",
                    "news",
                )
            ],
        )
    return SystematicBasis.objects.create(
        school=cast.school,
        reason="E-safety monitors review flagged pupil activity, which can include harmful sites",
        legal_basis="UK GDPR art. 6(1)(e), the school's safeguarding duty",
        recorded_by=person(cast, cast.head),
    )


@pytest.mark.parametrize("who", ["head", "dsl"])
def test_the_head_and_the_dsl_see_the_monitors_activity_by_name_and_only_theirs(
    cast, monitored, who
):
    seen = activity.systematic(getattr(cast, who), cast.school)
    assert [m.person.surname for m in seen] == ["Mills"]
    assert [r.summary for r in seen[0].rows] == ["mills.example"]
    entry = AuditEntry.objects.get(action="monitoring.systematic")
    assert entry.clause == "7.2.1" and entry.outcome == "allowed"


@pytest.mark.parametrize("who", ["teacher", "it", "dpo", "monitor", "hr", "chair"])
def test_anyone_else_is_refused_and_a_breach_opened(cast, monitored, who):
    with pytest.raises(NotAllowed):
        activity.systematic(getattr(cast, who), cast.school)
    assert Breach.objects.count() == 1
    assert AuditEntry.objects.filter(action="monitoring.reveal", outcome="refused").exists()


def test_without_a_recorded_basis_nobody_sees_it(cast, monitored):
    monitored.ended_at = timezone.now()
    monitored.save()
    with pytest.raises(NotAllowed, match="no basis"):
        activity.systematic(cast.head, cast.school)


def test_the_page_is_offered_to_the_head_and_refused_to_others(client, cast, monitored):
    client.force_login(cast.head)
    assert "Systematic monitoring" in client.get("/activity/").content.decode()
    page = client.get("/activity/systematic/").content.decode()
    assert "Esther Mills" in page and "mills.example" in page
    assert "wren.example" not in page
    client.force_login(cast.it)
    assert "Systematic monitoring" not in client.get("/activity/").content.decode()
    assert client.get("/activity/systematic/").status_code == 403
