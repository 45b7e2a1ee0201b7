"""A student's recommendations and home screen: the pure ranker fed from the database.

One call reads the content snapshot (cached, with its ranking ``Pool``), the student's
mastery (a cached trace extended with their new answers), a summary of their attempts
(two small queries, not every attempt), profile and assignments, then
``server.learning.ranking.rank`` orders the activities. Nothing is stored: like mastery, it
is recomputed. Screens that need every attempt (goals, continue) read them lazily.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from ..auth.access import class_ids, group_ids
from ..db import model_from_row, run_compiled
from ..learning.ranking import (
    RECENT_WINDOW,
    AssignmentRef,
    Done,
    History,
    Profile,
    Recommendation,
    rank,
)
from ..learning.tracing import SkillMastery
from ..models import ActivitySkill, Assignment, Attempt, Goal, LearnerProfile, Person
from ..replication.clock import district_now_ms
from .catalog import Catalog, catalog, database_token
from .event_cache import EventCache
from .goals import attempts_of, with_progress
from .groups import groups_of_student
from .home_reads import Kept
from .learning import teacher_words
from .mastery import mastery_items, states_of
from .profiles import accommodations_of, profile_of
from .rows import row_by_id

HOME_RECOMMENDATIONS = 5


def profile_for(person: Person, row: LearnerProfile | None = None) -> Profile:
    """The recommender's view of a learner profile (empty when none was saved).

    ``row``: the profile row as ``profiles.profile_of`` read it, when the caller has it.
    """
    if row is None:
        row = row_by_id(LearnerProfile, f"profile:{person.id}")
    if row is None or row.deleted:
        return Profile()
    return Profile(tuple(row.interests), tuple(row.modalities), tuple(row.languages))


def assignments_for(person: Person) -> list[AssignmentRef]:
    """Assignments meant for a student: to them, to one of their groups, or to a class of theirs."""
    classes = sorted(class_ids(person, "student"))
    if not classes:
        return []
    groups = sorted(group_ids(person))
    rows = list(
        run_compiled(
            ("assignments-for", len(classes), len(groups)),
            _assignments_query(len(classes), len(groups)),
            person.id,
            *classes,
            *groups,
        )
    )
    skills = {s for _, a, _, _, s in rows if not a and s}
    # A skill assigned: each activity that teaches it counts as assigned.
    teaching: dict[str, list[str]] = {}
    if skills:
        links = ActivitySkill.live(ActivitySkill.skill_id, ActivitySkill.activity_id)
        for skill, activity in links.where(ActivitySkill.skill_id.in_(list(skills))).tuples():
            teaching.setdefault(skill, []).append(activity)
    refs = []
    for i, a, p, d, s in rows:
        for activity in [a] if a else sorted(teaching.get(s, [])):
            refs.append(AssignmentRef(activity, bool(p), d, i))
    return refs


def _assignments_query(classes: int, groups: int) -> Any:
    """The query of a student's assignments, for ``classes`` classes and ``groups`` groups.

    Every home reads it: compiled once per number of classes and groups (db.run_compiled).
    """

    def build(person_id: str, *ids: str) -> Any:
        class_marks, group_marks = list(ids[:classes]), list(ids[classes:])
        mine = (Assignment.person_id == person_id) | (
            Assignment.person_id.is_null() & Assignment.group_id.is_null()
        )
        if group_marks:
            mine |= Assignment.group_id.in_(group_marks)
        shown = Assignment.hidden == False  # noqa: E712
        return Assignment.live(*_ASSIGNMENT_COLUMNS).where(
            Assignment.classroom_id.in_(class_marks) & mine & shown
        )

    return build


_ASSIGNMENT_COLUMNS = (
    Assignment.id,
    Assignment.activity_id,
    Assignment.pinned,
    Assignment.due_on,
    Assignment.skill_id,
)

Recent = tuple[tuple[int, str, str], ...]  # (ended_ms, attempt id, activity id), newest first
#: Per activity attempted, its newest attempt's (started_ms, ended_ms, attempt id): the
#: order ``attempts_of`` lists them in. What "continue" reads, without every attempt.
Newest = dict[str, tuple[int, int, str]]
_ATTEMPT_COLUMNS = (
    Attempt.ended_ms,
    Attempt.id,
    Attempt.activity_id,
    Attempt.completed,
    Attempt.started_ms,
)
Summary = tuple[History, Recent, Newest]


def _summary(raw: list[tuple], _key: object, base: Summary | None = None) -> Summary:
    """Attempts (``_ATTEMPT_COLUMNS``) summarised for ranking, added to ``base``'s."""
    history, recent, newest = base if base else (History(), (), {})
    completed = history.completed | {a for _, _, a, done, _ in raw if done}
    unfinished = (history.unfinished | {a for _, _, a, _, _ in raw}) - completed
    # Newest first, the id breaking ties: the order ``History.of`` uses.
    latest = tuple(sorted({*recent, *(r[:3] for r in raw)}, reverse=True)[:RECENT_WINDOW])
    newest = dict(newest)  # ``base``'s stays as it is: other threads may hold it
    for ended, attempt_id, activity, _, started in raw:
        order = (started, ended, attempt_id)
        if activity not in newest or order > newest[activity]:
            newest[activity] = order
    return History(completed, unfinished, tuple(r[2] for r in latest)), latest, newest


