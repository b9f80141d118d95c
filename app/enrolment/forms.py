from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.enrolment.services import MAX_INTAKE_TARGET


class ImportForm(FlaskForm):
    file = FileField(_l("Learner list (XLSX or CSV)"),
                     validators=[FileRequired(_l("Choose the file to import."))])
    intake = SelectField(_l("Enrol everyone in this intake (optional)"), coerce=int,
                         choices=[SelectChoice(0, "—")])


class ConfirmImportForm(FlaskForm):
    payload = HiddenField(validators=[DataRequired()])


class CountField(IntegerField):
    """A whole number, with our own message for text that is not one (WTForms has no Vietnamese)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_l("Enter a whole number of at least 1.")) from error


class IntakeForm(FlaskForm):
    course = SelectField(_l("Course"), choices=[], validators=[DataRequired()])
    code = StringField(_l("Code (e.g. 2025-dot-1)"),
                       validators=[DataRequired(_l("Enter the code.")), Length(max=32)])
    name = StringField(_l("Name (e.g. Đợt 1 năm 2025)"),
                       validators=[DataRequired(_l("Enter the name.")), Length(max=200)])
    deadline = DateField(_l("Deadline (optional)"), validators=[Optional()])
    target = CountField(
        _l("Target: learners to reach (optional)"),
        validators=[Optional(), NumberRange(1, MAX_INTAKE_TARGET, _l("Enter a whole number of at least 1."))],
        description=_l("Reports measure completion against this number. Empty: the number of learners "
                       "enrolled in the intake."),
    )


class IntakeEditForm(FlaskForm):
    name = IntakeForm.name
    deadline = IntakeForm.deadline
    target = IntakeForm.target


class EnrolForm(FlaskForm):
    unit = StringField(_l("Unit: every learner of the unit and below"), validators=[Length(max=300)],
                       description=_l("Type part of the name and pick the unit from the list."))
    unit_codes = TextAreaField(_l("More units, one per line (name or code)"),
                               validators=[Length(max=20_000)])
    logins = TextAreaField(_l("Usernames or phone numbers, one per line"),
                           validators=[Length(max=20_000)])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
