"""HTTPS for the classroom: a TLS terminator in front of a waitress of its own.

Browsers run service workers only in a secure context, and on a LAN address that
means HTTPS. Waitress has no TLS, so this service (one in each serving process, all
on the same port with SO_REUSEPORT as the plain port is shared: server.node.workers)
runs:

- an asyncio TLS server on ``HTTPS_PORT`` (one thread for all connections; a Pi
  with sixty tablets keeping several connections each cannot afford a thread
  pair per connection), with the certificate from ``server.node.certs``;
- a second waitress on an ephemeral loopback port with ``url_scheme='https'``,
  so Flask sees the scheme the tablet used;
- between them, plain byte copying: no HTTP parsing, so nothing to get wrong
  about request framing. The tablet's address reaches the app without a header:
  the terminator records which loopback port each upstream connection comes
  from, and a WSGI middleware in this same process swaps REMOTE_ADDR for the
  address recorded under that port. A client cannot forge it, and the sign-in
  throttles (server/api/auth.py, sync.py) see each tablet as itself.

Every ``check_every_s`` the service compares the machine's addresses with the
certificate's and has the node's CA issue a new one when DHCP moved the node; a
process that finds the certificate file renewed by another loads it too.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import ssl
import threading
import time
from functools import partial
from typing import Any, Callable

from flask import Flask
from waitress.server import create_server

from .. import config
from . import certs
from .runner import Limits, guard, lan_addresses
from .workers import listening_socket, worker_count, worker_socket

log = logging.getLogger(__name__)

COPY_CHUNK = 64 * 1024
START_TIMEOUT_S = 10.0
TLS_IDLE_FACTOR = 5  # nothing either way for this many idle timeouts ends a relayed connection


def default_names(host: str, extra: tuple[str, ...]) -> Callable[[], certs.ServerNames]:
    """The names the certificate should cover for a server bound to ``host``."""

    def names() -> certs.ServerNames:
        ips = lan_addresses() if host in ("0.0.0.0", "", "::") else [host]
        return certs.ServerNames.of(certs.machine_names(extra), ips or ["127.0.0.1"])

    return names


def https_service(app: Flask, worker: bool = False) -> tuple[HttpsService, ...]:
    """The HTTPS service of one serving process of ``baobab serve``; none when
    BAOBAB_HTTPS_PORT is 0. ``worker``: a process started by the first one, which joins
    the first one's port; the first one shares its port when the node has workers."""
    if not app.config["HTTPS_PORT"] or app.config["ROLE"] == "hub":
        return ()  # a hub's TLS is its reverse proxy's (docs/admin-guide.md)
    https = HttpsService(
        app, app.config["HTTPS_PORT"], host=app.config["HOST"], threads=app.config["THREADS"],
        shared=worker or worker_count(app.config["WORKERS"]) > 1, worker=worker,
    )  # fmt: skip
    app.extensions["baobab.https"] = https
    return (https,)


class RealClientAddress:
    """WSGI middleware: REMOTE_ADDR of a terminated connection is the tablet's, not loopback."""

    def __init__(self, app: Callable, clients: dict[int, str]) -> None:
        self.app, self.clients = app, clients

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        port = environ.get("REMOTE_PORT") or ""
        if environ.get("REMOTE_ADDR") == "127.0.0.1" and port.isdigit():
            client = self.clients.get(int(port))
            if client is not None:
                environ["REMOTE_ADDR"] = client
        return self.app(environ, start_response)


