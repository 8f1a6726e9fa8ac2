"""Subject access requests: staff ask for their own data; the DPO releases it: pages."""

from __future__ import annotations

from django.urls import path  # noqa: F401

urlpatterns: list = []
