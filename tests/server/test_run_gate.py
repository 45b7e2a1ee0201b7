"""A serving process runs a few requests at a time, in order (server.node.gate).

Regression (issues 14 and 16): eight waitress threads per process all ran the app at
once and fought for the GIL, so a request took about eight times its CPU, finished in
the GIL's order rather than its arrival's, and a teacher's poll that waitress had put
first still waited behind every running request. The gate must keep at most its
slots running, serve waiters in order (a staff poll first, a request coming back from
a wait before both), and never keep a slot for a request waiting for the disk, the
write lock or another node.
"""

from __future__ import annotations

import shutil
import threading
import time

import pytest

from server import create_app
from server import db as database
from server.node import gate as gates
from server.node.gate import NORMAL, RESUMING, STAFF_POLL, RunGate, holds_slot, stepped_out
from server.node.priority import gate_lane_for
from server.services.demo import DEMO_PICTURES
from tests.conftest import BASE_CONFIG, Api

WAIT_S = 10  # long enough never to be reached unless something is stuck


def _start(target, *args) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def _until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.002)


def _queued(gate: RunGate, count: int) -> None:
    _until(lambda: gate.waited >= count, f"{count} waiters")


def test_no_more_than_its_slots_run_at_once():
    gate = RunGate(2)
    inside, most, lock = [0], [0], threading.Lock()
    release = threading.Event()  # the slots stay held until every other request waits

    def request() -> None:
        with gate.held():
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            release.wait(WAIT_S)
            with lock:
                inside[0] -= 1

    threads = [_start(request) for _ in range(12)]
    _queued(gate, 10)
    release.set()
    for thread in threads:
        thread.join(WAIT_S)
    assert most[0] == 2
    assert gate.running == 0 and gate.waited >= 10


def test_waiters_go_in_order_a_staff_poll_first():
    gate = RunGate(1)
    gate.enter()  # the one slot is taken: everyone below waits
    order: list[str] = []

    def request(name: str, lane: int) -> None:
        with gate.held(lane):
            order.append(name)

    threads = []
    for count, (name, lane) in enumerate(
        [("student 1", NORMAL), ("student 2", NORMAL), ("poll", STAFF_POLL), ("student 3", NORMAL)],
        start=1,
    ):
        threads.append(_start(request, name, lane))
        _queued(gate, count)  # arrival order is the order they started waiting
    gate.leave()
    for thread in threads:
        thread.join(WAIT_S)
    assert order == ["poll", "student 1", "student 2", "student 3"]


def test_a_staff_poll_runs_alone_and_the_slots_fill_again_after_it():
    # With two running, a poll shared the GIL with a student's request and took about
    # three times its own CPU: nothing new starts beside a poll.
    gate = RunGate(2)
    poll_in, poll_done = threading.Event(), threading.Event()
    inside: list[str] = []

    def poll() -> None:
        with gate.held(STAFF_POLL):
            poll_in.set()
            poll_done.wait(WAIT_S)

    def request(name: str, lane: int) -> None:
        with gate.held(lane):
            inside.append(name)
            if lane == NORMAL:
                poll_done.wait(WAIT_S)

    _start(poll)
    poll_in.wait(WAIT_S)
    students = [_start(request, "student 1", NORMAL)]
    _queued(gate, 1)
    students.append(_start(request, "student 2", NORMAL))
    _queued(gate, 2)
    assert gate.running == 1 and inside == []  # a slot is free, yet they wait
    back = _start(request, "writer back from the disk", RESUMING)
    back.join(WAIT_S)  # admitted before: it is let in beside the poll
    assert inside == ["writer back from the disk"]
    poll_done.set()
    _until(lambda: len(inside) == 3, "both students to start")
    for thread in students:
        thread.join(WAIT_S)
    assert gate.running == 0 and gate.alone == 0


