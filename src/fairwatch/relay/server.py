"""The relay itself: an aiosmtpd server that checks each message, then passes it on, warns,
holds or rejects it, and a deliverer that hands queued mail to the school's smarthost.

No Django here: the command line builds a `Config` from the database and gives an `on_event`
callback that writes the audit trail. A message is answered 250 only once it is in the spool
(on disk, flushed); delivery runs behind, retrying with backoff while upstream is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, make_msgid
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword, Session
from aiosmtpd.smtp import Envelope as SmtpEnvelope

from fairwatch.checks.context import SchoolContext
from fairwatch.checks.engine import check_message, prepare
from fairwatch.checks.findings import Finding
from fairwatch.checks.message import Address
from fairwatch.checks.parse import MessageTooLarge, parse_bytes

from .policy import Action, Decision, decide, smtp_text
from .spool import QUEUE, Envelope, Item, Spool, SpoolError

log = logging.getLogger("fairwatch.relay")

MAX_RECIPIENTS = 500
RESCAN_EVERY = 2.0  # seconds: pick up messages released from the quarantine by the web app

Event = Callable[..., None]  # on_event(kind, **details); called in a worker thread


@dataclass(frozen=True)
class SchoolSetup:
    context: SchoolContext
    rules: Mapping[str, Action] = field(default_factory=dict)  # per check slug
    notices_from: str = ""  # the address the relay's notes to senders come from


@dataclass(frozen=True)
class Upstream:
    host: str
    port: int = 25
    starttls: bool = False
    username: str = ""
    password: str = ""
    timeout: float = 30.0


@dataclass
class Config:
    schools: dict[str, SchoolSetup]  # by slug
    upstream: Upstream
    spool: Spool
    max_message_bytes: int = 25 * 1024 * 1024
    workers: int = 4
    first_backoff: float = 2.0  # seconds before the first retry; doubling each time
    max_backoff: float = 600.0
    on_event: Event | None = None
    hostname: str = "fairwatch-relay"
    tls_context: ssl.SSLContext | None = None  # offer STARTTLS with this
    require_starttls: bool = False
    authenticate: Callable[[str, str], bool] | None = None  # AUTH PLAIN/LOGIN, when given

    def school_for(self, sender: str) -> SchoolSetup | None:
        """The school whose domain the sender's address is at (or under)."""
        domain = sender.rpartition("@")[2].lower().rstrip(".")
        for setup in self.schools.values():
            ctx = setup.context
            for d in (*ctx.domains, ctx.pupil_domain):
                if d and (domain == d or domain.endswith("." + d)):
                    return setup
        return None


# --- what a message becomes ----------------------------------------------------------------


def _headers(findings: tuple[Finding, ...], action: Action) -> bytes:
    lines = [f"X-Fairwatch-Action: {action}"]
    for f in findings[:10]:
        lines.append(f"X-Fairwatch-Finding: {f.clause} {f.check} {f.severity}")
    return ("\r\n".join(lines) + "\r\n").encode("ascii", "replace")


def _notice(setup: SchoolSetup, to: str, subject: str, decision: Decision, held: bool) -> bytes:
    """The short note to the sender: each finding with its clause and what to do instead."""
    msg = EmailMessage()
    msg["From"] = setup.notices_from or f"fairwatch@{next(iter(setup.context.domains), 'invalid')}"
    msg["To"] = to
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid("fairwatch")
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to this
    msg["Subject"] = (
        "Your email is held for a check" if held else "Please check the email you just sent"
    )
    intro = (
        "Your email has been held, not sent. You or the Headteacher can release or delete it "
        "in Fairwatch."
        if held
        else "Your email has been sent, but it may not follow the staff policy on email:"
    )
    parts = [intro, f"Subject: {subject or '(no subject)'}", ""]
    for f in decision.because[:10]:
        parts += [f"Clause {f.clause}: {f.message}", f"What to do instead: {f.fix}", ""]
    msg.set_content("\n".join(parts))
    return msg.as_bytes(policy=SMTP_POLICY)


