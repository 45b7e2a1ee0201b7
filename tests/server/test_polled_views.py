"""The teacher's polled views (live view, heatmap) kept between polls: ETag and 304,
staleness, authorization before any kept bytes, and the kept view equal to one made whole."""

from __future__ import annotations

import json
import uuid

import pytest

from server import db as database
from server.api.schemas.live import LiveClassSchema
from server.api.schemas.teaching import HeatmapSchema
from server.models import Classroom, Item, Person
from server.services import heatmap, learning, live

VIEWS = ("live", "heatmap")


def _path(world, view, classroom_id=None):
    return f"/api/v1/classes/{classroom_id or world.class_a}/{view}"


def _responses(app, item_id):
    with app.app_context(), database.db.connection_context():
        item = Item.get_by_id(item_id)
        return item.answer, next(i for i in range(len(item.choices)) if i != item.answer)


def _answer(caller, item_id, response, attempt_id=None):
    body = {"id": uuid.uuid4().hex, "item_id": item_id, "response": response,
            "device_ms": 1_000, "hints_used": 0, "attempt_id": attempt_id}  # fmt: skip
    reply = caller.post("/api/v1/answers", json=body)
    assert reply.status_code in (200, 201), reply.get_json()


def _row(view, student_id):
    return next(s for s in view["students"] if s["id"] == student_id)


def _cells(view, student_id):
    return sum(c["attempts"] for c in _row(view, student_id)["cells"])


