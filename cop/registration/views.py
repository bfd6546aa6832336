"""Open registration: the public page (no account), confirming by the mailed link, and the
organiser's shared links and QR poster."""
from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from cop.communities.access import MANAGERS, community_for
from cop.communities.models import Community
from cop.events.access import event_for
from cop.events.models import Event
from cop.extensions import db, limiter, token_guesses
from cop.forms_common import ConfirmForm, refuse
from cop.invitations import rsvp
from cop.invitations.mails import london_time, qr_png
from cop.links import external_url
from cop.people.models import PROFESSIONS
from cop.registration import registering
from cop.registration.forms import ApprovalSettingForm, DecisionForm, JoinForm, RegistrationForm, SharedLinkForm

bp = Blueprint("registration", __name__)


def _per_client() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


def _per_event() -> str:
    return current_app.config["REGISTRATION_EVENT_RATE_LIMIT"]


def _event_key() -> str:
    return f"register-event-{(request.view_args or {}).get('event_id')}"


def _public_event(event_id: int) -> Event:
    """A published public event, for anyone; anything else is not there (404)."""
    event = db.get_or_404(Event, event_id)
    if event.status != "published" or not event.is_public:
        abort(404)
    return event


@bp.route("/events/<int:event_id>/register", methods=["GET", "POST"])
@limiter.limit(_per_client, methods=["POST"])
@limiter.limit(_per_event, methods=["POST"], key_func=_event_key)
def register(event_id: int):
    event = _public_event(event_id)
    form = RegistrationForm()
    if request.method == "GET":
        form.via.data = registering.channel_for(event, request.args.get("via"))
    is_open = registering.open_for_registration(event)
    problem = None
    if request.method == "POST" and is_open and form.validate_on_submit():
        if form.website.data:
            # A honeypot filled in: a bot. It is told what a person would be, and nothing is written.
            return redirect(url_for("registration.check_email", event_id=event.id))
        details = registering.RegistrationDetails(
            name=form.name.data, email=form.email.data, organisation=form.organisation.data,
            sector=form.sector.data or "", place=form.place.data or "", profession=form.profession.data,
            dietary_needs=form.dietary_needs.data or "", access_needs=form.access_needs.data or "",
            whole_series=bool(form.whole_series.data))
        try:
            registering.register(event, details, registering.channel_for(event, form.via.data))
        except registering.RegistrationClosed:
            is_open = False
        except registering.TooManyUnconfirmed:
            db.session.rollback()
            problem = "Too many people are registering for this event right now. Please try again in an hour."
        else:
            db.session.commit()
            return redirect(url_for("registration.check_email", event_id=event.id))
    status = 400 if (request.method == "POST" and (form.errors or problem)) else 200
    if request.method == "POST" and not is_open:
        status = 400
    return render_template(
        "registration/register.html", event=event, community=event.community, form=form, is_open=is_open,
        problem=problem, organisations=registering.public_organisations(event.community),
        sessions=registering.series_sessions(event),
        starts=london_time(event.starts_at), page_url=registering.registration_url(event),
    ), status


@bp.route("/events/<int:event_id>/register/check-your-email")
def check_email(event_id: int):
    event = _public_event(event_id)
    return render_template("registration/check_email.html", event=event, community=event.community,
                           hours=current_app.config["REGISTRATION_LINK_HOURS"])


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@token_guesses
def confirm(token: str):
    """GET shows a button (mail scanners open links; only a person's POST confirms)."""
    registration = registering.pending_registration(token) or abort(404)
    event = registration.event
    community = db.session.get(Community, registration.community_id)
    if request.method == "POST":

        if not ConfirmForm().validate_on_submit():
            abort(400, "The form has expired. Open the link in your email again.")
        try:
            answer_token = registering.confirm(token)
        except LookupError:
            abort(404)
        except rsvp.AnswersClosed:
            return render_template("registration/closed.html", event=event, community=community), 409
        if answer_token is None:
            return render_template("registration/awaiting.html", event=event, community=community)
        return redirect(url_for("invitations.rsvp", token=answer_token))
    return render_template("registration/confirm.html", event=event, community=community,
                           registration=registration, starts=london_time(event.starts_at) if event else "")


@bp.route("/events/<int:event_id>/share", methods=["GET", "POST"])
@login_required
def share(event_id: int):
    event, _role = event_for(event_id, MANAGERS)
    form = SharedLinkForm()
    if form.validate_on_submit():
        try:
            registering.add_shared_link(event, form.channel.data, current_user.person)
        except ValueError as error:
            refuse(form, form.channel, str(error))
        else:
            db.session.commit()
            return redirect(url_for("registration.share", event_id=event.id))
    links = [(link, registering.registration_url(event, link.channel)) for link in registering.shared_links(event)]
    return render_template(
        "registration/share.html", event=event, form=form, links=links,
        approval_form=ApprovalSettingForm(needs_approval=registering.needs_approval(event)),
        awaiting=len(registering.awaiting_approval(event)),
        public_url=registering.registration_url(event), is_open=registering.open_for_registration(event),
    ), 400 if form.errors else 200


