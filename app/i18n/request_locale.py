"""The request's language: which one, the templates' gettext over its catalogue, dates its way."""

from collections.abc import Callable

from flask import Flask, current_app, request, session
from flask_babel import format_date, format_decimal, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from app.extensions import babel
from app.i18n.dates import format_vietnamese_date


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


def _newstyle_gettext(lookup: Callable[[str], str]):
    """Jinja's new-style `_()` (escaped, always %-formatted) over a catalogue already looked up."""
    @pass_context
    def gettext(context: Context, message: str, /, **variables) -> str:
        text = lookup(message)
        # The catalogue is the app's own, as with Jinja's gettext: Markup escapes the variables.
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables  # noqa: S704  # nosec B704

    return gettext


def _newstyle_ngettext(lookup: Callable[[str, str, int], str]):
    @pass_context
    def ngettext(context: Context, singular: str, plural: str, number: int, /, **variables) -> str:
        variables.setdefault("num", number)
        text = lookup(singular, plural, number)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables  # noqa: S704  # nosec B704

    return ngettext


def bound_template_translations() -> dict:
    """The request's locale and catalogue, looked up once per rendered page.

    Flask-Babel's template callables find the locale and the catalogue again on every `_()`: on a
    short page that was a quarter of the rendering. Templates see these in their context, which
    comes before the environment's globals; macros imported without context keep the globals.
    """
    translations = get_translations()
    locale = get_locale()
    gettext = _newstyle_gettext(translations.ugettext)
    return {
        # `_` itself, not Jinja's alias that looks `gettext` up again on every call.
        "_": gettext,
        "gettext": gettext,
        "ngettext": _newstyle_ngettext(translations.ungettext),
        "get_locale": lambda: locale,
    }


def short_date(day) -> str:
    """A date (or a moment, on the local calendar) as each language writes it: 01/07/2025, Jul 1, 2025."""
    return format_date(day, "dd/MM/yyyy" if str(get_locale()) == "vi" else "medium")


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(format_decimal=format_decimal, get_locale=get_locale)
    app.jinja_env.filters["certificate_date"] = certificate_date
    app.context_processor(bound_template_translations)
    app.jinja_env.filters["short_date"] = short_date
