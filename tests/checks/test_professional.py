"""Clause 4.1: emails may be released under data protection law, so keep them professional."""

from __future__ import annotations

import pytest

from fairwatch.checks.context import RosterPerson, SchoolContext
from fairwatch.checks.findings import Severity
from fairwatch.checks.message import Address, Message
from fairwatch.checks.personal_data import check_personal_data
from fairwatch.checks.professional import check_professional, own_words

JACK = RosterPerson(1, "pupil", "Jack", "Smith", "Jacky")
AMELIA = RosterPerson(2, "pupil", "Amelia", "Khan", "Millie")
OLIVER = RosterPerson(3, "pupil", "Oliver", "O'Brien", "Olly")
GRACE = RosterPerson(4, "pupil", "Grace", "Hill")
SARAH = RosterPerson(10, "staff", "Sarah", "Jones", email="s.jones@oak.example")
TOM = RosterPerson(11, "staff", "Thomas", "Wren", "Tom", email="t.wren@oak.example")
MARY = RosterPerson(20, "contact", "Mary", "Smith", email="mary.smith@example.com")

OAK = SchoolContext(
    slug="oak",
    name="Oak Primary School",
    domains=frozenset({"oak.example"}),
    people=(JACK, AMELIA, OLIVER, GRACE, SARAH, TOM, MARY),
    links={20: frozenset({1})},
)


def mail(body: str = "", subject: str = "Hello", to: str = "t.wren@oak.example") -> Message:
    return Message(
        sender=Address("s.jones@oak.example"), to=(Address(to),), subject=subject, body=body
    )


def found(body: str = "", subject: str = "Hello") -> list[str]:
    return [f.check for f in check_professional(mail(body, subject), OAK)]


# --- profanity ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, word",
    [
        ("This is fucking ridiculous.", "fucking"),
        ("This is f*cking ridiculous.", "f*cking"),
        ("What a load of sh1t.", "sh1t"),
        ("What a load of $hit.", "$hit"),
        ("Absolute b*llocks from the council.", "b*llocks"),
        ("The new system is bullshit.", "bullshit"),
        ("He was a total dickhead about it.", "dickhead"),
        ("I am pissed off with the rota.", "pissed"),
        ("FFS, not again.", "FFS"),
        ("Tell them to sod off.", "sod off"),
        ("What a F**K up.", "F**K"),
        ("The crap printer again.", "crap"),
    ],
)
def test_a_swear_word_is_found_even_when_disguised(text, word):
    (finding,) = [f for f in check_professional(mail(text), OAK) if f.check == "prof-profanity"]
    assert finding.clause == "4.1" and finding.severity == Severity.MEDIUM
    assert finding.where.field == "body" and finding.where.text == word
    assert text[finding.where.start : finding.where.end] == word


@pytest.mark.parametrize(
    "text",
    [
        "Our away match is in Scunthorpe on Saturday.",
        "The Year 6 assessment window opens on Monday.",
        "Every class will have a new reading corner.",
        "We are reading Dickens in Year 6 this term.",
        "The trip includes a visit to the cockpit of a Spitfire.",
        "The pantomime this year is Dick Whittington.",
        "Mr Cockburn from Sussex and Ms Hancock from Essex will visit.",
        "Penistone Road is closed, so allow extra time.",
        "Shiitake mushrooms are on the menu.",
        "Bring a scrapbook and a passion for history.",
        "The therapist from the Arsenal foundation is coming in.",
        "There was a bit of a cock-up with the timetable, sorry.",
        "Grapes and raisins for snack time.",
    ],
)
def test_words_inside_other_words_are_not_swearing(text):
    assert "prof-profanity" not in found(text)


# --- insults and opinions about people -----------------------------------------------------------


@pytest.mark.parametrize(
    "text, word",
    [
        ("The parents are useless at replying.", "useless"),
        ("Honestly he is so lazy.", "lazy"),
        ("She's thick.", "thick"),
        ("What an idiot.", "idiot"),
        ("He is a complete waste of space.", "waste of space"),
        ("You are pathetic.", "pathetic"),
        ("That lazy boy did nothing again.", "lazy"),
        ("The kids in that set are animals.", "animals"),
        ("Some parents are a nightmare.", "nightmare"),
    ],
)
def test_a_derogatory_word_about_people_is_an_insult(text, word):
    (finding,) = check_professional(mail(text), OAK)
    assert finding.check == "prof-insult" and finding.severity == Severity.MEDIUM
    assert finding.where.text == word


