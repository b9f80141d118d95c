"""The reference deployment, for real: nginx with TLS in front of two gunicorn nodes, the worker,
PostgreSQL and Redis, all started from deploy/ on loopback (see stack.py).

The tests share one stack and run in file order: stopping Redis comes last.
"""

import hashlib
import json
import re
import time

import psycopg
import pytest
from playwright.sync_api import expect, sync_playwright

from bench.population import option_values
from tests.deployment.stack import REPO, Client, Stack, wait_until

pytestmark = pytest.mark.deployment

COURSE = "chuyen-doi-so-co-ban"
PASSWORD = "Trien-khai-thu-2025"
UNITS_CSV = ("Mã,Tên,Cấp,Mã đơn vị cha\n"
             "10,Tỉnh Lào Cai,tỉnh,\n"
             "080,Thành phố Lào Cai,thành phố thuộc tỉnh,10\n"
             "02647,Phường Cốc Lếu,phường,080\n")
COMMUNE = "02647"
LEARNERS = {"hv-browser": "Nguyễn Thị Hồng Nhung", "hv-node": "Trần Văn Bình",
            "hv-lock": "Lê Thị Mai", "hv-cert-1": "Phạm Minh Đức", "hv-cert-2": "Hoàng Thị Lan"}
ADMIN = "quantri-tinh"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def stack():
    """The whole stack, bootstrapped with the README's commands; torn down even on failure."""
    stack = Stack()
    try:
        stack.start()
        bootstrap(stack)
        stack.start_services()
        yield stack
    finally:
        for name in (*(f"node-{port}" for port in stack.node_ports), "worker", "nginx"):
            print(f"----- {name} log (tail) -----\n{stack.log(name, 2500)}")
        stack.close()


def bootstrap(stack: Stack) -> None:
    """README "Deploying for a province": migrate, load courses, units, the first admin."""
    stack.flask("db", "upgrade")
    stack.flask("courses", "sync")
    units = stack.root / "units.csv"
    units.write_text(UNITS_CSV, encoding="utf-8")
    stack.flask("units", "import", str(units))
    stack.flask("users", "create", ADMIN, "--role", "admin", "--name", "Lê Minh Châu", "--unit", "10",
                "--password", PASSWORD)
    stack.course = add_learners_and_read_course(stack)


def add_learners_and_read_course(stack: Stack) -> dict:
    """Learners (in this process: a `flask` command costs seconds on a shared machine), and the
    demo course's titles and right answers, read from the stack's database."""
    from app import create_app
    from app.accounts.services import create_user
    from app.extensions import db
    from app.units.services import unit_by_code_or_name
    from config import TestingConfig
    from tests import builders

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = stack.database_url
        COURSES_DIR = REPO / "courses"

    app = create_app(Config)
    with app.app_context():
        commune = unit_by_code_or_name(COMMUNE)
        for username, name in LEARNERS.items():
            create_user(username, name, PASSWORD, "learner", commune)
        db.session.commit()
        found = builders.course(COURSE)
        modules = [(m.slug, m.title, builders.choices_for(m.slug, True, COURSE) if m.has_quiz else None)
                   for m in found.active_modules]
        title = found.title
        db.session.remove()
        db.engine.dispose()
    return {"title": title, "modules": modules}


@pytest.fixture(scope="module")
def course(stack) -> dict:
    return stack.course


def complete_course(client: Client, course: dict) -> None:
    """Enrol, read every module and pass its quiz, through whatever `client` talks to."""
    assert client.post(f"/courses/{COURSE}/enrol", {}).status == 302
    for slug, _title, answers in course["modules"]:
        assert client.get(f"/courses/{COURSE}/modules/{slug}").status == 200
        if answers is None:
            assert client.post(f"/courses/{COURSE}/modules/{slug}/read", {}).status == 302
            continue
        started = client.post(f"/courses/{COURSE}/modules/{slug}/quiz", {})
        assert started.status == 302, started.status
        attempt = started.headers["Location"]
        shown = option_values(client.get(attempt).text)  # option values are per attempt
        form = {name: [shown[name][words] for words in choices] for name, choices in answers.items()}
        assert client.post(attempt, form).status in (200, 302)


def query(database_url: str, sql: str, *params) -> list[tuple]:
    with psycopg.connect(database_url.replace("+psycopg", "")) as connection:
        return connection.execute(sql, params).fetchall()


# -- the edge: TLS, redirect, static files, /metrics ----------------------------------------------

