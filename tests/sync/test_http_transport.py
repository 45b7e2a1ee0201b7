"""The HTTP transport turns every way a link can fail into a SyncError."""

from __future__ import annotations

import socket
import threading

import pytest

from sync.auth import NodeKey
from sync.http import HttpTransport, PeerUnreachable


def _server(reply: bytes) -> tuple[socket.socket, threading.Thread]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve() -> None:
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.sendall(reply)
        conn.close()

    thread = threading.Thread(target=serve)
    thread.start()
    return listener, thread


@pytest.mark.parametrize(
    "reply",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 138\r\n\r\nshort",  # peer died mid-answer
        b"",  # peer closed without a word
        b"NOT HTTP AT ALL\r\n\r\n",
    ],
)
def test_a_cut_or_garbled_reply_is_a_sync_error(reply):
    """Regression: a receiver killed mid-answer raised IncompleteRead, not a SyncError,
    and the scheduler's thread died instead of backing off."""
    listener, thread = _server(reply)
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        transport = HttpTransport(url, "node-0001", NodeKey.generate(), lambda: 1, timeout=5)
        with pytest.raises(PeerUnreachable):
            transport.exchange({"type": "hello"})
    finally:
        thread.join(5)
        listener.close()