def _bcc(message: Any, rcpt_tos: list[str]) -> Any:
    """Recipients in the envelope but not in To/Cc are blind copies: the checks should know."""
    seen = {a.addr for a in (*message.to, *message.cc)}
    extra = tuple(Address(r.lower()) for r in rcpt_tos if r.lower() not in seen)
    return replace(message, bcc=(*message.bcc, *extra)) if extra else message


class Handler:
    """The aiosmtpd hooks."""

    def __init__(self, config: Config, deliverer: Deliverer) -> None:
        self.config = config
        self.deliverer = deliverer

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: SmtpEnvelope, address: str, options: list
    ) -> str:
        if self.config.authenticate is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        if address and self.config.school_for(address) is None:
            return (
                "550 5.7.1 Fairwatch relays mail only for the schools it serves; "
                f"{smtp_text(address.rpartition('@')[2], 80)} is not one of them"
            )
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: SmtpEnvelope, address: str, options: list
    ) -> str:
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return f"452 4.5.3 Too many recipients: send to at most {MAX_RECIPIENTS} at once"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: SmtpEnvelope) -> str:
        data = envelope.original_content or b""
        setup = self.config.school_for(envelope.mail_from or "")
        if setup is None:  # a null sender: only our own notices use one
            return "550 5.7.1 Fairwatch does not relay mail with an empty sender"
        try:
            return await asyncio.to_thread(self._take, setup, envelope, session, data)
        except SpoolError as exc:
            log.error("spool: %s", exc)
            return "451 4.3.0 The relay cannot queue mail just now; please try again later"

    def _take(self, setup: SchoolSetup, env: SmtpEnvelope, session: Session, data: bytes) -> str:
        started = time.perf_counter()
        rcpts = list(env.rcpt_tos)
        try:
            message = _bcc(parse_bytes(data), rcpts)
            findings = tuple(check_message(message, setup.context))
            decision = decide(findings, setup.rules)
        except MessageTooLarge:
            return "552 5.3.4 The message is too large"
        except Exception:  # a check must never lose a message: pass it, and say so
            log.exception("checking a message failed; passing it unchecked")
            message, findings, decision = None, (), Decision(Action.PASS, ())
            data = b"X-Fairwatch-Action: unchecked\r\n" + data
        subject = message.subject if message is not None else ""
        base = Envelope(
            mail_from=env.mail_from,
            rcpt_tos=tuple(rcpts),
            school=setup.context.slug,
            received_at=time.time(),
            peer=str(session.peer[0]) if session.peer else "",
        )
        details = {
            "school": setup.context.slug,
            "sender": env.mail_from,
            "recipients": len(rcpts),
            "findings": [f.as_dict() for f in decision.because],
            "checks": [f.check for f in findings],
        }
        action = decision.action
        lead = decision.lead
        if action is Action.REJECT and lead is not None:
            self._event("reject", **details)
            return f"550 5.7.1 Policy clause {lead.clause}: {smtp_text(lead.message, 300)}"
        if action is Action.HOLD:
            held = Envelope(**{**base.__dict__, "findings": tuple(f.as_dict() for f in findings)})
            ident = self.config.spool.accept(held, _headers(findings, action) + data, held=True)
            self._notify(setup, env.mail_from, subject, decision, held=True)
            self._event("hold", id=ident, subject=subject, to=rcpts, **details)
            return f"250 2.0.0 Held for a check under policy clause {lead.clause} (id {ident})"
        if action is Action.WARN:
            data = _headers(findings, action) + data
        ident = self.config.spool.accept(base, data)
        self.deliverer.wake(ident)
        if action is Action.WARN:
            self._notify(setup, env.mail_from, subject, decision, held=False)
            self._event("warn", id=ident, **details)
        else:
            self._event("pass", id=ident, ms=round((time.perf_counter() - started) * 1000, 2))
        return f"250 2.0.0 Queued as {ident}"

    def _notify(self, setup: SchoolSetup, sender: str, subject: str, d: Decision, held: bool):
        note = _notice(setup, sender, subject, d, held)
        ident = self.config.spool.accept(
            Envelope(mail_from="", rcpt_tos=(sender,), school=setup.context.slug, kind="notice"),
            note,
        )
        self.deliverer.wake(ident)

    def _event(self, kind: str, **details: Any) -> None:
        if self.config.on_event is not None:
            try:
                self.config.on_event(kind, **details)
            except Exception:  # the record is secondary to the mail: log and go on
                log.exception("recording a relay event failed")


