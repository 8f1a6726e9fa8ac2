"""Clause 4.3: nobody named in the subject."""

from __future__ import annotations

import pytest

from fairwatch.checks.findings import Severity
from fairwatch.checks.subject import check_subject
from fairwatch.identifiers import make_upn
from tests.checks.oak import mail, oak


def findings(subject: str, *to: str):
    return check_subject(mail(*(to or ("a.hartley@oak.sch.uk",)), subject=subject), oak())


@pytest.mark.parametrize(
    "subject, named",
    [
        ("Oliver Grant - reading", "Oliver Grant"),
        ("Olly Grant's reading book", "Olly Grant"),
        ("OLLY GRANT absence", "OLLY GRANT"),
        ("olly grant", "olly grant"),
        ("Re: O. Grant", "O. Grant"),
        ("O Grant", "O Grant"),
        ("Grant, Oliver — EHCP review", "Grant, Oliver"),
        ("Fwd: Isla May", "Isla May"),
        ("Call from Mrs Grant", "Mrs Grant"),
    ],
)
def test_a_pupil_or_parent_named_in_the_subject_is_found(subject, named):
    (finding,) = findings(subject)
    assert finding.clause == "4.3" and finding.check == "subject-roster-name"
    assert finding.where.field == "subject" and finding.where.text == named
    assert subject[finding.where.start : finding.where.end] == named
    assert finding.severity == Severity.MEDIUM


@pytest.mark.parametrize(
    "subject",
    [
        "Year 6 trip",
        "Re: Budget",
        "May trip for Year 4",
        "Grace period for the library books",
        "Will the hall be free?",
        "Reading scheme update",
        "Bright ideas for assembly",
        "Grant application deadline",
        "",
    ],
)
def test_ordinary_subjects_name_nobody(subject):
    assert findings(subject) == []


def test_naming_a_pupil_to_someone_outside_the_school_is_high():
    (finding,) = findings("Olly Grant", "sarah.grant@example.com")
    assert finding.severity == Severity.HIGH


def test_a_staff_name_in_the_subject_is_only_low():
    (finding,) = findings("Cover for Tom Wren")
    assert finding.severity == Severity.LOW


def test_a_upn_in_the_subject_is_found_and_masked():
    upn = make_upn("926", "2001", 20, 5)
    (finding,) = findings(f"Records for {upn}")
    assert finding.check == "subject-pupil-identifier" and finding.severity == Severity.HIGH
    assert upn not in finding.where.text and finding.where.text.endswith(upn[-3:])


def test_a_code_with_a_wrong_upn_check_letter_is_not_a_upn():
    upn = make_upn("926", "2001", 20, 5)
    wrong = ("A" if upn[0] != "A" else "B") + upn[1:]
    assert findings(f"Order {wrong}") == []


def test_a_labelled_uln_in_the_subject_is_found_but_not_a_bare_number():
    (finding,) = findings("ULN 1000102504 transfer")
    assert finding.check == "subject-pupil-identifier" and "1000102504" not in finding.where.text
    assert findings("Invoice 1000102504") == []


# --- people who are not on the roster -------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "named"),
    [
        ("Reference request: Harriet Quenby (TA applicant)", "Harriet Quenby"),
        ("Transfer from Larkhill Primary – Tobias Wrenfield", "Tobias Wrenfield"),
        ("Complaint from Mr Gideon Holloway", "Mr Gideon Holloway"),
        ("Re: Mrs. Okonkwo's visit", "Mrs. Okonkwo"),
        ("Zainab Hussein - in-year admission", "Zainab Hussein"),
    ],
)
def test_people_not_on_the_roster_are_found_by_forename_or_title(subject, named):
    found = [f for f in findings(subject) if f.check == "subject-personal-name"]
    assert [f.where.text for f in found] == [named]
    assert found[0].severity == Severity.MEDIUM and found[0].clause == "4.3"


@pytest.mark.parametrize(
    "subject",
    [
        "Year 6 trip",
        "Re: Budget",
        "Will you cover Friday?",
        "Grace period for trip payments",
        "May Day bank holiday",
        "Reading Festival tickets",
        "Bill Payment Due",
        "Mark Scheme for the mock",
        "Year 6 Trip To Norwich On Friday",  # Title Case: capitals prove nothing
        "MS Excel training",
        "Harvest Festival",
        "Victoria Station meeting point",
        "Chester Zoo trip letter",
        "Isaac Newton Academy transition",
        "Year 6 transition day at Sir John Lawes",
        "Roald Dahl day costumes",
        "Miss Saigon tickets",
    ],
)
def test_words_that_are_also_names_are_not_people(subject):
    assert [f.check for f in findings(subject) if f.check == "subject-personal-name"] == []


def test_a_roster_person_is_reported_once_as_a_roster_name():
    checks = [f.check for f in findings("Re: Oliver Grant's reading")]
    assert checks == ["subject-roster-name"]
