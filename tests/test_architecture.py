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
    "fairwatch.policy.versions",
    "fairwatch.policy.model",
]


@pytest.mark.parametrize("module", PURE_MODULES)
def test_a_pure_module_imports_without_django(module):
    code = f"import sys, {module}; assert 'django' not in sys.modules, 'django was imported'"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_cases_are_read_only_through_the_concerns_service():
    """Who sees a case is the rules' answer, asked in `fairwatch.concerns.services`: no page,
    API route or other module queries cases or their evidence for itself."""
    import re
    from pathlib import Path

    src = Path(__file__).resolve().parents[1] / "src" / "fairwatch"
    allowed = {src / "concerns" / "services.py", src / "concerns" / "models.py"}
    pattern = re.compile(r"\b(Case|Evidence)\.objects\b|\bconcerns\.models\b.*\bobjects\b")
    offenders = [
        str(path.relative_to(src))
        for path in src.rglob("*.py")
        if path not in allowed
        and "migrations" not in path.parts
        and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
