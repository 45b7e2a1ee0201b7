"""Schemas of the photo endpoints (students' photos of project work)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from sync.ids import ID_PATTERN

from .common import MS


class PhotoQuery(Schema):
    """What a photo goes with; query values arrive as text, so integers are not strict."""

    activity_id = fields.String(required=True, validate=validate.Regexp(ID_PATTERN))
    attempt_id = fields.String(load_default=None, validate=validate.Regexp(ID_PATTERN))
    reflection_id = fields.String(load_default=None, validate=validate.Regexp(ID_PATTERN))
    device_ms = fields.Integer(required=True, validate=validate.Range(0, MS))


class UnclaimedPhotoQuery(PhotoQuery):
    """A photo taken under a sign-in the node never checked: the sitting and the name used."""

    batch = fields.String(required=True, validate=validate.Length(1, 100))
    named_id = fields.String(required=True, validate=validate.Regexp(ID_PATTERN))
    made_ms = fields.Integer(required=True, validate=validate.Range(0, MS))


class PhotoListQuery(Schema):
    """Filter a student's photos by activity."""

    activity_id = fields.String(load_default=None, validate=validate.Regexp(ID_PATTERN))


class PhotoSchema(Schema):
    """A photo's details; its picture is at ``image_url``."""

    id = fields.String()
    person_id = fields.String()
    activity_id = fields.String()
    attempt_id = fields.String(allow_none=True)
    reflection_id = fields.String(allow_none=True)
    sha256 = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    device_ms = fields.Integer()
    received_ms = fields.Integer()
    image_url = fields.Function(lambda p: f"/api/v1/photos/{p.id}/image")
    duplicate = fields.Boolean(dump_default=False)


class PhotoDigestsSchema(Schema):
    """Digests of photos whose bytes a node lacks."""

    sha256 = fields.List(fields.String(), required=True)
