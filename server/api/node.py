"""This node, and the API's own description."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from ..auth.access import PUBLIC, STAFF
from ..db import is_sqlite
from ..node import identity
from ..replication import peers
from ..version import __version__
from .contract import endpoint
from .openapi import build_spec
from .schemas.node import NodeSchema

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
    return {
        "node_id": row.node_id,
        "school_id": row.school_id,
        "version": __version__,
        "database": "sqlite" if is_sqlite() else "postgresql",
        "counter": row.counter,
        "id_conflicts": peers.id_conflicts(current_app.config["ROLE"]),
    }
