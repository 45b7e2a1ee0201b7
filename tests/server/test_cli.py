"""The baobab CLI: init, demo, create-user, import-content, backup, check."""

from __future__ import annotations

import sqlite3

from click.testing import CliRunner

from server import db as database
from server.cli import main
from server.paths import SAMPLE_PACK_DIR


def run(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    database.close_all()
    return result


def test_help_lists_the_commands():
    out = run("--help").output
    for command in ("serve", "init", "demo", "create-user", "import-content", "backup", "check"):
        assert command in out


def test_init_demo_user_backup_check(tmp_path):
    data = str(tmp_path / "node")
    assert "0001_initial, 0002_sync_vector" in run("init", "--data-dir", data).output
    assert "none (up to date)" in run("init", "--data-dir", data).output
    assert '"students": 25' in run("demo", "--data-dir", data).output
    again = run("demo", "--data-dir", data)
    assert again.exit_code != 0 and "already holds a school" in again.output
    made = run(
        "create-user",
        "Ms New",
        "--data-dir",
        data,
        "--username",
        "newt",
        "--password",
        "a-long-password",
    )
    assert made.exit_code == 0, made.output
    clash = run(
        "create-user",
        "Ms Dup",
        "--data-dir",
        data,
        "--username",
        "newt",
        "--password",
        "a-long-password",
    )
    assert clash.exit_code != 0 and "taken" in clash.output
    kid = run(
        "create-user",
        "Kid",
        "--data-dir",
        data,
        "--role",
        "student",
        "--class",
        "Acacia class",
        "--pictures",
        "sun,moon,star",
    )
    assert kid.exit_code == 0, kid.output
    target = tmp_path / "copy.db"
    assert run("backup", "--data-dir", data, str(target)).exit_code == 0
    with sqlite3.connect(target) as conn:
        assert conn.execute(
            "SELECT count(*) FROM person WHERE display_name='Ms New'"
        ).fetchone() == (1,)
    checked = run("check", "--data-dir", data)
    assert checked.exit_code == 0 and "integrity: ok" in checked.output


def test_import_content_reports_problems_and_exits_non_zero(tmp_path):
    data = str(tmp_path / "node")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "manifest.json").write_text('{"format": "baobab-pack/1", "id": "Bad Id"}')
    result = CliRunner().invoke(main, ["import-content", "--data-dir", data, str(bad)])
    database.close_all()
    assert result.exit_code == 1
    assert "id:" in result.output and "skills:" in result.output
    ok = run("import-content", "--data-dir", data, str(SAMPLE_PACK_DIR))
    assert ok.exit_code == 0 and "created" in ok.output
