"""The node's own CA and the server certificate it issues itself (server/node/certs.py)."""

from __future__ import annotations

import ipaddress
import stat
import threading

import pytest
from cryptography import x509
from cryptography.x509 import verification as v

from server.config import ConfigError, load_settings
from server.node import certs

NAMES = certs.ServerNames.of(
    ["baobab-pi", "baobab-pi.local", "localhost", "classroom-node.test"],
    ["192.168.1.23", "127.0.0.1"],
)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leaf(data_dir) -> x509.Certificate:
    cert = certs.server_certificate(data_dir)
    assert cert is not None
    return cert


def verify(data_dir, name: str) -> None:
    """Verify the server chain for ``name`` as a browser would: CA as the only root, name
    constraints and SANs checked (cryptography's WebPKI verifier)."""
    ca = x509.load_pem_x509_certificate(certs.ca_certificate_pem(data_dir))
    try:
        subject = v.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        subject = v.DNSName(name)
    verifier = v.PolicyBuilder().store(v.Store([ca])).build_server_verifier(subject)
    verifier.verify(leaf(data_dir), [])


def test_ca_made_once_with_private_key_and_server_cert_covers_every_name(tmp_path):
    path, reissued = certs.ensure_server_certificate(tmp_path, NAMES)
    assert reissued
    tls = tmp_path / "tls"
    assert mode(tls) == 0o700
    assert mode(tls / "ca.key") == 0o600 and mode(path) == 0o600
    assert mode(tls / "ca.pem") == 0o644
    held = certs.names_of(leaf(tmp_path))
    assert held.dns == {"baobab-pi", "baobab-pi.local", "localhost", "classroom-node.test"}
    assert {str(a) for a in held.ips} == {"192.168.1.23", "127.0.0.1"}
    for name in ("baobab-pi.local", "classroom-node.test", "192.168.1.23", "127.0.0.1"):
        verify(tmp_path, name)
    with pytest.raises(v.VerificationError):
        verify(tmp_path, "192.168.1.24")
    # The chain in the file is leaf then CA, and the key is in it (one atomic file).
    text = path.read_text()
    assert text.count("BEGIN CERTIFICATE") == 2 and "BEGIN PRIVATE KEY" in text


def test_same_names_keep_the_certificate(tmp_path):
    certs.ensure_server_certificate(tmp_path, NAMES)
    first = leaf(tmp_path).serial_number
    assert certs.ensure_server_certificate(tmp_path, NAMES) == (tmp_path / "tls/server.pem", False)
    assert leaf(tmp_path).serial_number == first


def test_new_address_reissues_the_server_cert_with_the_same_ca(tmp_path):
    certs.ensure_server_certificate(tmp_path, NAMES)
    ca_before = certs.ca_certificate_pem(tmp_path)
    key_before = (tmp_path / "tls/ca.key").read_bytes()
    moved = certs.ServerNames.of(NAMES.dns, ["10.4.0.17", "127.0.0.1"])  # DHCP moved the node
    _, reissued = certs.ensure_server_certificate(tmp_path, moved)
    assert reissued
    assert certs.ca_certificate_pem(tmp_path) == ca_before
    assert (tmp_path / "tls/ca.key").read_bytes() == key_before
    verify(tmp_path, "10.4.0.17")  # a tablet that trusted the CA before trusts this one
    with pytest.raises(v.VerificationError):
        verify(tmp_path, "192.168.1.23")
    assert mode(tmp_path / "tls/server.pem") == 0o600


def test_names_the_ca_may_not_vouch_for_are_left_out(tmp_path):
    """The CA is constrained to private addresses and the names it was made for: a stolen
    classroom box cannot impersonate a web site to the tablets."""
    certs.ensure_server_certificate(tmp_path, NAMES)
    ca = x509.load_pem_x509_certificate(certs.ca_certificate_pem(tmp_path))
    assert certs.permits(ca, "anything.local") and certs.permits(ca, "classroom-node.test")
    assert not certs.permits(ca, "example.com") and not certs.permits(
        ca, "evil-classroom-node.test"
    )
    assert not certs.permits(ca, ipaddress.ip_address("8.8.8.8"))
    wider = certs.ServerNames.of([*NAMES.dns, "example.com"], ["192.168.1.99", "8.8.8.8"])
    _, reissued = certs.ensure_server_certificate(tmp_path, wider)
    assert reissued  # for 192.168.1.99
    held = certs.names_of(leaf(tmp_path))
    assert "example.com" not in held.dns
    assert ipaddress.ip_address("8.8.8.8") not in held.ips
    # Asking again does not re-issue for ever.
    assert certs.ensure_server_certificate(tmp_path, wider)[1] is False


def test_a_certificate_near_its_end_is_reissued(tmp_path, monkeypatch):
    certs.ensure_server_certificate(tmp_path, NAMES)
    monkeypatch.setattr(certs, "REISSUE_BEFORE", certs.dt.timedelta(days=certs.SERVER_DAYS + 1))
    assert certs.ensure_server_certificate(tmp_path, NAMES)[1] is True
    days = (leaf(tmp_path).not_valid_after_utc - leaf(tmp_path).not_valid_before_utc).days
    assert days <= 825  # Apple's limit for TLS server certificates


def test_concurrent_starts_make_one_ca(tmp_path):
    made: list[str] = []

    def start() -> None:
        made.append(certs.fingerprint(certs.ensure_ca(tmp_path, NAMES)))

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 4 and len(set(made)) == 1


def test_a_ca_key_that_does_not_match_is_refused(tmp_path):
    certs.ensure_server_certificate(tmp_path, NAMES)
    other = tmp_path / "other"
    certs.ensure_ca(other, NAMES)
    (tmp_path / "tls/ca.key").write_bytes((other / "tls/ca.key").read_bytes())
    moved = certs.ServerNames.of(NAMES.dns, ["10.4.0.17"])
    with pytest.raises(certs.CertificateError, match="not the key"):
        certs.ensure_server_certificate(tmp_path, moved)


def test_https_settings(tmp_path):
    env = {"BAOBAB_DATA_DIR": str(tmp_path), "BAOBAB_HTTPS_NAMES": "Classroom-Node.test, ecole.lan"}
    values = load_settings(env)
    assert values["HTTPS_PORT"] == 8443
    assert values["HTTPS_NAMES"] == ("classroom-node.test", "ecole.lan")
    with pytest.raises(ConfigError, match="HTTPS_NAMES"):
        load_settings({**env, "BAOBAB_HTTPS_NAMES": "bad name!"})
    assert load_settings({**env, "BAOBAB_HTTPS_PORT": "0"})["HTTPS_PORT"] == 0


def test_a_lan_outside_the_private_ranges_is_covered_from_the_start(tmp_path, caplog):
    """Some schools number their LAN outside the private ranges: the CA made on such a
    LAN may vouch for its /24, and a later foreign address is left out with a warning."""
    odd = certs.ServerNames.of(["localhost"], ["192.0.2.2", "127.0.0.1"])
    certs.ensure_server_certificate(tmp_path, odd)
    assert ipaddress.ip_address("192.0.2.2") in certs.names_of(leaf(tmp_path)).ips
    verify(tmp_path, "192.0.2.2")
    moved = certs.ServerNames.of(["localhost"], ["192.0.2.77", "198.51.100.7"])
    with caplog.at_level("WARNING", logger="server.node.certs"):
        certs.ensure_server_certificate(tmp_path, moved)
    assert {str(a) for a in certs.names_of(leaf(tmp_path)).ips} == {"192.0.2.77"}
    assert "198.51.100.7" in caplog.text
