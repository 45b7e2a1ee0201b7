"""The engine's guarantees, one by one, on two or three in-process nodes."""

from __future__ import annotations

import copy
import uuid

import pytest

from server.models import Answer, Goal, RowHistory
from sync import wire
from sync.engine import BadChunk, PartitionRefused, SyncSession, apply_chunk, export_chunk
from sync.vector import advance, lacking
from tests.sync.harness import LinkCut, LocalTransport, Node, sync


@pytest.fixture
def school():
    first = Node(name="a")
    nodes = [first, Node(first.school_id, "b"), Node(first.school_id, "c")]
    yield nodes
    for node in nodes:
        node.close()


def write_answers(node: Node, count: int) -> list[str]:
    ids = []
    with node.bound():
        for i in range(count):
            answer = Answer(
                id=uuid.uuid4().hex, partition=f"school:{node.school_id}", person_id="kid",
                activity_id="a", item_id="i", response=i, correct=i % 2 == 0, device_ms=i,
                received_ms=i,
            )  # fmt: skip
            answer.save(force_insert=True)
            ids.append(answer.id)
    return ids


def answer_ids(node: Node) -> set[str]:
    with node.bound():
        return {a.id for a in Answer.select(Answer.id)}


def test_vector_advances_only_over_contiguous_ranges():
    vector = {"a": 5}
    assert advance(vector, "a", 5, 9) and vector == {"a": 9}
    assert not advance(vector, "a", 12, 20) and vector == {"a": 9}  # a gap: 10..12 missing
    assert not advance(vector, "a", 3, 7) and vector == {"a": 9}  # old news
    assert lacking({"a": 9, "b": 2}, {"a": 9, "b": 1}) == {"b": (1, 2)}


def test_a_sync_moves_everything_both_ways(school):
    a, b, _ = school
    mine, theirs = write_answers(a, 7), write_answers(b, 5)
    result = sync(a, b, max_rows=3)
    assert result.pulled.inserted == 5 and result.pushed_rows == 7 + 1  # and the school row
    assert answer_ids(a) == answer_ids(b) == set(mine) | set(theirs)
    assert sync(a, b).pulled.rows == 0 and sync(a, b).pushed_rows == 0  # nothing new


def test_a_chunk_applied_twice_changes_nothing(school):
    a, b, _ = school
    write_answers(a, 10)
    with a.bound():
        chunk, more = export_chunk(a.store, f"school:{a.school_id}", {}, max_rows=100)
    assert not more
    with b.bound():
        first = apply_chunk(b.store, chunk, {f"school:{a.school_id}"})
        vector = b.store.vector(f"school:{a.school_id}")
        again = apply_chunk(b.store, copy.deepcopy(chunk), {f"school:{a.school_id}"})
        assert (first.inserted, again.inserted, again.skipped) == (11, 0, 11)  # and the school
        assert b.store.vector(f"school:{a.school_id}") == vector


def test_a_late_chunk_past_a_gap_does_not_claim_what_is_missing(school):
    """Regression guard: applying (5, 10] to a node at 0 must not mark 1..5 as held."""
    a, b, c = school
    write_answers(a, 10)
    partition = f"school:{a.school_id}"
    with a.bound():
        first, _ = export_chunk(a.store, partition, {}, max_rows=5)
        second, _ = export_chunk(
            a.store, partition, {a.node_id: first["origins"][a.node_id][1]}, max_rows=5
        )
    with c.bound():
        apply_chunk(c.store, second, {partition})
        assert c.store.vector(partition).get(a.node_id, 0) == 0
    sync(c, a)
    assert answer_ids(c) == answer_ids(a)


def test_an_interrupted_transfer_resumes_where_it_stopped(school):
    a, b, _ = school
    write_answers(b, 40)
    with pytest.raises(LinkCut):
        sync(a, b, max_rows=10, cut_after=5)  # hello, district, 2 chunks, then the cable is pulled
    got = len(answer_ids(a))
    assert 0 < got < 40
    resumed = sync(a, b, max_rows=10)
    assert resumed.pulled.inserted == 40 - got
    assert answer_ids(a) == answer_ids(b)


def test_concurrent_edits_last_writer_wins_and_loser_is_kept(school):
    a, b, _ = school
    partition = f"school:{a.school_id}"
    versions = {}
    for node, text in ((a, "from a"), (b, "from b")):
        with node.bound():
            goal = Goal(
                id="g",
                partition=partition,
                person_id="kid",
                set_by="kid",
                term="short",
                kind="free_text",
                text=text,
            )
            goal.save(force_insert=True)
            versions[text] = (goal.hlc, goal.origin, goal.counter)
    sync(a, b)
    winner = max(versions, key=versions.get)
    loser = min(versions, key=versions.get)
    for node in (a, b):
        with node.bound():
            assert Goal.get_by_id("g").text == winner
            kept = [h.data["text"] for h in RowHistory.select().where(RowHistory.row_id == "g")]
            assert loser in kept


