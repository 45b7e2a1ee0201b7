"""Content published on the hub reaches a node: rows by sync, the new file by its digest."""

from __future__ import annotations

import sqlite3
import urllib.request

import pytest

from tests.helpers.nodes import Browser, ServedNode, baobab, hub_cli
from tests.helpers.packs import NEW_DIGEST, NEW_PICTURE, first_picture_activity, pack_zip


def _publish(admin: Browser, data: bytes) -> int:
    request = urllib.request.Request(
        admin.base + "/api/v1/packs", data=data, method="POST",
        headers={"Content-Type": "application/zip", "X-CSRF-Token": admin.csrf},
    )  # fmt: skip
    with admin.opener.open(request, timeout=60) as response:
        return response.status


@pytest.mark.slow
def test_a_pack_published_on_the_hub_is_served_by_a_node(tmp_path, monkeypatch):
    node = ServedNode(tmp_path / "node", demo=False)
    baobab("demo", "--data-dir", str(node.data_dir))
    with sqlite3.connect(node.data_dir / "baobab.db") as conn:
        (school_id,) = conn.execute("SELECT school_id FROM local_node").fetchone()
    monkeypatch.setenv("BAOBAB_ROLE", "hub")  # for the served hub process
    # The demo school's admins are the district's: they may publish to every school.
    hub = ServedNode(tmp_path / "hub", demo=False, env={"BAOBAB_DISTRICT_SCHOOL": school_id})
    hub_cli("init", "--data-dir", str(hub.data_dir))
    hub.start()
    monkeypatch.delenv("BAOBAB_ROLE")
    try:
        code = hub_cli("pair-code", "--any-school", "--data-dir", str(hub.data_dir)).stdout.split()[
            2
        ]
        baobab("pair", hub.url, code, "--hub", "--data-dir", str(node.data_dir))
        baobab("sync", "--hub", "--data-dir", str(node.data_dir))  # the hub gets the school

        admin = Browser(hub.url)
        admin.login("admin", "baobab-admin")  # the school's admin, now known to the hub
        assert _publish(admin, pack_zip()) == 200

        synced = baobab("sync", "--hub", "--data-dir", str(node.data_dir))
        assert "ok, pulled" in synced.stdout
        node.start()
        teacher = Browser(node.url)
        teacher.login("teacher", "baobab-teacher")
        status, activity = teacher.call("GET", f"/api/v1/activities/{first_picture_activity()}")
        assert status == 200 and activity["body"]["image"] == NEW_DIGEST
        with urllib.request.urlopen(f"{node.url}/api/v1/assets/{NEW_DIGEST}") as response:
            assert response.read() == NEW_PICTURE  # fetched from the hub, verified, served
        status, packs = teacher.call("GET", "/api/v1/packs")
        assert "district-maths" in {p["id"] for p in packs}
    finally:
        hub.stop()
        node.stop()
