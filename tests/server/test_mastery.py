"""Knowledge tracing against hand-computed values, order independence, m-of-n, and fitting."""

from __future__ import annotations

import math
import random
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.learning.tracing import (
    DAY_MS,
    DEFAULT_PARAMS,
    MASTERY_THRESHOLD,
    BktParams,
    Observation,
    canonical_order,
    decay,
    fit_params,
    log_likelihood,
    m_of_n,
    params_from_pack,
    posterior,
    predict_correct,
    trace,
    update,
)
from tests.helpers import examples

P = BktParams(prior=0.2, learn=0.15, guess=0.2, slip=0.1, forget_half_life_days=10)
T0 = 1_800_000_000_000  # some device time, ms since the epoch


def test_a_right_answer_matches_the_hand_computation():
    """Bayes then learning after a right answer, from the prior."""
    # posterior = .2*.9 / (.2*.9 + .8*.2) = .18 / .34 = 0.529411...
    assert posterior(0.2, True, P) == pytest.approx(0.529411765)
    # learning: .529411 + (1 - .529411) * .15 = .529411 + .070588 = 0.6
    assert update(0.2, True, P) == pytest.approx(0.6)


def test_a_wrong_answer_matches_the_hand_computation():
    """Bayes then learning after a wrong answer, from the prior."""
    # posterior = .2*.1 / (.2*.1 + .8*.8) = .02 / .66 = 0.030303...
    assert posterior(0.2, False, P) == pytest.approx(0.030303030)
    # learning: .030303 + (1 - .030303) * .15 = .030303 + .145454 = 0.175757...
    assert update(0.2, False, P) == pytest.approx(0.175757576)


def test_an_answer_the_model_rules_out_leaves_the_belief():
    """With guess 0, a right answer from a surely-unknown skill has probability 0: no update."""
    never_guesses = BktParams(prior=0.0, learn=0.1, guess=0.0, slip=0.1)
    assert posterior(0.0, True, never_guesses) == 0.0
    assert update(0.0, True, never_guesses) == pytest.approx(0.1)


def test_prediction_matches_the_hand_computation():
    """P(right) mixes 1 - slip and guess by P(known)."""
    # .5 * .9 + .5 * .2 = .55
    assert predict_correct(0.5, P) == pytest.approx(0.55)


@pytest.mark.parametrize(
    ("p_known", "days", "expected"),
    [
        (0.9, 10, 0.55),  # one half life: .2 + .7 / 2
        (0.9, 20, 0.375),  # two half lives: .2 + .7 / 4
        (0.9, 5, 0.2 + 0.7 / math.sqrt(2)),  # half a half life
        (0.9, 0, 0.9),  # no time, no forgetting
        (0.9, -3, 0.9),  # a clock behind: no forgetting either
        (0.1, 50, 0.1),  # below the prior there is nothing to forget
    ],
)
def test_decay_halves_the_excess_over_the_prior_every_half_life(p_known, days, expected):
    """Forgetting pulls P(known) back toward the prior, never past it."""
    assert decay(p_known, days, P) == pytest.approx(expected)


def test_a_half_life_of_zero_disables_forgetting():
    """Half life 0 means the skill is never forgotten."""
    no_forgetting = BktParams(0.2, 0.15, 0.2, 0.1, forget_half_life_days=0)
    assert decay(0.9, 1000, no_forgetting) == 0.9


@pytest.mark.parametrize(
    ("forget", "half_life"),
    [
        (0.5, 1.0),  # keeping half a day: one day
        (0.1, math.log(0.5) / math.log(0.9)),  # 6.58 days
        (0.0, DEFAULT_PARAMS.forget_half_life_days),
        (None, DEFAULT_PARAMS.forget_half_life_days),
    ],
)
def test_pack_parameters(forget, half_life):
    """A pack's bkt object maps to parameters; its daily forgetting to a half life."""
    bkt = {"prior": 0.3, "learn": 0.2, "guess": 0.1, "slip": 0.05}
    if forget is not None:
        bkt["forget"] = forget
    params = params_from_pack(bkt)
    assert (params.prior, params.learn, params.guess, params.slip) == (0.3, 0.2, 0.1, 0.05)
    assert params.forget_half_life_days == pytest.approx(half_life)


def test_pack_parameters_defaults_and_limits():
    """No bkt object gives the defaults; forget 1 forgets at once; a non-probability is refused."""
    assert params_from_pack(None) == DEFAULT_PARAMS
    at_once = params_from_pack({"prior": 0.3, "learn": 0.2, "guess": 0.1, "slip": 0.1, "forget": 1})
    assert at_once.forget_half_life_days > 0
    assert decay(0.99, 1 / DAY_MS, at_once) == pytest.approx(0.3)  # one millisecond later
    with pytest.raises(ValueError, match="bkt.slip"):
        params_from_pack({"prior": 0.3, "learn": 0.2, "guess": 0.1, "slip": 1.5})


