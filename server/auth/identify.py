"""Who is asking: the caller of each request, by bearer token or session cookie.

``identify`` runs before every request (registered by ``create_app``): it opens
the database, sets ``g.user`` and ``g.auth`` ("token", "session" or None) and
refuses a cookie-signed change without the session's CSRF token. A session
cookie names a server-side session (server.auth.sessions): one ended by
sign-out, by a password change or by "sign out everywhere" names no one, and a
cookie issued over https is not accepted over plain http.
"""

from __future__ import annotations

from flask import Flask, current_app, g, request, session

from .. import db as database
from ..errors import Forbidden
from ..models import Person
from . import sessions, signin
from .staff_polls import STAFF_ROLES, staff_sessions

#: Endpoints a cookie may call without the CSRF header (they start a session).
CSRF_EXEMPT = {"auth.login", "auth.student_login", "auth.create_token"}


def identify() -> None:
    """Open the database and name the caller of this request in ``g``."""
    database.db.connect(reuse_if_open=True)
    syncer = database.group_sync()
    if syncer is not None:
        syncer.mark(database.db.connection())
    # Each name below is a context-local proxy: looked up once here, not per use (about
    # twenty lookups in every request, 2% of an answer's CPU).
    here, req = g._get_current_object(), request._get_current_object()
    cookie = session._get_current_object()
    user, auth = None, None
    header = req.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        here.token = header[7:].strip()
        user = signin.person_for_token(here.token)
        auth = "token" if user else None
    elif "pid" in cookie:
        user = sessions.person_for_session(cookie, req.scheme == "https")
        auth = "session" if user else None
        if user is None or user.role in STAFF_ROLES:  # a student's request: nothing to do
            _note_staff(user)
    here.user, here.auth = user, auth
    if (
        auth == "session"
        and req.method not in ("GET", "HEAD", "OPTIONS")
        and req.endpoint not in CSRF_EXEMPT
        and req.headers.get("X-CSRF-Token") != cookie.get("csrf")
    ):
        raise Forbidden("Missing or wrong X-CSRF-Token header; reload the page.")


def _note_staff(user: Person | None) -> None:
    """Tell the serving process this cookie is a staff session now (or no longer one),
    so the teacher's next poll may go first in its queue (server.auth.staff_polls)."""
    staff = staff_sessions(current_app)
    if staff is not None:
        staff.note(sessions.cookie_value(request, current_app.config["SESSION_COOKIE_NAME"]), user)


def register(app: Flask) -> None:
    """Identify the caller before every request of ``app``."""
    app.before_request(identify)
