"""How the node serves the student app: its page at /student/, its service worker at
the root scope, and an app shell list that names every file the app needs offline."""

from __future__ import annotations

import re

from server.paths import CLIENT_DIR, STATIC_DIR

SW = (CLIENT_DIR / "student" / "sw.js").read_text()
SHELL = re.findall(
    r'"(/[^"]+)"', SW[SW.index("const SHELL") : SW.index("];", SW.index("const SHELL"))]
)


def test_student_page_is_served_for_any_app_path(client):
    for path in ("/student", "/student/", "/student/home"):
        with client.get(path) as response:
            assert response.status_code == 200, path
            assert b'src="/client/student/app.js"' in response.data
            assert response.headers["Cache-Control"] == "no-cache"


def test_start_page_links_to_the_student_app(client):
    assert b'href="/student/"' in client.get("/").data


def test_service_worker_at_root_scope(client):
    with client.get("/sw.js") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/javascript"
        assert response.headers["Service-Worker-Allowed"] == "/"
        assert response.headers["Cache-Control"] == "no-cache"


def test_app_shell_lists_every_file_the_app_loads(client):
    modules = {f"/client/student/{p.name}" for p in (CLIENT_DIR / "student").glob("*.js")}
    catalogs = {f"/client/i18n/{p.name}" for p in (CLIENT_DIR / "i18n").glob("*.json")}
    fonts = {
        f"/static/fonts/andika/{p.name}" for p in (STATIC_DIR / "fonts" / "andika").glob("*.woff2")
    }
    assert modules - {"/client/student/sw.js"} | catalogs | fonts <= set(SHELL)
    for path in SHELL:
        with client.get(path) as response:
            assert response.status_code == 200, path
