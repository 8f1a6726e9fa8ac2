"""Real SMTP on loopback for the relay tests: a sink that plays the school's smarthost, and the
relay running on its own event loop in a thread (or as a separate process, to be killed)."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
import time
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

from fairwatch.relay.server import Config, Relay


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> email.message.Message:
        return email.message_from_bytes(self.data)


@dataclass
class SinkHandler:
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    refuse: dict[str, str] = field(default_factory=dict)  # recipient -> the reply to RCPT TO
    mail_replies: list[str] = field(default_factory=list)  # replies to the next MAIL FROMs

    async def handle_MAIL(self, server, session, envelope, address, options):
        if self.mail_replies:
            return self.mail_replies.pop(0)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 OK delivered"


class Sink:
    """The upstream mail server: records every message it takes; can be stopped and started."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = SinkHandler()
        self.controller: Controller | None = None

    def start(self) -> Sink:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.received
            if len(got) >= count:
                return got
            time.sleep(0.02)
        raise AssertionError(f"the sink has {len(self.received)} messages, expected {count}")


class RelayThread:
    """The relay on its own event loop, in a thread, listening on a free loopback port."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.loop = asyncio.new_event_loop()
        self.relay = Relay(config)
        self.port = 0
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> RelayThread:
        self.thread.start()
        future = asyncio.run_coroutine_threadsafe(self.relay.start("127.0.0.1", 0), self.loop)
        self.port = future.result(timeout=60)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.relay.stop(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
