"""Demo units and accounts so that `make run` shows the real journey at once."""

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from app.accounts.models import Role, User
from app.accounts.services import create_user
from app.authoring.instructors import assign
from app.content.services import course_by_slug, courses_synced
from app.extensions import db
from app.progress.services import enrol
from app.units.models import Unit, UnitLevel

demo_cli = AppGroup("demo", help="Demo data for trying Hocso locally.")

DEMO_COURSE = "chuyen-doi-so-co-ban"
DEMO_UNITS = [
    ("DEMO-LC", "Tỉnh Lào Cai", UnitLevel.PROVINCE, None),
    ("DEMO-LC-BH", "Xã Bắc Hà", UnitLevel.COMMUNE, "DEMO-LC"),
    ("DEMO-LC-MK", "Xã Mường Khương", UnitLevel.COMMUNE, "DEMO-LC"),
]
DEMO_ACCOUNTS = [
    ("hocvien", "Nguyễn Thị Hồng Nhung", Role.LEARNER, "DEMO-LC-BH", "HocVien@2025"),
    ("giangvien", "Hoàng Văn Đức", Role.INSTRUCTOR, "DEMO-LC", "GiangVien@2025"),
    ("quantri", "Lê Minh Châu", Role.ADMIN, "DEMO-LC", "QuanTri@2025"),
]


def ensure_demo_units() -> dict[str, Unit]:
    units = {}
    for code, name, level, parent_code in DEMO_UNITS:
        unit = db.session.scalar(sa.select(Unit).filter_by(code=code))
        if unit is None:
            unit = Unit(code=code, name=name, level=level, parent=units.get(parent_code))
            db.session.add(unit)
        units[code] = unit
    db.session.flush()
    return units


def _demo_account(username: str, role: Role) -> User | None:
    return db.session.scalar(sa.select(User).filter_by(username=username, role=role))


def link_demo_accounts() -> None:
    """Enrol the demo learner in the demo course and let the demo instructor edit it (each once;
    nothing while the course or the accounts are missing). The caller commits."""
    course = course_by_slug(DEMO_COURSE)
    if course is None:
        return
    accounts = {role: _demo_account(username, role) for username, _, role, _, _ in DEMO_ACCOUNTS}
    if accounts[Role.LEARNER] is not None:
        enrol(accounts[Role.LEARNER], course)
    if accounts[Role.INSTRUCTOR] is not None and accounts[Role.ADMIN] is not None:
        assign(accounts[Role.INSTRUCTOR], course, by=accounts[Role.ADMIN])


@courses_synced.connect
def _link_loaded_demo_course(_report, **_details) -> None:
    """`flask demo create` may run before `flask courses sync` first loads the demo course."""
    if current_app.config["DEMO_DATA_ALLOWED"]:
        link_demo_accounts()


@demo_cli.command("create")
def create_demo_command():
    """Create the demo units and accounts if absent, and print how to log in."""
    if not current_app.config["DEMO_DATA_ALLOWED"]:
        raise click.ClickException(
            "refusing to create demo accounts in production: their passwords are public. "
            "Create the first admin with `flask users create NAME --role admin`."
        )
    units = ensure_demo_units()
    click.echo("Demo accounts (username / password):")
    for username, name, role, unit_code, password in DEMO_ACCOUNTS:
        if db.session.scalar(sa.select(User).filter_by(username=username)) is None:
            create_user(username, name, password, role, units[unit_code])
        click.echo(f"  {role.value:<10} {username:<10} / {password}")
    link_demo_accounts()
    db.session.commit()
