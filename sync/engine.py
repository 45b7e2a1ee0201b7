"""The sync engine: export what a peer lacks, apply what it sends, run a session.

It does no I/O of its own: a ``Store`` (the server's database adapter) reads and
writes rows, a ``Transport`` carries messages. Transfers are stateless on the
serving side: every pull names the puller's vector, so there are no buffers to
leave behind, and an interrupted transfer resumes where the vector says.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Callable, Protocol

from . import merge
from .errors import SyncError
from .hlc import wall_ms
from .stamp import DISTRICT, EVENT, MUTABLE
from .vector import Vector, advance, lacking, pending_union

# A chunk is one transaction on the receiver: at 1M rows each one dirties index pages
# all over the random-id key, so fewer, larger chunks write less (at 1M, 10,000 rows:
# 14.4 us of receiver CPU a row against 18.3 at 5,000). But both sides hold two chunks
# at a time (pipelined), some 2 KB a row, and with the HTTPS service and interned names
# 10,000 took the receiver to 114 MB at peak at 1M: 5,000 keeps it at 94 MB, under the
# 100 MB target, at 49,700 rows/s (`scripts/bench sync --events 1000000`, idle box).
DEFAULT_MAX_ROWS = 5_000
DEFAULT_MAX_BYTES = 3_000_000
SIZE_SAMPLE = 32


class PartitionRefused(SyncError):
    """Raised when a peer asks for or sends a partition it is not entitled to."""


class BadChunk(SyncError):
    """Raised when a chunk is malformed: unknown table or column, missing stamp."""


# Who may author a replicated table's rows (invariant 10): each table names one of
# these (``Store.authority``), and a peer's pairing grants some of them.
EVENTS = "events"  # students' and teachers' work: any node of the school relays it
ACCOUNTS = "accounts"  # people, roles, credentials, classes: only as an admin granted
HUB = "hub"  # the district's content and fits: only the hub
GRANTS = (EVENTS, ACCOUNTS, HUB)

# A hello may say the software version of the side that sends it: the peer's own
# claim, as trustworthy as its signature (its identity), no more. Old peers say none.
VERSION_MAX = 40
_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+_-]*")


def hello_version(hello: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The version a hello claims, and why it was ignored: (version, None) when it says
    a well-formed one, (None, None) when it says none, (None, why) when it is malformed.

    Only short text of letters, digits and ``.+_-`` passes: anything else is never
    kept or shown as it came.
    """
    value = hello.get("version")
    if value is None:
        return None, None
    if not isinstance(value, str):
        return None, f"a version must be text, not {type(value).__name__}"
    if len(value) > VERSION_MAX:
        return None, f"a version is at most {VERSION_MAX} characters, not {len(value)}"
    if not _VERSION.fullmatch(value):
        return None, "a version is letters, digits and . + _ - only"
    return value, None


@dataclass(frozen=True)
class Sender:
    """Who a chunk comes from: the peer that signed it, and what it may author here.

    ``node_id`` vouches for its own counters (gaps included); ``grants`` None
    trusts every authority (a node's own tests and tools, never a peer).
    """

    node_id: str | None = None
    grants: frozenset[str] | None = None

    def may(self, authority: str) -> bool:
        """Say whether this sender may author rows of that authority."""
        return self.grants is None or authority in self.grants


UNKNOWN = Sender()


@dataclass(frozen=True)
class Refusal:
    """Rows of a chunk that were refused, and why (said to both sides, and logged)."""

    table: str
    count: int
    reason: str

    def __str__(self) -> str:
        return f"{self.count} row(s) of {self.table} refused: {self.reason}"


