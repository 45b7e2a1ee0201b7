"""Class views kept between polls while nothing they read has changed.

A teacher's live view and mastery heatmap are polled every few seconds by up to five
teachers while the class works. What they show depends on the class's students, the
content, the time, and the students' events; events are immutable and only ever
added (invariant 5), and a new row always takes a rowid above every other on SQLite
(no AUTOINCREMENT gaps are reused while the largest is kept), so the largest rowid of
each event table says in one index lookup whether anything was added anywhere. A
view is made again when that mark moved, when the students changed (names, who is in
the class), when the content snapshot changed, or when it is older than its
``max_age_ms`` (the time-dependent parts: decay, idle minutes).

Derived numbers are never stored or synced (invariant 7): this is memory of one
process, for one database. On PostgreSQL (the hub, several processes) the mark is
None and views are made every time, from the per-student event caches.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from ..db import db, is_sqlite
from ..models.base import ReplicatedModel
from .catalog import database_token

KEPT = 256  # class views kept per kind, least recently used dropped


def change_mark(models: Sequence[type[ReplicatedModel]]) -> tuple | None:
    """The largest rowid of each table (one index lookup each), or None off SQLite."""
    if not is_sqlite():
        return None
    parts = ", ".join(f'(SELECT MAX(rowid) FROM "{m._meta.table_name}")' for m in models)
    return tuple(db.execute_sql(f"SELECT {parts}").fetchone())


class ClassMemo:
    """The last view made per class, reused while its key holds and it is young enough."""

    def __init__(self, models: Sequence[type[ReplicatedModel]], max_age_ms: int) -> None:
        self.models, self.max_age_ms = tuple(models), max_age_ms
        self.views: OrderedDict[tuple, tuple[tuple, int, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, classroom_id: str, key: tuple, now_ms: int, make: Callable[[], Any]) -> Any:
        """The kept view of the class when ``key`` (and the mark) still hold, else ``make()``."""
        mark = change_mark(self.models)
        if mark is None:
            return make()
        slot = (database_token(), classroom_id)
        full = (mark, key)
        with self.lock:
            kept = self.views.get(slot)
        if kept is not None and kept[0] == full and 0 <= now_ms - kept[1] < self.max_age_ms:
            return kept[2]
        view = make()
        with self.lock:
            self.views[slot] = (full, now_ms, view)
            self.views.move_to_end(slot)
            while len(self.views) > KEPT:
                self.views.popitem(last=False)
        return view

    def clear(self) -> None:
        """Forget every kept view (tests)."""
        with self.lock:
            self.views.clear()
