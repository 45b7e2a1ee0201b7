"""The live class view: who is working on what now, and who needs help, with why.

Read from the last half hour of answers and attempts of the class's students. A
teacher's view polls every few seconds, so ``kept_view`` keeps that window per class
and reads only the rows added since the last poll: while the class works a poll costs
what the class did in those seconds, not the thousands of answers of the half hour.
A student *needs help* when, in that window:

- their last ``WRONG_STREAK`` or more answers on one skill were all wrong;
- their last answer used every hint of its question;
- they are mid-activity (answered, not finished) and have not answered for
  ``IDLE_AFTER_MS``.
"""

from __future__ import annotations

import threading
from bisect import insort
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from peewee import SQL, fn

from sync.hlc import wall_ms

from ..db import db
from ..models import Answer, Attempt, Classroom, Item
from .catalog import catalog, database_token
from .class_memo import KEPT, change_mark, tagged_body
from .heatmap import class_roster
from .schools import class_students

WINDOW_MS = 30 * 60 * 1000  # answers older than this say nothing about now
IDLE_AFTER_MS = 3 * 60 * 1000
WRONG_STREAK = 3
KEPT_MS = 5_000  # a kept view is made again after this long even if nothing was added
RECHECK_MS = 60_000  # and the window's rows counted against the tables after this long
_ANSWER_COLUMNS = (
    Answer.id,
    Answer.person_id,
    Answer.attempt_id,
    Answer.activity_id,
    Answer.item_id,
    Answer.correct,
    Answer.hints_used,
    Answer.device_ms,
    Answer.received_ms,
)


def _skill_of(cat: Any, activity_id: str) -> str | None:
    info = cat.activities.get(activity_id)
    return info.skill_ids[0] if info and info.skill_ids else None


