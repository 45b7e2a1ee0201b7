"""This node: identity, the device page's facts, backup and restore, first-run setup;
and the API's own description."""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, current_app, jsonify, request, send_file, session

from ..auth import sessions
from ..auth.access import ADMIN, PUBLIC, STAFF
from ..db import is_sqlite
from ..errors import Conflict
from ..models import School
from ..node import addresses, identity
from ..replication import backup, peers
from ..services import setup
from ..version import __version__
from .contract import endpoint
from .openapi import build_spec
from .schemas.node import (
    DeviceSchema,
    NodeSchema,
    RestoredSchema,
    RestoreQuery,
    SetupDoneSchema,
    SetupSchema,
    SetupStateSchema,
)

bp = Blueprint("node", __name__, url_prefix="/api/v1")


@bp.get("/openapi.json")
@endpoint(PUBLIC, "This document", raw_response="application/json")
def openapi():
    if "baobab.openapi" not in current_app.extensions:
        current_app.extensions["baobab.openapi"] = build_spec(current_app)
    return jsonify(current_app.extensions["baobab.openapi"])


@bp.get("/node")
@endpoint(STAFF, "This node's identity and state", response=NodeSchema)
def get_node():
    row = identity.node_info()
    school = School.get_or_none(School.id == row.school_id) if row.school_id else None
    return {
        "node_id": row.node_id,
        "school_id": row.school_id,
        "school_name": school.name if school is not None else None,
        "version": __version__,
        "database": "sqlite" if is_sqlite() else "postgresql",
        "counter": row.counter,
        "id_conflicts": peers.id_conflicts(current_app.config["ROLE"]),
    }


@bp.get("/node/device")
@endpoint(
    STAFF, "What the device page shows: student addresses, storage, version", response=DeviceSchema
)
def get_device():
    row = identity.node_info()
    config = current_app.config
    found = addresses.student_addresses(request.host, request.scheme, config)
    for address in found:
        address["qr"] = "/qr.svg?" + urlencode({"url": address["url"]})
    return {
        "node_id": row.node_id,
        "school_id": row.school_id,
        "version": __version__,
        "addresses": found,
        "trust_url": "/trust" if config.get("HTTPS_PORT") else None,
        "storage": addresses.storage(config["DATA_DIR"]),
    }


@bp.get("/node/backup")
@endpoint(
    ADMIN,
    "Download a backup of the whole device (.tar.gz): database, photos, content, keys, CA",
    raw_response="application/gzip",
    errors=(409,),
)
def download_backup():
    config = current_app.config
    if config["DATABASE_URL"]:
        raise Conflict("The hub is backed up with pg_dump.")
    folder = Path(tempfile.mkdtemp(dir=config["DATA_DIR"], prefix=".download-"))
    target = folder / "backup.tar.gz"
    try:
        manifest = backup.write_backup(config["DATA_DIR"], target)
        handle = open(target, "rb")  # noqa: SIM115 (closed with the response)
    finally:
        shutil.rmtree(folder)  # the open file lives on until the response is sent
    name = f"baobab-{manifest['node_id']}-{datetime.now(timezone.utc):%Y%m%d-%H%M}.tar.gz"
    return send_file(handle, mimetype="application/gzip", as_attachment=True, download_name=name)


@bp.get("/setup")
@endpoint(PUBLIC, "Whether this node waits for its first-run setup", response=SetupStateSchema)
def setup_state():
    return {"needed": setup.needed()}


@bp.post("/setup")
@endpoint(
    PUBLIC,
    "First-run setup with the code `baobab serve` printed: the school, its first admin "
    "and teacher; only while the node has no school and no admin. Signs the admin in",
    body=SetupSchema,
    response=SetupDoneSchema,
    status=201,
    errors=(403, 409),
)
def run_setup(body):
    made = setup.first_run(current_app.config["DATA_DIR"], body)
    admin = made["admin"]
    sessions.start(session, admin, request.scheme == "https", current_app.config["SESSION_DAYS"])
    return {**made, "csrf_token": session.get("csrf")}


@bp.post("/setup/restore")
@endpoint(
    PUBLIC,
    "Restore a backup into this new node (with the setup code): the node keeps its own new "
    "id, takes the backup's school, rows, files and CA; only while it has no school",
    query=RestoreQuery,
    raw_body="application/gzip",
    response=RestoredSchema,
    errors=(403, 409, 413),
)
def restore_backup(query):
    config = current_app.config
    setup.check_code(config["DATA_DIR"], query["code"])
    if config["DATABASE_URL"]:
        raise Conflict("The hub is restored with pg_restore.")
    request.max_content_length = config["BACKUP_MAX_BYTES"]  # larger: 413 before reading
    folder = Path(tempfile.mkdtemp(dir=config["DATA_DIR"], prefix=".upload-"))
    try:
        upload = folder / "backup.tar.gz"
        with open(upload, "wb") as out:
            shutil.copyfileobj(request.stream, out, 1 << 20)
        result = backup.restore_backup(upload, config["DATA_DIR"], config["ROLE"])
    finally:
        shutil.rmtree(folder)
    setup.use_code(config["DATA_DIR"])
    return result.as_dict()
