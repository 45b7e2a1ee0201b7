"""Sessions end for real: sign-out, a password change and "sign out everywhere" kill copied cookies."""

from __future__ import annotations

from tests.conftest import Api
from tests.helpers.schools import HILL_CODE, HILL_PASSWORD, hill_school_admin


def _signed_in(app, username="teacher", password="baobab-teacher", **client_kwargs):
    caller = Api(app.test_client(**client_kwargs))
    assert caller.login(username, password).status_code == 200
    return caller


def _copy(app, caller: Api, **request_kwargs) -> Api:
    """Another browser holding a copy of ``caller``'s cookie (and its CSRF token)."""
    thief = Api(app.test_client())
    thief.client.set_cookie("session", caller.client.get_cookie("session").value)
    thief.headers = dict(caller.headers)
    return thief


def test_copied_cookie_dies_with_sign_out(app):
    teacher = _signed_in(app)
    thief = _copy(app, teacher)
    assert thief.get("/api/v1/auth/me").status_code == 200  # the copy works while signed in
    assert teacher.post("/api/v1/auth/logout").status_code in (200, 204)
    refused = thief.get("/api/v1/auth/me")
    assert refused.status_code == 401 and set(refused.get_json()) == {"error"}
    assert thief.patch("/api/v1/school", json={"name": "Taken"}).status_code == 401


def test_copied_cookie_dies_with_a_password_reset(app, world):
    teacher = _signed_in(app)
    thief = _copy(app, teacher)
    admin = Api(app.test_client(), world.tokens["admin"])
    reset = admin.patch(f"/api/v1/people/{world.teacher}", json={"password": "new-secret-pw"})
    assert reset.status_code == 200, reset.get_json()
    assert thief.get("/api/v1/auth/me").status_code == 401
    assert teacher.get("/api/v1/auth/me").status_code == 401
    assert _signed_in(app, password="new-secret-pw").get("/api/v1/auth/me").status_code == 200


def test_own_password_change_keeps_this_browser_and_ends_the_copies(app, world):
    teacher = _signed_in(app)
    thief = _copy(app, teacher)
    changed = teacher.patch(f"/api/v1/people/{world.teacher}", json={"password": "mine-now-pw"})
    assert changed.status_code == 200, changed.get_json()
    assert teacher.get("/api/v1/auth/me").status_code == 200
    assert thief.get("/api/v1/auth/me").status_code == 401


def test_admin_signs_a_stolen_account_out_everywhere(app, world):
    teacher = _signed_in(app)
    thief = _copy(app, teacher)
    token = Api(app.test_client())
    made = token.client.post(
        "/api/v1/auth/tokens", json={"username": "teacher", "password": "baobab-teacher"}
    )
    tokened = Api(app.test_client(), made.get_json()["token"])
    assert tokened.get("/api/v1/auth/me").status_code == 200
    admin = Api(app.test_client(), world.tokens["admin"])
    assert admin.post(f"/api/v1/people/{world.teacher}/sign-out").status_code in (200, 204)
    for caller in (teacher, thief, tokened):
        assert caller.get("/api/v1/auth/me").status_code == 401


def test_https_cookie_is_secure(app):
    teacher = Api(app.test_client())
    response = teacher.client.post(
        "/api/v1/auth/login",
        json={"username": "teacher", "password": "baobab-teacher"},
        base_url="https://localhost",
    )
    assert response.status_code == 200
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "Secure" in cookie
    plain = _signed_in(app)
    plain_cookie = plain.client.get_cookie("session")
    assert plain_cookie is not None and not plain_cookie.secure


def test_https_cookie_refused_over_http(app):
    teacher = Api(app.test_client())
    response = teacher.client.post(
        "/api/v1/auth/login",
        json={"username": "teacher", "password": "baobab-teacher"},
        base_url="https://localhost",
    )
    assert response.status_code == 200
    value = teacher.client.get_cookie("session").value
    sniffer = Api(app.test_client())
    sniffer.client.set_cookie("session", value)  # seen on the wire, replayed over http
    assert sniffer.get("/api/v1/auth/me").status_code == 401
    assert sniffer.get("/api/v1/auth/me", base_url="https://localhost").status_code == 200


def test_hub_admin_names_collide_no_first_match(app, world):
    hill = hill_school_admin(app)  # two schools on the hub, each with an ``admin``
    for password in ("baobab-admin", HILL_PASSWORD):
        refused = Api(app.test_client()).login("admin", password)
        assert refused.status_code == 422, refused.get_json()
        assert "school" in refused.get_json()["error"]["details"]
    ours = Api(app.test_client())
    signed = ours.client.post(
        "/api/v1/auth/login",
        json={"username": "admin", "password": "baobab-admin", "school": world.school_id},
    )
    assert signed.get_json()["person"]["id"] == world.admin
    theirs = ours.client.post(
        "/api/v1/auth/login",
        json={"username": "admin", "password": HILL_PASSWORD, "school": HILL_CODE},
    )
    assert theirs.get_json()["person"]["id"] == hill.id
    crossed = ours.client.post(
        "/api/v1/auth/login",
        json={"username": "admin", "password": "baobab-admin", "school": HILL_CODE},
    )
    assert crossed.status_code == 401


def test_copied_cookie_dies_with_a_reset_that_arrives_by_sync(app, world):
    from server import db as database
    from server.auth.passwords import hash_password
    from server.models import Person

    teacher = _signed_in(app)
    thief = _copy(app, teacher)
    with app.app_context(), database.db.connection_context():
        person = Person.get_by_id(world.teacher)  # as another node's change lands here
        person.password_hash = hash_password("reset-elsewhere")
        person.save()
    assert thief.get("/api/v1/auth/me").status_code == 401
    assert teacher.get("/api/v1/auth/me").status_code == 401
