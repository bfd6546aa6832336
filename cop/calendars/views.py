"""Calendar files and feeds, and the My calendar page."""
from collections.abc import Callable

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.http import is_resource_modified

from cop import ical as ics
from cop.calendars import feeds
from cop.communities.directory import communities_for
from cop.communities.models import Community
from cop.extensions import db, token_guesses
from cop.forms_common import int_arg

bp = Blueprint("calendars", __name__)

CALENDAR_TYPE = "text/calendar; charset=utf-8"


def _calendar_response(validator: feeds.Validator, build: Callable[[], str], cache: str,
                       filename: str | None = None) -> Response:
    """200 with the calendar, or 304 without building it when the client's copy is current."""
    if is_resource_modified(request.environ, etag=validator.etag, last_modified=validator.last_modified):
        response = Response(build(), content_type=CALENDAR_TYPE)
        if filename:
            response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response = Response(status=304)
    # Weak: the text of a 200 may differ in ways that do not matter (such as DTSTAMP in a download).
    response.set_etag(validator.etag, weak=True)
    if validator.last_modified is not None:
        response.last_modified = validator.last_modified
    response.headers["Cache-Control"] = cache
    return response


@bp.route("/events/<int:event_id>.ics")
def event_ics(event_id: int):
    download = feeds.event_download_for(event_id, current_user)
    if download is None:
        abort(404)
    return _calendar_response(
        feeds.event_validator(download.event),
        lambda: ics.event_ics(download.event, include_online_link=download.include_online_link),
        cache="private, no-cache",
        filename=feeds.event_file_name(download.event),
    )


@bp.route("/rsvp/<token>/calendar.ics")
@token_guesses
def invitation_ics(token: str):
    # "Add to calendar" on the RSVP page: an invitee without an account must get the file of a private event too.
    download = feeds.invitation_download(token)
    if download is None:
        abort(404)
    return _calendar_response(
        feeds.event_validator(download.event),
        lambda: ics.event_ics(download.event, include_online_link=True),
        cache="private, no-cache",
        filename=feeds.event_file_name(download.event),
    )


@bp.route("/communities/<slug>/calendar.ics")
def community_feed(slug: str):
    # Public: it lists only what anyone may see (published public events), for subscribing without signing in.
    community = db.first_or_404(select(Community).where(Community.slug == slug))
    return _calendar_response(
        feeds.community_feed_validator(community), lambda: feeds.community_feed(community),
        cache="public, max-age=300",
    )


@bp.route("/calendar/<token>.ics")
@token_guesses
def personal_feed(token: str):
    person = feeds.person_for_feed_token(token)
    if person is None:
        abort(404)
    theme_id = int_arg("theme", None)  # ?theme=<id>: only the events carrying that theme (My calendar's filter)
    return _calendar_response(
        feeds.personal_feed_validator(person, theme_id), lambda: feeds.personal_feed(person, theme_id),
        cache="private, no-cache",
    )


@bp.route("/my-calendar")
@login_required
def my_calendar():
    person = current_user.person
    feed_url = feeds.feed_url_for_person(person)
    themes = feeds.themes_in_feed(person)
    theme = feeds.feed_theme(person, int_arg("theme", None))
    name = f"cop: {person.name}"
    if theme is not None:
        feed_url, name = f"{feed_url}?theme={theme.id}", f"{name}, {theme.name}"
    coming_up = feeds.coming_up_in_feed(person, theme_id=theme.id if theme else None)
    return render_template(
        "calendars/my_calendar.html", person=person, themes=themes, theme=theme,
        links=feeds.subscribe_links(feed_url, name), coming_up=coming_up,
        # an invited member opens the event's page from here; someone invited from outside has only their mail
        in_communities={community.id for community, _role in communities_for(current_user)},
    )


@bp.route("/my-calendar/reset", methods=["POST"])
@login_required
def reset():
    feeds.reset_feed_token(current_user.person)
    flash("Your calendar address has been changed. The old address no longer works: subscribe again with the new one.")
    return redirect(url_for("calendars.my_calendar"))


@bp.app_template_global()
def add_to_calendar_links(event) -> dict[str, str]:
    return feeds.add_to_calendar_links(event)
