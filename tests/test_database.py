"""The suite runs on SQLite and, under `make test`, again on a real PostgreSQL 15."""

from __future__ import annotations

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_the_database_pass_runs_on_the_database_it_claims():
    if os.environ.get("FAIRWATCH_TEST_POSTGRES"):
        assert connection.vendor == "postgresql"
        assert connection.pg_version >= 150000
    elif not os.environ.get("DATABASE_URL"):
        assert connection.vendor == "sqlite"
