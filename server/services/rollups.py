"""The district dashboard's rollups, folded from the events as they arrive.

Each (partition, origin) has a mark: the highest counter of that origin folded so
far. Folding reads the answers and attempts past the mark (the stamp index,
``partition, origin, counter``), adds them to small summary tables keyed by
school, class, day, skill and activity, and moves the mark, in one transaction.
The hub folds inside the write transaction that applies a sync chunk
(``NodeStore.save_vector``), so the rollups are as current as the data;
``refresh`` folds whatever is left (events written before the rollups existed,
or on this node itself). A page view then reads rollup rows, never events.

Rows of a school count once in the school's row (``classroom_id`` empty) and
once in each class the student is enrolled in when the row is folded.
Mastery is a knowledge-tracing estimate run over each student's answers in
the order they reached the hub: the district's view, close to but not always
equal to a classroom's (which orders by the device's time).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sync.stamp import school_partition

from ..db import db, is_sqlite, names, write_transaction
from ..learning.tracing import MASTERY_THRESHOLD, BktParams, params_from_pack, update
from ..models import (
    ActivitySkill,
    Enrollment,
    LocalNode,
    RollupMastery,
    Skill,
    SyncVector,
)

#: Rows read per origin and table in one fold step (bounded memory on a first catch-up).
FOLD_BATCH = 20_000
_SCHOOL = "school:"


def day_of(ms: int) -> str:
    """The UTC day of a time in milliseconds, as YYYY-MM-DD."""
    moment = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%d")


def fold(partition: str, origins: Iterable[str]) -> int:
    """Fold the new events of these origins in a school's partition; return how many.

    Runs in the caller's write transaction (or its own). The mark row is locked
    first, so two processes folding the same origin count each event once.
    """
    if not partition.startswith(_SCHOOL):
        return 0
    code = names.find(partition)
    if code is None:
        return 0
    folded = 0
    with write_transaction():
        for origin in sorted(set(origins)):
            origin_code = names.find(origin)
            while origin_code is not None:  # bounded steps until the origin is caught up
                step = _fold_origin(partition, code, origin, origin_code)
                folded += step
                if not step:
                    break
    return folded


def refresh() -> int:
    """Fold every event not yet folded, of every origin this node knows; return how many."""
    pairs: dict[str, set[str]] = defaultdict(set)
    for row in SyncVector.select(SyncVector.partition, SyncVector.origin):
        pairs[row.partition].add(row.origin)
    me = LocalNode.get()
    if me.school_id:
        pairs[school_partition(me.school_id)].add(me.node_id)
    for partition in list(pairs):
        pairs[partition].add(me.node_id)
    total = 0
    for partition, origins in sorted(pairs.items()):
        for origin in sorted(origins):  # one transaction per origin: locks are held briefly
            total += fold(partition, [origin])
    return total


def _fold_origin(partition: str, code: int, origin: str, origin_code: int) -> int:
    p = db.param
    db.execute_sql(
        f'INSERT INTO "rollup_mark" ("partition", "origin", "counter") VALUES ({p}, {p}, 0) '
        'ON CONFLICT ("partition", "origin") DO NOTHING',
        (partition, origin),
    )
    lock = "" if is_sqlite() else " FOR UPDATE"
    mark = db.execute_sql(
        f'SELECT "counter" FROM "rollup_mark" WHERE "partition" = {p} AND "origin" = {p}{lock}',
        (partition, origin),
    ).fetchone()[0]
    where = f'WHERE "partition" = {p} AND "origin" = {p} AND "counter" > {p} ORDER BY "counter"'
    answers = db.execute_sql(
        'SELECT "person_id", "activity_id", "correct", "received_ms", "counter" '
        f'FROM "answer" {where} LIMIT {FOLD_BATCH}',
        (code, origin_code, mark),
    ).fetchall()
    attempts = db.execute_sql(
        'SELECT "person_id", "activity_id", "completed", "started_ms", "ended_ms", '
        f'"received_ms", "counter" FROM "attempt" {where} LIMIT {FOLD_BATCH}',
        (code, origin_code, mark),
    ).fetchall()
    if not answers and not attempts:
        return 0
    # A full batch may stop short of the other table's rows: fold both up to the lower end.
    ends = [rows[-1][-1] for rows in (answers, attempts) if len(rows) == FOLD_BATCH]
    top = min(ends) if ends else max(r[-1] for r in (*answers, *attempts))
    answers = [r for r in answers if r[-1] <= top]
    attempts = [r for r in attempts if r[-1] <= top]
    _Fold(partition[len(_SCHOOL) :]).run(answers, attempts)
    db.execute_sql(
        f'UPDATE "rollup_mark" SET "counter" = {p} WHERE "partition" = {p} AND "origin" = {p}',
        (top, partition, origin),
    )
    return len(answers) + len(attempts)


class _Days(dict):
    """``day_of`` remembered per whole UTC day: one date conversion per day, not per row."""

    def __call__(self, ms: int) -> str:
        key = ms // 86_400_000
        found = self.get(key)
        if found is None:
            found = self[key] = day_of(ms)
        return found


class _Fold:
    """One step's sums for one school, written as increments."""

    def __init__(self, school_id: str) -> None:
        self.school_id = school_id
        self.days: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.active: set[tuple[str, str, str]] = set()  # class, day, person
        self.skills: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.content: dict[tuple[str, str], dict[str, float]] = defaultdict(
            lambda: defaultdict(float)
        )

    def run(self, answers: list[tuple], attempts: list[tuple]) -> None:
        """Add these rows to the rollups."""
        people = {r[0] for r in answers} | {r[0] for r in attempts}
        classes = _classes_of(people)
        skills_of = _skills_of({r[1] for r in answers})
        scopes_of = {person: ("", *classes.get(person, ())) for person in people}
        day_at = _Days()
        for person, activity, correct, received_ms, _counter in answers:
            day = day_at(received_ms)
            right = 1 if correct else 0
            skills = skills_of.get(activity, ())
            for scope in scopes_of[person]:
                figures = self.days[scope, day]
                figures["answers"] += 1
                figures["correct"] += right
                self.active.add((scope, day, person))
                for skill in skills:
                    figures = self.skills[scope, skill]
                    figures["answers"] += 1
                    figures["correct"] += right
        for person, activity, completed, started, ended, received_ms, _c in attempts:
            day = day_at(received_ms)
            minutes = max(0, min(int(ended) - int(started), 4 * 3_600_000)) / 60_000
            for scope in scopes_of[person]:
                self.days[scope, day]["attempts"] += 1
                self.days[scope, day]["completed"] += 1 if completed else 0
                self.active.add((scope, day, person))
                use = self.content[scope, activity]
                use["attempts"] += 1
                use["completed"] += 1 if completed else 0
                use["minutes"] += minutes
        self._trace(answers, skills_of, classes)
        self._write()

    def _trace(
        self,
        answers: list[tuple],
        skills_of: dict[str, list[str]],
        classes: dict[str, list[str]],
    ) -> None:
        """Run each student's estimate over the new answers; count crossings of mastery."""
        pairs = {(r[0], s) for r in answers for s in skills_of.get(r[1], ())}
        if not pairs:
            return
        params = _params({s for _, s in pairs})
        query = RollupMastery.select(
            RollupMastery.person_id,
            RollupMastery.skill_id,
            RollupMastery.p_known,
            RollupMastery.answers,
            RollupMastery.mastered_ms,
            RollupMastery.mastered,
        ).where(RollupMastery.person_id.in_(sorted({p for p, _ in pairs})))
        held = {(r[0], r[1]): r[2:] for r in query.tuples() if (r[0], r[1]) in pairs}
        state: dict[tuple[str, str], list[Any]] = {
            key: [p_known, count, since] for key, (p_known, count, since, _) in held.items()
        }
        for person, activity, correct, received_ms, _counter in answers:
            for skill in skills_of.get(activity, ()):
                p = params.get(skill) or params_from_pack(None)
                entry = state.setdefault((person, skill), [p.prior, 0, None])
                entry[0] = update(entry[0], bool(correct), p)
                entry[1] += 1
                if entry[0] < MASTERY_THRESHOLD:
                    entry[2] = None
                elif entry[2] is None:
                    entry[2] = received_ms  # when it was reached: a stable statement time
        for (person, skill), (p_known, _count, _since) in state.items():
            now = p_known >= MASTERY_THRESHOLD
            before = bool(held[person, skill][3]) if (person, skill) in held else False
            if now != before:
                for scope in ("", *classes.get(person, ())):
                    self.skills[scope, skill]["mastered"] += 1 if now else -1
        rows = [
            (p, s, v[0], v[1], v[0] >= MASTERY_THRESHOLD, v[2])
            for (p, s), v in sorted(state.items())  # key order: two hosts lock alike
        ]
        _replace(
            "rollup_mastery",
            ("person_id", "skill_id"),
            ("p_known", "answers", "mastered", "mastered_ms"),
            rows,
        )

    def _write(self) -> None:
        """Write this step's sums: one statement per table and page, never one per row."""
        school = self.school_id
        for scope, day in _insert_returning(
            "rollup_active",
            ("school_id", "classroom_id", "day", "person_id"),
            [(school, *key) for key in sorted(self.active)],
            returning=("classroom_id", "day"),
        ):
            self.days[scope, day]["students"] += 1  # first seen that day: counted once
        _add(
            "rollup_day",
            ("school_id", "classroom_id", "day"),
            ("students", "answers", "correct", "attempts", "completed"),
            {(school, *key): v for key, v in self.days.items()},
        )
        _add(
            "rollup_skill",
            ("school_id", "classroom_id", "skill_id"),
            ("answers", "correct", "mastered"),
            {(school, *key): v for key, v in self.skills.items()},
        )
        _add(
            "rollup_content",
            ("school_id", "classroom_id", "activity_id"),
            ("attempts", "completed", "minutes"),
            {(school, *key): v for key, v in self.content.items()},
        )


