"""iCalendar text for events: one event (downloads and mail attachments) or a feed of many.

Everything here is plain: it takes models and returns text, and never touches the
request. Times are stored as naive UTC and written as Europe/London wall-clock
times with TZID, with a VTIMEZONE built from the tz database (see timezones.py).
icalendar folds lines at 75 octets and ends them with CRLF.
"""
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vDuration, vText, vUri
from sqlalchemy import select

from cop.calendars.timezones import vtimezone
from cop.links import external_url
from cop.communities.models import Membership
from cop.extensions import db
from cop.people.models import Person, utcnow
from cop.people.personal_data import erased_clause

ZONE_KEY = "Europe/London"
LONDON = ZoneInfo(ZONE_KEY)
PRODID = "-//cop//Communities of practice calendar//EN"
# How often subscribed clients should poll a feed; they answer with a 304 when nothing changed.
FEED_REFRESH = timedelta(hours=1)

PARTSTATS = {"yes": "ACCEPTED", "no": "DECLINED", "maybe": "TENTATIVE", "pending": "NEEDS-ACTION"}
METHODS = ("PUBLISH", "REQUEST", "CANCEL")


def event_page_url(event) -> str:
    return external_url("events.show", event_id=event.id)


def event_ics(event, method: str = "PUBLISH", invitation=None, *, include_online_link: bool = True) -> str:
    """A whole VCALENDAR for one event.

    method: PUBLISH for downloads, REQUEST for an invitation or its update, CANCEL
    when the event (or this person's place in it) is cancelled. With an invitation
    the event carries the person as ATTENDEE with their answer as PARTSTAT.
    include_online_link=False leaves the meeting link out, for files anyone may fetch.
    """
    if method not in METHODS:
        raise ValueError(f"unknown iTIP method {method!r}")
    organiser = first_organisers([event.community_id]).get(event.community_id)
    calendar = _calendar(method=method)
    _add_timezone(calendar, [event])
    calendar.add_component(
        _vevent(event, method=method, invitation=invitation, organiser=organiser, stamp=utcnow(),
                include_online_link=include_online_link)
    )
    return calendar.to_ical().decode()


def calendar_feed(
    events: Iterable,
    name: str,
    invitations_by_event: Mapping | None = None,
    *,
    include_online_link: bool = True,
) -> str:
    """A subscribable calendar of several events (no METHOD, so clients treat it as a published feed).

    invitations_by_event maps an event id to the reader's invitation, for a personal feed.
    DTSTAMP is each event's last revision (RFC 5545 allows that without METHOD), so the
    same data always gives the same text.
    """
    events = list(events)
    invitations_by_event = invitations_by_event or {}
    organisers = first_organisers({event.community_id for event in events})
    calendar = _calendar(method=None)
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", ZONE_KEY)
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(FEED_REFRESH))
    written = []
    for event in events:
        invitation = invitations_by_event.get(event.id)
        revised = max(t for t in (event.updated_at, _invitation_changed_at(invitation)) if t is not None)
        try:
            component = _vevent(event, method=None, invitation=invitation, organiser=organisers.get(event.community_id),
                                stamp=revised, include_online_link=include_online_link)
            _local(event.starts_at), _local(event.ends_at)  # (the time zone's range needs them too)
        except (ValueError, OverflowError, TypeError) as error:
            # One bad event (a date past what a calendar can hold) never takes down the whole feed.
            current_app.logger.error("calendar feed %r: event %s skipped: %s", name, event.id, error)
            continue
        written.append((event, component))
    _add_timezone(calendar, [event for event, _ in written])
    for _, component in written:
        calendar.add_component(component)
    return calendar.to_ical().decode()


def first_organisers(community_ids: Iterable[int]) -> dict[int, Person]:
    """Each community's first organiser (the longest-standing, not erased: mail replies and calendar
    ORGANIZER go to them), in one query for all of them."""
    ids = set(community_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Membership.community_id, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.community_id.in_(ids), Membership.role == "organiser", ~erased_clause())
        .order_by(Membership.community_id, Membership.joined_at, Membership.id)
    ).all()
    organisers: dict[int, Person] = {}
    for community_id, person in rows:
        organisers.setdefault(community_id, person)
    return organisers


