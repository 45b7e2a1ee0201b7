"""Request bodies and queries loaded by their schemas for less, to marshmallow's result.

marshmallow loads field by field through an error store, a getter and several
calls per field; for a student's answer (seven fields) that was a few percent of
the request. Most of what the node receives is a flat JSON object of strings,
integers and booleans, valid as sent: for such a schema a plan made once copies
each present value whose type is the field's own, runs the field's validators and
fills the declared defaults. Anything else (a missing required field, a null, a
value of another type, a validator that refuses, an unknown key under RAISE, a
field kind or schema hook the plan does not know) is loaded by marshmallow itself,
so errors and their messages are marshmallow's and nothing invalid gets through.

The test suite checks every load (``BAOBAB_CHECK_DUMPS=1``, set by
tests/conftest.py): marshmallow loads the same input too, and both must agree.
"""

from __future__ import annotations

import functools
import os
from typing import Any, Callable

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA
from marshmallow.utils import missing

from .dumping import _shape

_CHECK = os.environ.get("BAOBAB_CHECK_DUMPS") == "1"

#: Field kinds loaded as themselves when the value has exactly this type.
_PLAIN: dict[type, type] = {fields.String: str, fields.Integer: int, fields.Boolean: bool}

#: A field's plan: (data key, loader); a loader returns the value, ``missing`` to
#: leave the key out, or raises _Unplanned.
Plan = tuple[tuple[str, Callable[[Any], Any]], ...]


class _Unplanned(Exception):
    """This input is marshmallow's to load (it may well be an error)."""


def load(schema: Schema, data: Any) -> Any:
    """``schema.load(data)``, fast where it can be (see the module's docstring)."""
    result = _fast(schema, data)
    if result is None:
        return schema.load(data)
    if _CHECK:
        try:
            expected = schema.load(data)
        except ValidationError as error:
            raise AssertionError(
                f"fast load of {type(schema).__name__} took what marshmallow refuses: "
                f"{data!r}: {error.messages}"
            ) from error
        if _shape(result) != _shape(expected):
            raise AssertionError(
                f"fast load of {type(schema).__name__} differs from marshmallow's:\n"
                f"{result!r}\n!=\n{expected!r}"
            )
    return result


def _fast(schema: Schema, data: Any) -> dict[str, Any] | None:
    """The loaded dict, or None when marshmallow must do it."""
    plan = _plan(schema)
    if plan is None or type(data) is not dict:
        return None
    keys, loaders, strict = plan
    if strict and not data.keys() <= keys:
        return None  # an unknown key: marshmallow says which
    result = {}
    try:
        for key, loader in loaders:
            value = loader(data.get(key, missing))
            if value is not missing:
                result[key] = value
    except _Unplanned:
        return None
    return result


@functools.cache
def _plan(schema: Schema) -> tuple[frozenset[str], Plan, bool] | None:
    """The plan of a schema instance, or None when it is not a plain one."""
    hooks = schema._hooks
    if (
        schema.many
        or schema.partial
        or any(hooks[tag] for tag in (PRE_LOAD, POST_LOAD, VALIDATES, VALIDATES_SCHEMA))
    ):
        return None
    if schema.unknown not in (RAISE, EXCLUDE):
        return None
    loaders = []
    for name, field in schema.load_fields.items():
        if field.data_key is not None or field.attribute is not None:
            return None
        loader = _field_loader(field)
        if loader is None:
            return None
        loaders.append((name, loader))
    keys = frozenset(name for name, _ in loaders)
    return keys, tuple(loaders), schema.unknown == RAISE


def _field_loader(field: fields.Field) -> Callable[[Any], Any] | None:
    """A loader for one field, or None when marshmallow must load it."""
    if getattr(field, "pre_load", None) or getattr(field, "post_load", None):
        return None
    kind = type(field)
    if kind is fields.List:
        inner = field.inner
        if type(inner) not in _PLAIN:
            return None
        if getattr(inner, "pre_load", None) or getattr(inner, "post_load", None):
            return None
        load_each = _value_loader(inner, _PLAIN[type(inner)])
        return _present_or_default(field, _list_loader(load_each, field.validators))
    if kind is fields.Raw:
        return _present_or_default(field, _checked(lambda value: value, field.validators))
    if kind not in _PLAIN:
        return None
    return _present_or_default(field, _value_loader(field, _PLAIN[kind]))


def _value_loader(field: fields.Field, exact: type) -> Callable[[Any], Any]:
    """Load a present, non-null value of exactly ``exact``'s type (anything else: unplanned).

    Such a value is what marshmallow's String, Integer (strict or not) and Boolean
    return for it unchanged; a bool is not taken for an Integer (its type is bool).
    """

    def typed(value: Any) -> Any:
        if type(value) is not exact:
            raise _Unplanned
        return value

    return _checked(typed, field.validators)


def _checked(load_value: Callable[[Any], Any], validators: list[Any]) -> Callable[[Any], Any]:
    """``load_value`` followed by the field's validators; any refusal is marshmallow's to say."""
    if not validators:
        return load_value
    checks = tuple(validators)

    def load_and_check(value: Any) -> Any:
        value = load_value(value)
        for check in checks:
            try:
                if check(value) is False:
                    raise _Unplanned
            except ValidationError as error:
                raise _Unplanned from error
        return value

    return load_and_check


def _list_loader(load_each: Callable[[Any], Any], validators: list[Any]) -> Callable[[Any], Any]:
    def load_list(value: Any) -> Any:
        if type(value) is not list:
            raise _Unplanned
        return [load_each(each) for each in value]

    return _checked(load_list, validators)


def _present_or_default(
    field: fields.Field, load_value: Callable[[Any], Any]
) -> Callable[[Any], Any]:
    """Missing: the field's default (or left out); null: None if allowed; else load it."""
    required, allow_none, default = field.required, field.allow_none, field.load_default

    def load_field(value: Any) -> Any:
        if value is missing:
            if required:
                raise _Unplanned
            return default() if callable(default) else default
        if value is None:
            if not allow_none:
                raise _Unplanned
            return None
        return load_value(value)

    return load_field
