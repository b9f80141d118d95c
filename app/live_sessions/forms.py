"""Forms of the live-session pages. Dates, times and numbers are read here, with messages in the
user's language (WTForms has no Vietnamese catalogue of its own)."""

import re
from datetime import date, time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from app.live_sessions.schedule import MAX_DURATION_MINUTES, is_meeting_url
from app.live_sessions.services import SessionDetails

_WHOLE_NUMBER = re.compile(r"[0-9]{1,4}")  # not \d: "١٢" is a digit to Python, not to people here


class SessionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter the title.")), Length(max=200)])
    day = StringField(_l("Date"), render_kw={"type": "date"},
                      validators=[DataRequired(_l("Enter the date."))])
    at = StringField(_l("Start time (Vietnam time)"), render_kw={"type": "time"},
                     validators=[DataRequired(_l("Enter the start time."))])
    duration_minutes = StringField(_l("Duration in minutes"), default="90",
                                   render_kw={"inputmode": "numeric"},
                                   validators=[DataRequired(_l("Enter the duration."))])
    meeting_url = StringField(_l("Meeting link (Zoom, Google Meet, Teams or any other)"),
                              render_kw={"type": "url"}, validators=[Length(max=500)])
    location = StringField(_l("Location, for a session in a hall (optional)"), validators=[Length(max=300)])
    intake = SelectField(_l("Intake"), coerce=int, choices=[SelectChoice(0, "—")])
    attendance_required = BooleanField(_l("Attendance is required to complete the course"))
    minimum_minutes = StringField(_l("Minimum minutes in the meeting for an imported participant"),
                                  default="0", render_kw={"inputmode": "numeric"})

    def validate_day(self, field) -> None:
        try:
            date.fromisoformat(field.data.strip())
        except ValueError:
            raise ValidationError(_l("Write the date as YYYY-MM-DD, for example 2025-06-30.")) from None

    def validate_at(self, field) -> None:
        if not re.fullmatch(r"([01]?[0-9]|2[0-3]):[0-5][0-9]", field.data.strip()):
            raise ValidationError(_l("Write the time as HH:MM, for example 08:30."))

    def validate_duration_minutes(self, field) -> None:
        text = field.data.strip()
        if not _WHOLE_NUMBER.fullmatch(text) or not 5 <= int(text) <= MAX_DURATION_MINUTES:
            raise ValidationError(_l("Enter a number of minutes from 5 to %(max)d.",
                                     max=MAX_DURATION_MINUTES))

    def validate_minimum_minutes(self, field) -> None:
        text = (field.data or "0").strip()
        if not _WHOLE_NUMBER.fullmatch(text) or int(text) > MAX_DURATION_MINUTES:
            raise ValidationError(_l("Enter a whole number of minutes, 0 for no minimum."))
        duration = (self.duration_minutes.data or "").strip()
        if _WHOLE_NUMBER.fullmatch(duration) and int(text) > int(duration):
            raise ValidationError(_l("The minimum cannot be longer than the session."))

    def validate_meeting_url(self, field) -> None:
        link, location = (field.data or "").strip(), (self.location.data or "").strip()
        if link and not is_meeting_url(link):
            raise ValidationError(_l("Enter the full link, starting with https://"))
        if not link and not location:
            raise ValidationError(_l("Enter the meeting link, or the location of a session in a hall."))

    def details(self) -> SessionDetails:
        hours, minutes = self.at.data.strip().split(":")
        return SessionDetails(
            title=self.title.data, day=date.fromisoformat(self.day.data.strip()),
            at=time(int(hours), int(minutes)), duration_minutes=int(self.duration_minutes.data.strip()),
            meeting_url=self.meeting_url.data or "", location=self.location.data or "",
            intake_id=self.intake.data or None, attendance_required=self.attendance_required.data,
            minimum_minutes=int((self.minimum_minutes.data or "0").strip()),
        )


class CheckinForm(FlaskForm):
    code = StringField(_l("Check-in code"), render_kw={"autocomplete": "off", "autocapitalize": "characters"},
                       validators=[DataRequired(_l("Type the code shown on the presenter's screen.")),
                                   Length(max=20)])


class ReportUploadForm(FlaskForm):
    file = FileField(_l("Participant report (CSV or XLSX, as Zoom, Google Meet or Teams exported it)"),
                     validators=[FileRequired(_l("Choose the report file."))])


class ConfirmImportForm(FlaskForm):
    payload = HiddenField(validators=[DataRequired()])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
