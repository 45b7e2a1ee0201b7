"""Sync over HTTP: signed wire messages from paired nodes, pairing, peers and their status."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from sync import wire
from sync.engine import BadChunk, PartitionRefused
from sync.errors import ClockSkewError, SyncError

from ..auth.access import ADMIN, PUBLIC, STAFF
from ..db import bulk_checkpoints
from ..errors import Conflict, Forbidden, InvalidInput
from ..node.gate import stepped_out
from ..replication import peers
from ..replication.discovery import nearby_path, shared_sightings
from .contract import endpoint
from .schemas.sync import (
    NearbySchema,
    PairingCodeRequestSchema,
    PairingCodeSchema,
    PairReplySchema,
    PairRequestSchema,
    PeerAddSchema,
    PeerSchema,
    SyncRunSchema,
)

bp = Blueprint("sync", __name__, url_prefix="/api/v1")


def sender_before_body(limit: int) -> None:
    """Refuse a signed request by its headers, before its body is read into memory.

    The declared length must be within ``limit`` and the sender a paired node
    with a fresh sequence number (`peers.check_sender`); the signature, which
    covers the body, is checked once the body is read (at most ``limit`` bytes).
    """
    peers.check_sender(request.headers)  # who is asking comes first: 401/403/409
    length = request.content_length
    if length is None:
        raise InvalidInput("Send a Content-Length with a signed request.")
    if length > limit:
        raise RequestEntityTooLarge()


@bp.post("/sync")
@endpoint(
    PUBLIC,
    "One sync message from a paired node, signed with its key (wire format)",
    raw_body=wire.MEDIA_TYPE,
    raw_response=wire.MEDIA_TYPE,
    errors=(401, 403, 409, 413),
)
def sync_message():
    limit = current_app.config["SYNC_MAX_BODY_BYTES"]
    sender_before_body(limit)
    request.max_content_length = limit
    body = request.get_data(cache=False)
    with bulk_checkpoints():  # the replay check's commit would checkpoint a sync's WAL
        peer = peers.authenticate(request.method, request.path, request.headers, body)
    if request.mimetype != wire.MEDIA_TYPE:
        raise InvalidInput(f"Send {wire.MEDIA_TYPE}.")
    try:
        reply = peers.serve(peer, body, current_app.config["ROLE"], current_app.config["DATA_DIR"])
    except PartitionRefused as exc:
        raise Forbidden(str(exc)) from None
    except ClockSkewError as exc:
        raise Conflict(str(exc)) from None
    except (BadChunk, wire.WireError) as exc:
        raise InvalidInput(str(exc)) from None
    except SyncError as exc:
        raise InvalidInput(str(exc)) from None
    return Response(reply, mimetype=wire.MEDIA_TYPE)


@bp.post("/sync/outcome")
@endpoint(
    PUBLIC,
    "How a sync a paired node started with this one ended, so both say the same (signed)",
    raw_body="application/json",
    errors=(401, 403, 409, 413),
)
def sync_outcome():
    sender_before_body(peers.MAX_SAID * 8)
    request.max_content_length = peers.MAX_SAID * 8
    body = request.get_data(cache=False)
    peer = peers.authenticate(request.method, request.path, request.headers, body)
    peers.record_outcome(peer, body)
    return Response(status=204)


@bp.post("/sync/pair")
@endpoint(
    PUBLIC,
    "Join this node's school with a one-time pairing code",
    body=PairRequestSchema,
    response=PairReplySchema,
    errors=(401, 409, 429),
)
def pair(body):
    throttle = current_app.extensions["baobab.throttle"]
    key = f"pair:{request.remote_addr}"
    throttle.check(key)
    try:
        return peers.accept_pairing(
            body, current_app.config["DATA_DIR"], current_app.config["ROLE"]
        )
    except Exception:
        throttle.fail(key)
        raise


@bp.post("/sync/pairing-codes")
@endpoint(
    ADMIN,
    "Show a one-time code that lets another node join this school, with what it may author",
    body=PairingCodeRequestSchema,
    response=PairingCodeSchema,
    status=201,
)
def create_pairing_code(body):
    grants = body.get("grants") or []
    code, expires = peers.create_pairing_code(g.user.school_id, g.user.id, grants)
    return {"code": code, "expires_at": expires, "grants": peers.grants_text(grants).split(",")}


@bp.get("/sync/peers")
@endpoint(
    STAFF, "Paired peers and the truth about their last syncs", response=PeerSchema, many=True
)
def list_peers():
    config = current_app.config
    return [peers.peer_status(p, config["DATA_DIR"], config["ROLE"]) for p in peers.list_peers()]


@bp.post("/sync/peers")
@endpoint(
    ADMIN,
    "Pair with a node by address and the code it shows (when multicast is blocked)",
    body=PeerAddSchema,
    response=PeerSchema,
    status=201,
    errors=(409,),
)
def add_peer(body):
    config = current_app.config
    my_url = peers.own_url(config["HOST"], config["PORT"], body["url"])
    try:
        with stepped_out():  # waits for the other node: the class's requests run meanwhile
            return peers.pair_with(body["url"], body["code"], config["DATA_DIR"], my_url=my_url)
    except SyncError as exc:
        raise Conflict(f"Pairing failed: {exc}") from None


@bp.get("/sync/nearby")
@endpoint(
    STAFF,
    "Nodes discovery sees on the LAN, alive by our own check",
    response=NearbySchema,
    many=True,
)
def nearby():
    # Discovery runs in the node's first process; any process may answer this.
    seen = shared_sightings(nearby_path(current_app.config["DATA_DIR"]))
    paired = {p.node_id for p in peers.list_peers() if not p.revoked}
    return [{**vars(s), "paired": s.node_id in paired} for s in seen]


@bp.post("/sync/peers/<int:peer_id>/sync")
@endpoint(STAFF, "Sync with a peer now", response=SyncRunSchema, errors=(409, 422))
def sync_now(peer_id):
    peer = peers.find_peer(peer_id=peer_id)
    try:
        with stepped_out():  # waits for the other node: the class's requests run meanwhile
            result = peers.sync_with(
                peer, current_app.config["DATA_DIR"], role=current_app.config["ROLE"]
            )
    except SyncError as exc:
        raise Conflict(f"The sync failed: {exc}") from None
    return {
        "peer_node_id": result.peer_node_id,
        "pulled": result.pulled.rows,
        "pushed": result.pushed_rows,
        "seconds": result.seconds,
        "refused": result.refused,
        "outcome": "incomplete" if result.files_missing else "ok",
        "files_missing": result.files_missing,
        "id_conflicts": result.pulled.id_conflicts,
    }


@bp.delete("/sync/peers/<int:peer_id>")
@endpoint(ADMIN, "Revoke a peer: it gets 403 from now on")
def revoke_peer(peer_id):
    peers.revoke(peer_id)
