"""The engine runs every check and orders findings by severity; findings cite real clauses."""

from __future__ import annotations

from fairwatch.catalogue import model_catalogue
from fairwatch.checks.engine import CHECKS, check_message, worst
from fairwatch.checks.findings import Severity
from fairwatch.checks.parse import parse_bytes
from tests.checks.oak import mail, oak

BAD = mail(
    "june.may@example.net",
    "sarah.grant@example.com",
    subject="OLLY GRANT IS A NIGHTMARE",
    body="Olly Grant (NHS number 943 476 5919) has an EHCP.\n",
    sender="tom.wren@gmail.com",
)


def test_a_bad_message_breaks_several_clauses_and_the_worst_comes_first():
    findings = check_message(BAD, oak())
    clauses = {f.clause for f in findings}
    assert {"4.2", "4.3", "4.5"} <= clauses
    assert findings[0].severity == Severity.HIGH
    assert [f.severity for f in findings] == sorted((f.severity for f in findings), reverse=True)
    assert worst(findings) == Severity.HIGH


def test_every_finding_cites_a_clause_of_the_catalogue_with_a_reason_and_a_fix():
    catalogue = model_catalogue()
    for finding in check_message(BAD, oak()):
        assert finding.clause in catalogue, finding
        assert finding.message and finding.fix and finding.check


def test_an_ordinary_message_has_no_findings():
    message = mail(
        "a.hartley@oak.sch.uk",
        subject="Year 6 trip",
        body="The coach leaves at 9. Please bring packed lunches.\n\nKind regards\nTom",
    )
    assert check_message(message, oak()) == []
    assert worst([]) is None


def test_a_parsed_raw_message_is_checked_the_same_way():
    raw = (
        b"From: Tom <t.wren@oak.sch.uk>\r\nTo: Sarah Grant <june.may@example.net>\r\n"
        b"Subject: =?utf-8?q?Olly_Grant=E2=80=99s_book?=\r\n\r\nHello\r\n"
    )
    checks = {f.check for f in check_message(parse_bytes(raw), oak())}
    assert {"subject-roster-name", "recipient-name-address-mismatch"} <= checks


def test_the_registry_lists_each_check_once():
    assert len(set(CHECKS)) == len(CHECKS)


def test_the_list_of_check_slugs_is_the_checks_own():
    import re
    from pathlib import Path

    import fairwatch.checks as package
    from fairwatch.checks.engine import CHECK_SLUGS

    folder = Path(package.__file__).parent
    source = "".join(p.read_text() for p in folder.glob("*.py"))
    used = set(re.findall(r'check="([a-z0-9-]+)"', source))
    used |= set(re.findall(r'_(?:finding|hit)\(\s*"([a-z0-9-]+)"', source))
    used |= set(re.findall(r'"(pd-[a-z0-9-]+)"', source))
    assert used <= set(CHECK_SLUGS), used - set(CHECK_SLUGS)
    assert len(CHECK_SLUGS) == len(set(CHECK_SLUGS))
