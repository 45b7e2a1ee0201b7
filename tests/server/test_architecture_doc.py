"""docs/architecture.md names every module of server/, so a newcomer can hold it
against the tree (issue 10: areas a newcomer can see)."""

from __future__ import annotations

import pytest

from server.paths import ROOT

DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
MODULES = sorted(
    p.relative_to(ROOT).as_posix()
    for p in (ROOT / "server").rglob("*.py")
    if p.name != "__init__.py" and "migrations" not in p.parts and "content" not in p.parts
)


@pytest.mark.parametrize("module", MODULES)
def test_every_module_is_in_the_architecture_doc(module):
    area, _, name = module.rpartition("/")
    if area == "server":
        assert f"`{module}`" in DOC
    else:
        row = next((line for line in DOC.splitlines() if line.startswith(f"| `{area}/`")), "")
        assert f"`{name}`" in row, f"{module} is not in the row of {area}/"
