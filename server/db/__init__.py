"""The database: one unbound proxy, opened by the app factory or the CLI.

SQLite on a classroom node, PostgreSQL on the hub. Both are pooled so that a
request's ``close()`` returns the connection to the pool instead of closing it:
closing SQLite's last connection forces a WAL checkpoint and halves write
throughput, and waitress threads are long-lived anyway.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from peewee import (
    BigIntegerField,
    CharField,
    Database,
    DatabaseProxy,
    IntegerField,
    PostgresqlDatabase,
    SqliteDatabase,
    TextField,
)
from playhouse.db_url import connect as connect_url
from playhouse.pool import PooledSqliteDatabase

from ..node.gate import stepped_out

db = DatabaseProxy()

SQLITE_FILE_NAME = "baobab.db"
#: The files SQLite keeps next to the database (WAL and shared memory): the same data.
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def keep_private(path: Path) -> None:
    """Make the SQLite database at ``path`` (made empty if absent) and its side files
    readable by this user only: it holds password hashes and children's records.

    SQLite creates the WAL and shared-memory files with the database file's mode, so
    creating the file 0600 before SQLite does keeps them private too; an older install's
    files are tightened here.
    """
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for name in (path.name, *(path.name + side for side in SQLITE_SIDE_FILES)):
        with contextlib.suppress(FileNotFoundError):
            os.chmod(path.with_name(name), 0o600)


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


class GroupSync:
    """Group commit for SQLite: one fsync of the WAL makes every commit before it durable.

    SQLite's synchronous=FULL fsyncs the WAL inside every COMMIT while the
    writer holds the write lock, so writers queue behind the disk one fsync
    each. Instead, connections run synchronous=NORMAL (the WAL is written at
    COMMIT but not synced) and every writer, after its COMMIT and outside the
    write lock, waits here until an fsync of the WAL that began after its
    COMMIT has finished: one fsync covers all the commits made meanwhile.
    Nobody is answered before their write is on disk, as with FULL.
    """

    def __init__(self, wal_path: str) -> None:
        self.wal_path = wal_path
        self._count_lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self.committed = 0  # commits counted so far
        self.synced = 0  # commits known to be on disk
        self.fsyncs = 0  # fsyncs done (for tests and figures)
        self.local = threading.local()  # per thread: total_changes already made durable

    def ticket(self) -> int:
        """Count a commit that has just returned; return its number."""
        with self._count_lock:
            self.committed += 1
            return self.committed

    def wait(self, ticket: int) -> None:
        """Return once commit number ``ticket`` is on disk, fsyncing the WAL if need be."""
        if self.synced >= ticket:
            return
        with stepped_out():  # the disk, not the CPU: another request runs meanwhile
            self._wait_for_disk(ticket)

    def _wait_for_disk(self, ticket: int) -> None:
        with self._sync_lock:
            if self.synced >= ticket:
                return  # another thread's fsync covered it while we queued
            with self._count_lock:
                covered = self.committed  # their frames are written: this fsync covers them
            try:
                fd = os.open(self.wal_path, os.O_RDONLY)
            except FileNotFoundError:
                fd = None  # no WAL: the last close checkpointed it into the synced database
            if fd is not None:
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            self.fsyncs += 1
            self.synced = max(self.synced, covered)

    def barrier(self) -> None:
        """Make every commit so far durable (before data leaves the node)."""
        with self._count_lock:
            latest = self.committed
        self.wait(latest)

    def mark(self, connection: Any) -> None:
        """Remember this thread's connection's changes as durable."""
        self.local.changes = connection.total_changes

    def after_writes(self, connection: Any) -> None:
        """Make this thread's changes durable if it made any since ``mark``."""
        if connection.total_changes != getattr(self.local, "changes", None):
            self.wait(self.ticket())
            self.mark(connection)