def test_a_student_leaving_hands_its_slot_to_a_poll_not_to_the_next_student():
    gate = RunGate(2)
    gate.enter()  # two students run
    second = threading.Event()
    order: list[str] = []

    def student_running() -> None:
        with gate.held():
            second.wait(WAIT_S)

    running = _start(student_running)
    _until(lambda: gate.running == 2, "two running")

    def request(name: str, lane: int) -> None:
        with gate.held(lane):
            order.append(name)
            if lane == STAFF_POLL:
                _queued(gate, 2)
                assert gate.running == 2  # the poll and the student still running
                second.set()  # that student ends: its slot stays empty while the poll runs
                _until(lambda: not running.is_alive(), "the running student to end")
                assert order == ["poll"] and gate.running == 1

    waiting = [_start(request, "poll", STAFF_POLL)]
    _queued(gate, 1)
    gate.leave()  # the first student ends: the poll gets its slot
    waiting.append(_start(request, "student 3", NORMAL))
    for thread in waiting:
        thread.join(WAIT_S)
    assert order == ["poll", "student 3"] and gate.running == 0 and gate.alone == 0


def test_a_request_back_from_a_wait_goes_before_those_not_started():
    gate = RunGate(1)
    disk = threading.Event()
    order: list[str] = []

    def writer() -> None:
        with gate.held():
            with stepped_out():
                order.append("writer waits for the disk")
                disk.wait(WAIT_S)
            order.append("writer answers")

    def reader(name: str) -> None:
        with gate.held():
            order.append(name)
            if name == "reader 1":
                disk.set()  # the disk finishes while reader 1 runs: the writer queues
                _queued(gate, 3)  # behind reader 2, who came first

    first = _start(writer)
    _until(lambda: order == ["writer waits for the disk"], "the writer to step out")
    gate.enter()  # hold the slot while the readers queue, so the order is theirs
    readers = [_start(reader, "reader 1")]
    _queued(gate, 1)
    readers.append(_start(reader, "reader 2"))
    _queued(gate, 2)
    gate.leave()
    for thread in [first, *readers]:
        thread.join(WAIT_S)
    assert order == ["writer waits for the disk", "reader 1", "writer answers", "reader 2"]


def test_stepping_out_lets_the_next_request_run():
    gate = RunGate(1)
    waiting, ran = threading.Event(), threading.Event()

    def writer() -> None:
        with gate.held():
            with stepped_out():
                waiting.set()
                assert ran.wait(WAIT_S), "the other request never ran while this one waited"

    def reader() -> None:
        with gate.held():
            ran.set()

    first = _start(writer)
    assert waiting.wait(WAIT_S)
    second = _start(reader)
    for thread in (first, second):
        thread.join(WAIT_S)
    assert ran.is_set() and gate.running == 0


def test_outside_a_slot_stepping_out_does_nothing_and_slots_are_reentrant():
    gate = RunGate(1)
    with stepped_out():
        assert not holds_slot()
    with gate.held():
        with gate.held():  # the app called again inside a request: no deadlock
            assert holds_slot()
        assert holds_slot()
        with stepped_out():
            assert not holds_slot()
        assert holds_slot()
    assert not holds_slot() and gate.running == 0
    with pytest.raises(ValueError):
        RunGate(0)


def _app(template, tmp_path, **settings):
    data_dir = tmp_path / "node"
    shutil.copytree(template[0], data_dir)
    return create_app({**BASE_CONFIG, "DATA_DIR": str(data_dir), **settings})


def test_the_app_has_a_gate_unless_running_is_zero(template, tmp_path):
    assert create_app(
        {**BASE_CONFIG, "DATA_DIR": str(tmp_path / "a"), "RUNNING": 3}
    ).extensions[gates.EXTENSION].slots == 3
    database.close_all()
    assert gates.EXTENSION not in create_app(
        {**BASE_CONFIG, "DATA_DIR": str(tmp_path / "b"), "RUNNING": 0}
    ).extensions
    database.close_all()


def test_a_failing_request_gives_its_slot_back(app, world, monkeypatch):
    gate = app.extensions[gates.EXTENSION]
    api = Api(app.test_client(), world.tokens["student"])

    def broken(*args, **kwargs):
        raise RuntimeError("the view broke")

    monkeypatch.setattr("server.services.recommendations.home", broken)
    for _ in range(gate.slots + 2):  # more failures than slots: none kept one
        assert api.get(f"/api/v1/people/{world.student}/home").status_code == 500
    assert gate.running == 0
    assert api.get("/api/v1/auth/me").status_code == 200


