"""The least a logged-in learner page can cost on Hocso's required stack: bench/ratio.py's floor.

    gunicorn bench.floor_app:app      (SECRET_KEY and DATABASE_URL of the Hocso server beside it)

Flask, Flask-Login reading Hocso's own session cookie (same secret), one Flask-SQLAlchemy query
for the user and one for the module's stored HTML (joined to its course), a Jinja page with a CSRF token
(Flask-WTF), compressed as Hocso compresses (Flask-Compress, the same levels). No progress, no
outline, no translations, no security headers, no logs: what is left when a page does nothing
but show a stored module to a logged-in learner. A Hocso page's ratio to this one says how much
of its cost is Hocso's own, and this one's ratio to hello-world how much the stack takes.
"""

import os

import sqlalchemy as sa
from flask import Flask, abort, render_template
from flask_compress import Compress
from flask_login import LoginManager, UserMixin, login_required
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from jinja2 import DictLoader
from markupsafe import Markup
from sqlalchemy.orm import Mapped, mapped_column

app = Flask(__name__)
app.config.update(
    SECRET_KEY=os.environ["SECRET_KEY"],
    SQLALCHEMY_DATABASE_URI=os.environ["DATABASE_URL"],
    COMPRESS_ALGORITHM=["br", "gzip"], COMPRESS_LEVEL=4, COMPRESS_BR_LEVEL=2, COMPRESS_MIN_SIZE=500,
)
db = SQLAlchemy(app)
CSRFProtect(app)
Compress(app)
login_manager = LoginManager(app)
login_manager.session_protection = "basic"  # as Hocso: the same cookie passes the same check


class User(UserMixin, db.Model):
    """Hocso's user table, only the columns the session check reads."""

    __tablename__ = "user"
    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str]
    session_version: Mapped[int]


class Course(db.Model):
    __tablename__ = "course"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str]


class Module(db.Model):
    __tablename__ = "module"
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"))
    slug: Mapped[str]
    title: Mapped[str]
    html: Mapped[str]


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    user = db.session.get(User, int(user_id))
    return user if user is not None and str(user.session_version) == version else None


PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ module.title }} · Hocso</title></head>
<body><header><a href="/">Hocso</a> {{ current_user.full_name }}</header>
<main><h1>{{ module.title }}</h1>{{ html }}
<form method="post" action="/read"><input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
<button type="submit">Đã đọc xong</button></form></main></body></html>"""
app.jinja_loader = DictLoader({"module.html": PAGE})  # compiled once, as a template file would be


@app.get("/courses/<slug>/modules/<module_slug>")
@login_required
def module(slug: str, module_slug: str):
    # The module of that course (a slug is unique only within its course), as Hocso reads it.
    found = db.session.scalar(sa.select(Module).join(Course).where(Course.slug == slug,
                                                                   Module.slug == module_slug))
    if found is None:
        abort(404)
    return render_template("module.html", module=found, html=Markup(found.html))  # noqa: S704  # nosec B704


@app.get("/health")
def health():
    return {"status": "ok"}
