"""A simulated classroom: students with hidden true knowledge work through a content pack.

Each student has, per skill, hidden parameters in the shape of knowledge tracing:
whether they know it at the start, a chance to learn it at each practice opportunity,
a chance to guess right and to slip. They differ: an ability drawn per student moves
their priors and learning rates, and guess and slip vary around the pack's values.
Two things the engine's model does not assume make the truth harder than BKT itself:
a skill is learnt four times more slowly while one of its prerequisites is not known,
and students differ from each other. By default nothing is forgotten in the truth;
``forget`` makes each known skill lost with that probability per school day.

Every item answered is an observation and a chance to learn each skill of its activity;
an activity without items (a project, a reflection) is one unobserved chance to learn
each of its skills. Nothing here reads the database.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from server.interop.pack_format import read_pack
from server.learning.tracing import BktParams, Observation, params_from_pack

START_MS = 1_767_258_000_000  # 2026-01-01 09:00 UTC: the first school morning
DAY_MS = 86_400_000
ACTIVITIES_PER_DAY = 3
SECONDS_PER_ITEM = 30
PREREQUISITE_SLOWDOWN = 0.25  # learning rate while a prerequisite is not known
MAX_STEPS = 300  # activities; a student not done by then counts as this many


@dataclass(frozen=True)
class Activity:
    """An activity of the pack, as the simulation needs it."""

    id: str
    slug: str
    kind: str
    language: str
    difficulty: int
    minutes: int
    modality: str
    interests: tuple[str, ...]
    skills: tuple[str, ...]
    items: tuple[str, ...]  # item ids, in order
    body: dict[str, Any]


@dataclass(frozen=True)
class Course:
    """A pack's skill graph and activities, with ids as the database gives them."""

    pack_id: str
    params: dict[str, BktParams]  # per skill, from the pack (defaults where absent)
    prerequisites: dict[str, tuple[str, ...]]
    titles: dict[str, dict[str, str]]
    activities: tuple[Activity, ...]  # in manifest order

    @property
    def skills(self) -> list[str]:
        """Skill ids in manifest order."""
        return list(self.params)

    def path(self, language: str) -> list[Activity]:
        """The activities in one language, in manifest order."""
        return [a for a in self.activities if a.language == language]


def load_course(pack_dir: Path | str) -> Course:
    """The pack at ``pack_dir``, validated as an import would."""
    manifest = read_pack(pack_dir).manifest
    pid = manifest["id"]
    params, prerequisites, titles = {}, {}, {}
    for skill in manifest["skills"]:
        sid = f"{pid}:{skill['id']}"
        params[sid] = params_from_pack(skill["bkt"])
        prerequisites[sid] = tuple(f"{pid}:{p}" for p in skill["prerequisites"])
        titles[sid] = skill["title"]
    activities = tuple(
        Activity(
            id=f"{pid}:{a['id']}",
            slug=a["id"],
            kind=a["kind"],
            language=a["language"],
            difficulty=a["difficulty"],
            minutes=a["minutes"],
            modality=a["modality"],
            interests=tuple(a["interests"]),
            skills=tuple(f"{pid}:{s}" for s in a["skills"]),
            items=tuple(f"{pid}:{a['id']}:{i['id']}" for i in a["items"]),
            body={k: v for k, v in a["body"].items() if v is not None},
        )
        for a in manifest["activities"]
    )
    return Course(pid, params, prerequisites, titles, activities)


@dataclass(frozen=True)
class TrueSkill:
    """A student's hidden parameters for one skill."""

    known_at_start: bool
    learn: float
    guess: float
    slip: float


@dataclass(frozen=True)
class Student:
    """A simulated student: a language and hidden parameters per skill."""

    index: int
    language: str
    ability: float
    truth: dict[str, TrueSkill]


