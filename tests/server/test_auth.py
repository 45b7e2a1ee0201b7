"""Sign-in for staff and children, sessions with CSRF, tokens, and the rate limit."""

from __future__ import annotations

from server.services.demo import DEMO_PICTURES


def test_teacher_signs_in_and_out(api):
    caller = api()
    response = caller.login("teacher", "baobab-teacher")
    assert response.status_code == 200
    me = caller.get("/api/v1/auth/me").get_json()
    assert me["person"]["username"] == "teacher" and me["auth"] == "session"
    assert caller.post("/api/v1/auth/logout").status_code == 204
    assert caller.get("/api/v1/auth/me").status_code == 401


def test_wrong_password_is_refused_without_saying_which_part(api):
    response = api().login("teacher", "wrong-password")
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == "Wrong username or password."


def test_session_writes_need_the_csrf_header(api):
    caller = api()
    caller.login("admin", "baobab-admin")
    token = caller.headers.pop("X-CSRF-Token")
    refused = caller.post("/api/v1/classes", json={"name": "Sneaky"})
    assert refused.status_code == 403
    accepted = caller.post(
        "/api/v1/classes", json={"name": "Fine"}, headers={"X-CSRF-Token": token}
    )
    assert accepted.status_code == 201


def test_child_signs_in_with_picture_password(api, world):
    caller = api()
    assert caller.student_login(world.student, ["sun", "moon", "star"]).status_code == 401
    assert caller.student_login(world.student, DEMO_PICTURES).status_code == 200
    assert caller.get("/api/v1/auth/me").get_json()["person"]["id"] == world.student


def test_child_of_a_class_without_passwords_signs_in_by_name(api, client):
    classes = client.get("/api/v1/signin/classes").get_json()
    open_class = next(c for c in classes if not c["picture_password"])
    kids = client.get(f"/api/v1/signin/classes/{open_class['id']}/students").get_json()
    assert len(kids) >= 10
    assert set(kids[0]) == {"id", "display_name", "picture"}
    assert api().student_login(kids[0]["id"], []).status_code == 200


def test_the_sign_in_list_is_dumped_by_the_plan_not_field_by_field(client, world, monkeypatch):
    """Every tablet of a class asks for it at each sign-in: its rows go out as the plan
    copies them (marshmallow's fields are not called), with the names in order."""
    from marshmallow import fields

    from server.api import dumping

    monkeypatch.setattr(dumping, "_CHECK", False)  # the suite's check would call them
    calls = []
    real = fields.Field.serialize

    def counted(self, *args, **kwargs):
        calls.append(type(self).__name__)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(fields.Field, "serialize", counted)
    kids = client.get(f"/api/v1/signin/classes/{world.class_a}/students").get_json()
    assert kids and calls == []
    names = [kid["display_name"] for kid in kids]
    assert names == sorted(names)
    assert all(set(kid) == {"id", "display_name", "picture"} for kid in kids)


def test_shared_device_next_child_does_not_inherit_the_first(api, world):
    caller = api()
    caller.student_login(world.student, DEMO_PICTURES)
    caller.post("/api/v1/auth/logout")
    caller.student_login(world.other_student, DEMO_PICTURES)
    assert caller.get("/api/v1/auth/me").get_json()["person"]["id"] == world.other_student
    assert caller.get(f"/api/v1/people/{world.student}/answers").status_code == 403


def test_failed_sign_ins_are_rate_limited(api, app):
    caller = api()
    limit = app.config["SIGNIN_MAX_FAILURES"]
    for _ in range(limit):
        assert caller.login("teacher", "nope-nope").status_code == 401
    blocked = caller.login("teacher", "baobab-teacher")
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert blocked.get_json()["error"]["code"] == "rate_limited"
    # Another account from the same address is still let in.
    assert caller.login("admin", "baobab-admin").status_code == 200


def test_picture_guessing_is_rate_limited(api, world, app):
    caller = api()
    for _ in range(app.config["SIGNIN_MAX_FAILURES"]):
        caller.student_login(world.student, ["sun", "sun", "sun"])
    assert caller.student_login(world.student, DEMO_PICTURES).status_code == 429


def test_bearer_token_for_api_clients(api, client):
    made = client.post(
        "/api/v1/auth/tokens",
        json={"username": "teacher", "password": "baobab-teacher", "name": "laptop"},
    )
    assert made.status_code == 201
    token = made.get_json()["token"]
    caller = api(token)
    assert caller.get("/api/v1/auth/me").get_json()["auth"] == "token"
    # Tokens need no CSRF header: a browser cannot send them by itself.
    assert (
        caller.post("/api/v1/feedback", json={"person_id": "nobody", "text": "x"}).status_code
        == 404
    )
    assert caller.delete("/api/v1/auth/tokens/current").status_code == 204
    assert caller.get("/api/v1/auth/me").status_code == 401


def test_removed_person_loses_access(api, world):
    admin = api(world.tokens["admin"])
    assert admin.delete(f"/api/v1/people/{world.teacher}").status_code == 204
    assert api(world.tokens["teacher"]).get("/api/v1/auth/me").status_code == 401
