"""The HTTPS service in one process: waitress speaking TLS (handshake, pipelined records,
slow readers, the TLS goodbye, the plain port's bounds), the tablet's own address seen by
the app, certificate re-issued when the node's addresses change."""

from __future__ import annotations

import json
import logging
import socket
import ssl
import threading
import time

import pytest
from flask import Flask, jsonify, request

from server.node import certs
from server.node.runner import Limits
from server.node.tls import HttpsService
from tests.helpers.nodes import wait_for


@pytest.fixture
def addresses():
    return ["127.0.0.1"]


@pytest.fixture
def service(tmp_path, addresses):
    app = Flask("tls-test")
    app.config.update(DATA_DIR=str(tmp_path), HTTPS_NAMES="classroom-node.test")

    @app.route("/who", methods=["GET", "POST"])
    def who():
        return jsonify(
            addr=request.remote_addr, scheme=request.scheme, url=request.url,
            body=len(request.get_data()),
        )  # fmt: skip

    def names() -> certs.ServerNames:
        return certs.ServerNames.of(["localhost", "classroom-node.test"], addresses)

    https = HttpsService(app, 0, host="127.0.0.1", threads=2, names=names, check_every_s=3600)
    https.start()
    yield https
    https.stop()


def context(data_dir) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(data_dir / "tls" / "ca.pem"))


def send(port: int, ctx: ssl.SSLContext, raw: bytes, name: str = "classroom-node.test",
         source: str = "127.0.0.1") -> bytes:  # fmt: skip
    """Send raw requests over TLS (SNI ``name``) from ``source``; return all it answered."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    with ctx.wrap_socket(sock, server_hostname=name) as tls:
        tls.sendall(raw)
        data = b""
        while chunk := tls.recv(65536):
            data += chunk
    return data


def exchange(port: int, ctx: ssl.SSLContext, raw: bytes, **kw: str) -> tuple[bytes, dict]:
    """One request: the response's head and JSON body."""
    head, _, body = send(port, ctx, raw, **kw).partition(b"\r\n\r\n")
    return head, json.loads(body)


GET_WHO = b"GET /who HTTP/1.1\r\nHost: classroom-node.test\r\nConnection: close\r\n\r\n"


def test_app_sees_https_and_the_tablets_own_address(service, tmp_path):
    forged = GET_WHO.replace(b"Connection", b"X-Forwarded-For: 6.6.6.6\r\nConnection")
    head, body = exchange(service.port, context(tmp_path), forged, source="127.0.0.9")
    assert head.startswith(b"HTTP/1.1 200")
    assert body["scheme"] == "https" and body["url"] == "https://classroom-node.test/who"
    # The tablet's address (the TLS peer), not the forged header.
    assert body["addr"] == "127.0.0.9"
    assert wait_for(lambda: service.open_connections() == {})  # forgotten once closed


def test_large_bodies_and_keep_alive_pass_through(service, tmp_path):
    payload = b"x" * 1_500_000
    post = (
        b"POST /who HTTP/1.1\r\nHost: classroom-node.test\r\nContent-Type: text/plain\r\n"
        b"Content-Length: %d\r\n\r\n" % len(payload)
    ) + payload
    data = send(service.port, context(tmp_path), post + GET_WHO)
    # Two responses on one connection, in order.
    assert data.count(b"HTTP/1.1 200") == 2
    assert 0 < data.index(b'"body":1500000') < data.index(b'"body":0')


def test_a_tablet_that_does_not_trust_the_ca_is_refused_and_others_go_on(service, tmp_path):
    with pytest.raises(ssl.SSLCertVerificationError):
        exchange(service.port, ssl.create_default_context(), GET_WHO)
    assert exchange(service.port, context(tmp_path), GET_WHO)[1]["scheme"] == "https"


