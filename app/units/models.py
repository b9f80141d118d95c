"""Units of the administrative tree: provinces, districts and communes, with their history."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import status_type, utcnow
from app.extensions import db


class UnitLevel(enum.StrEnum):
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"


class Unit(db.Model):
    """A province, district or commune. Units are never deleted: a merged or abolished unit
    keeps its history and points to its successor from the date it stopped existing."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    level: Mapped[UnitLevel] = mapped_column(status_type(UnitLevel, "level"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]  # set when merged or abolished
    successor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)

    parent: Mapped["Unit | None"] = relationship(remote_side=[id], foreign_keys=[parent_id])
    successor: Mapped["Unit | None"] = relationship(remote_side=[id], foreign_keys=[successor_id])

    def path_names(self) -> list[str]:
        """Names from this unit up to its province, nearest first."""
        names, unit = [], self
        while unit is not None:
            names.append(unit.name)
            unit = unit.parent
        return names

    @property
    def display_name(self) -> str:
        return ", ".join(self.path_names())

