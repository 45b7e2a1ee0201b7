"""Settings: declared once, layered defaults → file → environment → test config."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.config import SETTINGS, ConfigError, load_settings, settings_markdown

README = Path(__file__).resolve().parents[2] / "README.md"


def test_layers_override_in_order(tmp_path):
    (tmp_path / "baobab.ini").write_text("[baobab]\nport = 9001\nthreads = 3\npage_size = 7\n")
    env = {"BAOBAB_DATA_DIR": str(tmp_path), "BAOBAB_THREADS": "5", "BAOBAB_PAGE_SIZE": "9"}
    values = load_settings(env, {"PAGE_SIZE": 11})
    assert values["PORT"] == 9001  # file
    assert values["THREADS"] == 5  # environment beats file
    assert values["PAGE_SIZE"] == 11  # test config beats environment
    assert values["HOST"] == "0.0.0.0"  # default


def test_unknown_or_unparsable_settings_are_refused(tmp_path):
    (tmp_path / "baobab.ini").write_text("[baobab]\nprot = 9001\n")
    with pytest.raises(ConfigError, match="PROT"):
        load_settings({"BAOBAB_DATA_DIR": str(tmp_path)})
    with pytest.raises(ConfigError, match="BAOBAB_PORT"):
        load_settings({"BAOBAB_DATA_DIR": str(tmp_path / "none"), "BAOBAB_PORT": "eighty"})


def test_booleans_parse_like_people_write_them():
    assert load_settings({"BAOBAB_DISCOVERY": "0"})["DISCOVERY"] is False
    assert load_settings({"BAOBAB_DISCOVERY": "yes"})["DISCOVERY"] is True


def test_every_setting_has_help_and_is_in_the_readme():
    assert all(s.help for s in SETTINGS)
    assert settings_markdown() in README.read_text(encoding="utf-8")
