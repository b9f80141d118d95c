"""Issue 14 items 1-5 through the test client: the public address, English titles, the
several-answer hint, empty quiz submissions and a course list that tells courses apart."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.quizzes.models import AttemptState, QuizAttempt
from config import DevelopmentConfig, ProductionConfig, public_base_url_problem, served_base_url
from tests import builders
from tests.security.test_security_headers import PRODUCTION_SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]


def enrolled(client, auth, make_user, course="khoa-mau", language=None, username="lan"):
    user = make_user(username=username)
    auth.login(username)
    if language:
        client.post("/language", data={"language": language, "next": "/courses"})
    client.post(f"/courses/{course}/enrol")
    return user


def text_of(html: str, selector_tag: str) -> str:
    found = re.search(rf"<{selector_tag}[^>]*>(.*?)</{selector_tag}>", html, re.S)
    assert found, selector_tag
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def crumbs(html: str) -> str:
    found = re.search(r'<p class="crumbs">(.*?)</p>', html, re.S)
    assert found
    return re.sub(r"<[^>]+>", "", found.group(1))


# ---- item 1: PUBLIC_BASE_URL --------------------------------------------------------------------


def test_development_public_address_is_the_served_one():
    class Development(DevelopmentConfig):
        PUBLIC_BASE_URL = ""
        SERVED_HOST, SERVED_PORT = "127.0.0.1", "8123"
        SECRET_KEY = "x" * 40
        CERTIFICATE_SIGNING_KEY = "set"  # no development key is made

    Development.check()
    assert Development.PUBLIC_BASE_URL == "http://127.0.0.1:8123"
    assert served_base_url("::1", "5000") == "http://[::1]:5000"
    every_interface = served_base_url("0.0.0.0", "5000")  # noqa: S104 - an address, not a bind
    assert every_interface.endswith(":5000") and "0.0.0.0" not in every_interface


def test_make_run_port_reaches_the_development_config():
    """`PORT=8123 make run` exports FLASK_RUN_PORT, which both `flask run` and config.py read."""
    environment = {"PATH": os.environ["PATH"], "FLASK_RUN_PORT": "8123", "FLASK_RUN_HOST": "127.0.0.1"}
    code = "from config import DevelopmentConfig as D; D.SECRET_KEY = 'x' * 40; " \
           "D.CERTIFICATE_SIGNING_KEY = 'set'; D.check(); print(D.PUBLIC_BASE_URL)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "http://127.0.0.1:8123"
    makefile = (ROOT / "Makefile").read_text()
    assert "export FLASK_RUN_PORT := $(PORT)" in makefile


def test_an_explicit_public_address_wins_in_development():
    class Development(DevelopmentConfig):
        PUBLIC_BASE_URL = "https://hocso.lan.example"
        SECRET_KEY = "x" * 40
        CERTIFICATE_SIGNING_KEY = "set"

    Development.check()
    assert Development.PUBLIC_BASE_URL == "https://hocso.lan.example"


@pytest.mark.parametrize("url, says", [
    ("", "Set PUBLIC_BASE_URL"),
    ("hocso.example.gov.vn", "must start with https://"),
    ("https://hocso.example.gov.vn/hoc", "without a path"),
    ("https://hocso.example.gov.vn/?a=1", "without a path"),
])
def test_production_refuses_to_start_without_a_usable_public_address(url, says):
    class Production(ProductionConfig):
        SECRET_KEY = PRODUCTION_SECRET_KEY
        PUBLIC_BASE_URL = url

    with pytest.raises(RuntimeError, match=re.escape(says)):
        Production.check()


def test_production_starts_with_a_public_address():
    class Production(ProductionConfig):
        SECRET_KEY = PRODUCTION_SECRET_KEY
        PUBLIC_BASE_URL = "https://hocso.example.gov.vn/"

    Production.check()
    assert public_base_url_problem("http://10.0.0.5:8000") is None


# ---- item 2: English titles on the quiz, result and certificate pages ---------------------------


def test_quiz_and_result_pages_show_the_english_titles(client, auth, make_user):
    enrolled(client, auth, make_user, course="khoa-song-ngu", language="en")
    token = builders.start_attempt(client, "dang-cau-hoi", "khoa-song-ngu")
    quiz = client.get(f"/attempts/{token}").get_data(as_text=True)
    assert text_of(quiz, "h1") == "Quiz: Question kinds"
    assert text_of(quiz, "title").startswith("Quiz: Question kinds")
    assert "Bilingual course" in crumbs(quiz) and "Question kinds" in crumbs(quiz)
    client.post(f"/attempts/{token}", data=builders.answers_for("dang-cau-hoi", True, "khoa-song-ngu", token))
    result = client.get(f"/attempts/{token}").get_data(as_text=True)
    assert text_of(result, "h1") == "Result: Question kinds"
    for page in (quiz, result):
        assert "Các dạng câu hỏi" not in page and "Khóa học song ngữ" not in page


def test_vietnamese_pages_keep_the_vietnamese_titles(client, auth, make_user):
    enrolled(client, auth, make_user, course="khoa-song-ngu")
    token = builders.start_attempt(client, "dang-cau-hoi", "khoa-song-ngu")
    quiz = client.get(f"/attempts/{token}").get_data(as_text=True)
    assert text_of(quiz, "h1") == "Bài kiểm tra: Các dạng câu hỏi"
    assert "Khóa học song ngữ" in crumbs(quiz)


def test_my_certificates_in_english_name_the_course_in_english(client, auth, make_user):
    enrolled(client, auth, make_user, course="khoa-song-ngu", language="en")
    builders.complete_course(client, "khoa-song-ngu")
    page = client.get("/certificates").get_data(as_text=True)
    assert "<h2>Bilingual course</h2>" in page
    assert "Printed on the certificate as: Khóa học song ngữ" in page  # the frozen fact


# ---- item 3: the several-answer hint, once -------------------------------------------------------


SEVERAL = """---
id: nhieu-dap-an
title: Nhiều đáp án
order: 4
minutes: 2
---