class Store(Protocol):
    """What the engine needs from a node's database."""

    node_id: str

    def tables(self) -> Mapping[str, str]:
        """Replicated table names and their kind (event or mutable)."""

    def columns(self, table: str) -> list[str]:
        """Column names of a replicated table, stamp columns included."""

    def partitions(self) -> list[str]:
        """Partitions this node holds and syncs."""

    def vector(self, partition: str) -> Vector:
        """This node's version vector of a partition (its own origin included)."""

    def read_transaction(self) -> AbstractContextManager[Any]:
        """A consistent snapshot for an export."""

    def write_transaction(self) -> AbstractContextManager[Any]:
        """The transaction a chunk is applied and the vector advanced in."""

    def rows_after(
        self, partition: str, origin: str, after: int, limit: int
    ) -> list[tuple[int, str, list[Any]]]:
        """Up to ``limit`` current versions of ``origin`` past ``after``, by counter.

        Each is ``(counter, table, values in columns(table) order)``.
        """

    def current(self, table: str, ids: list[str]) -> dict[str, dict[str, Any]]:
        """The rows we hold with these ids."""

    def insert_new(self, table: str, columns: list[str], rows: list[list[Any]]) -> int:
        """Insert the versions whose id we do not hold yet (the others are skipped).

        Values are in ``columns`` order; returns how many rows were inserted.
        """

    def insert(self, table: str, columns: list[str], rows: list[list[Any]]) -> None:
        """Insert versions as they are (their stamps kept); values in ``columns`` order."""

    def replace(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Overwrite rows with these versions (their stamps kept)."""

    def keep_history(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Keep superseded versions in history."""

    def save_vector(self, partition: str, vector: Vector) -> None:
        """Store the vector of a partition (in the write transaction)."""

    def observe_clock(self, hlc: int) -> None:
        """Let the hybrid logical clock see a remote time."""

    def authority(self, table: str) -> str:
        """Who may author the rows of a table in a school's partition (EVENTS or ACCOUNTS)."""

    def refusals(
        self, table: str, columns: list[str], rows: list[list[Any]], partition: str, sender: Sender
    ) -> dict[int, str]:
        """Rows (by index) to refuse beyond the table's authority, and why.

        A row's school must agree with its partition; a kept version of an
        account is an account.
        """

    def without_secrets(
        self, table: str, columns: list[str], rows: list[list[Any]]
    ) -> list[list[Any]]:
        """Copies of rows with their secrets (password hashes) blanked, for a peer without them."""


class Transport(Protocol):
    """Carries one message to the peer and brings its answer back."""

    def exchange(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send ``message``; return the peer's reply (raise SyncError on failure)."""


# ---------------------------------------------------------------- export and apply


def export_chunk(
    store: Store,
    partition: str,
    theirs: Mapping[str, int],
    max_rows: int = DEFAULT_MAX_ROWS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    secrets: bool = True,
) -> tuple[dict[str, Any], bool]:
    """The next chunk of what ``theirs`` lacks in a partition, and whether more remains.

    Without ``secrets`` (a peer not granted accounts), password hashes are blanked.
    """
    tables: dict[str, dict[str, Any]] = {}
    origins: dict[str, list[int]] = {}
    count, size, more = 0, 0, False
    with store.read_transaction():
        mine = store.vector(partition)
        for origin, (after, through) in lacking(mine, theirs).items():
            room = max_rows - count
            if room <= 0 or size >= max_bytes:
                more = True
                break
            rows = store.rows_after(partition, origin, after, room + 1)
            taken, reached = 0, after
            for counter, table, values in rows:
                if taken == room or size >= max_bytes:
                    break
                entry = tables.setdefault(table, {"columns": store.columns(table), "rows": []})
                entry["rows"].append(values)
                if taken % SIZE_SAMPLE == 0:  # rows of a table are alike: sample, extrapolate
                    size += _estimated_size(values) * SIZE_SAMPLE
                taken, reached = taken + 1, counter
            if taken < len(rows):
                origins[origin] = [after, reached]  # this origin continues in the next chunk
                more = True
                break
            origins[origin] = [after, through]  # gaps are superseded versions: covered too
            count += taken
    if not secrets:
        for table, entry in tables.items():
            entry["rows"] = store.without_secrets(table, entry["columns"], entry["rows"])
    return {"partition": partition, "origins": origins, "tables": tables}, more


def _estimated_size(values: list[Any]) -> int:
    """Roughly the encoded size of a row: cheap, since it runs for every row sent."""
    return 4 + sum(len(v) + 3 if isinstance(v, str) else 8 for v in values)


def _validate(store: Store, chunk: Mapping[str, Any]) -> None:
    if not isinstance(chunk.get("tables"), dict) or not isinstance(chunk.get("origins"), dict):
        raise BadChunk("a chunk has tables and origins")
    kinds = store.tables()
    for table, entry in chunk["tables"].items():
        if table not in kinds:
            raise BadChunk(f"unknown table {table!r}")
        columns = entry.get("columns") if isinstance(entry, dict) else None
        if not isinstance(columns, list) or set(columns) != set(store.columns(table)):
            raise BadChunk(f"columns of {table!r} do not match this node's schema")
        rows = entry.get("rows")
        if not isinstance(rows, list) or any(
            not isinstance(r, list) or len(r) != len(columns) for r in rows
        ):
            raise BadChunk(f"rows of {table!r} do not match its columns")
    for origin, span in chunk["origins"].items():
        if not (
            isinstance(origin, str)
            and isinstance(span, list)
            and len(span) == 2
            and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in span)
        ):
            raise BadChunk(f"bad origin span for {origin!r}")


@dataclass
class ApplyStats:
    """What applying chunks did."""

    inserted: int = 0
    replaced: int = 0
    lost: int = 0
    skipped: int = 0
    refused: list[Refusal] = field(default_factory=list)
    #: Events of one id with two contents (a device posted it to two nodes): the
    #: first-made kept everywhere, the other in history (merge.first_made).
    id_conflicts: int = 0

    @property
    def rows(self) -> int:
        """Rows received (refused ones included)."""
        return (
            self.inserted
            + self.replaced
            + self.lost
            + self.skipped
            + self.id_conflicts
            + self.refused_rows
        )

    @property
    def refused_rows(self) -> int:
        """Rows refused: their table's authority or their school's rule forbids them."""
        return sum(r.count for r in self.refused)

    def add(self, other: ApplyStats) -> None:
        """Accumulate another chunk's figures."""
        self.inserted += other.inserted
        self.replaced += other.replaced
        self.lost += other.lost
        self.skipped += other.skipped
        self.id_conflicts += other.id_conflicts
        self.refused.extend(other.refused)


def apply_chunk(
    store: Store, chunk: Mapping[str, Any], allowed: set[str], sender: Sender = UNKNOWN
) -> ApplyStats:
    """Apply a chunk and advance the vector in one transaction (invariant 4).

    A chunk applied twice changes nothing the second time: every row is
    already there with the same stamp, and the vector already covers it.

    Rows the sender may not author (invariant 10) are refused, the rest
    applied; the refusals are in the returned stats. The vector advances only
    over rows received, or over the sender's own counters (it vouches for its
    gaps), and never past a refused row: it is asked for again, and refused
    again, until an admin grants what it needs.
    """
    partition = chunk.get("partition")
    if partition not in allowed:
        raise PartitionRefused(f"partition {partition!r} is not shared with this peer")
    _validate(store, chunk)
    stats = ApplyStats()
    kinds = store.tables()
    top_hlc = 0
    refused_from: dict[str, int] = {}  # origin -> its lowest refused counter
    with store.write_transaction():
        for table, entry in chunk["tables"].items():
            columns, rows = entry["columns"], entry["rows"]
            if not rows:
                continue
            at = {name: index for index, name in enumerate(columns)}
            at_partition, at_id, at_hlc = at["partition"], at["id"], at["hlc"]
            for values in rows:  # one pass: the partition, the id and the clock of each row
                if values[at_partition] != partition:
                    raise PartitionRefused(f"a row of {table} is outside partition {partition}")
                row_id, hlc = values[at_id], values[at_hlc]
                if type(row_id) is not str or type(hlc) is not int:
                    raise BadChunk(f"a row of {table} has a malformed id or clock")
                if type(values[at["counter"]]) is not int:
                    raise BadChunk(f"a row of {table} has a malformed counter")
                top_hlc = hlc if hlc > top_hlc else top_hlc
            rows = _authorised(store, table, columns, rows, partition, sender, stats, refused_from)
            if not rows:
                continue
            if kinds[table] == EVENT:
                # Events merge by union: rows stay lists, no per-row dict (the bulk of a sync).
                # In id order, the inserts walk the id index's pages once each, in order:
                # random ids otherwise touch a page per row, beyond any cache at 1M rows.
                fresh = store.insert_new(table, columns, sorted(rows, key=itemgetter(at_id)))
                stats.inserted += fresh
                if fresh < len(rows):  # some ids were held: the same event, or not?
                    _merge_held_events(store, table, columns, rows, fresh, stats)
            else:
                _apply_mutable(store, table, columns, rows, stats)
        vector = _advanced(store.vector(partition), chunk, sender.node_id, refused_from)
        store.save_vector(partition, {o: c for o, c in vector.items() if o != store.node_id})
        if top_hlc:
            store.observe_clock(top_hlc)
    return stats


def _authorised(
    store: Store,
    table: str,
    columns: list[str],
    rows: list[list[Any]],
    partition: str,
    sender: Sender,
    stats: ApplyStats,
    refused_from: dict[str, int],
) -> list[list[Any]]:
    """The rows of a table the sender may author here; the others are counted as refused."""
    authority = HUB if partition == DISTRICT else store.authority(table)
    if not sender.may(authority):
        why = (
            "the district's content comes only from the hub"
            if authority == HUB
            else f"this peer was not granted {authority!r}"
        )
        refused = dict.fromkeys(range(len(rows)), why)
    else:
        refused = store.refusals(table, columns, rows, partition, sender)
    if not refused:
        return rows
    at_origin, at_counter = columns.index("origin"), columns.index("counter")
    reasons: dict[str, int] = {}
    for index, why in refused.items():
        values = rows[index]
        origin, counter = values[at_origin], values[at_counter]
        if isinstance(origin, str):
            refused_from[origin] = min(refused_from.get(origin, counter), counter)
        reasons[why] = reasons.get(why, 0) + 1
    stats.refused.extend(Refusal(table, n, why) for why, n in reasons.items())
    return [values for index, values in enumerate(rows) if index not in refused]


def _advanced(
    vector: Vector,
    chunk: Mapping[str, Any],
    sender: str | None,
    refused_from: Mapping[str, int] | None = None,
) -> Vector:
    """``vector`` as applying ``chunk`` from ``sender`` leaves it (invariant 10).

    The sender vouches for its own counters: it is their origin, and its gaps are
    versions it superseded or wrote in other partitions. For a relayed origin
    only the rows that came count: a span claimed without rows is not proof.
    Malformed spans are passed over here: applying the chunk refuses them.
    """
    result = dict(vector)
    origins = chunk.get("origins")
    if not isinstance(origins, dict):
        return result
    received: dict[str, int] = {}
    tables = chunk.get("tables")
    for entry in tables.values() if isinstance(tables, dict) else ():
        columns = entry.get("columns") if isinstance(entry, dict) else None
        if not isinstance(columns, list) or "origin" not in columns or "counter" not in columns:
            continue
        at_origin, at_counter = columns.index("origin"), columns.index("counter")
        for values in entry.get("rows") or ():
            if not isinstance(values, list) or len(values) != len(columns):
                continue
            origin, counter = values[at_origin], values[at_counter]
            if isinstance(origin, str) and type(counter) is int:
                received[origin] = max(received.get(origin, 0), counter)
    for origin, span in origins.items():
        if not (
            isinstance(span, list)
            and len(span) == 2
            and all(isinstance(n, int) and not isinstance(n, bool) for n in span)
        ):
            continue
        after, through = span
        reach = through if origin == sender else min(through, received.get(origin, 0))
        if refused_from and origin in refused_from:
            reach = min(reach, refused_from[origin] - 1)
        advance(result, origin, after, reach)
    return result


def _same_value(ours: Any, theirs: Any) -> bool:
    return ours == theirs or str(ours) == str(theirs)  # a stored bool or time as sent


def _merge_held_events(
    store: Store,
    table: str,
    columns: list[str],
    rows: list[list[Any]],
    fresh: int,
    stats: ApplyStats,
) -> None:
    """Events of this chunk whose id we already held (invariant 5, with one id twice).

    The same event, relayed, has the same stamp: nothing to do. An id made on a
    device and posted to two nodes has two versions: the first made (the lower
    ``merge.rank``) is kept on every replica, the other goes to history, and a
    different content is counted in ``id_conflicts``. Never across partitions: an
    id held in another partition is not replaced, the incoming version is kept in
    history. Read only when the insert found held ids, so a plain sync pays nothing.
    """
    incoming = [dict(zip(columns, values)) for values in rows]
    held = store.current(table, [r["id"] for r in incoming])
    content = [c for c in columns if c not in ("id", "partition", "origin", "counter", "hlc")]
    same_stamp = 0  # those just inserted (fresh) and those held already
    replaces, history = [], []
    for row in incoming:
        existing = held.get(row["id"])
        if existing is None or merge.rank(existing) == merge.rank(row):
            same_stamp += 1
            continue
        differs = str(existing["partition"]) != str(row["partition"]) or not all(
            _same_value(existing.get(c), row[c]) for c in content
        )
        if merge.first_made(row, existing) and str(existing["partition"]) == str(row["partition"]):
            replaces.append(row)
            held[row["id"]] = row
            loser = existing
        else:
            loser = row
        if differs:
            history.append(loser)
            stats.id_conflicts += 1
        else:
            stats.skipped += 1  # the same event stamped twice: one stamp kept everywhere
    stats.skipped += same_stamp - fresh
    store.replace(table, replaces)
    store.keep_history(table, history)


def _apply_mutable(
    store: Store, table: str, columns: list[str], rows: list[list[Any]], stats: ApplyStats
) -> None:
    """Last writer wins on (clock, origin); the losing version goes to history."""
    incoming = [dict(zip(columns, values)) for values in rows]
    held = store.current(table, [r["id"] for r in incoming])
    inserts, replaces, history = [], [], []
    for row in incoming:
        existing = held.get(row["id"])
        action = merge.decide(MUTABLE, existing, row)
        if action == merge.INSERT:
            inserts.append(row)
            held[row["id"]] = row
            stats.inserted += 1
        elif action == merge.REPLACE:
            history.append(existing)
            replaces.append(row)
            held[row["id"]] = row
            stats.replaced += 1
        elif action == merge.LOSE:
            history.append(row)
            stats.lost += 1
        else:
            stats.skipped += 1
    store.insert(table, columns, [[row[c] for c in columns] for row in inserts])
    store.replace(table, replaces)
    store.keep_history(table, history)


# ---------------------------------------------------------------- the serving side


def hello_reply(
    store: Store, allowed: set[str], writable: set[str], version: str | None = None
) -> dict[str, Any]:
    """What a node says when a peer opens a session: what it shares, and what it accepts."""
    shared = sorted(set(store.partitions()) & allowed)
    reply = {
        "type": "hello",
        "node_id": store.node_id,
        "partitions": shared,
        "writable": sorted(set(shared) & writable),
        "vectors": {p: store.vector(p) for p in shared},
        "wall_ms": wall_ms(),
    }
    if version is not None:
        reply["version"] = version
    return reply


def serve_message(
    store: Store,
    message: Mapping[str, Any],
    allowed: set[str],
    writable: set[str] | None = None,
    sender: Sender = UNKNOWN,
    version: str | None = None,
) -> dict[str, Any]:
    """Answer one message of a peer that may read ``allowed`` and write ``writable``.

    A hub lets a school's node read the district's shared content but not write it.
    ``sender`` is the peer, as its signature proved: what it may author, and
    whether it gets secrets (only with the accounts grant). ``version`` is ours,
    said in the hello.
    """
    writable = allowed if writable is None else writable & allowed
    kind = message.get("type")
    if kind == "hello":
        return hello_reply(store, allowed, writable, version)
    if kind == "pull":
        partition = message.get("partition")
        if partition not in allowed:
            raise PartitionRefused(f"partition {partition!r} is not shared with this peer")
        theirs = message.get("vector")
        if not isinstance(theirs, dict) or not all(
            isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
            for k, v in theirs.items()
        ):
            raise BadChunk("a pull names the puller's vector")
        max_rows = _bounded(message.get("max_rows"), DEFAULT_MAX_ROWS, 50_000)
        max_bytes = _bounded(message.get("max_bytes"), DEFAULT_MAX_BYTES, 32_000_000)
        chunk, more = export_chunk(
            store, partition, theirs, max_rows, max_bytes, secrets=sender.may(ACCOUNTS)
        )
        return {"type": "chunk", "chunk": chunk, "more": more}
    if kind == "push":
        chunk = message.get("chunk")
        if not isinstance(chunk, dict):
            raise BadChunk("a push carries a chunk")
        stats = apply_chunk(store, chunk, writable, sender)
        partition = chunk["partition"]
        reply: dict[str, Any] = {
            "type": "applied",
            "rows": stats.rows,
            "vector": store.vector(partition),
        }
        if stats.refused:
            reply["refused"] = [str(r) for r in stats.refused]
        return reply
    raise BadChunk(f"unknown message type {kind!r}")


def _bounded(value: Any, default: int, ceiling: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return min(value, ceiling)
    return default


# ---------------------------------------------------------------- the initiating side


@dataclass
class SessionResult:
    """The truth about one sync session."""

    peer_node_id: str = ""
    pulled: ApplyStats = field(default_factory=ApplyStats)
    pushed_rows: int = 0
    partitions: list[str] = field(default_factory=list)
    clock_offset_ms: int = 0
    seconds: float = 0.0
    bytes_sent: int = 0
    bytes_received: int = 0
    peer_vectors: dict[str, Vector] = field(default_factory=dict)  # what they hold, at the end
    peer_version: str | None = None  # the software version its hello claims (None: unsaid)
    peer_version_ignored: str | None = None  # why a malformed one was not kept
    refused: list[str] = field(default_factory=list)  # rows refused, both ways, and why
    files_missing: int = 0  # content files and photos still to move (the caller's count)


Progress = Callable[[str, int, int], None]  # (stage, done, total hint)

STAGES = ("hello", "pull", "push", "done")  # in this order, always


class SyncSession:
    """One session with a peer: pull what we lack, then push what they lack."""

    def __init__(
        self,
        store: Store,
        transport: Transport,
        allowed: set[str] | None = None,
        max_rows: int = DEFAULT_MAX_ROWS,
        max_bytes: int = DEFAULT_MAX_BYTES,
        progress: Progress | None = None,
        peer: Sender | None = None,
        hello: dict[str, Any] | None = None,
        version: str | None = None,
    ) -> None:
        self.store = store
        self.hello = hello or {}  # more to say in the hello (where the peer reaches us)
        if version is not None:
            self.hello = {**self.hello, "version": version}  # our software, said to the peer
        self.transport = transport
        self.allowed = allowed
        # The peer we mean to reach and what it may author here; None: whoever answers,
        # trusted with everything (tests and tools), its own counters vouched by its hello.
        self.peer = peer
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.progress = progress or (lambda stage, done, total: None)
        self._totals = {"pull": 0, "push": 0}

    def run(self) -> SessionResult:
        """Run the whole session; raise on any failure (never report success after one)."""
        began = time.monotonic()
        result = SessionResult()
        sent_at = wall_ms()
        hello = self.transport.exchange(
            {**self.hello, "type": "hello", "node_id": self.store.node_id, "wall_ms": sent_at}
        )
        received_at = wall_ms()
        if hello.get("type") != "hello":
            raise SyncError("the peer did not answer hello")
        result.peer_node_id = str(hello.get("node_id", ""))
        result.peer_version, result.peer_version_ignored = hello_version(hello)
        ignored = hello.get("ignored")
        if isinstance(ignored, list):  # what the peer did not take of our hello, and why
            result.refused.extend(f"hello: {str(note)[:200]}" for note in ignored[:10])
        if self.peer is not None and self.peer.node_id not in (None, result.peer_node_id):
            raise SyncError(
                f"the peer answered as {result.peer_node_id!r}, not the node paired there"
            )
        self._sender = Sender(result.peer_node_id, self.peer.grants if self.peer else None)
        # Their clock minus ours, at the midpoint of the round trip.
        result.clock_offset_ms = int(hello.get("wall_ms", 0)) - (sent_at + received_at) // 2
        shared = set(hello.get("partitions", [])) & set(self.store.partitions())
        if self.allowed is not None:
            shared &= self.allowed
        result.partitions = sorted(shared)
        self.progress("hello", 1, 1)
        vectors = hello.get("vectors")
        if not isinstance(vectors, dict):
            raise SyncError("the peer's hello carries no vectors")
        writable = set(hello.get("writable", result.partitions)) & shared
        # Upper bounds (counters, not rows): progress never claims more than it knows.
        mine = {p: self.store.vector(p) for p in result.partitions}
        self._totals = {
            "pull": pending_union([(vectors.get(p, {}), mine[p]) for p in result.partitions]),
            "push": pending_union([(mine[p], vectors.get(p, {})) for p in writable]),
        }
        for partition in result.partitions:
            self._pull(partition, result)
        self.progress("pull", result.pulled.rows, result.pulled.rows)  # every pull is done
        for partition in result.partitions:
            if partition not in writable:
                continue  # read-only for us there (district content on a hub)
            theirs = self._push(partition, dict(vectors.get(partition, {})), result)
            result.peer_vectors[partition] = theirs
        self.progress("push", result.pushed_rows, result.pushed_rows)
        result.refused.extend(str(r) for r in result.pulled.refused)
        result.seconds = time.monotonic() - began
        result.bytes_sent = getattr(self.transport, "bytes_sent", 0)
        result.bytes_received = getattr(self.transport, "bytes_received", 0)
        self.progress("done", 1, 1)
        return result

    def _pull(self, partition: str, result: SessionResult) -> None:
        """Pull what we lack; the next chunk is asked for while this one is applied.

        Each request names the vector we will hold once the chunk before it is
        applied. If we then hold something else (another session applied rows
        meanwhile), its answer is dropped and asked for again from what we hold.
        """
        asked = self.store.vector(partition)
        refusing = False  # once we refused rows, our vector stays behind them: go on past
        pending = _start_exchange(self.transport, self._pull_message(partition, asked))
        while True:
            reply = pending()
            if reply.get("type") != "chunk" or not isinstance(reply.get("chunk"), dict):
                raise SyncError("the peer did not answer the pull with a chunk")
            chunk = reply["chunk"]
            pending = None
            if reply.get("more"):  # assume this chunk applies: what we will lack next
                expected = _advanced(asked, chunk, self._sender.node_id)
                pending = _start_exchange(self.transport, self._pull_message(partition, expected))
            try:
                stats = apply_chunk(self.store, chunk, {partition}, self._sender)
            except BaseException:
                if pending is not None:
                    _drain(pending)  # never leave an exchange running behind us
                raise
            result.pulled.add(stats)
            done = result.pulled.rows
            self.progress("pull", done, max(self._totals["pull"], done))
            if pending is None:
                return
            held = self.store.vector(partition)
            refusing = refusing or bool(stats.refused)
            if refusing:
                pass  # held stays before the refused rows: go on past them, as asked
            elif _others(held, self.store.node_id) != _others(expected, self.store.node_id):
                _drain(pending)  # answers a vector we do not hold: ask again from ours
                pending = _start_exchange(self.transport, self._pull_message(partition, held))
                expected = held
            asked = expected

    def _pull_message(self, partition: str, vector: Vector) -> dict[str, Any]:
        return {
            "type": "pull",
            "partition": partition,
            "vector": vector,
            "max_rows": self.max_rows,
            "max_bytes": self.max_bytes,
        }

    def _push(self, partition: str, theirs: Vector, result: SessionResult) -> Vector:
        """Push what they lack; the next chunk is read while the peer applies this one."""
        secrets = self._sender.may(ACCOUNTS)
        chunk, more = export_chunk(
            self.store, partition, theirs, self.max_rows, self.max_bytes, secrets
        )
        basis = theirs  # what we take the peer to hold, for reading the next chunk
        refusing = False  # once it refused rows, its vector stays behind them: go on past
        while chunk["origins"]:
            pending = _start_exchange(self.transport, {"type": "push", "chunk": chunk})
            following = None
            try:
                if more:  # assume the peer applies this chunk: what it will lack next
                    expected = _advanced(basis, chunk, self.store.node_id)
                    following = export_chunk(
                        self.store, partition, expected, self.max_rows, self.max_bytes, secrets
                    )
            finally:
                reply = pending()  # never leave an exchange running behind us
            if reply.get("type") != "applied":
                raise SyncError("the peer did not confirm the push")
            theirs = basis = dict(reply["vector"])
            refused = reply.get("refused") or ()
            result.refused.extend(str(r) for r in refused)
            rows = sum(len(t["rows"]) for t in chunk["tables"].values())
            result.pushed_rows += rows
            done = result.pushed_rows
            self.progress("push", done, max(self._totals["push"], done))
            if following is None:
                break
            chunk, more = following
            refusing = refusing or bool(refused)
            if refusing:
                # Its vector stays before the refused rows: go on past them regardless,
                # or the same chunks would be sent again and again.
                basis = expected
            elif any(theirs.get(o, 0) != after for o, (after, _) in chunk["origins"].items()):
                # The peer holds something else than we assumed: read again from its vector.
                chunk, more = export_chunk(
                    self.store, partition, theirs, self.max_rows, self.max_bytes, secrets
                )
        return theirs


def _others(vector: Mapping[str, int], node_id: str) -> dict[str, int]:
    """A vector without our own entry (our counter moves with local writes)."""
    return {o: c for o, c in vector.items() if o != node_id}


def _drain(pending: Callable[[], dict[str, Any]]) -> None:
    """Wait for an exchange whose answer is not wanted; its failure does not matter."""
    try:
        pending()
    except SyncError:
        pass


def _start_exchange(transport: Transport, message: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    """Begin an exchange; the returned function waits for the reply.

    A transport with ``start_exchange`` carries the message while we go on
    (reading the next chunk); any other one is simply called now.
    """
    start = getattr(transport, "start_exchange", None)
    if start is not None:
        return start(message)
    reply = transport.exchange(message)
    return lambda: reply
