"""The setup an administrator follows, command for command as docs/admin-guide.md writes it.

A second node of a school, and a school started at the hub with its first node enrolled
there (the node has no school until it joins): each sequence exactly as documented,
ending with the people of the school signing in on the new node.
"""

from __future__ import annotations

import sqlite3

import pytest

from tests.helpers.nodes import Browser, ServedNode, baobab, hub_cli, wait_for

pytestmark = pytest.mark.slow

PASSWORD = "district-pass-1"


def _schools(data_dir) -> set[str]:
    with sqlite3.connect(data_dir / "baobab.db") as conn:
        return {r[0] for r in conn.execute("SELECT name FROM school WHERE deleted = 0")}


def _peer_urls(data_dir) -> set[str]:
    with sqlite3.connect(data_dir / "baobab.db") as conn:
        return {r[0] for r in conn.execute("SELECT url FROM peer")}


def _sign_in_classes(node: ServedNode) -> list[str]:
    status, body = Browser(node.url).call("GET", "/api/v1/signin/classes")
    assert status == 200, body
    items = body["items"] if isinstance(body, dict) else body
    return sorted(c["name"] for c in items)


def test_a_second_node_joins_its_school(tmp_path):
    first = ServedNode(tmp_path / "first").start()  # the school's first node (the demo here)
    second = ServedNode(tmp_path / "second", demo=True)  # `baobab serve` as a user runs it
    try:
        code = baobab("pair-code", "--grant", "accounts", "--data-dir", str(first.data_dir))
        code = code.stdout.split()[2]
        # On the new node, as the guide says: init, pair, sync, serve.
        baobab("init", "--data-dir", str(second.data_dir))
        baobab("pair", first.url, code, "--data-dir", str(second.data_dir))
        baobab("sync", "--peer", first.url, "--data-dir", str(second.data_dir))
        second.start()
        assert _schools(second.data_dir) == _schools(first.data_dir)  # no second demo school
        assert _sign_in_classes(second) == _sign_in_classes(first)
        # Two-way: the first node reaches the new one too. It learnt the address at
        # pairing (a guess: the new node was not serving yet) and from the new node's
        # signed hello once it serves (its scheduler syncs at start).
        assert wait_for(lambda: second.url in _peer_urls(first.data_dir), 60)
        out = baobab("sync", "--all", "--data-dir", str(first.data_dir))
        assert "ok" in out.stdout
    finally:
        second.stop()
        first.stop()


def test_a_node_served_right_after_pairing_seeds_no_demo_and_catches_up(tmp_path):
    first = ServedNode(tmp_path / "first").start()
    second = ServedNode(tmp_path / "second", demo=True, env={"BAOBAB_SYNC_INTERVAL_S": "2"})
    try:
        baobab("init", "--data-dir", str(second.data_dir))
        baobab("pair", first.url, first.pairing_code(), "--data-dir", str(second.data_dir))
        second.start()  # no `sync` first: the scheduler pulls the school in the background
        assert wait_for(lambda: _sign_in_classes(second) == _sign_in_classes(first), 60)
        assert _schools(second.data_dir) == _schools(first.data_dir)
    finally:
        second.stop()
        first.stop()


def test_a_school_started_at_the_hub_enrols_its_first_node(tmp_path, monkeypatch):
    hub_dir, node_dir = tmp_path / "hub", tmp_path / "node"
    # On the hub: init, create the school and its admin, an enrolment code, serve.
    hub_cli("init", "--data-dir", str(hub_dir))
    made = hub_cli("create-school", "Hill School", "--code", "HILL", "--data-dir", str(hub_dir))
    school_id = made.stdout.split("(")[1].split(")")[0]
    hub_cli(
        "create-user", "Ada Admin", "--role", "admin", "--username", "ada",
        "--password", PASSWORD, "--school", school_id, "--data-dir", str(hub_dir),
    )  # fmt: skip
    code = hub_cli("pair-code", "--school", school_id, "--data-dir", str(hub_dir))
    code = code.stdout.split()[2]
    monkeypatch.setenv("BAOBAB_ROLE", "hub")
    hub = ServedNode(hub_dir, demo=True).start()  # a hub never seeds the demo
    monkeypatch.delenv("BAOBAB_ROLE")
    node = ServedNode(node_dir, demo=True)
    try:
        assert _schools(hub_dir) == {"Hill School"}
        # On the new node, which has no school: init, pair with the hub, sync, serve.
        baobab("init", "--data-dir", str(node_dir))
        joined = baobab("pair", hub.url, code, "--hub", "--data-dir", str(node_dir))
        assert school_id in joined.stdout
        baobab("sync", "--hub", "--data-dir", str(node_dir))
        node.start()
        assert _schools(node_dir) == {"Hill School"}  # its school, not a demo
        Browser(node.url).login("ada", PASSWORD)  # the admin made at the hub signs in here
        # The node manages its school's accounts: a student made here reaches the hub.
        baobab(
            "create-user", "Kim", "--role", "student", "--pictures", "sun,moon,star",
            "--data-dir", str(node_dir),
        )  # fmt: skip
        baobab("sync", "--hub", "--data-dir", str(node_dir))
        with sqlite3.connect(hub_dir / "baobab.db") as conn:
            names = {r[0] for r in conn.execute("SELECT display_name FROM person")}
        assert {"Ada Admin", "Kim"} <= names
    finally:
        node.stop()
        hub.stop()


def test_enrolment_codes_for_a_school_are_the_hubs_and_name_a_school_it_holds(tmp_path):
    node_dir, hub_dir = tmp_path / "node", tmp_path / "hub"
    baobab("init", "--data-dir", str(node_dir))
    refused = baobab("pair-code", "--school", "x", "--data-dir", str(node_dir), check=False)
    assert refused.returncode != 0 and "Only a hub" in refused.stderr
    hub_cli("init", "--data-dir", str(hub_dir))
    try:
        hub_cli("pair-code", "--school", "nowhere", "--data-dir", str(hub_dir))
    except Exception as exc:  # noqa: BLE001 - CalledProcessError carries the output
        assert "No school nowhere" in exc.stderr
    else:
        raise AssertionError("a code for a school the hub does not hold was printed")


def test_a_node_with_a_school_cannot_create_another(tmp_path):
    data_dir = tmp_path / "node"
    baobab("init", "--data-dir", str(data_dir))
    baobab("create-school", "River School", "--data-dir", str(data_dir))
    again = baobab("create-school", "Other School", "--data-dir", str(data_dir), check=False)
    assert again.returncode != 0 and "already belongs to a school" in again.stderr
    assert _schools(data_dir) == {"River School"}
