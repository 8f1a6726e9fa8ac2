"""Placeholder: filled in by issue 9's work on this part of the policy pages."""

from __future__ import annotations

urlpatterns: list = []
