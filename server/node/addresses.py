"""Where students reach this node, as text and as a QR code, and what it keeps on disk.

The address is the one the teacher's browser used, when that is an address a
tablet can use too; a teacher on the node's own console (localhost) gets the
machine's LAN addresses instead. The https address comes first when the node
serves https and has its CA (tablets install it once, from /trust).
"""

from __future__ import annotations

import io
import ipaddress
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import segno

from ..db import SQLITE_FILE_NAME, is_sqlite
from ..db.blobs import blob_path
from ..models import Asset, Photo
from . import certs
from .runner import lan_addresses

STUDENT_PATH = "/student/"


def _is_local(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _hosts(request_host: str) -> tuple[list[str], int | None]:
    parts = urlsplit("//" + request_host)
    host = parts.hostname or "127.0.0.1"
    if _is_local(host):
        found = [a for a in lan_addresses() if not a.startswith("127.")]
        return (found or [host]), parts.port
    return [host], parts.port


def _url(scheme: str, host: str, port: int | None) -> str:
    shown = f"[{host}]" if ":" in host else host
    default = 443 if scheme == "https" else 80
    at = "" if port in (None, default) else f":{port}"
    return f"{scheme}://{shown}{at}{STUDENT_PATH}"


def student_addresses(
    request_host: str, scheme: str, config: dict[str, Any]
) -> list[dict[str, Any]]:
    """The addresses students open, https first when it is served: ``{url, https}`` each."""
    hosts, port = _hosts(request_host)
    found = []
    https_port = config.get("HTTPS_PORT")
    if https_port and certs.ca_certificate_pem(config["DATA_DIR"]) is not None:
        found += [{"url": _url("https", h, https_port), "https": True} for h in hosts]
    if scheme == "http":
        found += [{"url": _url("http", h, port), "https": False} for h in hosts]
    elif not found:
        found += [{"url": _url(scheme, h, port), "https": scheme == "https"} for h in hosts]
    return found


def qr_svg(text: str, title: str) -> bytes:
    """A QR code of ``text`` as an SVG document (dark on white, quiet zone kept)."""
    out = io.BytesIO()
    segno.make(text, error="m").save(
        out, kind="svg", scale=4, border=4, xmldecl=False, title=title, svgclass="qr"
    )
    return out.getvalue()


def _blob_bytes(data_dir: str, digests: set[str]) -> int:
    total = 0
    for sha256 in digests:
        try:
            total += blob_path(data_dir, sha256).stat().st_size
        except (OSError, ValueError):
            continue  # not here (yet), or not a digest: nothing on disk
    return total


def storage(data_dir: str) -> dict[str, Any]:
    """Bytes on disk: the database (with its WAL), photos, content files; free space."""
    data = Path(data_dir)
    database = 0
    if is_sqlite():
        for suffix in ("", "-wal", "-shm"):
            path = data / (SQLITE_FILE_NAME + suffix)
            database += path.stat().st_size if path.exists() else 0
    photos = {p.sha256 for p in Photo.live(Photo.sha256)}
    content = {a.id for a in Asset.live(Asset.id)} - photos  # an asset's id is its digest
    try:
        free = shutil.disk_usage(data).free
    except OSError:
        free = None
    return {
        "database_bytes": database,
        "photos_bytes": _blob_bytes(data_dir, photos),
        "content_bytes": _blob_bytes(data_dir, content),
        "free_bytes": free,
    }
