from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from cop.communities.access import STAFF
from cop.communities.directory import communities_for
from cop.extensions import db

bp = Blueprint("site", __name__)


@bp.route("/")
def home():
    if current_user.is_authenticated:
        return redirect(url_for(_landing(current_user)))
    return render_template("site/home.html")


def _landing(account) -> str:
    """Where a signed-in person starts: organisers and facilitators at their communities; everyone else
    (an attendee who signed in from a mailed link) at My calendar, their events (issue 17)."""

    if any(role in STAFF for _community, role in communities_for(account)):
        return "communities.index"
    return "calendars.my_calendar"


@bp.route("/healthz")
def health():
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any database failure means unhealthy
        db.session.rollback()
        return {"status": "unavailable", "database": type(error).__name__}, 503
    return {"status": "ok", "database": "ok"}