def _page(columns: int) -> int:
    """Rows per multi-row statement: SQLite's smallest limit of bound parameters is 999."""
    return 999 // columns if is_sqlite() else 1000


def _insert_returning(
    table: str, columns: tuple[str, ...], rows: list[tuple], returning: tuple[str, ...]
) -> list[tuple]:
    """Insert the rows a table lacks (its unique key decides); ``returning`` of those new."""
    quoted = ", ".join(f'"{c}"' for c in columns)
    marks = "(" + ", ".join([db.param] * len(columns)) + ")"
    back = ", ".join(f'"{c}"' for c in returning)
    new: list[tuple] = []
    size = _page(len(columns))
    for start in range(0, len(rows), size):
        page = rows[start : start + size]
        cursor = db.execute_sql(
            f'INSERT INTO "{table}" ({quoted}) VALUES {", ".join([marks] * len(page))} '
            f"ON CONFLICT ({quoted}) DO NOTHING RETURNING {back}",
            [v for row in page for v in row],
        )
        new += [tuple(r) for r in cursor.fetchall()]
    return new


def _add(
    table: str,
    keys: tuple[str, ...],
    values: tuple[str, ...],
    sums: dict[tuple, dict[str, Any]],
) -> None:
    """Add ``sums`` to a rollup table's rows, creating those it lacks.

    One multi-row upsert per page (in key order, so two hub processes adding to the
    same rows lock them in the same order); each key comes once per statement.
    """
    if not sums:
        return
    columns = keys + values
    quoted = ", ".join(f'"{c}"' for c in columns)
    marks = "(" + ", ".join([db.param] * len(columns)) + ")"
    adds = ", ".join(f'"{c}" = "{table}"."{c}" + excluded."{c}"' for c in values)
    conflict = ", ".join(f'"{c}"' for c in keys)
    rows = [[*key, *(figures.get(v, 0) for v in values)] for key, figures in sorted(sums.items())]
    size = _page(len(columns))
    for start in range(0, len(rows), size):
        page = rows[start : start + size]
        db.execute_sql(
            f'INSERT INTO "{table}" ({quoted}) VALUES {", ".join([marks] * len(page))} '
            f"ON CONFLICT ({conflict}) DO UPDATE SET {adds}",
            [v for row in page for v in row],
        )


