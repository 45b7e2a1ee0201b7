"""Version vectors: per partition, the highest counter incorporated from each origin.

Invariant 3 of DESIGN.md. A vector ``{origin: counter}`` says "I hold every
write of ``origin`` in this partition up to ``counter``". What a peer lacks is
what our vector has beyond theirs.
"""

from __future__ import annotations

from collections.abc import Mapping

Vector = dict[str, int]


def lacking(mine: Mapping[str, int], theirs: Mapping[str, int]) -> dict[str, tuple[int, int]]:
    """Per origin, the counter range ``(after, through]`` we hold and they do not."""
    return {
        origin: (theirs.get(origin, 0), counter)
        for origin, counter in sorted(mine.items())
        if counter > theirs.get(origin, 0)
    }


def pending_rows_hint(mine: Mapping[str, int], theirs: Mapping[str, int]) -> int:
    """An upper bound of the versions they lack (counters, not rows: gaps are superseded)."""
    return sum(through - after for after, through in lacking(mine, theirs).values())


def advance(vector: Vector, origin: str, after: int, through: int) -> bool:
    """Advance ``vector[origin]`` to ``through`` if it already reaches ``after``.

    A chunk covers ``(after, through]`` of an origin's counters. Applying it
    when we are behind ``after`` would claim writes we never received, so the
    vector then stays put (the rows are still applied: that is harmless).
    """
    have = vector.get(origin, 0)
    if have >= after and through > have:
        vector[origin] = through
        return True
    return False


def pending_union(pairs: list[tuple[Mapping[str, int], Mapping[str, int]]]) -> int:
    """Like ``pending_rows_hint`` summed over partitions, each origin's counters counted once.

    An origin's counters run across partitions (our own counter is in every
    partition's vector), so summing per partition would count them again.
    """
    spans: dict[str, tuple[int, int]] = {}
    for mine, theirs in pairs:
        for origin, (after, through) in lacking(mine, theirs).items():
            low, high = spans.get(origin, (after, through))
            spans[origin] = (min(low, after), max(high, through))
    return sum(high - low for low, high in spans.values())
