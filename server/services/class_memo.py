"""Class views kept between polls while nothing they read has changed.

A teacher's live view and mastery heatmap are polled every few seconds by up to five
teachers while the class works. What they show depends on the class's students, the
content, the time, and the students' events; events are immutable and only ever
added (invariant 5), and a new row always takes a rowid above every other on SQLite
(no AUTOINCREMENT gaps are reused while the largest is kept), so the largest rowid of
each event table says in one index lookup whether anything was added anywhere, and
the rows between two marks (a rowid range) whether any of them is of the class's
students. A view is made again when one of its students added a row, when the
students changed (names, who is in the class), or when it is older than its
``max_age_ms`` (the time-dependent parts: decay, new content). ``body_tag`` names the
kept bytes for HTTP revalidation (ETag, 304).

Derived numbers are never stored or synced (invariant 7): this is memory of one
process, for one database. On PostgreSQL (the hub, several processes) the mark is
None and views are made every time, from the per-student event caches.
"""

from __future__ import annotations

import hashlib
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


def body_tag(body: bytes) -> str:
    """The entity tag of a view's bytes (an HTTP ETag, without its quotes)."""
    return hashlib.blake2b(body, digest_size=12).hexdigest()


def tagged_body(view: dict[str, Any], dumps: Callable[[Any], str]) -> tuple[bytes, str]:
    """A view's JSON bytes and a tag of all of it but the moment it was made (``now_ms``).

    Each serving process makes its own copy of a view, at its own moment: tagged by
    what it says, the copies answer a teacher's If-None-Match alike, whichever process
    the browser's connection reaches, and a view made again unchanged is still a 304.
    """
    text = dumps({**view, "now_ms": 0})
    tag = body_tag(text.encode())
    # A string value's quotes are escaped in JSON: this text is the top-level key only.
    made = text.replace('"now_ms": 0', f'"now_ms": {int(view["now_ms"])}', 1)
    if made == text and view["now_ms"]:  # another separator style: tag the real bytes
        made = dumps(view)
        tag = body_tag(made.encode())
    return made.encode(), tag


def added_for(
    models: Sequence[type[ReplicatedModel]], since: tuple, until: tuple, person_ids: Sequence[str]
) -> bool:
    """Whether a row of one of ``person_ids`` was added between two marks (SQLite only).

    Reads only the rows added meanwhile (a rowid range of each table), whoever they are
    of: what the rest of the school did since costs this little, and it costs nothing
    when the marks are equal.
    """
    for model, low, high in zip(models, since, until):
        if low == high or not person_ids:
            continue
        marks = ", ".join("?" for _ in person_ids)
        sql = (
            f'SELECT 1 FROM "{model._meta.table_name}" WHERE rowid > ? AND rowid <= ?'
            f" AND person_id IN ({marks}) LIMIT 1"
        )
        if db.execute_sql(sql, [low or 0, high, *person_ids]).fetchone():
            return True
    return False


class ClassMemo:
    """The last view made per class, reused while its key holds and it is young enough."""

    def __init__(self, models: Sequence[type[ReplicatedModel]], max_age_ms: int) -> None:
        self.models, self.max_age_ms = tuple(models), max_age_ms
        self.views: OrderedDict[tuple, tuple[tuple, int, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def get(
        self,
        classroom_id: str,
        key: tuple,
        now_ms: int,
        make: Callable[[], Any],
        person_ids: Sequence[str] = (),
    ) -> Any:
        """The kept view of the class when ``key`` still holds, it is young enough and no
        row was added since (of ``person_ids`` when given, else of anyone); else ``make()``."""
        mark = change_mark(self.models)
        if mark is None:
            return make()
        slot = (database_token(), classroom_id)
        with self.lock:
            kept = self.views.get(slot)
        if kept is not None and kept[0][1] == key and 0 <= now_ms - kept[1] < self.max_age_ms:
            if kept[0][0] == mark:
                return kept[2]
            if person_ids and not added_for(self.models, kept[0][0], mark, person_ids):
                with self.lock:  # other classes' answers: the view still holds, up to here
                    self.views[slot] = ((mark, key), kept[1], kept[2])
                return kept[2]
        view = make()
        with self.lock:
            self.views[slot] = ((mark, key), now_ms, view)
            self.views.move_to_end(slot)
            while len(self.views) > KEPT:
                self.views.popitem(last=False)
        return view

    def clear(self) -> None:
        """Forget every kept view (tests)."""
        with self.lock:
            self.views.clear()
