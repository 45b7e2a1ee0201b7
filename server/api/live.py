"""The live class view a teacher keeps open: cheap to poll every few seconds."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g

from sync.hlc import wall_ms

from ..auth.access import STAFF
from ..models import Answer, Attempt
from ..services import live, schools
from ..services.class_memo import ClassMemo
from .contract import _schema, endpoint
from .schemas.live import LiveClassSchema

bp = Blueprint("live", __name__, url_prefix="/api/v1")

# Made again as soon as an answer or attempt is added anywhere; otherwise kept this
# long (idle minutes, names): five teachers polling the same class share one view.
KEPT_MS = 5_000
_memo = ClassMemo((Answer, Attempt), KEPT_MS)


@bp.get("/classes/<classroom_id>/live")
@endpoint(
    STAFF,
    "Who in the class is working on what now, and who needs help (with the reason)",
    response=LiveClassSchema,
)
def get_live(classroom_id):
    classroom = schools.get_class(g.user, classroom_id, manage=True)
    now = wall_ms()

    def make() -> bytes:
        view = live.live_view(classroom, now)
        return current_app.json.dumps(_schema(LiveClassSchema).dump(view)).encode()

    body = _memo.get(classroom.id, (), now, make)
    return Response(body, mimetype="application/json", headers={"Cache-Control": "no-store"})
