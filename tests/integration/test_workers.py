"""`baobab serve` with several processes on one port (server.node.workers), as a user runs it.

Each request goes on a fresh connection, so the kernel hands it to either process;
`/healthz` says which one answered.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from server.services import demo
from tests.helpers.nodes import served_port
from tests.helpers.pg import free_port

pytestmark = pytest.mark.slow


def _serve(data_dir: Path, port: int, **env: str) -> subprocess.Popen:
    environment = {**os.environ, "BAOBAB_DISCOVERY": "0", "BAOBAB_LOG_LEVEL": "WARNING", **env}
    return subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--data-dir", str(data_dir),
         "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment,
    )  # fmt: skip


def _call(port: int, method: str, path: str, body=None, headers=None) -> tuple[int, dict]:
    """One request on its own connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = json.dumps(body) if body is not None else None
        sent = {"Content-Type": "application/json", **(headers or {})}
        conn.request(method, path, body=payload, headers=sent)
        response = conn.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else {}
    finally:
        conn.close()


def _workers(pid: int) -> list[int]:
    """The worker processes `serve` started (children of any of its threads)."""
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(p) for p in (task / "children").read_text().split()]
    except FileNotFoundError:
        return []
    return found


def _until(predicate, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _answering_pids(port: int, want: set[int], timeout: float = 60.0) -> set[int]:
    """Process ids seen answering /healthz, asking until every one of ``want`` answered."""
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status, body = _call(port, "GET", "/healthz")
        except OSError:
            time.sleep(0.05)
            continue
        if status == 200:
            seen.add(body["pid"])
        if want <= seen:
            break
    return seen


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie child of ours is dead too.
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture
def node(tmp_path):
    proc = _serve(tmp_path / "data", 0, BAOBAB_SIGNIN_MAX_FAILURES="10")
    try:
        # --port 0: the first process binds a free port, its worker joins that one.
        port = _until(lambda: served_port(tmp_path / "data"), what="the port")
        worker = _until(lambda: _workers(proc.pid), what="the worker")[0]
        assert _answering_pids(port, {proc.pid, worker}) == {proc.pid, worker}
        yield proc, port, tmp_path / "data"
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)


def test_both_processes_answer_a_dead_worker_comes_back_and_sigterm_stops_all(node):
    proc, port, _ = node
    [worker] = _workers(proc.pid)
    os.kill(worker, signal.SIGKILL)
    replacement = _until(
        lambda: [p for p in _workers(proc.pid) if p != worker and _alive(p)], what="a new worker"
    )[0]
    assert replacement in _answering_pids(port, {replacement})

    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=5)  # everything within 5 s (a bound on waiting, not a timing)
    _until(lambda: not _alive(replacement), timeout=5, what="the worker to stop")


def _pid_on(conn: http.client.HTTPConnection) -> int:
    """Which process answered on this keep-alive connection (it reconnects if closed)."""
    try:
        conn.request("GET", "/healthz")
        response = conn.getresponse()
    except ConnectionError:  # reset with a worker's death: ask again, as a tablet does
        conn.close()
        conn.request("GET", "/healthz")
        response = conn.getresponse()
    return json.loads(response.read())["pid"]


def test_connections_one_process_holds_spread_over_both(node):
    """Tablets keep their connections open all lesson: those the kernel handed one
    process while the other was away move over, an answer closing one at a time, until
    the two hold as many each."""
    proc, port, data_dir = node
    [worker] = _workers(proc.pid)
    os.kill(worker, signal.SIGKILL)
    _until(lambda: not _alive(worker), timeout=5, what="the worker to die")
    # Until its replacement starts (a second later), every new connection is the first's.
    tablets = [
        http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(f"127.0.1.{n}", 0))
        for n in range(1, 21)
    ]  # fmt: skip
    try:
        # All at once: the replacement must not be up before they are answered.
        with ThreadPoolExecutor(len(tablets)) as pool:
            first = list(pool.map(_pid_on, tablets))
        assert first.count(proc.pid) >= 16, first
        replacement = _until(
            lambda: [p for p in _workers(proc.pid) if p != worker and _alive(p)], what="a new worker"
        )[0]

        def even():
            held = [_pid_on(tablet) for tablet in tablets]
            return abs(held.count(proc.pid) - held.count(replacement)) <= 2 and held

        held = _until(even, timeout=30, what="the connections to spread")
        assert set(held) == {proc.pid, replacement}
    finally:
        for tablet in tablets:
            tablet.close()


def test_workers_die_with_the_first_process_even_on_sigkill(node):
    proc, port, data_dir = node
    [worker] = _workers(proc.pid)
    proc.kill()
    proc.wait(timeout=10)
    _until(lambda: not _alive(worker), timeout=10, what="the orphaned worker to die")
    # Nothing holds the port: the node starts again on it.
    again = _serve(data_dir, port)
    try:
        _until(lambda: _answering_pids(port, set()), what="the restarted node")
    finally:
        again.send_signal(signal.SIGTERM)
        again.wait(timeout=20)


