"""The SMTP relay under load: messages/s, and the latency it adds over sending straight to the
school's smarthost, with its checks on (issue 5).

Three processes on loopback, so that none shares a GIL with another: a sink (aiosmtpd, playing
the smarthost, recording what arrives), the relay (bench/relay_runner.py: every check on, the
default rules, one acceptor process per core, a spool on disk) and this one, whose
--senders threads each keep one SMTP connection open and take the next message until --count
have gone. The same messages are sent twice in one run:

1. straight to the sink: the baseline;
2. to the relay, which checks each one and passes it on to the same sink while the sender
   waits, answering 250 once the sink has said 250 (held mail goes to its spool, flushed;
   mail the sink could not take would be queued there and delivered by --workers workers).

A message's latency is MAIL FROM to the reply to its DATA, on an open connection. Before each
phase --warmup other messages go untimed (a relay that has run a while has built the states of
its RE2 automata, which are built lazily). Then the benchmark waits until the sink has every
message the relay accepted, and the relay's notes to the senders it warned or held, and counts
the lost (accepted, never arrived) and the duplicated. It prints msgs/s and latency p50/p99
for both phases, the added latency (relay minus direct, percentile by percentile), the CPU
each process spent per message (the relay's acceptor processes counted in), how long after
the last 250 the sink had everything, when each message reached the sink against its 250
(negative: before it), lost and duplicates, and a line set against the targets: >= 300
msgs/s, p99 added <= 50 ms, nothing lost. A report, not a test: it exits 0 whatever the
figures.

The mail is a school's, written from a fixed seed for the school in bench/relay_school.py (210
pupils, 40 staff, about 290 parents): a few KB each, plain text or with Outlook's HTML
alternative, some with a signature logo; most clean, about 12% naming a pupil in the subject
(the relay warns), about 3% giving pupils' health needs to an outside webmail address (the
relay holds). When the real mail in ../shared/data/email/enron is there, some clean internal
messages forward real bodies from it (read in place, never copied); else all are templates.

The machine matters: the core count (client, relay and sink share them here) and the spool's
filesystem are printed. On a shared machine its speed drifts from run to run: the direct
phase's msgs/s is the yardstick of how fast it was during the run. Not measured: the audit
trail the real relay writes for warned and held mail (the runner has no database), and TLS. For
finding where the time goes: --profile (py-spy), and --relay-stub, whose figures are never the
relay's."""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import multiprocessing
import os
import re
import shutil
import signal
import smtplib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formataddr, formatdate
from pathlib import Path
from random import Random

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REAL_MAIL = ROOT.parent / "shared" / "data" / "email" / "enron"
sys.path.insert(0, str(HERE))

from relay_school import DOMAIN, PARTNERS, school_context  # noqa: E402

SEED = 20260512  # the mail written
TARGET_RATE, TARGET_P99_ADDED_MS = 300.0, 50.0
BENCH_ID = re.compile(rb"^X-Bench-Id: (\S+)", re.M)
WARNED = re.compile(rb"^X-Fairwatch-Action: warn", re.M)


# --- the mail ----------------------------------------------------------------------------------

SUPPLIERS = (
    ("Breckland Coaches", "bookings@brecklandcoaches.example"),
    ("Castle Museum Learning", "learning@castlemuseum.example"),
    ("Copier Care Ltd", "service@copiercare.example"),
    ("Sunshine School Photos", "orders@sunshinephotos.example"),
    ("Greenfields Catering", "accounts@greenfieldscatering.example"),
)
PARTNER_ADDRESSES = (
    ("Trust Finance", f"finance@{PARTNERS[0]}"),
    ("Trust Estates", f"estates@{PARTNERS[0]}"),
    ("HR Advice", f"advice@{PARTNERS[1]}"),
    ("Admissions", f"admissions@{PARTNERS[2]}"),
    ("CPD Bookings", f"training@{PARTNERS[2]}"),
)
WEBMAIL_OUTSIDE = (  # a venue or club using a personal account: held when pupils' health goes
    ("Whitlingham Adventure", "whitlingham.adventure@gmail.com"),
    ("Dave (swimming)", "swimcoach.dave@hotmail.co.uk"),
    ("Forest School Sue", "forestschool.sue@outlook.com"),
)
PLACES = ("the Castle Museum", "Whitlingham Broad", "the Sea Life Centre", "Holt Hall", "the zoo")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")

