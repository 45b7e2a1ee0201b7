"""The session cookie: re-issued when it changes or is an hour old, not on every response."""

from __future__ import annotations

import time

import pytest

from server.auth import sessions


def _cookie(response) -> str | None:
    """The session cookie a response sets, if any."""
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith("session="):
            return header
    return None


def test_sign_in_sets_a_cookie_for_the_session_days(api, app):
    caller = api()
    cookie = _cookie(caller.login("teacher", "baobab-teacher"))
    assert cookie is not None and "Expires=" in cookie and "HttpOnly" in cookie
    assert app.permanent_session_lifetime.days == 30


def test_an_unchanged_session_is_not_re_signed_on_every_request(api):
    caller = api()
    caller.login("teacher", "baobab-teacher")
    for _ in range(3):
        response = caller.get("/api/v1/auth/me")
        assert response.status_code == 200
        assert _cookie(response) is None


def test_an_hour_old_cookie_is_re_issued_and_still_signs_in(api, monkeypatch):
    caller = api()
    caller.login("teacher", "baobab-teacher")
    later = time.time() + sessions.REFRESH_AFTER_S + 1
    monkeypatch.setattr(sessions.time, "time", lambda: later)
    refreshed = _cookie(caller.get("/api/v1/auth/me"))
    assert refreshed is not None  # the lifetime slides: 30 days from now
    assert _cookie(caller.get("/api/v1/auth/me")) is None  # and only once an hour
    assert caller.get("/api/v1/auth/me").get_json()["person"]["username"] == "teacher"


def test_sign_out_still_removes_the_cookie(api):
    caller = api()
    caller.login("teacher", "baobab-teacher")
    cookie = _cookie(caller.post("/api/v1/auth/logout"))
    assert cookie is not None and ("Max-Age=0" in cookie or "Expires=Thu, 01 Jan 1970" in cookie)
    assert caller.get("/api/v1/auth/me").status_code == 401


def test_a_signed_in_answer_still_varies_on_the_cookie(api):
    """The short way out of save_session keeps what Flask's adds: caches key on the cookie."""
    caller = api()
    caller.login("teacher", "baobab-teacher")
    response = caller.get("/api/v1/auth/me")
    assert "cookie" in [v.strip().lower() for v in response.headers.get("Vary", "").split(",")]


@pytest.mark.parametrize(
    "header",
    [
        "session=abc.def-_9",
        "a=1; session=abc.def; b=2",
        "session=first.one; session=second.one",
        ' session = "quoted;value" ',
        'session="abc\\073def"',
        "session=%41bc",
        "session=",
        "other=1",
        "sessionx=1; session=real.value",
        'x="a;session=evil"; session=good',
        "session=a b; x=1",
        "session=a,b",
        "session",
        "",
    ],
)
def test_the_session_cookie_is_read_as_werkzeug_reads_it(app, header):
    """The quick read of one cookie never finds other text than werkzeug's full parse."""
    with app.test_request_context("/", headers={"Cookie": header} if header else {}):
        from flask import request

        assert sessions.cookie_value(request, "session") == request.cookies.get("session")


def test_sessions_unused_past_a_cookies_life_are_swept_at_a_sign_in(api, app, monkeypatch):
    import datetime

    from server import db as database
    from server.models import WebSession
    from server.models.base import utcnow

    old = utcnow() - datetime.timedelta(days=app.permanent_session_lifetime.days + 2)
    with app.app_context(), database.db.connection_context():
        WebSession.create(id_hash="f" * 64, person_id="someone", credential="c", seen_at=old)
    monkeypatch.setitem(sessions._swept, "at", None)  # this process has not swept yet
    api().login("teacher", "baobab-teacher")
    with app.app_context(), database.db.connection_context():
        assert not WebSession.select().where(WebSession.id_hash == "f" * 64).exists()
        assert WebSession.select().count() == 1  # the new session, stored in full
        row = WebSession.get()
        assert row.created_at == row.seen_at and row.https is False and len(row.credential) == 64
