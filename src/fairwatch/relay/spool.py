"""The relay's durable queue: mail that upstream could not take while its sender waited (and
held mail) is on disk, flushed, before the relay says 250.

Layout under the spool folder:
    tmp/    being written (never read; cleared at start)
    queue/  <id>.eml waiting for delivery, with <id>.state once delivery has been tried
    held/   <id>.eml quarantined until someone releases or deletes it
    failed/ <id>.eml that upstream refused for good, with <id>.state saying why

Each .eml file is one JSON line (the envelope) followed by the message's bytes. A file is
written in tmp/, flushed (fsync), then renamed into place and the folder flushed, so after a
crash a message is either wholly there or was never accepted. Delivery records the recipients
upstream has taken (an unlink, or <id>.state written the same way) straight after upstream's
250, so a restarted relay sends each recipient a message once. The one gap no SMTP relay can
close (RFC 1047) is a crash in the instant between upstream's 250 and that record.

Pure: no Django, no asyncio; the server and the deliverer call it from threads.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

QUEUE, HELD, FAILED, TMP = "queue", "held", "failed", "tmp"


@dataclass(frozen=True)
class Envelope:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    school: str = ""  # the school's slug
    received_at: float = 0.0  # seconds since the epoch
    peer: str = ""  # the client's address
    findings: tuple[dict[str, object], ...] = ()  # what the checks said (for held messages)
    kind: str = "mail"  # "mail", or "notice" for the relay's own note to a sender


@dataclass
class State:
    """Delivery so far: the recipients upstream has taken, and when to try again."""

    delivered: list[str] = field(default_factory=list)
    attempts: int = 0
    next_try: float = 0.0
    last_error: str = ""
    failed: list[str] = field(default_factory=list)  # recipients upstream refused for good


@dataclass(frozen=True)
class Item:
    id: str
    envelope: Envelope
    path: Path

    def read(self) -> bytes:
        """The message's bytes (without the envelope line)."""
        with self.path.open("rb") as f:
            f.readline()
            return f.read()


class SpoolError(Exception):
    """The spool cannot take a message (disk full, folder gone): answer 4xx, never 250."""


def new_id() -> str:
    """Sortable by arrival, unique without coordination."""
    return f"{time.time_ns():x}-{secrets.token_hex(4)}"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_durably(final: Path, tmp: Path, data: bytes, *, flush_first: bool = True) -> None:
    """Write `data` to `final` all or nothing. With `flush_first` the data reaches the disk
    before the file appears (what taking a message needs). Without it the file appears at
    once and is flushed after: a killed process can no longer lose it, and the gap in which
    a power cut could is as short as the disk allows (what recording a delivery needs)."""
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        if flush_first:
            os.fsync(fd)
        os.rename(tmp, final)
        if not flush_first:
            os.fsync(fd)
    finally:
        os.close(fd)
    _fsync_dir(final.parent)


