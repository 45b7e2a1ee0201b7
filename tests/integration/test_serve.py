"""The node as a user runs it: waitress in a subprocess, a second start, a clean stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from server import create_app
from server.cli import prepare
from server.node.runner import NodeServer
from tests.conftest import BASE_CONFIG
from tests.helpers.nodes import served_port


def _get(url: str, timeout: float = 5.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read()


def _wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 90.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited early: {proc.stdout.read()}")
        try:
            status, body = _get(url, timeout=2)
            if status == 200:
                return json.loads(body)
        except OSError:
            time.sleep(0.1)
    raise AssertionError("server did not answer in time")


def _base_url(data_dir: Path, proc: subprocess.Popen, timeout: float = 90.0) -> str:
    """The node's address, once it has said which port it bound (DATA_DIR/run/port)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        port = served_port(data_dir)
        if port:
            return f"http://127.0.0.1:{port}"
        if proc.poll() is not None:
            raise AssertionError(f"server exited early: {proc.stdout.read()}")
        time.sleep(0.05)
    raise AssertionError("server did not say its port in time")


def _start(data_dir: Path, port: int = 0) -> subprocess.Popen:
    (data_dir / "run" / "port").unlink(missing_ok=True)  # a previous run's, not this one's
    env = {**os.environ, "BAOBAB_DISCOVERY": "0", "BAOBAB_SQLITE_SYNCHRONOUS": "NORMAL"}
    return subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--data-dir", str(data_dir),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip


def _stop(proc: subprocess.Popen) -> float:
    began = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=10)
    return time.monotonic() - began


@pytest.mark.slow
def test_serve_answers_keeps_data_and_stops_on_sigterm(tmp_path):
    data_dir = tmp_path / "data"
    proc = _start(data_dir)  # --port 0: the kernel picks, the node says which
    try:
        base = _base_url(data_dir, proc)
        assert base != "http://127.0.0.1:0"
        health = _wait_until_up(base + "/healthz", proc)
        assert health["status"] == "ok" and health["database"] == "sqlite" and health["node_id"]
        status, page = _get(base + "/")
        assert status == 200 and b"Baobab Demo School" in page
        classes = json.loads(_get(base + "/api/v1/signin/classes")[1])
        assert len(classes) == 2
    finally:
        stop_s = _stop(proc)
    output = proc.stdout.read()
    proc.stdout.close()
    assert proc.returncode == 0, output
    assert stop_s < 5, f"took {stop_s:.1f}s to stop"
    assert f"{base}/" in output and "teacher / baobab-teacher" in output

    proc = _start(data_dir)
    try:
        base = _base_url(data_dir, proc)  # the last run's port file is gone: this run's
        again = _wait_until_up(base + "/healthz", proc)
        assert again["node_id"] == health["node_id"]
        assert json.loads(_get(base + "/api/v1/signin/classes")[1]) == classes
    finally:
        _stop(proc)
    output = proc.stdout.read()
    proc.stdout.close()
    assert "seeded the demo" not in output


def test_in_process_server_leaves_no_thread_behind(tmp_path):
    """Started and stopped inside a test: the autouse fixture checks for leftover threads."""
    app = create_app({**BASE_CONFIG, "DATA_DIR": str(tmp_path)})
    prepare(app)
    events: list[str] = []

    class Recorder:
        def start(self) -> None:
            events.append("start")

        def stop(self) -> None:
            events.append("stop")

    node_server = NodeServer(app, "127.0.0.1", 0, 4, services=(Recorder(),))
    ready = threading.Event()
    runner = threading.Thread(target=node_server.run, kwargs={"ready": lambda p: ready.set()})
    runner.start()
    assert ready.wait(10)
    status, body = _get(f"http://127.0.0.1:{node_server.port}/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"
    node_server.stop()
    runner.join(10)
    assert not runner.is_alive()
    assert events == ["start", "stop"]
