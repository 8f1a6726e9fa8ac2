"""The concerns service: raising, routing as the rules say, the steps of a case, the LADO
clock, the register and retention. Pages and the API are tested in their own files."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from fairwatch.audit import gate
from fairwatch.audit.models import AuditEntry
from fairwatch.cases.rules import State
from fairwatch.concerns import services
from fairwatch.concerns.models import Case
from fairwatch.concerns.services import InvalidConcern, Upload
from fairwatch.errors import WrongState
from fairwatch.schools.models import Person

pytestmark = pytest.mark.django_db


def person(user):
    return Person.objects.get(user=user)


def raise_about(cast, raiser, *subjects, pupil=False, files=(), now=None):
    return services.raise_concern(
        raiser,
        cast.school,
        kind="social_media",
        what="Posted photos of a school trip on a personal account.",
        happened_on=dt.date(2026, 11, 20),
        subjects=[person(s).pk for s in subjects],
        pupil_involved=pupil,
        files=files,
        now=now,
    )


def test_a_concern_about_a_teacher_goes_to_the_headteacher(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = raise_about(cast, cast.dsl, cast.teacher)
    assert case.state == State.RAISED
    assert [c.ref for c in services.visible(cast.head, cast.school)] == [case.ref]
    for nobody in (cast.teacher, cast.dsl, cast.chair, cast.dpo, cast.hr, cast.org_admin):
        assert services.visible(nobody, cast.school) == []
    assert services.receipts(cast.dsl, cast.school) == [case]
    sent = {tuple(m.to): m.body for m in mail.outbox}
    assert set(sent) == {("head@oak.example",), ("dsl@oak.example",)}
    for body in sent.values():  # a link, never what or who
        assert "photos" not in body and "Wren" not in body and "/concerns/" in body


def test_the_headteacher_as_subject_never_finds_it(cast):
    case = raise_about(cast, cast.teacher, cast.head, pupil=True)
    assert services.visible(cast.head, cast.school, state="all") == []
    with pytest.raises(Case.DoesNotExist):
        services.get(cast.head, cast.school, case.ref)
    assert services.waiting_count(cast.school, cast.head) == 0
    assert services.waiting_count(cast.school, cast.chair) == 1
    assert services.waiting_count(cast.school, cast.dsl) == 1
    refused = AuditEntry.objects.filter(action="case.view", outcome="refused").get()
    assert refused.object_id == case.ref
    with pytest.raises(Case.DoesNotExist):
        services.triage(cast.head, case, "allegation")


def test_the_steps_in_order_and_the_raiser_told_it_is_closed(
    cast, django_capture_on_commit_callbacks
):
    case = raise_about(cast, cast.teacher, cast.head, pupil=True)
    chair = cast.chair
    with pytest.raises(WrongState, match="Triage"):
        services.record_outcome(chair, case, outcome="advice", reason="Spoken to.")
    services.triage(chair, case, "allegation")
    with pytest.raises(WrongState):
        services.triage(chair, case, "low_level")
    with pytest.raises(InvalidConcern) as bad:
        services.record_hr(chair, case, adviser="", consulted_at=None, advice="")
    assert set(bad.value.errors) == {"adviser", "consulted_at", "advice"}
    services.record_hr(
        chair, case, adviser="EducationHR", consulted_at=timezone.now(), advice="Follow 7.4."
    )
    with pytest.raises(WrongState, match="LADO"):
        services.record_outcome(chair, case, outcome="advice", reason="Spoken to.")
    services.record_lado(cast.dsl, case, referred=False, reason="Below the harm threshold.")
    with pytest.raises(InvalidConcern):
        services.record_outcome(chair, case, outcome="advice", reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        services.record_outcome(chair, case, outcome="advice", reason="Spoken to.")
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.outcome_label == "Advice and guidance"
    assert [m.to for m in mail.outbox] == [["teacher@oak.example"]]
    assert "closed" in mail.outbox[0].subject
    steps = services.chronology(chair, case)
    assert [s.who for s in steps] == [
        "Tom Wren",
        "Charles Bell",
        "Charles Bell",
        "Debbie Singh",
        "Charles Bell",
    ]
    assert steps[1].role == "Chair of Governors" and steps[3].role == "Designated safeguarding lead"


def test_raising_checks_every_field(cast):
    with pytest.raises(InvalidConcern) as bad:
        services.raise_concern(
            cast.teacher,
            cast.school,
            kind="gossip",
            what=" ",
            happened_on=None,
            subjects=[],
            pupil_involved=None,
        )
    assert set(bad.value.errors) == {"kind", "what", "happened_on", "subjects", "pupil_involved"}
    with pytest.raises(InvalidConcern, match="not yourself"):
        raise_about(cast, cast.teacher, cast.teacher)
    with pytest.raises(InvalidConcern, match="future"):
        services.raise_concern(
            cast.teacher,
            cast.school,
            kind="email",
            what="x",
            happened_on=timezone.localdate() + dt.timedelta(days=2),
            subjects=[person(cast.dsl).pk],
            pupil_involved=False,
        )
    with pytest.raises(InvalidConcern, match="empty"):
        raise_about(cast, cast.teacher, cast.dsl, files=[Upload("a.png", "image/png", b"")])
    assert Case.objects.count() == 0


def test_the_lado_clock_runs_over_the_weekend_and_is_overdue_on_the_home_count(cast):
    friday = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
    case = raise_about(cast, cast.teacher, cast.dsl, pupil=True, now=friday)
    due = services.lado_due(case)
    assert timezone.localtime(due).date() == dt.date(2026, 11, 23)
    monday = dt.datetime(2026, 11, 23, 14, 0, tzinfo=dt.UTC)
    assert services.overdue_count(cast.school, cast.head, now=monday) == 0
    assert services.overdue_count(cast.school, cast.head, now=monday + dt.timedelta(hours=2)) == 1
    assert services.overdue_count(cast.school, cast.dsl, now=monday + dt.timedelta(hours=2)) == 0


def test_the_low_level_register_for_the_head_and_the_dsl_never_about_themselves(cast):
    a = raise_about(cast, cast.teacher, cast.it)
    b = raise_about(cast, cast.teacher, cast.dsl)
    services.triage(cast.head, a, "low_level")
    services.triage(cast.head, b, "low_level")
    head = services.low_level_register(cast.head, cast.school)
    assert {e.person.pk for e in head} == {person(cast.it).pk, person(cast.dsl).pk}
    dsl = services.low_level_register(cast.dsl, cast.school)
    assert [e.person.pk for e in dsl] == [person(cast.it).pk]
    with pytest.raises(gate.Refused):
        services.low_level_register(cast.teacher, cast.school)


def test_evidence_is_kept_and_read_through_the_case(cast):
    case = raise_about(
        cast, cast.teacher, cast.dsl, files=[Upload("shot.png", "image/png", b"\x89PNG")]
    )
    ev = case.evidence.get()
    assert services.evidence_file(cast.head, cast.school, case.ref, ev.pk).content == b"\x89PNG"
    with pytest.raises(Case.DoesNotExist):
        services.evidence_file(cast.dsl, cast.school, case.ref, ev.pk)


def test_retention_deletes_low_level_concerns_a_while_after_the_subject_left(cast):
    case = raise_about(cast, cast.teacher, cast.it)
    services.triage(cast.head, case, "low_level")
    services.record_hr(
        cast.head, case, adviser="HR", consulted_at=timezone.now(), advice="Note it."
    )
    services.record_outcome(cast.head, case, outcome="no_further_action", reason="Noted.")
    later = timezone.now() + dt.timedelta(days=800)
    assert services.purge_low_level(cast.school, later) == 0  # still works here
    Person.objects.filter(user=cast.it).update(status=Person.Status.LEFT, left_at=timezone.now())
    assert services.purge_low_level(cast.school, timezone.now() + dt.timedelta(days=200)) == 0
    assert services.purge_low_level(cast.school, later) == 1
    assert not Case.objects.exists()


def test_a_case_opens_a_monitoring_exercise_with_the_concern_filled_in(cast):
    from fairwatch.monitoring import exercises

    case = raise_about(cast, cast.teacher, cast.it)
    services.record_hr(
        cast.head, case, adviser="EducationHR", consulted_at=timezone.now(), advice="Go ahead."
    )
    ex = services.open_exercise(cast.head, case, person(cast.it).pk)
    assessment = exercises.assessment_of(ex)
    assert case.ref in assessment.concern and "school trip" in assessment.concern
    assert "EducationHR" in assessment.hr_consulted
    assert list(case.exercises.all()) == [ex]
    with pytest.raises(InvalidConcern):
        services.open_exercise(cast.head, case, person(cast.teacher).pk)  # not a subject


def test_links_are_to_what_the_handler_may_see_themselves(cast):
    from fairwatch.internet.models import Alert

    case = raise_about(cast, cast.teacher, cast.it)
    alert = Alert.objects.create(
        school=cast.school,
        pseudonym="p-1",
        category="gambling",
        day=dt.date(2026, 11, 20),
        count=3,
        first_at=timezone.now(),
        last_at=timezone.now(),
    )
    services.link(cast.head, case, web_alert=alert.pk)
    assert list(case.web_alerts.all()) == [alert]
    with pytest.raises(InvalidConcern, match="nothing by that reference"):
        services.link(cast.head, case, held_mail="no-such-id")
    with pytest.raises(InvalidConcern, match="nothing by that reference"):
        services.link(cast.head, case, exercise="ZZZZZZZZ")
    other = raise_about(cast, cast.teacher, cast.head)  # the Chair has it, and no alerts
    with pytest.raises(InvalidConcern, match="nothing by that reference"):
        services.link(cast.chair, other, web_alert=alert.pk)
    steps = services.chronology(cast.head, case)
    assert steps[-1].what == f"Linked web alert {alert.pk}"


def test_no_exercise_is_opened_from_a_case_another_subject_of_which_would_read_it(cast):
    """The assessment carries the case's words; the DPO reviews every exercise."""
    case = raise_about(cast, cast.dsl, cast.teacher, cast.dpo)
    with pytest.raises(WrongState, match="data protection officer"):
        services.open_exercise(cast.head, case, person(cast.teacher).pk)
    assert not case.exercises.exists()


def test_a_case_goes_round_a_headteacher_who_cannot_sign_in(cast):
    """Switched off while suspended, say: the case goes to the Chair instead."""
    cast.head.is_active = False
    cast.head.save()
    case = raise_about(cast, cast.teacher, cast.dsl)
    assert [c.ref for c in services.visible(cast.chair, cast.school)] == [case.ref]
    assert services.routing_of(case).to == (cast.chair.pk,)


def test_the_audit_page_hides_the_raising_forms_staff_reads_from_a_subject(cast, client):
    from tests.cast import PASSWORD

    raise_about(cast, cast.teacher, cast.dpo)
    services.colleagues(cast.teacher, cast.school)  # the form's staff list
    assert client.login(username=cast.dpo.get_username(), password=PASSWORD)
    trail = client.get("/audit/").content.decode()
    assert "concern.raise" not in trail and "case.raise" not in trail
