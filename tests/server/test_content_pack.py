"""Content packs: the sample pack imports; a bad pack is refused whole, every problem named."""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from server import db as database
from server.errors import ContentPackError
from server.interop.pack_format import read_pack
from server.models import Activity, ActivitySkill, Item, Skill, SkillPrerequisite
from server.paths import SAMPLE_PACK_DIR
from server.services.content import import_pack


def _manifest() -> dict:
    return json.loads((SAMPLE_PACK_DIR / "manifest.json").read_text(encoding="utf-8"))


def _write_pack(root: Path, manifest: dict) -> Path:
    shutil.copytree(SAMPLE_PACK_DIR / "assets", root / "assets")
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


def test_sample_pack_meets_the_brief():
    pack = read_pack(SAMPLE_PACK_DIR)
    m = pack.manifest
    assert len(m["skills"]) >= 6
    assert len(m["activities"]) >= 30
    kinds = {a["kind"] for a in m["activities"]}
    assert {"reading", "video", "audio", "quiz", "practice", "project", "reflection"} == kinds
    assert {a["language"] for a in m["activities"]} == {"en", "fr"}
    item_types = {i["type"] for a in m["activities"] for i in a["items"]}
    assert item_types == {"choice", "numeric", "text"}
    assert all(i["hints"] for a in m["activities"] for i in a["items"])
    assert any(s["prerequisites"] for s in m["skills"])
    assert m["license"].startswith("CC")


def test_import_is_idempotent_and_versioned(empty_app, tmp_path):
    with empty_app.app_context(), database.db.connection_context():
        first = import_pack(SAMPLE_PACK_DIR, empty_app.config["DATA_DIR"])
        assert first["created"] > 0 and first["updated"] == 0
        again = import_pack(SAMPLE_PACK_DIR, empty_app.config["DATA_DIR"])
        assert again["created"] == again["updated"] == again["deleted"] == 0
        # A new version drops an activity and edits another: tombstone + history.
        manifest = _manifest()
        gone = manifest["activities"].pop()
        manifest["activities"][0]["title"] = "A new title"
        manifest["version"] = "1.1.0"
        newer = import_pack(_write_pack(tmp_path / "v11", manifest), empty_app.config["DATA_DIR"])
        assert newer["deleted"] >= 1 and newer["updated"] >= 2
        dropped = Activity.get_by_id(f"{manifest['id']}:{gone['id']}")
        assert dropped.deleted is True


def test_zip_packs_import_too(empty_app, tmp_path):
    archive = tmp_path / "pack.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in SAMPLE_PACK_DIR.rglob("*"):
            if path.is_file() and path.suffix != ".py":
                zf.write(path, path.relative_to(SAMPLE_PACK_DIR).as_posix())
    with empty_app.app_context(), database.db.connection_context():
        counts = import_pack(archive, empty_app.config["DATA_DIR"])
        assert counts["created"] > 30


def test_bad_pack_reports_every_problem_with_its_location(tmp_path):
    manifest = _manifest()
    bad = copy.deepcopy(manifest)
    bad["activities"][0]["skills"] = ["no-such-skill"]
    bad["activities"][1]["difficulty"] = 9
    first_item = next(a for a in bad["activities"] if a["items"])
    first_item["items"][0]["type"] = "choice"
    first_item["items"][0]["choices"] = ["a", "b"]
    first_item["items"][0]["answer"] = 5
    bad["assets"][0]["sha256"] = "0" * 64
    index = bad["activities"].index(first_item)
    with pytest.raises(ContentPackError) as caught:
        read_pack(_write_pack(tmp_path / "bad", bad))
    problems = caught.value.details
    assert any(p.startswith("activities[0].skills") and "no-such-skill" in p for p in problems)
    assert any(p.startswith("activities[1].difficulty") for p in problems)
    assert any(p.startswith(f"activities[{index}].items[0].answer") for p in problems)
    # Schema problems are reported first; fix them and the cross-checks come next.
    fixed = copy.deepcopy(bad)
    fixed["activities"][1]["difficulty"] = 2
    fixed["activities"][index]["items"][0]["answer"] = 1
    with pytest.raises(ContentPackError) as caught:
        read_pack(_write_pack(tmp_path / "bad2", fixed))
    problems = caught.value.details
    assert any("activities[0].skills: unknown skill 'no-such-skill'" in p for p in problems)
    assert any(p.startswith("assets[0].sha256") for p in problems)


def test_prerequisite_cycle_is_named(tmp_path):
    manifest = _manifest()
    a, b = manifest["skills"][0], manifest["skills"][1]
    a["prerequisites"] = [b["id"]]
    b["prerequisites"] = [a["id"]]
    with pytest.raises(ContentPackError) as caught:
        read_pack(_write_pack(tmp_path / "cyclic", manifest))
    cycle = [p for p in caught.value.details if "cycle" in p]
    assert cycle and a["id"] in cycle[0] and b["id"] in cycle[0]


def test_a_failing_import_changes_nothing(empty_app, tmp_path):
    """Nothing is half-imported: a bad pack leaves the database as it was."""
    with empty_app.app_context(), database.db.connection_context():
        import_pack(SAMPLE_PACK_DIR, empty_app.config["DATA_DIR"])
        tables = (Activity, ActivitySkill, Item, Skill, SkillPrerequisite)
        before = {m.__name__: sorted((r.id, r.counter) for r in m.select()) for m in tables}
        manifest = _manifest()
        manifest["version"] = "2.0.0"
        manifest["activities"][0]["title"] = "Changed"
        manifest["activities"][-1]["skills"] = ["missing"]
        with pytest.raises(ContentPackError):
            import_pack(_write_pack(tmp_path / "half", manifest), empty_app.config["DATA_DIR"])
        after = {m.__name__: sorted((r.id, r.counter) for r in m.select()) for m in tables}
        assert before == after


def test_assets_are_served_by_digest(app, client):
    manifest = _manifest()
    asset = manifest["assets"][0]
    response = client.get(f"/api/v1/assets/{asset['sha256']}")
    assert response.status_code == 200
    assert hashlib.sha256(response.data).hexdigest() == asset["sha256"]
    assert response.mimetype == asset["media_type"]
    response.close()
    assert client.get("/api/v1/assets/" + "f" * 64).status_code == 404
