"""A device's backup, and a restore that gives the restored device a new identity.

A backup is a gzipped tar: the database (a consistent copy by SQLite's online
backup API), every blob (content files and photos, named by their SHA-256), the
node's keys, its CA and certificates (``tls/``) and ``baobab.ini``, with a
manifest saying which node made it, of which school, at which counter.

A restore never reuses the old node's id. The old device may have written and
synced after the backup was made: its counters past the backup's are already in
its peers' vectors, and a device that handed them out again would have its new
writes taken for rows the peers hold (hidden forever) or mixed with the old
ones. So a backup is restored into a new node (a new data directory after
``baobab init``, or a node the first-run wizard has not set up): it keeps its own
fresh id and key, takes the backup's rows as they are (stamped with the old id,
merged as the sync engine merges a peer's), and records in its version vector
that it holds the old id's writes up to the backup's counter. What the old device
wrote later reaches it from any peer, by the usual sync; what it writes itself is
stamped with its own id, from counter 1, which no peer has seen. The pairings
were the old identity's: the restored node pairs again (the report lists them).
The CA comes back, so tablets that trusted the old device trust this one.
"""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync.engine import UNKNOWN, apply_chunk
from sync.stamp import DISTRICT, school_partition

from ..db import SQLITE_FILE_NAME, write_transaction
from ..db.blobs import BLOB_DIR, is_digest, store_blob
from ..errors import BaobabError, Conflict, InvalidInput
from ..models import ApiToken, LocalNode, Person, replicated_models
from ..models.base import observe_clock
from ..node import certs, identity
from ..version import __version__
from .store import NodeStore

FORMAT = 1
MANIFEST = "baobab-backup.json"
DATABASE_MEMBER = "baobab.db"
CONFIG_MEMBER = "baobab.ini"
KEY_FILES = (identity.SECRET_KEY_FILE, identity.NODE_KEY_FILE)
BATCH_ROWS = 5_000
# What a member of an archive may be called; anything else refuses the whole file.
_BLOB_MEMBER = re.compile(rf"{BLOB_DIR}/([0-9a-f]{{2}})/([0-9a-f]{{64}})")
_TLS_MEMBER = re.compile(rf"{certs.TLS_DIR_NAME}/([A-Za-z0-9][A-Za-z0-9._-]{{0,80}})")
_KEY_MEMBER = re.compile(r"keys/([a-z_]{1,40})")


class BackupRefused(InvalidInput):
    """Raised when a file is not a Baobab backup this version can restore (422)."""


