"""Recommendations: a student's next activities, ranked and explained.

Pure functions on plain values, no database, like ``server.mastery``: the service
gathers candidates, mastery states, the skill graph, the profile, assignments and the
student's recent attempts, and ``rank`` orders them. Same inputs, same output: ties are
broken by activity id, and ``now_ms`` is an argument, so a simulation can drive it.

How an activity scores (higher first), each part with a reason a child can read:

* its skills: one due for review (mastered once, decayed since) scores most, then one
  started and not yet mastered (``practice_more``), then one never practised whose
  prerequisites are all mastered (``next_skill``); an activity teaching only mastered
  skills scores little. An activity with a skill whose prerequisites are not mastered
  is *blocked* and left out, unless the teacher assigned it (a project on counting
  and comparing waits until counting is mastered, even though it teaches both).
* the teacher: a pinned activity comes before everything; an assigned one not yet
  completed gets a large bonus, larger when it is due within two days or overdue.
* ``continue``: an activity the student left unfinished.
* ``level``: difficulty near the student's level on its skills: the easiest
  activities of a skill for a beginner, the hardest when nearly mastered.
* ``interest``, ``modality``, ``language``: from the learner profile and the language
  asked for; an activity in a language the student does not read is pushed down.
* ``variety``: the activity just done is pushed down, and so (less) are those of the
  last few attempts and the same kind as the last one.

Cost: O(candidates x skills per activity + history), one pass each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, NamedTuple

from .mastery import SkillMastery

# Weights of the score's parts. The skill part decides the order; the rest sorts
# activities of similar use. Pinned is larger than every other part together.
PINNED = 10.0
ASSIGNED = 1.0
CONTINUE = 0.5
REVIEW = 0.9
PRACTICE_MORE = 0.8
NEXT_SKILL = 0.7
ALREADY_MASTERED = 0.1
NO_SKILL = 0.05
LEVEL = 0.15
INTEREST = 0.08
MODALITY = 0.08
LANGUAGE = 0.1
OTHER_LANGUAGE = -2.0
JUST_DONE = -0.5
RECENTLY_DONE = -0.2
SAME_KIND = -0.04
SAME_SKILL = -0.03
RECENT_WINDOW = 3  # attempts that count as "recently done"
DUE_SOON = 0.3
DUE_SOON_DAYS = 2
LEVEL_MATCH = 0.75  # within this many difficulty steps of the level says "level"


@dataclass(frozen=True)
class Candidate:
    """An activity that could be recommended."""

    activity_id: str
    kind: str  # reading, video, audio, quiz, practice, project, reflection
    modality: str  # read, watch, listen, do
    language: str
    difficulty: int  # 1 (easiest) to 5
    skill_ids: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    minutes: int = 0


@dataclass(frozen=True)
class Profile:
    """What the recommender uses of a learner profile; preferences first-best."""

    interests: tuple[str, ...] = ()
    modalities: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()  # the languages the student reads, best first


@dataclass(frozen=True)
class AssignmentRef:
    """An assignment meant for the student."""

    activity_id: str
    pinned: bool = False
    due_on: str | None = None  # ISO date
    assignment_id: str = ""


class Done(NamedTuple):
    """One of the student's attempts (a named tuple: thousands are made per call)."""

    activity_id: str
    started_ms: int
    ended_ms: int
    completed: bool
    attempt_id: str = ""


@dataclass(frozen=True)
class Reason:
    """Why an activity is recommended: a code clients translate, its params, English text."""

    code: str
    params: Mapping[str, Any]
    text: str

    def as_dict(self) -> dict[str, Any]:
        """The reason as the API shows it."""
        return {"code": self.code, "params": dict(self.params), "text": self.text}


@dataclass(frozen=True)
class Recommendation:
    """A ranked activity with its score and reasons (strongest first)."""

    activity_id: str
    score: float
    reasons: tuple[Reason, ...]
    assigned: bool = False
    pinned: bool = False
    due_on: str | None = None


