"""Knowledge tracing: mastery of skills from answer events, and fitting its parameters.

Pure functions on plain values, no database. Mastery is derived, never synced: every
node recomputes it from the same events and gets the same numbers, because events are
taken in one canonical order, ``(device time, event id)``, whatever order they arrived in.

The model is Bayesian knowledge tracing (Corbett & Anderson 1995): a skill is known or
not; ``prior`` is P(known) before practice, ``learn`` the chance to learn at each answer,
``guess`` to answer right without knowing, ``slip`` to answer wrong while knowing. For
spaced review, what is known above the prior halves back toward it every
``forget_half_life_days`` without practice. ``fit_params`` estimates the four
probabilities from many students' answers (Baum-Welch); practice sets also have a
simpler rule, ``m_of_n``.
"""

from __future__ import annotations

import math
import sys
from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

MASTERY_THRESHOLD = 0.95
DAY_MS = 86_400_000

# Keeps fitted parameters identifiable: with guess or slip above one half, "known" and
# "not known" could swap meaning; at exactly 0 or 1 one answer could rule a state out.
MAX_GUESS_SLIP = 0.45
PROBABILITY_FLOOR = 1e-4


@dataclass(frozen=True)
class BktParams:
    """Knowledge-tracing parameters of one skill."""

    prior: float  # P(L0): known before any practice
    learn: float  # P(T): learns on an opportunity
    guess: float  # P(G): right without knowing
    slip: float  # P(S): wrong while knowing
    forget_half_life_days: float = 30.0  # 0 or less: no forgetting


DEFAULT_PARAMS = BktParams(prior=0.2, learn=0.15, guess=0.2, slip=0.1)


def params_from_pack(bkt: Mapping[str, Any] | None) -> BktParams:
    """A content pack's ``bkt`` object as parameters; its ``forget`` is a daily probability."""
    if not bkt:
        return DEFAULT_PARAMS
    values = {name: float(bkt[name]) for name in ("prior", "learn", "guess", "slip")}
    forget = float(bkt.get("forget") or 0.0)
    for name, value in [*values.items(), ("forget", forget)]:
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"bkt.{name} must be a probability, not {value}")
    if forget == 0.0:
        half_life = DEFAULT_PARAMS.forget_half_life_days
    elif forget == 1.0:
        # Everything is forgotten at once; a half life of 0 would mean "never forgets".
        half_life = sys.float_info.min
    else:
        # Keeping (1 - forget) per day leaves one half after ln 0.5 / ln(1 - forget) days.
        half_life = math.log(0.5) / math.log(1.0 - forget)
    return BktParams(**values, forget_half_life_days=half_life)


def posterior(p_known: float, correct: bool, p: BktParams) -> float:
    """P(known) given one more answer, by Bayes' rule (before any learning)."""
    if correct:
        if_known, if_not = p_known * (1 - p.slip), (1 - p_known) * p.guess
    else:
        if_known, if_not = p_known * p.slip, (1 - p_known) * (1 - p.guess)
    if if_known + if_not == 0.0:
        # The model says this answer cannot happen (e.g. guess 0 and surely unknown):
        # it carries no usable evidence, so the belief stays.
        return p_known
    return if_known / (if_known + if_not)


def update(p_known: float, correct: bool, p: BktParams) -> float:
    """P(known) after an answer: the posterior, then the chance to learn from it."""
    post = posterior(p_known, correct, p)
    return post + (1 - post) * p.learn


def decay(p_known: float, elapsed_days: float, p: BktParams) -> float:
    """Forgetting: the part of P(known) above the prior halves every half life."""
    # Below the prior there is nothing learnt to forget; the prior is where it rests.
    if elapsed_days <= 0 or p.forget_half_life_days <= 0 or p_known <= p.prior:
        return p_known
    return p.prior + (p_known - p.prior) * 0.5 ** (elapsed_days / p.forget_half_life_days)


def predict_correct(p_known: float, p: BktParams) -> float:
    """P(the next answer is right)."""
    return p_known * (1 - p.slip) + (1 - p_known) * p.guess


@dataclass(frozen=True)
class Observation:
    """One answer event, as the engine sees it."""

    event_id: str
    skill_id: str
    correct: bool
    time_ms: int  # device time of the answer, ms since the epoch


@dataclass(frozen=True)
class SkillMastery:
    """Where a learner stands on one skill."""

    skill_id: str
    p_known: float  # after the last observation, before decay
    p_known_now: float  # decayed to now
    attempts: int
    correct: int
    last_ms: int | None  # None: never practised
    mastered: bool  # p_known_now >= MASTERY_THRESHOLD
    needs_review: bool  # was mastered after the last answer, has decayed below since


