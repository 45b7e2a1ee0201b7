"""Looking rows up by id: live rows only, and a clear 404 for the missing."""

from __future__ import annotations

from typing import Any

from ..db import model_from_row, run_compiled
from ..errors import NotFound


def row_by_id(model: Any, row_id: str, live: bool = True) -> Any:
    """The row of ``model`` with that id (live ones only, unless asked), or None.

    Every API request looks rows up by id (the signed-in person, the item
    answered, the class...): the query is compiled once per model (db.run_compiled).
    """

    def build(mark: str) -> Any:
        where = model.id == mark
        if live:
            where &= model.deleted == False  # noqa: E712
        return model.select().where(where)

    found = run_compiled(("by-id", model, live), build, row_id).fetchone()
    return None if found is None else model_from_row(model, found)


def live_by_id(model: Any, row_id: str) -> Any:
    """The live row of ``model`` with that id, or None (see row_by_id)."""
    return row_by_id(model, row_id)


def get_live(model: Any, row_id: str, what: str) -> Any:
    """Return the live row or raise NotFound naming ``what``."""
    row = row_by_id(model, row_id)
    if row is None:
        raise NotFound(f"No {what} with id {row_id}.")
    return row
