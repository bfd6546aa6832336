"""iCalendar text for events: one event (downloads and mail attachments) or a feed of many.

Everything here is plain: it takes models and returns text, and never touches the
request. Times are stored as naive UTC and written in UTC ("...Z"), as Google
Calendar writes them: a Europe/London wall-clock time with TZID cannot say which of
the two 01:30s of the last Sunday of October it means, and ical.js and vobject read
the second an hour late. Clients show UTC times in the reader's own zone; feeds say
X-WR-TIMEZONE:Europe/London for those that ask. icalendar folds lines at 75 octets
and ends them with CRLF.

ORGANIZER is never an organiser's personal mailbox: it is cop's own address (the
sender address, or the invitation's reply address when cop receives calendar answers
by mail, see cop/invitations/calendar_replies.py), with the community's name as CN.
"""
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vDuration, vText, vUri

from cop.clock import utcnow
from cop.forms_common import day_in_range
from cop.links import external_url

ZONE_KEY = "Europe/London"
LONDON = ZoneInfo(ZONE_KEY)
PRODID = "-//cop//Communities of practice calendar//EN"
# How often subscribed clients should poll a feed; they answer with a 304 when nothing changed.
FEED_REFRESH = timedelta(hours=1)

PARTSTATS = {"yes": "ACCEPTED", "no": "DECLINED", "maybe": "TENTATIVE", "pending": "NEEDS-ACTION"}
# What a "yes" has got decides whether the calendar says ACCEPTED: only a confirmed place is.
# A place in the queue is TENTATIVE; an offered place waits for the person to take it.
PLACE_PARTSTATS = {"confirmed": "ACCEPTED", "waitlisted": "TENTATIVE", "offered": "NEEDS-ACTION",
                   "lapsed": "NEEDS-ACTION", "none": "NEEDS-ACTION"}
METHODS = ("PUBLISH", "REQUEST", "CANCEL")


def event_page_url(event) -> str:
    return external_url("events.show", event_id=event.id)


def event_ics(event, method: str = "PUBLISH", invitation=None, *, include_online_link: bool = True,
              reply_address: str | None = None) -> str:
    """A whole VCALENDAR for one event.

    method: PUBLISH for downloads, REQUEST for an invitation or its update, CANCEL
    when the event (or this person's place in it) is cancelled. With an invitation
    the event carries the person as ATTENDEE with their answer as PARTSTAT.
    include_online_link=False leaves the meeting link out, for files anyone may fetch.
    reply_address: where the person's calendar sends its iTIP REPLY (the ORGANIZER); only
    with it does a REQUEST ask for an answer (RSVP=TRUE), since only then does cop hear it.
    """
    if method not in METHODS:
        raise ValueError(f"unknown iTIP method {method!r}")
    calendar = _calendar(method=method)
    calendar.add_component(
        _vevent(event, method=method, invitation=invitation, organizer=organizer_address(event, reply_address),
                stamp=utcnow(), include_online_link=include_online_link, asks_for_reply=reply_address is not None)
    )
    return calendar.to_ical().decode()


def events_ics(events: Iterable, method: str = "PUBLISH") -> str:
    """One VCALENDAR holding several events (a set's chosen sessions, mailed as one file to import)."""
    if method not in METHODS:
        raise ValueError(f"unknown iTIP method {method!r}")
    calendar = _calendar(method=method)
    stamp = utcnow()
    for event in events:
        calendar.add_component(_vevent(event, method=method, invitation=None, organizer=organizer_address(event),
                                       stamp=stamp, include_online_link=True, asks_for_reply=False))
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
    calendar = _calendar(method=None)
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", ZONE_KEY)
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(FEED_REFRESH))
    for event in events:
        invitation = invitations_by_event.get(event.id)
        revised = max(t for t in (event.updated_at, _invitation_changed_at(invitation)) if t is not None)
        try:
            if not (day_in_range(event.starts_at.date()) and day_in_range(event.ends_at.date())):
                raise ValueError(f"dated {event.starts_at:%Y-%m-%d}, outside the range cop accepts")
            component = _vevent(event, method=None, invitation=invitation, organizer=organizer_address(event),
                                stamp=revised, include_online_link=include_online_link, asks_for_reply=False)
        except (ValueError, OverflowError, TypeError) as error:
            # One bad event (stored before the forms refused its date) never takes down the whole feed.
            current_app.logger.error("calendar feed %r: event %s skipped: %s", name, event.id, error)
            continue
        calendar.add_component(component)
    return calendar.to_ical().decode()


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
    # Slides, recordings and links go up after the event (cop.materials): the page lists what the reader may see.
    parts.append(f"Materials: {event_page_url(event)}/materials")
    return "\n\n".join(parts)


