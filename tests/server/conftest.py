"""Fixtures of the server tests that several modules share."""

from __future__ import annotations

import pytest

from tests.helpers.pg import ThrowawayPostgres


@pytest.fixture(scope="module")
def postgres():
    """A throw-away PostgreSQL cluster for the module's tests."""
    cluster = ThrowawayPostgres().start()
    yield cluster
    cluster.stop()