class HttpsService:
    """Serve ``app`` over HTTPS on ``port`` with the node's own certificate (a runner Service)."""

    def __init__(
        self,
        app: Flask,
        port: int,
        host: str = "0.0.0.0",
        threads: int = 8,
        names: Callable[[], certs.ServerNames] | None = None,
        check_every_s: float = 30.0,
        limits: Limits | None = None,
        shared: bool = False,
        worker: bool = False,
    ) -> None:
        self.app, self.host, self.requested_port, self.threads = app, host, port, threads
        #: The port is shared with the node's other serving processes (SO_REUSEPORT); a
        #: worker joins the port its first process proved free and holds.
        self.shared, self.worker = shared or worker, worker
        self.data_dir = app.config["DATA_DIR"]
        extra = app.config.get("HTTPS_NAMES") or ()
        if isinstance(extra, str):  # the setting's default is the empty string
            extra = config.parse_host_names(extra)
        self.names = names or default_names(host, tuple(extra))
        self.check_every_s = check_every_s
        #: Caps and timeouts, per process like waitress's (each serving process has its own).
        self.limits = limits or Limits.of(app.config)
        self._per_client: dict[str, int] = {}  # tablet's address -> its open TLS connections
        self.port = 0  # bound port, known after start()
        self._clients: dict[int, str] = {}  # upstream local port -> tablet's address
        self._connections: set[asyncio.Task] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: threading.Thread | None = None
        self._listener: socket.socket | None = None
        self._tasks: list[asyncio.Future] = []  # the accept loop and the address watch
        self._upstream: Any = None
        self._upstream_thread: threading.Thread | None = None
        self._context: ssl.SSLContext | None = None
        self._loaded: tuple[int, ...] | None = None  # which certificate file was loaded

    def start(self) -> None:
        """Issue or check the certificate, start the inner waitress, then listen for TLS."""
        cert_file, _ = certs.ensure_server_certificate(self.data_dir, self.names())
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.minimum_version = ssl.TLSVersion.TLSv1_2
        self._context.set_alpn_protocols(["http/1.1"])
        self._context.load_cert_chain(cert_file)
        self._loaded = _stamp(cert_file)

        self._upstream = create_server(
            RealClientAddress(self.app, self._clients), host="127.0.0.1", port=0,
            threads=self.threads, url_scheme="https", ident="baobab",
            clear_untrusted_proxy_headers=True, **self._inner_limits().waitress(),
        )  # fmt: skip
        # Every connection comes from this terminator: no per-address cap there (it is
        # applied here, to the tablets' addresses), but the header timeout holds.
        guard(self._upstream, self._inner_limits())
        self._upstream_thread = threading.Thread(
            target=self._upstream.run, name="baobab-https-waitress", daemon=True
        )
        self._upstream_thread.start()

        self._loop = asyncio.new_event_loop()
        self._loop.set_exception_handler(_quiet_tls_noise)
        self._loop_thread = threading.Thread(
            target=self._run_loop, name="baobab-https", daemon=True
        )
        self._loop_thread.start()
        try:
            listening = asyncio.run_coroutine_threadsafe(self._listen(), self._loop)
            listening.result(START_TIMEOUT_S)
        except OSError as exc:
            # A node without HTTPS still serves the class over http: log, don't fail.
            self.stop()
            log.error("HTTPS cannot listen on port %s (%s); serving plain http only",
                      self.requested_port, exc)  # fmt: skip
            return
        except BaseException:
            self.stop()
            raise
        ca = certs.ensure_ca(self.data_dir, self.names())
        log.log(
            logging.DEBUG if self.worker else logging.INFO,  # said once, by the first process
            "HTTPS on port %d; tablets trust the node's CA (SHA-256 %s) from /trust",
            self.port, certs.fingerprint(ca),
        )  # fmt: skip

    def _inner_limits(self) -> Limits:
        # Room for every connection the terminator lets through, so it is the one gate.
        return Limits(
            connections=self.limits.connections + 16, per_client=0,
            idle_s=self.limits.idle_s, header_s=self.limits.header_s,
        )  # fmt: skip

    def urls(self) -> list[str]:
        """The https addresses students should open (none when HTTPS could not start)."""
        cert = certs.server_certificate(self.data_dir) if self.port else None
        if cert is None:
            return []
        # The addresses the certificate covers, not merely the ones the machine has.
        names = certs.names_of(cert)
        hosts = [str(a) for a in sorted(names.ips, key=str) if not a.is_loopback]
        return [f"https://{h}:{self.port}/" for h in hosts] or [f"https://127.0.0.1:{self.port}/"]

    def refresh(self) -> bool:
        """Re-issue the certificate if the node's names changed; True if it did (thread-safe)."""
        if self._loop is None or not self._loop.is_running():
            return False
        done = asyncio.run_coroutine_threadsafe(self._refresh(), self._loop)
        return done.result(START_TIMEOUT_S)

    def stop(self) -> None:
        """Close the TLS listener and its connections, then the inner waitress; within seconds."""
        if self._loop is not None:
            if self._loop.is_running():
                closing = asyncio.run_coroutine_threadsafe(self._close(), self._loop)
                try:
                    closing.result(5)
                except Exception:
                    log.exception("closing the HTTPS listener failed")
                self._loop.call_soon_threadsafe(self._loop.stop)
            if self._loop_thread is not None:
                self._loop_thread.join(5)
            self._loop = self._loop_thread = None
        if self._upstream is not None:
            server = self._upstream

            def close_all() -> None:
                # In waitress's loop thread; the listener closes quietly, channels and trigger
                # through handle_close. The loop ends when its map is empty.
                for dispatcher in list(server._map.values()):
                    (dispatcher.close if dispatcher is server else dispatcher.handle_close)()

            server.trigger.pull_trigger(close_all)
            if self._upstream_thread is not None:
                self._upstream_thread.join(5)
            server.task_dispatcher.shutdown(timeout=3)
            self._upstream = self._upstream_thread = None

    # -- inside the event loop thread -------------------------------------------------

    def _run_loop(self) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            # As asyncio.run ends: connections accepted at the last moment are cancelled
            # and finish before the loop closes.
            tasks = asyncio.all_tasks(loop)
            for task in tasks:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            # Transports close in callbacks the loop has yet to run.
            loop.run_until_complete(asyncio.sleep(0.05))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _listen(self) -> None:
        # Our own accept loop rather than asyncio's TLS server: each connection is a task
        # from its first byte, so a stop also closes the ones still in their handshake.
        host = self.host or "0.0.0.0"
        if self.worker:
            self._listener = worker_socket(host, self.requested_port)
        else:  # a plain bind first proves the port free: a second node fails, not joins
            self._listener = listening_socket(host, self.requested_port, self.shared, wait_s=0)
        self._listener.listen(256)
        self._listener.setblocking(False)
        self.port = self._listener.getsockname()[1]
        self._tasks.append(asyncio.ensure_future(self._accept_loop()))
        self._tasks.append(asyncio.ensure_future(self._watch_names()))

    async def _close(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._listener is not None:
            self._listener.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.wait(list(self._connections), timeout=3)

    async def _accept_loop(self) -> None:
        loop = asyncio.get_running_loop()
        assert self._listener is not None
        while True:
            try:
                conn, addr = await loop.sock_accept(self._listener)
            except OSError as exc:  # out of file descriptors: wait, don't spin
                log.warning("HTTPS accept failed: %s", exc)
                await asyncio.sleep(0.5)
                continue
            client = addr[0] if isinstance(addr, tuple) else "?"
            held = self._per_client.get(client, 0)
            if len(self._connections) >= self.limits.connections:
                log.warning("refused an HTTPS connection from %s: %d open in all",
                            client, len(self._connections))  # fmt: skip
                conn.close()
                continue
            if self.limits.per_client and held >= self.limits.per_client:
                # Before any TLS: nothing can be said to it but the close.
                log.warning("refused an HTTPS connection from %s: %d already open", client, held)
                conn.close()
                continue
            self._per_client[client] = held + 1
            task = asyncio.ensure_future(self._connection(conn))
            self._connections.add(task)
            task.add_done_callback(partial(self._forget, conn, client))

    async def _watch_names(self) -> None:
        while True:
            await asyncio.sleep(self.check_every_s)
            try:
                await self._refresh()
            except Exception:  # keep serving with the certificate we have
                log.exception("checking the HTTPS certificate failed")

    async def _refresh(self) -> bool:
        cert_file, reissued = certs.ensure_server_certificate(self.data_dir, self.names())
        # Another serving process may have renewed the file: load it all the same.
        if (reissued or _stamp(cert_file) != self._loaded) and self._context is not None:
            # Handshakes run in this thread too, so none sees a half-loaded context.
            self._context.load_cert_chain(cert_file)
            self._loaded = _stamp(cert_file)
            if reissued:
                log.info("the node's addresses changed: new HTTPS certificate issued")
        return reissued

    def _forget(self, conn: socket.socket, client: str, task: asyncio.Future) -> None:
        self._connections.discard(task)
        left = self._per_client.get(client, 1) - 1
        if left > 0:
            self._per_client[client] = left
        else:
            self._per_client.pop(client, None)
        if task.cancelled():
            # Stopped before or during its handshake: nobody else closes the socket. (A
            # transport caught finishing its handshake may still warn when the loop closes;
            # its socket is closed here all the same.)
            conn.close()

    async def _connection(self, conn: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=2 * COPY_CHUNK)
        protocol = asyncio.StreamReaderProtocol(reader)
        try:
            transport, _ = await loop.connect_accepted_socket(
                lambda: protocol, conn, ssl=self._context,
                ssl_handshake_timeout=max(1, self.limits.header_s),
            )  # fmt: skip
        except (OSError, ssl.SSLError, asyncio.TimeoutError):
            # Mostly a tablet that does not trust the node's CA yet: expected, not an error.
            conn.close()
            return
        except asyncio.CancelledError:
            conn.close()
            raise
        writer = asyncio.StreamWriter(transport, protocol, reader, loop)
        try:
            ended_cleanly = await self._relay(reader, writer)
        except asyncio.CancelledError:
            # The node stops: no polite TLS goodbye, which would wait for the tablet.
            transport.abort()
        else:
            if ended_cleanly:
                writer.close()
            else:  # a tablet gone or idle gets no goodbye either: it would wait for it
                transport.abort()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Copy both ways until waitress closes (True) or the tablet broke off or idled."""
        peer = writer.get_extra_info("peername")
        assert self._upstream is not None
        try:
            up_reader, up_writer = await asyncio.open_connection(
                "127.0.0.1", self._upstream.effective_port
            )
        except OSError:
            log.warning("the inner waitress refused a connection")
            return True
        local_port = up_writer.get_extra_info("sockname")[1]
        # Recorded before the first byte is sent, so waitress cannot run the request first.
        self._clients[local_port] = peer[0] if peer else "?"
        activity = _Activity()
        to_app = asyncio.ensure_future(_copy(reader, up_writer, True, activity))
        to_tablet = asyncio.ensure_future(_copy(up_reader, writer, False, activity))
        # The inner waitress already closes a kept-alive connection idle for idle_s, which
        # ends the relay; this is the last resort for one where it is still computing an
        # answer (a large sync), so it is longer: a request may think for minutes.
        idle = asyncio.ensure_future(activity.idle(self.limits.idle_s * TLS_IDLE_FACTOR))
        try:
            pending = {to_app, to_tablet, idle}
            while to_tablet in pending and idle in pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                if to_app in done and not to_app.result():
                    # The tablet went without a goodbye (reset, broken TLS): nobody will
                    # read an answer, so the inner connection goes now, not at its timeout.
                    return False
            # Otherwise over when waitress closes (after an EOF, or its own timeouts), or
            # when neither side sent a byte for the idle timeout.
            return to_tablet.done()
        finally:
            for task in (to_app, to_tablet, idle):
                task.cancel()
            # Forgotten before the port is released, so a new connection cannot inherit it.
            self._clients.pop(local_port, None)
            up_writer.transport.abort()


def _stamp(path: Any) -> tuple[int, ...]:
    """What tells one version of a file from the next (it is replaced whole when renewed)."""
    info = os.stat(path)
    return (info.st_ino, info.st_mtime_ns, info.st_size)


class _Activity:
    """When bytes last moved either way on one relayed connection."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def touch(self) -> None:
        self.last = time.monotonic()

    async def idle(self, limit_s: float) -> None:
        """Return once nothing moved for ``limit_s`` seconds."""
        while True:
            left = self.last + limit_s - time.monotonic()
            if left <= 0:
                return
            await asyncio.sleep(left)


async def _copy(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    forward_eof: bool,
    activity: _Activity,
) -> bool:
    """Copy until EOF; True if the reader ended cleanly, False if its side broke off."""
    try:
        while True:
            data = await reader.read(COPY_CHUNK)
            if not data:
                break
            activity.touch()
            writer.write(data)
            await writer.drain()
            activity.touch()
        if forward_eof and writer.can_write_eof():
            writer.write_eof()
        return True
    except (ConnectionError, ssl.SSLError, OSError):
        return False


def _quiet_tls_noise(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    # A tablet that does not trust the CA yet aborts every handshake: expected, not an error.
    if isinstance(context.get("exception"), (ssl.SSLError, ConnectionError, TimeoutError)):
        log.debug("TLS: %s", context.get("message"))
        return
    loop.default_exception_handler(context)


__all__ = ["HttpsService", "RealClientAddress", "default_names", "https_service"]