def test_new_address_gets_a_new_certificate_from_the_same_ca(service, tmp_path, addresses):
    ca_before = (tmp_path / "tls" / "ca.pem").read_bytes()
    ctx = context(tmp_path)
    assert service.refresh() is False
    addresses.append("10.20.30.40")  # DHCP gave the node another address
    assert service.refresh() is True
    sock = socket.create_connection(("127.0.0.1", service.port), timeout=10)
    with ctx.wrap_socket(sock, server_hostname="classroom-node.test") as tls:
        served = tls.getpeercert()
    assert ("IP Address", "10.20.30.40") in served["subjectAltName"]
    assert (tmp_path / "tls" / "ca.pem").read_bytes() == ca_before
    assert service.urls() == [f"https://10.20.30.40:{service.port}/"]


def test_stop_returns_promptly_with_idle_connections_open(tmp_path, addresses):
    app = Flask("tls-idle")
    app.config.update(DATA_DIR=str(tmp_path))
    https = HttpsService(app, 0, host="127.0.0.1", threads=1,
                         names=lambda: certs.ServerNames.of(["localhost"], addresses))  # fmt: skip
    https.start()
    idle = [
        context(tmp_path).wrap_socket(
            socket.create_connection(("127.0.0.1", https.port)), server_hostname="localhost"
        )
        for _ in range(3)
    ]
    # Each with its handshake done, then idle.
    assert wait_for(lambda: https.open_connections() == {"127.0.0.1": 3}, timeout=10)
    # The idle clients never leave: stop must close them, not wait for them. A bound in
    # seconds breaks on a loaded machine; what this catches is a stop that never returns,
    # so it gets a minute (a stop waiting on these clients would wait for ever).
    stopper = threading.Thread(target=https.stop)
    stopper.start()
    stopper.join(timeout=60)
    assert not stopper.is_alive(), "stop() is waiting for idle connections to leave"
    for sock in idle:
        sock.close()


def test_a_port_in_use_leaves_plain_http_running(tmp_path, caplog):
    """A node whose HTTPS port is taken must still serve the class over http."""
    app = Flask("tls-busy")
    app.config.update(DATA_DIR=str(tmp_path))
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    try:
        https = HttpsService(app, busy.getsockname()[1], host="127.0.0.1", threads=1,
                             names=lambda: certs.ServerNames.of(["localhost"], ["127.0.0.1"]))  # fmt: skip
        with caplog.at_level(logging.ERROR, logger="server.node.tls"):
            https.start()
        assert "serving plain http only" in caplog.text
        assert https.urls() == []
        https.stop()
    finally:
        busy.close()


def test_a_certificate_renewed_by_another_process_is_served_here_too(service, tmp_path, addresses):
    # Another serving process of the same node (each has its own TLS listener).
    other = HttpsService(service.app, 0, host="127.0.0.1", threads=1, names=service.names,
                         check_every_s=3600)  # fmt: skip
    other.start()
    try:
        addresses.append("10.20.30.41")  # DHCP moved the node
        assert service.refresh() is True  # the first to look renews the file
        assert other.refresh() is False  # the other finds it renewed already...
        sock = socket.create_connection(("127.0.0.1", other.port), timeout=10)
        with context(tmp_path).wrap_socket(sock, server_hostname="classroom-node.test") as tls:
            served = tls.getpeercert()
        # ...and serves it: no stale certificate for the tablets it answers.
        assert ("IP Address", "10.20.30.41") in served["subjectAltName"]
    finally:
        other.stop()


# -- TLS spoken by waitress's own channels ------------------------------------------------


def bounded_service(data_dir, limits: Limits) -> HttpsService:
    """A started service with ``limits``, answering /echo, /ok and /big."""
    app = Flask("tls-bounds")
    app.config.update(DATA_DIR=str(data_dir))

    @app.post("/echo")
    def echo():
        return jsonify(body=len(request.get_data()))

    @app.get("/ok")
    def ok():
        return jsonify(ok=True)

    @app.get("/big")
    def big():
        return BIG, 200, {"Content-Type": "application/octet-stream"}

    https = HttpsService(
        app, 0, host="127.0.0.1", threads=2, check_every_s=3600, limits=limits,
        names=lambda: certs.ServerNames.of(["localhost"], ["127.0.0.1"]),
    )  # fmt: skip
    https.start()
    return https


