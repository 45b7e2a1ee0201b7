"""Bayesian knowledge tracing with forgetting: mastery from answer events.

Pure functions, no database. Mastery is derived, never synced (invariant 7):
every node recomputes it from the same events and gets the same numbers, because
events are taken in one canonical order, ``(device time, event id)``, whatever
order they arrived in.

The model (Corbett & Anderson 1995): a skill is known or not; ``prior`` is
P(known) before practice, ``learn`` the chance to learn at each opportunity,
``guess`` to answer right without knowing, ``slip`` to answer wrong while
knowing. Forgetting (for spaced review): without practice, what is known above
the prior halves back toward it every ``forget_half_life_days``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

MASTERY_THRESHOLD = 0.95
DAY_MS = 86_400_000


@dataclass(frozen=True)
class BktParams:
    """Parameters of one skill."""

    prior: float
    learn: float
    guess: float
    slip: float
    forget_half_life_days: float = 30.0


DEFAULT_PARAMS = BktParams(prior=0.2, learn=0.15, guess=0.2, slip=0.1)


def params_from_pack(bkt: Mapping[str, Any] | None) -> BktParams:
    """A pack's ``bkt`` object as parameters; its optional ``forget`` is a daily probability."""
    if not bkt:
        return DEFAULT_PARAMS
    forget = float(bkt.get("forget") or 0.0)
    half_life = (
        math.log(0.5) / math.log(1.0 - forget)
        if 0.0 < forget < 1.0
        else DEFAULT_PARAMS.forget_half_life_days
    )
    return BktParams(
        prior=float(bkt["prior"]),
        learn=float(bkt["learn"]),
        guess=float(bkt["guess"]),
        slip=float(bkt["slip"]),
        forget_half_life_days=half_life,
    )


def posterior(p_known: float, correct: bool, p: BktParams) -> float:
    """P(known | this answer), by Bayes' rule."""
    if correct:
        right_if_known, right_if_not = p_known * (1 - p.slip), (1 - p_known) * p.guess
        return right_if_known / (right_if_known + right_if_not)
    wrong_if_known, wrong_if_not = p_known * p.slip, (1 - p_known) * (1 - p.guess)
    return wrong_if_known / (wrong_if_known + wrong_if_not)


def update(p_known: float, correct: bool, p: BktParams) -> float:
    """P(known) after an answer: the posterior, then a chance to learn."""
    post = posterior(p_known, correct, p)
    return post + (1 - post) * p.learn


def decay(p_known: float, elapsed_days: float, p: BktParams) -> float:
    """Forgetting: the part above the prior halves every half-life without practice."""
    if elapsed_days <= 0 or p.forget_half_life_days <= 0 or p_known <= p.prior:
        return p_known
    return p.prior + (p_known - p.prior) * 0.5 ** (elapsed_days / p.forget_half_life_days)


def predict_correct(p_known: float, p: BktParams) -> float:
    """P(the next answer is right)."""
    return p_known * (1 - p.slip) + (1 - p_known) * p.guess


@dataclass(frozen=True)
class Observation:
    """One answer to an item teaching one skill."""

    event_id: str
    skill_id: str
    correct: bool
    time_ms: int


@dataclass(frozen=True)
class SkillMastery:
    """Where a learner stands on a skill."""

    skill_id: str
    p_known: float  # after the last answer
    p_known_now: float  # decayed to now
    attempts: int
    correct: int
    last_ms: int | None
    mastered: bool  # known now, above the threshold
    needs_review: bool  # was mastered, has decayed below: time to practise again


def canonical_order(observations: Iterable[Observation]) -> list[Observation]:
    """The order every node agrees on, whatever order the events arrived in; duplicates once."""
    unique = {(o.event_id, o.skill_id): o for o in observations}
    return sorted(unique.values(), key=lambda o: (o.time_ms, o.event_id, o.skill_id))


def trace(
    observations: Iterable[Observation],
    params_by_skill: Mapping[str, BktParams],
    now_ms: int,
) -> dict[str, SkillMastery]:
    """Mastery of every skill that has answers, at ``now_ms``."""
    state: dict[str, list[Any]] = {}  # skill -> [p_known, attempts, correct, last_ms, peak]
    for obs in canonical_order(observations):
        p = params_by_skill.get(obs.skill_id, DEFAULT_PARAMS)
        known, attempts, right, last, peak = state.get(obs.skill_id, [p.prior, 0, 0, None, 0.0])
        if last is not None:
            known = decay(known, (obs.time_ms - last) / DAY_MS, p)
        known = update(known, obs.correct, p)
        state[obs.skill_id] = [
            known,
            attempts + 1,
            right + obs.correct,
            obs.time_ms,
            max(peak, known),
        ]
    result = {}
    for skill, (known, attempts, right, last, peak) in state.items():
        p = params_by_skill.get(skill, DEFAULT_PARAMS)
        now = decay(known, (now_ms - last) / DAY_MS, p) if last is not None else known
        mastered = now >= MASTERY_THRESHOLD
        result[skill] = SkillMastery(
            skill_id=skill,
            p_known=known,
            p_known_now=now,
            attempts=attempts,
            correct=right,
            last_ms=last,
            mastered=mastered,
            needs_review=not mastered and peak >= MASTERY_THRESHOLD,
        )
    return result
