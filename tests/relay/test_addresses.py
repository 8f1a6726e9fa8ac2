"""The relay reads MAIL FROM and RCPT TO addresses with a shortcut for the plain form; whatever
the argument, it reads it exactly as aiosmtpd does (or fails the same way)."""

from __future__ import annotations

from aiosmtpd.smtp import SMTP
from hypothesis import given, settings
from hypothesis import strategies as st

from fairwatch.relay.server import _SMTP

PIECE = st.text(alphabet="abcXYZ09!#$%&'*+/=?^_`{|}~-.\"()<>@ \\\t", max_size=12)


def _read(server: SMTP, arg: str) -> object:
    try:
        return server._getaddr(arg)
    except Exception as exc:  # aiosmtpd itself fails on some ("<0@>"): fail the same way
        return type(exc)


@settings(max_examples=400)
@given(local=PIECE, domain=PIECE, rest=PIECE)
def test_any_argument_is_read_as_aiosmtpd_reads_it(local, domain, rest):
    theirs, ours = SMTP(None), _SMTP(None)
    theirs.local_part_limit = ours.local_part_limit = 4
    for arg in (
        f"<{local}@{domain}>{rest}",
        f"<{local}@{domain}> {rest}",
        f"{local}@{domain}",
        f"<{local}@{domain}.{rest}>",
    ):
        assert _read(ours, arg) == _read(theirs, arg), arg


def test_the_plain_form_and_its_parameters():
    ours = _SMTP(None)
    ours.local_part_limit = 64
    assert ours._getaddr("<t.wren+x@oak.sch.uk> SIZE=2048 BODY=8BITMIME") == (
        "t.wren+x@oak.sch.uk",
        "SIZE=2048 BODY=8BITMIME",
    )
    assert ours._getaddr(f"<{'a' * 65}@oak.sch.uk>") == (None, None)  # over the local limit
