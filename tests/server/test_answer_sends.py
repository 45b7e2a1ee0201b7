"""An answer's head and body leave the serving process in one send (server.node.runner):
on every kind of answer the bytes on the wire stay those waitress sent in two."""

from __future__ import annotations

import itertools
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from flask import Flask, Response, jsonify, request

from server.node.runner import JOIN_AT_MOST, NodeServer, QuietChannel


@pytest.fixture
def served(monkeypatch) -> Iterator[tuple[int, list[bytes]]]:
    """A node server on an ephemeral port, and every buffer its channels sent."""
    sent: list[bytes] = []
    plain_send = QuietChannel.send

    def send(self, data, do_close=True):  # type: ignore[no-untyped-def]
        count = plain_send(self, data, do_close)
        sent.append(bytes(data[:count]))
        return count

    monkeypatch.setattr(QuietChannel, "send", send)
    app = Flask(__name__)

    @app.route("/small", methods=["GET", "POST"])
    def small():
        return jsonify(ok=True, length=len(request.get_data()))

    @app.get("/large")
    def large():
        return Response(b"x" * (JOIN_AT_MOST + 1), mimetype="application/octet-stream")

    @app.get("/stream")
    def stream():
        return Response((part for part in (b"one,", b"two,", b"three")), mimetype="text/plain")

    @app.get("/empty")
    def empty():
        return Response(b"", status=200)

    server = NodeServer(app, "127.0.0.1", 0, 2)
    thread = threading.Thread(target=server.run)
    thread.start()
    try:
        yield server.port, sent
    finally:
        server.stop()
        thread.join(timeout=10)


def _answers(port: int, raw: bytes, count: int) -> list[tuple[bytes, bytes]]:
    """Send ``raw`` (one or more requests) on one connection; read ``count`` answers."""
    answers = []
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(raw)
        data = b""
        while len(answers) < count:
            while b"\r\n\r\n" not in data:
                more = conn.recv(65536)
                assert more, f"closed after {len(answers)} answers"
                data += more
            head, _, data = data.partition(b"\r\n\r\n")
            fields = dict(
                (name.strip().lower(), value.strip())
                for name, _, value in (line.partition(b":") for line in head.split(b"\r\n")[1:])
            )  # fmt: skip
            if b"content-length" in fields:
                length = int(fields[b"content-length"])
                while len(data) < length:
                    data += conn.recv(65536)
                body, data = data[:length], data[length:]
            else:  # chunked: read to the last chunk
                while not data.endswith(b"0\r\n\r\n"):
                    data += conn.recv(65536)
                body, data = data, b""
            answers.append((head, body))
    return answers


def test_a_json_answer_leaves_in_one_send_and_the_connection_stays_open(served):
    port, sent = served
    get = b"GET /small HTTP/1.1\r\nHost: x\r\n\r\n"
    post = b"POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
    answers = _answers(port, get + post + get, 3)
    assert [head.split(b"\r\n")[0] for head, _ in answers] == [b"HTTP/1.1 200 OK"] * 3
    assert [body for _, body in answers] == [
        b'{"length":0,"ok":true}\n',
        b'{"length":5,"ok":true}\n',
        b'{"length":0,"ok":true}\n',
    ]
    # Each answer went out with its head and its body together: a send ends only where an
    # answer ends. Pipelined answers may share a send (waitress sends what its buffer
    # holds: on a busy box the second answer was queued before the first had left).
    wire = [head + b"\r\n\r\n" + body for head, body in answers]
    # The server's thread notes a send after it returns: the client may have read the last
    # answer a moment before the note is made.
    deadline = time.monotonic() + 10
    while len(b"".join(sent)) < len(b"".join(wire)) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert b"".join(sent) == b"".join(wire)
    answer_ends = set(itertools.accumulate(len(answer) for answer in wire))
    assert set(itertools.accumulate(len(buffer) for buffer in sent)) <= answer_ends, sent


def test_larger_streamed_bodiless_and_head_answers_are_sent_as_before(served):
    port, sent = served
    (head, body), = _answers(port, b"GET /large HTTP/1.1\r\nHost: x\r\n\r\n", 1)  # fmt: skip
    assert body == b"x" * (JOIN_AT_MOST + 1)
    assert sent[0] == head + b"\r\n\r\n"  # the head alone, then the body
    (head, body), = _answers(port, b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n", 1)  # fmt: skip
    assert b"transfer-encoding: chunked" in head.lower()
    assert body.replace(b"\r\n", b"").endswith(b"three0")
    (head, body), = _answers(port, b"GET /empty HTTP/1.1\r\nHost: x\r\n\r\n", 1)  # fmt: skip
    assert b"content-length: 0" in head.lower() and body == b""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(b"HEAD /small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while more := conn.recv(65536):
            data += more
    head, _, rest = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"content-length: 23" in head.lower()
    assert rest == b""  # a HEAD answer has no body, whatever its length says

