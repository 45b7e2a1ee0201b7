"""Base models: local tables, and the replicated base every synced table extends.

A replicated row carries a global id made where it is born, its partition and
the replication stamp (origin node, that node's counter, hybrid logical clock)
of its current version (DESIGN.md invariants 1, 2). Saving a row stamps it;
editing a mutable row first keeps the old version in ``RowHistory``; events
refuse edits; deleting writes a tombstone (invariants 5, 6).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from peewee import (
    SQL,
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    IntegerField,
    Model,
    TextField,
)

from sync.engine import EVENTS
from sync.hlc import HybridLogicalClock
from sync.ids import new_id
from sync.stamp import EVENT, MUTABLE, Stamp

from ..db import db, is_sqlite, names, write_transaction
from ..errors import ImmutableRowError

#: One clock per process; the database keeps its high-water mark across restarts.
CLOCK = HybridLogicalClock()


def utcnow() -> datetime.datetime:
    """Naive UTC now, the form every DateTimeField here stores."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class JSONField(TextField):
    """JSON stored as text: portable between SQLite and PostgreSQL."""

    def db_value(self, value: Any) -> str | None:
        return None if value is None else json.dumps(value, separators=(",", ":"), sort_keys=True)

    def python_value(self, value: str | None) -> Any:
        return None if value is None else json.loads(value)


class NameField(IntegerField):
    """A partition name or node id, stored as this database's small integer for it.

    Queries keep text semantics (``Answer.partition == "school:x"``); the code is
    made on first use and never leaves the node (server.db.names).
    """

    def db_value(self, value: Any) -> int | None:
        if value is None:
            return None
        if type(value) is not str:
            raise TypeError(f"{self.name} is a name, not {type(value).__name__}")
        return names.code(value)

    def python_value(self, value: Any) -> str | None:
        return None if value is None else names.name(value)


class BaseModel(Model):
    """Every model: bound to the proxy, snake_case table names."""

    class Meta:
        database = db
        legacy_table_names = False


class LocalNode(BaseModel):
    """This node's identity and counters: one row, never replicated."""

    node_id = CharField(max_length=32)
    counter = BigIntegerField(default=0)
    hlc = BigIntegerField(default=0)
    school_id = CharField(max_length=100, null=True)
    created_at = DateTimeField(default=utcnow)


class ApiToken(BaseModel):
    """A bearer token of an API client, stored as its SHA-256; local to the node."""

    token_hash = CharField(max_length=64, unique=True)
    person_id = CharField(max_length=100, index=True)
    name = CharField(max_length=100)
    created_at = DateTimeField(default=utcnow)
    last_used_at = DateTimeField(null=True)


class WebSession(BaseModel):
    """A signed-in browser, named by the SHA-256 of its cookie's session id; local to the node.

    Sign-out deletes the row, a password change deletes every row of the person:
    a copied cookie then names no session. ``credential`` is a digest of the
    person's password hash at sign-in, so a reset that arrives by sync ends the
    session too. ``https`` says the cookie was issued over https.
    """

    id_hash = CharField(max_length=64, primary_key=True)
    person_id = CharField(max_length=100, index=True)
    credential = CharField(max_length=64)
    https = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)
    seen_at = DateTimeField(default=utcnow)


class SyncName(BaseModel):
    """The code of each partition name and node id in this database: local, never replicated."""

    name = CharField(max_length=names.MAX_LENGTH, unique=True)

    class Meta:
        table_name = names.TABLE


class SyncVector(BaseModel):
    """This node's version vector: per partition and origin, the highest counter held."""

    partition = CharField(max_length=100)
    origin = CharField(max_length=32)
    counter = BigIntegerField()

    class Meta:
        indexes = ((("partition", "origin"), True),)


class ContentVersion(BaseModel):
    """A number that every change to the content tables raises: local, never replicated.

    Triggers on skills, their prerequisites and fits, activities, their skills and
    items (migration 0023) raise ``changes`` in the same transaction as the change,
    whichever process or path makes it (an import, an edit, a sync, a restore), so a
    cache of content (server.services.catalog) checks one row instead of the tables.
    The row is made by that migration with its triggers: no row, no promise.
    """

    id = IntegerField(primary_key=True)
    changes = BigIntegerField(default=0)


