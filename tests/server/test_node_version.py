"""Each node's software version, as its signed hello claims it, in the district's list
of nodes (issue 15 item 3), on SQLite and PostgreSQL.

Regression: the admin app's nodes list had no version at all; a hello could say
nothing about the software that sent it. The version is the node's own word: as
trustworthy as its signature, no more. A node from before versions were said shows
"unknown"; a malformed claim is never kept or shown as it came.
"""

from __future__ import annotations

import uuid

import pytest

from server import create_app
from server import db as database
from server.auth import signin
from server.cli import prepare
from server.models import Peer, Person
from server.services import demo
from server.services.district import older_than
from server.version import __version__
from sync import wire
from sync.auth import NodeKey
from sync.engine import hello_version
from tests.conftest import BASE_CONFIG, Api

from .test_sync_api import Client

NODE_ID = "office-node-0001"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def hub(request, tmp_path):
    """A hub holding the demo school (the district office) and one enrolled node's key."""
    config = {**BASE_CONFIG, "DATA_DIR": str(tmp_path), "ROLE": "hub"}
    if request.param == "postgresql":
        cluster = request.getfixturevalue("postgres")
        config["DATABASE_URL"] = cluster.create_database(f"v{uuid.uuid4().hex[:8]}")
    app = create_app(config)
    prepare(app)
    key = NodeKey.generate()
    with app.app_context(), database.db.connection_context():
        demo.seed_demo(str(tmp_path))
        admin = Person.get(Person.username == "admin")
        app.config["DISTRICT_SCHOOL"] = admin.school_id
        Peer.create(node_id=NODE_ID, public_key=key.public_hex(), school_id=admin.school_id)
        token = signin.issue_token(admin, "tests")
    yield app, Client(app.test_client(), key, NODE_ID), Api(app.test_client(), token)
    database.close_all()


def _listed(admin: Api) -> dict:
    reply = admin.get("/api/v1/district/nodes")
    assert reply.status_code == 200, reply.get_json()
    return next(n for n in reply.get_json() if n["node_id"] == NODE_ID)


def _stored(app) -> str | None:
    with app.app_context(), database.db.connection_context():
        return Peer.get(Peer.node_id == NODE_ID).version


def test_a_nodes_hello_version_reaches_the_district_list(hub):
    app, node, admin = hub
    reply = node.send({"type": "hello", "node_id": NODE_ID, "version": "0.0.9"})
    assert reply.status_code == 200
    assert wire.decode(reply.data)["version"] == __version__  # the hub says its own
    listed = _listed(admin)
    assert listed["version"] == "0.0.9" and listed["hub_version"] == __version__
    assert listed["older_than_hub"] is True
    node.send({"type": "hello", "node_id": NODE_ID, "version": __version__})
    listed = _listed(admin)
    assert listed["version"] == __version__ and listed["older_than_hub"] is False


def test_an_old_node_that_says_no_version_is_unknown(hub):
    """The wire format stays compatible: a hello without a version is served as before."""
    app, node, admin = hub
    node.send({"type": "hello", "node_id": NODE_ID, "version": "0.0.9"})
    reply = node.send({"type": "hello", "node_id": NODE_ID})  # the node was replaced
    assert reply.status_code == 200 and "ignored" not in wire.decode(reply.data)
    listed = _listed(admin)
    assert listed["version"] is None and listed["older_than_hub"] is None


@pytest.mark.parametrize(
    "claim",
    ["9" * 41, 123, 1.5, True, ["0.1.0"], {"v": "0.1.0"}, "", "0.1.0<script>", "0.1 0", "é1"],
)
def test_a_malformed_version_claim_is_never_stored_raw(hub, claim):
    app, node, admin = hub
    node.send({"type": "hello", "node_id": NODE_ID, "version": "0.0.9"})
    reply = node.send({"type": "hello", "node_id": NODE_ID, "version": claim})
    assert reply.status_code == 200  # the sync goes on: only the claim is ignored
    said = wire.decode(reply.data)["ignored"]
    assert len(said) == 1 and "version" in said[0]  # and the node is told so
    assert _stored(app) is None
    assert _listed(admin)["version"] is None


def test_hello_version_says_why_it_ignores_a_claim():
    assert hello_version({}) == (None, None)
    assert hello_version({"version": "1.2.3rc1+local"}) == ("1.2.3rc1+local", None)
    version, why = hello_version({"version": "x" * 41})
    assert version is None and "40" in why


@pytest.mark.parametrize(
    "node, hub, older",
    [
        ("0.1.0", "0.2.0", True),
        ("0.2.0", "0.2.0", False),
        ("0.2", "0.2.0", False),
        ("0.10.0", "0.9.3", False),
        ("0.2.0rc1", "0.2.1", True),
        (None, "0.2.0", None),
        ("dev", "0.2.0", None),
    ],
)
def test_older_than_compares_release_numbers(node, hub, older):
    assert older_than(node, hub) is older
