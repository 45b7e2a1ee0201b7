"""Audio, video and captions in content packs: the sample has them, the validator checks them."""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from server.errors import ContentPackError
from server.interop.pack_format import MEDIA_FIELDS, read_pack
from server.models import Activity, Asset
from server.paths import ROOT, SAMPLE_PACK_DIR


def _manifest() -> dict:
    return json.loads((SAMPLE_PACK_DIR / "manifest.json").read_text(encoding="utf-8"))


def _problems(tmp_path: Path, manifest: dict, extra: dict[str, bytes] | None = None) -> list[str]:
    root = tmp_path / "pack"
    shutil.copytree(SAMPLE_PACK_DIR / "assets", root / "assets")
    for name, data in (extra or {}).items():
        (root / name).write_bytes(data)
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ContentPackError) as caught:
        read_pack(root)
    return caught.value.details


def _first(manifest: dict, kind: str) -> tuple[int, dict]:
    return next((i, a) for i, a in enumerate(manifest["activities"]) if a["kind"] == kind)


def _asset_entry(path: str, data: bytes, media_type: str) -> dict:
    return {
        "path": path,
        "sha256": hashlib.sha256(data).hexdigest(),
        "media_type": media_type,
        "bytes": len(data),
    }


def test_sample_pack_has_audio_video_and_read_aloud_in_each_language():
    manifest = read_pack(SAMPLE_PACK_DIR).manifest
    types = {a["path"]: a["media_type"] for a in manifest["assets"]}
    for language in ("en", "fr"):
        mine = [a for a in manifest["activities"] if a["language"] == language]
        audio = [a for a in mine if a["kind"] == "audio"]
        video = [a for a in mine if a["kind"] == "video"]
        assert audio and all(a["items"] and types[a["body"]["audio"]] == "audio/ogg" for a in audio)
        assert video and all(a["items"] for a in video)
        assert all(types[a["body"]["video"]] == "video/webm" for a in video)
        assert all(types[a["body"]["captions"]] == "text/vtt" for a in video)
        assert any(a["kind"] == "reading" and a["body"].get("audio") for a in mine)
    media = [a for a in manifest["assets"] if not a["media_type"].startswith("image/")]
    assert sum(a["bytes"] for a in media) < 300_000  # the pack stays light for a Pi and a tablet


def test_captions_follow_the_video_and_are_in_its_language():
    manifest = _manifest()
    for activity in manifest["activities"]:
        if activity["kind"] != "video":
            continue
        text = (SAMPLE_PACK_DIR / activity["body"]["captions"]).read_text(encoding="utf-8")
        assert text.startswith("WEBVTT")
        assert text.count("-->") >= 3
        word = {"en": "three", "fr": "trois"}[activity["language"]]
        assert word in text.lower()


def test_a_file_that_is_not_its_media_type_is_refused(tmp_path):
    manifest = _manifest()
    index, audio = _first(manifest, "audio")
    video_path = _first(manifest, "video")[1]["body"]["video"]
    asset_index = next(i for i, a in enumerate(manifest["assets"]) if a["path"] == video_path)
    manifest["assets"][asset_index]["media_type"] = "audio/ogg"  # a WebM file claiming Ogg
    problems = _problems(tmp_path, manifest)
    assert f"assets[{asset_index}].media_type: file {video_path!r} is not audio/ogg" in problems


def test_unknown_media_types_are_refused(tmp_path):
    manifest = _manifest()
    data = b"MZ\x90\x00 not a picture"
    manifest["assets"].append(_asset_entry("assets/tool.exe", data, "application/x-msdownload"))
    problems = _problems(tmp_path, manifest, {"assets/tool.exe": data})
    where = f"assets[{len(manifest['assets']) - 1}].media_type"
    assert any(p.startswith(f"{where}: 'application/x-msdownload' is not one of") for p in problems)


def test_a_body_field_must_name_an_asset_of_its_kind(tmp_path):
    manifest = _manifest()
    index, audio = _first(manifest, "audio")
    picture = next(a["path"] for a in manifest["assets"] if a["media_type"] == "image/svg+xml")
    audio["body"]["audio"] = picture
    problems = _problems(tmp_path, manifest)
    assert any(
        p.startswith(f"activities[{index}].body.audio: {picture!r} is image/svg+xml, not audio/")
        for p in problems
    )


