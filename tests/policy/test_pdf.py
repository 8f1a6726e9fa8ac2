"""The school's policy as a PDF (issue 9): `fairwatch.policy.pdf`, and `fairwatch policy pdf`.
The page that offers the download is tested in tests/web/test_policy_text_pages.py."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from types import SimpleNamespace

from pypdf import PdfReader
from typer.testing import CliRunner

from fairwatch.cli import app
from fairwatch.policy import pdf, store
from fairwatch.policy.model import shipped_model
from fairwatch.policy.versions import ChangeRow, Clause, Version

HEAD = "Oak Primary · Version 3, in force from 1 September 2026"
HELPLINE = SimpleNamespace(
    name="Online Safety Helpline",
    phone="0344 381 4772",
    email="helpline@saferinternet.org.uk",
    url="",
    note="Advice when you are unsure.",
)
WORLDLY = "“Don’t” – said ‘the’ Ελληνικά, Русский, Zażółć gęślą jaźń, 日本語"


def version(*clauses: Clause, number: int = 3, changes=()) -> Version:
    rows = changes or (ChangeRow(dt.date(2026, 9, 1), "3.1", "Oak's own words."),)
    return Version(number, dt.date(2026, 9, 1), {c.id: c for c in clauses}, rows)


def pages(body: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(body)).pages]


def flat(words: str) -> str:
    return re.sub(r"\s+", " ", words)


def test_a_short_policy_is_one_page_with_its_head_and_page_number():
    short = version(
        Clause("3", "Internet use", "Staff use the internet with care."),
        Clause("3.1", "Private use needs permission", "Ask first."),
    )
    body = pdf.render(short, "Oak Primary", {"3": [HELPLINE]})
    assert body.startswith(b"%PDF")
    [only] = pages(body)
    assert HEAD in only
    assert "Page 1 of 1" in only
    assert "Staff use the internet with care." in only
    assert "Online Safety Helpline" in only and "0344 381 4772" in only
    assert "Appendix 1 – Table of changes" in only and "Oak's own words." in only


def many_lines(count: int) -> Version:
    text = "\n\n".join(f"Line {n} of the clause." for n in range(count))
    return version(Clause("1", "Introduction", text))


def test_pages_follow_the_length_and_each_carries_the_version_and_date():
    # One short paragraph takes about 7 mm of the 255 mm an A4 page leaves: ~37 a page.
    assert len(pages(pdf.render(many_lines(20), "Oak Primary"))) == 1
    long = pages(pdf.render(many_lines(300), "Oak Primary"))
    assert 8 <= len(long) <= 10
    for number, words in enumerate(long, start=1):
        assert HEAD in words, number
        assert f"Page {number} of {len(long)}" in words
    everything = flat(" ".join(long))
    assert "Line 0 of the clause." in everything and "Line 299 of the clause." in everything


def test_the_shipped_model_prints_whole_on_every_page():
    model = shipped_model()
    text = pages(pdf.render(model, "Oak Primary", {"3": [HELPLINE]}))
    assert 4 <= len(text) <= 9
    for number, words in enumerate(text, start=1):
        assert "Oak Primary · Version 1, in force from 16 November 2021" in words
        assert f"Page {number} of {len(text)}" in words
    everything = flat(" ".join(text))
    for clause in model.clauses.values():
        assert flat(f"{clause.id} {clause.title}") in everything.replace("  ", " ")


def test_curly_quotes_dashes_and_other_alphabets_survive():
    body = pdf.render(
        version(
            Clause("3", "Internet use – “quoted”", WORLDLY),
            Clause("6.9", "No personal spaces", "Words kept.").not_applicable("No pupils – none."),
        ),
        "École Ōak Primary",
        {"3": [HELPLINE]},
        [pdf.DocumentLine("Online safety policy", "Oak’s online safety", "https://oak.example/")],
    )
    words = " ".join(pages(body))
    assert "“Don’t” – said ‘the’" in words
    assert "Ελληνικά, Русский, Zażółć gęślą jaźń" in words
    assert "Internet use – “quoted”" in words
    assert "École Ōak Primary · Version 3" in words
    assert "Does not apply at this school: No pupils – none." in flat(words)
    assert "Oak’s online safety" in words and "https://oak.example/" in words


def test_without_a_truetype_font_the_words_are_spelt_plainly(monkeypatch):
    monkeypatch.setattr(pdf, "FONT_FILES", ())
    body = pdf.render(version(Clause("3", "Internet use", WORLDLY)), "Oak Primary")
    words = " ".join(pages(body))
    assert "\"Don't\" - said 'the'" in words
    assert "Zazó?c" in words  # ó is Latin-1; ż loses its dot; ł has no plain form
    assert "Oak Primary · Version 3, in force from 1 September 2026" in words


def test_the_appendix_gathers_every_version_up_to_the_one_printed():
    first = ChangeRow(dt.date(2021, 11, 16), "2", "Mental health.")
    second = ChangeRow(dt.date(2026, 9, 1), "3.1", "Oak's own words.")
    third = ChangeRow(dt.date(2027, 1, 5), "6.5", "Groups.")
    clause = Clause("1", "Introduction", "Words.")
    versions = [
        version(clause, number=1, changes=(first,)),
        version(clause, number=2, changes=(first, second)),  # carried over: shown once
        version(clause, number=3, changes=(third,)),
    ]
    assert pdf.appendix(versions, 2) == [second, first]
    assert pdf.appendix(versions, 3) == [third, second, first]
    assert pdf.filename("oak", 3) == "oak-staff-policy-v3.pdf"


# --- fairwatch policy pdf -------------------------------------------------------------------

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_the_command_writes_the_version_in_force(cast, tmp_path):
    clauses = dict(store.versions(cast.school)[-1].clauses)
    clauses["3.1"] = dataclasses.replace(clauses["3.1"], text="Ask the Headteacher first.")
    day = dt.date(2030, 1, 1)
    store.publish(cast.head, cast.school, clauses, day, [ChangeRow(day, "3.1", "Asked")], True)
    target = tmp_path / "policy.pdf"
    result = invoke("policy", "pdf", "--school", "oak", "--out", str(target))
    assert result.exit_code == 0, result.output
    assert "oak-staff-policy-v1.pdf" in result.output
    words = pages(target.read_bytes())
    assert "Oak Primary · Version 1, in force from 16 November 2021" in words[0]
    assert "EducationHR" in " ".join(words)  # the contacts, stored for the school

    later = tmp_path / "v2.pdf"
    result = invoke("policy", "pdf", "--school", "oak", "--version", "2", "--out", str(later))
    assert result.exit_code == 0, result.output
    assert "Ask the Headteacher first." in " ".join(pages(later.read_bytes()))


def test_the_command_names_an_unknown_school_or_version(cast, tmp_path):
    target = tmp_path / "policy.pdf"
    nowhere = invoke("policy", "pdf", "--school", "nowhere", "--out", str(target))
    assert nowhere.exit_code == 1 and "no school 'nowhere'" in nowhere.output
    missing = invoke("policy", "pdf", "--school", "oak", "--version", "7", "--out", str(target))
    assert missing.exit_code == 1
    assert "--version" in missing.output and "no version “7”" in missing.output
    assert "Its versions are: 1." in missing.output
    assert not target.exists()


def test_half_a_character_in_a_clause_does_not_break_the_pdf():
    # A lone surrogate cannot be written as UTF-8; it is printed as a question mark.
    broken = version(Clause("3", "Internet\ud800 use", "Staff use\udfff the internet."))
    body = pdf.render(broken, "Oak Primary", {"3": [HELPLINE]})
    [only] = pages(body)
    assert "Staff use? the internet." in flat(only)


def test_the_schools_people_are_printed_beside_their_clauses():
    person = SimpleNamespace(name="Alice Hartley", role="Headteacher")
    body = pdf.render(
        version(Clause("7.5", "Raising concerns", "Tell the Headteacher.")),
        "Oak Primary",
        people={"7.5": [person]},
    )
    [only] = pages(body)
    assert "Alice Hartley" in only and "Headteacher" in flat(only)
