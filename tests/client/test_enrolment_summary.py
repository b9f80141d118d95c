"""Issue 15: each enrolment's summary (started, completed with score, certified), written on the
transitions, equals what the raw tables say; the funnel counts it shows equal a direct count."""

import sqlalchemy as sa

from app.accounts.models import User
from app.certificates.models import Certificate, CertificateStatus
from app.certificates.services import reissue_certificate, revoke_certificate
from app.content.models import Module
from app.extensions import db
from app.progress import enrolment_summary
from app.progress.models import CourseCompletion, Enrolment, ModuleProgress
from app.reports.services import stage_counts
from tests import builders


def summaries() -> dict[tuple[int, int], tuple]:
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(
            Enrolment.user_id,
            Enrolment.course_id,
            Enrolment.started_at,
            Enrolment.completed_at,
            Enrolment.score,
            Enrolment.certified,
        )
    )
    return {
        (u, c): (started is not None, completed, score, certified)
        for u, c, started, completed, score, certified in rows
    }


def rebuilt() -> dict[tuple[int, int], tuple]:
    enrolment_summary.rebuild()
    return summaries()


def learner_id(username: str) -> int:
    return db.session.scalar(sa.select(User.id).where(User.username == username))


def test_a_learners_journey_writes_her_summary_as_the_raw_tables_have_it(client, auth, make_user):
    make_user(username="lan")
    auth.login("lan")
    client.post("/courses/khoa-mau/enrol")
    key = (learner_id("lan"), builders.course().id)
    assert summaries()[key] == (False, None, None, False)
    first = builders.course().active_modules[0]
    assert client.get(f"/courses/khoa-mau/modules/{first.slug}").status_code == 200
    assert summaries()[key][0] is True  # started, before anything is completed
    builders.complete_course(client)
    completion = db.session.scalars(sa.select(CourseCompletion)).one()
    started, completed_at, score, certified = summaries()[key]
    assert (started, score, certified) == (True, completion.score, True)
    assert completed_at == completion.completed_at
    assert summaries() == rebuilt()


def test_revoking_and_reissuing_keep_certified_true_to_the_certificates(client, auth, make_user):
    make_user(username="lan")
    auth.login("lan")
    builders.complete_course(client)
    key = (learner_id("lan"), builders.course().id)
    certificate = db.session.scalars(sa.select(Certificate)).one()
    replacement = reissue_certificate(certificate)
    db.session.commit()
    assert summaries()[key][3] is True
    revoke_certificate(replacement, "Cấp nhầm người")
    db.session.commit()
    assert summaries()[key][3] is False
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(Certificate.status == CertificateStatus.VALID))
        == 0
    )
    assert summaries() == rebuilt()


def test_staff_who_tried_a_course_before_joining_it_count_as_started(client, auth, make_user):
    make_user(username="giangvien", role="instructor")
    auth.login("giangvien")
    first = builders.course().active_modules[0]
    client.get(f"/courses/khoa-mau/modules/{first.slug}")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModuleProgress)) == 1
    client.post("/courses/khoa-mau/enrol")
    assert summaries()[(learner_id("giangvien"), builders.course().id)][0] is True


def test_the_funnel_counts_equal_a_direct_count_of_the_raw_tables(client, auth, make_user):
    course = builders.course()
    for number, modules in enumerate((0, 1, len(course.active_modules), len(course.active_modules))):
        make_user(username=f"hv{number}")
        auth.login(f"hv{number}")
        client.post("/courses/khoa-mau/enrol")
        if modules == len(course.active_modules):
            builders.complete_course(client)
        for module in course.active_modules[:modules] if modules < len(course.active_modules) else ():
            client.get(f"/courses/khoa-mau/modules/{module.slug}")
        auth.logout()
    (counts,) = stage_counts(course, None).values()
    learners = sa.select(Enrolment.user_id).where(Enrolment.course_id == course.id)
    direct_started = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(ModuleProgress.user_id)))
        .join(Module)
        .where(Module.course_id == course.id, ModuleProgress.user_id.in_(learners))
    )
    direct_completed = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(CourseCompletion)
        .where(CourseCompletion.course_id == course.id)
    )
    direct_certified = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Certificate.user_id))).where(
            Certificate.course_id == course.id, Certificate.status == CertificateStatus.VALID
        )
    )
    assert (
        (counts.started, counts.completed, counts.certified)
        == (direct_started, direct_completed, direct_certified)
        == (3, 2, 2)
    )


def test_the_migration_fills_the_summaries_as_the_transitions_wrote_them(app, client, auth, make_user):
    from flask_migrate import downgrade, stamp, upgrade

    from bench.live_server import REPO_DIR

    for username, whole_course in (("lan", True), ("mai", False)):
        make_user(username=username)
        auth.login(username)
        if whole_course:
            builders.complete_course(client)
        else:
            client.post("/courses/khoa-mau/enrol")
            client.get(f"/courses/khoa-mau/modules/{builders.course().active_modules[0].slug}")
        auth.logout()
    written = summaries()
    assert sorted(written.values(), key=str)[0][0] is True  # both started
    db.session.commit()
    db.session.remove()
    migrations = str(REPO_DIR / "migrations")
    stamp(directory=migrations)
    downgrade(directory=migrations, revision="b7d41c2e9f10")  # before the summary columns
    upgrade(directory=migrations)
    assert summaries() == written
