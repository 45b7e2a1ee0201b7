"""docs/api.md says which lists are paginated and which are plain arrays.

Regression: the README said every list was paginated while /classes, /skills, /packs,
/sync/peers and others came back as bare arrays.
"""

from __future__ import annotations

import re

from server.paths import ROOT

DOC = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")


def _documented(label: str) -> set[str]:
    block = re.search(rf"^- {label}: (.*?)(?=^- |^$)", DOC, re.M | re.S)
    assert block, f"docs/api.md has no '- {label}:' list"
    return set(re.findall(r"`([A-Z]+ /[^`]+)`", block.group(1)))


def _lists(app) -> tuple[set[str], set[str]]:
    paginated, arrays = set(), set()
    for rule in app.url_map.iter_rules():
        contract = getattr(app.view_functions[rule.endpoint], "contract", None)
        if contract is None or not (contract.paginated or contract.many):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            (paginated if contract.paginated else arrays).add(f"{method} {path}")
    return paginated, arrays


def test_doc_says_which_lists_are_paginated(app):
    paginated, arrays = _lists(app)
    assert _documented("Paginated") == paginated
    assert _documented("Arrays") == arrays
