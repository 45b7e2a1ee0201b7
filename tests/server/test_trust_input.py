"""What comes in from outside cannot run as a teacher, crash the node, or leak its files
(issue 11, findings 2, 12 and 13): pack pictures, bodies, headers, manifests, pages."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from server import create_app
from server import db as database
from server.cli import main, prepare
from server.errors import ContentPackError
from server.interop.pack_format import read_pack
from server.models import Asset, ContentPack, LocalNode, Peer, Person, Reflection
from server.node import identity
from server.paths import CLIENT_DIR, SAMPLE_PACK_DIR
from server.services.content import blob_path
from sync.auth import HEADER_NODE, HEADER_SEQ, HEADER_SIGNATURE, NodeKey, request_payload
from sync.ids import new_id
from tests.conftest import BASE_CONFIG
from tests.helpers.images import png
from tests.server.test_errors import assert_error
from tests.server.test_photos import project_activity, put

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">{}</svg>'


def _pack_with_picture(root: Path, picture: bytes) -> Path:
    """The sample pack as a directory, its first picture replaced by ``picture``."""
    shutil.copytree(SAMPLE_PACK_DIR / "assets", root / "assets")
    manifest = json.loads((SAMPLE_PACK_DIR / "manifest.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256(picture).hexdigest()
    path = f"assets/{digest}.svg"
    (root / path).write_bytes(picture)
    manifest["assets"].append(
        {"path": path, "sha256": digest, "media_type": "image/svg+xml", "bytes": len(picture)}
    )
    reading = next(a for a in manifest["activities"] if "image" in a.get("body", {}))
    reading["body"]["image"] = path
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


# ---------------------------------------------------------------- finding 2: pictures


@pytest.mark.parametrize(
    "body, why",
    [
        ("<script>fetch('/api/v1/sync/pairing-codes', {method: 'POST'})</script>", "<script>"),
        ('<rect width="4" height="4" onload="alert(1)"/>', "event handler"),
        ('<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">hi</p></foreignObject>',
         "<foreignObject>"),
        ('<image href="http://198.51.100.7/track.png"/>', "refers outside"),
        ('<use xlink:href="other.svg#sun"/>', "refers outside"),
        ('<a href="javascript:alert(1)"><circle r="2"/></a>', "refers outside"),
        ('<style>@import url(http://198.51.100.7/x.css);</style>', "@import"),
    ],
)  # fmt: skip
def test_pack_svg_with_script_is_refused(tmp_path, body, why):
    """A pack's SVG holding script passed validation and ran as the teacher who opened it."""
    picture = SVG.format(body).encode()
    with pytest.raises(ContentPackError) as refused:
        read_pack(_pack_with_picture(tmp_path / "pack", picture))
    assert refused.value.status == 422
    digest = hashlib.sha256(picture).hexdigest()
    named = [p for p in refused.value.details if f"assets/{digest}.svg" in p]
    assert named and why in named[0], refused.value.details


def test_plain_svg_pictures_still_pass(tmp_path):
    picture = SVG.format('<defs><linearGradient id="g"/></defs><rect fill="url(#g)"/>')
    assert read_pack(_pack_with_picture(tmp_path / "pack", picture.encode())).assets


def test_publishing_a_scripted_svg_is_422_naming_the_file(app, api, world):
    app.config["ROLE"] = "hub"
    app.config["DISTRICT_SCHOOL"] = world.school_id  # its admin publishes district content
    picture = SVG.format("<script>alert(1)</script>").encode()
    source = _pack_with_picture(Path(app.config["DATA_DIR"]) / "upload", picture)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for path in source.rglob("*"):
            archive.write(path, path.relative_to(source).as_posix())
    response = api(world.tokens["admin"]).post(
        "/api/v1/packs", data=out.getvalue(), content_type="application/zip"
    )
    error = assert_error(response, 422)
    assert any("<script>" in p and ".svg" in p for p in error["details"])


