"""Shared fixtures. Tests that touch the database are marked `database` automatically, so
`make test` can run them again on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("django_db") or DB_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.database)


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