INTERNAL_SUBJECTS = (
    "Staff meeting moved to {day}",
    "PPA cover next week",
    "Year {year} trip to {place}: risk assessment",
    "Reading records",
    "Assessment week timetable",
    "Fire drill on {day}",
    "Sports day volunteers",
    "Photocopier on the first floor",
    "INSET day agenda",
    "Minutes from phase meeting",
    "Book look feedback",
    "Christmas performance rehearsals",
    "Re: Lunch duty rota",
    "Re: Maths resources order",
    "Library books to return",
)
PARENT_SUBJECTS = (
    "Parents' evening appointment",
    "Reading book",
    "After-school club place",
    "Trip payment reminder",
    "Homework this week",
    "Re: Swimming kit",
)
PARTNER_SUBJECTS = (
    "Budget return for the quarter",
    "Training booking: safeguarding refresher",
    "Admissions figures for September",
    "Estates: roof repair quote",
    "Re: Policy review timetable",
)
SUPPLIER_SUBJECTS = (
    "Coach booking for {day} {date} June",
    "Invoice {n}",
    "Service visit",
    "Class photo order",
    "Re: Menu for next term",
)
WARN_SUBJECTS = (  # a pupil named in a subject (clause 4.3): the relay warns
    "{name}: reading support",
    "Re: {name}",
    "Meeting about {name} on {day}",
    "Update on {name}",
    "{name} absence",
    "Year {year} trip: {name}",
)
PARAGRAPHS = (
    "Just a reminder that the staff meeting will now be in the hall rather than the staffroom, "
    "as we need the space for the new reading scheme boxes. Tea and biscuits will be there.",
    "Could you let me know by the end of the week whether you need any extra resources for "
    "next half term? I am putting the order together and would like to send it on Monday.",
    "The timetable for assessment week is attached to the staff noticeboard. Please check your "
    "slots, and tell the office if anything clashes with interventions or music lessons.",
    "Thank you to everyone who helped with the open morning. We had lots of positive comments "
    "from visiting families, particularly about the displays in the Key Stage 1 corridor.",
    "We are still looking for two adults to help with the walk to the church on Thursday "
    "afternoon. If you can spare the time, please add your name to the list in the office.",
    "The photocopier on the first floor is out of action again. The engineer is booked for "
    "tomorrow morning; until then please use the one in the office, and go easy on colour.",
    "I have updated the long-term plan for science so that the units follow the order we "
    "agreed at the last phase meeting. Have a look and let me know if I have missed anything.",
    "Fire drill will be at 10:40, just after break. Please make sure the registers are in the "
    "classroom and that anyone working in the library knows where to go.",
    "The coach has been confirmed for 9:00 departure, returning at about 3:15. Packed lunches "
    "will be provided by the kitchen for anyone who has ordered one through the usual form.",
    "Reading records will be checked on Friday. A quick tick and date is plenty; there is no "
    "need to write comments every time, but do note when a book has been changed.",
    "Next week's INSET day will start at 9:00 with a short briefing, then phonics training in "
    "the morning and time in classrooms in the afternoon. Lunch will be provided.",
    "The PTA have kindly offered to fund new playground equipment. If your class council has "
    "ideas about what they would like, please collect them and pass them on by half term.",
    "We have had a few reports of lost jumpers and water bottles. Please remind the children "
    "to put their names on everything, and send the lost property box round before Friday.",
    "Please remember that the hall is booked for the choir every Wednesday lunchtime from now "
    "until the concert, so wet play will be in classrooms on those days.",
    "I have attached the updated rota for lunch duty. I have tried to keep everyone's days "
    "the same as last term, but a couple of changes were needed because of the new clubs.",
    "The maths resources arrived this morning and are in the cupboard by the hall. There "
    "should be enough place value counters for every class now, so please do share them.",
)
PARENT_PARAGRAPHS = (
    "Thank you for your email. {child} has settled really well into the new class and has "
    "been working hard on {their} reading this week.",
    "{child}'s reading book has been changed today. We are focusing on reading with "
    "expression, so it would be lovely if you could hear {them} read a page or two at home.",
    "Just to let you know that {child} has a place in the after-school football club, which "
    "starts next Tuesday and finishes at 4:15. Please collect from the hall door.",
    "The trip payment is now open on the school app. If you have any difficulty paying, "
    "please speak to the office in confidence; nobody will miss the trip because of cost.",
    "This week's homework is a short reading comprehension and the spellings on the sheet. "
    "There is no need to print anything; the children have their own copies.",
    "Swimming starts again after half term, so please make sure {child} brings a towel, "
    "costume and a hat on Thursdays. Goggles are fine if they are named.",
)
OUTSIDE_PARAGRAPHS = (
    "Thank you for the quote. We would like to go ahead with the booking as discussed, for "
    "two classes and eight adults. Please confirm the times and the final cost when you can.",
    "Please find our figures for the quarter below. The totals match the ledger as at the "
    "end of last month; let me know if the trust needs them in a different format.",
    "We would like to book two places on the safeguarding refresher course in the spring. "
    "Could you let us know which dates still have space?",
    "The invoice has been passed to our finance team and should be paid within thirty days. "
    "If you need anything further, please reply to this email.",
    "The repair on the roof above the Year 2 classroom is now urgent after the recent rain. "
    "Could someone from estates come to look at it this week?",
)
HOLD_BODIES = (  # pupils' health needs to an outside personal address: held (clause 4.6)
    "Ahead of the visit on {day}, a note on medical needs for the group: {a} has asthma and "
    "needs an inhaler with them at all times, and {b} has epilepsy; the care plan is attached "
    "to the risk assessment. {c} has a severe nut allergy and carries an EpiPen.",
    "For the swimming sessions: {a} has type 1 diabetes and may need a snack before getting "
    "in. {b} has ADHD and takes medication at lunchtime, so may be a little unsettled in the "
    "afternoon session.",
)
HTML_HEAD = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    '<style><!-- p.MsoNormal {margin:0cm; font-size:11.0pt; font-family:"Calibri",sans-serif;} '
    "a:link {color:#0563C1; text-decoration:underline;} --></style></head>"
    '<body lang="EN-GB" link="#0563C1" vlink="#954F72"><div class="WordSection1">'
)