def test_audio_and_video_activities_need_their_media_and_captions(tmp_path):
    manifest = _manifest()
    audio_index, audio = _first(manifest, "audio")
    video_index, video = _first(manifest, "video")
    del audio["body"]["audio"]
    del video["body"]["captions"]
    problems = _problems(tmp_path, manifest)
    assert (
        f"activities[{audio_index}].body.audio: an audio activity needs an audio file" in problems
    )
    assert (
        f"activities[{video_index}].body.captions: a video needs captions (a text/vtt asset)"
        in problems
    )
    bare = copy.deepcopy(_manifest())
    video_index, video = _first(bare, "video")
    del video["body"]["video"]
    problems = _problems(tmp_path / "bare", bare)
    assert f"activities[{video_index}].body.video: a video activity needs a video file" in problems
    assert f"activities[{video_index}].body.captions: captions belong to a video" in problems


def test_referenced_media_must_exist(tmp_path):
    manifest = _manifest()
    index, video = _first(manifest, "video")
    video["body"]["video"] = "assets/not-listed.webm"
    problems = _problems(tmp_path, manifest)
    assert (
        f"activities[{index}].body.video: 'assets/not-listed.webm' is not a listed asset"
        in problems
    )
    # Listed but missing from the pack's files.
    listed = _manifest()
    data = b"\x1a\x45\xdf\xa3 webm"
    listed["assets"].append(_asset_entry("assets/missing.webm", data, "video/webm"))
    problems = _problems(tmp_path / "listed", listed)
    where = f"assets[{len(listed['assets']) - 1}].path"
    assert f"{where}: file 'assets/missing.webm' is not in the pack" in problems


def test_every_media_field_is_in_the_format_doc():
    doc = (ROOT / "docs" / "content-pack.md").read_text(encoding="utf-8")
    for field, types in MEDIA_FIELDS.items():
        assert f"`{field}`" in doc
        assert all(t in doc for t in types)


def test_media_is_served_with_its_type_and_ranges(app, client):
    manifest = _manifest()
    video = _first(manifest, "video")[1]
    asset = next(a for a in manifest["assets"] if a["path"] == video["body"]["video"])
    url = f"/api/v1/assets/{asset['sha256']}"
    whole = client.get(url)
    assert whole.status_code == 200 and whole.mimetype == "video/webm"
    assert hashlib.sha256(whole.data).hexdigest() == asset["sha256"]
    whole.close()
    # Browsers seek in video with ranges.
    part = client.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == whole.data[100:200]
    part.close()


def test_imported_activities_name_every_media_file_by_digest(app, client, db):
    """Regression: captions kept the pack's path (assets/<sha>.vtt) after import."""
    video = Activity.get(Activity.kind == "video")
    for field in ("video", "captions"):
        digest = video.body[field]
        assert "/" not in digest and "." not in digest
        assert Asset.get_or_none(Asset.id == digest) is not None


def test_voice_recording_must_be_a_listed_audio_asset_of_a_real_item(tmp_path):
    """body.voice (recordings for pre-readers) names listed audio assets, real items and
    one recording per choice: an author's typo is reported, never played as silence."""
    manifest = _manifest()
    index, quiz = next(
        (i, a) for i, a in enumerate(manifest["activities"]) if a["body"].get("voice")
    )
    image = next(a["path"] for a in manifest["assets"] if a["media_type"] == "image/svg+xml")
    quiz["body"]["voice"] = {
        "text": "assets/missing.wav",
        "items": {
            "nope": {"prompt": quiz["body"]["voice"]["items"]["q1"]["prompt"]},
            "q1": {"prompt": image, "choices": [None]},
        },
    }
    problems = _problems(tmp_path, manifest)
    where = f"activities[{index}].body.voice"
    assert f"{where}.text: 'assets/missing.wav' is not a listed asset" in problems
    assert f"{where}.items.nope: no such item" in problems
    assert f"{where}.items.q1.choices: one recording (or null) per choice" in problems
    assert f"{where}.items.q1.prompt: {image!r} is image/svg+xml, not audio" in problems


def test_imported_voice_names_recordings_by_digest(app, client, db):
    quiz = next(a for a in Activity.select() if (a.body or {}).get("voice"))
    digest = quiz.body["voice"]["items"]["q1"]["prompt"]
    assert "/" not in digest and Asset.get(Asset.id == digest).media_type == "audio/wav"
    with client.get(f"/api/v1/assets/{digest}") as response:
        assert response.status_code == 200 and response.data[:4] == b"RIFF"
