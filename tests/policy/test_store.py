"""A school's policy versions and staff acknowledgement, in the database."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone

from fairwatch.audit import gate
from fairwatch.audit.models import AuditEntry
from fairwatch.policy import store
from fairwatch.policy.model import shipped_model
from fairwatch.policy.models import Acknowledgement, PolicyVersion
from fairwatch.policy.versions import ChangeRow
from fairwatch.roles import Role
from fairwatch.schools.models import Person


def today() -> dt.date:
    return timezone.localdate()


def reworded(school, clause_id="3.1", words="Ask the Headteacher first."):
    """The school's latest clauses with one clause's text changed."""
    clauses = dict(store.versions(school)[-1].clauses)
    clauses[clause_id] = dataclasses.replace(clauses[clause_id], text=words)
    return clauses


def row(summary="Private use: ask the Headteacher first.", paragraphs="3.1"):
    return [ChangeRow(today(), paragraphs, summary)]


def publish(cast, *, user=None, effective_from=None, duties_changed=True, **kwargs):
    return store.publish(
        user or cast.head,
        cast.school,
        kwargs.pop("clauses", None) or reworded(cast.school),
        effective_from or today(),
        kwargs.pop("changes", None) if "changes" in kwargs else row(),
        duties_changed,
    )


def entries(action, outcome=None):
    qs = AuditEntry.objects.filter(action=action)
    return qs.filter(outcome=outcome) if outcome else qs


def person(user, cast):
    return Person.objects.get(user=user, school=cast.school)


def test_a_school_starts_from_the_shipped_model_once(cast):
    first = store.versions(cast.school)
    again = store.versions(cast.school)
    model = shipped_model()
    assert [v.number for v in first] == [1] == [v.number for v in again]
    assert PolicyVersion.objects.filter(school=cast.school).count() == 1
    assert first[0] == model
    assert dict(first[0].clauses) == dict(model.clauses)
    assert first[0].changes == model.changes
    assert PolicyVersion.objects.get(school=cast.school).published_by is None


def test_each_school_has_its_own_versions(cast):
    publish(cast)
    assert [v.number for v in store.versions(cast.other_school)] == [1]


def test_publishing_makes_version_2_in_force_from_its_day(cast):
    day = today() + dt.timedelta(days=10)
    made = publish(cast, effective_from=day)
    assert made.number == 2 and made.published_by == cast.head
    assert store.in_force(cast.school, day - dt.timedelta(days=1)).number == 1
    assert store.in_force(cast.school, day).number == 2
    assert store.in_force(cast.school, day).clauses["3.1"].text == "Ask the Headteacher first."
    assert store.versions(cast.school)[1].changes == tuple(row())
    done = entries("policy.publish", "done").get()
    assert done.object_id == "2" and done.detail["clauses"] == ["3.1"]
    assert entries("policy.publish", "allowed").get().role == Role.HEADTEACHER.value


def test_the_trust_admin_may_publish_but_a_teacher_may_not(cast):
    assert publish(cast, user=cast.org_admin).number == 2
    with pytest.raises(gate.Refused):
        publish(cast, user=cast.teacher, clauses=reworded(cast.school, words="Another."))
    refused = entries("policy.publish", "refused").get()
    assert refused.actor_label == cast.teacher.username
    assert PolicyVersion.objects.filter(school=cast.school).count() == 2


def test_a_version_cannot_take_effect_before_the_current_one(cast):
    publish(cast, effective_from=today())
    with pytest.raises(store.InvalidPolicy) as caught:
        publish(
            cast,
            effective_from=today() - dt.timedelta(days=1),
            clauses=reworded(cast.school, words="Something else."),
        )
    assert set(caught.value.errors) == {"effective_from"}
    assert "version 2" in caught.value.errors["effective_from"]
    assert entries("policy.publish", "refused").count() == 1
    assert PolicyVersion.objects.filter(school=cast.school).count() == 2


def test_publishing_what_is_already_in_force_is_refused(cast):
    same = dict(store.versions(cast.school)[-1].clauses)
    with pytest.raises(store.InvalidPolicy) as caught:
        publish(cast, clauses=same)
    assert caught.value.errors == {"clauses": "Nothing has changed from version 1."}
    refused = entries("policy.publish", "refused").get()
    assert refused.detail["why"] == caught.value.errors


def test_a_new_version_needs_a_row_in_its_table_of_changes(cast):
    with pytest.raises(store.InvalidPolicy) as caught:
        publish(cast, changes=[])
    assert set(caught.value.errors) == {"changes"}


def test_acknowledging_twice_keeps_one_record(cast):
    first = store.acknowledge(cast.teacher, cast.school)
    again = store.acknowledge(cast.teacher, cast.school)
    assert first.pk == again.pk and first.version.number == 1
    assert first.person == person(cast.teacher, cast)
    assert entries("policy.acknowledge", "done").count() == 1


def test_someone_not_on_the_staff_list_cannot_acknowledge(cast):
    with pytest.raises(gate.Refused):
        store.acknowledge(cast.outsider, cast.school)
    assert entries("policy.acknowledge", "refused").count() == 1
    assert not Acknowledgement.objects.exists()


def test_a_version_not_yet_in_force_cannot_be_acknowledged(cast):
    publish(cast, effective_from=today() + dt.timedelta(days=3))
    with pytest.raises(store.InvalidPolicy):
        store.acknowledge(cast.teacher, cast.school, 2)
    assert store.acknowledge(cast.teacher, cast.school).version.number == 1


def test_outstanding_counts_who_has_read_the_policy_by_role(cast):
    store.acknowledge(cast.head, cast.school)
    store.acknowledge(cast.teacher, cast.school)
    report = store.outstanding(cast.head, cast.school)
    staff = Person.objects.filter(
        school=cast.school, kind__in=store.STAFF_KINDS, status=Person.Status.CURRENT
    )
    assert report.number == 1
    assert report.asked == staff.count()
    assert {r.name for r in report.acknowledged} == {"Alice Hartley", "Tom Wren"}
    assert "Peter Okafor" in {r.name for r in report.outstanding}
    counts = {c.role: (c.asked, c.acknowledged, c.outstanding) for c in report.by_role}
    assert counts[Role.HEADTEACHER] == (1, 1, 0)
    assert counts[Role.DPO] == (1, 0, 1)
    assert counts[Role.STAFF][1] == 2  # the Headteacher and Tom Wren are both staff too
    assert entries("policy.acknowledgements", "allowed").get().role == "headteacher"


def test_people_who_have_left_are_not_asked(cast):
    wren = person(cast.teacher, cast)
    wren.status = Person.Status.LEFT
    wren.save()
    report = store.outstanding(cast.dpo, cast.school)
    assert "Tom Wren" not in {r.name for r in report.acknowledged + report.outstanding}


def test_only_the_headteacher_and_the_dpo_see_who_has_read_it(cast):
    for user in (cast.teacher, cast.dsl, cast.org_admin):
        with pytest.raises(gate.Refused):
            store.outstanding(user, cast.school)
        with pytest.raises(gate.Refused):
            store.acknowledgements(user, cast.school)
    assert entries("policy.acknowledgements", "refused").count() == 6


def test_the_servers_operator_reads_them_on_the_record(cast):
    report = store.outstanding(None, cast.school)
    assert report.number == 1
    entry = entries("policy.acknowledgements", "allowed").get()
    assert entry.actor_label.startswith("cli:") and entry.purpose == gate.Purpose.SCHOOL_ADMIN


def test_a_new_duty_asks_everyone_again_but_a_tidy_up_does_not(cast):
    store.acknowledge(cast.teacher, cast.school)
    publish(cast, duties_changed=False)
    assert store.outstanding(cast.head, cast.school).number == 1
    publish(cast, clauses=reworded(cast.school, "3.2", "New duty."))
    report = store.outstanding(cast.head, cast.school)
    assert report.number == 3 and not report.acknowledged
    assert [r.number for r in store.acknowledgements(cast.head, cast.school)] == [1, 3]


def test_reading_a_later_version_counts_for_an_earlier_one(cast):
    publish(cast)
    store.acknowledge(cast.teacher, cast.school, 2)
    report = store.outstanding(cast.head, cast.school, 1)
    assert [r.name for r in report.acknowledged] == ["Tom Wren"]


def test_what_changed_lists_only_the_clause_changed_since_last_read(cast):
    wren = person(cast.teacher, cast)
    everything = store.what_changed_for(wren, cast.school)
    assert len(everything) == len(shipped_model().clauses)
    store.acknowledge(cast.teacher, cast.school)
    assert store.what_changed_for(wren, cast.school) == []
    publish(cast)
    changed = store.what_changed_for(wren, cast.school)
    assert [c.id for c in changed] == ["3.1"]
    assert changed[0].new.text == "Ask the Headteacher first."
    store.acknowledge(cast.teacher, cast.school)
    assert store.what_changed_for(wren, cast.school) == []
