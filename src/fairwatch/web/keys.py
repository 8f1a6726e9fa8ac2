"""Keys generated on first run into the var folder: owner-only, never committed."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def read_or_create_key(path: Path) -> str:
    """Return the key stored at `path`, creating it (mode 0600) on first use.

    The key is written to a temporary file and linked into place, so a process starting at
    the same moment sees either no key or the whole key, never half of one.
    """
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "w") as fh:  # mkstemp makes it 0600
                fh.write(secrets.token_urlsafe(48) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            with contextlib.suppress(FileExistsError):  # another process won: use its key
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
        key = path.read_text().strip()
    if len(key) < 32:
        raise ImproperlyConfigured(
            f"{path} holds no usable key ({len(key)} characters); restore it from your backup "
            "(do not delete it: the audit trail can only be checked with the key it was written "
            "with)"
        )
    return key
