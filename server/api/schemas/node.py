"""Schemas of this node's endpoints: health and identity."""

from __future__ import annotations

from marshmallow import Schema, fields


class HealthSchema(Schema):
    """What /healthz says."""

    status = fields.String()
    database = fields.String()
    version = fields.String()
    node_id = fields.String(allow_none=True)
    uptime_s = fields.Float()


class NodeSchema(Schema):
    """This node's identity and counters."""

    node_id = fields.String()
    school_id = fields.String(allow_none=True)
    version = fields.String()
    database = fields.String()
    counter = fields.Integer()
    id_conflicts = fields.Integer(
        metadata={
            "description": "Answers and other events whose id came with two contents (a device "
            "posted it to two nodes): one kept everywhere, the other in history"
        }
    )
