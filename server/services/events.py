"""Storing a device-made event once: answers, attempts, reflections, feedback, photos.

A device makes an event's id, so a retry after a lost reply carries the same id:
the same id with the same content is the stored event (not a second row), the same
id with anything different is a conflict (409), and two threads racing with one id
store it once.

The row is inserted first, with ``INSERT ... ON CONFLICT (id) DO NOTHING``
(``ReplicatedModel.insert_new``): on SQLite only the stamp and that insert run
under the node's one write lock, every writer of every serving process queues on
it, and nothing of the row is built or checked while it is held. When the id is
taken nothing is written (the transaction and its counter roll back), and the
stored row is read and compared, outside the lock: the same content is the stored
event, anything else 409. Two threads racing with one id: the database's key
lets one insert, the other reads the winner's row (PostgreSQL's insert waits for
the winner's commit).
"""

from __future__ import annotations

from typing import Any, TypeVar

from sync.hlc import wall_ms

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
    row = model(id=event_id, partition=partition, received_ms=wall_ms(), **values)
    for _ in range(3):
        if row.insert_new():
            return row, False
        existing = stored_event(model, event_id, values)
        if existing is not None:
            return existing, True
        # The id's row went between our insert and our read (erased): try again.
    raise Conflict(f"Id {event_id} could not be stored; try again.")
