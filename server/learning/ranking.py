"""Recommendations: a student's next activities, ranked and explained.

Pure functions on plain values, no database, like ``server.learning.tracing``: the service
gathers candidates, mastery states, the skill graph, the profile, assignments and the
student's recent attempts, and ``rank`` orders them. Same inputs, same output: ties are
broken by activity id, and ``now_ms`` is an argument, so a simulation can drive it.

How an activity scores (higher first), each part with a reason a child can read:

* its skills: one started and not yet mastered (``practice_more``) scores most, then
  one never practised whose prerequisites are all met (``next_skill``); one due for
  ``review`` (mastered once, decayed since) scores by how far it has faded: a little
  under the mastery threshold, below learning; well faded, above everything else.
  An activity teaching only mastered skills scores little. A prerequisite is met once
  mastered, even when due for review since. An activity with a skill whose
  prerequisites are not met is *blocked* and left out, unless the teacher assigned it
  (a project on counting and comparing waits until counting is mastered).
* questions: while a skill is being learnt or reviewed, an activity that asks
  questions scores more (up to ``EVIDENCE_ITEMS`` of them): each question is
  practice, and the only evidence that moves mastery. Projects and reflections
  come back when their skills are mastered; no reason of its own (the skill's says why).
* the teacher: a pinned activity comes before everything; an assigned one not yet
  completed gets a large bonus, larger when it is due within two days or overdue.
* ``continue``: an activity the student left unfinished.
* ``level``: difficulty near the student's level on its skills: the easiest
  activities of a skill for a beginner, the hardest when nearly mastered.
* ``interest``, ``modality``, ``language``: from the learner profile and the language
  asked for; an activity in a language the student does not read is pushed down.
* ``variety``: the activity just done is pushed down, and so (less) are those of the
  last few attempts and the same kind as the last one.

Cost: what depends on the content alone (difficulty ranges, activities grouped by
skill and language) is made once per content snapshot in a ``Pool``. A call values
each skill once, then scores groups of activities in order of the most they could
score, and stops when no group left can reach the top ``limit`` (activities in other
languages, on mastered skills or far from the student's needs are rarely scored);
reasons are built for the top ``limit`` only.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from typing import Any, NamedTuple

from .tracing import MASTERY_THRESHOLD, SkillMastery

# Weights of the score's parts. The skill part decides the order; the rest sorts
# activities of similar use. Pinned is larger than every other part together.
PINNED = 10.0
ASSIGNED = 1.0
CONTINUE = 0.5
REVIEW = 0.9  # a skill faded to REVIEW_FULL_BELOW or under
LIGHT_REVIEW = 0.3  # a skill just under the mastery threshold
REVIEW_FULL_BELOW = 0.8  # P(known now) under which review is the most useful
PRACTICE_MORE = 0.8
NEXT_SKILL = 0.7
ALREADY_MASTERED = 0.1
NO_SKILL = 0.05
# Questions on a skill being learnt or reviewed, in full from EVIDENCE_ITEMS of them (a
# quiz): each is practice and the only evidence that moves mastery, while a project
# or reflection moves nothing we can see. Larger than LEVEL + INTEREST + MODALITY
# (0.31), so preferences choose among activities that teach rather than outweigh
# practice; well under ASSIGNED, so the teacher's choices stay first.
EVIDENCE = 0.35
EVIDENCE_ITEMS = 5
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
    items: int = 0  # questions it asks: each is practice and evidence of mastery


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


def prerequisite_met(state: SkillMastery | None) -> bool:
    """Whether a skill counts as learnt for what needs it: mastered, even if fading since."""
    # Forgetting is modelled so that review comes at the right time, not as evidence
    # that the skill is gone: a child who mastered counting last week can start
    # adding, while counting's review is offered on its own.
    return state is not None and (state.mastered or state.needs_review)


def skill_status(skill_id: str, states: Mapping[str, SkillMastery], graph: SkillGraph) -> str:
    """One of ``review``, ``mastered``, ``practice_more``, ``next_skill``, ``blocked``."""
    state = states.get(skill_id)
    if state is not None and state.needs_review:
        return "review"
    if state is not None and state.mastered:
        return "mastered"
    for pre in graph.prerequisites.get(skill_id, ()):
        if not prerequisite_met(states.get(pre)):
            return "blocked"
    return "practice_more" if state is not None and state.attempts else "next_skill"


def review_value(p_known_now: float) -> float:
    """How much reviewing a faded skill is worth: more the further it has faded."""
    # Just under the mastery threshold a skill is still mostly known: a light review,
    # worth more than what is mastered and less than learning something new. At
    # REVIEW_FULL_BELOW and under, it is the most useful thing to do. In between,
    # linear: review is interleaved with new learning instead of crowding it out.
    fade = (MASTERY_THRESHOLD - p_known_now) / (MASTERY_THRESHOLD - REVIEW_FULL_BELOW)
    return LIGHT_REVIEW + (REVIEW - LIGHT_REVIEW) * max(0.0, min(1.0, fade))


def _difficulty_ranges(candidates: Iterable[Candidate]) -> dict[str, tuple[int, int]]:
    """The easiest and hardest difficulty among each skill's activities."""
    ranges: dict[str, tuple[int, int]] = {}
    for c in candidates:
        for s in c.skill_ids:
            lo, hi = ranges.get(s, (c.difficulty, c.difficulty))
            ranges[s] = (min(lo, c.difficulty), max(hi, c.difficulty))
    return ranges


