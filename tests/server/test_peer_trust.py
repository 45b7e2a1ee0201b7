"""A paired node may not take over a school (issue 11, findings 3, 4, 5 and 14).

Each test is an attack a rogue peer tried on a demo node, through the signed
sync endpoint as a real peer would: what a pairing grants is all it may author,
secrets stay home, a vector moves only over rows received, a row's school agrees
with its partition, and a refused pairing leaves nothing behind.
"""

from __future__ import annotations

import json

import pytest

import sync.bundle
from server import db as database
from server.auth import access
from server.models import Item, LocalNode, PairingCode, Peer, Person, RowHistory
from server.node import identity
from server.replication import peers
from server.replication.store import NodeStore
from sync import wire
from sync.auth import NodeKey, pairing_proof
from sync.bundle import write_bundle
from sync.errors import SyncError
from sync.hlc import wall_ms
from sync.stamp import DISTRICT, school_partition
from tests.conftest import Api
from tests.server.test_sync_api import Client, answer_chunk, fingerprint

ROGUE = "rogue-node-0001"
HLC = (wall_ms() + 60_000) << 16  # after anything of the demo school: wins every merge


@pytest.fixture
def rogue(app, client):
    """A node paired with a valid code granting students' work only (the default)."""
    key = NodeKey.generate()
    with app.app_context(), database.db.connection_context():
        school_id = LocalNode.get().school_id
        code, _ = peers.create_pairing_code(school_id)
    reply = client.post("/api/v1/sync/pair", json=pair_request(code, key, ROGUE, school_id))
    assert reply.status_code == 200, reply.get_json()
    return Client(client, key, ROGUE), school_id


class Signer:
    """Just enough of a store for write_bundle to sign as ``node_id``."""

    def __init__(self, node_id: str) -> None:
        self.node_id = node_id


def pair_request(code: str, key: NodeKey, node_id: str, school_id: str | None) -> dict:
    return {
        "code": code, "node_id": node_id, "public_key": key.public_hex(), "school_id": school_id,
        "proof": pairing_proof(code, key.public_hex(), node_id),
    }  # fmt: skip


def rows_of(app, table: str, where) -> tuple[list[str], list[list]]:
    """Rows of a table as the wire carries them (columns, values)."""
    with app.app_context(), database.db.connection_context():
        store = NodeStore()
        model = store._models[table]
        ids = [r.id for r in model.select(model.id).where(where)]
        held = store.current(table, ids)
        columns = store.columns(table)
        return columns, [[held[i][c] for c in columns] for i in ids]


def forged(columns, values, counter: int, **changes) -> list:
    row = dict(zip(columns, values))
    row.update(origin=ROGUE, counter=counter, hlc=HLC + counter, **changes)
    return [row[c] for c in columns]


def chunk_of(partition: str, table: str, columns, rows, origins=None) -> dict:
    top = max((r[columns.index("counter")] for r in rows), default=0)
    return {
        "partition": partition,
        "origins": origins if origins is not None else {ROGUE: [0, top]},
        "tables": {table: {"columns": columns, "rows": rows}},
    }


def person_id(app, username: str) -> str:
    with app.app_context(), database.db.connection_context():
        return Person.get(Person.username == username).id


def push(peer: Client, chunk: dict):
    response = peer.send({"type": "push", "chunk": chunk})
    return response.status_code, wire.decode(response.data) if response.status_code == 200 else {}


def peer_status(app, node_id: str = ROGUE) -> Peer:
    with app.app_context(), database.db.connection_context():
        return Peer.get(Peer.node_id == node_id)


# ---------------------------------------------------------------- finding 3: who may author what


