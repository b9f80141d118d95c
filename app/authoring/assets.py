"""Images uploaded in the browser: checked by their content, stored in the database, served."""

import hashlib
import io
from pathlib import Path

import sqlalchemy as sa
from flask import Response, current_app, send_file
from PIL import Image, UnidentifiedImageError

from app.accounts.models import User
from app.audit import services as audit
from app.authoring.models import CourseAsset
from app.content.models import Course
from app.content.rendering import slugify_heading
from app.extensions import db

MAX_IMAGE_BYTES = 1024 * 1024
# Pillow format -> (file extension, content type). Pillow only tries these, so no other decoder
# (EPS, which runs Ghostscript, among them) ever sees an upload.
IMAGE_FORMATS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
}


class ImageRefused(Exception):
    """The upload is not an image Hocso stores; reason is "too_large", "svg" or "not_image"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _looks_like_svg(data: bytes, filename: str) -> bool:
    head = data[:2048].lstrip().lower()
    return filename.lower().endswith((".svg", ".svgz")) or head.startswith(b"<?xml") or b"<svg" in head


def image_kind(data: bytes, filename: str = "") -> tuple[str, str]:
    """(extension, content type) of a PNG, JPEG, GIF or WebP judged by its bytes, not its name."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageRefused("too_large")
    if _looks_like_svg(data, filename):
        raise ImageRefused("svg")  # SVG can carry script; it is never accepted
    try:
        with Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS)) as image:
            found = image.format
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError,
            ValueError, EOFError) as error:
        raise ImageRefused("not_image") from error
    if found not in IMAGE_FORMATS:
        raise ImageRefused("not_image")
    return IMAGE_FORMATS[found]


def _free_path(course: Course, stem: str, extension: str, digest: str) -> str:
    """images/<stem>.<ext>, or with the content's hash added when that name holds other bytes."""
    folder = Path(current_app.config["COURSES_DIR"]) / course.folder
    for candidate in (f"images/{stem}.{extension}", f"images/{stem}-{digest[:8]}.{extension}"):
        taken = db.session.scalar(sa.select(CourseAsset).filter_by(course_id=course.id, path=candidate))
        if taken is not None and taken.sha256 == digest:
            return candidate
        if taken is None and not (folder / candidate).exists():
            return candidate
    return f"images/{stem}-{digest[:16]}.{extension}"


def store_image(course: Course, filename: str, data: bytes, uploader: User) -> CourseAsset:
    """Check and keep an uploaded image; the same bytes uploaded twice are kept once."""
    extension, content_type = image_kind(data, filename)
    digest = hashlib.sha256(data).hexdigest()
    stem = slugify_heading(Path(filename).stem)[:60] if Path(filename).stem else "hinh"
    path = _free_path(course, stem if stem != "section" else "hinh", extension, digest)
    asset = db.session.scalar(sa.select(CourseAsset).filter_by(course_id=course.id, path=path))
    if asset is None:
        asset = CourseAsset(course_id=course.id, path=path, data=data, content_type=content_type,
                            sha256=digest, uploader_id=uploader.id)
        db.session.add(asset)
        db.session.flush()
        audit.record("course.image_uploaded", target=f"{course.slug}/{path}",
                     size=len(data), content_type=content_type)
    return asset


def assets_of(course: Course) -> list[CourseAsset]:
    return list(db.session.scalars(
        sa.select(CourseAsset).filter_by(course_id=course.id).order_by(CourseAsset.path)
    ))


def uploaded_file(course: Course, filename: str) -> Response | None:
    """The uploaded image at this path of the course, or None (then the folder is asked)."""
    asset = db.session.scalar(sa.select(CourseAsset).filter_by(course_id=course.id, path=filename))
    if asset is None:
        return None
    return send_file(io.BytesIO(asset.data), mimetype=asset.content_type, max_age=86400,
                     etag=asset.sha256, last_modified=asset.created_at, conditional=True)