@pytest.fixture
def bounded(tmp_path):
    """A service with small bounds: 2 connections an address, headers within 1 s."""
    https = bounded_service(tmp_path, Limits(connections=250, per_client=2, idle_s=60, header_s=1))
    yield https
    https.stop()


BIG = bytes(range(256)) * (6 * 4096)  # 6 MiB, far more than the sockets' buffers hold
GET_OK = b"GET /ok HTTP/1.1\r\nHost: node\r\n\r\n"


def loose(data_dir) -> ssl.SSLContext:
    ctx = context(data_dir)
    ctx.check_hostname = False
    return ctx


def read_until_closed(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_a_stalled_handshake_is_dropped_within_the_header_timeout(bounded, tmp_path):
    stalled = socket.create_connection(("127.0.0.1", bounded.port), timeout=10)
    stalled.sendall(b"\x16\x03\x01\x00\xc8\x01")  # a ClientHello's first bytes, no more
    began = time.monotonic()
    try:
        # (Not first waited for as open: it is, for a second or two only, and a busy box can
        # keep this thread from looking until it is closed.)
        # Closed by the node (header_s is 1, maintenance each second): not left open for the
        # idle timeout (60 s), which a byte now and then would defeat anyway.
        assert read_until_closed(stalled) == b""
        assert time.monotonic() - began < 20  # not the 60 s idle timeout, on a busy box too
        assert wait_for(lambda: bounded.open_connections() == {}, timeout=5)
    finally:
        stalled.close()


def test_a_request_pipelined_in_the_same_record_is_answered(bounded, tmp_path):
    # One TLS record (under 16 KiB) bigger than waitress's 8 KiB read: the second request
    # stays decrypted inside OpenSSL, and no readable socket event will come for it.
    body = b"y" * 10_000
    post = b"POST /echo HTTP/1.1\r\nHost: node\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    raw = post + GET_OK.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")
    assert len(raw) < 16_384
    sock = socket.create_connection(("127.0.0.1", bounded.port), timeout=10)
    with loose(tmp_path).wrap_socket(sock, server_hostname="localhost") as tls:
        tls.write(raw)  # one write, one record
        answer = read_until_closed(tls)
    assert answer.count(b"HTTP/1.1 200") == 2
    assert answer.index(b'{"body":10000}') < answer.index(b'{"ok":true}')


def test_a_slow_reader_of_a_large_answer_gets_all_of_it(bounded, tmp_path):
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connecting: stays small
    sock.settimeout(30)
    sock.connect(("127.0.0.1", bounded.port))
    with loose(tmp_path).wrap_socket(sock, server_hostname="localhost") as tls:
        tls.sendall(b"GET /big HTTP/1.1\r\nHost: node\r\nConnection: close\r\n\r\n")
        answer, reads = b"", 0
        while chunk := tls.recv(16384):
            answer += chunk
            reads += 1
            if reads % 16 == 0:
                time.sleep(0.02)  # the node's writes find the socket full, time and again
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert body == BIG


def test_the_node_says_goodbye_in_tls_when_it_closes(bounded, tmp_path):
    sock = socket.create_connection(("127.0.0.1", bounded.port), timeout=10)
    # Without close_notify, this client raises SSLEOFError at the end instead of b"".
    tls = loose(tmp_path).wrap_socket(sock, server_hostname="localhost", suppress_ragged_eofs=False)
    with tls:
        tls.sendall(GET_OK.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
        answer = read_until_closed(tls)
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b'{"ok":true}\n')


