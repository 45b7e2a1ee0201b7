"""The node's own certificate authority and the server certificate it issues itself.

A school has no public DNS name and no internet, so no public CA can vouch for
the node. Instead the node makes a CA once (kept in DATA_DIR/tls, private key
0600) and signs a short-lived server certificate for its LAN addresses and names
with it. A teacher installs the CA certificate on each tablet once; when DHCP
hands the node another address, the node signs a new server certificate with the
same CA and the tablets keep trusting it.

The CA is name-constrained to private addresses (and the /24 of any other address
the node had when it was made) and to the node's own names, so a stolen classroom
box cannot be used to impersonate web sites to the tablets that trust it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import ipaddress
import logging
import os
import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Union

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..config import check_host_name

TLS_DIR_NAME = "tls"
CA_KEY_FILE = "ca.key"
CA_CERT_FILE = "ca.pem"
# The server's certificate chain and its key in one file, replaced atomically.
SERVER_FILE = "server.pem"

CA_DAYS = 20 * 365
# Apple refuses TLS server certificates valid for more than 825 days, even from a
# CA the user installed; we re-issue well before the end anyway.
SERVER_DAYS = 800
REISSUE_BEFORE = dt.timedelta(days=30)
# A Raspberry Pi has no battery clock: a node that boots with a clock far behind
# must still issue certificates a tablet with the right time accepts.
CLOCK_FLOOR = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
BACKDATE = dt.timedelta(days=2)

# Where a classroom LAN lives: the CA may only vouch for these addresses.
PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10",
        "127.0.0.0/8", "fc00::/7", "fe80::/10", "::1/128",
    )
)  # fmt: skip

Address = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

log = logging.getLogger(__name__)


class CertificateError(RuntimeError):
    """Raised when the node's TLS files exist but cannot be used (wrong key, unreadable)."""


@dataclass(frozen=True)
class ServerNames:
    """What the server certificate must cover: DNS names and IP addresses."""

    dns: frozenset[str]
    ips: frozenset[Address]

    @classmethod
    def of(cls, dns: Iterable[str], ips: Iterable[str]) -> ServerNames:
        """Build from plain strings; names that are not valid host names are left out."""
        names = set()
        for name in dns:
            try:
                names.add(check_host_name(name))
            except ValueError:
                continue
        return cls(frozenset(names), frozenset(ipaddress.ip_address(a) for a in ips))


def machine_names(extra: Iterable[str] = ()) -> list[str]:
    """This machine's names: ``hostname``, ``hostname.local`` (mDNS), localhost, ``extra``."""
    host = socket.gethostname().split(".")[0].lower()
    return [host, f"{host}.local", "localhost", *extra]


def tls_dir(data_dir: str | Path) -> Path:
    """The directory of the node's CA and server certificate."""
    return Path(data_dir) / TLS_DIR_NAME


def ca_certificate_pem(data_dir: str | Path) -> bytes | None:
    """The CA certificate tablets install (PEM), or None if HTTPS never ran here."""
    path = tls_dir(data_dir) / CA_CERT_FILE
    return path.read_bytes() if path.is_file() else None


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 fingerprint as tablets show it: ``AB:CD:…``."""
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def permits(ca: x509.Certificate, name: str | Address) -> bool:
    """Whether the CA's name constraints allow it to vouch for ``name``."""
    try:
        constraints = ca.extensions.get_extension_for_class(x509.NameConstraints).value
    except x509.ExtensionNotFound:
        return True
    permitted = constraints.permitted_subtrees or []
    if isinstance(name, str):
        domains = [s.value for s in permitted if isinstance(s, x509.DNSName)]
        return not domains or any(name == d or name.endswith("." + d) for d in domains)
    networks = [s.value for s in permitted if isinstance(s, x509.IPAddress)]
    return not networks or any(name.version == n.version and name in n for n in networks)


def _now() -> dt.datetime:
    return max(dt.datetime.now(dt.timezone.utc), CLOCK_FLOOR)


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, readable by this user only."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Hold the TLS directory's lock: two processes never make two CAs."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(directory / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _key_usage(signs_certificates: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, key_cert_sign=signs_certificates, crl_sign=signs_certificates,
        content_commitment=False, key_encipherment=False, data_encipherment=False,
        key_agreement=False, encipher_only=False, decipher_only=False,
    )  # fmt: skip


def _ip_roots(ips: Iterable[Address]) -> list[IPNetwork]:
    """The private ranges, plus the /24 (IPv6: /64) of each other address the node has now:
    some schools number their LAN outside the private ranges."""
    roots = list(PRIVATE_NETWORKS)
    for ip in ips:
        if not any(ip.version == n.version and ip in n for n in roots):
            roots.append(
                ipaddress.ip_network(f"{ip}/{24 if ip.version == 4 else 64}", strict=False)
            )
    return roots


def _new_ca(
    label: str, dns_roots: Iterable[str], ip_roots: Iterable[IPNetwork]
) -> tuple[x509.Certificate, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Baobab"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"Baobab classroom CA ({label})"[:64]),
        ]
    )
    now = _now()
    permitted: list[x509.GeneralName] = [x509.DNSName(d) for d in sorted(set(dns_roots))]
    permitted += [x509.IPAddress(n) for n in ip_roots]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signs_certificates=True), critical=True)
        .add_extension(
            x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=None),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, _key_pem(key)