@dataclass(frozen=True)
class SkillGraph:
    """Prerequisites per skill (``skill -> skills needed first``) and titles by language."""

    prerequisites: Mapping[str, Sequence[str]] = field(default_factory=dict)
    titles: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def title(self, skill_id: str) -> Mapping[str, str]:
        """The skill's title by language; its id when it has none."""
        return self.titles.get(skill_id) or {"en": skill_id}


def _english(title: Mapping[str, str]) -> str:
    return title.get("en") or next(iter(title.values()), "")


def skill_status(skill_id: str, states: Mapping[str, SkillMastery], graph: SkillGraph) -> str:
    """One of ``review``, ``mastered``, ``practice_more``, ``next_skill``, ``blocked``."""
    state = states.get(skill_id)
    if state is not None and state.needs_review:
        return "review"
    if state is not None and state.mastered:
        return "mastered"
    for pre in graph.prerequisites.get(skill_id, ()):
        pre_state = states.get(pre)
        if pre_state is None or not pre_state.mastered:
            return "blocked"
    return "practice_more" if state is not None and state.attempts else "next_skill"


def _statuses(
    candidates: Sequence[Candidate], states: Mapping[str, SkillMastery], graph: SkillGraph
) -> dict[str, str]:
    skills = {s for c in candidates for s in c.skill_ids}
    return {s: skill_status(s, states, graph) for s in skills}


def _difficulty_ranges(candidates: Sequence[Candidate]) -> dict[str, tuple[int, int]]:
    """The easiest and hardest difficulty among each skill's activities."""
    ranges: dict[str, tuple[int, int]] = {}
    for c in candidates:
        for s in c.skill_ids:
            lo, hi = ranges.get(s, (c.difficulty, c.difficulty))
            ranges[s] = (min(lo, c.difficulty), max(hi, c.difficulty))
    return ranges


def _due_within(due_on: str | None, now_ms: int, days: int) -> bool:
    """Whether an ISO date is at most ``days`` days after the UTC day of ``now_ms`` (or past)."""
    if not due_on:
        return False
    try:
        due = date.fromisoformat(due_on)
    except ValueError:
        return False
    today = datetime.fromtimestamp(now_ms / 1000, tz=timezone.utc).date()
    return (due - today).days <= days


def target_difficulty(p_known: float, lo: int, hi: int) -> float:
    """The difficulty that suits a learner knowing a skill with probability ``p_known``."""
    return lo + max(0.0, min(1.0, p_known)) * (hi - lo)


@dataclass
class _Context:
    """What one ``rank`` call computes once and every candidate reads."""

    statuses: dict[str, str]
    profile: Profile
    languages: tuple[str, ...]
    assigned: dict[str, AssignmentRef]
    due_soon: set[str]  # assigned activities due within DUE_SOON_DAYS or overdue
    completed: set[str]
    unfinished: set[str]
    recent: list[str]  # activity ids, newest first
    last_kind: str | None
    last_skills: frozenset[str]
    skill_reasons: dict[str, Reason]
    targets: dict[str, float]  # skill -> the difficulty that suits the student now
    memo: dict[tuple[str, Any], Reason] = field(default_factory=dict)

    def reason(self, code: str, value: Any) -> Reason:
        """The reason ``code`` about ``value``, made once per call."""
        key = (code, value)
        if key not in self.memo:
            param, text = _REASON_TEXTS[code]
            self.memo[key] = Reason(code, {param: value}, text(value))
        return self.memo[key]


_SKILL_VALUES = {"review": REVIEW, "practice_more": PRACTICE_MORE, "next_skill": NEXT_SKILL}
_SKILL_TEXTS = {
    "review": "Time to review {}: it is fading.",
    "practice_more": "More practice on {}.",
    "next_skill": "You are ready to learn {}.",
}
_VERBS = {"read": "read", "watch": "watch", "listen": "listen", "do": "do things"}


def _skill_reasons(statuses: Mapping[str, str], graph: SkillGraph) -> dict[str, Reason]:
    """One reason per skill worth learning, made once per call rather than per activity."""
    reasons = {}
    for skill, status in statuses.items():
        if status in _SKILL_TEXTS:
            title = graph.title(skill)
            text = _SKILL_TEXTS[status].format(_english(title))
            reasons[skill] = Reason(status, {"skill": dict(title)}, text)
    return reasons


