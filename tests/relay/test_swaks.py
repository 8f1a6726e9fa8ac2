"""The relay with swaks (Debian's SMTP test client) as the sender, including STARTTLS and AUTH,
as a school's mail client or server would talk to it."""

from __future__ import annotations

import shutil
import ssl
import subprocess

import pytest

from fairwatch.relay.server import Config, SchoolSetup, Upstream
from fairwatch.relay.spool import Spool
from tests.checks.oak import oak
from tests.relay.harness import RelayThread, Sink

SWAKS = shutil.which("swaks")
pytestmark = pytest.mark.skipif(SWAKS is None, reason="swaks not installed (apt-get install swaks)")


@pytest.fixture
def sink():
    s = Sink().start()
    yield s
    s.stop()


def relay_with(tmp_path, sink, **options) -> RelayThread:
    config = Config(
        schools={"oak": SchoolSetup(oak(), {}, "fairwatch@oak.sch.uk")},
        upstream=Upstream("127.0.0.1", sink.port, timeout=5),
        spool=Spool(tmp_path / "spool"),
        first_backoff=0.2,
        **options,
    )
    return RelayThread(config).start()


def swaks(port: int, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [SWAKS, "--server", f"127.0.0.1:{port}", "--from", "t.wren@oak.sch.uk", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_plain_mail_passes_and_a_named_pupil_warns(tmp_path, sink):
    relay = relay_with(tmp_path, sink)
    try:
        ok = swaks(relay.port, "--to", "colleague@oak.sch.uk", "--header", "Subject: Staff meeting")
        assert ok.returncode == 0, ok.stdout + ok.stderr
        assert "250 2.0.0 Accepted as" in ok.stdout
        warned = swaks(
            relay.port,
            "--to",
            "colleague@oak.sch.uk",
            "--header",
            "Subject: Oliver Grant behaviour",
        )
        assert warned.returncode == 0
        got = sink.wait_for(3)  # two messages and one note to the sender
        assert sum(1 for r in got if r.message["X-Fairwatch-Action"] == "warn") == 1
    finally:
        relay.stop()


def test_a_rejected_sender_domain_makes_swaks_fail_with_the_reason(tmp_path, sink):
    relay = relay_with(tmp_path, sink)
    try:
        result = swaks(relay.port, "--to", "x@oak.sch.uk", "--from", "someone@elsewhere.example")
        assert result.returncode != 0 and "not one of them" in result.stdout
    finally:
        relay.stop()


@pytest.fixture
def certificate(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def test_starttls_and_auth(tmp_path, sink, certificate):
    logins = {"t.wren@oak.sch.uk": "correct horse"}
    relay = relay_with(
        tmp_path,
        sink,
        tls_context=certificate,
        require_starttls=True,
        authenticate=lambda user, password: logins.get(user) == password,
    )
    try:
        plain = swaks(relay.port, "--to", "a@oak.sch.uk")
        assert plain.returncode != 0  # no STARTTLS: refused
        wrong = swaks(
            relay.port,
            "--to",
            "a@oak.sch.uk",
            "--tls",
            "--auth",
            "LOGIN",
            "--auth-user",
            "t.wren@oak.sch.uk",
            "--auth-password",
            "wrong",
        )
        assert wrong.returncode != 0 and "535" in wrong.stdout
        good = swaks(
            relay.port,
            "--to",
            "a@oak.sch.uk",
            "--tls",
            "--auth",
            "LOGIN",
            "--auth-user",
            "t.wren@oak.sch.uk",
            "--auth-password",
            "correct horse",
        )
        assert good.returncode == 0, good.stdout
        sink.wait_for(1)
    finally:
        relay.stop()
