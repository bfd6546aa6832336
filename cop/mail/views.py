"""The dev mailbox: with MAIL_BACKEND=mailbox, mail stays on this page instead of leaving the machine."""
from flask import Blueprint, abort, current_app, render_template
from sqlalchemy import select

from cop.extensions import db
from cop.mail.models import OutboxMessage

bp = Blueprint("mail", __name__, url_prefix="/dev/mailbox")


@bp.before_request
def only_with_the_dev_mailbox():
    # Only on a development server: the page shows every message (sign-in links too) to anyone.
    if not current_app.config["DEVELOPMENT"] or current_app.config["MAIL_BACKEND"] != "mailbox":
        abort(404)


@bp.route("/")
def mailbox():
    messages = db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(200)).scalars()
    return render_template("mail/mailbox.html", messages=list(messages))


@bp.route("/<int:message_id>")
def message(message_id: int):
    return render_template("mail/message.html", message=db.get_or_404(OutboxMessage, message_id))
