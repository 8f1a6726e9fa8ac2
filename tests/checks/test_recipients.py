"""Clause 4.2: the right recipients."""

from __future__ import annotations

from fairwatch.checks.context import SchoolContext
from fairwatch.checks.findings import Severity
from fairwatch.checks.recipients import check_recipients
from tests.checks.oak import mail, oak


def checks(message, context: SchoolContext | None = None):
    return {f.check: f for f in check_recipients(message, context or oak())}


def test_a_lookalike_of_the_schools_domain_is_high():
    found = checks(mail("a.hartley@oak.sch.uk.co", "t.wren@oak.sch.uk"))
    assert set(found) <= {"recipient-lookalike-domain"}
    found = checks(mail("payroll@norfo1k.gov.uk"))
    assert found["recipient-lookalike-domain"].severity == Severity.HIGH
    assert "norfolk.gov.uk" in found["recipient-lookalike-domain"].message


def test_ordinary_recipients_raise_nothing():
    assert checks(mail("a.hartley@oak.sch.uk", "hr@norfolk.gov.uk", "someone@gmail.com")) == {}


def test_a_name_shown_for_another_roster_persons_address_is_high():
    message = mail("Sarah Grant <june.may@example.net>", subject="Trip")
    finding = checks(message)["recipient-name-address-mismatch"]
    assert finding.severity == Severity.HIGH and "Sarah Grant" in finding.fix


def test_a_name_matching_its_own_address_is_fine():
    assert checks(mail("Sarah Grant <sarah.grant@example.com>")) == {}


def test_parents_addresses_visible_to_each_other_should_be_bcc():
    found = checks(mail("sarah.grant@example.com", "june.may@example.net"))
    assert found["recipients-exposed"].severity == Severity.MEDIUM
    assert "Bcc" in found["recipients-exposed"].fix
    assert "recipients-exposed" not in checks(
        mail("a.hartley@oak.sch.uk", bcc=("sarah.grant@example.com", "june.may@example.net"))
    )


def test_a_message_about_one_pupil_sent_only_to_another_pupils_parent_is_high():
    message = mail("june.may@example.net", subject="Reading", body="Olly Grant read well today.")
    finding = checks(message)["recipient-roster-mismatch"]
    assert finding.severity == Severity.HIGH and "Olly Grant" in finding.message


def test_a_message_about_a_pupil_sent_to_their_own_parent_is_fine():
    message = mail("sarah.grant@example.com", body="Olly Grant read well today.")
    assert "recipient-roster-mismatch" not in checks(message)


def test_a_first_time_outside_recipient_is_noted_when_history_is_known():
    context = oak(history={"t.wren@oak.sch.uk": frozenset({"sarah.grant@example.com"})})
    found = checks(mail("sarah.grant@example.com", "new.person@example.org"), context)
    assert found["recipient-first-time"].severity == Severity.LOW
    assert "new.person@example.org" in found["recipient-first-time"].message
    assert "recipient-first-time" not in checks(mail("new.person@example.org"))  # no history