def _add_attempts(base: Summary, raw: list[tuple], key: object) -> Summary:
    return _summary(raw, key, base)


# Attempts are events too: each student's summary is kept and new attempts added.
_histories: EventCache[Summary] = EventCache(Attempt, _ATTEMPT_COLUMNS, _summary, _add_attempts)


def history_of(person_id: str) -> History:
    """What ranking reads of a student's attempts, without reading them all each time."""
    return _histories.get(person_id, database_token())[0]


def shaped(rec: Recommendation, cat: Catalog) -> dict[str, Any]:
    """A recommendation as the API shows it."""
    info = cat.activities[rec.activity_id]
    return {
        "activity_id": info.id,
        "title": info.title,
        "kind": info.kind,
        "modality": info.modality,
        "language": info.language,
        "minutes": info.minutes,
        "difficulty": info.difficulty,
        "skills": [{"id": s, "title": cat.titles.get(s, {"en": s})} for s in info.skill_ids],
        "assigned": rec.assigned,
        "pinned": rec.pinned,
        "due_on": rec.due_on,
        "score": rec.score,
        "reasons": [r.as_dict() for r in rec.reasons],
    }


class StudentView:
    """Everything one student's screens need, read once: mastery, attempts, ranking."""

    def __init__(self, person: Person, now_ms: int | None = None) -> None:
        self.person = person
        self.now_ms = now_ms if now_ms is not None else district_now_ms()
        self.catalog = catalog()
        self.states: dict[str, SkillMastery] = states_of([person.id], self.catalog, self.now_ms)[
            person.id
        ]
        self.history, _, self._newest = _histories.get(person.id, database_token())
        # Kept between requests while no one changes them (home_reads): not read each time.
        self.kept = Kept()
        self.assignments = self.kept.get(("assignments", person.id), lambda: assignments_for(person))
        # Read once: ranking and accommodations.
        self.profile_row = self.kept.get(("profile", person.id), lambda: profile_of(person))
        self.profile = profile_for(person, self.profile_row)

    @cached_property
    def attempts(self) -> list[Done]:
        """Every attempt of the student, oldest first (read only when a screen needs them)."""
        return attempts_of(self.person.id)

    def ranked(self, limit: int | None, language: str | None) -> list[Recommendation]:
        """Activities ranked for this student, best first."""
        cat = self.catalog
        return rank(
            cat.pool,
            self.states,
            cat.graph,
            self.profile,
            self.assignments,
            self.history,
            self.now_ms,
            limit,
            language,
        )

    def recommendations(self, limit: int, language: str | None) -> list[dict[str, Any]]:
        """The top ``limit`` recommendations, shaped for the API."""
        return [shaped(r, self.catalog) for r in self.ranked(limit, language)]

    def open_assignments(self, language: str | None, skip: set[str]) -> list[dict[str, Any]]:
        """Assigned activities not completed and not in ``skip``, in ranking order."""
        done = self.history.completed
        assigned = {a.activity_id for a in self.assignments}
        ranked = rank(
            [c for c in self.catalog.candidates if c.activity_id in assigned],
            self.states,
            self.catalog.graph,
            self.profile,
            self.assignments,
            self.history,
            self.now_ms,
            None,
            language,
        )
        return [
            shaped(r, self.catalog)
            for r in ranked
            if r.activity_id not in skip and r.activity_id not in done
        ]

    def continue_item(self) -> dict[str, Any] | None:
        """The latest attempt left unfinished, unless the activity was completed since.

        The newest attempt (in ``attempts_of``'s order) of an activity never completed
        and still offered: from the attempts' cached summary, not every attempt.
        """
        activities = self.catalog.activities
        left = [(self._newest[a], a) for a in self.history.unfinished if a in activities]
        if not left:
            return None
        (started_ms, _, _), activity_id = max(left)
        info = activities[activity_id]
        return {
            "activity_id": info.id,
            "title": info.title,
            "kind": info.kind,
            "attempt_started_ms": started_ms,
        }

    def mastery(self) -> list[dict[str, Any]]:
        """Every skill with this student's mastery and stars."""
        return mastery_items(self.catalog, self.states)

    def goals(self, goals: list[Goal]) -> list[dict[str, Any]]:
        """Goals with their progress, from this view's mastery and attempts.

        Every attempt is read only when a goal counts them (as ``goals.progress_view``).
        """
        needs_attempts = any(g.kind in ("finish_activities", "practice_minutes") for g in goals)
        return with_progress(
            goals, self.states, self.attempts if needs_attempts else [], self.now_ms
        )


