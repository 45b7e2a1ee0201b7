"""Running the node: waitress in the foreground, background services, clean stop.

SIGTERM and Ctrl-C stop waitress and then every background service; each
service has ``start()`` and ``stop()`` and ``stop`` returns within seconds.
"""

from __future__ import annotations

import gc
import json
import logging
import signal
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Protocol

import ifaddr
from flask import Flask
from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import WSGITask

from .. import db as database
from .balance import balance_of, join
from .logs import QueueDepthLog
from .priority import dispatcher_for

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


#: The largest body sent in one piece with its answer's head (KeepAliveTask.write).
JOIN_AT_MOST = 64 * 1024


class KeepAliveTask(WSGITask):
    """Waitress's task, keeping an HTTP/1.1 connection open after a 304 (or 204).

    Waitress closes every HTTP/1.1 answer that has no Content-Length, including those
    that may not have a body at all (304 Not Modified, 204): their end is the end of
    the headers, so nothing needs the close. Without this, each poll a teacher's
    browser revalidates (If-None-Match, 304) would cost a new connection (a TLS
    handshake over https) instead of a few bytes on the open one. A client asking for
    the close (``Connection: close``) or HTTP/1.0 still gets it.
    """

    _bodiless = False

    def build_response_header(self) -> bytes:
        self._bodiless = not self.has_body and self.version == "1.1"
        shares = balance_of(self.channel.server)
        if shares is not None and len(self.channel.requests) <= 1 and shares.take():
            # This process holds more than its share of the node's connections: this
            # one closes after its answer, and the tablet's next lands anywhere.
            WSGITask.set_close_on_finish(self)
        try:
            return super().build_response_header()
        finally:
            self._bodiless = False

    def write(self, data: bytes) -> None:
        """Waitress's, but an answer's head and its whole body leave in one send.

        Waitress writes the head and then the body, and each write is sent at once
        (send_bytes is 1): two system calls, two TCP segments and, over https, two TLS
        records for every API answer. A body that is the whole answer (its
        Content-Length, as Flask sends every JSON answer) up to ``JOIN_AT_MOST`` bytes
        goes out with its head; anything else (streams, files, larger bodies) as before.
        """
        if (
            not self.wrote_header
            and self.complete
            and self.has_body
            and type(data) is bytes
            and len(data) == self.content_length
            and len(data) <= JOIN_AT_MOST
            and not self.chunked_response
        ):
            head = self.build_response_header()
            self.wrote_header = True
            self.content_bytes_written = len(data)
            self.channel.write_soon(head + data)
            return
        super().write(data)

    def set_close_on_finish(self) -> None:
        asked = self.request.headers.get("CONNECTION", "").lower() == "close"
        if self._bodiless and not asked:
            return
        super().set_close_on_finish()


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

    task_class = KeepAliveTask

    #: When the request now being read began arriving (None: none half-read).
    partial_since: float | None = None
    #: What a connection closed by the header timeout was slow at (said in the log).
    slow_part = "headers"
    _partial: Any = None

    def received(self, data: bytes) -> bool:
        result = super().received(data)
        request = self.request  # waitress's parser of the request still being read
        if request is None or request.headers_finished:
            self.partial_since, self._partial = None, None
        elif request is not self._partial:
            self.partial_since, self._partial = time.time(), request
        return result

    def writable(self) -> bool:
        if (
            self.requests
            and not (self.will_close or self.close_when_flushed)
            and self.total_outbufs_len <= self.adj.outbuf_high_watermark
        ):
            return False
        return bool(super().writable())


