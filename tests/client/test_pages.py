"""How the node serves the student app: its page at /student/, its service worker at
the root scope, and an app shell list that names every file the app needs offline."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

from server.paths import CLIENT_DIR, STATIC_DIR

SW = (CLIENT_DIR / "student" / "sw.js").read_text()
SHELL = re.findall(
    r'"(/[^"]+)"', SW[SW.index("const SHELL") : SW.index("];", SW.index("const SHELL"))]
)
IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(\s*)["']([^"']+\.js)["']""")
# Static imports only: what a page loads before any screen.
STATIC_IMPORT = re.compile(r"""(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+\.js)["']""")
PRELOAD = re.compile(r'<link rel="modulepreload" href="([^"]+)">')


def imports_of(path: Path, pattern: re.Pattern = IMPORT) -> set[Path]:
    """The files a module imports, statically or dynamically (or as pattern finds)."""
    return {(path.parent / spec).resolve() for spec in pattern.findall(path.read_text())}


def loaded_from(start: Path, pattern: re.Pattern = IMPORT) -> set[Path]:
    """Every module a page loads from start, following its imports."""
    seen, todo = set(), [start.resolve()]
    while todo:
        path = todo.pop()
        if path not in seen:
            seen.add(path)
            todo.extend(imports_of(path, pattern))
    return seen


def test_student_page_is_served_for_any_app_path(client):
    for path in ("/student", "/student/", "/student/home"):
        with client.get(path) as response:
            assert response.status_code == 200, path
            assert b'src="/client/student/app.js"' in response.data
            assert response.headers["Cache-Control"] == "no-cache"


def test_start_page_links_to_the_student_app(client):
    assert b'href="/student/"' in client.get("/").data


def test_start_and_trust_pages_speak_the_browsers_language_or_the_one_chosen(client):
    def page(path="/", accept=None):
        response = client.get(path, headers={"Accept-Language": accept} if accept else {})
        assert response.status_code == 200 and "Accept-Language" in response.headers["Vary"]
        return unescape(response.get_data(as_text=True))

    french = page(accept="fr-FR,fr;q=0.9,en;q=0.5")
    assert '<html lang="fr"' in french and "Élèves : ouvrir l'application des élèves" in french
    assert "Students: open" not in french
    assert 'href="?language=en"' in french and 'href="?language=fr"' not in french
    for english in (page(), page(accept="de-DE,de"), page("/?language=en", "fr")):
        assert '<html lang="en"' in english and "Students: open the student app" in english
    assert '<html lang="fr"' in page("/?language=fr", "en")
    assert '<html lang="en"' in page("/?language=../../x")  # only a language the apps offer
    # The certificate page too (here with HTTPS off: the tests' default).
    trust = page("/trust", "fr")
    assert '<html lang="fr"' in trust and "HTTPS est désactivé" in trust
    assert "HTTPS is off" in page("/trust") and 'href="?language=fr"' in page("/trust")


def test_service_worker_at_root_scope(client):
    with client.get("/sw.js") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/javascript"
        assert response.headers["Service-Worker-Allowed"] == "/"
        assert response.headers["Cache-Control"] == "no-cache"


def test_app_shell_lists_every_file_the_app_loads(client):
    app = CLIENT_DIR / "student" / "app.js"
    root = CLIENT_DIR.resolve()
    modules = {"/client/" + p.relative_to(root).as_posix() for p in loaded_from(app)}
    offered = json.loads((CLIENT_DIR / "i18n" / "index.json").read_text())["languages"]
    catalogs = {"/client/i18n/index.json"} | {
        f"/client/i18n/{lang['code']}.json" for lang in offered
    }
    fonts = {
        f"/static/fonts/andika/{p.name}" for p in (STATIC_DIR / "fonts" / "andika").glob("*.woff2")
    }
    assert modules | catalogs | fonts <= set(SHELL)
    for path in SHELL:
        with client.get(path) as response:
            assert response.status_code == 200, path


def test_no_module_imports_an_app():
    """Regression: the student screens imported session, go and sync from app.js,
    a cycle of six modules."""
    for path in CLIENT_DIR.rglob("*.js"):
        for target in imports_of(path):
            where = path.relative_to(CLIENT_DIR)
            assert target.exists(), f"{where} imports a missing {target}"
            assert target.name != "app.js", f"{where} imports {target.name}"


def test_app_pages_preload_every_shared_module_their_app_starts_with():
    """The staff apps' shell moved to shared/staff.js: each page's module list (its
    modulepreload links) names every shared module its app.js loads before a screen."""
    root = CLIENT_DIR.resolve()
    for app in ("student", "teacher", "admin"):
        modules = loaded_from(root / app / "app.js", STATIC_IMPORT)
        shared = {f"/client/shared/{p.name}" for p in modules if p.parent == root / "shared"}
        preloaded = set(PRELOAD.findall((root / app / "index.html").read_text()))
        assert shared <= preloaded, (app, sorted(shared - preloaded))
