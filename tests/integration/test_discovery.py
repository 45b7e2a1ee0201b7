"""Discovery in a network namespace of its own: found, alive, vanished, gone, stopped."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("unshare") is None, reason="needs unshare (util-linux)"
)


def test_nodes_find_each_other_and_liveness_is_our_own():
    script = f"ip link set lo up && exec {sys.executable} -m tests.integration.discovery_probe"
    out = subprocess.run(
        ["unshare", "-n", "sh", "-c", script], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert 0 <= seen["found_s"] < 10
    assert seen["a_sees"] == [["node-bbbb-0002", "school-1", True]]
    assert seen["after_vanish_listed"] == ["node-bbbb-0002"]  # zeroconf still lists it
    assert seen["after_vanish_alive"] == []  # our check knows better
    assert 0 <= seen["removed_s"] < 5  # a goodbye is heard
    assert seen["stop_s"] < 5
    assert seen["threads_left"] == []
