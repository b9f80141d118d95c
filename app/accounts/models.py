"""The people who use Hocso: their accounts, and the counters that slow down password guessing."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import status_type, utcnow
from app.extensions import db


class Role(enum.StrEnum):
    LEARNER = "learner"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    position: Mapped[str | None] = mapped_column(sa.String(120))  # "Chủ tịch UBND xã", ...
    full_name: Mapped[str] = mapped_column(sa.String(120))
    name_sort_key: Mapped[str] = mapped_column(sa.String(400), index=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[Role] = mapped_column(status_type(Role, "role"), default=Role.LEARNER)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Set for imported accounts and after an admin's password reset: the one-time password
    # must be replaced at the next login.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Bumped on logout and password change: sessions carrying an older value are refused.
    session_version: Mapped[int] = mapped_column(default=1)
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    # By name: Unit lives in app/units, which imports accounts (roles, users), so accounts may
    # not import it back.
    unit: Mapped["Unit | None"] = relationship()  # noqa: F821

    @property
    def is_active(self) -> bool:  # flask-login asks this
        return self.is_active_account

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


class LoginThrottle(db.Model):
    """Failed-login counters, one row per bucket (a client address, an account, or an account
    seen from one client address). In the database so that every worker and node counts
    together; see app/accounts/throttle.py."""

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    blocked_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, index=True
    )