def _logistic(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def make_students(course: Course, count: int, seed: int) -> list[Student]:
    """``count`` students, the same ones for the same seed."""
    languages = sorted({a.language for a in course.activities})
    students = []
    for index in range(count):
        rng = random.Random(f"{seed}:student:{index}")
        ability = rng.gauss(0, 1)
        truth = {}
        for skill, p in course.params.items():
            truth[skill] = TrueSkill(
                known_at_start=rng.random() < _logistic(_logit(p.prior) + 0.5 * ability),
                learn=_logistic(_logit(p.learn) + 0.6 * ability + rng.gauss(0, 0.3)),
                guess=min(max(p.guess + rng.gauss(0, 0.05), 0.02), 0.4),
                slip=min(max(p.slip + rng.gauss(0, 0.04), 0.02), 0.3),
            )
        students.append(Student(index, languages[index % len(languages)], ability, truth))
    return students


@dataclass
class Learner:
    """One student working: their true state, their clock and everything they answered."""

    student: Student
    course: Course
    rng: random.Random
    forget: float = 0.0  # P(a known skill is lost) per day
    known: dict[str, bool] = field(init=False)
    observations: list[Observation] = field(default_factory=list)
    done: list[str] = field(default_factory=list)  # activity ids, in order
    attempts: list[tuple[str, int, int]] = field(default_factory=list)  # id, start, end
    now_ms: int = START_MS

    def __post_init__(self) -> None:
        self.known = {s: t.known_at_start for s, t in self.student.truth.items()}

    def knows_everything(self) -> bool:
        """Whether every skill is truly known: what matters for the child."""
        return all(self.known.values())

    def _answer(self, skills: Sequence[str]) -> bool:
        # An item of several skills is right when each one is (known and no slip, or a guess).
        right = True
        for skill in skills:
            t = self.student.truth[skill]
            right &= self.rng.random() < ((1 - t.slip) if self.known[skill] else t.guess)
        return right

    def _practise(self, skills: Sequence[str]) -> None:
        for skill in skills:
            if self.known[skill]:
                continue
            rate = self.student.truth[skill].learn
            if not all(self.known.get(p, True) for p in self.course.prerequisites[skill]):
                rate *= PREREQUISITE_SLOWDOWN
            self.known[skill] = self.rng.random() < rate

    def _overnight(self) -> None:
        for skill, known in self.known.items():
            if known and self.forget and self.rng.random() < self.forget:
                self.known[skill] = False

    def do(self, activity: Activity) -> None:
        """Work through one activity: answer each item, learning after each answer."""
        t = self.now_ms
        for item in activity.items:
            correct = self._answer(activity.skills)
            event_id = f"s{self.student.index}-{len(self.observations)}-{item.rsplit(':', 1)[-1]}"
            self.observations.extend(Observation(event_id, s, correct, t) for s in activity.skills)
            self._practise(activity.skills)
            t += SECONDS_PER_ITEM * 1000
        if not activity.items:
            self._practise(activity.skills)
        ended = max(t, self.now_ms + activity.minutes * 60_000)
        self.done.append(activity.id)
        self.attempts.append((activity.id, self.now_ms, ended))
        # Three activities a school day, the next day starting at the same hour.
        if len(self.done) % ACTIVITIES_PER_DAY == 0:
            days = len(self.done) // ACTIVITIES_PER_DAY
            self.now_ms = START_MS + days * DAY_MS
            self._overnight()
        else:
            self.now_ms = ended


Policy = Callable[[Learner], Activity]


def fixed_path(learner: Learner) -> Activity:
    """The pack's activities in the student's language in manifest order, cycling."""
    path = learner.course.path(learner.student.language)
    return path[len(learner.done) % len(path)]


def random_choice(learner: Learner) -> Activity:
    """Any activity in the student's language, uniformly."""
    return learner.rng.choice(learner.course.path(learner.student.language))


def run_until_known(
    student: Student, course: Course, policy: Policy, seed: int, name: str, forget: float = 0.0
) -> Learner:
    """The student follows ``policy`` until every skill is truly known at once (or MAX_STEPS)."""
    rng = random.Random(f"{seed}:{name}:{student.index}")
    learner = Learner(student, course, rng, forget)
    while not learner.knows_everything() and len(learner.done) < MAX_STEPS:
        learner.do(policy(learner))
    return learner


def run_for(
    student: Student, course: Course, policy: Policy, steps: int, seed: int, forget: float = 0.0
) -> Learner:
    """The student does ``steps`` activities chosen by ``policy``, known or not."""
    learner = Learner(student, course, random.Random(f"{seed}:log:{student.index}"), forget)
    for _ in range(steps):
        learner.do(policy(learner))
    return learner
