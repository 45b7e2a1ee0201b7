"""The ``endpoint`` decorator: an API view's rule, schemas and documented errors.

Views stay thin: the decorator checks the role rule, loads the query and body
with their schemas (422 on bad input), calls the view and dumps its result with
the response schema. The same declaration generates the OpenAPI document, so
the contract and the code cannot drift apart.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable

from flask import Response, g, jsonify, request
from marshmallow import EXCLUDE, Schema, fields, validate

from ..auth.access import Rule
from . import dumping, loading

_PAGE_SCHEMAS: dict[type[Schema], type[Schema]] = {}


class PageQuery(Schema):
    """Pagination of every list: 1-based page and its size."""

    class Meta:
        unknown = EXCLUDE

    # Query values arrive as text, so these integers are not strict.
    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    per_page = fields.Integer(load_default=None, validate=validate.Range(1, 500))


def page_schema(item_schema: type[Schema]) -> type[Schema]:
    """The schema of one page of ``item_schema`` items (made once per item schema)."""
    if item_schema not in _PAGE_SCHEMAS:
        name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
        _PAGE_SCHEMAS[item_schema] = Schema.from_dict(
            {
                "items": fields.List(fields.Nested(item_schema), required=True),
                "page": fields.Integer(required=True),
                "per_page": fields.Integer(required=True),
                "total": fields.Integer(required=True),
            },
            name=name,
        )
    return _PAGE_SCHEMAS[item_schema]


@dataclass(frozen=True)
class Contract:
    """What an endpoint accepts, returns, and who may call it."""

    rule: Rule
    summary: str
    body: type[Schema] | None
    query: type[Schema] | None
    response: type[Schema] | None
    status: int
    many: bool
    paginated: bool
    errors: tuple[int, ...]
    raw_response: str | None
    raw_body: str | None = None
    body_optional: bool = False


@functools.cache
def _schema(schema: type[Schema], many: bool = False) -> Schema:
    """One instance per schema: marshmallow schemas keep no state between loads and dumps."""
    return schema(many=many)


def endpoint(
    rule: Rule,
    summary: str,
    *,
    body: type[Schema] | None = None,
    query: type[Schema] | None = None,
    response: type[Schema] | None = None,
    status: int = 200,
    many: bool = False,
    paginated: bool = False,
    errors: tuple[int, ...] = (),
    raw_response: str | None = None,
    raw_body: str | None = None,
    body_optional: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare an API view: its rule, summary, schemas, status and extra errors.

    ``body_optional``: a request with no body at all (no content, no content type) is
    read as ``{}``, the body schema's defaults; a body sent is loaded as always.
    """
    if paginated and query is None:
        query = PageQuery
    if response is None and raw_response is None and status == 200:
        status = 204  # nothing to return
    contract = Contract(
        rule,
        summary,
        body,
        query,
        response,
        status,
        many,
        paginated,
        errors,
        raw_response,
        raw_body,
        body_optional,
    )

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(**path_args: Any) -> Any:
            rule.check(g.get("user"))
            if query is not None or body is not None:
                asked = request._get_current_object()  # one proxy lookup, not one per use
                if query is not None:
                    path_args["query"] = loading.load(_schema(query), asked.args.to_dict())
                if body is not None:
                    sent = (
                        {} if body_optional and not asked.content_length and not asked.mimetype
                        else asked.get_json()
                    )  # fmt: skip
                    path_args["body"] = loading.load(_schema(body), sent)
            result = view(**path_args)
            if response is None:
                return result if result is not None else ("", status)
            if isinstance(result, Response):  # made already (a view kept between polls)
                return result
            if paginated:
                return jsonify(dumping.dump(_schema(page_schema(response)), result)), status
            return jsonify(dumping.dump(_schema(response, many), result)), status

        wrapper.contract = contract  # type: ignore[attr-defined]
        return wrapper

    return decorate


def kept_json(body: bytes, tag: str) -> Response:
    """A view kept between polls, as JSON with its ETag; 304 when the caller has it already.

    Only after the caller's rights to the view were checked: a tag says nothing about
    who may see the bytes. ``no-cache``: the browser keeps the answer and asks again
    each time with If-None-Match, so an unchanged view costs a short 304.
    """
    headers = {"ETag": f'"{tag}"', "Cache-Control": "private, no-cache"}
    if request.if_none_match.contains(tag):
        return Response(status=304, headers=headers)
    return Response(body, mimetype="application/json", headers=headers)


def paginate(select: Any, page_query: dict[str, Any], default_size: int) -> dict[str, Any]:
    """Run one page of a peewee select and return the page envelope."""
    per_page = page_query.get("per_page") or default_size
    page = page_query.get("page") or 1
    return {
        "items": list(select.paginate(page, per_page)),
        "page": page,
        "per_page": per_page,
        "total": select.count(),
    }
