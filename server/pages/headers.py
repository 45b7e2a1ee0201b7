"""Security headers on every response, set in one place (registered by ``create_app``).

Every page and answer gets ``nosniff``, a referrer policy, a frame ban and a
Content-Security-Policy: pages may load script, style, fonts, pictures and media
from this node only, never inline script. Files that came from outside (content
assets, students' photos) are served under a stricter policy of their own
(``FILE_CSP``): opened directly, even an SVG runs no script and reaches nothing.
"""

from __future__ import annotations

from flask import Flask, Response

#: The policy of the node's own pages and apps (no inline script or style anywhere).
PAGE_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob: data:",  # blob: the photo preview before upload
        "media-src 'self' blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

#: The policy of files from outside: no script, no requests, a sandboxed document.
FILE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; media-src 'self'; "
    "frame-ancestors 'none'; sandbox"
)

_ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


#: Every security header, by its name in lower case (as looked up in a response).
_EVERY = tuple(
    (name.lower(), name, value)
    for name, value in (*_ALWAYS.items(), ("Content-Security-Policy", PAGE_CSP))
)


def as_untrusted_file(response: Response) -> Response:
    """Mark a response that carries a file from outside (asset, photo) for the strict policy."""
    response.headers["Content-Security-Policy"] = FILE_CSP
    return response


def register(app: Flask) -> None:
    """Add the security headers to every response of ``app``, errors included."""

    @app.after_request
    def _security_headers(response: Response) -> Response:
        # One look at the headers already set (a view's own policy stays), then each
        # missing one added: setdefault looked each name up twice, by exception.
        headers = response.headers
        present = {name.lower() for name, _ in headers.items()}
        if "content-disposition" in present and headers["Content-Disposition"].startswith("inline"):
            # send_file's "inline; filename=…" says what a browser does anyway: the app's
            # files need no such line (a tablet's first load counts every byte of each).
            del headers["Content-Disposition"]
        for lower, name, value in _EVERY:
            if lower not in present:
                headers.add(name, value)
        return response
