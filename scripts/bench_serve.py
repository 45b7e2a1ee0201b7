"""Benchmark `serve`: cold start to first 200, idle RSS, threads, installed size.

Start time is from spawning `baobab serve` on an existing data directory (the
everyday case: the box boots, the node starts) to the first 200 of /healthz.
RSS and threads are read from /proc after the node has idled for 2 s, summed over
`serve` and the worker processes it started (WORKERS; one per core by default). Install
size is the project with its runtime dependencies in a fresh venv, less pip and
setuptools. Prints medians of --runs runs, then one line of name=value figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXCLUDED = ("pip", "setuptools", "pkg_resources", "_distutils_hack", "distutils-precedence.pth")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid: int) -> dict[str, str]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


def serving_pids(pid: int) -> list[int]:
    """`serve` and its worker processes (children of any of its threads)."""
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += Path(task, "children").read_text().split()
    return [pid, *map(int, children)]


def one_start(baobab: str, data_dir: Path) -> tuple[float, float, int]:
    port = free_port()
    env = {**os.environ, "BAOBAB_DISCOVERY": "0"}
    began = time.perf_counter()
    proc = subprocess.Popen(
        [baobab, "serve", "--data-dir", str(data_dir), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None:
                    raise SystemExit("server exited during start") from None
                time.sleep(0.005)
        start_s = time.perf_counter() - began
        time.sleep(2)
        rss_mb, threads = 0.0, 0
        for pid in serving_pids(proc.pid):  # `serve` and the workers it started
            status = proc_status(pid)
            rss_mb += int(status["VmRSS"].split()[0]) / 1024
            threads += int(status["Threads"])
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    return start_s, rss_mb, threads


def site_packages_mb(venv: Path) -> float:
    site = next(venv.glob("lib/python*/site-packages"))
    total = 0
    for entry in site.iterdir():
        if entry.name.startswith(EXCLUDED) or entry.name.split("-")[0] in EXCLUDED:
            continue
        paths = [entry] if entry.is_file() else [p for p in entry.rglob("*") if p.is_file()]
        total += sum(p.stat().st_size for p in paths)
    return total / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--skip-install", action="store_true", help="measure with .venv, no install size"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="baobab-bench-serve-"))
    try:
        install_mb = float("nan")
        baobab = str(ROOT / ".venv" / "bin" / "baobab")
        if not args.skip_install:
            venv = work / "venv"
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run(
                [str(venv / "bin" / "pip"), "install", "--quiet", "--no-cache-dir", str(ROOT)],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            install_mb = site_packages_mb(venv)
            baobab = str(venv / "bin" / "baobab")
            print(f"installed size: {install_mb:.1f} MB")
        data_dir = work / "data"
        first = one_start(baobab, data_dir)  # first run: migrate and seed the demo
        print(f"first run (creates database and demo): {first[0]:.2f} s")
        runs = [one_start(baobab, data_dir) for _ in range(args.runs)]
        for i, (s, rss, threads) in enumerate(runs, 1):
            print(f"run {i}: start {s:.3f} s, idle RSS {rss:.1f} MB, {threads} threads")
        start_s = statistics.median(r[0] for r in runs)
        rss_mb = statistics.median(r[1] for r in runs)
        threads = int(statistics.median(r[2] for r in runs))
        figures = {
            "start_s": f"{start_s:.3f}",
            "idle_rss_mb": f"{rss_mb:.1f}",
            "threads": threads,
            "install_mb": f"{install_mb:.1f}",
        }
        print(" ".join(f"{k}={v}" for k, v in figures.items()))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