def test_nginx_redirects_http_serves_static_and_hides_metrics(stack):
    plain = Client(stack.origin, ("127.0.0.1", stack.http_port), tls=False)
    redirected = plain.get("/login?next=/courses")
    assert redirected.status == 301
    assert redirected.headers["Location"].startswith("https://127.0.0.1")
    assert redirected.headers["Location"].endswith("/login?next=/courses")

    client = stack.client()
    css = client.get("/static/hocso.css")
    assert css.status == 200
    assert css.body == (REPO / "app" / "static" / "hocso.css").read_bytes()
    assert "immutable" in ", ".join(css.headers.get_all("Cache-Control"))
    assert "max-age=31536000" in ", ".join(css.headers.get_all("Cache-Control"))
    assert css.headers["Server"].startswith("nginx")  # served by nginx, not by a node

    assert client.get("/metrics").status == 403  # nginx refuses it from outside
    scraper = Client(stack.origin, ("127.0.0.1", stack.node_ports[0]), tls=False)
    metrics = scraper.get("/metrics")  # Prometheus on the host reads each node directly
    assert metrics.status == 200
    assert "hocso_http_requests_total" in metrics.text

    request_id = client.get("/health").headers.get("X-Request-ID", "")
    assert re.fullmatch(r"[0-9a-f]{32}", request_id), request_id  # nginx's $request_id, kept
    login_page = client.get("/login")
    assert login_page.status == 200
    assert "Secure" in login_page.headers["Set-Cookie"]
    assert "max-age" in login_page.headers.get("Strict-Transport-Security", "")


# -- a learner in Chromium, through https ------------------------------------------------------------

@pytest.mark.browser
def test_browser_journey_through_https(stack, course):
    slug, module_title, answers = next(m for m in course["modules"] if m[2])
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(ignore_https_errors=True, locale="vi-VN",
                                          viewport={"width": 390, "height": 844})
            page = context.new_page()
            page.goto(f"{stack.origin}/login")
            page.get_by_label("Tên đăng nhập hoặc số điện thoại").fill("hv-browser")
            page.get_by_label("Mật khẩu").fill(PASSWORD)
            page.get_by_role("button", name="Đăng nhập").click()
            expect(page).to_have_url(f"{stack.origin}/courses")

            page.get_by_role("link", name=course["title"]).click()
            page.get_by_role("button", name="Tham gia khóa học").click()
            page.get_by_role("link", name=module_title, exact=True).click()
            expect(page.get_by_role("heading", level=1)).to_have_text(module_title)
            page.get_by_role("button", name="Làm bài kiểm tra").click()
            expect(page).to_have_url(re.compile(r"/attempts/[^/]+$"))
            for name, choices in answers.items():
                for words in choices:  # option values are per attempt: tap the words
                    exactly = re.compile(rf"^\s*{re.escape(words)}\s*$")
                    (page.locator("label.option").filter(has=page.locator(f'input[name="{name}"]'))
                     .filter(has=page.locator("span", has_text=exactly)).click())
            page.get_by_role("button", name="Nộp bài").click()
            expect(page.locator("p.score")).to_contain_text("Điểm của bạn: 100%")
        finally:
            browser.close()


# -- two nodes, one session ------------------------------------------------------------------------

def test_login_on_node_a_then_a_page_from_node_b(stack, course):
    node_a, node_b = stack.node_ports
    on_a = stack.node_client(node_a)
    assert on_a.log_in("hv-node", PASSWORD).status == 302
    on_b = on_a.via(("127.0.0.1", node_b), tls=False, proxy_headers=stack.proxy_headers("127.0.0.9"))
    page = on_b.get("/courses")
    assert page.status == 200
    assert "Đăng xuất" in page.text  # the logout button: she is logged in on node B
    assert course["title"] in page.text

    anonymous_on_b = stack.node_client(node_b)
    assert anonymous_on_b.get("/courses").status == 302  # the cookie, not the node, logs her in


# -- lockout per client, behind the proxy --------------------------------------------------------------

