"""Forms of the public certificate pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class VerifyFileForm(FlaskForm):
    pdf = FileField(_l("Certificate PDF file"),
                    validators=[FileRequired(_l("Choose the certificate's PDF file."))])