def test_a_streak_masters_and_time_brings_review():
    """Right answers reach mastery; 90 days without practice (3 half lives) need review."""
    answers = [Observation(f"e{i}", "count", True, T0 + i * 60_000) for i in range(8)]
    soon = trace(answers, {"count": DEFAULT_PARAMS}, T0 + 3_600_000)["count"]
    assert soon.mastered and not soon.needs_review
    assert (soon.attempts, soon.correct, soon.last_ms) == (8, 8, T0 + 7 * 60_000)
    later = trace(answers, {"count": DEFAULT_PARAMS}, T0 + 7 * 60_000 + 90 * DAY_MS)["count"]
    assert later.p_known == soon.p_known >= MASTERY_THRESHOLD
    # .2 + (p_known - .2) / 8, about .3
    assert later.p_known_now == pytest.approx(0.2 + (later.p_known - 0.2) / 8)
    assert not later.mastered and later.needs_review


def test_time_between_answers_is_forgotten_before_the_next_update():
    """The second answer, a half life after the first, updates the decayed belief."""
    answers = [
        Observation("a", "count", True, T0),
        Observation("b", "count", False, T0 + 10 * DAY_MS),
    ]
    got = trace(answers, {"count": P}, T0 + 10 * DAY_MS)["count"]
    # .6 after the first answer, .4 after one half life, then a wrong answer
    assert got.p_known == pytest.approx(update(0.4, False, P))
    assert got.p_known_now == got.p_known
    assert (got.attempts, got.correct) == (2, 1)


def test_duplicates_count_once_but_one_answer_may_teach_two_skills():
    """An event delivered twice counts once; the same event for another skill counts there."""
    right = Observation("e1", "count", True, T0)
    got = trace([right, right, Observation("e1", "compare", True, T0)], {}, T0)
    assert got["count"].attempts == 1 and got["compare"].attempts == 1
    assert got["count"].p_known == pytest.approx(update(DEFAULT_PARAMS.prior, True, DEFAULT_PARAMS))


def test_skills_without_answers_stand_at_their_prior():
    """A skill with parameters but no answers is reported at its prior, never practised."""
    got = trace([], {"count": P}, T0)["count"]
    assert (got.p_known, got.p_known_now, got.attempts, got.last_ms) == (0.2, 0.2, 0, None)
    assert not got.mastered and not got.needs_review


def test_canonical_order_is_by_device_time_then_event_id():
    """Time first, the event id breaks ties."""
    b, a, c = (
        Observation("b", "s", True, 5),
        Observation("a", "s", False, 5),
        Observation("c", "s", True, 1),
    )
    assert canonical_order([b, a, c, b]) == [c, a, b]


observation_lists = st.lists(
    st.builds(
        Observation,
        # A small pool of ids gives duplicates, some of them conflicting copies.
        event_id=st.sampled_from([f"e{i}" for i in range(25)]),
        skill_id=st.sampled_from(["count", "compare", "letters"]),
        correct=st.booleans(),
        # Times on a coarse grid often tie, and the event id must break the ties.
        time_ms=st.one_of(
            st.integers(0, 40).map(lambda k: T0 + k * 5 * DAY_MS),
            st.integers(T0, T0 + 200 * DAY_MS),
        ),
    ),
    max_size=50,
)


