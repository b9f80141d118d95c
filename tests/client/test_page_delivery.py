"""Learner pages at the speed of the framework: bounded queries, no writes on a re-read,
compression, versioned static files, and requests shed when they waited too long."""

import re
import time
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from app.extensions import db
from app.progress.models import ModuleProgress
from tests import builders
from tests.client.test_certificates import certified_learner, only_certificate

# What each page may cost in SQL statements (BEGIN/COMMIT excluded): the user, then the page's
# own rows. A page that lazy-loads per module or per row would blow these at once.
QUERY_BUDGET = {
    "module": 2,  # user; the module with its course, her enrolment and progress (+ attempts: quiz)
    "module_with_quiz": 3,
    "attempt": 2,  # user; the attempt with its quiz version, module and course
    "result": 3,  # the same and her certificate for the course
    "course_list": 5,  # user, courses, enrolments, progress of all her courses
    "course": 7,  # user, course, modules (outline, first view only), enrolment, progress, certificate,
    # her live sessions with her attendance
    "login": 0,
    "verify": 1,
    # Writes. First open: user, module (with course, enrolment, progress), her progress under the
    # lock, its INSERT, "started" on the enrolment, then her attempts.
    "first_open": 6,
    # Submit: user, her row locked, the attempt with its quiz, module and course, her enrolment
    # (deadline), the attempt's UPDATE, her progress and its UPDATE, the course's completion and
    # her progress in the course (is it done?).
    "submit": 9,
}


@contextmanager
def statements():
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT",
                                                       "RELEASE")):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def writes(seen: list[str]) -> list[str]:
    return [s for s in seen if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


@pytest.fixture
def learner(client, auth, make_user):
    make_user(username="lan")
    auth.login("lan")
    client.post("/courses/khoa-mau/enrol")


def test_a_module_read_again_writes_nothing_and_stays_within_its_query_budget(client, learner):
    url = "/courses/khoa-mau/modules/doc-them"  # a module without a quiz
    with statements() as first:
        assert client.get(url).status_code == 200
    # the first open is recorded once: her progress row, and "started" on her enrolment's summary
    assert [w.split()[0:3] for w in writes(first)] == [["INSERT", "INTO", "module_progress"],
                                                      ["UPDATE", "enrolment", "SET"]]
    with statements() as again:
        assert client.get(url).status_code == 200
    assert writes(again) == []
    assert len(again) <= QUERY_BUDGET["module"], again
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModuleProgress)) == 1


def test_a_first_open_and_a_submit_read_each_row_once(client, learner):
    slug = next(m for m in builders.course().active_modules if m.has_quiz).slug
    client.get("/courses/khoa-mau")  # the course's outline is read once per version, here
    with statements() as first_open:
        assert client.get(f"/courses/khoa-mau/modules/{slug}").status_code == 200
    token = builders.start_attempt(client, slug)
    answers = builders.answers_for(slug, correct=True, token=token)
    with statements() as submit:
        assert client.post(f"/attempts/{token}", data=answers).status_code == 302
    assert len(first_open) <= QUERY_BUDGET["first_open"], "\n".join(s[:60] for s in first_open)
    assert len(submit) <= QUERY_BUDGET["submit"], submit
    assert len(writes(submit)) == 2, writes(submit)  # the attempt; her score and completion in one


def test_a_module_with_a_quiz_and_attempts_stays_within_its_budget(client, learner):
    quiz_module = next(m for m in builders.course().active_modules if m.has_quiz)
    for _ in range(3):
        token = builders.start_attempt(client, quiz_module.slug)
        wrong = builders.answers_for(quiz_module.slug, correct=False, token=token)
        client.post(f"/attempts/{token}", data=wrong)
    url = f"/courses/khoa-mau/modules/{quiz_module.slug}"
    client.get(url)
    with statements() as seen:
        page = client.get(url)
    assert page.status_code == 200 and page.get_data(as_text=True).count("not passed") + \
        page.get_data(as_text=True).count("chưa đạt") >= 3
    assert writes(seen) == [] and len(seen) <= QUERY_BUDGET["module_with_quiz"], seen


def test_the_attempt_and_result_pages_stay_within_their_budget(client, learner):
    quiz_module = next(m for m in builders.course().active_modules if m.has_quiz)
    token = builders.start_attempt(client, quiz_module.slug)
    with statements() as attempt_page:
        assert client.get(f"/attempts/{token}").status_code == 200
    client.post(f"/attempts/{token}", data=builders.answers_for(quiz_module.slug, correct=False,
                                                               token=token))
    with statements() as result_page:
        assert client.get(f"/attempts/{token}").status_code == 200
    assert writes(attempt_page) == [] and len(attempt_page) <= QUERY_BUDGET["attempt"], attempt_page
    assert writes(result_page) == [] and len(result_page) <= QUERY_BUDGET["result"], result_page


@pytest.mark.parametrize("extra_courses", [0, 5])
def test_the_course_list_costs_the_same_however_many_courses(client, learner, extra_courses):
    from app.content.models import Course

    for number in range(extra_courses):
        db.session.add(Course(slug=f"them-{number}", title=f"Khóa thêm {number}", folder="x",
                              content_hash=f"h{number}"))
    db.session.commit()
    client.get("/courses")
    with statements() as seen:
        assert client.get("/courses").status_code == 200
    assert writes(seen) == [] and len(seen) <= QUERY_BUDGET["course_list"], seen


def test_the_course_page_stays_within_its_budget(client, learner):
    with statements() as seen:
        assert client.get("/courses/khoa-mau").status_code == 200
    assert writes(seen) == [] and len(seen) <= QUERY_BUDGET["course"], seen


