"""The baobab CLI: init, demo, create-user, import-content, backup, check."""

from __future__ import annotations

import sqlite3
import tarfile

from click.testing import CliRunner

from server import db as database
from server.cli import main
from server.paths import SAMPLE_PACK_DIR
from sync.auth import NodeKey


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
    archive = tmp_path / "backup.tar.gz"
    assert run("backup", "--data-dir", data, str(archive)).exit_code == 0
    with tarfile.open(archive) as tar:
        tar.extract("baobab.db", tmp_path, filter="data")
    target = tmp_path / "baobab.db"
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


def test_usb_bundle_between_two_nodes(tmp_path):
    """A node's work reaches another by USB stick: export, import, import again, tamper."""
    source, target = str(tmp_path / "source"), str(tmp_path / "target")
    run("demo", "--data-dir", source)
    run("init", "--data-dir", target)
    # The two were paired once (as `baobab pair` would record): each trusts the other's key.
    identities = {}
    for data in (source, target):
        with sqlite3.connect(f"{data}/baobab.db") as conn:
            node_id, school = conn.execute("SELECT node_id, school_id FROM local_node").fetchone()
        key = NodeKey.from_hex((tmp_path / data / "node_key").read_text())
        identities[data] = (node_id, school, key.public_hex())
    school = identities[source][1]
    for me, other in ((source, target), (target, source)):
        with sqlite3.connect(f"{me}/baobab.db") as conn:
            conn.execute("UPDATE local_node SET school_id = ?", (school,))
            conn.execute(
                "INSERT INTO peer (node_id, public_key, school_id, role, revoked, paired_at, "
                "next_seq_out, last_seq_in, last_pulled, last_pushed, clock_offset_ms, known_vectors, "
                "grants) VALUES (?, ?, ?, 'node', 0, '2026-01-01', 1, 0, 0, 0, 0, '{}', 'events,accounts')",
                (identities[other][0], identities[other][2], school),
            )
    stick = tmp_path / "stick.baobab"
    assert run("export-bundle", str(stick), "--data-dir", source).exit_code == 0
    first = run("import-bundle", str(stick), "--data-dir", target)
    assert first.exit_code == 0 and "already here" in first.output, first.output
    again = run("import-bundle", str(stick), "--data-dir", target)
    assert "applied: 0 new, 0 updated" in again.output
    with sqlite3.connect(f"{target}/baobab.db") as conn:
        assert conn.execute("SELECT count(*) FROM person").fetchone() == (27,)
    tampered = tmp_path / "tampered.baobab"
    raw = bytearray(stick.read_bytes())
    raw[-5] ^= 0xFF
    tampered.write_bytes(bytes(raw))
    refused = CliRunner().invoke(main, ["import-bundle", str(tampered), "--data-dir", target])
    database.close_all()
    assert refused.exit_code != 0 and "refused, nothing applied" in refused.output


def test_sync_with_an_unpaired_address_is_a_clear_error(tmp_path):
    """Regression: `baobab sync --peer URL` for a URL never paired ended in a traceback."""
    data = str(tmp_path / "node")
    run("init", "--data-dir", data)
    result = CliRunner().invoke(main, ["sync", "--data-dir", data, "--peer", "http://127.0.0.1:9"])
    database.close_all()
    assert result.exit_code == 1
    assert "No paired peer there" in result.output and "Traceback" not in result.output


def test_revoke_takes_a_node_id_that_begins_with_a_dash(tmp_path):
    """Regression: ids are url-safe base64, so one node in 64 had an id like "-61EICXwxBKUORFv",
    and `baobab revoke` read it as an unknown option (exit 2). Even "-h…" must not mean help."""
    data = str(tmp_path / "node")
    run("init", "--data-dir", data)
    dashed = ["-61EICXwxBKUORFv", "-hX2ab_-cdEFgh12", "--xY3", "plainId12345678"]
    with sqlite3.connect(f"{data}/baobab.db") as conn:
        for number, node_id in enumerate(dashed):
            conn.execute(
                "INSERT INTO peer (node_id, public_key, role, revoked, paired_at, next_seq_out, "
                "last_seq_in, last_pulled, last_pushed, clock_offset_ms, known_vectors, grants) "
                "VALUES (?, ?, 'node', 0, '2026-01-01', 1, 0, 0, 0, 0, '{}', 'events')",
                (node_id, f"{number:064x}"),
            )
    calls = [
        (dashed[0], ["revoke", dashed[0], "--data-dir", data]),
        (dashed[1], ["revoke", "--data-dir", data, dashed[1]]),
        (dashed[2], ["revoke", f"--data-dir={data}", "--", dashed[2]]),
    ]
    for node_id, call in calls:
        result = run(*call)
        assert result.exit_code == 0, result.output
        assert f"revoked {node_id}:" in result.output
    with sqlite3.connect(f"{data}/baobab.db") as conn:
        revoked = dict(conn.execute("SELECT node_id, revoked FROM peer").fetchall())
    assert revoked == {dashed[0]: 1, dashed[1]: 1, dashed[2]: 1, dashed[3]: 0}
    unknown = run("revoke", "-nobodyAtAll1234", "--data-dir", data)
    assert unknown.exit_code == 1 and "No paired node -nobodyAtAll1234" in unknown.output
