"""Registering from the public page, and confirming the address.

Nothing is held or shown until the address is confirmed by the mailed link: a registration is
only what was typed, with the link's hash. The page answers the same whether or not cop knows the
address. On confirmation the person joins this community (created only if the address is new to
cop; a known person keeps their name), this community's record of them takes what they gave, and
an invitation with the channel is answered "yes" through the RSVP function, so the capacity lock,
waitlist, confirmation mail and .ics are exactly an invited guest's.

Abuse: at most one confirmation mail to an address a day from this page (later registrations are
kept but not mailed, and the page reads the same); at most REGISTRATION_UNCONFIRMED_CAP unconfirmed
registrations per event at a time; links expire after REGISTRATION_LINK_HOURS; the views add rate
limits per client and per event, and a honeypot field.
"""
import re
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, render_template
from sqlalchemy import delete, func, select, update

from cop.clock import utcnow
from cop.communities import members
from cop.communities.models import Community, Membership
from cop.events.models import Event
from cop.extensions import db, rows_changed
from cop.invitations import rsvp
from cop.invitations.mails import london_time
from cop.invitations.models import Invitation, InvitationLink
from cop.links import external_url
from cop.mail.outbox import queue_mail
from cop.people.models import Organisation, Person
from cop.registration.models import Registration, RegistrationSetting, SharedLink
from cop.tokens import hash_token, new_token

PUBLIC_CHANNEL = "public"  # the registration page reached without a channel tag
CHANNEL_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


class RegistrationClosed(Exception):
    """The event takes no registrations now (not published, private, cancelled, started or past its deadline)."""


class TooManyUnconfirmed(Exception):
    """The event has as many unconfirmed registrations as it accepts at a time."""


@dataclass
class RegistrationDetails:
    name: str
    email: str
    organisation: str = ""
    sector: str = ""
    place: str = ""
    profession: str = "other"
    dietary_needs: str = ""
    access_needs: str = ""
    whole_series: bool = False  # every open session of the event's series


def open_for_registration(event: Event, now=None) -> bool:
    return event.status == "published" and event.is_public and rsvp.answers_open(event, now)


def channel_for(event: Event, via: str | None) -> str:
    """The shared link's channel named by `?via=`, if this event has one; otherwise the plain public page."""
    via = (via or "").strip().lower()
    if via and CHANNEL_PATTERN.match(via):
        known = db.session.execute(
            select(SharedLink.id).where(SharedLink.event_id == event.id, SharedLink.channel == via)).first()
        if known:
            return via
    return PUBLIC_CHANNEL


def register(event: Event, details: RegistrationDetails, channel: str, now=None) -> Registration:
    """Keep what was typed and mail a confirmation link (at most once a day per address). The caller
    commits. Raises RegistrationClosed or TooManyUnconfirmed; says nothing about whether the address is known."""
    now = now or utcnow()
    if not open_for_registration(event, now):
        raise RegistrationClosed()
    return _keep(event.community, event, details, channel, now)


def request_to_join(community, details: RegistrationDetails, now=None) -> Registration:
    """"Join this network": kept and mailed like a registration, with no event (the caller commits)."""
    return _keep(community, None, details, "join", now or utcnow())


