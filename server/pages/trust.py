"""Where a teacher gets the node's CA certificate onto the tablets, and the https address.

The certificate travels over plain http on the LAN, so the page shows its
SHA-256 fingerprint: the tablet's installer shows it too, and so does the log of
``baobab serve``; a teacher compares them once.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from flask import Blueprint, Response, current_app, render_template, request

from ..errors import NotFound
from ..node import certs
from . import words

bp = Blueprint("trust", __name__)

CA_FILE_NAME = "baobab-ca.crt"


def https_url(path: str = "/") -> str | None:
    """``path`` on this node's HTTPS server, at the host the browser used; None when off."""
    port = current_app.config.get("HTTPS_PORT")
    if not port:
        return None
    host = urlsplit("//" + request.host).hostname or "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"https://{host}:{port}{path}"


@bp.app_context_processor
def _secure_addresses() -> dict[str, Any]:
    # The start page points students to the https address when they came over http.
    secure = request.scheme == "https"
    return {"https_student_url": None if secure else https_url("/student/")}


@bp.get("/trust")
def trust_page():
    """How to install the node's certificate on tablets, with its fingerprint."""
    pem = certs.ca_certificate_pem(current_app.config["DATA_DIR"])
    ca = x509.load_pem_x509_certificate(pem) if pem else None
    response = current_app.response_class(
        render_template(
            "trust.html",
            https_on=bool(current_app.config.get("HTTPS_PORT")),
            fingerprint=certs.fingerprint(ca) if ca else None,
            ca_name=ca.subject.rfc4514_string() if ca else None,
            student_url=https_url("/student/"),
            ca_file=CA_FILE_NAME,
            t=words.for_request(request),
            languages=words.offered(),
        ),
        mimetype="text/html",
    )
    response.vary.add("Accept-Language")
    return response


@bp.get(f"/trust/{CA_FILE_NAME}")
def ca_certificate():
    """The node's CA certificate, in the form tablets' certificate installers take."""
    pem = certs.ca_certificate_pem(current_app.config["DATA_DIR"])
    if pem is None:
        raise NotFound("This node has no certificate yet: it makes one when HTTPS starts.")
    return Response(
        pem,
        mimetype="application/x-x509-ca-cert",
        headers={"Content-Disposition": f"attachment; filename={CA_FILE_NAME}"},
    )
