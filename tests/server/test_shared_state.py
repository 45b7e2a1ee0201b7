"""What the serving processes of one node share (server.node.rundir): syncs running, nearby nodes,
sign-in failures; and waitress's loop that does not spin (server.node.runner.QuietChannel)."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
import threading
import time
from types import SimpleNamespace

from flask import Flask

from server.auth.throttle import SignInThrottle
from server.node import rundir
from server.node.runner import NodeServer, QuietChannel
from server.replication import progress as sync_progress
from server.replication.discovery import Discovery, Sighting, nearby_path
from tests.conftest import Api


def test_a_sync_running_in_another_process_is_shown_until_that_process_dies(tmp_path):
    script = textwrap.dedent(f"""
        import sys, time
        from server.replication import progress as sync_progress
        running = sync_progress.begin({str(tmp_path)!r}, 7)
        sync_progress.update(running, "push", 40, 100)
        print("ready", flush=True)
        time.sleep(60)
    """)
    other = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "ready"
        shown = sync_progress.get(str(tmp_path), 7)
        assert shown["direction"] == "push"
        assert (shown["rows_done"], shown["rows_total"], shown["pushed"]) == (40, 100, 40)
        assert sync_progress.get(str(tmp_path), 8) is None
    finally:
        other.kill()
        other.wait()
        other.stdout.close()
    assert sync_progress.get(str(tmp_path), 7) is None  # its file stays, but says nothing


def test_a_finished_sync_leaves_nothing_and_does_not_end_a_newer_one(tmp_path):
    first = sync_progress.begin(str(tmp_path), 3)
    second = sync_progress.begin(str(tmp_path), 3)  # a newer sync of the same peer
    sync_progress.end(first)
    sync_progress.update(first, "pull", 5, 10)  # late news from the old one changes nothing
    assert sync_progress.get(str(tmp_path), 3)["direction"] == "hello"
    sync_progress.end(second)
    assert sync_progress.get(str(tmp_path), 3) is None
    assert not list(rundir.run_dir(tmp_path).glob("sync-*"))


def test_nearby_nodes_seen_by_discovery_are_listed_by_any_process(app, api, world):
    data_dir = app.config["DATA_DIR"]
    discovery = Discovery("me", world.school_id, 8080, ["127.0.0.1"],
                          share_path=nearby_path(data_dir))  # fmt: skip
    discovery._sightings["PEER1"] = Sighting("PEER1", world.school_id, "node", 1,
                                              "http://10.0.0.9:8080", alive=True)  # fmt: skip
    discovery._share()  # what discovery does on every change
    teacher = Api(app.test_client())
    assert teacher.login("teacher", "baobab-teacher").status_code == 200
    listed = teacher.get("/api/v1/sync/nearby").get_json()
    assert [(n["node_id"], n["url"], n["alive"], n["paired"]) for n in listed] == [
        ("PEER1", "http://10.0.0.9:8080", True, False)
    ]


def test_sign_in_failures_are_shared_through_the_file_and_expire(tmp_path):
    now = [1000.0]
    path = rundir.run_dir(tmp_path) / "signin-failures.json"
    one = SignInThrottle(3, 60, clock=lambda: now[0], path=path)
    other = SignInThrottle(3, 60, clock=lambda: now[0], path=path)  # another process
    one.fail("acct:a")
    other.fail("acct:a")
    one.fail("acct:a")
    try:
        other.check("acct:a")
        raise AssertionError("the third failure in the other process was not counted")
    except Exception as exc:
        assert "Too many failed sign-ins" in str(exc)
    other.check("acct:b")  # other accounts are not held back
    now[0] += 61
    one.check("acct:a")  # the window passed
    one.fail("acct:c")
    assert set(rundir.read_json(path)) == {"acct:c"}  # expired failures are dropped
    other.succeed("acct:c")
    assert rundir.read_json(path) == {}


def _channel(requests: int, outbuf: int, closing: bool = False) -> QuietChannel:
    channel = QuietChannel.__new__(QuietChannel)  # its state alone, no socket
    vars(channel).update(
        requests=[object()] * requests, will_close=closing, close_when_flushed=False,
        total_outbufs_len=outbuf, adj=SimpleNamespace(outbuf_high_watermark=1000),
    )  # fmt: skip
    return channel


def test_the_loop_leaves_a_running_task_to_send_its_own_output():
    writable = QuietChannel.writable
    assert not writable(_channel(requests=1, outbuf=10))  # the task thread sends it
    assert writable(_channel(requests=0, outbuf=10))  # left over after the task: the loop
    assert writable(_channel(requests=1, outbuf=2000))  # the task waits for the loop
    assert writable(_channel(requests=1, outbuf=0, closing=True))
    assert not writable(_channel(requests=0, outbuf=0))


def test_a_large_answer_streamed_to_a_slow_reader_arrives_whole():
    app = Flask(__name__)
    chunk = bytes(range(256)) * 4096  # 1 MiB, more than the socket buffers hold

    @app.get("/big")
    def big():
        def body():
            for _ in range(8):
                yield chunk
                time.sleep(0.05)

        return app.response_class(body(), mimetype="application/octet-stream")

    server = NodeServer(app, "127.0.0.1", 0, 2)
    runner = threading.Thread(target=server.run)
    runner.start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as conn:
            conn.sendall(b"GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            received = bytearray()
            while data := conn.recv(65536):
                received += data
                time.sleep(0.002)  # a slow tablet
        head, _, payload = bytes(received).partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200")
        if b"chunked" in head.lower():
            payload = _unchunk(payload)
        assert payload == chunk * 8
    finally:
        server.stop()
        runner.join(timeout=10)


def _unchunk(data: bytes) -> bytes:
    out, rest = bytearray(), data
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += rest[:size]
        rest = rest[size + 2 :]


def test_serve_waits_for_a_port_a_dying_run_still_holds():
    from server.node.workers import listening_socket

    held = listening_socket("127.0.0.1", 0)
    held.listen()
    port = held.getsockname()[1]
    letting_go = threading.Event()

    def old_worker_dies() -> None:
        letting_go.set()  # set first: the port cannot be bound before close
        held.close()

    threading.Timer(0.5, old_worker_dies).start()  # the old worker dies a moment later
    # wait_s is generous (a loaded machine may be slow to run the timer): what counts is
    # that serve waited for the port and bound it once free, rather than failing at once.
    sock = listening_socket("127.0.0.1", port, wait_s=60)
    try:
        assert letting_go.is_set() and sock.getsockname()[1] == port
    finally:
        sock.close()
    held = listening_socket("127.0.0.1", 0)
    held.listen()
    try:
        try:
            listening_socket("127.0.0.1", held.getsockname()[1], wait_s=0.3)
            raise AssertionError("bound a port in use")
        except OSError as exc:
            assert "in use" in str(exc)
    finally:
        held.close()