def _keep(community, event: Event | None, details: RegistrationDetails, channel: str, now) -> Registration:
    email = details.email.strip().lower()
    # Unconfirmed registrations are kept only as long as they count for the daily mail limit.
    db.session.execute(delete(Registration).where(
        Registration.state == "pending", Registration.expires_at < now - timedelta(days=1),
        Registration.created_at < now - timedelta(days=1)))
    unconfirmed = db.session.execute(
        select(func.count(Registration.id)).where(
            Registration.community_id == community.id,
            Registration.event_id == event.id if event else Registration.event_id.is_(None),
            Registration.state == "pending", Registration.expires_at > now)
    ).scalar_one()
    if unconfirmed >= current_app.config["REGISTRATION_UNCONFIRMED_CAP"]:
        raise TooManyUnconfirmed()
    mailed_today = db.session.execute(
        select(Registration.id).where(
            Registration.email == email, Registration.mailed.is_(True),
            Registration.created_at > now - timedelta(days=1))
    ).first() is not None
    token, token_hash = new_token()
    hours = current_app.config["REGISTRATION_LINK_HOURS"]
    registration = Registration(
        event=event, community_id=community.id, name=details.name.strip(), email=email,
        organisation=details.organisation.strip(), sector=details.sector or "", place=details.place.strip(),
        profession=details.profession or "other", dietary_needs=details.dietary_needs.strip(),
        access_needs=details.access_needs.strip(), channel=channel, token_hash=token_hash,
        whole_series=bool(details.whole_series and event and event.series_id),
        mailed=not mailed_today, expires_at=now + timedelta(hours=hours), created_at=now,
    )
    db.session.add(registration)
    if not mailed_today:
        link = external_url("registration.confirm", token=token)
        values = {"registration": registration, "event": event, "community": community, "link": link,
                  "hours": hours, "starts": london_time(event.starts_at) if event else ""}
        subject = f"Confirm your place at {event.title}" if event else f"Confirm you want to join {community.name}"
        queue_mail(email, subject, render_template("registration/mail/confirm.txt", **values),
                   render_template("registration/mail/confirm.html", **values), community_id=community.id)
    db.session.flush()
    return registration


def pending_registration(token: str, now=None) -> Registration | None:
    registration = db.session.execute(
        select(Registration).where(Registration.token_hash == hash_token(token))).scalar_one_or_none()
    if registration is None or registration.state != "pending" or registration.expires_at <= (now or utcnow()):
        return None
    return registration


def needs_approval(event: Event) -> bool:
    setting = db.session.get(RegistrationSetting, event.id)
    return bool(setting and setting.needs_approval)


def set_needs_approval(event: Event, value: bool) -> None:
    setting = db.session.get(RegistrationSetting, event.id)
    if setting is None:
        setting = RegistrationSetting(event_id=event.id)
        db.session.add(setting)
    setting.needs_approval = value


def confirm(token: str, now=None) -> str | None:
    """Spend the link. Without approval the person joins the community, its record takes what they
    gave, and their invitation (made if they had none) is answered "yes": returns a personal RSVP
    token for the answer page. With approval nothing is held yet: returns None. Raises LookupError
    for an unknown, used or expired link; rsvp.AnswersClosed when the event no longer takes answers
    (the registration is then spent, and nothing is held)."""
    now = now or utcnow()
    registration = pending_registration(token, now)
    if registration is None:
        raise LookupError("This link has expired or has been used.")
    event = registration.event
    if event is None:
        _confirm_join(registration, now)
        return None
    state = "awaiting" if needs_approval(event) else "confirmed"
    spent = rows_changed(
        update(Registration).where(Registration.id == registration.id, Registration.state == "pending")
        .values(state=state, confirmed_at=now)
    )
    if spent != 1:
        db.session.rollback()
        raise LookupError("This link has expired or has been used.")
    if not open_for_registration(event, now):
        db.session.commit()
        raise rsvp.AnswersClosed()
    if state == "awaiting":
        db.session.commit()
        return None
    return _admit(registration, now)


def _confirm_join(registration: Registration, now) -> None:
    """A confirmed request to join: the person appears in the community as a guest (a member, facilitator
    or organiser stays what they are), with the record they gave, until an organiser approves them."""
    spent = rows_changed(
        update(Registration).where(Registration.id == registration.id, Registration.state == "pending")
        .values(state="awaiting", confirmed_at=now)
    )
    if spent != 1:
        db.session.rollback()
        raise LookupError("This link has expired or has been used.")
    community = db.session.get_one(Community, registration.community_id)
    membership = members.join_community(community, registration.email, registration.name, role="guest")
    _write_record(membership, registration)
    db.session.commit()
    return None


def series_sessions(event: Event, now=None) -> list[Event]:
    """The other sessions of the event's series that take registrations now, soonest first."""
    if event.series_id is None:
        return []
    others = db.session.execute(
        select(Event).where(Event.series_id == event.series_id, Event.id != event.id).order_by(Event.starts_at)
    ).scalars()
    return [other for other in others if open_for_registration(other, now)]


