"""The district on the hub: schools, enrolled nodes, the dashboard, the audit log.

District admins (admins of the hub's ``DISTRICT_SCHOOL``) see every school; a
school's admins see their own school only (server.services.district).
"""

from __future__ import annotations

from flask import Blueprint, current_app, g

from ..auth.access import ADMIN
from ..services import district
from .contract import endpoint, paginate
from .schemas.district import (
    AuditEntrySchema,
    DashboardQuery,
    DashboardSchema,
    DistrictNodeSchema,
    DistrictSchoolSchema,
    EnrolmentCodeSchema,
)

bp = Blueprint("district", __name__, url_prefix="/api/v1/district")


def _office() -> str:
    return current_app.config["DISTRICT_SCHOOL"]


@bp.get("/dashboard")
@endpoint(
    ADMIN,
    "The district dashboard: the district, a school (?school=) or a class (?class=)",
    query=DashboardQuery,
    response=DashboardSchema,
    errors=(404,),
)
def dashboard(query):
    return district.dashboard(
        g.user, _office(), query["school"], query["classroom"], days=query["days"]
    )


@bp.get("/schools")
@endpoint(ADMIN, "Schools the hub holds", response=DistrictSchoolSchema, many=True)
def schools():
    return district.list_schools(g.user, _office())


@bp.get("/nodes")
@endpoint(
    ADMIN,
    "Nodes enrolled at the hub, with their sync health",
    response=DistrictNodeSchema,
    many=True,
)
def nodes():
    return district.list_nodes(g.user, _office(), current_app.config["DATA_DIR"])


@bp.post("/nodes/<int:peer_id>/revoke")
@endpoint(
    ADMIN,
    "Revoke an enrolled node: its next request is refused",
    response=DistrictNodeSchema,
    errors=(404,),
)
def revoke_node(peer_id):
    peer = district.revoke_node(g.user, _office(), peer_id)
    nodes = district.list_nodes(g.user, _office(), current_app.config["DATA_DIR"])
    return next(n for n in nodes if n["id"] == peer.id)


@bp.get("/enrolment-codes")
@endpoint(ADMIN, "Enrolment codes still open", response=EnrolmentCodeSchema, many=True)
def enrolment_codes():
    return district.enrolment_codes(g.user, _office())


@bp.post("/enrolment-codes")
@endpoint(
    ADMIN,
    "A one-time enrolment code (15 minutes) for a node of any school",
    response=EnrolmentCodeSchema,
    status=201,
)
def new_enrolment_code():
    return {**district.new_enrolment_code(g.user, _office()), "school_id": "*"}


@bp.get("/audit")
@endpoint(
    ADMIN,
    "The audit log: exports and views of a child's record",
    response=AuditEntrySchema,
    paginated=True,
)
def audit(query):
    return paginate(
        district.audit_entries(g.user, _office()), query, current_app.config["PAGE_SIZE"]
    )
