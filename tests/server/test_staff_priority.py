"""A teacher's poll goes first in waitress's queue, but only for a session the app
authenticated as staff (server.node.priority, server.auth.staff_polls).

Regression (issue 14): the teachers' polls of the live view and heatmap waited behind
50 students' requests in the one queue of a serving process (p99 ~250 ms). The queue
check runs before the app, so it must never take a request's word for who sent it:
a forged, unknown, student, not yet authenticated or signed-out cookie waits its turn.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
from flask import request
from waitress.adjustments import Adjustments
from waitress.parser import HTTPRequestParser

from server.auth import staff_polls
from server.node.priority import dispatcher_for, session_cookie
from server.node.runner import NodeServer
from server.services.demo import DEMO_PICTURES

STUDENTS_QUEUED = 20


class _Channel:
    """What waitress queues: a channel whose first request is the one to serve."""

    def __init__(self, request: HTTPRequestParser) -> None:
        self.requests = [request]

    def service(self) -> None:  # pragma: no cover  (no thread runs in these tests)
        raise AssertionError("not served here")


def _parsed(path: str, cookie: str | None, method: str = "GET") -> HTTPRequestParser:
    """A request as waitress's parser leaves it, from the bytes a browser sends."""
    parser = HTTPRequestParser(Adjustments())
    head = f"{method} {path} HTTP/1.1\r\nHost: node\r\n"
    if cookie is not None:
        head += f"Cookie: lang=fr; session={cookie}; theme=dark\r\n"
    parser.received((head + "\r\n").encode())
    assert parser.completed
    return parser


def _cookie(caller) -> str:
    return caller.client.get_cookie("session").value


@pytest.fixture
def queue(app, world, api):
    """A dispatcher without threads, its queue full of a class's requests; its ``head``
    after one more request is queued, and the signed-in student's cookie."""
    dispatcher = dispatcher_for(app)
    student = api()
    assert student.student_login(world.student, DEMO_PICTURES).status_code == 200
    assert student.get("/api/v1/auth/me").status_code == 200
    home = f"/api/v1/people/{world.student}/home"
    for _ in range(STUDENTS_QUEUED):
        dispatcher.add_task(_Channel(_parsed(home, _cookie(student))))

    def first_after(path: str, cookie: str | None, method: str = "GET") -> bool:
        task = _Channel(_parsed(path, cookie, method))
        dispatcher.add_task(task)
        first = dispatcher.queue[0] is task
        dispatcher.queue.remove(task)
        return first

    first_after.student_cookie = _cookie(student)
    return first_after


def _watching_teacher(api, world):
    teacher = api()
    assert teacher.login("teacher", "baobab-teacher").status_code == 200
    assert teacher.get(f"/api/v1/classes/{world.class_a}/heatmap").status_code == 200
    return teacher


@pytest.mark.parametrize("view", ("live", "heatmap"))
def test_a_staff_poll_jumps_a_queue_full_of_students(queue, api, world, view):
    teacher = _watching_teacher(api, world)
    assert queue(f"/api/v1/classes/{world.class_a}/{view}", _cookie(teacher))


def test_only_the_polls_jump_not_the_staff_sessions_other_requests(queue, api, world):
    cookie = _cookie(_watching_teacher(api, world))
    assert not queue("/api/v1/auth/me", cookie)
    assert not queue(f"/api/v1/classes/{world.class_a}/heatmap", cookie, method="POST")
    assert not queue(f"/api/v1/classes/{world.class_a}/heatmap/extra", cookie)


def test_a_session_not_yet_authenticated_waits_its_turn(queue, api, world):
    teacher = api()
    assert teacher.login("teacher", "baobab-teacher").status_code == 200  # cookie issued only
    assert not queue(f"/api/v1/classes/{world.class_a}/heatmap", _cookie(teacher))


def test_a_forged_unknown_or_missing_cookie_waits_its_turn(queue, api, world):
    cookie = _cookie(_watching_teacher(api, world))
    path = f"/api/v1/classes/{world.class_a}/heatmap"
    payload, _, signature = cookie.rpartition(".")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    for forged in (f"{payload}.{flipped}", cookie + "A", cookie[1:], "", "made-up.cookie"):
        assert not queue(path, forged), forged
    assert not queue(path, None)
    assert queue(path, cookie)


