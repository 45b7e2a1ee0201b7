"""Global ids, made where a row is born (DESIGN.md invariant 1)."""

from __future__ import annotations

import base64
import os
import re

ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")


def new_id() -> str:
    """Return a fresh random id: 128 bits, 22 url-safe characters, never a leading "-".

    A command line reads a word that begins with "-" as an option, and ids (a node's, say)
    are typed into commands. Drawing again when one would begin so costs under 0.03 bits.
    """
    while True:
        made = base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode("ascii")
        if not made.startswith("-"):
            return made


def is_valid_id(value: object) -> bool:
    """Say whether ``value`` has the shape of a global id."""
    return isinstance(value, str) and ID_PATTERN.match(value) is not None
