"""The API for internet use (clauses 3.1-3.3, 7): being written (issue 6)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["internet use"])
