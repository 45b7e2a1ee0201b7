"""How the node sends the web apps' files: text gzipped to a browser that takes it, plain
to one that does not, a browser's copy revalidating to a 304; and a folder's page."""

from __future__ import annotations

import gzip
import os

from server.pages import compression
from server.paths import CLIENT_DIR, STATIC_DIR

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_a_module_goes_gzipped_to_a_browser_that_takes_it(client):
    plain = (CLIENT_DIR / "student" / "play.js").read_bytes()
    with client.get("/client/student/play.js", headers=GZIP) as response:
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert int(response.headers["Content-Length"]) == len(response.data)
        assert len(response.data) < len(plain) / 2
        assert gzip.decompress(response.data) == plain
        assert response.headers["ETag"].startswith('W/"')
        assert "Accept-Ranges" not in response.headers


def test_a_browser_that_takes_no_gzip_gets_the_file_as_it_is(client):
    plain = (CLIENT_DIR / "student" / "student.css").read_bytes()
    with client.get("/client/student/student.css") as response:
        assert response.status_code == 200
        assert "Content-Encoding" not in response.headers
        assert "Accept-Encoding" in response.headers["Vary"]
        assert response.data == plain


def test_the_compressed_copy_revalidates_to_a_304(client):
    with client.get("/static/img/pictures.svg", headers=GZIP) as first:
        assert first.headers["Content-Encoding"] == "gzip"
        etag = first.headers["ETag"]
    with client.get("/static/img/pictures.svg", headers={**GZIP, "If-None-Match": etag}) as again:
        assert again.status_code == 304
        assert again.data == b""
        assert again.headers["ETag"] == etag


def test_fonts_and_ranges_are_sent_as_they_are(client):
    font = next((STATIC_DIR / "fonts" / "andika").glob("*.woff2"))
    with client.get(f"/static/fonts/andika/{font.name}", headers=GZIP) as response:
        assert "Content-Encoding" not in response.headers
        assert response.data == font.read_bytes()
    plain = (CLIENT_DIR / "student" / "app.js").read_bytes()
    with client.get("/client/student/app.js", headers={**GZIP, "Range": "bytes=0-99"}) as part:
        assert part.status_code == 206
        assert "Content-Encoding" not in part.headers
        assert part.data == plain[:100]


def test_a_changed_file_is_compressed_again(tmp_path):
    path = tmp_path / "screen.js"
    path.write_text("export const a = 1;\n")
    first = compression.gzipped(path)
    assert compression.gzipped(path) is first  # kept, not compressed again
    path.write_text("export const a = 1, b = 2;\n")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert gzip.decompress(compression.gzipped(path)) == path.read_bytes()


def test_the_device_page_opens_at_the_address_the_guides_give(client):
    """Regression: /client/device/, the address in the README and the teacher's guide,
    answered a JSON 404; only /client/device/index.html opened the device page."""
    page = (CLIENT_DIR / "device" / "index.html").read_bytes()
    with client.get("/client/device/") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/html"
        assert response.data == page
        assert response.headers["Cache-Control"] == "no-cache"
    with client.get("/client/device") as response:
        assert response.status_code == 308
        assert response.headers["Location"].endswith("/client/device/")
    assert client.get("/client/nothing-here/").status_code == 404
