"""The live class view a teacher keeps open: cheap to poll every few seconds."""

from __future__ import annotations

from flask import Blueprint, current_app, g

from sync.hlc import wall_ms

from ..auth.access import STAFF
from ..services import live, schools
from .contract import endpoint, kept_json
from .schemas.live import LiveClassSchema

bp = Blueprint("live", __name__, url_prefix="/api/v1")


def _live_json(view: dict) -> str:
    """The view as the response's text: its dict already has the schema's shape
    (``LiveClassSchema``; tests hold the two equal), so no marshmallow dump per poll."""
    return current_app.json.dumps(view)


@bp.get("/classes/<classroom_id>/live")
@endpoint(
    STAFF,
    "Who in the class is working on what now, and who needs help (with the reason); "
    "polled: send If-None-Match with the last ETag, 304 when nothing changed",
    response=LiveClassSchema,
)
def get_live(classroom_id):
    classroom = schools.get_class(g.user, classroom_id, manage=True)  # before any kept bytes
    body, tag = live.kept_view(classroom, wall_ms(), _live_json)
    return kept_json(body, tag)
