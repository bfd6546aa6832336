"""A community's outbox: mail not yet delivered (failed or waiting), and sending it again."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import login_required

from cop.communities.access import MANAGERS, community_for
from cop.extensions import db
from cop.forms_common import ConfirmForm
from cop.mail import outbox as outbox_logic
from cop.mail.models import OutboxMessage

bp = Blueprint("outbox", __name__)


@bp.route("/communities/<slug>/outbox")
@login_required
def page(slug: str):
    community, _role = community_for(slug, MANAGERS)
    return render_template("mail/outbox.html", community=community,
                           messages=outbox_logic.unsent_messages(community.id))


@bp.route("/communities/<slug>/outbox/<int:message_id>/resend", methods=["POST"])
@login_required
def resend(slug: str, message_id: int):
    community, _role = community_for(slug, MANAGERS)
    message = db.get_or_404(OutboxMessage, message_id)
    if message.community_id != community.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        if message.state == "sent":
            flash("That message has already been sent.")
        else:
            outbox_logic.resend(message)
            db.session.commit()
            flash(f"The message to {message.recipient} will be sent again shortly.")
    return redirect(url_for("outbox.page", slug=community.slug))
