"""What a hub's app hosts share through the database and nothing else (issue 15, item 2):
sign-in limits, keys, the per-peer sync lock, syncs running, replay numbers."""

from __future__ import annotations

import time

import psycopg2
import pytest

from server import create_app
from server import db as database
from server.cli import prepare
from server.errors import Conflict
from server.models import LocalNode, Peer, SyncRun
from server.node import identity
from server.replication import peers
from server.replication import progress as sync_progress
from server.services import demo
from sync.auth import HEADER_NODE, HEADER_SEQ, HEADER_SIGNATURE, NodeKey, request_payload
from tests.conftest import BASE_CONFIG, Api


def _hub_host(tmp_path, name: str, url: str, **settings):
    """One app host of a hub: a data directory of its own, the shared database."""
    config = {**BASE_CONFIG, "DATA_DIR": str(tmp_path / name), "DATABASE_URL": url, "ROLE": "hub"}
    config.pop("SECRET_KEY")  # each host would make its own: the database's must win
    return create_app({**config, **settings})


@pytest.fixture
def hub_url(postgres, request):
    return postgres.create_database(f"hub_{request.node.name[:40].lower()}")


@pytest.mark.postgres
def test_signin_limit_holds_across_hub_hosts(tmp_path, hub_url):
    """Guesses spread over two hosts behind the proxy get no more tries than on one."""
    first = _hub_host(tmp_path, "a", hub_url, SIGNIN_MAX_FAILURES=3)
    try:
        prepare(first)
        with database.db.connection_context():
            demo.seed_demo(str(tmp_path / "a"))
        second = _hub_host(tmp_path, "b", hub_url, SIGNIN_MAX_FAILURES=3)
        prepare(second)
        on_a, on_b = Api(first.test_client()), Api(second.test_client())
        for _ in range(3):
            assert on_a.login("teacher", "wrong-guess").status_code == 401
        assert on_b.login("teacher", "baobab-teacher").status_code == 429
    finally:
        database.close_all()


@pytest.mark.postgres
def test_hub_hosts_sign_as_one_hub(tmp_path, hub_url):
    """Every host of a hub signs sync requests and cookies with the same keys: a node paired
    through one host is believed by the other, a browser signed in on one stays signed in."""
    hosts = [_hub_host(tmp_path, name, hub_url) for name in ("a", "b")]
    try:
        for app in hosts:
            prepare(app)
        keys = [identity.node_key(app.config["DATA_DIR"]).public_hex() for app in hosts]
        assert keys[0] == keys[1]
        assert hosts[0].config["SECRET_KEY"] == hosts[1].config["SECRET_KEY"]
    finally:
        database.close_all()


@pytest.mark.postgres
def test_two_hub_hosts_never_sync_one_peer_at_once(tmp_path, hub_url, postgres):
    """The per-peer sync lock is PostgreSQL's: held by one host, no other host gets it, and a
    host that dies (its connection gone) lets it go."""
    app = _hub_host(tmp_path, "a", hub_url)
    other = psycopg2.connect(hub_url)
    try:
        prepare(app)

        def free(peer_id: int) -> bool:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(hashtext('sync'), %s)", (peer_id,))
                got = cursor.fetchone()[0]
                if got:
                    cursor.execute("SELECT pg_advisory_unlock(hashtext('sync'), %s)", (peer_id,))
            return got

        with database.db.connection_context():
            with peers.sync_lock(str(tmp_path / "a"), 7, "hub"):
                assert not free(7)  # another host would wait
                assert free(8)  # other peers sync meanwhile
            assert free(7)
    finally:
        other.close()
        database.close_all()


def test_a_sync_running_on_one_hub_host_is_shown_by_every_host(db, tmp_path):
    """Progress lives in the database on a hub: any host shows it; a dead host's stops."""
    running = sync_progress.begin(str(tmp_path / "a"), 7, shared=True)
    sync_progress.update(running, "push", 40, 100)
    shown = sync_progress.get(str(tmp_path / "b"), 7, shared=True)  # another data directory
    assert (shown["direction"], shown["rows_done"], shown["pushed"]) == ("push", 40, 40)
    SyncRun.update(beat_at=time.time() - sync_progress.STALE_S - 1).execute()
    assert sync_progress.get(str(tmp_path / "b"), 7, shared=True) is None  # its host died
    newer = sync_progress.begin(str(tmp_path / "b"), 7, shared=True)
    sync_progress.end(running)  # the dead sync's end never removes the newer one's row
    assert sync_progress.get(str(tmp_path / "a"), 7, shared=True)["direction"] == "hello"
    sync_progress.end(newer)
    assert SyncRun.select().count() == 0


def test_replay_sent_to_two_hosts_at_once_is_applied_once(db, monkeypatch):
    """Two hosts that both read the peer's last number before either moved it: the second
    finds the number moved and refuses the request as a replay."""
    key = NodeKey.generate()
    school_id = LocalNode.get().school_id
    Peer.create(node_id="peer-node-0001", public_key=key.public_hex(), school_id=school_id)
    stale = Peer.get(Peer.node_id == "peer-node-0001")  # what the second host read
    seq, body = 5, b"x"
    headers = {
        HEADER_NODE: "peer-node-0001",
        HEADER_SEQ: str(seq),
        HEADER_SIGNATURE: key.sign(
            request_payload("POST", "/api/v1/sync", "peer-node-0001", seq, body)
        ),
    }
    peers.authenticate("POST", "/api/v1/sync", headers, body)  # the first host
    monkeypatch.setattr(Peer, "get_or_none", classmethod(lambda cls, *a: stale))
    with pytest.raises(Conflict):
        peers.authenticate("POST", "/api/v1/sync", headers, body)
    assert Peer.get(Peer.node_id == "peer-node-0001").last_seq_in == seq