@dataclass(frozen=True)
class Limits:
    """What one serving process allows its clients (each process has its own)."""

    connections: int = 250  # open connections in all; more wait in the kernel's backlog
    per_client: int = 24  # open connections of one client address (0: no cap)
    idle_s: int = 60  # a connection quiet this long is closed
    header_s: int = 15  # a request's headers must arrive within this

    @classmethod
    def of(cls, config: Any) -> Limits:
        """The limits an app's settings ask for."""
        default = cls()
        return cls(
            connections=config.get("CONNECTION_LIMIT", default.connections),
            per_client=config.get("CONNECTIONS_PER_CLIENT", default.per_client),
            idle_s=config.get("IDLE_TIMEOUT_S", default.idle_s),
            header_s=config.get("HEADER_TIMEOUT_S", default.header_s),
        )

    def waitress(self) -> dict[str, int]:
        """Waitress's own adjustments for these limits."""
        return {
            "connection_limit": self.connections,
            "channel_timeout": self.idle_s,
            # Maintenance (idle and header timeouts) runs this often.
            "cleanup_interval": max(1, min(30, self.header_s // 2, self.idle_s // 2)),
        }


#: A refusal said in the one error shape (server.api.errors), then the connection closes.
_TOO_MANY = json.dumps(
    {
        "error": {
            "status": 503,
            "code": "rate_limited",
            "message": "Too many open connections from this address; close some and retry.",
            "details": None,
        }
    }
).encode()
TOO_MANY_RESPONSE = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
    b"Retry-After: 5\r\nConnection: close\r\nContent-Length: "
    + str(len(_TOO_MANY)).encode()
    + b"\r\n\r\n"
    + _TOO_MANY
)


def refuse(sock: socket.socket) -> None:
    """Tell a client over its cap why, if its socket takes the few bytes at once; close."""
    try:
        sock.setblocking(False)
        sock.send(TOO_MANY_RESPONSE)
    except OSError:
        pass
    finally:
        sock.close()


def guard(
    server: Any,
    limits: Limits,
    channel: Callable[..., Any] = QuietChannel,
    refusal: Callable[[socket.socket], None] = refuse,
) -> None:
    """Bound what one client address can hold in a waitress server (in this process).

    - at most ``limits.per_client`` open connections per client address: the
      next is refused by ``refusal`` (the plain port answers 503 and closes; the
      TLS port only closes, as nothing said before the handshake is readable by a
      TLS client), counted over waitress's live channels, so a closed connection
      frees its slot at once;
    - a request whose headers are still incomplete ``limits.header_s`` after
      they began is closed (waitress only closes connections idle for its
      ``channel_timeout``, which a byte every few seconds defeats); a TLS
      channel counts its handshake as the start of its first request's headers;
    - waitress's own idle timeout and total connection limit come from
      ``Limits.waitress``;
    - requests waiting for a free thread are summed up once a minute in the log
      (server.node.logs.QueueDepthLog), not warned about one by one.
    """
    header_s = limits.header_s
    per_client = limits.per_client
    maintenance = server.maintenance

    def maintain(now: float) -> None:
        maintenance(now)
        cutoff = now - header_s
        for open_channel in list(server.active_channels.values()):
            since = getattr(open_channel, "partial_since", None)
            if since is not None and since < cutoff and not open_channel.will_close:
                log.warning("closed a connection from %s: %s too slow", open_channel.addr[0],
                            getattr(open_channel, "slow_part", "headers"))  # fmt: skip
                open_channel.will_close = True
                open_channel.request = None  # nothing of it will be served

    def make_channel(srv: Any, sock: socket.socket, addr: Any, adj: Any, map: Any = None) -> Any:
        host = addr[0] if isinstance(addr, tuple) else addr
        if per_client:
            held = sum(
                1
                for c in srv.active_channels.values()
                if isinstance(c.addr, tuple) and c.addr[0] == host
            )
            if held >= per_client:
                log.warning("refused a connection from %s: %d already open", host, held)
                refusal(sock)
                return None
        return channel(srv, sock, addr, adj, map=map)

    server.maintenance = maintain
    server.task_dispatcher.queue_logger = QueueDepthLog()
    server.channel_class = make_channel  # accepts happen in run(), after this


def raise_fd_limit(wanted: int = 65536) -> int:
    """Raise this process's soft limit of open files towards the hard one; return it.

    A flood of connections first runs out of file descriptors (1,024 by default);
    the hard limit is what an unprivileged process may raise itself to.
    """
    try:
        import resource
    except ImportError:  # not on this platform
        return 0
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as exc:
            log.warning("could not raise the open-files limit from %d: %s", soft, exc)
    return soft


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
        limits: Limits | None = None,
    ) -> None:
        where = {"sockets": [sock]} if sock is not None else {"host": host, "port": port}
        limits = limits or Limits.of(app.config)
        self.server = create_server(
            app, threads=threads, ident="baobab", clear_untrusted_proxy_headers=True,
            **limits.waitress(), **where,
            _dispatcher=dispatcher_for(app),  # staff polls first (node/priority.py)
        )  # fmt: skip
        self.server.task_dispatcher.set_thread_count(threads)  # once bound: none left on failure
        guard(self.server, limits)  # accepts happen in run(), after this
        join(app, self.server)  # its connections count in the node's balance, if any
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
            # What is alive now (modules, the app, compiled routes) lives as long as the
            # process: out of the collector's way, so its full collections during
            # requests walk only what requests made (about 80,000 objects fewer).
            gc.freeze()
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
    raise_fd_limit()
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


__all__ = [
    "Limits",
    "NodeServer",
    "Service",
    "guard",
    "raise_fd_limit",
    "refuse",
    "lan_addresses",
    "serve",
    "urls_for",
]
