"""`fairwatch check-email` and `fairwatch school set`: findings, exit codes, bad input."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from fairwatch.cli import app
from fairwatch.schools.models import ApprovedSender, KnownDomain

runner = CliRunner()


def eml(
    tmp_path,
    name,
    *,
    sender="t.wren@oak.example",
    to="head@oak.example",
    subject="Hi",
    body="See you at 3.",
) -> str:
    path = tmp_path / name
    path.write_text(
        f"From: {sender}\nTo: {to}\nSubject: {subject}\nMessage-ID: <{name}@oak.example>\n"
        f"Content-Type: text/plain; charset=utf-8\n\n{body}\n"
    )
    return str(path)


def test_a_clean_message_exits_0(cast, tmp_path):
    result = runner.invoke(app, ["check-email", "--school", "oak", eml(tmp_path, "ok.eml")])
    assert result.exit_code == 0, result.output
    assert "no findings" in result.output


def test_a_pupil_named_in_the_subject_to_a_parent_exits_1_with_clause_and_fix(cast, tmp_path):
    path = eml(tmp_path, "bad.eml", to="sarah.grant@example.com", subject="Olly Grant - reading")
    result = runner.invoke(app, ["check-email", "--school", "oak", "--json", path])
    assert result.exit_code == 1
    (message,) = json.loads(result.output)["messages"]
    assert message["message_id"] == "bad.eml@oak.example"
    finding = next(f for f in message["findings"] if f["check"] == "subject-roster-name")
    assert finding["clause"] == "4.3" and finding["severity"] == "high" and finding["fix"]
    assert finding["where"] == {"field": "subject", "text": "Olly Grant", "start": 0, "end": 10}


def test_an_unreadable_file_exits_2_and_the_others_are_still_checked(cast, tmp_path):
    good = eml(tmp_path, "ok.eml")
    result = runner.invoke(
        app, ["check-email", "--school", "oak", "--json", str(tmp_path / "missing.eml"), good]
    )
    assert result.exit_code == 2
    assert "missing.eml" in result.stderr
    assert len(json.loads(result.stdout)["messages"]) == 1


def test_school_set_adds_approved_senders_and_known_domains(cast, tmp_path):
    result = runner.invoke(
        app,
        [
            "school",
            "set",
            "--slug",
            "oak",
            "--approved-sender",
            "Office@Oak.Example",
            "--approved-sender",
            "trust.example",
            "--known-domain",
            "Norfolk.gov.uk",
        ],
    )
    assert result.exit_code == 0, result.output
    assert set(ApprovedSender.objects.values_list("value", flat=True)) == {
        "office@oak.example",
        "trust.example",
    }
    assert list(KnownDomain.objects.values_list("domain", flat=True)) == ["norfolk.gov.uk"]
    # Now only the approved list may send: the teacher's own address is not on it.
    path = eml(tmp_path, "t.eml")
    checked = runner.invoke(app, ["check-email", "--school", "oak", "--json", path])
    checks = [f["check"] for f in json.loads(checked.output)["messages"][0]["findings"]]
    assert "sender-not-approved" in checks


def test_school_set_refuses_a_bad_domain(cast):
    result = runner.invoke(
        app, ["school", "set", "--slug", "oak", "--known-domain", "not a domain"]
    )
    assert result.exit_code == 1 and "not a domain" in result.output
