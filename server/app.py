"""The Flask app factory.

``create_app`` builds the app and binds the database; it starts no thread and
opens nothing that outlives a request. ``baobab serve`` (server.cli) prepares
the database and runs waitress.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Request, jsonify
from flask.json.provider import DefaultJSONProvider
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config
from . import db as database
from .api import (
    auth,
    content,
    district,
    errors,
    learning,
    library,
    live,
    personal,
    photos,
    reports,
    roster,
    school,
    teaching,
)
from .api import node as node_api
from .api import sync as sync_api
from .auth import identify, staff_polls
from .auth.sessions import HourlySessionInterface
from .auth.throttle import SignInThrottle
from .errors import InvalidInput
from .interop import untrusted_json
from .node import identity, rundir
from .pages import headers, site, trust
from .paths import STATIC_DIR


class BoundedJSONProvider(DefaultJSONProvider):
    """Parses JSON with bounds (server.interop.untrusted_json): every request body is
    refused when nested too deep or holding text that is not Unicode (a lone surrogate)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return untrusted_json.loads(s)


class BoundedJSONRequest(Request):
    """A request whose unusable JSON body is the one 422 error, saying why."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if e is None:
            return super().on_json_loading_failed(e)  # not sent as JSON: 415
        raise InvalidInput(f"The body is not usable JSON: {e}")


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the layered settings; ``test_config`` is the last layer."""
    settings = config.load_settings(overrides=test_config)
    app = Flask(__name__, static_folder=str(STATIC_DIR), static_url_path="/static")
    app.request_class = BoundedJSONRequest
    app.json = BoundedJSONProvider(app)
    app.config.update(settings)
    app.config["SECRET_KEY"] = settings["SECRET_KEY"] or identity.secret_key(settings["DATA_DIR"])
    app.extensions["baobab.secret_from_file"] = not settings["SECRET_KEY"]
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_BODY_BYTES"]
    app.config["PERMANENT_SESSION_LIFETIME"] = settings["SESSION_DAYS"] * 24 * 3600
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.session_interface = HourlySessionInterface()
    app.json.sort_keys = False
    Path(settings["DATA_DIR"]).mkdir(mode=0o700, parents=True, exist_ok=True)
    database.bind(database.database_for(settings))

    hub = settings["ROLE"] == "hub"
    # A hub's app hosts share only the database: the limit counts there, on the wall clock.
    app.extensions["baobab.throttle"] = SignInThrottle(
        settings["SIGNIN_MAX_FAILURES"],
        settings["SIGNIN_WINDOW_S"],
        clock=time.time if hub else time.monotonic,
        path=None if hub else rundir.run_dir(settings["DATA_DIR"]) / "signin-failures.json",
        in_database=hub,
    )
    if settings["PROXY_HOPS"]:
        # Behind nginx: the client's address and scheme are what the proxies say, for
        # exactly this many proxies (a client's own X-Forwarded-For is not believed).
        hops = settings["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.extensions["baobab.started"] = time.monotonic()
    # Staff sessions this process authenticated: their polls go first in its queue.
    app.extensions[staff_polls.EXTENSION] = staff_polls.StaffSessions()

    identify.register(app)

    @app.teardown_request
    def _close(exc: BaseException | None) -> None:
        # Returns the connection to the pool; the pool keeps it open.
        if not database.db.is_closed():
            syncer = database.group_sync()
            if syncer is not None:
                # Writes made outside write_transaction reach the disk before the answer.
                syncer.after_writes(database.db.connection())
            database.db.close()

    errors.register(app)
    headers.register(app)
    blueprints = (
        site.bp,
        auth.bp,
        school.bp,
        content.bp,
        learning.bp,
        personal.bp,
        node_api.bp,
        sync_api.bp,
        photos.bp,
        roster.bp,
        live.bp,
        library.bp,
        reports.bp,
        teaching.bp,
        district.bp,
        trust.bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    if os.environ.get("BAOBAB_BENCH_CEILING") == "1":
        # Only for `scripts/bench classroom`: the stack's own ceiling (waitress, Flask and
        # the hooks every request runs, no query), so the class's rate reads as a ratio.
        app.add_url_rule("/bench/ceiling", "bench_ceiling", _bench_ceiling)
    _require_contracts(app)
    return app


def _bench_ceiling() -> Any:
    return jsonify({"ok": True})


def _require_contracts(app: Flask) -> None:
    """Refuse to build an app whose API has a view without a rule and contract."""
    missing = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        and not hasattr(app.view_functions[rule.endpoint], "contract")
    ]
    if missing:
        raise RuntimeError(f"API views without an @endpoint contract: {missing}")
