"""Extension objects, created unbound and attached in create_app()."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_limiter(app) -> None:
    """Flask-Limiter, paid for only by the views that carry a limit.

    Every limit of Hocso's is a decorator on its view (`@limiter.limit`: the verify pages, live
    check-in), and the decorator checks it when the view runs. Flask-Limiter's own
    before_request hook looks on every request for default, application and blueprint limits;
    there are none, and that look cost 0.1-0.4 ms a request (5-16 % of a learner's page), so the
    hook is taken out. Settings that add such limits keep it.
    """
    # One limiter object serves every app a process builds (the tests build many): a storage
    # found dead by an earlier app says nothing about this app's, and while the flag stays set
    # its fall-back to memory is never logged.
    limiter._storage_dead = False
    limiter.init_app(app)
    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
        return
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # absent when RATELIMIT_ENABLED is off
        hooks.remove(limiter._check_request_limit)
