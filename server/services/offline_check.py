"""What a tablet needs to check a student's answer when the node cannot be reached.

Students get no answer keys. Each item carries instead a ``check``: SHA-256 hashes,
salted with the item's id, of the accepted answers in the node's own normal form
(``learning.check_response``): a choice's index, a short text's ``normalise_text``
form, a number as the integer it is at its number of decimals. The app hashes the
student's answer the same way (client/student/check.js). A child reading the
network panel sees no answer; a determined one can still try every choice, which
is no worse than trying every choice on the screen. A number with a tolerance, or
with more than six decimals, cannot be checked by hash: its key is given plainly.
The node grades every answer again when it arrives, and its grade is the record.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..models import Item
from .learning import normalise_text

MAX_HASHED_DECIMALS = 6  # 1e-9 of slack stays far below half a step at this scale


def salted(item_id: str, form: str) -> str:
    """The hash of an answer's normal form, salted with its item's id."""
    return hashlib.sha256(f"{item_id}\n{form}".encode()).hexdigest()


def _decimals(value: float) -> int | None:
    """How many decimal places a number has exactly, if at most six."""
    for places in range(MAX_HASHED_DECIMALS + 1):
        scale = 10**places
        if round(value * scale) / scale == value:
            return places
    return None


def offline_check(item: Item) -> dict[str, Any] | None:
    """The check an item carries for offline use, or None when it has no key."""
    answer = item.answer
    if answer is None:
        return None
    if item.type == "choice":
        return {"hashes": [salted(item.id, str(answer))]}
    if item.type == "numeric":
        tolerance = item.tolerance or 0
        places = _decimals(float(answer)) if tolerance == 0 else None
        if places is None:
            return {"answer": answer, "tolerance": tolerance}
        whole = round(float(answer) * 10**places)
        return {"decimals": places, "hashes": [salted(item.id, str(whole))]}
    forms = {normalise_text(a) for a in answer}
    return {"hashes": sorted(salted(item.id, f) for f in forms)}
