"""Browser sessions: a signed cookie naming a session the database keeps.

The cookie is Flask's signed cookie, re-issued at most once an hour. Flask
re-signs and re-sends a permanent session's cookie on every response so that
its lifetime slides; that signing (JSON, zlib, HMAC) was a steady share of each
request's CPU. Re-issuing it when it is an hour old keeps the sliding lifetime
(``SESSION_DAYS`` from the last hour of use) at a fraction of the cost.

A signature alone cannot be taken back, so the cookie also carries a random
session id whose SHA-256 names a row of the local ``web_session`` table (kept in
the database, so every serving process sees the same sessions). Sign-out deletes
that row; a password change or "sign out everywhere" deletes every row of the
person; a row remembers a digest of the person's passwords at sign-in, so a reset
that arrives by sync ends the session as well. A cookie issued over https carries
the ``Secure`` flag and is refused over plain http.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import time
from typing import Any

from flask import request
from flask.sessions import SecureCookieSessionInterface

from ..db import write_transaction
from ..models import ApiToken, Person, WebSession
from ..models.base import utcnow
from ..services.rows import live_by_id
from .passwords import token_digest

#: Seconds a cookie is kept before an unmodified session is re-issued.
REFRESH_AFTER_S = 3600
#: How stale a session row's ``seen_at`` may get before a request renews it.
SEEN_EVERY = datetime.timedelta(hours=1)


class HourlySessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions whose sliding lifetime is renewed at most hourly."""

    def get_cookie_secure(self, app: Any) -> bool:
        """``Secure`` on a cookie issued over https (the TLS terminator's scheme)."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.scheme == "https"

    def should_set_cookie(self, app: Any, session: Any) -> bool:
        """Send the cookie when the session changed or its issue is an hour old."""
        if not session.permanent:
            return bool(session.modified)
        now = int(time.time())
        if (
            session.modified
            or app.config["SESSION_REFRESH_EACH_REQUEST"]
            and (now - int(session.get("issued", 0)) >= REFRESH_AFTER_S)
        ):
            session["issued"] = now  # signed with the rest: when this cookie was made
            return True
        return False


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def credential(person: Person) -> str:
    """A digest of the person's passwords: it changes when either does."""
    both = f"{person.password_hash or ''}\n{person.picture_password_hash or ''}"
    return hashlib.sha256(both.encode()).hexdigest()


def start(session: Any, person: Person, https: bool, days: int) -> None:
    """Begin a session of ``person`` in ``session`` (the cookie) and the database."""
    session_id = secrets.token_urlsafe(32)
    now = utcnow()
    with write_transaction():
        WebSession.delete().where(
            WebSession.seen_at < now - datetime.timedelta(days=days + 1)
        ).execute()  # cookies this old are refused by their signature anyway
        WebSession.create(
            id_hash=_digest(session_id),
            person_id=person.id,
            credential=credential(person),
            https=https,
            created_at=now,
            seen_at=now,
        )
    session.clear()
    session.permanent = True
    session["pid"] = person.id
    session["sid"] = session_id
    session["csrf"] = secrets.token_urlsafe(24)


def person_for_session(session: Any, https: bool) -> Person | None:
    """The live person a session cookie names, or None when its session has ended."""
    session_id = session.get("sid")
    if not isinstance(session_id, str):
        return None  # a cookie from before server-side sessions: sign in again
    row = WebSession.get_or_none(WebSession.id_hash == _digest(session_id))
    if row is None or row.person_id != session.get("pid") or (row.https and not https):
        return None
    person = live_by_id(Person, row.person_id)
    if person is None or person.archived or credential(person) != row.credential:
        with write_transaction():  # the password changed (here or by sync): this session ends
            row.delete_instance()
        return None
    now = utcnow()
    if now - row.seen_at >= SEEN_EVERY:
        with write_transaction():
            WebSession.update(seen_at=now).where(WebSession.id_hash == row.id_hash).execute()
    return person


def end(session: Any) -> None:
    """End the session this cookie names (sign-out); the cookie is cleared too."""
    session_id = session.get("sid")
    if isinstance(session_id, str):
        with write_transaction():
            WebSession.delete().where(WebSession.id_hash == _digest(session_id)).execute()
    session.clear()


def end_all(person_id: str, keep_token: str | None = None) -> None:
    """End every session and bearer token of a person (a password change, "sign out everywhere").

    ``keep_token``: the bearer token of the request that asked, when it was the
    person's own (changing one's own password over the API keeps that client).
    """
    with write_transaction():
        WebSession.delete().where(WebSession.person_id == person_id).execute()
        tokens = ApiToken.delete().where(ApiToken.person_id == person_id)
        if keep_token:
            tokens = tokens.where(ApiToken.token_hash != token_digest(keep_token))
        tokens.execute()
