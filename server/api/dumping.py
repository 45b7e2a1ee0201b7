"""Responses dumped by their schemas at a fraction of marshmallow's cost, to the same result.

marshmallow serialises field by field through several calls each (accessor,
default, formatting), which on a student's home (about 200 fields) cost as much
as computing the home itself. A response is mostly dicts our services shaped
already, whose values have the field's own type: for those, a plan made once per
schema copies the declared keys and nothing else. Whatever the plan does not
know (a value of another type, an attribute missing, a field kind that formats,
a schema with dump hooks, an object that is not a dict) goes to marshmallow
itself, field by field or schema by schema, so the output is marshmallow's.

The test suite checks that on every response (``BAOBAB_CHECK_DUMPS=1``, set by
tests/conftest.py): both are computed and must be equal.
"""

from __future__ import annotations

import functools
import os
from typing import Any, Callable

from marshmallow import Schema, fields
from marshmallow.decorators import POST_DUMP, PRE_DUMP
from marshmallow.utils import missing

#: Field kinds whose value, when of exactly this type (or None), dumps as itself.
_PLAIN: dict[type, type] = {
    fields.String: str,
    fields.Integer: int,
    fields.Float: float,
    fields.Boolean: bool,
}

_CHECK = os.environ.get("BAOBAB_CHECK_DUMPS") == "1"

Dumper = Callable[[Any], Any]


def dump(schema: Schema, obj: Any) -> Any:
    """``schema.dump(obj)``, fast where it can be (see the module's docstring)."""
    result = _dumper(schema)(obj)
    if _CHECK:
        expected = schema.dump(obj)
        if _shape(result) != _shape(expected):
            raise AssertionError(
                f"fast dump of {type(schema).__name__} differs from marshmallow's:\n"
                f"{result!r}\n!=\n{expected!r}"
            )
    return result


def _shape(value: Any) -> Any:
    """Value with the types JSON keeps apart made visible (1 == 1.0 == True in Python),
    comparable with ``==``: a NaN (a Float field given the text "nan") equals a NaN."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_shape(v) for v in value]
    if isinstance(value, float) and value != value:
        return ("float", "nan")
    return (type(value).__name__, value)


@functools.cache
def _dumper(schema: Schema) -> Dumper:
    """A function dumping ``schema`` (with its ``many``), made once per schema instance."""
    one = _one_dumper(schema)
    if schema.many:
        return lambda objs: schema.dump(objs) if objs is None else [one(o) for o in objs]
    return one


def _one_dumper(schema: Schema) -> Dumper:
    if schema._hooks[PRE_DUMP] or schema._hooks[POST_DUMP]:
        return functools.partial(schema.dump, many=False)  # hooks: marshmallow's own way
    plan = [
        (
            attr,
            field.data_key if field.data_key is not None else attr,
            # A plain field's type, checked here rather than in a call per value (a
            # home has about 14,000 of them); None: the value dumper decides.
            None if "." in attr else _PLAIN.get(type(field)),
            # A dotted attribute is a path into the object: marshmallow follows it.
            None if "." in attr else _value_dumper(field),
        )
        for attr, field in schema.dump_fields.items()
    ]
    fallback = functools.partial(schema.dump, many=False)
    accessor = schema.get_attribute

    def dump_one(obj: Any) -> Any:
        if type(obj) is not dict:
            return fallback(obj)  # a model or any other object: marshmallow reads it
        out = {}
        for attr, key, plain, value_dumper in plan:
            value = obj.get(attr, missing)
            if value is missing or value_dumper is None:
                value = schema.dump_fields[attr].serialize(attr, obj, accessor=accessor)
                if value is missing:
                    continue
            elif plain is None or (value is not None and type(value) is not plain):
                value = value_dumper(value, attr, obj)
            out[key] = value
        return out

    return dump_one


def _value_dumper(field: fields.Field) -> Callable[[Any, str, Any], Any] | None:
    """How to dump a value present in the dict for ``field``; None: marshmallow does it."""
    kind = type(field)
    plain = _PLAIN.get(kind)
    if plain is not None:

        def plain_value(value: Any, attr: str, obj: Any) -> Any:
            if value is None or type(value) is plain:
                return value
            return field._serialize(value, attr, obj)

        return plain_value
    if kind is fields.Raw:
        return lambda value, attr, obj: value
    if kind is fields.Dict:
        return _dict_dumper(field)
    if kind is fields.Nested:
        return _nested_dumper(field)
    if kind is fields.List:
        inner = _inner_dumper(field.inner)
        if inner is None:
            return None

        plain = _PLAIN.get(type(field.inner))

        def list_value(value: Any, attr: str, obj: Any) -> Any:
            if value is None:
                return None
            return [
                each
                if plain is not None and (each is None or type(each) is plain)
                else inner(each, attr, obj)
                for each in value
            ]

        return list_value
    return None


def _dict_dumper(field: fields.Dict) -> Callable[[Any, str, Any], Any] | None:
    """A dict whose keys and values have their fields' own types dumps as a plain copy."""
    key_type, value_type = _mapped_type(field.key_field), _mapped_type(field.value_field)
    if key_type is None or value_type is None:
        return None  # a nested or formatting field inside: marshmallow does it
    mapping = field.mapping_type

    def dict_value(value: Any, attr: str, obj: Any) -> Any:
        if value is None:
            return None
        if type(value) is dict and all(
            (key_type is object or type(k) is key_type)
            and (value_type is object or v is None or type(v) is value_type)
            for k, v in value.items()
        ):
            return mapping(value)
        return field._serialize(value, attr, obj)

    return dict_value


def _mapped_type(field: fields.Field | None) -> type | None:
    """The type a dict's keys or values must have to be copied as they are: ``object``
    (any) for no field or a Raw one, which marshmallow passes through unchanged."""
    if field is None or type(field) is fields.Raw:
        return object
    return _PLAIN.get(type(field))


def _inner_dumper(inner: fields.Field) -> Callable[[Any, str, Any], Any] | None:
    """A list's element dumper (marshmallow calls the inner field's ``_serialize``)."""
    if type(inner) in _PLAIN or type(inner) in (fields.Raw, fields.Nested, fields.Dict):
        return _value_dumper(inner)
    return None


def _nested_dumper(field: fields.Nested) -> Callable[[Any, str, Any], Any] | None:
    try:
        nested = field.schema  # the nested schema instance, with its only/exclude
    except (TypeError, ValueError):
        return None
    many = nested.many or field.many
    if nested._hooks[PRE_DUMP] or nested._hooks[POST_DUMP]:
        return lambda value, attr, obj: None if value is None else nested.dump(value, many=many)
    one = _one_dumper(nested)

    def nested_value(value: Any, attr: str, obj: Any) -> Any:
        if value is None:
            return None
        if many:
            return [one(each) for each in value]
        return one(value)

    return nested_value
