"""One misbehaving device must not take the node down (issue 11, finding 8).

Each test plays the device from a loopback address of its own (127.0.0.2) and
the class from 127.0.0.1, as tablets on a LAN each have their own address.
"""

from __future__ import annotations

import json
import socket
import ssl
import struct
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from flask import Flask, jsonify

from server.node import certs
from server.node.runner import Limits
from server.node.tls import HttpsService
from server.services.demo import DEMO_TEACHER
from sync.auth import HEADER_NODE, HEADER_SEQ, HEADER_SIGNATURE
from tests.helpers.nodes import Browser, ServedNode, wait_for

DEVICE = "127.0.0.2"  # the misbehaving laptop
HALF_REQUEST = b"GET /api/v1/auth/me HTTP/1.1\r\nHost: node\r\nX-Slow: "  # never finished


def _from_device(port: int, timeout: float = 10) -> socket.socket:
    return socket.create_connection(
        ("127.0.0.1", port), timeout=timeout, source_address=(DEVICE, 0)
    )


def _closed_by_server(sock: socket.socket) -> bool:
    """True once the server has closed ``sock`` (EOF or reset); reads what it said."""
    sock.setblocking(False)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True


def _rss_peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


@pytest.fixture
def node(tmp_path):
    env = {
        "BAOBAB_WORKERS": "1",  # one process: its caps and its memory are the ones measured
        "BAOBAB_HTTPS_PORT": "0",
        "BAOBAB_HEADER_TIMEOUT_S": "2",
        "BAOBAB_SYNC_MAX_BODY_BYTES": str(48_000_000),
    }
    served = ServedNode(tmp_path / "node", env=env).start()
    yield served
    served.stop()


def test_idle_half_requests_do_not_block_class(node):
    # More half-requests than waitress's old limit of 100 connections, all from one device.
    device = []
    for _ in range(120):
        sock = _from_device(node.port)
        try:
            sock.sendall(HALF_REQUEST)
        except OSError:  # refused at its cap and already closed by the node
            pass
        device.append(sock)
    try:
        teacher = Browser(node.url)  # the class, from its own address, signs in and works
        teacher.login(*DEMO_TEACHER)
        status, body = teacher.call("GET", "/api/v1/auth/me")
        assert status == 200, body
        # The refused ones were told why, in the one error shape.
        told = []
        for sock in device:
            sock.settimeout(5)
            try:
                told.append(sock.recv(4096))
            except OSError:
                told.append(b"")
            if told[-1]:
                break
        assert told[-1].startswith(b"HTTP/1.1 503"), told[-1]
        error = json.loads(told[-1].split(b"\r\n\r\n", 1)[1])["error"]
        assert (error["status"], error["code"]) == (503, "rate_limited")
    finally:
        for sock in device:
            sock.close()


def test_slow_headers_are_cut_off(node):
    # A request whose headers trickle in is closed after HEADER_TIMEOUT_S, however busy.
    sock = _from_device(node.port)
    try:
        sock.sendall(HALF_REQUEST)
        assert wait_for(lambda: (sock.send(b"x"), _closed_by_server(sock))[1], timeout=30)
    except (BrokenPipeError, ConnectionResetError):
        pass  # closed: what the test wants
    finally:
        sock.close()


def test_unsigned_huge_sync_post_is_refused_before_reading(node):
    body = b"\0" * 40_000_000  # within the limit: only its sender is wrong
    before = _rss_peak_kb(node.proc.pid)
    for seq in range(1, 4):
        request = urllib.request.Request(
            node.url + "/api/v1/sync", data=body, method="POST",
            headers={"Content-Type": "application/x-baobab-sync", HEADER_NODE: "n-unknown",
                     HEADER_SEQ: str(seq), HEADER_SIGNATURE: "00" * 64},
        )  # fmt: skip
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=60)
        assert refused.value.code == 403
        with refused.value as answer:
            assert json.loads(answer.read())["error"]["code"] == "forbidden"
    # A declared length over the limit is refused by its headers alone, too.
    request = urllib.request.Request(
        node.url + "/api/v1/sync", data=b"\0" * 50_000_000, method="POST",
        headers={"Content-Type": "application/x-baobab-sync", HEADER_NODE: "n-unknown",
                 HEADER_SEQ: "9", HEADER_SIGNATURE: "00" * 64},
    )  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as too_large:
        urllib.request.urlopen(request, timeout=60)
    too_large.value.close()
    # Who is asking is checked first (the matrix wants 401/403 from strangers), then the length.
    assert too_large.value.code == 403
    grown_mb = (_rss_peak_kb(node.proc.pid) - before) / 1024
    # Reading one body alone would have taken 40 MB (and its signature check a copy more).
    assert grown_mb < 20, f"the node's peak memory grew {grown_mb:.0f} MB"


# ---------------------------------------------------------------- the TLS port


@pytest.fixture
def https(tmp_path):
    app = Flask("tls-abuse")
    app.config.update(DATA_DIR=str(tmp_path))

    @app.get("/ok")
    def ok():
        return jsonify(ok=True)

    service = HttpsService(
        app, 0, host="127.0.0.1", threads=2, check_every_s=3600,
        names=lambda: certs.ServerNames.of(["localhost"], ["127.0.0.1"]),
        limits=Limits(connections=250, per_client=4, idle_s=60, header_s=2),
    )  # fmt: skip
    service.start()
    yield service
    service.stop()


def _tls_context(tmp_path) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(tmp_path / "tls" / "ca.pem"))
    ctx.check_hostname = False
    return ctx


def _https_get(tmp_path, port: int, source: str = "127.0.0.1") -> dict:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    with _tls_context(tmp_path).wrap_socket(sock, server_hostname="localhost") as tls:
        tls.sendall(b"GET /ok HTTP/1.1\r\nHost: node\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := tls.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    return json.loads(body)


def test_idle_tls_connections_do_not_block_https(https, tmp_path):
    ctx = _tls_context(tmp_path)
    device = []
    for _ in range(120):  # more than waitress's old limit of 100, handshakes done
        sock = _from_device(https.port)
        try:
            device.append(ctx.wrap_socket(sock, server_hostname="localhost"))
        except OSError:  # refused at its cap before any TLS
            sock.close()
    try:
        assert len(device) <= 4
        assert _https_get(tmp_path, https.port) == {"ok": True}
    finally:
        for sock in device:
            sock.close()


def _reset(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()  # an RST, no TLS goodbye: the tablet left the Wi-Fi


def _keep_alive_request(tls: ssl.SSLSocket) -> None:
    tls.sendall(b"GET /ok HTTP/1.1\r\nHost: node\r\n\r\n")
    answer = b""
    while not answer.endswith(b"}\n") and not answer.endswith(b"}"):
        answer += tls.recv(65536)
    assert answer.startswith(b"HTTP/1.1 200")


def test_dropped_tls_connections_free_their_slot(https, tmp_path):
    ctx = _tls_context(tmp_path)
    for _round in range(3):  # each round takes every slot the device has
        device = [
            ctx.wrap_socket(_from_device(https.port), server_hostname="localhost") for _ in range(4)
        ]
        for tls in device:
            _keep_alive_request(tls)  # served, then idle on a kept-alive connection
        for tls in device:
            _reset(tls)
        # Freed as soon as the node sees the reset, not at an idle timeout.
        assert wait_for(lambda: DEVICE not in https.open_connections())
    assert _https_get(tmp_path, https.port, source=DEVICE) == {"ok": True}