def test_only_an_admin_may_make_a_pairing_code(app, client, world):
    teacher = Api(client, world.tokens["teacher"])
    assert teacher.post("/api/v1/sync/pairing-codes", json={}).status_code == 403
    assert (
        teacher.post("/api/v1/sync/peers", json={"url": "http://x", "code": "AAAA"}).status_code
        == 403
    )
    admin = Api(client, world.tokens["admin"])
    made = admin.post("/api/v1/sync/pairing-codes", json={"grants": ["accounts"]})
    assert made.status_code == 201 and made.get_json()["grants"] == ["events", "accounts"]
    wrong = admin.post("/api/v1/sync/pairing-codes", json={"grants": ["hub"]})
    assert wrong.status_code == 422  # the district's authority is never a code's to give


def test_a_pairing_shows_its_grants_and_a_revoked_peer_is_refused(app, client, world, rogue):
    peer, school_id = rogue
    admin = Api(client, world.tokens["admin"])
    listed = {p["node_id"]: p for p in admin.get("/api/v1/sync/peers").get_json()}
    assert listed[ROGUE]["grants"] == ["events"]
    assert peer.send({"type": "hello"}).status_code == 200
    assert admin.delete(f"/api/v1/sync/peers/{listed[ROGUE]['id']}").status_code in (200, 204)
    assert peer.send({"type": "hello"}).status_code == 403


def test_rogue_peer_cannot_pull_password_hashes(app, rogue):
    peer, school_id = rogue
    with app.app_context(), database.db.connection_context():
        teacher = Person.get(Person.username == "teacher")
        teacher.display_name = "Ms Edited"  # a kept version of a person is in history
        teacher.save()
    reply = wire.decode(
        peer.send({"type": "pull", "partition": school_partition(school_id), "vector": {}}).data
    )
    tables = reply["chunk"]["tables"]
    people = tables["person"]
    secrets = [people["columns"].index(c) for c in ("password_hash", "picture_password_hash")]
    assert people["rows"] and all(row[i] is None for row in people["rows"] for i in secrets)
    history = tables["row_history"]
    at_table, at_data = history["columns"].index("table_name"), history["columns"].index("data")
    kept = [json.loads(r[at_data]) for r in history["rows"] if r[at_table] == "person"]
    assert kept and all(k["password_hash"] is None for k in kept)
    assert not any("argon2" in json.dumps(r) for t in tables.values() for r in t["rows"])


def test_rogue_peer_cannot_push_an_admin_account(app, rogue):
    peer, school_id = rogue
    columns, (admin_row, *_) = rows_of(app, "person", Person.username == "admin")
    new_admin = forged(columns, admin_row, 1, id="rogue-admin", username="rogue")
    before = fingerprint(app)
    status, reply = push(
        peer, chunk_of(school_partition(school_id), "person", columns, [new_admin])
    )
    assert status == 200 and reply["refused"] and "accounts" in reply["refused"][0]
    assert fingerprint(app) == before
    assert reply["vector"].get(ROGUE, 0) == 0  # the vector did not pass the refused row
    assert "Refused" in peer_status(app).last_error


def test_rogue_peer_cannot_change_a_teachers_password(app, rogue):
    peer, school_id = rogue
    columns, (teacher,) = rows_of(app, "person", Person.username == "teacher")
    changed = forged(columns, teacher, 1, password_hash="$argon2id$forged")
    status, reply = push(peer, chunk_of(school_partition(school_id), "person", columns, [changed]))
    assert status == 200 and reply["refused"]
    with app.app_context(), database.db.connection_context():
        assert Person.get(Person.username == "teacher").password_hash != "$argon2id$forged"
        assert not RowHistory.select().where(RowHistory.origin == ROGUE).exists()


def test_rogue_peer_cannot_rewrite_a_district_answer_key(app, rogue):
    peer, _school_id = rogue
    columns, (item, *_) = rows_of(app, "item", Item.type == "choice")
    rewritten = forged(columns, item, 1, answer=json.dumps("forged"))
    before = fingerprint(app)
    status, _ = push(peer, chunk_of(DISTRICT, "item", columns, [rewritten]))
    assert status == 403  # between nodes the district is not even shared
    assert fingerprint(app) == before