def _skill_part(c: Candidate, ctx: _Context) -> tuple[float, list[Reason]] | None:
    """The score of what the activity teaches; None when it is blocked."""
    if not c.skill_ids:
        return NO_SKILL, []
    best, reasons = ALREADY_MASTERED, []
    for skill in sorted(c.skill_ids):
        status = ctx.statuses[skill]
        if status == "blocked":
            return None
        value = _SKILL_VALUES.get(status)
        if value is None:
            continue
        reason = ctx.skill_reasons[skill]
        if value > best:
            best, reasons = value, [reason, *reasons]
        else:
            reasons.append(reason)
    return best, reasons


def _level_part(c: Candidate, ctx: _Context) -> tuple[float, list[Reason]]:
    """Closeness of the activity's difficulty to the student's level on its skills."""
    if not c.skill_ids:
        return 0.0, []
    if len(c.skill_ids) == 1:
        gap = abs(c.difficulty - ctx.targets[c.skill_ids[0]])
    else:
        gap = sum(abs(c.difficulty - ctx.targets[s]) for s in c.skill_ids) / len(c.skill_ids)
    value = LEVEL * max(0.0, 1.0 - gap / 4.0)
    if gap <= LEVEL_MATCH:
        return value, [ctx.reason("level", c.difficulty)]
    return value, []


def _profile_part(c: Candidate, ctx: _Context) -> tuple[float, list[Reason]]:
    score, reasons = 0.0, []
    liked = [i for i in c.interests if i in ctx.profile.interests]
    if liked:
        score += INTEREST
        reasons.append(ctx.reason("interest", min(liked)))
    if c.modality in ctx.profile.modalities:
        # The first preference counts fully, later ones a little less.
        rank = ctx.profile.modalities.index(c.modality)
        score += MODALITY / (1 + 0.5 * rank)
        reasons.append(ctx.reason("modality", c.modality))
    if ctx.languages:
        if c.language in ctx.languages:
            rank = ctx.languages.index(c.language)
            score += LANGUAGE / (1 + rank)
            reasons.append(ctx.reason("language", c.language))
        else:
            score += OTHER_LANGUAGE
    return score, reasons


def _variety_part(c: Candidate, ctx: _Context) -> tuple[float, list[Reason]]:
    if c.activity_id in ctx.unfinished:
        return 0.0, []  # left unfinished: going back to it is not repetition
    score = 0.0
    if ctx.recent and ctx.recent[0] == c.activity_id:
        score += JUST_DONE
    elif c.activity_id in ctx.recent:
        score += RECENTLY_DONE
    if ctx.last_kind is not None and c.kind == ctx.last_kind:
        score += SAME_KIND
    if ctx.last_skills and ctx.last_skills.intersection(c.skill_ids):
        score += SAME_SKILL
    if ctx.last_kind not in (None, c.kind) and c.activity_id not in ctx.recent:
        return score, [ctx.reason("variety", c.kind)]
    return score, []


_REASON_TEXTS = {
    "level": ("difficulty", lambda v: "It is at your level."),
    "interest": ("interest", lambda v: f"It is about {v}."),
    "modality": ("modality", lambda v: f"You like to {_VERBS.get(v, v)}."),
    "language": ("language", lambda v: f"It is in a language you read ({v})."),
    "variety": ("kind", lambda v: "Something different from your last activity."),
}


