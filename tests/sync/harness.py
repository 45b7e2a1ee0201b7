"""Several nodes in one process: each its own SQLite database, sync over a wire-format
transport that can cut the link or deliver a message twice."""

from __future__ import annotations

import sqlite3
from typing import Any

from peewee import SqliteDatabase

from server import db as database
from server.db import sqlite_pragmas
from server.db.migrate import migrate
from server.models import LocalNode
from server.node import identity
from server.replication.store import NodeStore
from server.services import schools
from sync import wire
from sync.engine import Sender, SessionResult, SyncSession, serve_message
from sync.errors import SyncError


class LinkCut(SyncError):
    """The simulated link went down."""


_TEMPLATE: bytes | None = None


def _template_db() -> sqlite3.Connection:
    """A migrated empty database, made once and copied into each node (fast)."""
    global _TEMPLATE
    if _TEMPLATE is None:
        db = SqliteDatabase(":memory:")
        database.bind(db)
        with db.connection_context():
            migrate()
            _TEMPLATE = db.connection().serialize()
    conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    conn.deserialize(_TEMPLATE)
    return conn


class MemoryDatabase(SqliteDatabase):
    """A SqliteDatabase over a ready connection (a copy of the migrated template)."""

    def __init__(self) -> None:
        super().__init__(":memory:", pragmas=sqlite_pragmas("OFF"))
        self._ready = _template_db()

    def _connect(self) -> sqlite3.Connection:
        conn, self._ready = self._ready, None
        if conn is None:
            raise RuntimeError("a memory node's database cannot be reopened")
        self._add_conn_hooks(conn)
        return conn


class Node:
    """One node: its database, identity and store."""

    def __init__(
        self, school_id: str | None = None, name: str = "", node_id: str | None = None
    ) -> None:
        self.name = name
        self.db = MemoryDatabase()
        self.db.connect()
        with self.bound():
            if node_id is not None:
                # A fixed identity: origins then sort the same in every run (hypothesis
                # replays schedules and needs each to export the same chunks).
                LocalNode.create(node_id=node_id)
            identity.ensure_node()
            if school_id is None:
                school_id = schools.create_school(f"School of {name}").id
            else:
                identity.set_school(school_id)
            self.school_id = school_id
            self.store = NodeStore()
            self.node_id = LocalNode.get().node_id

    def bound(self) -> _Bound:
        """Point the models at this node's database for a while."""
        return _Bound(self.db)

    def close(self) -> None:
        self.db.close()


class _Bound:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        self.previous = None

    def __enter__(self) -> None:
        self.previous = database.db.obj
        database.bind(self.db)

    def __exit__(self, *exc: Any) -> None:
        database.bind(self.previous)


class LocalTransport:
    """Carries messages to another node in this process, through the real wire format.

    ``cut_after`` cuts the link after that many exchanges (the reply of the last
    one is lost, as when a cable is pulled mid-transfer). ``repeat`` delivers
    every message twice: a retried request after a lost reply.
    """

    def __init__(
        self,
        client: Node,
        server: Node,
        cut_after: int | None = None,
        repeat: bool = False,
        grants: frozenset[str] | None = None,
    ) -> None:
        self.client, self.server = client, server
        # The client as the server knows it: its signature names it; ``grants`` its pairing's.
        self.sender = Sender(client.node_id, grants)
        self.cut_after, self.repeat = cut_after, repeat
        self.exchanges = 0
        self.chunks: list[dict[str, Any]] = []  # every chunk that crossed, for late replays
        self.bytes_sent = 0
        self.bytes_received = 0

    def exchange(self, message: dict[str, Any]) -> dict[str, Any]:
        if self.cut_after is not None and self.exchanges >= self.cut_after:
            raise LinkCut("link down")
        self.exchanges += 1
        request = wire.encode(message)
        self.bytes_sent += len(request)
        with self.server.bound():
            shared = set(self.server.store.partitions())
            reply = wire.encode(
                serve_message(self.server.store, wire.decode(request), shared, sender=self.sender)
            )
            if self.repeat:
                serve_message(self.server.store, wire.decode(request), shared, sender=self.sender)
        if self.cut_after is not None and self.exchanges >= self.cut_after:
            raise LinkCut("reply lost")
        self.bytes_received += len(reply)
        answer = wire.decode(reply)
        if message.get("type") == "push":
            self.chunks.append(message["chunk"])
        if answer.get("type") == "chunk":
            self.chunks.append(answer["chunk"])
        return answer


def sync(
    client: Node,
    server: Node,
    cut_after: int | None = None,
    repeat: bool = False,
    max_rows: int = 5000,
    seen: list[dict[str, Any]] | None = None,
    grants: frozenset[str] | None = None,
) -> SessionResult:
    """One session from ``client`` to ``server``; may raise LinkCut.

    Chunks that crossed are appended to ``seen`` (even when the link is then cut).
    ``grants`` is what each side's pairing lets the other author (None: everything).
    """
    transport = LocalTransport(client, server, cut_after=cut_after, repeat=repeat, grants=grants)
    peer = Sender(server.node_id, grants)
    try:
        with client.bound():
            return SyncSession(client.store, transport, max_rows=max_rows, peer=peer).run()
    finally:
        if seen is not None:
            seen.extend(transport.chunks)
