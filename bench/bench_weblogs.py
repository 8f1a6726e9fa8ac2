"""Ingest speed (issue 6): lines/s end to end and peak memory, against GoAccess on the same
Squid file in the same run.

    python bench/bench_weblogs.py [--lines 10000000] [--keep] [--no-peer]

1. The category lists: the real UT1 lists in ../shared/data/ut1/, with the `adult` list
   padded with generated domains to the full set's 5.7 million lines (the real `adult` list
   could not be shipped: see that folder's README), compiled into the index the ingest uses.
   Printed: compile time and the index's load time (target < 2 s).
2. The log, in Squid's native format: generated to a school's shape (bench/weblog_gen.py:
   450 users on school days, CONNECT-heavy, a share of the traffic to domains drawn from the
   UT1 lists) plus the real Squid sample in ../shared/data/weblogs/ scaled up, --lines in
   all (default 10 million).
3. The ingest, in a process of its own (bench/weblog_ingest_child.py): parse, categorise,
   pseudonymise, add up by day and store in a throwaway SQLite database, timed, with the
   process's peak resident memory. It is run on a quarter of the log as well, to show whether
   memory grows with the file (target: < 1.5 GiB, and not growing).
4. GoAccess (Debian's `goaccess`, installed if missing and we may) parsing the same file,
   timed in the same run: the ratio of our lines/s to its (target >= 20x; 2 million lines/s).

Inputs are cached under var/bench-weblogs/ between runs (--fresh rebuilds them). A report,
not a test: it exits 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(HERE))

TARGET_RATE, TARGET_RATIO, TARGET_MIB, TARGET_LOAD_S = 2_000_000, 20.0, 1536, 2.0
FULL_UT1_LINES = 5_700_000


def child(work: Path, index_source: Path, logs: list[Path]) -> dict:
    """Run bench/weblog_ingest_child.py and read the JSON it prints."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, str(HERE / "weblog_ingest_child.py"), str(work), str(index_source)]
        + [str(p) for p in logs],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the ingest run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def sample_domains(tarball: Path, per_list: int = 400) -> list[str]:
    """Domains from the real lists, for the generator to send some traffic to."""
    import random

    rng = random.Random(11)
    found: list[str] = []
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.endswith("/domains"):
                lines = tar.extractfile(member).read().decode("utf-8", "replace").split()
                found += rng.sample(lines, min(per_list, len(lines)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000_000, help="log lines (10 million)")
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached inputs")
    parser.add_argument("--no-peer", action="store_true", help="leave GoAccess out")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    args = parser.parse_args()
    say = (lambda *a, **k: None) if args.json else print
    tarball = DATA / "ut1" / "blacklists.tar.gz"
    if not tarball.exists():
        print(f"skipped: the real UT1 lists are not at {tarball}")
        return
    cache = ROOT / "var" / "bench-weblogs"
    if args.fresh:
        shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    import weblog_gen
    from bench_categories import pad

    # 1. the lists, padded to the full set's size
    padded = cache / f"ut1-padded-{FULL_UT1_LINES}.tar.gz"
    if not padded.exists():
        say(f"padding the real UT1 lists to {FULL_UT1_LINES:,} lines ...")
        real, extra, _ = pad(tarball, padded, FULL_UT1_LINES)
        (cache / "padding.json").write_text(json.dumps({"real": real, "generated": extra}))
    padding = json.loads((cache / "padding.json").read_text())
    say(
        f"category lists: the real UT1 lists ({padding['real']:,} domain lines) padded with "
        f"{padding['generated']:,} generated domains to {FULL_UT1_LINES:,}"
    )

    # 2. the log: generated, plus the real sample scaled up
    log = cache / f"squid-{args.lines}.log"
    if not log.exists():
        samples = sorted((DATA / "weblogs" / "squid").glob("*.log"))
        real_share = args.lines // 10 if samples else 0
        say(f"writing {args.lines:,} Squid lines ({real_share:,} from the real sample) ...")
        generated = cache / "generated.part"
        scaled = cache / "scaled.part"
        weblog_gen.write_squid(generated, args.lines - real_share, domains=sample_domains(tarball))
        parts = [generated]
        if real_share:
            weblog_gen.write_squid_from_samples(scaled, real_share, samples)
            parts.append(scaled)
        with log.open("wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    shutil.copyfileobj(f, out, 16 << 20)
                part.unlink()
    quarter = cache / f"squid-{args.lines}-quarter.log"
    if not quarter.exists():
        with log.open("rb") as f, quarter.open("wb") as out:
            for i, line in enumerate(f):
                if i >= args.lines // 4:
                    break
                out.write(line)
    size_mb = log.stat().st_size / 1e6
    say(f"log: {args.lines:,} lines, {size_mb:,.0f} MB, Squid native format")

    # 3. our ingest, each run on a fresh database
    results = {}
    prepared = cache / "prepared"
    if not (prepared / "var" / "categories" / "index.fwcat").exists():
        shutil.rmtree(prepared, ignore_errors=True)
        say("compiling the category index ...")
        results["compile"] = child(prepared, padded, [])
    for name, path in (("quarter", quarter), ("full", log)):
        work = cache / f"run-{name}"
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(prepared, work)
        results[name] = child(work, padded, [path])
        shutil.rmtree(work, ignore_errors=True)
    ours = results["full"]
    say(
        f"index: {ours['index_entries']:,} domains, loaded in {ours['index_load_s']:.2f} s "
        f"(target < {TARGET_LOAD_S:.0f} s)"
        + (f"; compiled in {results['compile']['compile_s']:.1f} s" if "compile" in results else "")
    )
    for name in ("quarter", "full"):
        r = results[name]
        say(
            f"fairwatch ingest, {name} log: {r['lines']:,} lines in {r['seconds']:.2f} s = "
            f"{r['lines_per_s']:,.0f} lines/s; peak memory {r['peak_rss_mib']:,.0f} MiB; "
            f"{r['requests']:,} requests, {r['people']:,} people, {r['rows_stored']:,} daily "
            f"totals stored, {r['alerts']} alerts, {r['bad']} malformed"
        )

    # 4. the peer
    peer = None
    if not args.no_peer:
        import goaccess_peer

        tool = goaccess_peer.ensure_goaccess()
        if tool is None:
            say("GoAccess: not available, so no ratio")
        else:
            peer = goaccess_peer.run_goaccess(log)
            say(
                f"GoAccess on the same file: {peer.lines:,} lines in {peer.seconds:.1f} s = "
                f"{peer.lines_per_second:,.0f} lines/s ({peer.total_requests:,} read, "
                f"{peer.failed_requests:,} failed)"
            )
    ratio = ours["lines_per_s"] / peer.lines_per_second if peer and peer.lines_per_second else None
    growth = results["full"]["peak_rss_mib"] - results["quarter"]["peak_rss_mib"]
    met = {
        "rate": ours["lines_per_s"] >= TARGET_RATE,
        "ratio": ratio is not None and ratio >= TARGET_RATIO,
        "memory": ours["peak_rss_mib"] < TARGET_MIB,
        "index_load": ours["index_load_s"] < TARGET_LOAD_S,
    }
    if args.json:
        print(
            json.dumps(
                {
                    "lines": args.lines,
                    "padding": padding,
                    "results": results,
                    "peer": peer.__dict__ if peer else None,
                    "ratio": ratio,
                    "memory_growth_mib": growth,
                    "targets_met": met,
                },
                default=str,
            )
        )
        return

    def mark(ok: bool) -> str:
        return "met" if ok else "MISSED"

    print(
        f"memory: {results['quarter']['peak_rss_mib']:,.0f} MiB for a quarter of the log, "
        f"{ours['peak_rss_mib']:,.0f} MiB for all of it ({growth:+,.0f} MiB)"
    )
    print(
        f"targets: >= {TARGET_RATE:,} lines/s {mark(met['rate'])} ({ours['lines_per_s']:,.0f}); "
        f">= {TARGET_RATIO:.0f}x GoAccess {mark(met['ratio'])} "
        f"({'n/a' if ratio is None else f'{ratio:.1f}x'}); peak < {TARGET_MIB} MiB "
        f"{mark(met['memory'])}; index load < {TARGET_LOAD_S:.0f} s {mark(met['index_load'])}"
    )


if __name__ == "__main__":
    main()
