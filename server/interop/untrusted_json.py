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


def loads(data: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON from outside; raise UntrustedJSONError (a ValueError) when it is not
    JSON, nested over ``max_depth`` or holds a lone surrogate."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise UntrustedJSONError(f"nested more than {max_depth} deep.") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise UntrustedJSONError(str(exc)) from None
    return check(value, max_depth)