@pytest.mark.parametrize(
    "text, word",
    [
        ("Olly is lazy.", "lazy"),
        ("Jack Smith is useless at getting changed for PE.", "useless"),
        ("JACK SMITH IS HOPELESS", "HOPELESS"),
        ("Mrs Jones is a nightmare to deal with.", "nightmare"),
        ("Mrs. Jones is a nightmare to deal with.", "nightmare"),
        ("Honestly, that family are a nightmare.", "nightmare"),
        ("The O'Brien family are a joke.", "a joke"),
        ("Jack Smith's mum is a nightmare.", "nightmare"),
        ("Jacky's lazy.", "lazy"),
        ("I think Amelia is being really stupid about it.", "stupid"),
        ("Tom is an idiot.", "idiot"),
        ("Millie Khan was a nightmare in assembly.", "nightmare"),
        ("Olly's been a nightmare all day.", "nightmare"),
    ],
)
def test_a_judgement_of_a_named_person_is_an_opinion_about_them(text, word):
    findings = [f for f in check_professional(mail(text), OAK) if f.check != "prof-shouting"]
    (finding,) = findings
    assert finding.check == "prof-opinion-about-person"
    assert finding.severity == Severity.MEDIUM
    assert finding.where.text == word
    assert "Jack" not in finding.message and "Jones" not in finding.message


@pytest.mark.parametrize(
    "text",
    [
        "The printer is useless.",
        "Parking was a nightmare this morning.",
        "The traffic was a nightmare.",
        "I'm such an idiot, I forgot the attachment!",
        "Idiot me, I sent the wrong file.",
        "Here is an idiot-proof guide to the new register.",
        "Use thick card for the covers.",
        "The stupid photocopier has jammed again.",
        "I'm hopeless at spreadsheets, can you help?",
        "Jack isn't lazy at all, he is just tired.",
        "Jack Smith is not lazy; he needs more time.",
        "Olly's mental health first aider training is on Friday.",
        "Grace is mad about dinosaurs.",
        "Amelia was crazy about the science show.",
        "We watched The Muppet Christmas Carol.",
        "The Year 3 play was a joke-telling competition.",
        "He had nightmares after the film, his mum said.",
        "Jack was in trouble with his spelling, so we practised.",
        "Tom thinks the plan is useless.",
    ],
)
def test_a_negative_word_not_aimed_at_a_person_is_not_an_insult(text):
    assert found(text) == []


# --- shouting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "subject, body",
    [
        ("THIS IS COMPLETELY UNACCEPTABLE", ""),
        ("Hello", "WHY HAS NOBODY REPLIED TO MY EMAIL. I asked twice."),
        ("Hello", "Please reply now!!! NOBODY HAS!!!"),
        ("Hello", "Why has nobody replied!!! Again!!! Unbelievable!!!"),
    ],
)
def test_capitals_or_repeated_exclamation_marks_are_shouting(subject, body):
    (finding,) = check_professional(mail(body, subject), OAK)
    assert finding.check == "prof-shouting" and finding.severity == Severity.LOW
    assert finding.where.field == ("subject" if subject != "Hello" else "body")


@pytest.mark.parametrize(
    "subject, body",
    [
        ("Year 6 SATs results are due", ""),
        ("SEN EHCP PE ICT DSL GCSE SATS review", ""),
        ("URGENT: PE kit", ""),
        ("Newsletter", "IMPORTANT DATES FOR YOUR DIARY\nSports day is on 4 July."),
        ("Thanks", "Thanks!!! That was brilliant."),
        ("KS2 SATS", "The KS2 SATS and the Y4 MTC dates are in the DfE letter."),
        ("Hello", "Kind regards,\nSARAH JONES\nOAK TREE PRIMARY SCHOOL NORWICH"),
    ],
)
def test_acronyms_headings_and_one_cheerful_exclamation_are_not_shouting(subject, body):
    assert found(body, subject) == []


