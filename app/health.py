"""Liveness and database check for the proxy and monitoring."""

import sqlalchemy as sa
from flask import Blueprint, jsonify

from app.extensions import db
from app.security.access import public

bp = Blueprint("health", __name__)


@bp.route("/health")
@public
def health():
    db.session.execute(sa.text("SELECT 1"))
    return jsonify(status="ok")
