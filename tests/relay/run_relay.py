"""Run the relay as its own process for the kill test: `python -m tests.relay.run_relay SPOOL
PORT UPSTREAM_PORT`. Prints "ready" once it listens. No Django: the school is the test one."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from fairwatch.relay.server import Config, Relay, SchoolSetup, Upstream
from fairwatch.relay.spool import Spool
from tests.checks.oak import oak


async def main(spool: str, port: int, upstream: int) -> None:
    config = Config(
        schools={"oak": SchoolSetup(oak(), {}, "fairwatch@oak.sch.uk")},
        upstream=Upstream("127.0.0.1", upstream, timeout=5),
        spool=Spool(Path(spool)),
        first_backoff=0.2,
        max_backoff=0.5,
    )
    relay = Relay(config)
    await relay.start("127.0.0.1", port)
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
