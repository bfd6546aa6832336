"""Events, series, venues and the door: thin views over cop.events' logic modules."""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from cop.clock import utcnow
from cop.communities import members
from cop.communities.access import ANY_ROLE, MANAGERS, STAFF, community_for
from cop.events import listing, scheduling, signals
from cop.events import venues as venue_book
from cop.events.access import event_for, series_for, visible_to_member
from cop.events.formats import FORMAT_DEFAULTS
from cop.events.forms import (
    CancelForm,
    EventForm,
    FormatChoiceForm,
    OccurrenceForm,
    SeriesForm,
    VenueForm,
)
from cop.events.models import FORMATS, Event
from cop.events.times import (
    NonexistentLocalTime,
    format_clock,
    format_day,
    format_moment,
    format_when,
    london_now,
    to_london,
)
from cop.extensions import db
from cop.forms_common import ConfirmForm, refuse

bp = Blueprint("events", __name__)


@bp.app_template_filter("event_when")
def event_when(event: Event) -> str:
    return format_when(event.starts_at, event.ends_at)


@bp.app_template_filter("london_moment")
def london_moment(utc) -> str:
    return format_moment(utc) if utc else ""


@bp.app_template_filter("london_day")
def london_day(value) -> str:
    return format_day(value) if isinstance(value, date) else ""


@bp.app_template_filter("clock")
def clock(value) -> str:
    return format_clock(value) if value else ""


@bp.app_template_filter("table_layout")
def table_layout(layout) -> str:
    return venue_book.describe_table_layout(layout or [])


def _status(form) -> int:
    return 400 if form.errors else 200


# --- events -----------------------------------------------------------------------------------


@bp.route("/communities/<slug>/events")
@login_required
def index(slug: str):
    community, role = community_for(slug, ANY_ROLE)
    events = listing.visible_events(community, role, current_user.person_id)
    return render_template("events/index.html", community=community, role=role, events=events,
                           series=listing.series_of(community) if role in STAFF else [])


def _event_details(form) -> scheduling.EventDetails:
    return scheduling.EventDetails(title=form.title.data, starts_at=form.starts_at, ends_at=form.ends_at,
                                   rsvp_deadline=form.rsvp_deadline, **form.content().as_fields())


def _chosen_format(community):
    """The format from ?format= (step one), or None to ask for it."""
    chooser = FormatChoiceForm(request.args)
    if request.method == "POST":
        return request.form.get("format") if request.form.get("format") in FORMATS else None, chooser
    if request.args.get("format") is not None and chooser.validate():
        return chooser.format.data, chooser
    return None, chooser


@bp.route("/communities/<slug>/events/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    community, _ = community_for(slug, MANAGERS)
    format_code, chooser = _chosen_format(community)
    if format_code is None:
        if request.method == "POST":
            abort(400)
        return render_template("events/choose_format.html", community=community, form=chooser, series=False,
                               action=url_for("events.new", slug=slug), defaults=FORMAT_DEFAULTS), _status(chooser)
    defaults = FORMAT_DEFAULTS[format_code]
    form = EventForm(
        venues=venue_book.venues_of(community), format=format_code, data=None if request.method == "POST" else {
            "format": format_code, "starts": defaults.starts, "ends": defaults.ends, "capacity": defaults.capacity,
            "attendance_mode": defaults.attendance_modes[0], "has_meal": defaults.has_meal,
        },
    )
    if form.validate_on_submit():
        event = scheduling.create_event(community, format_code, _event_details(form), publish=form.publish.data)
        db.session.commit()
        flash(f"{event.title} has been {'published' if event.status == 'published' else 'saved as a draft'}.")
        return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", community=community, form=form, event=None,
                           format_code=format_code, defaults=defaults), _status(form)


@bp.route("/events/<int:event_id>")
@login_required
def show(event_id: int):
    event, role = event_for(event_id, ANY_ROLE)
    membership = members.membership_of(event.community, current_user.person_id)
    return render_template("events/show.html", event=event, role=role, **signals.values_for_page(event, role),
                           confirm_form=ConfirmForm(),
                           can_invite_network=bool(membership and membership.invite_quota > 0))


