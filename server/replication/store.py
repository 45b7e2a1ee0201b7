"""The sync engine's view of this node's database (``sync.engine.Store``).

Rows travel with their stamps as they are: applying a version never restamps
it. Values are read and written as database values with plain SQL, so a JSON
column crosses as its text and a boolean as a boolean, whatever the database.
Partition and origin are the exception: stored as this database's codes
(server.db.names), they travel as names, so they are translated both ways here.
"""

from __future__ import annotations

import contextlib
import datetime
import json
from collections.abc import Iterator
from typing import Any, Callable

from peewee import BooleanField, DateTimeField

from sync.engine import HUB, BadChunk, Sender
from sync.stamp import DISTRICT, Stamp, school_partition
from sync.vector import Vector

from ..db import bulk_checkpoints, db, group_sync, is_sqlite, names, write_transaction
from ..models import (
    Activity,
    ActivitySkill,
    Asset,
    Goal,
    Item,
    LocalNode,
    Peer,
    Person,
    ReplicatedModel,
    RowHistory,
    School,
    SyncVector,
    replicated_models,
)
from ..models.base import NameField, observe_clock
from ..models.content import authored_pack, authored_prefix
from ..services import erasure, rollups

_IN_BATCH = 999  # SQLite's smallest limit of bound parameters


_AUTHORED = (Activity, ActivitySkill, Item, Asset)


def _not_the_schools_own(
    model: type[ReplicatedModel], columns: list[str], rows: list[list[Any]], school: str
) -> dict[int, str]:
    """Content rows in a school's partition that are not that school's own activities.

    A school authors activities under its own prefix (models.content): a row in its
    partition named like district content, or like another school's, would replace
    it on every node that applies it. An asset is named by its digest: one the
    receiver holds as the district's stays the district's.
    """
    prefix, pack = authored_prefix(school), authored_pack(school)
    why = f"content in partition school:{school} must be that school's own ({prefix}…)"
    at_id = columns.index("id")
    refused: dict[int, str] = {}
    if model is Asset:
        at_pack = columns.index("pack_id")
        ids = [values[at_id] for values in rows]
        district: set[str] = set()
        for start in range(0, len(ids), _IN_BATCH):
            batch = ids[start : start + _IN_BATCH]
            held = Asset.select(Asset.id).where(Asset.id.in_(batch), Asset.partition == DISTRICT)
            district.update(a.id for a in held)
        for index, values in enumerate(rows):
            if values[at_pack] != pack or values[at_id] in district:
                refused[index] = why
        return refused
    at_owner = columns.index("pack_id" if model is Activity else "activity_id")
    for index, values in enumerate(rows):
        owner = str(values[at_owner])
        owned = owner == pack if model is Activity else owner.startswith(prefix)
        if not (owned and str(values[at_id]).startswith(prefix)):
            refused[index] = why
    return refused


STAFF_ROLES = ("teacher", "admin")


def _goals_set_by_strangers(
    columns: list[str], rows: list[list[Any]], school: str
) -> dict[int, str]:
    """Goals set by someone who is neither their student nor staff of that student's school.

    A goal is set by the student or by a teacher or admin of their school (services.learning).
    A goal the student set is theirs, like their events. One set by anyone else is judged by
    the setter as this node holds them, tombstones included (a teacher who left still set
    the goals they set): a setter not held yet is refused now and asked for again at the
    next sync, when their row may have come. A goal for someone held as other than a
    student of the school is refused too.
    """
    at_person, at_setter = columns.index("person_id"), columns.index("set_by")
    set_by_others = [i for i, v in enumerate(rows) if v[at_setter] != v[at_person]]
    wanted = sorted({str(rows[i][k]) for i in set_by_others for k in (at_person, at_setter)})
    held: dict[str, tuple[str, str]] = {}
    for start in range(0, len(wanted), _IN_BATCH):
        batch = wanted[start : start + _IN_BATCH]
        found = Person.select(Person.id, Person.role, Person.school_id).where(Person.id.in_(batch))
        held.update({p.id: (p.role, p.school_id) for p in found})
    refused: dict[int, str] = {}
    for index in set_by_others:
        values = rows[index]
        setter = held.get(values[at_setter])
        student = held.get(values[at_person], ("student", school))
        if setter is None or setter[0] not in STAFF_ROLES or setter[1] != school:
            refused[index] = f"a goal may be set only by its student or by staff of school {school}"
        elif student != ("student", school):
            refused[index] = f"a goal is for a student of school {school}"
    return refused


