"""Authority, not just partition (invariant 10), in the engine between in-process nodes.

What a pairing grants is all a peer may author; refused rows are said to both
sides and never passed by the vector; a vector moves only over rows received or
the sender's own counters; relays and no-op syncs still behave.
"""

from __future__ import annotations

import pytest

from server.models import Goal, Person
from server.services import people
from sync.engine import ACCOUNTS, EVENTS, Sender, SyncSession, apply_chunk, export_chunk
from sync.stamp import DISTRICT
from tests.sync.harness import LocalTransport, Node, sync
from tests.sync.test_engine import answer_ids, write_answers

EVENTS_ONLY = frozenset({EVENTS})


@pytest.fixture
def school():
    first = Node(name="a")
    nodes = [first, Node(first.school_id, "b"), Node(first.school_id, "c")]
    yield nodes
    for node in nodes:
        node.close()


def edit_goal(node: Node, times: int) -> None:
    """Edits of one mutable row: each restamps it, leaving gaps in the origin's counters."""
    with node.bound():
        for i in range(times):
            goal = Goal.get_or_none(Goal.id == "goal:1") or Goal(
                id="goal:1",
                partition=f"school:{node.school_id}",
                person_id="kid",
                set_by="kid",
                term="short",
                kind="free",
            )
            goal.text = f"edit {i}"
            goal.save(force_insert=goal.counter is None)


def people_of(node: Node) -> dict[str, str | None]:
    with node.bound():
        return {p.id: p.password_hash for p in Person.select()}


def test_a_relay_still_delivers_everything(school):
    """A -> B -> C: C never meets A, yet holds all of A's rows, gaps and edits included."""
    a, b, c = school
    write_answers(a, 7)
    edit_goal(a, 4)  # superseded versions: counters of A that no row carries any more
    write_answers(a, 3)
    sync(b, a)
    sync(c, b, max_rows=2)
    assert answer_ids(c) == answer_ids(a)
    with c.bound():
        assert Goal.get(Goal.id == "goal:1").text == "edit 3"
    again = sync(c, b)  # and a sync with nothing new moves no rows
    assert again.pulled.rows == 0 and again.pushed_rows == 0 and not again.refused


def test_rogue_peer_cannot_poison_vector_with_a_claimed_range(school):
    a, b, _c = school
    partition = f"school:{a.school_id}"
    poison = {"partition": partition, "origins": {a.node_id: [0, 10**12]}, "tables": {}}
    with b.bound():
        apply_chunk(b.store, poison, {partition}, Sender("rogue-node-01"))
        assert b.store.vector(partition).get(a.node_id, 0) == 0
    write_answers(a, 3)
    sync(b, a)
    assert answer_ids(b) == answer_ids(a)  # A's answers still arrive


def test_an_events_only_peer_cannot_author_accounts_and_the_refusal_is_said(school):
    """B was granted students' work only: its new admin is refused, its answers are not."""
    a, b, _c = school
    with b.bound():
        people.create_person(b.school_id, "admin", "Self-made", username="boss", password="x" * 12)
    answers = write_answers(b, 4)
    result = sync(b, a, grants=EVENTS_ONLY, max_rows=2)
    assert result.refused and "accounts" in result.refused[0]
    assert set(answers) <= answer_ids(a)  # students' work after the refused row arrived too
    with a.bound():
        assert Person.get_or_none(Person.username == "boss") is None
    again = sync(b, a, grants=EVENTS_ONLY)  # asked for again, refused again: still said
    assert again.refused


def test_secrets_stay_with_peers_granted_accounts(school):
    a, b, c = school
    with a.bound():
        people.create_person(a.school_id, "teacher", "T", username="t", password="p" * 12)
    sync(b, a, grants=EVENTS_ONLY)
    assert any(people_of(a).values())
    assert not any(people_of(b).values())  # names came, hashes did not
    sync(c, a, grants=frozenset({EVENTS, ACCOUNTS}))
    assert people_of(c) == people_of(a)


def test_district_content_comes_only_from_the_hub(school):
    a, b, _c = school
    with a.bound():
        goal = Goal(
            id="goal:d", partition=DISTRICT, person_id="kid", set_by="kid", term="short",
            kind="free", text="district row",
        )  # fmt: skip
        goal.save(force_insert=True)
    result = sync(b, a, grants=frozenset({EVENTS, ACCOUNTS}))  # a school node, not the hub
    assert result.refused and "hub" in result.refused[0]
    with b.bound():
        assert Goal.get_or_none(Goal.id == "goal:d") is None
    sync(b, a)  # the hub (every grant) may
    with b.bound():
        assert Goal.get(Goal.id == "goal:d").text == "district row"


def test_a_peer_answering_as_another_node_is_refused(school):
    a, b, c = school
    transport = LocalTransport(b, a)
    with b.bound(), pytest.raises(Exception, match="not the node paired"):
        SyncSession(b.store, transport, peer=Sender(c.node_id, EVENTS_ONLY)).run()


def test_export_without_secrets_keeps_the_rest(school):
    a, _b, _c = school
    with a.bound():
        people.create_person(a.school_id, "teacher", "T", username="t2", password="p" * 12)
        chunk, _ = export_chunk(a.store, f"school:{a.school_id}", {}, secrets=False)
    person = chunk["tables"]["person"]
    at = person["columns"].index("password_hash")
    assert person["rows"] and all(row[at] is None for row in person["rows"])
