"""Forms of the certificates admin pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.accounts.services import MAX_NAME_LENGTH


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (shown on the public verification page)"),
        validators=[DataRequired(_l("Give the reason for revoking.")), Length(max=500)],
    )


class NameCorrectionForm(FlaskForm):
    full_name = StringField(
        _l("Correct full name"),
        validators=[DataRequired(_l("Enter the full name.")), Length(max=MAX_NAME_LENGTH)],
    )


class ReissueForm(FlaskForm):
    """Only the CSRF token: the new certificate takes the learner's current name and unit."""


class PrintForm(FlaskForm):
    course = SelectField(_l("Course"), validators=[DataRequired(_l("Choose a course."))])
    unit = StringField(
        _l("Unit (empty: every unit)"), validators=[Optional(), Length(max=300)],
        description=_l("Type part of the name and pick from the list. The unit and every unit "
                       "beneath it; merged units are included."),
    )
    intake = StringField(_l("Intake (empty: every intake)"), validators=[Optional(), Length(max=300)])
    output = RadioField(
        _l("Output"),
        choices=[SelectChoice("pdf", _l("One PDF to print (cover list, then one page per certificate)")),
                 SelectChoice("zip", _l("ZIP of the issued PDF files"))],
        default="pdf",
    )
