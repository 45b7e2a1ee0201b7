"""Fixtures of the server tests that several modules share."""

from __future__ import annotations

import pytest

from server import db as database
from tests.helpers.pg import ThrowawayPostgres


@pytest.fixture(scope="module")
def postgres():
    """A throw-away PostgreSQL cluster for the module's tests."""
    cluster = ThrowawayPostgres().start()
    yield cluster
    cluster.stop()


@pytest.fixture
def statements(app, monkeypatch):
    """Every SQL statement SQLite runs on the app's connections, in order."""
    seen: list[str] = []
    database.close_all()
    target = database.db.obj
    connect = target._connect

    def traced(*args, **kwargs):
        conn = connect(*args, **kwargs)
        conn.set_trace_callback(seen.append)
        return conn

    monkeypatch.setattr(target, "_connect", traced)
    yield seen
    database.close_all()
