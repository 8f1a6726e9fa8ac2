"""`fairwatch policy`: versions, the text in force, and who has acknowledged it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from django.utils import timezone
from typer.testing import CliRunner

from fairwatch.audit.models import AuditEntry
from fairwatch.cli import app
from fairwatch.policy import store
from fairwatch.policy.model import shipped_model
from fairwatch.policy.versions import ChangeRow
from fairwatch.schools.models import Person
from tests.cast import add_person

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def publish_v2(cast, effective_from: dt.date) -> None:
    clauses = dict(store.versions(cast.school)[-1].clauses)
    clauses["3.1"] = dataclasses.replace(clauses["3.1"], text="Ask the Headteacher first.")
    rows = [ChangeRow(effective_from, "3.1", "Private use: ask the Headteacher first.")]
    store.publish(cast.head, cast.school, clauses, effective_from, rows, True)


def test_versions_lists_the_shipped_model_with_its_table_of_changes(cast):
    result = invoke("policy", "versions", "--school", "oak")
    assert result.exit_code == 0, result.output
    assert "Version 1" in result.output and "the model policy Fairwatch ships" in result.output
    assert shipped_model().changes[-1].day.isoformat() in result.output


def test_versions_prints_json_for_machines(cast):
    publish_v2(cast, timezone.localdate())
    result = invoke("policy", "versions", "--school", "oak", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [v["number"] for v in data] == [1, 2]
    assert data[0]["published_by"] is None
    assert data[1]["published_by"] == cast.head.username
    assert data[1]["duties_changed"] is True
    assert data[1]["changes"] == [
        {
            "day": timezone.localdate().isoformat(),
            "paragraphs": "3.1",
            "summary": "Private use: ask the Headteacher first.",
        }
    ]
    assert set(data[0]) == {
        "number",
        "effective_from",
        "published_by",
        "published_at",
        "duties_changed",
        "changes",
    }


def test_show_prints_every_clause_in_force(cast):
    result = invoke("policy", "show", "--school", "oak")
    assert result.exit_code == 0, result.output
    assert "policy version 1" in result.output
    for clause in shipped_model().clauses.values():
        assert f"{clause.id} {clause.title}" in result.output


def test_show_gives_the_words_in_force_on_a_day(cast):
    day = timezone.localdate() + dt.timedelta(days=5)
    publish_v2(cast, day)
    before = invoke(
        "policy", "show", "--school", "oak", "--on", str(day - dt.timedelta(days=1)),
        "--clause", "3.1", "--json",
    )  # fmt: skip
    on_the_day = invoke(
        "policy", "show", "--school", "oak", "--on", str(day), "--clause", "3.1", "--json"
    )
    old, new = json.loads(before.output), json.loads(on_the_day.output)
    assert old["version"] == 1 and new["version"] == 2
    assert [c["id"] for c in new["clauses"]] == ["3.1"]
    assert new["clauses"][0]["text"] == "Ask the Headteacher first."
    assert old["clauses"][0]["text"] == shipped_model().clauses["3.1"].text
    assert set(new["clauses"][0]) == {"id", "title", "text", "applicable", "reason"}


def test_show_names_an_unknown_clause(cast):
    result = invoke("policy", "show", "--school", "oak", "--clause", "99.9")
    assert result.exit_code == 1
    assert "--clause" in result.output and "'99.9'" in result.output


def test_show_refuses_a_bad_date_and_a_day_before_the_first_version(cast):
    bad = invoke("policy", "show", "--school", "oak", "--on", "16/11/2021")
    assert bad.exit_code == 1 and "--on" in bad.output and "YYYY-MM-DD" in bad.output
    early = invoke("policy", "show", "--school", "oak", "--on", "2000-01-01")
    assert early.exit_code == 1 and "no version of the policy was in force" in early.output


def test_each_command_names_an_unknown_school(cast):
    for command in ("versions", "show", "acknowledgements"):
        result = invoke("policy", command, "--school", "nowhere")
        assert result.exit_code == 1, command
        assert "no school 'nowhere'" in result.output and "oak" in result.output


def test_acknowledgements_counts_each_version_and_is_recorded(cast):
    store.acknowledge(cast.teacher, cast.school)
    store.acknowledge(cast.head, cast.school)
    result = invoke("policy", "acknowledgements", "--school", "oak", "--json")
    assert result.exit_code == 0, result.output
    [v1] = json.loads(result.output)
    assert v1["version"] == 1 and v1["acknowledged"] == 2
    assert v1["asked"] == v1["acknowledged"] + v1["outstanding"] and v1["outstanding"] > 0
    assert v1["by_role"]["headteacher"] == {"asked": 1, "acknowledged": 1, "outstanding": 0}
    assert v1["by_role"]["dpo"]["outstanding"] == 1
    entry = AuditEntry.objects.get(action="policy.acknowledgements")
    assert entry.actor_label.startswith("cli:") and entry.school == cast.school


def test_acknowledgements_prints_a_table(cast):
    result = invoke("policy", "acknowledgements", "--school", "oak")
    assert result.exit_code == 0, result.output
    assert "outstanding" in result.output and "2021-11-16" in result.output


def test_acknowledgements_counts_by_group(cast):
    add_person(cast.school, Person.Kind.VOLUNTEER, "V1", "Val", "Green", email="val@oak.example")
    store.acknowledge(cast.teacher, cast.school)
    data = invoke("policy", "acknowledgements", "--school", "oak", "--json")
    assert data.exit_code == 0, data.output
    [v1] = json.loads(data.output)
    assert v1["by_group"] == {
        "staff": {"label": "Staff", "asked": 8, "acknowledged": 1, "outstanding": 7},
        "volunteer": {"label": "Volunteers", "asked": 1, "acknowledged": 0, "outstanding": 1},
    }
    table = invoke("policy", "acknowledgements", "--school", "oak")
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert "By group" in table.output
    staff = next(line for line in lines if "Staff" in line).split()
    volunteers = next(line for line in lines if "Volunteers" in line).split()
    assert [w for w in staff if w.isdigit()] == ["1", "8", "1", "7"]
    assert [w for w in volunteers if w.isdigit()] == ["1", "1", "0", "1"]
