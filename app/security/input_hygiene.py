"""Refuse requests whose text cannot be stored honestly: NUL bytes, invalid UTF-8, surrogates;
and ids in URLs that no database row can have."""

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

MAX_DATABASE_ID = 2**63 - 1  # PostgreSQL bigint; SQLite's integer overflows above it too


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits from 1 to 2^63-1, anything else is a 404.

    Werkzeug's own converter takes any length (and, through `\\d`, other scripts' digits):
    an id past 2^63 reached the database driver and came back as a 500.
    """

    regex = r"[0-9]{1,19}"

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_DATABASE_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def is_ascii_number(text: str) -> bool:
    """"12" yes; "²", "١٢" and "" no (str.isdigit accepts them, int() then fails or surprises)."""
    return text.isascii() and text.isdigit()


def register_converters(app: Flask) -> None:
    """Before any blueprint: routes pick their converters when they are added."""
    app.url_map.converters["int"] = DatabaseIdConverter

# Werkzeug decodes invalid UTF-8 in multipart bodies to U+FFFD (in query strings and urlencoded
# bodies it keeps the escapes as text); no form of ours has a reason to send either.
_FORBIDDEN = ("\x00", "\ufffd")


def _is_clean(text: object) -> bool:
    if not isinstance(text, str):  # a multipart part without a usable name
        return False
    if any(mark in text for mark in _FORBIDDEN):
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return False
    return True


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_malformed_text():
        if request.is_json:
            abort(400)  # no endpoint takes JSON; form libraries would misread it
        values = [*request.args.keys(), *request.args.values(), request.path]
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            values += [*request.form.keys(), *request.form.values()]
        if not all(_is_clean(value) for value in values):
            abort(400)
