"""Each school's pseudonym key, in a file of its own under the var folder (owner-only), never
in the database: a dump of the database holds pseudonyms and seals it cannot open.

Rotation writes the new key beside the current one first (`<id>.key.new`), re-keys the vault
in one transaction, then moves the new key into place. If the process stops in between, the
next use finishes or abandons the rotation by asking the vault which key its rows are under.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from django.conf import settings

from fairwatch.privacy.pseudonyms import KeyProblem, SchoolKey


def key_folder() -> Path:
    return Path(settings.VAR_DIR) / "pseudonym_keys"


def key_path(school_id: int) -> Path:
    return key_folder() / f"school-{school_id}.key"


def _write_new(path: Path, key: SchoolKey) -> None:
    """Write `key` to `path` whole or not at all (mode 0600), never over an existing file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(key.to_text() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileExistsError):  # another process got there first
            os.link(tmp, path)
    finally:
        os.unlink(tmp)


def read_key(path: Path) -> SchoolKey:
    try:
        return SchoolKey.from_text(path.read_text())
    except KeyProblem as e:
        raise KeyProblem(
            f"{path}: {e}. Restore it from your backup: without it the school's "
            "pseudonyms cannot be turned back into people"
        ) from None


def school_key(school_id: int, *, vault_key_ids: set[str] | None = None) -> SchoolKey:
    """The school's key, made on first use. `vault_key_ids` (the key ids the vault's rows are
    under) lets an interrupted rotation be finished or abandoned."""
    path = key_path(school_id)
    pending = path.with_name(path.name + ".new")
    if pending.exists():
        new = read_key(pending)
        if vault_key_ids is not None and new.key_id in vault_key_ids:
            os.replace(pending, path)  # the vault was re-keyed: finish the rotation
        elif vault_key_ids is not None:
            pending.unlink()  # the re-keying never committed: abandon it
    if not path.exists():
        _write_new(path, SchoolKey.generate())
    return read_key(path)


def stage_new_key(school_id: int) -> SchoolKey:
    """A fresh key written beside the current one, for `rotate` to commit."""
    path = key_path(school_id)
    pending = path.with_name(path.name + ".new")
    with contextlib.suppress(FileNotFoundError):
        pending.unlink()
    key = SchoolKey.generate()
    _write_new(pending, key)
    return key


def commit_new_key(school_id: int) -> None:
    path = key_path(school_id)
    os.replace(path.with_name(path.name + ".new"), path)
