"""What the tests share: real nodes (nodes), PostgreSQL (pg), pictures (images),
content packs (packs), a student's steps in the browser (student), and the quick mode.

The quick mode (``scripts/test --quick``, or ``BAOBAB_QUICK=1``) is for a developer at
work: property tests run fewer examples and the browser, network-namespace and slow
tests are skipped. CI (``CI=true``) always runs everything at full counts.
"""

from __future__ import annotations

import os


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


CI = _truthy(os.environ.get("CI"))
QUICK = _truthy(os.environ.get("BAOBAB_QUICK")) and not CI
QUICK_SKIP_REASON = (
    "quick mode (scripts/test --quick / BAOBAB_QUICK=1) skips {marker} tests; "
    "scripts/test without --quick and CI run them"
)


def examples(full: int) -> int:
    """How many examples a property test runs: ``full`` in CI and by default, a tenth
    (at least 5) in the quick mode."""
    return max(5, full // 10) if QUICK else full
