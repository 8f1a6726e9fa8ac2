"""The ingest engine on its own (no Django): the same totals whatever the chunk size, lines
numbered across chunks, progress adding up, a grown file read from where it stopped."""

from __future__ import annotations

import hashlib
import random

import polars as pl
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fairwatch.weblogs.ingest import Resume, ingest, mask, merge, site_of

T0 = 1795651200  # 2026-11-26 00:00:00 UTC


def lines(n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        host = rng.choice(["www.news.example", "a.cdn.example.org", "games.example", "bbc.co.uk"])
        user = rng.choice(["alice", "bob", "-"])
        t = T0 + i * 37
        out.append(
            f"{t}.001 {rng.randint(1, 9999):6d} 10.0.0.{rng.randint(1, 9)} TCP_TUNNEL/200 "
            f"{rng.randint(0, 5000)} CONNECT {host}:443 {user} HIER_DIRECT/1.2.3.4 -\n"
        )
    return out


class Categorise:
    def hosts(self, hosts):
        return ["games" if h.endswith("games.example") else "" for h in hosts], [False] * len(hosts)

    def urls(self, hosts, paths):
        return [""] * len(hosts)


def identify(users, clients):
    return [f"p_{u or c}" for u, c in zip(users, clients, strict=True)]


def run(paths, **kw):
    return ingest(paths, categorise=Categorise(), identify=identify, **kw)


def canonical(df: pl.DataFrame) -> list[tuple]:
    return sorted(df.rows())


@settings(max_examples=12, deadline=None)
@given(n=st.integers(1, 400), chunk=st.integers(200, 5000), bad_at=st.sets(st.integers(0, 399)))
def test_the_totals_do_not_depend_on_the_chunk_size(tmp_path_factory, n, chunk, bad_at):
    text = lines(n)
    for i in sorted(bad_at):
        if i < n:
            text[i] = "garbage line\n"
    path = tmp_path_factory.mktemp("log") / "access.log"
    path.write_text("".join(text))
    small = run([path], chunk_bytes=chunk, fmt="squid")  # mostly garbage may not be recognised
    whole = run([path], fmt="squid")
    assert canonical(small.totals) == canonical(whole.totals)
    bad = {i + 1 for i in bad_at if i < n}
    assert small.bad == whole.bad == len(bad)
    assert {n for n, _, _ in small.files[0].bad_examples} == bad  # numbered across chunks


def test_progress_adds_up_to_the_file(tmp_path):
    path = tmp_path / "access.log"
    path.write_text("".join(lines(300)))
    seen = [0, 0]

    def progress(n, b):
        seen[0] += n
        seen[1] += b

    result = run([path], chunk_bytes=1000, progress=progress)
    assert seen == [300, path.stat().st_size] and result.lines == 300
    assert result.files[0].sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_grown_file_is_read_from_where_the_last_ingest_stopped(tmp_path):
    path = tmp_path / "access.log"
    path.write_text("".join(lines(50)))
    first = run([path]).files[0]
    with path.open("a") as f:
        f.write("".join(lines(10, seed=2)))
        f.write("oops\n")
    earlier = Resume(first.size, first.sha256, first.lines)
    second = run([path], resume=lambda p, head: earlier if head == first.head_sha256 else None)
    assert second.lines == 11 and second.files[0].already == first.size
    assert second.files[0].bad_examples[0][0] == 61  # numbering goes on from the first part
    # A file that was changed, not grown, is read whole again.
    path.write_text("".join(lines(50, seed=3)))
    third = run([path], resume=lambda p, head: earlier)
    assert third.lines == 50 and third.files[0].already == 0


def test_sites_and_masks():
    assert site_of("www.bbc.co.uk") == "bbc.co.uk"
    assert site_of("10.1.2.3") == "10.1.2.3"
    assert mask("from 10.1.2.3 by jo@oak.example and fe80::1:2") == (
        "from [ip] by [email] and [ip]"
    )


def test_handed_on_as_the_log_moves_on_the_totals_add_up_the_same(tmp_path):
    path = tmp_path / "access.log"
    days = [
        line.replace(f"{T0 + i * 37}.", f"{T0 + i * 37 + (i // 100) * 86400}.")
        for i, line in enumerate(lines(600))
    ]  # six days, in time order
    path.write_text("".join(days))
    handed: list[pl.DataFrame] = []
    flushed = run([path], chunk_bytes=2000, flush=handed.append)
    kept = run([path])
    assert flushed.totals.height == 0 and len(handed) > 1  # handed on in several goes
    together = merge(pl.concat(handed))
    assert canonical(together) == canonical(kept.totals)
    assert flushed.people == kept.people and flushed.categories == kept.categories


@settings(max_examples=60, deadline=None)
@given(
    pieces=st.lists(
        st.binary(min_size=0, max_size=300).map(lambda b: b.replace(b"\n", b"")), max_size=40
    ),
    ending=st.booleans(),
    chunk=st.integers(1, 700),
    skip=st.integers(0, 50),
)
def test_chunks_give_back_the_file_in_whole_lines(tmp_path_factory, pieces, ending, chunk, skip):
    """Whatever the chunk size, even smaller than a line: the pieces put together are the file
    after the skipped bytes, each ends at a line's end (but the last, when the file does not
    end with one), and the hash covers every byte."""
    from fairwatch.weblogs.ingest import _chunks, _Hasher

    data = b"\n".join(pieces) + (b"\n" if ending and pieces else b"")
    assume(not data.startswith(b"\x1f\x8b"))  # that would be a gzip file
    path = tmp_path_factory.mktemp("c") / "log"
    path.write_bytes(data)
    skip = min(skip, len(data))
    hasher = _Hasher()
    got = list(_chunks(path, chunk, hasher, skip))
    assert b"".join(got) == data[skip:]
    assert all(c.endswith(b"\n") for c in got[:-1])
    assert all(c for c in got)
    assert hasher.hexdigest() == hashlib.sha256(data).hexdigest() and hasher.size == len(data)


@settings(max_examples=200, deadline=None)
@given(
    start=st.integers(1_600_000_000, 1_900_000_000),
    spread=st.integers(0, 40 * 86400),
    tz=st.sampled_from(
        ["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]
    ),
)
def test_the_local_day_is_the_same_by_the_quick_way(start, spread, tz):
    """Adding the zone's offset (when it does not change in the chunk) gives the same local
    day as converting each time, across changes to and from summer time."""
    from fairwatch.weblogs.ingest import _day

    ts = pl.Series(
        "ts", [start, start + spread // 3, start + spread // 2, start + spread], dtype=pl.Int64
    )
    frame = ts.to_frame()
    quick = frame.select(_day(ts, tz))["ts"].to_list()
    slow = frame.select(
        pl.from_epoch("ts", time_unit="s")
        .dt.replace_time_zone("UTC")
        .dt.convert_time_zone(tz)
        .dt.date()
    )["ts"].to_list()
    assert quick == slow


def test_a_failure_while_reading_ahead_comes_out_where_the_chunks_are_used(tmp_path):
    from fairwatch.weblogs.ingest import _ahead

    def items():
        yield 1
        yield 2
        raise OSError("disk gone")

    seen = []
    try:
        for item in _ahead(_ahead(items()), lambda x: x * 10):
            seen.append(item)
    except OSError as exc:
        assert "disk gone" in str(exc)
    else:
        raise AssertionError("the failure was lost")
    assert seen == [10, 20]
    # stopping early stops the threads (the generator's finally joins them)
    taken = []
    for item in _ahead(iter(range(1000))):
        taken.append(item)
        if item == 3:
            break
    assert taken == [0, 1, 2, 3]
