"""The web apps' text files (modules, styles, catalogs, SVG) sent gzipped to browsers that
take it: a tablet's first load of the student app is about half the bytes over a busy
classroom Wi-Fi. Called by the views that send those files (``/client/…``, ``/static/…``),
not as a hook of every response: the API's requests pay nothing for it.

Each file is compressed once per version (its modification time and size) and kept, so
serving it costs no more CPU than sending it plain. The compressed body carries a weak
ETag (the file's, weakened: the same content, another encoding), which a browser sends
back and which still earns a 304. Ranges and other responses are left as they are.
"""

from __future__ import annotations

import gzip
import os
import threading
from pathlib import Path

from flask import Response, request

#: What is worth compressing (fonts and pictures other than SVG are compressed already).
COMPRESSIBLE = frozenset(
    {"text/javascript", "application/javascript", "text/css", "application/json",
     "image/svg+xml", "text/html", "text/plain"}
)  # fmt: skip
#: Files kept compressed at most (the apps have about a hundred).
KEPT_AT_MOST = 512

_kept: dict[Path, tuple[tuple[int, int], bytes]] = {}
_lock = threading.Lock()


def gzipped(path: Path) -> bytes:
    """``path``'s bytes gzipped, made again when the file changed."""
    stat = path.stat()
    version = (stat.st_mtime_ns, stat.st_size)
    kept = _kept.get(path)
    if kept is not None and kept[0] == version:
        return kept[1]
    body = gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)
    with _lock:
        if len(_kept) >= KEPT_AT_MOST and path not in _kept:
            _kept.pop(next(iter(_kept)))  # the oldest
        _kept[path] = (version, body)
    return body


def compressed(response: Response, path: str | None) -> Response:
    """``response`` (a file ``send_file`` sent, or its 304) gzipped when the browser takes
    gzip and the file is text; ``path`` is the file's (None: not a file, left as it is)."""
    if response.status_code not in (200, 304) or response.mimetype not in COMPRESSIBLE:
        return response
    if "Content-Encoding" in response.headers:
        return response
    response.vary.add("Accept-Encoding")
    if not request.accept_encodings["gzip"]:
        return response
    etag, _ = response.get_etag()
    if etag:
        response.set_etag(etag, weak=True)
    if response.status_code == 304 or path is None or not os.path.isfile(path):
        return response
    body = gzipped(Path(path))
    response.close()  # the file send_file opened
    response.direct_passthrough = False
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    response.headers.pop("Accept-Ranges", None)  # ranges are served plain
    return response
