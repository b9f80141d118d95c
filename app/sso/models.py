"""Which provider identity belongs to which Hocso account."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.database import utcnow
from app.extensions import db


class SsoLink(db.Model):
    """A provider's subject (its stable id for a person) linked to one account.

    Made at the first sign-in, when the match claim (a phone number, an identifier) found the
    account; later sign-ins find her by subject, so a changed phone number does not lose her.
    One link per account and provider: a second identity cannot take over a linked account.
    """

    __table_args__ = (
        sa.UniqueConstraint("provider", "subject", name="uq_sso_link_provider_subject"),
        sa.UniqueConstraint("provider", "user_id", name="uq_sso_link_provider_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(sa.String(32))
    subject: Mapped[str] = mapped_column(sa.String(255))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    user: Mapped[User] = relationship()
