"""Schemas of content: packs, skills, activities and their items."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...models.content import ACTIVITY_KINDS
from .common import LANGUAGE, Id


class PackSchema(Schema):
    """An imported content pack."""

    id = fields.String()
    version = fields.String()
    title = fields.Dict(keys=fields.String(), values=fields.String())
    description = fields.Dict(keys=fields.String(), values=fields.String())
    license = fields.String()
    languages = fields.List(fields.String())


class PublishedPackSchema(Schema):
    """What publishing a pack did: rows created, updated, deleted and unchanged, and the
    rows a new version dropped but kept because an assignment names their activity."""

    pack_id = fields.String()
    created = fields.Integer()
    updated = fields.Integer()
    deleted = fields.Integer()
    unchanged = fields.Integer()
    kept = fields.Integer()


class SkillSchema(Schema):
    """A skill of the graph with its prerequisites."""

    id = fields.String()
    pack_id = fields.String()
    slug = fields.String()
    title = fields.Dict(keys=fields.String(), values=fields.String())
    description = fields.Dict(keys=fields.String(), values=fields.String())
    standard = fields.String()
    case_uri = fields.String(allow_none=True)
    prerequisites = fields.List(fields.String())


class ActivitySchema(Schema):
    """An activity, without its items."""

    id = fields.String()
    pack_id = fields.String()
    kind = fields.String()
    language = fields.String()
    title = fields.String()
    difficulty = fields.Integer()
    minutes = fields.Integer()
    modality = fields.String()
    interests = fields.List(fields.String())
    culture = fields.List(fields.String())
    skills = fields.List(fields.String())


class ItemSchema(Schema):
    """An item; ``answer`` is shown to staff only."""

    id = fields.String()
    position = fields.Integer()
    type = fields.String()
    prompt = fields.String()
    choices = fields.List(fields.String(), allow_none=True)
    hints = fields.List(fields.String())
    answer = fields.Raw(allow_none=True)
    tolerance = fields.Float(allow_none=True)
    check = fields.Dict(allow_none=True)  # students: hashed keys to check offline


class ActivityDetailSchema(ActivitySchema):
    """An activity with its body and items."""

    body = fields.Dict()
    items = fields.List(fields.Nested(ItemSchema))


class ActivityQuery(Schema):
    """Filters of the activity list."""

    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    per_page = fields.Integer(load_default=None, validate=validate.Range(1, 500))
    skill_id = Id(load_default=None)
    language = fields.String(load_default=None, validate=LANGUAGE)
    kind = fields.String(load_default=None, validate=validate.OneOf(ACTIVITY_KINDS))
