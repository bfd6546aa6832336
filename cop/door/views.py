"""The door's pages: the list to check people in from, a person's page (opened from the QR code in their
confirmation mail), walk-ins and no-shows."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from cop.communities import members
from cop.communities.access import STAFF
from cop.door import check_in as door
from cop.door.forms import DoorSearchForm, WalkInForm
from cop.events import signals
from cop.events.access import event_for
from cop.events.models import Event
from cop.extensions import db
from cop.forms_common import MAX_PAGE, ConfirmForm, int_arg

bp = Blueprint("door", __name__)


def _status(form) -> int:
    return 400 if form.errors else 200


@signals.page_values.connect
def door_counts_for_event_page(event: Event, role: str) -> dict:
    """Staff see on the event page how many are checked in."""
    return {"counts": door.door_counts(event) if role in STAFF else None}


@bp.route("/events/<int:event_id>/check-in")
@login_required
def check_in(event_id: int):
    event, _ = event_for(event_id, STAFF)
    search = DoorSearchForm(request.args)
    search.validate()
    query = (search.q.data or "") if not search.q.errors else ""
    found = door.door_list(event, query, page=int_arg("page", 1, maximum=MAX_PAGE))
    return render_template("door/check_in.html", event=event, search=search, query=query,
                           rows=found.rows, paged=found.paging, counts=door.door_counts(event),
                           no_shows=door.no_show_count(event), history=door.door_history(event, limit=10),
                           walk_ins=door.walk_ins(event), confirm_form=ConfirmForm())


@bp.route("/events/<int:event_id>/check-in/<int:person_id>")
@login_required
def check_in_person(event_id: int, person_id: int):
    """The page a door phone opens from the QR code in someone's confirmation mail."""
    event, _ = event_for(event_id, STAFF)
    invitation = door.invitation_of(event, person_id) or abort(404)
    return render_template("door/check_in_person.html", event=event, person=invitation.person,
                           member=members.membership_of(event.community, person_id), invitation=invitation,
                           attendance=door.attendance_of(event, person_id),
                           no_show=door.no_show_of(event, person_id), history=door.door_history(event, person_id),
                           confirm_form=ConfirmForm())


@bp.route("/events/<int:event_id>/check-in/<int:person_id>", methods=["POST"])
@login_required
def record_check_in(event_id: int, person_id: int):
    event, _ = event_for(event_id, STAFF)
    invitation = door.invitation_of(event, person_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    _, new = door.check_in(event, invitation.person, by=current_user.person)
    db.session.commit()
    flash(f"{invitation.person.name} {'is checked in' if new else 'was already checked in'}.")
    return _back_to_door(event, person_id)


def _back_to_door(event: Event, person_id: int):
    if request.form.get("back") == "person":
        return redirect(url_for("door.check_in_person", event_id=event.id, person_id=person_id))
    page = request.form.get("page", "")
    return redirect(url_for("door.check_in", event_id=event.id, q=request.form.get("q") or None,
                            page=int(page) if page.isdigit() and 1 < int(page) <= MAX_PAGE else None))


@bp.route("/events/<int:event_id>/check-in/<int:person_id>/undo", methods=["POST"])
@login_required
def undo_check_in(event_id: int, person_id: int):
    """A wrong tap put right: the check-in goes, the door's record keeps it and its undoing."""
    event, _ = event_for(event_id, STAFF)
    invitation = door.invitation_of(event, person_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    undone = door.undo_check_in(event, invitation.person, current_user.person)
    db.session.commit()
    flash(f"{invitation.person.name}'s check-in has been undone." if undone
          else f"{invitation.person.name} was not checked in.")
    return _back_to_door(event, person_id)


@bp.route("/events/<int:event_id>/check-in/<int:person_id>/no-show", methods=["POST"])
@login_required
def mark_no_show(event_id: int, person_id: int):
    """Mark someone with a place as not coming (or, with undo=yes, take the mark back)."""
    event, _ = event_for(event_id, STAFF)
    invitation = door.invitation_of(event, person_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = invitation.person.name
    if request.form.get("undo") == "yes":
        changed = door.undo_no_show(event, invitation.person, current_user.person)
        message = f"{name} is no longer marked as not coming." if changed else f"{name} was not marked as not coming."
    else:
        changed = door.mark_no_show(event, invitation.person, current_user.person)
        message = (f"{name} is marked as not coming." if changed
                   else f"{name} is checked in or already marked: undo the check-in first.")
    db.session.commit()
    flash(message)
    return _back_to_door(event, person_id)


@bp.route("/events/<int:event_id>/walk-in", methods=["GET", "POST"])
@login_required
def walk_in(event_id: int):
    event, _ = event_for(event_id, STAFF)
    form = WalkInForm()
    if form.validate_on_submit():
        _, person = door.add_walk_in(event, door.WalkIn(
            name=form.name.data, email=form.email.data, organisation=form.organisation.data or ""),
            by=current_user.person)
        db.session.commit()
        flash(f"{person.name} has been added as a walk-in and checked in.")
        return redirect(url_for("door.check_in", event_id=event.id))
    return render_template("door/walk_in.html", event=event, form=form), _status(form)