def summary_for(event, invitation=None, method: str | None = None) -> str:
    """The title a calendar shows: the event's, marked when cancelled or when the reader is waitlisted."""
    title = event.title
    if invitation is not None and invitation.place == "waitlisted" and invitation.waitlist_position:
        title = f"[Waitlist {invitation.waitlist_position}] {title}"
    # Some clients show a STATUS:CANCELLED event like any other; say it in the title too.
    # With METHOD:CANCEL the client removes or marks it itself.
    if event.status == "cancelled" and method != "CANCEL":
        title = f"Cancelled: {title}"
    return title


def location_for(event) -> str:
    if event.venue is not None:
        address = ", ".join(line.strip() for line in (event.venue.address or "").splitlines() if line.strip())
        return f"{event.venue.name}, {address}" if address else event.venue.name
    if event.attendance_mode == "online":
        return "Online"
    return ""


def _calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def _add_timezone(calendar: Calendar, events: list) -> None:
    if not events:
        return
    first_year = min(_local(event.starts_at).year for event in events)
    last_year = max(_local(event.ends_at).year for event in events)
    calendar.add_component(vtimezone(ZONE_KEY, first_year, last_year))


def _local(naive_utc: datetime) -> datetime:
    return naive_utc.replace(tzinfo=timezone.utc).astimezone(LONDON)


def _utc(naive_utc: datetime) -> datetime:
    return naive_utc.replace(tzinfo=timezone.utc)


def _invitation_changed_at(invitation) -> datetime | None:
    if invitation is None:
        return None
    times = [t for t in (invitation.created_at, invitation.answered_at, invitation.revoked_at) if t is not None]
    return max(times) if times else None


def _status(event, method: str | None) -> str:
    if method == "CANCEL" or event.status == "cancelled":
        return "CANCELLED"
    if event.status == "draft":
        return "TENTATIVE"
    return "CONFIRMED"


def _description(event, include_online_link: bool) -> str:
    parts = [event.description.strip()] if event.description and event.description.strip() else []
    if event.online_url:
        if include_online_link:
            parts.append(f"Join online: {event.online_url}")
        else:
            parts.append("Join online: the link is in your invitation.")
    if event.series is not None:
        parts.append(f"Part of the series: {event.series.title}")
    parts.append(f"Event page: {event_page_url(event)}")
    return "\n\n".join(parts)


def _mailto(name: str, email: str, **parameters) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = name
    for key, value in parameters.items():
        address.params[key.upper().replace("_", "-")] = value
    return address


def _organiser_address(organiser: Person | None) -> vCalAddress:
    if organiser is not None:
        return _mailto(organiser.name, organiser.email)
    name, email = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    return _mailto(name, email)


def _vevent(event, *, method, invitation, organiser, stamp: datetime, include_online_link: bool) -> Event:
    status = _status(event, method)
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", _utc(stamp))
    vevent.add("created", _utc(event.created_at))
    vevent.add("last-modified", _utc(event.updated_at))
    vevent.add("dtstart", _local(event.starts_at))
    vevent.add("dtend", _local(event.ends_at))
    vevent.add("summary", summary_for(event, invitation, method))
    vevent.add("status", status)
    vevent.add("transp", "TRANSPARENT" if status == "CANCELLED" else "OPAQUE")
    vevent.add("class", "PUBLIC" if event.is_public else "PRIVATE")
    location = location_for(event)
    if location:
        vevent.add("location", vText(location))
    vevent.add("url", vUri(event_page_url(event)), parameters={"VALUE": "URI"})
    vevent.add("description", _description(event, include_online_link))
    if event.online_url and include_online_link:
        vevent.add(
            "conference", vUri(event.online_url),
            parameters={"VALUE": "URI", "FEATURE": ["AUDIO", "VIDEO"], "LABEL": "Join online"},
        )
    vevent.add("organizer", _organiser_address(organiser))
    if invitation is not None:
        partstat = PARTSTATS[invitation.answer]
        vevent.add(
            "attendee",
            _mailto(
                invitation.person.name, invitation.person.email,
                cutype="INDIVIDUAL", role="REQ-PARTICIPANT", partstat=partstat,
                # A reply is wanted only while the person has not answered (through their RSVP link).
                rsvp="TRUE" if partstat == "NEEDS-ACTION" else "FALSE",
            ),
        )
    return vevent
