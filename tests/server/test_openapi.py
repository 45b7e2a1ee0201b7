"""The OpenAPI document covers every endpoint, and the API keeps its word under fuzzing."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from tests.helpers import examples


def test_document_lists_every_api_endpoint(client, app):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:[a-z]+:)?(\w+)>", r"{\1}", rule.rule)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (method, path) in documented
    assert "Error" in doc["components"]["schemas"]


# Sync messages are binary: send what hypothesis makes as the raw bytes.
schemathesis.serializer.alias("application/x-baobab-sync", "application/octet-stream")
schemathesis.serializer.alias("application/zip", "application/octet-stream")  # content packs
schemathesis.serializer.alias("application/gzip", "application/octet-stream")  # backups


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def _fuzz(operation, examples: int, headers: list[dict], **strategy_kwargs) -> None:
    @given(case=operation.as_strategy(**strategy_kwargs))
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        for extra in headers:
            # Business rules may refuse schema-valid input with 422 (a text answer to a
            # numeric item); every other check stays on.
            case.call_and_validate(headers=extra, excluded_checks=[positive_data_acceptance])

    check()


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["random ids", "real ids", "negative"])
def test_api_conforms_to_its_document(app, world, mode):
    """No 5xx and no response outside the documented schemas, for anyone calling."""
    callers = [{}] + [{"Authorization": f"Bearer {world.tokens[w]}"} for w in ("admin", "student")]
    real_ids = {
        "classroom_id": world.class_a, "person_id": world.student, "activity_id": world.activity,
    }  # fmt: skip
    fuzzed = 0
    for operation in _operations(app):
        kwargs = {}
        if mode == "real ids":
            names = {p.name for p in operation.path_parameters}
            kwargs["path_parameters"] = {k: v for k, v in real_ids.items() if k in names}
        if mode == "negative":
            kwargs["generation_mode"] = GenerationMode.NEGATIVE
        try:
            _fuzz(operation, examples(15), callers, **kwargs)
            fuzzed += 1
        except Unsatisfiable:
            # An operation with no parameters or body has no invalid form to send.
            assert mode == "negative", operation.label
    assert fuzzed >= 20