@dataclass(frozen=True)
class Mail:
    kind: str  # what it was written to be: clean, warn or hold
    sender: str
    rcpts: tuple[str, ...]
    data: bytes  # without the X-Bench-Id line

    def with_id(self, ident: str) -> bytes:
        return b"X-Bench-Id: " + ident.encode() + b"\r\n" + self.data


def real_bodies(limit: int = 400) -> list[str]:
    """Bodies of 300-3,500 characters from the real mail beside the checkout (none if absent)."""
    if not REAL_MAIL.is_dir():
        return []
    from fairwatch.checks.parse import read_file

    bodies: list[str] = []
    for path in sorted(REAL_MAIL.glob("*.mbox.gz")):
        try:
            for _, message in read_file(path):
                if 300 <= len(message.body) <= 3500:
                    bodies.append(message.body.strip())
                    if len(bodies) >= limit:
                        return bodies
        except Exception:  # an unreadable file: use what there is
            continue
    return bodies


class MailWriter:
    """School mail from a fixed seed: who writes to whom about what, as Outlook would send it."""

    def __init__(self, seed: int, bodies: list[str]) -> None:
        self.rng = Random(seed)
        self.bodies = bodies
        ctx = school_context()
        self.by_id = ctx.by_id
        self.staff = [p for p in ctx.people if p.kind == "staff" and p.email.endswith(DOMAIN)]
        self.pupils = [p for p in ctx.people if p.kind == "pupil"]
        self.parents = [
            (p, [self.by_id[c] for c in sorted(ctx.links.get(p.id, ()))])
            for p in ctx.people
            if p.kind == "contact" and p.email and ctx.links.get(p.id)
        ]
        self.when = 1_780_000_000  # a fixed start for the Date headers

    @staticmethod
    def _name(p) -> str:
        return f"{p.preferred_forename or p.forename} {p.preferred_surname or p.surname}"

    def _pupil_name(self) -> str:
        p = self.rng.choice(self.pupils)
        forename, surname = self.rng.choice(p.names)
        return f"{forename} {surname}"

    def _fill(self, text: str, **names: str) -> str:
        r = self.rng
        return text.format(
            day=r.choice(DAYS),
            year=r.randint(1, 6),
            place=r.choice(PLACES),
            date=r.randint(2, 27),
            n=r.randint(1000, 9999),
            **names,
        )

    def _signature(self, sender) -> str:
        return (
            f"\n\nKind regards,\n\n{self._name(sender)}\n"
            "Oakfield Primary School\nPart of Broadland Learning Trust\n\n"
            "This email and any attachments are confidential and intended for the addressee "
            "only. If you have received it in error, please tell the sender and delete it."
        )

    def write(self) -> Mail:
        r = self.rng
        roll = r.random()
        kind = "hold" if roll < 0.03 else "warn" if roll < 0.15 else "clean"
        sender = r.choice(self.staff)
        to: list[tuple[str, str]] = []
        cc: list[tuple[str, str]] = []
        quoted = ""
        if kind == "hold":
            to = [r.choice(WEBMAIL_OUTSIDE)]
            a, b, c = (self._pupil_name() for _ in range(3))
            subject = "Medical needs for the group"
            body = "Hi,\n\n" + self._fill(r.choice(HOLD_BODIES), a=a, b=b, c=c)
        elif kind == "warn":
            colleagues = r.sample([s for s in self.staff if s is not sender], r.randint(1, 3))
            to = [(self._name(s), s.email) for s in colleagues]
            subject = self._fill(r.choice(WARN_SUBJECTS), name=self._pupil_name())
            body = "Hi,\n\n" + "\n\n".join(r.sample(PARAGRAPHS, r.randint(1, 3)))
        else:
            audience = r.random()
            if audience < 0.5:
                colleagues = r.sample([s for s in self.staff if s is not sender], r.randint(1, 4))
                to = [(self._name(s), s.email) for s in colleagues]
                if r.random() < 0.25:
                    head = self.staff[0]
                    if head is not sender and head not in colleagues:
                        cc = [(self._name(head), head.email)]
                if self.bodies and r.random() < 0.4:
                    subject = "FW: " + self._fill(r.choice(INTERNAL_SUBJECTS))
                    body = (
                        "Forwarding this in case it is useful.\n\n"
                        "---------- Forwarded message ----------\n" + r.choice(self.bodies)
                    )
                else:
                    subject = self._fill(r.choice(INTERNAL_SUBJECTS))
                    body = "Hi all,\n\n" + "\n\n".join(r.sample(PARAGRAPHS, r.randint(2, 6)))
            elif audience < 0.75:
                parent, children = r.choice(self.parents)
                child = r.choice(children)
                to = [(f"{parent.forename} {parent.surname}", parent.email)]
                subject = r.choice(PARENT_SUBJECTS)
                name = child.preferred_forename or child.forename
                paras = [
                    t.format(child=name, their="their", them="them")
                    for t in r.sample(PARENT_PARAGRAPHS, r.randint(1, 3))
                ]
                body = f"Dear {parent.forename},\n\n" + "\n\n".join(paras)
            elif audience < 0.87:
                to = [r.choice(PARTNER_ADDRESSES)]
                subject = self._fill(r.choice(PARTNER_SUBJECTS))
                body = "Hello,\n\n" + "\n\n".join(r.sample(OUTSIDE_PARAGRAPHS, r.randint(1, 3)))
            else:
                to = [r.choice(SUPPLIERS)]
                subject = self._fill(r.choice(SUPPLIER_SUBJECTS))
                body = "Hello,\n\n" + "\n\n".join(r.sample(OUTSIDE_PARAGRAPHS, r.randint(1, 3)))
            if subject.startswith("Re: ") and r.random() < 0.7:  # a reply quotes the thread
                earlier = "\n\n".join(r.sample(PARAGRAPHS, r.randint(2, 4)))
                quoted = f"\n\nOn {r.choice(DAYS)}, {to[0][0]} wrote:\n" + "\n".join(
                    "> " + line for line in earlier.splitlines()
                )
        text = body + self._signature(sender) + quoted
        self.when += r.randint(5, 600)
        msg = EmailMessage()
        msg["From"] = formataddr((self._name(sender), sender.email))
        msg["To"] = ", ".join(formataddr(a) for a in to)
        if cc:
            msg["Cc"] = ", ".join(formataddr(a) for a in cc)
        msg["Subject"] = subject
        msg["Date"] = formatdate(self.when)
        msg["Message-ID"] = f"<{r.getrandbits(80):x}@{DOMAIN}>"
        msg.set_content(text)
        if r.random() < 0.5:  # Outlook's HTML alternative
            paras = "".join(
                f'<p class="MsoNormal">{p.replace(chr(10), "<br>")}</p>' for p in text.split("\n\n")
            )
            msg.add_alternative(HTML_HEAD + paras + "</div></body></html>", subtype="html")
        if r.random() < 0.15:  # the school's logo in the signature
            msg.add_attachment(
                r.randbytes(r.randint(3000, 9000)),
                maintype="image",
                subtype="png",
                filename="image001.png",
                disposition="inline",
            )
        rcpts = tuple(a for _, a in to + cc)
        return Mail(kind, sender.email, rcpts, msg.as_bytes(policy=SMTP_POLICY))


