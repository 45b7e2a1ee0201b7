"""Benchmark the HTTPS path: what TLS costs next to plain http.

Starts `baobab serve` (demo school) with HTTPS on, then: idle RSS with and
without HTTPS (a second node with BAOBAB_HTTPS_PORT=0), requests per second for
GET /api/v1/signin/classes from --clients keep-alive clients over http and over
https, the node's CPU time per request each way (all its serving processes), and
the time of a fresh TLS handshake. Prints medians of --runs rounds, then one line
of name=value figures.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATH = "/api/v1/signin/classes"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(data_dir: Path, https_port: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "BAOBAB_DISCOVERY": "0", "BAOBAB_LOG_LEVEL": "WARNING",
           "BAOBAB_HTTPS_PORT": str(https_port)}  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--data-dir", str(data_dir),
         "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the node did not start")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_s(pid: int) -> float:
    """CPU seconds used so far by process ``pid`` and its child processes (the workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, pids = 0.0, [pid]
    for tid in os.listdir(f"/proc/{pid}/task"):
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{tid}/children").read_text().split()]
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # a worker gone meanwhile
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def rate(connect, clients: int, seconds: float, pid: int) -> tuple[float, float]:
    """Requests per second of ``clients`` keep-alive clients for ``seconds``, and the
    CPU milliseconds process ``pid`` (with its workers) spent per request."""
    counts = [0] * clients
    stop = time.monotonic() + seconds

    def client(i: int) -> None:
        conn = connect()
        while time.monotonic() < stop:
            conn.request("GET", PATH)
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            counts[i] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    used = cpu_s(pid)
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    used = cpu_s(pid) - used
    return sum(counts) / seconds, used * 1000 / max(1, sum(counts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        https_port = free_port()
        node, port = start(Path(tmp) / "a", https_port)
        plain, _ = start(Path(tmp) / "b", 0)
        ctx = ssl.create_default_context(cafile=str(Path(tmp) / "a" / "tls" / "ca.pem"))
        try:
            time.sleep(2)
            rss_https, rss_plain = rss_mb(node.pid), rss_mb(plain.pid)
            http_rates, https_rates, handshakes = [], [], []
            http_cpu, https_cpu = [], []
            for _ in range(args.runs):
                # Both on the HTTPS node: the same processes, one port each.
                per_s, cpu_ms = rate(
                    lambda: http.client.HTTPConnection("127.0.0.1", port, timeout=30),
                    args.clients, args.seconds, node.pid,
                )  # fmt: skip
                http_rates.append(per_s)
                http_cpu.append(cpu_ms)
                per_s, cpu_ms = rate(
                    lambda: http.client.HTTPSConnection(
                        "127.0.0.1", https_port, timeout=30, context=ctx
                    ),
                    args.clients, args.seconds, node.pid,
                )  # fmt: skip
                https_rates.append(per_s)
                https_cpu.append(cpu_ms)
                for _ in range(20):
                    began = time.perf_counter()
                    with ctx.wrap_socket(socket.create_connection(("127.0.0.1", https_port)),
                                         server_hostname="127.0.0.1"):  # fmt: skip
                        handshakes.append((time.perf_counter() - began) * 1000)
            rss_after = rss_mb(node.pid)
        finally:
            for proc in (node, plain):
                proc.send_signal(signal.SIGTERM)
                proc.wait(10)
    http_rps, https_rps = statistics.median(http_rates), statistics.median(https_rates)
    print(f"http req/s runs: {[round(r) for r in http_rates]}")
    print(f"https req/s runs: {[round(r) for r in https_rates]}")
    print(
        f"clients={args.clients} http_req_per_s={http_rps:.0f} https_req_per_s={https_rps:.0f} "
        f"https_ratio={https_rps / http_rps:.2f} "
        f"http_cpu_ms={statistics.median(http_cpu):.2f} "
        f"https_cpu_ms={statistics.median(https_cpu):.2f} "
        f"handshake_ms_p50={statistics.median(handshakes):.1f} "
        f"rss_mb_plain={rss_plain:.1f} rss_mb_https={rss_https:.1f} "
        f"rss_mb_https_after_load={rss_after:.1f}"
    )


if __name__ == "__main__":
    main()
