"""Many rows into one table quickly: COPY on PostgreSQL, one prepared statement run over all
the rows on SQLite. The rows come as a Polars frame whose columns are the table's; times are
given as text in UTC (as `utc_text` makes them), which both databases read as they are.

This is below the ORM on purpose: an ingest stores hundreds of thousands of daily totals, and
building a model object for each costs more than reading the log did."""

from __future__ import annotations

import datetime as dt

import polars as pl
from django.db import connection


def utc_text(seconds: pl.Expr) -> pl.Expr:
    """Seconds since the epoch as the text both databases take for a UTC time."""
    text = pl.from_epoch(seconds, time_unit="s").dt.strftime("%Y-%m-%d %H:%M:%S")
    return text + "+00:00" if connection.vendor == "postgresql" else text


def utc_text_of(when: dt.datetime) -> str:
    """One aware time as `utc_text` writes times."""
    text = when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return text + "+00:00" if connection.vendor == "postgresql" else text


def insert(table: str, rows: pl.DataFrame, batch: int = 50_000) -> int:
    """Insert every row of `rows` into `table` (columns named as the frame's)."""
    if rows.height == 0:
        return 0
    columns = ", ".join(connection.ops.quote_name(c) for c in rows.columns)
    name = connection.ops.quote_name(table)
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows.iter_rows():
                copy.write_row(row)
        return rows.height
    marks = ", ".join("?" * len(rows.columns))
    raw = connection.connection  # the sqlite3 connection, inside Django's transaction
    sql = f"INSERT INTO {name} ({columns}) VALUES ({marks})"
    for start in range(0, rows.height, batch):
        raw.executemany(sql, rows.slice(start, batch).iter_rows())
    return rows.height