# --- the sink (its own process) ----------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _SinkHandler:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrivals: dict[str, list[float]] = {}  # bench id -> when it arrived (monotonic)
        self.warned: set[str] = set()
        self.notices = 0  # the relay's notes to senders (no bench id)

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or b""
        end = data.find(b"\r\n\r\n")
        head = data[: end if end >= 0 else len(data)]
        found = BENCH_ID.search(head)
        now = time.monotonic()
        with self.lock:
            if found is None:
                self.notices += 1
            else:
                ident = found.group(1).decode()
                self.arrivals.setdefault(ident, []).append(now)
                if WARNED.search(head):
                    self.warned.add(ident)
        return "250 2.0.0 OK"


def sink_main(conn) -> None:
    """Run the sink until told to stop; answer questions about what arrived over `conn`."""
    from aiosmtpd.controller import Controller

    handler = _SinkHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    conn.send(port)
    while True:
        what, prefix = conn.recv()
        if what == "stop":
            break
        with handler.lock:
            ids = [i for i in handler.arrivals if i.startswith(prefix)]
            warned = sum(1 for i in handler.warned if i.startswith(prefix))
            if what == "count":
                conn.send((len(ids), warned, handler.notices))
            else:  # "report"
                conn.send(({i: handler.arrivals[i] for i in ids}, warned, handler.notices))
    controller.stop()


