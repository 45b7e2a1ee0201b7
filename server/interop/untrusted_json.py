"""JSON from outside (request bodies, pack manifests), parsed with bounds.

``json.loads`` alone lets a body nested a thousand deep end in a RecursionError
(a 500), and lets ``"\\ud800"`` through as a string no database or encoder can
store. Here both are refused as a ``ValueError``, which the request parser
turns into the one 422 error and pack validation into a pack problem.
"""

from __future__ import annotations

import json
from typing import Any

#: Deeper than any body or manifest Baobab reads (its deepest is about 6).
MAX_DEPTH = 32


class UntrustedJSONError(ValueError):
    """Raised when JSON from outside is malformed, nested too deep or holds a lone surrogate."""


def _check_text(text: str, where: str) -> None:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise UntrustedJSONError(
                f"{where}: a string holds a lone surrogate (not Unicode text)."
            ) from None


def check(value: Any, max_depth: int = MAX_DEPTH) -> Any:
    """Return ``value`` when it is nested at most ``max_depth`` deep and all its text is
    Unicode; raise UntrustedJSONError otherwise. Walks with a stack, never recursion."""
    stack: list[tuple[Any, int, str]] = [(value, 0, "$")]
    while stack:
        node, depth, where = stack.pop()
        if isinstance(node, str):
            _check_text(node, where)
        elif isinstance(node, (dict, list)):
            if depth >= max_depth:
                raise UntrustedJSONError(f"{where}: nested more than {max_depth} deep.")
            if isinstance(node, dict):
                for key, child in node.items():
                    _check_text(key, where)
                    stack.append((child, depth + 1, f"{where}.{key}"))
            else:
                stack.extend((child, depth + 1, f"{where}[{i}]") for i, child in enumerate(node))
    return value


def cannot_break_bounds(data: str | bytes, max_depth: int = MAX_DEPTH) -> bool:
    """True when UTF-8 ``data`` cannot parse into anything ``check`` refuses, so the walk
    can be skipped: it opens at most ``max_depth`` arrays and objects (brackets inside
    strings count too, erring towards the walk), and holds no lone surrogate: that comes
    from a ``\\u`` escape or from its UTF-8 form (json.loads decodes with surrogatepass),
    which starts with the byte 0xED (so do some Hangul syllables: walked too). Text, and
    bytes json.loads would read as UTF-16 or UTF-32 (NULs), are always walked."""
    return (
        isinstance(data, bytes)
        and b"\x00" not in data
        and not data.startswith((b"\xff\xfe", b"\xfe\xff"))
        and b"\\u" not in data
        and b"\xed" not in data
        and data.count(b"[") + data.count(b"{") <= max_depth
    )


def loads(data: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON from outside; raise UntrustedJSONError (a ValueError) when it is not
    JSON, nested over ``max_depth`` or holds a lone surrogate."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise UntrustedJSONError(f"nested more than {max_depth} deep.") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise UntrustedJSONError(str(exc)) from None
    if cannot_break_bounds(data, max_depth):
        return value  # a request body of every day: the walk cost 3% of an answer
    return check(value, max_depth)
