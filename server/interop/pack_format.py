"""The content pack format ``baobab-pack/1``: reading and validating a pack.

A pack is a directory or a zip file holding ``manifest.json`` and its assets,
each named by the SHA-256 of its bytes (docs/content-pack.md). Validation
collects every problem with its location, so an author fixes them all at once.
Nothing here touches the database.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Callable

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..db.blobs import digest, is_digest
from ..errors import ContentPackError, PackTooLarge
from ..models.content import ACTIVITY_KINDS, ITEM_TYPES, MODALITIES
from . import untrusted_json
from .svg_check import svg_problems

#: Hears a validation's progress: (stage, done, total); stages in STAGES order.
Progress = Callable[[str, int, int], None]
STAGES = ("unpacking", "manifest", "files")
FORMAT = "baobab-pack/1"
MAX_MANIFEST_BYTES = 20_000_000
SLUG = validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,59}$", error="Use lower-case letters, digits, '-'.")
LANG = validate.Regexp(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$", error="Not a language tag.")


def SHA256(value: str) -> None:  # noqa: N802 (a validator, named like the others)
    """A pack's asset is named by its digest, which later names a file: the one check."""
    if not is_digest(value):
        raise ValidationError("Not a SHA-256 hex digest.")


Localized = lambda **kw: fields.Dict(  # noqa: E731
    keys=fields.String(validate=LANG), values=fields.String(validate=validate.Length(1, 5000)), **kw
)


class BktSchema(Schema):
    prior = fields.Float(required=True, validate=validate.Range(0, 1))
    learn = fields.Float(required=True, validate=validate.Range(0, 1))
    guess = fields.Float(required=True, validate=validate.Range(0, 0.5))
    slip = fields.Float(required=True, validate=validate.Range(0, 0.5))
    forget = fields.Float(load_default=0.0, validate=validate.Range(0, 1))


class SkillSchema(Schema):
    id = fields.String(required=True, validate=SLUG)
    title = Localized(required=True)
    description = Localized(load_default=dict)
    standard = fields.String(required=True, validate=validate.Length(1, 100))
    case_uri = fields.Url(load_default=None, allow_none=True)
    prerequisites = fields.List(fields.String(validate=SLUG), load_default=list)
    bkt = fields.Nested(BktSchema, load_default=None, allow_none=True)


class ItemSchema(Schema):
    id = fields.String(required=True, validate=SLUG)
    type = fields.String(required=True, validate=validate.OneOf(ITEM_TYPES))
    prompt = fields.String(required=True, validate=validate.Length(1, 5000))
    choices = fields.List(fields.String(validate=validate.Length(1, 500)), load_default=None)
    answer = fields.Raw(required=True)
    tolerance = fields.Float(load_default=None, validate=validate.Range(0, 1e9))
    hints = fields.List(fields.String(validate=validate.Length(1, 2000)), load_default=list)

    @validates_schema
    def _answer_fits_type(self, data: dict[str, Any], **kwargs: Any) -> None:
        kind, answer, choices = data["type"], data["answer"], data.get("choices")
        if kind == "choice":
            if not choices or len(choices) < 2:
                raise ValidationError("A choice item needs two or more choices.", "choices")
            if not isinstance(answer, int) or isinstance(answer, bool):
                raise ValidationError("The answer of a choice item is a choice index.", "answer")
            if not 0 <= answer < len(choices):
                raise ValidationError(f"Answer index {answer} is not a choice.", "answer")
        elif kind == "numeric":
            if not isinstance(answer, (int, float)) or isinstance(answer, bool):
                raise ValidationError("The answer of a numeric item is a number.", "answer")
        elif kind == "text":
            if not (
                isinstance(answer, list)
                and answer
                and all(isinstance(a, str) and a.strip() for a in answer)
            ):
                raise ValidationError("A text item's answer is a list of accepted texts.", "answer")


