"""The one place errors become JSON: ``{"error": {"status", "code", "message", "details"}}``."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from ..errors import BaobabError, TooManyAttempts

log = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "internal",
    503: "unavailable",
}


def error_response(status: int, message: str, code: str | None = None, details: Any = None):
    """Build the JSON error response every error goes out as."""
    body = {
        "error": {
            "status": status,
            "code": code or _CODES.get(status, "error"),
            "message": message,
            "details": details,
        }
    }
    return jsonify(body), status


def register(app: Flask) -> None:
    """Install the error handlers on ``app``."""

    @app.errorhandler(BaobabError)
    def _baobab(exc: BaobabError):
        response, status = error_response(exc.status, exc.message, exc.code, exc.details)
        if isinstance(exc, TooManyAttempts):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response, status

    @app.errorhandler(ValidationError)
    def _invalid(exc: ValidationError):
        return error_response(422, "The request has invalid fields.", "invalid", exc.messages)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        if status == 400:
            # Malformed JSON and friends: the body is not usable input.
            return error_response(422, exc.description or "Bad request.", "invalid")
        return error_response(status, exc.description or exc.name)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "Something went wrong on the server; it has been logged.")
