"""Files and digests: a string from outside names a file only when it is a SHA-256 digest.

Issue 11, findings 1 and 10: a rogue peer's "photos missing" list was used as file paths
(it read the session secret, the node key and the CA key), and a photo could name
another student's reflection and show its text in the uploader's plan.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from urllib.parse import unquote

import pytest

from server import db as database
from server.db.blobs import NotADigest, blob_path, digest, has_blob, is_digest, store_blob
from server.models import Asset, Person, Photo, Reflection
from server.node import identity
from server.replication import blobs as replication_blobs
from server.replication.photo_sync import MISSING_PATH, PhotoPeer, exchange
from server.services.photos import project_work
from sync.auth import HEADER_NODE, HEADER_SEQ, HEADER_SIGNATURE, NodeKey, request_payload
from tests.helpers.images import png
from tests.server.test_photos import _peer, project_activity, put, rows

#: What a rogue peer sends where a digest belongs: ../, absolute, %-encoded, near-digests.
NOT_DIGESTS = [
    "../secret_key",
    "../../secret_key",
    "..",
    "%2e%2e",
    "%2e%2e%2fsecret_key",
    "A" * 64,
    "a" * 63,
    "a" * 64 + "\n",
    "",
]


def _secrets(data_dir: str) -> list[Path]:
    identity.secret_key(data_dir)
    identity.node_key(data_dir)
    return [Path(data_dir) / "secret_key", Path(data_dir) / "node_key"]


class ScriptedPeer(PhotoPeer):
    """The real PhotoPeer, its wire replaced by a rogue peer's script; it records requests."""

    def __init__(self, wanted: list) -> None:
        super().__init__("http://rogue.invalid", "rogue", NodeKey.generate(), lambda: 1)
        self.script, self.sent = wanted, []

    def _call(self, method: str, path: str, body: bytes = b"") -> bytes:
        self.sent.append((method, path, body))
        if path == MISSING_PATH:
            return json.dumps({"sha256": self.script}).encode()
        raise OSError("the rogue peer has nothing to give")


def test_only_a_digest_names_a_file(tmp_path):
    data = b"photo bytes"
    sha = digest(data)
    assert is_digest(sha) and blob_path(str(tmp_path), sha).name == sha
    for value in [*NOT_DIGESTS, str(tmp_path / "secret_key"), "/etc/passwd", None, 7]:
        assert not is_digest(value)
        with pytest.raises(NotADigest):
            blob_path(str(tmp_path), value)
        assert not has_blob(str(tmp_path), value)
    with pytest.raises(ValueError):
        store_blob(str(tmp_path), digest(b"other"), data)  # a blob's name promises its bytes
    store_blob(str(tmp_path), sha, data)
    assert has_blob(str(tmp_path), sha)


def test_rogue_peer_cannot_read_files_by_path(app, api, world):
    """A peer's "missing" list named files outside blobs/; this node pushed them to it."""
    data_dir = app.config["DATA_DIR"]
    with app.app_context(), database.db.connection_context():
        secrets = _secrets(data_dir)
    content = png(6, 6, shade=40)
    put(api(world.tokens["other_student"]), uuid.uuid4().hex, content, project_activity(app))
    absolute = [str(p) for p in secrets] + ["/etc/passwd"]
    not_a_photo = digest(b"a blob that is no photo")
    store_blob(data_dir, not_a_photo, b"a blob that is no photo")
    peer = ScriptedPeer([*NOT_DIGESTS, *absolute, not_a_photo, ["nested"], {"a": 1}])
    with app.app_context(), database.db.connection_context():
        exchange(peer, data_dir, readable={"district"})  # the school's photo: not its to read
    pushed = [(path, body) for method, path, body in peer.sent if method == "PUT"]
    assert pushed == []
    for secret in secrets:
        assert all(secret.read_bytes() not in body for _m, _p, body in peer.sent)


