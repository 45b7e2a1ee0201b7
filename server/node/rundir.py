"""What the serving processes of one node share while it runs: small files in DATA_DIR/run.

`serve` may run several processes over one database (server.node.runner). State that
is not data but must be the same in each of them (sign-in failures, the syncs
running, the nodes discovery sees) lives here as JSON files, replaced whole so a
reader never sees half of one, and changed under an flock so two writers never
lose each other's change. The primary process empties the folder when it starts:
nothing here outlives the node's run.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

RUN_DIR_NAME = "run"


def run_dir(data_dir: str | os.PathLike) -> Path:
    """The node's run folder, made if absent."""
    path = Path(data_dir) / RUN_DIR_NAME
    path.mkdir(parents=True, exist_ok=True)
    return path


def reset(data_dir: str | os.PathLike) -> None:
    """Forget what a previous run left (called once, by the primary, before serving)."""
    shutil.rmtree(Path(data_dir) / RUN_DIR_NAME, ignore_errors=True)
    run_dir(data_dir)


def read_json(path: Path, default: Any = None) -> Any:
    """The value in ``path``, or ``default`` when there is none (or it is not JSON)."""
    try:
        return json.loads(path.read_bytes())
    except (FileNotFoundError, ValueError):
        return default


def write_json(path: Path, value: Any) -> None:
    """Replace ``path`` with ``value`` at once (a reader sees the old or the new, whole)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as out:
            json.dump(value, out, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path``.lock across processes (and threads: one fd each)."""
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # releases the GIL while it waits
        yield
    finally:
        os.close(fd)  # closing releases the lock


LOCK_DIR_NAME = "locks"


def sync_lock(data_dir: str | os.PathLike, peer_id: int) -> contextlib.AbstractContextManager[None]:
    """Held by whoever syncs with this peer (the CLI, the scheduler, "Sync now", any process).

    Two syncs with one peer at once would race on its sequence numbers and the later
    one's requests would arrive as replays: the second waits for the first instead.
    The lock file lives beside the run folder, not in it, so that `serve` emptying
    the run folder never takes it from a CLI sync that holds it.
    """
    folder = Path(data_dir) / LOCK_DIR_NAME
    folder.mkdir(parents=True, exist_ok=True)
    return locked(folder / f"sync-{int(peer_id)}")


def pid_alive(pid: int) -> bool:
    """Say whether a process with this id exists (a crashed writer's file is stale)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
