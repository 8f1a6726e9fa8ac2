"""Web category index at the size of the full UT1 set (about 5.7 million domain lines).

The UT1 tarball in ../shared/data has 1.14 M lines because its adult list is a 61 k substitute
for UT1's 4.6 M (see its README), so this pads adult/domains with generated names up to 5.7 M
lines and says so. Prints: compile time and peak memory, file size, load time (target < 2 s),
memory after loading, and lookups per second for 300 k distinct hosts; then the same load and
lookups with a plain Python dict of the same lines (the peer). Each part runs in its own process
so its memory is its own. `python bench/bench_categories.py [lines]`; exits 0.
"""

from __future__ import annotations

import io
import random
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
UT1 = DATA / "ut1" / "blacklists.tar.gz"
TARGET_LINES = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 5_700_000
HOSTS = 300_000
T = TypeVar("T")
TLDS = ["com", "net", "org", "info", "xyz", "top", "ru", "de", "co.uk", "fr", "io", "online"]


def memory() -> tuple[float, float]:
    """(resident now, peak) in MiB."""
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


def made_up_domain(rng: random.Random) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    name = "".join(rng.choices(letters, k=rng.randint(5, 14)))
    if rng.random() < 0.3:
        name = "".join(rng.choices(letters, k=rng.randint(2, 6))) + "." + name
    return f"{name}.{rng.choice(TLDS)}"


def pad(real: Path, out: Path, target: int) -> tuple[int, int, list[str]]:
    """Copy the real tarball with adult/domains padded (sorted, as UT1 ships it); return the
    real domain lines, the generated ones, and a sample of listed domains for the hosts."""
    rng = random.Random(7)
    real_lines, sample = 0, []
    with tarfile.open(real) as src, tarfile.open(out, "w:gz", compresslevel=1) as dst:
        members = src.getmembers()
        for m in members:
            if m.isfile() and m.name.endswith("/domains"):
                lines = src.extractfile(m).read().decode().splitlines()  # type: ignore[union-attr]
                real_lines += len(lines)
                sample += rng.sample(lines, min(len(lines), 2000))
        extra = target - real_lines
        for m in members:
            if not (m.isfile() and m.name == "blacklists/adult/domains"):
                dst.addfile(m, src.extractfile(m) if m.isfile() else None)
                continue
            lines = src.extractfile(m).read().decode().splitlines()  # type: ignore[union-attr]
            lines += [made_up_domain(rng) for _ in range(extra)]
            sample += rng.sample(lines[-extra:], 20000)
            data = ("\n".join(sorted(lines)) + "\n").encode()
            m.size = len(data)
            dst.addfile(m, io.BytesIO(data))
    return real_lines, extra, sample


def hosts_for(sample: list[str], path: Path) -> None:
    """300 k distinct hosts: a third under listed domains, the rest made up (most web traffic
    is to sites on no list)."""
    rng = random.Random(11)
    hosts: set[str] = set()
    while len(hosts) < HOSTS:
        if rng.random() < 1 / 3:
            hosts.add(rng.choice(["www.", "cdn.", "a.b.", ""]) + rng.choice(sample).lower())
        else:
            hosts.add(rng.choice(["www.", "api.", ""]) + made_up_domain(rng))
    path.write_text("\n".join(sorted(hosts, key=lambda _: rng.random())) + "\n")


def part_compile(tarball: Path, out: Path) -> None:
    from fairwatch.weblogs.categories import compile

    start = time.perf_counter()
    report = compile(tarball, out)
    took = time.perf_counter() - start
    _, peak = memory()
    print(
        f"compile: {report.lines_read:,} lines, {report.size:,} distinct domains, "
        f"{len(report.categories)} categories in {took:.1f} s "
        f"({report.lines_read / took / 1e6:.2f} M lines/s), peak memory {peak:.0f} MiB"
    )
    print(f"index file: {report.output_bytes / 1e6:.0f} MB")


