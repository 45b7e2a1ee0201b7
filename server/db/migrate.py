"""Numbered migrations (server/migrations/NNNN_name.py) and the schema checks of ``check``."""

from __future__ import annotations

from typing import Any

from peewee import Database
from playhouse.migrations import Runner
from playhouse.schema_diff import diff_models

from ..models import ALL_MODELS
from ..paths import MIGRATIONS_DIR
from . import db, is_sqlite


def _runner() -> Runner:
    return Runner(db.obj, str(MIGRATIONS_DIR))


def migrate(target: str | None = None) -> list[str]:
    """Apply pending migrations in order (up to ``target``); return the names applied."""
    return _runner().up(target)


def pending() -> list[str]:
    """Names of migrations not yet applied."""
    return [m.name for m in _runner().status() if not m.applied and m.path]


def schema_drift(database: Database | None = None) -> Any:
    """What differs between the database and today's models (falsy when nothing)."""
    return diff_models(database or db.obj, list(ALL_MODELS))


def integrity_problems() -> list[str]:
    """SQLite's integrity check, as a list of problems (empty when sound)."""
    if not is_sqlite():
        return []
    rows = db.execute_sql("PRAGMA integrity_check").fetchall()
    return [r[0] for r in rows if r[0] != "ok"]
