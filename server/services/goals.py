"""Goals' progress, computed from mastery and attempts on every read (never stored).

Each goal kind measures something:

* ``master_skill``: P(known) of the skill now, against the mastery threshold, or against
  the goal's own ``target`` (a percentage) when it has one;
* ``finish_activities``: how many of its activities have a completed attempt;
* ``practice_minutes``: minutes of attempts in its period. A short goal's period is a
  calendar week (Monday to Sunday, UTC): the week of its due date, else this week. A
  long goal's is a term: the 13 weeks ending with that week;
* ``free_text``: nothing to measure; it needs the teacher's review until marked done.

State: ``done`` when the goal is marked done or its target is reached;
``needs_review`` for free text; ``behind`` when it is past due, or when less is done
than the time elapsed asks for with a margin (fraction < elapsed share of the time
from setting the goal, or the period's start, to its due date, minus
``BEHIND_MARGIN``); else ``on_track``. A goal without a due date is never behind,
except a practice goal, which is paced by its period.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

from ..db import run_compiled
from ..learning.ranking import Done
from ..learning.tracing import MASTERY_THRESHOLD, SkillMastery
from ..models import Attempt, Goal
from ..replication.clock import district_now_ms
from .catalog import catalog
from .mastery import states_of

BEHIND_MARGIN = 0.1
TERM_WEEKS = 13
MAX_ATTEMPT_MINUTES = 120.0  # a tablet left open for a day is not a day of practice
DAY_MS = 86_400_000


def attempts_of(person_id: str) -> list[Done]:
    """A person's attempts, oldest first."""
    columns = (
        Attempt.activity_id,
        Attempt.started_ms,
        Attempt.ended_ms,
        Attempt.completed,
        Attempt.id,
    )

    def build(mark: str) -> Any:
        return Attempt.live(*columns).where(Attempt.person_id == mark)

    cursor = run_compiled("attempts-of", build, person_id)
    rows = [Done(a, s, e, bool(c), i) for a, s, e, c, i in cursor]
    return sorted(rows, key=lambda a: (a.started_ms, a.ended_ms, a.attempt_id))


def _day_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp() * 1000)


def _today(now_ms: int) -> date:
    return datetime.fromtimestamp(now_ms / 1000, tz=timezone.utc).date()


def period(term: str, due_on: str | None, now_ms: int) -> tuple[int, int]:
    """Start and end (ms, end exclusive) of a practice goal's week or term."""
    anchor = date.fromisoformat(due_on) if due_on else _today(now_ms)
    week_start = anchor - timedelta(days=anchor.weekday())
    end = week_start + timedelta(days=7)
    start = week_start if term == "short" else end - timedelta(weeks=TERM_WEEKS)
    return _day_ms(start), _day_ms(end)


def practice_minutes(attempts: Iterable[Done], start_ms: int, end_ms: int) -> float:
    """Minutes of practice within [start, end): each attempt clipped to it and capped."""
    total = 0.0
    for a in attempts:
        overlap = min(a.ended_ms, end_ms) - max(a.started_ms, start_ms)
        if overlap > 0:
            total += min(overlap / 60_000, MAX_ATTEMPT_MINUTES)
    return total


def _state(fraction: float, status: str, start_ms: int | None, due_ms: int | None, now_ms: int):
    if status == "done" or fraction >= 1.0:
        return "done"
    if due_ms is None:
        return "on_track"
    if now_ms >= due_ms:
        return "behind"
    if start_ms is None or start_ms >= due_ms:
        return "on_track"
    elapsed = (now_ms - start_ms) / (due_ms - start_ms)
    return "behind" if fraction < elapsed - BEHIND_MARGIN else "on_track"


def progress(
    goal: Goal,
    states: Mapping[str, SkillMastery],
    attempts: list[Done],
    now_ms: int,
) -> dict[str, Any]:
    """The goal's progress: value, target, fraction (0..1) and state."""
    # The end of the due day: a goal due today is not yet late today.
    due_ms = _day_ms(date.fromisoformat(goal.due_on)) + DAY_MS if goal.due_on else None
    start_ms = goal.created_ms
    if goal.kind == "master_skill":
        state = states.get(goal.skill_id or "")
        value = state.p_known_now if state else 0.0
        if goal.target:  # the teacher's own bar, in percent
            target = goal.target / 100
            fraction = value / target
        else:
            target = MASTERY_THRESHOLD
            fraction = 1.0 if state is not None and state.mastered else value / target
    elif goal.kind == "finish_activities":
        wanted = set(goal.activity_ids or [])
        value = len({a.activity_id for a in attempts if a.completed} & wanted)
        target = len(wanted)
        fraction = value / target if target else 1.0
    elif goal.kind == "practice_minutes":
        start_ms, due_ms = period(goal.term, goal.due_on, now_ms)
        value = round(practice_minutes(attempts, start_ms, due_ms), 1)
        target = goal.target or 0
        fraction = value / target if target else 1.0
    else:  # free_text: a person judges it
        done = goal.status == "done"
        value, target, fraction = (1 if done else 0), 1, (1.0 if done else 0.0)
        state = "done" if done else "needs_review"
        return {"value": value, "target": target, "fraction": fraction, "state": state}
    fraction = max(0.0, min(1.0, fraction))
    return {
        "value": value,
        "target": target,
        "fraction": round(fraction, 4),
        "state": _state(fraction, goal.status, start_ms, due_ms, now_ms),
    }


def with_progress(
    goals: Iterable[Goal],
    states: Mapping[str, SkillMastery],
    attempts: list[Done],
    now_ms: int,
) -> list[dict[str, Any]]:
    """Goals as dicts with their ``progress``."""
    return [{**g.__data__, "progress": progress(g, states, attempts, now_ms)} for g in goals]


def progress_view(
    person_id: str, goals: list[Goal], now_ms: int | None = None
) -> list[dict[str, Any]]:
    """Goals with progress, tracing mastery and reading attempts only when a goal needs them."""
    now = now_ms if now_ms is not None else district_now_ms()
    states: Mapping[str, SkillMastery] = {}
    if any(g.kind == "master_skill" for g in goals):
        cat = catalog()
        states = states_of([person_id], cat, now)[person_id]
    needs_attempts = any(g.kind in ("finish_activities", "practice_minutes") for g in goals)
    attempts = attempts_of(person_id) if needs_attempts else []
    return with_progress(goals, states, attempts, now)