def recommend(
    person: Person, limit: int = 5, language: str | None = None, now_ms: int | None = None
) -> list[dict[str, Any]]:
    """A student's next activities, best first, each with its reasons."""
    return StudentView(person, now_ms).recommendations(limit, language)


def home_goals(person: Person) -> list[Goal]:
    """Active goals and those done most recently (up to five), newest first."""

    def build(person_id: str) -> Any:
        mine = (Goal.person_id == person_id) & (Goal.status != "dropped")
        return Goal.live().where(mine).order_by(Goal.hlc.desc())

    goals = [model_from_row(Goal, r) for r in run_compiled("home-goals", build, person.id)]
    active = [g for g in goals if g.status == "active"]
    done = [g for g in goals if g.status == "done"][:5]
    return active + done


def home(person: Person, language: str | None = None, now_ms: int | None = None) -> dict[str, Any]:
    """The student's home screen in one call (one mastery trace)."""
    view = StudentView(person, now_ms)
    language = language or person.language
    recommended = view.recommendations(HOME_RECOMMENDATIONS, language)
    skip = {r["activity_id"] for r in recommended}
    return {
        "person": {
            "id": person.id,
            "display_name": person.display_name,
            "language": person.language,
        },
        "continue": view.continue_item(),
        "recommendations": recommended,
        "assignments": view.open_assignments(language, skip),
        "goals": view.goals(view.kept.get(("goals", person.id), lambda: home_goals(person))),
        "mastery": view.mastery(),
        "teacher_words": view.kept.get(
            ("teacher_words", person.id),
            lambda: teacher_words(person, [a.assignment_id for a in view.assignments]),
        ),
        "accommodations": accommodations_of(person, view.profile_row),
        "groups": view.kept.get(("groups", person.id), lambda: groups_of_student(person)),
    }