def _as_bool(value: Any) -> Any:
    return None if value is None else bool(value)


def _as_text_time(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    return value


class NodeStore:
    """This node's replicated tables, vectors and clock, for the sync engine."""

    def __init__(self, role: str = "node") -> None:
        node = LocalNode.get()
        self.role = role
        self.node_id: str = node.node_id
        self.school_id: str | None = node.school_id
        self._models: dict[str, type[ReplicatedModel]] = {
            m._meta.table_name: m for m in replicated_models()
        }
        self._columns = {
            name: [f.column_name for f in m._meta.sorted_fields] for name, m in self._models.items()
        }
        # Only booleans, times and names need converting: keep (index, converter) pairs.
        self._converters: dict[str, list[tuple[int, Callable[[Any], Any]]]] = {}
        for name, model in self._models.items():
            convert: list[tuple[int, Callable[[Any], Any]]] = []
            for index, f in enumerate(model._meta.sorted_fields):
                if isinstance(f, BooleanField):
                    convert.append((index, _as_bool))
                elif isinstance(f, DateTimeField):
                    convert.append((index, _as_text_time))
                elif isinstance(f, NameField):
                    convert.append((index, names.name))
            self._converters[name] = convert
        # Erasure (services.erasure): the people whose rows a chunk touched, and those it
        # erased; scrubbed when the chunk's vector is saved, in its transaction. The
        # digests of photos tombstoned then wait in ``forgotten`` for the caller to
        # delete their bytes after the commit (``forget_bytes``).
        self._touched: set[str] = set()
        self._erasing: set[str] = set()
        self.forgotten: list[str] = []
        # The named columns are exactly the stamp's partition and origin.
        for name, model in self._models.items():
            named = [f.column_name for f in model._meta.sorted_fields if isinstance(f, NameField)]
            assert named == ["partition", "origin"], (name, named)

    # ------------------------------------------------------------ schema

    def tables(self) -> dict[str, str]:
        """Replicated tables and their kind."""
        return {name: model.replication for name, model in self._models.items()}

    def columns(self, table: str) -> list[str]:
        """Columns of a replicated table."""
        return self._columns[table]

    def partitions(self) -> list[str]:
        """A node holds its school and the district's content; a hub every enrolled school too."""
        found = {DISTRICT}
        if self.school_id:
            found.add(school_partition(self.school_id))
        if self.role == "hub":
            schools = Peer.select(Peer.school_id).where(Peer.school_id.is_null(False)).distinct()
            found.update(school_partition(p.school_id) for p in schools)
        return sorted(found)

    # ------------------------------------------------------------ authority (invariant 10)

    def authority(self, table: str) -> str:
        """Who may author a table's rows in a school's partition (the model says)."""
        return self._models[table].authority

    def refusals(
        self, table: str, columns: list[str], rows: list[list[Any]], partition: str, sender: Sender
    ) -> dict[int, str]:
        """Rows to refuse beyond the table's authority: a school disagreeing with the partition,
        a kept version of a table the sender may not author."""
        model = self._models[table]
        school = partition[len("school:") :] if partition.startswith("school:") else None
        refused: dict[int, str] = {}
        checked = model.school_column or ("id" if model is School else None)
        if checked is not None:
            at = columns.index(checked)
            why = f"its {checked} does not agree with partition {partition}"
            refused.update({i: why for i, values in enumerate(rows) if values[at] != school})
        if school is not None and model in _AUTHORED:
            refused.update(_not_the_schools_own(model, columns, rows, school))
        if school is not None and model is Goal:
            refused.update(_goals_set_by_strangers(columns, rows, school))
        if model is RowHistory and sender.grants is not None:
            at = columns.index("table_name")
            for index, values in enumerate(rows):
                kept = self._models.get(values[at])
                authority = HUB if partition == DISTRICT else getattr(kept, "authority", None)
                if authority is None or not sender.may(authority):
                    refused[index] = f"a kept version of {values[at]!r} needs {authority!r}"
        return refused

    def without_secrets(
        self, table: str, columns: list[str], rows: list[list[Any]]
    ) -> list[list[Any]]:
        """Rows with password hashes blanked, their kept versions in history too."""
        model = self._models[table]
        if model.secret_columns:
            at = [columns.index(c) for c in model.secret_columns]
            return [_blanked(values, at) for values in rows]
        if model is RowHistory:
            at_table, at_data = columns.index("table_name"), columns.index("data")
            secret = {n: m.secret_columns for n, m in self._models.items() if m.secret_columns}
            return [
                _blanked_record(values, at_data, secret[values[at_table]])
                if values[at_table] in secret
                else values
                for values in rows
            ]
        return rows

    # ------------------------------------------------------------ vectors and clock

    def vector(self, partition: str) -> Vector:
        """Stored vector of a partition plus our own counter."""
        vector = {
            row.origin: row.counter
            for row in SyncVector.select().where(SyncVector.partition == partition)
        }
        vector[self.node_id] = LocalNode.get().counter
        _durable_before_leaving()
        return vector

    def save_vector(self, partition: str, vector: Vector) -> None:
        """Upsert the vector's entries (never moving one backwards)."""
        held = {
            row.origin: row for row in SyncVector.select().where(SyncVector.partition == partition)
        }
        for origin, counter in vector.items():
            row = held.get(origin)
            if row is None:
                # Another hub host may add the same entry meanwhile: then it moves below.
                SyncVector.insert(
                    partition=partition, origin=origin, counter=counter
                ).on_conflict_ignore().execute()
            elif counter <= row.counter:
                continue
            # Only upwards, also when a concurrent chunk moved it since it was read.
            SyncVector.update(counter=counter).where(
                (SyncVector.partition == partition)
                & (SyncVector.origin == origin)
                & (SyncVector.counter < counter)
            ).execute()
        self._scrub_erased()
        if self.role == "hub":
            # The chunk's rows are in this transaction: fold them into the dashboard's
            # rollups now, so a page view never reads events (services.rollups).
            moved = [o for o, c in vector.items() if o not in held or c > held[o].counter]
            rollups.fold(partition, moved)

    def _scrub_erased(self) -> None:
        """Blank the content of erased students that this chunk erased or brought in."""
        erasing = self._erasing | erasure.erased_among(self._touched)
        self._touched, self._erasing = set(), set()
        if erasing:
            self.forgotten += erasure.scrub(erasing)

    def forget_bytes(self, data_dir: str | None) -> int:
        """After the commit: delete the bytes of photos erasure tombstoned here."""
        digests, self.forgotten = self.forgotten, []
        if not digests or data_dir is None:
            return 0
        return erasure.forget_bytes(data_dir, digests)

    def _note_people(self, table: str, columns: list[str], rows: list[list[Any]]) -> None:
        """Remember whose rows of a personal table arrive, and who arrives erased."""
        if table in erasure.PERSONAL:
            at = columns.index("person_id")
            self._touched.update(v for v in (values[at] for values in rows) if type(v) is str)
        elif table == Person._meta.table_name:
            at_id, at_erased = columns.index("id"), columns.index("erased")
            self._erasing.update(values[at_id] for values in rows if values[at_erased])

    def observe_clock(self, hlc: int) -> None:
        """Merge a remote clock value into ours, and into the node row for every process.

        Called inside the chunk's write transaction: the CLI's observation, or one
        serving process's, outlives it, and the next stamp of any process reads it
        (models.base.reserve_stamps). The row's clock only rises.
        """
        observe_clock(hlc)

    # ------------------------------------------------------------ transactions

    @contextlib.contextmanager
    def read_transaction(self) -> Iterator[None]:
        """One snapshot for a whole export."""
        with db.atomic():
            if not is_sqlite():
                db.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield

    @contextlib.contextmanager
    def write_transaction(self) -> Iterator[None]:
        """The write transaction a chunk is applied in (its commit rarely checkpoints)."""
        with bulk_checkpoints(), write_transaction():
            yield

    # ------------------------------------------------------------ rows

    def _convert(self, table: str, values: Any) -> list[Any]:
        values = list(values)
        for index, convert in self._converters[table]:
            values[index] = convert(values[index])
        return values

    def rows_after(
        self, partition: str, origin: str, after: int, limit: int
    ) -> list[tuple[int, str, list[Any]]]:
        """Current versions of ``origin`` past ``after`` across tables, by counter."""
        found: list[tuple[int, str, list[Any]]] = []
        codes = names.find(partition), names.find(origin)
        if None in codes:
            return found  # a name this database never stored: no row carries it
        param = db.param
        for table, columns in self._columns.items():
            counter_at = columns.index("counter")
            # Every row read carries these two names: set them, no lookup per row.
            known = (columns.index("partition"), partition), (columns.index("origin"), origin)
            others = [c for c in self._converters[table] if c[1] is not names.name]
            sql = (
                f'SELECT {", ".join(_quote(c) for c in columns)} FROM "{table}" '
                f"WHERE partition = {param} AND origin = {param} AND counter > {param} "
                f"ORDER BY counter LIMIT {int(limit)}"
            )
            for values in db.execute_sql(sql, (*codes, after)).fetchall():
                values = list(values)
                for index, convert in others:
                    values[index] = convert(values[index])
                for index, name in known:
                    values[index] = name
                found.append((values[counter_at], table, values))
        found.sort(key=lambda item: item[0])
        _durable_before_leaving()
        return found[:limit]

    def current(self, table: str, ids: list[str]) -> dict[str, dict[str, Any]]:
        """The rows we hold with these ids, as column dicts."""
        columns = self._columns[table]
        held: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), _IN_BATCH):
            batch = ids[start : start + _IN_BATCH]
            marks = ", ".join([db.param] * len(batch))
            sql = (
                f'SELECT {", ".join(_quote(c) for c in columns)} FROM "{table}" '
                f"WHERE id IN ({marks})"
            )
            for values in db.execute_sql(sql, batch).fetchall():
                row = dict(zip(columns, self._convert(table, values)))
                held[row["id"]] = row
        return held

    def held_ids(self, table: str, ids: list[str]) -> set[str]:
        """Which of these ids we hold (an index lookup, no row read)."""
        held: set[str] = set()
        for start in range(0, len(ids), _IN_BATCH):
            batch = ids[start : start + _IN_BATCH]
            marks = ", ".join([db.param] * len(batch))
            sql = f'SELECT id FROM "{table}" WHERE id IN ({marks})'
            held.update(row[0] for row in db.execute_sql(sql, batch).fetchall())
        return held

    def insert_new(self, table: str, columns: list[str], rows: list[list[Any]]) -> int:
        """Insert the versions whose id we do not hold; return how many were new.

        The primary key decides in the same index descent as the insert: a
        separate lookup first would walk the id index twice per row.
        """
        if table == RowHistory._meta.table_name:
            rows = self._without_erased_history(columns, rows)
        if not rows:
            return 0
        self._note_people(table, columns, rows)
        at = [columns.index("partition"), columns.index("origin")]
        quoted = ", ".join(_quote(c) for c in columns)
        marks = ", ".join([db.param] * len(columns))
        if not is_sqlite():
            return _insert_arrays(table, columns, rows, at, CONFLICT)
        coded = _coded_rows(rows, at)
        sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({marks}) ON CONFLICT (id) DO NOTHING'
        cursor = db.cursor()
        cursor.executemany(sql, coded)
        return cursor.rowcount  # summed over the rows by sqlite3

    def insert(self, table: str, columns: list[str], rows: list[list[Any]]) -> None:
        """Insert versions with their stamps; ``rows`` hold values in ``columns`` order."""
        if not rows:
            return
        self._note_people(table, columns, rows)
        at = [columns.index("partition"), columns.index("origin")]
        quoted = ", ".join(_quote(c) for c in columns)
        marks = ", ".join([db.param] * len(columns))
        if not is_sqlite():
            _insert_arrays(table, columns, rows, at)
            return
        coded = _coded_rows(rows, at)
        sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})'
        db.cursor().executemany(sql, coded)

    def _erased(self, person_ids: set[str]) -> set[str]:
        """Which of these people are erased here."""
        if not person_ids:
            return set()
        query = Person.select(Person.id).where(
            Person.id.in_(sorted(person_ids)) & (Person.erased == True)  # noqa: E712
        )
        return {row[0] for row in query.tuples()}

    def _without_erased_history(self, columns: list[str], rows: list[list[Any]]) -> list[list[Any]]:
        """History rows, less the kept versions of erased people (they must not come back)."""
        at_table, at_row = columns.index("table_name"), columns.index("row_id")
        at_data = columns.index("data")

        def owner(values: list[Any]) -> str | None:
            if values[at_table] in _ERASABLE:
                return _person_of(values[at_table], values[at_row])
            return erasure.erased_history_row(values[at_table], values[at_data])

        named = {owner(values) for values in rows} - {None}
        erased = self._erased(named)
        if not erased:
            return rows
        return [values for values in rows if owner(values) not in erased]

    def replace(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Overwrite rows with these versions (an erasure purges the person's history)."""
        if not rows:
            return
        columns = self._columns[table]
        self._note_people(table, columns, [[row.get(c) for c in columns] for row in rows])
        columns = [c for c in self._columns[table] if c != "id"]
        sets = ", ".join(f"{_quote(c)} = {db.param}" for c in columns)
        sql = f'UPDATE "{table}" SET {sets} WHERE id = {db.param}'
        at = [columns.index("partition"), columns.index("origin")]
        values = _coded_rows([[row[c] for c in columns] + [row["id"]] for row in rows], at)
        db.cursor().executemany(sql, values)
        if table == Person._meta.table_name:
            erasure.purge_history([row["id"] for row in rows if row.get("erased")])

    def keep_history(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Keep superseded versions in history, once each (deterministic ids).

        Never a version of an erased person or their profile: erasure is for good.
        """
        if table in _ERASABLE:
            erased = self._erased({_person_of(table, row["id"]) for row in rows} - {None})
            rows = [row for row in rows if _person_of(table, row["id"]) not in erased]
        if not rows:
            return
        wanted = {}
        for row in rows:
            stamp = (row["origin"], int(row["counter"]), int(row["hlc"]))
            history_id = RowHistory.history_id(table, row["id"], Stamp(*stamp))
            wanted[history_id] = {
                "id": history_id,
                "partition": row["partition"],
                "table_name": table,
                "row_id": row["id"],
                "version_origin": stamp[0],
                "version_counter": stamp[1],
                "version_hlc": stamp[2],
                "data": row,
            }
        held = self.held_ids(RowHistory._meta.table_name, list(wanted))
        RowHistory.create_many([r for k, r in wanted.items() if k not in held])


#: Rows per INSERT statement on PostgreSQL: a chunk's rows of a table in one statement.
PG_PAGE_ROWS = 5_000
CONFLICT = " ON CONFLICT (id) DO NOTHING"


def _insert_arrays(
    table: str, columns: list[str], rows: list[list[Any]], at: list[int], tail: str = ""
) -> int:
    """``INSERT … SELECT * FROM unnest(one array per column) tail`` over pages of ``rows``.

    On PostgreSQL one statement per page, and one bound value per column: each
    column goes as one array literal that the server parses with its array input
    function, instead of a row of placeholders per row that psycopg2 quotes value
    by value and the server parses as thousands of constants (a third of the hub's
    CPU per row and half the database's went there). Each value still goes through
    its column's type: a value the column does not take fails the statement as a
    VALUES list would, and a string past a ``varchar(n)`` is refused, not cut.
    ``tail`` (``ON CONFLICT (id) DO NOTHING``) keeps its meaning: rows are inserted
    in the given order, a held id (or one twice in the page) inserts nothing.
    The partition and origin at positions ``at`` are sent as codes. Rows inserted.
    """
    types = _column_types(table, columns)
    quoted = ", ".join(_quote(c) for c in columns)
    arrays = ", ".join(f"{db.param}::{types[c]}[]" for c in columns)
    sql = f'INSERT INTO "{table}" ({quoted}) SELECT * FROM unnest({arrays}){tail}'
    cursor = db.cursor()
    inserted = 0
    for start in range(0, len(rows), PG_PAGE_ROWS):
        page = rows[start : start + PG_PAGE_ROWS]
        values = list(zip(*page))  # column by column; rows are all as wide (apply_chunk checks)
        for index in at:
            values[index] = _coded_column(values[index])
        cursor.execute(sql, [_array_literal(column) for column in values])
        inserted += cursor.rowcount
    return inserted


_TYPES: dict[tuple[int, str], dict[str, str]] = {}


def _column_types(table: str, columns: list[str]) -> dict[str, str]:
    """A table's column types as PostgreSQL names them (without lengths), read once a database."""
    key = id(db.obj), table
    found = _TYPES.get(key)
    if found is None or not all(c in found for c in columns):
        rows = db.execute_sql(
            "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute "
            f"WHERE attrelid = {db.param}::regclass AND attnum > 0 AND NOT attisdropped",
            (f'"{table}"',),
        ).fetchall()
        found = _TYPES[key] = dict(rows)
    return found


def _coded_column(named: tuple[Any, ...]) -> list[int]:
    """A column of partition or origin names as codes: one lookup per distinct name."""
    try:
        codes = {value: _code_of(value) for value in set(named)}
    except TypeError:  # an unhashable value (a list, an object) where a name belongs
        raise BadChunk("a partition or origin is not a string") from None
    return [codes[value] for value in named]


def _array_literal(column: tuple[Any, ...] | list[Any]) -> str:
    """A column's values as one PostgreSQL array literal (``{1,NULL,"text"}``).

    Strings are always double-quoted, backslash and quote escaped: inside quotes
    every other character (comma, brace, space, newline, the word NULL) is the
    string's own. Only scalars travel in a row: anything else refuses the chunk.
    The common columns (all integers, all empty, all strings needing no escape) take one join.
    """
    kinds = set(map(type, column))
    if kinds == {int}:
        return "{" + ",".join(map(str, column)) + "}"
    if kinds == {_NONE}:
        return "{" + ",".join(["NULL"] * len(column)) + "}"
    if kinds == {str}:
        text = "".join(column)
        if "\\" not in text and '"' not in text:
            return '{"' + '","'.join(column) + '"}'
    return "{" + ",".join(map(_element, column)) + "}"


_NONE = type(None)


def _element(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if value is None:
        return "NULL"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return repr(value)  # nan and inf as PostgreSQL's float input reads them
    raise BadChunk(f"a value of type {kind.__name__} where a column takes a scalar")


def _code_of(value: Any) -> int:
    try:
        names.check_name(value)
    except ValueError as exc:
        raise BadChunk(str(exc)) from None
    return names.code(value)


_ERASABLE = ("person", "learner_profile")


def _person_of(table: Any, row_id: Any) -> str | None:
    """The person a row of ``person`` or ``learner_profile`` belongs to."""
    if not isinstance(row_id, str):
        return None
    if table == "person":
        return row_id
    if table == "learner_profile" and row_id.startswith("profile:"):
        return row_id[len("profile:") :]
    return None


def _coded_rows(rows: list[list[Any]], at: list[int]) -> list[list[Any]]:
    """Copies of ``rows`` with the partition and origin at positions ``at`` as codes."""
    known: dict[str, int] = {}

    def code_of(value: Any) -> int:
        try:
            names.check_name(value)
        except ValueError as exc:
            raise BadChunk(str(exc)) from None
        found = known[value] = names.code(value)
        return found

    at_partition, at_origin = at
    get = known.get
    coded = []
    try:
        for values in rows:  # the bulk of a sync: kept to a copy and two lookups per row
            values = values.copy()  # the caller's rows stay as they came (chunks are replayed)
            # Codes start at 1 in both databases, so `or` only falls through when unknown.
            values[at_partition] = get(values[at_partition]) or code_of(values[at_partition])
            values[at_origin] = get(values[at_origin]) or code_of(values[at_origin])
            coded.append(values)
    except TypeError:  # an unhashable value (a list, an object) where a name belongs
        raise BadChunk("a partition or origin is not a string") from None
    return coded


def _blanked(values: list[Any], at: list[int]) -> list[Any]:
    values = list(values)
    for index in at:
        values[index] = None
    return values


def _blanked_record(values: list[Any], at_data: int, secret: tuple[str, ...]) -> list[Any]:
    """A history row whose kept version (JSON text) has its secrets blanked."""
    values = list(values)
    try:
        record = json.loads(values[at_data])
    except (TypeError, ValueError):
        values[at_data] = "{}"  # unreadable: send nothing rather than a secret
        return values
    if isinstance(record, dict):
        record.update(dict.fromkeys(secret))
    values[at_data] = json.dumps(record, separators=(",", ":"), sort_keys=True)
    return values


def _quote(column: str) -> str:
    return f'"{column}"'


def _durable_before_leaving() -> None:
    """Make every commit so far durable before rows read now leave the node."""
    # A peer must never hold a version a power cut could take back here: the
    # node would then hand that counter out again for a different row.
    syncer = group_sync()
    if syncer is not None:
        syncer.barrier()