def _replace(table: str, keys: tuple[str, ...], values: tuple[str, ...], rows: list[tuple]) -> None:
    """Write ``rows`` (keys then values), replacing the values of the keys held.

    One multi-row statement per page, in plain SQL: built by the query builder it cost
    the hub a tenth of its CPU per chunk (a Python call per value).
    """
    columns = keys + values
    quoted = ", ".join(f'"{c}"' for c in columns)
    marks = "(" + ", ".join([db.param] * len(columns)) + ")"
    sets = ", ".join(f'"{c}" = excluded."{c}"' for c in values)
    conflict = ", ".join(f'"{c}"' for c in keys)
    size = _page(len(columns))
    for start in range(0, len(rows), size):
        page = rows[start : start + size]
        db.execute_sql(
            f'INSERT INTO "{table}" ({quoted}) VALUES {", ".join([marks] * len(page))} '
            f"ON CONFLICT ({conflict}) DO UPDATE SET {sets}",
            [v for row in page for v in row],
        )


def _classes_of(people: set[str]) -> dict[str, list[str]]:
    """The classes each student is enrolled in now."""
    found: dict[str, list[str]] = defaultdict(list)
    listed = sorted(people)
    for start in range(0, len(listed), 500):
        query = Enrollment.live(Enrollment.person_id, Enrollment.classroom_id).where(
            Enrollment.person_id.in_(listed[start : start + 500]) & (Enrollment.role == "student")
        )
        for person, classroom in query.tuples():
            found[person].append(classroom)
    return {k: sorted(set(v)) for k, v in found.items()}


def _skills_of(activities: set[str]) -> dict[str, list[str]]:
    """The skills each activity teaches."""
    found: dict[str, list[str]] = defaultdict(list)
    if activities:
        query = ActivitySkill.live(ActivitySkill.activity_id, ActivitySkill.skill_id).where(
            ActivitySkill.activity_id.in_(sorted(activities))
        )
        for activity, skill in query.tuples():
            found[activity].append(skill)
    return found


def _params(skills: set[str]) -> dict[str, BktParams]:
    """Knowledge-tracing parameters of these skills (the pack's, or the defaults)."""
    found = {}
    for skill in Skill.live(Skill.id, Skill.bkt).where(Skill.id.in_(sorted(skills))):
        try:
            found[skill.id] = params_from_pack(skill.bkt)
        except ValueError:
            found[skill.id] = params_from_pack(None)
    return found
