"""Photos of project work: the upload API, its refusals, who sees them, and the plan page."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pytest

from server import db as database
from server.db.blobs import blob_path
from server.models import Activity, Peer, Photo
from server.services.photos import PHOTO_MAX_BYTES
from sync.auth import HEADER_NODE, HEADER_SEQ, HEADER_SIGNATURE, NodeKey, request_payload
from tests.helpers.images import png


def project_activity(app) -> str:
    with app.app_context(), database.db.connection_context():
        return Activity.live().where(Activity.kind == "project").order_by(Activity.id).first().id


def put(
    caller, photo_id: str, data: bytes, activity: str, content_type: str = "image/png", **extra
):
    query = "&".join(
        f"{k}={v}" for k, v in {"activity_id": activity, "device_ms": 5, **extra}.items()
    )
    return caller.request(
        "PUT", f"/api/v1/photos/{photo_id}?{query}", data=data,
        headers={"Content-Type": content_type},
    )  # fmt: skip


def rows(app) -> list[Photo]:
    with app.app_context(), database.db.connection_context():
        return list(Photo.select())


def test_a_student_adds_a_photo_and_sees_it(app, api, world, db):
    student = api(world.tokens["student"])
    activity = project_activity(app)
    data = png()
    photo_id = uuid.uuid4().hex
    reply = put(student, photo_id, data, activity, attempt_id="att-1", reflection_id="ref-1")
    assert reply.status_code == 201, reply.get_json()
    body = reply.get_json()
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["person_id"] == world.student and body["reflection_id"] == "ref-1"
    assert body["duplicate"] is False and body["size"] == len(data)
    assert blob_path(app.config["DATA_DIR"], body["sha256"]).read_bytes() == data
    image = student.get(body["image_url"])
    assert image.status_code == 200 and image.data == data and image.mimetype == "image/png"
    listed = student.get(f"/api/v1/people/{world.student}/photos?activity_id={activity}")
    assert [p["id"] for p in listed.get_json()] == [photo_id]
    row = Photo.get_by_id(photo_id)
    assert row.partition == f"school:{world.school_id}"


def test_the_same_id_twice_is_one_photo_and_other_bytes_are_a_conflict(app, api, world):
    """The outbox retries after a lost reply: the node must keep one photo."""
    student = api(world.tokens["student"])
    activity = project_activity(app)
    photo_id = uuid.uuid4().hex
    assert put(student, photo_id, png(), activity).status_code == 201
    again = put(student, photo_id, png(), activity)
    assert again.status_code == 201 and again.get_json()["duplicate"] is True
    other = put(student, photo_id, png(shade=200), activity)
    assert other.status_code == 409 and set(other.get_json()) == {"error"}
    assert len(rows(app)) == 1


@pytest.mark.parametrize(
    "case, status",
    [
        ("not_an_image", 422),
        ("type_lies", 422),
        ("not_an_image_type", 422),
        ("no_activity", 404),
        ("bad_id", 422),
        ("missing_device_ms", 422),
        ("too_large", 413),
        ("empty", 422),
    ],
)
def test_bad_uploads_are_refused_and_change_nothing(app, api, world, case, status):
    student = api(world.tokens["student"])
    activity = project_activity(app)
    photo_id, data, content_type = uuid.uuid4().hex, png(), "image/png"
    if case == "not_an_image":
        data = b"GIF89a" + b"\x00" * 100
    elif case == "type_lies":
        content_type = "image/jpeg"
    elif case == "not_an_image_type":
        content_type = "text/plain"
    elif case == "no_activity":
        activity = "no-such-activity"
    elif case == "bad_id":
        photo_id = "bad id!"
    elif case == "too_large":
        data = png() + b"\x00" * PHOTO_MAX_BYTES
    elif case == "empty":
        data = b""
    if case == "missing_device_ms":
        reply = student.request(
            "PUT", f"/api/v1/photos/{photo_id}?activity_id={activity}", data=data,
            headers={"Content-Type": content_type},
        )  # fmt: skip
    else:
        reply = put(student, photo_id, data, activity, content_type)
    assert reply.status_code == status, reply.get_json()
    assert set(reply.get_json()) == {"error"} and reply.get_json()["error"]["status"] == status
    assert rows(app) == []
    stored = {p.name for p in (Path(app.config["DATA_DIR"]) / "blobs").glob("*/*")}
    assert hashlib.sha256(data).hexdigest() not in stored


def test_who_sees_a_photo(app, api, world):
    student = api(world.tokens["student"])
    reply = put(student, uuid.uuid4().hex, png(), project_activity(app))
    url = reply.get_json()["image_url"]
    details = url.removesuffix("/image")
    for principal, status in [
        ("student", 200),
        ("teacher", 200),
        ("admin", 200),
        ("other_student", 404),
        ("other_teacher", 404),
    ]:
        caller = api(world.tokens[principal])
        assert caller.get(url).status_code == status, principal
        assert caller.get(details).status_code == status, principal
    assert api().get(url).status_code == 401
    teacher = api(world.tokens["teacher"])
    assert put(teacher, uuid.uuid4().hex, png(), project_activity(app)).status_code == 403


def test_the_learning_plan_page_shows_the_photo(app, api, world):
    student = api(world.tokens["student"])
    activity = project_activity(app)
    student.post(
        "/api/v1/reflections",
        json={"id": "ref-plan-1", "activity_id": activity, "confidence": 3,
              "text": "I counted the goats", "device_ms": 7},
    )  # fmt: skip
    body = put(student, uuid.uuid4().hex, png(), activity, reflection_id="ref-plan-1").get_json()
    teacher = api(world.tokens["teacher"])
    page = teacher.get(f"/people/{world.student}/plan.html").get_data(as_text=True)
    assert body["image_url"] in page
    assert "I counted the goats" in page


class SignedPeer:
    """A paired node asking for or sending photo bytes through the test client."""

    def __init__(self, flask_client, node_id: str) -> None:
        self.flask, self.node_id, self.key, self.seq = flask_client, node_id, NodeKey.generate(), 0

    def call(self, method: str, path: str, body: bytes = b""):
        self.seq += 1
        payload = request_payload(method, path, self.node_id, self.seq, body)
        headers = {
            HEADER_NODE: self.node_id,
            HEADER_SEQ: str(self.seq),
            HEADER_SIGNATURE: self.key.sign(payload),
        }
        response = self.flask.open(path, method=method, data=body, headers=headers)
        response.get_data()
        response.close()
        return response


def _peer(app, client, node_id: str, school_id: str | None) -> SignedPeer:
    peer = SignedPeer(client, node_id)
    with app.app_context(), database.db.connection_context():
        Peer.create(node_id=node_id, public_key=peer.key.public_hex(), school_id=school_id)
    return peer


def test_photo_bytes_go_only_to_and_from_paired_nodes_of_the_school(app, api, client, world):
    data = png(8, 8, shade=10)
    sha = hashlib.sha256(data).hexdigest()
    put(api(world.tokens["student"]), uuid.uuid4().hex, data, project_activity(app))
    same = _peer(app, client, "peer-same-school", world.school_id)
    other = _peer(app, client, "peer-other-school", "another-school")
    path = f"/api/v1/sync/photos/{sha}"

    got = same.call("GET", path)
    assert got.status_code == 200 and got.data == data
    assert other.call("GET", path).status_code == 404  # not its school's
    assert client.get(path).status_code == 401  # unsigned
    assert same.call("GET", "/api/v1/sync/photos/missing").get_json() == {"sha256": []}

    # This node loses the file: the school's peer may send it back, verified.
    blob = blob_path(app.config["DATA_DIR"], sha)
    blob.unlink()
    assert same.call("GET", "/api/v1/sync/photos/missing").get_json() == {"sha256": [sha]}
    assert other.call("GET", "/api/v1/sync/photos/missing").get_json() == {"sha256": []}
    assert same.call("PUT", path, png(8, 8, shade=11)).status_code == 422  # not those bytes
    assert other.call("PUT", path, data).status_code == 404
    assert not blob.exists()
    assert same.call("PUT", path, data).status_code == 204
    assert blob.read_bytes() == data


def test_a_retry_brings_the_bytes_of_a_photo_whose_row_came_first(app, api, world):
    """A photo row may arrive by sync before its bytes: the student's retry fills them in."""
    student = api(world.tokens["student"])
    photo_id, data = uuid.uuid4().hex, png(5, 5)
    assert put(student, photo_id, data, project_activity(app)).status_code == 201
    blob = blob_path(app.config["DATA_DIR"], hashlib.sha256(data).hexdigest())
    blob.unlink()
    assert student.get(f"/api/v1/photos/{photo_id}/image").status_code == 404
    again = put(student, photo_id, data, project_activity(app))
    assert again.status_code == 201 and again.get_json()["duplicate"] is True
    assert blob.read_bytes() == data
