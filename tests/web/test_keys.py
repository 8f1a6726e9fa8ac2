"""Generated keys: created once, private to their owner, never silently empty."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from fairwatch.web.keys import read_or_create_key


def test_a_key_is_created_once_and_read_back(tmp_path):
    path = tmp_path / "var" / "secret_key"
    first = read_or_create_key(path)
    assert read_or_create_key(path) == first and len(first) >= 32
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no temporary file left


def test_an_empty_or_damaged_key_file_is_refused_not_replaced(tmp_path):
    path = tmp_path / "audit_key"
    path.write_text("\n")
    with pytest.raises(ImproperlyConfigured, match="no usable key"):
        read_or_create_key(path)
    assert path.read_text() == "\n"
