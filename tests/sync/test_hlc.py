"""The hybrid logical clock orders events even when wall clocks lie."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.errors import ClockSkewError
from sync.hlc import HybridLogicalClock, pack, unpack


class FakeWall:
    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def test_pack_round_trips():
    assert unpack(pack(1_700_000_000_000, 7)) == (1_700_000_000_000, 7)


def test_now_is_strictly_increasing_when_the_wall_clock_stands_still():
    clock = HybridLogicalClock(now_ms=FakeWall(1000))
    values = [clock.now() for _ in range(100)]
    assert values == sorted(set(values))


def test_a_node_booting_days_behind_still_orders_after_what_it_saw():
    """A Pi without a battery clock boots in 1970; its writes must still come later."""
    ahead = HybridLogicalClock(now_ms=FakeWall(5_000_000))
    seen = ahead.now()
    behind = HybridLogicalClock(now_ms=FakeWall(1_000))
    behind.observe(seen)
    assert behind.now() > seen


def test_remote_clock_too_far_ahead_is_refused():
    clock = HybridLogicalClock(now_ms=FakeWall(1_000), max_drift_ms=10_000)
    with pytest.raises(ClockSkewError):
        clock.observe(pack(1_000_000, 0))


@given(
    st.lists(st.tuples(st.booleans(), st.integers(0, 10_000), st.integers(0, 10_000)), max_size=60)
)
def test_values_never_go_backwards(steps):
    wall = FakeWall(0)
    clock = HybridLogicalClock(now_ms=wall)
    last = 0
    for is_receive, wall_ms, remote_ms in steps:
        wall.ms = wall_ms
        value = clock.observe(pack(remote_ms, 3)) if is_receive else clock.now()
        assert value > last or (is_receive and value >= last)
        last = value