# --- delivery ----------------------------------------------------------------------------------


class Connection:
    """One SMTP connection upstream, kept open between messages (used from one thread)."""

    def __init__(self, upstream: Upstream) -> None:
        self.upstream = upstream
        self.smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        u = self.upstream
        smtp = smtplib.SMTP(u.host, u.port, timeout=u.timeout, local_hostname="fairwatch-relay")
        smtp.ehlo()
        if u.starttls:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if u.username:
            smtp.login(u.username, u.password)
        return smtp

    def send(self, item: Item, recipients: list[str]) -> dict[str, tuple[int, bytes]]:
        """Send to `recipients`; returns those upstream refused. Raises on failure."""
        data = item.read()
        for attempt in (1, 2):
            if self.smtp is None:
                self.smtp = self._open()
            try:
                return self.smtp.sendmail(item.envelope.mail_from, recipients, data)
            except smtplib.SMTPServerDisconnected:
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
            self.smtp = None


class Deliverer:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.spool = config.spool
        self._ready: asyncio.Queue[str] = asyncio.Queue()
        self._known: set[str] = set()  # queued or scheduled, not yet done
        self._tasks: list[asyncio.Task[None]] = []
        self.delivered = 0

    def wake(self, ident: str) -> None:
        """A message is in the queue now (called from any thread)."""
        loop = self._loop
        loop.call_soon_threadsafe(self._add, ident, 0.0)

    def _add(self, ident: str, delay: float) -> None:
        if delay <= 0:
            self._known.add(ident)
            self._ready.put_nowait(ident)
        else:
            self._known.add(ident)
            self._loop.call_later(delay, self._ready.put_nowait, ident)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        await self._rescan()
        for n in range(self.config.workers):
            self._tasks.append(asyncio.create_task(self._work(n)))
        self._tasks.append(asyncio.create_task(self._rescan_forever()))

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _rescan(self) -> None:
        items = await asyncio.to_thread(lambda: list(self.spool.items(QUEUE)))
        now = time.time()
        for item in items:
            if item.id in self._known:
                continue
            state = await asyncio.to_thread(self.spool.state, item.id)
            self._add(item.id, max(0.0, state.next_try - now))

    async def _rescan_forever(self) -> None:
        while True:
            await asyncio.sleep(RESCAN_EVERY)
            try:
                await self._rescan()
            except OSError:
                log.exception("rescanning the spool")

    async def _work(self, n: int) -> None:
        conn = Connection(self.config.upstream)
        try:
            while True:
                ident = await self._ready.get()
                retry = await asyncio.to_thread(self._deliver, conn, ident)
                if retry is None:
                    self._known.discard(ident)
                else:
                    self._add(ident, retry)
        finally:
            await asyncio.to_thread(conn.close)

    def _deliver(self, conn: Connection, ident: str) -> float | None:
        """Try one message; None when it is finished with, else seconds until the next try."""
        item = self.spool.get(ident)
        if item is None:
            return None  # delivered or released elsewhere
        remaining = self.spool.remaining(item)
        if not remaining:
            self.spool.delivered(item, [])
            return None
        try:
            refused = conn.send(item, remaining)
        except smtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            conn.close()
            if 500 <= exc.smtp_code < 600:
                self.spool.delivered(item, [], refused=remaining)
                self._failed(item, remaining, f"{exc.smtp_code} {exc.smtp_error!r}")
                return None
            return self._later(item, f"{exc.smtp_code} {exc.smtp_error!r}")
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            conn.close()
            return self._later(item, f"upstream: {exc}")
        permanent = [r for r, (code, _) in refused.items() if 500 <= code < 600]
        taken = [r for r in remaining if r not in refused]
        finished = self.spool.delivered(item, taken, refused=permanent)
        self.delivered += 1 if taken else 0
        if permanent:
            self._failed(item, permanent, "refused by the mail server")
        if self.config.on_event is not None and taken:
            self._safe_event("delivered", id=item.id, school=item.envelope.school, n=len(taken))
        if finished:
            return None
        return self._later(item, "some recipients deferred by upstream")

    def _later(self, item: Item, error: str) -> float:
        attempts = self.spool.state(item.id).attempts + 1
        delay = min(self.config.max_backoff, self.config.first_backoff * 2.0 ** (attempts - 1))
        self.spool.defer(item, error, delay)
        self._safe_event("deferred", id=item.id, school=item.envelope.school, error=error)
        return delay

    def _failed(self, item: Item, recipients: list[str], why: str) -> None:
        self._safe_event("failed", id=item.id, school=item.envelope.school, why=why)
        if item.envelope.kind != "mail" or not item.envelope.mail_from:
            return  # never bounce a bounce
        setup = self.config.schools.get(item.envelope.school)
        if setup is None:
            return
        msg = EmailMessage()
        msg["From"] = setup.notices_from or "fairwatch@invalid"
        msg["To"] = item.envelope.mail_from
        msg["Subject"] = "Your email could not be delivered"
        msg["Auto-Submitted"] = "auto-replied"
        msg.set_content(
            "The school's mail server refused your email for: "
            + ", ".join(recipients)
            + f"\nReason: {why}\n"
        )
        ident = self.spool.accept(
            Envelope(
                mail_from="",
                rcpt_tos=(item.envelope.mail_from,),
                kind="notice",
                school=item.envelope.school,
            ),
            msg.as_bytes(policy=SMTP_POLICY),
        )
        self.wake(ident)

    def _safe_event(self, kind: str, **details: Any) -> None:
        if self.config.on_event is None:
            return
        try:
            self.config.on_event(kind, **details)
        except Exception:
            log.exception("recording a relay event failed")