def canonical_order(observations: Iterable[Observation]) -> list[Observation]:
    """Observations by ``(time_ms, event_id)``, each event once per skill: what every node sees."""
    # One answer may teach several skills under one event id, so an event is a duplicate
    # only for the same skill. Sorting on every field before dropping duplicates keeps
    # even conflicting copies of an event from depending on arrival order.
    ordered = sorted(observations, key=lambda o: (o.time_ms, o.event_id, o.skill_id, o.correct))
    seen: set[tuple[str, str]] = set()
    unique = []
    for obs in ordered:
        if (obs.event_id, obs.skill_id) not in seen:
            seen.add((obs.event_id, obs.skill_id))
            unique.append(obs)
    return unique


def trace(
    observations: Iterable[Observation],
    params_by_skill: Mapping[str, BktParams],
    now_ms: int,
) -> dict[str, SkillMastery]:
    """Mastery at ``now_ms`` of every skill with answers or parameters."""
    rows = [(o.time_ms, o.event_id, o.skill_id, o.correct) for o in observations]
    return trace_rows(rows, params_by_skill, now_ms)


Row = tuple[int, str, str, bool]  # (time_ms, event_id, skill_id, correct)
Folded = dict[str, list[Any]]  # skill -> [p_known, attempts, correct, last_ms], before decay


def fold(state: Folded, rows: Iterable[Row], params_by_skill: Mapping[str, BktParams]) -> Folded:
    """Add answers, already in canonical order and after those in ``state``, to it (in place)."""
    for time_ms, _event_id, skill, correct in rows:
        p = params_by_skill.get(skill, DEFAULT_PARAMS)
        known, attempts, right, last = state.get(skill, (p.prior, 0, 0, None))
        if last is not None:
            known = decay(known, (time_ms - last) / DAY_MS, p)
        state[skill] = [
            update(known, bool(correct), p),
            attempts + 1,
            right + bool(correct),
            time_ms,
        ]
    return state


def finish(
    state: Folded, params_by_skill: Mapping[str, BktParams], now_ms: int
) -> dict[str, SkillMastery]:
    """Folded answers as mastery at ``now_ms``, with every skill that has parameters."""
    result = {}
    for skill in {**params_by_skill, **state}:
        p = params_by_skill.get(skill, DEFAULT_PARAMS)
        known, attempts, right, last = state.get(skill, (p.prior, 0, 0, None))
        now = known if last is None else decay(known, (now_ms - last) / DAY_MS, p)
        result[skill] = SkillMastery(
            skill_id=skill,
            p_known=known,
            p_known_now=now,
            attempts=attempts,
            correct=right,
            last_ms=last,
            mastered=now >= MASTERY_THRESHOLD,
            needs_review=known >= MASTERY_THRESHOLD > now,
        )
    return result


def canonical_rows(rows: Iterable[Row]) -> list[Row]:
    """Rows in canonical order, each event once per skill (as ``canonical_order``)."""
    # Plain tuples sort in (time, event id, skill, correct) order without a key function.
    seen: set[tuple[str, str]] = set()
    unique = []
    for row in sorted(rows):
        if (row[1], row[2]) not in seen:
            seen.add((row[1], row[2]))
            unique.append(row)
    return unique


def trace_rows(
    rows: Iterable[Row], params_by_skill: Mapping[str, BktParams], now_ms: int
) -> dict[str, SkillMastery]:
    """``trace`` on plain ``(time_ms, event_id, skill_id, correct)`` tuples: the fast path."""
    return finish(fold({}, canonical_rows(rows), params_by_skill), params_by_skill, now_ms)


def m_of_n(results: Sequence[bool], m: int, n: int) -> tuple[bool, int]:
    """Whether m of the last n results are right, and how many more right in a row would make it."""
    if not 1 <= m <= n:
        raise ValueError(f"need 1 <= m <= n, not m={m}, n={n}")
    # Fewer than n answers so far count as they are: m right ones already suffice.
    window = deque((bool(r) for r in results[-n:]), maxlen=n)
    right = sum(window)
    needed = 0
    while right < m:
        # Each new right answer pushes the oldest one out once the window is full.
        if len(window) == n:
            right -= window[0]
        window.append(True)
        right += 1
        needed += 1
    return needed == 0, needed


def _clamped(p: BktParams) -> BktParams:
    """Parameters moved into the identifiable range fitting keeps to."""

    def within(value: float, top: float) -> float:
        return min(max(value, PROBABILITY_FLOOR), top)

    top = 1 - PROBABILITY_FLOOR
    return replace(
        p,
        prior=within(p.prior, top),
        learn=within(p.learn, top),
        guess=within(p.guess, MAX_GUESS_SLIP),
        slip=within(p.slip, MAX_GUESS_SLIP),
    )


def _emission(correct: bool, p: BktParams) -> tuple[float, float]:
    """P(this answer | not known), P(this answer | known)."""
    return (p.guess, 1 - p.slip) if correct else (1 - p.guess, p.slip)