class Pool:
    """Candidates with what ranking derives from them alone: made once per content snapshot."""

    def __init__(self, candidates: Iterable[Candidate]) -> None:
        # Skills sorted once here, not per call: reasons list them in this order.
        self.candidates = tuple(
            c
            if list(c.skill_ids) == sorted(c.skill_ids)
            else replace(c, skill_ids=tuple(sorted(c.skill_ids)))
            for c in candidates
        )
        self.by_id = {c.activity_id: c for c in self.candidates}
        self.ranges = _difficulty_ranges(self.candidates)
        # (skill, language) -> the activities teaching it in that language; skill "" for
        # those teaching none. An activity of several skills is in each of their groups.
        self.groups: dict[tuple[str, str], list[Candidate]] = {}
        for c in self.candidates:
            for skill in c.skill_ids or ("",):
                self.groups.setdefault((skill, c.language), []).append(c)


@dataclass(frozen=True)
class History:
    """What ranking reads of a student's attempts (the service may query just this)."""

    completed: frozenset[str] = frozenset()  # activities with a completed attempt
    unfinished: frozenset[str] = frozenset()  # attempted, never completed
    recent: tuple[str, ...] = ()  # the last RECENT_WINDOW attempts' activities, newest first

    @classmethod
    def of(cls, attempts: Iterable[Done]) -> History:
        """The summary of a list of attempts, any order."""
        # Newest first; the attempt id keeps equal times in one order everywhere.
        newest = sorted(attempts, key=lambda d: (d.ended_ms, d.attempt_id), reverse=True)
        completed = frozenset(d.activity_id for d in newest if d.completed)
        unfinished = frozenset(d.activity_id for d in newest) - completed
        return cls(completed, unfinished, tuple(d.activity_id for d in newest[:RECENT_WINDOW]))


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


SkillValue = tuple[float, "Reason | None"] | None  # None: blocked; no reason: mastered


@dataclass
class _Context:
    """What one ``rank`` call computes once and every candidate reads."""

    skills: dict[str, SkillValue]
    profile: Profile
    languages: tuple[str, ...]
    assigned: dict[str, AssignmentRef]
    due_soon: set[str]  # assigned activities due within DUE_SOON_DAYS or overdue
    history: History
    last_kind: str | None
    last_skills: frozenset[str]
    targets: dict[str, float]  # skill -> the difficulty that suits the student now
    memo: dict[tuple[str, Any], Reason] = field(default_factory=dict)

    def reason(self, code: str, value: Any) -> Reason:
        """The reason ``code`` about ``value``, made once per call."""
        key = (code, value)
        if key not in self.memo:
            param, text = _REASON_TEXTS[code]
            self.memo[key] = Reason(code, {param: value}, text(value))
        return self.memo[key]


