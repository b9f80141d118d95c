import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from app.authoring.overlay import MODULE_FILE_NAME
from app.authoring.services import MAX_SOURCE_CHARACTERS
from app.security.input_hygiene import is_ascii_number

ACTIONS = ("preview", "validate", "publish")
_HASH = re.compile(r"[0-9a-f]{64}")
FILE_NAME_RULE = _l("Use lowercase letters a-z, digits and hyphens, ending in .md, such as 04-bai-moi.md.")


def _number_or_empty(form, field) -> None:
    if field.data and not (is_ascii_number(field.data) and len(field.data) <= 9):
        raise ValidationError(_l("Open the module again and repeat your change."))


def _hash_or_empty(form, field) -> None:
    if field.data and not _HASH.fullmatch(field.data):
        raise ValidationError(_l("Open the module again and repeat your change."))


class ModuleSourceForm(FlaskForm):
    """The editor: a module file's whole Markdown source, and what editing started from."""

    source = TextAreaField(
        _l("Markdown of the module (front matter, reading and quiz)"),
        validators=[
            DataRequired(_l("The module is empty; write its front matter, reading and quiz.")),
            Length(max=MAX_SOURCE_CHARACTERS,
                   message=_l("The module is too long; split it into several modules.")),
        ],
        render_kw={"rows": 28, "spellcheck": "false", "class": "source"},
    )
    note = StringField(_l("What did you change? (optional)"), validators=[Optional(), Length(max=500)])
    base_hash = HiddenField(validators=[_hash_or_empty])
    live_revision = HiddenField(validators=[_number_or_empty])
    draft = HiddenField(validators=[_number_or_empty])

    @staticmethod
    def number(field) -> int | None:
        return int(field.data) if is_ascii_number(field.data or "") and len(field.data) <= 9 else None


class NewModuleForm(ModuleSourceForm):
    file_name = StringField(
        _l("File name"),
        validators=[
            DataRequired(_l("Give the file a name, such as 04-bai-moi.md.")),
            Length(max=150),
            Regexp(MODULE_FILE_NAME.pattern + r"\Z", message=FILE_NAME_RULE),
        ],
    )


class ImageUploadForm(FlaskForm):
    image = FileField(_l("Image (PNG, JPEG, GIF or WebP, at most 1 MB)"),
                      validators=[FileRequired(_l("Choose an image file."))])


class RestoreForm(FlaskForm):
    revision_id = HiddenField(validators=[DataRequired(), _number_or_empty])


class AssignmentForm(FlaskForm):
    instructor = SelectField(_l("Instructor"), validators=[DataRequired()])
    course = SelectField(_l("Course"), validators=[DataRequired()])
    action = HiddenField(default="assign")