@dataclass
class Restored:
    """What a restore did."""

    school_id: str
    old_node_id: str
    node_id: str
    rows: int = 0
    blobs: int = 0
    tls: bool = False
    peers: list[str] = field(default_factory=list)  # the old pairings, to pair again

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON."""
        return dict(self.__dict__)


# ---------------------------------------------------------------- making a backup


def write_backup(data_dir: str, target: Path) -> dict[str, Any]:
    """Write the whole device to ``target`` (a new file); return its manifest."""
    data = Path(data_dir)
    source = data / SQLITE_FILE_NAME
    if not source.is_file() or source.stat().st_size == 0:
        raise BaobabError(f"No database at {source}.")
    with tempfile.TemporaryDirectory(dir=data, prefix=".backup-") as work:
        copy = Path(work) / DATABASE_MEMBER
        _sqlite_copy(source, copy)
        # After the database: a file its rows name was written before its row.
        node = _read_node(copy)
        manifest = {
            "format": FORMAT,
            "version": __version__,
            "node_id": node["node_id"],
            "school_id": node["school_id"],
            "counter": node["counter"],
        }
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
            tar.add(copy, DATABASE_MEMBER, recursive=False)
            for path in sorted((data / BLOB_DIR).glob("*/*")):
                if path.is_file() and is_digest(path.name):
                    tar.add(path, f"{BLOB_DIR}/{path.parent.name}/{path.name}", recursive=False)
            for name in KEY_FILES:
                if (data / name).is_file():
                    tar.add(data / name, f"keys/{name}", recursive=False)
            tls = certs.tls_dir(data)
            for path in sorted(tls.glob("*")) if tls.is_dir() else ():
                if path.is_file() and _TLS_MEMBER.fullmatch(f"{certs.TLS_DIR_NAME}/{path.name}"):
                    tar.add(path, f"{certs.TLS_DIR_NAME}/{path.name}", recursive=False)
            if (data / CONFIG_MEMBER).is_file():
                tar.add(data / CONFIG_MEMBER, CONFIG_MEMBER, recursive=False)
    return manifest


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy a live database with SQLite's online backup API, and check the copy."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst, pages=256)
        problems = dst.execute("PRAGMA integrity_check").fetchall()
    finally:
        dst.close()
        src.close()
    if problems != [("ok",)]:
        raise BaobabError(f"The copy of the database failed its integrity check: {problems}")


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o600
    tar.addfile(info, io.BytesIO(data))


def _read_node(path: Path) -> dict[str, Any]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT node_id, counter, hlc, school_id FROM local_node").fetchall()
    except sqlite3.DatabaseError as exc:
        raise BackupRefused(f"The backup's database is not a Baobab database: {exc}") from None
    finally:
        conn.close()
    if len(row) != 1:
        raise BackupRefused("The backup's database has no node identity.")
    node_id, counter, hlc, school_id = row[0]
    return {"node_id": node_id, "counter": counter, "hlc": hlc, "school_id": school_id}


# ---------------------------------------------------------------- restoring


def restore_backup(archive: Path, data_dir: str, role: str = "node") -> Restored:
    """Restore a backup into this node, which must not hold a school yet (see the module)."""
    if role == "hub":
        raise Conflict("A hub is backed up with pg_dump, not restored from a node's backup.")
    _require_empty()
    me = identity.ensure_node()
    with (
        _opened(archive) as tar,
        tempfile.TemporaryDirectory(dir=data_dir, prefix=".restore-") as work,
    ):
        members = _checked_members(tar)
        manifest = _manifest(tar, members)
        copy = Path(work) / DATABASE_MEMBER
        _extract(tar, members[DATABASE_MEMBER], copy)
        node = _read_node(copy)
        if node["node_id"] != manifest["node_id"] or not node["school_id"]:
            raise BackupRefused("The backup's manifest and database disagree, or hold no school.")
        if node["node_id"] == me.node_id:
            raise Conflict(
                "This node made that backup: restore it into a new data directory, never over "
                "the node that made it."
            )
        result = Restored(node["school_id"], node["node_id"], me.node_id)
        # Blobs first, each checked against its name: rows that name them come after.
        for name, member in members.items():
            found = _BLOB_MEMBER.fullmatch(name)
            if found:
                try:
                    store_blob(data_dir, found.group(2), _read(tar, member))
                except ValueError:
                    raise BackupRefused(
                        f"{name} is damaged: its bytes are not its digest."
                    ) from None
                result.blobs += 1
        _restore_rows(copy, node, role, result)
        result.tls = _restore_files(tar, members, Path(data_dir))
    return result


def _require_empty() -> None:
    node = LocalNode.get_or_none()
    if (node is not None and node.school_id) or Person.select().exists():
        raise Conflict(
            "This node already holds a school: a backup is restored into a new node "
            "(a new data directory), so nothing written here is replaced."
        )


@contextmanager
def _opened(archive: Path) -> Iterator[tarfile.TarFile]:
    try:
        tar = tarfile.open(archive, mode="r:gz")  # noqa: SIM115 (closed below)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupRefused(f"That file is not a Baobab backup (a .tar.gz): {exc}") from None
    try:
        yield tar
    finally:
        tar.close()


def _checked_members(tar: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    """Every member, by name; refused whole if one is not a plain file the format names."""
    members: dict[str, tarfile.TarInfo] = {}
    try:
        for member in tar:
            name = member.name
            known = name in (MANIFEST, DATABASE_MEMBER, CONFIG_MEMBER) or any(
                p.fullmatch(name) for p in (_BLOB_MEMBER, _TLS_MEMBER, _KEY_MEMBER)
            )
            if not member.isfile() or not known or name in members:
                raise BackupRefused(f"The backup holds {name!r}, which no backup holds.")
            members[name] = member
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupRefused(f"The backup is damaged or cut short: {exc}") from None
    for needed in (MANIFEST, DATABASE_MEMBER):
        if needed not in members:
            raise BackupRefused(f"The backup has no {needed}.")
    return members


def _read(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    handle = tar.extractfile(member)
    if handle is None:
        raise BackupRefused(f"{member.name} cannot be read.")
    try:
        return handle.read()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupRefused(f"The backup is damaged or cut short: {exc}") from None


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    handle = tar.extractfile(member)
    if handle is None:
        raise BackupRefused(f"{member.name} cannot be read.")
    try:
        with open(target, "wb") as out:
            for block in iter(lambda: handle.read(1 << 20), b""):
                out.write(block)
    except (tarfile.TarError, EOFError) as exc:
        raise BackupRefused(f"The backup is damaged or cut short: {exc}") from None
    conn = sqlite3.connect(target)
    try:
        problems = conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        problems = [(str(exc),)]
    finally:
        conn.close()
    if problems != [("ok",)]:
        raise BackupRefused(f"The backup's database is damaged: {problems[:3]}")


def _manifest(tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo]) -> dict[str, Any]:
    try:
        manifest = json.loads(_read(tar, members[MANIFEST]))
    except ValueError:
        raise BackupRefused("The backup's manifest is not JSON.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupRefused("The backup was made in a format this version does not read.")
    return manifest


def _restore_rows(copy: Path, node: dict[str, Any], role: str, result: Restored) -> None:
    """The backup's rows merged in, its vectors and the old id's counter taken, in one go."""
    source = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        names = dict(source.execute("SELECT id, name FROM sync_name").fetchall())
        with write_transaction():  # all or nothing: a failed restore can be tried again
            store = NodeStore(role)
            school = school_partition(node["school_id"])
            allowed = {DISTRICT, school}
            for model in replicated_models():
                result.rows += _copy_table(source, store, model, names, allowed)
            vectors: dict[str, dict[str, int]] = {DISTRICT: {}, school: {}}
            for partition, origin, counter in source.execute(
                "SELECT partition, origin, counter FROM sync_vector"
            ):
                vectors.setdefault(partition, {})[origin] = int(counter)
            for partition, vector in vectors.items():
                if partition not in allowed:
                    continue
                # The old node held every write of its own up to its counter.
                vector[node["node_id"]] = max(vector.get(node["node_id"], 0), node["counter"])
                vector.pop(store.node_id, None)
                store.save_vector(partition, vector)
            for token_hash, person_id, name in source.execute(
                "SELECT token_hash, person_id, name FROM api_token"
            ):
                if not ApiToken.select().where(ApiToken.token_hash == token_hash).exists():
                    ApiToken.create(token_hash=token_hash, person_id=person_id, name=name)
            observe_clock(int(node["hlc"]))
            identity.set_school(node["school_id"])
        result.peers = [
            f"{r[1]} ({r[0]})" if r[1] else r[0]
            for r in source.execute("SELECT role, url FROM peer WHERE NOT revoked ORDER BY id")
        ]
    except sqlite3.DatabaseError as exc:
        raise BackupRefused(f"The backup's database cannot be read here: {exc}") from None
    finally:
        source.close()


def _copy_table(
    source: sqlite3.Connection, store: NodeStore, model: Any, names: dict[int, str], allowed: set
) -> int:
    """One replicated table of the backup into this node, merged as a peer's rows are."""
    table = model._meta.table_name
    columns = store.columns(table)
    held = [r[1] for r in source.execute(f'PRAGMA table_info("{table}")')]
    unknown = set(held) - set(columns)
    if unknown:
        raise BackupRefused(
            f"The backup was made by a newer Baobab ({table} has {sorted(unknown)}): update first."
        )
    fields = {f.column_name: f for f in model._meta.sorted_fields}
    # A column an older backup lacks takes its default, as its migration gave it.
    select = ", ".join(f'"{c}"' if c in held else "NULL" for c in columns)
    defaults = {
        i: fields[c].default for i, c in enumerate(columns) if c not in held and fields[c].default
    }
    at_partition, at_origin = columns.index("partition"), columns.index("origin")
    cursor = source.execute(f'SELECT {select} FROM "{table}" ORDER BY partition, counter')
    count = 0
    while True:
        batch = cursor.fetchmany(BATCH_ROWS)
        if not batch:
            return count
        by_partition: dict[str, list[list[Any]]] = {}
        for values in batch:
            values = list(values)
            for index, default in defaults.items():
                values[index] = default() if callable(default) else default
            values[at_partition] = names.get(values[at_partition])
            values[at_origin] = names.get(values[at_origin])
            by_partition.setdefault(values[at_partition], []).append(values)
        for partition, rows in by_partition.items():
            if partition not in allowed:
                raise BackupRefused(f"The backup holds rows of {partition!r}, not its school's.")
            chunk = {
                "partition": partition,
                "origins": {},
                "tables": {table: {"columns": columns, "rows": rows}},
            }
            stats = apply_chunk(store, chunk, allowed, UNKNOWN)
            if stats.refused:
                raise BackupRefused(f"The backup's rows were refused: {stats.refused[0]}")
            count += len(rows)


def _restore_files(tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo], data: Path) -> bool:
    """The CA and certificates (tablets keep trusting), and the settings file if none here."""
    restored_tls = False
    for name, member in members.items():
        found = _TLS_MEMBER.fullmatch(name)
        if found:
            target = certs.tls_dir(data) / found.group(1)
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _write_private(target, _read(tar, member))
            restored_tls = True
    if CONFIG_MEMBER in members and not (data / CONFIG_MEMBER).exists():
        _write_private(data / CONFIG_MEMBER, _read(tar, members[CONFIG_MEMBER]))
    # The keys stay in the archive: this node keeps its own (a new identity, above).
    return restored_tls


def _write_private(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, path)
