"""Hocso: Markdown courses, server-graded quizzes and verifiable certificates."""

from flask import Flask

# Unit is registered before any mapper is configured (some modules build statements at import):
# accounts' User names it only by string, because units sit above accounts and import them.
from app.units import models as _unit_models  # noqa: F401
from config import Config, config_from_environment


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Build the application; reads like a table of contents."""
    config_class = config_class or config_from_environment()
    config_class.check()
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config_class)
    register_proxy_and_converters(app)
    register_operations(app)
    register_extensions(app)
    register_blueprints(app)
    connect_domains(app)
    register_cross_cutting(app)
    register_commands(app)
    return app


def register_operations(app: Flask) -> None:
    """Request logs first, so every request gets its id before any other hook can answer it."""
    from app.operations import cli, delivery, health, metrics, request_logging

    for module in (request_logging, delivery, health, metrics, cli):
        module.init_app(app)


def register_proxy_and_converters(app: Flask) -> None:
    from app.security import input_hygiene, proxy, uploads

    proxy.init_app(app)
    uploads.init_app(app)
    input_hygiene.register_converters(app)


def register_extensions(app: Flask) -> None:
    from app import database
    from app.accounts import passwords, session_lifetime
    from app.accounts.services import load_user_from_session
    from app.content import outline
    from app.extensions import csrf, db, init_limiter, login_manager, migrate
    from app.i18n import request_locale

    db.init_app(app)
    with app.app_context():
        database.configure_sqlite(db.engine)
    migrate.init_app(app, db, render_as_batch=True)
    csrf.init_app(app)
    init_limiter(app)
    request_locale.init_app(app)
    passwords.init_app(app)
    outline.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user_from_session)
    session_lifetime.init_app(app)


def register_blueprints(app: Flask) -> None:
    from app.accounts.views import bp as accounts_bp
    from app.admin.user_views import bp as user_admin_bp
    from app.admin.views import bp as admin_bp
    from app.authoring.views import bp as authoring_bp
    from app.certificates.admin_views import bp as certificates_admin_bp
    from app.certificates.views import bp as certificates_bp
    from app.enrolment.views import bp as enrolment_bp
    from app.jobs.views import bp as jobs_bp
    from app.learning.quiz_views import bp as quizzes_bp
    from app.learning.views import bp as learning_bp
    from app.live_sessions.views import bp as live_sessions_bp
    from app.lti.views import bp as lti_bp
    from app.offline.views import bp as offline_bp
    from app.reports.views import bp as reports_bp
    from app.sso.views import bp as sso_bp
    from app.units.views import bp as units_bp
    from app.xapi.views import bp as xapi_bp

    for blueprint in (accounts_bp, learning_bp, quizzes_bp, certificates_bp, admin_bp, authoring_bp):
        app.register_blueprint(blueprint)
    for blueprint in (enrolment_bp, user_admin_bp, units_bp):
        app.register_blueprint(blueprint)
    for blueprint in (reports_bp, certificates_admin_bp, jobs_bp, offline_bp, live_sessions_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(sso_bp)
    app.register_blueprint(xapi_bp)
    app.register_blueprint(lti_bp)


def connect_domains(app: Flask) -> None:
    """The packages built on progress and quizzes follow them through their signals, per app
    (app/progress/signals.py): certificates, live sessions, LTI scores, xAPI statements."""
    from app.certificates import services as certificates
    from app.live_sessions import requirements as live_session_requirements
    from app.lti import grade_passback
    from app.xapi import outbox as xapi_outbox

    for module in (certificates, live_session_requirements, grade_passback, xapi_outbox):
        module.init_app(app)


def register_cross_cutting(app: Flask) -> None:
    from markupsafe import Markup

    from app import errors
    from app.content.rendering import sanitize_html_cached
    from app.security import access, headers, input_hygiene

    input_hygiene.init_app(app)
    access.init_app(app)
    headers.init_app(app)
    errors.init_app(app)
    # Stored HTML is sanitised again at output: a row written around the loader stays harmless.
    # This filter is the only place that marks HTML safe, and only after nh3 has cleaned it.
    app.jinja_env.filters["sanitized"] = lambda html: Markup(sanitize_html_cached(html))  # noqa: S704  # nosec B704


def register_commands(app: Flask) -> None:
    from app.accounts.cli import users_cli
    from app.authoring.cli import courses_cli
    from app.certificates.cli import certificates_cli
    from app.demo import demo_cli
    from app.enrolment.cli import import_users_command, intakes_cli, slips_command
    from app.jobs.cli import jobs_cli
    from app.units.cli import create_user_command, units_cli
    from app.xapi.cli import xapi_cli

    users_cli.add_command(create_user_command)  # `flask users create`
    users_cli.add_command(import_users_command)  # `flask users import`
    users_cli.add_command(slips_command)  # `flask users slips --job TOKEN`
    for group in (users_cli, courses_cli, certificates_cli, demo_cli):
        app.cli.add_command(group)
    for group in (intakes_cli, units_cli):
        app.cli.add_command(group)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(xapi_cli)
