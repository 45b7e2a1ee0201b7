"""A throw-away PostgreSQL cluster for tests (the hub's database)."""

from __future__ import annotations

import glob
import os
import pwd
import random
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from peewee import PostgresqlDatabase


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (scripts/test installs it)")
    return found[-1]


_GIVEN: set[int] = set()


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now, and that nothing else will
    be handed before the caller binds it.

    Chosen below the kernel's ephemeral range: a port the kernel gave out (bind to port 0)
    and took back could be given at once to the next bind to port 0 (our own `serve`'s plain
    port, say), before the caller used it. Never the same port twice in one test run.
    """
    low = max(_ephemeral_low(), 12000)
    while True:
        port = random.randrange(10000, low)
        if port in _GIVEN:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _GIVEN.add(port)
        return port


#: Tests trade durability for speed: a throw-away cluster never outlives a crash.
FAST = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}

#: As a district's hub would run it (docs/benchmarks.md, the hub's section): fully
#: durable (fsync, synchronous commits, full-page writes all on), with the memory and
#: WAL room of a dedicated database server, and pg_stat_statements loaded so a bench
#: can say where the database's time goes.
DEPLOYED = {
    "shared_buffers": "512MB",
    "effective_cache_size": "2GB",
    "work_mem": "16MB",
    "maintenance_work_mem": "256MB",
    "wal_buffers": "16MB",
    "wal_compression": "on",
    "max_wal_size": "4GB",
    "checkpoint_timeout": "15min",
    "checkpoint_completion_target": "0.9",
    "random_page_cost": "1.1",
    "shared_preload_libraries": "pg_stat_statements",
    "pg_stat_statements.track": "all",
}


class ThrowawayPostgres:
    """initdb, start, createdb; ``stop`` removes everything.

    ``settings``: the server's settings (``FAST`` for tests, ``DEPLOYED`` for benches).
    """

    def __init__(self, settings: dict[str, str] | None = None) -> None:
        self.settings = FAST if settings is None else settings
        self.dir = Path(tempfile.mkdtemp(prefix="baobab-pg-"))
        self.port = free_port()
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)

    def _run(self, *args: str) -> None:
        command = list(args)
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> ThrowawayPostgres:
        data = str(self.dir / "data")
        self._run(_bin("initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync")
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} " + " ".join(
            f"-c {name}={value}" for name, value in self.settings.items()
        )
        self._run(
            _bin("pg_ctl"), "-D", data, "-w", "-o", options, "-l", str(self.dir / "log"), "start"
        )
        return self

    def create_database(self, name: str) -> str:
        """Create a database and return its URL."""
        self._run(_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def database(self, name: str) -> PostgresqlDatabase:
        """Create a database and return it as a peewee database, not yet connected."""
        self.create_database(name)
        return PostgresqlDatabase(name, host="127.0.0.1", port=self.port, user="postgres")

    def stop(self) -> None:
        try:
            self._run(_bin("pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
