"""First-run setup of a node started without the demo: its school and first accounts.

Anyone on the LAN can reach a new node, and whoever sets it up becomes its admin.
So the wizard works only while the node holds no school and no admin, and only
with the one-time setup code that ``baobab serve`` prints on the node's own
console (``baobab setup-code`` prints a fresh one): being on the LAN is not enough,
being at the console (or holding its log) is. The code's SHA-256 is kept in the
run directory, shared by the serving processes and cleared at each start; it is
used up by a successful setup or restore.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from ..db import write_transaction
from ..errors import Conflict, Forbidden
from ..models import LocalNode, Person, School
from ..node import rundir
from . import people, schools

CODE_FILE = "setup-code.json"
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L to misread


def needed() -> bool:
    """Say whether this node still waits for its first-run setup (no school, no admin)."""
    node = LocalNode.get_or_none()
    if node is not None and node.school_id:
        return False
    if School.live().exists():
        return False
    return not Person.live().where(Person.role == "admin").exists()


def issue_code(data_dir: str) -> str:
    """Make a new setup code (the previous one stops working) and return it."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    code = f"{raw[:5]}-{raw[5:]}"
    rundir.write_json(rundir.run_dir(data_dir) / CODE_FILE, _digest(code))
    return code


def _digest(code: str) -> str:
    cleaned = "".join(c for c in code.upper() if c.isalnum())
    return hashlib.sha256(cleaned.encode()).hexdigest()


def check_code(data_dir: str, code: str | None) -> None:
    """Refuse (403, and 409 once set up) unless setup is needed and ``code`` is the one issued."""
    if not needed():
        raise Conflict("This node is set up already: sign in instead.")
    path = rundir.run_dir(data_dir) / CODE_FILE
    issued = rundir.read_json(path)
    if not isinstance(issued, str):
        raise Forbidden(
            "No setup code was issued: start the node with `baobab serve` (it prints one on "
            "its console), or run `baobab setup-code` on it."
        )
    if not code or not hmac.compare_digest(issued, _digest(code)):
        raise Forbidden("That is not the setup code shown on the node's console.")


def use_code(data_dir: str) -> None:
    """Spend the setup code (after a setup or a restore)."""
    (rundir.run_dir(data_dir) / CODE_FILE).unlink(missing_ok=True)


def first_run(data_dir: str, data: dict[str, Any]) -> dict[str, Any]:
    """Create the school, its first admin and teacher (and class); all or nothing."""
    check_code(data_dir, data["code"])
    language = data["language"]
    with write_transaction():
        if not needed():  # a second wizard raced this one
            raise Conflict("This node is set up already: sign in instead.")
        school = schools.create_school(data["school_name"], languages=[language])
        made = {}
        for role in ("admin", "teacher"):
            account = data[role]
            made[role] = people.create_person(
                school.id,
                role,
                account["display_name"],
                username=account["username"],
                password=account["password"],
                language=language,
            )
        classroom = None
        if data.get("class_name"):
            classroom = schools.create_class(school.id, name=data["class_name"], language=language)
            schools.enrol(classroom, made["teacher"], "teacher")
    use_code(data_dir)
    return {
        "school": school,
        "admin": made["admin"],
        "teacher": made["teacher"],
        "classroom": classroom,
    }