def test_only_one_shouting_finding_per_field():
    body = "THIS IS NOT OK AT ALL. I AM VERY CROSS ABOUT IT. PLEASE FIX IT NOW."
    assert found(body) == ["prof-shouting"]


# --- quoted reply text ---------------------------------------------------------------------------


def test_quoted_lines_in_a_reply_are_ignored():
    body = "Thanks, I will sort it.\n\n> This is f*cking useless and you are an idiot.\n> Bye"
    assert found(body) == []


def test_the_original_message_below_a_reply_header_is_ignored():
    body = (
        "Happy to help.\n\nOn Mon, 3 Mar 2025 at 10:02, Parent <p@example.com> wrote:\n"
        "YOU ARE ALL USELESS AND THE HEAD IS AN IDIOT\n"
    )
    assert found(body) == []


def test_an_outlook_style_original_message_is_ignored():
    body = (
        "Noted, thank you.\n\n________________________________\nFrom: Parent\nSent: 3 March\n"
        "Your teachers are lazy and pathetic.\n"
    )
    assert found(body) == []


def test_own_words_keeps_offsets():
    body = "Fine.\n> bad words\nAnd this.\nOn Mon, X wrote:\nmore"
    own = own_words(body)
    assert own == "Fine.\n" + " " * len("> bad words") + "\nAnd this.\n"
    assert body.startswith(own.replace(" " * len("> bad words"), "> bad words"))


def test_the_senders_own_words_above_the_quote_are_still_checked():
    body = "He is an idiot, ignore him.\n\n> Can you look at this?"
    assert found(body) == ["prof-insult"]


# --- what a finding says -------------------------------------------------------------------------


def test_every_finding_says_it_may_be_disclosed_and_how_to_rephrase():
    body = "Olly is lazy. The parents are useless. This is sh*t. WHY DOES NOBODY EVER LISTEN TO ME."
    findings = check_professional(mail(body, "Hello"), OAK)
    assert sorted(f.check for f in findings) == [
        "prof-insult",
        "prof-opinion-about-person",
        "prof-profanity",
        "prof-shouting",
    ]
    for finding in findings:
        assert finding.clause == "4.1"
        assert "data protection law" in finding.message
        assert "subject access request" in finding.message
        assert finding.fix
        assert body[finding.where.start : finding.where.end].startswith(finding.where.text[:10])
    opinion = next(f for f in findings if f.check == "prof-opinion-about-person")
    assert "facts" in opinion.fix
    insult = next(f for f in findings if f.check == "prof-insult")
    assert "neutral words" in insult.fix


def test_the_subject_line_is_checked_too():
    (finding,) = check_professional(mail("", "Re: this sh1t again"), OAK)
    assert finding.check == "prof-profanity" and finding.where.field == "subject"
    assert finding.message.startswith("The subject line")


# --- ordinary school email: nothing medium or worse ---------------------------------------

SIGNATURE = (
    "\n\nKind regards,\n\nSarah Jones\nYear 2 Teacher | SENCo\nOak Primary School\n"
    "1 Church Lane, Norwich NR1 2AB\nTel: 01603 123456\nMobile: 07700 900123\n"
)

