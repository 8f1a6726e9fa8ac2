"""Clause 5: personal data in an email: identifiers, sensitive words near names, lists."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fairwatch.checks.context import RosterPerson, SchoolContext
from fairwatch.checks.findings import Severity
from fairwatch.checks.message import Address, Attachment, Message
from fairwatch.checks.personal_data import (
    _identifier_hits,
    check_personal_data,
    find_identifiers,
    find_people_list,
    find_special_category,
    is_valid_ni_number,
    is_valid_uln,
    mask,
    roster_names,
)
from fairwatch.identifiers import make_upn

JACK = RosterPerson(1, "pupil", "Jack", "Smith", "Jacky")
AMELIA = RosterPerson(2, "pupil", "Amelia", "Khan", "Millie")
OLIVER = RosterPerson(3, "pupil", "Oliver", "O'Brien", "Olly")
SARAH = RosterPerson(10, "staff", "Sarah", "Jones", email="s.jones@oak.example")
MARY = RosterPerson(20, "contact", "Mary", "Smith", email="mary.smith@example.com")
PRIYA = RosterPerson(21, "contact", "Priya", "Khan", email="priya.khan@example.net")

OAK = SchoolContext(
    slug="oak",
    name="Oak Primary School",
    domains=frozenset({"oak.example"}),
    pupil_domain="pupils.oak.example",
    people=(JACK, AMELIA, OLIVER, SARAH, MARY, PRIYA),
    links={20: frozenset({1}), 21: frozenset({2})},
)

UPN = make_upn("926", "2001", 15, 7)  # K926200115007
NHS = "943 476 5919"
ULN = "1000102504"
NI = "AB 12 34 56 C"


def mail(body: str = "", *to: str, subject: str = "Hello", attachments=()) -> Message:
    return Message(
        sender=Address("s.jones@oak.example"),
        to=tuple(Address(a) for a in (to or ("office@example.com",))),
        subject=subject,
        body=body,
        attachments=tuple(attachments),
    )


def checks(findings) -> list[str]:
    return [f.check for f in findings]


def ids(text: str, field: str = "body", **kwargs) -> list[str]:
    return checks(find_identifiers(text, field, **kwargs))


# --- pure module -----------------------------------------------------------------------------


@pytest.mark.parametrize("module", ["personal_data", "professional"])
def test_the_check_modules_import_without_django(module):
    code = (
        f"import sys, fairwatch.checks.{module}; "
        "assert 'django' not in sys.modules, 'django was imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- UPN ---------------------------------------------------------------------------------------


def test_a_upn_with_the_right_check_letter_is_found_and_masked():
    text = f"Jack's UPN is {UPN}, please update SIMS."
    (finding,) = find_identifiers(text, "body")
    assert finding.check == "pd-upn" and finding.clause == "5"
    assert text[finding.where.start : finding.where.end] == UPN
    assert finding.where.text == "K926******007"
    assert UPN not in finding.message and UPN not in finding.where.text


def test_a_upn_in_lower_case_with_spaces_is_found():
    assert ids("upn: k926 2001 15007") == ["pd-upn"]


def test_a_upn_with_a_wrong_check_letter_is_not_a_finding():
    wrong = ("A" if UPN[0] != "A" else "B") + UPN[1:]
    assert ids(f"UPN {wrong}") == []


@pytest.mark.parametrize(
    "code", ["X123456789012", "B000200005001", "QWERTY1234567", "AB12CD34EF567"]
)
def test_a_random_thirteen_character_code_is_not_a_upn(code):
    assert ids(f"Your booking code is {code}.") == []


# --- ULN ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, valid",
    [
        ("1000102504", True),  # 39 mod 11 = 6, check 10 - 6 = 4
        ("3000000010", True),  # remainder 10 gives check digit 0
        ("1000102505", False),  # wrong check digit (this one is a valid NHS number instead)
        ("1000000060", False),  # remainder 0 would need check digit 10: never a ULN
        ("1000000069", False),
        ("0123456789", False),  # ten digits must not start with 0
        ("123456789", False),
        ("12345678901", False),
        ("12345abcde", False),
    ],
)
def test_the_uln_check_digit_follows_the_learning_records_service_rule(value, valid):
    assert is_valid_uln(value) is valid


def test_a_valid_uln_is_found_and_masked():
    (finding,) = find_identifiers(f"Her ULN is {ULN}.", "body")
    assert finding.check == "pd-uln"
    assert finding.where.text == "100****504"


def test_a_ten_digit_number_with_a_bad_uln_check_digit_is_not_a_finding():
    assert ids("Learner number 1000102503") == []


def test_the_placeholder_uln_for_no_uln_yet_is_not_a_finding():
    assert ids("ULN 9999999999") == []


# --- NHS number ------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["943 476 5919", "943-476-5919", "9434765919"])
def test_an_nhs_number_is_found_in_its_usual_forms(written):
    (finding,) = find_identifiers(f"NHS no. {written} for the hospital letter", "body")
    assert finding.check == "pd-nhs-number"
    assert finding.where.text.replace("-", " ") in ("943 *** 5919", "943***5919")


def test_an_nhs_number_is_masked_in_the_middle():
    (finding,) = find_identifiers(f"Her number is {NHS}.", "body")
    assert finding.where.text == "943 *** 5919"
    assert "476" not in finding.message
    assert "NHS number" in finding.message and "health" in finding.message


@pytest.mark.parametrize("written", ["943 476 5918", "9434765911", "123 456 7890"])
def test_a_ten_digit_number_with_a_bad_nhs_checksum_is_not_a_finding(written):
    assert ids(f"NHS number {written}") == []


@pytest.mark.parametrize(
    "text",
    [
        "Invoice 9434765919 is attached.",
        "Your order number: 9434765919",
        "Booking ref 9434765919",
        "Call +44 161 496 0000 about the minibus",
    ],
)
def test_a_labelled_reference_or_a_phone_number_is_not_taken_for_an_nhs_number(text):
    assert "pd-nhs-number" not in ids(text)


def test_a_number_labelled_nhs_counts_even_near_a_reference_word():
    assert ids("Case notes, NHS number 9434765919") == ["pd-nhs-number"]


# --- NI number ---------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["AB 12 34 56 C", "AB123456C", "ab 123456 c", "JZ 98 76 54 D"])
def test_a_national_insurance_number_is_found(written):
    (finding,) = find_identifiers(f"NI number: {written}", "body")
    assert finding.check == "pd-ni-number"
    assert finding.where.text.upper().startswith("AB") or finding.where.text.startswith("JZ")
    assert "12" not in finding.where.text and "98" not in finding.where.text


@pytest.mark.parametrize(
    "written",
    [
        "QQ 12 34 56 C",  # Q is never used (this is HMRC's own example)
        "DA 12 34 56 A",  # D never
        "AF 12 34 56 A",  # F never
        "AO 12 34 56 A",  # O never second
        "GB 12 34 56 A",  # GB, BG, NK, KN, TN, NT, ZZ never
        "BG 12 34 56 A",
        "NK 12 34 56 A",
        "TN 12 34 56 A",
        "ZZ 12 34 56 A",
        "AB 12 34 56 E",  # suffix A-D only
        "AB 12 34 5 C",
    ],
)
def test_a_code_that_breaks_the_ni_number_rules_is_not_a_finding(written):
    assert not is_valid_ni_number(written)
    assert ids(f"NI number: {written}") == []


# --- date of birth ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Jack Smith, DOB: 03/04/2015",
        "D.O.B. 3.4.15",
        "date of birth 3rd April 2015",
        "Date of Birth: April 3, 2015",
        "She was born on 2015-04-03 in Norwich.",
        "dob 03-04-2015",
    ],
)
def test_a_date_near_a_birth_label_is_a_date_of_birth(text):
    (finding,) = find_identifiers(text, "body")
    assert finding.check == "pd-date-of-birth"
    assert "03" not in finding.where.text.replace("2015", "")


@pytest.mark.parametrize(
    "text",
    [
        "The trip is on 03/04/2025.",
        "Invoice dated 3 April 2024, due 3 May 2024.",
        "DOB 31/02/2015",  # not a real date
        "DOB 01/01/2099",  # not yet born
        "DOB: see the attached form.\nThe meeting is on 12/03/2024.",  # different line
        "I was born in Norwich and moved here in 2010, and the open day is 04/05/2019.",
    ],
)
def test_a_bare_date_is_not_a_date_of_birth(text):
    assert "pd-date-of-birth" not in ids(text)


def test_a_date_of_birth_is_masked_to_the_year():
    (finding,) = find_identifiers("DOB: 03/04/2015", "body")
    assert finding.where.text == "**/**/2015"


# --- address -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Jack now lives at 12 Acacia Avenue, Norwich NR1 2AB with his aunt.",
        "New address:\n4a Mill Lane\nWymondham\nNorfolk\nNR18 0AA",
        "Please send it to Flat 3, 27 St Stephens Road, Norwich, NR1 3SP.",
    ],
)
def test_a_street_line_followed_by_a_postcode_is_a_home_address(text):
    (finding,) = find_identifiers(text, "body")
    assert finding.check == "pd-address"
    assert finding.where.text.startswith("** ")
    assert finding.where.text.endswith(" ***")


@pytest.mark.parametrize(
    "text",
    [
        "We meet at Norwich Castle Museum, 24 Castle Meadow, Norwich NR1 3JU.",
        "Oak Primary School, 1 Church Lane, Norwich NR1 2AB",
        "The coach leaves from 1 Church Lane at 9am.",  # no postcode
        "Jack lives on Acacia Avenue, NR1 2AB.",  # no house number
        "12 Acacia Avenue, Norwich NR1 2CI",  # CI is not a valid inward code
        "Room 12 Main Hall",
    ],
)
def test_an_organisation_or_incomplete_address_is_not_a_home_address(text):
    assert "pd-address" not in ids(text)


def test_the_school_address_in_a_signature_is_not_a_finding():
    body = (
        "Hi Mary,\n\nThe forms are attached.\n\nKind regards,\n\nSarah Jones\nYear 2 Teacher\n"
        "Oak Primary\n1 Church Lane\nNorwich NR1 2AB\nTel: 01603 123456\nMobile: 07700 900123\n"
    )
    assert ids(body) == []


# --- phones ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Mum's mobile: 07700 900123",
        "Emergency contact: grandma on 01632 960123",
        "You can reach Mrs Patel on +44 7700 900456",
        "Dad (new number) 07700900789",
    ],
)
def test_a_phone_number_next_to_a_person_is_a_low_finding(text):
    (finding,) = find_identifiers(text, "body")
    assert finding.check == "pd-phone" and finding.severity == Severity.LOW
    assert "900" not in finding.where.text[-4:]


def test_a_roster_name_on_the_line_makes_a_phone_number_personal():
    text = "Jack Smith 07700 900123"
    assert ids(text) == []
    assert ids(text, names=["Jack Smith"]) == ["pd-phone"]


@pytest.mark.parametrize(
    "text",
    [
        "Please ring the office on 01603 123456 if you have questions.",
        "Call me on 07700 900123 when you arrive.",
        "The helpline is 0344 381 4772.",
        "Thanks,\nSarah Jones\nOak Primary School\nT: 01603 123456\nM: 07700 900123",
        "Best wishes\n\nMrs S Jones\nMobile 07700 900123",
    ],
)
def test_an_ordinary_or_signature_phone_number_is_not_a_finding(text):
    assert ids(text) == []


def test_a_list_of_phone_numbers_is_a_finding_for_each():
    text = "Numbers for the trip:\n07700 900001\n07700 900002\n07700 900003\n"
    assert ids(text) == ["pd-phone"] * 3


def test_a_phone_number_is_only_info_when_every_recipient_is_inside_the_school():
    (finding,) = check_personal_data(mail("Mum's mobile: 07700 900123", "a@oak.example"), OAK)
    assert finding.severity == Severity.INFO


# --- special-category words ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, term",
    [
        ("Jack Smith has left his medication in the classroom.", "medication"),
        ("Jack Smith's EHCP review is on Monday.", "EHCP"),
        ("We have a safeguarding concern about Jack Smith.", "safeguarding"),
        ("Jack Smith is on a CP plan since March.", "CP plan"),
        ("Jack Smith is eligible for free school meals.", "free school meals"),
        ("Jack Smith became a looked-after child in May.", "looked-after child"),
        ("Jack Smith has been given a fixed-term exclusion.", "fixed-term exclusion"),
        ("Jack Smith's mental health has been poor.", "mental health"),
        ("Please note Jack Smith is pregnant.", "pregnant"),
        ("Jack Smith's family asked us to record his religion.", "religion"),
        ("Jack Smith was diagnosed last week, his mum says.", "diagnosed"),
        ("We discussed Jack Smith's SEN support and the plan.", "SEN"),
    ],
)
def test_a_sensitive_word_near_a_name_is_a_finding(text, term):
    (finding,) = find_special_category(text, "body", ["Jack Smith"])
    assert finding.check == "pd-special-category"
    assert finding.where.text == term
    assert text[finding.where.start : finding.where.end] == term
    assert "Jack" not in finding.message and "Jack" not in finding.where.text


def test_a_sensitive_word_without_a_name_is_not_a_finding():
    text = "Please tell us about any medication your child needs on the trip."
    assert find_special_category(text, "body", ["Jack Smith"]) == []
    assert find_special_category(text, "body") == []


def test_a_sensitive_word_far_from_the_name_is_not_a_finding():
    text = (
        "Jack Smith read beautifully in assembly today. "
        "In other news the hall will be closed on Friday afternoon for the caretaker to "
        "finish the floor, and the staff meeting will cover the new medication policy."
    )
    assert find_special_category(text, "body", ["Jack Smith"]) == []


def test_a_sensitive_word_within_fifteen_words_of_the_name_counts_across_sentences():
    text = "Jack Smith was tired today. He said he had forgotten his inhaler at home."
    assert checks(find_special_category(text, "body", ["Jack Smith"])) == ["pd-special-category"]


@pytest.mark.parametrize(
    "text",
    [
        "Sarah Jones, our Designated Safeguarding Lead, will run the training.",
        "Sarah Jones is leading the safeguarding training on the INSET day.",
        "Sarah Jones will do the health and safety walk on Monday.",
        "Sarah Jones, Head of SEND, is away today.",
        "Please send Sarah Jones the minutes.",  # "send", not SEND
        "PLEASE SEND ME THE MINUTES FROM SARAH JONES.",
        "Sarah Jones is our Mental Health Lead this year.",
        "Kind regards,\nSarah Jones\nSENCo / Inclusion\nOak Primary School",
    ],
)
def test_a_role_title_or_an_ordinary_word_is_not_a_sensitive_fact(text):
    assert find_special_category(text, "body", ["Sarah Jones"]) == []


def test_one_finding_per_kind_of_data_per_field():
    text = "Jack Smith's medication and his inhaler are in the medical room."
    assert len(find_special_category(text, "body", ["Jack Smith"])) == 1


@pytest.mark.parametrize(
    "written",
    ["Jack Smith", "JACK SMITH", "jacky smith", "Smith, Jack", "Olly O'Brien", "Olly O’Brien"],
)
def test_the_check_finds_roster_names_itself_in_any_case_and_preferred_form(written):
    findings = check_personal_data(mail(f"{written} has an EHCP review next week."), OAK)
    assert checks(findings) == ["pd-special-category"]


def test_roster_names_are_whole_words():
    assert roster_names("Jack Smithson and Ajack Smith", OAK.name_index) == []
    assert roster_names("Millie Khan's book", OAK.name_index) == ["Millie Khan"]


# --- lists of people ---------------------------------------------------------------------------

CSV_LIST = """UPN,Surname,Forename,DOB,Postcode
K926200115007,Smith,Jack,03/04/2015,NR1 2AB
R801200014123,Khan,Amelia,12/09/2015,NR2 3CD
H801200001001,O'Brien,Oliver,30/11/2014,NR3 4EF
"""


def test_a_csv_with_name_and_personal_columns_is_a_list_of_people():
    finding = find_people_list(Attachment("year2.csv", "text/csv", 300, CSV_LIST))
    assert finding is not None
    assert finding.check == "pd-people-list" and finding.clause == "5"
    assert finding.where.field == "attachment:year2.csv"
    assert "3 rows" in finding.message and "date of birth" in finding.message
    assert "K926" not in finding.message and "Smith" not in finding.where.text


def test_a_spreadsheet_with_a_title_row_and_tabs_is_a_list_of_people():
    text = (
        "Class 4 contacts\n"
        "Pupil name\tParent email\tMobile\n"
        "Jack Smith\tmary@example.com\t07700 900001\n"
        "Amelia Khan\tpriya@example.net\t07700 900002\n"
        "Oliver O'Brien\tdad@example.org\t07700 900003\n"
        "Noah Bright\tmark@example.org\t07700 900004\n"
    )
    finding = find_people_list(Attachment("class4.xlsx", "application/vnd", 900, text))
    assert finding is not None and "4 rows" in finding.message


def test_free_text_lines_pairing_names_with_details_are_a_list_of_people():
    text = (
        "Medical list for the trip\n"
        "Jack Smith - born 03/04/2015 - mum 07700 900001\n"
        "Amelia Khan - born 12/09/2015 - priya.khan@example.net\n"
        "Oliver O'Brien - NHS 943 476 5919\n"
    )
    assert find_people_list(Attachment("trip.docx", "application/docx", 900, text)) is not None


@pytest.mark.parametrize(
    "text",
    [
        CSV_LIST.splitlines()[0] + "\n" + "\n".join(CSV_LIST.splitlines()[1:3]),  # two rows
        "Name\nJack Smith\nAmelia Khan\nOliver O'Brien\nNoah Bright\n",  # names only
        "Date,Event\n12/03/2025,Parents Evening\n05/07/2025,Sports Day\n10/10/2025,Harvest\n",
        "Monday Maths 09:00\nTuesday English 09:00\nWednesday Science 09:00\nThursday Art\n",
        "Item,Qty,Price\nGlue sticks,40,12.00\nPencils,200,18.50\nExercise books,300,95.00\n",
        "",
    ],
)
def test_an_attachment_that_is_not_a_list_of_people_is_not_a_finding(text):
    assert find_people_list(Attachment("file.csv", "text/csv", len(text), text)) is None


def test_a_people_list_replaces_the_per_row_identifier_findings():
    message = mail("See attached.", attachments=[Attachment("y2.csv", "text/csv", 1, CSV_LIST)])
    findings = check_personal_data(message, OAK)
    assert checks(findings) == ["pd-people-list"]
    assert findings[0].severity == Severity.HIGH


def test_identifiers_inside_an_attachment_that_is_not_a_list_are_found():
    letter = "Dear Mrs Smith,\nThank you. For our records, Jack's NHS number is 943 476 5919.\n"
    message = mail(
        "Letter attached.", attachments=[Attachment("letter.txt", "text/plain", 1, letter)]
    )
    (finding,) = check_personal_data(message, OAK)
    assert finding.check == "pd-nhs-number"
    assert finding.where.field == "attachment:letter.txt"
    assert "attachment 'letter.txt'" in finding.message


def test_a_table_of_people_pasted_into_the_body_is_a_list_of_people():
    findings = check_personal_data(mail("Here is the list you asked for:\n\n" + CSV_LIST), OAK)
    assert [(f.check, f.where.field) for f in findings] == [("pd-people-list", "body")]
    assert findings[0].message.startswith("The body looks like a list of people")


def test_a_quoted_thread_with_several_senders_is_not_a_list_of_people():
    body = (
        "Thanks all.\n\n"
        "From: Mary Smith <mary.smith@example.com>\nSent: 3 March 2021\n> Fine by me.\n"
        "On Mon, 3 Mar 2021, Priya Khan <priya.khan@example.net> wrote:\n> Yes.\n"
        "From: Noah Bright <noah@example.org>\nSent: 2 March 2021\n> Agreed.\n"
    )
    assert check_personal_data(mail(body), OAK) == []


def test_staff_work_addresses_in_a_newsletter_are_not_a_list_of_people():
    text = (
        "Clubs this term\n"
        "Football with Tom Wren: t.wren@oak.example\n"
        "Choir with Sarah Jones: s.jones@oak.example\n"
        "Coding with Ravi Patel: r.patel@oak.example\n"
    )
    attachment = Attachment("newsletter.pdf", "application/pdf", 1, text)
    assert find_people_list(attachment, school_domains=["oak.example"]) is None
    assert find_people_list(attachment) is not None
    assert check_personal_data(mail("Newsletter attached.", attachments=[attachment]), OAK) == []


def test_the_senders_own_name_next_to_their_own_number_is_not_a_finding():
    body = "Any problems on the trip, ring me.\nSarah Jones 07700 900123\n"
    assert check_personal_data(mail(body), OAK) == []
    other = Message(sender=Address("t.wren@oak.example"), to=(Address("x@example.com"),), body=body)
    assert [f.check for f in check_personal_data(other, OAK)] == ["pd-phone"]


# --- severity by recipient ---------------------------------------------------------------------

BODY_WITH_NHS = f"Jack's NHS number is {NHS}."


def test_personal_data_going_outside_the_school_is_high():
    (finding,) = check_personal_data(mail(BODY_WITH_NHS, "someone@example.org"), OAK)
    assert finding.severity == Severity.HIGH
    assert "outside the school (to example.org)" in finding.message


def test_personal_data_on_internal_mail_is_low():
    message = mail(BODY_WITH_NHS, "a@oak.example", "b@pupils.oak.example", "c@staff.oak.example")
    (finding,) = check_personal_data(message, OAK)
    assert finding.severity == Severity.LOW
    assert "inside the school" in finding.message


def test_one_outside_recipient_among_internal_ones_makes_it_high():
    message = mail(BODY_WITH_NHS, "a@oak.example", "friend@gmail.example")
    (finding,) = check_personal_data(message, OAK)
    assert finding.severity == Severity.HIGH


def test_a_sensitive_fact_sent_only_to_the_pupils_own_linked_parent_is_low():
    message = mail("Jack Smith left his inhaler at school today.", "mary.smith@example.com")
    (finding,) = check_personal_data(message, OAK)
    assert finding.check == "pd-special-category" and finding.severity == Severity.LOW
    assert "own parent or carer" in finding.message


def test_a_sensitive_fact_sent_to_another_pupils_parent_is_high():
    message = mail("Jack Smith left his inhaler at school today.", "priya.khan@example.net")
    (finding,) = check_personal_data(message, OAK)
    assert finding.severity == Severity.HIGH


def test_a_message_naming_two_pupils_to_one_pupils_parent_is_high():
    message = mail(
        "Jack Smith and Amelia Khan both need their inhalers on the trip.",
        "mary.smith@example.com",
    )
    (finding,) = check_personal_data(message, OAK)
    assert finding.severity == Severity.HIGH


def test_a_list_of_people_to_a_linked_parent_is_still_high():
    message = mail(
        "Jack Smith's class list attached.",
        "mary.smith@example.com",
        attachments=[Attachment("y2.csv", "text/csv", 1, CSV_LIST)],
    )
    (finding,) = check_personal_data(message, OAK)
    assert finding.check == "pd-people-list" and finding.severity == Severity.HIGH


def test_the_functions_assume_the_worst_without_recipients_and_take_external_false():
    assert find_identifiers(BODY_WITH_NHS, "body")[0].severity == Severity.HIGH
    assert find_identifiers(BODY_WITH_NHS, "body", external=False)[0].severity == Severity.LOW


def test_a_draft_with_no_recipients_yet_is_low_and_says_to_check():
    message = Message(sender=Address("s.jones@oak.example"), body=BODY_WITH_NHS)
    (finding,) = check_personal_data(message, OAK)
    assert finding.severity == Severity.LOW and "Check who it is going to" in finding.message


# --- where, and what each finding says -----------------------------------------------------------


def test_the_subject_line_is_checked_too():
    (finding,) = check_personal_data(mail("See below", subject=f"UPN {UPN}"), OAK)
    assert finding.where.field == "subject"
    assert finding.message.startswith("The subject line contains")


def test_quoted_reply_text_still_counts_because_it_is_still_being_sent():
    body = f"Thanks, see below.\n\n> Jack's NHS number is {NHS}\n"
    assert checks(check_personal_data(mail(body), OAK)) == ["pd-nhs-number"]


def test_every_finding_cites_clause_5_and_says_why_and_what_to_do():
    body = (
        f"UPN {UPN}, ULN {ULN}, NHS {NHS}, NI {NI}, DOB 03/04/2015.\n"
        "Address: 12 Acacia Avenue, Norwich NR1 2AB.\n"
        "Mum: 07700 900123\n"
        "Jack Smith has a new EHCP.\n"
    )
    findings = check_personal_data(mail(body), OAK)
    assert sorted(checks(findings)) == sorted(
        [
            "pd-upn",
            "pd-uln",
            "pd-nhs-number",
            "pd-ni-number",
            "pd-date-of-birth",
            "pd-address",
            "pd-phone",
            "pd-special-category",
        ]
    )
    for finding in findings:
        assert finding.clause == "5"
        assert finding.message and finding.fix
        assert body[finding.where.start : finding.where.end]
        for raw in (UPN, ULN, "476", "12 34 56", "03/04", "Acacia Avenue, Norwich", "900123"):
            assert raw not in finding.message and raw not in finding.where.text
    nhs = next(f for f in findings if f.check == "pd-nhs-number")
    assert "secure transfer system (not email)" in nhs.fix


def test_mask_keeps_separators_and_the_ends():
    assert mask("943 476 5919", 3, 4) == "943 *** 5919"
    assert mask("AB 12 34 56 C", 2, 1) == "AB ** ** ** C"
    assert mask("12", 3, 4) == "12"


def test_born_counts_as_a_date_of_birth_label_only_when_said_of_a_person():
    said_of_a_thing = "Fun fact for the newsletter: the NHS was born on 5 July 1948."
    assert not [h for h in _identifier_hits(said_of_a_thing, []) if h.check == "pd-date-of-birth"]
    said_of_a_child = "Olly was born on 3 May 2017."
    assert [h.check for h in _identifier_hits(said_of_a_child, [])] == ["pd-date-of-birth"]


def test_headers_of_a_forwarded_thread_are_not_a_list_of_people():
    body = (
        "See below.\n\n"
        "> To: Brian Davison; David Esones; Jason Kriendler; Todd Grabbe\n"
        "> <bjdavison@example.com>; David Esones (E-mail) <d.esones@example.org>;\n"
        "> Todd Grabbe (E-mail) <todd.grabbe@example.net>; Chris Ferguson <cf@example.com>;\n"
        ">>>>> Elias Sinderson <elias@example.edu> writes:\n"
        "> On Wed, 21 Aug 2002 15:47:32 BST, Paul Askins said:\n"
    )
    assert find_people_list(Attachment("thread.txt", "text/plain", len(body), body)) is None


def test_a_disclaimer_repeated_down_a_thread_counts_once():
    line = "Contact Alex Hsieh on 07700 900123 for details of this notice.\n"
    body = line * 4 + "Sam Jones 07700 900456\n"
    assert find_people_list(Attachment("t.txt", "text/plain", len(body), body)) is None
    body += "Priya Shah 07700 900789\n"
    assert find_people_list(Attachment("t.txt", "text/plain", len(body), body)) is not None


def test_words_in_title_case_are_not_names_in_a_list():
    body = "".join(f"July {d}, 2002, 8:00 AM PT | Read Full Story\n" for d in range(20, 26))
    assert find_people_list(Attachment("news.txt", "text/plain", len(body), body)) is None


@pytest.mark.parametrize(
    "line",
    [
        "Olly Smith born 12/03/2015",
        "Olly Smith (born 12/03/2015)",
        "New starter: Olly Smith - born 12/03/2015",
        "Olly Smith, Year 4, born 12/03/2015",
    ],
)
def test_born_after_a_name_labels_a_date_of_birth(line):
    assert [h.check for h in _identifier_hits(line, [])] == ["pd-date-of-birth"]


@pytest.mark.parametrize(
    "rows",
    [
        "Amy Jones - jo@example.com, pete@example.com\nBen Hill - a@example.com, b@example.com\n"
        "Cal Ray - c@example.com, d@example.com\n",
        "Olly Smith; 12/03/2015; 07700 900123\nAmy Jones; 01/02/2016; 07700 900124\n"
        "Ben Hill; 03/04/2015; 07700 900125\n",
        "Mrs Jones - 07700 900123\nMr Hill - 07700 900124\nMs Ray - 07700 900125\n",
        "SMITH Olly 12/03/2015\nJONES Amy 01/02/2016\nHILL Ben 03/04/2015\n",
        "Ruby Jones 07700 900123\nGrace Smith 07700 900124\nMax Patel 07700 900125\n",
        "Olly Smith on 12/05/2025 10:30 - 07700 900123\nAmy Jones on 12/05/2025 10:45 - "
        "07700 900124\nBen Hill on 12/05/2025 11:00 - 07700 900125\n",
    ],
)
def test_lists_of_people_in_the_ways_schools_write_them(rows):
    assert find_people_list(Attachment("list.txt", "text/plain", len(rows), rows)) is not None