class SinkProcess:
    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=sink_main, args=(child,), daemon=True)
        self.process.start()
        self.port: int = self.conn.recv()

    def count(self, prefix: str) -> tuple[int, int, int]:
        self.conn.send(("count", prefix))
        return self.conn.recv()

    def report(self, prefix: str) -> tuple[dict[str, list[float]], int, int]:
        self.conn.send(("report", prefix))
        return self.conn.recv()

    def stop(self) -> None:
        self.conn.send(("stop", ""))
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.terminate()


# --- the relay (its own process) -----------------------------------------------------------


class RelayProcess:
    def __init__(self, spool: Path, upstream: int, workers: int, log: Path, args) -> None:
        self.log = log
        self.stderr = log.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(HERE / "relay_runner.py"),
                "--spool",
                str(spool),
                "--upstream-port",
                str(upstream),
                "--workers",
                str(workers),
                "--stub",
                args.relay_stub,
                "--processes",
                str(args.processes),
            ],
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        line = self.process.stdout.readline().split()
        if len(line) != 2 or line[0] != "ready":
            self.process.wait(timeout=10)
            sys.exit(f"the relay did not start:\n{log.read_text()[-3000:]}")
        self.port = int(line[1])

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.stderr.close()


# --- sending -------------------------------------------------------------------------------------


@dataclass
class Phase:
    wall: float = 0.0  # seconds from the first MAIL FROM to the last reply
    latency_ms: list[float] = field(default_factory=list)  # of messages answered 2xx
    replied_at: dict[str, float] = field(default_factory=dict)  # id -> monotonic, when 250
    accepted_ids: set[str] = field(default_factory=set)  # answered 250 "Accepted'
    held: list[str] = field(default_factory=list)  # spool ids of those held
    refused: Counter = field(default_factory=Counter)  # reply code -> count (-1: an error)

    @property
    def accepted(self) -> int:
        return len(self.latency_ms)

    @property
    def rate(self) -> float:
        return self.accepted / self.wall if self.wall else 0.0


def connect(port: int) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", port, timeout=60)
    client.ehlo("bench.example")
    return client


def send_one(client: smtplib.SMTP, mail: Mail, data: bytes) -> tuple[int, bytes]:
    code, reply = client.mail(mail.sender)
    if code != 250:
        client.rset()
        return code, reply
    for rcpt in mail.rcpts:
        code, reply = client.rcpt(rcpt)
        if code not in (250, 251):
            client.rset()
            return code, reply
    return client.data(data)


