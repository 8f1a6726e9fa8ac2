"""The breach register (5.2): anyone reports, only the DPO keeps the register; the 72-hour
countdown, closing and reopening, the audit trail, and the same through the pages and the API."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from fairwatch.audit.gate import Refused
from fairwatch.audit.models import AuditEntry
from fairwatch.monitoring import breaches, exercises
from fairwatch.monitoring.breaches import InvalidBreach
from fairwatch.monitoring.models import Breach, Exercise
from fairwatch.schools.models import Person
from fairwatch.schools.services import issue_token

NOW = timezone.make_aware(dt.datetime(2026, 3, 5, 10, 0))
HOUR = dt.timedelta(hours=1)
WHAT = "Year 4 reading report for one pupil emailed to the wrong parent"
API = "/api/v1/schools"
# Who holds which role at Oak; the org admin holds none there, the outsider none anywhere.
REPORTERS = ["head", "dsl", "dpo", "it", "teacher", "monitor", "hr", "chair"]
NOT_REPORTERS = ["org_admin", "outsider"]
NOT_DPO = [name for name in REPORTERS + NOT_REPORTERS if name != "dpo"]


def person(cast, user) -> Person:
    return Person.objects.get(school=cast.school, user=user)


def reported(cast, found_at=NOW - HOUR, **fields) -> Breach:
    return breaches.report(
        cast.teacher, cast.school, what=WHAT, found_at=found_at, now=NOW, **fields
    )


def automatic(cast, found_at=NOW - HOUR, school=None) -> Breach:
    """A breach as a refused reveal opens it (see exercises.reveal)."""
    school = school or cast.school
    subject = person(cast, cast.teacher)
    exercise = Exercise.objects.create(school=school, requester=subject, subject=subject)
    return Breach.objects.create(
        school=school,
        source=Breach.Source.REFUSED_ACCESS,
        what="it@oak.example tried to see identified monitoring data: not named on the exercise",
        found_at=found_at,
        exercise=exercise,
        audit_seq=4242,
    )


def decided(cast, breach, **fields) -> Breach:
    values = {"risk": "low", "reportable": False, "now": NOW} | fields
    return breaches.update(cast.dpo, breach, **values)


def entries(action, outcome=None):
    qs = AuditEntry.objects.filter(action=action)
    return qs.filter(outcome=outcome) if outcome else qs


# --- reporting -----------------------------------------------------------------------------


def test_everyone_with_a_role_at_the_school_may_report_a_breach_and_nobody_else(cast):
    for name in REPORTERS:
        breach = breaches.report(
            getattr(cast, name), cast.school, what=WHAT, found_at=NOW - HOUR, now=NOW
        )
        assert breach.reported_by.user == getattr(cast, name), name
    for name in NOT_REPORTERS:
        with pytest.raises(Refused):
            breaches.report(
                getattr(cast, name), cast.school, what=WHAT, found_at=NOW - HOUR, now=NOW
            )
    assert Breach.objects.count() == len(REPORTERS)
    assert entries("breach.report", "done").count() == len(REPORTERS)
    assert entries("breach.report", "refused").count() == len(NOT_REPORTERS)


def test_a_report_is_recorded_by_hand_with_its_reporter_and_an_audit_entry(cast):
    breach = reported(cast, people_affected="  One pupil and her mother ")

    assert breach.source == Breach.Source.REPORTED
    assert breach.reported_by == person(cast, cast.teacher)
    assert breach.reported_at == NOW
    assert breach.people_affected == "One pupil and her mother"
    assert breach.report_by == NOW - HOUR + dt.timedelta(hours=72)
    entry = entries("breach.report", "done").get()
    assert (entry.clause, entry.object_type, entry.object_id) == ("5.2", "breach", str(breach.pk))
    assert entry.role == "staff" and entry.purpose == "data protection"
    assert "wrong parent" not in json.dumps(entry.detail)  # the trail keeps no contents


def test_a_breach_cannot_have_been_found_in_the_future_or_be_reported_empty(cast):
    with pytest.raises(InvalidBreach) as caught:
        breaches.report(cast.teacher, cast.school, what="  ", found_at=NOW + HOUR, now=NOW)

    assert caught.value.errors == {
        "what": "Say what happened.",
        "found_at": "The time it was found cannot be in the future. "
        "It is now 5 March 2026 at 10:00.",
    }
    assert not Breach.objects.exists()
    # A clock a moment fast is not the future.
    assert reported(cast, found_at=NOW + dt.timedelta(seconds=30)).found_at > NOW


def test_a_time_without_a_zone_is_read_as_uk_time(cast):
    summer = dt.datetime(2025, 7, 1, 9, 30)
    breach = reported(cast, found_at=summer)

    assert breach.found_at == dt.datetime(2025, 7, 1, 8, 30, tzinfo=dt.UTC)


# --- the register --------------------------------------------------------------------------


def test_only_the_dpo_opens_the_register_and_each_refusal_is_recorded(cast):
    for name in NOT_DPO:
        with pytest.raises(Refused):
            breaches.register(getattr(cast, name), cast.school)
    assert list(breaches.register(cast.dpo, cast.school)) == []

    refused = entries("breach.manage", "refused")
    assert refused.count() == len(NOT_DPO)
    assert set(refused.values_list("purpose", flat=True)) == {"data protection"}
    assert entries("breach.manage", "allowed").get().object_type == "breach_register"


def test_open_breaches_come_first_soonest_deadline_first_then_the_closed_ones(cast):
    later = reported(cast, found_at=NOW - HOUR)
    sooner = reported(cast, found_at=NOW - 30 * HOUR)
    refused = automatic(cast, found_at=NOW - 5 * HOUR)
    closed_first = decided(cast, reported(cast, found_at=NOW - 90 * HOUR))
    breaches.close(cast.dpo, closed_first, note="Parent deleted it", now=NOW)
    closed_last = decided(cast, reported(cast, found_at=NOW - 80 * HOUR))
    breaches.close(cast.dpo, closed_last, note="Parent deleted it", now=NOW + HOUR)
    elsewhere = automatic(cast, school=cast.other_school)

    def ids(state):
        return [b.pk for b in breaches.register(cast.dpo, cast.school, state=state)]

    assert ids("open") == [sooner.pk, refused.pk, later.pk]
    assert ids("closed") == [closed_last.pk, closed_first.pk]
    assert ids("all") == [sooner.pk, refused.pk, later.pk, closed_last.pk, closed_first.pk]
    assert elsewhere.pk not in ids("all")
    with pytest.raises(InvalidBreach, match="Choose open, closed or all"):
        breaches.register(cast.dpo, cast.school, state="overdue")


def test_another_schools_breach_is_not_found(cast):
    elsewhere = automatic(cast, school=cast.other_school)

    with pytest.raises(Breach.DoesNotExist):
        breaches.get(cast.dpo, cast.school, elsewhere.pk)
    with pytest.raises(Refused):  # refused before anyone learns whether the id exists
        breaches.get(cast.head, cast.school, elsewhere.pk)


# --- the DPO's assessment ------------------------------------------------------------------


def test_the_dpo_updates_a_breach_and_the_trail_names_the_fields_not_their_values(cast):
    breach = reported(cast, people_affected="One pupil")

    breach = breaches.update(
        cast.dpo,
        breach,
        risk="Medium",
        reportable=True,
        actions="Asked the parent to delete the email",
        people_affected="One pupil",  # unchanged
        ico_reported_at=NOW,
        ico_reference="IC-123456-A1B2",
        now=NOW,
    )

    breach.refresh_from_db()
    assert (breach.risk, breach.reportable, breach.ico_reported_at) == ("medium", True, NOW)
    assert breach.actions == "Asked the parent to delete the email"
    entry = entries("breach.update", "done").get()
    assert entry.detail == {
        "changed": ["actions", "ico_reference", "ico_reported_at", "reportable", "risk"]
    }
    assert entry.role == "dpo" and entry.clause == "5.2"


def test_fields_not_given_are_left_as_they_are(cast):
    breach = decided(cast, reported(cast), actions="Recalled the email")

    breach = breaches.update(cast.dpo, breach, risk="high", now=NOW)

    assert (breach.risk, breach.reportable, breach.actions) == ("high", False, "Recalled the email")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"risk": "severe"}, "risk", "Choose low, medium or high for the risk."),
        (
            {"reportable": True, "ico_reported_at": NOW - 2 * HOUR},
            "ico_reported_at",
            "The ICO cannot have been told before the breach was found (5 March 2026 at 09:00).",
        ),
        (
            {"ico_reported_at": NOW + HOUR},
            "ico_reported_at",
            "The time the ICO was told cannot be in the future.",
        ),
        ({"ico_reference": "x" * 65}, "ico_reference", "64 characters or fewer"),
        ({"found_at": NOW + 3 * HOUR}, "found_at", "cannot be in the future"),
    ],
)
def test_an_update_that_does_not_make_sense_is_refused_plainly(cast, fields, field, message):
    breach = reported(cast)

    with pytest.raises(InvalidBreach) as caught:
        breaches.update(cast.dpo, breach, now=NOW, **fields)

    assert message in caught.value.errors[field]
    breach.refresh_from_db()
    assert breach.risk == "" and breach.ico_reported_at is None
    assert not entries("breach.update", "done").exists()


def test_the_dpo_corrects_when_a_reported_breach_was_found_but_not_an_automatic_one(cast):
    breach = breaches.update(cast.dpo, reported(cast), found_at=NOW - 10 * HOUR, now=NOW)
    assert breach.found_at == NOW - 10 * HOUR

    with pytest.raises(InvalidBreach, match="opened by a refused access"):
        breaches.update(cast.dpo, automatic(cast), found_at=NOW - 10 * HOUR, now=NOW)


def test_only_the_dpo_changes_a_breach_and_each_refusal_is_recorded(cast):
    breach = reported(cast)
    closed = decided(cast, reported(cast))
    breaches.close(cast.dpo, closed, note="Done", now=NOW)

    for name in NOT_DPO:
        user = getattr(cast, name)
        with pytest.raises(Refused):
            breaches.update(user, breach, risk="low", now=NOW)
        with pytest.raises(Refused):
            breaches.close(user, breach, note="Done", now=NOW)
        with pytest.raises(Refused):
            breaches.reopen(user, closed, "More to do", now=NOW)

    for action in ("breach.update", "breach.close", "breach.reopen"):
        refused = entries(action, "refused")
        assert refused.count() == len(NOT_DPO), action
        assert set(refused.values_list("clause", flat=True)) == {"5.2"}
    breach.refresh_from_db()
    closed.refresh_from_db()
    assert breach.risk == "" and breach.closed_at is None and closed.closed_at is not None


# --- closing and reopening -----------------------------------------------------------------


def test_a_breach_closes_only_once_its_risk_and_reporting_are_decided(cast):
    breach = reported(cast)

    with pytest.raises(InvalidBreach) as caught:
        breaches.close(cast.dpo, breach, note="", now=NOW)
    assert caught.value.errors == {
        "risk": "Set the risk (low, medium or high) before closing the breach.",
        "reportable": "Decide whether the breach must be reported to the ICO before closing it.",
        "note": "Write a closing note: what was done and why the breach can close.",
    }

    breaches.update(cast.dpo, breach, risk="high", reportable=True, now=NOW)
    with pytest.raises(InvalidBreach) as caught:
        breaches.close(cast.dpo, breach, note="Parent deleted it", now=NOW)
    assert caught.value.errors == {
        "ico_reported_at": "The breach must be reported to the ICO: record when they were "
        "told before closing it."
    }
    assert not entries("breach.close", "done").exists()

    breaches.update(cast.dpo, breach, ico_reported_at=NOW, now=NOW)
    breach = breaches.close(cast.dpo, breach, note="Parent deleted it", now=NOW + HOUR)

    assert breach.closed_at == NOW + HOUR
    assert breach.closed_by == person(cast, cast.dpo)
    assert breach.closure_note == "Parent deleted it"
    entry = entries("breach.close", "done").get()
    assert entry.object_id == str(breach.pk) and entry.clause == "5.2"


def test_a_closed_breach_is_reopened_with_a_reason_before_it_can_change(cast):
    breach = decided(cast, reported(cast), actions="Recalled the email")
    breach = breaches.close(cast.dpo, breach, note="Recalled in time", now=NOW)

    with pytest.raises(InvalidBreach, match="This breach is closed. Reopen it to change it."):
        breaches.update(cast.dpo, breach, risk="high", now=NOW)
    with pytest.raises(InvalidBreach, match="already closed"):
        breaches.close(cast.dpo, breach, note="Again", now=NOW)
    with pytest.raises(InvalidBreach, match="Say why the breach is being reopened."):
        breaches.reopen(cast.dpo, breach, "  ", now=NOW)

    breach = breaches.reopen(cast.dpo, breach, "The parent forwarded it on", now=NOW + HOUR)

    assert breach.closed_at is None and breach.closed_by is None and breach.closure_note == ""
    assert breach.actions.startswith("Recalled the email\n\n")
    assert "Closed on 5 March 2026 at 10:00 by Peter Okafor: Recalled in time" in breach.actions
    assert "Reopened on 5 March 2026 at 11:00 by Peter Okafor: The parent forwarded it on" in (
        breach.actions
    )
    assert entries("breach.reopen", "done").get().object_id == str(breach.pk)
    with pytest.raises(InvalidBreach, match="open already"):
        breaches.reopen(cast.dpo, breach, "Again", now=NOW)
    assert breaches.update(cast.dpo, breach, risk="high", now=NOW).risk == "high"


# --- the 72 hours --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "words", "overdue"),
    [
        (dt.timedelta(0), "3 days left", False),
        (10 * HOUR, "2 days 14 hours left", False),
        (46 * HOUR + dt.timedelta(minutes=30), "1 day 1 hour left", False),
        (70 * HOUR + dt.timedelta(minutes=15), "1 hour 45 minutes left", False),
        (72 * HOUR - dt.timedelta(seconds=20), "less than a minute left", False),
        (72 * HOUR + dt.timedelta(minutes=1), "overdue by 1 minute", True),
        (75 * HOUR, "overdue by 3 hours", True),
        (72 * HOUR + dt.timedelta(days=2, hours=5), "overdue by 2 days 5 hours", True),
    ],
)
def test_the_countdown_runs_from_when_the_breach_was_found(after, words, overdue):
    breach = Breach(source=Breach.Source.REPORTED, what=WHAT, found_at=NOW)

    countdown = breaches.time_left(breach, NOW + after)

    assert countdown.words == words
    assert countdown.overdue is overdue
    assert countdown.left == 72 * HOUR - after


def test_the_countdown_stops_once_reporting_is_decided(cast):
    not_reportable = decided(cast, reported(cast, found_at=NOW))
    on_time = decided(cast, reported(cast, found_at=NOW), reportable=True)
    breaches.update(cast.dpo, on_time, ico_reported_at=NOW, now=NOW)
    late = reported(cast, found_at=NOW - 80 * HOUR)
    breaches.update(cast.dpo, late, reportable=True, ico_reported_at=NOW, now=NOW)
    undecided_yet = decided(cast, reported(cast, found_at=NOW - 80 * HOUR), reportable=None)

    later = NOW + 100 * HOUR
    countdown = breaches.time_left(not_reportable, later)
    assert (countdown.words, countdown.overdue) == ("not reportable", False)
    assert countdown.left == -28 * HOUR
    on_time.refresh_from_db()
    late.refresh_from_db()
    assert breaches.time_left(on_time, later).words == (
        "reported to the ICO on 5 March 2026 at 10:00, within the 72 hours"
    )
    assert breaches.time_left(late, later).words == (
        "reported to the ICO on 5 March 2026 at 10:00, 8 hours after the deadline"
    )
    assert not breaches.time_left(late, later).overdue
    assert breaches.time_left(undecided_yet, NOW).words == "overdue by 8 hours"


# --- pages ---------------------------------------------------------------------------------


def page(client, user, url, data=None):
    client.force_login(user)
    return client.post(url, data) if data is not None else client.get(url)


def test_only_the_dpo_opens_the_register_page(client, cast):
    for name in NOT_DPO:
        assert page(client, getattr(cast, name), "/breaches/").status_code == 403, name
    assert page(client, cast.dpo, "/breaches/").status_code == 200


def test_the_register_page_shows_each_breach_with_its_deadline_and_countdown(client, cast):
    now = timezone.now()
    overdue = breaches.report(cast.teacher, cast.school, what=WHAT, found_at=now - 80 * HOUR)
    fresh = breaches.report(cast.teacher, cast.school, what="Lost a USB stick", found_at=now)
    refused = automatic(cast, found_at=now - HOUR)

    html = page(client, cast.dpo, "/breaches/").content.decode()

    assert html.index(f"/breaches/{overdue.pk}/") < html.index(f"/breaches/{refused.pk}/")
    assert html.index(f"/breaches/{refused.pk}/") < html.index(f"/breaches/{fresh.pk}/")
    assert '<span class="countdown overdue">Overdue by 8 hours</span>' in html
    assert '<span class="countdown">2 days 23 hours left</span>' in html
    report_by = timezone.localtime(overdue.report_by).strftime("%Y-%m-%dT%H:%M:%S%z")
    assert f'<time datetime="{report_by}">' in html
    assert "Refused or out-of-scope access to monitoring data" in html
    assert "Reported by hand" in html
    assert "3 open breaches" in html and "1 past the 72 hours" in html
    assert 'aria-current="page">Open</a>' in html


def test_the_register_page_tabs_show_open_closed_and_all(client, cast):
    kept = reported(cast)
    gone = decided(cast, reported(cast, found_at=NOW - 5 * HOUR))
    breaches.close(cast.dpo, gone, note="Nothing more to do", now=NOW)

    def listed(state):
        html = page(client, cast.dpo, f"/breaches/?state={state}").content.decode()
        return {int(i) for i in re.findall(r'href="/breaches/(\d+)/"', html)}

    assert listed("open") == {kept.pk}
    assert listed("closed") == {gone.pk}
    assert listed("all") == {kept.pk, gone.pk}
    assert listed("nonsense") == {kept.pk}


def test_a_member_of_staff_reports_a_breach_and_sees_a_confirmation_only(client, cast):
    form = page(client, cast.teacher, "/breaches/report/").content.decode()
    today = timezone.localtime().strftime("%Y-%m-%dT")
    assert re.search(rf'type="datetime-local" name="found_at" value="{today}\d\d:\d\d"', form)
    assert '<label for="id_what">What happened</label>' in form

    response = page(
        client,
        cast.teacher,
        "/breaches/report/",
        {"what": WHAT, "found_at": "2026-03-05T09:15", "people_affected": "One family"},
    )

    breach = Breach.objects.get()
    assert response.status_code == 302 and response.url == "/breaches/report/done/"
    assert breach.found_at == timezone.make_aware(dt.datetime(2026, 3, 5, 9, 15))
    assert breach.reported_by == person(cast, cast.teacher)
    done = client.get("/breaches/report/done/").content.decode()
    assert f"Your report is number <strong>{breach.pk}</strong>" in done
    assert "Peter Okafor, the data protection officer," in done
    assert WHAT not in done
    assert client.get("/breaches/report/done/").status_code == 302  # shown once
    assert client.get("/breaches/").status_code == 403


def test_the_dpo_goes_straight_to_the_breach_they_reported(client, cast):
    response = page(
        client, cast.dpo, "/breaches/report/", {"what": WHAT, "found_at": "2026-03-05T09:15"}
    )

    assert response.url == f"/breaches/{Breach.objects.get().pk}/"


def test_a_report_with_problems_shows_them_next_to_the_fields(client, cast):
    tomorrow = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    html = page(
        client, cast.teacher, "/breaches/report/", {"what": "", "found_at": tomorrow}
    ).content.decode()

    assert not Breach.objects.exists()
    assert 'class="error-summary" role="alert"' in html
    assert '<a href="#id_what">Say what happened.</a>' in html
    assert 'aria-describedby="id_what-hint id_what-error"' in html
    assert 'aria-invalid="true"' in html

    html = page(
        client, cast.teacher, "/breaches/report/", {"what": WHAT, "found_at": tomorrow}
    ).content.decode()
    assert not Breach.objects.exists()
    assert '<a href="#id_found_at">The time it was found cannot be in the future.' in html
    assert 'id="id_found_at-error"' in html


def test_the_trust_administrator_cannot_report_here(client, cast):
    assert page(client, cast.org_admin, "/breaches/report/").status_code == 403
    response = page(
        client, cast.org_admin, "/breaches/report/", {"what": WHAT, "found_at": "2026-03-05T09:15"}
    )
    assert response.status_code == 403
    assert entries("breach.report", "refused").count() == 1


def test_the_breach_page_shows_the_countdown_and_where_an_automatic_breach_came_from(client, cast):
    breach = automatic(cast, found_at=timezone.now() - 70 * HOUR)

    html = page(client, cast.dpo, f"/breaches/{breach.pk}/").content.decode()

    assert re.search(r'<span class="countdown">1 hour 5\d minutes left</span>', html)
    assert f"Exercise {breach.exercise.ref}" in html
    assert "#4242" in html
    assert 'name="found_at"' not in html  # found when the refused access happened
    assert entries("breach.manage", "allowed").get().object_id == str(breach.pk)
    for name in NOT_DPO:
        assert page(client, getattr(cast, name), f"/breaches/{breach.pk}/").status_code == 403


def test_another_schools_breach_page_is_not_found(client, cast):
    elsewhere = automatic(cast, school=cast.other_school)

    assert page(client, cast.dpo, f"/breaches/{elsewhere.pk}/").status_code == 404


def test_the_dpo_assesses_closes_and_reopens_a_breach_on_its_page(client, cast):
    breach = reported(cast)
    url = f"/breaches/{breach.pk}/"

    html = page(client, cast.dpo, url, {"do": "close", "note": "All done"}).content.decode()
    assert '<a href="#id_risk">Set the risk' in html
    assert '<a href="#id_reportable_0">Decide whether' in html
    assert Breach.objects.get().closed_at is None

    assessment = {
        "do": "update",
        "risk": "medium",
        "reportable": "yes",
        "ico_reported_at": "2026-03-05T09:30",
        "ico_reference": "IC-1",
        "people_affected": "One family",
        "actions": "Asked the parent to delete it",
        "found_at": "2026-03-05T09:00",
    }
    response = page(client, cast.dpo, url, assessment)
    assert response.status_code == 302 and response.url == url
    breach.refresh_from_db()
    assert (breach.risk, breach.reportable, breach.ico_reference) == ("medium", True, "IC-1")
    html = client.get(url).content.decode()
    assert "Your changes are saved." in html
    assert "Reported to the ICO on 5 March 2026 at 09:30, within the 72 hours" in html

    assert page(client, cast.dpo, url, {"do": "close", "note": "Deleted"}).status_code == 302
    html = client.get(url).content.decode()
    assert "The breach is closed." in html and "Reopen the breach" in html
    assert "Save the assessment" not in html

    assert page(client, cast.dpo, url, {"do": "reopen", "reason": "More found"}).status_code == 302
    breach.refresh_from_db()
    assert breach.closed_at is None and "More found" in breach.actions


def test_an_assessment_with_problems_is_shown_next_to_the_field(client, cast):
    breach = reported(cast, found_at=NOW)

    html = page(
        client,
        cast.dpo,
        f"/breaches/{breach.pk}/",
        {
            "do": "update",
            "risk": "low",
            "reportable": "yes",
            "ico_reported_at": "2026-03-01T09:00",
            "found_at": "2026-03-05T10:00",
        },
    ).content.decode()

    assert "The ICO cannot have been told before the breach was found" in html
    assert 'id="id_ico_reported_at-error"' in html
    breach.refresh_from_db()
    assert breach.risk == ""


# --- the API -------------------------------------------------------------------------------


def bearer(user) -> dict[str, str]:
    _, secret = issue_token(user, "tests")
    return {"Authorization": f"Bearer {secret}"}


def call(client, method, url, user, body=None):
    return getattr(client, method)(
        url,
        json.dumps(body) if body is not None else None,
        content_type="application/json",
        headers=bearer(user),
    )


def test_the_api_lists_the_register_for_the_dpo_with_the_deadline(client, cast):
    found = timezone.now() - 10 * HOUR
    breach = breaches.report(cast.teacher, cast.school, what=WHAT, found_at=found)

    response = call(client, "get", f"{API}/oak/breaches", cast.dpo)

    assert response.status_code == 200
    [item] = response.json()
    assert item["id"] == breach.pk and item["source"] == "reported"
    report_by = dt.datetime.fromisoformat(item["report_by"])
    assert abs(report_by - breach.report_by) < dt.timedelta(milliseconds=1)
    assert 62 * 3600 - 60 < item["seconds_left"] <= 62 * 3600
    assert item["countdown"] == "2 days 13 hours left" and item["state"] == "open"
    assert item["reported_by"]["display_name"] == "Tom Wren"
    assert call(client, "get", f"{API}/oak/breaches?state=closed", cast.dpo).json() == []
    invalid = call(client, "get", f"{API}/oak/breaches?state=late", cast.dpo)
    assert invalid.status_code == 422 and "state" in invalid.json()["errors"]


def test_the_api_register_is_for_the_dpo_of_that_school_only(client, cast):
    assert call(client, "get", f"{API}/oak/breaches", cast.head).status_code == 403
    assert call(client, "get", f"{API}/elm/breaches", cast.dpo).status_code == 404
    elsewhere = automatic(cast, school=cast.other_school)
    assert call(client, "get", f"{API}/oak/breaches/{elsewhere.pk}", cast.dpo).status_code == 404


def test_staff_report_a_breach_through_the_api(client, cast):
    response = call(
        client,
        "post",
        f"{API}/oak/breaches",
        cast.monitor,
        {"what": WHAT, "found_at": "2026-03-05T09:15:00+00:00", "people_affected": "One"},
    )

    assert response.status_code == 201
    body = response.json()
    breach = Breach.objects.get(pk=body["id"])
    assert breach.reported_by == person(cast, cast.monitor)
    assert body["found_at"].startswith("2026-03-05T09:15")
    assert "seconds_left" in body and "report_by" in body
    future = call(
        client,
        "post",
        f"{API}/oak/breaches",
        cast.monitor,
        {"what": WHAT, "found_at": "2099-01-01T00:00:00+00:00"},
    )
    assert future.status_code == 422
    assert "cannot be in the future" in future.json()["errors"]["found_at"]
    nobody = call(client, "post", f"{API}/oak/breaches", cast.org_admin, {"what": WHAT})
    assert nobody.status_code == 403


def test_the_dpo_updates_closes_and_reopens_through_the_api(client, cast):
    breach = breaches.report(cast.teacher, cast.school, what=WHAT, found_at=timezone.now() - HOUR)
    url = f"{API}/oak/breaches/{breach.pk}"

    assert call(client, "patch", url, cast.head, {"risk": "low"}).status_code == 403
    bad = call(client, "patch", url, cast.dpo, {"risk": "dreadful"})
    assert bad.status_code == 422 and bad.json()["errors"]["risk"].startswith("Choose low")
    not_ready = call(client, "post", f"{url}/close", cast.dpo, {"note": "Done"})
    assert not_ready.status_code == 422
    assert set(not_ready.json()["errors"]) == {"risk", "reportable"}

    patched = call(client, "patch", url, cast.dpo, {"risk": "low", "reportable": False})
    assert patched.status_code == 200
    assert patched.json()["countdown"] == "not reportable"
    assert entries("breach.update", "done").get().detail == {"changed": ["reportable", "risk"]}

    closed = call(client, "post", f"{url}/close", cast.dpo, {"note": "Done"})
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    again = call(client, "patch", url, cast.dpo, {"risk": "high"})
    assert again.status_code == 422 and "Reopen it" in again.json()["detail"]
    reopened = call(client, "post", f"{url}/reopen", cast.dpo, {"reason": "More found"})
    assert reopened.status_code == 200 and reopened.json()["state"] == "open"
    got = call(client, "get", url, cast.dpo).json()
    assert got["risk"] == "low" and got["reportable"] is False


def test_the_dpo_is_emailed_a_link_not_the_content(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        breach = breaches.report(
            cast.teacher,
            cast.school,
            what="Sent the Year 4 trip list to the wrong parent",
            found_at=timezone.now(),
        )
    [mail] = mailoutbox
    assert mail.to == ["dpo@oak.example"]
    assert f"/breaches/{breach.pk}/" in mail.body and "72 hours" in mail.body
    assert "trip list" not in mail.body and "trip list" not in mail.subject


def test_a_refused_look_emails_the_dpo_too(cast, mailoutbox, django_capture_on_commit_callbacks):
    teacher = Person.objects.get(school=cast.school, user=cast.teacher)
    ex = Exercise.objects.create(school=cast.school, requester=teacher, subject=teacher)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(exercises.NotAllowed):
        exercises.refuse(cast.it, cast.school, "not named", timezone.now(), exercise=ex)
    assert len(mailoutbox) == 1 and "breach" in mailoutbox[0].subject


def test_a_time_with_an_offset_postgresql_refuses_is_kept_in_utc_and_an_ancient_one_refused(
    cast,
):
    from fairwatch.monitoring import breaches as service

    odd = dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=21, minutes=53)))
    made = service.report(cast.dpo, cast.school, what="A list went astray.", found_at=odd)
    made.refresh_from_db()
    assert made.found_at == odd
    ancient = dt.datetime(137, 6, 6, 9, 36, tzinfo=dt.timezone(dt.timedelta(hours=21)))
    with pytest.raises(service.InvalidBreach) as caught:
        service.report(cast.dpo, cast.school, what="Long ago.", found_at=ancient)
    assert "too long ago" in caught.value.errors["found_at"]


def test_the_ends_of_time_are_refused_by_name(cast):
    from fairwatch.monitoring import breaches as service

    for when in (
        dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.timezone(-dt.timedelta(hours=23))),
        dt.datetime(1, 1, 1, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=23))),
    ):
        with pytest.raises(service.InvalidBreach) as caught:
            service.report(cast.dpo, cast.school, what="Odd.", found_at=when)
        assert "found_at" in caught.value.errors
