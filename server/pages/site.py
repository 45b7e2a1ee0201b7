"""Pages outside the API: the start page, /healthz and the client apps' files."""

from __future__ import annotations

import hashlib
import os
import re
import time

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
)
from markupsafe import escape
from peewee import PeeweeException
from werkzeug.security import safe_join

from ..auth.access import SIGNED_IN
from ..db import db, is_sqlite
from ..errors import NotFound
from ..models import Classroom, School
from ..node import addresses, identity
from ..paths import CLIENT_DIR, STATIC_DIR
from ..services import learning
from ..version import __version__
from . import plan_print, words
from .compression import compressed
from .headers import PAGE_CSP
from .trust import https_url

bp = Blueprint("pages", __name__)


@bp.get("/")
def start():
    """The start page: which school this is, its classes, where to go next."""
    info = identity.node_info()
    school = School.get_or_none(School.id == info.school_id) if info and info.school_id else None
    classes = list(Classroom.live().order_by(Classroom.name))
    response = current_app.response_class(
        render_template(
            "start.html",
            school=school,
            classes=classes,
            version=__version__,
            t=words.for_request(request),  # its links' language, else the browser's
            languages=words.offered(),
        ),
        mimetype="text/html",
    )
    response.vary.add("Accept-Language")
    return response


@bp.get("/healthz")
def healthz():
    """Liveness and identity: database reachable, version, node id, uptime, and which
    serving process answered (a node may run several: server.node.workers)."""
    try:
        db.execute_sql("SELECT 1").fetchone()
        info = identity.node_info()
        database, status, code = ("sqlite" if is_sqlite() else "postgresql"), "ok", 200
    except PeeweeException as exc:
        info, database, status, code = None, f"error: {exc}", "degraded", 503
    body = {
        "status": status,
        "database": database,
        "version": __version__,
        "node_id": info.node_id if info else None,
        "uptime_s": round(time.monotonic() - current_app.extensions["baobab.started"], 3),
        "pid": os.getpid(),
    }
    return jsonify(body), code


#: An https address of this node as the page may name it (host name, IPv4 or [IPv6], port).
SAFE_URL = re.compile(
    r"https://[A-Za-z0-9.\-]+(:\d+)?/student/|https://\[[0-9A-Fa-f:.]+\](:\d+)?/student/"
)


@bp.get("/qr.svg")
def student_qr():
    """The QR code of an address students open (only those: not a QR maker for any text)."""
    wanted = request.args.get("url", "")
    known = addresses.student_addresses(request.host, request.scheme, current_app.config)
    if wanted not in {a["url"] for a in known}:
        raise NotFound("That is not an address of this node's student app.")
    response = Response(addresses.qr_svg(wanted, wanted), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/student")
@bp.get("/student/")
@bp.get("/student/<path:_route>")
def student_app(_route: str = ""):
    """The student app's one page; its routes live after the '#', so any path serves it.

    Over plain http on a node that also serves https, the page names the https app
    (a meta tag) and may load one picture from it: a tablet that trusts the node's
    certificate loads it, and the app moves there (client/student/app.js)."""
    secure = https_url("/student/") if request.scheme == "http" else None
    if secure and not SAFE_URL.fullmatch(secure):
        secure = None  # a Host header no tablet sends: name nothing
    if not secure:
        response = send_from_directory(CLIENT_DIR / "student", "index.html", max_age=0)
    else:
        page = (CLIENT_DIR / "student" / "index.html").read_text(encoding="utf-8")
        meta = f'<meta name="baobab-secure-app" content="{escape(secure)}">\n'
        response = current_app.response_class(page.replace("</head>", meta + "</head>", 1))
        origin = secure.rsplit("/student/", 1)[0]
        response.headers["Content-Security-Policy"] = PAGE_CSP.replace(
            "img-src 'self'", f"img-src 'self' {origin}", 1
        )
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/teacher")
@bp.get("/teacher/")
@bp.get("/teacher/<path:_route>")
def teacher_app(_route: str = ""):
    """The teacher app's one page (client/teacher/); its routes live after the '#'."""
    response = send_from_directory(CLIENT_DIR / "teacher", "index.html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/admin")
@bp.get("/admin/")
@bp.get("/admin/<path:_route>")
def admin_app(_route: str = ""):
    """The district admin app's one page (client/admin/); its routes live after the '#'."""
    response = send_from_directory(CLIENT_DIR / "admin", "index.html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


def app_digest() -> str:
    """A digest of the student app's files: it changes with every upgrade of the app.

    The vendored pictures, icons and font are in its shell too: a new icon must reach
    the tablets like a new module."""
    digest = hashlib.sha256()
    folders = [CLIENT_DIR / name for name in ("student", "shared", "i18n")]
    folders += [STATIC_DIR / "img", STATIC_DIR / "fonts"]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(folder.parent).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


_SW_VERSION = re.compile(r'const VERSION = "[^"]*";')


@bp.get("/sw.js")
def service_worker():
    """The student app's service worker, served at the root so its scope covers the
    app, its modules under /client, the vendored files under /static and the API.
    Its VERSION is the digest of the app's files, so an upgrade is a new worker that
    caches the new app whole (client/student/sw.js)."""
    source = (CLIENT_DIR / "student" / "sw.js").read_text(encoding="utf-8")
    # Whatever the file's own VERSION says (a developer's bump), the served one is the digest.
    source, replaced = _SW_VERSION.subn(f'const VERSION = "{app_digest()}";', source, count=1)
    if not replaced:
        raise RuntimeError('client/student/sw.js has no `const VERSION = "...";` line')
    response = current_app.response_class(source, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/client/<path:filename>")
def client_file(filename: str):
    """Files of the client web apps (ES modules, no build step); a folder's is its page.

    ``/client/device/`` is the device page (client/device/index.html), as the guides
    say; without the slash it is redirected there, where the page's own files resolve.
    """
    found = safe_join(str(CLIENT_DIR), filename)
    if found is not None and os.path.isdir(found):
        if not request.path.endswith("/"):
            return redirect(request.path + "/", 308)
        response = send_from_directory(CLIENT_DIR, filename.rstrip("/") + "/index.html", max_age=0)
        response.headers["Cache-Control"] = "no-cache"
        return compressed(response, os.path.join(found, "index.html"))
    return compressed(send_from_directory(CLIENT_DIR, filename), found)


@bp.get("/people/<person_id>/plan.html")
def plan_page(person_id: str):
    """A student's individual learning plan as a printable page (same access as the API).

    ``?language=CODE``: the language to print it in (else the student's).
    """
    SIGNED_IN.check(g.get("user"))
    student = learning.get_student(g.user, person_id)
    # In the language asked for (the teacher app asks for its own), else the student's.
    return plan_print.render(student, request.args.get("language"), student.language)