def send_all(port: int, batch: list[tuple[str, Mail]], senders: int) -> Phase:
    """`senders` threads, one open connection each, sending `batch` between them."""
    n = len(batch)
    latency: list[float | None] = [None] * n
    replies: list[tuple[int, bytes, float]] = [(0, b"", 0.0)] * n
    taken = itertools.count()  # next() on it is atomic under the GIL
    start_line = threading.Barrier(senders + 1)

    def sender() -> None:
        client = None
        try:
            client = connect(port)
        finally:
            start_line.wait()
        while (i := next(taken)) < n:
            ident, mail = batch[i]
            data = mail.with_id(ident)
            began = time.perf_counter()
            try:
                code, reply = send_one(client, mail, data)
            except (smtplib.SMTPException, OSError) as exc:
                code, reply = -1, str(exc).encode()
                client.close()
                client = connect(port)
            ended = time.perf_counter()
            replies[i] = (code, reply, time.monotonic())
            if 200 <= code < 300:
                latency[i] = (ended - began) * 1000
        client.quit()

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for t in threads:
        t.start()
    start_line.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    phase = Phase(wall=time.perf_counter() - began)
    phase.latency_ms = [x for x in latency if x is not None]
    for (ident, _), (code, reply, at) in zip(batch, replies, strict=True):
        if code == 250 and b"Held for a check" in reply:
            phase.held.append(reply.rsplit(b"(id ", 1)[-1].rstrip(b")").decode())
        elif code == 250:
            phase.accepted_ids.add(ident)
            phase.replied_at[ident] = at
        else:
            phase.refused[code] += 1
    return phase


def wait_for_sink(sink: SinkProcess, prefix: str, phase: Phase, notices: int, timeout: float):
    """Seconds until the sink has every accepted message of the phase and the relay's notices
    about those it warned of or held (None if that did not happen within `timeout`), and the
    sink's notice count."""
    began = time.perf_counter()
    while True:
        arrived, warned, seen = sink.count(prefix)
        if arrived >= len(phase.accepted_ids) and seen >= notices + warned + len(phase.held):
            return time.perf_counter() - began, seen
        if time.perf_counter() - began > timeout:
            return None, seen
        time.sleep(0.01)


# --- figures -------------------------------------------------------------------------------------


