"""The breach register (5.2): pages."""

from __future__ import annotations

from django.urls import path  # noqa: F401

urlpatterns: list = []
