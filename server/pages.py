"""Pages outside the API: the start page, /healthz and the client apps' files."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, jsonify, render_template, send_from_directory
from peewee import PeeweeException

from .db import db, is_sqlite
from .models import Classroom, School
from .paths import CLIENT_DIR
from .services import node
from .version import __version__

bp = Blueprint("pages", __name__)


@bp.get("/")
def start():
    """The start page: which school this is, its classes, where to go next."""
    info = node.node_info()
    school = School.get_or_none(School.id == info.school_id) if info and info.school_id else None
    classes = list(Classroom.live().order_by(Classroom.name))
    return render_template("start.html", school=school, classes=classes, version=__version__)


@bp.get("/healthz")
def healthz():
    """Liveness and identity: database reachable, version, node id, uptime."""
    try:
        db.execute_sql("SELECT 1").fetchone()
        info = node.node_info()
        database, status, code = ("sqlite" if is_sqlite() else "postgresql"), "ok", 200
    except PeeweeException as exc:
        info, database, status, code = None, f"error: {exc}", "degraded", 503
    body = {
        "status": status,
        "database": database,
        "version": __version__,
        "node_id": info.node_id if info else None,
        "uptime_s": round(time.monotonic() - current_app.extensions["baobab.started"], 3),
    }
    return jsonify(body), code


@bp.get("/student")
@bp.get("/student/")
@bp.get("/student/<path:_route>")
def student_app(_route: str = ""):
    """The student app's one page; its routes live after the '#', so any path serves it."""
    response = send_from_directory(CLIENT_DIR / "student", "index.html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
def service_worker():
    """The student app's service worker, served at the root so its scope covers the
    app, its modules under /client, the vendored files under /static and the API."""
    response = send_from_directory(
        CLIENT_DIR / "student", "sw.js", mimetype="text/javascript", max_age=0
    )
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/client/<path:filename>")
def client_file(filename: str):
    """Files of the client web apps (ES modules, no build step)."""
    return send_from_directory(CLIENT_DIR, filename)
