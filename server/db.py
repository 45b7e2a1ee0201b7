"""The database: one unbound proxy, opened by the app factory or the CLI.

SQLite on a classroom node, PostgreSQL on the hub. Both are pooled so that a
request's ``close()`` returns the connection to the pool instead of closing it:
closing SQLite's last connection forces a WAL checkpoint and halves write
throughput, and waitress threads are long-lived anyway.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from peewee import Database, DatabaseProxy, SqliteDatabase
from playhouse.db_url import connect as connect_url
from playhouse.pool import PooledSqliteDatabase

db = DatabaseProxy()

SQLITE_FILE_NAME = "baobab.db"


def sqlite_pragmas(synchronous: str = "FULL") -> dict[str, Any]:
    """Pragmas every SQLite connection gets."""
    return {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 10_000,
        "cache_size": -2_000,  # 2 MB per connection (one per thread): memory stays flat
        "synchronous": synchronous,
        "temp_store": "memory",
    }


def database_for(settings: dict[str, Any]) -> Database:
    """Make the (pooled) database the settings ask for, not yet connected."""
    url = settings.get("DATABASE_URL") or ""
    max_connections = int(settings.get("THREADS", 8)) + 8
    if not url:
        path = Path(settings["DATA_DIR"]) / SQLITE_FILE_NAME
        return PooledSqliteDatabase(
            str(path),
            pragmas=sqlite_pragmas(settings.get("SQLITE_SYNCHRONOUS", "FULL")),
            max_connections=max_connections,
            stale_timeout=None,
            check_same_thread=False,
        )
    if url.startswith(("postgres://", "postgresql://")):
        url = url.replace("://", "+pool://", 1)
        return connect_url(url, max_connections=max_connections, stale_timeout=600)
    return connect_url(url)


def is_sqlite(database: Database | DatabaseProxy | None = None) -> bool:
    """Say whether the (given or bound) database is SQLite."""
    target = database or db
    if isinstance(target, DatabaseProxy):
        target = target.obj
    return isinstance(target, SqliteDatabase)


def bind(database: Database) -> None:
    """Point the models' proxy at ``database``."""
    db.initialize(database)


def close_all() -> None:
    """Close every pooled connection (at shutdown, and between tests)."""
    target = db.obj
    if target is None:
        return
    if hasattr(target, "close_all"):
        target.close_all()
    elif not target.is_closed():
        target.close()


@contextlib.contextmanager
def write_transaction() -> Iterator[None]:
    """A transaction that takes the write lock up front when it is the outermost.

    Writes that read first (counters, upserts) must not start as readers and
    upgrade later: under WAL that upgrade fails with SQLITE_BUSY at once
    instead of waiting for the busy timeout.
    """
    target = db.obj
    if target.in_transaction() or not is_sqlite(target):
        with target.atomic():
            yield
    else:
        # This process's writers queue here rather than in SQLite's busy handler,
        # which polls with sleeps of up to 100 ms and so makes waiting writers late.
        # One lock per database (tests hold several in one process); setdefault is atomic.
        writer = target.__dict__.setdefault("_baobab_writer", threading.Lock())
        with writer, target.atomic("IMMEDIATE"):
            yield