def test_plain_http_on_the_tls_port_is_closed_unanswered_and_tls_goes_on(bounded, tmp_path,
                                                                        caplog):  # fmt: skip
    with caplog.at_level(logging.DEBUG, logger="server.node.tls"):
        plain = socket.create_connection(("127.0.0.1", bounded.port), timeout=10)
        try:
            plain.sendall(b"GET /ok HTTP/1.1\r\nHost: node\r\n\r\n")
            try:
                said = read_until_closed(plain)
            except ConnectionResetError:
                said = b""
        finally:
            plain.close()
        assert b"HTTP/" not in said and b"ok" not in said  # at most a TLS alert
        assert wait_for(lambda: bounded.open_connections() == {}, timeout=5)
    assert "handshake" in caplog.text and "ERROR" not in caplog.text  # quietly
    sock = socket.create_connection(("127.0.0.1", bounded.port), timeout=10)
    with loose(tmp_path).wrap_socket(sock, server_hostname="localhost") as tls:
        tls.sendall(GET_OK.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
        assert read_until_closed(tls).startswith(b"HTTP/1.1 200")


def test_the_tls_port_caps_connections_per_address_without_a_plaintext_word(bounded, tmp_path):
    ctx = loose(tmp_path)
    held = []
    try:
        for _ in range(2):
            sock = socket.create_connection(
                ("127.0.0.1", bounded.port), timeout=10, source_address=("127.0.0.2", 0)
            )
            held.append(ctx.wrap_socket(sock, server_hostname="localhost"))
        assert wait_for(lambda: bounded.open_connections() == {"127.0.0.2": 2}, timeout=5)
        third = socket.create_connection(
            ("127.0.0.1", bounded.port), timeout=10, source_address=("127.0.0.2", 0)
        )
        try:
            assert read_until_closed(third) == b""  # closed, no 503 in plaintext
        except ConnectionResetError:
            pass
        finally:
            third.close()
        # Another tablet is served, and so is this one once it closes a connection.
        sock = socket.create_connection(("127.0.0.1", bounded.port), timeout=10)
        with ctx.wrap_socket(sock, server_hostname="localhost") as tls:
            tls.sendall(GET_OK.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
            assert read_until_closed(tls).startswith(b"HTTP/1.1 200")
        held.pop().close()
        assert wait_for(lambda: bounded.open_connections().get("127.0.0.2") == 1, timeout=5)
        sock = socket.create_connection(
            ("127.0.0.1", bounded.port), timeout=10, source_address=("127.0.0.2", 0)
        )
        with ctx.wrap_socket(sock, server_hostname="localhost") as tls:
            tls.sendall(GET_OK.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
            assert read_until_closed(tls).startswith(b"HTTP/1.1 200")
    finally:
        for tls in held:
            tls.close()


def test_a_half_closed_tls_connection_is_closed_at_once(bounded, tmp_path):
    half = loose(tmp_path).wrap_socket(
        socket.create_connection(("127.0.0.1", bounded.port), timeout=10),
        server_hostname="localhost",
    )  # fmt: skip
    with half:
        half.sendall(GET_OK)
        assert half.recv(65536).startswith(b"HTTP/1.1 200")
        half.shutdown(socket.SHUT_WR)  # the tablet's side closed, with no TLS goodbye
        # Gone long before the idle timeout (60 s here).
        assert wait_for(lambda: bounded.open_connections() == {}, timeout=10)


def test_an_idle_tls_connection_is_closed_with_a_goodbye(tmp_path):
    https = bounded_service(tmp_path, Limits(connections=250, per_client=8, idle_s=1, header_s=1))
    try:
        idle = loose(tmp_path).wrap_socket(
            socket.create_connection(("127.0.0.1", https.port), timeout=10),
            server_hostname="localhost", suppress_ragged_eofs=False,
        )  # fmt: skip
        with idle:
            began = time.monotonic()
            assert read_until_closed(idle) == b""  # close_notify, or this raises
            assert time.monotonic() - began < 20  # the idle timeout here is 1 s; a busy box is slow
        assert wait_for(lambda: https.open_connections() == {}, timeout=5)
    finally:
        https.stop()
