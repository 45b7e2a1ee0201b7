"""HTTPS for the classroom: waitress speaking TLS itself, in every serving process.

Browsers run service workers only in a secure context, and on a LAN address that
means HTTPS. Each serving process (all on the same port with SO_REUSEPORT, as the
plain port is shared: server.node.workers) runs a second waitress server on
``HTTPS_PORT`` whose channels speak TLS (`TlsChannel`):

- the accepted socket is wrapped, non-blocking, with the node's certificate
  (``server.node.certs``), and waitress's own event loop drives the handshake: no
  thread and no byte copying beside waitress's own;
- waitress sets ``url_scheme='https'``, so Flask sees the scheme the tablet used,
  and REMOTE_ADDR is simply the TLS peer, the tablet itself: the sign-in
  throttles (server/api/auth.py, sync.py) see each tablet as itself;
- the plain port's bounds (``server.node.runner.guard``) hold here too: connections
  per address and in all, the idle timeout, and the header timeout, which counts
  from the first TLS byte, so a handshake never finished is dropped like a slow
  header. A refused connection is only closed: a TLS client cannot read a 503.

Every ``check_every_s`` the service compares the machine's addresses with the
certificate's and has the node's CA issue a new one when DHCP moved the node; a
process that finds the certificate file renewed by another loads it too. New
connections then shake hands with the new certificate; open ones keep theirs.
"""

from __future__ import annotations

import logging
import os
import socket
import ssl
import threading
import time
from collections import Counter
from typing import Any, Callable

from flask import Flask
from waitress.server import create_server

from .. import config
from . import balance, certs
from .priority import dispatcher_for
from .runner import Limits, QuietChannel, guard, lan_addresses
from .workers import listening_socket, worker_count, worker_socket

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 5.0


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


class TlsChannel(QuietChannel):
    """A waitress channel speaking TLS on its socket, driven by waitress's event loop.

    The handshake runs from read and write events (OpenSSL says which it waits
    for); until it is done, the connection counts as a request whose headers are
    still arriving, so the header timeout bounds it. Reads drain what OpenSSL has
    already decrypted (``pending()``): those bytes make no socket readable, and a
    pipelined request in the same record would otherwise wait for the next one.
    A write OpenSSL could not finish is retried with the same bytes, as it must
    be. The close sends the TLS goodbye (close_notify) if the socket takes it at
    once, never waiting for the tablet's.
    """

    slow_part = "TLS handshake"

    def __init__(
        self, server: Any, sock: socket.socket, addr: Any, adj: Any, map: Any = None, *,
        context: ssl.SSLContext,
    ) -> None:  # fmt: skip
        tls = context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        # OpenSSL objects are not for two threads at once: the loop reads and closes,
        # a task thread writes its answer.
        self._tls_lock = threading.Lock()
        self._retry_len = 0  # length of a write OpenSSL asked to be retried (0: none)
        self._wants_write = False  # the handshake waits for the socket to take bytes
        self.handshaken = False
        super().__init__(server, tls, addr, adj, map=map)
        self.partial_since = self.creation_time

    # -- the handshake ----------------------------------------------------------------

    def _handshake(self) -> None:
        try:
            with self._tls_lock:
                if self.socket is None:
                    return
                self.socket.do_handshake()
        except ssl.SSLWantReadError:
            self._wants_write = False
            return
        except ssl.SSLWantWriteError:
            self._wants_write = True
            return
        except (OSError, ValueError) as exc:
            # Mostly a tablet that does not trust the node's CA yet, or plain http sent
            # to this port (OpenSSL: "http request"): expected, closed without a word.
            log.debug("TLS handshake with %s failed: %s", self.addr[0], exc)
            self.handle_close()
            return
        self.handshaken, self._wants_write = True, False
        self.last_activity = time.time()
        self.partial_since, self.slow_part = None, QuietChannel.slow_part

    def readable(self) -> bool:
        if not self.handshaken:
            return not (self.will_close or self._wants_write)
        return bool(super().readable())

    def writable(self) -> bool:
        if not self.handshaken:
            return self.will_close or self._wants_write
        return super().writable()

    # -- reading and writing ----------------------------------------------------------

    def handle_read(self) -> None:
        if not self.handshaken:
            self._handshake()
            return
        try:
            data = self._read()
        except OSError as exc:  # a reset, or broken TLS: nobody will read an answer
            log.debug("TLS connection from %s broke: %s", self.addr[0], exc)
            self.handle_close()
            return
        if data is None:  # a record not whole yet
            return
        if not data:  # the tablet said goodbye, or went
            self.handle_close()
            return
        self.last_activity = time.time()
        self.received(data)

    def _read(self) -> bytes | None:
        with self._tls_lock:
            sock = self.socket
            if sock is None:
                return b""
            try:
                data = sock.recv(self.adj.recv_bytes)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                return None
            if not data:
                return b""
            # Decrypted bytes left of a record read in part: no readable event tells of them.
            parts = [data]
            while pending := sock.pending():
                parts.append(sock.recv(pending))
        return b"".join(parts) if len(parts) > 1 else data

    def send(self, data: bytes, do_close: bool = True) -> int:
        with self._tls_lock:
            sock = self.socket
            if sock is None or not self.handshaken:
                return 0
            if self._retry_len:
                # OpenSSL wants the write it could not finish again, with the same bytes
                # (waitress offers the same buffer's start again, maybe longer by now).
                data = data[: self._retry_len]
            try:
                sent = sock.send(data)
            except (ssl.SSLWantWriteError, ssl.SSLWantReadError):
                self._retry_len = len(data)
                return 0
            except OSError as exc:
                failed: OSError | None = exc
            else:
                self._retry_len = 0
                return sent
        log.debug("sending to %s over TLS failed: %s", self.addr[0], failed)
        if do_close:
            self.handle_close()
        else:  # in a task thread: the loop closes it
            self.will_close = True
            self.server.pull_trigger()
        return 0

    def handle_write(self) -> None:
        if not self.handshaken:
            if self.will_close:
                self.handle_close()
            else:
                self._handshake()
            return
        super().handle_write()

    def handle_close(self) -> None:
        with self._tls_lock:
            sock = self.socket
            if sock is not None and self.handshaken:
                try:
                    # Sends close_notify if the socket takes it now; on a non-blocking
                    # socket it then stops (SSLWantReadError) rather than wait for the reply.
                    sock.unwrap()
                except (OSError, ValueError):
                    pass
        super().handle_close()


