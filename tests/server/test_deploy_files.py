"""The hub's shipped deploy files (scripts/deploy/) name only what exists: the systemd unit's
command is one the CLI accepts, its env file only real settings. (nginx's site is served
for real by tests/integration/test_hub_hosts.py.)"""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

from server.cli import main
from server.config import SETTINGS_BY_NAME

DEPLOY = Path(__file__).resolve().parents[2] / "scripts" / "deploy"


def test_systemd_unit_starts_a_hub_with_a_command_the_cli_accepts():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(DEPLOY / "baobab-hub.service")
    argv = shlex.split(unit["Service"]["ExecStart"])
    assert Path(argv[0]).name == "baobab" and argv[1] == "serve"
    context = main.make_context("baobab", argv[1:], resilient_parsing=False)
    command = main.get_command(context, "serve")
    parsed = command.make_context("serve", argv[2:])
    assert parsed.params["role"] == "hub"
    assert unit["Service"]["ReadWritePaths"] == parsed.params["data_dir"]


def test_hub_env_example_sets_only_real_settings():
    lines = (DEPLOY / "hub.env.example").read_text().splitlines()
    names = [ln.split("=", 1)[0].lstrip("#") for ln in lines if "=" in ln]
    assert names and all(n.startswith("BAOBAB_") for n in names)
    assert {n.removeprefix("BAOBAB_") for n in names} <= set(SETTINGS_BY_NAME)
    assert "BAOBAB_PROXY_HOPS=1" in lines and "BAOBAB_ROLE=hub" in lines