def test_asset_cannot_run_script(app, client):
    """An asset whose row and bytes came by sync (no pack validation) is a script-laden
    SVG said to be text/html: it is served as bytes, under a policy that runs nothing."""
    with app.app_context(), database.db.connection_context():
        asset = Asset.select().where(Asset.media_type == "image/svg+xml").first()
        Asset.update(media_type="text/html").where(Asset.id == asset.id).execute()
    blob_path(app.config["DATA_DIR"], asset.id).write_bytes(
        SVG.format("<script>alert(1)</script>").encode()
    )
    response = client.get(f"/api/v1/assets/{asset.id}")
    response.close()
    assert response.status_code == 200
    assert response.mimetype == "application/octet-stream"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy
    assert "script-src" not in policy  # no script source at all: default-src 'none'


def test_photos_cannot_run_script(api, world, app):
    """A student's photo is served like an asset: nosniff, and a policy that runs nothing."""
    student = api(world.tokens["student"])
    photo_id = new_id()
    reply = put(student, photo_id, png(), project_activity(app))
    assert reply.status_code == 201, reply.get_json()
    image = student.get(f"/api/v1/photos/{photo_id}/image")
    assert image.status_code == 200
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in image.headers["Content-Security-Policy"]


# ---------------------------------------------------------------- finding 12: 500s


def _counts(app) -> tuple[int, int]:
    with app.app_context(), database.db.connection_context():
        return Person.select().count(), Reflection.select().count()


def _reflection(text: str = "fine") -> str:
    return json.dumps(
        {"id": new_id(), "confidence": 3, "text": text, "device_ms": 1}, ensure_ascii=True
    )


@pytest.mark.parametrize("depth", [40, 1_000, 100_000])
def test_deeply_nested_json_is_422(app, api, world, depth):
    """A body nested 1,000 deep ended in a RecursionError: a 500."""
    before = _counts(app)
    nested = '{"a": ' * depth + "1" + "}" * depth
    body = _reflection().replace('"fine"', nested)
    student = api(world.tokens["student"])
    response = student.post("/api/v1/reflections", data=body, content_type="application/json")
    assert "nested" in assert_error(response, 422, "invalid")["message"]
    assert _counts(app) == before


@pytest.mark.parametrize("where", ["display name", "reflection"])
def test_lone_surrogate_is_422(app, api, world, where):
    """A lone surrogate ("\\ud800") parsed as text no database can store: a 500."""
    before = _counts(app)
    if where == "display name":
        caller = api(world.tokens["admin"])
        path = "/api/v1/people"
        body = '{"role": "student", "display_name": "Ana \\ud800"}'
    else:
        caller = api(world.tokens["student"])
        path = "/api/v1/reflections"
        body = _reflection("I liked it LONE").replace("LONE", "\\udfff")
    response = caller.post(path, data=body, content_type="application/json")
    assert "surrogate" in assert_error(response, 422, "invalid")["message"]
    assert _counts(app) == before


def test_huge_sync_sequence_is_4xx(app, client):
    """A paired node's sequence number of 10**30 overflowed the database column: a 500."""
    key = NodeKey.generate()
    with app.app_context(), database.db.connection_context():
        school_id = LocalNode.get().school_id
        Peer.create(node_id="peer-node-0001", public_key=key.public_hex(), school_id=school_id)

    def post(seq: int):
        headers = {
            HEADER_NODE: "peer-node-0001",
            HEADER_SEQ: str(seq),
            HEADER_SIGNATURE: key.sign(request_payload("POST", "/api/v1/sync", "peer-node-0001", seq, b"x")),
        }  # fmt: skip
        response = client.post("/api/v1/sync", data=b"x", headers=headers)
        response.close()
        return response

    assert_error(post(10**30), 422, "invalid")
    with app.app_context(), database.db.connection_context():
        assert Peer.get(Peer.node_id == "peer-node-0001").last_seq_in == 0
    assert post(1).status_code == 422  # signed and in sequence: on to the body (not wire)


