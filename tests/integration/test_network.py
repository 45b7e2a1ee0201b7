"""Two nodes and a hub on a bridge in network namespaces: found by mDNS, synced through a
relay that delays, loses and cuts the link mid-transfer, and all converge.

Everything runs inside namespaces this test makes and removes: nothing touches
the machine's own network.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from server import create_app
from server import db as database
from server.models import Answer, LocalNode
from tests.conftest import BASE_CONFIG
from tests.helpers.nodes import wait_for
from tests.integration.netlab import NetLab

pytestmark = [
    pytest.mark.slow,
    pytest.mark.namespace,
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
]

PORT = 8080
ENV = {
    **os.environ,
    "BAOBAB_DISCOVERY": "1",
    "BAOBAB_SQLITE_SYNCHRONOUS": "NORMAL",
    "BAOBAB_SYNC_INTERVAL_S": "3600",
}


def cli(
    lab: NetLab | None, host: str | None, *args: str, check: bool = True
) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "server.cli", *args]
    if lab is not None:
        argv = lab.cmd(host, *argv)
    return subprocess.run(argv, capture_output=True, text=True, env=ENV, check=check, timeout=300)


def node_id(data_dir: Path) -> str:
    with sqlite3.connect(data_dir / "baobab.db") as conn:
        return conn.execute("SELECT node_id FROM local_node").fetchone()[0]


def ids(data_dir: Path, table: str) -> set[str]:
    with sqlite3.connect(data_dir / "baobab.db", timeout=30) as conn:
        return {r[0] for r in conn.execute(f'SELECT id FROM "{table}"')}


def sync_until_ok(lab: NetLab, host: str, data_dir: Path, *target: str, tries: int = 20) -> int:
    """Sync as an operator would: again until it succeeds; return the failures seen."""
    last = None
    for attempt in range(tries):
        last = cli(lab, host, "sync", *target, "--data-dir", str(data_dir), check=False)
        if last.returncode == 0:
            return attempt
    raise AssertionError(
        f"sync from {host} never succeeded: {last.stdout[-1500:]} {last.stderr[-1500:]}"
    )


def add_answers(data_dir: Path, count: int) -> None:
    app = create_app({**BASE_CONFIG, "DATA_DIR": str(data_dir)})
    with app.app_context(), database.db.connection_context():
        partition = f"school:{LocalNode.get().school_id}"
        rows = [
            {"id": uuid.uuid4().hex, "partition": partition, "person_id": "kid", "activity_id": "a",
             "item_id": "i", "response": i, "correct": i % 2 == 0, "device_ms": i, "received_ms": i}
            for i in range(count)
        ]  # fmt: skip
        Answer.create_many(rows)
    database.close_all()


@pytest.mark.timeout(1200)  # 20,000 answers over a 400 kbps relay, and a dozen CLI processes
def test_nodes_find_each_other_and_converge_through_a_faulty_link(tmp_path):
    lab = NetLab(["a", "b", "hub"])
    dirs = {h: tmp_path / h for h in ("a", "b", "hub")}
    procs: list[subprocess.Popen] = []
    files = []
    logs = {h: tmp_path / f"{h}.log" for h in dirs}
    try:
        lab.up()
        for data_dir in dirs.values():
            cli(None, None, "init", "--data-dir", str(data_dir))
        cli(None, None, "demo", "--data-dir", str(dirs["a"]))
        add_answers(dirs["a"], 20_000)
        for host, data_dir in dirs.items():
            log = open(logs[host], "w")  # noqa: SIM115 (closed in finally)
            files.append(log)
            procs.append(subprocess.Popen(
                lab.cmd(host, sys.executable, "-m", "server.cli", "serve", "--data-dir", str(data_dir),
                        "--host", "0.0.0.0", "--port", str(PORT), "--no-demo"),
                stdout=log, stderr=subprocess.STDOUT, env=ENV,
            ))  # fmt: skip
        ids_of = {h: node_id(d) for h, d in dirs.items()}

        # mDNS across the bridge: every node sees the others.
        def sees(host: str, other: str) -> bool:
            return f"discovery: saw {ids_of[other]}" in logs[host].read_text()

        assert wait_for(lambda: all(sees(h, o) for h in dirs for o in dirs if h != o), 60), {
            h: logs[h].read_text()[-2000:] for h in dirs
        }
        # From here B acts through its CLI alone. Served, its scheduler would race the cut
        # transfer below for the peer's lock, and its discovery (every 30 s) would move its
        # address for A from the relay to A's own, which `sync --peer` would then not find.
        b_served = procs[list(dirs).index("b")]
        b_served.send_signal(signal.SIGTERM)
        b_served.wait(30)

        # B reaches A only through a relay with delay, loss and a slow link.
        relay = subprocess.Popen(
            lab.cmd("b", sys.executable, "-m", "tests.integration.relay", "127.0.0.1:9000",
                    f"{lab.addr['a']}:{PORT}", "--delay-ms", "30", "--loss", "0.01",
                    "--rate-kbps", "400", "--down-s", "5"),
            stdout=subprocess.PIPE, text=True, env=ENV,
        )  # fmt: skip
        procs.append(relay)
        assert relay.stdout.readline().strip() == "relay ready"
        # B will add a student: its pairing grants accounts as well as students' work.
        code = cli(
            None, None, "pair-code", "--grant", "accounts", "--data-dir", str(dirs["a"])
        ).stdout.split()[2]
        for _attempt in range(10):  # the lossy link may drop the pairing itself
            paired = cli(
                lab,
                "b",
                "pair",
                "http://127.0.0.1:9000",
                code,
                "--data-dir",
                str(dirs["b"]),
                check=False,
            )
            if paired.returncode == 0 or "wrong or has expired" in paired.stderr:
                break
        assert paired.returncode == 0, paired.stderr

        # A transfer cut mid-way by pulling the cable, then resumed.
        def start_transfer() -> subprocess.Popen:
            procs.append(subprocess.Popen(
                lab.cmd("b", sys.executable, "-m", "server.cli", "sync", "--peer",
                        "http://127.0.0.1:9000", "--data-dir", str(dirs["b"])),
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV,
            ))  # fmt: skip
            return procs[-1]

        transfer = start_transfer()
        deadline = time.monotonic() + 120
        while not ids(dirs["b"], "answer") and time.monotonic() < deadline:
            if transfer.poll() is not None:  # the lossy link broke it before a chunk landed:
                transfer.communicate()  # the operator runs it again
                transfer = start_transfer()
            time.sleep(0.05)
        assert ids(dirs["b"], "answer"), "nothing arrived"
        relay.send_signal(signal.SIGUSR1)
        out, _ = transfer.communicate(timeout=300)
        partial = len(ids(dirs["b"], "answer"))
        assert 0 < partial < 20_000, f"the cut did not land mid-transfer ({partial})"
        sync_until_ok(lab, "b", dirs["b"], "--peer", "http://127.0.0.1:9000")
        assert len(ids(dirs["b"], "answer")) == 20_000

        # The hub enrols directly with A and syncs.
        hub_code = cli(None, None, "pair-code", "--data-dir", str(dirs["a"])).stdout.split()[2]
        cli(
            lab,
            "hub",
            "pair",
            f"http://{lab.addr['a']}:{PORT}",
            hub_code,
            "--hub",
            "--data-dir",
            str(dirs["hub"]),
        )
        sync_until_ok(lab, "hub", dirs["hub"], "--hub")

        # New work on B travels B -> A (relay) -> hub.
        cli(
            None,
            None,
            "create-user",
            "Written On B",
            "--role",
            "student",
            "--class",
            "Acacia class",
            "--data-dir",
            str(dirs["b"]),
        )
        sync_until_ok(lab, "b", dirs["b"], "--peer", "http://127.0.0.1:9000")
        sync_until_ok(lab, "hub", dirs["hub"], "--hub")
        for table in ("answer", "person", "enrollment", "row_history"):
            assert ids(dirs["a"], table) == ids(dirs["b"], table) == ids(dirs["hub"], table), table
        # District content travels only from a hub (issue 11): A's sample pack stays on A.
        assert ids(dirs["a"], "activity") and not ids(dirs["b"], "activity")
        print(f"cut transfer left B with {partial} of 20000 answers; output: {out[-300:]}")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        lab.down()
        for handle in files:
            handle.close()
        for proc in procs:
            if proc.stdout is not None:
                proc.stdout.close()