class MasterySchema(Schema):
    rule = fields.String(required=True, validate=validate.OneOf(("m_of_n",)))
    m = fields.Integer(required=True, strict=True, validate=validate.Range(1, 100))
    n = fields.Integer(required=True, strict=True, validate=validate.Range(1, 100))


class SpokenItemSchema(Schema):
    """Recordings of one item: its question, and its choices (null where one has none)."""

    prompt = fields.String(load_default=None)
    choices = fields.List(fields.String(allow_none=True), load_default=None)


class VoiceSchema(Schema):
    """Recordings for children who cannot read yet: the instructions and each item's texts."""

    text = fields.String(load_default=None)
    items = fields.Dict(
        keys=fields.String(validate=SLUG), values=fields.Nested(SpokenItemSchema), load_default=dict
    )


class BodySchema(Schema):
    text = fields.String(load_default="", validate=validate.Length(max=50_000))
    image = fields.String(load_default=None)
    audio = fields.String(load_default=None)
    video = fields.String(load_default=None)
    captions = fields.String(load_default=None)
    mastery = fields.Nested(MasterySchema, load_default=None)
    voice = fields.Nested(VoiceSchema, load_default=None)


class ActivitySchema(Schema):
    id = fields.String(required=True, validate=SLUG)
    kind = fields.String(required=True, validate=validate.OneOf(ACTIVITY_KINDS))
    language = fields.String(required=True, validate=LANG)
    title = fields.String(required=True, validate=validate.Length(1, 300))
    skills = fields.List(fields.String(validate=SLUG), required=True, validate=validate.Length(1))
    difficulty = fields.Integer(required=True, strict=True, validate=validate.Range(1, 5))
    minutes = fields.Integer(required=True, strict=True, validate=validate.Range(1, 600))
    modality = fields.String(required=True, validate=validate.OneOf(MODALITIES))
    interests = fields.List(fields.String(validate=validate.Length(1, 60)), load_default=list)
    culture = fields.List(fields.String(validate=validate.Length(1, 60)), load_default=list)
    body = fields.Nested(BodySchema, required=True)
    items = fields.List(fields.Nested(ItemSchema), load_default=list)


class AssetSchema(Schema):
    path = fields.String(required=True, validate=validate.Length(1, 300))
    sha256 = fields.String(required=True, validate=SHA256)
    media_type = fields.String(required=True, validate=validate.Length(1, 100))
    bytes = fields.Integer(required=True, strict=True, validate=validate.Range(0, 2**40))


class ManifestSchema(Schema):
    format = fields.String(required=True, validate=validate.Equal(FORMAT))
    id = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,39}$"))
    version = fields.String(required=True, validate=validate.Regexp(r"^\d+\.\d+\.\d+$"))
    title = Localized(required=True)
    description = Localized(load_default=dict)
    license = fields.String(required=True, validate=validate.Length(1, 64))
    languages = fields.List(
        fields.String(validate=LANG), required=True, validate=validate.Length(1)
    )
    skills = fields.List(fields.Nested(SkillSchema), required=True)
    activities = fields.List(fields.Nested(ActivitySchema), required=True)
    assets = fields.List(fields.Nested(AssetSchema), load_default=list)


#: Body fields that name an asset, and the media types each may name.
MEDIA_FIELDS = {
    "image": ("image/svg+xml", "image/png", "image/jpeg", "image/webp"),
    "audio": ("audio/ogg", "audio/mpeg", "audio/webm", "audio/mp4", "audio/wav"),
    "video": ("video/webm", "video/mp4"),
    "captions": ("text/vtt",),
}
MEDIA_TYPES = tuple(t for types in MEDIA_FIELDS.values() for t in types)