def _close(sock: socket.socket) -> None:
    """The TLS port's refusal: nothing said before the handshake reaches a TLS client."""
    sock.close()


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
        #: Caps and timeouts, per process like the plain port's (each process has its own).
        self.limits = limits or Limits.of(app.config)
        self.port = 0  # bound port, known after start()
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._watch: threading.Thread | None = None
        self._stopping = threading.Event()
        self._refreshing = threading.Lock()
        #: What new connections shake hands with; replaced whole when the certificate is.
        self._context: ssl.SSLContext | None = None
        self._loaded: tuple[int, ...] | None = None  # which certificate file was loaded

    def start(self) -> None:
        """Issue or check the certificate, then serve TLS on the port."""
        cert_file, _ = certs.ensure_server_certificate(self.data_dir, self.names())
        self._context, self._loaded = _context(cert_file), _stamp(cert_file)
        host = self.host or "0.0.0.0"
        try:
            if self.worker:
                sock = worker_socket(host, self.requested_port)
            else:  # a plain bind first proves the port free: a second node fails, not joins
                sock = listening_socket(host, self.requested_port, self.shared, wait_s=0)
        except OSError as exc:
            # A node without HTTPS still serves the class over http: log, don't fail.
            log.error("HTTPS cannot listen on port %s (%s); serving plain http only",
                      self.requested_port, exc)  # fmt: skip
            return
        try:
            self._server = create_server(
                self.app, sockets=[sock], threads=self.threads, url_scheme="https",
                ident="baobab", clear_untrusted_proxy_headers=True, **self.limits.waitress(),
                _dispatcher=dispatcher_for(self.app),  # staff polls first (node/priority.py)
            )  # fmt: skip
        except BaseException:
            sock.close()
            raise
        self._server.task_dispatcher.set_thread_count(self.threads)
        guard(self._server, self.limits, channel=self._channel, refusal=_close)
        balance.join(self.app, self._server)  # with the plain port's, in the node's balance
        self.port = int(self._server.effective_port)  # waitress says it as a string
        self._stopping.clear()
        self._thread = threading.Thread(target=self._server.run, name="baobab-https", daemon=True)
        self._thread.start()
        self._watch = threading.Thread(
            target=self._watch_names, name="baobab-https-names", daemon=True
        )
        self._watch.start()
        ca = certs.ensure_ca(self.data_dir, self.names())
        log.log(
            logging.DEBUG if self.worker else logging.INFO,  # said once, by the first process
            "HTTPS on port %d; tablets trust the node's CA (SHA-256 %s) from /trust",
            self.port, certs.fingerprint(ca),
        )  # fmt: skip

    def _channel(self, server: Any, sock: socket.socket, addr: Any, adj: Any,
                 map: Any = None) -> TlsChannel | None:  # fmt: skip
        assert self._context is not None
        try:
            return TlsChannel(server, sock, addr, adj, map=map, context=self._context)
        except OSError as exc:  # gone before it could be wrapped
            log.debug("TLS connection from %s lost at once: %s", addr, exc)
            sock.close()
            return None

    def urls(self) -> list[str]:
        """The https addresses students should open (none when HTTPS could not start)."""
        cert = certs.server_certificate(self.data_dir) if self.port else None
        if cert is None:
            return []
        # The addresses the certificate covers, not merely the ones the machine has.
        names = certs.names_of(cert)
        hosts = [str(a) for a in sorted(names.ips, key=str) if not a.is_loopback]
        return [f"https://{h}:{self.port}/" for h in hosts] or [f"https://127.0.0.1:{self.port}/"]

    def open_connections(self) -> dict[str, int]:
        """Open TLS connections by client address, those still in their handshake too."""
        server = self._server
        if server is None:
            return {}
        held = Counter(
            c.addr[0] for c in list(server.active_channels.values()) if isinstance(c.addr, tuple)
        )
        return dict(held)

    def refresh(self) -> bool:
        """Re-issue the certificate if the node's names changed; True if it did (thread-safe)."""
        if self._server is None:
            return False
        with self._refreshing:
            cert_file, reissued = certs.ensure_server_certificate(self.data_dir, self.names())
            # Another serving process may have renewed the file: load it all the same.
            if reissued or _stamp(cert_file) != self._loaded:
                # A new context, not the old one reloaded: a handshake in waitress's
                # thread never sees one half-loaded.
                self._context, self._loaded = _context(cert_file), _stamp(cert_file)
                if reissued:
                    log.info("the node's addresses changed: new HTTPS certificate issued")
            return reissued

    def stop(self) -> None:
        """Close the listener and every connection, and the threads; within seconds."""
        self._stopping.set()
        if self._watch is not None:
            self._watch.join(STOP_TIMEOUT_S)
            self._watch = None
        server = self._server
        if server is None:
            return

        def close_all() -> None:
            # In waitress's loop thread; the listener closes quietly, channels (with their
            # TLS goodbye) and the trigger through handle_close. The loop ends when its map
            # is empty.
            for dispatcher in list(server._map.values()):
                (dispatcher.close if dispatcher is server else dispatcher.handle_close)()

        server.trigger.pull_trigger(close_all)
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT_S)
        server.task_dispatcher.shutdown(timeout=3)
        self._server = self._thread = None

    def _watch_names(self) -> None:
        while not self._stopping.wait(self.check_every_s):
            try:
                self.refresh()
            except Exception:  # keep serving with the certificate we have
                log.exception("checking the HTTPS certificate failed")


def _context(cert_file: Any) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["http/1.1"])
    context.load_cert_chain(cert_file)
    return context


def _stamp(path: Any) -> tuple[int, ...]:
    """What tells one version of a file from the next (it is replaced whole when renewed)."""
    info = os.stat(path)
    return (info.st_ino, info.st_mtime_ns, info.st_size)


__all__ = ["HttpsService", "TlsChannel", "default_names", "https_service"]
