"""Rows read by compiled queries (db.model_from_row) are the rows peewee itself reads."""

from __future__ import annotations

from server.db import db as database
from server.db import model_from_row
from server.models import ALL_MODELS


def test_model_from_row_builds_what_peewee_builds(db):
    compared = 0
    for model in ALL_MODELS:
        for row in model.select().limit(20):  # the demo school: every kind of value
            query = model.select().where(model._meta.primary_key == row._pk).sql()
            values = database.execute_sql(*query).fetchone()
            made = model_from_row(model, values)
            assert made.__data__ == row.__data__, model.__name__
            assert [type(v) for v in made.__data__.values()] == [
                type(v) for v in row.__data__.values()
            ], model.__name__
            assert not made._dirty and made.__rel__ == {}
            compared += 1
    assert compared > 100  # most tables of the demo school hold rows
