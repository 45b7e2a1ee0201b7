"""Schemas of roster imports (server/api/roster.py)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from .common import Text


class RosterQuery(Schema):
    """How to import: ``dry_run`` only previews; ``name`` is the file's name, for the report."""

    class Meta:
        unknown = EXCLUDE

    dry_run = fields.Boolean(load_default=False)
    name = Text(200, 1, load_default="roster.csv")


class RosterProblemSchema(Schema):
    """One bad row of a roster: file, line (1 is the header; 0 the file), field, problem."""

    file = fields.String()
    line = fields.Integer()
    field = fields.String()
    problem = fields.String()


class RosterChangeSchema(Schema):
    """One change an import makes (or, in a preview, would make)."""

    what = fields.String(metadata={"description": "classes, students, teachers or enrollments"})
    action = fields.String(metadata={"description": "create, update, add or remove"})
    name = fields.String()
    was = fields.String(metadata={"description": "the name before, on an update"})
    classroom = fields.String(metadata={"description": "the class, on an enrolment"})


class RosterResultSchema(Schema):
    """What an import changed, or a preview would change (nothing changes with problems)."""

    kind = fields.String(metadata={"description": "csv or oneroster"})
    dry_run = fields.Boolean()
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.Integer()),
        metadata={"description": "per kind of row: create, update, unchanged, add, remove"},
    )
    changes = fields.List(fields.Nested(RosterChangeSchema))
    ignored = fields.Dict(keys=fields.String(), values=fields.Integer())
