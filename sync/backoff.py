"""Exponential back-off with jitter, for trying the hub whenever a link may exist."""

from __future__ import annotations

import random


def next_delay(
    failures: int,
    base_s: float = 30.0,
    cap_s: float = 3600.0,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait after ``failures`` failures in a row ("full jitter" on the capped exponent).

    Jitter spreads the retries of a district's nodes so they do not all knock on
    the hub at the same second when its link comes back.
    """
    if failures <= 0:
        return base_s
    ceiling = min(cap_s, base_s * (2 ** min(failures, 30)))
    return (rng or random).uniform(base_s / 2, ceiling)
