"""The `fairwatch` command: exit codes and messages people can act on."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from fairwatch.cli import app
from fairwatch.schools.models import Person, School
from tests.audit.tamper import raw
from tests.cast import STAFF_CSV, contacts_csv, pupils_csv

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def ash(db):
    result = invoke(
        "school",
        "create",
        "--slug",
        "ash",
        "--name",
        "Ash Primary",
        "--domain",
        "ash.example",
        "--domain",
        "Ash-Trust.example",
        "--pupil-domain",
        "pupils.ash.example",
    )
    assert result.exit_code == 0, result.output
    return School.objects.get(slug="ash")


def test_school_create_makes_a_school_with_its_domains(ash):
    assert sorted(ash.domain_names) == ["ash-trust.example", "ash.example"]
    assert ash.pupil_domain == "pupils.ash.example"
    assert ash.organisation.kind == "standalone"


def test_school_create_refuses_a_bad_domain_and_a_taken_slug(ash):
    bad = invoke("school", "create", "--slug", "beech", "--name", "B", "--domain", "not a domain")
    assert bad.exit_code == 1 and "domain" in bad.output and "not a domain" in bad.output
    taken = invoke("school", "create", "--slug", "ash", "--name", "A", "--domain", "a.example")
    assert taken.exit_code == 1 and "already exists" in taken.output


def test_school_list_prints_json_for_machines(ash):
    result = invoke("school", "list", "--json")
    assert json.loads(result.output)[0]["slug"] == "ash"


def test_import_roster_loads_the_files_and_says_what_changed(ash, tmp_path):
    for name, text in (("s.csv", STAFF_CSV), ("p.csv", pupils_csv()), ("c.csv", contacts_csv())):
        (tmp_path / name).write_text(text)
    result = invoke(
        "import",
        "roster",
        "--school",
        "ash",
        "--staff",
        str(tmp_path / "s.csv"),
        "--pupils",
        str(tmp_path / "p.csv"),
        "--contacts",
        str(tmp_path / "c.csv"),
        "--json",
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["counts"]["pupils"]["added"] == 4
    assert report["counts"]["staff"]["added"] == 8
    assert report["accounts_created"] == 8


def test_import_roster_refuses_a_bad_file_naming_file_line_and_field(ash, tmp_path):
    path = tmp_path / "pupils.csv"
    path.write_text(pupils_csv().replace(",Noah,", ",,"))
    result = invoke("import", "roster", "--school", "ash", "--pupils", str(path))
    assert result.exit_code == 1
    assert f"{path}:4: forename: is empty" in result.output
    assert "nothing was changed" in result.output
    assert not Person.objects.filter(school=ash).exists()


def test_import_roster_names_an_unknown_school(db, tmp_path):
    result = invoke("import", "roster", "--school", "nowhere", "--pupils", str(tmp_path / "x"))
    assert result.exit_code == 1 and "no school 'nowhere'" in result.output


def test_import_roster_needs_at_least_one_file(ash):
    assert invoke("import", "roster", "--school", "ash").exit_code == 2


def test_audit_verify_exits_0_on_an_intact_trail_and_1_naming_an_edited_entry(ash):
    ok = invoke("audit", "verify")
    assert ok.exit_code == 0 and "intact" in ok.output
    raw("UPDATE audit_auditentry SET action = 'something.else' WHERE seq = 1")
    bad = invoke("audit", "verify")
    assert bad.exit_code == 1
    assert "#1" in bad.output and "changed" in bad.output


def test_the_demo_school_loads_once_with_a_log_in_for_every_role(db):
    first = json.loads(invoke("demo", "--json").output)
    assert first["created"] is True
    assert set(first["logins"]) == {
        "staff",
        "headteacher",
        "chair_of_governors",
        "dsl",
        "dpo",
        "it_manager",
        "hr_adviser",
        "esafety_monitor",
        "org_admin",
    }
    school = School.objects.get(slug=first["school"])
    assert Person.objects.filter(school=school, kind="pupil").count() >= 200
    assert Person.objects.filter(school=school, kind="contact").exists()
    second = json.loads(invoke("demo", "--json").output)
    assert second["created"] is False and second["password"] == first["password"]
    from django.contrib.auth import authenticate, get_user_model

    from fairwatch.concerns import services as concerns
    from fairwatch.concerns.models import Case

    # A few concerns in different states, one past its LADO decision's deadline, one about
    # the Headteacher that only the Chair has.
    cases = Case.objects.filter(school=school)
    assert sorted(cases.values_list("state", flat=True)) == [
        "allegation",
        "closed",
        "raised",
        "raised",
    ]
    user = {role: get_user_model().objects.get(username=e) for role, e in first["logins"].items()}
    assert concerns.overdue_count(school, user["headteacher"]) == 1
    assert concerns.overdue_count(school, user["dsl"]) == 1
    assert concerns.waiting_count(school, user["headteacher"]) == 2
    assert concerns.waiting_count(school, user["chair_of_governors"]) == 1
    assert len(concerns.receipts(user["staff"], school)) == 2

    # The policy: the school's own version 2, read by some; the demo teacher read version 1
    # and sees what changed; the trust's newer model waits to be merged; an adjustment waits.
    from fairwatch.policy import adapt, adjustments, documents, store

    report = store.outstanding(None, school)
    assert report.number == 2 and report.acknowledged and report.outstanding
    teacher = Person.objects.get(school=school, user=user["staff"])
    assert [each.id for each in store.what_changed_for(teacher, school)] == ["3", "6.12"]
    news = adapt.upstream(school)
    assert news is not None and {each.id for each in news.changes} == {"3", "6.5"}
    assert adjustments.waiting_count(user["headteacher"], school) == 1
    assert documents.current(school).count() == 3

    for email in first["logins"].values():
        assert authenticate(username=email, password=first["password"]) is not None, email


def test_clauses_lists_the_catalogue():
    result = invoke("clauses", "--json")
    ids = [c["id"] for c in json.loads(result.output)]
    assert ids[:3] == ["1", "2", "3"] and "7.2.1" in ids


@pytest.mark.database
def test_setup_creates_the_database_named_by_database_url(tmp_path):
    """Runs `fairwatch setup` for real; on the PostgreSQL pass it migrates that server."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "FAIRWATCH_VAR": str(tmp_path / "var")}
    cmd = [sys.executable, "-m", "fairwatch.cli", "setup"]
    first = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "Database ready" in first.stdout
    again = subprocess.run(cmd + ["--quiet"], env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o077 == 0


def test_a_command_on_a_database_not_yet_set_up_says_what_to_run(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "FAIRWATCH_VAR": str(tmp_path / "var"),
    }
    cmd = [sys.executable, "-m", "fairwatch.cli", "school", "list"]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "fairwatch setup" in result.stderr and "Traceback" not in result.stderr


def test_school_create_will_not_silently_join_a_trust_with_the_same_slug(db):
    assert invoke("org", "create", "--slug", "beacon", "--name", "Beacon Trust").exit_code == 0
    result = invoke("school", "create", "--slug", "beacon", "--name", "B", "--domain", "b.example")
    assert result.exit_code == 1 and "--org" in result.output
    assert not School.objects.filter(slug="beacon").exists()


def test_audit_show_refuses_a_count_below_one(db):
    result = runner.invoke(app, ["audit", "show", "--last", "0"])
    assert result.exit_code == 2


def test_role_revoke_records_which_assignment_it_ended(cast):
    from fairwatch.audit.models import AuditEntry

    result = invoke(
        "role", "revoke", "--school", "oak", "--email", "dpo@oak.example", "--role", "dpo"
    )
    assert result.exit_code == 0 and "roster" in result.output
    entry = AuditEntry.objects.get(action="role.revoke")
    assert entry.object_type == "role_assignment" and entry.object_id
