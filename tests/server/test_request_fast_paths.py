"""Every shortcut on a request's path (issue 16 item 2) gives what the long way gives.

Each fast path here skips work only where it cannot change the result: the JSON walk
of a body that cannot break a bound, a JSON encoder kept between responses, a
session's ``seen_at`` parsed without peewee's strptime loop, Flask's question of whether a
view is a coroutine function answered once per function.
"""

from __future__ import annotations

import datetime
import functools
import json
import uuid

import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider
from hypothesis import given, settings
from hypothesis import strategies as st

from server import db as database
from server.app import Baobab, BoundedJSONProvider
from server.auth.sessions import seen_at_value
from server.interop import untrusted_json
from server.interop.untrusted_json import UntrustedJSONError
from server.models import WebSession

#: Text with lone surrogates, Hangul and brackets among the usual characters.
_TEXT = st.lists(st.characters() | st.sampled_from("[{\ud800\udfff\ud7a3é"), max_size=8).map("".join)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=40,
)


def _walked(data: bytes) -> object:
    """The long way: parse, then always walk."""
    try:
        value = json.loads(data)
    except (RecursionError, ValueError) as exc:
        raise UntrustedJSONError(str(exc)) from None
    return untrusted_json.check(value)


def _outcome(parse, data):
    try:
        return ("value", parse(data))
    except UntrustedJSONError:
        return ("refused", None)


@settings(max_examples=300, deadline=None)
@given(_JSON, st.sampled_from([None, 2]), st.booleans())
def test_a_body_parses_as_the_walk_parses_it(value, indent, ascii_only):
    """Any JSON, deep or not, escaped or raw UTF-8: the same value or the same refusal."""
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    data = text.encode("utf-8", "surrogatepass")
    assert _outcome(untrusted_json.loads, data) == _outcome(_walked, data)


@pytest.mark.parametrize(
    "data",
    [
        b"[" * 32 + b"]" * 32,  # as deep as allowed: the count says so, no walk needed
        b"[" * 33 + b"]" * 33,  # one deeper: refused
        b'{"a": "\\ud800"}',  # a lone surrogate, escaped
        b'{"\\udc00": 1}',  # in a key
        b'{"a": "\\ud83d\\ude00"}',  # a pair: fine
        b'{"a": "\\u0041", "b": [[[]]]}',
        '{"a": "\ud800"}'.encode("utf-8", "surrogatepass"),  # encoded raw: not UTF-8
        json.dumps({"a": "[[[[" * 20}).encode(),  # brackets in text: counted, then walked
        '{"a": "é"}'.encode("utf-16"),  # UTF-16 (with a BOM)
        '{"a": "\\ud800"}'.encode("utf-16-le"),
        '["\\ud800"]'.encode("utf-32"),
        b"\xef\xbb\xbf" + b'{"a": 1}',  # UTF-8 with a BOM
        b'{"a": 1',  # not JSON
    ],
)
def test_edge_bodies_parse_as_the_walk_parses_them(data):
    """The cases the shortcut's conditions exist for."""
    assert _outcome(untrusted_json.loads, data) == _outcome(_walked, data)


def test_the_shortcut_is_taken_for_an_everyday_answer():
    """An answer's body skips the walk; one with an escape or over the depth does not."""
    answer = b'{"id": "a1", "item_id": "i1", "response": ["x", "y"], "duration_ms": 4000}'
    assert untrusted_json.cannot_break_bounds(answer)
    assert not untrusted_json.cannot_break_bounds(b'{"r": "\\u00e9"}')
    assert not untrusted_json.cannot_break_bounds(b"[" * 33 + b"]" * 33)
    assert not untrusted_json.cannot_break_bounds('{"r": 1}')


@pytest.mark.parametrize("sort_keys", [True, False])
@pytest.mark.parametrize("debug", [True, False])
def test_kept_encoders_dump_as_flasks_provider_does(sort_keys, debug):
    """Responses and dumps are byte for byte Flask's, whatever the settings, and a
    setting changed after the first dump is obeyed."""
    value = {
        "b": [1, 2.5, None, True, "é\u2028<"],
        "a": {"z": 1, "y": [datetime.datetime(2026, 12, 4, 11, 0, 5)]},
        "d": datetime.date(2026, 12, 4),
    }
    ours, flasks = Flask("ours"), Flask("flasks")
    ours.json, flasks.json = BoundedJSONProvider(ours), DefaultJSONProvider(flasks)
    for app in (ours, flasks):
        app.debug = debug
    for ensure_ascii in (True, False):
        for app in (ours, flasks):
            app.json.sort_keys, app.json.ensure_ascii = sort_keys, ensure_ascii
        with ours.app_context():
            mine = ours.json.response(value).get_data(), ours.json.dumps(value)
        with flasks.app_context():
            theirs = flasks.json.response(value).get_data(), flasks.json.dumps(value)
        assert mine == theirs
        assert ours.json.dumps(value, indent=3) == flasks.json.dumps(value, indent=3)
        assert ours.json.dumps(value, cls=json.JSONEncoder, default=str) == flasks.json.dumps(
            value, cls=json.JSONEncoder, default=str
        )