_SKILL_VALUES = {"practice_more": PRACTICE_MORE, "next_skill": NEXT_SKILL}
_SKILL_TEXTS = {
    "review": "Time to review {}: it is fading.",
    "practice_more": "More practice on {}.",
    "next_skill": "You are ready to learn {}.",
}
_VERBS = {"read": "read", "watch": "watch", "listen": "listen", "do": "do things"}


def _skill_values(
    skills: Iterable[str], states: Mapping[str, SkillMastery], graph: SkillGraph
) -> dict[str, SkillValue]:
    """Each skill's worth and reason now, made once per call rather than per activity."""
    values: dict[str, SkillValue] = {}
    for skill in skills:
        status = skill_status(skill, states, graph)
        if status == "blocked":
            values[skill] = None
        elif status == "mastered":
            values[skill] = (ALREADY_MASTERED, None)
        else:
            title = graph.title(skill)
            text = _SKILL_TEXTS[status].format(_english(title))
            reason = Reason(status, {"skill": dict(title)}, text)
            value = review_value(states[skill].p_known_now) if status == "review" else None
            values[skill] = (value if value is not None else _SKILL_VALUES[status], reason)
    return values


def _skill_part(c: Candidate, ctx: _Context, out: list[Reason] | None) -> float | None:
    """The score of what the activity teaches; None when it is blocked."""
    if not c.skill_ids:
        return NO_SKILL
    best, learning = ALREADY_MASTERED, False
    for skill in c.skill_ids:
        entry = ctx.skills[skill]
        if entry is None:
            return None
        value, reason = entry
        if reason is None:
            continue
        learning = True
        if value > best:
            best = value
            if out is not None:
                out.insert(0, reason)  # the strongest reason first, the others in skill order
        elif out is not None:
            out.append(reason)
    if learning:
        best += EVIDENCE * min(c.items, EVIDENCE_ITEMS) / EVIDENCE_ITEMS
    return best


def _level_part(c: Candidate, ctx: _Context, out: list[Reason] | None) -> float:
    """Closeness of the activity's difficulty to the student's level on its skills."""
    if not c.skill_ids:
        return 0.0
    if len(c.skill_ids) == 1:
        gap = abs(c.difficulty - ctx.targets[c.skill_ids[0]])
    else:
        gap = sum(abs(c.difficulty - ctx.targets[s]) for s in c.skill_ids) / len(c.skill_ids)
    if out is not None and gap <= LEVEL_MATCH:
        out.append(ctx.reason("level", c.difficulty))
    return LEVEL * max(0.0, 1.0 - gap / 4.0)


def _profile_part(c: Candidate, ctx: _Context, out: list[Reason] | None) -> float:
    score = 0.0
    profile = ctx.profile
    if profile.interests:
        liked = [i for i in c.interests if i in profile.interests]
        if liked:
            score += INTEREST
            if out is not None:
                out.append(ctx.reason("interest", min(liked)))
    if c.modality in profile.modalities:
        # The first preference counts fully, later ones a little less.
        score += MODALITY / (1 + 0.5 * profile.modalities.index(c.modality))
        if out is not None:
            out.append(ctx.reason("modality", c.modality))
    if ctx.languages:
        if c.language in ctx.languages:
            score += LANGUAGE / (1 + ctx.languages.index(c.language))
            if out is not None:
                out.append(ctx.reason("language", c.language))
        else:
            score += OTHER_LANGUAGE
    return score


def _variety_part(c: Candidate, ctx: _Context, out: list[Reason] | None) -> float:
    if c.activity_id in ctx.history.unfinished:
        return 0.0  # left unfinished: going back to it is not repetition
    score = 0.0
    recent = ctx.history.recent
    if recent and recent[0] == c.activity_id:
        score += JUST_DONE
    elif c.activity_id in recent:
        score += RECENTLY_DONE
    if ctx.last_kind is not None and c.kind == ctx.last_kind:
        score += SAME_KIND
    if ctx.last_skills and not ctx.last_skills.isdisjoint(c.skill_ids):
        score += SAME_SKILL
    if out is not None and ctx.last_kind not in (None, c.kind) and c.activity_id not in recent:
        out.append(ctx.reason("variety", c.kind))
    return score


