"""The sync endpoint refuses bad requests with a clear 4xx and changes nothing.

Malformed, oversized, replayed, wrong-school, unsigned, unknown and revoked
requests each get their status, and the database is the same afterwards.
"""

from __future__ import annotations

import uuid

import pytest

from server import db as database
from server.models import Answer, LocalNode, Peer, replicated_models
from server.node import identity
from server.replication import peers
from sync import wire
from sync.auth import HEADER_NODE, HEADER_SEQ, HEADER_SIGNATURE, NodeKey, request_payload
from sync.stamp import school_partition

PATH = "/api/v1/sync"


class Client:
    """A paired node talking to the app through the test client."""

    def __init__(self, flask_client, key: NodeKey, node_id: str) -> None:
        self.flask, self.key, self.node_id, self.seq = flask_client, key, node_id, 0

    def post(self, body: bytes, seq: int | None = None, sign: bool = True, **kwargs):
        if seq is None:
            self.seq += 1
            seq = self.seq
        headers = {HEADER_NODE: self.node_id, HEADER_SEQ: str(seq)}
        if sign:
            headers[HEADER_SIGNATURE] = self.key.sign(
                request_payload("POST", PATH, self.node_id, seq, body)
            )
        content_type = kwargs.pop("content_type", wire.MEDIA_TYPE)
        response = self.flask.post(PATH, data=body, headers=headers, content_type=content_type)
        response.close()
        return response

    def send(self, message: dict, **kwargs):
        return self.post(wire.encode(message), **kwargs)


@pytest.fixture
def paired(app, client):
    """A peer of the demo school, trusted by the app's node."""
    key = NodeKey.generate()
    with app.app_context(), database.db.connection_context():
        school_id = LocalNode.get().school_id
        Peer.create(node_id="peer-node-0001", public_key=key.public_hex(), school_id=school_id)
    return Client(client, key, "peer-node-0001"), school_id


def fingerprint(app) -> dict:
    with app.app_context(), database.db.connection_context():
        return {
            m.__name__: sorted((r.id, r.counter) for r in m.select()) for m in replicated_models()
        }


def answer_chunk(school_id: str, origin: str = "peer-node-0001", count: int = 2) -> dict:
    columns = [f.column_name for f in Answer._meta.sorted_fields]
    rows = []
    for i in range(count):
        row = {
            "id": uuid.uuid4().hex, "partition": school_partition(school_id), "origin": origin,
            "counter": i + 1, "hlc": (1_700_000_000_000 << 16) + i, "deleted": False,
            "person_id": "kid", "attempt_id": None, "activity_id": "a", "item_id": "i",
            "response": "1", "correct": True, "hints_used": 0, "duration_ms": None,
            "device_ms": 1, "received_ms": 2,
        }  # fmt: skip
        rows.append([row[c] for c in columns])
    return {
        "partition": school_partition(school_id),
        "origins": {origin: [0, count]},
        "tables": {"answer": {"columns": columns, "rows": rows}},
    }


def test_a_paired_node_can_push_and_pull(app, paired):
    peer, school_id = paired
    hello = peer.send({"type": "hello", "node_id": peer.node_id})
    assert hello.status_code == 200
    reply = wire.decode(hello.data)
    assert school_partition(school_id) in reply["partitions"]
    pushed = peer.send({"type": "push", "chunk": answer_chunk(school_id)})
    assert pushed.status_code == 200 and wire.decode(pushed.data)["rows"] == 2
    pulled = wire.decode(
        peer.send({"type": "pull", "partition": school_partition(school_id), "vector": {}}).data
    )
    assert sum(len(t["rows"]) for t in pulled["chunk"]["tables"].values()) > 50  # the school


@pytest.mark.parametrize(
    "case, status",
    [
        ("unsigned", 401),
        ("bad signature", 401),
        ("unknown node", 403),
        ("revoked node", 403),
        ("replayed", 409),
        ("malformed", 422),
        ("not the wire format", 422),
        ("wrong school", 403),
        ("smuggled rows", 403),
        ("oversized", 413),
        ("unknown table", 422),
        ("malformed clock", 422),
        ("malformed id", 422),
        ("malformed origin", 422),
        ("overlong origin", 422),
    ],
)
def test_bad_sync_requests_are_refused_and_change_nothing(app, client, paired, case, status):
    peer, school_id = paired
    push = wire.encode({"type": "push", "chunk": answer_chunk(school_id)})
    first = peer.post(wire.encode({"type": "hello"}))  # seq 1, fine
    assert first.status_code == 200
    before = fingerprint(app)
    if case == "unsigned":
        response = peer.post(push, sign=False)
    elif case == "bad signature":
        response = Client(client, NodeKey.generate(), peer.node_id).post(push, seq=99)
    elif case == "unknown node":
        response = Client(client, NodeKey.generate(), "stranger-node-01").post(push)
    elif case == "revoked node":
        with app.app_context(), database.db.connection_context():
            Peer.update(revoked=True).execute()
        response = peer.post(push)
    elif case == "replayed":
        response = peer.post(push, seq=1)
    elif case == "malformed":
        response = peer.post(b"\x78\x9c not zlib at all")
    elif case == "not the wire format":
        response = peer.post(b"{}", content_type="application/json")
    elif case == "wrong school":
        chunk = answer_chunk("another-school")
        response = peer.send({"type": "push", "chunk": chunk})
    elif case == "smuggled rows":
        chunk = answer_chunk("another-school")
        chunk["partition"] = school_partition(school_id)
        response = peer.send({"type": "push", "chunk": chunk})
    elif case == "oversized":
        app.config["SYNC_MAX_BODY_BYTES"] = 1000
        response = peer.send({"type": "push", "chunk": answer_chunk(school_id, count=50)})
    elif case == "unknown table":
        chunk = answer_chunk(school_id)
        chunk["tables"]["no_such_table"] = chunk["tables"].pop("answer")
        response = peer.send({"type": "push", "chunk": chunk})
    elif case in ("malformed clock", "malformed id", "malformed origin", "overlong origin"):
        chunk = answer_chunk(school_id)
        columns = chunk["tables"]["answer"]["columns"]
        column = {"malformed clock": "hlc", "malformed id": "id"}.get(case, "origin")
        bad = "n" * 101 if case == "overlong origin" else ["not", "a", "value"]
        chunk["tables"]["answer"]["rows"][1][columns.index(column)] = bad
        response = peer.send({"type": "push", "chunk": chunk})
    assert response.status_code == status, response.get_json()
    assert set(response.get_json()["error"]) == {"status", "code", "message", "details"}
    assert fingerprint(app) == before


