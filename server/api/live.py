"""The live class view a teacher keeps open: cheap to poll every few seconds."""

from __future__ import annotations

from flask import Blueprint, g

from ..auth.access import STAFF
from ..services import live, schools
from .contract import endpoint
from .schemas.live import LiveClassSchema

bp = Blueprint("live", __name__, url_prefix="/api/v1")


@bp.get("/classes/<classroom_id>/live")
@endpoint(
    STAFF,
    "Who in the class is working on what now, and who needs help (with the reason)",
    response=LiveClassSchema,
)
def get_live(classroom_id):
    return live.live_view(schools.get_class(g.user, classroom_id, manage=True))
