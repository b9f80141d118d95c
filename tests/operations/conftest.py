"""Backup fixtures: a database with every kind of stored thing, and a snapshot to compare."""

import hashlib
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from PIL import Image

from app import create_app
from app.certificates.models import Certificate
from app.extensions import db
from config import TestingConfig
from tests import builders


def database_snapshot() -> dict[str, list[tuple]]:
    """Every row of every table in key order; binary values (PDFs, images) as their SHA-256."""
    def plain(value):
        return hashlib.sha256(value).hexdigest() if isinstance(value, bytes) else value

    snapshot = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(sa.select(table).order_by(*table.primary_key.columns))
        snapshot[table.name] = [tuple(plain(value) for value in row) for row in rows]
    db.session.commit()
    return snapshot


def certificate_hashes() -> dict[str, tuple[str, str]]:
    """code -> (the SHA-256 published on the verify page, the SHA-256 of the stored PDF)."""
    certificates = db.session.scalars(sa.select(Certificate).options(sa.orm.undefer(Certificate.pdf)))
    return {c.code: (c.pdf_sha256, hashlib.sha256(c.pdf).hexdigest()) for c in certificates}


@pytest.fixture
def populated(client, auth, make_user) -> None:
    """A learner's finished course and certificate PDF, and an image uploaded in the browser."""
    make_user(username="lan")
    make_user(role="admin", username="quantri")
    auth.login("lan")
    builders.complete_course(client)
    auth.logout()
    auth.login("quantri")
    image = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(image, format="PNG")
    response = client.post("/authoring/courses/khoa-mau/images", content_type="multipart/form-data",
                           data={"image": (io.BytesIO(image.getvalue()), "so-do.png")})
    assert response.status_code < 400
    auth.logout()
    assert certificate_hashes()


def app_on(database_url: str, courses_dir: Path) -> Flask:
    """A second app (a scratch server) on another database, for restores."""
    class Scratch(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        COURSES_DIR = courses_dir

    return create_app(Scratch)


def run_cli(app: Flask, *arguments: str):
    """Run a flask command on this app (the test's own app context would otherwise win)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(arguments))
