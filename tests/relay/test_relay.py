"""The relay over real SMTP on loopback: each action, upstream down and back, bad input."""

from __future__ import annotations

import smtplib
import time

import pytest

from fairwatch.relay.policy import Action
from fairwatch.relay.server import Config, SchoolSetup, Upstream
from fairwatch.relay.spool import HELD, Spool
from tests.checks.oak import oak
from tests.relay.harness import RelayThread, Sink, free_port

SENDER = "t.wren@oak.sch.uk"


def raw(subject: str, body: str, to: str = "colleague@oak.sch.uk", sender: str = SENDER) -> bytes:
    return (
        f"From: Tom Wren <{sender}>\r\nTo: {to}\r\nSubject: {subject}\r\n"
        f"Message-ID: <{time.time_ns()}@oak.sch.uk>\r\n\r\n{body}\r\n"
    ).encode()


PLAIN = raw("Staff meeting", "See you at four.")
MEDIUM = raw("Oliver Grant behaviour", "Please see the notes.")  # a pupil named in a subject (4.3)
HIGH = raw("Notes", "Oliver Grant has ADHD and takes medication.", to="someone@gmail.com")


@pytest.fixture
def sink():
    s = Sink().start()
    yield s
    s.stop()


@pytest.fixture
def make_relay(tmp_path, sink):
    started = []

    def make(rules=None, upstream_port=None, **options) -> RelayThread:
        events = []
        config = Config(
            schools={"oak": SchoolSetup(oak(), rules or {}, "fairwatch@oak.sch.uk")},
            upstream=Upstream("127.0.0.1", upstream_port or sink.port, timeout=5),
            spool=Spool(tmp_path / "spool"),
            on_event=lambda kind, **d: events.append((kind, d)),
            first_backoff=0.2,
            max_backoff=0.5,
            **options,
        )
        relay = RelayThread(config).start()
        relay.events = events
        started.append(relay)
        return relay

    yield make
    for relay in started:
        relay.stop()


def send(relay: RelayThread, data: bytes, to=("colleague@oak.sch.uk",), sender=SENDER):
    with smtplib.SMTP("127.0.0.1", relay.port, timeout=10) as client:
        return client.sendmail(sender, list(to), data)


def test_a_clean_message_passes_to_the_smarthost_unchanged(make_relay, sink):
    relay = make_relay()
    send(relay, PLAIN)
    [got] = sink.received  # upstream had it before the sender heard 250
    assert got.data.replace(b"\r\n", b"\n").endswith(PLAIN.replace(b"\r\n", b"\n"))
    assert got.mail_from == SENDER and got.rcpt_tos == ["colleague@oak.sch.uk"]
    assert "X-Fairwatch-Action" not in got.message
    assert relay.config.spool.count() == 0  # delivered, so gone from the queue


def test_a_medium_finding_warns_with_headers_and_a_note_to_the_sender(make_relay, sink):
    relay = make_relay()
    send(relay, MEDIUM)
    got = sink.wait_for(2)
    mail = next(r for r in got if r.rcpt_tos == ["colleague@oak.sch.uk"])
    note = next(r for r in got if r.rcpt_tos == [SENDER])
    assert mail.message["X-Fairwatch-Action"] == "warn"
    assert "4.3 subject-roster-name medium" in mail.message.get_all("X-Fairwatch-Finding")
    text = note.message.get_payload(decode=True).decode("utf-8")
    assert note.mail_from == "<>" and "Clause 4.3" in text
    assert note.message["Auto-Submitted"] == "auto-generated"
    assert [k for k, _ in relay.events].count("warn") == 1


def test_a_high_finding_is_held_and_delivered_only_once_released(make_relay, sink):
    relay = make_relay()
    with smtplib.SMTP("127.0.0.1", relay.port, timeout=10) as client:
        client.ehlo()
        code, reply = client.docmd("MAIL FROM:<t.wren@oak.sch.uk>")
        client.docmd("RCPT TO:<someone@gmail.com>")
        code, reply = client.data(HIGH)
    assert code == 250 and b"Held for a check under policy clause 5" in reply
    [note] = sink.wait_for(1)  # only the note to the sender
    assert note.rcpt_tos == [SENDER] and "held" in note.message["Subject"]
    spool = relay.config.spool
    [held] = list(spool.items(HELD))
    assert held.envelope.findings and held.envelope.rcpt_tos == ("someone@gmail.com",)
    assert spool.release(held.id)
    got = sink.wait_for(2)
    assert got[1].rcpt_tos == ["someone@gmail.com"]
    assert got[1].message["X-Fairwatch-Action"] == "hold"


def test_a_check_set_to_reject_gets_a_5xx_with_the_clause(make_relay, sink):
    relay = make_relay(rules={"subject-roster-name": Action.REJECT})
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(relay, MEDIUM)
    assert refused.value.smtp_code == 550
    assert b"Policy clause 4.3" in refused.value.smtp_error
    time.sleep(0.3)
    assert sink.received == []


def test_a_sender_from_another_domain_is_refused(make_relay):
    relay = make_relay()
    with pytest.raises(smtplib.SMTPSenderRefused) as refused:
        send(relay, PLAIN, sender="someone@elsewhere.example")
    assert refused.value.smtp_code == 550 and b"not one of them" in refused.value.smtp_error


def test_an_oversized_message_is_refused_with_552_and_the_relay_goes_on(make_relay, sink):
    relay = make_relay(max_message_bytes=50_000)
    with pytest.raises((smtplib.SMTPDataError, smtplib.SMTPSenderRefused)) as refused:
        send(relay, raw("Big", "x" * 60_000))
    assert refused.value.smtp_code == 552
    send(relay, PLAIN)
    sink.wait_for(1)


