"""Pages: what monitoring is in force (3.2, 7.2.1), its basis, the privacy settings."""

from __future__ import annotations

from django.urls import path  # noqa: F401

urlpatterns: list = []