def test_rogue_peer_cannot_read_files_by_path_from_the_endpoints(app, client, world):
    """The same forms against the real endpoints: a 404 in the one error shape, no file."""
    data_dir = app.config["DATA_DIR"]
    with app.app_context(), database.db.connection_context():
        secrets = _secrets(data_dir)
        for value in ("..", "secret_key"):  # rows as a forged sync would leave them
            Photo.create(
                id=uuid.uuid4().hex, partition=f"school:{world.school_id}", person_id=world.student,
                activity_id="x", sha256=value, media_type="image/png", size=1, device_ms=1,
                received_ms=1,
            )  # fmt: skip
    peer = _peer(app, client, "peer-rogue", world.school_id)

    def signed(method: str, path: str, body: bytes = b""):
        """Signed over the path as the node decodes it, so only the digest check refuses."""
        peer.seq += 1
        payload = request_payload(method, unquote(path), peer.node_id, peer.seq, body)
        headers = {HEADER_NODE: peer.node_id, HEADER_SEQ: str(peer.seq),
                   HEADER_SIGNATURE: peer.key.sign(payload)}  # fmt: skip
        return client.open(path, method=method, data=body, headers=headers)

    for form in ["%2e%2e", "..", "secret_key", "%2e%2e%2fsecret_key", "%2Fetc%2Fpasswd", "A" * 64]:
        for caller, path in [
            (signed, f"/api/v1/sync/photos/{form}"),
            (lambda m, p: client.open(p, method=m), f"/api/v1/assets/{form}"),
        ]:
            reply = caller("GET", path)
            assert reply.status_code == 404, (path, reply.status_code)
            assert all(s.read_bytes() not in reply.data for s in secrets)
        put_reply = signed("PUT", f"/api/v1/sync/photos/{form}", b"\x89PNG\r\n\x1a\n" + b"0" * 40)
        assert put_reply.status_code == 404
    assert peer.call("GET", MISSING_PATH).get_json() == {"sha256": []}  # forged rows left out


def test_rogue_rows_cannot_make_a_node_fetch_to_a_path(app, tmp_path, world):
    """Forged asset and photo rows name paths: the fetchers refuse before any request."""
    data_dir = app.config["DATA_DIR"]
    target = tmp_path / "planted"
    with app.app_context(), database.db.connection_context():
        Asset.create(
            id=str(target), partition="district", pack_id="p", media_type="image/png", size=1
        )
        Photo.create(
            id=uuid.uuid4().hex, partition=f"school:{world.school_id}", person_id=world.student,
            activity_id="x", sha256=str(target), media_type="image/png", size=1, device_ms=1,
            received_ms=1,
        )  # fmt: skip
        assert str(target) not in replication_blobs.missing_blobs(data_dir)
        peer = ScriptedPeer([])
        exchange(peer, data_dir)
    assert [path for method, path, _ in peer.sent if method == "GET"] == [MISSING_PATH]
    for value in [str(target), "../planted", "%2e%2e"]:
        with pytest.raises(NotADigest):
            replication_blobs.fetch_blob("http://127.0.0.1:9", value, data_dir)
        with pytest.raises(NotADigest):
            ScriptedPeer([]).fetch(value, data_dir)
    assert not target.exists() and not list(tmp_path.glob(".*part"))


def test_photo_cannot_link_another_students_reflection(app, api, world):
    """A photo named another student's reflection and showed its text in the uploader's plan."""
    activity = project_activity(app)
    other = api(world.tokens["other_student"])
    secret = "my private worry about home"
    for path, body in [
        ("/api/v1/reflections", {"id": "ref-theirs", "activity_id": activity, "confidence": 2,
                                 "text": secret, "device_ms": 3}),
        ("/api/v1/attempts", {"id": "att-theirs", "activity_id": activity, "started_ms": 1,
                              "ended_ms": 2, "completed": True}),
    ]:  # fmt: skip
        assert other.post(path, json=body).status_code == 201, other.post(path, json=body).data
    student = api(world.tokens["student"])
    data = png(7, 7, shade=77)
    for link in [
        {"reflection_id": "ref-theirs"},
        {"attempt_id": "att-theirs"},
    ]:
        reply = put(student, uuid.uuid4().hex, data, activity, **link)
        assert reply.status_code == 422, reply.get_json()
        assert set(reply.get_json()) == {"error"}
    assert rows(app) == [] and not has_blob(app.config["DATA_DIR"], digest(data))
    own = put(student, uuid.uuid4().hex, data, activity, attempt_id="att-not-sent-yet")
    assert own.status_code == 201  # the device sends the attempt after the photo

    # A forged link that arrives by sync shows nothing of the other student's text.
    with app.app_context(), database.db.connection_context():
        Photo.update(reflection_id="ref-theirs").where(Photo.id == own.get_json()["id"]).execute()
        assert Reflection.get_by_id("ref-theirs").text == secret
        work = project_work(Person.get_by_id(world.student))
    assert [w["text"] for w in work] == [""]