def test_garbage_commands_get_clear_replies_not_a_crash(make_relay, sink):
    relay = make_relay()
    with smtplib.SMTP("127.0.0.1", relay.port, timeout=10) as client:
        assert client.docmd("HELLO THERE")[0] == 500
        client.ehlo()
        assert client.docmd("RCPT TO:<a@b>")[0] == 503  # before MAIL
        assert 500 <= client.docmd("MAIL FROM:not an address")[0] < 600
    send(relay, raw("Odd", "\x00\x01 binary \xff".encode("latin-1").decode("latin-1")))
    sink.wait_for(1)


def test_when_upstream_is_down_mail_is_queued_and_delivered_when_it_returns(make_relay):
    port = free_port()
    relay = make_relay(upstream_port=port)
    send(relay, PLAIN)  # accepted: it is on disk
    time.sleep(0.5)
    assert relay.config.spool.count() == 1
    assert any(k == "deferred" for k, _ in relay.events)
    later = Sink(port).start()
    try:
        [got] = later.wait_for(1)
        assert got.rcpt_tos == ["colleague@oak.sch.uk"]
        time.sleep(0.2)
        assert relay.config.spool.count() == 0
    finally:
        later.stop()


def test_when_neither_upstream_nor_the_spool_can_take_mail_the_sender_is_told_to_try_later(
    make_relay, sink
):
    from fairwatch.relay.spool import SpoolError

    relay = make_relay(upstream_port=free_port())  # nothing listens there

    def full(*args, **kwargs):
        raise SpoolError("cannot write to the spool: No space left on device")

    relay.config.spool.accept = full
    with pytest.raises(smtplib.SMTPDataError) as later:
        send(relay, PLAIN)
    assert later.value.smtp_code == 451  # a temporary failure: the sender keeps it and retries


def test_a_full_spool_does_not_stop_mail_that_upstream_takes_at_once(make_relay, sink):
    from fairwatch.relay.spool import SpoolError

    relay = make_relay()

    def full(*args, **kwargs):
        raise SpoolError("cannot write to the spool: No space left on device")

    relay.config.spool.accept = full
    send(relay, PLAIN)
    assert len(sink.received) == 1


def test_a_recipient_refused_for_good_the_others_get_it_and_the_sender_is_told(make_relay, sink):
    sink.handler.refuse["left@oak.sch.uk"] = "550 5.1.1 No such user here"
    relay = make_relay()
    send(relay, PLAIN, to=("colleague@oak.sch.uk", "left@oak.sch.uk"))
    got = sink.wait_for(2)
    assert got[0].rcpt_tos == ["colleague@oak.sch.uk"]
    note = got[1].message
    assert got[1].rcpt_tos == [SENDER] and got[1].mail_from == "<>"  # a null sender
    text = note.get_payload(decode=True).decode()
    assert "left@oak.sch.uk" in text and "No such user here" in text
    assert relay.config.spool.count() == 0
    assert any(k == "failed" for k, _ in relay.events)


def test_every_recipient_refused_for_good_is_a_5xx_to_the_sender(make_relay, sink):
    sink.handler.refuse["left@oak.sch.uk"] = "550 5.1.1 No such user here"
    relay = make_relay()
    with pytest.raises(smtplib.SMTPDataError) as no:
        send(relay, PLAIN, to=("left@oak.sch.uk",))
    assert no.value.smtp_code == 550 and b"No such user here" in no.value.smtp_error
    assert sink.received == [] and relay.config.spool.count() == 0


def test_a_recipient_put_off_by_upstream_is_queued_and_gets_it_later(make_relay, sink):
    sink.handler.refuse["busy@oak.sch.uk"] = "450 4.2.1 Mailbox busy, try later"
    relay = make_relay()
    send(relay, PLAIN, to=("colleague@oak.sch.uk", "busy@oak.sch.uk"))
    [first] = sink.received
    assert first.rcpt_tos == ["colleague@oak.sch.uk"]
    assert relay.config.spool.count() == 1  # kept for the one put off
    del sink.handler.refuse["busy@oak.sch.uk"]
    got = sink.wait_for(2)
    assert got[1].rcpt_tos == ["busy@oak.sch.uk"] and got[1].data == first.data
    time.sleep(0.2)
    assert relay.config.spool.count() == 0


def test_a_kept_connection_upstream_dropped_is_opened_again_and_nothing_is_queued(make_relay, sink):
    relay = make_relay()
    send(relay, PLAIN)
    sink.stop()  # upstream restarts: the relay's open connection to it is gone
    sink.start()
    send(relay, PLAIN)
    assert len(sink.received) == 2  # passed on while the sender waited, not queued
    assert relay.config.spool.count() == 0


def test_a_kept_connection_upstream_timed_out_421_is_opened_again(make_relay, sink):
    relay = make_relay()
    send(relay, PLAIN)
    sink.handler.mail_replies.append("421 4.4.2 Error: timeout exceeded")
    send(relay, PLAIN)
    assert len(sink.received) == 2 and relay.config.spool.count() == 0


def test_a_big_message_is_checked_as_well(make_relay, sink):
    from fairwatch.relay.server import INLINE_BYTES

    relay = make_relay()
    lines = ("Notes from the meeting, one line of many. " * 2 + "\r\n") * (INLINE_BYTES // 80)
    big = raw("Oliver Grant behaviour", lines)
    assert len(big) > INLINE_BYTES
    send(relay, big)
    got = sink.wait_for(2)
    warned = [r for r in got if r.rcpt_tos == ["colleague@oak.sch.uk"]]
    assert warned[0].message["X-Fairwatch-Action"] == "warn"
