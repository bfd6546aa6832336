"""Invitations: the personal RSVP page (no account), inviting, the guests page."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from cop.communities import members
from cop.communities.access import ANY_ROLE, MANAGERS, STAFF, community_for
from cop.communities.jobs_views import follow_job
from cop.csv_safety import csv_download
from cop.events.access import event_for
from cop.extensions import db, token_guesses
from cop.forms_common import MAX_PAGE, ConfirmForm, int_arg, refuse
from cop.invitations import guests, inviting, send_job
from cop.invitations import rsvp as answering
from cop.invitations.forms import GuestSearchForm, InviteForm, NetworkInviteForm, RsvpForm
from cop.invitations.mails import london_time
from cop.invitations.models import Invitation
from cop.links import external_url

bp = Blueprint("invitations", __name__)


@bp.app_template_filter("london_time")
def _london_time_filter(moment):
    return london_time(moment)


def _invitation_for(invitation_id: int) -> Invitation:
    invitation = db.get_or_404(Invitation, invitation_id)
    community_for(invitation.event.community.slug, MANAGERS)
    return invitation


@bp.route("/rsvp/<token>", methods=["GET", "POST"])
@token_guesses
def rsvp(token: str):
    invitation = answering.invitation_for_token(token) or abort(404)
    event = invitation.event
    open_for_answers = answering.can_change_answer(invitation)
    if request.method == "POST":
        form = RsvpForm()
    else:
        # Needs not yet given for this event start from what the event's community has on record.
        record = members.membership_of(event.community, invitation.person_id)
        form = RsvpForm(
            answer=None if invitation.answer == "pending" else invitation.answer,
            attendance_mode=invitation.attendance_mode,
            dietary_needs=invitation.dietary_needs or (record.dietary_needs if record else ""),
            access_needs=invitation.access_needs or (record.access_needs if record else ""),
        )
    closed_error = None
    if request.method == "POST":
        if not open_for_answers:
            closed_error = "The deadline for answers has passed: your answer can no longer be changed"
        elif form.validate_on_submit():
            try:
                answering.answer_invitation(
                    token, form.answer.data, form.attendance_mode.data or "in_person",
                    form.dietary_needs.data or "", form.access_needs.data or "",
                    link=external_url("invitations.rsvp", token=token),
                )
            except answering.AnswersClosed:
                closed_error = "The deadline for answers has passed: your answer can no longer be changed"
            else:
                flash("Thank you: your answer has been saved.")
                return redirect(url_for("invitations.rsvp", token=token))
    status = 400 if (form.errors or closed_error) else 200
    return render_template(
        "invitations/rsvp.html", invitation=invitation, event=event, form=form,
        open_for_answers=open_for_answers and not closed_error, closed_error=closed_error,
        deadline=answering.answer_deadline(event),
        calendar_file=url_for("calendars.invitation_ics", token=token),
    ), status


def _wanted(form: InviteForm) -> members.PeopleFilter | None:
    if form.who.data == "nobody":
        return None
    if form.who.data == "everyone":
        return inviting.EVERYONE
    return form.people_filter()


def _report_problems(form, plan: inviting.InvitePlan, general_field, lines_field) -> None:
    for problem in plan.problems:
        refuse(form, lines_field if problem.line else general_field, str(problem) if problem.line else problem.reason)


@bp.route("/events/<int:event_id>/invite", methods=["GET", "POST"])
@login_required
def invite(event_id: int):
    event, _role = event_for(event_id, MANAGERS)
    form = InviteForm()
    form.fill_filter_choices(event.community)
    plan = None
    if form.validate_on_submit():
        addresses = form.addresses.data or ""
        if form.who.data == "nobody" and not addresses.strip():
            refuse(form, form.addresses, "Paste at least one email address, or choose who to invite")
        else:
            plan = inviting.plan_invitations(event, _wanted(form), addresses)
            _report_problems(form, plan, form.who, form.addresses)
            if not form.errors and plan.count == 0:
                refuse(form, form.who, "Nobody new to invite: everyone you chose has been invited already")
            if not form.errors and request.form.get("action") == "send" and (
                    plan.count > current_app.config["INVITE_IN_BACKGROUND_OVER"]):
                # Many people: a job writes them (issue 19), and its page shows how far it has got.
                return follow_job(
                    lambda: send_job.start_sending(event, _wanted(form), addresses, plan.count, current_user.person),
                    "These invitations are being sent already: here is how far it has got.")
            if not form.errors and request.form.get("action") == "send":
                sent = inviting.send_invitations(event, plan)
                flash(f"{len(sent)} {'invitation' if len(sent) == 1 else 'invitations'} sent.")
                return redirect(url_for("invitations.guests", event_id=event.id))
    shown = inviting.preview_page(event, plan, _preview_page_number()) if plan is not None and plan.ok else None
    return render_template("invitations/invite.html", event=event, form=form, plan=plan, shown=shown), \
        400 if form.errors else 200


def _preview_page_number() -> int:
    """The preview's page, from its "Next"/"Previous" buttons (they post the form again)."""
    number = request.form.get("preview_page", "1")
    return min(int(number), 100_000) if number.isdigit() else 1


