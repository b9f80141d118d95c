"""Refuse requests whose text cannot be stored honestly: NUL bytes, invalid UTF-8, surrogates."""

from flask import Flask, abort, request

# Werkzeug decodes invalid UTF-8 to U+FFFD; no form of ours has a reason to send it.
_FORBIDDEN = ("\x00", "\ufffd")


def _is_clean(text: str) -> bool:
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
        values = [*request.args.keys(), *request.args.values(), request.path]
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            values += [*request.form.keys(), *request.form.values()]
        if not all(_is_clean(value) for value in values):
            abort(400)
