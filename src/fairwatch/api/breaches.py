"""The breach register (5.2)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["breaches"])
