"""Calendar feeds: who may fetch what, personal feed tokens, subscribe links, and cache validators.

A calendar client polls its feeds every few minutes to hours. Each feed therefore
has a validator (ETag and Last-Modified) computed by one aggregate query over the
rows the feed is made of; when the client's copy is current, the view answers 304
without loading the events or building the calendar. Building loads the feed's
events with their venue and series in one query, so the cost follows the number of
events in the feed, never the size of the community.
"""
import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import quote, urlencode

from flask import current_app, url_for
from sqlalchemy import case, func, select
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from cop import ical as ics
from cop.calendars.models import CalendarToken
from cop.clock import utcnow
from cop.communities.access import STAFF, role_in
from cop.communities.models import Community
from cop.events.models import Event, Theme
from cop.extensions import db
from cop.invitations.models import Invitation
from cop.invitations.rsvp import invitation_for_token
from cop.people.models import Person
from cop.tokens import hash_token

# Bump when the calendar text changes shape, so clients holding an old copy fetch the new one.
# 2: times in UTC, ORGANIZER cop's address with the community's name, PARTSTAT from the place.
FORMAT_VERSION = "2"
# Statuses that appear in feeds: cancelled events stay, marked STATUS:CANCELLED.
LISTED_STATUSES = ("published", "cancelled")


@dataclass(frozen=True)
class Validator:
    """What a client's cached copy is compared with: an entity tag and a last-modified time."""

    etag: str
    last_modified: datetime | None  # aware UTC, whole seconds