def test_writes_from_both_processes_all_land_once(node):
    proc, port, data_dir = node
    status, body = _call(port, "POST", "/api/v1/auth/tokens",
                         {"username": demo.DEMO_TEACHER[0], "password": demo.DEMO_TEACHER[1],
                          "name": "test"})  # fmt: skip
    assert status == 201
    bearer = {"Authorization": f"Bearer {body['token']}"}
    status, people = _call(port, "GET", "/api/v1/people?role=student", headers=bearer)
    assert status == 200
    student = people["items"][0]["id"] if isinstance(people, dict) else people[0]["id"]

    def give_feedback(number: int) -> int:
        status, _ = _call(port, "POST", "/api/v1/feedback",
                          {"person_id": student, "text": f"note {number}"}, bearer)  # fmt: skip
        return status

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(give_feedback, range(240)))
    assert statuses == [201] * 240

    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)
    with sqlite3.connect(data_dir / "baobab.db") as conn:
        texts = [r[0] for r in conn.execute("SELECT text FROM feedback WHERE text LIKE 'note %'")]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert sorted(texts) == sorted(f"note {n}" for n in range(240))


def test_the_sign_in_limit_counts_failures_in_every_process(node):
    proc, port, _ = node
    wrong = {"username": demo.DEMO_TEACHER[0], "password": "not-the-password"}
    statuses = [_call(port, "POST", "/api/v1/auth/login", wrong)[0] for _ in range(10)]
    assert all(s == 401 for s in statuses), statuses
    # Ten failures spread over two processes: each process alone saw fewer than ten.
    right = {"username": demo.DEMO_TEACHER[0], "password": demo.DEMO_TEACHER[1]}
    for _ in range(6):  # whichever process answers
        status, body = _call(port, "POST", "/api/v1/auth/login", right)
        assert status == 429, body


def test_a_second_serve_on_the_port_is_refused_not_joined(node, tmp_path):
    proc, port, _ = node
    second = subprocess.run(
        [sys.executable, "-m", "server.cli", "serve", "--data-dir", str(tmp_path / "other"),
         "--host", "127.0.0.1", "--port", str(port)],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "BAOBAB_DISCOVERY": "0"},  # it waits 10 s for the port, then says so
    )  # fmt: skip
    assert second.returncode != 0 and "Cannot listen" in second.stderr


def _https_pids(port: int, context: ssl.SSLContext, want: set[int]) -> set[int]:
    """Process ids seen answering /healthz over HTTPS, each on a fresh TLS connection."""
    seen: set[int] = set()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not want <= seen:
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
        try:
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            if response.status == 200:
                seen.add(json.loads(response.read())["pid"])
        except OSError:
            time.sleep(0.05)
        finally:
            conn.close()
    return seen


@pytest.fixture
def https_node(tmp_path):
    https_port = free_port()
    proc = _serve(tmp_path / "data", 0, BAOBAB_HTTPS_PORT=str(https_port))
    try:
        port = _until(lambda: served_port(tmp_path / "data"), what="the port")
        worker = _until(lambda: _workers(proc.pid), what="the worker")[0]
        assert _answering_pids(port, {proc.pid, worker}) == {proc.pid, worker}
        ca_file = tmp_path / "data" / "tls" / "ca.pem"
        _until(ca_file.exists, what="the node's CA")
        yield proc, https_port, ssl.create_default_context(cafile=str(ca_file))
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)


def test_every_serving_process_answers_https_not_the_first_alone(https_node):
    proc, https_port, context = https_node
    [worker] = _workers(proc.pid)
    # Each process has its own TLS listener on the one port: TLS spreads over the cores.
    assert _https_pids(https_port, context, {proc.pid, worker}) == {proc.pid, worker}


def test_a_killed_workers_https_comes_back_and_sigterm_stops_all(https_node):
    proc, https_port, context = https_node
    [worker] = _workers(proc.pid)
    os.kill(worker, signal.SIGKILL)
    replacement = _until(
        lambda: [p for p in _workers(proc.pid) if p != worker and _alive(p)], what="a new worker"
    )[0]
    assert replacement in _https_pids(https_port, context, {replacement})

    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=5)  # everything, TLS listeners included, within 5 s
    _until(lambda: not _alive(replacement), timeout=5, what="the worker to stop")


def test_sigterm_stops_everything_within_5_s_while_clients_hold_connections(https_node, tmp_path):
    """Idle TLS connections, a half-sent request and an idle keep-alive do not hold up a stop."""
    proc, https_port, context = https_node
    [worker] = _workers(proc.pid)
    port = served_port(tmp_path / "data")
    held = []
    for _ in range(4):  # handshaken, then silent: each process likely holds some
        raw = socket.create_connection(("127.0.0.1", https_port), timeout=30)
        held.append(context.wrap_socket(raw, server_hostname="127.0.0.1"))
        half = socket.create_connection(("127.0.0.1", port), timeout=30)
        half.sendall(b"GET /healthz HTTP/1.1\r\nHost: node\r\nX-Slow: ")
        held.append(half)
    alive = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    alive.request("GET", "/healthz")
    assert alive.getresponse().read()  # answered, and the connection kept open
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=5)  # a bound on waiting, not a timing
        _until(lambda: not _alive(worker), timeout=5, what="the worker to stop")
    finally:
        alive.close()
        for sock in held:
            sock.close()
