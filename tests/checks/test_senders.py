"""Clauses 4.4 and 4.5: approved accounts only, and pupils only from them."""

from __future__ import annotations

from fairwatch.checks.findings import Severity
from fairwatch.checks.senders import check_sender
from tests.checks.oak import mail, oak


def test_the_schools_own_domain_is_approved_by_default():
    assert check_sender(mail("a.hartley@oak.sch.uk"), oak()) == []


def test_a_personal_webmail_sender_is_high():
    (finding,) = check_sender(mail("a.hartley@oak.sch.uk", sender="tom@gmail.com"), oak())
    assert (finding.clause, finding.check, finding.severity) == (
        "4.5",
        "sender-not-approved",
        Severity.HIGH,
    )


def test_an_unknown_domain_sender_is_medium():
    (finding,) = check_sender(mail("x@oak.sch.uk", sender="tom@other-school.org.uk"), oak())
    assert finding.severity == Severity.MEDIUM


def test_a_pupil_written_to_from_webmail_is_a_4_4_finding():
    message = mail("oliver.grant@pupils.oak.sch.uk", sender="tom@gmail.com")
    checks = {f.check: f for f in check_sender(message, oak())}
    assert checks["pupil-from-unapproved-account"].clause == "4.4"
    assert checks["pupil-from-unapproved-account"].severity == Severity.HIGH


def test_a_pupil_written_to_from_the_school_account_is_fine():
    assert check_sender(mail("isla.may@pupils.oak.sch.uk"), oak()) == []


def test_an_approved_list_replaces_the_domain_default():
    context = oak(approved_senders=frozenset({"office@oak.sch.uk", "trust.example"}))
    assert check_sender(mail("x@oak.sch.uk", sender="office@oak.sch.uk"), context) == []
    assert check_sender(mail("x@oak.sch.uk", sender="ceo@trust.example"), context) == []
    assert check_sender(mail("x@oak.sch.uk", sender="t.wren@oak.sch.uk"), context)


def test_a_message_without_a_sender_is_flagged():
    message = mail("x@oak.sch.uk")
    message = type(message)(sender=None, to=message.to)
    assert check_sender(message, oak())[0].check == "sender-missing"
