"""`baobab serve` over HTTPS, end to end: waitress in a subprocess, its certificate verified
by Python's ssl against the node's own CA, the CA downloadable from the plain start page."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import stat
import time
import urllib.error
import urllib.request
from html import unescape

import pytest
from cryptography import x509

from server.node import certs
from tests.helpers.nodes import ServedNode
from tests.helpers.pg import free_port


class NamedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1 while checking the certificate for another host name (SNI)."""

    def __init__(self, port: int, name: str, context: ssl.SSLContext) -> None:
        super().__init__("127.0.0.1", port, context=context, timeout=30)
        self.name, self.tls_context = name, context

    def connect(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self.tls_context.wrap_socket(sock, server_hostname=self.name)


@pytest.fixture
def https_node(tmp_path, monkeypatch):
    port = free_port()
    monkeypatch.setenv("BAOBAB_HTTPS_PORT", str(port))
    monkeypatch.setenv("BAOBAB_HTTPS_NAMES", "classroom-node.test")
    node = ServedNode(tmp_path / "node").start()
    node.https_port = port
    yield node
    node.stop()


@pytest.mark.slow
def test_serve_answers_over_https_with_its_own_ca(https_node):
    data_dir = https_node.data_dir
    ca_file = data_dir / "tls" / "ca.pem"
    context = ssl.create_default_context(cafile=str(ca_file))
    assert stat.S_IMODE((data_dir / "tls" / "ca.key").stat().st_mode) == 0o600

    # By address, verified by Python's ssl against the node's CA only.
    with urllib.request.urlopen(
        f"https://127.0.0.1:{https_node.https_port}/healthz", context=context, timeout=30
    ) as response:
        assert json.loads(response.read())["status"] == "ok"
    # By the configured name: the student app and the API, scheme https as Flask sees it.
    conn = NamedHTTPSConnection(https_node.https_port, "classroom-node.test", context)
    conn.request(
        "GET", "/student/", headers={"Host": f"classroom-node.test:{https_node.https_port}"}
    )
    page = conn.getresponse()
    assert page.status == 200 and b"/client/student/app.js" in page.read()
    conn.request("GET", "/", headers={"Host": f"classroom-node.test:{https_node.https_port}"})
    start = conn.getresponse().read().decode()
    assert 'href="/student/"' in start  # already secure: no detour
    conn.close()
    # A client that trusts only the public CAs is refused.
    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
        urllib.request.urlopen(f"https://127.0.0.1:{https_node.https_port}/healthz", timeout=30)

    # The plain start page leads students to the app that works for their tablet (the
    # plain one, which names the https app: a tablet that trusts the node moves there)
    # and teachers to the certificate.
    with urllib.request.urlopen(https_node.url + "/", timeout=30) as response:
        start = response.read().decode()
    assert 'href="/student/"' in start and 'href="/trust"' in start
    with urllib.request.urlopen(https_node.url + "/student/", timeout=30) as response:
        plain_app = response.read().decode()
    secure = f"https://127.0.0.1:{https_node.https_port}/student/"
    assert f'name="baobab-secure-app" content="{secure}"' in plain_app
    with urllib.request.urlopen(https_node.url + "/trust/baobab-ca.crt", timeout=30) as response:
        assert response.headers.get_content_type() == "application/x-x509-ca-cert"
        assert response.read() == ca_file.read_bytes()
    with urllib.request.urlopen(https_node.url + "/trust", timeout=30) as response:
        trust = response.read().decode()
    ca = x509.load_pem_x509_certificate(ca_file.read_bytes())
    assert certs.fingerprint(ca) in trust and "Chromebook" in trust and "iPad" in trust
    french = urllib.request.Request(https_node.url + "/trust", headers={"Accept-Language": "fr"})
    with urllib.request.urlopen(french, timeout=30) as response:
        trust = unescape(response.read().decode())
    assert certs.fingerprint(ca) in trust and "Réglages → Général" in trust
    assert "Faire confiance au Baobab de cette classe" in trust and "Settings" not in trust


@pytest.mark.slow
def test_restart_keeps_the_ca_and_stops_promptly(https_node):
    ca_before = (https_node.data_dir / "tls" / "ca.pem").read_bytes()
    began = time.monotonic()
    https_node.stop()
    assert time.monotonic() - began < 5
    again = ServedNode(https_node.data_dir, port=https_node.port).start()
    try:
        assert (https_node.data_dir / "tls" / "ca.pem").read_bytes() == ca_before
        context = ssl.create_default_context(cafile=str(https_node.data_dir / "tls" / "ca.pem"))
        url = f"https://127.0.0.1:{https_node.https_port}/healthz"
        with urllib.request.urlopen(url, context=context, timeout=30) as response:
            assert response.status == 200
    finally:
        again.stop()


def test_https_off_means_no_listener_and_says_so(tmp_path):
    node = ServedNode(tmp_path / "node").start()  # BAOBAB_HTTPS_PORT=0 (tests/conftest.py)
    try:
        assert not (tmp_path / "node" / "tls").exists()
        with urllib.request.urlopen(node.url + "/trust", timeout=30) as response:
            assert "HTTPS is off" in response.read().decode()
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(node.url + "/trust/baobab-ca.crt", timeout=30)
        assert refused.value.code == 404
        assert json.loads(refused.value.read())["error"]["status"] == 404
    finally:
        node.stop()
