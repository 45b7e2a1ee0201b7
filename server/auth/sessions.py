"""The session cookie: Flask's signed cookie, re-issued at most once an hour.

Flask re-signs and re-sends a permanent session's cookie on every response so
that its lifetime slides; that signing (JSON, zlib, HMAC) was a steady share of
each request's CPU. Re-issuing it when it is an hour old keeps the sliding
lifetime (``SESSION_DAYS`` from the last hour of use) at a fraction of the cost.
"""

from __future__ import annotations

import time
from typing import Any

from flask.sessions import SecureCookieSessionInterface

#: Seconds a cookie is kept before an unmodified session is re-issued.
REFRESH_AFTER_S = 3600


class HourlySessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions whose sliding lifetime is renewed at most hourly."""

    def should_set_cookie(self, app: Any, session: Any) -> bool:
        """Send the cookie when the session changed or its issue is an hour old."""
        if not session.permanent:
            return bool(session.modified)
        now = int(time.time())
        if (
            session.modified
            or app.config["SESSION_REFRESH_EACH_REQUEST"]
            and (now - int(session.get("issued", 0)) >= REFRESH_AFTER_S)
        ):
            session["issued"] = now  # signed with the rest: when this cookie was made
            return True
        return False
