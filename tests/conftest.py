"""Shared fixtures. Tests that touch the database are marked `database` automatically, so
`make test` can run them again on PostgreSQL; those that go through Django's test client
are also marked `http`. The PostgreSQL pass leaves those out: pages and API routes reach the
database only through the services, whose own tests run there, so running every page again
tested rendering twice and doubled the suite's time."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.db import connection, transaction

from tests.cast import build_cast

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
DB_FIXTURES = {
    "db",
    "transactional_db",
    "live_server",
    "django_db_setup",
    "cast",
    "client",
    "admin_client",
    "django_user_model",
}

HTTP_FIXTURES = {"client", "admin_client", "async_client", "live_server"}


def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("django_db") or DB_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.database)
        if HTTP_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.http)


@pytest.fixture(autouse=True)
def _var_dir(tmp_path_factory, settings):
    """Generated files go to a throwaway folder, never the developer's var/."""
    settings.VAR_DIR = tmp_path_factory.mktemp("var")
    # Password hashing is deliberately slow; tests need it correct, not slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cast(db, tmp_path):
    return build_cast(tmp_path)


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real test data not found at {SHARED_DATA} (it sits beside the checkout)")
    return SHARED_DATA


@pytest.fixture
def _empty_audit_trail_after(transactional_db):
    """Let the end-of-test flush empty the append-only audit trail on SQLite.

    With live_server the test data is really committed, and pytest-django empties every table
    afterwards. On SQLite that flush is a DELETE, which the audit trail's append-only triggers
    (audit migrations 0002 and 0004) rightly refuse, so the flush fails. Here -- after the
    browser has closed, before the flush -- we lift the triggers, empty the trail, and put them
    straight back, all in one transaction. (PostgreSQL flushes with TRUNCATE, which its row trigger
    does not stop.)
    """
    yield
    if connection.vendor != "sqlite":
        return
    migrations = [
        importlib.import_module(f"fairwatch.audit.migrations.{name}")
        for name in ("0002_append_only_triggers", "0004_head_forward_only")
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for migration in migrations:
            for sql in migration.SQLITE_REVERSE:
                cursor.execute(sql)
        cursor.execute("DELETE FROM audit_auditentry")
        cursor.execute("DELETE FROM audit_audithead")
        for migration in migrations:
            for sql in migration.SQLITE:
                cursor.execute(sql)
