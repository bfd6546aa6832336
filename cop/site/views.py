from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from cop.extensions import db

bp = Blueprint("site", __name__)


@bp.route("/")
def home():
    if current_user.is_authenticated:
        return redirect(url_for("communities.index"))
    return render_template("site/home.html")


@bp.route("/healthz")
def health():
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any database failure means unhealthy
        db.session.rollback()
        return {"status": "unavailable", "database": type(error).__name__}, 503
    return {"status": "ok", "database": "ok"}
