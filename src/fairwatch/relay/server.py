"""The relay itself: an aiosmtpd server that checks each message, then passes it on, warns,
holds or rejects it, and a deliverer that hands queued mail to the school's smarthost.

No Django here: the command line builds a `Config` from the database and gives an `on_event`
callback that writes the audit trail. A message is answered 250 only once upstream has it or
it is in the relay's spool (on disk, flushed): it goes on to upstream while the sender waits,
and only when upstream cannot take it is it queued, to be delivered with retries and backoff.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import re
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from email.header import Header
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
from .spool import QUEUE, Envelope, Item, Spool, SpoolError, new_id

log = logging.getLogger("fairwatch.relay")

MAX_RECIPIENTS = 500
RESCAN_EVERY = 0.25  # seconds: pick up mail from other processes and released from quarantine
DIRECT_TIMEOUT = 10.0  # seconds the sender waits on upstream before the relay queues instead
DOWN_FOR = 5.0  # seconds to queue without trying upstream after it failed to answer
IDLE_FOR = 60.0  # seconds an upstream connection is kept open unused (servers drop them)
INLINE_BYTES = 512 * 1024  # messages checked on the event loop; bigger ones in a thread

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
    workers: int = 4  # delivering from the queue (retries, released mail)
    sessions: int = 64  # messages checked and passed on at once, per process
    first_backoff: float = 2.0  # seconds before the first retry; doubling each time
    max_backoff: float = 600.0
    on_event: Event | None = None
    hostname: str = "fairwatch-relay"
    tls_context: ssl.SSLContext | None = None  # offer STARTTLS with this
    require_starttls: bool = False
    authenticate: Callable[[str, str], bool] | None = None  # AUTH PLAIN/LOGIN, when given
    reload: Callable[[], dict[str, SchoolSetup]] | None = None  # fresh rosters and rules
    reload_every: float = 300.0

    def school_for(self, sender: str) -> SchoolSetup | None:
        """The school whose domain the sender's address is at (or under)."""
        domain = sender.rpartition("@")[2].lower().rstrip(".")
        for setup in self.schools.values():
            ctx = setup.context
            for d in (*ctx.domains, ctx.pupil_domain):
                if d and (domain == d or domain.endswith("." + d)):
                    return setup
        return None


# An address in MAIL FROM or RCPT TO as nearly every client writes one: <dot-atom@host.name>.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_ADDRESS = re.compile(rf"<({_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)>")


class _SMTP(SMTP):
    """aiosmtpd's server, reading a plain <local@domain> without the email package's whole
    address grammar (aiosmtpd 1.4 also builds a class on each call: a tenth of the relay's
    time went there). Anything else (quoted local parts, comments, routes) goes the long way."""

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        match = _PLAIN_ADDRESS.match(arg) if arg else None
        if match is None or "(" in arg:
            return super()._getaddr(arg)
        address = match.group(1)
        if self.local_part_limit and len(address.rpartition("@")[0]) > self.local_part_limit:
            return None, None
        return address, arg[match.end() :].lstrip(" \t")


# --- what a message becomes ----------------------------------------------------------------


def _headers(findings: tuple[Finding, ...], action: Action) -> bytes:
    lines = [f"X-Fairwatch-Action: {action}"]
    for f in findings[:10]:
        lines.append(f"X-Fairwatch-Finding: {f.clause} {f.check} {f.severity}")
    return ("\r\n".join(lines) + "\r\n").encode("ascii", "replace")


