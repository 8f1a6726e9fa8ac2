"""Placeholder: filled in by issue 9's work on this part of the policy API."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["policy"])