def _context(
    candidates: Sequence[Candidate],
    states: Mapping[str, SkillMastery],
    graph: SkillGraph,
    profile: Profile,
    assignments: Iterable[AssignmentRef],
    history: Iterable[Done],
    language: str | None,
    now_ms: int,
) -> _Context:
    assigned: dict[str, AssignmentRef] = {}
    for a in sorted(assignments, key=lambda a: (not a.pinned, a.due_on or "9999", a.assignment_id)):
        assigned.setdefault(a.activity_id, a)
    # Newest attempt first; the attempt id keeps equal times in one order everywhere.
    attempts = sorted(history, key=lambda d: (d.ended_ms, d.attempt_id), reverse=True)
    completed = {d.activity_id for d in attempts if d.completed}
    latest: dict[str, Done] = {}
    for d in attempts:
        latest.setdefault(d.activity_id, d)
    unfinished = {a for a, d in latest.items() if not d.completed and a not in completed}
    by_id = {c.activity_id: c for c in candidates}
    last = by_id.get(attempts[0].activity_id) if attempts else None
    languages = tuple(dict.fromkeys([*([language] if language else []), *profile.languages]))
    statuses = _statuses(candidates, states, graph)
    ranges = _difficulty_ranges(candidates)
    targets = {}
    for skill, (lo, hi) in ranges.items():
        state = states.get(skill)
        targets[skill] = target_difficulty(state.p_known_now if state else 0.0, lo, hi)
    return _Context(
        statuses=statuses,
        profile=profile,
        languages=languages,
        assigned=assigned,
        due_soon={
            a for a, ref in assigned.items() if _due_within(ref.due_on, now_ms, DUE_SOON_DAYS)
        },
        completed=completed,
        unfinished=unfinished,
        recent=[d.activity_id for d in attempts[:RECENT_WINDOW]],
        last_kind=last.kind if last else None,
        last_skills=frozenset(last.skill_ids) if last else frozenset(),
        skill_reasons=_skill_reasons(statuses, graph),
        targets=targets,
    )


def _score_candidate(c: Candidate, ctx: _Context) -> Recommendation | None:
    """One candidate's score and reasons; None when it should not be offered."""
    ref = ctx.assigned.get(c.activity_id)
    skill = _skill_part(c, ctx)
    if skill is None and ref is None:
        return None
    score, reasons = skill if skill is not None else (0.0, [])
    head: list[Reason] = []
    if ref is not None and ref.pinned:
        score += PINNED
        head.append(Reason("pinned", {}, "Your teacher put this first."))
    if ref is not None and c.activity_id not in ctx.completed:
        score += ASSIGNED + (DUE_SOON if c.activity_id in ctx.due_soon else 0.0)
        params = {"due_on": ref.due_on} if ref.due_on else {}
        due = f", due {ref.due_on}" if ref.due_on else ""
        head.append(Reason("assigned", params, f"Your teacher gave you this{due}."))
    if c.activity_id in ctx.unfinished:
        score += CONTINUE
        head.append(Reason("continue", {}, "You started this; finish it."))
    tail = []
    for part in (_level_part, _profile_part, _variety_part):
        value, more = part(c, ctx)
        score += value
        tail.extend(more)
    return Recommendation(
        activity_id=c.activity_id,
        score=round(score, 6),
        reasons=tuple(head + reasons + tail),
        assigned=ref is not None,
        pinned=bool(ref and ref.pinned),
        due_on=ref.due_on if ref else None,
    )


def rank(
    candidates: Sequence[Candidate],
    states: Mapping[str, SkillMastery],
    graph: SkillGraph,
    profile: Profile = Profile(),
    assignments: Iterable[AssignmentRef] = (),
    history: Iterable[Done] = (),
    now_ms: int = 0,
    limit: int | None = 5,
    language: str | None = None,
) -> list[Recommendation]:
    """The best ``limit`` candidates (all when None), best first, ties by activity id.

    ``states`` is ``server.mastery.trace``'s output at ``now_ms`` (skills missing from
    it count as never practised); ``history`` is the student's attempts, any order;
    ``language`` the one asked for, before the profile's languages. Blocked activities
    (a skill whose prerequisites are not mastered) are left out unless assigned.
    """
    ctx = _context(candidates, states, graph, profile, assignments, history, language, now_ms)
    scored = [r for c in candidates if (r := _score_candidate(c, ctx)) is not None]
    scored.sort(key=lambda r: (-r.score, r.activity_id))
    return scored if limit is None else scored[:limit]


def stars(state: SkillMastery | None, near: float = 0.6) -> int:
    """Mastery a child can read: 0 not started, 1 started, 2 near (p >= ``near``), 3 mastered."""
    if state is None or (state.attempts == 0 and not state.mastered):
        return 0
    if state.mastered:
        return 3
    return 2 if state.p_known_now >= near else 1
