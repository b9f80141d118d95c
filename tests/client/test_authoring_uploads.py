"""Image uploads: judged by content with Pillow, at most 1 MB, never SVG; served from the database."""

import io

import pytest
import sqlalchemy as sa
from PIL import Image

from app.authoring.models import CourseAsset
from app.extensions import db
from tests.conftest import row_count

UPLOAD = "/authoring/courses/khoa-mau/images"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'


def image_bytes(kind: str, size=(4, 3), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=kind)
    return out.getvalue()


def upload(client, data: bytes, name: str):
    return client.post(UPLOAD, data={"image": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def assets() -> list[CourseAsset]:
    return list(db.session.scalars(sa.select(CourseAsset).order_by(CourseAsset.id)))


def test_a_png_named_jpg_is_kept_as_a_png_with_a_snippet_to_paste(editor):
    png = image_bytes("PNG")
    response = upload(editor, png, "Sơ đồ xã.jpg")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    [asset] = assets()
    assert (asset.path, asset.content_type, asset.data) == ("images/so-do-xa.png", "image/png", png)
    assert "](images/so-do-xa.png)</code>" in page
    served = editor.get("/courses/khoa-mau/files/images/so-do-xa.png")
    assert served.status_code == 200 and served.data == png and served.mimetype == "image/png"


@pytest.mark.parametrize(("kind", "content_type"), [("JPEG", "image/jpeg"), ("GIF", "image/gif"),
                                                    ("WEBP", "image/webp")])
def test_jpeg_gif_and_webp_are_accepted(editor, kind, content_type):
    upload(editor, image_bytes(kind), "hinh")
    assert [a.content_type for a in assets()] == [content_type]


@pytest.mark.parametrize(("data", "name"), [
    (b"Day la van ban, khong phai hinh anh.\n" * 5, "ghi-chu.png"),
    (SVG, "logo.svg"),
    (SVG, "logo.png"),
    (b"%PDF-1.7\n", "tai-lieu.png"),
])
def test_files_that_are_not_png_jpeg_gif_or_webp_are_refused(editor, data, name):
    page = upload(editor, data, name).get_data(as_text=True)
    assert 'class="error"' in page
    assert row_count(CourseAsset) == 0


def test_svg_gets_its_own_explanation(editor):
    assert "SVG" in upload(editor, SVG, "logo.svg").get_data(as_text=True)


def test_a_2_mb_image_is_refused(editor):
    big = image_bytes("PNG") + b"\0" * 2_000_000
    page = upload(editor, big, "lon.png").get_data(as_text=True)
    assert 'class="error"' in page and "1 MB" in page
    assert row_count(CourseAsset) == 0


def test_a_body_over_the_request_limit_gets_413(editor):
    assert upload(editor, b"\0" * (3 * 1024 * 1024), "rat-lon.png").status_code == 413


def test_the_same_image_twice_is_kept_once_and_another_with_the_same_name_is_renamed(editor):
    red, blue = image_bytes("PNG"), image_bytes("PNG", color=(0, 0, 255))
    upload(editor, red, "hinh.png")
    upload(editor, red, "hinh.png")
    upload(editor, blue, "hinh.png")
    paths = [a.path for a in assets()]
    assert paths[0] == "images/hinh.png" and len(paths) == 2
    assert paths[1].startswith("images/hinh-") and paths[1].endswith(".png")


def test_an_enrolled_learner_sees_the_uploaded_image(editor, client, auth, make_user):
    png = image_bytes("PNG")
    upload(editor, png, "so-do.png")
    auth.logout()
    make_user(username="lan")
    auth.login("lan")
    assert client.get("/courses/khoa-mau/files/images/so-do.png").status_code == 404  # not enrolled
    client.post("/courses/khoa-mau/enrol")
    assert client.get("/courses/khoa-mau/files/images/so-do.png").data == png
