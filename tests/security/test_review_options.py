"""Issue 10, item 9: what an attempt shows afterwards is set per quiz, with safe defaults."""

from app.content.format.parsing import parse_course_folder
from app.content.services import sync_courses
from app.extensions import db
from tests import builders

MODULE_FILE = "khoa-mau/01-gioi-thieu.md"
KEY_TAGS = ('class="is-correct', "đáp án đúng", "correct answer")
EXPLANATION = "CANARY-EXPLANATION"


def with_review(courses_dir, review_lines: str) -> str:
    """The fixture module with these front matter lines added; its new text."""
    path = courses_dir / MODULE_FILE
    text = path.read_text(encoding="utf-8").replace("minutes: 5\n", f"minutes: 5\n{review_lines}", 1)
    path.write_text(text, encoding="utf-8")
    return text


def result_page(client, auth, make_user, correct: bool) -> str:
    make_user(username="lan")
    auth.login("lan")
    client.post("/courses/khoa-mau/enrol")
    token = builders.start_attempt(client, "gioi-thieu")
    client.post(f"/attempts/{token}", data=builders.answers_for("gioi-thieu", correct, token=token))
    return client.get(f"/attempts/{token}").get_data(as_text=True)


def test_issue10_9_a_failed_attempt_shows_what_was_wrong_but_not_the_key(client, auth, make_user, figures):
    page = result_page(client, auth, make_user, correct=False)
    assert "Chưa đúng" in page or "Not correct" in page
    assert EXPLANATION in page
    leaked = [tag for tag in KEY_TAGS if tag in page]
    figures.add(f"issue 10.9: failed attempt, default review → {len(leaked)} answer keys shown, "
                "wrong questions and explanations shown")
    assert not leaked


def test_issue10_9_a_passed_attempt_shows_everything_by_default(client, auth, make_user):
    page = result_page(client, auth, make_user, correct=True)
    assert 'class="is-correct' in page and EXPLANATION in page


def test_issue10_9_a_quiz_can_show_the_score_only(app, client, auth, make_user, courses_dir):
    with_review(courses_dir, "review:\n  failed: score\n  passed: [wrong]\n")
    sync_courses(courses_dir)
    db.session.commit()
    page = result_page(client, auth, make_user, correct=False)
    assert "%" in page and EXPLANATION not in page
    assert "Chưa đúng" not in page and not any(tag in page for tag in KEY_TAGS)
    assert 'class="feedback"' in page and 'class="question' not in page


def test_issue10_9_the_linter_reports_a_bad_review_setting_at_its_line(courses_dir):
    text = with_review(courses_dir, "review:\n  failed: [wrong, answer]\n  pased: all\n")
    _, problems = parse_course_folder(courses_dir / "khoa-mau", courses_dir)
    lines = text.split("\n")
    failed_line = lines.index("  failed: [wrong, answer]") + 1
    passed_line = lines.index("  pased: all") + 1
    shown = [str(problem) for problem in problems]
    assert any(f"01-gioi-thieu.md:{failed_line}: error:" in s and "'answers'" in s for s in shown), shown
    assert any(f"01-gioi-thieu.md:{passed_line}: error:" in s and "'passed'" in s for s in shown), shown