@bp.route("/events/<int:event_id>/invite-my-network", methods=["GET", "POST"])
@login_required
def invite_my_network(event_id: int):
    event, _role = event_for(event_id, ANY_ROLE)
    membership = members.membership_of(event.community, current_user.person_id)
    if membership is None or membership.invite_quota <= 0:
        abort(403)
    quota_left = inviting.network_quota_left(event, current_user.person)
    form = NetworkInviteForm()
    plan = None
    if form.validate_on_submit():
        plan = inviting.plan_network_invitations(event, current_user.person, form.addresses.data)
        _report_problems(form, plan, form.addresses, form.addresses)
        if not form.errors and plan.count == 0:
            refuse(form, form.addresses, "Everyone on your list has been invited already")
        if not form.errors and request.form.get("action") == "send":
            sent = inviting.send_invitations(event, plan, invited_by=current_user.person)
            flash(f"{len(sent)} {'invitation' if len(sent) == 1 else 'invitations'} sent.")
            return redirect(url_for("invitations.invite_my_network", event_id=event.id))
    shown = inviting.preview_page(event, plan, _preview_page_number()) if plan is not None and plan.ok else None
    return render_template(
        "invitations/invite_my_network.html", event=event, form=form, plan=plan, quota_left=quota_left,
        quota=membership.invite_quota, shown=shown,
    ), 400 if form.errors else 200


@bp.route("/events/<int:event_id>/guests", endpoint="guests")
@login_required
def guests_page(event_id: int):
    event, role = event_for(event_id, STAFF)
    search = GuestSearchForm(request.args)
    search.validate()
    query = (search.q.data or "").strip() if not search.q.errors else ""
    return render_template(
        "invitations/guests.html", event=event, role=role, search=search, query=query,
        guest_list=guests.guest_list(event, page=int_arg("page", 1, maximum=MAX_PAGE), search=query),
        sections=guests.SECTIONS,
    )


@bp.route("/events/<int:event_id>/needs.csv")
@login_required
def needs_csv(event_id: int):
    event, _role = event_for(event_id, MANAGERS)
    return csv_download(guests.needs_csv(event), f"event-{event.id}-needs.csv")


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@login_required
def revoke(invitation_id: int):
    invitation = _invitation_for(invitation_id)
    if ConfirmForm().validate_on_submit():
        inviting.revoke_invitation(invitation)
        flash(f"{invitation.person.name}'s invitation has been revoked: their links no longer work.")
    return _back_to_guests(invitation)


@bp.route("/invitations/<int:invitation_id>/resend", methods=["POST"])
@login_required
def resend(invitation_id: int):
    invitation = _invitation_for(invitation_id)
    if ConfirmForm().validate_on_submit():
        inviting.resend_invitation(invitation)
        flash(f"A new invitation has been sent to {invitation.person.name}; the links sent before no longer work.")
    return _back_to_guests(invitation)


def _back_to_guests(invitation: Invitation):
    """The guests page, at the page of the list and the search the action was taken from."""
    query = (request.args.get("q") or "").strip()[:200]
    return redirect(url_for("invitations.guests", event_id=invitation.event_id, q=query or None,
                            page=int_arg("page", None, maximum=MAX_PAGE)))