def test_deep_manifest_is_422(app, api, world, tmp_path):
    """A manifest nested 100,000 deep ended in a RecursionError: a 500."""
    root = tmp_path / "deep"
    root.mkdir()
    (root / "manifest.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ContentPackError) as refused:
        read_pack(root)
    assert refused.value.status == 422 and "nested" in refused.value.details[0]
    app.config["ROLE"] = "hub"
    app.config["DISTRICT_SCHOOL"] = world.school_id  # its admin publishes district content
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(root / "manifest.json", "manifest.json")
    with app.app_context(), database.db.connection_context():
        packs = ContentPack.select().count()
    response = api(world.tokens["admin"]).post(
        "/api/v1/packs", data=out.getvalue(), content_type="application/zip"
    )
    assert any("nested" in p for p in assert_error(response, 422)["details"])
    with app.app_context(), database.db.connection_context():
        assert ContentPack.select().count() == packs


# ---------------------------------------------------------------- finding 13: pages, CLI, files


def _an_asset(app) -> str:
    with app.app_context(), database.db.connection_context():
        return Asset.select().first().id


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/student/",
        "/client/device/index.html",
        "/trust",
        "/healthz",
        "/api/v1/school",
        "/api/v1/no-such-thing",
        "/static/css/base.css",
        "asset",
    ],
)
def test_every_page_has_security_headers(app, client, path):
    """No page set a CSP, nosniff, a frame ban or a referrer policy."""
    if path == "asset":
        path = f"/api/v1/assets/{_an_asset(app)}"
    response = client.get(path)
    response.close()
    assert response.status_code < 500
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] in ("same-origin", "no-referrer")
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    scripts = [d for d in policy.split(";") if d.strip().startswith(("script-src", "default-src"))]
    assert scripts and not any("unsafe-inline" in d or "unsafe-eval" in d for d in scripts)


def test_pages_hold_no_inline_script_or_style():
    """The pages' policy forbids inline script and style: none may be left in them."""
    templates = Path(__file__).resolve().parents[2] / "server" / "templates"
    pages = [*templates.glob("*.html"), *CLIENT_DIR.glob("*/index.html")]
    assert len(pages) >= 5
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<style" not in text and " style=" not in text, page
        assert " onclick=" not in text and " onload=" not in text, page
        for tag in text.split("<script")[1:]:
            assert " src=" in tag.split(">")[0], f"{page}: an inline <script>"


def test_zip_bomb_refused_by_cli(tmp_path, monkeypatch):
    """`baobab import-content` read a 292 KB zip into 630 MB: no unpacked-size limit."""
    monkeypatch.setenv("BAOBAB_PACK_MAX_BYTES", str(1_000_000))
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(SAMPLE_PACK_DIR / "manifest.json", "manifest.json")
        archive.writestr("assets/zeros.bin", b"\0" * 5_000_000)
    assert bomb.stat().st_size < 100_000
    data = str(tmp_path / "node")
    result = CliRunner().invoke(main, ["import-content", "--data-dir", data, str(bomb)])
    database.close_all()
    assert result.exit_code == 1
    assert "over 1000000" in result.output and "not imported" in result.output


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_database_not_world_readable(tmp_path):
    """baobab.db, holding password hashes, was readable by every local user."""
    old = os.umask(0o022)  # a permissive umask, as on most systems
    try:
        data = tmp_path / "node"
        app = create_app({**BASE_CONFIG, "DATA_DIR": str(data)})
        prepare(app)
        with database.db.connection_context():
            database.db.execute_sql("CREATE TABLE t (x)")  # something in the WAL
            files = [data / "baobab.db", data / "baobab.db-wal", data / "baobab.db-shm"]
            files += [data / identity.SECRET_KEY_FILE, data / identity.NODE_KEY_FILE]
            identity.secret_key(str(data))
            identity.node_key(str(data))
            for path in files:
                assert path.exists(), path
                assert _mode(path) & 0o077 == 0, f"{path.name} is {oct(_mode(path))}"
        assert _mode(data) & 0o077 == 0
        database.close_all()
        # An older install's world-readable database is tightened when the node opens it.
        os.chmod(data / "baobab.db", 0o644)
        create_app({**BASE_CONFIG, "DATA_DIR": str(data)})
        assert _mode(data / "baobab.db") == 0o600
        database.close_all()
    finally:
        os.umask(old)
