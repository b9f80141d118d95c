"""xAPI 1.0.3 statements as plain JSON: who did what to which activity, and their validation.

Pure: no Flask or database import. The caller passes the site's public address and plain values
read from its rows. Each statement's id is a UUID derived from the site and the event ("attempt
<token> passed"), so building it again gives the same id, and an LRS that already holds it keeps
one copy (xAPI: a statement id names one statement for ever).
"""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_PATH = Path(__file__).with_name("statement.schema.json")
XAPI_VERSION = "1.0.3"
PLATFORM = "Hocso"
# The root of every site's statement ids; a site's own namespace adds its public address to it.
HOCSO_NAMESPACE = uuid.UUID("6f1e3c52-9a4b-5d1e-8c07-2b9d4e61a0f3")


@dataclass(frozen=True)
class Verb:
    id: str
    display: dict[str, str]

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "display": dict(self.display)}


# ADL's verbs (http://adlnet.gov/expapi/verbs/), with Vietnamese displays of our own.
EXPERIENCED = Verb("http://adlnet.gov/expapi/verbs/experienced", {"vi": "đã xem", "en": "experienced"})
PASSED = Verb("http://adlnet.gov/expapi/verbs/passed", {"vi": "đã đạt", "en": "passed"})
FAILED = Verb("http://adlnet.gov/expapi/verbs/failed", {"vi": "không đạt", "en": "failed"})
COMPLETED = Verb("http://adlnet.gov/expapi/verbs/completed", {"vi": "đã hoàn thành", "en": "completed"})

COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
MODULE_TYPE = "http://adlnet.gov/expapi/activities/module"
ASSESSMENT_TYPE = "http://adlnet.gov/expapi/activities/assessment"


@dataclass(frozen=True)
class Learner:
    username: str  # never changes in Hocso, and is what the province's lists know her by
    full_name: str


@dataclass(frozen=True)
class Activity:
    """An activity by its IRI (an address under the site's PUBLIC_BASE_URL)."""

    id: str
    type: str
    name: dict[str, str]  # language -> title

    def as_json(self) -> dict[str, Any]:
        return {"objectType": "Activity", "id": self.id,
                "definition": {"name": dict(self.name), "type": self.type}}


def site_namespace(base_url: str) -> uuid.UUID:
    """The namespace of one site's statement ids: two sites sending to one LRS never collide."""
    return uuid.uuid5(HOCSO_NAMESPACE, base_url.rstrip("/"))


def statement_id(base_url: str, event_key: str) -> str:
    return str(uuid.uuid5(site_namespace(base_url), event_key))


def course_activity(base_url: str, slug: str, names: dict[str, str]) -> Activity:
    return Activity(f"{base_url.rstrip('/')}/courses/{slug}", COURSE_TYPE, names)


def module_activity(base_url: str, course_slug: str, slug: str, names: dict[str, str]) -> Activity:
    return Activity(f"{base_url.rstrip('/')}/courses/{course_slug}/modules/{slug}", MODULE_TYPE, names)


def quiz_activity(base_url: str, course_slug: str, module_slug: str, names: dict[str, str]) -> Activity:
    """A module's quiz: the module's address with /quiz (where an attempt is started)."""
    module = module_activity(base_url, course_slug, module_slug, names)
    return Activity(f"{module.id}/quiz", ASSESSMENT_TYPE, names)


def actor(base_url: str, learner: Learner) -> dict[str, Any]:
    """An Agent identified by her account on this site: learners often have no e-mail address."""
    return {"objectType": "Agent", "name": learner.full_name,
            "account": {"homePage": base_url.rstrip("/"), "name": learner.username}}


def _utc(moment: datetime) -> datetime:
    """Aware UTC; SQLite hands back the UTC times Hocso stored without their zone."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC, to the millisecond (an LRS keeps at least that precision)."""
    return _utc(moment).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def duration(seconds: float) -> str:
    return f"PT{max(0.0, seconds):.2f}S"


def registration(base_url: str, username: str, course_slug: str) -> str:
    """One registration per learner and course (her enrolment), the same in every statement."""
    return statement_id(base_url, f"registration:{username}:{course_slug}")


def _statement(base_url: str, key: str, learner: Learner, verb: Verb, activity: Activity,
               at: datetime, context: dict[str, Any], result: dict[str, Any] | None = None) -> dict[str, Any]:
    statement = {
        "id": statement_id(base_url, key),
        "actor": actor(base_url, learner),
        "verb": verb.as_json(),
        "object": activity.as_json(),
        "context": {"platform": PLATFORM, **context},
        "timestamp": timestamp(at),
    }
    if result is not None:
        statement["result"] = result
    return statement


def _course_context(base_url: str, learner: Learner, course: Activity, course_slug: str) -> dict[str, Any]:
    return {"registration": registration(base_url, learner.username, course_slug),
            "contextActivities": {"parent": [course.as_json()]}}


def module_experienced(base_url: str, learner: Learner, course_slug: str, course: Activity,
                       module: Activity, at: datetime) -> dict[str, Any]:
    """She opened the module for the first time."""
    key = f"experienced:{learner.username}:{module.id}"
    return _statement(base_url, key, learner, EXPERIENCED, module, at,
                      _course_context(base_url, learner, course, course_slug))


@dataclass(frozen=True)
class QuizOutcome:
    attempt_token: str
    percent: int
    points: float
    max_points: int
    passed: bool
    started_at: datetime
    submitted_at: datetime


def quiz_finished(base_url: str, learner: Learner, course_slug: str, course: Activity,
                  quiz: Activity, outcome: QuizOutcome) -> dict[str, Any]:
    """One graded attempt: passed or failed, with its score."""
    verb = PASSED if outcome.passed else FAILED
    max_points = max(outcome.max_points, 0)
    result = {
        "score": {"scaled": round(min(max(outcome.percent, 0), 100) / 100, 4),
                  "raw": min(max(outcome.points, 0), max_points), "min": 0, "max": max_points},
        "success": outcome.passed,
        "completion": True,
        "duration": duration((_utc(outcome.submitted_at) - _utc(outcome.started_at)).total_seconds()),
    }
    key = f"attempt:{outcome.attempt_token}:{'passed' if outcome.passed else 'failed'}"
    return _statement(base_url, key, learner, verb, quiz, outcome.submitted_at,
                      _course_context(base_url, learner, course, course_slug), result)


def course_completed(base_url: str, learner: Learner, course_slug: str, course: Activity,
                     score: int | None, at: datetime) -> dict[str, Any]:
    """She completed the course (the certificate is issued in the same transaction)."""
    result: dict[str, Any] = {"success": True, "completion": True}
    if score is not None:
        result["score"] = {"scaled": round(min(max(score, 0), 100) / 100, 4),
                           "raw": min(max(score, 0), 100), "min": 0, "max": 100}
    context = {"registration": registration(base_url, learner.username, course_slug)}
    key = f"completed:{learner.username}:{course.id}"
    return _statement(base_url, key, learner, COMPLETED, course, at, context, result)


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def problems(statement: dict[str, Any]) -> list[str]:
    """What makes this statement invalid under xAPI 1.0.3; empty when it is valid."""
    found = [f"{'/'.join(map(str, error.absolute_path)) or '(statement)'}: {error.message}"
             for error in _validator().iter_errors(statement)]
    score = (statement.get("result") or {}).get("score") or {}
    low, high, raw = score.get("min"), score.get("max"), score.get("raw")
    if low is not None and high is not None and low > high:
        found.append("result/score: min is above max")
    if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
        found.append("result/score: raw is outside min..max")
    return found
