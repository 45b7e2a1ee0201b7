"""A content pack imported from the browser: a job whose progress the page polls.

The page makes the job's id and PUTs the zip under it (its XMLHttpRequest shows
the upload's progress). While that request validates and imports the pack, the
page polls GET for the same id: the stage, how far it is, and at the end the
validator's report (every problem, or what changed). The state is a small JSON
file under ``DATA_DIR/pack-imports/``, so whichever serving process answers the
poll sees it. The trust rules are those of ``baobab import-content`` and of
publishing: an admin of the school on a node, a district admin on the hub, and
nothing past ``PACK_MAX_BYTES``.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from ..errors import Conflict, ContentPackError, NotFound
from ..interop.pack_format import read_pack
from ..models import ContentPack, Person
from .content import import_validated

FOLDER = "pack-imports"
_JOB_ID = re.compile(r"^[A-Za-z0-9_-]{16,40}$")  # the shape of sync.ids.new_id


def _path(data_dir: str, job_id: str) -> Path:
    if not _JOB_ID.match(job_id):
        raise NotFound(f"No pack import {job_id}.")
    return Path(data_dir) / FOLDER / f"{job_id}.json"


def _write(path: Path, job: dict[str, Any]) -> None:
    """Replace the job's file whole: a poll never reads half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    part.write_text(json.dumps(job))
    os.replace(part, path)


def run_import(
    user: Person, job_id: str, data: bytes, name: str, data_dir: str, max_bytes: int
) -> dict[str, Any]:
    """Validate and import an uploaded pack, telling its job's file how far it is.

    A refused pack changes nothing; its job ends ``failed`` with every problem,
    and the ContentPackError goes on to the caller (422, or 413 when too large).
    """
    path = _path(data_dir, job_id)
    if path.exists():
        raise Conflict(f"Pack import {job_id} exists already.")
    job: dict[str, Any] = {
        "id": job_id,
        "person_id": user.id,
        "name": name,
        "bytes": len(data),
        "state": "validating",
        "stage": "unpacking",
        "done": 0,
        "total": 1,
        "started_ms": int(time.time() * 1000),
        "report": None,
    }
    _write(path, job)

    def hear(stage: str, done: int, total: int) -> None:
        job.update(stage=stage, done=done, total=total)
        _write(path, job)

    try:
        with tempfile.TemporaryDirectory(prefix="baobab-pack-") as tmp:
            source = Path(tmp) / "upload.zip"
            source.write_bytes(data)
            pack = read_pack(source, max_bytes, hear)
    except ContentPackError as exc:
        job.update(
            state="failed",
            report={"message": exc.message, "problems": [str(p) for p in exc.details or []]},
        )
        _write(path, job)
        raise
    manifest = pack.manifest
    before = ContentPack.get_or_none(
        (ContentPack.id == manifest["id"]) & (ContentPack.deleted == False)  # noqa: E712
    )
    job.update(state="importing", stage="importing", done=0, total=1)
    _write(path, job)
    counts = import_validated(pack, data_dir)
    job.update(
        state="done",
        stage="done",
        done=1,
        report={
            "message": "imported",
            "problems": [],
            "pack_id": manifest["id"],
            "version": manifest["version"],
            "previous_version": before.version if before else None,
            "title": manifest["title"],
            "activities": len(manifest["activities"]),
            "skills": len(manifest["skills"]),
            "counts": counts,
        },
    )
    _write(path, job)
    return job


def get_job(user: Person, job_id: str, data_dir: str) -> dict[str, Any]:
    """A pack import as far as it got; only its own importer sees it (404 otherwise)."""
    path = _path(data_dir, job_id)
    try:
        job = json.loads(path.read_text())  # our own file, written whole
    except FileNotFoundError:
        raise NotFound(f"No pack import {job_id}.") from None
    if job.get("person_id") != user.id:
        raise NotFound(f"No pack import {job_id}.")
    return job
