"""Language and time zone: Vietnamese first, English available."""

from flask import Flask, current_app, request, session
from flask_babel import format_date, format_decimal, get_locale
from flask_login import current_user

from app.certificates.certificate_document import format_vietnamese_date
from app.extensions import babel


def select_locale() -> str:
    """The user's saved choice, then this browser's choice, then ?lang=, then Accept-Language."""
    languages = current_app.config["LANGUAGES"]
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("language") in languages:
        return session["language"]
    if request.args.get("lang") in languages:
        return request.args["lang"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def certificate_date(day) -> str:
    """The date as printed on the certificate in Vietnamese; Babel's long form in English."""
    if str(get_locale()) == "vi":
        return format_vietnamese_date(day)
    return format_date(day, "long")


def short_date(day) -> str:
    """A date (or a moment, on the local calendar) as each language writes it: 01/07/2025, Jul 1, 2025."""
    return format_date(day, "dd/MM/yyyy" if str(get_locale()) == "vi" else "medium")


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(format_decimal=format_decimal, get_locale=get_locale)
    app.jinja_env.filters["certificate_date"] = certificate_date
    app.jinja_env.filters["short_date"] = short_date
