"""Issued certificates: frozen facts, a status, and the PDF exactly as issued."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.accounts.models import User
from app.certificates.codes import display_code
from app.content.models import Course
from app.database import status_type, utcnow
from app.extensions import db


class CertificateStatus(enum.StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


class Certificate(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    completion_id: Mapped[int] = mapped_column(sa.ForeignKey("course_completion.id"), index=True)
    # Facts frozen at issue time: later edits to the user or the course never change them.
    full_name: Mapped[str] = mapped_column(sa.String(120))
    unit_name: Mapped[str] = mapped_column(sa.String(400))
    course_title: Mapped[str] = mapped_column(sa.String(200))
    completed_on: Mapped[date]
    score: Mapped[int | None]
    issuer: Mapped[str] = mapped_column(sa.String(200))
    signer_name: Mapped[str] = mapped_column(sa.String(120))
    signer_title: Mapped[str] = mapped_column(sa.String(120))
    issued_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    status: Mapped[CertificateStatus] = mapped_column(
        status_type(CertificateStatus, "status"), default=CertificateStatus.VALID
    )
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoke_reason: Mapped[str | None] = mapped_column(sa.String(500))
    superseded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("certificate.id"))
    # Rendered and signed after the issuing transaction (see services.stored_pdf); None until then.
    # The hash is of the signed file; indexed, so an uploaded PDF finds its record.
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    pdf: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    # Who signed the PDF (the signing certificate's subject); None: stored unsigned.
    pdf_signed_by: Mapped[str | None] = mapped_column(sa.String(300))
    pdf_signed_with_development_key: Mapped[bool] = mapped_column(default=False,
                                                                  server_default=sa.false())

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()
    superseded_by: Mapped["Certificate | None"] = relationship(remote_side=[id])

    @property
    def display_code(self) -> str:
        return display_code(self.code)

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.VALID
