"""This node: its identity, its secret key, its school."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sync.auth import NodeKey
from sync.ids import new_id

from ..models import LocalNode, SharedSecret

SECRET_KEY_FILE = "secret_key"


def ensure_node() -> LocalNode:
    """Return this node's row, making its identity on first use."""
    node = LocalNode.get_or_none()
    if node is None:
        node = LocalNode.create(node_id=new_id()[:16])
    return node


def node_info() -> LocalNode | None:
    """Return this node's row, or None before ``init``."""
    return LocalNode.get_or_none()


def secret_key(data_dir: str) -> str:
    """Return the session-signing key kept in the data directory, made on first use."""
    path = Path(data_dir) / SECRET_KEY_FILE
    if not path.exists():
        _write_private(path, secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip()


def _write_private(path: Path, text: str) -> None:
    """Write a new secret file that only this user can read, from its first byte."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(text)


def set_school(school_id: str) -> None:
    """Record the school this node serves."""
    LocalNode.update(school_id=school_id).execute()


NODE_KEY_FILE = "node_key"


def node_key(data_dir: str) -> NodeKey:
    """This node's signing key, kept in the data directory, made on first use."""
    path = Path(data_dir) / NODE_KEY_FILE
    if not path.exists():
        _write_private(path, NodeKey.generate().private_hex())
    return NodeKey.from_hex(path.read_text(encoding="ascii"))


def adopt_shared_keys(data_dir: str) -> None:
    """On a hub: make the data directory's keys the ones the database keeps.

    Every app host of a hub must sign as the same node (nodes paired with one key)
    and sign cookies with the same key (a browser may reach any host). The first
    host to start stores its keys; every host then writes the stored ones to its
    own data directory, where the rest of the code reads them. Call inside a
    connection; a key set by BAOBAB_SECRET_KEY still wins for cookies.
    """
    for name in (NODE_KEY_FILE, SECRET_KEY_FILE):
        path = Path(data_dir) / name
        mine = node_key(data_dir).private_hex() if name == NODE_KEY_FILE else secret_key(data_dir)
        SharedSecret.insert(name=name, value=mine).on_conflict_ignore().execute()
        stored = SharedSecret.get_by_id(name).value
        if stored != mine:
            _write_private(path, stored)
