"""The HTTP transport: signed POSTs of wire messages to a peer's /api/v1/sync."""

from __future__ import annotations

import http.client
import json
import threading
import urllib.error
import urllib.request
from typing import Any, Callable
from urllib.parse import urljoin, urlparse

from . import wire
from .auth import HEADER_NODE, HEADER_SEQ, HEADER_SIGNATURE, NodeKey, request_payload
from .errors import SyncError

SYNC_PATH = "/api/v1/sync"


class PeerRefused(SyncError):
    """Raised when the peer answers with an error; ``status`` is its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"peer refused ({status}): {message}")
        self.status = status


class PeerUnreachable(SyncError):
    """Raised when the peer cannot be reached or the link drops mid-exchange."""


class HttpTransport:
    """Signed requests to one peer. ``next_seq`` hands out this peer's sequence numbers."""

    def __init__(
        self,
        base_url: str,
        node_id: str,
        key: NodeKey,
        next_seq: Callable[[], int],
        timeout: float = 60.0,
    ) -> None:
        self.url = urljoin(base_url if base_url.endswith("/") else base_url + "/", SYNC_PATH[1:])
        self.path = urlparse(self.url).path
        self.node_id, self.key, self.next_seq, self.timeout = node_id, key, next_seq, timeout
        self.bytes_sent = 0
        self.bytes_received = 0

    def exchange(self, message: dict[str, Any]) -> dict[str, Any]:
        """POST one signed message; return the decoded reply."""
        return self._post(*self._prepare(message))

    def start_exchange(self, message: dict[str, Any]) -> Callable[[], dict[str, Any]]:
        """Sign the message here, POST it from a thread; the returned function waits for it.

        The engine reads its next chunk meanwhile, so both sides work at once.
        Sequence numbers are taken here, in order, by the caller's thread.
        """
        prepared = self._prepare(message)
        outcome: dict[str, Any] = {}

        def post() -> None:
            try:
                outcome["reply"] = self._post(*prepared)
            except BaseException as exc:  # handed to the waiting caller
                outcome["error"] = exc

        thread = threading.Thread(target=post, name="baobab-sync-exchange", daemon=True)
        thread.start()

        def wait() -> dict[str, Any]:
            thread.join()
            if "error" in outcome:
                raise outcome["error"]
            return outcome["reply"]

        return wait

    def _prepare(self, message: dict[str, Any]) -> tuple[bytes, urllib.request.Request]:
        body = wire.encode(message)
        request = signed_request(
            self.url, "POST", body, self.node_id, self.key, self.next_seq(), wire.MEDIA_TYPE
        )
        return body, request

    def _post(self, body: bytes, request: urllib.request.Request) -> dict[str, Any]:
        self.bytes_sent += len(body)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                data = response.read()
        except urllib.error.HTTPError as exc:
            raise PeerRefused(exc.code, _error_message(exc.read())) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            # HTTPException covers a reply cut short (IncompleteRead) when the
            # peer dies mid-answer: the link failed, the engine resumes later.
            raise PeerUnreachable(f"cannot reach {self.url}: {exc!r}") from None
        self.bytes_received += len(data)
        return wire.decode(data)


def signed_request(
    url: str,
    method: str,
    body: bytes,
    node_id: str,
    key: NodeKey,
    seq: int,
    content_type: str | None = None,
) -> urllib.request.Request:
    """A request to a peer signed as this node (method, the URL's path, node id, ``seq``,
    the body's digest): the one way every peer request is signed."""
    path = urlparse(url).path
    headers = {
        HEADER_NODE: node_id,
        HEADER_SEQ: str(seq),
        HEADER_SIGNATURE: key.sign(request_payload(method, path, node_id, seq, body)),
    }
    if content_type is not None:
        headers["Content-Type"] = content_type
    data = body if method in ("POST", "PUT") else None
    return urllib.request.Request(url, data=data, method=method, headers=headers)


def post_json(url: str, body: dict[str, Any], timeout: float = 30.0) -> dict[str, Any]:
    """POST JSON and return the JSON reply (for pairing, before any key is trusted)."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise PeerRefused(exc.code, _error_message(exc.read())) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise PeerUnreachable(f"cannot reach {url}: {exc!r}") from None


def _error_message(data: bytes) -> str:
    try:
        return str(json.loads(data)["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return data[:200].decode("utf-8", "replace")
