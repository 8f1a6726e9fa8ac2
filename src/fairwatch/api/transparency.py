"""What monitoring is in force (3.2, 7.2.1), its systematic basis, the privacy settings."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["transparency"])