def _forward(
    answers: Sequence[bool], p: BktParams
) -> tuple[list[tuple[float, float]], list[float]]:
    """Forward pass: P(state | answers so far) and P(answer | earlier answers), per step."""
    # Scaling each step to sum to one keeps long sequences from underflowing; the scale
    # factors multiply to the sequence's likelihood.
    alphas, scales = [], []
    unknown, known = 1 - p.prior, p.prior
    for correct in answers:
        e_unknown, e_known = _emission(correct, p)
        unknown, known = unknown * e_unknown, known * e_known
        scale = unknown + known
        scales.append(scale)
        if scale == 0.0:
            break  # impossible under p; the caller sees the zero scale
        unknown, known = unknown / scale, known / scale
        alphas.append((unknown, known))
        # Learning between answers; knowing is absorbing (no forgetting in the fit).
        unknown, known = unknown * (1 - p.learn), known + unknown * p.learn
    return alphas, scales


def log_likelihood(sequences: Iterable[Sequence[bool]], p: BktParams) -> float:
    """Log P(all the answer sequences | p); -inf when p rules one of them out."""
    total = 0.0
    for answers in sequences:
        _, scales = _forward(answers, p)
        if any(scale == 0.0 for scale in scales):
            return -math.inf
        total += sum(math.log(scale) for scale in scales)
    return total


@dataclass
class _Counts:
    """Expected counts from one E-step, weighted by how many students gave each sequence."""

    known_first: float = 0.0  # known at the first answer
    sequences: float = 0.0
    learnt: float = 0.0  # went from not known to known between two answers
    could_learn: float = 0.0  # not known, with an answer still to come
    guessed: float = 0.0  # right while not known
    unknown: float = 0.0
    slipped: float = 0.0  # wrong while known
    known: float = 0.0


def _expected_counts(
    counted: Mapping[tuple[bool, ...], int], p: BktParams
) -> tuple[float, _Counts]:
    """E-step (forward-backward): the log likelihood at p and the expected counts."""
    ll, c = 0.0, _Counts()
    for answers, weight in counted.items():
        alphas, scales = _forward(answers, p)
        ll += weight * sum(math.log(scale) for scale in scales)
        # Backward pass, scaled by the forward pass's factors so that alpha * beta is
        # P(state at t | the whole sequence).
        betas = [(1.0, 1.0)] * len(answers)
        for t in range(len(answers) - 2, -1, -1):
            e_unknown, e_known = _emission(answers[t + 1], p)
            b_unknown, b_known = betas[t + 1]
            betas[t] = (
                ((1 - p.learn) * e_unknown * b_unknown + p.learn * e_known * b_known)
                / scales[t + 1],
                e_known * b_known / scales[t + 1],
            )
        c.sequences += weight
        c.known_first += weight * alphas[0][1] * betas[0][1]
        for t, correct in enumerate(answers):
            unknown = alphas[t][0] * betas[t][0]
            known = alphas[t][1] * betas[t][1]
            c.unknown += weight * unknown
            c.known += weight * known
            c.guessed += weight * unknown * correct
            c.slipped += weight * known * (not correct)
            if t + 1 < len(answers):
                e_known = _emission(answers[t + 1], p)[1]
                c.could_learn += weight * unknown
                c.learnt += (
                    weight * alphas[t][0] * p.learn * e_known * betas[t + 1][1] / scales[t + 1]
                )
    return ll, c


def _maximised(c: _Counts, p: BktParams) -> BktParams:
    """M-step: each probability as its expected frequency; p's where nothing was seen."""

    def ratio(num: float, den: float, current: float) -> float:
        return num / den if den > 0 else current

    return _clamped(
        replace(
            p,
            prior=ratio(c.known_first, c.sequences, p.prior),
            learn=ratio(c.learnt, c.could_learn, p.learn),
            guess=ratio(c.guessed, c.unknown, p.guess),
            slip=ratio(c.slipped, c.known, p.slip),
        )
    )


def fit_params(
    sequences: Iterable[Sequence[bool]],
    initial: BktParams = DEFAULT_PARAMS,
    iterations: int = 50,
    tol: float = 1e-6,
) -> BktParams:
    """Prior, learn, guess and slip of one skill fitted to students' answer sequences by EM."""
    # Students with the same answers contribute identically, so each distinct sequence
    # is computed once, weighted by how many gave it.
    counted = Counter(tuple(bool(a) for a in answers) for answers in sequences if answers)
    p = _clamped(initial)
    if not counted:
        return p
    ll, counts = _expected_counts(counted, p)
    best_ll, best = ll, p
    for _ in range(iterations):
        p = _maximised(counts, p)
        new_ll, counts = _expected_counts(counted, p)
        # EM never lowers the likelihood, but clamping can; the best seen is returned.
        if new_ll > best_ll:
            best_ll, best = new_ll, p
        if abs(new_ll - ll) < tol:
            break
        ll = new_ll
    return best