def part_lookup(index_path: Path, hosts_path: Path) -> None:
    import polars as pl

    from fairwatch.weblogs.categories import CategoryIndex

    before, _ = memory()
    start = time.perf_counter()
    index = CategoryIndex.load(index_path)
    took = time.perf_counter() - start
    after, _ = memory()
    verdict = "meets" if took < 2 else "MISSES"
    print(
        f"load: {took:.2f} s ({verdict} the < 2 s target), {index.size:,} domains; "
        f"resident memory {after:.0f} MiB after loading ({after - before:+.0f} MiB)"
    )
    hosts = pl.Series(hosts_path.read_text().split())
    best, found = min(_timed(lambda: index.lookup(hosts)) for _ in range(3))
    hits = sum(1 for f in found if f)
    print(
        f"lookup: {len(hosts):,} distinct hosts in {best:.2f} s = {len(hosts) / best:,.0f} "
        f"hosts/s ({hits:,} with a category); peak memory {memory()[1]:.0f} MiB"
    )
    paths = ["/" + h[:3] for h in hosts]
    best_urls, _ = min(_timed(lambda: index.lookup_urls(hosts, paths)) for _ in range(3))
    print(f"lookup_urls: {len(hosts):,} host+path rows in {best_urls:.2f} s")


def part_peer(tarball: Path, hosts_path: Path) -> None:
    """The simple way: every line into a dict of sets, looked up name by name."""
    before, _ = memory()
    start = time.perf_counter()
    table: dict[str, set[str]] = {}
    with tarfile.open(tarball) as tar:
        for m in tar:
            if m.isfile() and m.name.endswith("/domains"):
                category = m.name.split("/")[-2]
                for line in tar.extractfile(m).read().decode().splitlines():  # type: ignore[union-attr]
                    table.setdefault(line.strip().lower().strip("."), set()).add(category)
    took = time.perf_counter() - start
    after, _ = memory()
    print(
        f"peer (Python dict): built from the same tarball in {took:.1f} s, {len(table):,} "
        f"domains, {after - before:+.0f} MiB resident"
    )
    hosts = hosts_path.read_text().split()

    def look() -> list[list[str]]:
        out = []
        for host in hosts:
            labels = host.split(".")
            cats: list[str] = []
            for i in range(len(labels) - 1):
                cats += sorted(table.get(".".join(labels[i:]), ()))
            out.append(cats)
        return out

    best, _ = min(_timed(look) for _ in range(3))
    print(f"peer lookup: {len(hosts):,} hosts in {best:.2f} s = {len(hosts) / best:,.0f} hosts/s")


def _timed(fn: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> int:
    if not UT1.exists():
        print(f"skipped: the UT1 tarball is not at {UT1}")
        return 0
    work = Path(tempfile.mkdtemp(prefix="fairwatch-bench-categories-"))
    padded, index, hosts = work / "padded.tar.gz", work / "index.parquet", work / "hosts.txt"
    real, extra, sample = pad(UT1, padded, TARGET_LINES)
    hosts_for(sample, hosts)
    print(
        f"input: the real UT1 tarball ({real:,} domain lines) with adult/domains padded by "
        f"{extra:,} generated domains to {real + extra:,} lines (the real adult list is about "
        "4.6 M lines; the one in ../shared/data is a 61 k substitute)"
    )
    me = [sys.executable, __file__]
    for args in (
        ["compile", padded, index],
        ["lookup", index, hosts],
        ["peer", padded, hosts],
    ):
        sys.stdout.flush()
        subprocess.run([*me, "--part", *map(str, args)], check=True)
    for f in (padded, index, hosts):
        f.unlink()
    work.rmdir()
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--part":
        part, a, b = sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
        {"compile": part_compile, "lookup": part_lookup, "peer": part_peer}[part](a, b)
    else:
        sys.exit(main())