def _occurrence_form_data(event: Event) -> dict:
    starts, ends = to_london(event.starts_at), to_london(event.ends_at)
    deadline = to_london(event.rsvp_deadline) if event.rsvp_deadline else None
    return {
        "title": event.title, "description": event.description, "day": starts.date(), "starts": starts.time(),
        "ends": ends.time(), "venue": str(event.venue_id) if event.venue_id else "", "online_url": event.online_url,
        "attendance_mode": event.attendance_mode, "capacity": event.capacity, "speakers": event.speakers,
        "agenda": event.agenda, "has_meal": event.has_meal,
        "rsvp_day": deadline.date() if deadline else None, "rsvp_time": deadline.time() if deadline else None,
    }


def _occurrence_changes(form) -> scheduling.OccurrenceChanges:
    return scheduling.OccurrenceChanges(title=form.title.data, day=form.day.data, starts=form.starts.data,
                                        ends=form.ends.data, rsvp_deadline=form.rsvp_deadline,
                                        **form.content().as_fields())


def _refuse_cancelled(event: Event):
    flash("This event has been cancelled, so it cannot be changed.")
    return redirect(url_for("events.show", event_id=event.id))


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit(event_id: int):
    event, _ = event_for(event_id, MANAGERS)
    if event.status == "cancelled":
        return _refuse_cancelled(event)
    data = None if request.method == "POST" else {**_occurrence_form_data(event), "format": event.format}
    form = EventForm(venues=venue_book.venues_of(event.community), format=event.format, data=data)
    if form.validate_on_submit():
        changed = scheduling.update_event(event, _event_details(form), changed_by=current_user.person)
        db.session.commit()
        told = " Everyone invited has been sent the change." if changed and event.status == "published" else ""
        flash(f"{event.title} has been saved.{told}")
        return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", community=event.community, form=form, event=event,
                           format_code=event.format, defaults=FORMAT_DEFAULTS[event.format]), _status(form)


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(event_id: int):
    event, _ = event_for(event_id, MANAGERS)
    form = CancelForm()
    if event.status != "cancelled" and form.validate_on_submit():
        scheduling.cancel_event(event, changed_by=current_user.person, note=form.note.data or "")
        db.session.commit()
        flash(f"{event.title} has been cancelled.")
        return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/cancel.html", event=event, form=form), _status(form)


@bp.route("/events/<int:event_id>/publish", methods=["POST"])
@login_required
def publish(event_id: int):
    event, _ = event_for(event_id, MANAGERS)
    if event.status == "cancelled":
        return _refuse_cancelled(event)
    if ConfirmForm().validate_on_submit() and scheduling.publish_event(event):
        db.session.commit()
        flash(f"{event.title} has been published: the community can see it.")
    return redirect(url_for("events.show", event_id=event.id))


# --- series -----------------------------------------------------------------------------------


@bp.route("/communities/<slug>/series/new", methods=["GET", "POST"])
@login_required
def new_series(slug: str):
    community, _ = community_for(slug, MANAGERS)
    format_code, chooser = _chosen_format(community)
    if format_code is None:
        if request.method == "POST":
            abort(400)
        page = render_template("events/choose_format.html", community=community, form=chooser, series=True,
                               action=url_for("events.new_series", slug=slug), defaults=FORMAT_DEFAULTS)
        return page, _status(chooser)
    defaults = FORMAT_DEFAULTS[format_code]
    form = SeriesForm(
        venues=venue_book.venues_of(community), format=format_code, community=community,
        data=None if request.method == "POST" else {
            "format": format_code, "starts": defaults.starts, "ends": defaults.ends, "capacity": defaults.capacity,
            "attendance_mode": defaults.attendance_modes[0], "has_meal": defaults.has_meal,
            "recurrence": "monthly", "week_of_month": "2", "weekday": "1",
            "starts_on": london_now().date(), "count": 4 if format_code == "action_learning_set" else 6,
        },
    )
    if form.validate_on_submit():
        assert form.rule is not None  # validate() refuses a form without one
        series = scheduling.create_series(
            community, format_code, form.title.data, form.rule, form.starts.data, form.ends.data,
            scheduling.OccurrenceTemplate(rsvp_days_before=form.rsvp_days_before.data, **form.content().as_fields()),
            members=form.chosen_members, facilitators=form.chosen_facilitators, publish=form.publish.data,
        )
        db.session.commit()
        flash(f"{series.title}: {len(series.events)} sessions have been created.")
        return redirect(url_for("events.series", series_id=series.id))
    return render_template("events/series_form.html", community=community, form=form,
                           format_code=format_code, defaults=defaults), _status(form)


