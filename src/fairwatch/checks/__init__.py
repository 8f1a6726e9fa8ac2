"""Pure detectors for email, posts, photos, names, lookalike domains and personal data.

No Django import here: each check takes plain data and returns findings that cite a clause
of the policy (see fairwatch.catalogue), so the CLI, the HTTP API and the SMTP relay share
one engine.
"""