def _absolute(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def _validator(*parts, times) -> Validator:
    digest = hashlib.sha256(repr((FORMAT_VERSION,) + parts).encode()).hexdigest()[:32]
    known = [t for t in times if t is not None]
    last = max(known).replace(microsecond=0, tzinfo=timezone.utc) if known else None
    return Validator(digest, last)


# --- Who may download one event ---------------------------------------------------------

@dataclass(frozen=True)
class EventDownload:
    event: Event
    # Staff and invitees get the meeting link; a file anyone may fetch leaves it out.
    include_online_link: bool


def event_download_for(event_id: int, account) -> EventDownload | None:
    """The event's .ics as this visitor may have it, or None (answered as 404, hiding that it exists).

    A published or cancelled public event: anyone. A draft: the community's staff.
    A private event: staff, and the people invited to it (not revoked).
    """
    event = db.session.get(Event, event_id)
    if event is None:
        return None
    signed_in = account is not None and account.is_authenticated
    if signed_in and role_in(event.community, account) in STAFF:
        return EventDownload(event, include_online_link=True)
    if event.status == "draft":
        return None
    invited = signed_in and db.session.execute(
        select(Invitation.id).where(
            Invitation.event_id == event.id, Invitation.person_id == account.person_id,
            Invitation.is_live,
        )
    ).first() is not None
    if invited:
        return EventDownload(event, include_online_link=True)
    if event.is_public:
        return EventDownload(event, include_online_link=False)
    return None


def invitation_download(token: str) -> EventDownload | None:
    """The event's .ics for whoever holds a personal invitation link (no account needed), or None.

    The holder is invited, so the file carries the meeting link. An unknown or revoked
    link, or a draft, gives None (answered as 404).
    """
    invitation = invitation_for_token(token)
    if invitation is None or invitation.event.status == "draft":
        return None
    return EventDownload(invitation.event, include_online_link=True)


def event_validator(event: Event) -> Validator:
    """From everything the file quotes: the event, its venue's name and address, its series' title and the
    community's name (the ORGANIZER's CN). Edits of those through cop also touch event.updated_at."""
    venue = (event.venue.name, event.venue.address) if event.venue is not None else None
    series = event.series.title if event.series is not None else None
    return _validator(event.id, event.sequence, event.status, event.updated_at, event.community.name, venue, series,
                      times=[event.updated_at])


def event_file_name(event: Event) -> str:
    return f"event-{event.id}.ics"


# --- The community feed -----------------------------------------------------------------

def _community_listing(community: Community):
    return (
        Event.community_id == community.id,
        Event.is_public.is_(True),
        Event.status.in_(LISTED_STATUSES),
    )


def community_feed_validator(community: Community) -> Validator:
    count, last_updated, top_sequence, id_sum = db.session.execute(
        select(func.count(Event.id), func.max(Event.updated_at), func.max(Event.sequence), func.sum(Event.id))
        .where(*_community_listing(community))
    ).one()
    return _validator(
        "community", community.id, community.name, count, last_updated, top_sequence, id_sum,
        times=[last_updated],
    )


def community_feed(community: Community) -> str:
    events = db.session.scalars(
        select(Event)
        .options(joinedload(Event.venue), joinedload(Event.series), joinedload(Event.theme))
        .where(*_community_listing(community))
        .order_by(Event.starts_at, Event.id)
    ).all()
    return ics.calendar_feed(events, community.name, include_online_link=False)


def community_feed_url(community: Community) -> str:
    return _absolute(f"/communities/{community.slug}/calendar.ics")


# --- Personal feed tokens ---------------------------------------------------------------

def _derive_token(person_id: int, salt: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"calendar-feed:{person_id}:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _active_token(person: Person) -> CalendarToken | None:
    return db.session.scalars(
        select(CalendarToken)
        .where(CalendarToken.person_id == person.id, CalendarToken.revoked_at.is_(None))
        .order_by(CalendarToken.id.desc())
        .limit(1)
    ).first()


def _start_token(person: Person) -> str:
    salt = secrets.token_hex(16)
    token = _derive_token(person.id, salt)
    db.session.add(CalendarToken(person_id=person.id, salt=salt, token_hash=hash_token(token)))
    return token


def personal_feed_token(person: Person) -> str:
    """The person's feed token, made (and committed) the first time it is asked for."""
    active = _active_token(person)
    if active is not None:
        token = _derive_token(person.id, active.salt)
        if hmac.compare_digest(hash_token(token), active.token_hash):
            return token
        # SECRET_KEY has changed since the token was made: the old URL cannot be shown again.
        active.revoked_at = utcnow()
    token = _start_token(person)
    db.session.commit()
    return token


def feed_url_for_person(person: Person) -> str:
    """The person's private feed URL (https), creating the token if they have none.

    For the My calendar page and for the RSVP page of people without an account.
    """
    # Built from BASE_URL without url_for, so mails and commands outside a request can use it too.
    return _absolute(f"/calendar/{personal_feed_token(person)}.ics")


def reset_feed_token(person: Person) -> str:
    """Revoke the person's feed URL (it answers 404 from now on) and give them a new one (committed, as
    personal_feed_token is: the URL shown must be one that works)."""
    now = utcnow()
    for old in db.session.scalars(
        select(CalendarToken).where(CalendarToken.person_id == person.id, CalendarToken.revoked_at.is_(None))
    ):
        old.revoked_at = now
    _start_token(person)
    db.session.commit()
    return feed_url_for_person(person)


def person_for_feed_token(token: str) -> Person | None:
    """Whose feed this token opens; None for an unknown or revoked token."""
    return db.session.execute(
        select(Person)
        .join(CalendarToken, CalendarToken.person_id == Person.id)
        .where(CalendarToken.token_hash == hash_token(token), CalendarToken.revoked_at.is_(None))
    ).scalar_one_or_none()


# --- The personal feed ------------------------------------------------------------------

def personal_feed_validator(person: Person, theme_id: int | None = None) -> Validator:
    """From all the person's invitations, whatever their state, so any change that adds,
    drops or alters an event in the feed changes the validator (giving an event a theme touches it, so a feed
    filtered by theme changes too). The theme filter is part of the tag."""
    row = db.session.execute(
        select(
            func.count(Invitation.id), func.sum(Invitation.id),
            func.max(Invitation.created_at), func.max(Invitation.answered_at), func.max(Invitation.revoked_at),
            func.count(Invitation.revoked_at), func.sum(Invitation.waitlist_position),
            func.sum(case((Invitation.place == "confirmed", 1), else_=0)),
            func.sum(case((Invitation.answer == "yes", 1), (Invitation.answer == "maybe", 2),
                          (Invitation.answer == "no", 4), else_=0) * Invitation.id),
            func.max(Event.updated_at), func.max(Event.sequence), func.sum(Invitation.calendar_sequence),
        )
        .join(Event, Event.id == Invitation.event_id)
        .where(Invitation.person_id == person.id)
    ).one()
    (count, id_sum, last_created, last_answered, last_revoked, revoked, waitlist_sum, confirmed,
     answers, last_updated, top_sequence, own_steps) = row
    # Each event's ORGANIZER names its community: a renamed community changes the feed.
    communities = sorted(db.session.execute(
        select(Community.id, Community.name).distinct()
        .join(Event, Event.community_id == Community.id)
        .join(Invitation, Invitation.event_id == Event.id)
        .where(Invitation.person_id == person.id)
    ).all())
    return _validator(
        "person", person.id, theme_id, person.name, person.email, count, id_sum, last_created, last_answered,
        last_revoked, revoked, waitlist_sum, confirmed, answers, last_updated, top_sequence, own_steps, communities,
        times=[last_created, last_answered, last_revoked, last_updated],
    )


def personal_feed_invitations(person: Person, theme_id: int | None = None) -> list[Invitation]:
    """The invitations whose events belong in the person's feed: not declined, not revoked, not drafts; only
    those whose event carries the theme when `theme_id` is given. The events come with their venue, series and
    theme (CATEGORIES) in the same query."""
    query = (
        select(Invitation)
        .join(Invitation.event)
        .options(
            contains_eager(Invitation.event).joinedload(Event.venue),
            contains_eager(Invitation.event).joinedload(Event.series),
            contains_eager(Invitation.event).joinedload(Event.theme),
        )
        .where(
            Invitation.person_id == person.id,
            Invitation.is_live,
            Invitation.answer != "no",
            Event.status.in_(LISTED_STATUSES),
        )
        .order_by(Event.starts_at, Event.id)
    )
    if theme_id is not None:
        query = query.where(Event.theme_id == theme_id)
    return list(db.session.scalars(query))


def themes_in_feed(person: Person) -> list[Theme]:
    """The themes the events of the person's feed carry (from any of their communities), by name: what My
    calendar can filter by."""
    return sorted(db.session.scalars(
        select(Theme).distinct()
        .join(Event, Event.theme_id == Theme.id)
        .join(Invitation, Invitation.event_id == Event.id)
        .where(Invitation.person_id == person.id, Invitation.is_live, Invitation.answer != "no",
               Event.status.in_(LISTED_STATUSES))
    ).unique().all(), key=lambda theme: (theme.name.casefold(), theme.id))


def coming_up_in_feed(person: Person, now: datetime | None = None, theme_id: int | None = None) -> list[Invitation]:
    """The feed's events that have not ended yet, for the My calendar page."""
    now = now or utcnow()
    return [invitation for invitation in personal_feed_invitations(person, theme_id)
            if invitation.event.ends_at >= now]


def personal_feed(person: Person, theme_id: int | None = None) -> str:
    """The person's feed; only the events carrying the theme when `theme_id` is given (a theme none of their
    events carries, any more, gives an empty calendar rather than an error the calendar app would drop)."""
    invitations = personal_feed_invitations(person, theme_id)
    theme = next((i.event.theme for i in invitations if i.event.theme is not None), None) if theme_id else None
    for invitation in invitations:
        set_committed_value(invitation, "person", person)  # already loaded: no query per invitation
    return ics.calendar_feed(
        [invitation.event for invitation in invitations],
        f"My events: {theme.name} (cop)" if theme else "My events (cop)",
        {invitation.event_id: invitation for invitation in invitations},
    )


def feed_theme(person: Person, theme_id: int | None) -> Theme | None:
    """The theme a personal feed or My calendar is filtered by: one the person's feed carries, else None."""
    if theme_id is None:
        return None
    return next((theme for theme in themes_in_feed(person) if theme.id == theme_id), None)


# --- Links for calendar apps ------------------------------------------------------------

def webcal_url(feed_url: str) -> str:
    """The feed URL with the webcal: scheme, which opens the system's calendar app to subscribe."""
    return "webcal://" + feed_url.split("://", 1)[1]


def subscribe_links(feed_url: str, name: str) -> dict[str, str]:
    """One-click subscription in Apple Calendar (and Outlook desktop), Google Calendar and Outlook on the web."""
    webcal = webcal_url(feed_url)
    return {
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/r?" + urlencode({"cid": webcal}),
        "outlook": "https://outlook.office.com/calendar/addfromweb?" + urlencode({"url": feed_url, "name": name}),
        "feed": feed_url,
    }


def _google_time(naive_utc: datetime) -> str:
    return naive_utc.strftime("%Y%m%dT%H%M%SZ")


# "Add" links carry the start of the description and the event page's address: a whole description
# makes a URL longer than browsers and mail gateways keep (Outlook's deeplink fails past about 2,000).
ADD_LINK_DESCRIPTION_CHARS = 300


def short_description(text: str, limit: int = ADD_LINK_DESCRIPTION_CHARS) -> str:
    """The description cut at a word before `limit` characters, with an ellipsis when cut."""
    text = (text or "").strip()
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(None, 1)[0].rstrip(" ,.;:") + "…"


def add_to_calendar_links(event: Event) -> dict[str, str]:
    """Links that add one event: Outlook on the web (Microsoft 365 and Outlook.com), Google Calendar, and the
    .ics file (Apple, Outlook desktop).

    The online meeting link is left out: these links sit on a page others may see. The description is cut
    short; the event page it links to has the whole of it.
    """
    page = ics.event_page_url(event)
    details = "\n\n".join(part for part in (short_description(event.description), f"Event page: {page}") if part)
    location = ics.location_for(event)
    google = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": f"{_google_time(event.starts_at)}/{_google_time(event.ends_at)}",
        "ctz": ics.ZONE_KEY,
        "details": details,
        "location": location,
    }
    outlook = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event.title,
        "startdt": event.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": event.ends_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "location": location,
        "body": details,
    }
    return {
        "outlook": "https://outlook.office.com/calendar/0/deeplink/compose?" + urlencode(outlook, quote_via=quote),
        "outlook_personal": (
            "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(outlook, quote_via=quote)
        ),
        "google": "https://calendar.google.com/calendar/render?" + urlencode(google, quote_via=quote),
        "ics": url_for("calendars.event_ics", event_id=event.id),
    }
