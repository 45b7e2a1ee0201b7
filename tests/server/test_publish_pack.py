"""Publishing a content pack on the hub through the admin API; refusals change nothing."""

from __future__ import annotations

import io
import zipfile

import pytest

from server import db as database
from server.auth import signin
from server.db.blobs import blob_path
from server.models import Activity, Asset, ContentPack
from tests.helpers.packs import NEW_DIGEST, NEW_PICTURE, first_picture_activity, pack_zip
from tests.helpers.schools import hill_school_admin

ZIP = {"content_type": "application/zip"}


@pytest.fixture
def hub(app, world):
    app.config["ROLE"] = "hub"
    app.config["DISTRICT_SCHOOL"] = world.school_id  # the demo school's admin: a district admin
    return app


def _district(app) -> tuple:
    with app.app_context(), database.db.connection_context():
        return (
            sorted((r.id, r.counter) for r in ContentPack.select()),
            Activity.select().count(),
            Asset.select().count(),
            blob_path(app.config["DATA_DIR"], NEW_DIGEST).exists(),
        )


def test_an_admin_publishes_a_pack_on_the_hub(hub, api, world):
    admin = api(world.tokens["admin"])
    response = admin.post("/api/v1/packs", data=pack_zip(), **ZIP)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["pack_id"] == "district-maths" and body["created"] > 40
    activity = admin.get(f"/api/v1/activities/{first_picture_activity()}")
    assert activity.status_code == 200
    assert activity.get_json()["body"]["image"] == NEW_DIGEST
    asset = admin.get(f"/api/v1/assets/{NEW_DIGEST}")
    assert asset.status_code == 200 and asset.get_data() == NEW_PICTURE
    with hub.app_context(), database.db.connection_context():
        assert {
            a.partition for a in Activity.select().where(Activity.pack_id == "district-maths")
        } == {"district"}
    again = admin.post("/api/v1/packs", data=pack_zip(), **ZIP)  # publishing twice: no change
    counts = again.get_json()
    assert (counts["created"], counts["updated"], counts["deleted"]) == (0, 0, 0)
    assert counts["unchanged"] == body["created"] + body["unchanged"]


def _damaged() -> bytes:
    data = bytearray(pack_zip())
    middle = data.index(b"manifest.json") + 200  # inside the compressed manifest
    data[middle : middle + 40] = bytes(40)
    return bytes(data)


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", "{}")
        archive.writestr("assets/zeros.bin", bytes(3_000_000))  # ~3 KB packed
    return out.getvalue()


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("teacher", 403),
        ("not a zip", 422),
        ("damaged zip", 422),
        ("invalid manifest", 422),
        ("too large", 413),
        ("unpacks too large", 413),
        ("on a node", 403),
    ],
)
def test_refused_packs_change_nothing(hub, api, world, case, status):
    before = _district(hub)
    token, data = world.tokens["admin"], pack_zip()
    if case == "teacher":
        token = world.tokens["teacher"]
    elif case == "not a zip":
        data = b"this is not a zip file at all"
    elif case == "damaged zip":
        data = _damaged()
    elif case == "invalid manifest":
        data = pack_zip(manifest_edit=lambda m: m["activities"][0].update(difficulty="hard"))
    elif case == "too large":
        hub.config["PACK_MAX_BYTES"] = len(data) - 1
    elif case == "unpacks too large":
        hub.config["PACK_MAX_BYTES"] = 1_000_000
        data = _bomb()
    elif case == "on a node":
        hub.config["ROLE"] = "node"
    response = api(token).post("/api/v1/packs", data=data, **ZIP)
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert set(error) >= {"status", "code", "message"} and error["status"] == status
    if case == "invalid manifest":
        assert any("difficulty" in d for d in error["details"])
    assert _district(hub) == before


def test_school_admin_cannot_publish_district_pack(hub, api, world):
    with hub.app_context(), database.db.connection_context():
        other_admin = signin.issue_token(hill_school_admin(hub), "tests")
    before = _district(hub)
    refused = api(other_admin).post("/api/v1/packs", data=pack_zip(), **ZIP)
    assert refused.status_code == 403 and set(refused.get_json()) == {"error"}
    hub.config["DISTRICT_SCHOOL"] = ""  # no district office named: nobody publishes
    again = api(world.tokens["admin"]).post("/api/v1/packs", data=pack_zip(), **ZIP)
    assert again.status_code == 403
    assert _district(hub) == before
