"""The OpenAPI 3 document, generated from the endpoint contracts and their schemas."""

from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from ..version import __version__
from .contract import Contract, page_schema
from .schemas.common import ErrorSchema

_PARAM = re.compile(r"<(?:([a-z]+):)?([a-zA-Z_][a-zA-Z0-9_]*)>")

_ERROR_TEXT = {
    401: "Not signed in, or wrong credentials.",
    403: "Signed in, but not allowed.",
    404: "No such thing, or not yours to see.",
    409: "Conflicts with what is stored.",
    413: "Body too large.",
    415: "Body is not JSON.",
    422: "Invalid input.",
    429: "Too many failed sign-ins.",
}


def _operation(contract: Contract, path_params: list[tuple[str, str]]) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": contract.summary, "responses": {}}
    if contract.rule.signed_in:
        op["security"] = [{"bearer": []}, {"session": []}]
    parameters: list[dict[str, Any]] = [
        {
            "in": "path",
            "name": name,
            "required": True,
            "schema": {"type": "integer", "minimum": 0} if kind == "int" else {"type": "string"},
        }
        for kind, name in path_params
    ]
    if contract.query is not None:
        parameters.append({"in": "query", "schema": contract.query})
    if parameters:
        op["parameters"] = parameters
    if contract.body is not None:
        op["requestBody"] = {
            "required": not contract.body_optional,
            "content": {"application/json": {"schema": contract.body}},
        }
    if contract.raw_body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {contract.raw_body: {"schema": {"type": "string", "format": "binary"}}},
        }
    if contract.response is not None:
        schema: Any = contract.response
        if contract.paginated:
            schema = page_schema(contract.response)
        elif contract.many:
            schema = {"type": "array", "items": contract.response}
        op["responses"][str(contract.status)] = {
            "description": "OK",
            "content": {"application/json": {"schema": schema}},
        }
    elif contract.raw_response:
        op["responses"][str(contract.status)] = {
            "description": "OK",
            "content": {contract.raw_response: {"schema": {"type": "string", "format": "binary"}}},
        }
    else:
        op["responses"][str(contract.status)] = {"description": "Done, nothing to return."}
    errors = set(contract.errors)
    if contract.rule is not None and not contract.rule.signed_in and contract.body is not None:
        errors.add(401)  # sign-in endpoints answer wrong credentials with 401
    if contract.rule.signed_in:
        errors |= {401, 403}
    if path_params:
        errors.add(404)
    if contract.body is not None or contract.raw_body is not None:
        errors |= {413, 415, 422}
    if contract.query is not None:
        errors.add(422)
    for status in sorted(errors):
        op["responses"][str(status)] = {
            "description": _ERROR_TEXT.get(status, "Error."),
            "content": {"application/json": {"schema": "Error"}},
        }
    return op


def build_spec(app: Flask) -> dict[str, Any]:
    """Return the OpenAPI document of every API endpoint of ``app``."""
    spec = APISpec(
        title="Baobab classroom node API",
        version=__version__,
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "JSON API of a Baobab node. Errors share one shape: Error."},
    )
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": "session"}
    )
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        contract = getattr(view, "contract", None)
        if contract is None or not rule.rule.startswith("/api/"):
            continue
        path = _PARAM.sub(r"{\2}", rule.rule)
        params = _PARAM.findall(rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(contract, params)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
