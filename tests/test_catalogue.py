"""The shipped clause catalogue of the model policy, and its loader.

These tests need no Django: they import only fairwatch.catalogue.
"""

import json
import re
from importlib import resources
from pathlib import Path

import pytest

from fairwatch.catalogue import (
    Catalogue,
    Clause,
    clause_sort_key,
    is_clause_id,
    model_catalogue,
    model_policy_text,
)

SHARED_POLICY = Path("/work/shared/policy/model-policy.txt")

REQUIRED_IDS = [
    "1",
    "2",
    "3",
    "3.1",
    "3.2",
    "3.3",
    "3.4",
    "4",
    "4.1",
    "4.2",
    "4.3",
    "4.4",
    "4.5",
    "5",
    "5.1",
    "5.2",
    "5.3",
    "5.4",
    "6",
    *[f"6.{n}" for n in range(1, 12)],
    "7",
    "7.1",
    "7.2",
    "7.2.1",
    "7.3",
    "7.4",
    "7.5",
    "7.6",
    "8",
]


def collapse(text: str) -> str:
    return " ".join(text.split())


def shipped_json() -> dict:
    data = resources.files("fairwatch") / "data" / "clauses.json"
    return json.loads(data.read_text(encoding="utf-8"))


def test_it_lists_every_required_clause_in_document_order():
    assert model_catalogue().ids() == REQUIRED_IDS


def test_every_clause_text_appears_verbatim_in_the_shipped_policy():
    policy = collapse(model_policy_text())
    for clause in model_catalogue():
        assert collapse(clause.text) in policy, f"clause {clause.id} is not verbatim"


def test_sub_clauses_have_text_and_only_sections_4_and_7_have_no_introduction():
    empty = [clause.id for clause in model_catalogue() if not clause.text.strip()]
    assert empty == ["4", "7"]


def test_clause_texts_do_not_repeat_the_printed_number():
    for clause in model_catalogue():
        assert not clause.text.startswith(clause.id + " "), clause.id


def test_the_catalogue_keeps_the_policy_curly_quotes():
    catalogue = model_catalogue()
    assert "‘subject field’" in catalogue.get("4.3").text
    assert "‘occasional monitoring’" in catalogue.get("7.2").text


def test_the_clauses_say_what_the_spec_says_they_mean():
    catalogue = model_catalogue()
    assert "permission from the Headteacher" in catalogue.get("3.1").text
    assert "individual usage can be traced" in catalogue.get("3.2").text
    assert "criminal or disciplinary offence" in catalogue.get("3.3").text
    assert "Online Safety Helpline" in catalogue.get("3.4").text
    assert "correct recipient(s)" in catalogue.get("4.2").text
    assert "held securely" in catalogue.get("5.1").text
    assert "data breach" in catalogue.get("5.2").text
    assert "copyright cleared" in catalogue.get("5.3").text
    assert catalogue.get("5.4").text.count("?") == 3
    assert catalogue.get("7.2.1").text.startswith("Systematic monitoring")


def test_titles_are_present_and_unique():
    titles = [clause.title for clause in model_catalogue()]
    assert all(title.strip() for title in titles)
    assert len(set(titles)) == len(titles)


def test_every_parent_exists_and_comes_before_its_children():
    seen: set[str] = set()
    for clause in model_catalogue():
        if clause.parent is not None:
            assert clause.parent in seen, clause.id
        seen.add(clause.id)


def test_each_sub_clause_sits_under_the_clause_its_id_names():
    for clause in model_catalogue():
        expected = clause.id.rpartition(".")[0] or None
        assert clause.parent == expected, clause.id


def test_fairwatch_numbers_only_the_unnumbered_passages_of_sections_3_4_and_5():
    ours = [clause.id for clause in model_catalogue() if clause.numbered_by == "fairwatch"]
    assert ours == [i for i in REQUIRED_IDS if i[0] in "345" and "." in i]


def test_the_email_principles_are_the_five_bullets_of_section_4_in_order():
    texts = [clause.text for clause in model_catalogue().children("4")]
    assert [text.split()[0:2] for text in texts] == [
        ["What", "is"],
        ["Always", "double-check"],
        ["If", "the"],
        ["Employee", "to"],
        ["Employees", "may"],
    ]


def test_children_and_top_level_follow_the_document():
    catalogue = model_catalogue()
    assert [c.id for c in catalogue.top_level()] == [str(n) for n in range(1, 9)]
    assert [c.id for c in catalogue.children("7")] == ["7.1", "7.2", "7.3", "7.4", "7.5", "7.6"]
    assert [c.id for c in catalogue.children("7.2")] == ["7.2.1"]
    assert catalogue.children("8") == []