ORDINARY: list[tuple[str, str]] = [
    (
        "Year 4 trip to the Norwich Castle Museum",
        "Dear Parents and Carers,\n\nYear 4 will visit Norwich Castle Museum, 24 Castle Meadow, "
        "Norwich NR1 3JU on Thursday 12 June 2025. The coach leaves at 9am and we will be back "
        "by 3pm. Please return the consent slip and £8.50 by Friday 6 June.",
    ),
    (
        "PE kit reminder",
        "Just a reminder that PE is on Tuesdays and Thursdays this half term. Please make sure "
        "your child has a named PE kit in school, including trainers.",
    ),
    (
        "Year 6 SATs results are due",
        "The KS2 SATs results are due on 8 July. Please do not share "
        "them with pupils until the letters go home.",
    ),
    (
        "Staff meeting moved",
        "Hi all,\n\nThe staff meeting on Wednesday is moved to the library at 3:45pm. Agenda: "
        "assessment timetable, reports, and the summer fair.",
    ),
    (
        "Budget 2025-26",
        "Hi Tom,\n\nAttached is the draft budget. Invoice 9434765919 from the stationery supplier "
        "is still unpaid; order number 1000102504 is the new laptops. Can we discuss on Monday?",
    ),
    ("Timetable changes", "From Monday, Year 5 swimming moves to Wednesday afternoons, 1:15-2:15."),
    (
        "Meeting request",
        "Dear Mrs Smith,\n\nCould we meet on Tuesday 14th at 3:30pm to talk about Jack's reading? "
        "He has made great progress this term and I'd love to show you his book.",
    ),
    (
        "Star of the week",
        "Congratulations to Jack Smith, who is our star of the week for brilliant teamwork in "
        "maths! Well done, Jack.",
    ),
    (
        "Health and safety walk",
        "Sarah Jones will do the health and safety walk on Monday. Please clear fire exits.",
    ),
    (
        "Safeguarding training",
        "All staff: annual safeguarding training is on the INSET day, 1 September, 9am in the "
        "hall. Sarah Jones (Designated Safeguarding Lead) will lead it.",
    ),
    (
        "Lost property",
        "The lost property box is overflowing! Anything not collected by Friday "
        "goes to the PTA second-hand sale.",
    ),
    (
        "Harvest festival",
        "Our harvest festival is on Friday 10 October at 2pm in the church. Donations of tins "
        "and dry food are very welcome.",
    ),
    ("Printer", "The printer in the staff room is useless again, so please use the office one."),
    ("Sorry!", "I'm such an idiot, I forgot to attach the letter. Here it is!"),
    ("Parking", "Parking was a nightmare this morning because of the roadworks on Mill Lane."),
    (
        "Nativity costumes",
        "Year 1 need costumes for the nativity by 1 December. Shepherds: a tea towel and a "
        "dressing gown is perfect.",
    ),
    (
        "Parents evening",
        "Parents evening is on 19 and 20 November. Please book a slot with the office.",
    ),
    (
        "Supply cover",
        "Hi, could you cover Year 3 on Thursday period 2? Tom is at a course in Norwich.",
    ),
    ("Re: Lunch menu", "Thanks!!! The new menu looks great.\n\n> Here is the new lunch menu."),
    (
        "Sports day",
        "Sports day is on 4 July. The races start at 1:30pm on the field. Bring water and a hat.",
    ),
    ("Book fair", "The Scholastic book fair is in the hall all week after school."),
    (
        "Assessment week",
        "Assessment week starts on Monday. Please have your class tests marked by Friday.",
    ),
    (
        "Dickens",
        "Year 6 are reading A Christmas Carol by Charles Dickens and will see it at the theatre.",
    ),
    (
        "Football fixture",
        "Our football team plays Scunthorpe Juniors on Saturday at 10am. Meet at school at 8.",
    ),
    ("Panto", "The pantomime this year is Dick Whittington at the Theatre Royal on 12 Dec."),
    (
        "Invoice",
        "Please find attached invoice INV-20419 for the minibus hire, due within 30 days. "
        "Account no. 4010232137.",
    ),
    ("Wi-Fi", "The Wi-Fi password for visitors has changed. Ask the office for the new one."),
    (
        "Fire drill",
        "There will be a fire drill this week. Please remind children to line up quietly.",
    ),
    (
        "Governors",
        "The full governing body meets on 24 March at 6pm. Papers will be sent a week before.",
    ),
    ("Reading records", "Please sign your child's reading record at least three times a week."),
    (
        "Phonics workshop",
        "Reception parents are invited to a phonics workshop on Wednesday at 9am.",
    ),
    ("Class photos", "Class photos are on 15 May. Children should wear full school uniform."),
    (
        "Clubs",
        "After-school clubs restart next week: football (Mon), choir (Tue), coding (Thu).",
    ),
    ("Year 2 SATs", "Year 2 SATs are no longer statutory, but we will still use the papers."),
    (
        "Cover for Friday",
        "I'm on a course on Friday. Plans are in the blue folder; TA support as usual.",
    ),
    ("Milk", "Milk for under-fives is free; older children can have milk for £12 a term."),
    (
        "Ofsted",
        "Ofsted may call any time this term. Please make sure planning is up to date.",
    ),
    (
        "World Book Day",
        "World Book Day is on 6 March. Children can come dressed as a book character!",
    ),
    (
        "Residential",
        "The Year 6 residential to Hilltop is 2-4 June. A deposit of £50 is due by 1 February.",
    ),
    ("Swimming", "Swimming kits: costume, towel and a bag. No jewellery please."),
    ("Inset", "INSET day on Monday 6 January. School is closed to pupils."),
    (
        "Bikeability",
        "Year 5 Bikeability runs from 9 to 13 June. Helmets and roadworthy bikes needed.",
    ),
    (
        "Jack's reading book",
        "Hi Mary, Jack left his reading book on his desk. I'll pop it in his bag tomorrow.",
    ),
    (
        "Homework club",
        "Homework club is in Room 4 on Tuesdays. Children should bring their planners.",
    ),
    ("Snow", "If it snows we will post on the website by 7:30am whether school is open."),
    (
        "Science week",
        "Science week starts on 10 March. We have a visiting planetarium on Wednesday.",
    ),
    (
        "Recorder concert",
        "The Year 3 recorder concert is on Thursday at 2:30pm. All welcome!",
    ),
    (
        "New starter",
        "Please welcome Grace Hill, who joins Year 3 on Monday. Could a buddy show her round?",
    ),
    ("Uniform", "Second-hand uniform is available from the PTA for 50p an item."),
    ("Attendance", "Our whole-school attendance last term was 96.2%. Thank you for your help."),
    (
        "Road safety",
        "PCSO Patel will talk to Key Stage 1 about road safety on Tuesday morning.",
    ),
    (
        "Mock exams",
        "The Year 6 mock SATs are next week. Please keep the hall free in the mornings.",
    ),
    (
        "Job advert",
        "We are recruiting a Teaching Assistant (32.5 hours). Closing date: 20 March.",
    ),
    ("Charity", "Thank you for raising £412 for Children in Need!"),
    (
        "Staff social",
        "The staff social is at the Red Lion, 12 High Street, on Friday from 5pm.",
    ),
    (
        "Minibus",
        "The minibus is booked for the football match. Driver: Tom. Leaving at 3:30pm.",
    ),
    (
        "Computing",
        "The ICT suite will be closed on Thursday for the new interactive whiteboards.",
    ),
    ("Tuck shop", "Tuck shop prices have gone up to 40p. Healthy options only!"),
    ("Library", "Library books are due back before half term, please."),
    (
        "Meeting with Mrs Smith",
        "Dear Mrs Smith, thank you for coming in today. As agreed, Jack will move to the front "
        "table for maths and we'll review in three weeks. Please ring the office on "
        "01603 123456 if you have any questions.",
    ),
    ("Re: trip", "Fab, thanks!\n\nOn Tue, 4 Mar 2025 at 09:14, Tom Wren wrote:\n> Trip booked."),
    ("Thank you", "Thank you so much for the flowers, they are lovely."),
]


