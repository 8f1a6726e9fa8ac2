"""The labelled email set in bench/labelled is well-formed: every message parses, every message
has a label and every label a message, and labels name only known checks. (How well the
engine scores on the set is a report, bench/bench_email_labelled.py, not a test.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fairwatch.checks.engine import CHECK_SLUGS
from fairwatch.checks.parse import read_file

LABELLED = Path(__file__).resolve().parents[2] / "bench" / "labelled"
KNOWN_SLUGS = frozenset(CHECK_SLUGS)
MESSAGES = sorted(LABELLED.glob("*.eml"))


def labels() -> dict[str, dict[str, object]]:
    return json.loads((LABELLED / "labels.json").read_text(encoding="utf-8"))


def test_the_set_is_there_and_a_fair_size():
    assert 120 <= len(MESSAGES) <= 200


@pytest.mark.parametrize("path", MESSAGES, ids=lambda p: p.name)
def test_every_message_parses_as_one_message(path):
    messages = list(read_file(path))
    assert len(messages) == 1
    _, message = messages[0]
    assert message.subject and message.body.strip()
    assert message.recipients
    # Only the messages about a broken sender may have anything wrong with them.
    if "sender-missing" not in labels().get(path.name, {}).get("expect", []):
        assert message.defects == ()


def test_every_message_has_a_label_and_every_label_a_message():
    assert {p.name for p in MESSAGES} == set(labels())


def test_labels_name_only_known_checks_with_a_note():
    for name, label in labels().items():
        assert set(label) <= {"expect", "expect_low", "note"}, name
        expect, low = set(label["expect"]), set(label.get("expect_low", []))
        assert expect <= KNOWN_SLUGS, (name, expect - KNOWN_SLUGS)
        assert low <= KNOWN_SLUGS, (name, low - KNOWN_SLUGS)
        assert not expect & low, (name, expect & low)
        assert isinstance(label["note"], str) and label["note"].strip(), name


def test_every_check_is_labelled_somewhere_and_a_fair_share_is_clean():
    all_labels = labels().values()
    used = set().union(*(set(lb["expect"]) | set(lb.get("expect_low", [])) for lb in all_labels))
    assert used == KNOWN_SLUGS
    clean = sum(1 for lb in all_labels if not lb["expect"])
    assert 0.25 <= clean / len(all_labels) <= 0.45
