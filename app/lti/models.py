"""Who launched from where, and the scores waiting to go back to the platforms."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.content.models import Course
from app.database import status_type, utcnow
from app.extensions import db


class LtiNonce(db.Model):
    """A nonce sent to a platform at login; a launch may use it once, before it expires."""

    nonce: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)


class LtiIdentity(db.Model):
    """A platform's user (issuer and subject, the platform's stable id) is this Hocso user."""

    __table_args__ = (sa.UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(sa.String(255))
    subject: Mapped[str] = mapped_column(sa.String(255))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_launch_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship()


class LtiResourceLink(db.Model):
    """An activity on a platform that opens a Hocso course, with its grade column (AGS) as the
    last launch described it."""

    __table_args__ = (
        sa.UniqueConstraint("issuer", "client_id", "deployment_id", "resource_link_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(sa.String(255))
    client_id: Mapped[str] = mapped_column(sa.String(255))
    deployment_id: Mapped[str] = mapped_column(sa.String(255))
    resource_link_id: Mapped[str] = mapped_column(sa.String(255))
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(255), default="")
    lineitem_url: Mapped[str | None] = mapped_column(sa.String(2000))
    ags_scopes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    course: Mapped[Course] = relationship()


class LtiLinkLearner(db.Model):
    """She opened the course from this link: her completion is sent to its grade column."""

    __table_args__ = (sa.UniqueConstraint("identity_id", "link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    identity_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_identity.id"), index=True)
    link_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_resource_link.id"), index=True)
    first_launch_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    identity: Mapped[LtiIdentity] = relationship()
    link: Mapped[LtiResourceLink] = relationship()


class ScoreState(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # every attempt failed; the error says why


class LtiScore(db.Model):
    """One score to send to a platform's line item: written with the course completion, in its
    transaction, and sent later by the worker (app.lti.grade_passback). What is sent is copied
    here, so a later change of link or course does not change it."""

    __table_args__ = (sa.UniqueConstraint("user_id", "link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    link_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_resource_link.id"), index=True)
    issuer: Mapped[str] = mapped_column(sa.String(255))
    client_id: Mapped[str] = mapped_column(sa.String(255))
    lineitem_url: Mapped[str] = mapped_column(sa.String(2000))
    ags_scopes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    platform_user_id: Mapped[str] = mapped_column(sa.String(255))  # the platform's `sub`
    score_given: Mapped[int]
    score_maximum: Mapped[int]
    completed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    state: Mapped[ScoreState] = mapped_column(
        status_type(ScoreState, "state"), default=ScoreState.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                      index=True)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