def _mailto(name: str, email: str, **parameters) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = name
    for key, value in parameters.items():
        address.params[key.upper().replace("_", "-")] = value
    return address


def sender_address() -> str:
    """The address part of MAIL_DEFAULT_SENDER."""
    return parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]


def organizer_address(event, reply_address: str | None = None) -> vCalAddress:
    """cop's address with the community's name: never an organiser's personal mailbox."""
    community = event.community
    name = community.name if community is not None else parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[0]
    return _mailto(name, reply_address or sender_address())


def partstat_for(invitation) -> str:
    """What cop knows of the person's answer: a "yes" is ACCEPTED only with a confirmed place."""
    if invitation.answer == "yes":
        return PLACE_PARTSTATS[invitation.place]
    return PARTSTATS[invitation.answer]


def _vevent(event, *, method, invitation, organizer: vCalAddress, stamp: datetime, include_online_link: bool,
            asks_for_reply: bool) -> Event:
    status = _status(event, method)
    vevent = Event()
    vevent.add("uid", event.uid)
    # A person's own steps (their place cancelled, then given back) add to the event's.
    vevent.add("sequence", event.sequence + (getattr(invitation, "calendar_sequence", 0) or 0))
    vevent.add("dtstamp", _utc(stamp))
    vevent.add("created", _utc(event.created_at))
    vevent.add("last-modified", _utc(event.updated_at))
    vevent.add("dtstart", _utc(event.starts_at))
    vevent.add("dtend", _utc(event.ends_at))
    vevent.add("summary", summary_for(event, invitation, method))
    vevent.add("status", status)
    vevent.add("transp", "TRANSPARENT" if status == "CANCELLED" else "OPAQUE")
    vevent.add("class", "PUBLIC" if event.is_public else "PRIVATE")
    theme = getattr(event, "theme", None)  # the community's theme of the year for it (cop.programme)
    if theme is not None:
        vevent.add("categories", [theme.name])
    location = location_for(event)
    if location:
        vevent.add("location", vText(location))
    vevent.add("url", vUri(event_page_url(event)), parameters={"VALUE": "URI"})
    vevent.add("description", _description(event, include_online_link))
    if event.online_url and include_online_link:
        vevent.add(
            "conference", vUri(event.online_url),
            # A list is a multi-valued parameter (FEATURE=AUDIO,VIDEO); icalendar's hints allow only str.
            parameters={"VALUE": "URI", "FEATURE": ["AUDIO", "VIDEO"], "LABEL": "Join online"},  # type: ignore[dict-item]
        )
    vevent.add("organizer", organizer)
    if invitation is not None:
        partstat = partstat_for(invitation)
        vevent.add(
            "attendee",
            _mailto(
                invitation.person.name, invitation.person.email,
                cutype="INDIVIDUAL", role="REQ-PARTICIPANT", partstat=partstat,
                # A reply is asked for only while cop waits for one and can hear it (a reply address).
                rsvp="TRUE" if partstat == "NEEDS-ACTION" and asks_for_reply and method == "REQUEST" else "FALSE",
            ),
        )
    return vevent