def _admit(registration: Registration, now) -> str:
    """Join the community, write its record, answer the invitation "yes" (each answer commits): for the
    event, and for every other open session of its series when the person asked for all of them.
    Returns the event's personal RSVP token. A person whose invitation an organiser revoked gets no
    place this way (rsvp.AnswersClosed)."""
    event = registration.event
    assert event is not None  # its callers admit registrations for an event
    membership = members.join_community(event.community, registration.email, registration.name, role="guest")
    _write_record(membership, registration)
    sessions = [event] + (series_sessions(event, now) if registration.whole_series else [])
    first_token = None
    for session in sessions:
        invitation = db.session.execute(
            select(Invitation).where(Invitation.event_id == session.id, Invitation.person_id == membership.person_id)
        ).scalar_one_or_none()
        if invitation is not None and invitation.revoked_at is not None:
            if session is event:
                db.session.commit()  # the link is spent; nothing is held
                raise rsvp.AnswersClosed()
            continue
        if invitation is None:
            invitation = Invitation(event=session, person=membership.person, channel=registration.channel)
            db.session.add(invitation)
        answer_token, answer_hash = new_token()
        invitation.links.append(InvitationLink(token_hash=answer_hash))
        db.session.flush()
        if session is event:
            registration.invitation_id = invitation.id
            first_token = answer_token
        # answer_invitation commits: the registration, the record, the invitation and the answer together.
        rsvp.answer_invitation(
            answer_token, "yes", "in_person", registration.dietary_needs, registration.access_needs, now=now,
            link=external_url("invitations.rsvp", token=answer_token),
        )
    assert first_token is not None  # the event is the first session, and a revoked one raised
    return first_token


@dataclass
class Awaiting:
    registration: Registration
    new_organisation: bool  # no member of the community is recorded with this organisation


def awaiting_approval(event: Event, only_new_organisations: bool = False) -> list[Awaiting]:
    known = {o.name.casefold() for o in members.organisations_in(event.community)}
    rows = db.session.execute(
        select(Registration).where(Registration.event_id == event.id, Registration.state == "awaiting")
        .order_by(Registration.confirmed_at, Registration.id)).scalars()
    waiting = [Awaiting(r, r.organisation.strip().casefold() not in known) for r in rows]
    return [w for w in waiting if w.new_organisation] if only_new_organisations else waiting


def join_requests(community, only_new_organisations: bool = False) -> list[Awaiting]:
    """Confirmed requests to join this community, waiting for an organiser. An organisation is new when
    nobody in the community but those waiting is recorded with it."""

    rows = list(db.session.execute(
        select(Registration).where(Registration.community_id == community.id, Registration.event_id.is_(None),
                                   Registration.state == "awaiting")
        .order_by(Registration.confirmed_at, Registration.id)).scalars())
    waiting_emails = {r.email for r in rows}
    known = {name.casefold() for name in db.session.execute(
        select(Organisation.name).join(Membership, Membership.organisation_id == Organisation.id)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.community_id == community.id, Person.email.not_in(waiting_emails or {""}))
    ).scalars()}
    waiting = [Awaiting(r, r.organisation.strip().casefold() not in known) for r in rows]
    return [w for w in waiting if w.new_organisation] if only_new_organisations else waiting


def approve_joins(community, ids, now=None) -> int:
    """The approved people become members (a guest becomes a member; other roles stay)."""
    now = now or utcnow()
    taken = _take_awaiting(community, None, ids, "approved", now)
    for registration in taken:
        membership = members.member_by_email(community, registration.email)
        if membership is not None and membership.role == "guest":
            membership.role = "member"
        values = {"registration": registration, "community": community}
        queue_mail(registration.email, f"Welcome to {community.name}",
                   render_template("registration/mail/welcome.txt", **values), community_id=community.id)
    db.session.commit()
    return len(taken)


def decline_joins(community, ids, now=None) -> int:
    """Told kindly; they stay a guest, as anyone invited to an event is."""
    now = now or utcnow()
    taken = _take_awaiting(community, None, ids, "declined", now)
    for registration in taken:
        values = {"registration": registration, "event": None, "community": community, "starts": ""}
        queue_mail(registration.email, f"About your request to join {community.name}",
                   render_template("registration/mail/declined.txt", **values),
                   render_template("registration/mail/declined.html", **values), community_id=community.id)
    db.session.commit()
    return len(taken)


