"""The named access rules on objects that views ask (issue 11, item 6), without a database."""

from types import SimpleNamespace

import pytest

from app.accounts.models import Role
from app.certificates.services import downloadable_by
from app.progress.services import may_study

COURSE = SimpleNamespace(id=7)


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.ADMIN])
def test_staff_may_study_any_course_without_an_enrolment(role):
    assert may_study(SimpleNamespace(id=1, role=role), COURSE, enrolled=False)


def test_a_learner_may_study_only_where_she_is_enrolled():
    learner = SimpleNamespace(id=1, role=Role.LEARNER)
    assert may_study(learner, COURSE, enrolled=True)
    assert not may_study(learner, COURSE, enrolled=False)


def test_a_certificate_downloads_for_its_owner_and_admins_only():
    certificate = SimpleNamespace(user_id=5)
    assert downloadable_by(certificate, SimpleNamespace(id=5, role=Role.LEARNER))
    assert downloadable_by(certificate, SimpleNamespace(id=9, role=Role.ADMIN))
    assert not downloadable_by(certificate, SimpleNamespace(id=9, role=Role.LEARNER))
    assert not downloadable_by(certificate, SimpleNamespace(id=9, role=Role.INSTRUCTOR))