def pct(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def cpu_seconds(pid: int) -> tuple[float, float]:
    """User and system CPU seconds a process and the processes it started (the relay's
    acceptors) have used so far, all their threads (Linux)."""
    if pid == os.getpid():
        t = os.times()
        return t.user, t.system
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return float("nan"), float("nan")
    tick = os.sysconf("SC_CLK_TCK")
    user, system = int(fields[11]) / tick, int(fields[12]) / tick
    for child in children(pid):
        more = cpu_seconds(child)
        user, system = user + more[0], system + more[1]
    return user, system


def children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def cpu_per_message(pids: dict[str, int], before: dict, messages: int) -> dict:
    """ms of CPU per message for each process since `before`: {name: (user, system)}."""
    out = {}
    for name, pid in pids.items():
        user, system = cpu_seconds(pid)
        out[name] = (
            (user - before[name][0]) * 1000 / messages,
            (system - before[name][1]) * 1000 / messages,
        )
    return out


def machine(spool: Path) -> dict:
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    fs = "unknown"
    try:
        out = subprocess.run(
            ["df", "--output=source,fstype,target", str(spool)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()[-1]
        fs = " ".join(out.split())
    except (OSError, subprocess.CalledProcessError, IndexError):
        with contextlib.suppress(OSError):
            fs = subprocess.run(
                ["stat", "-f", "-c", "%T", str(spool)], capture_output=True, text=True
            ).stdout.strip()
    return {"cores": cores, "usable_cores": usable, "spool": str(spool), "spool_fs": fs}


def profile_summary(path: Path, top: int = 15) -> dict:
    """Self and inclusive shares per function from py-spy's collapsed stacks."""
    own: Counter = Counter()
    total: Counter = Counter()
    samples = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        samples += n
        frames = [re.sub(r":\d+\)$", ")", f) for f in stack.split(";")]
        own[frames[-1]] += n
        for f in set(frames):
            total[f] += n
    share = samples or 1
    return {
        "samples": samples,
        "self": [(f, n / share) for f, n in own.most_common(top)],
        "inclusive": [(f, n / share) for f, n in total.most_common(top)],
    }


# --- the run -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--senders", type=int, default=8, help="concurrent senders (8)")
    parser.add_argument("--count", type=int, default=3000, help="messages per phase (3000)")
    parser.add_argument("--workers", type=int, default=4, help="relay delivery workers (4)")
    parser.add_argument(
        "--processes", type=int, default=0, help="relay processes taking mail in (0: one per core)"
    )
    parser.add_argument("--warmup", type=int, default=200, help="untimed messages first (200)")
    parser.add_argument("--seed", type=int, default=SEED, help="for the mail written")
    parser.add_argument(
        "--spool-parent",
        type=Path,
        default=ROOT / "var",
        help="where the throwaway spool goes (default: var/, as the real relay's spool)",
    )
    parser.add_argument("--drain-timeout", type=float, default=60.0, help="seconds (60)")
    parser.add_argument("--no-real-mail", action="store_true", help="templates only")
    parser.add_argument(
        "--relay-stub",
        choices=("none", "checks", "parse"),
        default="none",
        help="diagnosis only: run the relay without its checks, or without parsing either "
        "(see bench/relay_runner.py)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="sample the relay with py-spy while it holds the GIL, during the timed phase "
        "(collapsed stacks to FILE; needs py-spy)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    args = parser.parse_args()
    say = (lambda *a, **k: None) if args.json else print

    bodies = [] if args.no_real_mail else real_bodies()
    writer = MailWriter(args.seed, bodies)
    warm = [writer.write() for _ in range(args.warmup)]
    mails = [writer.write() for _ in range(args.count)]
    kinds = Counter(m.kind for m in mails)
    sizes = sorted(len(m.data) for m in mails)

    args.spool_parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-relay-", dir=args.spool_parent))
    spool = work / "spool"
    info = machine(work)
    say(
        f"machine: {info['cores']} cores ({info['usable_cores']} usable); spool on "
        f"{info['spool_fs']}"
    )
    say(
        f"mail: {len(mails)} messages, {sizes[len(sizes) // 2] / 1024:.1f} KB median, "
        f"{sizes[-1] / 1024:.1f} KB largest; written as {kinds['clean']} clean, "
        f"{kinds['warn']} pupil-in-subject, {kinds['hold']} health-data-outside; "
        + (f"{len(bodies)} real bodies to forward" if bodies else "templates only")
    )
    say(
        f"senders {args.senders}, one connection each; relay delivery workers {args.workers}; "
        f"{args.warmup} warm-up messages before each phase"
    )

    sink = SinkProcess()
    relay = None
    relay_errors: list[str] = []
    spy = None
    try:
        relay = RelayProcess(spool, sink.port, args.workers, work / "relay.log", args)
        pids = {"client": os.getpid(), "sink": sink.process.pid, "relay": relay.process.pid}

        # 1. straight to the sink
        send_all(sink.port, [(f"a{i}", m) for i, m in enumerate(warm)], args.senders)
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        direct = send_all(sink.port, [(f"d{i}", m) for i, m in enumerate(mails)], args.senders)
        drained_direct, notices = wait_for_sink(sink, "d", direct, 0, args.drain_timeout)
        direct_cpu = cpu_per_message(pids, before, len(mails))

        # 2. through the relay
        warm_phase = send_all(relay.port, [(f"w{i}", m) for i, m in enumerate(warm)], args.senders)
        _, notices = wait_for_sink(sink, "w", warm_phase, notices, args.drain_timeout)
        if args.profile:
            py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
            spy = subprocess.Popen(
                [py_spy, "record", "--pid", str(relay.process.pid), "--format", "raw", "--gil"]
                + ["--rate", "200", "--output", str(args.profile), "--nonblocking"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(1.0)  # py-spy attaches
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        through = send_all(relay.port, [(f"r{i}", m) for i, m in enumerate(mails)], args.senders)
        drained, _ = wait_for_sink(sink, "r", through, notices, args.drain_timeout)
        relay_cpu = cpu_per_message(pids, before, len(mails))
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=30)
        arrivals, warned, _ = sink.report("r")
        held_on_disk = sum((spool / "held" / f"{i}.eml").exists() for i in through.held)
        left_in_queue = sum(1 for _ in (spool / "queue").glob("*.eml"))
    finally:
        if relay is not None:
            relay.stop()
            relay_errors = [
                line for line in relay.log.read_text().splitlines() if line.startswith("relay: ")
            ]
        sink.stop()
        shutil.rmtree(work, ignore_errors=True)

    lost = sorted(through.accepted_ids - arrivals.keys())
    duplicates = sum(len(t) - 1 for t in arrivals.values())
    unasked = len(arrivals.keys() - through.accepted_ids)  # arrived without a 250
    lag = [
        (min(arrivals[i]) - through.replied_at[i]) * 1000
        for i in through.accepted_ids
        if i in arrivals
    ]
    d50, d99 = pct(direct.latency_ms, 50), pct(direct.latency_ms, 99)
    r50, r99 = pct(through.latency_ms, 50), pct(through.latency_ms, 99)
    end_to_end = through.accepted / (through.wall + drained) if drained is not None else None
    result = {
        "machine": info,
        "senders": args.senders,
        "count": args.count,
        "workers": args.workers,
        "relay_stub": args.relay_stub,
        "mail": {"clean": kinds["clean"], "warn": kinds["warn"], "hold": kinds["hold"]},
        "direct": {
            "msgs_per_s": direct.rate,
            "p50_ms": d50,
            "p99_ms": d99,
            "accepted": direct.accepted,
            "refused": dict(direct.refused),
            "all_arrived": drained_direct is not None,
            "cpu_ms_per_msg": direct_cpu,
        },
        "relay": {
            "msgs_per_s": through.rate,
            "p50_ms": r50,
            "p99_ms": r99,
            "accepted": through.accepted,
            "passed_on": len(through.accepted_ids),
            "warned": warned,
            "held": len(through.held),
            "held_on_disk": held_on_disk,
            "refused": dict(through.refused),
            "all_at_sink_s": drained,
            "end_to_end_msgs_per_s": end_to_end,
            "delivery_lag_p50_ms": pct(lag, 50),
            "delivery_lag_p99_ms": pct(lag, 99),
            "left_in_queue": left_in_queue,
            "cpu_ms_per_msg": relay_cpu,
        },
        "added_p50_ms": r50 - d50,
        "added_p99_ms": r99 - d99,
        "lost": len(lost),
        "lost_ids": lost[:20],
        "duplicates": duplicates,
        "arrived_without_250": unasked,
        "relay_log": relay_errors[:20],
    }
    result["targets_met"] = {
        "rate": through.rate >= TARGET_RATE,
        "p99_added": result["added_p99_ms"] <= TARGET_P99_ADDED_MS,
        "none_lost": not lost and drained is not None,
    }
    if args.profile and args.profile.exists():
        result["profile"] = profile_summary(args.profile)

    if args.json:
        print(json.dumps(result, indent=2))
        return
    r = result["relay"]
    if args.relay_stub != "none":
        print(f"DIAGNOSIS ONLY: the relay ran with --stub {args.relay_stub}")
    print(f"direct to the sink: {direct.rate:7.0f} msgs/s   p50 {d50:6.1f} ms   p99 {d99:6.1f} ms")
    print(
        f"through the relay:  {through.rate:7.0f} msgs/s   p50 {r50:6.1f} ms   p99 {r99:6.1f} ms"
        f"   ({len(through.accepted_ids)} passed on, {warned} of them warned; "
        f"{len(through.held)} held, {held_on_disk} found in held/; "
        f"{sum(through.refused.values())} refused)"
    )
    print(f"added latency: p50 {r50 - d50:+.1f} ms, p99 {r99 - d99:+.1f} ms")
    print(
        "CPU per message, ms user+system: direct: "
        + ", ".join(f"{k} {u:.2f}+{s:.2f}" for k, (u, s) in direct_cpu.items() if k != "relay")
        + "; through the relay (until drained): "
        + ", ".join(f"{k} {u:.2f}+{s:.2f}" for k, (u, s) in relay_cpu.items())
    )
    if drained is None:
        print(f"NOT all at the sink within {args.drain_timeout:.0f} s of the last 250")
    else:
        print(
            f"all at the sink {drained:.2f} s after the last 250; end to end "
            f"{end_to_end:.0f} msgs/s; arrival at the sink against its 250: p50 "
            f"{r['delivery_lag_p50_ms']:.0f} ms, p99 {r['delivery_lag_p99_ms']:.0f} ms"
        )
    print(
        f"lost: {len(lost)}   duplicates: {duplicates}   arrived without a 250: {unasked}"
        f"   left in the queue: {left_in_queue}"
    )
    if relay_errors:
        print(f"the relay logged {len(relay_errors)} warnings or errors, first: {relay_errors[0]}")
    met = result["targets_met"]
    print(
        f"targets: >= {TARGET_RATE:.0f} msgs/s {'met' if met['rate'] else 'MISSED'} "
        f"({through.rate:.0f}); p99 added <= {TARGET_P99_ADDED_MS:.0f} ms "
        f"{'met' if met['p99_added'] else 'MISSED'} ({r99 - d99:.1f}); zero lost "
        f"{'met' if met['none_lost'] else 'MISSED'} ({len(lost)})"
    )
    if "profile" in result:
        prof = result["profile"]
        print(f"\nrelay profile ({prof['samples']} samples holding the GIL), by own time:")
        for frame, share in prof["self"]:
            print(f"  {share:6.1%}  {frame}")
        print("including callees:")
        for frame, share in prof["inclusive"]:
            print(f"  {share:6.1%}  {frame}")


if __name__ == "__main__":
    main()
