"""Issue 10, item 7: option values are per-attempt opaque ids, so answers cannot be passed on."""

import re

import sqlalchemy as sa

from app.extensions import db
from app.quizzes.models import QuizAttempt
from tests import builders
from tests.conftest import PASSWORD

VALUE = re.compile(r'<input type="(?:radio|checkbox)" name="q-[^"]+" value="([^"]*)"')


def learner_with_attempt(app, make_user, username: str):
    make_user(username=username)
    browser = app.test_client()
    browser.post("/login", data={"login": username, "password": PASSWORD})
    browser.post("/courses/khoa-mau/enrol")
    token = builders.start_attempt(browser, "gioi-thieu")
    return browser, token


def attempt(token: str) -> QuizAttempt:
    return db.session.scalar(sa.select(QuizAttempt).filter_by(token=token))


def test_issue10_7_another_learners_right_answers_score_nothing(app, make_user, figures):
    lan, lan_token = learner_with_attempt(app, make_user, "lan")
    hoa, hoa_token = learner_with_attempt(app, make_user, "hoa")
    lan_values = set(VALUE.findall(lan.get(f"/attempts/{lan_token}").get_data(as_text=True)))
    hoa_values = set(VALUE.findall(hoa.get(f"/attempts/{hoa_token}").get_data(as_text=True)))
    assert lan_values and not lan_values & hoa_values
    assert not any(value.isdigit() and len(value) < 3 for value in lan_values)
    shared = builders.answers_for("gioi-thieu", token=lan_token)  # what Lan would pass on
    hoa.post(f"/attempts/{hoa_token}", data=shared)
    by_index = builders.answers_for("gioi-thieu")  # "pick value 1", the author's indexes
    lan.post(f"/attempts/{lan_token}", data=by_index)
    # gioi-thieu's questions are all choice questions: nothing she was sent is an answer, so
    # neither sheet is even counted as an attempt (issue 14 item 4): both stay open, unscored
    unscored = [not attempt(t).is_submitted and attempt(t).points is None for t in (hoa_token, lan_token)]
    figures.add("issue 10.7: another learner's right option values and the author's indexes → "
                f"no answer, no points; {len(lan_values)} values, 0 shared between two attempts")
    assert unscored == [True, True]


def test_issue10_7_tampered_option_ids_are_ignored(app, make_user):
    lan, token = learner_with_attempt(app, make_user, "lan")
    _, other_token = learner_with_attempt(app, make_user, "hoa")
    right = builders.answers_for("gioi-thieu", token=token)
    other = builders.answers_for("gioi-thieu", token=other_token)
    tampered = {key: values * 3 + other[key] + ["x" * 5000, "²", "-1", "", "0"]
                for key, values in right.items()}
    response = lan.post(f"/attempts/{token}", data=tampered)
    assert response.status_code == 302
    done = attempt(token)
    assert done.is_submitted and 0 <= done.points <= done.max_points
    assert all(isinstance(i, int) for values in done.answers.values() for i in values)


def test_issue10_7_an_attempt_started_before_option_ids_still_submits(app, make_user):
    lan, token = learner_with_attempt(app, make_user, "lan")
    old = attempt(token)
    old.option_ids = None  # as the migration leaves an attempt that was open during the upgrade
    db.session.commit()
    page = lan.get(f"/attempts/{token}").get_data(as_text=True)
    assert set(VALUE.findall(page)) <= {"0", "1", "2", "3", "4", "5"}
    lan.post(f"/attempts/{token}", data=builders.answers_for("gioi-thieu"))
    assert attempt(token).score == 100
