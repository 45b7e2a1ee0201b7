"""Settings: each declared once, with its default and help.

Layers, later wins: defaults, then ``baobab.ini`` in the data directory, then
``BAOBAB_*`` environment variables, then the test config handed to
``create_app``. Nothing here runs at import time beyond declaring.
"""

from __future__ import annotations

import configparser
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

ENV_PREFIX = "BAOBAB_"
CONFIG_FILE_NAME = "baobab.ini"
CONFIG_SECTION = "baobab"


def _parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not a yes/no value: {value!r}")


_HOST_NAME = re.compile(
    r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)


def check_host_name(name: str) -> str:
    """Return ``name`` lower-cased if it is a valid DNS host name, else raise ValueError."""
    lowered = name.strip().lower().rstrip(".")
    if not _HOST_NAME.match(lowered):
        raise ValueError(f"not a host name: {name!r}")
    return lowered


def parse_host_names(value: str) -> tuple[str, ...]:
    """Parse a comma-separated list of host names."""
    return tuple(check_host_name(n) for n in value.split(",") if n.strip())


@dataclass(frozen=True)
class Setting:
    """One setting: its name (without the BAOBAB_ prefix), default, type and help."""

    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str

    @property
    def env_name(self) -> str:
        """The environment variable that sets it."""
        return ENV_PREFIX + self.name


SETTINGS: tuple[Setting, ...] = (
    Setting("DATA_DIR", "./data", "Directory of the database, content blobs, keys and baobab.ini."),
    Setting(
        "DATABASE_URL",
        "",
        "Database URL; empty means SQLite at DATA_DIR/baobab.db. "
        "The hub uses postgresql://user:pass@host/db.",
    ),
    Setting("HOST", "0.0.0.0", "Address waitress listens on."),
    Setting("PORT", 8080, "Port waitress listens on.", int),
    Setting(
        "HTTPS_PORT",
        8443,
        "Port of the node's HTTPS server (0: off). Tablets need it to reopen the student app "
        "offline; they trust the node's own CA once, from /trust.",
        int,
    ),
    Setting(
        "HTTPS_NAMES",
        "",
        "Extra host names (comma-separated) for the node's HTTPS certificate, besides its "
        "addresses, hostname and hostname.local.",
        parse_host_names,
    ),
    Setting("THREADS", 8, "Waitress worker threads (each keeps its own database connection).", int),
    Setting(
        "RUNNING",
        2,
        "Requests each serving process runs at once; the others wait in arrival order, a "
        "teacher's live view first, and one waiting for the disk or a lock lets the next run. "
        "0: as many as THREADS. SQLite only (on PostgreSQL, as many as THREADS).",
        int,
    ),
    Setting(
        "WORKERS",
        0,
        "Serving processes sharing the port; 0 means one per CPU core, up to 4. "
        "Each process has THREADS threads.",
        int,
    ),
    Setting(
        "SECRET_KEY",
        "",
        "Key that signs session cookies; empty means the one made at init in DATA_DIR/secret_key.",
    ),
    Setting(
        "CONNECTION_LIMIT",
        250,
        "Open connections one serving process accepts (http, and https apart); more wait.",
        int,
    ),
    Setting(
        "CONNECTIONS_PER_CLIENT",
        24,
        "Open connections one client address may hold in one serving process (0: no cap); "
        "more are refused with 503. A browser opens at most 6 per site.",
        int,
    ),
    Setting(
        "IDLE_TIMEOUT_S",
        60,
        "A connection that sends and receives nothing for this long is closed.",
        int,
    ),
    Setting(
        "HEADER_TIMEOUT_S",
        15,
        "A request's headers (and a TLS handshake) must arrive within this many seconds.",
        int,
    ),
    Setting("MAX_BODY_BYTES", 2_000_000, "Largest request body accepted; larger gets 413.", int),
    Setting(
        "PACK_MAX_BYTES",
        200_000_000,
        "Largest content pack, packed or unpacked, that a district admin may publish on the "
        "hub (larger gets 413) or `baobab import-content` may read.",
        int,
    ),
    Setting(
        "BACKUP_MAX_BYTES",
        4_000_000_000,
        "Largest backup a new node takes from the browser (device page or first-run wizard); "
        "`baobab restore` reads any size.",
        int,
    ),
    Setting(
        "SYNC_MAX_BODY_BYTES",
        64_000_000,
        "Largest sync message accepted (compressed); larger gets 413.",
        int,
    ),
    Setting("SESSION_DAYS", 30, "How long a browser stays signed in.", int),
    Setting("SIGNIN_MAX_FAILURES", 5, "Failed sign-ins per account allowed in the window.", int),
    Setting("SIGNIN_WINDOW_S", 300, "Window of the sign-in rate limit, in seconds.", int),
    Setting("PAGE_SIZE", 50, "Default page size of API lists.", int),
    Setting("PAGE_SIZE_MAX", 500, "Largest page size a client may ask for.", int),
    Setting(
        "SQLITE_SYNCHRONOUS",
        "FULL",
        "SQLite durability: FULL survives a power cut without losing a committed answer "
        "(each write is fsynced before its response, many writes per fsync); "
        "NORMAL, OFF: SQLite's own pragma.",
    ),
    Setting(
        "DISCOVERY", True, "Advertise and browse for peers with zeroconf (off: 0).", _parse_bool
    ),
    Setting(
        "ROLE",
        "node",
        "node: a classroom node of one school; hub: the district hub, holding every school.",
    ),
    Setting(
        "PROXY_HOPS",
        0,
        "Reverse proxies (nginx) in front that set X-Forwarded-For and -Proto; their word on "
        "the client's address and https is believed (0: none, serve directly).",
        int,
    ),
    Setting(
        "DISTRICT_SCHOOL",
        "",
        "Hub: id or code of the district office's school; its admins are the district admins "
        "who publish content packs to every school (empty: nobody publishes through the API).",
    ),
    Setting(
        "HOME_PAGE",
        "https://hub.invalid",
        "Hub: its public home page; xAPI actors are accounts under it (an opaque id, no name).",
    ),
    Setting("LRS_ENDPOINT", "", "Hub: xAPI endpoint of the district's LRS (empty: no push)."),
    Setting("LRS_USERNAME", "", "Hub: user (key) of the LRS's HTTP Basic credentials."),
    Setting("LRS_PASSWORD", "", "Hub: password (secret) of the LRS's HTTP Basic credentials."),
    Setting("SYNC_INTERVAL_S", 300, "Seconds between regular syncs with each paired peer.", int),
    Setting(
        "SYNC_BACKOFF_CAP_S",
        3600,
        "Longest wait between tries of an unreachable peer or hub (exponential back-off).",
        int,
    ),
    Setting(
        "DEMO", True, "Seed the demo school and sample content on the first serve.", _parse_bool
    ),
    Setting("LOG_LEVEL", "INFO", "Log level: DEBUG, INFO, WARNING or ERROR."),
)

SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


class ConfigError(ValueError):
    """Raised when a setting's value cannot be parsed or is unknown."""


def _coerce(setting: Setting, raw: Any, where: str) -> Any:
    if not isinstance(raw, str):
        return raw
    try:
        return setting.parse(raw)
    except ValueError as exc:
        raise ConfigError(f"{where}: {setting.name}: {exc}") from None


def _read_file(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser()
    parser.optionxform = str.upper  # keys are case-insensitive, stored upper
    parser.read(path, encoding="utf-8")
    if not parser.has_section(CONFIG_SECTION):
        return {}
    return dict(parser.items(CONFIG_SECTION))


def load_settings(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Return every setting resolved through the four layers."""
    environ = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    values = {s.name: s.default for s in SETTINGS}

    # The data directory locates the file layer, so resolve it first.
    data_dir = (
        overrides.get("DATA_DIR") or environ.get(ENV_PREFIX + "DATA_DIR") or values["DATA_DIR"]
    )
    file_path = Path(data_dir) / CONFIG_FILE_NAME
    if file_path.is_file():
        for key, raw in _read_file(file_path).items():
            if key not in SETTINGS_BY_NAME:
                raise ConfigError(f"{file_path}: unknown setting {key}")
            values[key] = _coerce(SETTINGS_BY_NAME[key], raw, str(file_path))
    for setting in SETTINGS:
        if setting.env_name in environ:
            values[setting.name] = _coerce(setting, environ[setting.env_name], setting.env_name)
    for key, raw in overrides.items():
        if key in SETTINGS_BY_NAME:
            values[key] = _coerce(SETTINGS_BY_NAME[key], raw, "test config")
        else:
            values[key] = raw  # Flask's own keys (TESTING, ...) pass through
    values["DATA_DIR"] = str(Path(values["DATA_DIR"]).resolve())
    return values


def settings_markdown() -> str:
    """Return the settings as a Markdown table, the form the README lists them in."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for s in SETTINGS:
        default = s.default
        if isinstance(default, bool):
            default = "1" if default else "0"
        shown = f"`{default}`" if default != "" else "(empty)"
        lines.append(f"| `{s.env_name}` | {shown} | {s.help} |")
    return "\n".join(lines) + "\n"