def test_login_and_verify_pages_stay_within_their_budget(app, client, auth, make_user):
    certified_learner(client, auth, make_user)
    code = only_certificate().display_code
    auth.logout()
    anonymous = app.test_client()
    with statements() as login_page:
        assert anonymous.get("/login").status_code == 200
    with statements() as verify_page:
        assert anonymous.get(f"/verify/{code}").status_code == 200
    assert len(login_page) <= QUERY_BUDGET["login"] and len(verify_page) <= QUERY_BUDGET["verify"]


def test_an_edited_course_shows_its_new_outline_at_once(app, client, learner, courses_dir):
    from app.content.services import sync_courses

    client.get("/courses/khoa-mau")  # the outline is now cached
    first = courses_dir / "khoa-mau" / "01-gioi-thieu.md"
    first.write_text(first.read_text("utf-8").replace("title:", "title: Đã sửa —", 1), "utf-8")
    sync_courses(courses_dir)
    db.session.commit()
    assert "Đã sửa —" in client.get("/courses/khoa-mau").get_data(as_text=True)


def test_pages_are_compressed_for_browsers_that_accept_it(client, learner):
    url = "/courses/khoa-mau/modules/gioi-thieu"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    for encoding in ("br", "gzip"):
        packed = client.get(url, headers={"Accept-Encoding": encoding})
        assert packed.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in packed.headers["Vary"]
        assert len(packed.data) < len(plain.data) / 2
    assert "Content-Encoding" not in plain.headers


def test_static_files_have_versioned_urls_cached_for_a_year(app, client):
    page = client.get("/login").get_data(as_text=True)
    url = re.search(r'href="(/static/hocso\.css\?v=[0-9a-f]{12})"', page).group(1)
    response = client.get(url)
    assert response.status_code == 200
    cache = response.headers["Cache-Control"]
    assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache
    etag = response.headers["ETag"]
    assert etag.strip('"') == url.rsplit("=", 1)[1]  # from the content, the same on every node
    stale = client.get("/static/hocso.css?v=000000000000")
    assert "immutable" not in stale.headers.get("Cache-Control", "")


def test_a_static_file_revalidated_with_its_version_is_answered_not_modified(client):
    first = client.get("/static/hocso.css", headers={"Accept-Encoding": "gzip"})
    again = client.get("/static/hocso.css", headers={"Accept-Encoding": "gzip",
                                                     "If-None-Match": first.headers["ETag"]})
    assert first.status_code == 200 and again.status_code == 304 and not again.data
    changed = client.get("/static/hocso.css", headers={"If-None-Match": '"000000000000"'})
    assert changed.status_code == 200


@pytest.mark.parametrize("app_settings", [{"TRUSTED_PROXY_HOPS": 1}])
def test_a_request_that_waited_past_the_deadline_is_answered_busy(app, client, app_settings):
    deadline = app.config["REQUEST_QUEUE_DEADLINE_SECONDS"]
    late = client.get("/login", headers={"X-Request-Start": f"t={time.time() - deadline - 1:.3f}"})
    assert late.status_code == 503 and int(late.headers["Retry-After"]) > 0
    assert "Máy chủ đang bận" in late.get_data(as_text=True)
    fresh = client.get("/login", headers={"X-Request-Start": f"t={time.time():.3f}"})
    assert fresh.status_code == 200


def test_without_a_trusted_proxy_the_queue_header_is_ignored(client):
    forged = client.get("/login", headers={"X-Request-Start": "t=1000000000.000"})
    assert forged.status_code == 200


def test_queue_age_reads_seconds_and_microseconds():
    from app.operations.delivery import queue_age_seconds

    now = 1_764_600_000.0
    assert queue_age_seconds("t=1764599999.500", now=now) == pytest.approx(0.5)
    assert queue_age_seconds("t=1764599999500000", now=now) == pytest.approx(0.5)
    assert queue_age_seconds("garbage", now=1.0) is None and queue_age_seconds(None, now=1.0) is None


def test_only_a_view_with_a_limit_pays_for_the_rate_limiter(app, client, monkeypatch):
    from app.extensions import limiter

    assert limiter._check_request_limit not in app.before_request_funcs[None]
    checked = []
    real_check = limiter._check_request_limit
    monkeypatch.setattr(limiter, "_check_request_limit",
                        lambda *a, **k: checked.append(k) or real_check(*a, **k))
    assert client.get("/login").status_code == 200
    assert checked == []  # no limit on the login page (its throttle is the database's)
    assert client.get("/verify").status_code == 200
    assert len(checked) == 1 and checked[0]["in_middleware"] is False  # the decorator's check


def test_every_limit_is_on_a_view_so_the_hook_has_nothing_to_check(app):
    """A limit on a blueprint, or a default one, is checked only by the hook init_limiter takes
    out: adding one must come with keeping the hook."""
    from app.extensions import limiter

    manager = limiter.limit_manager
    assert not manager._blueprint_limits and not manager._default_limits
    assert not manager._application_limits and manager._decorated_limits


@pytest.mark.parametrize("app_settings", [{"RATELIMIT_DEFAULT": "100 per minute"}])
def test_a_default_limit_keeps_the_limiter_s_hook_on_every_request(app):
    from app.extensions import limiter

    assert limiter._check_request_limit in app.before_request_funcs[None]


@pytest.mark.parametrize("app_settings", [{"RATELIMIT_ENABLED": False}])
def test_an_app_with_the_limiter_switched_off_starts_and_serves(client):
    assert client.get("/verify").status_code == 200