# --- running it -----------------------------------------------------------------------------------


class _Authenticator:
    def __init__(self, check: Callable[[str, str], bool]) -> None:
        self.check = check

    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        ok = self.check(
            auth_data.login.decode("utf-8", "replace"),
            auth_data.password.decode("utf-8", "replace"),
        )
        return AuthResult(success=ok, handled=False)


class Relay:
    """The server and its deliverer, on the running event loop."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.deliverer = Deliverer(config)
        self.handler = Handler(config, self.deliverer)
        self.server: asyncio.base_events.Server | None = None

    def _smtp(self) -> SMTP:
        c = self.config
        kwargs: dict[str, Any] = {
            "data_size_limit": c.max_message_bytes,
            "hostname": c.hostname,
            "ident": "Fairwatch relay",
            "timeout": 120,
            "enable_SMTPUTF8": True,
        }
        if c.tls_context is not None:
            kwargs.update(tls_context=c.tls_context, require_starttls=c.require_starttls)
        if c.authenticate is not None:
            kwargs.update(
                authenticator=_Authenticator(c.authenticate),
                auth_require_tls=c.tls_context is not None,
            )
        return SMTP(self.handler, **kwargs)

    async def start(self, host: str, port: int) -> int:
        for setup in self.config.schools.values():
            await asyncio.to_thread(prepare, setup.context)
        await self.deliverer.start()
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(self._smtp, host, port)
        return self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
        await self.deliverer.stop()
