"""The engines stay pure: no Django import, so the CLI, the API and the relay share them."""

from __future__ import annotations

import subprocess
import sys

import pytest

PURE_MODULES = [
    "fairwatch.catalogue",
    "fairwatch.identifiers",
    "fairwatch.roles",
    "fairwatch.demo_data",
    "fairwatch.checks",
    "fairwatch.privacy.pseudonyms",
    "fairwatch.privacy.exercises",
    "fairwatch.weblogs.ingest",
    "fairwatch.cases.rules",
    "fairwatch.cases.clock",
]


@pytest.mark.parametrize("module", PURE_MODULES)
def test_a_pure_module_imports_without_django(module):
    code = f"import sys, {module}; assert 'django' not in sys.modules, 'django was imported'"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