def _sniff_ok(media_type: str, data: bytes) -> bool:
    """Say whether the first bytes of a file fit its declared media type."""
    head = data[:1024]
    checks = {
        "image/svg+xml": lambda: b"<svg" in head,
        "image/png": lambda: head.startswith(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg": lambda: head.startswith(b"\xff\xd8\xff"),
        "image/webp": lambda: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
        "audio/ogg": lambda: head.startswith(b"OggS"),
        "audio/mpeg": lambda: head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3"),
        "audio/webm": lambda: head.startswith(b"\x1a\x45\xdf\xa3"),
        "video/webm": lambda: head.startswith(b"\x1a\x45\xdf\xa3"),
        "audio/mp4": lambda: head[4:8] == b"ftyp",
        "video/mp4": lambda: head[4:8] == b"ftyp",
        "audio/wav": lambda: head[:4] == b"RIFF" and head[8:12] == b"WAVE",
        "text/vtt": lambda: head.removeprefix(b"\xef\xbb\xbf").startswith(b"WEBVTT"),
    }
    return checks[media_type]()


@dataclass
class Pack:
    """A validated pack: its manifest, the digest of it, and its asset bytes by SHA-256."""

    manifest: dict[str, Any]
    manifest_sha256: str
    assets: dict[str, bytes]


def _flatten(messages: Any, where: str = "") -> list[str]:
    """Turn marshmallow's nested messages into 'location: message' lines."""
    if isinstance(messages, dict):
        out: list[str] = []
        for key, value in messages.items():
            step = f"[{key}]" if isinstance(key, int) else (f".{key}" if where else str(key))
            out.extend(_flatten(value, where + step))
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [f"{where or 'manifest'}: {m}" for m in messages]
    if isinstance(messages, list):
        return [line for m in messages for line in _flatten(m, where)]
    return [f"{where or 'manifest'}: {messages}"]


def _read_zip(source: Path, max_bytes: int | None) -> dict[str, bytes]:
    """Every file of a zip; a damaged zip, or one unpacking past ``max_bytes``, is refused."""
    files: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(source) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            unpacked = sum(info.file_size for info in members)
            if max_bytes is not None and unpacked > max_bytes:
                # Declared sizes are checked again by zipfile while reading (CRC, length).
                raise PackTooLarge(f"The pack unpacks to {unpacked} bytes, over {max_bytes}.")
            for info in members:
                files[PurePosixPath(info.filename).as_posix()] = archive.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        problem = f"{source.name}: a damaged zip file ({exc})"
        raise ContentPackError(problem, [problem]) from None
    return files


def _read_source(source: Path, max_bytes: int | None = None) -> tuple[bytes, dict[str, bytes]]:
    """Return the manifest bytes and every other file of a pack directory or zip."""
    files: dict[str, bytes] = {}
    if source.is_dir():
        manifest_path = source / "manifest.json"
        if not manifest_path.is_file():
            raise ContentPackError(f"{source}: no manifest.json", [f"{source}: no manifest.json"])
        for path in source.rglob("*"):
            if path.is_file():
                files[path.relative_to(source).as_posix()] = path.read_bytes()
    elif zipfile.is_zipfile(source):
        files = _read_zip(source, max_bytes)
        if "manifest.json" not in files:
            raise ContentPackError(f"{source}: no manifest.json", [f"{source}: no manifest.json"])
    else:
        raise ContentPackError(
            f"{source}: not a pack directory or zip file", [f"{source}: not a pack"]
        )
    manifest = files.pop("manifest.json")
    if len(manifest) > MAX_MANIFEST_BYTES:
        raise ContentPackError("manifest.json is too large", ["manifest.json: too large"])
    return manifest, files


def _cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """Return one cycle of the prerequisite graph as a list of skill ids, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def _cross_check(
    manifest: dict[str, Any], files: dict[str, bytes], progress: Progress | None = None
) -> list[str]:
    """The rules a schema cannot see: references, uniqueness, cycles, asset digests."""
    problems: list[str] = []
    skills = manifest["skills"]
    skill_ids = [s["id"] for s in skills]
    for index, skill in enumerate(skills):
        if skill_ids.count(skill["id"]) > 1 and skill_ids.index(skill["id"]) != index:
            problems.append(f"skills[{index}].id: duplicate skill id {skill['id']!r}")
        for pre in skill["prerequisites"]:
            if pre not in skill_ids:
                problems.append(f"skills[{index}].prerequisites: unknown skill {pre!r}")
            if pre == skill["id"]:
                problems.append(f"skills[{index}].prerequisites: a skill cannot need itself")
    cycle = _cycle({s["id"]: [p for p in s["prerequisites"] if p != s["id"]] for s in skills})
    if cycle:
        problems.append("skills: prerequisite cycle " + " -> ".join(cycle))

    asset_types: dict[str, str] = {}
    for index, asset in enumerate(manifest["assets"]):
        if progress is not None:
            progress("files", index, len(manifest["assets"]))
        media_type = asset.get("media_type")
        asset_types[asset["path"]] = media_type
        data = files.get(asset["path"])
        where = f"assets[{index}]"
        if media_type not in MEDIA_TYPES:
            problems.append(
                f"{where}.media_type: {media_type!r} is not one of {', '.join(MEDIA_TYPES)}"
            )
        if data is None:
            problems.append(f"{where}.path: file {asset['path']!r} is not in the pack")
            continue
        found = digest(data)
        if found != asset["sha256"]:
            problems.append(f"{where}.sha256: file {asset['path']!r} has digest {found}")
        if len(data) != asset["bytes"]:
            problems.append(f"{where}.bytes: file has {len(data)} bytes")
        if media_type in MEDIA_TYPES and not _sniff_ok(media_type, data):
            problems.append(f"{where}.media_type: file {asset['path']!r} is not {media_type}")
        elif media_type == "image/svg+xml":
            problems += [f"{where}: file {asset['path']!r} {p}" for p in svg_problems(data)]

    activity_ids: set[str] = set()
    languages = set(manifest["languages"])
    for index, activity in enumerate(manifest["activities"]):
        where = f"activities[{index}]"
        if activity["id"] in activity_ids:
            problems.append(f"{where}.id: duplicate activity id {activity['id']!r}")
        activity_ids.add(activity["id"])
        if activity["language"] not in languages:
            problems.append(f"{where}.language: {activity['language']!r} is not a pack language")
        for skill in activity["skills"]:
            if skill not in skill_ids:
                problems.append(f"{where}.skills: unknown skill {skill!r}")
        problems += _check_media(where, activity)
        for media, allowed in MEDIA_FIELDS.items():
            ref = activity["body"].get(media)
            if ref and ref not in asset_types:
                problems.append(f"{where}.body.{media}: {ref!r} is not a listed asset")
            elif ref and asset_types[ref] not in allowed:
                wanted = " or ".join(allowed)
                kind = asset_types[ref]
                problems.append(f"{where}.body.{media}: {ref!r} is {kind}, not {wanted}")
        items = activity["items"]
        problems += _check_voice(where, activity, asset_types)
        item_ids = [i["id"] for i in items]
        for item_index, item_id in enumerate(item_ids):
            if item_ids.index(item_id) != item_index:
                problems.append(f"{where}.items[{item_index}].id: duplicate item id {item_id!r}")
        mastery = activity["body"].get("mastery")
        if activity["kind"] == "practice":
            if mastery is None:
                problems.append(f"{where}.body.mastery: a practice set needs a mastery rule")
            elif not mastery["m"] <= mastery["n"] <= max(len(items), 1):
                problems.append(
                    f"{where}.body.mastery: need m <= n <= number of items ({len(items)})"
                )
        if activity["kind"] in ("quiz", "practice") and not items:
            problems.append(f"{where}.items: a {activity['kind']} needs items")
    return problems


#: The media types a recording in body.voice may be.
VOICE_TYPES = MEDIA_FIELDS["audio"]


def voice_paths(voice: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Every recording body.voice names, as (where in voice, path)."""
    if not voice:
        return []
    found = [("text", voice["text"])] if voice.get("text") else []
    for item_id, spoken in (voice.get("items") or {}).items():
        if spoken.get("prompt"):
            found.append((f"items.{item_id}.prompt", spoken["prompt"]))
        for n, path in enumerate(spoken.get("choices") or []):
            if path:
                found.append((f"items.{item_id}.choices[{n}]", path))
    return found


def _check_voice(where: str, activity: dict[str, Any], asset_types: dict[str, str]) -> list[str]:
    """body.voice names listed audio assets, and items (and choices) the activity has."""
    voice = activity["body"].get("voice")
    if not voice:
        return []
    problems = []
    items = {i["id"]: i for i in activity["items"]}
    for item_id, spoken in (voice.get("items") or {}).items():
        item = items.get(item_id)
        if item is None:
            problems.append(f"{where}.body.voice.items.{item_id}: no such item")
        elif spoken.get("choices") is not None and len(spoken["choices"]) != len(
            item.get("choices") or []
        ):
            problems.append(
                f"{where}.body.voice.items.{item_id}.choices: one recording (or null) per choice"
            )
    for place, path in voice_paths(voice):
        if path not in asset_types:
            problems.append(f"{where}.body.voice.{place}: {path!r} is not a listed asset")
        elif asset_types[path] not in VOICE_TYPES:
            problems.append(
                f"{where}.body.voice.{place}: {path!r} is {asset_types[path]}, not audio"
            )
    return problems


def _check_media(where: str, activity: dict[str, Any]) -> list[str]:
    """Audio and video activities need their media; a video needs captions (accessibility)."""
    body, kind = activity["body"], activity["kind"]
    problems = []
    if kind == "audio" and not body.get("audio"):
        problems.append(f"{where}.body.audio: an audio activity needs an audio file")
    if kind == "video" and not body.get("video"):
        problems.append(f"{where}.body.video: a video activity needs a video file")
    if body.get("video") and not body.get("captions"):
        problems.append(f"{where}.body.captions: a video needs captions (a text/vtt asset)")
    if body.get("captions") and not body.get("video"):
        problems.append(f"{where}.body.captions: captions belong to a video")
    return problems


def _with_defaults(document: Any) -> dict[str, Any]:
    """The raw manifest with the optional lists filled in, for best-effort cross-checks."""
    doc = dict(document)
    doc["skills"] = [{"prerequisites": [], **s} for s in doc.get("skills") or []]
    doc["activities"] = [
        {"items": [], "skills": [], **a, "body": dict(a.get("body") or {})}
        for a in doc.get("activities") or []
    ]
    doc.setdefault("assets", [])
    doc.setdefault("languages", [])
    return doc


def read_pack(
    source: Path | str, max_bytes: int | None = None, progress: Progress | None = None
) -> Pack:
    """Read and validate a pack; raise ContentPackError listing every problem.

    ``max_bytes`` bounds what a zip may unpack to (PackTooLarge beyond it);
    ``progress`` hears each stage, and each file checked.
    """
    source = Path(source)
    if progress is not None:
        progress("unpacking", 0, 1)
    raw, files = _read_source(source, max_bytes)
    if progress is not None:
        progress("manifest", 0, 1)
    try:
        document = untrusted_json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, untrusted_json.UntrustedJSONError) as exc:
        problem = f"manifest.json is not usable JSON: {exc}"
        raise ContentPackError(problem, [problem]) from None
    try:
        manifest = ManifestSchema().load(document)
    except ValidationError as exc:
        problems = _flatten(exc.messages)
        # Also report what the cross-checks find in the raw document, where its
        # shape allows, so an author sees every problem in one go.
        try:
            problems += [
                p for p in _cross_check(_with_defaults(document), files) if p not in problems
            ]
        except (AttributeError, KeyError, TypeError, ValueError):
            pass
        raise ContentPackError(f"{len(problems)} problem(s) in the pack", problems) from None
    problems = _cross_check(manifest, files, progress)
    if progress is not None:
        progress("files", len(manifest["assets"]), len(manifest["assets"]))
    if problems:
        raise ContentPackError(f"{len(problems)} problem(s) in the pack", problems)
    assets = {a["sha256"]: files[a["path"]] for a in manifest["assets"]}
    return Pack(manifest, digest(raw), assets)
