"""Run inside a fresh network namespace (see test_discovery.py): two nodes find each
other with zeroconf on loopback, and our liveness check tells a vanished peer apart.

Prints one JSON line with what it saw. Never run it in the machine's own namespace.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from server.replication.discovery import Discovery


def health_server(node_id: str) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            body = json.dumps({"status": "ok", "node_id": node_id}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def wait_for(predicate, timeout: float = 15.0) -> float:
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if predicate():
            return time.monotonic() - began
        time.sleep(0.05)
    return -1.0


def main() -> None:
    result: dict[str, object] = {}
    servers = {n: health_server(n) for n in ("node-aaaa-0001", "node-bbbb-0002")}
    nodes = {
        n: Discovery(n, "school-1", s.server_address[1], ["127.0.0.1"], interfaces=["127.0.0.1"],
                     check_interval_s=3600)
        for n, s in servers.items()
    }  # fmt: skip
    threads_before = {t.name for t in threading.enumerate()}
    for d in nodes.values():
        d.start()
    a, b = nodes["node-aaaa-0001"], nodes["node-bbbb-0002"]
    result["found_s"] = wait_for(lambda: len(a.sightings()) == 1 and len(b.sightings()) == 1)
    a.check_now()
    result["a_sees"] = [(s.node_id, s.school_id, s.alive) for s in a.sightings()]
    # B's web server dies without a goodbye: zeroconf still lists it, our check does not.
    servers["node-bbbb-0002"].shutdown()
    servers["node-bbbb-0002"].server_close()
    a.check_now()
    result["after_vanish_listed"] = [s.node_id for s in a.sightings()]
    result["after_vanish_alive"] = [s.node_id for s in a.alive_peers()]
    # A graceful stop says goodbye: the other side drops the listing quickly.
    began = time.monotonic()
    b.stop()
    result["removed_s"] = wait_for(lambda: not a.sightings(), timeout=5)
    a.stop()
    result["stop_s"] = round(time.monotonic() - began, 2)
    time.sleep(0.2)
    result["threads_left"] = sorted(
        t.name for t in threading.enumerate() if t.name not in threads_before and not t.daemon
    )
    print(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
