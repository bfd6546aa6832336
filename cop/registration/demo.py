"""The demo's shared links and registrations: the Big Rooms of the demo year (from the fourth on) and
the upcoming one get a LinkedIn and a newsletter link, and the people from organisations new at each of
those past Big Rooms came through them, alternately, as confirmed registrations; everyone else was
invited. So the reports show which channel brought the organisations the network did not yet reach.
Idempotent: an event that already has shared links is left alone."""
from datetime import timedelta

from sqlalchemy import select

from cop.communities.members import member_records
from cop.door.check_in import checked_in_at
from cop.events.models import Event
from cop.extensions import db
from cop.invitations.models import Invitation
from cop.registration.models import Registration, SharedLink
from cop.tokens import new_token

CHANNELS = ("linkedin", "newsletter")
FIRST_WITH_LINKS = 3  # the year's first Big Rooms were by invitation only


def add_demo_registrations(year: list[Event], upcoming: Event | None) -> None:
    seen: set[int] = set()
    for number, event in enumerate(year):
        rows = checked_in_at([event.id])
        if number >= FIRST_WITH_LINKS and _add_links(event):
            new_people = [row.person_id for row in rows if row.organisation_id and row.organisation_id not in seen]
            _registered(event, new_people)
        seen |= {row.organisation_id for row in rows if row.organisation_id}
    if upcoming is not None:
        _add_links(upcoming)
    db.session.commit()


def _add_links(event: Event) -> bool:
    if db.session.execute(select(SharedLink.id).where(SharedLink.event_id == event.id)).first():
        return False
    for channel in CHANNELS:
        db.session.add(SharedLink(event=event, channel=channel))
    db.session.flush()
    return True


def _registered(event: Event, person_ids: list[int]) -> None:
    invitations = {invitation.person_id: invitation for invitation in db.session.execute(
        select(Invitation).where(Invitation.event_id == event.id, Invitation.person_id.in_(person_ids))).scalars()}
    records = member_records(event.community_id, person_ids)
    for number, person_id in enumerate(person_ids):
        invitation, record = invitations.get(person_id), records.get(person_id)
        if invitation is None or record is None or invitation.invited_by_id is not None:
            continue  # a walk-in, or a trusted member's guest: they came another way
        channel = CHANNELS[number % 2]
        invitation.channel = channel
        when = event.starts_at - timedelta(days=14)
        db.session.add(Registration(
            event_id=event.id, community_id=event.community_id, name=record.person.name, email=record.person.email,
            organisation=record.organisation.name if record.organisation else "", profession=record.profession,
            channel=channel, state="confirmed", token_hash=new_token()[1], expires_at=when + timedelta(days=1),
            created_at=when, confirmed_at=when, invitation_id=invitation.id,
        ))
