"""The exceptions of the server package: one root, one subclass per case.

Each maps to an HTTP status, and ``server.api.errors`` turns every one of them
(and every werkzeug and marshmallow error) into the single JSON error shape.
"""

from __future__ import annotations

from typing import Any


class BaobabError(Exception):
    """Root of every error the server raises on purpose."""

    status = 500
    code = "error"

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(BaobabError):
    """Raised when input is well-formed JSON but breaks a rule (422)."""

    status = 422
    code = "invalid"


class NotSignedIn(BaobabError):
    """Raised when an endpoint needs a signed-in person and there is none (401)."""

    status = 401
    code = "unauthenticated"


class Forbidden(BaobabError):
    """Raised when the signed-in person may not do this (403)."""

    status = 403
    code = "forbidden"


class NotFound(BaobabError):
    """Raised when the thing asked for does not exist, or not for this person (404)."""

    status = 404
    code = "not_found"


class Conflict(BaobabError):
    """Raised when a write contradicts what is stored, e.g. a reused id (409)."""

    status = 409
    code = "conflict"


class TooManyAttempts(BaobabError):
    """Raised when sign-ins failed too often; carries the seconds to wait (429)."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, {"retry_after": retry_after})
        self.retry_after = retry_after


class ImmutableRowError(BaobabError):
    """Raised when code tries to change a stored event (events are immutable)."""

    status = 409
    code = "immutable"


class ContentPackError(BaobabError):
    """Raised when a content pack fails validation; ``details`` lists every problem."""

    status = 422
    code = "invalid_pack"


class PackTooLarge(ContentPackError):
    """Raised when a content pack is, or unpacks to, more than the limit (413)."""

    status = 413
    code = "too_large"
