"""Screenshots of the learner's main pages on a 390 x 844 phone, for the README.

    .venv/bin/python scripts/take_screenshots.py [docs/screenshots]

Serves the shipped courses from a throwaway SQLite database on 127.0.0.1 (nothing else is
touched), drives Debian's Chromium through Playwright, and writes one PNG per page: the first
screen a learner sees, at 1x so each file stays small.
"""

import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.accounts.models import Role  # noqa: E402
from app.accounts.services import create_user  # noqa: E402
from app.content.services import course_by_slug, sync_courses  # noqa: E402
from app.demo import ensure_demo_units  # noqa: E402
from app.extensions import db  # noqa: E402
from app.progress.services import enrol  # noqa: E402
from config import TestingConfig  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "Anh-chup-man-hinh-2025"  # noqa: S105 - a throwaway account in a temporary database
COURSE = "chuyen-doi-so-lanh-dao-xa"
MODULE = "vi-sao-chuyen-doi-so"


def demo_app(folder: Path):
    class Screenshots(TestingConfig):
        TESTING = False
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'screenshots.sqlite3'}"
        COURSES_DIR = ROOT / "courses"

    app = create_app(Screenshots)
    with app.app_context():
        db.create_all()
        sync_courses(ROOT / "courses")
        units = ensure_demo_units()
        learner = create_user("hocvien", "Nguyễn Thị Hồng Nhung", PASSWORD, Role.LEARNER,
                              units["DEMO-LC-BH"])
        enrol(learner, course_by_slug(COURSE))
        create_user("moi", "Lò Văn Pá", PASSWORD, Role.LEARNER, units["DEMO-LC-MK"])
        db.session.commit()
    return app


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/courses")


def shoot(page: Page, target: Path, name: str) -> None:
    path = target / f"{name}.png"
    page.wait_for_load_state("load")
    try:
        page.screenshot(path=str(path))
    except PlaywrightError:  # Chromium under load now and then fails a capture: once more
        page.wait_for_timeout(500)
        page.screenshot(path=str(path))
    print(f"{path}  {path.stat().st_size // 1024} KB")


def take(base: str, target: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                      has_touch=True, locale="vi-VN")
        page = context.new_page()
        page.goto(f"{base}/login")
        shoot(page, target, "login")
        log_in(page, base, "moi")
        shoot(page, target, "course-list-new-learner")
        page.locator("header form.lang-switch button").click()
        shoot(page, target, "course-list-english")
        page.locator("header form.lang-switch button").click()
        page.locator("header form[action='/logout'] button").click()
        log_in(page, base, "hocvien")
        shoot(page, target, "course-list")
        page.goto(f"{base}/courses/{COURSE}")
        shoot(page, target, "course")
        page.goto(f"{base}/courses/{COURSE}/modules/{MODULE}")
        shoot(page, target, "module")
        page.locator("section.module-end form button").click()
        shoot(page, target, "quiz")
        page.locator("form.quiz fieldset.question").first.locator("label.option").first.click()
        page.locator("form.quiz button[type=submit]").click()
        page.locator(".score").scroll_into_view_if_needed()
        page.evaluate("window.scrollTo(0, 0)")
        shoot(page, target, "result")
        page.goto(f"{base}/verify")
        shoot(page, target, "verify")
        context.close()
        browser.close()


def main() -> None:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "screenshots").resolve()
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        app = demo_app(Path(folder))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            take(f"http://127.0.0.1:{server.server_port}", target)
        finally:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    main()
