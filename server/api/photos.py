"""Students' photos of project work, and their bytes between paired nodes."""

from __future__ import annotations

from flask import Blueprint, current_app, g, request, send_file

from sync.ids import is_valid_id

from ..auth.access import PUBLIC, SIGNED_IN, STUDENT
from ..db.blobs import blob_path, digest, store_blob
from ..errors import InvalidInput, NotFound
from ..pages.headers import as_untrusted_file
from ..replication import peers, photo_sync
from ..services import photos, unclaimed
from .contract import endpoint
from .schemas.learning import UnclaimedHeldSchema
from .schemas.photos import (
    PhotoDigestsSchema,
    PhotoListQuery,
    PhotoQuery,
    PhotoSchema,
    UnclaimedPhotoQuery,
)
from .sync import sender_before_body

bp = Blueprint("photos", __name__, url_prefix="/api/v1")

_PICTURE_TYPES = ("image/jpeg", "image/png", "image/webp")


def _photo_id(photo_id: str) -> str:
    if not is_valid_id(photo_id):
        raise InvalidInput("Not an id.", {"photo_id": ["Not an id."]})
    return photo_id


@bp.put("/photos/<photo_id>")
@endpoint(
    STUDENT,
    "Add a photo (JPEG, PNG or WebP) to one's project answer, with the id the device made",
    query=PhotoQuery,
    raw_body="image/*",
    response=PhotoSchema,
    status=201,
    errors=(404, 409, 413),
)
def put_photo(photo_id, query):
    request.max_content_length = photos.PHOTO_MAX_BYTES  # larger: 413 before reading it
    data = request.get_data(cache=False)
    photo, new = photos.record_photo(
        g.user, _photo_id(photo_id), query, data, request.mimetype,
        current_app.config["DATA_DIR"],
    )  # fmt: skip
    photo.duplicate = not new
    return photo


@bp.put("/unclaimed-work/photos/<photo_id>")
@endpoint(
    STUDENT,
    "Hand over a photo a tablet took under a sign-in the node never checked (nobody's yet)",
    query=UnclaimedPhotoQuery,
    raw_body="image/*",
    response=UnclaimedHeldSchema,
    status=201,
    errors=(409, 413),
)
def hold_unclaimed_photo(photo_id, query):
    request.max_content_length = photos.PHOTO_MAX_BYTES  # larger: 413 before reading it
    data = request.get_data(cache=False)
    return unclaimed.hold_photo(
        g.user, _photo_id(photo_id), query, data, request.mimetype,
        current_app.config["DATA_DIR"],
    )[0]  # fmt: skip


@bp.get("/photos/<photo_id>")
@endpoint(SIGNED_IN, "A photo's details (one's own; staff: their students')", response=PhotoSchema)
def get_photo(photo_id):
    return photos.get_photo(g.user, photo_id)


@bp.get("/photos/<photo_id>/image")
@endpoint(
    SIGNED_IN, "A photo's picture (one's own; staff: their students')", raw_response="image/*"
)
def get_photo_image(photo_id):
    path, photo = photos.photo_file(g.user, photo_id, current_app.config["DATA_DIR"])
    # A row that came by sync may name any type: only the three pictures go out as such.
    known = photo.media_type in _PICTURE_TYPES
    mimetype = photo.media_type if known else "application/octet-stream"
    response = send_file(path, mimetype=mimetype, max_age=0, etag=photo.sha256)
    response.headers["Cache-Control"] = "private, max-age=86400"
    return as_untrusted_file(response)


@bp.get("/people/<person_id>/photos")
@endpoint(
    SIGNED_IN,
    "A student's photos of project work, newest first",
    query=PhotoListQuery,
    response=PhotoSchema,
    many=True,
)
def list_photos(person_id, query):
    return photos.photos_of(g.user, person_id, query["activity_id"])


# ---------------------------------------------------------------- between paired nodes


def _signed_peer(body: bytes = b""):
    peer = peers.authenticate(request.method, request.path, request.headers, body)
    readable, writable = peers.allowed_partitions(peer, current_app.config["ROLE"])
    return readable, writable


@bp.get("/sync/photos/missing")
@endpoint(
    PUBLIC,
    "Photos a paired node may send here whose bytes this node lacks (signed request)",
    response=PhotoDigestsSchema,
    errors=(401, 403, 409),
)
def sync_photos_missing():
    _readable, writable = _signed_peer()
    return {"sha256": photo_sync.missing_photos(current_app.config["DATA_DIR"], writable)}


@bp.get("/sync/photos/<sha256>")
@endpoint(
    PUBLIC,
    "A photo's bytes for a paired node of its school (signed request)",
    raw_response="application/octet-stream",
    errors=(401, 403, 409),
)
def sync_photo_get(sha256):
    readable, _writable = _signed_peer()
    path = blob_path(current_app.config["DATA_DIR"], sha256)  # 404 unless a digest
    if not photo_sync.photo_in(sha256, readable) or not path.is_file():
        raise NotFound(f"No photo {sha256} here for that node.")
    return as_untrusted_file(send_file(path, mimetype="application/octet-stream", max_age=0))


@bp.put("/sync/photos/<sha256>")
@endpoint(
    PUBLIC,
    "Take a photo's bytes from a paired node of its school (signed request)",
    raw_body="application/octet-stream",
    errors=(401, 403, 409, 413),
)
def sync_photo_put(sha256):
    sender_before_body(photos.PHOTO_MAX_BYTES)
    request.max_content_length = photos.PHOTO_MAX_BYTES
    data = request.get_data(cache=False)
    _readable, writable = _signed_peer(data)
    data_dir = current_app.config["DATA_DIR"]
    blob_path(data_dir, sha256)  # 404 unless a digest, before anything else is asked
    if not photo_sync.photo_in(sha256, writable):
        raise NotFound(f"No photo {sha256} here that node may send.")
    if photos.sniff(data) is None or digest(data) != sha256:
        raise InvalidInput("Those bytes are not the photo with that digest.")
    store_blob(data_dir, sha256, data)