class WriterLock:
    """One writer at a time on a SQLite database: a turn among this process's threads,
    then an flock among the node's serving processes (server.node.runner may run several).

    Without the flock, a writer of another process would meet SQLite's busy
    handler, which polls with sleeps of up to 100 ms and so makes it late.
    Turns go in the order writers asked for them: a plain lock lets whichever
    thread the scheduler wakes first take it, so one answer could wait through
    many others' writes while later ones went ahead (the class's slowest requests).
    """

    def __init__(self, lock_path: str | None) -> None:
        self.lock_path = lock_path  # None: one process only (an in-memory database)
        self._state = threading.Lock()  # guards _busy and _waiting
        self._busy = False  # a thread of this process has the turn
        self._waiting: deque[threading.Lock] = deque()  # one per waiting thread, in order
        self._fd: int | None = None
        self.waited = 0  # how many turns had to wait for another writer of this process

    def __enter__(self) -> None:
        self._take_turn()
        try:
            if self.lock_path is not None:
                if self._fd is None:
                    self._fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:  # another process's writer
                    with stepped_out():
                        fcntl.flock(self._fd, fcntl.LOCK_EX)  # waits with the GIL released
        except BaseException:
            self._pass_turn()
            raise

    def __exit__(self, *exc: object) -> None:
        try:
            if self.lock_path is not None and self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._pass_turn()

    def _take_turn(self) -> None:
        with self._state:
            if not self._busy:
                self._busy = True
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
            self.waited += 1
        with stepped_out():  # another writer of this process: let a reader run meanwhile
            turn.acquire()  # released by the thread that hands us the turn

    def _pass_turn(self) -> None:
        with self._state:
            if self._waiting:
                self._waiting.popleft().release()  # the turn passes on; still busy
            else:
                self._busy = False


def group_sync() -> GroupSync | None:
    """The bound database's group commit, if it uses one."""
    target = db.obj
    return getattr(target, "_baobab_group_sync", None)


def database_for(settings: dict[str, Any]) -> Database:
    """Make the (pooled) database the settings ask for, not yet connected."""
    url = settings.get("DATABASE_URL") or ""
    max_connections = int(settings.get("THREADS", 8)) + 8
    if not url:
        path = Path(settings["DATA_DIR"]) / SQLITE_FILE_NAME
        keep_private(path)
        synchronous = str(settings.get("SQLITE_SYNCHRONOUS", "FULL")).upper()
        grouped = synchronous == "FULL"  # FULL's promise, kept by group commit
        database = PooledSqliteDatabase(
            str(path),
            pragmas=sqlite_pragmas("NORMAL" if grouped else synchronous),
            max_connections=max_connections,
            stale_timeout=None,
            check_same_thread=False,
        )
        if grouped:
            database._baobab_group_sync = GroupSync(str(path) + "-wal")
        database._baobab_writer = WriterLock(str(path) + ".writelock")
        return database
    if url.startswith(("postgres://", "postgresql://")):
        url = url.replace("://", "+pool://", 1)
        return connect_url(url, max_connections=max_connections, stale_timeout=600)
    return connect_url(url)


@functools.cache
def _marks(count: int) -> tuple[str, ...]:
    """``count`` mark strings, each standing for one value of a compiled query."""
    return tuple(f"\x00mark{i}\x00" for i in range(count))


# (caller's key, database class) -> (SQL, its parameters with marks where the values go)
_COMPILED: dict[tuple[Any, type], tuple[str, list[Any]]] = {}


def run_compiled(key: Any, build: Callable[..., Any], *values: Any) -> Any:
    """Run the query ``build(*marks)`` makes with ``values`` for the marks; return the cursor.

    peewee compiles a query each time it runs, which for the small queries of a
    request costs more than SQLite takes to run them. For a query whose shape
    never changes, ``build`` gets a mark string in place of each value, the SQL
    is compiled once per ``key`` and database kind, and each run puts ``values``
    where the marks were. Only for values peewee passes on as they are (text, and
    numbers compared with plain SQL).
    """
    cache_key = (key, type(db.obj))
    compiled = _COMPILED.get(cache_key)
    if compiled is None:
        compiled = _COMPILED[cache_key] = build(*_marks(len(values))).sql()
    sql, template = compiled
    by_mark = dict(zip(_marks(len(values)), values))
    return db.execute_sql(sql, [by_mark.get(p, p) if isinstance(p, str) else p for p in template])


