"""Monitoring exercises (7.1–7.3)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["monitoring exercises"])
