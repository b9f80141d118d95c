"""Pages stay light for 2G: the first view of any page, HTML and CSS together, is at most 60 KB."""

import pytest

from app.content.services import sync_courses
from app.extensions import db
from config import BASE_DIR

LIMIT_BYTES = 60 * 1024
STYLESHEET_LIMIT_BYTES = 15 * 1024


@pytest.fixture
def shipped_courses(app):
    app.config["COURSES_DIR"] = BASE_DIR / "courses"
    sync_courses(BASE_DIR / "courses")
    db.session.commit()


def test_every_module_page_of_the_shipped_courses_is_light(client, auth, make_user, shipped_courses):
    from app.content.services import visible_courses

    make_user(role="instructor", username="giangvien")
    auth.login("giangvien")
    css = len(client.get("/static/hocso.css").data)
    heaviest = 0
    for course in visible_courses():
        for module in course.active_modules:
            page = client.get(f"/courses/{course.slug}/modules/{module.slug}")
            assert page.status_code == 200
            heaviest = max(heaviest, len(page.data) + css)
    assert heaviest <= LIMIT_BYTES, f"heaviest first view is {heaviest} bytes"


def test_the_stylesheet_stays_within_its_budget(client):
    """Issue 14 item 7: the whole design in at most 15 KB of CSS, uncompressed."""
    css = client.get("/static/hocso.css", headers={"Accept-Encoding": "identity"}).data
    assert len(css) <= STYLESHEET_LIMIT_BYTES, f"hocso.css is {len(css)} bytes"
