"""Merge rules (invariant 5): events by union, mutable rows by last writer.

A version's rank is ``(hlc, origin, counter)``: the hybrid logical clock
first, then the origin node id to break ties the same way on every node. The
loser is never dropped: the caller keeps it in history.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .stamp import EVENT

INSERT = "insert"  # we had no version of this row
SKIP = "skip"  # we already hold this exact version (or the event)
REPLACE = "replace"  # the incoming version wins; keep ours in history
LOSE = "lose"  # ours wins; keep the incoming version in history


def rank(row: Mapping[str, Any]) -> tuple[int, str, int]:
    """The order of versions under last-writer-wins."""
    return (int(row["hlc"]), str(row["origin"]), int(row["counter"]))


def first_made(incoming: Mapping[str, Any], existing: Mapping[str, Any]) -> bool:
    """Whether an event's incoming version wins over the one held under the same id.

    Events are immutable, so one id holds the first version made: the lower rank,
    the same choice on every node. (Two versions of one event id come from a device
    that posted it to two nodes; the other is kept in history.)
    """
    return rank(incoming) < rank(existing)


def decide(kind: str, existing: Mapping[str, Any] | None, incoming: Mapping[str, Any]) -> str:
    """What to do with an incoming version given the one we hold."""
    if existing is None:
        return INSERT
    if kind == EVENT:
        return SKIP  # events are immutable: the same id is the same event
    ours, theirs = rank(existing), rank(incoming)
    if ours == theirs:
        return SKIP
    return REPLACE if theirs > ours else LOSE
