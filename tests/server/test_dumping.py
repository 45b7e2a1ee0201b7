"""Responses dumped the fast way are marshmallow's dumps, value for value and type for type."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, fields, post_dump

from server.api import dumping


class Inner(Schema):
    name = fields.String()
    score = fields.Float()
    titles = fields.Dict(keys=fields.String(), values=fields.String())
    params = fields.Dict(keys=fields.String(), values=fields.Raw())  # a reason's numbers


class Hooked(Schema):
    n = fields.Integer()

    @post_dump
    def doubled(self, data, **kwargs):
        return {"n": data["n"] * 2}


class Outer(Schema):
    id = fields.String(required=True)
    count = fields.Integer()
    ok = fields.Boolean()
    ratio = fields.Float()
    raw = fields.Raw()
    free = fields.Dict()
    when = fields.Date()
    label = fields.String(data_key="Label")
    secret = fields.String(load_only=True)
    tags = fields.List(fields.String())
    inner = fields.Nested(Inner)
    inners = fields.List(fields.Nested(Inner))
    many_inner = fields.Nested(Inner, many=True)
    hooked = fields.Nested(Hooked)
    path = fields.String(attribute="deep.path")
    fallback = fields.String(dump_default="none given")


CASES = [
    {"id": "a", "count": 3, "ok": True, "ratio": 0.5, "tags": ["x", "y"]},
    {"id": "b", "count": True, "ok": 1, "ratio": 2, "tags": [1, None]},  # types to convert
    {"id": 7, "count": "4", "ratio": None, "raw": {"any": [1, "thing"]}, "free": {"k": 1}},
    {"id": "c", "when": __import__("datetime").date(2026, 12, 3), "label": "shown as Label"},
    {"id": "d", "secret": "never dumped", "deep": {"path": "followed"}},
    {"id": "e", "inner": {"name": "n", "score": 1, "titles": {"en": "One", "fr": None}}},
    {"id": "f", "inners": [{"name": "a", "titles": {"en": 3}}, None], "many_inner": [{}]},
    {"id": "g", "hooked": {"n": 21}, "inner": None, "inners": None, "tags": None},
    {"id": "h", "inner": {"name": "n", "extra": "not in the schema"}, "unknown": 1},
    {"id": "i", "inner": {"params": {"skill": "Fractions", "level": 0.4, "seen": [1, None]}}},
    {"id": "j", "inner": {"params": {3: "a key to make text", "ok": None}}, "inners": [{"params": None}]},
]


@pytest.mark.parametrize("case", CASES)
def test_fast_dump_is_marshmallows(case):
    schema = Outer()
    fast = dumping._dumper(schema)(case)
    assert fast == schema.dump(case)
    assert dumping._shape(fast) == dumping._shape(schema.dump(case))  # True is not 1


def test_many_and_objects_that_are_not_dicts():
    class Row:
        id, count, ok = "r", 2, False

    schema = Outer(many=True)
    rows = [Row(), {"id": "d", "count": 1}]
    assert dumping._dumper(schema)(rows) == schema.dump(rows)


def test_a_dict_of_raw_values_is_copied_without_marshmallow(monkeypatch):
    """A home's reasons carry their numbers in such a dict, about twenty per home."""
    case = {"name": "n", "params": {"skill": "Fractions", "level": 0.4}}
    expected = Inner().dump(case)

    def refused(*args, **kwargs):
        raise AssertionError("marshmallow dumped a dict the plan copies")

    monkeypatch.setattr(fields.Dict, "_serialize", refused)
    assert dumping._dumper(Inner())(case) == expected


def test_a_fast_dump_that_differs_is_caught(monkeypatch):
    """The suite's check (BAOBAB_CHECK_DUMPS) fails a response the fast way got wrong."""
    monkeypatch.setattr(dumping, "_CHECK", True)
    schema = Inner()
    monkeypatch.setattr(dumping, "_dumper", lambda s: lambda obj: {"name": "wrong"})
    with pytest.raises(AssertionError, match="differs from marshmallow"):
        dumping.dump(schema, {"name": "right"})


_ANY_VALUE = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=3)
)


@settings(max_examples=300, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "id": _ANY_VALUE,
            "count": _ANY_VALUE,
            "ok": _ANY_VALUE,
            "ratio": _ANY_VALUE,
            "label": _ANY_VALUE,
            "tags": st.none() | st.lists(_ANY_VALUE, max_size=4),
            "inner": st.none() | st.fixed_dictionaries({}, optional={"name": _ANY_VALUE, "score": _ANY_VALUE}),
        },
    )
)
# Found by chance in a run: the text "NAN" dumps as a NaN both ways, and NaN != NaN.
@example({"ratio": "NAN"})
def test_plain_values_checked_inline_dump_as_marshmallow(case):
    """Plain fields and lists of them, checked inside the plan's loop rather than by a
    call per value: any value of any type (True in an Integer, 1 in a Float, an int in a
    String, None) dumps as marshmallow dumps it, type for type."""
    schema = Outer()
    try:
        expected = schema.dump(case)
    except (TypeError, ValueError, OverflowError) as exc:  # refused: so by the fast way
        with pytest.raises(type(exc)):
            dumping._dumper(schema)(case)
        return
    fast = dumping._dumper(schema)(case)
    assert dumping._shape(fast) == dumping._shape(expected)
