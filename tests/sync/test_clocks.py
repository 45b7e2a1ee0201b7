"""Clocks lie, and the last edit after seeing a version still wins over it (invariant 9).

Each node here runs several "processes" over its one database: serving processes
that live on, and CLI runs that start with a fresh clock and die after one
command. Each process has its own hybrid clock, as a real process would (the
module clock is swapped in while it works), and each node's wall clock is skewed
ahead or behind by minutes to days.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.models import Goal, LocalNode
from server.models import base as models_base
from sync.hlc import HybridLogicalClock, wall_ms
from tests.sync.harness import Node, sync

GOAL = "goal:shared"
STUDENT = "student:1"
MINUTE_MS = 60_000
DAY_MS = 24 * 60 * MINUTE_MS


def skewed(skew_ms: int) -> HybridLogicalClock:
    """A fresh process clock on a machine whose wall clock is off by ``skew_ms``."""
    return HybridLogicalClock(now_ms=lambda: wall_ms() + skew_ms)


class SkewedNode(Node):
    """A node whose wall clock is skewed; work runs as one of its processes."""

    def __init__(self, *args: Any, skew_ms: int = 0, **kwargs: Any) -> None:
        self.skew_ms = skew_ms
        self.clock = skewed(skew_ms)  # the process in use (set by ``as_process``)
        super().__init__(*args, **kwargs)

    def bound(self) -> Any:
        stack = contextlib.ExitStack()
        stack.enter_context(super().bound())
        stack.enter_context(_clock(self.clock))
        return stack

    @contextlib.contextmanager
    def as_process(self, clock: HybridLogicalClock) -> Iterator[None]:
        """Run as the process whose clock is ``clock`` (also when serving a sync)."""
        previous, self.clock = self.clock, clock
        try:
            yield
        finally:
            self.clock = previous


@contextlib.contextmanager
def _clock(clock: HybridLogicalClock) -> Iterator[None]:
    previous, models_base.CLOCK = models_base.CLOCK, clock
    try:
        yield
    finally:
        models_base.CLOCK = previous


def edit_goal(node: SkewedNode, text: str) -> tuple[tuple[int, str] | None, tuple[int, str]]:
    """Edit (or create) the shared goal on ``node``: (the version replaced, the new one)."""
    with node.bound():
        goal = Goal.get_or_none(Goal.id == GOAL)
        if goal is None:
            goal = Goal(
                id=GOAL, partition=f"school:{node.school_id}", person_id=STUDENT,
                set_by=STUDENT, term="short", kind="free_text", text=text,
            )  # fmt: skip
            goal.save(force_insert=True)
            return None, (goal.hlc, goal.origin)
        replaced = (goal.hlc, goal.origin)
        goal.text = text
        goal.save()
        return replaced, (goal.hlc, goal.origin)


def goal_of(node: SkewedNode) -> tuple[str, int, str] | None:
    with node.bound():
        goal = Goal.get_or_none(Goal.id == GOAL)
        return None if goal is None else (goal.text, goal.hlc, goal.origin)


@pytest.fixture
def pair():
    ahead = SkewedNode(name="g", node_id="node-g", skew_ms=60 * MINUTE_MS)
    behind = SkewedNode(ahead.school_id, name="k", node_id="node-k")
    yield ahead, behind
    ahead.close()
    behind.close()


def test_edit_after_a_cli_sync_wins_over_a_clock_an_hour_ahead(pair):
    """Broke: K pulled G's edit with `baobab sync` (G an hour ahead), then K's teacher
    edited it in a serving process: the observed clock died with the CLI, the edit was
    stamped below G's version and lost, and the two nodes kept different texts forever."""
    g, k = pair
    edit_goal(g, "from G")
    with k.as_process(skewed(0)):  # the CLI: syncs, then exits with its clock
        sync(k, g)
    with k.as_process(skewed(0)):  # a serving process that never saw G's clock
        replaced, mine = edit_goal(k, "from K")
    assert mine > replaced
    for _ in range(2):
        sync(k, g)
    assert goal_of(g) == goal_of(k)
    assert goal_of(k)[0] == "from K"


