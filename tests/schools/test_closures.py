"""A school's closure dates: recorded by the CLI, with clear errors, and skipped by a case's
working-day clock."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from typer.testing import CliRunner

from fairwatch.audit.models import AuditEntry
from fairwatch.cases.clock import deadline
from fairwatch.cli import app
from fairwatch.schools import closures
from fairwatch.schools.models import Closure

D = dt.date


def test_closed_days_are_every_day_of_each_closure_within_the_span(cast):
    closures.add(cast.school, D(2026, 12, 21), D(2027, 1, 1), "Christmas holiday")
    closures.add(cast.school, D(2027, 1, 4), None, "INSET day")
    closures.add(cast.other_school, D(2026, 12, 1), None, "another school's day")
    got = closures.dates(cast.school, D(2026, 12, 30), D(2027, 1, 31))
    assert got == {D(2026, 12, 30), D(2026, 12, 31), D(2027, 1, 1), D(2027, 1, 4)}


def test_days_the_wrong_way_round_or_a_year_long_closure_are_refused(cast):
    with pytest.raises(ValidationError) as wrong:
        closures.add(cast.school, D(2026, 12, 21), D(2026, 12, 1))
    assert "last_day" in wrong.value.message_dict
    with pytest.raises(ValidationError, match="at most 366 days"):
        closures.add(cast.school, D(2026, 1, 1), D(2027, 1, 2))
    assert not Closure.objects.exists()


def test_the_clock_of_a_case_skips_the_schools_closures(cast):
    closures.add(cast.school, D(2026, 11, 30), None, "INSET day")
    london = ZoneInfo("Europe/London")
    friday = dt.datetime(2026, 11, 27, 15, 0, tzinfo=london)
    closed = closures.dates(cast.school, friday.date(), friday.date() + dt.timedelta(days=30))
    assert deadline(friday, closed) == dt.datetime(2026, 12, 1, 15, 0, tzinfo=london)


def test_the_command_adds_and_lists_closures_and_names_a_bad_date(cast):
    runner = CliRunner()
    done = runner.invoke(
        app,
        [
            "school",
            "closure",
            "add",
            "--slug",
            "oak",
            "--from",
            "2026-12-21",
            "--to",
            "2027-01-01",
            "--name",
            "Christmas holiday",
        ],
    )
    assert done.exit_code == 0, done.output
    assert AuditEntry.objects.filter(action="school.closure.add").count() == 1
    listed = runner.invoke(app, ["school", "closure", "list", "--slug", "oak", "--json"])
    assert listed.exit_code == 0
    assert json.loads(listed.output) == [
        {
            "id": Closure.objects.get().pk,
            "first_day": "2026-12-21",
            "last_day": "2027-01-01",
            "name": "Christmas holiday",
        }
    ]
    bad = runner.invoke(app, ["school", "closure", "add", "--slug", "oak", "--from", "21/12/2026"])
    assert bad.exit_code != 0 and "--from" in bad.output and "YYYY-MM-DD" in bad.output
    backwards = runner.invoke(
        app,
        ["school", "closure", "add", "--slug", "oak", "--from", "2026-12-21", "--to", "2026-12-01"],
    )
    assert backwards.exit_code != 0 and "before the first day" in backwards.output
    assert Closure.objects.count() == 1