def model_from_row(model: Any, values: Sequence[Any]) -> Any:
    """A model instance from a row of all its columns, as peewee builds it (nothing dirty).

    Made as ``Model.__init__`` makes one, without a ``setattr`` through each field's
    accessor (our models have no foreign-key fields, whose accessors do more).
    """
    row = model.__new__(model)
    row.__data__ = {
        name: v if convert is None else convert(v)
        for (name, convert), v in zip(_row_plan(model), values)
    }
    row._dirty = set()
    row.__rel__ = {}
    return row


#: Fields whose values come from the database as Python wants them (the column's
#: affinity is the field's type, on SQLite as on PostgreSQL): no converter to call.
_AS_STORED = (CharField, TextField, IntegerField, BigIntegerField)


@functools.cache
def _row_plan(model: Any) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
    """Each column of ``model`` in order: its field's name and database-to-Python converter."""
    return tuple(
        (f.name, None if type(f) in _AS_STORED else f.python_value)
        for f in model._meta.sorted_fields
    )


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
        # Writers queue here rather than in SQLite's busy handler, which polls with
        # sleeps of up to 100 ms and so makes waiting writers late. One lock per
        # database (tests hold several in one process); setdefault is atomic.
        writer = target.__dict__.setdefault("_baobab_writer", WriterLock(None))
        syncer = getattr(target, "_baobab_group_sync", None)
        with writer:
            with target.atomic("IMMEDIATE"):
                yield
            ticket = syncer.ticket() if syncer is not None else 0
        if syncer is not None:
            # Outside the write lock: the next writer commits while we fsync.
            syncer.wait(ticket)
            if target._state.conn is not None:
                syncer.mark(target._state.conn)


#: WAL pages a bulk write lets accumulate before its commit checkpoints (~40 MB).
BULK_CHECKPOINT_PAGES = 10_000


@contextlib.contextmanager
def bulk_checkpoints(pages: int = BULK_CHECKPOINT_PAGES) -> Iterator[None]:
    """Let this connection's commits checkpoint the WAL less often while inside.

    A sync chunk of random ids dirties thousands of index pages; with SQLite's
    default (1,000 pages) every chunk's commit copies them all back into the
    database file, and the next chunk dirties most of the same pages again. Checkpointing
    every ``pages`` pages copies each page once for several chunks. The WAL file on
    disk grows to about that size; memory does not (readers find pages through the
    small wal-index). Nothing changes for PostgreSQL.
    """
    target = db.obj
    if not is_sqlite(target):
        yield
        return
    conn = target.connection()
    previous = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    conn.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA wal_autocheckpoint = {int(previous)}")


#: The first key of the advisory locks Baobab takes on PostgreSQL (the second names what).
ADVISORY_SPACE = 0xBA0B


@contextlib.contextmanager
def one_at_a_time(what: str) -> Iterator[None]:
    """Hold a lock named ``what`` across every process on this database, on this connection.

    PostgreSQL: a session advisory lock (several hub hosts starting at once migrate
    one after the other). SQLite: nothing more is needed (its writes are serialised).
    """
    if is_sqlite():
        yield
        return
    db.execute_sql("SELECT pg_advisory_lock(%s, hashtext(%s))", (ADVISORY_SPACE, what))
    try:
        yield
    finally:
        db.execute_sql("SELECT pg_advisory_unlock(%s, hashtext(%s))", (ADVISORY_SPACE, what))


@contextlib.contextmanager
def held_apart(what: str, number: int) -> Iterator[None]:
    """Hold lock (``what``, ``number``) across every host on this PostgreSQL database.

    On a connection of its own for as long as the block runs (a sync spans many
    transactions, and the pool may hand the caller's connection around): if this
    process dies, PostgreSQL drops the connection and the lock with it.
    """
    target = db.obj
    connection = PostgresqlDatabase._connect(target)  # not the pool's: ours alone
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext(%s), %s)", (what, int(number)))
        connection.commit()
        yield
        with connection.cursor() as cursor:  # now: closing lets it go only once the
            # server notices, a moment later
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s), %s)", (what, int(number)))
        connection.commit()
    finally:
        connection.close()