_REASON_TEXTS = {
    "level": ("difficulty", lambda v: "It is at your level."),
    "interest": ("interest", lambda v: f"It is about {v}."),
    "modality": ("modality", lambda v: f"You like to {_VERBS.get(v, v)}."),
    "language": ("language", lambda v: f"It is in a language you read ({v})."),
    "variety": ("kind", lambda v: "Something different from your last activity."),
}


def _context(
    pool: Pool,
    states: Mapping[str, SkillMastery],
    graph: SkillGraph,
    profile: Profile,
    assignments: Iterable[AssignmentRef],
    history: History,
    language: str | None,
    now_ms: int,
) -> _Context:
    assigned: dict[str, AssignmentRef] = {}
    for a in sorted(assignments, key=lambda a: (not a.pinned, a.due_on or "9999", a.assignment_id)):
        assigned.setdefault(a.activity_id, a)
    last = pool.by_id.get(history.recent[0]) if history.recent else None
    languages = tuple(dict.fromkeys([*([language] if language else []), *profile.languages]))
    targets = {}
    for skill, (lo, hi) in pool.ranges.items():
        state = states.get(skill)
        targets[skill] = target_difficulty(state.p_known_now if state else 0.0, lo, hi)
    return _Context(
        skills=_skill_values(pool.ranges, states, graph),
        profile=profile,
        languages=languages,
        assigned=assigned,
        due_soon={
            a for a, ref in assigned.items() if _due_within(ref.due_on, now_ms, DUE_SOON_DAYS)
        },
        history=history,
        last_kind=last.kind if last else None,
        last_skills=frozenset(last.skill_ids) if last else frozenset(),
        targets=targets,
    )


def _score(c: Candidate, ctx: _Context, out: list[Reason] | None = None) -> float | None:
    """One candidate's score, its reasons added to ``out``; None when it is not offered."""
    ref = ctx.assigned.get(c.activity_id)
    skill_reasons: list[Reason] | None = [] if out is not None else None
    skill = _skill_part(c, ctx, skill_reasons)
    if skill is None and ref is None:
        return None
    score = skill or 0.0
    if ref is not None and ref.pinned:
        score += PINNED
        if out is not None:
            out.append(Reason("pinned", {}, "Your teacher put this first."))
    if ref is not None and c.activity_id not in ctx.history.completed:
        score += ASSIGNED + (DUE_SOON if c.activity_id in ctx.due_soon else 0.0)
        if out is not None:
            params = {"due_on": ref.due_on} if ref.due_on else {}
            due = f", due {ref.due_on}" if ref.due_on else ""
            out.append(Reason("assigned", params, f"Your teacher gave you this{due}."))
    if c.activity_id in ctx.history.unfinished:
        score += CONTINUE
        if out is not None:
            out.append(Reason("continue", {}, "You started this; finish it."))
    if out is not None and skill_reasons:
        out.extend(skill_reasons)
    score += _level_part(c, ctx, out) + _profile_part(c, ctx, out) + _variety_part(c, ctx, out)
    return round(score, 6)


def _explained(c: Candidate, ctx: _Context) -> Recommendation:
    reasons: list[Reason] = []
    score = _score(c, ctx, reasons)
    assert score is not None  # only offered candidates are explained
    ref = ctx.assigned.get(c.activity_id)
    return Recommendation(
        activity_id=c.activity_id,
        score=score,
        reasons=tuple(reasons),
        assigned=ref is not None,
        pinned=bool(ref and ref.pinned),
        due_on=ref.due_on if ref else None,
    )


Ranked = list[tuple[float, str]]  # (-score, activity id): sorts best first, ties by id


def _scored(candidates: Iterable[Candidate], ctx: _Context) -> Ranked:
    return [(-score, c.activity_id) for c in candidates if (score := _score(c, ctx)) is not None]


