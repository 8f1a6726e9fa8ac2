"""Subject access requests: staff ask for their own data; the DPO releases it."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["subject access"])
