"""The shipped model policy as a version, and the rows of its "Appendix 1 – Table of changes".
These tests need no Django."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fairwatch.catalogue import model_catalogue, model_policy_text
from fairwatch.policy.model import appendix_rows, model_clauses, shipped_model
from fairwatch.policy.versions import ChangeRow, in_force_on

SHARED_POLICY = Path("/work/shared/policy/model-policy.txt")

APPENDIX = """\
Appendix 1 – Table of changes

\tDate of change
\tParagraphs affected
\tSummary of update

\t16/11/2021
\t2
\tAdditional paragraph.

\t26/01/2018
\t
\tPara 6.10
\tUpdated about cyberbullying.
"""


def test_the_shipped_appendix_has_eight_rows_oldest_first():
    rows = appendix_rows(model_policy_text())
    assert [row.day for row in rows] == [
        dt.date(2017, 3, 1),
        dt.date(2017, 8, 15),
        dt.date(2017, 11, 30),
        dt.date(2018, 1, 26),
        dt.date(2018, 5, 17),
        dt.date(2018, 11, 15),
        dt.date(2020, 9, 16),
        dt.date(2021, 11, 16),
    ]
    assert rows[-1] == ChangeRow(
        dt.date(2021, 11, 16),
        "2",
        "Additional paragraph to include consideration for employees with mental health issues.",
    )


def test_the_row_with_an_empty_line_before_its_paragraphs_is_read_right():
    row = next(row for row in appendix_rows(model_policy_text()) if row.day.year == 2018)
    assert row == ChangeRow(
        dt.date(2018, 1, 26),
        "Para 6.10",
        "Updated to include further information about how to support staff who are "
        "victims of cyberbullying.",
    )


def test_the_parsed_rows_match_the_shipped_catalogue():
    printed = [(c.date, c.paragraphs, c.summary) for c in model_catalogue().changes]
    parsed = [(row.day, row.paragraphs, row.summary) for row in appendix_rows(model_policy_text())]
    assert parsed == printed[::-1]


@pytest.mark.skipif(not SHARED_POLICY.exists(), reason="the shared policy text is not here")
def test_the_shared_policy_text_gives_the_same_rows():
    shared = appendix_rows(SHARED_POLICY.read_text(encoding="utf-8"))
    assert shared == appendix_rows(model_policy_text())


def test_a_small_appendix_is_read_oldest_first():
    assert appendix_rows(APPENDIX) == [
        ChangeRow(dt.date(2018, 1, 26), "Para 6.10", "Updated about cyberbullying."),
        ChangeRow(dt.date(2021, 11, 16), "2", "Additional paragraph."),
    ]


def test_a_row_with_only_a_summary_has_no_paragraphs():
    text = "Appendix 1 – Table of changes\n01/03/2017\nNew formatting.\n"
    assert appendix_rows(text) == [ChangeRow(dt.date(2017, 3, 1), "", "New formatting.")]


def test_text_before_the_appendix_is_ignored_and_a_later_appendix_ends_it():
    text = "1. Introduction\n02/02/2002\n" + APPENDIX + "Appendix 2 – Contacts\n01/01/2001\nx\n"
    assert [row.day.year for row in appendix_rows(text)] == [2018, 2021]


def test_a_date_that_does_not_exist_is_refused_naming_the_line():
    text = APPENDIX.replace("16/11/2021", "31/11/2021")
    with pytest.raises(ValueError, match=r"Appendix 1, line 7: “31/11/2021” is not a real date"):
        appendix_rows(text)


def test_a_date_in_another_form_is_refused_naming_the_line():
    text = APPENDIX.replace("26/01/2018", "2018-01-26")
    with pytest.raises(ValueError, match=r"line 11: the date “2018-01-26” is not written dd/mm"):
        appendix_rows(text)


def test_a_row_without_a_date_is_refused_naming_the_line():
    text = APPENDIX.replace("\t16/11/2021\n", "\tSixteenth of November\n")
    with pytest.raises(ValueError, match="line 7: expected a date .* found “Sixteenth"):
        appendix_rows(text)


def test_a_row_without_a_summary_is_refused():
    text = "Appendix 1 – Table of changes\n01/03/2017\n\n16/11/2021\n2\nAdded.\n"
    with pytest.raises(ValueError, match="line 2: the row dated 01/03/2017 has no summary"):
        appendix_rows(text)


def test_a_text_without_the_appendix_is_refused():
    with pytest.raises(ValueError, match="no “Appendix 1 – Table of changes”"):
        appendix_rows("1. Introduction\nWords.\n")


def test_the_model_clauses_are_the_catalogue_words_in_document_order():
    clauses = model_clauses()
    catalogue = model_catalogue()
    assert list(clauses) == catalogue.ids()
    for clause_id, clause in clauses.items():
        assert clause.id == clause_id and clause.applicable
        assert (clause.title, clause.text) == (
            catalogue.get(clause_id).title,
            catalogue.get(clause_id).text,
        )


def test_the_shipped_model_is_version_one_from_its_newest_change():
    model = shipped_model()
    assert model.number == 1
    assert model.effective_from == dt.date(2021, 11, 16)
    assert model.duties_changed
    assert len(model.changes) == 8 and model.changes[0].day == dt.date(2017, 3, 1)
    assert dict(model.clauses) == model_clauses()
    assert in_force_on([model], dt.date(2021, 11, 15)) is None
    assert in_force_on([model], dt.date(2021, 11, 16)) is model
