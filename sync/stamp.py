"""The replication stamp every replicated row carries (invariant 2).

A stamp says who wrote this version of the row (``origin``, a node id), which
of that node's writes it was (``counter``, strictly increasing per origin), and
when in hybrid-logical-clock terms (``hlc``). Last-writer-wins orders
versions by ``merge.rank``; version vectors track ``counter`` per origin.
"""

from __future__ import annotations

from typing import NamedTuple

#: Kinds of replicated tables. Events are immutable and merge by union;
#: mutable rows merge by last writer on (hlc, origin), the loser kept in history.
EVENT = "event"
MUTABLE = "mutable"
KINDS = (EVENT, MUTABLE)

#: The partition of content shared by every school of the district.
DISTRICT = "district"


class Stamp(NamedTuple):
    """Origin node, that node's counter, and the hybrid logical clock value."""

    origin: str
    counter: int
    hlc: int


def school_partition(school_id: str) -> str:
    """Return the partition name of a school's own rows."""
    return f"school:{school_id}"
