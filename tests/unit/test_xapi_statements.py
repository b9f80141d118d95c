"""Building xAPI statements: valid under xAPI 1.0.3, identified by the event they report."""

import copy
from datetime import UTC, datetime, timedelta

from app.xapi import statements
from app.xapi.delivery import retry_delay
from tests.lrs_stub import structure_problems

SITE = "https://hocso.example.gov.vn"
LAN = statements.Learner("lan", "Nguyễn Thị Lan")
COURSE = statements.course_activity(SITE, "khoa-mau", {"vi": "Khóa học mẫu", "en": "Sample course"})
MODULE = statements.module_activity(SITE, "khoa-mau", "an-toan", {"vi": "An toàn", "en": "Safety"})
QUIZ = statements.quiz_activity(SITE, "khoa-mau", "an-toan", {"vi": "An toàn", "en": "Safety"})
AT = datetime(2026, 3, 8, 2, 30, 15, 123456, tzinfo=UTC)


def _outcome(passed: bool = True, token: str = "tok1") -> statements.QuizOutcome:
    return statements.QuizOutcome(token, 80 if passed else 40, 4.0 if passed else 2.0, 5, passed,
                                  AT - timedelta(minutes=3), AT)


def _experienced(site: str = SITE) -> dict:
    return statements.module_experienced(site, LAN, "khoa-mau", COURSE, MODULE, AT)


def test_module_opened_is_an_experienced_statement_by_her_account():
    statement = _experienced()
    assert statements.problems(statement) == [] and structure_problems(statement) == []
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/experienced"
    assert statement["actor"]["account"] == {"homePage": SITE, "name": "lan"}
    assert "mbox" not in statement["actor"]
    assert statement["object"]["id"] == f"{SITE}/courses/khoa-mau/modules/an-toan"
    assert statement["object"]["definition"] == {
        "name": {"vi": "An toàn", "en": "Safety"}, "type": "http://adlnet.gov/expapi/activities/module"}
    assert statement["context"]["contextActivities"]["parent"][0]["id"] == f"{SITE}/courses/khoa-mau"
    assert statement["timestamp"] == "2026-03-08T02:30:15.123Z"


def test_the_same_event_gets_the_same_id_and_another_site_another():
    assert _experienced()["id"] == _experienced()["id"]
    assert _experienced()["id"] != _experienced("https://hocso.other.gov.vn")["id"]
    passed = statements.quiz_finished(SITE, LAN, "khoa-mau", COURSE, QUIZ, _outcome(True, "a"))
    other = statements.quiz_finished(SITE, LAN, "khoa-mau", COURSE, QUIZ, _outcome(True, "b"))
    assert passed["id"] != other["id"] != _experienced()["id"]


def test_registration_is_one_per_learner_and_course():
    module = _experienced()
    completed = statements.course_completed(SITE, LAN, "khoa-mau", COURSE, 90, AT)
    assert module["context"]["registration"] == completed["context"]["registration"]
    other = statements.course_completed(SITE, statements.Learner("hoa", "Hoa"), "khoa-mau", COURSE, 90, AT)
    assert other["context"]["registration"] != completed["context"]["registration"]


def test_passed_attempt_carries_its_score():
    statement = statements.quiz_finished(SITE, LAN, "khoa-mau", COURSE, QUIZ, _outcome(True))
    assert statements.problems(statement) == []
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert statement["object"]["id"].endswith("/modules/an-toan/quiz")
    assert statement["result"] == {"score": {"scaled": 0.8, "raw": 4.0, "min": 0, "max": 5},
                                   "success": True, "completion": True, "duration": "PT180.00S"}


def test_failed_attempt_is_failed_and_unsuccessful():
    statement = statements.quiz_finished(SITE, LAN, "khoa-mau", COURSE, QUIZ, _outcome(False))
    assert statement["verb"]["display"] == {"vi": "không đạt", "en": "failed"}
    assert statement["result"]["success"] is False and statement["result"]["score"]["scaled"] == 0.4
    assert statements.problems(statement) == []


def test_course_completion_with_and_without_a_score():
    scored = statements.course_completed(SITE, LAN, "khoa-mau", COURSE, 85, AT)
    assert scored["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert scored["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/course"
    assert scored["result"]["score"] == {"scaled": 0.85, "raw": 85, "min": 0, "max": 100}
    unscored = statements.course_completed(SITE, LAN, "khoa-mau", COURSE, None, AT)
    assert "score" not in unscored["result"]
    assert statements.problems(scored) == statements.problems(unscored) == []


def test_problems_name_what_the_spec_forbids():
    statement = statements.quiz_finished(SITE, LAN, "khoa-mau", COURSE, QUIZ, _outcome(True))
    broken = copy.deepcopy(statement)
    broken["result"]["score"]["raw"] = 7
    broken["actor"]["mbox"] = "mailto:lan@example.vn"  # two identifiers
    broken["timestamp"] = "08/03/2026"
    broken["verb"]["display"] = {"": "x"}
    del broken["object"]
    found = " | ".join(statements.problems(broken))
    assert "raw is outside" in found and "actor" in found and "timestamp" in found
    assert "'object' is a required property" in found and "verb/display" in found


def test_problems_refuse_a_property_xapi_does_not_define():
    statement = _experienced()
    statement["mood"] = "happy"
    assert statements.problems(statement)


def test_retry_delay_doubles_up_to_an_hour():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert retry_delay(30) == timedelta(hours=1)