@settings(max_examples=examples(200), deadline=None)
@given(observation_lists, st.data())
def test_mastery_does_not_depend_on_arrival_order(events, data):
    """Every node computes exactly the same mastery from the same events, in any order."""
    arrived = events + events[: len(events) // 3]  # some delivered twice
    arrived = data.draw(st.permutations(arrived))
    params = {"count": P, "letters": DEFAULT_PARAMS}  # "compare" falls back to the defaults
    now = T0 + 300 * DAY_MS
    assert trace(arrived, params, now) == trace(events, params, now)


@pytest.mark.parametrize(
    ("results", "m", "n", "expected"),
    [
        ([], 2, 3, (False, 2)),
        ([True, True], 2, 3, (True, 0)),  # fewer than n answers, m of them right
        ([True, False, True], 2, 3, (True, 0)),
        ([False, True, False], 2, 3, (False, 1)),
        ([True, False, False], 2, 3, (False, 2)),  # the old right answer slides out
        ([True] * 4 + [False] * 2, 5, 6, (False, 5)),  # both misses must leave the window
        ([False] * 10 + [True] * 5, 5, 6, (True, 0)),  # only the last n count
        ([False] * 3, 1, 1, (False, 1)),
    ],
)
def test_m_of_n(results, m, n, expected):
    """Mastered with m right among the last n; else how many more right in a row it takes."""
    assert m_of_n(results, m, n) == expected


@given(st.lists(st.booleans(), max_size=20), st.integers(1, 8), st.integers(0, 8))
def test_m_of_n_needs_exactly_the_answers_it_says(results, m, extra):
    """After the promised run of right answers it is mastered, and not one answer sooner."""
    n = m + extra
    mastered, needed = m_of_n(results, m, n)
    assert mastered == (needed == 0)
    assert m_of_n(results + [True] * needed, m, n) == (True, 0)
    if needed:
        assert not m_of_n(results + [True] * (needed - 1), m, n)[0]


@pytest.mark.parametrize(("m", "n"), [(0, 3), (4, 3), (1, 0)])
def test_m_of_n_refuses_impossible_rules(m, n):
    """m must be between 1 and n."""
    with pytest.raises(ValueError):
        m_of_n([True], m, n)


@settings(max_examples=examples(100), deadline=None)
@given(
    st.lists(st.booleans(), min_size=1, max_size=12),
    st.tuples(*[st.floats(0.01, 0.45)] * 4),
)
def test_the_likelihood_agrees_with_tracing_one_answer_at_a_time(answers, values):
    """The HMM's likelihood is the product of the tracer's predictions, answer by answer."""
    p = BktParams(*values)
    expected, known = 0.0, p.prior
    for correct in answers:
        right = predict_correct(known, p)
        expected += math.log(right if correct else 1 - right)
        known = update(known, correct, p)
    assert log_likelihood([answers], p) == pytest.approx(expected)


def test_the_likelihood_of_a_short_sequence_by_hand():
    """P(right, wrong) = .34 * .38, and an impossible sequence has log likelihood -inf."""
    # P(right) = .2*.9 + .8*.2 = .34; then P(known) = .6 and P(wrong) = 1 - (.6*.9 + .4*.2) = .38
    assert log_likelihood([[True, False]], P) == pytest.approx(math.log(0.34 * 0.38))
    never_guesses = BktParams(prior=0.0, learn=0.1, guess=0.0, slip=0.1)
    assert log_likelihood([[True]], never_guesses) == -math.inf


def simulate(truth: BktParams, students: int, answers: int, rng: random.Random) -> list[list[bool]]:
    """Answer sequences drawn from the BKT model itself."""
    sequences = []
    for _ in range(students):
        known = rng.random() < truth.prior
        sequence = []
        for _ in range(answers):
            sequence.append(rng.random() < (1 - truth.slip if known else truth.guess))
            known = known or rng.random() < truth.learn
        sequences.append(sequence)
    return sequences


def test_fitting_recovers_the_parameters_that_made_the_data():
    """EM from the defaults finds parameters close to the truth and never loses likelihood."""
    truth = BktParams(prior=0.3, learn=0.2, guess=0.15, slip=0.1, forget_half_life_days=12)
    sequences = simulate(truth, 300, 15, random.Random(20240611))
    initial = replace(DEFAULT_PARAMS, forget_half_life_days=12)
    fitted = fit_params(sequences, initial)
    assert log_likelihood(sequences, fitted) >= log_likelihood(sequences, initial)
    assert log_likelihood(sequences, fitted) >= log_likelihood(sequences, truth) - 5
    assert fitted.learn == pytest.approx(truth.learn, abs=0.08)
    assert fitted.guess == pytest.approx(truth.guess, abs=0.08)
    assert fitted.slip == pytest.approx(truth.slip, abs=0.08)
    assert fitted.prior == pytest.approx(truth.prior, abs=0.1)
    assert fitted.forget_half_life_days == 12  # copied, not fitted


def test_each_round_of_fitting_keeps_or_raises_the_likelihood():
    """EM's promise: more iterations never fit worse."""
    truth = BktParams(prior=0.4, learn=0.1, guess=0.25, slip=0.05)
    sequences = simulate(truth, 100, 10, random.Random(7))
    fits = [log_likelihood(sequences, fit_params(sequences, iterations=k)) for k in range(8)]
    assert fits == sorted(fits) and fits[-1] > fits[0]


def test_fitting_stays_in_the_identifiable_range():
    """All-right answers would drive guess up and slip to 0; the clamps hold them."""
    fitted = fit_params([[True] * 10] * 50 + [[False, True, True]] * 5)
    for value in (fitted.prior, fitted.learn, fitted.guess, fitted.slip):
        assert 1e-4 <= value <= 1 - 1e-4
    assert fitted.guess <= 0.45 and fitted.slip <= 0.45


def test_fitting_nothing_returns_the_initial_parameters():
    """No answers, nothing to learn from."""
    assert fit_params([]) == DEFAULT_PARAMS
    assert fit_params([[], []], P) == P
