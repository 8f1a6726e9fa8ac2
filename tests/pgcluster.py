"""Run a command against a throwaway PostgreSQL cluster in a temporary folder.

Usage::

    python tests/pgcluster.py [--keep] -- COMMAND [ARGS...]

A fresh cluster is created with the machine's own PostgreSQL server binaries
(initdb/pg_ctl), a ``fairwatch`` database is created, and COMMAND runs with
``DATABASE_URL`` and ``FAIRWATCH_TEST_POSTGRES=1`` set. Afterwards the cluster
is stopped and the folder removed (``--keep`` keeps the folder). The exit code
is COMMAND's, or 2 if the cluster could not be set up.

initdb and postgres refuse to run as root, so when running as root the cluster
runs as the ``postgres`` system user (or ``nobody``) via runuser/setpriv.

Standard library only, so it can also be imported from a pytest fixture::

    with running_cluster() as url:
        ...
"""

from __future__ import annotations

import argparse
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

DB_NAME = "fairwatch"
SUPERUSER = "postgres"
NOT_FOUND_MSG = "PostgreSQL server binaries not found; install postgresql-15 or set PG_BINDIR"
SERVER_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


class ClusterError(RuntimeError):
    """The throwaway cluster could not be set up."""


def find_bindir() -> Path:
    """Locate the directory holding initdb/pg_ctl/postgres."""
    env_dir = os.environ.get("PG_BINDIR")
    if env_dir:
        path = Path(env_dir)
        if (path / "initdb").is_file():
            return path
        raise ClusterError(f"PG_BINDIR={env_dir} has no initdb; {NOT_FOUND_MSG}")

    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            out = ""
        if out and (Path(out) / "initdb").is_file():
            return Path(out)

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(p) for p in re.findall(r"\d+", path.parent.name))

    candidates = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").is_file()]
    if candidates:
        return max(candidates, key=version)
    raise ClusterError(NOT_FOUND_MSG)


def run_as_user() -> str | None:
    """Return the user the cluster must run as, or None to run as ourselves."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise ClusterError("running as root but neither a 'postgres' nor a 'nobody' user exists")


def as_user(cmd: Sequence[str], user: str | None) -> list[str]:
    """Prefix cmd so that it runs as user (no-op when user is None)."""
    if user is None:
        return list(cmd)
    if shutil.which("runuser"):
        return ["runuser", "-u", user, "--", *cmd]
    if shutil.which("setpriv"):
        return ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", "--", *cmd]
    raise ClusterError("running as root but neither runuser nor setpriv is available")


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log_tail(path: Path, lines: int = 30) -> str:
    """Return the last lines of a log file (empty if unreadable)."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class Cluster:
    """A PostgreSQL cluster living in its own temporary folder."""

    def __init__(self, bindir: Path | None = None, user: str | None = None) -> None:
        self.bindir = bindir or find_bindir()
        self.user = user if user is not None else run_as_user()
        self.base = Path(tempfile.mkdtemp(prefix="pgcluster-"))
        if self.user is not None:
            pw = pwd.getpwnam(self.user)
            os.chown(self.base, pw.pw_uid, pw.pw_gid)
        self.data = self.base / "data"
        self.log = self.base / "log"
        self.port: int | None = None
        self.started = False

    @property
    def url(self) -> str:
        """The DATABASE_URL for the fairwatch database."""
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{DB_NAME}"

    def _run(self, name: str, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a server binary (as the cluster user) from inside the temp folder."""
        cmd = as_user([str(self.bindir / name), *args], self.user)
        return subprocess.run(cmd, cwd=self.base, capture_output=True, text=True)

    def init(self) -> None:
        """Create the data directory with initdb."""
        errors = []
        for locale in ("C.UTF-8", "C"):
            res = self._run(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "-E",
                "UTF8",
                f"--locale={locale}",
            )
            if res.returncode == 0:
                return
            errors.append(res.stdout + res.stderr)
            shutil.rmtree(self.data, ignore_errors=True)
        raise ClusterError("initdb failed:\n" + "\n".join(errors).strip())

    def start(self, attempts: int = 3) -> None:
        """Start the server on a free port (retrying if the port got taken)."""
        for _ in range(attempts):
            self.port = free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} "
                f"-c unix_socket_directories={self.base} {SERVER_OPTIONS}"
            )
            # Mark as started first: if we are interrupted mid-start, stop() still runs.
            self.started = True
            res = self._run(
                "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                "-o", options, "start",
            )  # fmt: skip
            if res.returncode == 0:
                return
            self.started = False
            # pg_ctl may have left a half-started server behind; make sure it is gone.
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            if "could not bind" not in log_tail(self.log, 200):
                break
        raise ClusterError(
            f"PostgreSQL failed to start:\n{res.stdout}{res.stderr}\n"
            f"--- tail of {self.log} ---\n{log_tail(self.log)}"
        )

    def create_db(self, name: str = DB_NAME) -> None:
        """Create a database over TCP."""
        res = subprocess.run(
            [str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port)]
            + ["-U", SUPERUSER, name],
            capture_output=True,
            text=True,
        )
        if res.returncode != 0:
            raise ClusterError(f"createdb {name} failed:\n{res.stdout}{res.stderr}")

    def stop(self) -> None:
        """Stop the server (fast, falling back to immediate) if it may be running."""
        if not self.started and not (self.data / "postmaster.pid").exists():
            return
        res = self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")
        if res.returncode != 0:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        self.started = False

    def cleanup(self) -> None:
        """Remove the temporary folder."""
        shutil.rmtree(self.base, ignore_errors=True)


@contextmanager
def running_cluster(keep: bool = False, bindir: Path | None = None) -> Iterator[str]:
    """Start a throwaway cluster with a fairwatch database; yield its DATABASE_URL."""
    cluster = Cluster(bindir=bindir)
    try:
        cluster.init()
        cluster.start()
        cluster.create_db()
        yield cluster.url
    finally:
        try:
            cluster.stop()
        finally:
            if keep:
                print(f"pgcluster: kept {cluster.base}", file=sys.stderr)
            else:
                cluster.cleanup()


def run_command(cmd: Sequence[str], url: str) -> int:
    """Run cmd with DATABASE_URL set, inheriting stdio; return its exit code.

    While it runs, Ctrl-C is left to the command (it gets SIGINT from the
    terminal itself) and SIGTERM is forwarded to it.
    """
    env = dict(os.environ, DATABASE_URL=url, FAIRWATCH_TEST_POSTGRES="1")
    try:
        proc = subprocess.Popen(list(cmd), env=env)
    except OSError as exc:
        print(f"pgcluster: cannot run {cmd[0]!r}: {exc}", file=sys.stderr)
        return 127
    old_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
    old_term = signal.signal(signal.SIGTERM, lambda signum, frame: proc.send_signal(signum))
    try:
        code = proc.wait()
    finally:
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGTERM, old_term)
    return 128 - code if code < 0 else code


def _terminate(signum: int, frame: object) -> None:
    """Turn SIGTERM/SIGHUP into SystemExit so cleanup still runs."""
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; returns the exit code."""
    parser = argparse.ArgumentParser(
        description="Run COMMAND against a throwaway PostgreSQL cluster.",
        usage="%(prog)s [--keep] -- COMMAND [ARGS...]",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no COMMAND given")

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    try:
        with running_cluster(keep=args.keep) as url:
            return run_command(command, url)
    except ClusterError as exc:
        print(f"pgcluster: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
