"""The relay with a real school from the database: held mail becomes a record the web app
shows to its sender, the Headteacher and the DPO; releasing it delivers it; every action is on
the audit trail (without the message)."""

from __future__ import annotations

import smtplib
import time

import pytest
from django.core.exceptions import PermissionDenied

from fairwatch.audit.models import AuditEntry
from fairwatch.mailflow import held as held_mail
from fairwatch.mailflow.models import HeldMessage, RelayRule
from fairwatch.mailflow.relay import record_event, setup_for
from fairwatch.relay.server import Config, Upstream
from fairwatch.relay.spool import Spool
from tests.cast import build_cast
from tests.relay.harness import RelayThread, Sink

TEACHER = "teacher@oak.example"
HEALTH = (
    b"From: teacher@oak.example\r\nTo: someone@gmail.com\r\nSubject: Notes\r\n"
    b"Message-ID: <h1@oak.example>\r\n\r\nOliver Grant has ADHD and takes medication.\r\n"
)
NAMED = (
    b"From: teacher@oak.example\r\nTo: dsl@oak.example\r\nSubject: Oliver Grant\r\n"
    b"Message-ID: <n1@oak.example>\r\n\r\nCan we talk about him tomorrow?\r\n"
)


@pytest.fixture
def world(transactional_db, tmp_path, settings, _empty_audit_trail_after):
    cast = build_cast(tmp_path)
    sink = Sink().start()
    config = Config(
        schools={"oak": setup_for(cast.school)},
        upstream=Upstream("127.0.0.1", sink.port, timeout=5),
        spool=Spool(settings.VAR_DIR / "relay" / "spool"),
        on_event=record_event,
        first_backoff=0.2,
        max_backoff=0.5,
    )
    relay = RelayThread(config).start()
    yield cast, relay, sink
    relay.stop()
    sink.stop()


def send(relay, data, to):
    with smtplib.SMTP("127.0.0.1", relay.port, timeout=10) as client:
        client.sendmail(TEACHER, to, data)


def wait(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_held_mail_is_recorded_seen_by_the_right_people_and_released(world, client):
    cast, relay, sink = world
    send(relay, HEALTH, ["someone@gmail.com"])
    wait(lambda: HeldMessage.objects.exists())
    held = HeldMessage.objects.get()
    assert (held.sender, held.recipients, held.subject) == (TEACHER, ["someone@gmail.com"], "Notes")
    entry = AuditEntry.objects.get(action="mail.hold")
    assert "ADHD" not in str(entry.detail) and entry.detail["sender"] == TEACHER
    assert {f["check"] for f in held.findings} >= {"pd-special-category"}

    for user, sees in (
        (cast.teacher, 1),
        (cast.head, 1),
        (cast.dpo, 1),
        (cast.it, 0),
        (cast.dsl, 0),
    ):
        assert held_mail.visible(user, cast.school).count() == sees
    with pytest.raises(PermissionDenied):
        held_mail.release(cast.dpo, held)  # the DPO sees it but does not send mail on
    held_mail.release(cast.teacher, held)
    got = sink.wait_for(2)  # the note to the sender, then the mail itself
    assert any(r.rcpt_tos == ["someone@gmail.com"] for r in got)
    assert AuditEntry.objects.filter(action="mail.held.release", outcome="done").count() == 1


def test_a_school_rule_makes_the_relay_reject_and_the_rejection_is_recorded(world):
    cast, relay, sink = world
    RelayRule.objects.create(school=cast.school, check_slug="subject-roster-name", action="reject")
    relay.config.schools["oak"] = setup_for(cast.school)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(relay, NAMED, ["dsl@oak.example"])
    assert refused.value.smtp_code == 550
    wait(lambda: AuditEntry.objects.filter(action="mail.reject").exists())
    assert AuditEntry.objects.get(action="mail.reject").clause == "4.3"


def test_the_held_mail_page_shows_buttons_to_those_who_may_decide(world, client):
    cast, relay, sink = world
    send(relay, HEALTH, ["someone@gmail.com"])
    wait(lambda: HeldMessage.objects.exists())
    item = HeldMessage.objects.get()
    client.force_login(cast.dpo)
    page = client.get("/mail/held/").content.decode()
    assert "someone@gmail.com" in page and "Waiting for its sender" in page
    assert client.post(f"/mail/held/{item.spool_id}/", {"do": "release"}).status_code == 403
    client.force_login(cast.it)
    assert "someone@gmail.com" not in client.get("/mail/held/").content.decode()
    assert client.post(f"/mail/held/{item.spool_id}/", {"do": "delete"}).status_code == 404
    client.force_login(cast.head)
    r = client.post(f"/mail/held/{item.spool_id}/", {"do": "delete"}, follow=True)
    assert "Deleted" in r.content.decode()
    item.refresh_from_db()
    assert item.state == "deleted" and relay.config.spool.count("held") == 0


def test_the_rules_page_sets_an_action_per_check_for_the_head_and_it_only(client, db, tmp_path):
    cast = build_cast(tmp_path)
    client.force_login(cast.teacher)
    assert client.get("/mail/rules/").status_code == 403
    client.force_login(cast.it)
    page = client.get("/mail/rules/").content.decode()
    assert "A pupil&#x27;s or parent&#x27;s name in the subject line" in page
    assert 'href="/policy/#clause-4-3"' in page
    r = client.post("/mail/rules/", {"subject-roster-name": "reject", "prof-shouting": "pass"})
    assert r.status_code == 302
    assert dict(RelayRule.objects.values_list("check_slug", "action")) == {
        "subject-roster-name": "reject",
        "prof-shouting": "pass",
    }
    client.post("/mail/rules/", {"subject-roster-name": "default"})
    assert not RelayRule.objects.filter(check_slug="subject-roster-name").exists()
    assert AuditEntry.objects.filter(action="mailflow.rules", outcome="done").count() == 2
    client.post("/mail/rules/", {"subject-roster-name": "explode"})
    assert not RelayRule.objects.filter(check_slug="subject-roster-name").exists()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--listen", "nowhere"], "--listen must be HOST:PORT"),
        (["--upstream", "mail:99999"], "--upstream must be HOST:PORT"),
        (["--auth"], "--auth sends passwords"),
        (["--tls-cert", "/nonexistent.pem"], "--tls-cert and --tls-key go together"),
        (["--school", "nowhere"], "no school 'nowhere'"),
    ],
)
def test_the_relay_command_refuses_bad_options_clearly(db, tmp_path, args, says):
    from typer.testing import CliRunner

    from fairwatch.cli import app

    build_cast(tmp_path)
    result = CliRunner().invoke(app, ["relay", *args])
    assert result.exit_code != 0 and says in result.output, result.output
