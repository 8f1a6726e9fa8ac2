"""Monitoring on the Django side: each school's pseudonym key and vault, exercises and breaches
(issue 4). The rules themselves live in `fairwatch.privacy` (pure)."""
