"""Knowledge tracing against hand-computed values, and order independence."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.knowledge import (
    DAY_MS,
    DEFAULT_PARAMS,
    BktParams,
    Observation,
    decay,
    params_from_pack,
    posterior,
    predict_correct,
    trace,
    update,
)

P = BktParams(prior=0.2, learn=0.15, guess=0.2, slip=0.1, forget_half_life_days=10)


def test_update_after_a_right_answer_matches_the_hand_computation():
    # posterior = .2*.9 / (.2*.9 + .8*.2) = .18 / .34 = 0.529411...
    assert posterior(0.2, True, P) == pytest.approx(0.18 / 0.34)
    # then learning: .529411 + (1 - .529411) * .15 = 0.6
    assert update(0.2, True, P) == pytest.approx(0.6)


def test_update_after_a_wrong_answer_matches_the_hand_computation():
    # posterior = .2*.1 / (.2*.1 + .8*.8) = .02 / .66 = 0.030303...
    assert posterior(0.2, False, P) == pytest.approx(0.02 / 0.66)
    # then learning: .030303 + .969697 * .15 = 0.175757...
    assert update(0.2, False, P) == pytest.approx(0.02 / 0.66 + (1 - 0.02 / 0.66) * 0.15)


def test_decay_halves_the_excess_over_the_prior_every_half_life():
    assert decay(0.9, 10, P) == pytest.approx(0.2 + 0.7 / 2)
    assert decay(0.9, 20, P) == pytest.approx(0.2 + 0.7 / 4)
    assert decay(0.9, 0, P) == 0.9
    assert decay(0.1, 50, P) == 0.1  # below the prior: nothing to forget
    no_forgetting = BktParams(0.2, 0.15, 0.2, 0.1, forget_half_life_days=0)
    assert decay(0.9, 100, no_forgetting) == 0.9


def test_prediction():
    assert predict_correct(0.5, P) == pytest.approx(0.5 * 0.9 + 0.5 * 0.2)


def test_pack_parameters():
    assert params_from_pack(None) == DEFAULT_PARAMS
    params = params_from_pack(
        {"prior": 0.3, "learn": 0.2, "guess": 0.1, "slip": 0.05, "forget": 0.5}
    )
    assert params.prior == 0.3 and params.forget_half_life_days == pytest.approx(1.0)


def test_a_streak_masters_and_time_brings_review():
    day = 1_800_000_000_000
    answers = [Observation(f"e{i}", "count", True, day + i * 60_000) for i in range(8)]
    now = trace(answers, {"count": P}, day + 3_600_000)  # an hour later
    assert now["count"].mastered and not now["count"].needs_review
    assert now["count"].attempts == 8 and now["count"].correct == 8
    later = trace(answers, {"count": P}, day + 90 * DAY_MS)
    assert not later["count"].mastered and later["count"].needs_review


observations = st.lists(
    st.builds(
        Observation,
        event_id=st.sampled_from([f"e{i}" for i in range(30)]),
        skill_id=st.sampled_from(["count", "compare", "letters"]),
        correct=st.booleans(),
        time_ms=st.integers(0, 200 * DAY_MS),
    ),
    max_size=60,
    unique_by=lambda o: (o.event_id, o.skill_id),  # one event is one answer
)


@settings(max_examples=300)
@given(observations, st.randoms(use_true_random=False))
def test_mastery_does_not_depend_on_arrival_order(events, rng: random.Random):
    """Every node computes the same mastery from the same events, whatever their order."""
    arrived = list(events) + list(events[: len(events) // 2])  # some delivered twice
    rng.shuffle(arrived)
    params = {"count": P, "letters": DEFAULT_PARAMS}
    assert trace(arrived, params, 300 * DAY_MS) == trace(events, params, 300 * DAY_MS)
