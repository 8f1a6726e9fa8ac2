"""A parsed email as plain data: what every check reads. Parsing lives in `parse.py`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Address:
    """One mailbox: `addr` lower-cased (`local@domain`, domain in IDNA/punycode form kept as
    written), `display` the display name as written ("" when none)."""

    addr: str
    display: str = ""

    @property
    def domain(self) -> str:
        return self.addr.rpartition("@")[2]


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    size: int
    text: str = ""  # extracted text where the type allows (csv, txt, xlsx, docx, pdf), else ""


@dataclass(frozen=True)
class Message:
    sender: Address | None
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    bcc: tuple[Address, ...] = ()
    subject: str = ""
    body: str = ""  # plain text; HTML bodies are turned into text
    attachments: tuple[Attachment, ...] = ()
    message_id: str = ""
    # Problems met while reading (bad encoding, truncated parts): the message is still checked.
    defects: tuple[str, ...] = field(default=())

    @property
    def recipients(self) -> tuple[Address, ...]:
        return self.to + self.cc + self.bcc

    @property
    def visible_recipients(self) -> tuple[Address, ...]:
        return self.to + self.cc
