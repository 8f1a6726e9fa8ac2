"""Run the relay as its own process for the kill test: `python -m tests.relay.run_relay SPOOL
PORT UPSTREAM_PORT [PROCESSES]`. Prints "ready" once it listens. No Django: the school is the
test one."""

from __future__ import annotations

import sys
from pathlib import Path

from fairwatch.relay.server import Config, SchoolSetup, Upstream, serve
from fairwatch.relay.spool import Spool
from tests.checks.oak import oak


def main(spool: str, port: int, upstream: int, processes: int) -> None:
    config = Config(
        schools={"oak": SchoolSetup(oak(), {}, "fairwatch@oak.sch.uk")},
        upstream=Upstream("127.0.0.1", upstream, timeout=5),
        spool=Spool(Path(spool)),
        first_backoff=0.2,
        max_backoff=0.5,
    )
    serve(
        config, "127.0.0.1", port, processes=processes, ready=lambda _: print("ready", flush=True)
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int((sys.argv[4:] or ["1"])[0]))