def test_observed_clock_is_saved_for_every_process(pair):
    """Broke: the clock a sync observed lived only in the applying process's memory."""
    g, k = pair
    edit_goal(g, "from G")
    with g.bound():
        seen = Goal.get(Goal.id == GOAL).hlc
    with k.as_process(skewed(0)):
        sync(k, g)
    with k.bound():
        assert LocalNode.get().hlc >= seen
    with k.as_process(skewed(0)), k.bound():  # another process stamps a new row above it
        other = Goal(
            id="goal:other", partition=f"school:{k.school_id}", person_id=STUDENT,
            set_by=STUDENT, term="short", kind="free_text", text="new",
        )  # fmt: skip
        other.save(force_insert=True)
        assert other.hlc > seen


def test_edit_is_stamped_above_the_version_it_replaces_even_without_a_sync(pair):
    """An edit made by a process whose clock is far behind the stored version still wins."""
    g, k = pair
    edit_goal(g, "from G")
    sync(k, g)
    with k.bound():  # the node row forgets, as a database restored from before the sync
        LocalNode.update(hlc=0).execute()
    with k.as_process(skewed(-3 * DAY_MS)):
        replaced, mine = edit_goal(k, "from K, days behind")
    assert mine > replaced


SKEWS = st.integers(-5 * DAY_MS, 5 * DAY_MS) | st.sampled_from(
    [-DAY_MS, -60 * MINUTE_MS, -5 * MINUTE_MS, 0, 5 * MINUTE_MS, 60 * MINUTE_MS, DAY_MS]
)
STEP = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 2), st.integers(0, 2)),  # node, process (2: CLI)
    st.tuples(st.just("sync"), st.integers(0, 2), st.integers(0, 2)),  # client, server
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(skews=st.lists(SKEWS, min_size=3, max_size=3), steps=st.lists(STEP, max_size=25))
def test_skewed_clocks_many_processes_replicas_equal_and_last_edit_wins(skews, steps):
    """Three nodes with skewed clocks, two serving processes each plus CLI runs: after a
    full round every replica is equal, and no version an edit replaced is the winner."""
    first = SkewedNode(name="n0", node_id="node-n0", skew_ms=skews[0])
    nodes = [first] + [
        SkewedNode(first.school_id, name=f"n{i}", node_id=f"node-n{i}", skew_ms=skews[i])
        for i in (1, 2)
    ]
    serving = [[skewed(n.skew_ms), skewed(n.skew_ms)] for n in nodes]

    def process(node_index: int, which: int) -> HybridLogicalClock:
        node = nodes[node_index]
        return serving[node_index][which] if which < 2 else skewed(node.skew_ms)  # CLI

    replaced_versions: set[tuple[int, str]] = set()
    try:
        for count, (kind, a, b) in enumerate(steps):
            if kind == "edit":
                with nodes[a].as_process(process(a, b)):
                    replaced, mine = edit_goal(nodes[a], f"edit {count}")
                if replaced is not None:
                    assert mine > replaced
                    replaced_versions.add(replaced)
            elif a != b:
                # The client runs as the CLI or a serving process; the server serves in one.
                with (
                    nodes[a].as_process(process(a, count % 3)),
                    nodes[b].as_process(process(b, count % 2)),
                ):
                    sync(nodes[a], nodes[b])
        for _ in range(2):  # a full round, twice: everything reaches everyone
            for a in range(3):
                for b in range(3):
                    if a != b:
                        sync(nodes[a], nodes[b])
        finals = {goal_of(n) for n in nodes}
        assert len(finals) == 1
        final = finals.pop()
        if final is not None:
            assert (final[1], final[2]) not in replaced_versions
    finally:
        for node in nodes:
            node.close()
