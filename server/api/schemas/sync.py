"""Schemas of pairing, peers and sync status."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .common import Id, Text


class PairRequestSchema(Schema):
    """A node asking to join with a pairing code."""

    code = Text(20, 4, required=True)
    node_id = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{8,32}$"))
    public_key = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    proof = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    role = fields.String(load_default="node", validate=validate.OneOf(("node", "hub")))
    url = fields.Url(load_default=None, allow_none=True, require_tld=False)
    school_id = Id(load_default=None, allow_none=True)


class PairReplySchema(Schema):
    """This node's identity, proven with the same code."""

    node_id = fields.String()
    public_key = fields.String()
    school_id = fields.String()
    role = fields.String()
    proof = fields.String()


class PairingCodeRequestSchema(Schema):
    """What the node a code pairs may author here, besides students' work (always)."""

    grants = fields.List(
        fields.String(validate=validate.OneOf(("events", "accounts"))),
        load_default=list,
        validate=validate.Length(max=2),
        metadata={"description": "accounts: people, roles, passwords and classes too"},
    )


class PairingCodeSchema(Schema):
    """A one-time pairing code to show on screen."""

    code = fields.String()
    expires_at = fields.DateTime()
    grants = fields.List(fields.String())


class PeerSchema(Schema):
    """A paired peer and the truth about its last syncs."""

    id = fields.Integer()
    node_id = fields.String()
    role = fields.String()
    url = fields.String(allow_none=True)
    school_id = fields.String(allow_none=True)
    revoked = fields.Boolean()
    grants = fields.List(
        fields.String(), metadata={"description": "What it may author here (its pairing's)"}
    )
    last_attempt_at = fields.DateTime(allow_none=True)
    last_success_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    last_outcome = fields.String(
        metadata={
            "description": "The last sync with it, whoever started it: never, running, ok, "
            "incomplete (files still to move), failed, or interrupted (no end was heard)"
        }
    )
    last_pulled = fields.Integer()
    last_pushed = fields.Integer()
    clock_offset_ms = fields.Integer()
    version = fields.String(
        allow_none=True,
        metadata={
            "description": "The software version its last signed hello claimed (its word); "
            "null: it said none (a node from before versions were said)"
        },
    )
    pending_out = fields.Integer(
        metadata={
            "description": "Versions it lacked at the last sync that we hold now (upper bound)"
        }
    )
    pending_in = fields.Integer(
        metadata={"description": "Versions it held at the last sync that we lack (upper bound)"}
    )
    running = fields.Nested(
        "SyncProgressSchema",
        allow_none=True,
        metadata={"description": "The sync with it running now, or null"},
    )


class SyncProgressSchema(Schema):
    """How far a running sync has got: the stage, and rows (files for content) done of total."""

    direction = fields.String(metadata={"description": "hello, pull, push or content"})
    rows_done = fields.Integer()
    rows_total = fields.Integer(metadata={"description": "An upper bound while it runs"})
    pulled = fields.Integer()
    pushed = fields.Integer()
    started_at = fields.DateTime()


class SyncRunSchema(Schema):
    """What one sync session did."""

    peer_node_id = fields.String()
    pulled = fields.Integer()
    pushed = fields.Integer()
    seconds = fields.Float()
    refused = fields.List(
        fields.String(), metadata={"description": "Rows refused, both ways, and why"}
    )
    outcome = fields.String(
        metadata={"description": "ok, or incomplete: rows in, files_missing files still to move"}
    )
    id_conflicts = fields.Integer(
        metadata={"description": "Pulled events whose id we held with another content"}
    )
    files_missing = fields.Integer(
        metadata={"description": "Content files and photos still to move; the next sync resumes"}
    )


class PeerAddSchema(Schema):
    """Pair with a node by its address, for when multicast is blocked."""

    url = fields.Url(required=True, require_tld=False, schemes={"http", "https"})
    code = Text(20, 4, required=True)


class NearbySchema(Schema):
    """A node seen on the LAN by discovery."""

    node_id = fields.String()
    school_id = fields.String()
    role = fields.String()
    url = fields.String()
    alive = fields.Boolean()
    paired = fields.Boolean()
