"""What every log format is parsed into: one row per request or query, the same columns
whatever the source, so categorising, pseudonymising and adding up are written once."""

from __future__ import annotations

import polars as pl

# One row per request (proxy) or query (DNS). Columns not in a format are null.
SCHEMA: dict[str, pl.DataType] = {
    "line": pl.UInt64(),  # 1-based line number in the file (for the quarantine, never stored)
    "ts": pl.Int64(),  # when, in seconds since the epoch, UTC
    "client": pl.Utf8(),  # the client's IP address as logged, or null
    "user": pl.Utf8(),  # the user name or email address as logged; null when "-" or absent
    "host": pl.Utf8(),  # lower case, no port, no trailing dot; an IP literal is kept as it is
    "path": pl.Utf8(),  # path and query of a plain-HTTP request (UT1 `urls` lists), else null
    "blocked": pl.Boolean(),  # the proxy or DNS filter refused it
    "bytes": pl.Int64(),  # bytes sent to the client, or null
    "kind": pl.Utf8(),  # "web" (a proxy) or "dns" (a resolver)
}

# The lines a parser could not read: kept (the first ones) in the quarantine file.
BAD_SCHEMA: dict[str, pl.DataType] = {
    "line": pl.UInt64(),
    "text": pl.Utf8(),
    "reason": pl.Utf8(),  # in plain words: "not a Squid native line", "bad time", ...
}


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)


def empty_bad() -> pl.DataFrame:
    return pl.DataFrame(schema=BAD_SCHEMA)
