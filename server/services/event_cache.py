"""Per-student summaries of an event table, kept between calls and extended with new rows.

Events (answers, attempts) are immutable: never updated, never removed (invariant 5),
so a student's rows only grow, and the same number of rows means the same events.
Counting them reads the person index alone, not the rows. When the count grew, the
new rows are read (on SQLite, those past the largest rowid seen, through the same
index) and handed to ``extend`` when there are exactly as many as the count grew;
otherwise (rowids renumbered by a VACUUM; PostgreSQL, which has no rowid) or when
``extend`` declines, everything is read again and summarised by ``start``. A wrong
guess of where the new rows are costs time, never correctness: the summary always
equals one made from all the rows (tests compare them).

``get_many`` does the same for a whole class in a few statements (the counts, the new
rows, the rows of those read afresh), whatever the class's size: a teacher's heatmap is
polled every few seconds, and one count per student made each poll's cost grow with
the class. Counting still read every index entry of the class's answers, so a poll
grew with the lesson (5 ms at 40,000 answers, three times more by the end of a
bench), while a class works and every poll finds new rows. So on SQLite, for
``RECOUNT_S`` after a class's summaries were counted, ``get_many`` reads only the
rows between each summary's mark and the table's largest rowid (a new row always
takes a rowid above every row committed before it: one writer at a time), and counts
again after that, which is what notices a row removed.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from peewee import SQL, Field, fn

from ..db import db, is_sqlite, run_compiled
from ..models.base import ReplicatedModel

S = TypeVar("S")
CACHED_STUDENTS = 512
#: How long ``get_many`` trusts new rowids alone before it counts a student's rows again.
RECOUNT_S = 60.0


@dataclass(frozen=True)
class _Entry(Generic[S]):
    key: object  # what the summary also depends on (the same object, or start again)
    rows: int  # the student's rows summarised, tombstones too
    mark: int  # every row of the student up to this SQLite rowid is summarised (0 elsewhere)
    summary: S
    counted: float = float("-inf")  # when ``rows`` was last checked by a count (monotonic)


class EventCache(Generic[S]):
    """Summaries of students' rows of ``model``; ``columns`` are what the summary reads.

    ``start(rows, key)`` summarises all of a student's live rows; ``extend(summary,
    rows, key)`` adds newer ones without changing ``summary`` (other threads may hold
    it), or returns None when it cannot (then ``start`` runs on all rows).
    """

    def __init__(
        self,
        model: type[ReplicatedModel],
        columns: Sequence[Field],
        start: Callable[[list[tuple], Any], S],
        extend: Callable[[S, list[tuple], Any], S | None],
        size: int = CACHED_STUDENTS,
    ) -> None:
        self.model, self.columns, self.start, self.extend = model, tuple(columns), start, extend
        self.size = size
        self.entries: OrderedDict[str, _Entry[S]] = OrderedDict()
        self.lock = threading.Lock()

    def _rows(self, person_id: str, after: int | None) -> list[tuple]:
        """The student's rows as ``columns`` + (deleted, rowid); only past rowid ``after``."""
        model = self.model

        def build(person_id: str, *after: Any) -> Any:
            rowid = SQL("rowid" if is_sqlite() else "0")
            query = model.select(*self.columns, model.deleted, rowid)
            query = query.where(model.person_id == person_id)
            return query.where(SQL("rowid") > after[0]) if after else query

        # The plain cursor: peewee's row conversion would cost more than the summary.
        values = (person_id,) if after is None else (person_id, after)
        return list(run_compiled(("event-rows", self, len(values)), build, *values))

    def _fresh(self, person_id: str, key: object) -> _Entry[S]:
        raw = self._rows(person_id, None)
        mark = max((r[-1] for r in raw), default=0)
        return _Entry(key, len(raw), mark, self.start(_live(raw), key))

    def _current(self, person_id: str, key: object, entry: _Entry[S] | None) -> _Entry[S]:
        model = self.model
        # Every row, tombstones too: COUNT(*) on the person index, no row read.
        count = run_compiled(
            ("event-count", model),
            lambda mark: model.select(fn.COUNT(SQL("*"))).where(model.person_id == mark),
            person_id,
        ).fetchone()[0]
        if entry is None or entry.key is not key or entry.rows > count:
            return self._fresh(person_id, key)
        if entry.rows == count:
            return entry
        if is_sqlite():
            raw = self._rows(person_id, entry.mark)
            if entry.rows + len(raw) == count:
                summary = self.extend(entry.summary, _live(raw), key)
                if summary is not None:
                    return _Entry(key, count, max(entry.mark, *(r[-1] for r in raw)), summary)
        return self._fresh(person_id, key)

    def _rows_of(self, person_ids: list[str], after: int | None) -> dict[str, list[tuple]]:
        """``_rows`` of several students in one statement (past rowid ``after``), per student."""
        model = self.model
        if not person_ids:
            return {}
        rowid = SQL("rowid" if is_sqlite() else "0")
        query = model.select(*self.columns, model.deleted, rowid, model.person_id)
        query = query.where(model.person_id.in_(person_ids))
        if after is not None:
            query = query.where(SQL("rowid") > after)
        found: dict[str, list[tuple]] = {}
        for row in db.execute_sql(*query.sql()):
            found.setdefault(row[-1], []).append(row[:-1])
        return found

    def _rows_between(self, person_ids: list[str], low: int, high: int) -> dict[str, list[tuple]]:
        """``_rows_of`` for rowids in ``(low, high]`` only, per student."""
        model = self.model
        query = model.select(*self.columns, model.deleted, SQL("rowid"), model.person_id)
        query = query.where(
            model.person_id.in_(person_ids) & (SQL("rowid") > low) & (SQL("rowid") <= high)
        )
        found: dict[str, list[tuple]] = {}
        for row in db.execute_sql(*query.sql()):
            found.setdefault(row[-1], []).append(row[:-1])
        return found

    def get_many(self, person_ids: list[str], key: object) -> dict[str, S]:
        """Each student's summary now, as ``get`` makes it, in a few statements."""
        ids = list(dict.fromkeys(person_ids))
        if not ids:
            return {}
        with self.lock:
            entries = {p: self.entries.get(p) for p in ids}
        now = time.monotonic()
        ranged = (
            [
                p for p in ids
                if (e := entries[p]) is not None and e.key is key and now - e.counted < RECOUNT_S
            ]
            if is_sqlite()
            else []
        )  # fmt: skip
        done = self._extend_ranged(ranged, entries, key) if ranged else {}
        counted = [p for p in ids if p not in done]
        if counted:
            done.update(self._counted_many(counted, entries, key, now))
        with self.lock:
            for p in ids:
                self.entries[p] = done[p]
                self.entries.move_to_end(p)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return {p: done[p].summary for p in ids}

    def _extend_ranged(
        self, ids: list[str], entries: dict[str, _Entry[S] | None], key: object
    ) -> dict[str, _Entry[S]]:
        """The summaries of ``ids`` extended with their rows past their marks, counted by
        nobody: up to the table's largest rowid now, read first (rows committed after it
        take larger rowids, and are left for the next call). A student whose summary
        cannot be extended is left out, for the counted path."""
        table = self.model._meta.table_name
        top = db.execute_sql(f'SELECT MAX(rowid) FROM "{table}"').fetchone()[0] or 0
        marks = {p: entries[p].mark for p in ids}  # type: ignore[union-attr]
        low = min(marks.values())
        new = self._rows_between(ids, low, top) if top > low else {}
        done: dict[str, _Entry[S]] = {}
        for p in ids:
            entry = entries[p]
            assert entry is not None
            raw = [r for r in new.get(p, []) if r[-1] > entry.mark]
            if not raw:
                done[p] = _Entry(key, entry.rows, max(entry.mark, top), entry.summary, entry.counted)
                continue
            summary = self.extend(entry.summary, _live(raw), key)
            if summary is not None:
                rows = entry.rows + len(raw)
                done[p] = _Entry(key, rows, max(entry.mark, top), summary, entry.counted)
        return done

    def _counted_many(
        self, ids: list[str], entries: dict[str, _Entry[S] | None], key: object, now: float
    ) -> dict[str, _Entry[S]]:
        """The summaries of ``ids`` after counting their rows (at most three statements)."""
        model = self.model
        query = model.select(model.person_id, fn.COUNT(SQL("*")))
        query = query.where(model.person_id.in_(ids)).group_by(model.person_id)
        counts = dict(db.execute_sql(*query.sql()).fetchall())
        done: dict[str, _Entry[S]] = {}
        grown: list[str] = []
        fresh: list[str] = []
        for p in ids:
            entry, count = entries[p], counts.get(p, 0)
            if entry is None or entry.key is not key or entry.rows > count:
                fresh.append(p)
            elif entry.rows == count:
                done[p] = _Entry(key, entry.rows, entry.mark, entry.summary, now)
            else:
                (grown if is_sqlite() else fresh).append(p)
        if grown:  # the new rows of all of them, from the lowest of their marks
            low = min(entries[p].mark for p in grown)  # type: ignore[union-attr]
            new = self._rows_of(grown, low)
            for p in grown:
                entry = entries[p]
                assert entry is not None
                raw = [r for r in new.get(p, []) if r[-1] > entry.mark]
                summary = (
                    self.extend(entry.summary, _live(raw), key)
                    if raw and entry.rows + len(raw) == counts[p]
                    else None
                )
                if summary is None:
                    fresh.append(p)
                else:
                    mark = max(entry.mark, *(r[-1] for r in raw))
                    done[p] = _Entry(key, counts[p], mark, summary, now)
        whole = self._rows_of(fresh, None)
        for p in fresh:
            raw = whole.get(p, [])
            mark = max((r[-1] for r in raw), default=0)
            done[p] = _Entry(key, len(raw), mark, self.start(_live(raw), key), now)
        return done

    def get(self, person_id: str, key: object) -> S:
        """The student's summary now: the cached one, extended, or made afresh."""
        with self.lock:
            entry = self.entries.get(person_id)
        entry = self._current(person_id, key, entry)
        with self.lock:
            self.entries[person_id] = entry
            self.entries.move_to_end(person_id)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return entry.summary


def _live(raw: list[tuple]) -> list[tuple]:
    """Rows without their tombstones, as the ``columns`` asked for."""
    return [row[:-2] for row in raw if not row[-2]]