def _note(sender: str, to: str, subject: str, text: str, auto: str) -> bytes:
    """A plain text note from the relay, built directly (EmailMessage's header machinery costs
    more than the rest of the relay's work on a message)."""
    body = text.replace("\r\n", "\n").replace("\n", "\r\n")
    head = (
        f"From: {sender}\r\nTo: {to}\r\nDate: {formatdate(localtime=True)}\r\n"
        f"Message-ID: {make_msgid('fairwatch')}\r\nAuto-Submitted: {auto}\r\n"
        f"Subject: {Header(subject, 'utf-8').encode()}\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    )
    encoded = base64.encodebytes(body.encode("utf-8")).replace(b"\n", b"\r\n")
    return head.encode("ascii") + encoded


def _from(setup: SchoolSetup) -> str:
    return setup.notices_from or f"fairwatch@{next(iter(setup.context.domains), 'invalid')}"


def _notice(setup: SchoolSetup, to: str, subject: str, decision: Decision, held: bool) -> bytes:
    """The short note to the sender: each finding with its clause and what to do instead."""
    intro = (
        "Your email has been held, not sent. You or the Headteacher can release or delete it "
        "in Fairwatch."
        if held
        else "Your email has been sent, but it may not follow the staff policy on email:"
    )
    parts = [intro, f"Subject: {subject or '(no subject)'}", ""]
    for f in decision.because[:10]:
        parts += [f"Clause {f.clause}: {f.message}", f"What to do instead: {f.fix}", ""]
    title = "Your email is held for a check" if held else "Please check the email you just sent"
    return _note(_from(setup), to, title, "\n".join(parts), "auto-generated")


def _bcc(message: Any, rcpt_tos: list[str]) -> Any:
    """Recipients in the envelope but not in To/Cc are blind copies: the checks should know."""
    seen = {a.addr for a in (*message.to, *message.cc)}
    extra = tuple(Address(r.lower()) for r in rcpt_tos if r.lower() not in seen)
    return replace(message, bcc=(*message.bcc, *extra)) if extra else message


class Handler:
    """The aiosmtpd hooks.

    A message that passes (or is warned about) goes straight on to upstream while the sender
    waits, and the sender hears 250 once upstream has said 250: it is then upstream's, and the
    relay keeps nothing. When upstream cannot take it (down, slow, a temporary refusal), the
    relay writes it to its queue, flushed, answers 250 and delivers it later. Either way a 250
    means the message is safe. Holding, rejecting and notes to the sender work as before."""

    def __init__(self, config: Config, deliverer: Deliverer) -> None:
        self.config = config
        self.deliverer = deliverer
        self.upstream = _Pool(config.upstream)
        self.executor = ThreadPoolExecutor(config.sessions, thread_name_prefix="relay-session")

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
        # Parsing and checking hold the GIL whatever thread does them: do them here, and hand
        # only what waits (the disk, upstream) to a thread. A big message would keep the
        # other senders waiting, so it is checked in a thread.
        started = time.perf_counter()
        loop = asyncio.get_running_loop()
        if len(data) <= INLINE_BYTES:
            verdict = self._judge(setup, envelope, data)
        else:
            verdict = await loop.run_in_executor(self.executor, self._judge, setup, envelope, data)
        if isinstance(verdict, str):
            return verdict
        try:
            return await loop.run_in_executor(
                self.executor, self._act, setup, envelope, session, (*verdict, started)
            )
        except SpoolError as exc:
            log.error("spool: %s", exc)
            return "451 4.3.0 The relay cannot queue mail just now; please try again later"

    @staticmethod
    def _judge(setup: SchoolSetup, env: SmtpEnvelope, data: bytes):
        """Parse and check: (message, findings, decision, data), or a reply refusing it."""
        try:
            message = _bcc(parse_bytes(data), list(env.rcpt_tos))
            findings = tuple(check_message(message, setup.context))
            return message, findings, decide(findings, setup.rules), data
        except MessageTooLarge:
            return "552 5.3.4 The message is too large"
        except Exception:  # a check must never lose a message: pass it, and say so
            log.exception("checking a message failed; passing it unchecked")
            return None, (), Decision(Action.PASS, ()), b"X-Fairwatch-Action: unchecked\r\n" + data

    def _act(self, setup: SchoolSetup, env: SmtpEnvelope, session: Session, verdict) -> str:
        """Pass the message on, warn, hold or reject it, as the checks decided."""
        message, findings, decision, data, started = verdict
        rcpts = list(env.rcpt_tos)
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
        ident = new_id()
        refused = self._pass_on(ident, base, data)
        if len(refused) == len(rcpts):
            code, why = next(iter(refused.values()))
            self._event("failed", id=ident, school=base.school, why=f"{code} {why!r}")
            return f"{code} 5.0.0 The school's mail server refused it: {smtp_text(why, 200)}"
        if refused:
            self._bounce(setup, base, refused)
        if action is Action.WARN:
            self._notify(setup, env.mail_from, subject, decision, held=False)
            self._event("warn", id=ident, **details)
        else:
            self._event("pass", id=ident, ms=round((time.perf_counter() - started) * 1000, 2))
        return f"250 2.0.0 Accepted as {ident}"

    def _pass_on(self, ident: str, env: Envelope, data: bytes) -> dict[str, tuple[int, str]]:
        """Hand the message to upstream now, or queue it (durably) for later: what comes back
        is the recipients upstream refused for good, with its reply (SpoolError if it could
        not be queued either)."""
        outcome = self.upstream.send(env.mail_from, list(env.rcpt_tos), data)
        later = list(env.rcpt_tos) if outcome is None else outcome.later
        if later:  # upstream is down, or put some recipients off: the queue has them
            self.config.spool.accept(replace(env, rcpt_tos=tuple(later)), data, ident=ident)
            self.deliverer.wake(ident)
        return {} if outcome is None else outcome.refused

    def _notify(self, setup: SchoolSetup, sender: str, subject: str, d: Decision, held: bool):
        note = _notice(setup, sender, subject, d, held)
        env = Envelope(mail_from="", rcpt_tos=(sender,), school=setup.context.slug, kind="notice")
        self._pass_on(new_id(), env, note)

    def _bounce(self, setup: SchoolSetup, env: Envelope, refused: dict[str, tuple[int, str]]):
        """Some recipients were refused for good after the sender had others accepted."""
        why = "; ".join(f"{r}: {code} {text}" for r, (code, text) in list(refused.items())[:5])
        self._event("failed", school=env.school, why=why)
        note = _note(
            _from(setup),
            env.mail_from,
            "Your email could not be delivered to everyone",
            "The school's mail server refused your email for: "
            + ", ".join(refused)
            + f"\nReason: {why}\n",
            "auto-replied",
        )
        notice = Envelope(mail_from="", rcpt_tos=(env.mail_from,), school=env.school, kind="notice")
        self._pass_on(new_id(), notice, note)

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
        self.last_used = 0.0  # time.monotonic()

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
        return self.send_bytes(item.envelope.mail_from, recipients, item.read())

    def send_bytes(
        self, sender: str, recipients: list[str], data: bytes
    ) -> dict[str, tuple[int, bytes]]:
        for attempt in (1, 2):
            reused = self.smtp is not None
            if self.smtp is None:
                self.smtp = self._open()
            try:
                refused = self.smtp.sendmail(sender, recipients, data)
                self.last_used = time.monotonic()
                return refused
            except smtplib.SMTPServerDisconnected:
                self.close()
                if attempt == 2:
                    raise
            except smtplib.SMTPSenderRefused as exc:
                # 421 to MAIL FROM on a connection kept open: upstream timed it out meanwhile
                self.close()
                if exc.smtp_code != 421 or not reused or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
            self.smtp = None


@dataclass
class Outcome:
    refused: dict[str, tuple[int, str]]  # recipients refused for good, with the reply
    later: list[str]  # recipients put off for now (a 4xx): to be queued


class _Pool:
    """Upstream connections for messages passed on while the sender waits, kept open between
    messages and shared by the session threads. After upstream fails to answer, messages go
    to the queue for a while without trying it, so senders are not kept waiting on it."""

    def __init__(self, upstream: Upstream) -> None:
        self.upstream = replace(upstream, timeout=min(upstream.timeout, DIRECT_TIMEOUT))
        self._idle: list[Connection] = []
        self._lock = threading.Lock()
        self._down_until = 0.0

    def send(self, sender: str, recipients: list[str], data: bytes) -> Outcome | None:
        """None when upstream did not take it (down, or refused it for now)."""
        now = time.monotonic()
        if now < self._down_until:
            return None
        with self._lock:
            stale = [c for c in self._idle if now - c.last_used > IDLE_FOR]
            self._idle = [c for c in self._idle if now - c.last_used <= IDLE_FOR]
            conn = self._idle.pop() if self._idle else Connection(self.upstream)
        for old in stale:
            old.close()
        try:
            refused = conn.send_bytes(sender, recipients, data)
        except smtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            conn.close()
            if 500 <= exc.smtp_code < 600:
                reply = exc.smtp_error.decode("utf-8", "replace")
                return Outcome({r: (exc.smtp_code, reply) for r in recipients}, [])
            return None
        except (TimeoutError, smtplib.SMTPException, OSError):
            conn.close()
            self._down_until = time.monotonic() + DOWN_FOR
            return None
        with self._lock:
            self._idle.append(conn)
        permanent = {
            r: (code, text.decode("utf-8", "replace"))
            for r, (code, text) in refused.items()
            if 500 <= code < 600
        }
        return Outcome(permanent, [r for r in refused if r not in permanent])

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


class Deliverer:
    """Delivers what is in the queue: mail upstream could not take while its sender waited,
    retries, notes, and held mail once released."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.spool = config.spool
        self._ready: asyncio.Queue[str] = asyncio.Queue()
        self._known: set[str] = set()  # queued or scheduled, not yet done
        self._tasks: list[asyncio.Task[None]] = []
        self.delivered = 0

    def wake(self, ident: str) -> None:
        """A message is in the queue now (called from any thread). In a process that only
        takes mail in, the delivering process finds it on its next look at the queue."""
        if self._tasks:
            self._loop.call_soon_threadsafe(self._add, ident, 0.0)

    def accept_only(self) -> None:
        self._loop = asyncio.get_running_loop()

    def _add(self, ident: str, delay: float) -> None:
        """Queue a message once: one the deliverer already has (queued, waiting to retry or
        being sent) is not queued again, or two workers could send it at the same time."""
        if ident in self._known:
            return
        self._known.add(ident)
        self._schedule(ident, delay)

    def _schedule(self, ident: str, delay: float) -> None:
        if delay <= 0:
            self._ready.put_nowait(ident)
        else:
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
        def new() -> list[tuple[str, float]]:
            fresh = [i for i in self.spool.ids(QUEUE) if i not in self._known]
            return [(i, self.spool.state(i).next_try) for i in fresh]

        now = time.time()
        for ident, next_try in await asyncio.to_thread(new):
            self._add(ident, max(0.0, next_try - now))

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
                    self._schedule(ident, retry)
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
        note = _note(
            _from(setup),
            item.envelope.mail_from,
            "Your email could not be delivered",
            "The school's mail server refused your email for: "
            + ", ".join(recipients)
            + f"\nReason: {why}\n",
            "auto-replied",
        )
        ident = self.spool.accept(
            Envelope(
                mail_from="",
                rcpt_tos=(item.envelope.mail_from,),
                kind="notice",
                school=item.envelope.school,
            ),
            note,
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
        return _SMTP(self.handler, **kwargs)

    async def start(
        self, host: str, port: int, *, deliver: bool = True, reuse_port: bool = False
    ) -> int:
        """Listen on host:port. `deliver` runs the deliverer here too (one process of a group
        does; the others only take mail in). `reuse_port` lets processes share the port."""
        for setup in self.config.schools.values():
            await asyncio.to_thread(prepare, setup.context)
        if deliver:
            await self.deliverer.start()
        else:
            self.deliverer.accept_only()
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(self._smtp, host, port, reuse_port=reuse_port)
        return self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
        await self.deliverer.stop()
        await asyncio.to_thread(self.handler.executor.shutdown)
        await asyncio.to_thread(self.handler.upstream.close)


def serve(config: Config, host: str, port: int, *, processes: int = 1, ready=None) -> None:
    """Run the relay until SIGINT or SIGTERM, in `processes` processes sharing the port: each
    takes mail in, checks it and passes it on (parsing and checking hold the GIL, so one
    process uses one core). What upstream cannot take at once goes to the one spool, where
    names never collide, and only the first process delivers from there, so nothing queued is
    sent twice. The others stop if the first is killed. `ready(port)` is called once
    listening."""
    import os
    import signal

    if port == 0 and processes > 1:  # the group must agree on a port: take a free one now
        with socket.socket() as probe:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
    children: list[int] = []
    for _ in range(processes - 1):
        pid = os.fork()
        if pid == 0:  # a child: take mail in until told to stop
            code = 0
            try:
                asyncio.run(_run(config, host, port, deliver=False, reuse=True, ready=None))
            except BaseException:
                log.exception("relay process failed")
                code = 1
            os._exit(code)
        children.append(pid)
    try:
        asyncio.run(_run(config, host, port, deliver=True, reuse=processes > 1, ready=ready))
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid in children:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


async def _run(config: Config, host: str, port: int, *, deliver: bool, reuse: bool, ready):
    import os
    import signal

    relay = Relay(config)
    bound = await relay.start(host, port, deliver=deliver, reuse_port=reuse)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    if ready is not None:
        ready(bound)
    chores = [asyncio.create_task(_reload_forever(config))] if config.reload else []
    if not deliver:  # the group's first process is gone (killed): stop too, rather than linger
        chores.append(asyncio.create_task(_stop_when_orphaned(os.getppid(), stopping)))
    await stopping.wait()
    for chore in chores:
        chore.cancel()
    await relay.stop()


async def _stop_when_orphaned(parent: int, stopping: asyncio.Event) -> None:
    import os

    while os.getppid() == parent:
        await asyncio.sleep(1.0)
    log.warning("the relay's first process has gone; this one stops")
    stopping.set()


async def _reload_forever(config: Config) -> None:
    """Rosters change and rules are edited in the web app: pick them up now and then."""
    assert config.reload is not None
    while True:
        await asyncio.sleep(config.reload_every)
        try:
            fresh = await asyncio.to_thread(config.reload)
            for setup in fresh.values():
                await asyncio.to_thread(prepare, setup.context)
            config.schools = fresh
        except Exception:  # keep relaying with what it has
            log.exception("could not reload the schools' rosters and rules")
