"""Content packs made for tests: the sample pack under another id, with one new picture."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from server.paths import SAMPLE_PACK_DIR

NEW_PICTURE = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><circle r="2"/></svg>'
NEW_DIGEST = hashlib.sha256(NEW_PICTURE).hexdigest()


def pack_zip(pack_id: str = "district-maths", manifest_edit=None) -> bytes:
    """A zip of the sample pack renamed ``pack_id``; its first picture swapped for a new one."""
    manifest = json.loads((SAMPLE_PACK_DIR / "manifest.json").read_text())
    manifest["id"] = pack_id
    path = f"assets/{NEW_DIGEST}.svg"
    manifest["assets"].append(
        {"path": path, "sha256": NEW_DIGEST, "media_type": "image/svg+xml",
         "bytes": len(NEW_PICTURE)}
    )  # fmt: skip
    reading = next(a for a in manifest["activities"] if "image" in a.get("body", {}))
    reading["body"]["image"] = path
    if manifest_edit is not None:
        manifest_edit(manifest)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        archive.writestr(path, NEW_PICTURE)
        for asset in (SAMPLE_PACK_DIR / "assets").iterdir():
            archive.write(asset, f"assets/{asset.name}")
    return out.getvalue()


def first_picture_activity(pack_id: str = "district-maths") -> str:
    """The id of the activity whose picture is the new one."""
    manifest = json.loads((SAMPLE_PACK_DIR / "manifest.json").read_text())
    reading = next(a for a in manifest["activities"] if "image" in a.get("body", {}))
    return f"{pack_id}:{reading['id']}"
