"""Schemas of the content library: pack imports from the browser, a school's own activities."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from ...interop import pack_format
from .common import LANGUAGE, Id, Int, Text


class PackImportQuery(Schema):
    """``name`` is the uploaded file's name, for the report."""

    class Meta:
        unknown = EXCLUDE

    name = Text(200, 1, load_default="pack.zip")


class PackCountsSchema(Schema):
    """Rows a pack import created, updated, deleted, left unchanged, and kept for assignments."""

    created = fields.Integer()
    updated = fields.Integer()
    deleted = fields.Integer()
    unchanged = fields.Integer()
    kept = fields.Integer()


class PackReportSchema(Schema):
    """The validator's report: every problem, or what the import did."""

    message = fields.String()
    problems = fields.List(fields.String())
    pack_id = fields.String()
    version = fields.String()
    previous_version = fields.String(allow_none=True)
    title = fields.Dict(keys=fields.String(), values=fields.String())
    activities = fields.Integer()
    skills = fields.Integer()
    counts = fields.Nested(PackCountsSchema)


class PackImportSchema(Schema):
    """A pack import: its state (validating, importing, done, failed), stage and report."""

    id = fields.String()
    name = fields.String()
    bytes = fields.Integer()
    state = fields.String()
    stage = fields.String()
    done = fields.Integer()
    total = fields.Integer()
    started_ms = fields.Integer()
    report = fields.Nested(PackReportSchema, allow_none=True)


class AuthoredImageSchema(Schema):
    """A picture kept for the school's own activities, named by its digest."""

    sha256 = fields.String()
    media_type = fields.String()
    size = fields.Integer()


class AuthoredItemSchema(pack_format.ItemSchema):
    """A question of a school's own activity: the pack format's item, numbered by position."""

    class Meta:
        exclude = ("id",)

    prompt = Text(2000, 1, required=True)

    @validates_schema
    def _fits_its_type(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("type") != "choice" and data.get("choices"):
            raise ValidationError("Only a choice item has choices.", "choices")


class AuthoredActivitySchema(Schema):
    """A reading (text, a picture, questions after it if any) or a quiz, tied to one skill."""

    kind = fields.String(required=True, validate=validate.OneOf(("reading", "quiz")))
    title = Text(300, 1, required=True)
    language = fields.String(required=True, validate=LANGUAGE)
    skill_id = Id(required=True)
    text = Text(20_000, load_default="")
    image = fields.String(load_default=None, validate=pack_format.SHA256)
    difficulty = Int(1, 5, load_default=2)
    minutes = Int(1, 120, load_default=10)
    items = fields.List(
        fields.Nested(AuthoredItemSchema), load_default=list, validate=validate.Length(max=50)
    )


class AuthoredEditItemSchema(AuthoredItemSchema):
    """A question of an edited activity: ``id`` names the question it was (none: a new one)."""

    class Meta:
        exclude = ()

    id = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 100))


class AuthoredActivityEditSchema(AuthoredActivitySchema):
    """The whole new version of a school's own activity, its questions in their new order."""

    items = fields.List(
        fields.Nested(AuthoredEditItemSchema), load_default=list, validate=validate.Length(max=50)
    )
