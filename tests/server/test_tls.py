"""The HTTPS service in one process: TLS terminator, inner waitress, the tablet's address
passed to the app, certificate re-issued when the node's addresses change."""

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
from server.node.tls import HttpsService


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
    # The tablet's address, not the terminator's loopback, and not the forged header.
    assert body["addr"] == "127.0.0.9"
    assert service._clients == {}  # forgotten when the connection closed


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
    # Each relayed to the inner waitress (handshakes done), then idle.
    deadline = time.monotonic() + 10
    while len(https._clients) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(https._clients) == 3
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
