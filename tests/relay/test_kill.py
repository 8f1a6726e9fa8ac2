"""A relay killed (SIGKILL) in the middle of a load and started again delivers every message it
accepted to every recipient. What the senders were told was accepted is all at the sink.

Nothing arrives twice except, possibly, a message the relay was handing upstream at the very
moment it was killed: upstream had taken it, and the relay died before it could note that.
No SMTP client can close that gap (RFC 1047, "Duplicate messages and SMTP"); the relay keeps it
to the deliveries in flight, at most one per delivery worker, and a relay stopped normally
finishes them first."""

from __future__ import annotations

import os
import signal
import smtplib
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from tests.relay.harness import Sink, free_port

ROOT = Path(__file__).resolve().parents[2]
SENDERS, EACH = 4, 60
WORKERS = 4  # the relay's delivery workers (Config.workers)


def start(spool: Path, port: int, upstream: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.relay.run_relay", str(spool), str(port), str(upstream)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_killed_mid_load_and_restarted_every_accepted_message_arrives_once(tmp_path):
    sink = Sink().start()
    port = free_port()
    relay = start(tmp_path / "spool", port, sink.port)
    accepted: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def sender(n: int) -> None:
        for i in range(EACH):
            if stop.is_set():
                return
            mid = f"<{n}.{i}@oak.sch.uk>"
            data = (
                f"From: t.wren@oak.sch.uk\r\nTo: a@oak.sch.uk, b@oak.sch.uk\r\n"
                f"Subject: Load {n} {i}\r\nMessage-ID: {mid}\r\n\r\nHello.\r\n"
            ).encode()
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
                    client.sendmail("t.wren@oak.sch.uk", ["a@oak.sch.uk", "b@oak.sch.uk"], data)
            except (smtplib.SMTPException, OSError):
                time.sleep(0.05)  # the relay is down: a real client would retry later
                continue
            with lock:
                accepted.append(mid)

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(SENDERS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(accepted) < SENDERS * EACH // 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    relay.send_signal(signal.SIGKILL)  # in the middle of the load
    relay.wait()
    at_kill = len(accepted)
    time.sleep(0.3)
    relay = start(tmp_path / "spool", port, sink.port)
    try:
        for t in threads:
            t.join(timeout=60)
        sink.wait_for(len(accepted), timeout=30)
        time.sleep(1.0)  # anything more would be a duplicate
        got = Counter((r.message["Message-ID"], rcpt) for r in sink.received for rcpt in r.rcpt_tos)
    finally:
        relay.send_signal(signal.SIGTERM)
        relay.wait(timeout=10)
        sink.stop()
    assert 0 < at_kill < SENDERS * EACH
    duplicates = {k: n for k, n in got.items() if n > 1}
    assert all(n == 2 for n in duplicates.values())
    assert len({mid for mid, _ in duplicates}) <= WORKERS  # only deliveries in flight
    for mid in accepted:
        assert got[(mid, "a@oak.sch.uk")] >= 1 and got[(mid, "b@oak.sch.uk")] >= 1, mid
    # At most the messages in flight when it was killed arrive without their sender having
    # heard 250 (they were on disk; the reply was not sent): never more than one per sender.
    assert len(got) // 2 - len(accepted) <= SENDERS
