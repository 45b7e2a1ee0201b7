"""Storing a device-made event once: answers, attempts, reflections, feedback, photos.

A device makes an event's id, so a retry after a lost reply carries the same id:
the same id with the same content is the stored event (not a second row), the same
id with anything different is a conflict (409), and two threads racing with one id
store it once.

On SQLite the check and the insert run under the node's one write lock
(``write_transaction``: no other writer, of any process, between them), so the
insert needs no savepoint there: a savepoint is two more statements on the path
of every answer. PostgreSQL writers run side by side, so there a lost race rolls
back to a savepoint and reads the winner's row.
"""

from __future__ import annotations

from typing import Any, TypeVar

from peewee import IntegrityError

from sync.hlc import wall_ms

from ..db import is_sqlite, write_transaction
from ..errors import Conflict
from ..models import ReplicatedModel
from .rows import row_by_id

Event = TypeVar("Event", bound=ReplicatedModel)


def same_event(existing: Event, values: dict[str, Any]) -> Event:
    """The stored event when a retry carries the same content; 409 otherwise."""
    for key, value in values.items():
        if getattr(existing, key) != value:
            raise Conflict(f"Id {existing.id} is already used by a different record.")
    return existing


def stored_event(model: type[Event], event_id: str, values: dict[str, Any]) -> Event | None:
    """The event already stored under this id (409 if it differs), or None."""
    existing = row_by_id(model, event_id, live=False)
    return None if existing is None else same_event(existing, values)


def record_event(
    model: type[Event], event_id: str, values: dict[str, Any], partition: str
) -> tuple[Event, bool]:
    """Store an event with the device's id; return it and whether it was already there."""
    with write_transaction():
        existing = stored_event(model, event_id, values)
        if existing is not None:
            return existing, True
        row = model(id=event_id, partition=partition, received_ms=wall_ms(), **values)
        if is_sqlite():  # the write lock is held: no one else can insert this id meanwhile
            row.save(force_insert=True)
            return row, False
        try:
            with write_transaction():  # a savepoint: a lost race rolls back to here
                row.save(force_insert=True)
        except IntegrityError:
            return same_event(model.get(model.id == event_id), values), True
    return row, False