def _take_awaiting(community, event: Event | None, ids, state: str, now) -> list[Registration]:
    """The awaiting registrations of this event (None: requests to join the community) among `ids`, moved
    to `state` (each once, whoever else is deciding)."""
    taken = []
    for registration_id in sorted(set(ids)):
        moved = rows_changed(
            update(Registration).where(
                Registration.id == registration_id, Registration.community_id == community.id,
                Registration.event_id == event.id if event else Registration.event_id.is_(None),
                Registration.state == "awaiting").values(state=state, decided_at=now)
        )
        if moved == 1:
            taken.append(db.session.get_one(Registration, registration_id))
    return taken


def approve(event: Event, ids, now=None) -> int:
    """Admit these registrations as a confirmed registration would be (place, waitlist, mail, .ics).
    Raises rsvp.AnswersClosed when the event takes no more answers (nothing is then approved)."""
    now = now or utcnow()
    if not open_for_registration(event, now):
        raise rsvp.AnswersClosed()
    taken = _take_awaiting(event.community, event, ids, "approved", now)
    db.session.commit()
    for registration in taken:
        _admit(registration, now)
    return len(taken)


def decline(event: Event, ids, now=None) -> int:
    """Tell these registrants, kindly, that there is no place for them this time."""
    now = now or utcnow()
    taken = _take_awaiting(event.community, event, ids, "declined", now)
    for registration in taken:
        values = {"registration": registration, "event": event, "community": event.community,
                  "starts": london_time(event.starts_at)}
        queue_mail(registration.email, f"About your registration for {event.title}",
                   render_template("registration/mail/declined.txt", **values),
                   render_template("registration/mail/declined.html", **values), community_id=event.community_id)
    db.session.commit()
    return len(taken)


def _write_record(membership, registration: Registration) -> None:
    """This community's record takes what the person gave; blank fields leave it as it was."""
    if registration.organisation:
        membership.organisation = members.organisation_named(
            registration.organisation, registration.sector, registration.place)
    if registration.profession and registration.profession != "other":
        membership.profession = registration.profession
    if registration.dietary_needs:
        membership.dietary_needs = registration.dietary_needs
    if registration.access_needs:
        membership.access_needs = registration.access_needs


def add_shared_link(event: Event, channel: str, created_by) -> SharedLink:
    channel = channel.strip().lower()
    if not CHANNEL_PATTERN.match(channel) or channel == PUBLIC_CHANNEL:
        raise ValueError("Use lower-case letters, digits and hyphens, up to 40, like linkedin or newsletter")
    existing = db.session.execute(
        select(SharedLink).where(SharedLink.event_id == event.id, SharedLink.channel == channel)).scalar_one_or_none()
    if existing:
        return existing
    link = SharedLink(event=event, channel=channel, created_by=created_by)
    db.session.add(link)
    db.session.flush()
    return link


def shared_links(event: Event) -> list[SharedLink]:
    return list(db.session.execute(
        select(SharedLink).where(SharedLink.event_id == event.id).order_by(SharedLink.channel)).scalars())


def registration_url(event: Event, channel: str | None = None) -> str:
    if channel and channel != PUBLIC_CHANNEL:
        return external_url("registration.register", event_id=event.id, via=channel)
    return external_url("registration.register", event_id=event.id)



def coming_public_events(community) -> list[Event]:
    """The community's published public events still taking answers, soonest first (for its public page)."""
    events = db.session.execute(
        select(Event).where(Event.community_id == community.id, Event.status == "published",
                            Event.is_public.is_(True), Event.starts_at > utcnow()).order_by(Event.starts_at)
    ).scalars()
    return [event for event in events if open_for_registration(event)]


def public_organisations(community) -> list[str]:
    """The organisation names the public pages offer as people type: those of the community's members,
    facilitators and organisers, never of guests, so registering (which makes a guest) never changes
    what an anonymous visitor sees."""

    return list(db.session.execute(
        select(Organisation.name).join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.community_id == community.id, Membership.role != "guest")
        .distinct().order_by(Organisation.name)
    ).scalars())
