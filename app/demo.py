"""Demo units and accounts so that `make run` shows the real journey at once."""

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from app.accounts.models import Role, Unit, UnitLevel, User
from app.accounts.services import create_user
from app.content.services import course_by_slug
from app.extensions import db
from app.progress.services import enrol

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


@demo_cli.command("create")
def create_demo_command():
    """Create the demo units and accounts if absent, and print how to log in."""
    if not current_app.config["DEMO_DATA_ALLOWED"]:
        raise click.ClickException(
            "refusing to create demo accounts in production: their passwords are public. "
            "Create the first admin with `flask users create NAME --role admin`."
        )
    units = ensure_demo_units()
    course = course_by_slug(DEMO_COURSE)
    click.echo("Demo accounts (username / password):")
    for username, name, role, unit_code, password in DEMO_ACCOUNTS:
        user = db.session.scalar(sa.select(User).filter_by(username=username))
        if user is None:
            user = create_user(username, name, password, role, units[unit_code])
        if role == Role.LEARNER and course is not None:
            enrol(user, course)
        click.echo(f"  {role.value:<10} {username:<10} / {password}")
    db.session.commit()