def test_the_false_alarm_corpus_has_about_sixty_emails():
    assert len(ORDINARY) >= 60


@pytest.mark.parametrize("to", ["t.wren@oak.example", "parent@example.com"])
@pytest.mark.parametrize("subject, body", ORDINARY, ids=[s for s, _ in ORDINARY])
def test_ordinary_school_email_raises_nothing_medium_or_worse(subject, body, to):
    message = mail(body + SIGNATURE, subject, to)
    findings = check_professional(message, OAK) + check_personal_data(message, OAK)
    loud = [(f.check, f.where.text) for f in findings if f.severity >= Severity.MEDIUM]
    assert loud == []


def test_the_fast_judgement_scan_finds_exactly_what_the_pattern_finds():
    from fairwatch.checks.professional import _JUDGEMENT, _judgements

    text = (
        "He is an idiot. Idiots! The useless-proof plan, a nightmare, spoilt brats and nuts "
        "about maths; 2idiots, co-idiot, éidiot, waste of space, a joke, a  disgrace."
    )
    assert [m.span() for m in _judgements(text)] == [m.span() for m in _JUDGEMENT.finditer(text)]


def test_prices_and_numbers_are_not_disguised_swear_words():
    assert found("The lowest price is now $149, down from $199.") == []
    assert found("Call 5149 or 8175.") == []
    assert found("That was sh1t.") == ["prof-profanity"]