class HomeVersion(BaseModel):
    """A number that every change to a home's slow tables raises: local, never replicated.

    Triggers on people, enrolments, group memberships, assignments, learner profiles,
    goals and feedback (migration 0024) raise ``changes`` in the same transaction as the
    change, whoever makes it (an edit, an import, a sync, an erasure), so a student's
    home keeps what it read from them (server.services.home_reads) until it moves. The
    row is made by that migration with its triggers, on SQLite only: no row, nothing kept.
    """

    id = IntegerField(primary_key=True)
    changes = BigIntegerField(default=0)


def _joined_write() -> contextlib.AbstractContextManager[Any]:
    """The caller's transaction if there is one, else a new write transaction.

    No savepoint when joining: nothing inside catches an error and carries on,
    and each savepoint is two more statements on the path of every answer.
    """
    return contextlib.nullcontext() if db.in_transaction() else write_transaction()


def reserve_stamps(count: int = 1, above: int = 0) -> Stamp:
    """Reserve ``count`` consecutive counters of this node; return the first stamp.

    Its clock is above this process's clock, above every clock the node row
    records (stamps of any process, and clocks observed by any sync), and above
    ``above``: the clock of the version an edit replaces (invariant 9).

    One statement (an UPDATE that returns the row it made), run inside the write
    transaction: it runs for every row written, under the node's one write lock.
    """
    wanted = CLOCK.now()
    if wanted <= above:
        wanted = CLOCK.observe(above)
    with _joined_write():
        node_id, counter, hlc = db.execute_sql(_stamp_sql(), (count, wanted)).fetchone()
        if hlc != wanted:  # the node row's clock was ahead of ours: ours moves above it
            CLOCK.observe(hlc)  # inside: a clock refused as skewed writes nothing
    return Stamp(node_id, counter - count + 1, hlc)


#: database class -> the UPDATE of the node row that reserves counters (see reserve_stamps)
_STAMP_SQL: dict[type, str] = {}


def _stamp_sql() -> str:
    kind = type(db.obj)
    sql = _STAMP_SQL.get(kind)
    if sql is None:
        param = db.obj.param
        greatest = "max" if is_sqlite() else "GREATEST"
        # The node row has one row; "LIMIT 1" as the SELECT this replaces. The UPDATE
        # locks the row on PostgreSQL (several hub processes share it).
        sql = _STAMP_SQL[kind] = (
            f'UPDATE "local_node" SET "counter" = "counter" + {param}, '
            f'"hlc" = {greatest}("hlc" + 1, {param}) '
            'WHERE "id" = (SELECT "id" FROM "local_node" LIMIT 1) '
            'RETURNING "node_id", "counter", "hlc"'
        )
    return sql


def observe_clock(remote: int) -> None:
    """Merge a remote clock value into this process's clock and into the node row.

    The node row's clock is what every process (the CLI, each serving process)
    stamps above, so an observation outlives the process that made it. It only
    rises; run inside the write transaction that applies what carried ``remote``.
    """
    CLOCK.observe(remote)
    param = db.obj.param
    with _joined_write():
        db.execute_sql(
            f'UPDATE "local_node" SET "hlc" = {param} WHERE "hlc" < {param}', (remote, remote)
        )


#: (model, database class) -> INSERT of every column, compiled once (see ReplicatedModel._insert)
_INSERT_SQL: dict[tuple[type, type], str] = {}


#: The columns of a row's stamp, filled in under the write lock (see ReplicatedModel.insert_new).
_STAMP_FIELDS = frozenset(("origin", "counter", "hlc"))

#: (model, database class) -> INSERT of every column that does nothing when the id is
#: taken, where the stamp's values go (position, field, index in the Stamp), the
#: converters of the other columns' values in column order (None at a stamp's), and the
#: names of the columns a new row must hold beside its stamp
_INSERT_NEW_SQL: dict[tuple[type, type], tuple[Any, ...]] = {}


#: Field class (exactly: not a subclass, which may convert otherwise) -> the types of
#: value its ``db_value`` returns as they are: peewee's ``Field.db_value`` gives None
#: back, and the field's ``adapt`` a ``str`` (``str`` fields), an ``int`` (``int(v)``)
#: or a ``bool`` (``bool(v)``) equal and of the same type. Skipping the two calls per
#: column is about 30 calls less per answer.
_UNCHANGED: dict[type, frozenset[type]] = {
    CharField: frozenset((str, type(None))),
    TextField: frozenset((str, type(None))),
    IntegerField: frozenset((int, type(None))),
    BigIntegerField: frozenset((int, type(None))),
    BooleanField: frozenset((bool, type(None))),
}
_NOTHING_KEPT: frozenset[type] = frozenset()