def test_tombstones_replicate(school):
    a, b, _ = school
    partition = f"school:{a.school_id}"
    with a.bound():
        goal = Goal(
            id="g",
            partition=partition,
            person_id="kid",
            set_by="kid",
            term="short",
            kind="free_text",
            text="x",
        )
        goal.save(force_insert=True)
    sync(a, b)
    with b.bound():
        Goal.get_by_id("g").delete_instance()
    sync(a, b)
    with a.bound():
        assert Goal.get_by_id("g").deleted is True


def test_wrong_partition_and_bad_chunks_are_refused_whole(school):
    a, b, _ = school
    other = Node(name="elsewhere")  # another school
    try:
        write_answers(other, 3)
        with other.bound():
            foreign, _ = export_chunk(other.store, f"school:{other.school_id}", {})
        with a.bound():
            with pytest.raises(PartitionRefused):
                apply_chunk(a.store, foreign, set(a.store.partitions()))
            smuggled = copy.deepcopy(foreign)
            smuggled["partition"] = f"school:{a.school_id}"  # rows still say the other school
            with pytest.raises(PartitionRefused):
                apply_chunk(a.store, smuggled, set(a.store.partitions()))
            broken = copy.deepcopy(smuggled)
            broken["tables"]["answer"]["columns"][0] = "nonsense"
            with pytest.raises(BadChunk):
                apply_chunk(a.store, broken, set(a.store.partitions()))
        assert answer_ids(a) == set()
    finally:
        other.close()


def test_the_wire_is_compact(school):
    """Issue 3 asks 150 bytes or less per answer event on the wire."""
    a, b, _ = school
    write_answers(a, 1000)
    with a.bound():
        chunk, _ = export_chunk(a.store, f"school:{a.school_id}", {}, max_rows=5000)
    size = len(wire.encode({"type": "push", "chunk": chunk}))
    assert size / 1000 <= 150, f"{size / 1000:.0f} bytes per answer"


def test_failed_and_cut_sessions_leave_nothing_behind(school):
    """No leftovers: the serving side keeps no per-session state, so aborted syncs
    (Morango's buffers filled disks) cannot make its metadata grow."""
    a, b, _ = school
    write_answers(b, 30)
    sync(a, b)

    def metadata(node: Node) -> dict[str, int]:
        with node.bound():
            return {
                table: node.db.execute_sql(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                for table in ("sync_vector", "row_history", "peer", "pairing_code")
            }

    before = metadata(b)
    cuts = 0
    for cut_after in [1, 2, 3] * 15:
        write_answers(a, 1)  # something to push, so every session has work to abort
        try:
            sync(a, b, cut_after=cut_after, max_rows=1)
        except LinkCut:
            cuts += 1
    assert cuts == 45
    assert metadata(b) == before


class PipelinedTransport(LocalTransport):
    """Answers later, as the HTTP transport does (``start_exchange``); may lose one push.

    A lost push is answered with the peer's vector as it was, as if the chunk
    never arrived: the engine must notice its read-ahead is wrong and resend.
    """

    def __init__(self, client: Node, server: Node, lose_push: int | None = None) -> None:
        super().__init__(client, server)
        self.lose_push, self.pushes = lose_push, 0

    def start_exchange(self, message: dict):
        if message.get("type") == "push" and message["chunk"]["tables"]:  # pushes of rows
            self.pushes += 1
            if self.pushes == self.lose_push:
                with self.server.bound():
                    vector = self.server.store.vector(message["chunk"]["partition"])
                return lambda: {"type": "applied", "rows": 0, "vector": vector}
        reply = self.exchange(message)
        return lambda: reply


@pytest.mark.parametrize("lose_push", [None, 1, 2, 4])
def test_a_pipelined_push_resends_what_the_peer_did_not_take(school, lose_push):
    a, b, _ = school
    mine = write_answers(a, 20)
    transport = PipelinedTransport(a, b, lose_push)
    with a.bound():
        result = SyncSession(a.store, transport, max_rows=3).run()
    assert set(mine) <= answer_ids(b)
    assert answer_ids(a) == answer_ids(b)
    sent = result.pushed_rows
    assert sent == 21 if lose_push is None else sent > 21  # the lost chunk went again
    assert sync(a, b).pushed_rows == 0  # and nothing is left owed
