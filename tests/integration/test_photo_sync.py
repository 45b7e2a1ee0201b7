"""A student's photo reaches the hub and the school's other node: the row by sync, the
bytes pushed to the hub (which never calls a node) and fetched by the other node."""

from __future__ import annotations

import hashlib
import urllib.request
import uuid

import pytest

from tests.helpers.images import png
from tests.helpers.nodes import Browser, ServedNode, baobab, hub_cli, join_and_sync


def _student(node: ServedNode) -> Browser:
    """A student of the Acacia class signed in on ``node`` with their pictures."""
    browser = Browser(node.url)
    status, classes = browser.call("GET", "/api/v1/signin/classes")
    acacia = next(c for c in classes if c["name"] == "Acacia class")
    status, students = browser.call("GET", f"/api/v1/signin/classes/{acacia['id']}/students")
    status, me = browser.call(
        "POST",
        "/api/v1/auth/student-login",
        {"student_id": students[0]["id"], "pictures": ["sun", "goat", "drum"]},
    )
    assert status == 200, me
    browser.csrf = me["csrf_token"]
    return browser


def _put_photo(student: Browser, photo_id: str, activity_id: str, data: bytes) -> int:
    request = urllib.request.Request(
        f"{student.base}/api/v1/photos/{photo_id}?activity_id={activity_id}&device_ms=9",
        data=data, method="PUT",
        headers={"Content-Type": "image/png", "X-CSRF-Token": student.csrf},
    )  # fmt: skip
    with student.opener.open(request, timeout=60) as response:
        return response.status


def _image(browser: Browser, photo_id: str) -> bytes:
    with browser.opener.open(f"{browser.base}/api/v1/photos/{photo_id}/image") as response:
        return response.read()


@pytest.mark.slow
def test_a_photo_reaches_the_hub_and_another_node(tmp_path, monkeypatch):
    monkeypatch.setenv("BAOBAB_ROLE", "hub")  # for the served hub process
    hub = ServedNode(tmp_path / "hub", demo=False)
    hub_cli("init", "--data-dir", str(hub.data_dir))
    hub.start()
    monkeypatch.delenv("BAOBAB_ROLE")
    a = ServedNode(tmp_path / "a").start()
    b = ServedNode(tmp_path / "b", demo=False)
    try:
        student = _student(a)
        status, projects = student.call("GET", "/api/v1/activities?kind=project")
        photo_id, data = uuid.uuid4().hex, png(64, 48, shade=90)
        assert _put_photo(student, photo_id, projects["items"][0]["id"], data) == 201
        blob = a.data_dir / "blobs" / hashlib.sha256(data).hexdigest()[:2]

        code = hub_cli("pair-code", "--any-school", "--data-dir", str(hub.data_dir)).stdout.split()[
            2
        ]
        baobab("pair", hub.url, code, "--hub", "--data-dir", str(a.data_dir))
        synced = baobab("sync", "--hub", "--data-dir", str(a.data_dir))
        assert "ok" in synced.stdout, synced.stdout + synced.stderr
        teacher = Browser(hub.url)
        teacher.login("teacher", "baobab-teacher")
        assert _image(teacher, photo_id) == data  # pushed: the hub never calls a node

        # Node A loses the file; the next sync with the hub brings it back.
        (blob / hashlib.sha256(data).hexdigest()).unlink()
        baobab("sync", "--hub", "--data-dir", str(a.data_dir))
        assert (blob / hashlib.sha256(data).hexdigest()).read_bytes() == data

        # A second node of the school pairs with A and fetches the photo from it.
        join_and_sync(b.data_dir, a)
        b.start()
        teacher_b = Browser(b.url)
        teacher_b.login("teacher", "baobab-teacher")
        assert _image(teacher_b, photo_id) == data
        status, listed = teacher_b.call("GET", f"/api/v1/photos/{photo_id}")
        assert status == 200 and listed["sha256"] == hashlib.sha256(data).hexdigest()
    finally:
        for node in (hub, a, b):
            node.stop()