def test_even_an_accounts_peer_cannot_author_district_content(app, rogue):
    """Granted accounts, still not the hub: a district row smuggled in history is refused."""
    peer, school_id = rogue
    with app.app_context(), database.db.connection_context():
        Peer.update(grants="events,accounts").where(Peer.node_id == ROGUE).execute()
    columns, (item, *_) = rows_of(app, "item", Item.type == "choice")
    status, _ = push(peer, chunk_of(school_partition(school_id), "item", columns, [forged(
        columns, item, 1, partition=school_partition(school_id))]))  # fmt: skip
    with app.app_context(), database.db.connection_context():
        assert not Item.select().where(Item.origin == ROGUE).exists()
    assert status == 200


# ---------------------------------------------------------------- finding 4: vectors


def test_rogue_peer_cannot_poison_vector(app, rogue):
    peer, school_id = rogue
    honest = "honest-node-0002"
    empty = {
        "partition": school_partition(school_id),
        "origins": {honest: [0, 10**12]},
        "tables": {},
    }
    status, reply = push(peer, empty)
    assert status == 200 and reply["vector"].get(honest, 0) == 0
    # The same claim with one real row of the origin moves it to that row only.
    chunk = answer_chunk(school_id, origin=honest, count=1)
    chunk["origins"] = {honest: [0, 10**12]}
    status, reply = push(peer, chunk)
    assert status == 200 and reply["vector"][honest] == 1
    # Its own counters a sender vouches for: gaps there are its own superseded versions.
    own = {"partition": school_partition(school_id), "origins": {ROGUE: [0, 7]}, "tables": {}}
    assert push(peer, own)[1]["vector"][ROGUE] == 7


# ---------------------------------------------------------------- finding 5: forged schools


def test_forged_person_of_another_school_is_refused(app, rogue):
    peer, school_id = rogue
    with app.app_context(), database.db.connection_context():
        Peer.update(grants="events,accounts").where(Peer.node_id == ROGUE).execute()
    columns, (admin_row,) = rows_of(app, "person", Person.username == "admin")
    foreign = forged(columns, admin_row, 1, id="foreign-admin", username="x", school_id="school-x")
    status, reply = push(peer, chunk_of(school_partition(school_id), "person", columns, [foreign]))
    assert status == 200 and "does not agree" in reply["refused"][0]
    with app.app_context(), database.db.connection_context():
        assert Person.get_or_none(Person.id == "foreign-admin") is None


def test_an_account_written_in_another_schools_partition_has_no_rights(app, client, world):
    """A forged admin that reached the database before this fix is no admin anywhere."""
    with app.app_context(), database.db.connection_context():
        admin = Person.get(Person.username == "admin")
        assert access.is_admin_of(admin, world.school_id)
        Person.update(partition=school_partition("school-y")).where(Person.id == admin.id).execute()
        forged_admin = Person.get(Person.id == admin.id)
        assert not access.is_admin_of(forged_admin, world.school_id)
    response = Api(client, world.tokens["admin"]).get("/api/v1/sync/peers")
    assert response.status_code == 403


# ---------------------------------------------------------------- finding 14: refused pairing


def test_a_node_of_another_school_cannot_pair(app, client):
    key = NodeKey.generate()
    with app.app_context(), database.db.connection_context():
        school_id = LocalNode.get().school_id
        code, _ = peers.create_pairing_code(school_id, grants=["accounts"])
    reply = client.post(
        "/api/v1/sync/pair", json=pair_request(code, key, "stranger-node-1", "school-other")
    )
    assert reply.status_code == 409 and "another school" in reply.get_json()["error"]["message"]
    with app.app_context(), database.db.connection_context():
        assert Peer.get_or_none(Peer.node_id == "stranger-node-1") is None
        assert not PairingCode.select().where(PairingCode.used == True).exists()  # noqa: E712
        # Its bundle is refused whole: it is no peer of ours.
        data = write_bundle(Signer("stranger-node-1"), key, [], {})
        with pytest.raises(SyncError, match="not paired"):
            peers.import_bundle_file(data)