Bài đọc.

<!-- quiz -->

### Những việc nào giúp bảo vệ tài khoản? {#q-bao-ve}

Chọn tất cả các đáp án đúng.

- [x] Bật xác thực hai lớp
- [ ] Dùng chung một mật khẩu
- [x] Giữ kín mã OTP
"""


def test_choose_all_is_said_once_even_when_the_author_wrote_it(app, client, auth, make_user, courses_dir):
    from app.content.services import sync_courses

    (courses_dir / "khoa-mau" / "04-nhieu-dap-an.md").write_text(SEVERAL, encoding="utf-8")
    sync_courses(courses_dir)
    db.session.commit()
    enrolled(client, auth, make_user)
    written = client.get(f"/attempts/{builders.start_attempt(client, 'nhieu-dap-an')}").get_data(as_text=True)
    assert written.count("Chọn tất cả các đáp án đúng.") == 1
    plain = client.get(f"/attempts/{builders.start_attempt(client, 'gioi-thieu')}").get_data(as_text=True)
    assert plain.count("Chọn tất cả các đáp án đúng.") == 1  # added by Hocso for q-bao-ve


def test_prompt_phrases_that_already_ask_for_every_answer():
    from app.quizzes.presentation import prompt_asks_for_all

    assert prompt_asks_for_all("<p>Câu hỏi?</p>\n<p>Chọn tất cả các đáp án đúng.</p>")
    assert prompt_asks_for_all("<p>Which apply?</p><p><em>Select all</em> that apply.</p>")
    assert prompt_asks_for_all("<p>CHỌN TẤT CẢ đáp án đúng</p>")
    assert not prompt_asks_for_all("<p>Những việc nào giúp bảo vệ tài khoản?</p>")


# ---- item 4: an empty submission is asked again ------------------------------------------------


def limit_attempts(limit: int, module: str = "gioi-thieu", course: str = "khoa-mau") -> None:
    version = builders.module(module, course).quiz_version
    version.definition = {**version.definition, "max_attempts": limit}
    db.session.commit()


def test_an_empty_submission_is_not_counted_and_uses_no_attempt(client, auth, make_user):
    enrolled(client, auth, make_user)
    limit_attempts(1)
    token = builders.start_attempt(client, "gioi-thieu")
    response = client.post(f"/attempts/{token}", data={})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/attempts/{token}")
    page = client.get(f"/attempts/{token}").get_data(as_text=True)
    assert "Bạn chưa trả lời câu nào nên bài chưa được nộp" in page
    assert 'class="quiz"' in page  # the questions again, not a result
    attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token))
    assert attempt.state == AttemptState.IN_PROGRESS and attempt.score is None
    module_page = client.get("/courses/khoa-mau/modules/gioi-thieu").get_data(as_text=True)
    assert "Số lần làm còn lại: 1." in module_page

    client.post(f"/attempts/{token}", data=builders.answers_for("gioi-thieu", token=token))
    db.session.refresh(attempt)
    assert attempt.is_submitted and attempt.score == 100
    module_page = client.get("/courses/khoa-mau/modules/gioi-thieu").get_data(as_text=True)
    assert "Số lần làm còn lại: 0." in module_page


def test_blank_typed_answers_and_unknown_options_are_no_answer(client, auth, make_user):
    enrolled(client, auth, make_user, course="khoa-song-ngu", language="en")
    token = builders.start_attempt(client, "dang-cau-hoi", "khoa-song-ngu")
    client.post(f"/attempts/{token}", data={"q-q-thu-do": "   ", "q-q-bit": "", "q-q-nam": "not-an-id"})
    attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token))
    assert not attempt.is_submitted
    assert "You answered no question" in client.get(f"/attempts/{token}").get_data(as_text=True)


def test_one_answer_is_enough_to_count(client, auth, make_user):
    enrolled(client, auth, make_user, course="khoa-song-ngu")
    token = builders.start_attempt(client, "dang-cau-hoi", "khoa-song-ngu")
    client.post(f"/attempts/{token}", data={"q-q-bit": "128"})
    attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token))
    assert attempt.is_submitted and attempt.points == 1


# ---- item 5: the course list ---------------------------------------------------------------------


def cards(page: str) -> list[str]:
    return re.findall(r'<li class="card[^"]*">(.*?)</li>', page, re.S)


def test_a_new_learner_sees_whom_each_course_is_for_and_how_long_it_is(client, auth, make_user):
    make_user(username="lan")
    auth.login("lan")
    page = client.get("/courses").get_data(as_text=True)
    assert "Khóa học bạn có thể tham gia" in page
    sample = next(card for card in cards(page) if "Khóa học mẫu về chuyển đổi số" in card)
    assert "Dành cho:</strong> Cán bộ xã dùng thử Hocso" in sample
    assert "3 bài học, khoảng 13 phút đọc" in sample
    assert "Khóa học nhỏ dùng trong kiểm thử." in sample


def test_the_course_list_in_english_and_enrolled_courses_first(client, auth, make_user):
    enrolled(client, auth, make_user, course="khoa-song-ngu", language="en")
    page = client.get("/courses").get_data(as_text=True)
    first, other = cards(page)
    assert "Bilingual course" in first and "<progress" in first
    assert "For:</strong> Testers reading in English" in first
    assert "2 modules, about 15 minutes of reading" in first
    assert "Khóa học mẫu về chuyển đổi số" in other and "3 modules" in other
    assert "Other courses" in page


def test_sync_stores_the_audience_and_the_linter_checks_it(app, courses_dir):
    from app.content.format.parsing import parse_courses

    specs, problems = parse_courses(courses_dir)
    assert [p for p in problems if p.severity == "error"] == []
    assert {s.id: s.audience for s in specs}["khoa-mau"] == "Cán bộ xã dùng thử Hocso"
    yml = courses_dir / "khoa-mau" / "course.yml"
    yml.write_text(yml.read_text(encoding="utf-8").replace(
        "audience: Cán bộ xã dùng thử Hocso", "audience: " + "x" * 301), encoding="utf-8")
    _, problems = parse_courses(courses_dir)
    assert any("audience" in p.message and "300" in p.message for p in problems)
    assert builders.course().audience == "Cán bộ xã dùng thử Hocso"
