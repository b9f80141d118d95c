from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.units.models import UnitLevel

LEVEL_LABELS = {
    UnitLevel.PROVINCE: _l("Province"),
    UnitLevel.DISTRICT: _l("District"),
    UnitLevel.COMMUNE: _l("Commune"),
}


class UnitForm(FlaskForm):
    code = StringField(_l("Official code"), validators=[DataRequired(_l("Enter the code.")), Length(max=32)])
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")), Length(max=200)])
    level = SelectField(_l("Level"),
                        choices=[SelectChoice(level.value, label) for level, label in LEVEL_LABELS.items()])
    parent_code = StringField(_l("Parent unit, by name or code (none for a province)"),
                              validators=[Optional(), Length(max=300)])
    valid_from = DateField(_l("Exists from (optional)"), validators=[Optional()])


class RenameForm(FlaskForm):
    name = StringField(_l("New name"), validators=[DataRequired(_l("Enter the name.")), Length(max=200)])


class MoveForm(FlaskForm):
    parent_code = StringField(_l("New parent unit, by name or code"),
                              validators=[DataRequired(_l("Enter the code.")), Length(max=300)])


class MergeForm(FlaskForm):
    into_code = StringField(_l("Unit it becomes part of, by name or code"),
                            validators=[DataRequired(_l("Enter the code.")), Length(max=300)])
    effective = DateField(_l("First day it no longer exists"),
                          validators=[DataRequired(_l("Enter the date."))])