def test_a_students_cookie_waits_its_turn_even_on_a_polled_path(queue, world):
    # The student signed in and was authenticated (the fixture): a known session, not staff.
    student = queue.student_cookie
    assert not queue(f"/api/v1/classes/{world.class_a}/heatmap", student)
    assert not queue(f"/api/v1/classes/{world.class_a}/live", student)


@pytest.mark.parametrize("ending", ("/api/v1/auth/logout", "/api/v1/auth/logout-everywhere"))
def test_a_signed_out_session_no_longer_jumps(queue, api, world, ending):
    teacher = _watching_teacher(api, world)
    cookie = _cookie(teacher)
    path = f"/api/v1/classes/{world.class_a}/live"
    assert queue(path, cookie)
    assert teacher.post(ending, json={}).status_code in (200, 204)
    assert not queue(path, cookie)
    teacher.client.set_cookie("session", cookie)  # replayed: refused, and still no jump
    assert teacher.get(path).status_code == 401
    assert not queue(path, cookie)


def test_a_session_ended_by_another_process_loses_its_place_within_the_ttl(
    queue, api, world, monkeypatch
):
    cookie = _cookie(_watching_teacher(api, world))
    path = f"/api/v1/classes/{world.class_a}/heatmap"
    assert queue(path, cookie)
    later = staff_polls.time.monotonic() + staff_polls.STAFF_TTL_S + 1
    monkeypatch.setattr(staff_polls.time, "monotonic", lambda: later)
    assert not queue(path, cookie)


def test_a_teacher_made_a_student_no_longer_jumps(app, queue, api, world):
    teacher = _watching_teacher(api, world)
    cookie = _cookie(teacher)
    staff = staff_polls.staff_sessions(app)
    assert staff.holds(cookie)

    class Demoted:
        id, role = world.teacher, "student"

    staff.note(cookie, Demoted)
    assert not queue(f"/api/v1/classes/{world.class_a}/heatmap", cookie)


def test_the_session_cookie_is_found_among_others_by_its_exact_text():
    header = "lang=fr; session=abc.def-_1; session_old=zzz"
    assert session_cookie(header, "session") == "abc.def-_1"
    assert session_cookie("sessionx=1; a=2", "session") is None
    assert session_cookie("", "session") is None


def test_a_real_serving_process_answers_the_staff_poll_before_the_queued_class(app, api, world):
    """End to end on waitress: one thread held, a queue of requests, the poll served first."""
    held, served = threading.Event(), []

    @app.get("/test-hold")
    def hold():
        held.wait(60)  # set once everything else is queued; a bound, not a timing
        return "held"

    @app.before_request
    def record():
        served.append(request.full_path.rstrip("?"))

    teacher = _watching_teacher(api, world)
    cookie = _cookie(teacher)
    served.clear()
    server = NodeServer(app, "127.0.0.1", 0, 1)  # one thread: everything else queues
    runner = threading.Thread(target=server.run)
    runner.start()
    conns = []
    try:

        def send(path: str, cookie: str | None = None) -> None:
            conn = socket.create_connection(("127.0.0.1", server.port), timeout=30)
            extra = f"Cookie: session={cookie}\r\n" if cookie else ""
            conn.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n{extra}Connection: close\r\n\r\n".encode())
            conns.append(conn)

        def queued(count: int) -> None:
            for _ in range(3000):
                if len(server.server.task_dispatcher.queue) >= count:
                    return
                time.sleep(0.01)
            raise AssertionError("the requests never reached the queue")

        send("/test-hold")
        for _ in range(3000):  # the one thread must hold it before the others arrive
            if served:
                break
            time.sleep(0.01)
        assert served == ["/test-hold"], "the held request never started"
        poll = f"/api/v1/classes/{world.class_a}/heatmap"
        send(poll + "?forged=1", cookie[:-1])
        for n in range(STUDENTS_QUEUED):
            send(f"/api/v1/auth/me?student={n}")
        queued(1 + STUDENTS_QUEUED)
        send(poll + "?teacher=1", cookie)
        queued(2 + STUDENTS_QUEUED)
        held.set()
        replies = []
        for conn in conns:
            received = b""
            while data := conn.recv(65536):
                received += data
            replies.append(received.split(b"\r\n", 1)[0])
        assert replies[-1] == b"HTTP/1.1 200 OK" and replies[1].startswith(b"HTTP/1.1 401")
        assert served[:3] == ["/test-hold", poll + "?teacher=1", poll + "?forged=1"], served
    finally:
        held.set()
        for conn in conns:
            conn.close()
        server.stop()
        runner.join(timeout=10)
