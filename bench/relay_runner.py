"""Run the relay as its own process for bench/bench_relay.py:

    python bench/relay_runner.py --spool DIR --upstream-port PORT [--port 0] [--workers 4]

It checks mail for the benchmark's school (bench/relay_school.py: about 200 pupils, 40 staff,
280 parents) with every check on and the default rules, and passes it on to the sink on
127.0.0.1:PORT (queueing in DIR what the sink cannot take). Prints "ready PORT" once it
listens; stops cleanly on SIGTERM or SIGINT. No Django, so no audit trail: `on_event` is left
unset, which is the one cost of the real relay this leaves out.

For finding where the time goes, `--stub checks` makes every check find nothing (the message
is still parsed), and `--stub parse` skips parsing as well: what is left is the relay's own
work (SMTP in and out, spool). Never for the figures the benchmark reports as the relay's.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from relay_school import NOTICES_FROM, school_context  # noqa: E402

from fairwatch.checks.message import Message  # noqa: E402
from fairwatch.relay import server  # noqa: E402
from fairwatch.relay.server import Config, SchoolSetup, Upstream, serve  # noqa: E402
from fairwatch.relay.spool import Spool  # noqa: E402


def stub(what: str) -> None:
    """Take the checks (and with "parse", the parsing) out of the relay, for diagnosis."""
    if what in ("checks", "parse"):
        server.check_message = lambda message, context: ()
    if what == "parse":
        server.parse_bytes = lambda data: Message(sender=None)


def config_for(args: argparse.Namespace) -> Config:
    context = school_context()
    return Config(
        schools={context.slug: SchoolSetup(context, {}, NOTICES_FROM)},
        upstream=Upstream("127.0.0.1", args.upstream_port, timeout=30),
        spool=Spool(Path(args.spool)),
        workers=args.workers,
        first_backoff=0.2,
        max_backoff=1.0,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spool", required=True, help="the spool folder")
    parser.add_argument("--upstream-port", type=int, required=True, help="the sink's port")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: any free)")
    parser.add_argument("--workers", type=int, default=4, help="delivery workers")
    parser.add_argument(
        "--stub",
        choices=("none", "checks", "parse"),
        default="none",
        help="diagnosis only: leave out the checks, or parsing and the checks",
    )
    parser.add_argument(
        "--processes", type=int, default=0, help="processes taking mail in (0: one per core)"
    )
    logging.basicConfig(level=logging.WARNING, format="relay: %(levelname)s %(message)s")
    args = parser.parse_args()
    stub(args.stub)
    serve(
        config_for(args),
        "127.0.0.1",
        args.port,
        processes=args.processes or os.cpu_count() or 1,
        ready=lambda port: print(f"ready {port}", flush=True),
    )