def test_the_sort_key_puts_sub_clauses_after_their_parent_and_numbers_in_numeric_order():
    assert clause_sort_key("7.2") < clause_sort_key("7.2.1") < clause_sort_key("7.3")
    assert clause_sort_key("6.9") < clause_sort_key("6.10")
    assert clause_sort_key("6.11") < clause_sort_key("7")
    shuffled = sorted(REQUIRED_IDS, key=str)
    assert sorted(shuffled, key=clause_sort_key) == REQUIRED_IDS


def test_the_sort_key_refuses_what_is_not_a_clause_id():
    with pytest.raises(ValueError, match="7.x"):
        clause_sort_key("7.x")


@pytest.mark.parametrize("text", ["1", "6.10", "7.2.1", "12.3"])
def test_it_recognises_clause_ids(text):
    assert is_clause_id(text)


@pytest.mark.parametrize(
    "text", ["", "7.", ".7", "7..2", "07", "7.0", "7 .2", " 7", "a", "7.2a", 7]
)
def test_it_rejects_what_is_not_a_clause_id(text):
    assert not is_clause_id(text)


def test_get_on_an_unknown_id_raises_key_error_naming_it():
    with pytest.raises(KeyError, match=r"9\.9"):
        model_catalogue().get("9.9")


def test_children_of_an_unknown_id_raises_key_error_naming_it():
    with pytest.raises(KeyError, match=r"9\.9"):
        model_catalogue().children("9.9")


def test_membership_and_lookup_agree():
    catalogue = model_catalogue()
    assert "7.2.1" in catalogue
    assert "9.9" not in catalogue
    assert catalogue.get("6.10").id == "6.10"


def test_anchor_and_depth_come_from_the_id():
    catalogue = model_catalogue()
    assert catalogue.get("7.2.1").anchor == "clause-7-2-1"
    assert [catalogue.get(i).depth for i in ("7", "7.2", "7.2.1")] == [0, 1, 2]
    anchors = [clause.anchor for clause in catalogue]
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", anchor) for anchor in anchors)
    assert len(set(anchors)) == len(anchors)


def test_the_model_catalogue_is_loaded_once():
    assert model_catalogue() is model_catalogue()


def test_the_changes_table_has_eight_rows_with_iso_dates():
    rows = shipped_json()["changes"]
    assert len(rows) == 8
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["date"]) for row in rows)
    changes = model_catalogue().changes
    assert len(changes) == 8
    assert [change.date.isoformat() for change in changes] == [row["date"] for row in rows]


def test_the_changes_table_keeps_the_policy_words():
    policy = collapse(model_policy_text())
    for change in model_catalogue().changes:
        assert collapse(change.paragraphs) in policy
        assert collapse(change.summary) in policy


def test_the_row_with_an_empty_cell_is_read_as_para_6_10():
    row = next(c for c in model_catalogue().changes if c.date.isoformat() == "2018-01-26")
    assert row.paragraphs == "Para 6.10"
    assert row.summary.startswith("Updated to include further information")


def test_the_shipped_json_has_the_agreed_shape():
    data = shipped_json()
    assert set(data) == {"source", "title", "clauses", "changes"}
    for item in data["clauses"]:
        assert set(item) == {"id", "title", "text", "parent", "numbered_by"}
    for item in data["changes"]:
        assert set(item) == {"date", "paragraphs", "summary"}


def test_the_shipped_policy_is_a_copy_of_the_shared_model_policy():
    if not SHARED_POLICY.exists():
        pytest.skip(f"{SHARED_POLICY} is not here to compare against")
    shipped = resources.files("fairwatch") / "data" / "model-policy.txt"
    assert shipped.read_bytes() == SHARED_POLICY.read_bytes()


def test_a_catalogue_refuses_a_parent_that_does_not_come_first():
    child = Clause("1.1", "Child", "", "1", "policy")
    parent = Clause("1", "Parent", "", None, "policy")
    with pytest.raises(ValueError, match="1.1"):
        Catalogue([child, parent])


def test_a_catalogue_refuses_a_repeated_id():
    clause = Clause("1", "One", "", None, "policy")
    with pytest.raises(ValueError, match="more than once"):
        Catalogue([clause, clause])


def test_a_clause_refuses_an_unknown_numbering():
    with pytest.raises(ValueError, match="numbered_by"):
        Clause("1", "One", "", None, "someone")
