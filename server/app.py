"""The Flask app factory.

``create_app`` builds the app and binds the database; it starts no thread and
opens nothing that outlives a request. ``baobab serve`` (server.cli) prepares
the database and runs waitress.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from inspect import iscoroutinefunction
from pathlib import Path
from typing import Any

from flask import Flask, Request, jsonify
from flask.json.provider import DefaultJSONProvider
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.security import safe_join

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
from .node import gate, identity, priority, rundir
from .pages import headers, site, trust
from .pages.compression import compressed
from .paths import STATIC_DIR


class BoundedJSONProvider(DefaultJSONProvider):
    """Parses JSON with bounds (server.interop.untrusted_json): every request body is
    refused when nested too deep or holding text that is not Unicode (a lone surrogate).

    Dumps with encoders kept per setting: Flask's provider made a JSONEncoder for every
    response (json.dumps with ``default`` set builds one per call).
    """

    def __init__(self, app: Flask) -> None:
        super().__init__(app)
        self._encoders: dict[tuple[Any, ...], json.JSONEncoder] = {}

    def _encoder(self, separators: tuple[str, str] | None, indent: int | None) -> json.JSONEncoder:
        key = (self.ensure_ascii, self.sort_keys, self.default, separators, indent)
        encoder = self._encoders.get(key)
        if encoder is None:
            encoder = self._encoders[key] = json.JSONEncoder(
                default=self.default,
                ensure_ascii=self.ensure_ascii,
                sort_keys=self.sort_keys,
                separators=separators,
                indent=indent,
            )
        return encoder

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs.keys() <= {"separators", "indent"}:
            return self._encoder(kwargs.get("separators"), kwargs.get("indent")).encode(obj)
        return super().dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return untrusted_json.loads(s)


class Baobab(Flask):
    """Flask, knowing which of its views and hooks are plain functions.

    Flask asks ``inspect.iscoroutinefunction`` of every hook and view at every
    request (five times in each): about 5% of a trivial request's CPU. The answer
    is kept per function, for as many functions as an app registers (a bound on
    what it keeps, should anything hand it new functions at every request).
    """

    #: More than the app's views, hooks and handlers together.
    KEEP_AT_MOST = 1024

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plain: dict[Any, bool] = {}

    def send_static_file(self, filename: str) -> Any:
        """Flask's, its text files gzipped for browsers that take it (pages.compression)."""
        response = super().send_static_file(filename)
        return compressed(response, safe_join(str(self.static_folder), filename))

    def ensure_sync(self, func: Any) -> Any:
        """Flask's, its answer remembered per function."""
        plain = self._plain.get(func)
        if plain is None:
            plain = not iscoroutinefunction(func)
            if len(self._plain) < self.KEEP_AT_MOST:
                self._plain[func] = plain
        return func if plain else self.async_to_sync(func)


class BoundedJSONRequest(Request):
    """A request whose unusable JSON body is the one 422 error, saying why."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if e is None:
            return super().on_json_loading_failed(e)  # not sent as JSON: 415
        raise InvalidInput(f"The body is not usable JSON: {e}")


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the layered settings; ``test_config`` is the last layer."""
    settings = config.load_settings(overrides=test_config)
    app = Baobab(__name__, static_folder=str(STATIC_DIR), static_url_path="/static")
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

    if settings["RUNNING"] > 0 and database.is_sqlite():
        # A few requests at a time run the app; the others wait in order (node/gate.py).
        # Not on PostgreSQL (a hub): its requests wait for the database server, and a
        # slot held meanwhile would leave the CPU idle.
        run_gate = gate.RunGate(settings["RUNNING"])
        app.extensions[gate.EXTENSION] = run_gate
        app.wsgi_app = run_gate.wsgi(app.wsgi_app, priority.gate_lane_for(app))

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
