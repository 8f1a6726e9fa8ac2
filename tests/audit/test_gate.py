"""Every read of personal data goes through the gate, which records it; refusals too."""

from __future__ import annotations

import pytest

from fairwatch.audit import gate
from fairwatch.audit.models import AuditEntry
from fairwatch.schools.models import Person


def last_entry() -> AuditEntry:
    return AuditEntry.objects.order_by("-seq").first()


def test_an_allowed_read_is_recorded_with_role_purpose_and_school(cast):
    people = gate.people(
        cast.dsl, cast.school, [Person.Kind.PUPIL], purpose=gate.Purpose.SAFEGUARDING
    )
    assert people.count() == 4
    entry = last_entry()
    assert (entry.actor, entry.role, entry.school, entry.outcome) == (
        cast.dsl,
        "dsl",
        cast.school,
        "allowed",
    )
    assert (entry.action, entry.purpose) == ("people.view_pupils", "safeguarding")


def test_a_refused_read_is_recorded_and_raised(cast):
    with pytest.raises(gate.Refused):
        gate.people(
            cast.teacher, cast.school, [Person.Kind.PUPIL], purpose=gate.Purpose.SAFEGUARDING
        )
    entry = last_entry()
    assert (entry.actor, entry.outcome, entry.role) == (cast.teacher, "refused", "")


def test_reading_two_kinds_needs_both_permissions(cast):
    with pytest.raises(gate.Refused):
        gate.people(
            cast.hr,
            cast.school,
            [Person.Kind.STAFF, Person.Kind.PUPIL],
            purpose=gate.Purpose.SCHOOL_ADMIN,
        )


def test_an_unknown_purpose_is_a_programming_error(cast):
    with pytest.raises(ValueError, match="unknown purpose"):
        gate.people(cast.head, cast.school, [Person.Kind.STAFF], purpose="curiosity")


def test_one_person_is_read_through_the_gate_and_refused_at_another_school(cast):
    pupil = cast.pupil(1)
    assert gate.person(cast.head, cast.school, pupil.pk, purpose=gate.Purpose.SCHOOL_ADMIN) == pupil
    with pytest.raises(gate.Refused):
        gate.person(cast.head, cast.other_school, pupil.pk, purpose=gate.Purpose.SCHOOL_ADMIN)
    assert last_entry().outcome == "refused"


def test_leavers_are_hidden_unless_asked_for(cast):
    Person.objects.filter(pk=cast.pupil(4).pk).update(status=Person.Status.LEFT)
    purpose = gate.Purpose.SCHOOL_ADMIN
    assert gate.people(cast.head, cast.school, ["pupil"], purpose=purpose).count() == 3
    assert (
        gate.people(cast.head, cast.school, ["pupil"], purpose=purpose, include_left=True).count()
        == 4
    )
