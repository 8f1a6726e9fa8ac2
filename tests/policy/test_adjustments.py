"""Reasonable adjustments to reading the policy (clause 2): asking, the Headteacher's answer,
more time moving one person's deadline, who is refused, and what the trail and emails say."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fairwatch.audit import gate
from fairwatch.audit.models import AuditEntry
from fairwatch.policy import adjustments, store
from fairwatch.policy.adjustments import AlreadyAnswered, InvalidAdjustment
from fairwatch.policy.models import Adjustment
from fairwatch.schools.models import Person
from tests.cast import add_person

pytestmark = pytest.mark.django_db

PRIVATE = "Large print please: I have a visual impairment."


def today() -> dt.date:
    return timezone.localdate()


def person_of(cast, user) -> Person:
    return Person.objects.get(school=cast.school, user=user)


def ask_time(cast, user=None, days=20, detail="I am on leave until the end of the month."):
    return adjustments.ask(
        user or cast.teacher, cast.school, "time", detail, today() + dt.timedelta(days=days)
    )


def entries(action, outcome=None):
    qs = AuditEntry.objects.filter(action=action)
    return qs.filter(outcome=outcome) if outcome else qs


def bodies(mailoutbox) -> str:
    return "\n".join(f"{m.subject}\n{m.body}" for m in mailoutbox)


# --- asking ---------------------------------------------------------------------------------


def test_a_teacher_asks_for_a_format_and_the_headteacher_is_told_without_detail(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        made = adjustments.ask(cast.teacher, cast.school, "format", f"  {PRIVATE}  ")
    assert made.status == Adjustment.Status.ASKED
    assert made.person == person_of(cast, cast.teacher)
    assert made.version == store.to_read(cast.school)
    assert made.detail == PRIVATE and made.wanted_by is None

    entry = entries("policy.adjustment.ask", "done").get()
    assert entry.object_type == "policy_adjustment" and entry.object_id == str(made.pk)
    assert entry.purpose == gate.Purpose.SCHOOL_ADMIN
    assert "visual" not in str(entry.detail) and "format" not in str(entry.detail)

    assert [m.to for m in mailoutbox] == [["head@oak.example"]]
    assert "/policy/adjustments/" in mailoutbox[0].body
    assert "visual" not in bodies(mailoutbox) and "Large print" not in bodies(mailoutbox)
    assert "Wren" not in bodies(mailoutbox)


def test_asking_for_more_time_keeps_the_day(cast):
    made = ask_time(cast, days=30)
    assert made.kind == Adjustment.Kind.TIME
    assert made.wanted_by == today() + dt.timedelta(days=30)


def test_a_day_given_with_a_format_request_is_not_kept(cast):
    made = adjustments.ask(cast.teacher, cast.school, "format", "Braille", today())
    assert made.wanted_by is None


@pytest.mark.parametrize(
    ("kind", "detail", "days", "field", "words"),
    [
        ("", "Large print", None, "kind", "Choose what you need"),
        ("braille", "Large print", None, "kind", "Choose what you need"),
        ("format", "   ", None, "detail", "Say what you need"),
        ("format", "x" * 2001, None, "detail", "2000 characters or fewer"),
        ("time", "On leave", None, "wanted_by", "Give the date you need more time until"),
        ("time", "On leave", 0, "wanted_by", "Give a date after today"),
        ("time", "On leave", -3, "wanted_by", "Give a date after today"),
        ("time", "On leave", 91, "wanted_by", "within 90 days"),
    ],
)
def test_each_field_is_refused_with_its_message(cast, kind, detail, days, field, words):
    wanted_by = None if days is None else today() + dt.timedelta(days=days)
    with pytest.raises(InvalidAdjustment) as caught:
        adjustments.ask(cast.teacher, cast.school, kind, detail, wanted_by)
    assert words in caught.value.errors[field]
    assert not Adjustment.objects.exists()


def test_every_problem_is_named_at_once(cast):
    with pytest.raises(InvalidAdjustment) as caught:
        adjustments.ask(cast.teacher, cast.school, "time", "", None)
    assert set(caught.value.errors) == {"detail", "wanted_by"}


def test_ninety_days_is_the_furthest_day(cast):
    assert ask_time(cast, days=90).wanted_by == today() + dt.timedelta(days=90)


def test_one_open_request_per_kind(cast):
    ask_time(cast)
    with pytest.raises(InvalidAdjustment) as caught:
        ask_time(cast, days=25)
    assert "already asked for more time for version 1" in caught.value.errors["kind"]
    adjustments.ask(cast.teacher, cast.school, "format", "Large print")  # the other kind: fine
    with pytest.raises(InvalidAdjustment):
        adjustments.ask(cast.teacher, cast.school, "format", "An audio version")
    assert Adjustment.objects.count() == 2


def test_once_answered_the_person_may_ask_again(cast):
    made = adjustments.ask(cast.teacher, cast.school, "format", "Large print")
    adjustments.answer(cast.head, cast.school, made.pk, False, "We have no large print.")
    again = adjustments.ask(cast.teacher, cast.school, "format", "A screen-reader copy")
    assert again.status == Adjustment.Status.ASKED


def test_no_more_time_for_a_version_already_acknowledged(cast):
    store.acknowledge(cast.teacher, cast.school)
    with pytest.raises(InvalidAdjustment) as caught:
        ask_time(cast)
    assert "already acknowledged version 1" in caught.value.errors["kind"]


def test_someone_not_on_the_staff_list_is_refused_and_recorded(cast):
    with pytest.raises(gate.Refused):
        adjustments.ask(cast.outsider, cast.school, "format", "Large print")
    entry = entries("policy.adjustment.ask", "refused").get()
    assert entry.object_type == "policy_adjustment"
    assert not Adjustment.objects.exists()


def test_a_volunteer_may_ask(cast):
    volunteer = add_person(cast.school, Person.Kind.VOLUNTEER, "V1", "Vera", "Lane")
    volunteer.user = cast.outsider
    volunteer.save()
    made = adjustments.ask(cast.outsider, cast.school, "format", "Large print")
    assert made.person == volunteer


# --- seeing them ----------------------------------------------------------------------------


def test_people_see_only_their_own(cast):
    mine = adjustments.ask(cast.teacher, cast.school, "format", PRIVATE)
    theirs = ask_time(cast, user=cast.dsl)
    assert adjustments.mine(cast.teacher, cast.school) == [mine]
    assert adjustments.mine(cast.dsl, cast.school) == [theirs]
    assert adjustments.mine(cast.outsider, cast.school) == []
    assert adjustments.my_count(cast.teacher, cast.school) == 1
    with pytest.raises(Adjustment.DoesNotExist):
        adjustments.my_one(cast.teacher, cast.school, theirs.pk)


def test_the_headteacher_sees_all_waiting_first(cast):
    first = adjustments.ask(cast.teacher, cast.school, "format", "Large print")
    second = ask_time(cast, user=cast.dsl)
    adjustments.answer(cast.head, cast.school, first.pk, True, "Printed in 18 point by Friday.")
    assert [a.pk for a in adjustments.waiting(cast.head, cast.school)] == [second.pk]
    assert [a.pk for a in adjustments.all_for(cast.head, cast.school)] == [second.pk, first.pk]
    assert adjustments.waiting_count(cast.head, cast.school) == 1
    assert entries("policy.adjustments", "allowed").exists()


@pytest.mark.parametrize("who", ["dpo", "teacher", "dsl", "org_admin"])
def test_others_are_refused_and_recorded(cast, who):
    adjustments.ask(cast.teacher, cast.school, "format", PRIVATE)
    user = getattr(cast, who)
    for read in (adjustments.waiting, adjustments.all_for):
        with pytest.raises(gate.Refused):
            read(user, cast.school)
    refused = entries("policy.adjustments", "refused").filter(actor=user)
    assert refused.count() == 2
    assert adjustments.waiting_count(user, cast.school) == 0


# --- answering ------------------------------------------------------------------------------


def test_agreeing_more_time_moves_that_persons_deadline_and_no_one_elses(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    row = store.to_read(cast.school)
    teacher, dsl = person_of(cast, cast.teacher), person_of(cast, cast.dsl)
    before_teacher = adjustments.deadline_of(teacher, row)
    before_dsl = adjustments.deadline_of(dsl, row)
    made = ask_time(cast, days=40)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        done = adjustments.answer(cast.head, cast.school, made.pk, True, "Agreed: take until then.")
    assert done.status == Adjustment.Status.AGREED
    assert done.deadline == today() + dt.timedelta(days=40)
    assert done.answered_by == cast.head and done.answered_at is not None
    assert adjustments.deadline_of(teacher, row) == today() + dt.timedelta(days=40)
    assert adjustments.deadline_of(teacher, row) != before_teacher
    assert adjustments.deadline_of(dsl, row) == before_dsl

    entry = entries("policy.adjustment.answer", "done").get()
    assert entry.object_id == str(made.pk) and entry.role == "headteacher"
    assert entry.detail["agreed"] is True
    assert "leave" not in str(entry.detail) and "Agreed:" not in str(entry.detail)

    assert [m.to for m in mailoutbox] == [["teacher@oak.example"]]
    assert "/policy/adjustments/mine/" in mailoutbox[0].body
    assert "leave" not in bodies(mailoutbox) and "take until" not in bodies(mailoutbox)


def test_the_headteacher_may_set_another_deadline(cast):
    made = ask_time(cast, days=40)
    done = adjustments.answer(
        cast.head, cast.school, made.pk, True, "Two weeks more.", today() + dt.timedelta(days=14)
    )
    assert done.deadline == today() + dt.timedelta(days=14)


def test_a_deadline_before_today_is_refused(cast):
    made = ask_time(cast)
    with pytest.raises(InvalidAdjustment) as caught:
        adjustments.answer(
            cast.head, cast.school, made.pk, True, "Yes.", today() - dt.timedelta(days=1)
        )
    assert "cannot be before today" in caught.value.errors["deadline"]
    made.refresh_from_db()
    assert made.status == Adjustment.Status.ASKED


def test_declining_keeps_the_deadline(cast):
    row = store.to_read(cast.school)
    teacher = person_of(cast, cast.teacher)
    before = adjustments.deadline_of(teacher, row)
    made = ask_time(cast, days=40)
    done = adjustments.answer(
        cast.head, cast.school, made.pk, False, "Not agreed: it is short.", today()
    )
    assert done.status == Adjustment.Status.DECLINED and done.deadline is None
    assert adjustments.deadline_of(teacher, row) == before


def test_an_answer_text_is_required(cast):
    made = adjustments.ask(cast.teacher, cast.school, "format", "Large print")
    with pytest.raises(InvalidAdjustment) as caught:
        adjustments.answer(cast.head, cast.school, made.pk, True, "  ")
    assert "Write your answer" in caught.value.errors["answer"]
    with pytest.raises(InvalidAdjustment) as caught:
        adjustments.answer(cast.head, cast.school, made.pk, True, "x" * 2001)
    assert "2000 characters" in caught.value.errors["answer"]


def test_only_waiting_requests_are_answered(cast):
    made = adjustments.ask(cast.teacher, cast.school, "format", "Large print")
    adjustments.answer(cast.head, cast.school, made.pk, True, "Printed by Friday.")
    with pytest.raises(AlreadyAnswered, match="already answered"):
        adjustments.answer(cast.head, cast.school, made.pk, False, "Changed my mind.")
    made.refresh_from_db()
    assert made.status == Adjustment.Status.AGREED and made.answer == "Printed by Friday."


def test_an_unknown_request_or_another_schools_is_not_there(cast):
    with pytest.raises(Adjustment.DoesNotExist):
        adjustments.answer(cast.head, cast.school, 999_999, True, "Yes.")
    with pytest.raises(Adjustment.DoesNotExist):
        adjustments.answer(cast.head, cast.school, 2**70, True, "Yes.")


@pytest.mark.parametrize("who", ["dpo", "teacher"])
def test_others_may_not_answer(cast, who):
    made = adjustments.ask(cast.teacher, cast.school, "format", "Large print")
    with pytest.raises(gate.Refused):
        adjustments.answer(getattr(cast, who), cast.school, made.pk, True, "Yes.")
    assert entries("policy.adjustments", "refused").filter(object_id=str(made.pk)).exists()
    made.refresh_from_db()
    assert made.status == Adjustment.Status.ASKED


def test_broken_characters_are_named_not_dropped_into_the_database(cast):
    with pytest.raises(InvalidAdjustment) as caught:
        adjustments.ask(cast.teacher, cast.school, "format", "Large\ud800 print")
    assert "not text" in caught.value.errors["detail"]
    made = adjustments.ask(cast.teacher, cast.school, "format", PRIVATE)
    with pytest.raises(InvalidAdjustment) as caught:
        adjustments.answer(cast.head, cast.school, made.pk, True, "Yes\udc80")
    assert "not text" in caught.value.errors["answer"]
    assert Adjustment.objects.get(pk=made.pk).status == Adjustment.Status.ASKED


@pytest.mark.parametrize("huge", [2**63, 10**70, -(10**70)])
def test_an_id_past_the_databases_range_is_not_there_and_not_recorded_long(cast, huge):
    with pytest.raises(Adjustment.DoesNotExist):
        adjustments.answer(cast.head, cast.school, huge, True, "Yes.")
    with pytest.raises(gate.Refused):
        adjustments.answer(cast.teacher, cast.school, huge, True, "Yes.")
    assert AuditEntry.objects.exists()
    assert all(len(entry.object_id) <= 64 for entry in AuditEntry.objects.all())
