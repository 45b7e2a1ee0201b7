"""USB bundles: signed, compressed, idempotent; tampered or foreign ones refused whole."""

from __future__ import annotations

import pytest

from sync.auth import NodeKey
from sync.bundle import BundleError, import_bundle, write_bundle
from tests.sync.harness import Node
from tests.sync.test_engine import answer_ids, write_answers


@pytest.fixture
def pair():
    a = Node(name="a")
    b = Node(a.school_id, "b")
    yield a, b
    a.close()
    b.close()


def export(node: Node, key: NodeKey, theirs=None) -> bytes:
    with node.bound():
        return write_bundle(node.store, key, node.store.partitions(), theirs or {})


def load(node: Node, data: bytes, trusted: dict[str, str]):
    with node.bound():
        return import_bundle(node.store, data, trusted.get, set(node.store.partitions()))


def test_a_bundle_carries_everything_and_importing_twice_changes_nothing(pair):
    a, b = pair
    key = NodeKey.generate()
    write_answers(a, 300)
    data = export(a, key)
    trusted = {a.node_id: key.public_hex()}
    first = load(b, data, trusted)
    assert first.inserted == 301  # the answers and the school
    again = load(b, data, trusted)
    assert again.inserted == 0 and again.skipped == 301
    assert answer_ids(a) == answer_ids(b)


def test_a_bundle_for_a_peer_carries_only_what_it_lacks(pair):
    a, b = pair
    key = NodeKey.generate()
    write_answers(a, 50)
    load(b, export(a, key), {a.node_id: key.public_hex()})
    with b.bound():
        theirs = {p: b.store.vector(p) for p in b.store.partitions()}
    write_answers(a, 7)
    second = load(b, export(a, key, theirs), {a.node_id: key.public_hex()})
    assert second.inserted == 7 and second.skipped == 0


@pytest.mark.parametrize("where", ["header", "payload", "signature"])
def test_a_tampered_bundle_is_refused_whole(pair, where):
    a, b = pair
    key = NodeKey.generate()
    write_answers(a, 20)
    data = bytearray(export(a, key))
    lines = bytes(data).split(b"\n", 3)
    offset = {
        "header": len(lines[0]) + 5,
        "signature": len(lines[0]) + len(lines[1]) + 4,
        "payload": len(data) - 10,
    }[where]
    data[offset] ^= 0x01
    with pytest.raises(BundleError):
        load(b, bytes(data), {a.node_id: key.public_hex()})
    assert answer_ids(b) == set()


def test_a_bundle_from_an_unpaired_node_or_another_school_is_refused(pair):
    a, b = pair
    key = NodeKey.generate()
    write_answers(a, 5)
    with pytest.raises(BundleError, match="not paired"):
        load(b, export(a, key), {})
    stranger = Node(name="elsewhere")
    try:
        write_answers(stranger, 5)
        foreign = export(stranger, key)
        with pytest.raises(BundleError, match="partition"):
            load(b, foreign, {stranger.node_id: key.public_hex()})
    finally:
        stranger.close()
    assert answer_ids(b) == set()
