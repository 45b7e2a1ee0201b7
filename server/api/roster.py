"""Roster imports: a simple CSV or a OneRoster 1.1 bundle into the admin's school."""

from __future__ import annotations

from flask import Blueprint, g, request

from ..auth.access import ADMIN
from ..interop.roster import MAX_ROSTER_BYTES
from ..services import roster
from .contract import endpoint
from .schemas.roster import RosterQuery, RosterResultSchema

bp = Blueprint("roster", __name__, url_prefix="/api/v1")


@bp.post("/roster/imports")
@endpoint(
    ADMIN,
    "Import a roster (a simple CSV, or a zipped OneRoster 1.1 CSV bundle); "
    "dry_run previews it. Any bad row: 422 with every problem in details.problems, "
    "nothing imported",
    query=RosterQuery,
    raw_body="application/octet-stream",
    response=RosterResultSchema,
    errors=(413,),
)
def import_roster(query):
    request.max_content_length = MAX_ROSTER_BYTES  # larger: 413 before reading it
    data = request.get_data(cache=False)
    parsed = roster.read_upload(data, query["name"])
    return roster.import_roster(g.user.school_id, parsed, query["dry_run"])
