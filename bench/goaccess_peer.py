"""GoAccess, the peer tool for the ingest benchmark: how fast it parses the same Squid log.

GoAccess (Debian's `goaccess` package) is a C log analyser. Its predefined `SQUID` format
expects a syslog prefix before each line, so for a plain Squid native access log we give it
the equivalent format string ourselves (SQUID_FORMAT below), reading the same fields our
parser reads: time, client, status, bytes, method, URL, user name and content type. It
writes its JSON report to a throwaway file, which also tells us how many lines it read and
how many it could not parse: a fair comparison needs every line parsed.

GoAccess 1.7 (Debian 12) parses on one thread. A gzip file is piped in through `gzip -dc`,
as our ingest reads gzip files itself.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# `%ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt`: seconds since the epoch
# (%x with date and time formats %s; the milliseconds skipped), elapsed ms (%~ skips the
# padding, %L), client (%h), Squid's code (skipped) and the status (%s), bytes (%b), method
# (%m), URL (%U), user (%e), hierarchy (skipped), content type (%M).
SQUID_FORMAT = "%x.%^ %~%L %h %^/%s %b %m %U %e %^ %M"


@dataclass(frozen=True)
class PeerResult:
    """One GoAccess run over one file."""

    tool: str  # "GoAccess 1.7"
    lines: int  # lines in the file
    total_requests: int  # lines GoAccess read
    valid_requests: int  # ... and parsed
    failed_requests: int  # ... and could not parse
    seconds: float  # wall time of the whole run (parse, then write the JSON report)
    cpu_seconds: float  # user + system time of GoAccess (and gzip, for a gzip file)
    peak_rss_mb: float | None  # GoAccess's peak resident memory
    command: tuple[str, ...]

    @property
    def lines_per_second(self) -> float:
        return self.lines / self.seconds if self.seconds else 0.0

    @property
    def parsed_all(self) -> bool:
        return self.failed_requests == 0 and self.valid_requests == self.lines

    def summary(self) -> str:
        memory = f", peak {self.peak_rss_mb:,.0f} MB" if self.peak_rss_mb is not None else ""
        return (
            f"{self.tool}: {self.lines:,} lines in {self.seconds:.2f} s "
            f"({self.lines_per_second:,.0f} lines/s, CPU {self.cpu_seconds:.2f} s{memory}); "
            f"{self.valid_requests:,} valid, {self.failed_requests:,} failed "
            f"of {self.total_requests:,} requests"
        )


def ensure_goaccess() -> str | None:
    """The path of `goaccess`, installing Debian's package when it is missing and we may.

    Returns None, after printing why, when it is not there and cannot be installed.
    """
    found = shutil.which("goaccess")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print("goaccess: not installed, and installing needs root and apt-get; skipping it")
        return None
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "goaccess"]
    result = subprocess.run(install, capture_output=True, text=True, env=env)
    if result.returncode != 0:  # perhaps the package lists have never been fetched
        subprocess.run(["apt-get", "update", "-q"], capture_output=True, text=True, env=env)
        result = subprocess.run(install, capture_output=True, text=True, env=env)
    found = shutil.which("goaccess")
    if result.returncode != 0 or not found:
        last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        print(f"goaccess: `apt-get install goaccess` failed ({last[0]}); skipping it")
        return None
    return found


def goaccess_version(binary: str) -> str:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
    first = out.strip().splitlines()[0] if out.strip() else "GoAccess"
    return first.rstrip(".").replace(" - ", " ")


def count_lines(path: Path) -> int:
    """Lines in a file (a last line without a newline counts too), gzip or not."""
    opener = gzip.open if _is_gzip(path) else open
    count, last = 0, b"\n"
    with opener(path, "rb") as file:
        while block := file.read(16 << 20):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as file:
        return file.read(2) == b"\x1f\x8b"


def run_goaccess(path: Path, *, lines: int | None = None, binary: str | None = None) -> PeerResult:
    """Time GoAccess parsing the Squid native log at `path` into a throwaway JSON report.

    `lines` is the file's line count when the caller knows it (else it is counted first,
    outside the timing). Raises RuntimeError when GoAccess is missing or fails.
    """
    path = Path(path)
    binary = binary or shutil.which("goaccess")
    if not binary:
        raise RuntimeError("goaccess is not installed (see ensure_goaccess)")
    if lines is None:
        lines = count_lines(path)
    zipped = _is_gzip(path)
    with tempfile.TemporaryDirectory(prefix="goaccess-") as tmp:
        report = Path(tmp) / "report.json"
        command = [
            binary,
            "-" if zipped else str(path),
            "--no-global-config",
            f"--log-format={SQUID_FORMAT}",
            "--date-format=%s",
            "--time-format=%s",
            "--no-progress",
            "--no-parsing-spinner",
            "-o",
            str(report),
        ]
        began = time.perf_counter()
        feeder = (
            subprocess.Popen(["gzip", "-dc", str(path)], stdout=subprocess.PIPE) if zipped else None
        )
        process = subprocess.Popen(
            command,
            stdin=feeder.stdout if feeder else subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        if feeder and feeder.stdout:
            feeder.stdout.close()  # so gzip sees a broken pipe if GoAccess stops early
        # wait4 gives this child's own resource use (peak memory), not all children's.
        stderr = b""
        if process.stderr:
            stderr = process.stderr.read()
            process.stderr.close()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        cpu = usage.ru_utime + usage.ru_stime
        if feeder:
            _, _, fed = os.wait4(feeder.pid, 0)
            feeder.returncode = 0
            cpu += fed.ru_utime + fed.ru_stime
        seconds = time.perf_counter() - began
        if process.returncode != 0 or not report.exists():
            message = stderr.decode("utf-8", "replace").strip()[-500:]
            raise RuntimeError(f"goaccess failed on {path} ({process.returncode}): {message}")
        general = json.loads(report.read_text())["general"]
    return PeerResult(
        tool=goaccess_version(binary),
        lines=lines,
        total_requests=int(general["total_requests"]),
        valid_requests=int(general["valid_requests"]),
        failed_requests=int(general["failed_requests"]),
        seconds=seconds,
        cpu_seconds=cpu,
        peak_rss_mb=usage.ru_maxrss / 1024,  # Linux reports kilobytes
        command=tuple(command),
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python bench/goaccess_peer.py SQUID_LOG", file=sys.stderr)
        return 2
    if ensure_goaccess() is None:
        return 1
    result = run_goaccess(Path(args[0]))
    print(result.summary())
    if not result.parsed_all:
        print("GoAccess did not parse every line: the figure is not comparable")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
