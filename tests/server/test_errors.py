"""One JSON error shape for every error (datasette's test_error_shape)."""

from __future__ import annotations

import pytest

SHAPE_KEYS = {"status", "code", "message", "details"}


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == SHAPE_KEYS
    assert body["error"]["status"] == status
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


@pytest.mark.parametrize(
    "method, path, kwargs, status, code",
    [
        ("GET", "/api/v1/nothing-here", {}, 404, "not_found"),
        ("GET", "/api/v1/school", {}, 401, "unauthenticated"),
        ("POST", "/api/v1/auth/login", {"json": {"username": ""}}, 422, "invalid"),
        ("POST", "/api/v1/auth/login", {"data": "{not json", "content_type": "application/json"}, 422, "invalid"),
        ("POST", "/api/v1/auth/login", {"data": "a=b", "content_type": "text/plain"}, 415, None),
        ("POST", "/api/v1/auth/login", {"json": ["a", "list"]}, 422, "invalid"),
        ("PUT", "/api/v1/school", {}, 405, None),
        ("POST", "/api/v1/auth/login", {"json": {"username": "u", "password": "x" * 3_000_000}}, 413, "too_large"),
    ],
)  # fmt: skip
def test_error_shape(client, method, path, kwargs, status, code):
    assert_error(client.open(path, method=method, **kwargs), status, code)


def test_invalid_fields_are_named(client):
    error = assert_error(
        client.post("/api/v1/auth/login", json={"username": "", "extra": 1}), 422, "invalid"
    )
    assert "username" in error["details"] and "password" in error["details"]
    assert "extra" in error["details"]


def test_forbidden_and_conflict_share_the_shape(api, world):
    student = api(world.tokens["student"])
    assert_error(student.get("/api/v1/people"), 403, "forbidden")
    admin = api(world.tokens["admin"])
    body = {
        "role": "teacher",
        "display_name": "T",
        "username": "teacher",
        "password": "long-enough",
    }
    assert_error(admin.post("/api/v1/people", json=body), 409, "conflict")


def test_bad_input_changes_nothing(api, world):
    admin = api(world.tokens["admin"])
    before = admin.get("/api/v1/classes").get_json()
    assert_error(admin.post("/api/v1/classes", json={"name": "", "grade": 3}), 422)
    assert admin.get("/api/v1/classes").get_json() == before