class _IdTaken(Exception):
    """Raised inside a write transaction to roll it back: the row's id is already stored."""


def _insert_new_sql(model: Any) -> tuple[Any, ...]:
    key = (model, type(db.obj))
    found = _INSERT_NEW_SQL.get(key)
    if found is None:
        placeholder = SQL(db.obj.param)
        fields = model._meta.sorted_fields
        insert = model.insert({f: placeholder for f in fields})
        insert = insert.on_conflict(conflict_target=[model.id], action="NOTHING").returning()
        stamp_at = tuple(
            (i, f, Stamp._fields.index(f.name))
            for i, f in enumerate(fields)
            if f.name in _STAMP_FIELDS
        )
        # Looked up once per model, not per field of every answer; with the types
        # whose values the converter gives back unchanged (see _UNCHANGED).
        converters = tuple(
            (f.name, None, _NOTHING_KEPT)
            if f.name in _STAMP_FIELDS
            else (f.name, f.db_value, _UNCHANGED.get(type(f), _NOTHING_KEPT))
            for f in fields
        )
        needed = frozenset(f.name for f in fields if f.name not in _STAMP_FIELDS)
        found = _INSERT_NEW_SQL[key] = (insert.sql()[0], stamp_at, converters, needed)
    return found


class ReplicatedModel(BaseModel):
    """A table that syncs. Subclasses set ``replication`` to EVENT or MUTABLE.

    ``authority`` says who may author its rows when they come from a peer
    (invariant 10, ``sync.engine``): EVENTS, students' and teachers' work, from
    any node of the school; ACCOUNTS, people, roles, credentials and classes,
    only from a peer an admin granted them; HUB, the district's content, only
    from the hub. ``school_column`` names a column that must agree with the
    row's partition; ``secret_columns`` travel only to peers granted accounts.
    """

    replication = MUTABLE
    authority = EVENTS
    school_column: str | None = None
    secret_columns: tuple[str, ...] = ()

    id = CharField(primary_key=True, max_length=100, default=new_id)
    partition = NameField()  # stored as codes: ~45 bytes less per row (migration 0007)
    origin = NameField()
    counter = BigIntegerField()
    hlc = BigIntegerField()
    deleted = BooleanField(default=False)

    class Meta:
        # A sync reads an origin's versions by counter (migration 0005).
        indexes = ((("origin", "counter"), False),)

    @classmethod
    def live(cls, *fields: Any):
        """Select the rows that are not tombstones."""
        return cls.select(*fields).where(cls.deleted == False)  # noqa: E712

    @property
    def stamp(self) -> Stamp:
        """The stamp of this version."""
        return Stamp(self.origin, self.counter, self.hlc)

    def to_record(self) -> dict[str, Any]:
        """This version as a plain dict of column name to database value (names as text)."""
        data = self.__data__
        return {
            f.column_name: data.get(f.name)
            if isinstance(f, NameField)
            else f.db_value(data.get(f.name))
            for f in self._meta.sorted_fields
        }

    def save(self, force_insert: bool = False, only: Iterable[Any] | None = None) -> int:
        """Stamp and write this row; an edit of a mutable row keeps the old version."""
        if not self.partition:
            raise ValueError(f"{type(self).__name__} needs a partition")
        with _joined_write():
            replaced = 0
            if not force_insert:
                if self.replication == EVENT:
                    raise ImmutableRowError(f"{type(self).__name__} rows are immutable events")
                previous = type(self).get_or_none(type(self).id == self.id)
                if previous is not None:
                    RowHistory.keep(previous)
                    replaced = previous.hlc
            self.origin, self.counter, self.hlc = reserve_stamps(1, above=replaced)
            if force_insert and only is None:
                return self._insert()
            if only is not None:
                cls = type(self)
                only = [*only, cls.origin, cls.counter, cls.hlc, cls.deleted]
            return super().save(force_insert=force_insert, only=only)

    def _insert(self) -> int:
        """Insert this new row with an INSERT compiled once per model (every answer is one).

        Rows missing a field (left to a database default) go through peewee, as before.
        """
        fields = self._meta.sorted_fields
        data = self.__data__
        if any(f.name not in data for f in fields):
            return super().save(force_insert=True)
        key = (type(self), type(db.obj))
        sql = _INSERT_SQL.get(key)
        if sql is None:
            placeholder = SQL(db.obj.param)
            sql = _INSERT_SQL[key] = type(self).insert({f: placeholder for f in fields}).sql()[0]
        db.execute_sql(sql, [f.db_value(data[f.name]) for f in fields])
        self._dirty.clear()
        return 1

    def insert_new(self) -> bool:
        """Insert this new row, stamped, unless a row already has its id; say whether it did.

        For a device-made event (an answer, an attempt...), whose id a retry repeats.
        Its values and statements are made before the node's write lock is taken, so
        that only two statements run while it is held: the stamp's UPDATE ... RETURNING
        and an INSERT ... ON CONFLICT DO NOTHING. When the id is taken nothing is
        written: the transaction rolls back, the counter it reserved with it, and the
        caller reads the stored row. Inside a caller's transaction (which a rollback
        would undo) the id is looked up first, as ``save`` would.
        """
        if not self.partition:
            raise ValueError(f"{type(self).__name__} needs a partition")
        cls = type(self)
        data = self.__data__
        sql, stamp_at, converters, needed = _insert_new_sql(cls)
        if db.in_transaction() or not data.keys() >= needed:
            with _joined_write():
                if cls.select(cls.id).where(cls.id == self.id).exists():
                    return False
                self.save(force_insert=True)
                return True
        values = [
            None if convert is None else value if type(value := data[name]) in kept else convert(value)
            for name, convert, kept in converters
        ]
        try:
            with write_transaction():
                stamp = reserve_stamps(1)
                for i, field, value in stamp_at:
                    values[i] = field.db_value(stamp[value])
                if db.execute_sql(sql, values).rowcount != 1:
                    raise _IdTaken
        except _IdTaken:
            return False
        self.origin, self.counter, self.hlc = stamp
        self._dirty.clear()
        return True

    def delete_instance(self, *args: Any, **kwargs: Any) -> int:
        """Delete by tombstone, so the delete replicates (invariant 6)."""
        self.deleted = True
        return self.save()

    @classmethod
    def create_many(cls, rows: list[dict[str, Any]]) -> int:
        """Insert many new rows with consecutive stamps in one statement per batch."""
        if not rows:
            return 0
        with _joined_write():
            origin, first, hlc = reserve_stamps(len(rows))
            stamped = []
            for offset, row in enumerate(rows):
                if not row.get("partition"):
                    raise ValueError(f"{cls.__name__} row needs a partition")
                item = {"id": new_id(), "deleted": False, **row}
                item.update(origin=origin, counter=first + offset, hlc=hlc)
                stamped.append(item)
            for start in range(0, len(stamped), 200):
                cls.insert_many(stamped[start : start + 200]).execute()
        return len(stamped)