def test_pairing_with_a_code_and_its_refusals(app, client, tmp_path):
    with app.app_context(), database.db.connection_context():
        code, _ = peers.create_pairing_code(LocalNode.get().school_id)
        node_key_hex = identity.node_key(app.config["DATA_DIR"]).public_hex()
    newcomer = NodeKey.generate()
    from sync.auth import pairing_proof

    body = {
        "code": code, "node_id": "newcomer-node-01", "public_key": newcomer.public_hex(),
        "proof": pairing_proof(code, newcomer.public_hex(), "newcomer-node-01"),
    }  # fmt: skip
    wrong = client.post("/api/v1/sync/pair", json={**body, "code": "AAAA-AAAA"})
    assert wrong.status_code == 401
    ok = client.post("/api/v1/sync/pair", json=body)
    assert ok.status_code == 200
    reply = ok.get_json()
    assert reply["public_key"] == node_key_hex
    assert reply["proof"] == pairing_proof(code, node_key_hex, reply["node_id"])
    again = client.post("/api/v1/sync/pair", json=body)
    assert again.status_code == 401  # one-time


def test_a_hub_shares_district_content_read_only(app, paired):
    """Nodes read the district's content from the hub but cannot publish to it."""
    peer, school_id = paired
    app.config["ROLE"] = "hub"
    hello = wire.decode(peer.send({"type": "hello"}).data)
    assert "district" in hello["partitions"] and "district" not in hello["writable"]
    assert school_partition(school_id) in hello["writable"]
    before = fingerprint(app)
    chunk = answer_chunk(school_id)
    chunk["partition"] = "district"
    for row in chunk["tables"]["answer"]["rows"]:
        row[chunk["tables"]["answer"]["columns"].index("partition")] = "district"
    refused = peer.send({"type": "push", "chunk": chunk})
    assert refused.status_code == 403
    assert fingerprint(app) == before


def test_pairing_is_two_way_the_acceptor_keeps_the_newcomers_address(app, client):
    """Item 4 of issue 12: the side that accepts a pairing keeps the address the
    newcomer sends, and a later pairing without one never erases it."""
    from sync.auth import pairing_proof

    newcomer = NodeKey.generate()

    def pair_body(url):
        with app.app_context(), database.db.connection_context():
            code, _ = peers.create_pairing_code(LocalNode.get().school_id)
        return {
            "code": code, "node_id": "newcomer-node-02", "public_key": newcomer.public_hex(),
            "proof": pairing_proof(code, newcomer.public_hex(), "newcomer-node-02"), "url": url,
        }  # fmt: skip

    assert (
        client.post("/api/v1/sync/pair", json=pair_body("http://10.0.0.7:8080/")).status_code == 200
    )
    assert client.post("/api/v1/sync/pair", json=pair_body(None)).status_code == 200
    with app.app_context(), database.db.connection_context():
        assert Peer.get(Peer.node_id == "newcomer-node-02").url == "http://10.0.0.7:8080"
    bad = client.post("/api/v1/sync/pair", json=pair_body("not an address"))
    assert bad.status_code == 422


def test_own_url_is_the_interface_nearest_the_peer(monkeypatch):
    from server.node import runner

    monkeypatch.setattr(runner, "lan_addresses", lambda: ["10.1.2.3", "192.168.4.20", "127.0.0.1"])
    assert peers.own_url("0.0.0.0", 8080, "http://192.168.4.1:8080") == "http://192.168.4.20:8080"
    assert peers.own_url("0.0.0.0", 8080, "http://127.0.0.1:9") == "http://127.0.0.1:8080"
    assert peers.own_url("0.0.0.0", 8080, "http://hub.example") == "http://10.1.2.3:8080"
    assert peers.own_url("10.9.9.9", 81, "http://192.168.4.1") == "http://10.9.9.9:81"
