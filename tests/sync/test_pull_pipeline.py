"""Pulls are pipelined: the next chunk is asked for while the last one is applied,
and that keeps the engine's guarantees (order, resume, nothing lost or doubled)."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from server.models import Answer
from sync.engine import BadChunk, SyncSession
from sync.errors import SyncError
from tests.sync.harness import LinkCut, LocalTransport, Node, sync
from tests.sync.test_engine import answer_ids, write_answers


@pytest.fixture
def trio():
    # Fixed identities: a chunk takes origins in id order, so c's rows come before b's.
    first = Node(name="a", node_id="node-a")
    nodes = [first, Node(first.school_id, "b", "node-b2"), Node(first.school_id, "c", "node-b1")]
    yield nodes
    for node in nodes:
        node.close()


class PipelinedPulls(LocalTransport):
    """Starts exchanges as the HTTP transport does (``start_exchange``), answered at once.

    For every pull it notes the vector asked for and the one the client held
    when it asked; ``meanwhile(n)`` runs just before the n-th pull is answered.
    A cut link fails the exchange when its answer is awaited, as over HTTP.
    """

    def __init__(
        self,
        client: Node,
        server: Node,
        cut_after: int | None = None,
        meanwhile: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(client, server, cut_after=cut_after)
        self.meanwhile = meanwhile or (lambda n: None)
        self.pulls: list[tuple[str, dict[str, int], dict[str, int]]] = []

    def start_exchange(self, message: dict[str, Any]) -> Callable[[], dict[str, Any]]:
        if message.get("type") == "pull":
            held = self.client.store.vector(message["partition"])
            self.pulls.append((message["partition"], dict(message["vector"]), held))
            self.meanwhile(len(self.pulls))
        try:
            reply = self.exchange(message)
        except SyncError as exc:
            failure = exc

            def fail() -> dict[str, Any]:
                raise failure

            return fail
        return lambda: reply


def session(client: Node, transport: LocalTransport, max_rows: int = 3):
    with client.bound():
        return SyncSession(client.store, transport, max_rows=max_rows).run()


def held_vector(node: Node, partition: str) -> dict[str, int]:
    """A node's vector of a partition, its own counter included."""
    with node.bound():
        return node.store.vector(partition)


def assert_vector_claims_only_what_is_held(node: Node, source: Node, partition: str) -> None:
    """Every answer of ``source`` that ``node``'s vector covers is held (invariant 3)."""
    vector = held_vector(node, partition)
    covered = set()
    with source.bound():
        for origin, through in vector.items():
            query = Answer.select(Answer.id).where(
                Answer.origin == origin, Answer.counter <= through
            )
            covered |= {a.id for a in query}
    assert covered <= answer_ids(node)


def school_pulls(transport: PipelinedPulls, node: Node, origin: str) -> list[tuple[int, int]]:
    """Of each pull of the school partition: the counter of ``origin`` asked for, and held."""
    school = f"school:{node.school_id}"
    return [
        (asked.get(origin, 0), held.get(origin, 0))
        for partition, asked, held in transport.pulls
        if partition == school
    ]


def test_the_next_chunk_is_asked_for_before_this_one_is_applied(trio):
    a, b, _ = trio
    theirs = write_answers(b, 20)
    transport = PipelinedPulls(a, b)
    result = session(a, transport)
    assert result.pulled.inserted == 20 and set(theirs) <= answer_ids(a)
    pulls = school_pulls(transport, a, b.node_id)
    assert len(pulls) == 7  # 20 rows, 3 a chunk
    # The first pull asks from what we hold; each next one is asked for before the
    # chunk it follows is applied, naming the vector we will hold then: one chunk
    # ahead, never more (two chunks at most in memory), in order, no gap, no repeat.
    assert pulls[0] == (0, 0)
    assert pulls[1:] == [(held + 3, held) for held in range(0, 18, 3)]
    assert sync(a, b).pulled.rows == 0  # nothing left owed


def test_a_pull_answered_for_a_vector_we_no_longer_hold_is_asked_again(trio):
    """Another session (with c) brings rows in while a pull is in flight: the answer
    to the stale vector is dropped unapplied, and the pull goes on from what we hold."""
    a, b, c = trio
    partition = f"school:{a.school_id}"
    write_answers(c, 10)
    sync(b, c)  # b holds c's answers too
    write_answers(b, 20)

    def other_session(pull: int) -> None:
        if pull == 2:  # the first pull of the school partition, before it is answered
            sync(a, c)

    transport = PipelinedPulls(a, b, meanwhile=other_session)
    result = session(a, transport)
    assert answer_ids(a) == answer_ids(b)
    assert held_vector(a, partition) == held_vector(b, partition)
    assert_vector_claims_only_what_is_held(a, b, partition)
    pulls = school_pulls(transport, a, c.node_id)
    assert pulls[:3] == [(0, 0), (3, 10), (10, 10)]  # asked ahead, stale, asked again
    # Only the chunk already in hand came twice; the stale answer was not applied.
    assert result.pulled.skipped == 3 and result.pulled.inserted == 20


@pytest.mark.parametrize("cut_after", range(2, 10))
def test_a_pipelined_pull_cut_anywhere_resumes_without_loss_or_doubles(trio, cut_after):
    """Exchange 1 is hello, 2 the district's pull, 3 on the school's pulls of 3 rows."""
    a, b, _ = trio
    partition = f"school:{a.school_id}"
    theirs = write_answers(b, 20)
    with pytest.raises(LinkCut):
        session(a, PipelinedPulls(a, b, cut_after=cut_after))
    # The chunk in hand when the link went is applied, and nothing past it.
    got = len(answer_ids(a) & set(theirs))
    assert got == max(0, 3 * (cut_after - 3))
    assert_vector_claims_only_what_is_held(a, b, partition)
    result = session(a, PipelinedPulls(a, b))
    assert result.pulled.inserted == 20 - got and result.pulled.skipped == 0
    assert answer_ids(a) == answer_ids(b)
    assert held_vector(a, partition) == held_vector(b, partition)


class GarbledSpans(PipelinedPulls):
    """A peer whose chunks of rows carry origin spans that are not counters."""

    def exchange(self, message: dict[str, Any]) -> dict[str, Any]:
        reply = super().exchange(message)
        if reply.get("type") == "chunk" and reply["chunk"]["tables"]:
            reply["chunk"]["origins"] = {o: ["3", 9] for o in reply["chunk"]["origins"]}
            reply["more"] = True
        return reply


def test_a_malformed_chunk_in_a_pipelined_pull_is_refused_whole(trio):
    """Reading ahead must not trip over a chunk before applying it refuses it cleanly."""
    a, b, _ = trio
    theirs = write_answers(b, 5)
    with pytest.raises(BadChunk, match="bad origin span"):
        session(a, GarbledSpans(a, b))
    assert not answer_ids(a) & set(theirs)