def _help(answers: list[Any], cat: Any, hints: dict[str, int], mid: bool, now: int) -> list[dict]:
    """The reasons a student needs help now (newest answer last in ``answers``)."""
    reasons: list[dict[str, Any]] = []
    last = answers[-1]
    skill = _skill_of(cat, last[ACTIVITY])
    streak = 0
    for answer in reversed(answers):
        if answer[CORRECT] or _skill_of(cat, answer[ACTIVITY]) != skill:
            break
        streak += 1
    if skill and streak >= WRONG_STREAK:
        reasons.append({"reason": "wrong_streak", "count": streak, "skill_id": skill})
    if last[HINTS] and last[HINTS] >= hints.get(last[ITEM], 10**6):
        reasons.append({"reason": "all_hints", "count": last[HINTS], "skill_id": skill})
    idle = now - last[RECEIVED_MS]
    if mid and idle >= IDLE_AFTER_MS:
        reasons.append({"reason": "idle", "minutes": idle // 60000, "skill_id": skill})
    for reason in reasons:
        reason["skill_title"] = cat.titles.get(reason["skill_id"], {}) if reason["skill_id"] else {}
    return reasons


# The window's rows are plain tuples of plain values, read by position, not NamedTuples.
# A kept window holds every answer of a class's last half hour for as long as a teacher
# watches: tens of thousands in a busy lesson. The collector stops tracking a plain tuple
# of strings and numbers at its first collection but walks every tuple subclass at each
# full collection: 20,000 NamedTuples per class made those 24-73 ms pauses, six or seven
# a run of the bench's teachers, each stopping every request of the process.
_Answer = tuple  # (id, person, attempt, activity, item, correct, hints used, device ms, received ms)
ID, PERSON, ATTEMPT, ACTIVITY, ITEM, CORRECT, HINTS, DEVICE_MS, RECEIVED_MS = range(9)
_Attempt = tuple  # (id, person, activity, ended ms, received ms): ID and PERSON as above
ATTEMPT_ACTIVITY, ENDED_MS, ATTEMPT_RECEIVED_MS = 2, 3, 4


def _order(a: _Answer) -> tuple:
    """The view's order of answers."""
    return (a[RECEIVED_MS], a[DEVICE_MS], a[ID])


def _answers(where: Any) -> list[_Answer]:
    """The class's answers matching ``where``, as light tuples (compiled SQL, raw rows)."""
    sql, params = Answer.live(*_ANSWER_COLUMNS).where(where).sql()
    return [
        (i, p, t, a, it, bool(c), h, d, r) for i, p, t, a, it, c, h, d, r in db.execute_sql(sql, params)
    ]


def _attempts(where: Any) -> list[_Attempt]:
    columns = (Attempt.id, Attempt.person_id, Attempt.activity_id, Attempt.ended_ms)
    sql, params = Attempt.live(*columns, Attempt.received_ms).where(where).sql()
    return [tuple(row) for row in db.execute_sql(sql, params)]


def _counts(ids: list[str], since: int, marks: tuple) -> tuple[int, int]:
    """How many answers and attempts of these students the tables hold since ``since``,
    up to ``marks`` (rows stored after those are not in a window caught up to them)."""
    return tuple(
        model.live(fn.COUNT(SQL("*")))
        .where(
            model.person_id.in_(ids) & (model.received_ms >= since) & (SQL("rowid") <= (mark or 0))
        )
        .scalar()
        for model, mark in zip((Answer, Attempt), marks)
    )


def _gather(ids: list[str], since: int) -> tuple[dict[str, list], dict[str, list]]:
    """Every answer and attempt of the window, per student, in the view's order."""
    answers: dict[str, list[Any]] = {}
    for answer in sorted(
        _answers(Answer.person_id.in_(ids) & (Answer.received_ms >= since)), key=_order
    ):
        answers.setdefault(answer[PERSON], []).append(answer)
    finished: dict[str, list[Any]] = {}
    for attempt in _attempts(Attempt.person_id.in_(ids) & (Attempt.received_ms >= since)):
        finished.setdefault(attempt[PERSON], []).append(attempt)
    return answers, finished


def live_view(classroom: Classroom, now_ms: int | None = None) -> dict[str, Any]:
    """Each student of the class: working, idle or away; on what; why they need help."""
    now = now_ms if now_ms is not None else wall_ms()
    students = class_students(classroom)
    answers, finished = _gather([s.id for s in students], now - WINDOW_MS)
    return _view(classroom.id, students, answers, finished, now)


def _view(
    classroom_id: str,
    students: list[Any],
    answers: dict[str, list[Any]],
    finished: dict[str, list[Any]],
    now: int,
) -> dict[str, Any]:
    hinted = {a[-1][ITEM] for a in answers.values() if a and a[-1][HINTS]}
    hints = (
        {
            item.id: len(item.hints or [])
            for item in Item.select(Item.id, Item.hints).where(Item.id.in_(list(hinted)))
        }
        if hinted
        else {}
    )
    cat = catalog()
    rows = []
    for student in students:
        mine = answers.get(student.id)
        row: dict[str, Any] = {
            "id": student.id,
            "display_name": student.display_name,
            "state": "away",
            "activity_id": None,
            "activity_title": None,
            "last_answer_ms": None,
            "last_correct": None,
            "help": [],
        }
        if mine:
            last = mine[-1]
            ended = any(
                a[ID] == last[ATTEMPT]
                or (a[ATTEMPT_ACTIVITY] == last[ACTIVITY] and a[ENDED_MS] >= last[DEVICE_MS])
                for a in finished.get(student.id, [])
            )
            info = cat.activities.get(last[ACTIVITY])
            idle = now - last[RECEIVED_MS] >= IDLE_AFTER_MS
            row.update(
                state="away" if ended else ("idle" if idle else "working"),
                activity_id=None if ended else last[ACTIVITY],
                activity_title=None if ended or info is None else info.title,
                last_answer_ms=last[RECEIVED_MS],
                last_correct=last[CORRECT],
                help=_help(mine, cat, hints, not ended, now),
            )
        rows.append(row)
    needing = [r for r in rows if r["help"]]
    return {
        "classroom_id": classroom_id,
        "now_ms": now,
        "students": rows,
        "help_count": len(needing),
    }


# ---------------------------------------------------------------- kept between polls


class _Window:
    """A class's last half hour of answers and attempts, brought up to date by rowid.

    Rows are only ever added to the event tables (invariant 5) and a new row takes a
    rowid above every other on SQLite, so a poll reads only the rows added since the
    last one (``rowid > mark``, a range of the table's own b-tree) instead of the whole
    window again: the cost of a poll follows what the class did since, not the window.
    What rowids cannot show, a row removed (an erasure) or moved to another student
    (unclaimed work claimed), changes how many rows the tables hold for the window:
    every ``RECHECK_MS`` these are counted (``still_whole``), and only a difference
    has the window read whole again. Reading it whole took 100-150 ms of a serving
    process with a busy class's half hour in it (20,000 answers in `scripts/bench
    classroom`), and a teacher's poll runs alone in its process (server.node.gate).
    """

    def __init__(self, roster: tuple, marks: tuple, now: int) -> None:
        self.roster, self.marks, self.checked_ms = roster, marks, now
        self.ids = [s.id for s in roster]
        self.answers, self.finished = _gather(self.ids, now - WINDOW_MS)
        self.known = {a[ID] for mine in self.answers.values() for a in mine}
        self.body: Any = None
        self.etag = ""
        self.made_ms = 0

    def catch_up(self, marks: tuple, now: int) -> bool:
        """Add the rows stored since the last poll, drop those out of the window; say if any."""
        (answer_from, attempt_from), (answer_to, attempt_to) = self.marks, marks
        self.marks = marks
        since = now - WINDOW_MS
        changed = False
        if answer_to != answer_from:
            rowid = SQL("rowid")
            new = _answers(
                (rowid > (answer_from or 0))
                & (rowid <= answer_to)
                & Answer.person_id.in_(self.ids)
                & (Answer.received_ms >= since)
            )
            for answer in new:
                mine = self.answers.setdefault(answer[PERSON], [])
                if answer[ID] in self.known:  # a row stored again (sync) has a new rowid
                    mine[:] = [a for a in mine if a[ID] != answer[ID]]
                self.known.add(answer[ID])
                insort(mine, answer, key=_order)  # nearly always at the end
            changed = bool(new)
        if attempt_to != attempt_from:
            rowid = SQL("rowid")
            new_attempts = _attempts(
                (rowid > (attempt_from or 0))
                & (rowid <= attempt_to)
                & Attempt.person_id.in_(self.ids)
                & (Attempt.received_ms >= since)
            )
            for attempt in new_attempts:
                kept = self.finished.setdefault(attempt[PERSON], [])
                kept[:] = [a for a in kept if a[ID] != attempt[ID]] + [attempt]
            changed = changed or bool(new_attempts)
        for person_id, mine in self.answers.items():
            if mine and mine[0][RECEIVED_MS] < since:
                self.answers[person_id] = [a for a in mine if a[RECEIVED_MS] >= since]
                self.known.difference_update(a[ID] for a in mine if a[RECEIVED_MS] < since)
                changed = True
        for person_id, kept in self.finished.items():
            if kept and min(a[ATTEMPT_RECEIVED_MS] for a in kept) < since:
                self.finished[person_id] = [a for a in kept if a[ATTEMPT_RECEIVED_MS] >= since]
        return changed

    def still_whole(self, now: int) -> bool:
        """Whether the window, caught up at ``now``, holds as many rows as the tables do."""
        held = (
            sum(len(mine) for mine in self.answers.values()),
            sum(len(kept) for kept in self.finished.values()),
        )
        if _counts(self.ids, now - WINDOW_MS, self.marks) != held:
            return False
        self.checked_ms = now
        return True


_windows: OrderedDict[tuple, _Window] = OrderedDict()
_windows_lock = threading.Lock()
_class_locks: dict[tuple, threading.Lock] = {}


def kept_view(
    classroom: Classroom, now: int, dumps: Callable[[dict[str, Any]], str]
) -> tuple[bytes, str]:
    """The live view's JSON bytes (``dumps``) and their ETag, made again only when needed.

    Made again when an answer or attempt of the class's students was added since the
    last poll, or the view is ``KEPT_MS`` old (idle minutes, and the roster: a student
    joining or renamed shows within that); otherwise the same bytes.
    The tag says what the view says, not when it was made, so a view made again
    unchanged, or by another serving process, still answers If-None-Match with a 304.
    The window is read whole at the first poll, when the roster changed, and when
    its rows no longer add up (``_Window.still_whole``, every ``RECHECK_MS``); off
    SQLite (no rowid to follow) the view is made every time.
    """
    marks = change_mark((Answer, Attempt))
    if marks is None:
        return tagged_body(live_view(classroom, now), dumps)
    slot = (database_token(), classroom.id)
    with _windows_lock:
        lock = _class_locks.setdefault(slot, threading.Lock())
    with lock:  # five teachers of one class: one of them makes it, the others reuse it
        with _windows_lock:
            window = _windows.get(slot)
        young = window is not None and 0 <= now - window.made_ms < KEPT_MS
        if young and window.marks == marks:  # nothing added anywhere: the kept bytes
            return window.body, window.etag
        checked = window is not None and 0 <= now - window.checked_ms < RECHECK_MS
        if young and checked and not window.catch_up(marks, now):
            return window.body, window.etag  # others' rows only (roster: at the next remake)
        roster = tuple(class_roster(classroom.id))
        if window is not None and window.roster == roster:
            window.catch_up(marks, now)
            if not checked and not window.still_whole(now):
                window = None  # a row removed or moved: read the window whole again
        if window is None or window.roster != roster:
            window = _Window(roster, marks, now)
            with _windows_lock:
                _windows[slot] = window
                _windows.move_to_end(slot)
                while len(_windows) > KEPT:
                    gone, _ = _windows.popitem(last=False)
                    _class_locks.pop(gone, None)
        view = _view(classroom.id, list(roster), window.answers, window.finished, now)
        window.body, window.etag = tagged_body(view, dumps)
        window.made_ms = now
        return window.body, window.etag