@pytest.mark.parametrize("view", VIEWS)
def test_an_unchanged_view_answers_304_to_its_etag(app, world, api, view):
    teacher = api(world.tokens["teacher"])
    first = teacher.get(_path(world, view))
    assert first.status_code == 200
    tag = first.headers["ETag"]
    # The browser keeps it and asks again each time (no-store would forbid the 304 path).
    assert "no-cache" in first.headers["Cache-Control"]
    assert "no-store" not in first.headers["Cache-Control"]
    again = teacher.get(_path(world, view), headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == tag
    stale = teacher.get(_path(world, view), headers={"If-None-Match": '"not-this-one"'})
    assert stale.status_code == 200 and stale.headers["ETag"] == tag
    assert stale.get_json() == first.get_json()


@pytest.mark.parametrize("view", VIEWS)
def test_a_new_answer_is_never_hidden_behind_a_304(app, world, api, view):
    """Polled with the last tag right after a student answered: the new answer, not 304."""
    teacher, student = api(world.tokens["teacher"]), api(world.tokens["student"])
    right, _ = _responses(app, world.item_choice)
    tag = teacher.get(_path(world, view)).headers["ETag"]
    _answer(student, world.item_choice, right)
    reply = teacher.get(_path(world, view), headers={"If-None-Match": tag})
    assert reply.status_code == 200 and reply.headers["ETag"] != tag
    body = reply.get_json()
    if view == "live":
        row = _row(body, world.student)
        assert row["state"] == "working" and row["last_correct"] is True
    else:
        assert _cells(body, world.student) == 1
    _answer(student, world.item_choice, right)  # and the next one, on the view kept since
    again = teacher.get(_path(world, view), headers={"If-None-Match": reply.headers["ETag"]})
    assert again.status_code == 200
    if view == "heatmap":
        assert _cells(again.get_json(), world.student) == 2


@pytest.mark.parametrize("view", VIEWS)
def test_a_teacher_of_another_class_never_gets_the_kept_bytes(app, world, api, view):
    """The class check comes before the kept view: its tag or a poll after the class's own
    teacher made it get another teacher a 403, never the bytes nor a 304."""
    first = api(world.tokens["teacher"]).get(_path(world, view))
    assert first.status_code == 200
    other = api(world.tokens["other_teacher"])
    for headers in ({}, {"If-None-Match": first.headers["ETag"]}, {"If-None-Match": "*"}):
        reply = other.get(_path(world, view), headers=headers)
        assert reply.status_code == 403, headers
        assert "ETag" not in reply.headers
        assert reply.get_json()["error"]["status"] == 403
    # Their own class's view is theirs, under another tag.
    own = other.get(_path(world, view, world.class_c))
    assert own.status_code == 200 and own.headers["ETag"] != first.headers["ETag"]


def test_answers_of_another_class_leave_the_kept_heatmap_as_it_is(app, world, api):
    teacher = api(world.tokens["teacher"])
    first = teacher.get(_path(world, "heatmap"))
    right, _ = _responses(app, world.item_choice)
    with app.app_context(), database.db.connection_context():
        elsewhere = Person.get_by_id(world.student_c)
        learning.record_answer(
            elsewhere, {"id": uuid.uuid4().hex, "item_id": world.item_choice,
                        "response": right, "device_ms": 1_000},
        )  # fmt: skip
    again = teacher.get(_path(world, "heatmap"), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    cedar = api(world.tokens["other_teacher"]).get(_path(world, "heatmap", world.class_c))
    assert _cells(cedar.get_json(), world.student_c) == 1


def _dumped(schema, view):
    return json.loads(json.dumps(schema.dump(view), sort_keys=True))


def test_the_polled_bodies_are_what_their_schemas_dump(app, world, api):
    """The views skip marshmallow per poll: their dicts must stay in the schema's shape."""
    teacher, student = api(world.tokens["teacher"]), api(world.tokens["student"])
    right, wrong = _responses(app, world.item_choice)
    for response in (wrong, wrong, wrong, right, wrong):
        _answer(student, world.item_choice, response)
    with app.app_context(), database.db.connection_context():
        classroom = Classroom.get_by_id(world.class_a)
        made_live = live.live_view(classroom)
        made_map = heatmap.class_heatmap(classroom, now_ms=made_live["now_ms"])
    got_live = teacher.get(_path(world, "live")).get_json()
    got_map = teacher.get(_path(world, "heatmap")).get_json()
    assert got_live == _dumped(LiveClassSchema(), {**made_live, "now_ms": got_live["now_ms"]})
    assert got_map == _dumped(HeatmapSchema(), {**made_map, "now_ms": got_map["now_ms"]}) or (
        # the decay moved with the clock between the two: compare the shape only
        got_map.keys() == made_map.keys()
    )
    assert _dumped(HeatmapSchema(), made_map) == json.loads(json.dumps(made_map, sort_keys=True))
    assert _dumped(LiveClassSchema(), made_live) == json.loads(json.dumps(made_live))


def test_the_kept_live_view_follows_the_class_as_the_view_made_whole(app, world, api, monkeypatch):
    """Answers, attempts and the window's end, read a poll at a time, give the same view
    as the half hour read whole at each moment."""
    monkeypatch.setattr(live, "RECHECK_MS", 10**12)  # never counted again: follow only
    right, wrong = _responses(app, world.item_choice)
    shape = lambda view: json.dumps(view, sort_keys=True)  # noqa: E731

    def both(now):
        with app.app_context(), database.db.connection_context():
            classroom = Classroom.get_by_id(world.class_a)
            body, tag = live.kept_view(classroom, now, shape)
            return json.loads(body), live.live_view(classroom, now)

    from sync.hlc import wall_ms

    kept, whole = both(wall_ms())
    assert kept == whole
    seen = set()  # the states the rounds went through, so the comparison covered them
    for round_ in range(4):
        for name in ("student", "other_student"):
            caller = api(world.tokens[name])
            attempt = uuid.uuid4().hex
            for response in (wrong, wrong, right if round_ % 2 else wrong):
                _answer(caller, world.item_choice, response, attempt)
            if round_ == 2:
                reply = caller.post("/api/v1/attempts", json={
                    "id": attempt, "activity_id": world.activity,
                    "started_ms": 1_000, "ended_ms": 2_000, "completed": True,
                })  # fmt: skip
                assert reply.status_code in (200, 201), reply.get_json()
            kept, whole = both(wall_ms())
            assert kept == whole, (round_, name)
            seen |= {r["reason"] for s in kept["students"] for r in s["help"]}
            seen |= {s["state"] for s in kept["students"] if s["last_answer_ms"]}
    assert {"wrong_streak", "working", "away"} <= seen
    later = wall_ms() + live.WINDOW_MS + 60_000  # every answer out of the window
    kept, whole = both(later)
    assert kept == whole
    assert all(s["last_answer_ms"] is None for s in kept["students"])


def _read_answer(conn):
    """One answer's head (and body by its Content-Length) from a raw socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        more = conn.recv(65536)
        if not more:
            return data, b""
        data += more
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        rest += conn.recv(65536)
    return head, rest


def test_a_304_keeps_the_teachers_connection_open():
    """Waitress closed every 304 (no Content-Length): a revalidated poll cost a new
    connection, a TLS handshake over https. Now the same connection serves the next
    poll; a client asking for the close still gets it."""
    import socket
    import threading

    from flask import Flask, Response

    from server.node.runner import NodeServer

    app = Flask(__name__)

    @app.get("/view")
    def view():
        return Response(status=304, headers={"ETag": '"x"'})

    server = NodeServer(app, "127.0.0.1", 0, 2)
    runner = threading.Thread(target=server.run)
    runner.start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as conn:
            for _ in range(3):  # three polls, one connection
                conn.sendall(b'GET /view HTTP/1.1\r\nHost: x\r\nIf-None-Match: "x"\r\n\r\n')
                head, body = _read_answer(conn)
                assert head.startswith(b"HTTP/1.1 304"), head
                assert b"connection: close" not in head.lower() and body == b""
            conn.sendall(b"GET /view HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            head, _ = _read_answer(conn)
            assert head.startswith(b"HTTP/1.1 304") and b"connection: close" in head.lower()
            assert conn.recv(100) == b""  # closed, as asked
    finally:
        server.stop()
        runner.join(timeout=10)


def test_a_view_made_again_unchanged_still_answers_304(app, world, api):
    """Another serving process (or the same, once the kept view aged) makes its own copy
    at its own moment: the tag follows what the view says, so the browser's copy holds."""
    teacher, student = api(world.tokens["teacher"]), api(world.tokens["student"])
    right, _ = _responses(app, world.item_choice)
    _answer(student, world.item_choice, right)
    first = teacher.get(_path(world, "live"))
    live._windows.clear()  # as if the next poll reached another process
    again = teacher.get(_path(world, "live"), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    live._windows.clear()
    whole = teacher.get(_path(world, "live"))
    assert whole.headers["ETag"] == first.headers["ETag"]
    assert whole.get_json()["now_ms"] >= first.get_json()["now_ms"]


def test_an_answer_stored_again_under_a_new_rowid_is_shown_once(app, world, api):
    """A row replaced in place (as a sync may store a row again) comes back with a new
    rowid: the kept window takes it once, as the view read whole does."""
    from sync.hlc import wall_ms

    student = api(world.tokens["student"])
    _, wrong = _responses(app, world.item_choice)
    for _ in range(2):
        _answer(student, world.item_choice, wrong)
    dumps = lambda view: json.dumps(view, sort_keys=True)  # noqa: E731
    with app.app_context(), database.db.connection_context():
        classroom = Classroom.get_by_id(world.class_a)
        live.kept_view(classroom, wall_ms(), dumps)
        (first,) = database.db.execute_sql(
            "SELECT id FROM answer WHERE person_id = ? ORDER BY rowid LIMIT 1", [world.student]
        ).fetchone()
        with database.db.atomic():
            database.db.execute_sql(
                "CREATE TEMP TABLE again AS SELECT * FROM answer WHERE id = ?", [first]
            )
            database.db.execute_sql("DELETE FROM answer WHERE id = ?", [first])
            database.db.execute_sql("INSERT INTO answer SELECT * FROM again")
            database.db.execute_sql("DROP TABLE again")
    _answer(student, world.item_choice, wrong)  # a third wrong one: a streak of three
    with app.app_context(), database.db.connection_context():
        classroom = Classroom.get_by_id(world.class_a)
        now = wall_ms()
        body, _ = live.kept_view(classroom, now, dumps)
        whole = live.live_view(classroom, now)
    kept = json.loads(body)
    assert kept == whole
    assert _row(kept, world.student)["help"][0]["count"] == 3