class Spool:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        for sub in (QUEUE, HELD, FAILED, TMP):
            (self.root / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
        for leftover in (self.root / TMP).iterdir():  # half-written: never accepted
            leftover.unlink(missing_ok=True)
        self._lock = threading.Lock()

    # --- taking messages in ---------------------------------------------------------------

    def accept(
        self, envelope: Envelope, data: bytes, *, held: bool = False, ident: str = ""
    ) -> str:
        """Write the message durably; only then may the relay answer 250. SpoolError if not.
        `ident`: one from `new_id()` the relay has already named the message by."""
        ident = ident or new_id()
        head = json.dumps(asdict(envelope), separators=(",", ":")).encode() + b"\n"
        where = self.root / (HELD if held else QUEUE) / f"{ident}.eml"
        try:
            _write_durably(where, self.root / TMP / ident, head + data)
        except OSError as exc:
            (self.root / TMP / ident).unlink(missing_ok=True)
            raise SpoolError(f"cannot write to the spool: {exc.strerror or exc}") from exc
        return ident

    # --- reading -----------------------------------------------------------------------------

    def _item(self, path: Path) -> Item:
        with path.open("rb") as f:
            env = json.loads(f.readline())
        env["rcpt_tos"] = tuple(env.get("rcpt_tos", ()))
        env["findings"] = tuple(env.get("findings", ()))
        return Item(path.stem, Envelope(**env), path)

    def items(self, where: str = QUEUE) -> Iterator[Item]:
        """Messages in one folder, oldest first."""
        for path in sorted((self.root / where).glob("*.eml")):
            try:
                yield self._item(path)
            except (OSError, ValueError, TypeError):
                continue  # removed meanwhile, or not ours

    def ids(self, where: str = QUEUE) -> list[str]:
        """The ids in one folder, oldest first, from the file names alone (cheap to repeat)."""
        return sorted(name[:-4] for name in os.listdir(self.root / where) if name.endswith(".eml"))

    def get(self, ident: str, where: str = QUEUE) -> Item | None:
        path = self.root / where / f"{ident}.eml"
        try:
            return self._item(path)
        except (OSError, ValueError, TypeError):
            return None

    def count(self, where: str = QUEUE) -> int:
        return sum(1 for _ in (self.root / where).glob("*.eml"))

    # --- delivery ------------------------------------------------------------------------------

    def state(self, ident: str, where: str = QUEUE) -> State:
        path = self.root / where / f"{ident}.state"
        try:
            return State(**json.loads(path.read_bytes()))
        except FileNotFoundError:
            return State()

    def _save_state(self, ident: str, state: State, where: str = QUEUE) -> None:
        data = json.dumps(asdict(state), separators=(",", ":")).encode()
        _write_durably(
            self.root / where / f"{ident}.state",
            self.root / TMP / f"{ident}.state.{secrets.token_hex(3)}",
            data,
            flush_first=False,
        )

    def delivered(self, item: Item, recipients: list[str], refused: Sequence[str] = ()) -> bool:
        """Record that upstream took `recipients` (and refused `refused` for good). Returns
        True when nothing is left to send, after which the message is gone from the queue."""
        with self._lock:
            state = self.state(item.id)
            state.delivered = sorted(set(state.delivered) | set(recipients))
            state.failed = sorted(set(state.failed) | set(refused))
            left = self.remaining(item, state)
            if not left and not state.failed:
                self._remove(item.id, QUEUE)  # one unlink: the quickest record there is
                return True
            self._save_state(item.id, state)
            if left:
                return False
            self._move(item.id, QUEUE, FAILED)
            return True

    def remaining(self, item: Item, state: State | None = None) -> list[str]:
        state = state or self.state(item.id)
        done = set(state.delivered) | set(state.failed)
        return [r for r in item.envelope.rcpt_tos if r not in done]

    def defer(self, item: Item, error: str, delay: float) -> State:
        """Upstream could not take it now: try again after `delay` seconds."""
        with self._lock:
            state = self.state(item.id)
            state.attempts += 1
            state.last_error = error[:500]
            state.next_try = time.time() + delay
            self._save_state(item.id, state)
            return state

    # --- quarantine -----------------------------------------------------------------------------

    def release(self, ident: str) -> bool:
        """Move a held message into the queue for delivery. False if it is not held."""
        with self._lock:
            return self._move(ident, HELD, QUEUE)

    def delete_held(self, ident: str) -> bool:
        with self._lock:
            path = self.root / HELD / f"{ident}.eml"
            if not path.exists():
                return False
            self._remove(ident, HELD)
            return True

    # --- moving files -------------------------------------------------------------------------

    def _move(self, ident: str, src: str, dst: str) -> bool:
        moved = False
        for suffix in (".state", ".eml"):  # the .eml last: it is what marks the message
            path = self.root / src / f"{ident}{suffix}"
            if path.exists():
                os.rename(path, self.root / dst / path.name)
                moved = moved or suffix == ".eml"
        _fsync_dir(self.root / dst)
        _fsync_dir(self.root / src)
        return moved

    def _remove(self, ident: str, where: str) -> None:
        (self.root / where / f"{ident}.eml").unlink(missing_ok=True)
        (self.root / where / f"{ident}.state").unlink(missing_ok=True)
        _fsync_dir(self.root / where)
