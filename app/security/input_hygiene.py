"""Refuse requests whose text cannot be stored honestly: NUL bytes, invalid UTF-8, surrogates."""

from flask import Flask, abort, request

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
