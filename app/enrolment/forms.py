from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional


class ImportForm(FlaskForm):
    file = FileField(_l("Learner list (XLSX or CSV)"),
                     validators=[FileRequired(_l("Choose the file to import."))])
    intake = SelectField(_l("Enrol everyone in this intake (optional)"), coerce=int,
                         choices=[SelectChoice(0, "—")])


class ConfirmImportForm(FlaskForm):
    payload = HiddenField(validators=[DataRequired()])


class IntakeForm(FlaskForm):
    course = SelectField(_l("Course"), choices=[], validators=[DataRequired()])
    code = StringField(_l("Code (e.g. 2025-dot-1)"),
                       validators=[DataRequired(_l("Enter the code.")), Length(max=32)])
    name = StringField(_l("Name (e.g. Đợt 1 năm 2025)"),
                       validators=[DataRequired(_l("Enter the name.")), Length(max=200)])
    deadline = DateField(_l("Deadline (optional)"), validators=[Optional()])


class EnrolForm(FlaskForm):
    unit_codes = TextAreaField(_l("Unit codes, one per line: every learner of the unit and below"),
                               validators=[Length(max=20_000)])
    logins = TextAreaField(_l("Usernames or phone numbers, one per line"),
                           validators=[Length(max=20_000)])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
