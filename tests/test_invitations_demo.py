"""The demo's invitations: a full upcoming Big Room with a waitlist, a past one with attendance."""
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from cop.clock import utcnow
from cop.events.models import Attendance
from cop.extensions import db
from cop.invitations.demo import add_demo_invitations
from cop.invitations.models import Invitation
from cop.invitations.rsvp import places_taken
from cop.mail.models import OutboxMessage
from tests import factories
from tests.invitation_helpers import make_event


def test_demo_invitations_cover_every_answer_and_are_idempotent(app):
    group = factories.community(slug="demo")
    factories.member(group, "organiser")
    for _ in range(80):
        factories.member(group)
    upcoming = make_event(group, capacity=40, days_ahead=14)
    past = make_event(group, capacity=50, starts_at=utcnow().replace(microsecond=0) - timedelta(days=30))
    db.session.commit()
    events = {"upcoming_big_room": upcoming, "past_big_room": past}

    add_demo_invitations(group, events)
    upcoming_rows = db.session.execute(select(Invitation).where(Invitation.event_id == upcoming.id)).scalars().all()
    answers = Counter(i.answer for i in upcoming_rows)
    places = Counter(i.place for i in upcoming_rows)
    assert set(answers) == {"yes", "no", "maybe", "pending"}
    assert {"confirmed", "offered", "waitlisted", "lapsed"} <= set(places)
    assert places_taken(upcoming) == upcoming.capacity
    positions = sorted(i.waitlist_position for i in upcoming_rows if i.place == "waitlisted")
    assert positions == list(range(1, len(positions) + 1)) and len(positions) >= 5
    assert all(i.links for i in upcoming_rows)
    mailed = db.session.execute(select(func.count(OutboxMessage.id))).scalar_one()
    assert mailed > 0

    attendance = db.session.execute(select(Attendance).where(Attendance.event_id == past.id)).scalars().all()
    confirmed = {i.person_id for i in db.session.execute(
        select(Invitation).where(Invitation.event_id == past.id, Invitation.place == "confirmed")).scalars()}
    walk_ins = [a for a in attendance if a.walk_in]
    checked_in = {a.person_id for a in attendance if not a.walk_in}
    assert len(walk_ins) == 2 and not {a.person_id for a in walk_ins} & confirmed
    assert checked_in < confirmed and len(confirmed - checked_in) >= 1  # a few no-shows

    counts = lambda: (db.session.execute(select(func.count(Invitation.id))).scalar_one(),  # noqa: E731
                      db.session.execute(select(func.count(Attendance.id))).scalar_one(),
                      db.session.execute(select(func.count(OutboxMessage.id))).scalar_one())
    before = counts()
    add_demo_invitations(group, events)
    assert counts() == before


def test_demo_invitations_on_the_demo_community_and_its_events(app):
    from cop.communities.models import Community
    from cop.demo import COMMUNITY_SLUG, load_demo
    from cop.events.demo import add_demo_events

    load_demo()
    community = db.session.execute(select(Community).where(Community.slug == COMMUNITY_SLUG)).scalar_one()
    events = add_demo_events(community)
    add_demo_invitations(community, events)
    upcoming = events["upcoming_big_room"]
    places = Counter(db.session.execute(
        select(Invitation.place).where(Invitation.event_id == upcoming.id)).scalars())
    assert places["waitlisted"] > 0 and places["offered"] == 1
    assert places_taken(upcoming) == upcoming.capacity
    walk_ins = db.session.execute(select(func.count(Attendance.id)).where(
        Attendance.event_id == events["past_big_room"].id, Attendance.walk_in.is_(True))).scalar_one()
    assert walk_ins == 2
    before = db.session.execute(select(func.count(Invitation.id))).scalar_one()
    add_demo_invitations(community, add_demo_events(community))
    assert db.session.execute(select(func.count(Invitation.id))).scalar_one() == before