class RowHistory(ReplicatedModel):
    """A superseded version of a mutable row: the loser of an edit or a conflict."""

    replication = EVENT

    table_name = CharField(max_length=64)
    row_id = CharField(max_length=100, index=True)
    version_origin = CharField(max_length=32)
    version_counter = BigIntegerField()
    version_hlc = BigIntegerField()
    data = JSONField()
    kept_at = DateTimeField(default=utcnow)

    @classmethod
    def history_id(cls, table: str, row_id: str, stamp: Stamp) -> str:
        """Deterministic id: the same superseded version kept on two nodes is one row."""
        key = f"{table}\x00{row_id}\x00{stamp.origin}\x00{stamp.counter}"
        return hashlib.sha256(key.encode()).hexdigest()[:40]

    @classmethod
    def keep(cls, row: ReplicatedModel) -> None:
        """Keep ``row``'s current version in history, once."""
        table = row._meta.table_name
        history_id = cls.history_id(table, row.id, row.stamp)
        if cls.get_or_none(cls.id == history_id) is not None:
            return
        cls.create(
            id=history_id,
            partition=row.partition,
            table_name=table,
            row_id=row.id,
            version_origin=row.origin,
            version_counter=row.counter,
            version_hlc=row.hlc,
            data=row.to_record(),
        )


__all__ = [
    "CLOCK",
    "ApiToken",
    "BaseModel",
    "ContentVersion",
    "HomeVersion",
    "JSONField",
    "LocalNode",
    "NameField",
    "ReplicatedModel",
    "RowHistory",
    "SyncName",
    "SyncVector",
    "WebSession",
    "observe_clock",
    "reserve_stamps",
    "utcnow",
]