def test_a_bundle_gets_the_same_authority_checks(app, rogue):
    """A paired node's signed bundle may not carry accounts its pairing does not grant."""
    peer, school_id = rogue
    columns, (admin_row,) = rows_of(app, "person", Person.username == "admin")
    new_admin = forged(columns, admin_row, 1, id="bundle-admin", username="bundle")
    answers = answer_chunk(school_id, origin=ROGUE, count=2)
    answers["tables"]["answer"]["rows"] = [
        [3 if c == "counter" else v for c, v in zip(answers["tables"]["answer"]["columns"], r)]
        for r in answers["tables"]["answer"]["rows"][:1]
    ]
    chunk = chunk_of(school_partition(school_id), "person", columns, [new_admin], {ROGUE: [0, 3]})
    chunk["tables"].update(answers["tables"])

    def export(store, partition, vector, max_rows, secrets):
        return chunk, False

    with pytest.MonkeyPatch.context() as patch:  # the rogue's bundle holds just this chunk
        patch.setattr(sync.bundle, "export_chunk", export)
        data = write_bundle(Signer(ROGUE), peer.key, [school_partition(school_id)], {})
    with app.app_context(), database.db.connection_context():
        stats = peers.import_bundle_file(data)
        assert stats.refused and stats.inserted == 1  # the answer is in, the admin is not
        assert Person.get_or_none(Person.id == "bundle-admin") is None
        assert "bundle" in Peer.get(Peer.node_id == ROGUE).last_error


# ---------------------------------------------------------------- every forgery at once


def test_rogue_peer_changes_nothing_it_may_not(app, client, world, rogue):
    """Every kind of forged chunk from a validly paired node; only its students' work stays."""
    peer, school_id = rogue
    school = school_partition(school_id)
    people, (admin_row,) = rows_of(app, "person", Person.username == "admin")
    _, (teacher,) = rows_of(app, "person", Person.username == "teacher")
    items, (item, *_) = rows_of(app, "item", Item.type == "choice")
    before = fingerprint(app)
    forgeries = [
        chunk_of(school, "person", people, [forged(people, admin_row, 1, id="r1", username="r1")]),
        chunk_of(school, "person", people, [forged(people, teacher, 2, password_hash="x")]),
        chunk_of(school, "person", people, [forged(people, admin_row, 3, id="r2", school_id="x")]),
        chunk_of(DISTRICT, "item", items, [forged(items, item, 4, answer="1")]),
        chunk_of(school, "item", items, [forged(items, item, 5, partition=school)]),
        {"partition": school, "origins": {"honest-node-0002": [0, 10**12]}, "tables": {}},
        answer_chunk("another-school", origin=ROGUE),
        {"partition": "school:another-school", "origins": {}, "tables": {}},
    ]
    statuses = [push(peer, chunk)[0] for chunk in forgeries]
    assert statuses == [200, 200, 200, 403, 200, 200, 403, 403]
    after = fingerprint(app)
    assert after == before
    with app.app_context(), database.db.connection_context():
        vector = NodeStore().vector(school)
    assert vector.get("honest-node-0002", 0) == 0  # no rows of it came
    assert vector.get(ROGUE, 0) < 5  # its own counters, never past the refused row it sent
    # Students' work it may relay: that goes in, and the status says the truth.
    assert push(peer, answer_chunk(school_id, origin=ROGUE))[0] == 200
    status = {
        p["node_id"]: p
        for p in Api(client, world.tokens["admin"]).get("/api/v1/sync/peers").get_json()
    }[ROGUE]
    assert "Refused" in status["last_error"]
    with app.app_context(), database.db.connection_context():
        assert identity.node_info().school_id == school_id
