"""The demo's invitations: the upcoming Big Room full with a waitlist, the past one with attendance.

Deterministic (a fixed seed) and idempotent: an event that already has invitations is left alone.
The places are set as the RSVP logic would leave them (positions 1..N, capacity never exceeded);
the few people who have not answered yet get their invitation mail in the dev mailbox, so the
RSVP link can be followed from there.
"""
import random
from datetime import timedelta

from sqlalchemy import func, select

from cop.clock import utcnow
from cop.communities.members import Member, as_members
from cop.communities.models import Community, Membership
from cop.events.models import Attendance, Event
from cop.extensions import db
from cop.invitations import mails
from cop.invitations.models import Invitation, InvitationLink
from cop.people.models import Person
from cop.tokens import new_token

SEED = 4
EXTRA_DIETARY = ["vegetarian", "vegan", "halal", "gluten free", "nut allergy", "kosher"]
EXTRA_ACCESS = ["step-free access", "hearing loop", "a seat near the door", "large print handouts"]


def _members(community: Community) -> list[Member]:
    return as_members(community.id, db.session.execute(
        select(Person).join(Membership, Membership.person_id == Person.id)
        .where(Membership.community_id == community.id)
        .order_by(Person.id)
    ).scalars())


def _has_invitations(event: Event) -> bool:
    return db.session.execute(
        select(func.count(Invitation.id)).where(Invitation.event_id == event.id)
    ).scalar_one() > 0


def _invite(event: Event, person: Member, rng: random.Random, answer: str, place: str = "none",
            answered_days_before: int = 10) -> Invitation:
    _token, token_hash = new_token()  # as if its mail went out long ago
    dietary = person.dietary_needs or (rng.choice(EXTRA_DIETARY) if rng.random() < 0.15 else "")
    access = person.access_needs or (rng.choice(EXTRA_ACCESS) if rng.random() < 0.05 else "")
    invitation = Invitation(
        event=event, person=person.person, answer=answer, place=place, links=[InvitationLink(token_hash=token_hash)],
        dietary_needs=dietary if answer == "yes" else "", access_needs=access if answer == "yes" else "",
        answered_at=None if answer == "pending" else event.starts_at - timedelta(
            days=answered_days_before, minutes=rng.randrange(0, 60 * 24 * 14)),
        created_at=event.starts_at - timedelta(days=answered_days_before + 14),
    )
    db.session.add(invitation)
    return invitation


def _add_upcoming(event: Event, people: list[Member], rng: random.Random) -> None:
    invited = people[: max(1, int(len(people) * 0.97))]
    rng.shuffle(invited)
    capacity = event.capacity if event.capacity is not None else int(len(invited) * 0.5)
    # More yeses than places (a waitlist), and a few people left for the other answers.
    waiting = min(max(5, capacity // 10), max(0, len(invited) - capacity - 6))
    yes = invited[: capacity + waiting]
    rest = invited[capacity + waiting:]
    now = utcnow()
    # The first place freed went to the head of the queue as an offer, still open.
    for number, person in enumerate(yes):
        if number < capacity - 1 or (number == capacity - 1 and waiting == 0):
            _invite(event, person, rng, "yes", "confirmed", answered_days_before=20 - number * 10 // len(yes))
        elif number == capacity - 1:
            offer = _invite(event, person, rng, "yes", "offered", answered_days_before=8)
            offer.offer_expires_at = min(now + timedelta(hours=36), event.starts_at)
        else:
            queued = _invite(event, person, rng, "yes", "waitlisted", answered_days_before=7)
            queued.waitlist_position = number - capacity + 1
    pending = []
    for number, person in enumerate(rest):
        kind = ("no", "maybe", "pending", "no", "pending")[number % 5]
        if number == 3:
            _invite(event, person, rng, "yes", "lapsed", answered_days_before=9)
        elif kind == "pending":
            pending.append(_invite(event, person, rng, "pending"))
        else:
            _invite(event, person, rng, kind)
    db.session.flush()
    for invitation in pending[:8]:
        mails.mail_invitation(invitation)


def _add_past(event: Event, people: list[Member], rng: random.Random) -> None:
    # Invited from across the community, not the first people by id (who share a few organisations).
    people = rng.sample(people, len(people))
    invited = people[: max(1, int(len(people) * 0.7))]
    rng.shuffle(invited)
    capacity = event.capacity if event.capacity is not None else len(invited)
    coming = invited[: min(capacity, int(len(invited) * 0.75))]
    for person in coming:
        _invite(event, person, rng, "yes", "confirmed")
    for number, person in enumerate(invited[len(coming):]):
        _invite(event, person, rng, ("no", "maybe", "pending")[number % 3])
    no_shows = {person.id for person in rng.sample(coming, k=max(1, len(coming) // 12))}
    for person in coming:
        if person.id not in no_shows:
            db.session.add(Attendance(event=event, person=person.person, walk_in=False, checked_in_at=(
                event.starts_at - timedelta(minutes=20) + timedelta(minutes=rng.randrange(0, 45)))))
    invited_ids = {person.id for person in invited}
    for person in [p for p in people if p.id not in invited_ids][:2]:
        db.session.add(Attendance(event=event, person=person.person, walk_in=True,
                                  checked_in_at=event.starts_at + timedelta(minutes=rng.randrange(5, 30))))


def add_demo_invitations(community: Community, events: dict[str, Event]) -> None:
    people = _members(community)
    rng = random.Random(SEED)
    upcoming = events.get("upcoming_big_room")
    if upcoming is not None and not _has_invitations(upcoming):
        _add_upcoming(upcoming, people, rng)
    past = events.get("past_big_room")
    if past is not None and not _has_invitations(past):
        _add_past(past, people, rng)
    db.session.commit()


def add_past_attendance(event: Event, people: list[Member], seed: int) -> None:
    """A past event's invitations and check-ins from these people, as for the past Big Room; once."""
    if not _has_invitations(event):
        _add_past(event, people, random.Random(seed))