@pytest.mark.parametrize(
    "stored",
    [
        "2026-12-04 11:53:24.123456",
        "2026-12-04 11:53:24",
        "2026-12-04",
        "2026-12-04 11:53:24.123+00",  # 26 long, with an offset: peewee's way
        "2026-12-04T11:53:24.123456",
        "2026-12-04 11:53:24.12345Z",
        datetime.datetime(2026, 12, 4, 11, 53, 24, 5),  # PostgreSQL gives a datetime
        None,
    ],
)
def test_seen_at_reads_as_the_field_reads_it(stored):
    """A session's ``seen_at`` is the value peewee's DateTimeField makes of it."""
    assert seen_at_value(stored) == WebSession.seen_at.python_value(stored)


def test_seen_at_of_a_stored_session_reads_as_the_field_reads_it(db):
    """What SQLite really stores round-trips through the fast parse."""
    for seen in (datetime.datetime(2026, 1, 2, 3, 4, 5), datetime.datetime(2026, 1, 2, 3, 4, 5, 6)):
        WebSession.delete().execute()
        WebSession.create(id_hash="f" * 64, person_id="p", credential="c", seen_at=seen)
        raw = db.execute_sql("SELECT seen_at FROM web_session").fetchone()[0]
        assert isinstance(raw, str) and seen_at_value(raw) == seen


def _plain_view() -> str:
    return "plain"


async def _async_view() -> str:
    return "async"


def _how_flask_syncs(app: Flask, func) -> tuple[str, object]:
    try:
        synced = app.ensure_sync(func)
    except RuntimeError as exc:  # async views need asgiref
        return ("refused", str(exc))
    return ("same", None) if synced is func else ("wrapped", synced())


@pytest.mark.parametrize("func", [_plain_view, _async_view, functools.partial(_async_view)])
def test_ensure_sync_answers_as_flask_does_every_time(func):
    """The remembered answer is Flask's, at the first call and at the next."""
    ours, flasks = Baobab("ours"), Flask("flasks")
    expected = _how_flask_syncs(flasks, func)
    assert _how_flask_syncs(ours, func) == expected
    assert _how_flask_syncs(ours, func) == expected


def test_ensure_sync_keeps_a_bounded_number_of_answers():
    """New functions at every call are answered, but not all remembered."""
    app = Baobab("bounded")
    for _ in range(Baobab.KEEP_AT_MOST + 50):
        func = lambda: 1  # noqa: E731 (a new function object at each turn)
        assert app.ensure_sync(func) is func
    assert len(app._plain) == Baobab.KEEP_AT_MOST


def test_a_new_event_stores_what_the_long_way_stores(app, world, db):
    """insert_new's converters kept per model give each column the value ``save`` gives it
    (the long way, taken inside a caller's transaction)."""
    from server.models import Answer, Attempt

    attempt = dict(partition="school:x", person_id=world.student, activity_id=world.activity,
                   started_ms=1, ended_ms=2, completed=True, received_ms=3)  # fmt: skip
    fast, slow = uuid.uuid4().hex, uuid.uuid4().hex
    assert Attempt(id=fast, **attempt).insert_new() is True
    with database.write_transaction():
        assert Attempt(id=slow, **attempt).insert_new() is True
    answer = dict(partition="school:x", deleted=False, person_id=world.student,
                  attempt_id=fast, activity_id=world.activity, item_id=world.item_choice,
                  response={"choice": ["é", 1, None]}, correct=True, hints_used=0,
                  duration_ms=None, device_ms=4, received_ms=5)  # fmt: skip
    for new_id in (fast + "a", slow + "a"):
        row = {**answer, "id": new_id}
        if new_id.startswith(fast):
            assert Answer(**row).insert_new() is True
        else:
            with database.write_transaction():
                assert Answer(**row).insert_new() is True
    for model, ids in ((Attempt, (fast, slow)), (Answer, (fast + "a", slow + "a"))):
        columns = [f.column_name for f in model._meta.sorted_fields
                   if f.name not in ("id", "origin", "counter", "hlc")]  # fmt: skip
        quoted = ", ".join(f'"{c}"' for c in columns)
        table = model._meta.table_name
        rows = [
            db.execute_sql(f'SELECT {quoted} FROM "{table}" WHERE "id" = ?', (i,)).fetchone()
            for i in ids
        ]
        assert rows[0] == rows[1]


@settings(max_examples=300, deadline=None)
@given(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TEXT | st.binary(max_size=4))
def test_values_kept_unconverted_are_what_the_converter_gives(value):
    """insert_new skips a column's ``db_value`` only for a value it gives back unchanged:
    same value, same type (True is not 1 in a BigIntegerField), for every field class
    listed, and never for a subclass (a JSONField or NameField converts)."""
    from peewee import BigIntegerField, BooleanField, CharField, IntegerField, TextField

    from server.models import base

    for kind in (CharField, TextField, IntegerField, BigIntegerField, BooleanField):
        kept = base._UNCHANGED[kind]
        if type(value) in kept:
            converted = kind().db_value(value)
            assert converted == value and type(converted) is type(value), (kind, value)
    assert base.JSONField not in base._UNCHANGED and base.NameField not in base._UNCHANGED


def test_every_column_of_an_answer_is_converted_or_kept_as_the_long_way(app):
    """Each column of an answer and an attempt: skipped only where ``_UNCHANGED`` says."""
    from server.models import Answer, Attempt, base

    with app.app_context():
        for model in (Answer, Attempt):
            _, _, converters, _ = base._insert_new_sql(model)
            for field, (name, convert, kept) in zip(model._meta.sorted_fields, converters):
                assert name == field.name
                if name in ("origin", "counter", "hlc"):
                    assert convert is None
                else:
                    assert kept == base._UNCHANGED.get(type(field), frozenset())
