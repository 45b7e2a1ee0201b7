"""Interned names: partition names and node ids stored as this database's small integers.

Every replicated row carries its partition (``school:<id>``, ~30 characters)
and its origin node id (~16): as text they were a fifth of an answer event's
bytes. The ``sync_name`` table (local, never replicated) gives each name a code
made by this database; the rows store the code. Codes never leave the node: the
wire, bundles and history carry names.

Codes are cached per database, and only once committed: a name inserted in a
transaction that rolls back (or in a savepoint rolled back inside one) must not
stay cached with a code that no longer exists, and another process (several
waitress processes share one SQLite file; hub processes one PostgreSQL) may give
the next code to another name. Get-or-create is ``INSERT ... ON CONFLICT DO
NOTHING`` then ``SELECT``, so racing processes agree on one code.
"""

from __future__ import annotations

import threading
from typing import Any

from . import db, is_sqlite, write_transaction

TABLE = "sync_name"
MAX_LENGTH = 100  # the longest partition name or node id a row may carry


class UnknownCode(LookupError):
    """Raised when a row holds a code this database has no name for (a damaged file)."""


class _Codes:
    """The committed codes of one database, both ways."""

    def __init__(self) -> None:
        self.code_of: dict[str, int] = {}
        self.name_of: dict[int, str] = {}
        self.lock = threading.Lock()

    def remember(self, name: str, code: int) -> None:
        with self.lock:
            self.code_of[name] = code
            self.name_of[code] = name


def _codes() -> _Codes:
    """This database's cache (tests and benchmarks hold several databases in one process)."""
    target = db.obj
    found = target.__dict__.get("_baobab_names")
    if found is None:
        found = target.__dict__.setdefault("_baobab_names", _Codes())  # setdefault is atomic
    return found


def _select_code(name: str) -> int | None:
    row = db.execute_sql(f"SELECT id FROM {TABLE} WHERE name = {db.param}", (name,)).fetchone()
    return None if row is None else int(row[0])


def _learned(codes: _Codes, name: str, code: int) -> None:
    """Cache a code read on this connection, at once if it is committed, else at commit."""
    if not db.obj.in_transaction():
        codes.remember(name, code)  # autocommit: what we read is committed
        return

    def confirm() -> None:
        # Runs after the outermost commit. A savepoint rolled back inside the
        # transaction may have taken the row with it: read it again, committed now.
        try:
            if _select_code(name) == code:
                codes.remember(name, code)
        except Exception:  # noqa: BLE001 - a cache miss later is harmless
            pass

    db.obj.after_commit(confirm)


def check_name(name: Any) -> str:
    """Return ``name`` if a row may carry it as a partition or origin; raise ValueError if not."""
    if type(name) is not str or not name or len(name) > MAX_LENGTH:
        raise ValueError(f"a partition or origin is a string of 1 to {MAX_LENGTH} characters")
    return name


def find(name: str) -> int | None:
    """The code of ``name``, or None if this database has none (never creates one)."""
    codes = _codes()
    code = codes.code_of.get(name)
    if code is None:
        code = _select_code(name)
        if code is not None:
            _learned(codes, name, code)
    return code


def code(name: str) -> int:
    """The code of ``name``, made if this database has none yet."""
    codes = _codes()
    found = codes.code_of.get(name)
    if found is not None:
        return found
    found = _select_code(name)
    if found is not None:
        _learned(codes, name, found)
        return found
    check_name(name)
    if not db.obj.in_transaction():
        with write_transaction():  # a short transaction of its own
            found = _insert_select(name)
    elif not is_sqlite():
        # PostgreSQL: a short transaction on a connection of its own, so the caller's
        # transaction never holds the name's unique key (other processes would wait
        # on it, or deadlock when two transactions make two names in turn).
        found = _made_apart(name)
    else:
        # SQLite: the caller's transaction holds the write lock, so no other
        # connection could write; the name lives or dies with the rows using it.
        found = _insert_select(name)
        _learned(codes, name, found)
        return found
    codes.remember(name, found)  # committed (or raced in by another process: the same)
    return found


def _insert_select(name: str) -> int:
    insert = f"INSERT INTO {TABLE} (name) VALUES ({db.param}) ON CONFLICT (name) DO NOTHING"
    db.execute_sql(insert, (name,))
    found = _select_code(name)
    if found is None:
        raise UnknownCode(f"{name!r} was made but cannot be read back")
    return found


def _made_apart(name: str) -> int:
    """Make ``name`` in a transaction of its own, on another thread's connection."""
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            with db.obj.connection_context(), db.obj.atomic():
                outcome["code"] = _insert_select(name)
        except Exception as exc:  # noqa: BLE001 - raised again in the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="baobab-name")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["code"]


def name(code_: int) -> str:
    """The name of a code of this database."""
    codes_ = _codes()
    found = codes_.name_of.get(code_)
    if found is not None:
        return found
    row = db.execute_sql(f"SELECT name FROM {TABLE} WHERE id = {db.param}", (code_,)).fetchone()
    if row is None:
        raise UnknownCode(f"no name has code {code_} in this database")
    _learned(codes_, row[0], int(code_))
    return row[0]
