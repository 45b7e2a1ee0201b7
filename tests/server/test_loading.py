"""Bodies and queries loaded the fast way are marshmallow's loads, and refused as marshmallow refuses."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate

from server.api import loading
from server.api.contract import _schema
from server.api.schemas.auth import StudentLoginSchema
from server.api.schemas.learning import AnswerCreateSchema, AttemptCreateSchema


def _either(load, schema, data):
    """What loading gives: ("ok", result) or ("error", marshmallow's messages)."""
    try:
        return "ok", load(schema, data)
    except ValidationError as error:
        return "error", error.messages


def _marshmallow(schema, data):
    return schema.load(data)


def _contract_schemas():
    """Every body and query schema of the API's views (server/api/*.py)."""
    import importlib
    import inspect
    import pkgutil

    import server.api

    found = set()
    for module_info in pkgutil.iter_modules(server.api.__path__):
        module = importlib.import_module(f"server.api.{module_info.name}")
        for view in vars(module).values():
            if not inspect.isfunction(view):
                continue
            contract = getattr(view, "contract", None)
            if contract is not None:
                found.update(s for s in (contract.body, contract.query) if s is not None)
    return sorted(found, key=lambda s: s.__name__)


def test_the_students_bodies_take_the_fast_way():
    for schema in (AnswerCreateSchema, AttemptCreateSchema, StudentLoginSchema):
        assert loading._plan(_schema(schema)) is not None, schema.__name__


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_body_loads_or_is_refused_exactly_as_marshmallow_does(data):
    """Random bodies built from each schema's own keys (and others), valid-looking values among them."""
    schema_class = data.draw(st.sampled_from(SCHEMAS))
    schema = _schema(schema_class)
    keys = list(schema.load_fields)
    good = {
        "id": "a" * 32,
        "item_id": "b" * 32,
        "activity_id": "c" * 32,
        "student_id": "d" * 32,
        "device_ms": 1_700_000_000_000,
        "started_ms": 1,
        "ended_ms": 2,
        "pictures": ["cat", "dog"],
        "response": 3,
        "completed": True,
    }
    body = {}
    for key in keys:
        choice = data.draw(st.sampled_from(["good", "random", "absent", "null"]))
        if choice == "good" and key in good:
            body[key] = good[key]
        elif choice == "random":
            body[key] = data.draw(_JSON)
        elif choice == "null":
            body[key] = None
    if data.draw(st.booleans()):
        body[data.draw(st.text(max_size=5))] = data.draw(_JSON)
    if data.draw(st.integers(0, 9)) == 0:
        body = data.draw(_JSON)
    assert _either(loading.load, schema, body) == _either(_marshmallow, schema, body)


SCHEMAS = _contract_schemas()


@pytest.mark.parametrize(
    "body",
    [
        {"id": "a" * 32, "item_id": "b" * 32, "response": 1, "device_ms": 5},
        {"id": "a" * 32, "item_id": "b" * 32, "response": 1, "device_ms": True},
        {"id": "a" * 32, "item_id": "b" * 32, "response": 1, "device_ms": 5.0},
        {"id": "a" * 32, "item_id": "b" * 32, "response": None, "device_ms": 5},
        {"id": "a" * 32, "item_id": "b" * 32, "response": 1},
        {"id": "a" * 32, "item_id": "b" * 32, "response": 1, "device_ms": 5, "extra": 1},
        {"id": "not an id!", "item_id": "b" * 32, "response": 1, "device_ms": 5},
        {"id": "a" * 32, "item_id": "b" * 32, "response": 1, "device_ms": 5, "hints_used": 101},
        {"id": "a" * 32, "item_id": "b" * 32, "response": 1, "device_ms": 5, "attempt_id": None},
        [],
        "text",
    ],
)
def test_an_answer_body_is_judged_as_marshmallow_judges_it(body):
    schema = _schema(AnswerCreateSchema)
    assert _either(loading.load, schema, body) == _either(_marshmallow, schema, body)


class Hooked(Schema):
    n = fields.Integer()

    @post_load
    def doubled(self, data, **kwargs):
        return {"n": data["n"] * 2}


class Excluding(Schema):
    class Meta:
        unknown = EXCLUDE

    word = fields.String(validate=validate.Length(max=3), load_default="x")
    flags = fields.List(fields.Boolean(), load_default=list)
    named = fields.String(data_key="Named")
    ratio = fields.Float()


def test_what_the_plan_does_not_know_is_left_to_marshmallow():
    assert loading._plan(Hooked()) is None
    assert loading.load(Hooked(), {"n": 2}) == {"n": 4}
    assert loading._plan(Excluding()) is None  # a data key, a float
    assert loading.load(Excluding(), {"Named": "a", "ratio": 1, "other": 2}) == {
        "named": "a",
        "ratio": 1.0,
        "word": "x",
        "flags": [],
    }
