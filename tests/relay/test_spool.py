"""The spool on its own: what goes in comes out byte for byte; delivery is recorded per
recipient; the quarantine moves; leftovers of a crash are cleared."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairwatch.relay.spool import FAILED, HELD, QUEUE, TMP, Envelope, Spool

ADDRESS = st.from_regex(r"[a-z]{1,8}@[a-z]{1,8}\.example", fullmatch=True)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.binary(max_size=5000),
    sender=st.one_of(st.just(""), ADDRESS),
    rcpts=st.lists(ADDRESS, min_size=1, max_size=5, unique=True),
)
def test_any_message_comes_back_byte_for_byte(tmp_path_factory, data, sender, rcpts):
    spool = Spool(tmp_path_factory.mktemp("spool"))
    ident = spool.accept(Envelope(sender, tuple(rcpts), "oak"), data)
    [item] = list(spool.items())
    assert item.id == ident and item.read() == data
    assert item.envelope.mail_from == sender and list(item.envelope.rcpt_tos) == rcpts


def test_delivery_is_recorded_per_recipient_and_the_message_goes_when_all_have_it(tmp_path):
    spool = Spool(tmp_path)
    spool.accept(Envelope("a@x.example", ("b@y.example", "c@y.example", "d@y.example")), b"hi")
    [item] = list(spool.items())
    assert not spool.delivered(item, ["b@y.example"])
    assert spool.remaining(item) == ["c@y.example", "d@y.example"]
    restarted = Spool(tmp_path)  # what a restarted relay sees
    [again] = list(restarted.items())
    assert restarted.remaining(again) == ["c@y.example", "d@y.example"]
    assert restarted.delivered(again, ["c@y.example"], refused=["d@y.example"])
    assert restarted.count(QUEUE) == 0 and restarted.count(FAILED) == 1
    assert restarted.state(again.id, FAILED).failed == ["d@y.example"]


def test_held_messages_move_only_when_released_or_deleted(tmp_path):
    spool = Spool(tmp_path)
    one = spool.accept(Envelope("a@x.example", ("b@y.example",)), b"one", held=True)
    two = spool.accept(Envelope("a@x.example", ("b@y.example",)), b"two", held=True)
    assert spool.count(HELD) == 2 and spool.count(QUEUE) == 0
    assert spool.release(one) and not spool.release(one)
    assert spool.delete_held(two) and not spool.delete_held(two)
    assert [i.read() for i in spool.items(QUEUE)] == [b"one"] and spool.count(HELD) == 0


def test_a_half_written_message_is_never_delivered(tmp_path):
    spool = Spool(tmp_path)
    (tmp_path / TMP / "123-abc").write_bytes(b'{"mail_from":"a"}\npartial')
    spool = Spool(tmp_path)  # started again after a crash mid-write
    assert not any((tmp_path / TMP).iterdir()) and spool.count() == 0


def test_a_full_disk_is_a_spool_error_not_a_lost_message(tmp_path, monkeypatch):
    import os

    import pytest

    from fairwatch.relay import spool as module

    spool = Spool(tmp_path)

    def no_space(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", no_space)
    with pytest.raises(module.SpoolError, match="No space left"):
        spool.accept(Envelope("a@x.example", ("b@y.example",)), b"x")
    monkeypatch.undo()
    assert spool.count() == 0 and not any((tmp_path / TMP).iterdir())
