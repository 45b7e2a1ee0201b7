"""The student app's first load is at most 200 KB over the wire, counted from the
browser's own network events (bytes received, so compression is accounted for), and
no request leaves the node."""

from __future__ import annotations

import pytest

LIMIT_BYTES = 200_000


@pytest.mark.slow
def test_first_load_weight(node, device):
    page = device.new_page()
    cdp = device.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    urls, received = {}, {}
    cdp.on(
        "Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"])
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: received.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    page.goto(node.url + "/student/", wait_until="networkidle")
    page.wait_for_selector(".choices button")
    # Also what the service worker keeps of the app shell (it fetches it at install).
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    worker_bytes = page.evaluate(
        """async () => { let total = 0; for (const name of await caches.keys()) {
             const cache = await caches.open(name);
             for (const request of await cache.keys()) total += (await (await cache.match(request)).arrayBuffer()).byteLength; }
           return total; }"""
    )
    total = sum(received.values())
    assert all(u.startswith(node.url) or u.startswith("data:") for u in urls.values()), urls
    assert "/client/student/app.js" in " ".join(urls.values())
    print(f"first load: page {total} bytes over the wire, shell cache {worker_bytes} bytes")
    # Conservative: the worker's copies may come from the HTTP cache, but count them too.
    assert total + worker_bytes <= LIMIT_BYTES
