"""The flask commands: users, courses, certificates."""

import sqlalchemy as sa

from app.accounts.models import User
from app.certificates.models import Certificate
from app.content.models import Course
from app.extensions import db
from tests import builders


def test_users_create_with_unit_and_role(app, commune):
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "nhung", "--role", "instructor", "--name", "Nguyễn Thị Hồng Nhung",
        "--unit", "T99-X01", "--password", "Mot-mat-khau-dai-2025"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).filter_by(username="nhung"))
    assert user.role == "instructor" and user.unit.code == "T99-X01"


def test_users_create_prompts_for_the_password(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "hoa", "--name", "Lê Thị Hoa"],
        input="Mot-mat-khau-dai-2025\nMot-mat-khau-dai-2025\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(User).filter_by(username="hoa")) is not None


def test_users_create_refuses_bad_input_clearly(app):
    runner = app.test_cli_runner()
    common = runner.invoke(args=["users", "create", "hoa", "--name", "Hoa", "--password", "12345678"])
    assert common.exit_code != 0 and "common" in common.output
    unit = runner.invoke(args=["users", "create", "hoa", "--name", "Hoa", "--unit", "X",
                               "--password", "Mot-mat-khau-dai-2025"])
    assert unit.exit_code != 0 and "no unit" in unit.output
    assert db.session.scalar(sa.select(User).filter_by(username="hoa")) is None


def test_courses_validate_reports_file_line_and_exits_non_zero(app, courses_dir):
    module = courses_dir / "khoa-mau" / "03-an-toan.md"
    module.write_text(module.read_text().replace("- (x) Không cung cấp mã cho ai", "- ( ) Không"))
    result = app.test_cli_runner().invoke(args=["courses", "validate", str(courses_dir)])
    assert result.exit_code == 1
    assert "khoa-mau/03-an-toan.md:" in result.output


def test_courses_validate_passes_on_the_shipped_courses(app):
    from config import BASE_DIR

    result = app.test_cli_runner().invoke(args=["courses", "validate", str(BASE_DIR / "courses")])
    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s)" in result.output


def test_courses_sync_loads_nothing_when_any_course_is_broken(app, courses_dir):
    (courses_dir / "khoa-hong").mkdir()
    (courses_dir / "khoa-hong" / "course.yml").write_text("id: khoa-hong\ntitle: [\n")
    course = builders.course()
    course.title = "Tên cũ"
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["courses", "sync"])
    assert result.exit_code != 0 and "course.yml:" in result.output
    assert db.session.scalar(sa.select(Course.title).filter_by(slug="khoa-mau")) == "Tên cũ"


def test_revoke_and_reissue_keep_the_records(app, client, auth, make_user):
    make_user(username="lan")
    auth.login("lan")
    builders.complete_course(client)
    runner = app.test_cli_runner()
    old = db.session.scalars(sa.select(Certificate)).one()
    result = runner.invoke(args=["certificates", "reissue", old.display_code])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    new = db.session.scalar(sa.select(Certificate).filter_by(status="valid"))
    assert new.code != old.code and old.status == "superseded" and old.superseded_by_id == new.id
    page = client.get(f"/verify/{old.display_code}").get_data(as_text=True)
    assert new.display_code in page
    result = runner.invoke(args=["certificates", "revoke", new.display_code, "--reason", "Cấp nhầm"])
    assert result.exit_code == 0, result.output
    page = client.get(f"/verify/{new.display_code}").get_data(as_text=True)
    assert "Cấp nhầm" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 2
