"""What a student's home reads from tables their own work does not change, kept per process.

A home read the student's classes, groups, assignments, profile, goals and teachers'
words on every request (six statements or more), although answers and attempts, nearly all
of a class's writes, touch none of those tables. Triggers (migration 0024, and 0025 for
the groups' own table: their names) raise one number, ``home_version.changes``, in the
transaction of every insert, update or delete of them, by whatever writes it (an edit, a
roster import, a sync, an erasure, another process): a value is kept per person under
that number and the content's (``content_version``: an assigned skill's activities), read
together in one statement before anything is loaded, so a value kept is never older than
the numbers it is kept under. Without the row (on PostgreSQL, or a database made from
the models), or inside a transaction, nothing is kept. Callers must not change the values
they get.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from ..db import db
from .catalog import database_token

T = TypeVar("T")

#: The tables migration 0024's triggers follow.
TABLES = (
    "person",
    "enrollment",
    "group_member",
    "assignment",
    "learner_profile",
    "goal",
    "feedback",
    "learning_group",  # migration 0025: a group renamed or dissolved
)

#: At most this many values kept (a school's students, a few each): the oldest go first.
KEEP_AT_MOST = 8192

_VERSIONS = (
    'SELECT "h"."changes", "c"."changes" FROM "home_version" AS "h", "content_version" AS "c" '
    'WHERE "h"."id" = 1 AND "c"."id" = 1'
)

# database token -> (versions, key -> value), this process's
_kept: dict[str, tuple[tuple[int, int], dict[Any, Any]]] = {}
_lock = threading.Lock()


class Kept:
    """The values kept under the versions read when this was made (one statement)."""

    def __init__(self) -> None:
        self._values: dict[Any, Any] | None = None
        if db.in_transaction():
            # Its own writes raise the number before they commit: were it rolled back,
            # what it read would be kept under a number a later change could take.
            return
        row = db.execute_sql(_VERSIONS).fetchone()
        if row is None:
            return  # no promise of triggers: load every time
        token, versions = database_token(), (row[0], row[1])
        with _lock:
            cached = _kept.get(token)
            if cached is None or cached[0] != versions:
                _kept.clear()  # one database's, one version's
                cached = _kept[token] = (versions, {})
        self._values = cached[1]

    def get(self, key: Any, load: Callable[[], T]) -> T:
        """``load()``'s value for ``key``: kept from an earlier request, or loaded now."""
        values = self._values
        if values is None:
            return load()
        with _lock:
            if key in values:
                return values[key]
        value = load()
        with _lock:
            # Only into the current versions' values (else a newer version came meanwhile).
            if any(v is values for _, v in _kept.values()):
                if len(values) >= KEEP_AT_MOST:
                    values.pop(next(iter(values)))
                values[key] = value
        return value
