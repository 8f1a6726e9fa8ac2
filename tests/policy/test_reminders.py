"""Asking staff to read the policy and reminding them on the school's schedule, with time
moved forward by passing ``now``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from django.utils import dateformat, timezone
from typer.testing import CliRunner

from fairwatch.audit import gate
from fairwatch.audit.models import AuditEntry
from fairwatch.cli import app
from fairwatch.policy import reminders, store
from fairwatch.policy.models import Adjustment, PolicySettings, Reminder
from fairwatch.policy.versions import ChangeRow
from fairwatch.schools.models import Person
from fairwatch.schools.roster import import_roster, read_roster_file
from tests.cast import STAFF_CSV, add_person

# Everyone on the cast's staff roster, each with an email address.
STAFF = {
    "head@oak.example": "Hartley",
    "dsl@oak.example": "Singh",
    "dpo@oak.example": "Okafor",
    "it@oak.example": "Turner",
    "teacher@oak.example": "Wren",
    "monitor@oak.example": "Mills",
    "hr@hr.example": "Ramsay",
    "chair@oak.example": "Bell",
}


def day(value: dt.date) -> str:
    return dateformat.format(value, "j F Y")


def publish(cast, *, effective_from=None, duties_changed=True):
    clauses = dict(store.versions(cast.school)[-1].clauses)
    clauses["3.1"] = dataclasses.replace(clauses["3.1"], text="Ask the Headteacher first.")
    today = timezone.localdate()
    return store.publish(
        cast.head,
        cast.school,
        clauses,
        effective_from or today,
        [ChangeRow(today, "3.1", "Private use: ask the Headteacher first.")],
        duties_changed,
    )


def person(cast, user) -> Person:
    return Person.objects.get(school=cast.school, user=user)


def sent_to(outbox) -> dict[str, object]:
    """Each email by its one address (every email goes to exactly one person)."""
    assert all(len(mail.to) == 1 and not mail.cc and not mail.bcc for mail in outbox)
    found = {mail.to[0]: mail for mail in outbox}
    assert len(found) == len(outbox), "someone got two emails in one run"
    return found


def nobody_else_named(mails) -> None:
    for address, mail in mails.items():
        for other, surname in STAFF.items():
            if other != address:
                assert surname not in mail.body and surname not in mail.subject


def test_reminders_are_sent_on_schedule_as_time_moves_on(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        v2 = publish(cast)
    start = timezone.now()
    today = timezone.localdate(start)

    # Publishing a version in force today asks everyone at once, one email each.
    asked = sent_to(mailoutbox)
    assert set(asked) == set(STAFF)
    assert {m.subject for m in asked.values()} == {
        "Fairwatch: please read version 2 of the staff policy"
    }
    teacher_mail = asked["teacher@oak.example"].body
    assert day(today) in teacher_mail  # the day it took effect
    assert f"by {day(today + dt.timedelta(days=14))}" in teacher_mail  # their deadline
    assert "/policy/read/" in teacher_mail
    nobody_else_named(asked)
    assert Reminder.objects.filter(version=v2, kind=Reminder.Kind.ASKED).count() == len(STAFF)

    # The teacher reads it; the DSL is agreed more time.
    store.acknowledge(cast.teacher, cast.school)
    later = today + dt.timedelta(days=30)
    Adjustment.objects.create(
        school=cast.school,
        person=person(cast, cast.dsl),
        version=v2,
        kind=Adjustment.Kind.TIME,
        detail="I am away for two weeks.",
        status=Adjustment.Status.AGREED,
        deadline=later,
    )

    def run(days: int) -> dict[str, object]:
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            summary = reminders.send_due(cast.school, now=start + dt.timedelta(days=days))
        mails = sent_to(mailoutbox)
        assert summary.sent == len(mails) and summary.asked == 0
        return mails

    assert run(0) == {}
    assert run(3) == {}
    at_7 = run(7)
    waiting = set(STAFF) - {"teacher@oak.example"}
    others = waiting - {"dsl@oak.example"}
    # Not the teacher, who has read it, nor the DSL, given more time: she is left alone
    # until `remind_every_days` before her own deadline.
    assert set(at_7) == others
    assert {m.subject for m in at_7.values()} == {
        "Fairwatch: reminder: please read version 2 of the staff policy"
    }
    assert day(today + dt.timedelta(days=14)) in at_7["head@oak.example"].body
    nobody_else_named(at_7)
    assert run(7) == {}  # the same moment again sends nothing
    assert run(8) == {}
    assert run(13) == {}
    assert set(run(14)) == others
    at_21 = run(21)
    assert set(at_21) == others
    assert "was " + day(today + dt.timedelta(days=14)) in at_21["head@oak.example"].body
    assert run(22) == {}  # the day before her quiet time ends
    at_23 = run(23)  # her deadline less 7 days: reminded from now on, as everyone else
    assert set(at_23) == {"dsl@oak.example"}
    assert at_23["dsl@oak.example"].subject.startswith("Fairwatch: reminder:")
    assert f"by {day(later)}" in at_23["dsl@oak.example"].body  # her own, later deadline
    assert set(run(28)) == others
    assert set(run(30)) == {"dsl@oak.example"}

    dsl = person(cast, cast.dsl)
    assert reminders.deadline_for(dsl, v2) == later
    assert reminders.deadline_for(dsl, v2, with_adjustments=False) == today + dt.timedelta(days=14)
    assert reminders.deadline_for(person(cast, cast.it), v2) == today + dt.timedelta(days=14)
    assert Reminder.objects.filter(person=dsl, version=v2, kind=Reminder.Kind.REMINDER).count() == 2
    assert not Reminder.objects.filter(
        person=person(cast, cast.teacher), kind=Reminder.Kind.REMINDER
    ).exists()

    # One audit entry per run, with counts and no names.
    runs = AuditEntry.objects.filter(school=cast.school, action=reminders.RUN_ACTION)
    assert runs.count() == 1 + 12  # the publish, then each run above
    last = runs.order_by("-seq").first()
    assert last.detail["reminded"] == 1 and last.detail["version"] == 2
    assert not any(surname in str(last.detail) for surname in STAFF.values())


def test_reminders_off_sends_none(cast, mailoutbox, django_capture_on_commit_callbacks):
    reminders.update_settings(cast.head, cast.school, 10, 0)
    with django_capture_on_commit_callbacks(execute=True):
        v2 = publish(cast)
    assert len(mailoutbox) == len(STAFF)  # still asked once
    assert f"by {day(timezone.localdate() + dt.timedelta(days=10))}" in mailoutbox[0].body
    start = timezone.now()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for days in (7, 14, 30):
            assert reminders.send_due(cast.school, now=start + dt.timedelta(days=days)).sent == 0
    assert mailoutbox == []
    assert not Reminder.objects.filter(version=v2, kind=Reminder.Kind.REMINDER).exists()


def test_a_version_taking_effect_later_is_asked_from_its_day(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    for each in (cast.head, cast.dsl, cast.dpo, cast.it, cast.teacher, cast.monitor):
        store.acknowledge(each, cast.school)  # version 1 read by most
    effective = timezone.localdate() + dt.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        v2 = publish(cast, effective_from=effective)
    assert mailoutbox == []  # nobody asked yet
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        before = reminders.send_due(cast.school, now=start + dt.timedelta(days=9))
    # The day before, those who never read version 1 are asked to read that one.
    assert before.version == 1 and set(sent_to(mailoutbox)) == {
        "hr@hr.example",
        "chair@oak.example",
    }
    mailoutbox.clear()
    # The scheduled run missed its first two days: deadlines count from being asked.
    with django_capture_on_commit_callbacks(execute=True):
        summary = reminders.send_due(cast.school, now=start + dt.timedelta(days=12))
    assert summary.version == 2 and summary.asked == len(STAFF)
    assert set(sent_to(mailoutbox)) == set(STAFF)
    deadline = effective + dt.timedelta(days=2 + 14)
    assert all(f"by {day(deadline)}" in mail.body for mail in mailoutbox)
    assert reminders.deadline_for(person(cast, cast.teacher), v2) == deadline


def test_a_version_that_only_tidies_the_words_asks_nobody(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish(cast, duties_changed=False)
    assert mailoutbox == []
    assert not Reminder.objects.filter(version__number=2).exists()


def test_a_new_starter_imported_through_the_roster_is_asked_at_once(
    cast, tmp_path, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        v2 = publish(cast)
    for each in (cast.head, cast.teacher):
        store.acknowledge(each, cast.school)
    mailoutbox.clear()
    path = tmp_path / "staff-new.csv"
    path.write_text(
        STAFF_CSV
        + "S9,Nina,Patel,,nina@oak.example,staff\n"
        + "S10,Vic,Lowe,,,staff\n"  # no address: nobody to email
    )
    # A dry run changes nothing and asks nobody.
    with django_capture_on_commit_callbacks(execute=True):
        import_roster(cast.school, staff=read_roster_file("staff", path), dry_run=True)
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        import_roster(cast.school, staff=read_roster_file("staff", path))
    mails = sent_to(mailoutbox)
    assert set(mails) == {"nina@oak.example"}  # not the staff already asked
    assert mails["nina@oak.example"].subject.endswith("please read version 2 of the staff policy")
    nina = Person.objects.get(school=cast.school, external_id="S9")
    assert Reminder.objects.filter(person=nina, version=v2, kind=Reminder.Kind.ASKED).count() == 1
    assert "Patel" not in mails["nina@oak.example"].body
    # Importing the same file again asks nobody.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        import_roster(cast.school, staff=read_roster_file("staff", path))
    assert mailoutbox == []


def test_deadlines_count_from_joining_or_being_asked(cast):
    v1 = store.to_read(cast.school)
    newcomer = add_person(
        cast.school, Person.Kind.VOLUNTEER, "V1", "Val", "Green", email="val@oak.example"
    )
    days = dt.timedelta(days=14)
    joined = timezone.localdate(newcomer.created_at)
    assert reminders.deadline_for(newcomer, v1) == max(v1.effective_from, joined) + days
    asked_at = timezone.now() + dt.timedelta(days=3)
    Reminder.objects.create(version=v1, person=newcomer, kind=Reminder.Kind.ASKED, sent_at=asked_at)
    assert reminders.deadline_for(newcomer, v1) == timezone.localdate(asked_at) + days


def test_settings_have_defaults_and_only_the_head_changes_them(cast):
    found = reminders.settings_for(cast.school)
    assert (found.deadline_days, found.remind_every_days) == (14, 7)
    with pytest.raises(gate.Refused):
        reminders.update_settings(cast.teacher, cast.school, 20, 5)
    with pytest.raises(reminders.InvalidSchedule) as bad:
        reminders.update_settings(cast.head, cast.school, 0, 61)
    assert set(bad.value.errors) == {"deadline_days", "remind_every_days"}
    assert "1 to 90" in bad.value.errors["deadline_days"]
    with pytest.raises(reminders.InvalidSchedule) as bad:
        reminders.update_settings(cast.head, cast.school, "ten", 3)
    assert set(bad.value.errors) == {"deadline_days"}
    assert PolicySettings.objects.get(school=cast.school).deadline_days == 14  # nothing lost
    reminders.update_settings(cast.org_admin, cast.school, 21, 0)
    found = reminders.settings_for(cast.school)
    assert (found.deadline_days, found.remind_every_days) == (21, 0)
    assert "asked once and not reminded" in reminders.in_words(found)
    done = AuditEntry.objects.get(action=reminders.SETTINGS_ACTION, outcome="done")
    assert done.detail["after"] == {"deadline_days": 21, "remind_every_days": 0}


def test_the_report_counts_by_group(cast):
    add_person(cast.school, Person.Kind.VOLUNTEER, "V1", "Val", "Green", email="val@oak.example")
    store.acknowledge(cast.teacher, cast.school)
    report = store.outstanding(cast.head, cast.school)
    groups = {g.group: (g.label, g.asked, g.acknowledged, g.outstanding) for g in report.by_group}
    assert groups == {
        "staff": ("Staff", 8, 1, 7),
        "volunteer": ("Volunteers", 1, 0, 1),
    }


def test_the_daily_command_sends_what_is_due_at_every_school(cast):
    runner = CliRunner()
    dry = runner.invoke(app, ["policy", "remind", "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    by_school = {row["school"]: row for row in json.loads(dry.output)}
    assert set(by_school) == {"oak", "elm"}
    assert by_school["oak"]["asked"] == len(STAFF) and by_school["oak"]["dry_run"] is True
    assert not Reminder.objects.exists()  # a dry run stores nothing

    sent = runner.invoke(app, ["policy", "remind", "--school", "oak"])
    assert sent.exit_code == 0, sent.output
    assert "oak" in sent.output and str(len(STAFF)) in sent.output
    assert Reminder.objects.filter(kind=Reminder.Kind.ASKED).count() == len(STAFF)
    again = runner.invoke(app, ["policy", "remind", "--school", "oak", "--json"])
    assert json.loads(again.output)[0]["sent"] == 0

    unknown = runner.invoke(app, ["policy", "remind", "--school", "nowhere"])
    assert unknown.exit_code == 1 and "no school 'nowhere'" in unknown.output