def test_a_writer_waiting_for_the_write_lock_lets_readers_run(template, tmp_path, world):
    app = _app(template, tmp_path, RUNNING=1)
    gate = app.extensions[gates.EXTENSION]
    with app.app_context(), database.db.connection_context():
        writer_lock = database.db.obj._baobab_writer
    student = Api(app.test_client(), world.tokens["student"])
    reader = Api(app.test_client(), world.tokens["student"])
    answered: list[int] = []

    def answer() -> None:
        body = {"id": "b" * 32, "item_id": world.item_choice, "response": 0, "device_ms": 1}
        answered.append(student.post("/api/v1/answers", json=body).status_code)

    with writer_lock:  # another writer holds the lock
        thread = _start(answer)
        _until(lambda: gate.stepped_out == 1, "the answer to wait for the lock")
        # Had the answer kept the only slot, this read would wait for it forever.
        assert reader.get("/api/v1/auth/me").status_code == 200
        assert answered == []
    thread.join(WAIT_S)
    assert answered == [201]
    database.close_all()


def test_a_writer_waiting_for_the_disk_lets_readers_run(template, tmp_path, world, monkeypatch):
    app = _app(template, tmp_path, RUNNING=1, SQLITE_SYNCHRONOUS="FULL")
    disk = threading.Event()
    in_fsync = threading.Event()
    real_fsync = database.os.fsync

    def slow_fsync(fd: int) -> None:
        in_fsync.set()
        assert disk.wait(WAIT_S), "the disk was never released"
        real_fsync(fd)

    student = Api(app.test_client(), world.tokens["student"])
    assert student.get("/api/v1/auth/me").status_code == 200
    monkeypatch.setattr(database.os, "fsync", slow_fsync)
    answered: list[int] = []

    def answer() -> None:
        body = {"id": "c" * 32, "item_id": world.item_choice, "response": 0, "device_ms": 1}
        answered.append(student.post("/api/v1/answers", json=body).status_code)

    thread = _start(answer)
    assert in_fsync.wait(WAIT_S)
    reader = Api(app.test_client(), world.tokens["student"])
    assert reader.get(f"/api/v1/people/{world.student}/home").status_code == 200
    assert answered == []  # not answered before its write is on disk
    disk.set()
    thread.join(WAIT_S)
    assert answered == [201]
    database.close_all()


def test_a_staff_sessions_poll_takes_the_staff_lane(app, world, api):
    lane = gate_lane_for(app)
    teacher = api()
    assert teacher.login("teacher", "baobab-teacher").status_code == 200
    heatmap = f"/api/v1/classes/{world.class_a}/heatmap"
    assert teacher.get(heatmap).status_code == 200  # the app has authenticated it as staff
    cookie = teacher.client.get_cookie("session").value
    student = api()
    assert student.student_login(world.student, DEMO_PICTURES).status_code == 200
    student_cookie = student.client.get_cookie("session").value

    def environ(path: str, cookie: str | None, method: str = "GET") -> dict:
        env = {"REQUEST_METHOD": method, "PATH_INFO": path}
        if cookie is not None:
            env["HTTP_COOKIE"] = f"lang=fr; session={cookie}"
        return env

    assert lane(environ(heatmap, cookie)) == STAFF_POLL
    assert lane(environ(f"/api/v1/classes/{world.class_a}/live", cookie)) == STAFF_POLL
    assert lane(environ(heatmap, cookie, "POST")) == NORMAL
    assert lane(environ("/api/v1/auth/me", cookie)) == NORMAL
    assert lane(environ(heatmap, student_cookie)) == NORMAL
    assert lane(environ(heatmap, cookie + "x")) == NORMAL
    assert lane(environ(heatmap, None)) == NORMAL
    assert RESUMING < STAFF_POLL < NORMAL
