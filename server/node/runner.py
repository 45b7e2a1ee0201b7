"""Running the node: waitress in the foreground, background services, clean stop.

SIGTERM and Ctrl-C stop waitress and then every background service; each
service has ``start()`` and ``stop()`` and ``stop`` returns within seconds.
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
from typing import Any, Callable, Protocol

import ifaddr
from flask import Flask
from waitress.channel import HTTPChannel
from waitress.server import create_server

from .. import db as database

log = logging.getLogger(__name__)


class Service(Protocol):
    """A background service the runner starts after waitress binds and stops after it."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


def lan_addresses() -> list[str]:
    """IPv4 addresses of this machine's network interfaces, loopback last."""
    found = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if isinstance(ip.ip, str):
                found.append(ip.ip)
    return sorted(set(found), key=lambda a: (a.startswith("127."), a))


class QuietChannel(HTTPChannel):
    """Waitress's channel, without the main loop spinning while a task sends its answer.

    A task thread sends its own output as it writes (waitress's send_bytes is 1)
    and wakes the loop when it finishes or leaves output unsent. Meanwhile the
    stock channel calls itself writable, so select() returns at once and the
    loop spins, about 35 times per request in `scripts/bench classroom`, taking
    the GIL from the threads doing the work. The loop still writes for a task
    when waitress makes the task wait for it (output above the high watermark),
    and for a channel that is closing.
    """

    def writable(self) -> bool:
        if (
            self.requests
            and not (self.will_close or self.close_when_flushed)
            and self.total_outbufs_len <= self.adj.outbuf_high_watermark
        ):
            return False
        return bool(super().writable())


class NodeServer:
    """Waitress plus the background services, with a stop that works from any thread."""

    def __init__(
        self,
        app: Flask,
        host: str,
        port: int,
        threads: int,
        services: tuple[Service, ...] = (),
        sock: socket.socket | None = None,
    ) -> None:
        where = {"sockets": [sock]} if sock is not None else {"host": host, "port": port}
        self.server = create_server(
            app, threads=threads, ident="baobab", clear_untrusted_proxy_headers=True, **where
        )
        self.server.channel_class = QuietChannel  # accepts happen in run(), after this
        self.port = self.server.effective_port
        self.services = services
        self._started: list[Service] = []
        self._stopping = threading.Event()

    def run(self, ready: Callable[[int], None] | None = None) -> None:
        """Start the services, then serve until ``stop`` or a signal; stop everything after."""
        try:
            for service in self.services:
                service.start()
                self._started.append(service)
            if ready is not None:
                ready(self.port)
            self.server.run()  # returns on KeyboardInterrupt/SystemExit, or when stopped
        finally:
            self._shutdown()

    def stop(self) -> None:
        """Ask a running server to stop (from another thread).

        The dispatchers are closed inside waitress's own loop thread (a trigger
        thunk): closing them from here raced with workers still answering.
        """
        self._stopping.set()

        def close_all() -> None:
            for dispatcher in list(self.server._map.values()):
                dispatcher.handle_close()

        self.server.trigger.pull_trigger(close_all)

    def _shutdown(self) -> None:
        log.info("stopping")
        self._stopping.set()
        # Workers first (they may still pull the trigger), then the sockets.
        self.server.task_dispatcher.shutdown(timeout=3)
        for dispatcher in list(self.server._map.values()):
            dispatcher.handle_close()
        for service in reversed(self._started):
            try:
                service.stop()
            except Exception:  # a failing stop must not keep the others running
                log.exception("stopping %s failed", service)
        self._started.clear()
        database.close_all()
        log.info("stopped")


def serve(
    app: Flask,
    host: str,
    port: int,
    threads: int,
    services: tuple[Service, ...] = (),
    ready: Callable[[int], None] | None = None,
    sock: socket.socket | None = None,
) -> None:
    """Serve ``app`` in the foreground until SIGTERM or Ctrl-C, then stop everything.

    ``sock``: a bound socket to accept on (shared with worker processes) instead
    of binding ``host`` and ``port``.
    """
    node_server = NodeServer(app, host, port, threads, services, sock)

    def _on_sigterm(signum: int, frame: Any) -> None:
        # waitress's loop ends on KeyboardInterrupt raised in the main thread.
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _on_sigterm) if _is_main_thread() else None
    try:
        node_server.run(ready)
    except KeyboardInterrupt:
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _is_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def urls_for(host: str, port: int) -> list[str]:
    """The addresses students should open."""
    if host in ("0.0.0.0", "", "::"):
        addresses = lan_addresses() or ["127.0.0.1"]
    else:
        addresses = [host]
    return [f"http://{a}:{port}/" for a in addresses]


__all__ = ["NodeServer", "Service", "lan_addresses", "serve", "urls_for"]