def ensure_ca(data_dir: str | Path, names: ServerNames) -> x509.Certificate:
    """Make the node's CA once (its name constraints cover ``names``); return its certificate."""
    directory = tls_dir(data_dir)
    with _locked(directory):
        cert_path, key_path = directory / CA_CERT_FILE, directory / CA_KEY_FILE
        if not cert_path.is_file():
            label = socket.gethostname().split(".")[0][:40]
            cert, key_pem = _new_ca(label, {"local", *names.dns}, _ip_roots(names.ips))
            _write_private(key_path, key_pem)
            # The certificate is public: tablets download it.
            _write_private(cert_path, _pem(cert))
            os.chmod(cert_path, 0o644)
        return x509.load_pem_x509_certificate(cert_path.read_bytes())


def _load_ca(directory: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    try:
        cert = x509.load_pem_x509_certificate((directory / CA_CERT_FILE).read_bytes())
        key = serialization.load_pem_private_key((directory / CA_KEY_FILE).read_bytes(), None)
    except (OSError, ValueError) as exc:
        raise CertificateError(f"cannot read the node's CA in {directory}: {exc}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != cert.public_key():
        raise CertificateError(f"{directory / CA_KEY_FILE} is not the key of {CA_CERT_FILE}")
    return cert, key


def _issue_server(
    ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey, names: ServerNames
) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    alt: list[x509.GeneralName] = [x509.DNSName(n) for n in sorted(names.dns)]
    alt += [x509.IPAddress(a) for a in sorted(names.ips, key=lambda a: (a.version, a))]
    cert = (
        x509.CertificateBuilder()
        # Not a host name, so no verifier applies name constraints to it.
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Baobab classroom node")]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + dt.timedelta(days=SERVER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signs_certificates=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return _pem(cert) + _pem(ca) + _key_pem(key)


def server_certificate(data_dir: str | Path) -> x509.Certificate | None:
    """The server certificate in use, or None when none was issued yet."""
    path = tls_dir(data_dir) / SERVER_FILE
    if not path.is_file():
        return None
    return x509.load_pem_x509_certificate(path.read_bytes())


def names_of(cert: x509.Certificate) -> ServerNames:
    """The DNS names and addresses a server certificate covers."""
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return ServerNames(
        frozenset(san.get_values_for_type(x509.DNSName)),
        frozenset(san.get_values_for_type(x509.IPAddress)),
    )


def allowed(ca: x509.Certificate, names: ServerNames) -> ServerNames:
    """``names`` less those the CA's name constraints forbid."""
    return ServerNames(
        frozenset(n for n in names.dns if permits(ca, n)),
        frozenset(a for a in names.ips if permits(ca, a)),
    )


def _still_good(cert: x509.Certificate | None, ca: x509.Certificate, names: ServerNames) -> bool:
    if cert is None or cert.issuer != ca.subject:
        return False
    if cert.not_valid_after_utc - dt.datetime.now(dt.timezone.utc) < REISSUE_BEFORE:
        return False
    held = names_of(cert)
    return names.dns <= held.dns and names.ips <= held.ips


def ensure_server_certificate(data_dir: str | Path, names: ServerNames) -> tuple[Path, bool]:
    """Make sure the server certificate covers ``names``; return its file and if it was re-issued.

    Names the CA may not vouch for are left out (they would make every browser
    refuse the certificate). The CA is made first if needed.
    """
    ca = ensure_ca(data_dir, names)
    wanted = allowed(ca, names)
    directory = tls_dir(data_dir)
    path = directory / SERVER_FILE
    with _locked(directory):
        if _still_good(server_certificate(data_dir), ca, wanted):
            return path, False
        ca, ca_key = _load_ca(directory)
        _write_private(path, _issue_server(ca, ca_key, wanted))
        left_out = sorted(map(str, names.dns - wanted.dns)) + sorted(
            map(str, names.ips - wanted.ips)
        )
        if left_out:
            log.warning(
                "the node's CA may not vouch for %s (made before they existed); "
                "tablets reach the node over https by its other names",
                ", ".join(left_out),
            )
    return path, True


__all__ = [
    "CertificateError",
    "ServerNames",
    "allowed",
    "ca_certificate_pem",
    "ensure_ca",
    "ensure_server_certificate",
    "fingerprint",
    "machine_names",
    "names_of",
    "permits",
    "server_certificate",
    "tls_dir",
]