def test_ten_failures_from_one_client_do_not_lock_out_another(stack):
    attacker, learner = stack.client(source="127.0.0.2"), stack.client(source="127.0.0.3")
    # Ten failures that all count against this client: four on her account (below the back-off's
    # free failures, whose first wait lasts a second and would make the test race the clock) and
    # six on names of no account. The client is then blocked until its minute's window ends.
    logins = ["hv-lock"] * 4 + [f"khong-co-{n}" for n in range(6)]
    statuses = [attacker.log_in(login, f"sai-mat-khau-{n}").status for n, login in enumerate(logins)]
    assert statuses == [200] * 10, statuses  # each a wrong password: the form again
    assert attacker.log_in("hv-lock", PASSWORD).status == 429  # even the right one, from there
    attacker.proxy_headers = {"X-Forwarded-For": "127.0.0.3"}  # posing as the other client
    assert attacker.log_in("hv-lock", PASSWORD).status == 429  # nginx appends the real address

    assert learner.log_in("hv-lock", PASSWORD).status == 302  # same account, another address
    assert learner.get("/courses").status == 200

    addresses = {row[0] for row in query(
        stack.database_url, "SELECT client_address FROM audit_event WHERE actor_name = %s", "hv-lock")}
    assert {"127.0.0.2", "127.0.0.3"} <= addresses, addresses  # the real clients, not nginx's address


# -- batch print: started on node A, run by the worker, downloaded from node B -------------------

def test_batch_print_started_on_a_downloaded_from_b(stack, course):
    for number, username in enumerate(("hv-cert-1", "hv-cert-2"), start=5):
        learner = stack.client(source=f"127.0.0.{number}")
        assert learner.log_in(username, PASSWORD).status == 302
        complete_course(learner, course)
    issued = query(stack.database_url, "SELECT count(*) FROM certificate")[0][0]
    assert issued >= 2

    node_a, node_b = stack.node_ports
    admin_a = stack.node_client(node_a)
    assert admin_a.log_in(ADMIN, PASSWORD).status == 302
    started = admin_a.post("/admin/certificates/print", {"course": COURSE, "unit": COMMUNE, "intake": "",
                                                          "output": "pdf"})
    assert started.status == 302, started.text[-2000:]
    job_page = started.headers["Location"]
    token = job_page.rstrip("/").rsplit("/", 1)[-1]

    admin_b = admin_a.via(("127.0.0.1", node_b), tls=False, proxy_headers=stack.proxy_headers("127.0.0.9"))
    wait_until(lambda: "/download" in admin_b.get(job_page).text, 120, "the worker to finish the print job",
               interval=1)
    download = admin_b.get(f"{job_page}/download")
    assert download.status == 200
    assert download.body.startswith(b"%PDF-")
    assert token in stack.log("worker", 100_000) or "run_queued_job" in stack.log("worker", 100_000)


# -- backup, then restore on a scratch database ------------------------------------------------------

def test_backup_then_restore_gives_the_same_rows_and_certificate_hashes(stack):
    backup = stack.root / "hocso-backup.tar.gz"
    stack.flask("backup", "create", "-o", str(backup), timeout=180)
    stack.flask("backup", "verify", str(backup))
    assert backup.stat().st_size > 0

    scratch = stack.create_scratch_database()
    scratch_env = stack.root / "scratch.env"
    scratch_env.write_text(stack.env_file.read_text(encoding="utf-8").replace(
        stack.database_url, stack.url_of(scratch)), encoding="utf-8")
    stack.flask("backup", "restore", str(backup), "--force", env={"HOCSO_ENV_FILE": str(scratch_env)},
                timeout=180)

    assert table_counts(stack.url_of(scratch)) == table_counts(stack.database_url)
    original, restored = certificate_hashes(stack.database_url), certificate_hashes(stack.url_of(scratch))
    assert restored == original
    assert len(original) >= 2
    assert all(stored == computed for _code, stored, computed in restored)


def table_counts(database_url: str) -> dict[str, int]:
    tables = [row[0] for row in query(
        database_url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    return {table: query(database_url, f'SELECT count(*) FROM "{table}"')[0][0] for table in sorted(tables)}


def certificate_hashes(database_url: str) -> list[tuple[str, str, str]]:
    rows = query(database_url, "SELECT code, pdf_sha256, pdf FROM certificate ORDER BY code")
    return [(code, stored, hashlib.sha256(pdf).hexdigest()) for code, stored, pdf in rows]


# -- Redis stopped mid-run (last: the stack has no Redis afterwards) --------------------------------

def test_redis_stopped_pages_still_served_and_health_degraded(stack):
    learner = stack.client(source="127.0.0.7")
    assert learner.log_in("hv-browser", PASSWORD).status == 302
    stack.stop_redis()
    assert not stack.processes.get("redis")

    time.sleep(0.5)
    assert learner.get("/courses").status == 200
    assert learner.get(f"/courses/{COURSE}").status == 200
    health = stack.client().get("/health")
    assert health.status == 200, health.text
    assert json.loads(health.text)["status"] == "degraded", health.text

    other = stack.client(source="127.0.0.8")
    assert other.log_in("hv-node", PASSWORD).status == 302  # the limiter falls back to memory

