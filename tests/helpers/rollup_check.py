"""The district rollups recomputed from the events, to check what ingest folded.

``expected()`` reads every answer and attempt (this is the scan the dashboard never
makes) and sums them as ``server.services.rollups`` folds them: per school and per
class the student is enrolled in now, per UTC day, skill and activity; mastery by a
knowledge-tracing run over each student's answers in counter order (the order one
origin's rows reach the hub). ``held()`` reads the rollup tables; ``differences``
lists what disagrees. Call them inside a connection to the hub's database.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from server.db import db
from server.learning.tracing import MASTERY_THRESHOLD, params_from_pack, update
from server.services.rollups import _classes_of, _params, _skills_of, day_of

TABLES = ("rollup_day", "rollup_skill", "rollup_content", "rollup_active", "rollup_mastery")


def _events(sql: str) -> list[tuple]:
    return db.execute_sql(sql).fetchall()


def expected() -> dict[str, dict[tuple, tuple]]:
    """Every rollup row the events imply, keyed as the tables are."""
    school_of = {
        code: name[len("school:") :]
        for code, name in db.execute_sql("SELECT id, name FROM sync_name").fetchall()
        if name.startswith("school:")
    }
    answers = _events(
        'SELECT "partition", "person_id", "activity_id", "correct", "received_ms" '
        'FROM "answer" ORDER BY "origin", "counter"'
    )
    attempts = _events(
        'SELECT "partition", "person_id", "activity_id", "completed", "started_ms", "ended_ms", '
        '"received_ms" FROM "attempt"'
    )
    people = {r[1] for r in answers} | {r[1] for r in attempts}
    classes = _classes_of(people)
    skills_of = _skills_of({r[2] for r in answers})
    params = _params({s for v in skills_of.values() for s in v})
    days: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    active: set[tuple] = set()
    skills: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    content: dict[tuple, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    state: dict[tuple, list[Any]] = {}
    scopes_of: dict[str, tuple[str, tuple[str, ...]]] = {}
    for code, person, activity, correct, received_ms in answers:
        school = school_of.get(code)
        if school is None:
            continue
        scopes = ("", *classes.get(person, ()))
        scopes_of[person] = (school, scopes)
        day = day_of(received_ms)
        for scope in scopes:
            figures = days[school, scope, day]
            figures[1] += 1
            figures[2] += 1 if correct else 0
            active.add((school, scope, day, person))
            for skill in skills_of.get(activity, ()):
                skills[school, scope, skill][0] += 1
                skills[school, scope, skill][1] += 1 if correct else 0
        for skill in skills_of.get(activity, ()):
            p = params.get(skill) or params_from_pack(None)
            entry = state.setdefault((person, skill), [p.prior, 0])
            entry[0] = update(entry[0], bool(correct), p)
            entry[1] += 1
    for code, person, activity, completed, started, ended, received_ms in attempts:
        school = school_of.get(code)
        if school is None:
            continue
        day = day_of(received_ms)
        minutes = max(0, min(int(ended) - int(started), 4 * 3_600_000)) / 60_000
        for scope in ("", *classes.get(person, ())):
            days[school, scope, day][3] += 1
            days[school, scope, day][4] += 1 if completed else 0
            active.add((school, scope, day, person))
            use = content[school, scope, activity]
            use[0] += 1
            use[1] += 1 if completed else 0
            use[2] += minutes
    for school, scope, day, _person in active:
        days[school, scope, day][0] += 1
    for (person, skill), (p_known, _count) in state.items():
        if p_known >= MASTERY_THRESHOLD:
            school, scopes = scopes_of[person]
            for scope in scopes:
                skills[school, scope, skill][2] += 1
    return {
        "rollup_day": {k: tuple(v) for k, v in days.items()},
        "rollup_skill": {k: tuple(v) for k, v in skills.items()},
        "rollup_content": {k: tuple(v) for k, v in content.items()},
        "rollup_active": {k: () for k in active},
        "rollup_mastery": {k: tuple(v) for k, v in state.items()},
    }


def held() -> dict[str, dict[tuple, tuple]]:
    """The rollup tables as they are, keyed as ``expected`` keys them."""
    rows = {
        "rollup_day": 'SELECT "school_id", "classroom_id", "day", "students", "answers", '
        '"correct", "attempts", "completed" FROM "rollup_day"',
        "rollup_skill": 'SELECT "school_id", "classroom_id", "skill_id", "answers", "correct", '
        '"mastered" FROM "rollup_skill"',
        "rollup_content": 'SELECT "school_id", "classroom_id", "activity_id", "attempts", '
        '"completed", "minutes" FROM "rollup_content"',
        "rollup_active": 'SELECT "school_id", "classroom_id", "day", "person_id" '
        'FROM "rollup_active"',
        "rollup_mastery": 'SELECT "person_id", "skill_id", "p_known", "answers" '
        'FROM "rollup_mastery"',
    }
    keys = {"rollup_active": 4, "rollup_mastery": 2}
    found: dict[str, dict[tuple, tuple]] = {}
    for table, sql in rows.items():
        width = keys.get(table, 3)
        found[table] = {}
        for values in db.execute_sql(sql).fetchall():
            key, figures = tuple(values[:width]), list(values[width:])
            found[table][key] = tuple(figures)
    return found


def _same(a: tuple | None, b: tuple | None) -> bool:
    """Equal, floats (minutes summed in another order, estimates) within a millionth."""
    if a is None or b is None or len(a) != len(b):
        return a == b
    return all(
        math.isclose(float(x), float(y), rel_tol=1e-6, abs_tol=1e-6)
        if isinstance(x, float) or isinstance(y, float)
        else x == y
        for x, y in zip(a, b)
    )


def differences(
    want: dict[str, dict[tuple, tuple]], have: dict[str, dict[tuple, tuple]], limit: int = 5
) -> list[str]:
    """Up to ``limit`` rows per table that differ (empty when the rollups are exact)."""
    found = []
    for table in TABLES:
        a, b = want[table], have[table]
        # A row of zeros folded by a count that later went back down is the same as none.
        keys = sorted(
            k
            for k in set(a) | set(b)
            if not _same(a.get(k), b.get(k)) and not (k not in a and b[k] and not any(b[k]))
        )
        for key in keys[:limit]:
            found.append(f"{table} {key}: from the events {a.get(key)}, held {b.get(key)}")
    return found