@bp.route("/series/<int:series_id>")
@login_required
def series(series_id: int):
    series, role = series_for(series_id, ANY_ROLE)
    if role in STAFF:
        sessions = series.events
    else:
        sessions = visible_to_member(series.events, current_user.person_id)
    return render_template("events/series.html", series=series, role=role, sessions=sessions,
                           members=listing.members_of(series) if role in STAFF else [])


@bp.route("/series/<int:series_id>/edit", methods=["GET", "POST"])
@login_required
def edit_series(series_id: int):
    series, _ = series_for(series_id, MANAGERS)
    candidates = [e for e in series.events if e.status != "cancelled"]
    if not candidates:
        flash("Every session of this series has been cancelled: there is nothing to change.")
        return redirect(url_for("events.series", series_id=series.id))
    wanted = request.values.get("event_id", type=int)
    upcoming = [e for e in candidates if e.ends_at >= utcnow()]
    event = next((e for e in candidates if e.id == wanted), None) or (upcoming or candidates)[0]
    form = OccurrenceForm(venues=venue_book.venues_of(series.community), format=series.format,
                          data=None if request.method == "POST" else _occurrence_form_data(event))
    if form.validate_on_submit():
        try:
            changed = scheduling.edit_occurrences(event, _occurrence_changes(form), form.scope.data,
                                                  changed_by=current_user.person)
        except NonexistentLocalTime as error:
            db.session.rollback()
            refuse(form, form.starts, str(error))
        else:
            db.session.commit()
            flash(f"{len(changed)} {'session' if len(changed) == 1 else 'sessions'} of {series.title} saved.")
            return redirect(url_for("events.series", series_id=series.id))
    return render_template("events/series_edit.html", series=series, form=form, event=event,
                           defaults=FORMAT_DEFAULTS[series.format],
                           candidates=candidates), 400 if form.errors else 200


# --- venues -----------------------------------------------------------------------------------


@bp.route("/communities/<slug>/venues")
@login_required
def venues(slug: str):
    community, role = community_for(slug, STAFF)
    return render_template("events/venues.html", community=community, role=role,
                           venues=venue_book.venues_of(community))


def _venue_details(form: VenueForm) -> venue_book.VenueDetails:
    return venue_book.VenueDetails(
        name=form.name.data, address=form.address.data or "", capacity=form.capacity.data,
        access_information=form.access_information.data or "", table_layout=form.table_layout,
    )


@bp.route("/communities/<slug>/venues/new", methods=["GET", "POST"])
@login_required
def new_venue(slug: str):
    community, _ = community_for(slug, MANAGERS)
    form = VenueForm()
    if form.validate_on_submit():
        venue = venue_book.save_venue(community, _venue_details(form))
        db.session.commit()
        flash(f"{venue.name} has been added.")
        return redirect(url_for("events.venues", slug=community.slug))
    return render_template("events/venue_form.html", community=community, form=form, venue=None), _status(form)


@bp.route("/communities/<slug>/venues/<int:venue_id>/edit", methods=["GET", "POST"])
@login_required
def edit_venue(slug: str, venue_id: int):
    community, _ = community_for(slug, MANAGERS)
    venue = venue_book.venue_of(community, venue_id) or abort(404)
    form = VenueForm(obj=venue, tables=venue_book.layout_as_text(venue.table_layout or []))
    if form.validate_on_submit():
        venue_book.save_venue(venue.community, _venue_details(form), venue, changed_by=current_user.person)
        db.session.commit()
        flash(f"{venue.name} has been saved.")
        return redirect(url_for("events.venues", slug=venue.community.slug))
    return render_template("events/venue_form.html", community=venue.community, form=form,
                           venue=venue), _status(form)
