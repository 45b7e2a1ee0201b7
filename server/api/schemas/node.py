"""Schemas of this node's endpoints: health and identity."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validates_schema

from .common import LANGUAGE, Text
from .school import ClassroomSchema, PersonSchema, SchoolSchema


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
    school_name = fields.String(allow_none=True)
    version = fields.String()
    database = fields.String()
    counter = fields.Integer()
    id_conflicts = fields.Integer(
        metadata={
            "description": "Answers and other events whose id came with two contents (a device "
            "posted it to two nodes): one kept everywhere, the other in history"
        }
    )


class SetupStateSchema(Schema):
    """Whether this node waits for its first-run setup."""

    needed = fields.Boolean(
        metadata={"description": "No school and no admin yet: the wizard (with the code) may run"}
    )


class AccountSchema(Schema):
    """A first staff account of the wizard."""

    display_name = Text(200, 1, required=True)
    username = Text(100, 1, required=True)
    password = Text(200, 8, required=True)


class SetupSchema(Schema):
    """The first-run wizard: the school, its first admin and teacher, the language."""

    code = Text(40, 1, required=True, metadata={"description": "Printed by `baobab serve`"})
    school_name = Text(200, 1, required=True)
    language = fields.String(load_default="en", validate=LANGUAGE)
    admin = fields.Nested(AccountSchema, required=True)
    teacher = fields.Nested(AccountSchema, required=True)
    class_name = Text(200, 1, load_default=None, allow_none=True)

    @validates_schema
    def _two_accounts(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["admin"]["username"] == data["teacher"]["username"]:
            raise ValidationError("The teacher needs a username of their own.", "teacher")


class SetupDoneSchema(Schema):
    """What the wizard made; the admin is signed in in this browser."""

    school = fields.Nested(SchoolSchema)
    admin = fields.Nested(PersonSchema)
    teacher = fields.Nested(PersonSchema)
    classroom = fields.Nested(ClassroomSchema, allow_none=True)
    csrf_token = fields.String()


class RestoreQuery(Schema):
    """The setup code that allows a restore onto a new node."""

    code = Text(40, 1, required=True)


class RestoredSchema(Schema):
    """What a restore did."""

    school_id = fields.String()
    old_node_id = fields.String(metadata={"description": "The backup's node, never reused"})
    node_id = fields.String(metadata={"description": "This node's own new id"})
    rows = fields.Integer()
    blobs = fields.Integer()
    tls = fields.Boolean(metadata={"description": "The CA came back: restart to serve it"})
    peers = fields.List(fields.String(), metadata={"description": "Pairings to make again"})


class AddressSchema(Schema):
    """An address students open, and its QR code."""

    url = fields.String()
    https = fields.Boolean()
    qr = fields.String(metadata={"description": "Path of the QR code's SVG"})


class StorageSchema(Schema):
    """Bytes this node keeps on disk, by kind."""

    database_bytes = fields.Integer()
    photos_bytes = fields.Integer()
    content_bytes = fields.Integer()
    free_bytes = fields.Integer(allow_none=True)


class DeviceSchema(Schema):
    """What the device page shows about this node."""

    node_id = fields.String()
    school_id = fields.String(allow_none=True)
    version = fields.String()
    addresses = fields.List(fields.Nested(AddressSchema))
    trust_url = fields.String(allow_none=True, metadata={"description": "Where tablets get the CA"})
    storage = fields.Nested(StorageSchema)