@bp.route("/events/<int:event_id>/share/poster.pdf")
@login_required
def poster(event_id: int):
    """An A4 poster with the registration link (for one channel with `?via=`) as a QR code."""
    import base64

    import qrcode

    from cop.seating.printing import pdf_from_html

    event, _role = event_for(event_id, MANAGERS)
    channel = registering.channel_for(event, request.args.get("via"))
    url = registering.registration_url(event, channel)
    code = qrcode.QRCode(border=4)
    code.add_data(url)
    code.make(fit=True)
    image = base64.b64encode(qr_png(code.get_matrix(), scale=10)).decode("ascii")
    html = render_template("registration/poster.html", event=event, community=event.community, url=url,
                           image=image, starts=london_time(event.starts_at))
    safe = "".join(c if c.isalnum() else "-" for c in event.title.lower()).strip("-")[:50]
    return Response(pdf_from_html(html), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{safe}-poster-{channel}.pdf"'})


@bp.route("/events/<int:event_id>/share/approval", methods=["POST"])
@login_required
def approval_setting(event_id: int):
    event, _role = event_for(event_id, MANAGERS)
    form = ApprovalSettingForm()
    if form.validate_on_submit():
        registering.set_needs_approval(event, bool(form.needs_approval.data))
        db.session.commit()
        flash("Registrations now wait for your approval." if form.needs_approval.data
              else "Registrations now get a place (or a place on the waitlist) straight away.")
    return redirect(url_for("registration.share", event_id=event.id))


def _decide_in_bulk(form: DecisionForm, noun: str, approve: Callable[[list[int]], int],
                    decline: Callable[[list[int]], int], approved: str, declined: str) -> str | None:
    """The two approval pages' POST: the ticked rows and the button pressed, approved or declined in bulk.
    Returns the problem to show, or None when done (and flashed)."""
    if not form.validate_on_submit():
        abort(400, "The form has expired. Go back, reload the page and try again.")
    ids = [int(v) for v in request.form.getlist("registration") if v.isdigit()]
    action = request.form.get("action")
    if not ids or action not in ("approve", "decline"):
        return f"Tick at least one {noun}, then choose Approve or Decline"
    done = approve(ids) if action == "approve" else decline(ids)
    flash(f"{done} {noun if done == 1 else noun + 's'} {approved if action == 'approve' else declined}.")
    return None


@bp.route("/events/<int:event_id>/registrations", methods=["GET", "POST"])
@login_required
def approvals(event_id: int):
    """Registrations awaiting approval, with their organisation and profession; approve or decline in bulk."""
    event, _role = event_for(event_id, MANAGERS)
    only_new = request.args.get("new") == "1"
    form = DecisionForm()
    problem = None
    if request.method == "POST":
        try:
            problem = _decide_in_bulk(
                form, "registration", partial(registering.approve, event), partial(registering.decline, event),
                "approved: each has a place or a place on the waitlist", "declined: each has been told kindly")
        except rsvp.AnswersClosed:
            problem = "The event no longer takes answers, so nobody can be approved"
        if problem is None:
            filters: dict[str, Any] = {"new": "1"} if only_new else {}
            return redirect(url_for("registration.approvals", event_id=event.id, **filters))
    return render_template(
        "registration/approvals.html", event=event, community=event.community, form=form, only_new=only_new,
        problem=problem,
        waiting=registering.awaiting_approval(event, only_new), professions=PROFESSIONS,
    ), 400 if problem else 200


def _join_key() -> str:
    return f"join-{(request.view_args or {}).get('slug')}"


@bp.route("/communities/<slug>/join", methods=["GET", "POST"])
@limiter.limit(_per_client, methods=["POST"])
@limiter.limit(_per_event, methods=["POST"], key_func=_join_key)
def join(slug: str):
    """The community's public page: what it is, its coming public events, and "Join this network"."""
    community = db.first_or_404(select(Community).where(Community.slug == slug))
    form = JoinForm()
    problem = None
    if form.validate_on_submit():
        if form.website.data:
            return redirect(url_for("registration.join_check_email", slug=community.slug))
        details = registering.RegistrationDetails(
            name=form.name.data, email=form.email.data, organisation=form.organisation.data,
            sector=form.sector.data or "", place=form.place.data or "", profession=form.profession.data)
        try:
            registering.request_to_join(community, details)
        except registering.TooManyUnconfirmed:
            db.session.rollback()
            problem = "Too many people are asking to join right now. Please try again in an hour."
        else:
            db.session.commit()
            return redirect(url_for("registration.join_check_email", slug=community.slug))
    return render_template(
        "registration/join.html", community=community, form=form, problem=problem,
        organisations=registering.public_organisations(community), events=registering.coming_public_events(community),
        page_url=external_url("registration.join", slug=community.slug),
    ), 400 if (form.errors or problem) else 200


@bp.route("/communities/<slug>/join/check-your-email")
def join_check_email(slug: str):
    community = db.first_or_404(select(Community).where(Community.slug == slug))
    return render_template("registration/check_email.html", event=None, community=community,
                           hours=current_app.config["REGISTRATION_LINK_HOURS"])


@bp.route("/communities/<slug>/join-requests", methods=["GET", "POST"])
@login_required
def join_requests(slug: str):
    """Requests to join, confirmed by their address: approve (they become members) or decline, in bulk."""
    community, _role = community_for(slug, MANAGERS)
    only_new = request.args.get("new") == "1"
    form = DecisionForm()
    problem = None
    if request.method == "POST":
        problem = _decide_in_bulk(
            form, "request",
            partial(registering.approve_joins, community), partial(registering.decline_joins, community),
            "approved: each is now a member", "declined: each has been told kindly, and stays a guest")
        if problem is None:
            filters: dict[str, Any] = {"new": "1"} if only_new else {}
            return redirect(url_for("registration.join_requests", slug=community.slug, **filters))
    return render_template(
        "registration/approvals.html", event=None, community=community, form=form, only_new=only_new,
        problem=problem, waiting=registering.join_requests(community, only_new), professions=PROFESSIONS,
    ), 400 if problem else 200