def _bounds(pool: Pool, ctx: _Context) -> list[tuple[float, str, str]]:
    """The most any activity of each group could score, best first: (bound, skill, language).

    Every part at its best for this student: the skill's value with the whole questions
    bonus, the level, what the profile can give, the language's; variety is never
    positive; the teacher's and ``continue`` bonuses go to activities scored first
    anyway. An activity of several skills scores at most its best skill's bound.
    """
    extra = LEVEL + (INTEREST if ctx.profile.interests else 0.0)
    extra += MODALITY if ctx.profile.modalities else 0.0
    bounds = []
    for skill, language in pool.groups:
        if skill:
            entry = ctx.skills[skill]
            if entry is None:
                continue  # blocked: none of its activities is offered
            best = entry[0] + EVIDENCE + extra
        else:
            best = NO_SKILL + extra - LEVEL  # no skill, no level
        if ctx.languages:
            if language in ctx.languages:
                best += LANGUAGE / (1 + ctx.languages.index(language))
            else:
                best += OTHER_LANGUAGE
        bounds.append((best, skill, language))
    bounds.sort(key=lambda b: (-b[0], b[1], b[2]))
    return bounds


def _top(pool: Pool, ctx: _Context, special: Iterable[str], limit: int) -> Ranked:
    """The best ``limit``, scoring groups in order of their bounds until none can reach them.

    The assigned and unfinished activities are scored first (their bonuses are not in
    the bounds); then each group while the ``limit``-th best so far does not beat its
    bound. Exact: an activity left unscored could not have entered the top.
    """
    top: Ranked = []
    seen: set[str] = set()

    def consider(candidates: Iterable[Candidate]) -> None:
        for c in candidates:
            if c.activity_id in seen:
                continue
            seen.add(c.activity_id)
            score = _score(c, ctx)
            if score is None:
                continue
            entry = (-score, c.activity_id)
            if len(top) < limit:
                bisect.insort(top, entry)
            elif entry < top[-1]:
                bisect.insort(top, entry)
                top.pop()

    consider(pool.by_id[a] for a in sorted(special))
    for bound, skill, language in _bounds(pool, ctx):
        # The margin covers the rounding of scores to six decimals.
        if len(top) == limit and -top[-1][0] > bound + 1e-6:
            break
        consider(pool.groups[(skill, language)])
    return top


def rank(
    candidates: Sequence[Candidate] | Pool,
    states: Mapping[str, SkillMastery],
    graph: SkillGraph,
    profile: Profile = Profile(),
    assignments: Iterable[AssignmentRef] = (),
    history: Iterable[Done] | History = (),
    now_ms: int = 0,
    limit: int | None = 5,
    language: str | None = None,
) -> list[Recommendation]:
    """The best ``limit`` candidates (all when None), best first, ties by activity id.

    ``states`` is ``server.learning.tracing.trace``'s output at ``now_ms`` (skills missing from
    it count as never practised); ``history`` is the student's attempts, any order, or
    their ``History``; ``language`` the one asked for, before the profile's languages.
    Blocked activities (a skill whose prerequisites are not met) are left out unless
    assigned. ``candidates`` may be a ``Pool`` made once for many calls.
    """
    pool = candidates if isinstance(candidates, Pool) else Pool(candidates)
    summary = history if isinstance(history, History) else History.of(history)
    ctx = _context(pool, states, graph, profile, assignments, summary, language, now_ms)
    if limit is None:
        best = sorted(_scored(pool.candidates, ctx))
    else:
        special = (ctx.assigned.keys() | summary.unfinished) & pool.by_id.keys()
        best = _top(pool, ctx, special, limit)
    return [_explained(pool.by_id[aid], ctx) for _, aid in best]


def stars(state: SkillMastery | None, near: float = 0.6) -> int:
    """Mastery a child can read: 0 not started, 1 started, 2 near (p >= ``near``), 3 mastered."""
    if state is None or (state.attempts == 0 and not state.mastered):
        return 0
    if state.mastered:
        return 3
    return 2 if state.p_known_now >= near else 1
