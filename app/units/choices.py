"""Picking a unit or an intake by name instead of typing its code.

Forms offer a <datalist> of "Name (code)" options, which works without script (the browser filters
it as the admin types). What comes back may be that option, a bare code, or a name that only one
unit or intake has; anything else is a form error that names the choices.
"""

import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.content.models import Course
from app.extensions import db
from app.i18n.markers import N_
from app.intakes.models import Intake
from app.units.models import Unit
from app.units.rollup import collation_key

NAME_AND_CODE = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[^()]+)\)$")
MAX_LISTED = 5  # namesakes named in an error message


class ChoiceError(ValueError):
    """What was typed matches no unit or intake, or several; `message` is an English msgid."""

    def __init__(self, message: str, **params: Any):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Choice:
    """One unit or intake as a form offers it."""

    code: str
    name: str
    where: str = ""  # told apart from namesakes: the province, or the course

    @property
    def value(self) -> str:
        return f"{self.name} ({self.code})"


def name_key(text: str) -> str:
    """Names compared as people read them: case, spacing and Unicode form do not count; tone marks do."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def match_choice(text: str, choices: Sequence[Choice], codes: Iterable[str] = ()) -> str | None:
    """The code meant by `text` (a code, "Name (code)" or a unique name); None for empty text.

    `codes` are more codes accepted as typed (units that have ended, which a date may still need).
    """
    text = " ".join(text.split())
    if not text:
        return None
    known = {choice.code for choice in choices} | set(codes)
    if text in known:
        return text
    written = NAME_AND_CODE.match(text)
    if written and written["code"].strip() in known:
        return written["code"].strip()
    key = name_key(written["name"] if written and written["name"] else text)
    namesakes = [choice for choice in choices if name_key(choice.name) == key]
    if len(namesakes) == 1:
        return namesakes[0].code
    if namesakes:
        listed = ", ".join(choice.value for choice in namesakes[:MAX_LISTED])
        raise ChoiceError(N_("Several match “%(text)s”: %(choices)s. Pick one from the list."),
                          text=text, choices=listed)
    raise ChoiceError(N_("Nothing matches “%(text)s”. Pick one from the list, or type its code."), text=text)


def unit_choices(among: Collection[int] | None = None) -> list[Choice]:
    """Today's units (of these ids, if given), by name; a namesake's option says which province it is in."""
    query = sa.select(Unit.id, Unit.code, Unit.name, Unit.parent_id).where(Unit.valid_until.is_(None))
    if among is not None:
        query = query.where(Unit.id.in_(among))
    rows = db.session.execute(query).all()
    by_id = {row.id: row for row in rows}
    counts: dict[str, int] = {}
    for row in rows:
        counts[name_key(row.name)] = counts.get(name_key(row.name), 0) + 1
    choices = []
    for row in rows:
        where = _province_name(row, by_id) if counts[name_key(row.name)] > 1 else ""
        choices.append(Choice(row.code, row.name, where))
    return sorted(choices, key=lambda choice: (collation_key(choice.name), collation_key(choice.where),
                                               choice.code))


def _province_name(row, by_id) -> str:
    names, parent = [], by_id.get(row.parent_id)
    while parent is not None and len(names) < 3:  # commune -> (district ->) province
        names.append(parent.name)
        parent = by_id.get(parent.parent_id)
    return ", ".join(names)


def find_unit_code(text: str, choices: Sequence[Choice] | None = None) -> str | None:
    """The unit code meant by `text` (an ended unit by its code too); raises ChoiceError.

    `choices`: today's units, when the caller looks up several (see unit_choices)."""
    text = " ".join(text.split())
    if not text:
        return None
    written = NAME_AND_CODE.match(text)
    typed_codes = [code for code in (text, written and written["code"].strip()) if code and len(code) <= 32]
    known = set(db.session.scalars(sa.select(Unit.code).where(Unit.code.in_(typed_codes))))
    for code in typed_codes:
        if code in known:
            return code
    return match_choice(text, unit_choices() if choices is None else choices)


def intake_choices(course_id: int | None = None) -> list[Choice]:
    """The intakes of one course (or of every course, saying which), newest first."""
    query = (sa.select(Intake.code, Intake.name, Course.title).join(Course, Course.id == Intake.course_id)
             .order_by(Intake.created_at.desc(), Intake.id.desc()))
    if course_id is not None:
        query = query.where(Intake.course_id == course_id)
    return [Choice(code, name, "" if course_id is not None else title)
            for code, name, title in db.session.execute(query)]


def find_intake_code(course_id: int, text: str) -> str | None:
    """The code of the intake of this course meant by `text`; raises ChoiceError."""
    return match_choice(text, intake_choices(course_id))
