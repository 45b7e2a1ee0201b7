"""Real nodes for end-to-end tests: `baobab serve` in a subprocess.

The node binds a port the kernel chooses (``--port 0``) and says which in
DATA_DIR/run/port: no port is checked free first and bound later by another
process (which a busy machine can take in between).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from server.cli import PORT_FILE
from server.node.rundir import RUN_DIR_NAME, read_json


def baobab(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the CLI as a user would."""
    env = {**os.environ, "BAOBAB_DISCOVERY": "0"}
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        capture_output=True, text=True, env=env, check=check, timeout=120,
    )  # fmt: skip


def served_port(data_dir: Path) -> int | None:
    """The port the node serving ``data_dir`` listens on, once it says (run/port)."""
    return read_json(Path(data_dir) / RUN_DIR_NAME / PORT_FILE)


class ServedNode:
    """A node served by waitress in its own process.

    ``port``: a fixed port (a node restarted where its tablets knew it); by default
    the node takes a free one (``--port 0``) and ``start`` learns which.
    """

    def __init__(
        self,
        data_dir: Path,
        demo: bool = True,
        port: int | None = None,
        env: dict | None = None,
        args: tuple[str, ...] = (),
    ) -> None:
        self.data_dir, self.demo, self.env, self.args = data_dir, demo, env or {}, args
        self.port = port or 0
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        assert self.port, "the node has not said its port yet: start() it first"
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> ServedNode:
        env = {**os.environ, "BAOBAB_DISCOVERY": "0", "BAOBAB_SQLITE_SYNCHRONOUS": "NORMAL",
               **self.env}  # fmt: skip
        (Path(self.data_dir) / RUN_DIR_NAME / PORT_FILE).unlink(missing_ok=True)  # a last run's
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--data-dir", str(self.data_dir),
             "--host", "127.0.0.1", "--port", str(self.port),
             "--demo" if self.demo else "--no-demo", *self.args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"node on {self.data_dir} exited with {self.proc.returncode}")
            port = served_port(self.data_dir)
            if port is None:
                time.sleep(0.05)
                continue
            self.port = port
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        self.kill()  # not left running under the tests that follow
        raise AssertionError(f"node on {self.data_dir} did not start (port {self.port or '?'})")

    def kill(self) -> None:
        """SIGKILL: no clean-up at all, as when the power goes."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()  # the tests that time stops do so themselves; here, just end it
                raise

    def pairing_code(self, *grants: str) -> str:
        """A code as an admin of the school makes it: accounts granted unless told otherwise."""
        chosen = grants or ("accounts",)
        options = [f"--grant={g}" for g in chosen if g != "events"]
        return baobab("pair-code", *options, "--data-dir", str(self.data_dir)).stdout.split()[2]


class Browser:
    """A cookie-keeping HTTP client that signs in like the web app does."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        self.csrf = ""

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.csrf:
            request.add_header("X-CSRF-Token", self.csrf)
        try:
            with self.opener.open(request, timeout=60) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else {}
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    def login(self, username: str, password: str) -> None:
        status, body = self.call(
            "POST", "/api/v1/auth/login", {"username": username, "password": password}
        )
        assert status == 200, body
        self.csrf = body["csrf_token"]


def wait_for(predicate, timeout: float = 20.0, step: float = 0.05) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def join_and_sync(data_dir: Path, peer: ServedNode) -> None:
    """Make a fresh node at ``data_dir`` join ``peer``'s school and take its rows (CLI)."""
    baobab("init", "--data-dir", str(data_dir))
    baobab("pair", peer.url, peer.pairing_code(), "--data-dir", str(data_dir))
    baobab("sync", "--peer", peer.url, "--data-dir", str(data_dir))


def hub_cli(*args: str, url: str | None = None) -> subprocess.CompletedProcess:
    """Run the CLI as the hub's operator would (``BAOBAB_ROLE=hub``, maybe on PostgreSQL)."""
    env = {**os.environ, "BAOBAB_DISCOVERY": "0", "BAOBAB_ROLE": "hub"}
    if url:
        env["BAOBAB_DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        capture_output=True, text=True, env=env, check=True, timeout=120,
    )  # fmt: skip
