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

Checking a cookie's signature (base64, tagged JSON, HMAC) cost about a tenth of
a student's request, and a tablet sends the same cookie for an hour: each process
remembers the last ``VERIFIED_COOKIES`` cookies whose signature it checked, by
their exact text, with what they said and when they were signed. Only a cookie
identical to one already verified is taken from there (its age is checked each
time); anything else, a changed character included, is verified in full. The
server-side session is still looked up on every request.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
import threading
import time
from typing import Any

from flask import current_app, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature
from peewee import JOIN, SQL

from ..db import db, model_from_row, run_compiled, write_transaction
from ..models import ApiToken, Person, WebSession
from ..models.base import utcnow
from .passwords import token_digest
from .staff_polls import staff_sessions

#: Seconds a cookie is kept before an unmodified session is re-issued.
REFRESH_AFTER_S = 3600
#: How stale a session row's ``seen_at`` may get before a request renews it.
SEEN_EVERY = datetime.timedelta(hours=1)
#: Cookies whose signature a process remembers having verified (their exact text).
VERIFIED_COOKIES = 4096
#: Values a remembered cookie may hold (each request gets its own copy of the dict).
_PLAIN = (str, int, float, bool, type(None))
#: What a signed cookie's text is made of (URL-safe base64 and dots): such a value is
#: the same whether read here or by werkzeug's full parse of the Cookie header.
_SIGNED_TEXT = re.compile(r"[A-Za-z0-9_.-]*")


def cookie_value(request: Any, name: str) -> str | None:
    """The value of cookie ``name`` in the request, without parsing every cookie.

    werkzeug's parse of the whole Cookie header into a dict was about 1% of a
    student's request. A value that is not plain signed text (quoted, escaped) is
    left to werkzeug, so what is found is always what werkzeug would find.
    """
    header = request.environ.get("HTTP_COOKIE")
    if not header:
        return None
    if '"' in header:  # a quoted value may hold a ";": werkzeug's parse knows where it ends
        return request.cookies.get(name)
    for part in header.split(";"):
        key, sep, value = part.partition("=")
        if key.strip() == name:
            value = value.strip()
            if sep and _SIGNED_TEXT.fullmatch(value):
                return value
            return request.cookies.get(name)
    return None


def _vary_on_cookie(response: Any) -> None:
    """Add ``Cookie`` to the response's ``Vary`` header unless it is there already."""
    vary = response.headers.get("Vary")
    if not vary:
        response.headers["Vary"] = "Cookie"
    elif "cookie" not in (token.strip().lower() for token in vary.split(",")):
        response.headers["Vary"] = f"{vary}, Cookie"


class HourlySessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions whose sliding lifetime is renewed at most hourly."""

    def __init__(self) -> None:
        self._keys: tuple[Any, ...] | None = None  # the keys the two below were made with
        self._serializer: Any = None
        self._verified: dict[str, tuple[dict[str, Any], float]] = {}
        self._lock = threading.Lock()

    def get_signing_serializer(self, app: Any) -> Any:
        """Flask's serializer, made once per set of keys rather than on every request."""
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys != self._keys:
            with self._lock:
                self._serializer = super().get_signing_serializer(app)
                self._verified = {}  # verified with other keys: verify again
                self._keys = keys
        return self._serializer

    def open_session(self, app: Any, request: Any) -> Any:
        """The session of the request's cookie, its signature checked once per process.

        A cookie seen before, character for character, is not verified again; its
        age still is. Any other cookie is verified as Flask does (a bad or expired
        one gives an empty session).
        """
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = cookie_value(request, self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        verified = self._verified
        known = verified.get(value)
        if known is not None and 0 <= time.time() - known[1] <= max_age:
            return self.session_class(known[0])
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if isinstance(data, dict) and all(isinstance(v, _PLAIN) for v in data.values()):
            with self._lock:
                if len(verified) >= VERIFIED_COOKIES:
                    verified.pop(next(iter(verified)))  # the oldest
                verified[value] = (dict(data), signed_at.timestamp())
        return self.session_class(data)

    def save_session(self, app: Any, session: Any, response: Any) -> None:
        """Flask's, with the common case cut short: most answers send no cookie.

        A session neither changed nor due a fresh cookie only needs ``Vary:
        Cookie`` (when it was read); werkzeug's way of adding it (the header parsed
        into a set and written back) and the cookie's settings, looked up before
        Flask knows whether it sends anything, were about 3% of a request.
        """
        if not session.modified and (not session or not self.should_set_cookie(app, session)):
            if session.accessed:
                _vary_on_cookie(response)
            return
        super().save_session(app, session, response)

    def get_cookie_secure(self, app: Any) -> bool:
        """``Secure`` on a cookie issued over https (the TLS port's waitress says so)."""
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
        if _sweep_due():
            WebSession.delete().where(
                WebSession.seen_at < now - datetime.timedelta(days=days + 1)
            ).execute()  # cookies this old are refused by their signature anyway
        _insert(
            {
                "id_hash": _digest(session_id),
                "person_id": person.id,
                "credential": credential(person),
                "https": https,
                "created_at": now,
                "seen_at": now,
            }
        )
    session.clear()
    session.permanent = True
    session["pid"] = person.id
    session["sid"] = session_id
    session["csrf"] = secrets.token_urlsafe(24)


#: How often a process sweeps sessions unused for longer than a cookie lives.
SWEEP_EVERY_S = 600
_swept = {"at": None}


def _sweep_due() -> bool:
    """True at a process's first sign-in and then every SWEEP_EVERY_S (housekeeping,
    not a guard: a cookie older than its lifetime is refused by its signature)."""
    now = time.monotonic()
    last = _swept["at"]
    if last is not None and now - last < SWEEP_EVERY_S:
        return False
    _swept["at"] = now
    return True


#: The INSERT of a session row, compiled once per database kind (a sign-in ran it anew).
_INSERT_SQL: dict[type, str] = {}


def _insert(values: dict[str, Any]) -> None:
    """Insert a web_session row (every column given)."""
    fields = WebSession._meta.sorted_fields
    sql = _INSERT_SQL.get(type(db.obj))
    if sql is None:
        mark = SQL(db.obj.param)
        sql = _INSERT_SQL[type(db.obj)] = WebSession.insert({f: mark for f in fields}).sql()[0]
    db.execute_sql(sql, [f.db_value(values[f.name]) for f in fields])


def _session_and_person(id_hash: str) -> tuple[Any, ...] | None:
    """The session row's fields and its person's live row (or Nones), in one statement.

    Every signed-in request runs this, so it is compiled once (db.run_compiled)
    and reads the session and its person together, not one query each.
    """

    def build(mark: str) -> Any:
        return (
            WebSession.select(
                WebSession.person_id,
                WebSession.credential,
                WebSession.https,
                WebSession.seen_at,
                *Person._meta.sorted_fields,
            )
            .join(
                Person,
                JOIN.LEFT_OUTER,
                on=(Person.id == WebSession.person_id) & (Person.deleted == False),  # noqa: E712
            )
            .where(WebSession.id_hash == mark)
        )

    return run_compiled("web-session", build, id_hash).fetchone()


def seen_at_value(stored: Any) -> datetime.datetime:
    """A session row's ``seen_at`` as the field reads it, parsed without peewee's
    strptime loop when it is SQLite's text of a datetime (every signed-in request)."""
    if isinstance(stored, str) and len(stored) in (19, 26) and stored[10] == " ":
        try:
            value = datetime.datetime.fromisoformat(stored)
        except ValueError:
            value = None
        if value is not None and value.tzinfo is None:
            return value
    return WebSession.seen_at.python_value(stored)


def person_for_session(session: Any, https: bool) -> Person | None:
    """The live person a session cookie names, or None when its session has ended."""
    session_id = session.get("sid")
    if not isinstance(session_id, str):
        return None  # a cookie from before server-side sessions: sign in again
    id_hash = _digest(session_id)
    found = _session_and_person(id_hash)
    if found is None:
        return None
    person_id, stored_credential, row_https, seen_at = found[:4]
    if person_id != session.get("pid") or (row_https and not https):
        return None
    person = None if found[4] is None else model_from_row(Person, found[4:])
    if person is None or person.archived or credential(person) != stored_credential:
        with write_transaction():  # the password changed (here or by sync): this session ends
            WebSession.delete().where(WebSession.id_hash == id_hash).execute()
        return None
    now = utcnow()
    if now - seen_at_value(seen_at) >= SEEN_EVERY:
        with write_transaction():
            WebSession.update(seen_at=now).where(WebSession.id_hash == id_hash).execute()
    return person


def end(session: Any) -> None:
    """End the session this cookie names (sign-out); the cookie is cleared too."""
    session_id = session.get("sid")
    if isinstance(session_id, str):
        with write_transaction():
            WebSession.delete().where(WebSession.id_hash == _digest(session_id)).execute()
    staff = staff_sessions(current_app)
    if staff is not None:  # its polls go first no more (server.auth.staff_polls)
        staff.forget(cookie_value(request, current_app.config["SESSION_COOKIE_NAME"]))
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
    staff = staff_sessions(current_app)
    if staff is not None:
        staff.forget_person(person_id)
