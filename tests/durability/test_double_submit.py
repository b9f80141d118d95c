"""Case 35: ten concurrent submits of one attempt finalise it once, and everyone sees that result."""

import re

import sqlalchemy as sa

from app.extensions import db
from app.progress.models import ModuleProgress
from app.quizzes.models import QuizAttempt
from tests import builders
from tests.conftest import PASSWORD
from tests.durability.conftest import database_name, run_together

SUBMITS = 10
SCORE_LINE = re.compile(r'class="score[^"]*">\s*([^<]*?\d+\s*%[^<]*?)\s*<', re.S)


def test_ten_concurrent_submits_of_one_attempt_finalise_it_once(app, client, auth, make_user, figures):
    make_user(username="lan")
    auth.login("lan")
    client.post("/courses/khoa-mau/enrol")
    token = builders.start_attempt(client, "gioi-thieu")
    sheets = [builders.answers_for("gioi-thieu", correct=n % 2 == 0, token=token) for n in range(SUBMITS)]
    recorded = [builders.answers_for("gioi-thieu", correct=n % 2 == 0) for n in range(SUBMITS)]
    browsers = [app.test_client() for _ in range(SUBMITS)]  # ten tabs or devices, each logged in
    for browser in browsers:
        assert browser.post("/login", data={"login": "lan", "password": PASSWORD}).status_code == 302

    def submit(number: int):
        with app.app_context():
            response = browsers[number].post(f"/attempts/{token}", data=sheets[number])
            page = browsers[number].get(f"/attempts/{token}").get_data(as_text=True)
            return response.status_code, response.headers.get("Location", ""), score_shown(page)

    db.session.commit()
    answers, errors = run_together(SUBMITS, submit)
    db.session.commit()
    attempt = db.session.scalars(sa.select(QuizAttempt).filter_by(token=token)).one()
    submitted = db.session.scalar(
        sa.select(sa.func.count()).select_from(QuizAttempt).where(QuizAttempt.state == "submitted")
    )
    results = {(status, location, shown) for status, location, shown in filter(None, answers)}
    figures.add(
        f"H35 ({database_name()}): {SUBMITS} concurrent submits of one attempt → {submitted} finalised, "
        f"{len(results)} distinct result(s), {len(errors)} errors"
    )
    assert not errors, errors
    assert submitted == 1 and attempt.is_submitted
    assert len(results) == 1, results
    status, location, shown = results.pop()
    assert status == 302 and location.endswith(f"/attempts/{token}")
    assert f"{attempt.score}%" in shown
    assert attempt.answers in [as_recorded(sheet) for sheet in recorded]
    assert attempt.score in (0, 100)
    progress = db.session.scalars(sa.select(ModuleProgress)).all()
    assert len(progress) <= 1
    if attempt.passed:
        assert progress[0].best_score == attempt.score and progress[0].completed_at is not None


def as_recorded(sheet: dict[str, list[str]]) -> dict[str, list[int]]:
    """Index form fields as the attempt stores them: question id -> sorted option indexes."""
    return {key.removeprefix("q-"): sorted(int(v) for v in values) for key, values in sheet.items()}


def score_shown(page: str) -> str:
    match = SCORE_LINE.search(page)
    assert match, "no score on the result page"
    return " ".join(match.group(1).split())
