"""Signals the schools app sends, so other apps can act on its changes without it importing
them (the policy app asks new starters to read the policy)."""

from __future__ import annotations

import django.dispatch

# Sent once a real (not dry-run) roster import has committed, with ``school``, ``actor``
# (the user who imported it; None at the command line) and ``person_ids``: the staff and
# volunteers it added, or who came back after leaving.
roster_imported = django.dispatch.Signal()
